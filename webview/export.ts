/**
 * Exports for instructors: the current view as a standalone SVG or a PNG,
 * every step of the walk-through as numbered SVG frames, and the current
 * chain-rule line as LaTeX on the clipboard. The page makes the content;
 * the host saves it (save dialog, folder picker) or writes the clipboard,
 * and answers with a reply that this module shows as a short status.
 *
 * A standalone SVG renders the same outside VS Code: it is a copy of the
 * live graph (svg.graph) written out as markup, the look of each element as
 * an inline style read with getComputedStyle, so the theme's CSS variables arrive as
 * concrete colours; the zoom and pan are dropped (viewBox = the whole
 * graph), and the chain-rule lines go under the graph as SVG text (their
 * plain form: KaTeX's HTML cannot live in a standalone SVG). User strings
 * only ever travel as text: every text and attribute value goes through
 * escapeXml (export-core.ts).
 *
 * PNG: that SVG drawn on a canvas at 2× from a blob: URL, which needs
 * `img-src blob:` in the panel's CSP.
 */
import type { GraphViewDTO, PanelCommand, WebviewMessage } from '../src/protocol/messages';
import type { Frame } from '../src/session/graph-cursor';
import {
  assembleSvg,
  captionFor,
  captionHeight,
  captionRows,
  declarations,
  DROPPED_TAGS,
  escapeXml,
  framesTooBig,
  GEOMETRY_ATTRIBUTES,
  isXmlName,
  keepAttribute,
  latexToCopy,
  MAX_FRAMES,
  pngScale,
  STYLE_PROPS,
  transformText,
  UNSTYLED_TAGS,
  type Box,
  type Caption,
  type CaptionStyle,
  type Measure,
} from './export-core';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Room around the graph in an export. */
const MARGIN = 16;
/** Widest a caption makes the picture (longer lines wrap). */
const CAPTION_MAX_W = 1200;
/** Work done between two paints while making frames (the page stays responsive). */
const CHUNK_MS = 120;
/** Tags whose children are not drawn where they stand (their display says nothing). */
const DEFINITION_TAGS = new Set([
  'defs',
  'marker',
  'clipPath',
  'mask',
  'pattern',
  'symbol',
  'linearGradient',
  'radialGradient',
]);

/** What the exports need from the page (webview/main.ts). */
export interface ExportHost {
  /** The view shown, with the current position's frame; null before the first view. */
  current(): { readonly view: GraphViewDTO; readonly frame: Frame } | null;
  /** Moves the step cursor without panning (for frames; the exporter moves it back). */
  goTo(position: number): void;
  /** The live graph. */
  svg(): SVGSVGElement | null;
  /** Posts a request; `make` gets its id. */
  request(make: (id: number) => WebviewMessage): void;
}

class ExportError extends Error {}

interface CachedStyle {
  readonly values: string[];
  /** The element's inline style in the export (what differs from its parent). */
  readonly style: string;
  readonly display: string;
  readonly textTransform: string;
}

/**
 * Computed styles of one export run, shared by the elements that must look
 * alike: same tag, same attributes (geometry and labels aside) and a parent
 * that looks alike. A 2,000-node graph then costs a few hundred
 * getComputedStyle calls, not one per element. Elements under the pointer
 * or the focus get their own.
 */
class StyleCache {
  private readonly ids = new Map<string, number>();
  readonly entries: CachedStyle[] = [];
  private unique = 0;
  /** Elements under the pointer or the focus (their look is their own). */
  hot: ReadonlySet<Element> = new Set();

  /** The style id of `el`, whose parent has style id `parent` (-1: the root). */
  styleOf(el: Element, parent: number): number {
    let key = `${parent}>${el.localName}`;
    for (const a of Array.from(el.attributes)) if (!GEOMETRY_ATTRIBUTES.has(a.name)) key += `|${a.name}=${a.value}`;
    if (this.hot.has(el)) key += `|#${++this.unique}`;
    const hit = this.ids.get(key);
    if (hit !== undefined) return hit;
    const cs = getComputedStyle(el);
    const values = STYLE_PROPS.map((p) => cs.getPropertyValue(p.name));
    const id = this.entries.length;
    this.entries.push({
      values,
      style: declarations(values, parent >= 0 ? this.entries[parent].values : null),
      display: cs.display,
      textTransform: cs.textTransform,
    });
    this.ids.set(key, id);
    return id;
  }
}

/**
 * Writes the live graph as SVG markup with each element's look inlined.
 * The markup is written here, not through a copy and XMLSerializer: the
 * panel's CSP (no 'unsafe-inline' in style-src) refuses style attributes
 * set on elements, even detached ones, and writing text is several times
 * faster. Every name and value that goes out is escaped (escapeXml);
 * element and attribute names are plain XML names.
 *
 * Across the frames of a walk-through, a step changes a few nodes: with
 * `reuse`, a MutationObserver tells which elements changed, and the markup
 * of every subtree that did not (and whose ancestors' attributes did not)
 * is reused from the frame before.
 */
class Snapshotter {
  private readonly styles = new StyleCache();
  private readonly markup = new WeakMap<Element, string>();
  private readonly observer: MutationObserver | null;
  /** Changed since the last snapshot: the elements and their ancestors; and the elements whose attributes changed. */
  private readonly changed = new Set<Node>();
  private readonly restyled = new Set<Node>();
  private first = true;
  private delivered: MutationRecord[] = [];

  constructor(
    private readonly svg: SVGSVGElement,
    reuse: boolean,
  ) {
    this.styles.hot = new Set(document.querySelectorAll(':hover, :focus, :focus-within, :active'));
    // Records delivered to the callback (at a microtask checkpoint, e.g. between chunks) are gone from takeRecords().
    this.observer = reuse ? new MutationObserver((records) => this.delivered.push(...records)) : null;
    this.observer?.observe(svg, { subtree: true, attributes: true, childList: true, characterData: true });
  }

  dispose(): void {
    this.observer?.disconnect();
  }

  private collect(): void {
    this.changed.clear();
    this.restyled.clear();
    if (!this.observer) return;
    const records = [...this.delivered, ...this.observer.takeRecords()];
    this.delivered = [];
    for (const r of records) {
      let t: Node | null = r.type === 'characterData' ? r.target.parentNode : r.target;
      if (r.type === 'attributes') this.restyled.add(r.target);
      for (; t && !this.changed.has(t); t = t.parentNode) {
        this.changed.add(t);
        if (t === this.svg) break;
      }
    }
  }

  /** The graph as markup: a `<g>` holding everything, without the zoom and pan. */
  snapshot(): string {
    const svg = this.svg;
    this.collect();
    // Zoomed far out, the graph hides its text (level of detail): an export always has it.
    const lod = svg.classList.contains('lod-low');
    if (lod) svg.classList.remove('lod-low');
    // Nor does it leave out what is culled off screen, or the text hidden while a zoom is going on.
    const zooming = svg.classList.contains('zooming');
    if (zooming) svg.classList.remove('zooming');
    svg.classList.add('no-cull');
    try {
      const root = this.styles.styleOf(svg, -1);
      const out: string[] = [];
      const style = this.styles.entries[root].style;
      out.push(style === '' ? '<g class="graph">' : `<g class="graph" style="${escapeXml(style)}">`);
      const stale = this.first || this.restyled.has(svg);
      for (let c = svg.firstElementChild; c; c = c.nextElementSibling) this.write(c, root, false, stale, out);
      out.push('</g>');
      this.first = false;
      return out.join('');
    } finally {
      if (lod) svg.classList.add('lod-low');
      if (zooming) svg.classList.add('zooming');
      svg.classList.remove('no-cull');
      // Our own class flips are no change of the graph.
      this.observer?.takeRecords();
    }
  }

  /** Writes `el` into `out`; nothing when it is not drawn (display: none) or must not be copied. */
  private write(el: Element, parent: number, inDefs: boolean, stale: boolean, out: string[]): void {
    if (this.observer && !stale && !this.changed.has(el)) {
      const kept = this.markup.get(el);
      if (kept !== undefined) {
        out.push(kept);
        return;
      }
    }
    const mine: string[] = [];
    this.writeFresh(el, parent, inDefs, stale || this.restyled.has(el), mine);
    const text = mine.join('');
    if (this.observer) this.markup.set(el, text);
    out.push(text);
  }

  private writeFresh(el: Element, parent: number, inDefs: boolean, stale: boolean, out: string[]): void {
    const tag = el.localName;
    if (DROPPED_TAGS.has(tag) || el.namespaceURI !== SVG_NS || !isXmlName(tag)) return;
    if (UNSTYLED_TAGS.has(tag)) {
      out.push(`<${tag}>${escapeXml(el.textContent ?? '')}</${tag}>`);
      return;
    }
    const id = this.styles.styleOf(el, parent);
    const st = this.styles.entries[id];
    const defs = inDefs || DEFINITION_TAGS.has(tag);
    if (st.display === 'none' && !defs) return;
    const viewport = el.parentNode === this.svg && el.classList.contains('viewport');
    out.push(`<${tag}`);
    for (const a of Array.from(el.attributes))
      if (keepAttribute(a.name) && !(viewport && a.name === 'transform'))
        out.push(` ${a.name}="${escapeXml(a.value)}"`);
    if (st.style !== '') out.push(` style="${escapeXml(st.style)}"`);
    if (!el.firstChild) {
      out.push('/>');
      return;
    }
    out.push('>');
    const isText = tag === 'text' || tag === 'tspan';
    for (let c: ChildNode | null = el.firstChild; c; c = c.nextSibling) {
      if (c.nodeType === Node.ELEMENT_NODE) this.write(c as Element, id, defs, stale, out);
      else if (c.nodeType === Node.TEXT_NODE) {
        const t = c.nodeValue ?? '';
        out.push(escapeXml(isText ? transformText(t, st.textTransform) : t));
      }
    }
    out.push(`</${tag}>`);
  }
}

/** The graph's extent in its own units (the zoom and pan left out), with a margin. */
function graphBox(svg: SVGSVGElement): Box {
  const vp = svg.querySelector<SVGGraphicsElement>(':scope > g.viewport') ?? svg;
  let bb: { x: number; y: number; width: number; height: number };
  try {
    bb = vp.getBBox();
  } catch {
    bb = { x: 0, y: 0, width: 0, height: 0 };
  }
  if (!(bb.width > 0 && bb.height > 0)) bb = { x: 0, y: 0, width: 240, height: 80 };
  return { x: bb.x - MARGIN, y: bb.y - MARGIN, width: bb.width + 2 * MARGIN, height: bb.height + 2 * MARGIN };
}

/** A CSS colour expression (theme variables included) as the colour it is now. */
function resolveColor(expr: string, fallback: string): string {
  const probe = document.createElement('span');
  probe.style.color = expr;
  probe.style.display = 'none';
  document.body.append(probe);
  const c = getComputedStyle(probe).color;
  probe.remove();
  return c || fallback;
}

function captionStyle(): CaptionStyle {
  const big = document.body.classList.contains('presentation');
  const body = getComputedStyle(document.body);
  return {
    fontFamily: body.fontFamily || 'sans-serif',
    headingSize: big ? 18 : 14,
    lineSize: big ? 24 : 18,
    headingColor: resolveColor('var(--vscode-descriptionForeground, var(--vscode-foreground))', body.color),
    lineColor: resolveColor('var(--vscode-foreground)', body.color),
    fanoutColor: resolveColor('var(--bp-grad)', body.color),
  };
}

function measurer(fontFamily: string): Measure {
  const ctx = document.createElement('canvas').getContext('2d');
  const memo = new Map<string, number>();
  return (text, size) => {
    const k = `${size}|${text}`;
    const hit = memo.get(k);
    if (hit !== undefined) return hit;
    let w = text.length * size * 0.6;
    if (ctx) {
      ctx.font = `${size}px ${fontFamily}`;
      w = ctx.measureText(text).width;
    }
    memo.set(k, w);
    return w;
  };
}

function background(): string | null {
  const bg = getComputedStyle(document.body).backgroundColor;
  return bg && bg !== 'transparent' && !/rgba\(.*,\s*0\)$/.test(bg) ? bg : null;
}

/** Assembles SVG files from graph snapshots and captions, all of one size (frames of a walk-through line up). */
function assembleAll(
  box: Box,
  parts: readonly { body: string; caption: Caption }[],
  title: (i: number) => string,
): string[] {
  const style = captionStyle();
  const measure = measurer(style.fontFamily);
  let want = 0;
  for (const p of parts) {
    want = Math.max(want, Math.min(CAPTION_MAX_W, measure(p.caption.heading, style.headingSize)));
    for (const l of p.caption.lines)
      want = Math.max(
        want,
        Math.min(CAPTION_MAX_W, measure(l.text, style.lineSize) + (l.fanout ? 2 * style.lineSize : 0)),
      );
  }
  const wide: Box = { ...box, width: Math.max(box.width, Math.ceil(want) + 2 * MARGIN + 4) };
  const rows = parts.map((p) => captionRows(p.caption, wide.width - 2 * MARGIN, style, measure));
  const height = Math.max(0, ...rows.map(captionHeight)) + (rows.some((r) => r.length > 0) ? MARGIN : 0);
  const bg = background();
  return parts.map((p, i) =>
    assembleSvg({
      box: wide,
      body: p.body,
      rows: rows[i],
      captionHeight: height,
      background: bg,
      fontFamily: style.fontFamily,
      title: title(i),
    }),
  );
}

/** What the look of the page depends on besides the graph: the body's classes (mode, theme kind) and VS Code's theme variables. */
function lookKey(): string {
  const cls = Array.from(document.body.classList)
    .filter((c) => c !== 'bp-exporting')
    .join(' ');
  return `${cls}|${document.documentElement.getAttribute('style') ?? ''}`;
}

/** A graph whose layout has not arrived yet (webview/graph.ts hides it meanwhile) is not exported. */
function notLayingOut(svg: SVGSVGElement): void {
  if (svg.classList.contains('layout-pending'))
    throw new ExportError('The graph is still being laid out: export again in a moment.');
}

function nextPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

function button(id: string, text: string, title: string): HTMLElement {
  const b = document.createElement('vscode-button');
  b.id = id;
  b.textContent = text;
  b.title = title;
  b.setAttribute('aria-label', title);
  b.setAttribute('secondary', '');
  return b;
}

/** Makes a standalone SVG of the graph as shown (exported for the browser tests through the exporter). */
export function currentSvg(svg: SVGSVGElement, view: GraphViewDTO, frame: Frame): string {
  document.body.classList.add('bp-exporting');
  try {
    const box = graphBox(svg);
    const shots = new Snapshotter(svg, false);
    const body = shots.snapshot();
    shots.dispose();
    return assembleAll(box, [{ body, caption: captionFor(view, frame) }], () => pictureTitle(view, frame))[0];
  } finally {
    svg.getBoundingClientRect();
    document.body.classList.remove('bp-exporting');
  }
}

function pictureTitle(view: GraphViewDTO, frame: Frame): string {
  return `${view.title || 'Computational graph'}, step ${frame.position} of ${frame.last}`;
}

/** Draws an SVG on a canvas at 2× (less for a huge graph) and returns the PNG as base64 (no data: prefix). */
export async function svgToPng(svgText: string, width: number, height: number): Promise<string> {
  const scale = pngScale(width, height);
  if (scale === null) throw new ExportError('The graph is too big for a PNG: export it as SVG instead.');
  const url = URL.createObjectURL(new Blob([svgText], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    try {
      await img.decode();
    } catch {
      throw new ExportError(
        "Could not draw the graph as an image (the panel's Content-Security-Policy must allow img-src blob:).",
      );
    }
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(width * scale));
    canvas.height = Math.max(1, Math.round(height * scale));
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new ExportError('No 2D canvas to draw the PNG on.');
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    const data = canvas.toDataURL('image/png');
    const comma = data.indexOf(',');
    if (!data.startsWith('data:image/png;base64,') || comma < 0)
      throw new ExportError('The canvas did not make a PNG (is the graph too big?).');
    return data.slice(comma + 1);
  } finally {
    URL.revokeObjectURL(url);
  }
}

function svgSize(svgText: string): { width: number; height: number } {
  const m = /<svg [^>]*?width="(\d+)" height="(\d+)"/.exec(svgText);
  return m ? { width: Number(m[1]), height: Number(m[2]) } : { width: 0, height: 0 };
}

/**
 * The chain panel's "Copy LaTeX" and export buttons, the status line, and
 * the commands exportSvg, exportPng, exportFrames and copyLatex.
 */
export class Exporter {
  private readonly pending = new Map<number, string>();
  private readonly statusEl: HTMLElement;
  private statusTimer: ReturnType<typeof setTimeout> | null = null;
  private busy = false;

  /**
   * The buttons go at the top right of the chain panel (`chainRoot`): Copy
   * LaTeX, SVG, PNG, Frames; the status shows over the graph's corner
   * (`statusHost`), so that neither makes the toolbar wrap.
   */
  constructor(
    chainRoot: HTMLElement,
    statusHost: HTMLElement,
    private readonly host: ExportHost,
  ) {
    const actions = document.createElement('div');
    actions.className = 'chain-actions';
    actions.setAttribute('role', 'group');
    actions.setAttribute('aria-label', 'Copy and export');
    const specs: [string, string, string, () => void][] = [
      ['btn-copy-latex', 'Copy LaTeX', 'Copy the chain-rule line(s) of this step as LaTeX', () => this.copyLatex()],
      ['btn-export-svg', 'SVG', 'Export the graph at this step as an SVG image', () => void this.exportSvg()],
      ['btn-export-png', 'PNG', 'Export the graph at this step as a PNG image (2×)', () => void this.exportPng()],
      [
        'btn-export-frames',
        'Frames',
        'Export every step of the walk-through as numbered SVG frames',
        () => void this.exportFrames(),
      ],
    ];
    for (const [id, text, title, run] of specs) {
      const b = button(id, text, title);
      b.addEventListener('click', run);
      actions.append(b);
    }
    chainRoot.prepend(actions);
    this.statusEl = document.createElement('div');
    this.statusEl.className = 'export-status';
    this.statusEl.id = 'export-status';
    this.statusEl.setAttribute('role', 'status');
    this.statusEl.setAttribute('aria-live', 'polite');
    statusHost.append(this.statusEl);
  }

  /** Carries out a command from VS Code; false when it is not an export command. */
  command(name: PanelCommand): boolean {
    switch (name) {
      case 'exportSvg':
        void this.exportSvg();
        return true;
      case 'exportPng':
        void this.exportPng();
        return true;
      case 'exportFrames':
        void this.exportFrames();
        return true;
      case 'copyLatex':
        this.copyLatex();
        return true;
      default:
        return false;
    }
  }

  /** The host's answer to an export or copy: shown in the status line. False: not one of ours. */
  onReply(m: { readonly replyTo: number; readonly ok: boolean; readonly message: string }): boolean {
    const what = this.pending.get(m.replyTo);
    if (what === undefined) return false;
    this.pending.delete(m.replyTo);
    this.setStatus(m.message || (m.ok ? `${what}: done.` : `${what} failed.`), m.ok ? 'ok' : 'error');
    return true;
  }

  private setStatus(text: string, kind: 'busy' | 'ok' | 'error'): void {
    this.statusEl.textContent = text;
    this.statusEl.title = text;
    this.statusEl.dataset.kind = kind;
    if (this.statusTimer !== null) clearTimeout(this.statusTimer);
    this.statusTimer = null;
    if (kind !== 'busy')
      this.statusTimer = setTimeout(
        () => {
          this.statusEl.textContent = '';
          this.statusEl.title = '';
        },
        kind === 'ok' ? 6000 : 15000,
      );
  }

  private send(what: string, make: (id: number) => WebviewMessage): void {
    this.host.request((id) => {
      this.pending.set(id, what);
      return make(id);
    });
    this.setStatus(`${what}: waiting for VS Code…`, 'busy');
  }

  private async run(what: string, work: () => Promise<void> | void): Promise<void> {
    if (this.busy) {
      this.setStatus('An export is already running.', 'error');
      return;
    }
    this.busy = true;
    try {
      await work();
    } catch (e) {
      const msg =
        e instanceof ExportError ? e.message : `${what} failed: ${e instanceof Error ? e.message : String(e)}`;
      this.setStatus(msg, 'error');
      if (!(e instanceof ExportError)) console.error(e);
    } finally {
      this.busy = false;
    }
  }

  private snapshotNow(): string {
    const cur = this.host.current();
    const svg = this.host.svg();
    if (!cur || !svg || cur.view.nodes.length === 0) throw new ExportError('No graph to export yet.');
    notLayingOut(svg);
    return currentSvg(svg, cur.view, cur.frame);
  }

  exportSvg(): Promise<void> {
    return this.run('SVG export', () => {
      const data = this.snapshotNow();
      this.send('SVG export', (id) => ({ type: 'export', id, format: 'svg', data }));
    });
  }

  exportPng(): Promise<void> {
    return this.run('PNG export', async () => {
      this.setStatus('Drawing the PNG…', 'busy');
      const svg = this.snapshotNow();
      const { width, height } = svgSize(svg);
      const data = await svgToPng(svg, width, height);
      this.send('PNG export', (id) => ({ type: 'export', id, format: 'png', data }));
    });
  }

  exportFrames(): Promise<void> {
    return this.run('Frames export', async () => {
      const first = this.host.current();
      const svg = this.host.svg();
      if (!first || !svg || first.view.nodes.length === 0) throw new ExportError('No graph to export yet.');
      notLayingOut(svg);
      const view = first.view;
      const count = first.frame.last + 1;
      const early = framesTooBig(count, 0);
      if (early) throw new ExportError(early);
      const parts: { body: string; caption: Caption }[] = [];
      const titles: string[] = [];
      const box = graphBox(svg);
      const look = lookKey();
      const shots = new Snapshotter(svg, true);
      let chars = 0;
      this.setStatus(`Exporting frames… 0 / ${count}`, 'busy');
      let p = 0;
      try {
        while (p < count) {
          const now = this.host.current();
          if (!now || now.view !== view)
            throw new ExportError('The graph changed during the export: export the frames again.');
          if (lookKey() !== look)
            throw new ExportError('The theme or the mode changed during the export: export the frames again.');
          // Each chunk steps through some positions and comes back before the page paints: no flicker.
          const back = now.frame.position;
          document.body.classList.add('bp-exporting');
          try {
            const t0 = performance.now();
            do {
              this.host.goTo(p);
              const at = this.host.current();
              if (!at || at.frame.position !== p)
                throw new ExportError('The step cursor did not move: export stopped.');
              const body = shots.snapshot();
              parts.push({ body, caption: captionFor(view, at.frame) });
              titles.push(pictureTitle(view, at.frame));
              chars += body.length + 2000;
              p++;
              const over = framesTooBig(count, p === 1 ? chars : Math.ceil(chars / p));
              if (over) throw new ExportError(over);
            } while (p < count && performance.now() - t0 < CHUNK_MS);
          } finally {
            this.host.goTo(back);
            // Settle styles before transitions come back, so nothing animates from the last frame.
            svg.getBoundingClientRect();
            document.body.classList.remove('bp-exporting');
          }
          if (p < count) {
            this.setStatus(`Exporting frames… ${p} / ${count}`, 'busy');
            await nextPaint();
          }
        }
      } finally {
        shots.dispose();
      }
      if (parts.length > MAX_FRAMES) throw new ExportError(framesTooBig(parts.length, 0) ?? 'Too many frames.');
      const frames = assembleAll(box, parts, (i) => titles[i]);
      const total = frames.reduce((s, f) => s + f.length, 0);
      const over = framesTooBig(frames.length, Math.ceil(total / frames.length));
      if (over) throw new ExportError(over);
      this.send(`Export of ${frames.length} frames`, (id) => ({ type: 'exportFrames', id, frames }));
    });
  }

  copyLatex(): void {
    const cur = this.host.current();
    const text = latexToCopy(cur ? cur.frame : null);
    if (text === '') {
      this.setStatus('No chain-rule line at this step: step forward first.', 'error');
      return;
    }
    this.send('Copy LaTeX', (id) => ({ type: 'copy', id, text }));
  }
}
