/**
 * The DOM-free half of the panel's exports (webview/export.ts does the DOM
 * work): which CSS properties a standalone SVG needs written on each element
 * and when one can be left out, the words under the graph (the step and its
 * chain-rule lines, from the view, as the chain panel shows them), the LaTeX
 * that "Copy LaTeX" puts on the clipboard, the layout of those words in the
 * picture, the assembly of the SVG text, and the size limits of a
 * walk-through export. Unit-tested in plain Node (test/unit/panel/export-core.test.ts).
 */
import {
  MAX_EXPORT_CHARS,
  MAX_EXPORT_FRAMES,
  MAX_EXPORT_TOTAL_CHARS,
  type FormulaDTO,
  type GraphViewDTO,
} from '../src/protocol/messages';
import type { Frame } from '../src/session/graph-cursor';

// ---------------------------------------------------------------- styles to inline

export interface StyleProp {
  readonly name: string;
  /** Inherited in CSS: written on an element only when it differs from its parent's value. */
  readonly inherited: boolean;
  /** The value a standalone renderer starts from (null: always written at the top). */
  readonly initial: string | null;
}

/**
 * Every property the panel's stylesheet sets on the graph that changes how
 * the SVG looks. Read with getComputedStyle (theme variables resolved to
 * colours) and written as inline styles in the exported file.
 */
export const STYLE_PROPS: readonly StyleProp[] = [
  { name: 'fill', inherited: true, initial: 'rgb(0, 0, 0)' },
  { name: 'fill-opacity', inherited: true, initial: '1' },
  { name: 'stroke', inherited: true, initial: 'none' },
  { name: 'stroke-width', inherited: true, initial: '1px' },
  { name: 'stroke-opacity', inherited: true, initial: '1' },
  { name: 'stroke-dasharray', inherited: true, initial: 'none' },
  { name: 'stroke-linecap', inherited: true, initial: 'butt' },
  { name: 'stroke-linejoin', inherited: true, initial: 'miter' },
  { name: 'paint-order', inherited: true, initial: 'normal' },
  { name: 'opacity', inherited: false, initial: '1' },
  { name: 'visibility', inherited: true, initial: 'visible' },
  { name: 'font-family', inherited: true, initial: null },
  { name: 'font-size', inherited: true, initial: null },
  { name: 'font-weight', inherited: true, initial: '400' },
  { name: 'font-style', inherited: true, initial: 'normal' },
  { name: 'letter-spacing', inherited: true, initial: 'normal' },
  { name: 'text-anchor', inherited: true, initial: 'start' },
  { name: 'dominant-baseline', inherited: true, initial: 'auto' },
];

/** Elements whose look does not matter (not drawn) or that must not be copied. */
export const UNSTYLED_TAGS: ReadonlySet<string> = new Set(['title', 'desc', 'metadata']);
/** Elements dropped from an export. */
export const DROPPED_TAGS: ReadonlySet<string> = new Set(['script', 'style', 'foreignObject', 'a', 'image', 'iframe']);
/** Attributes of the live page that mean nothing in a picture (focus order, button roles); style is written anew. */
// data-culled: the page's viewport culling (webview/graph.ts), which an export switches off (.no-cull).
export const DROPPED_ATTRIBUTES: ReadonlySet<string> = new Set([
  'tabindex',
  'role',
  'aria-current',
  'style',
  'data-culled',
]);

/**
 * Attributes that place or name an element without changing its style: left
 * out of the key under which computed styles are shared, so that every node
 * of a kind and state costs one getComputedStyle.
 */
export const GEOMETRY_ATTRIBUTES: ReadonlySet<string> = new Set([
  'data-culled',
  'd',
  'transform',
  'x',
  'y',
  'x1',
  'y1',
  'x2',
  'y2',
  'cx',
  'cy',
  'r',
  'rx',
  'ry',
  'width',
  'height',
  'points',
  'aria-label',
  'data-index',
  'data-id',
  'tabindex',
]);

/** A plain XML name (no namespace prefix): the only element and attribute names an export writes. */
export function isXmlName(name: string): boolean {
  return /^[A-Za-z_][\w.-]*$/.test(name);
}

/** Whether an attribute of the live graph goes into the export (event handlers never do). */
export function keepAttribute(name: string): boolean {
  return isXmlName(name) && !/^on/i.test(name) && !DROPPED_ATTRIBUTES.has(name) && name !== 'xmlns';
}

/**
 * The inline style of one element: `values[i]` is the computed value of
 * STYLE_PROPS[i], `parent` the parent's (null at the top). Inherited
 * properties are written where they differ from the parent's, the others
 * where they differ from their initial value; `var(` never gets through,
 * nor anything that could end the declaration.
 */
export function declarations(values: readonly string[], parent: readonly string[] | null): string {
  const out: string[] = [];
  STYLE_PROPS.forEach((p, i) => {
    const v = (values[i] ?? '').trim();
    if (v === '' || v.includes('var(') || /[;{}<>\\]/.test(v.replace(/"[^"]*"/g, ''))) return;
    if (parent && p.inherited) {
      if (v === (parent[i] ?? '').trim()) return;
    } else if (p.initial !== null && v === p.initial) return;
    out.push(`${p.name}: ${v}`);
  });
  return out.join('; ');
}

/** CSS text-transform applied to a text's characters (a standalone SVG renderer may not know the property). */
export function transformText(text: string, transform: string): string {
  if (transform === 'uppercase') return text.toUpperCase();
  if (transform === 'lowercase') return text.toLowerCase();
  if (transform === 'capitalize') return text.replace(/(^|\s)(\S)/g, (_m, s: string, c: string) => s + c.toUpperCase());
  return text;
}

/** Text and attribute values in XML: the five markup characters escaped, characters XML forbids dropped. */
export function escapeXml(s: string): string {
  return (
    s
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
      .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
  );
}

// ---------------------------------------------------------------- the words of a step

/** What a step says: a heading, and its chain-rule lines (the fan-out running sums marked). */
export interface Caption {
  readonly heading: string;
  readonly lines: readonly { readonly text: string; readonly fanout: boolean }[];
}

/** The formulas the chain panel shows at this frame, in its order (product, then its fan-out sum, per input). */
export function frameFormulas(frame: Frame | null): { formula: FormulaDTO; fanout: boolean }[] {
  if (!frame) return [];
  if (frame.step) {
    const out: { formula: FormulaDTO; fanout: boolean }[] = [];
    for (const inp of frame.step.inputs) {
      out.push({ formula: inp.formula, fanout: false });
      if (inp.fanOut.formula) out.push({ formula: inp.fanOut.formula, fanout: true });
    }
    return out;
  }
  if (frame.forward) return [{ formula: frame.forward.formula, fanout: false }];
  return [];
}

/** "Copy LaTeX": the current chain-rule line(s) as LaTeX, one per line; empty when the step has none. */
export function latexToCopy(frame: Frame | null): string {
  return frameFormulas(frame)
    .map((f) => f.formula.latex)
    .join('\n');
}

/** The heading and chain-rule lines written under the graph in an export. */
export function captionFor(view: GraphViewDTO, frame: Frame): Caption {
  const F = view.forward.length;
  const lines = frameFormulas(frame).map((f) => ({ text: f.formula.text, fanout: f.fanout }));
  const where = (i: number) => {
    const r = view.nodes[i]?.range;
    return r ? `, line ${r.line}` : '';
  };
  let heading: string;
  if (frame.step) {
    const node = view.nodes[frame.step.node];
    heading = `Backward step ${frame.position - F} of ${view.steps.length}: ${frame.step.backwardName} at ${node?.label ?? '?'}${where(frame.step.node)}. ∂L/∂(this node) = ${frame.step.upstream.text}`;
  } else if (frame.forward) {
    const node = view.nodes[frame.forward.node];
    heading = `Forward ${frame.position} of ${F}: ${node?.title ?? '?'}${where(frame.forward.node)}`;
  } else heading = `Step 0 of ${frame.last}: nothing computed yet`;
  return { heading, lines };
}

// ---------------------------------------------------------------- layout and assembly

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface CaptionStyle {
  readonly fontFamily: string;
  readonly headingSize: number;
  readonly lineSize: number;
  readonly headingColor: string;
  readonly lineColor: string;
  readonly fanoutColor: string;
}

export interface CaptionRow {
  readonly text: string;
  readonly size: number;
  readonly color: string;
  readonly indent: number;
}

/** Width of a text at a font size, in the picture's units (the page measures with a canvas). */
export type Measure = (text: string, size: number) => number;

/** Greedy word wrap at spaces; a word wider than the width gets a row of its own (cut by characters). */
export function wrap(text: string, width: number, size: number, measure: Measure): string[] {
  if (measure(text, size) <= width) return [text];
  const rows: string[] = [];
  let row = '';
  for (const word of text.split(' ')) {
    const next = row === '' ? word : `${row} ${word}`;
    if (measure(next, size) <= width) {
      row = next;
      continue;
    }
    if (row !== '') rows.push(row);
    row = word;
    while (measure(row, size) > width && row.length > 1) {
      let cut = row.length - 1;
      while (cut > 1 && measure(row.slice(0, cut), size) > width) cut--;
      rows.push(row.slice(0, cut));
      row = row.slice(cut);
    }
  }
  if (row !== '') rows.push(row);
  return rows;
}

/** The caption's rows, wrapped to `width` (fan-out sums indented as in the chain panel). */
export function captionRows(caption: Caption, width: number, style: CaptionStyle, measure: Measure): CaptionRow[] {
  const rows: CaptionRow[] = [];
  for (const t of wrap(caption.heading, width, style.headingSize, measure))
    rows.push({ text: t, size: style.headingSize, color: style.headingColor, indent: 0 });
  for (const l of caption.lines) {
    const indent = l.fanout ? 2 * style.lineSize : 0;
    for (const t of wrap(l.text, width - indent, style.lineSize, measure))
      rows.push({ text: t, size: style.lineSize, color: l.fanout ? style.fanoutColor : style.lineColor, indent });
  }
  return rows;
}

/** Height the rows take (each row 1.5 times its font size, a gap above the first). */
export function captionHeight(rows: readonly CaptionRow[]): number {
  if (rows.length === 0) return 0;
  return 12 + rows.reduce((h, r) => h + Math.round(r.size * 1.5), 0);
}

export interface SvgParts {
  /** The graph's bounding box in its own units, margins included. */
  readonly box: Box;
  /** The graph as SVG markup (trusted: written by export.ts from the page's own DOM, every value escaped). */
  readonly body: string;
  readonly rows: readonly CaptionRow[];
  /** Room kept under the graph for the rows (at least captionHeight(rows)), so frames share a size. */
  readonly captionHeight: number;
  /** Background colour (null: transparent). */
  readonly background: string | null;
  readonly fontFamily: string;
  /** Accessible title of the picture. */
  readonly title: string;
}

function n(x: number): string {
  return String(Math.round(x * 100) / 100);
}

/** Colours and font names come from getComputedStyle; anything else is refused (it goes into an attribute). */
function safeCss(v: string, fallback: string): string {
  return /^[\w\s#(),.%'"+-]*$/.test(v) && !v.includes('var(') ? v : fallback;
}

/** The standalone SVG's text: viewBox = the whole graph and the caption under it. */
export function assembleSvg(p: SvgParts): string {
  const { box } = p;
  const width = box.width;
  const height = box.height + p.captionHeight;
  const font = escapeXml(safeCss(p.fontFamily, 'sans-serif'));
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>\n',
    `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" viewBox="${n(box.x)} ${n(box.y)} ${n(width)} ${n(height)}" width="${Math.ceil(width)}" height="${Math.ceil(height)}" role="img">`,
    `<title>${escapeXml(p.title)}</title>`,
  ];
  if (p.background)
    out.push(
      `<rect class="background" x="${n(box.x)}" y="${n(box.y)}" width="${n(width)}" height="${n(height)}" style="fill: ${escapeXml(safeCss(p.background, 'none'))}; stroke: none"/>`,
    );
  out.push(p.body);
  if (p.rows.length > 0) {
    out.push(`<g class="caption" style="font-family: ${font}">`);
    let y = box.y + box.height + 12;
    for (const r of p.rows) {
      y += Math.round(r.size * 1.5);
      out.push(
        `<text x="${n(box.x + 16 + r.indent)}" y="${n(y - r.size * 0.45)}" style="font-size: ${n(r.size)}px; fill: ${escapeXml(safeCss(r.color, 'currentColor'))}">${escapeXml(r.text)}</text>`,
      );
    }
    out.push('</g>');
  }
  out.push('</svg>\n');
  return out.join('');
}

// ---------------------------------------------------------------- limits

/** Most frames one walk-through export makes (the protocol's cap: the host refuses more). */
export const MAX_FRAMES = MAX_EXPORT_FRAMES;

/** Why a walk-through of `count` frames of about `frameChars` characters each cannot be exported, or null. */
export function framesTooBig(count: number, frameChars: number): string | null {
  if (count > MAX_FRAMES)
    return `This walk-through has ${count.toLocaleString('en-US')} steps; an export holds at most ${MAX_FRAMES.toLocaleString('en-US')} frames. Export single steps as SVG instead.`;
  if (frameChars > MAX_EXPORT_CHARS)
    return `One frame of this graph is over ${mb(MAX_EXPORT_CHARS)}: too big to export.`;
  const total = count * frameChars;
  if (total > MAX_EXPORT_TOTAL_CHARS)
    return `${count.toLocaleString('en-US')} frames of about ${mb(frameChars)} each would be ${mb(total)}, more than the ${mb(MAX_EXPORT_TOTAL_CHARS)} an export may hold. Collapse groups or export single steps instead.`;
  return null;
}

function mb(chars: number): string {
  const m = chars / (1024 * 1024);
  if (m >= 1024) return `${(m / 1024).toFixed(1)} GB`;
  return m >= 10 ? `${Math.round(m)} MB` : `${m.toFixed(1)} MB`;
}

/** PNG scale: 2× where the canvas allows it (each side ≤ 16,384 px, at most 120 megapixels), or null when even 1/4 cannot. */
export function pngScale(width: number, height: number, wanted = 2): number | null {
  if (!(width > 0 && height > 0)) return null;
  const s = Math.min(wanted, 16384 / width, 16384 / height, Math.sqrt(120e6 / (width * height)));
  return s >= 0.25 ? s : null;
}
