/**
 * The grouped view of the graph panel, as data: given a view and the set of
 * collapsed groups (GroupDTO), what is drawn and how it looks at a step.
 *   - items: a node, or the box of its outermost collapsed group, in node
 *     order (a box stands at its first node: an edge into a group comes from
 *     an earlier node, so the items stay in topological order and the
 *     layout's "inputs are earlier" rule holds);
 *   - edges between items: an edge inside a box disappears; edges into or
 *     out of a box between the same two items become one, which keeps the
 *     original edges it stands for (edges between two nodes stay one to one);
 *   - the layout input for the page's layout client, and item positions
 *     (the host's layout when nothing is collapsed);
 *   - the expanded groups whose members are visible (drawn as a faint frame
 *     with a header that collapses them);
 *   - the state of each box at a Frame: current if it holds the current
 *     node, operand, pending, done, how many of its nodes are computed,
 *     the gradient of its output.
 * Pure and DOM-free (the page draws it; the unit tests check it).
 */
import type { GraphViewDTO, GroupDTO, ValueDTO } from '../protocol/messages';
import type { Frame, NodeStatus } from './graph-cursor';
import type { LayoutInput, LayoutResult } from './layout';

/** Size of a collapsed group's box (graph units). */
export const GROUP_W = 232;
export const GROUP_H = 82;

export type VisibleItem =
  | { readonly kind: 'node'; readonly node: number; readonly first: number; readonly last: number }
  | { readonly kind: 'group'; readonly group: number; readonly first: number; readonly last: number };

export interface VisibleEdge {
  readonly from: number;
  readonly to: number;
  /** Indices into view.edges it stands for, in order. */
  readonly edges: readonly number[];
  /** Where it enters its target: slot k of `slots` (top to bottom). */
  readonly slot: number;
  readonly slots: number;
}

/** What the groups of a view are, computed once per view. */
export class GroupInfo {
  /** Nodes in each group, and how many of them are ops. */
  readonly size: Int32Array;
  readonly ops: Int32Array;
  /** The node whose value leaves the group (its last node with an edge out, else its last node). */
  readonly output: Int32Array;
  /** Nodes of the group whose value is used outside it (a list comprehension makes several). */
  readonly outputs: Int32Array;
  /** Nesting depth (0 at the top). */
  readonly depth: Int32Array;
  /** Nodes of the group that have a backward step of their own. */
  readonly stepped: Int32Array;
  readonly hasStep: Uint8Array;
  /** Node indices of each source line (for the cursor highlight). */
  private readonly byLine = new Map<number, number[]>();
  private readonly lineCache = new Map<number, readonly number[]>();
  /** Changes when the groups change (to keep collapsed state across a re-run). */
  readonly key: string;

  /**
   * The nodes of a source line: those whose range starts on it, and every
   * node made by a statement on it (leaves and constants have no range of
   * their own), in node order.
   */
  nodesOfLine(line: number): readonly number[] {
    const hit = this.lineCache.get(line);
    if (hit) return hit;
    const set = new Set(this.byLine.get(line) ?? []);
    for (const g of this.view.groups)
      if (g.kind === 'line' && g.range?.line === line) for (let i = g.first; i <= g.last; i++) set.add(i);
    const out = [...set].sort((a, b) => a - b);
    if (this.lineCache.size > 64) this.lineCache.clear();
    this.lineCache.set(line, out);
    return out;
  }

  constructor(readonly view: GraphViewDTO) {
    const groups = view.groups;
    const g = groups.length;
    const n = view.nodes.length;
    this.size = new Int32Array(g);
    this.ops = new Int32Array(g);
    this.output = new Int32Array(g);
    this.outputs = new Int32Array(g);
    this.depth = new Int32Array(g);
    this.stepped = new Int32Array(g);
    this.hasStep = new Uint8Array(n);
    for (const s of view.steps) this.hasStep[s.node] = 1;
    const opPrefix = new Int32Array(n + 1);
    const stepPrefix = new Int32Array(n + 1);
    for (let i = 0; i < n; i++) {
      opPrefix[i + 1] = opPrefix[i] + (view.nodes[i].kind === 'op' ? 1 : 0);
      stepPrefix[i + 1] = stepPrefix[i] + this.hasStep[i];
      const r = view.nodes[i].range;
      if (r) {
        const list = this.byLine.get(r.line);
        if (list) list.push(i);
        else this.byLine.set(r.line, [i]);
      }
    }
    // Last node of each group with an edge leaving the group.
    this.output.fill(-1);
    const lastOut = new Int32Array(n).fill(-1);
    for (const e of view.edges) if (e.to > lastOut[e.from]) lastOut[e.from] = e.to;
    let key = `${g}`;
    groups.forEach((gr, k) => {
      this.size[k] = gr.last - gr.first + 1;
      this.ops[k] = opPrefix[gr.last + 1] - opPrefix[gr.first];
      this.stepped[k] = stepPrefix[gr.last + 1] - stepPrefix[gr.first];
      this.depth[k] = gr.parent >= 0 ? this.depth[gr.parent] + 1 : 0;
      let out = -1;
      let outs = 0;
      for (let i = gr.last; i >= gr.first; i--)
        if (lastOut[i] > gr.last || i === view.root) {
          if (out < 0) out = i;
          outs++;
        }
      this.output[k] = out >= 0 ? out : gr.last;
      this.outputs[k] = outs;
      key += `|${gr.parent},${gr.first},${gr.last}`;
    });
    this.key = key;
  }
}

export interface VisibleGraph {
  readonly view: GraphViewDTO;
  readonly info: GroupInfo;
  /** No group collapsed: items are the nodes, edges are view.edges one to one. */
  readonly identity: boolean;
  readonly items: readonly VisibleItem[];
  /** Item that shows node i. */
  readonly itemOfNode: Int32Array;
  /** Item of group k's box, -1 when the group is not drawn as a box. */
  readonly itemOfGroup: Int32Array;
  /** Groups drawn as a frame: expanded, with no collapsed group around them. */
  readonly frames: readonly number[];
  readonly edges: readonly VisibleEdge[];
  /** Visible edge that stands for view edge e, -1 when e is inside a box. */
  readonly edgeOf: Int32Array;
}

/** Groups whose box is drawn: collapsed, and not inside another collapsed group. */
function outermostCollapsed(groups: readonly GroupDTO[], collapsed: ReadonlySet<number>): Int8Array {
  // 0: shown expanded, 1: a box, 2: inside a box.
  const state = new Int8Array(groups.length);
  groups.forEach((g, k) => {
    const p = g.parent >= 0 ? state[g.parent] : 0;
    state[k] = p !== 0 ? 2 : collapsed.has(k) ? 1 : 0;
  });
  return state;
}

export function visibleGraph(view: GraphViewDTO, collapsed: ReadonlySet<number>, info?: GroupInfo): VisibleGraph {
  const gi = info ?? new GroupInfo(view);
  const n = view.nodes.length;
  const groups = view.groups;
  const state = outermostCollapsed(groups, collapsed);
  const owner = new Int32Array(n).fill(-1);
  for (let k = 0; k < groups.length; k++)
    if (state[k] === 1) for (let i = groups[k].first; i <= groups[k].last; i++) owner[i] = k;
  const frames: number[] = [];
  for (let k = 0; k < groups.length; k++) if (state[k] === 0) frames.push(k);

  const items: VisibleItem[] = [];
  const itemOfNode = new Int32Array(n);
  const itemOfGroup = new Int32Array(groups.length).fill(-1);
  for (let i = 0; i < n;) {
    const k = owner[i];
    if (k < 0) {
      itemOfNode[i] = items.length;
      items.push({ kind: 'node', node: i, first: i, last: i });
      i++;
      continue;
    }
    const g = groups[k];
    itemOfGroup[k] = items.length;
    for (let j = g.first; j <= g.last; j++) itemOfNode[j] = items.length;
    items.push({ kind: 'group', group: k, first: g.first, last: g.last });
    i = g.last + 1;
  }
  const identity = items.length === n;

  // Edges between items: one per (from, to) when a box is at either end; node to node one to one.
  const edgeOf = new Int32Array(view.edges.length).fill(-1);
  const raw: { from: number; to: number; edges: number[]; pos: number }[] = [];
  const byPair = new Map<number, number>();
  const m = items.length;
  view.edges.forEach((e, k) => {
    const a = itemOfNode[e.from];
    const b = itemOfNode[e.to];
    if (a === b) return;
    const boxed = items[a].kind === 'group' || items[b].kind === 'group';
    if (boxed) {
      const pair = a * m + b;
      const at = byPair.get(pair);
      if (at !== undefined) {
        raw[at].edges.push(k);
        raw[at].pos = Math.min(raw[at].pos, items[b].kind === 'node' ? e.position : e.to);
        edgeOf[k] = at;
        return;
      }
      byPair.set(pair, raw.length);
    }
    edgeOf[k] = raw.length;
    // Into a node: its input position; into a box: the node that takes it (earlier nodes higher up).
    raw.push({ from: a, to: b, edges: [k], pos: items[b].kind === 'node' ? e.position : e.to });
  });
  // Slots: the order the edges enter their target, by position, then by source.
  const into: number[][] = Array.from({ length: m }, () => []);
  raw.forEach((r, k) => into[r.to].push(k));
  const slot = new Int32Array(raw.length);
  const slots = new Int32Array(raw.length);
  for (const list of into) {
    list.sort((x, y) => raw[x].pos - raw[y].pos || raw[x].from - raw[y].from || x - y);
    list.forEach((k, s) => {
      slot[k] = s;
      slots[k] = list.length;
    });
  }
  const edges: VisibleEdge[] = raw.map((r, k) => ({
    from: r.from,
    to: r.to,
    edges: r.edges,
    slot: slot[k],
    slots: slots[k],
  }));
  return { view, info: gi, identity, items, itemOfNode, itemOfGroup, frames, edges, edgeOf };
}

/** The layout client's input: items in order, each with its input items in slot order. */
export function visibleLayoutInput(vg: VisibleGraph): LayoutInput {
  const inputs: number[][] = vg.items.map(() => []);
  const bySlot: { from: number; slot: number }[][] = vg.items.map(() => []);
  for (const e of vg.edges) bySlot[e.to].push({ from: e.from, slot: e.slot });
  bySlot.forEach((list, i) => {
    list.sort((a, b) => a.slot - b.slot);
    for (const x of list) inputs[i].push(x.from);
  });
  const sizes = vg.items.map((it) =>
    it.kind === 'node' ? { w: vg.view.nodes[it.node].w, h: vg.view.nodes[it.node].h } : { w: GROUP_W, h: GROUP_H },
  );
  return { inputs, sizes };
}

/** Where each item is drawn: top-left corner and size, and the size of the whole picture. */
export interface ItemBoxes {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly w: Float64Array;
  readonly h: Float64Array;
  readonly width: number;
  readonly height: number;
}

/** Item boxes from the host's layout (nothing collapsed) or from a layout of visibleLayoutInput. */
export function itemBoxes(vg: VisibleGraph, lay: LayoutResult | null): ItemBoxes {
  const m = vg.items.length;
  const x = new Float64Array(m);
  const y = new Float64Array(m);
  const w = new Float64Array(m);
  const h = new Float64Array(m);
  vg.items.forEach((it, i) => {
    const node = it.kind === 'node' ? vg.view.nodes[it.node] : null;
    w[i] = node ? node.w : GROUP_W;
    h[i] = node ? node.h : GROUP_H;
    if (lay) {
      x[i] = lay.x[i];
      y[i] = lay.y[i];
    } else if (node) {
      x[i] = node.x;
      y[i] = node.y;
    }
  });
  return lay
    ? { x, y, w, h, width: lay.width, height: lay.height }
    : { x, y, w, h, width: vg.view.width, height: vg.view.height };
}

/** The visible items of a group: indices lo … end-1 (items are in node order, so they are contiguous). */
function itemsOfGroup(vg: VisibleGraph, group: number): [number, number] {
  const g = vg.view.groups[group];
  const items = vg.items;
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (items[mid].last < g.first) lo = mid + 1;
    else hi = mid;
  }
  let end = lo;
  while (end < items.length && items[end].first <= g.last) end++;
  return [lo, end];
}

/** The smallest rectangle around the visible items of a group (its frame), or null when none is visible. */
export function groupBounds(
  vg: VisibleGraph,
  boxes: ItemBoxes,
  group: number,
): { x: number; y: number; w: number; h: number } | null {
  const [lo, end] = itemsOfGroup(vg, group);
  let x0 = Infinity;
  let y0 = Infinity;
  let x1 = -Infinity;
  let y1 = -Infinity;
  for (let i = lo; i < end; i++) {
    x0 = Math.min(x0, boxes.x[i]);
    y0 = Math.min(y0, boxes.y[i]);
    x1 = Math.max(x1, boxes.x[i] + boxes.w[i]);
    y1 = Math.max(y1, boxes.y[i] + boxes.h[i]);
  }
  return x0 <= x1 ? { x: x0, y: y0, w: x1 - x0, h: y1 - y0 } : null;
}

/**
 * The outline of a group's frame as an SVG path: per column of the layered
 * layout, the span of the group's visible items there, padded, joined left to
 * right into one staircase shape. A plain bounding box would also enclose
 * nodes of other lines that the layout put between the group's columns (in
 * the course exercise, the parameters of lines 11–13 sit inside the box of
 * line 14); a column-wise outline holds only the group's own nodes unless
 * another node shares a column with them, between two of them. `top` is
 * extra room above each column (the header tab, placed at `x`, `y`: the first
 * column's top-left corner). Null when nothing is visible.
 */
export function groupOutline(
  vg: VisibleGraph,
  boxes: ItemBoxes,
  group: number,
  pad: number,
  top: number,
): { d: string; x: number; y: number } | null {
  const [lo, end] = itemsOfGroup(vg, group);
  const members: number[] = [];
  for (let i = lo; i < end; i++) members.push(i);
  if (members.length === 0) return null;
  members.sort((a, b) => boxes.x[a] - boxes.x[b] || a - b);
  // Columns: items whose x-extents overlap.
  const cols: { x0: number; x1: number; y0: number; y1: number }[] = [];
  for (const i of members) {
    const x0 = boxes.x[i];
    const x1 = x0 + boxes.w[i];
    const c = cols[cols.length - 1];
    if (c && x0 < c.x1) {
      c.x1 = Math.max(c.x1, x1);
      c.y0 = Math.min(c.y0, boxes.y[i]);
      c.y1 = Math.max(c.y1, boxes.y[i] + boxes.h[i]);
    } else cols.push({ x0, x1, y0: boxes.y[i], y1: boxes.y[i] + boxes.h[i] });
  }
  for (const c of cols) {
    c.x0 -= pad;
    c.x1 += pad;
    c.y0 -= pad + top;
    c.y1 += pad;
  }
  // Each column reaches the next one, so the shape is one piece.
  for (let k = 0; k + 1 < cols.length; k++) cols[k].x1 = cols[k + 1].x0;
  const f = (v: number) => String(Math.round(v * 10) / 10);
  let d = `M${f(cols[0].x0)},${f(cols[0].y0)}`;
  for (let k = 0; k < cols.length; k++) {
    d += `H${f(cols[k].x1)}`;
    if (k + 1 < cols.length) d += `V${f(cols[k + 1].y0)}`;
  }
  d += `V${f(cols[cols.length - 1].y1)}`;
  for (let k = cols.length - 1; k >= 0; k--) {
    d += `H${f(cols[k].x0)}`;
    if (k > 0) d += `V${f(cols[k - 1].y1)}`;
  }
  return { d: `${d}Z`, x: cols[0].x0, y: cols[0].y0 };
}

// ---------------------------------------------------------------- a box at a step

export interface BoxState {
  readonly status: NodeStatus;
  /** Nodes of the group computed at this position. */
  readonly computed: number;
  readonly size: number;
  /** ∂L/∂(the group's output) when it has landed, else null (also when the group has several outputs). */
  readonly grad: ValueDTO | null;
}

/** Aggregated state of every box (indexed by group; null for groups not drawn as a box). O(nodes). */
export function boxStates(vg: VisibleGraph, frame: Frame): (BoxState | null)[] {
  const groups = vg.view.groups;
  const out: (BoxState | null)[] = new Array(groups.length).fill(null);
  if (vg.identity) return out;
  for (let k = 0; k < groups.length; k++) {
    if (vg.itemOfGroup[k] < 0) continue;
    const g = groups[k];
    let current = false;
    let operand = false;
    let computed = 0;
    let done = 0;
    for (let i = g.first; i <= g.last; i++) {
      const s = frame.status[i];
      if (s === 'current') current = true;
      else if (s === 'operand') operand = true;
      if (s !== 'pending') computed++;
      if (s === 'done' && vg.info.hasStep[i]) done++;
    }
    const size = g.last - g.first + 1;
    const stepped = vg.info.stepped[k];
    const status: NodeStatus = current
      ? 'current'
      : operand
        ? 'operand'
        : computed === 0
          ? 'pending'
          : frame.phase === 'backward' && stepped > 0 && done === stepped
            ? 'done'
            : 'computed';
    const grad = vg.info.outputs[k] <= 1 ? (frame.grads[vg.info.output[k]] ?? null) : null;
    out[k] = { status, computed, size, grad };
  }
  return out;
}

/** The header of a box or frame: `line 14`, `call · line 20`. */
export function groupHeading(g: GroupDTO): string {
  if (g.kind === 'line') return g.range ? `line ${g.range.line}` : 'line';
  return g.range ? `call · line ${g.range.line}` : 'call';
}

/** The source part of a group's label (`y_hat = x**2 * w2 + …`, `f(x)`). */
export function groupText(g: GroupDTO): string {
  const m = g.kind === 'line' ? /^line \d+: (.*)$/s.exec(g.label) : /^(.*) · call at line \d+$/s.exec(g.label);
  return m ? m[1] : g.label;
}

/** Words for a screen reader: `group line 14: y_hat = …, 7 nodes, collapsed`. */
export function groupAccessibleName(vg: VisibleGraph, k: number, state: BoxState | null): string {
  const g = vg.view.groups[k];
  const size = vg.info.size[k];
  const collapsed = vg.itemOfGroup[k] >= 0;
  let s = `group ${g.label}, ${size} nodes, ${collapsed ? 'collapsed' : 'expanded'}`;
  if (state) {
    if (state.status === 'current') s += ', holds the current node';
    else if (state.status === 'pending') s += ', not computed yet';
    else if (state.computed < state.size) s += `, ${state.computed} of ${state.size} computed`;
    if (state.grad) s += `, gradient ${state.grad.text}`;
  }
  return s;
}
