/**
 * The graph, drawn with D3 as SVG: nodes (op symbol, label, value, gradient,
 * heat map of small tensors), edges input → consumer, zoom, pan and fit.
 * A new view is drawn once; each step after that updates only the nodes and
 * edges whose state changed (see applyFrame). Every string from the user's
 * script goes in through d3's .text() (textContent), never as markup.
 *
 * Grouping (src/session/visible-graph.ts): a collapsed group is one box
 * (`g.group[data-group]`: its line or call, how many ops, its state at the
 * step, the gradient of its output) in place of its nodes; an expanded
 * group is a faint frame behind its members with a header (`▾ line 14`)
 * that collapses it. Every node keeps its element (`g.node[data-index]`,
 * hidden while inside a box), so a step costs the same grouped or not.
 * With nothing collapsed the host's layout is used as it is; otherwise the
 * visible graph is laid out by the page's layout client (a Web Worker), and
 * the group that was clicked stays where it was on the screen.
 */
import { select, type Selection } from 'd3-selection';
import 'd3-transition';
import { interpolate } from 'd3-interpolate';
import { zoom, zoomIdentity, type ZoomBehavior, type ZoomTransform } from 'd3-zoom';
import { heatGrid, NODE_PAD } from '../src/protocol/geometry';
import { decodeNum, type GraphViewDTO, type NodeDTO, type ValueDTO } from '../src/protocol/messages';
import { accessibleName, type Frame, type NodeStatus } from '../src/session/graph-cursor';
import { layoutGraph } from '../src/session/layout';
import {
  boxStates,
  groupAccessibleName,
  groupBounds,
  groupOutline,
  groupHeading,
  GroupInfo,
  groupText,
  itemBoxes,
  visibleGraph,
  visibleLayoutInput,
  type BoxState,
  type ItemBoxes,
  type VisibleGraph,
} from '../src/session/visible-graph';
import { createLayoutClient, type LayoutClient } from './layout-client';
import { Minimap, type MiniNode } from './minimap';

const SVG_NS = 'http://www.w3.org/2000/svg';
/** Approximate advance of a character of the panel's monospace font at 12px. */
const CHAR_W = 7.3;
/** Below this zoom, text is hidden (level of detail: big graphs stay smooth to pan). */
const LOD_SCALE = 0.4;
/** After the last change of the zoom's scale by the person, node text comes back this much later. */
const ZOOMING_MS = 150;
/** The smallest zoom at which a node's text reads comfortably (12px text at 0.8 is about 10px). */
const READABLE_SCALE = 0.8;
/** Frames of expanded groups drawn at most (parents first): past that they would only be clutter. */
const MAX_FRAMES = 400;
/** Height of a frame's header tab. */
const TAB_H = 18;
/** Layouts of the visible graph kept (collapse, expand back: no second layout). */
const LAYOUT_CACHE = 8;
/** Graphs whose collapsed groups are remembered. */
const REMEMBERED = 16;

type G = Selection<SVGGElement, unknown, null, undefined>;

export interface GraphOptions {
  readonly reducedMotion: () => boolean;
  readonly onSelect: (node: number) => void;
}

type Target = { readonly group: number } | { readonly node: number };
/** What stays put on the screen across a change of grouping: the whole graph, if it was all in view, else a target. */
interface Anchor {
  readonly whole: boolean;
  readonly target: Target | null;
  readonly sx: number;
  readonly sy: number;
}
interface Rect {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
}

interface BoxEl {
  readonly g: SVGGElement;
  readonly progress: SVGTextElement;
  readonly grad: SVGTextElement;
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

function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, cls?: string): SVGElementTagNameMap[K] {
  const e = document.createElementNS(SVG_NS, tag);
  if (cls) e.setAttribute('class', cls);
  return e;
}

/** An edge from the right side of one item into slot `slot` of `slots` on the left side of another. */
function edgePath(b: ItemBoxes, from: number, to: number, slot: number, slots: number) {
  const x1 = b.x[from] + b.w[from];
  const y1 = b.y[from] + b.h[from] / 2;
  const x2 = b.x[to];
  const y2 = b.y[to] + (b.h[to] * (slot + 1)) / (slots + 1);
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
  private readonly framesG: G;
  private readonly frameHeadsG: G;
  private readonly hitsG: G;
  private readonly edgesG: G;
  private readonly labelsG: G;
  private readonly nodesG: G;
  private readonly boxesG: G;
  private readonly zoomer: ZoomBehavior<SVGSVGElement, unknown>;
  private view: GraphViewDTO | null = null;
  private info: GroupInfo | null = null;
  /** Groups the person collapsed (a group inside a collapsed one stays in the set, hidden). */
  private collapsed = new Set<number>();
  /** What is drawn, and where. */
  private vg: VisibleGraph | null = null;
  private boxes: ItemBoxes | null = null;
  private layoutGen = 0;
  private client: LayoutClient | null = null;
  private readonly layoutCache = new Map<string, ItemBoxes>();
  /** Collapsed groups of the graphs shown before (a re-run, a drill-down and back, another backward() call and back). */
  private readonly remembered = new Map<string, Set<number>>();
  private nodeEls: SVGGElement[] = [];
  private gradEls: SVGTextElement[] = [];
  private fanEls: SVGTextElement[] = [];
  /** Per node: the status and gradient flag last drawn, the cursor-line flag, and whether it is in a box. */
  private nodeStatus: (NodeStatus | '')[] = [];
  private nodeGrad = new Uint8Array(0);
  private nodeHit = new Uint8Array(0);
  private nodeHidden = new Uint8Array(0);
  private nodeAt: string[] = [];
  private edgeEls: SVGPathElement[] = [];
  private labelPoints: { x: number; y: number }[] = [];
  private boxEls = new Map<number, BoxEl>();
  private boxSig = new Map<number, string>();
  private boxStatus = new Map<number, NodeStatus>();
  private hitBoxes = new Set<number>();
  private sig: string[] = [];
  private active: readonly number[] = [];
  private lastFrame: Frame | null = null;
  private hitLine: number | null = null;
  private hitNodes: readonly number[] = [];
  private transform: ZoomTransform = zoomIdentity;
  /** Viewport culling: which nodes, boxes and edges are hidden for being far off screen. */
  private nodeCulled = new Uint8Array(0);
  private edgeCulled = new Uint8Array(0);
  private readonly boxCulled = new Map<number, boolean>();
  private cullFrame = 0;
  private zoomingTimer: ReturnType<typeof setTimeout> | null = null;
  private lod = false;
  private readonly minimap: Minimap;
  private hostW = 0;
  private hostH = 0;
  private pendingFocus: number | null = null;
  /** Keyboard focus to give once the next layout is drawn. */
  private focusAfter: Target | null = null;

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
    this.framesG = this.viewport.append('g').attr('class', 'group-frames');
    this.hitsG = this.viewport.append('g').attr('class', 'line-hits');
    this.edgesG = this.viewport.append('g').attr('class', 'edges');
    this.nodesG = this.viewport.append('g').attr('class', 'nodes');
    this.boxesG = this.viewport.append('g').attr('class', 'groups');
    // Frame headers above the nodes: the frames of a loop's iterations overlap, and a header must stay clickable.
    this.frameHeadsG = this.viewport.append('g').attr('class', 'group-frame-heads');
    this.labelsG = this.viewport.append('g').attr('class', 'edge-labels');
    this.zoomer = zoom<SVGSVGElement, unknown>()
      .scaleExtent([0.02, 4])
      // Plain interpolation of the view (centre and width): a reveal between equal zooms keeps the scale,
      // where d3's default (interpolateZoom) zooms out and in on the way, and each scale change lays out
      // every <text> again (bench/README.md, Graph panel: a step at zoom 1.0 238 → 36 ms at 2,000 nodes).
      .interpolate(interpolate)
      .on('zoom', (ev: { transform: ZoomTransform; sourceEvent: unknown }) => {
        const scaled = ev.transform.k !== this.transform.k;
        this.transform = ev.transform;
        this.viewport.attr('transform', ev.transform.toString());
        this.showViewportInMinimap();
        if (scaled && ev.sourceEvent) this.zooming();
        this.scheduleCull();
        const lod = ev.transform.k < LOD_SCALE;
        if (lod !== this.lod) {
          this.lod = lod;
          this.svg.classed('lod-low', lod);
        }
      });
    this.svg.call(this.zoomer).on('dblclick.zoom', null);
    this.minimap = new Minimap(host, (gx, gy) => this.moveTo(this.centred(this.transform.k, gx, gy), false));
    new ResizeObserver((entries) => {
      const r = entries[entries.length - 1].contentRect;
      this.hostW = r.width;
      this.hostH = r.height;
      this.showViewportInMinimap();
      this.scheduleCull();
      if (this.pendingFocus !== null && r.width > 0 && r.height > 0) this.initialView(this.pendingFocus);
    }).observe(host);
  }

  /**
   * The person is changing the zoom's scale (wheel, pinch): node text is
   * hidden until ZOOMING_MS after the last change, then laid out once at
   * the final scale, instead of at every frame of the gesture.
   */
  private zooming(): void {
    this.svg.classed('zooming', true);
    if (this.zoomingTimer !== null) clearTimeout(this.zoomingTimer);
    this.zoomingTimer = setTimeout(() => {
      this.zoomingTimer = null;
      this.svg.classed('zooming', false);
    }, ZOOMING_MS);
  }

  private scheduleCull(): void {
    if (this.cullFrame !== 0) return;
    this.cullFrame = requestAnimationFrame(() => {
      this.cullFrame = 0;
      this.cull();
    });
  }

  /**
   * Viewport culling: nodes, boxes and edges more than half a screen away
   * from the view get `data-culled` (display: none, their text too, see
   * media/panel.css), so a zoom at a readable scale lays out only the text
   * near the view. Runs once a frame at most, touching only what changed.
   */
  private cull(): void {
    const vg = this.vg;
    const b = this.boxes;
    if (!vg || !b) return;
    const t = this.transform;
    const { cw, ch } = this.size();
    const x0 = (-cw / 2 - t.x) / t.k;
    const x1 = ((3 * cw) / 2 - t.x) / t.k;
    const y0 = (-ch / 2 - t.y) / t.k;
    const y1 = ((3 * ch) / 2 - t.y) / t.k;
    const off = (i: number) => b.x[i] > x1 || b.x[i] + b.w[i] < x0 || b.y[i] > y1 || b.y[i] + b.h[i] < y0;
    const set = (el: Element | undefined, on: boolean) => {
      if (!el) return;
      if (on) el.setAttribute('data-culled', '');
      else el.removeAttribute('data-culled');
    };
    if (this.nodeCulled.length !== this.nodeEls.length) this.nodeCulled = new Uint8Array(this.nodeEls.length);
    vg.items.forEach((it, i) => {
      const out = off(i);
      if (it.kind === 'node') {
        if (this.nodeCulled[it.node] !== (out ? 1 : 0)) {
          this.nodeCulled[it.node] = out ? 1 : 0;
          set(this.nodeEls[it.node], out);
        }
      } else if ((this.boxCulled.get(it.group) ?? false) !== out) {
        this.boxCulled.set(it.group, out);
        set(this.boxEls.get(it.group)?.g, out);
      }
    });
    if (this.edgeCulled.length !== this.edgeEls.length) this.edgeCulled = new Uint8Array(this.edgeEls.length);
    vg.edges.forEach((e, k) => {
      const a = e.from;
      const c = e.to;
      const out =
        Math.min(b.x[a], b.x[c]) > x1 ||
        Math.max(b.x[a] + b.w[a], b.x[c] + b.w[c]) < x0 ||
        Math.min(b.y[a], b.y[c]) > y1 ||
        Math.max(b.y[a] + b.h[a], b.y[c] + b.h[c]) < y0;
      if (this.edgeCulled[k] !== (out ? 1 : 0)) {
        this.edgeCulled[k] = out ? 1 : 0;
        set(this.edgeEls[k], out);
      }
    });
  }

  /**
   * Draws a new view. keepZoom: same graph shape as before, leave the user's zoom and pan.
   * Collapsed groups are kept for a graph of the same shape and groups (a re-run, or
   * coming back from a drill-down); a graph not seen before starts grouped (every
   * group collapsed) when the host says so (view.grouped), else with nothing collapsed.
   */
  setView(view: GraphViewDTO, keepZoom: boolean): void {
    if (this.view && this.info) {
      const key = `${this.view.shapeKey}|${this.info.key}`;
      this.remembered.delete(key);
      this.remembered.set(key, this.collapsed);
      if (this.remembered.size > REMEMBERED) this.remembered.delete(this.remembered.keys().next().value as string);
    }
    this.view = view;
    this.info = new GroupInfo(view);
    const known = this.remembered.get(`${view.shapeKey}|${this.info.key}`);
    this.collapsed = known ? new Set(known) : view.grouped ? new Set(view.groups.map((_g, k) => k)) : new Set();
    const nodes = view.nodes;
    const n = nodes.length;

    this.framesG.selectAll('*').remove();
    this.frameHeadsG.selectAll('*').remove();
    this.hitsG.selectAll('*').remove();
    this.edgesG.selectAll('*').remove();
    this.labelsG.selectAll('*').remove();
    this.nodesG.selectAll('*').remove();
    this.boxesG.selectAll('*').remove();
    this.boxEls.clear();
    this.boxSig.clear();
    this.boxStatus.clear();
    this.hitBoxes.clear();
    this.edgeEls = [];
    this.labelPoints = [];

    const sel = this.nodesG
      .selectAll<SVGGElement, NodeDTO>('g.node')
      .data(nodes)
      .join('g')
      .attr('class', (d) => `node kind-${d.kind}${d.drill ? ' drillable' : ''}`)
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
    this.nodeCulled = new Uint8Array(this.nodeEls.length);
    this.gradEls = this.nodeEls.map((g) => g.querySelector('text.grad') as SVGTextElement);
    this.fanEls = this.nodeEls.map((g) => g.querySelector('text.fan') as SVGTextElement);
    this.sig = new Array(n).fill('');
    this.nodeStatus = new Array(n).fill('');
    this.nodeGrad = new Uint8Array(n);
    this.nodeHit = new Uint8Array(n);
    this.nodeHidden = new Uint8Array(n);
    this.nodeAt = nodes.map((d) => `${d.x},${d.y}`);
    this.active = [];
    this.lastFrame = null;
    this.vg = null;
    this.boxes = null;
    this.hitNodes = [];
    // A new graph gets its first look from initialView (main.ts, once the position is known).
    if (keepZoom) this.svg.call(this.zoomer.transform, this.transform);
    this.relayout(null);
    if (this.hitLine !== null) this.highlightLine(this.hitLine);
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

  private nodeClass(i: number): string {
    const d = (this.view as GraphViewDTO).nodes[i];
    const st = this.nodeStatus[i];
    return `node kind-${d.kind}${st ? ` status-${st}` : ''}${this.nodeGrad[i] ? ' has-grad' : ''}${d.drill ? ' drillable' : ''}${this.nodeHit[i] ? ' line-hit' : ''}`;
  }

  private boxClass(k: number): string {
    const g = (this.view as GraphViewDTO).groups[k];
    const st = this.boxStatus.get(k);
    return `group kind-${g.kind}${st ? ` status-${st}` : ''}${this.hitBoxes.has(k) ? ' line-hit' : ''}`;
  }

  // ---------------------------------------------------------------- groups

  /** The view has groups to collapse or expand. */
  hasGroups(): boolean {
    return (this.view?.groups.length ?? 0) > 0;
  }

  /** Groups collapsed now (indices into view.groups), for tests and the toolbar. */
  collapsedGroups(): readonly number[] {
    return [...this.collapsed].sort((a, b) => a - b);
  }

  expand(k: number, keyboard = false): void {
    if (!this.view || !this.collapsed.has(k)) return;
    const anchor = this.captureAnchor({ group: k });
    this.collapsed.delete(k);
    // Groups around it open too (it was hidden inside one of them).
    for (let p = this.view.groups[k].parent; p >= 0; p = this.view.groups[p].parent) this.collapsed.delete(p);
    if (keyboard) this.focusAfter = { group: k };
    this.relayout(anchor);
  }

  collapse(k: number, keyboard = false): void {
    if (!this.view || k < 0 || k >= this.view.groups.length || this.collapsed.has(k)) return;
    const anchor = this.captureAnchor({ group: k });
    this.collapsed.add(k);
    if (keyboard) this.focusAfter = { group: k };
    this.relayout(anchor);
  }

  expandAll(): void {
    if (!this.view || this.collapsed.size === 0) return;
    const anchor = this.currentAnchor();
    this.collapsed.clear();
    this.relayout(anchor);
  }

  collapseAll(): void {
    const view = this.view;
    if (!view || view.groups.length === 0 || this.collapsed.size === view.groups.length) return;
    const anchor = this.currentAnchor();
    this.collapsed = new Set(view.groups.map((_g, k) => k));
    this.relayout(anchor);
  }

  private currentAnchor(): Anchor | null {
    const cur = this.lastFrame?.current ?? -1;
    return this.captureAnchor(cur >= 0 ? { node: cur } : null);
  }

  /** Where a group (its box, or its frame) or a node (or the box it is in) is drawn now. */
  private targetRect(target: Target): Rect | null {
    const vg = this.vg;
    const b = this.boxes;
    const view = this.view;
    if (!vg || !b || !view) return null;
    let item: number;
    if ('group' in target) {
      if (target.group < 0 || target.group >= view.groups.length) return null;
      item = vg.itemOfGroup[target.group];
      if (item < 0) {
        const r = groupBounds(vg, b, target.group);
        if (r) return r;
        item = vg.itemOfNode[view.groups[target.group].first];
      }
    } else {
      if (target.node < 0 || target.node >= view.nodes.length) return null;
      item = vg.itemOfNode[target.node];
    }
    return { x: b.x[item], y: b.y[item], w: b.w[item], h: b.h[item] };
  }

  private captureAnchor(target: Target | null): Anchor | null {
    if (!this.boxes) return null;
    const t = this.transform;
    const { width, height } = this.extent();
    const { cw, ch } = this.size();
    const whole = t.applyX(0) >= -1 && t.applyY(0) >= -1 && t.applyX(width) <= cw + 1 && t.applyY(height) <= ch + 1;
    const r = target ? this.targetRect(target) : null;
    return { whole, target: r ? target : null, sx: r ? t.applyX(r.x) : 0, sy: r ? t.applyY(r.y) : 0 };
  }

  /** Shows the whole graph, centred, at the current zoom or smaller but still readable; false when it cannot. */
  private showWhole(): boolean {
    const { cw, ch } = this.size();
    const { width, height } = this.extent();
    const k0 = this.transform.k;
    const k = Math.min(k0, (0.96 * cw) / width, (0.96 * ch) / height);
    if (k < Math.min(k0, READABLE_SCALE)) return false;
    this.moveTo(this.centred(k, width / 2, height / 2), false);
    return true;
  }

  private cacheKey(): string {
    return `${this.view?.shapeKey}|${this.info?.key}|${this.collapsedGroups().join(',')}`;
  }

  /** Works out what is visible; draws it now (host layout, or a cached one) or once the layout client answers. */
  private relayout(anchor: Anchor | null): void {
    const view = this.view;
    const info = this.info;
    if (!view || !info) return;
    const vg = visibleGraph(view, this.collapsed, info);
    const gen = ++this.layoutGen;
    if (vg.identity) return this.render(vg, itemBoxes(vg, null), anchor);
    const key = this.cacheKey();
    const cached = this.layoutCache.get(key);
    if (cached) return this.render(vg, cached, anchor);
    // A new graph waits for its layout unseen; a change of grouping keeps the old picture until then.
    if (!this.vg) this.svg.classed('layout-pending', true);
    const input = visibleLayoutInput(vg);
    this.client ??= createLayoutClient();
    this.client.layout(input).then(
      (lay) => this.laidOut(gen, view, vg, key, itemBoxes(vg, lay), anchor),
      (e: unknown) => {
        console.warn(`[backprop panel] layout failed (${e instanceof Error ? e.message : String(e)}); laying out here`);
        this.laidOut(gen, view, vg, key, itemBoxes(vg, layoutGraph(input)), anchor);
      },
    );
  }

  private laidOut(gen: number, view: GraphViewDTO, vg: VisibleGraph, key: string, b: ItemBoxes, anchor: Anchor | null) {
    if (gen !== this.layoutGen || view !== this.view) return;
    if (this.layoutCache.size >= LAYOUT_CACHE) this.layoutCache.delete(this.layoutCache.keys().next().value as string);
    this.layoutCache.set(key, b);
    this.render(vg, b, anchor);
  }

  /** Draws the visible graph at its positions: nodes moved or hidden, edges, boxes and frames anew. */
  private render(vg: VisibleGraph, b: ItemBoxes, anchor: Anchor | null): void {
    const view = vg.view;
    const nodes = view.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const it = vg.itemOfNode[i];
      const hidden = vg.items[it].kind === 'group' ? 1 : 0;
      const el = this.nodeEls[i];
      if (hidden !== this.nodeHidden[i]) {
        this.nodeHidden[i] = hidden;
        if (hidden) el.setAttribute('display', 'none');
        else el.removeAttribute('display');
      }
      if (!hidden) {
        const at = `${b.x[it]},${b.y[it]}`;
        if (at !== this.nodeAt[i]) {
          this.nodeAt[i] = at;
          el.setAttribute('transform', `translate(${at})`);
        }
      }
    }

    // Edges (and boxes, below) are drawn anew: none is culled yet (the next frame culls them).
    this.edgeCulled = new Uint8Array(0);
    this.boxCulled.clear();
    this.edgesG.selectAll('*').remove();
    this.labelsG.selectAll('*').remove();
    const edgeFrag = document.createDocumentFragment();
    this.edgeEls = [];
    this.labelPoints = [];
    for (const e of vg.edges) {
      const p = edgePath(b, e.from, e.to, e.slot, e.slots);
      const path = svgEl('path', e.edges.length > 1 ? 'edge bundle' : 'edge');
      path.setAttribute('d', p.d);
      path.setAttribute('marker-end', 'url(#arrow)');
      edgeFrag.appendChild(path);
      this.edgeEls.push(path);
      this.labelPoints.push({ x: p.mx, y: p.my });
    }
    (this.edgesG.node() as SVGGElement).appendChild(edgeFrag);
    this.active = [];

    // Boxes of collapsed groups.
    this.boxesG.selectAll('*').remove();
    this.boxEls.clear();
    this.boxSig.clear();
    this.boxStatus.clear();
    const boxFrag = document.createDocumentFragment();
    vg.items.forEach((it, i) => {
      if (it.kind !== 'group') return;
      const el = this.drawBox(vg, it.group, b.x[i], b.y[i], b.w[i], b.h[i]);
      boxFrag.appendChild(el.g);
      this.boxEls.set(it.group, el);
    });
    (this.boxesG.node() as SVGGElement).appendChild(boxFrag);

    // Frames of expanded groups, outermost first (drawn behind the inner ones).
    this.framesG.selectAll('*').remove();
    this.frameHeadsG.selectAll('*').remove();
    const frames = vg.frames.slice(0, MAX_FRAMES);
    const inner = new Map<number, number>();
    for (let f = frames.length - 1; f >= 0; f--) {
      const k = frames[f];
      const p = view.groups[k].parent;
      if (p >= 0) inner.set(p, Math.max(inner.get(p) ?? 0, (inner.get(k) ?? 0) + 1));
    }
    const frameFrag = document.createDocumentFragment();
    const headFrag = document.createDocumentFragment();
    for (const k of frames) {
      const r = groupBounds(vg, b, k);
      if (!r) continue;
      const f = this.drawFrame(vg, b, k, r, inner.get(k) ?? 0);
      frameFrag.appendChild(f.box);
      headFrag.appendChild(f.head);
    }
    (this.framesG.node() as SVGGElement).appendChild(frameFrag);
    (this.frameHeadsG.node() as SVGGElement).appendChild(headFrag);

    this.vg = vg;
    this.boxes = b;
    const mini: MiniNode[] = vg.items.map((it, k) => ({
      x: b.x[k],
      y: b.y[k],
      w: b.w[k],
      h: b.h[k],
      kind: it.kind === 'node' ? view.nodes[it.node].kind : 'group',
    }));
    this.minimap.setGraph(mini, b.width, b.height);
    this.showViewportInMinimap();
    this.svg.classed('layout-pending', false);
    this.svg.attr('data-collapsed', this.collapsed.size);
    if (this.lastFrame) this.applyFrame(this.lastFrame);
    this.drawHits();
    this.scheduleCull();
    if (anchor && !(anchor.whole && this.showWhole()) && anchor.target) {
      const r = this.targetRect(anchor.target);
      if (r) {
        const k = this.transform.k;
        this.svg.call(this.zoomer.transform, zoomIdentity.translate(anchor.sx - r.x * k, anchor.sy - r.y * k).scale(k));
      }
    }
    if (this.pendingFocus !== null) this.initialView(this.pendingFocus);
    const focus = this.focusAfter;
    this.focusAfter = null;
    if (focus && 'group' in focus) {
      const box = this.boxEls.get(focus.group)?.g;
      const head = this.frameHeadsG
        .node()
        ?.querySelector<SVGGElement>(`g.group-frame[data-frame="${focus.group}"] .frame-head`);
      (box ?? head)?.focus();
    }
  }

  private drawBox(vg: VisibleGraph, k: number, x: number, y: number, w: number, h: number): BoxEl {
    const grp = vg.view.groups[k];
    const info = vg.info;
    const g = svgEl('g');
    g.setAttribute('transform', `translate(${x},${y})`);
    g.setAttribute('tabindex', '0');
    g.setAttribute('role', 'button');
    g.setAttribute('aria-expanded', 'false');
    g.setAttribute('data-group', String(k));
    g.setAttribute('class', this.boxClass(k));
    g.setAttribute('aria-label', groupAccessibleName(vg, k, null));
    // A second card behind the first: a stack of nodes.
    const back = svgEl('rect', 'gstack');
    back.setAttribute('x', '5');
    back.setAttribute('y', '-5');
    back.setAttribute('width', String(w));
    back.setAttribute('height', String(h));
    back.setAttribute('rx', '8');
    const rect = svgEl('rect', 'gbox');
    rect.setAttribute('width', String(w));
    rect.setAttribute('height', String(h));
    rect.setAttribute('rx', '8');
    const text = (cls: string, tx: number, ty: number, s: string, anchor?: string) => {
      const t = svgEl('text', cls);
      t.setAttribute('x', String(tx));
      t.setAttribute('y', String(ty));
      if (anchor) t.setAttribute('text-anchor', anchor);
      t.textContent = s;
      return t;
    };
    const ops = info.ops[k];
    const count = ops > 0 ? `${ops} op${ops === 1 ? '' : 's'}` : `${info.size[k]} nodes`;
    const inner = w - 2 * NODE_PAD;
    const head = text('ghead', NODE_PAD, 19, `▸ ${groupHeading(grp)}`);
    const cnt = text('gcount', w - NODE_PAD, 19, count, 'end');
    // The source in 11px monospace (6.6 px a character).
    const src = text('gtext', NODE_PAD, 38, clipText(groupText(grp), Math.floor(inner / 6.8)));
    const progress = text('gprog', NODE_PAD, 57, '');
    const grad = text('ggrad', NODE_PAD, h - 8, '');
    const title = svgEl('title');
    title.textContent = `${grp.label} (${info.size[k]} nodes; click to expand)`;
    g.append(back, rect, head, cnt, src, progress, grad, title);
    g.addEventListener('click', (ev) => {
      ev.stopPropagation();
      this.expand(k);
    });
    g.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        ev.stopPropagation();
        this.expand(k, true);
      }
    });
    return { g, progress, grad };
  }

  /** A frame (behind everything) and its header (`g.group-frame[data-frame] .frame-head`, above the nodes). */
  private drawFrame(
    vg: VisibleGraph,
    b: ItemBoxes,
    k: number,
    r: Rect,
    nested: number,
  ): { box: SVGPathElement; head: SVGGElement } {
    const grp = vg.view.groups[k];
    // Nested frames: each level further out by a header's height, so their headers do not overlap.
    const pad = 8 + (TAB_H + 4) * nested;
    const g = svgEl('g', `group-frame kind-${grp.kind}`);
    g.setAttribute('data-frame', String(k));
    const outline = groupOutline(vg, b, k, pad, TAB_H);
    const x = outline ? outline.x : r.x - pad;
    const y = outline ? outline.y : r.y - pad - TAB_H;
    // The frame follows the group's columns (groupOutline), so it does not seem to hold other lines' nodes.
    const rect = svgEl('path', `frame-box kind-${grp.kind}`);
    rect.setAttribute('data-frame', String(k));
    rect.setAttribute(
      'd',
      outline ? outline.d : `M${x},${y}h${r.w + 2 * pad}v${r.h + 2 * pad + TAB_H}h${-(r.w + 2 * pad)}Z`,
    );
    const head = svgEl('g', 'frame-head');
    head.setAttribute('transform', `translate(${x},${y})`);
    head.setAttribute('tabindex', '0');
    head.setAttribute('role', 'button');
    head.setAttribute('aria-expanded', 'true');
    head.setAttribute('aria-label', `collapse ${groupAccessibleName(vg, k, null)}`);
    const label = `▾ ${groupHeading(grp)}`;
    const tab = svgEl('rect', 'frame-tab');
    tab.setAttribute('width', String(label.length * 6.6 + 14));
    tab.setAttribute('height', String(TAB_H));
    tab.setAttribute('rx', '4');
    const t = svgEl('text', 'frame-label');
    t.setAttribute('x', '7');
    t.setAttribute('y', '13');
    t.textContent = label;
    const title = svgEl('title');
    title.textContent = `${grp.label} (click to collapse)`;
    head.append(tab, t, title);
    head.addEventListener('click', (ev) => {
      ev.stopPropagation();
      this.collapse(k);
    });
    head.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' || ev.key === ' ') {
        ev.preventDefault();
        ev.stopPropagation();
        this.collapse(k, true);
      }
    });
    g.append(head);
    return { box: rect, head: g };
  }

  // ---------------------------------------------------------------- the cursor's line

  /** Marks the nodes made on this line of the script (and the boxes holding them); null clears. */
  highlightLine(line: number | null): void {
    this.hitLine = line;
    for (const i of this.hitNodes) {
      this.nodeHit[i] = 0;
      this.nodeEls[i]?.setAttribute('class', this.nodeClass(i));
    }
    this.hitNodes = line !== null && this.info ? this.info.nodesOfLine(line) : [];
    for (const i of this.hitNodes) {
      this.nodeHit[i] = 1;
      this.nodeEls[i]?.setAttribute('class', this.nodeClass(i));
    }
    this.drawHits();
  }

  /** Halos behind the marked items, and the line-hit class on the boxes holding marked nodes. */
  private drawHits(): void {
    this.hitsG.selectAll('*').remove();
    const vg = this.vg;
    const b = this.boxes;
    const boxes = new Set<number>();
    if (vg && b) {
      const items = new Set<number>();
      for (const i of this.hitNodes) items.add(vg.itemOfNode[i]);
      const frag = document.createDocumentFragment();
      for (const it of items) {
        const item = vg.items[it];
        if (item.kind === 'group') boxes.add(item.group);
        const halo = svgEl('rect', 'hit-halo');
        halo.setAttribute('x', String(b.x[it] - 5));
        halo.setAttribute('y', String(b.y[it] - (item.kind === 'group' ? 10 : 5)));
        halo.setAttribute('width', String(b.w[it] + (item.kind === 'group' ? 15 : 10)));
        halo.setAttribute('height', String(b.h[it] + (item.kind === 'group' ? 15 : 10)));
        halo.setAttribute('rx', '10');
        frag.appendChild(halo);
      }
      (this.hitsG.node() as SVGGElement).appendChild(frag);
    }
    const changed = new Set([...this.hitBoxes, ...boxes]);
    this.hitBoxes = boxes;
    for (const k of changed) this.boxEls.get(k)?.g.setAttribute('class', this.boxClass(k));
  }

  // ---------------------------------------------------------------- a step

  /** Shows a position: only nodes whose status, gradient or fan-out count changed are touched. */
  applyFrame(frame: Frame): void {
    const view = this.view;
    if (!view) return;
    this.lastFrame = frame;
    for (let i = 0; i < this.nodeEls.length; i++) {
      const g = frame.grads[i];
      const s = `${frame.status[i]}|${g ? g.text : ''}|${frame.fan[i] ?? ''}`;
      if (s === this.sig[i]) continue;
      this.sig[i] = s;
      const el = this.nodeEls[i];
      this.nodeStatus[i] = frame.status[i];
      this.nodeGrad[i] = g ? 1 : 0;
      el.setAttribute('class', this.nodeClass(i));
      this.gradEls[i].textContent = clipText(gradLine(g), 18);
      this.fanEls[i].textContent = frame.fan[i] ? `Σ ${frame.fan[i]}` : '';
      el.setAttribute('aria-label', accessibleName(view, frame, i));
      if (frame.status[i] === 'current') el.setAttribute('aria-current', 'step');
      else el.removeAttribute('aria-current');
    }
    const vg = this.vg;
    if (!vg) return;
    this.minimap.setMarked(frame.current >= 0 ? (vg.itemOfNode[frame.current] ?? -1) : -1);
    if (!vg.identity) this.applyBoxes(vg, boxStates(vg, frame));
    for (const e of this.active) {
      this.edgeEls[e]?.setAttribute('class', vg.edges[e]?.edges.length > 1 ? 'edge bundle' : 'edge');
      this.edgeEls[e]?.setAttribute('marker-end', 'url(#arrow)');
    }
    const active: number[] = [];
    const labels = new Map<number, string>();
    for (const e of frame.activeEdges) {
      const ve = vg.edgeOf[e] ?? -1;
      if (ve < 0) continue;
      if (!active.includes(ve)) active.push(ve);
      const text = frame.edgeLabels.get(e);
      if (text !== undefined && !labels.has(ve)) labels.set(ve, text);
    }
    for (const e of active) {
      this.edgeEls[e]?.setAttribute(
        'class',
        `edge active ${frame.phase}${vg.edges[e].edges.length > 1 ? ' bundle' : ''}`,
      );
      this.edgeEls[e]?.setAttribute('marker-end', `url(#arrow-${frame.phase})`);
    }
    this.active = active;
    this.labelsG.selectAll('*').remove();
    for (const [e, text] of labels) {
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

  /** What a computed box shows: its output's value (`y_hat = -4.75`, `= 0.93`), or how many outputs it has. */
  private boxResult(vg: VisibleGraph, k: number): string {
    const outs = vg.info.outputs[k];
    if (outs > 1) return `${outs} outputs`;
    const out = vg.view.nodes[vg.info.output[k]];
    return clipText(`${out.named ? `${out.label} ` : ''}${valueLine(out.value)}`, 30);
  }

  private applyBoxes(vg: VisibleGraph, states: readonly (BoxState | null)[]): void {
    for (const [k, el] of this.boxEls) {
      const st = states[k];
      if (!st) continue;
      const progress =
        st.status === 'pending'
          ? 'not computed yet'
          : st.computed < st.size
            ? `${st.computed} of ${st.size} computed`
            : this.boxResult(vg, k);
      const grad = st.grad ? clipText(gradLine(st.grad), 24) : '';
      const s = `${st.status}|${progress}|${grad}`;
      if (this.boxSig.get(k) === s) continue;
      this.boxSig.set(k, s);
      this.boxStatus.set(k, st.status);
      el.g.setAttribute('class', this.boxClass(k));
      el.progress.textContent = progress;
      el.grad.textContent = grad;
      el.g.setAttribute('aria-label', groupAccessibleName(vg, k, st));
      if (st.status === 'current') el.g.setAttribute('aria-current', 'step');
      else el.g.removeAttribute('aria-current');
    }
  }

  // ---------------------------------------------------------------- zoom and pan

  /** Size of what is drawn (the host's layout, or the grouped one). */
  /** The minimap's frame: the part of the graph the panel shows (graph units). */
  private showViewportInMinimap(): void {
    if (!this.minimap.shown) return;
    const t = this.transform;
    const { cw, ch } = this.size();
    this.minimap.setViewport(-t.x / t.k, -t.y / t.k, (cw - t.x) / t.k, (ch - t.y) / t.k);
  }

  private extent(): { width: number; height: number } {
    const b = this.boxes;
    if (b) return { width: b.width, height: b.height };
    const v = this.view as GraphViewDTO;
    return { width: v.width, height: v.height };
  }

  /** Scales and centres the whole graph in the panel. */
  fit(animate = true): void {
    const view = this.view;
    if (!view) return;
    const { cw, ch } = this.size();
    const { width, height } = this.extent();
    const k = Math.max(0.02, Math.min(1.4, (0.96 * cw) / width, (0.96 * ch) / height));
    this.moveTo(this.centred(k, width / 2, height / 2), animate);
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
    // Not laid out yet (a panel opening in the background, a grouped layout on its way): once it is.
    this.pendingFocus = box.width > 0 && box.height > 0 && this.boxes ? null : focus;
    if (this.pendingFocus !== null) return;
    const { cw, ch } = this.size();
    const { width, height } = this.extent();
    const fitK = Math.min((0.96 * cw) / width, (0.96 * ch) / height);
    const r = focus >= 0 && focus < view.nodes.length ? this.targetRect({ node: focus }) : null;
    if (fitK >= READABLE_SCALE || !r) return this.fit(false);
    this.moveTo(this.centred(READABLE_SCALE, r.x + r.w / 2, r.y + r.h / 2), false);
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
    const { width, height } = this.extent();
    const { cw, ch } = this.size();
    const axis = (c: number, extent: number, port: number) => {
      const size = extent * k;
      if (size <= port) return (port - size) / 2;
      return Math.min(0, Math.max(port - size, port / 2 - c * k));
    };
    return zoomIdentity.translate(axis(cx, width, cw), axis(cy, height, ch)).scale(k);
  }

  /** Pans (at the current zoom) so that a node (or the box it is in) is in view, when it is not. */
  reveal(i: number): void {
    const view = this.view;
    if (!view || i < 0 || i >= view.nodes.length) return;
    const n = this.targetRect({ node: i });
    if (!n) return;
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

  /** Focuses a node, or the box that holds it. */
  focusNode(i: number): void {
    if (this.nodeHidden[i] && this.vg) {
      const it = this.vg.items[this.vg.itemOfNode[i]];
      if (it?.kind === 'group') return this.boxEls.get(it.group)?.g.focus();
    }
    this.nodeEls[i]?.focus();
  }
}
