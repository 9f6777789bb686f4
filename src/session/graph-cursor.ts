/**
 * The step cursor of the graph panel: what a position in the walk-through
 * shows. Positions run 0 … forward.length + steps.length:
 *   0                    nothing computed yet;
 *   p ≤ F (F = forward)  the first p nodes of the forward pass computed,
 *                        node forward[p-1] current, its inputs its operands;
 *   F + k + 1            backward step k current: its node highlighted, the
 *                        edge to each input carrying the local gradient,
 *                        every gradient landed so far shown, fan-out counts.
 * Pure and DOM-free: the page calls it on each step and updates only the
 * nodes whose state changed; the unit tests call it to check what each step
 * highlights.
 */
import type { GraphViewDTO, InputStepDTO, StepDTO, ForwardDTO, ValueDTO } from '../protocol/messages';

export type Phase = 'forward' | 'backward';

/** How one node looks at a position. */
export type NodeStatus =
  /** Not computed yet (forward phase). */
  | 'pending'
  /** Computed, nothing special. */
  | 'computed'
  /** The node of the current forward step or backward step. */
  | 'current'
  /** Forward: an input of the current node. Backward: receives a contribution in this step. */
  | 'operand'
  /** Backward: its step has run (its gradient has gone to its inputs). */
  | 'done';

export interface Frame {
  readonly position: number;
  readonly last: number;
  readonly phase: Phase;
  /** Node index of the current node, -1 at position 0. */
  readonly current: number;
  readonly status: readonly NodeStatus[];
  /** ∂L/∂node accumulated so far (backward), else null. */
  readonly grads: readonly (ValueDTO | null)[];
  /** Fan-out progress of a node that receives more than one contribution: `2/3`, else null. */
  readonly fan: readonly (string | null)[];
  /** Edges highlighted (forward: into the current node; backward: to the inputs of the current step). */
  readonly activeEdges: readonly number[];
  /** Backward: the local gradient carried by each active edge. */
  readonly edgeLabels: ReadonlyMap<number, string>;
  readonly forward: ForwardDTO | null;
  readonly step: StepDTO | null;
}

/** Precomputed per view: which position computes each node, and the edges into each node. */
export class ViewIndex {
  /** Forward position (1-based) at which node i is computed. */
  readonly computedAt: Int32Array;
  readonly inEdges: number[][];
  /** Step index at which node i's own backward step runs, -1 when none. */
  readonly stepOf: Int32Array;

  constructor(readonly view: GraphViewDTO) {
    const n = view.nodes.length;
    this.computedAt = new Int32Array(n).fill(0x7fffffff);
    view.forward.forEach((f, k) => (this.computedAt[f.node] = k + 1));
    this.inEdges = Array.from({ length: n }, () => []);
    view.edges.forEach((e, k) => this.inEdges[e.to].push(k));
    this.stepOf = new Int32Array(n).fill(-1);
    view.steps.forEach((s, k) => (this.stepOf[s.node] = k));
  }

  get last(): number {
    return this.view.forward.length + this.view.steps.length;
  }

  /** The position where the backward pass starts (every forward node computed). */
  get forwardEnd(): number {
    return this.view.forward.length;
  }

  clamp(p: number): number {
    return Math.max(0, Math.min(this.last, Math.trunc(p)));
  }
}

/** The right-hand side of a derivative rule (`∂(a·b)/∂a = b` → `b`). */
function ruleRhs(text: string): string {
  const i = text.lastIndexOf(' = ');
  return i >= 0 ? text.slice(i + 3) : text;
}

/** What an edge of the current backward step carries: the local gradient's value, or its rule. */
export function edgeLabel(inp: InputStepDTO): string {
  return inp.local !== null && inp.local.scalar !== undefined
    ? `∂ ${inp.local.text}`
    : `∂ ${ruleRhs(inp.derivative.text)}`;
}

export function frameAt(index: ViewIndex, position: number): Frame {
  const view = index.view;
  const n = view.nodes.length;
  const p = index.clamp(position);
  const F = view.forward.length;
  const status: NodeStatus[] = new Array(n);
  const grads: (ValueDTO | null)[] = new Array(n).fill(null);
  const fan: (string | null)[] = new Array(n).fill(null);
  const activeEdges: number[] = [];
  const edgeLabels = new Map<number, string>();
  if (p <= F) {
    for (let i = 0; i < n; i++) status[i] = index.computedAt[i] <= p ? 'computed' : 'pending';
    const fwd = p > 0 ? view.forward[p - 1] : null;
    const current = fwd ? fwd.node : -1;
    if (current >= 0) {
      status[current] = 'current';
      for (const e of index.inEdges[current]) {
        activeEdges.push(e);
        status[view.edges[e].from] = 'operand';
      }
    }
    return {
      position: p,
      last: index.last,
      phase: 'forward',
      current,
      status,
      grads,
      fan,
      activeEdges,
      edgeLabels,
      forward: fwd,
      step: null,
    };
  }
  const k = p - F - 1;
  status.fill('computed');
  const received = new Int32Array(n);
  for (let s = 0; s <= k; s++) {
    const step = view.steps[s];
    if (s === 0) grads[step.node] = step.upstream;
    if (s < k) status[step.node] = 'done';
    for (const inp of step.inputs) {
      grads[inp.input] = inp.after;
      received[inp.input]++;
      if (inp.fanOut.n > 1) fan[inp.input] = `${received[inp.input]}/${inp.fanOut.n}`;
    }
  }
  const step = view.steps[k];
  status[step.node] = 'current';
  for (const inp of step.inputs) {
    if (inp.input !== step.node) status[inp.input] = 'operand';
    activeEdges.push(inp.edge);
    edgeLabels.set(inp.edge, edgeLabel(inp));
  }
  return {
    position: p,
    last: index.last,
    phase: 'backward',
    current: step.node,
    status,
    grads,
    fan,
    activeEdges,
    edgeLabels,
    forward: null,
    step,
  };
}

/** Words for a screen reader: `multiply node x * w1, value 1.0, gradient -15.5`. */
export function accessibleName(view: GraphViewDTO, frame: Frame | null, i: number): string {
  const node = view.nodes[i];
  const what = node.kind === 'op' ? `${node.title} node` : node.title;
  const label = node.label && node.label !== node.value.text ? ` ${node.label}` : '';
  const pending = frame !== null && frame.status[i] === 'pending';
  const value = pending ? 'not computed yet' : `value ${node.value.text}`;
  const g = frame?.grads[i];
  const grad = g ? `, gradient ${g.text}` : '';
  const fan = frame?.fan[i] ? ` (${frame.fan[i]} contributions)` : '';
  return `${what}${label}, ${value}${grad}${fan}`;
}
