/**
 * The graph, drawn with D3 as SVG: nodes (op symbol, label, value, gradient,
 * heat map of small tensors), edges input → consumer, zoom, pan and fit.
 * A new view is drawn once; each step after that updates only the nodes and
 * edges whose state changed (see applyFrame). Every string from the user's
 * script goes in through d3's .text() (textContent), never as markup.
 */
import { select, type Selection } from 'd3-selection';
import 'd3-transition';
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { heatGrid, NODE_PAD } from '../src/protocol/geometry';
import { decodeNum, type EdgeDTO, type GraphViewDTO, type NodeDTO, type ValueDTO } from '../src/protocol/messages';
import { accessibleName, type Frame } from '../src/session/graph-cursor';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Approximate advance of a character of the panel's monospace font at 12px. */
const CHAR_W = 7.3;
/** Below this zoom, text is hidden (level of detail: big graphs stay smooth to pan). */
const LOD_SCALE = 0.4;
/** The smallest zoom at which a node's text reads comfortably (12px text at 0.8 is about 10px). */
const READABLE_SCALE = 0.8;

type G = Selection<SVGGElement, unknown, null, undefined>;

export interface GraphOptions {
  readonly reducedMotion: () => boolean;
  readonly onSelect: (node: number) => void;
}

function clipText(s: string, maxChars: number): string {
  if (maxChars <= 1) return '…';
  return s.length > maxChars ? `${s.slice(0, maxChars - 1)}…` : s;
}

/** `= -4.75` for a number; a tensor's shape in words (`vector of 3`, `2×3 matrix`) above its heat map. */
function valueLine(v: ValueDTO): string {
  return v.scalar !== undefined ? `= ${v.text}` : v.text;
}

function gradLine(g: ValueDTO | null): string {
  if (!g) return '';
  return `∇ ${g.text}`;
}

/** Entry point of edge e on the left side of its consumer. */
function edgePath(
  nodes: readonly NodeDTO[],
  e: EdgeDTO,
  inputsOfTarget: number,
): { d: string; mx: number; my: number } {
  const a = nodes[e.from];
  const b = nodes[e.to];
  const x1 = a.x + a.w;
  const y1 = a.y + a.h / 2;
  const x2 = b.x;
  const y2 = b.y + (b.h * (e.position + 1)) / (inputsOfTarget + 1);
  const dx = Math.max(24, (x2 - x1) / 2);
  // Label point: the middle of the curve.
  const t = 0.5;
  const u = 1 - t;
  const mx = u * u * u * x1 + 3 * u * u * t * (x1 + dx) + 3 * u * t * t * (x2 - dx) + t * t * t * x2;
  const my = u * u * u * y1 + 3 * u * u * t * y1 + 3 * u * t * t * y2 + t * t * t * y2;
  return { d: `M${x1},${y1}C${x1 + dx},${y1} ${x2 - dx},${y2} ${x2},${y2}`, mx, my };
}

export class GraphCanvas {
  readonly svg: Selection<SVGSVGElement, unknown, null, undefined>;
  private readonly viewport: G;
  private readonly edgesG: G;
  private readonly labelsG: G;
  private readonly nodesG: G;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private view: GraphViewDTO | null = null;
  private nodeEls: SVGGElement[] = [];
  private gradEls: SVGTextElement[] = [];
  private fanEls: SVGTextElement[] = [];
  private edgeEls: SVGPathElement[] = [];
  private labelPoints: { x: number; y: number }[] = [];
  private sig: string[] = [];
  private active: readonly number[] = [];
  private transform: ZoomTransform = zoomIdentity;
  private lod = false;
  private hostW = 0;
  private hostH = 0;
  private pendingFocus: number | null = null;

  constructor(
    private readonly host: HTMLElement,
    private readonly opts: GraphOptions,
  ) {
    this.svg = select(host)
      .append('svg')
      .attr('class', 'graph')
      .attr('role', 'group')
      .attr('aria-label', 'Computational graph')
      .attr('xmlns', SVG_NS);
    const defs = this.svg.append('defs');
    for (const [id, cls] of [
      ['arrow', 'arrow'],
      ['arrow-forward', 'arrow arrow-forward'],
      ['arrow-backward', 'arrow arrow-backward'],
    ]) {
      defs
        .append('marker')
        .attr('id', id)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerWidth', 7)
        .attr('markerHeight', 7)
        .attr('orient', 'auto-start-reverse')
        .append('path')
        .attr('class', cls)
        .attr('d', 'M0,0L10,5L0,10z');
    }
    this.viewport = this.svg.append('g').attr('class', 'viewport');
    this.edgesG = this.viewport.append('g').attr('class', 'edges');
    this.nodesG = this.viewport.append('g').attr('class', 'nodes');
    this.labelsG = this.viewport.append('g').attr('class', 'edge-labels');
    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.02, 4])
      .on('zoom', (ev: { transform: ZoomTransform }) => {
        this.transform = ev.transform;
        this.viewport.attr('transform', ev.transform.toString());
        const lod = ev.transform.k < LOD_SCALE;
        if (lod !== this.lod) {
          this.lod = lod;
          this.svg.classed('lod-low', lod);
        }
      });
    this.svg.call(this.zoomer).on('dblclick.zoom', null);
    new ResizeObserver((entries) => {
      const r = entries[entries.length - 1].contentRect;
      this.hostW = r.width;
      this.hostH = r.height;
      if (this.pendingFocus !== null && r.width > 0 && r.height > 0) this.initialView(this.pendingFocus);
    }).observe(host);
  }

  /** Draws a new view. keepZoom: same graph shape as before, leave the user's zoom and pan. */
  setView(view: GraphViewDTO, keepZoom: boolean): void {
    this.view = view;
    const nodes = view.nodes;
    const inCount = new Int32Array(nodes.length);
    for (const e of view.edges) inCount[e.to]++;

    this.edgesG.selectAll('*').remove();
    this.labelsG.selectAll('*').remove();
    this.nodesG.selectAll('*').remove();

    const edgeFrag = document.createDocumentFragment();
    this.edgeEls = [];
    this.labelPoints = [];
    for (const e of view.edges) {
      const p = edgePath(nodes, e, inCount[e.to]);
      const path = document.createElementNS(SVG_NS, 'path');
      path.setAttribute('class', 'edge');
      path.setAttribute('d', p.d);
      path.setAttribute('marker-end', 'url(#arrow)');
      edgeFrag.appendChild(path);
      this.edgeEls.push(path);
      this.labelPoints.push({ x: p.mx, y: p.my });
    }
    (this.edgesG.node() as SVGGElement).appendChild(edgeFrag);

    const sel = this.nodesG
      .selectAll<SVGGElement, NodeDTO>('g.node')
      .data(nodes)
      .join('g')
      .attr('class', (d) => `node kind-${d.kind}`)
      .attr('transform', (d) => `translate(${d.x},${d.y})`)
      .attr('tabindex', 0)
      .attr('role', 'button')
      .attr('data-index', (_d, i) => i)
      .attr('data-id', (d) => d.id);
    sel
      .append('rect')
      .attr('class', 'box')
      .attr('width', (d) => d.w)
      .attr('height', (d) => d.h)
      .attr('rx', (d) => (d.kind === 'param' ? 14 : 5));
    sel.append('title').text((d) => `${d.title}: ${d.label}${d.range ? ` (line ${d.range.line})` : ''}`);
    for (const el of sel.nodes()) this.drawContent(select(el), select<SVGGElement, NodeDTO>(el).datum());
    sel.on('click', (ev: MouseEvent, d) => {
      ev.stopPropagation();
      this.opts.onSelect(nodes.indexOf(d));
    });
    sel.on('keydown', (ev: KeyboardEvent, d) => {
      if (ev.key === 'Enter') {
        ev.preventDefault();
        ev.stopPropagation();
        this.opts.onSelect(nodes.indexOf(d));
      }
    });
    this.nodeEls = sel.nodes();
    this.gradEls = this.nodeEls.map((g) => g.querySelector('text.grad') as SVGTextElement);
    this.fanEls = this.nodeEls.map((g) => g.querySelector('text.fan') as SVGTextElement);
    this.sig = new Array(nodes.length).fill('');
    this.active = [];
    // A new graph gets its first look from initialView (main.ts, once the position is known).
    if (keepZoom) this.svg.call(this.zoomer.transform, this.transform);
  }

  private drawContent(g: Selection<SVGGElement, unknown, null, undefined>, d: NodeDTO): void {
    const inner = d.w - 2 * NODE_PAD;
    if (d.kind === 'op') {
      g.append('text').attr('class', 'sym').attr('x', NODE_PAD).attr('y', 21).text(d.symbol);
      const symW = Math.max(14, d.symbol.length * 9.6) + 8;
      g.append('text')
        .attr('class', d.named ? 'label named' : 'label')
        .attr('x', NODE_PAD + symW)
        .attr('y', 21)
        .text(clipText(d.label, Math.floor((inner - symW) / CHAR_W)));
    } else {
      const tag = d.kind === 'param' ? 'param' : d.title === 'input' ? 'input' : 'const';
      g.append('text')
        .attr('class', d.named ? 'label named' : 'label')
        .attr('x', NODE_PAD + (d.kind === 'param' ? 4 : 0))
        .attr('y', 21)
        .text(clipText(d.label, Math.floor((inner - 40) / CHAR_W)));
      g.append('text')
        .attr('class', 'tag')
        .attr('x', d.w - NODE_PAD - (d.kind === 'param' ? 4 : 0))
        .attr('y', 20)
        .attr('text-anchor', 'end')
        .text(tag);
    }
    g.append('text')
      .attr('class', 'value')
      .attr('x', NODE_PAD)
      .attr('y', 41)
      .text(clipText(valueLine(d.value), Math.floor(inner / CHAR_W)));
    const grid = heatGrid(d.value.shape);
    if (grid && d.value.cells) {
      const heat = g.append('g').attr('class', 'heat').attr('transform', `translate(${NODE_PAD},48)`);
      const lo = d.value.min ?? 0;
      const hi = d.value.max ?? 0;
      const scale = Math.max(Math.abs(lo), Math.abs(hi)) || 1;
      d.value.cells.forEach((c, k) => {
        const v = decodeNum(c);
        const cell = heat
          .append('rect')
          .attr('x', (k % grid.cols) * grid.cell)
          .attr('y', Math.floor(k / grid.cols) * grid.cell)
          .attr('width', grid.cell - 1)
          .attr('height', grid.cell - 1);
        if (!Number.isFinite(v)) cell.attr('class', 'cell nonfinite');
        else
          cell
            .attr('class', v < 0 ? 'cell neg' : 'cell pos')
            .attr('fill-opacity', (0.15 + (0.85 * Math.abs(v)) / scale).toFixed(3));
        cell.append('title').text(Number.isFinite(v) ? String(v) : c === 'NaN' ? 'nan' : v > 0 ? 'inf' : '-inf');
      });
    }
    g.append('text')
      .attr('class', 'grad')
      .attr('x', NODE_PAD)
      .attr('y', d.h - 12);
    g.append('text')
      .attr('class', 'fan')
      .attr('x', d.w - NODE_PAD)
      .attr('y', d.h - 12)
      .attr('text-anchor', 'end');
  }

  /** Shows a position: only nodes whose status, gradient or fan-out count changed are touched. */
  applyFrame(frame: Frame): void {
    const view = this.view;
    if (!view) return;
    for (let i = 0; i < this.nodeEls.length; i++) {
      const g = frame.grads[i];
      const s = `${frame.status[i]}|${g ? g.text : ''}|${frame.fan[i] ?? ''}`;
      if (s === this.sig[i]) continue;
      this.sig[i] = s;
      const el = this.nodeEls[i];
      el.setAttribute('class', `node kind-${view.nodes[i].kind} status-${frame.status[i]}${g ? ' has-grad' : ''}`);
      this.gradEls[i].textContent = clipText(gradLine(g), 18);
      this.fanEls[i].textContent = frame.fan[i] ? `Σ ${frame.fan[i]}` : '';
      el.setAttribute('aria-label', accessibleName(view, frame, i));
      if (frame.status[i] === 'current') el.setAttribute('aria-current', 'step');
      else el.removeAttribute('aria-current');
    }
    for (const e of this.active) {
      this.edgeEls[e]?.setAttribute('class', 'edge');
      this.edgeEls[e]?.setAttribute('marker-end', 'url(#arrow)');
    }
    for (const e of frame.activeEdges) {
      this.edgeEls[e]?.setAttribute('class', `edge active ${frame.phase}`);
      this.edgeEls[e]?.setAttribute('marker-end', `url(#arrow-${frame.phase})`);
    }
    this.active = frame.activeEdges;
    this.labelsG.selectAll('*').remove();
    for (const [e, text] of frame.edgeLabels) {
      const p = this.labelPoints[e];
      if (!p) continue;
      const lab = this.labelsG.append('g').attr('class', 'edge-label').attr('transform', `translate(${p.x},${p.y})`);
      const shown = clipText(text, 14);
      const w = shown.length * CHAR_W + 10;
      lab
        .append('rect')
        .attr('x', -w / 2)
        .attr('y', -10)
        .attr('width', w)
        .attr('height', 19)
        .attr('rx', 4);
      lab.append('text').attr('text-anchor', 'middle').attr('y', 4).text(shown);
      lab.append('title').text(text);
    }
  }

  /** Scales and centres the whole graph in the panel. */
  fit(animate = true): void {
    const view = this.view;
    if (!view) return;
    const { cw, ch } = this.size();
    const k = Math.max(0.02, Math.min(1.4, (0.96 * cw) / view.width, (0.96 * ch) / view.height));
    this.moveTo(this.centred(k, view.width / 2, view.height / 2), animate);
  }

  /**
   * The first look at a new graph: the whole graph when it fits at a size
   * that can be read, else a readable size centred on `focus` (the node the
   * walk-through starts at), never showing empty space past the graph's edges.
   */
  initialView(focus: number): void {
    const view = this.view;
    if (!view) return;
    const box = this.host.getBoundingClientRect();
    this.hostW = box.width;
    this.hostH = box.height;
    // Not laid out yet (a panel opening in the background): once it has a size.
    this.pendingFocus = box.width > 0 && box.height > 0 ? null : focus;
    if (this.pendingFocus !== null) return;
    const { cw, ch } = this.size();
    const fitK = Math.min((0.96 * cw) / view.width, (0.96 * ch) / view.height);
    if (fitK >= READABLE_SCALE || focus < 0 || focus >= view.nodes.length) return this.fit(false);
    const n = view.nodes[focus];
    this.moveTo(this.centred(READABLE_SCALE, n.x + n.w / 2, n.y + n.h / 2), false);
  }

  /** The panel's size, kept by a ResizeObserver: reading it on every step would force a layout of the whole SVG. */
  private size(): { cw: number; ch: number } {
    if (this.hostW <= 0 || this.hostH <= 0) {
      const box = this.host.getBoundingClientRect();
      this.hostW = box.width;
      this.hostH = box.height;
    }
    return { cw: Math.max(1, this.hostW), ch: Math.max(1, this.hostH) };
  }

  /** Zoom k with graph point (cx, cy) at the centre, clamped so the graph covers the panel where it can. */
  private centred(k: number, cx: number, cy: number): ZoomTransform {
    const view = this.view as GraphViewDTO;
    const { cw, ch } = this.size();
    const axis = (c: number, extent: number, port: number) => {
      const size = extent * k;
      if (size <= port) return (port - size) / 2;
      return Math.min(0, Math.max(port - size, port / 2 - c * k));
    };
    return zoomIdentity.translate(axis(cx, view.width, cw), axis(cy, view.height, ch)).scale(k);
  }

  /** Pans (at the current zoom) so that a node is in view, when it is not. */
  reveal(i: number): void {
    const view = this.view;
    if (!view || i < 0 || i >= view.nodes.length) return;
    const n = view.nodes[i];
    const { cw, ch } = this.size();
    const t = this.transform;
    const x0 = t.applyX(n.x);
    const y0 = t.applyY(n.y);
    const x1 = t.applyX(n.x + n.w);
    const y1 = t.applyY(n.y + n.h);
    if (x0 >= 0 && y0 >= 0 && x1 <= cw && y1 <= ch) return;
    this.moveTo(this.centred(t.k, n.x + n.w / 2, n.y + n.h / 2), true);
  }

  private moveTo(t: ZoomTransform, animate: boolean): void {
    if (animate && !this.opts.reducedMotion()) this.svg.transition().duration(250).call(this.zoomer.transform, t);
    else this.svg.call(this.zoomer.transform, t);
  }

  zoomBy(factor: number): void {
    if (this.opts.reducedMotion()) this.svg.call(this.zoomer.scaleBy, factor);
    else this.svg.transition().duration(150).call(this.zoomer.scaleBy, factor);
  }

  focusNode(i: number): void {
    this.nodeEls[i]?.focus();
  }
}
