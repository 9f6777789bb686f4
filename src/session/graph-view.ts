/**
 * The graph panel's view model, built on the host from one run of a script
 * (vscode-free; the panel posts it to the page as it is):
 *   - the graph of one backward() call (the last by default), or the graph
 *     built so far when the script made none: nodes (parameters, inputs and
 *     constants, ops) with their values, gradients, labels and source
 *     ranges; edges input → consumer in input order;
 *   - the forward order (creation order) with a formula per node;
 *   - the backward steps, each input with its local gradient, contribution,
 *     before/after and the chain-rule line in text and LaTeX with the
 *     numbers plugged in; fan-out running sums;
 *   - the layout (src/session/layout.ts).
 * It never computes a gradient: every number comes from the step records
 * of the core's backward pass.
 */
import * as c from '../core';
import type { Tensor } from '../core';
import type { Range } from '../lang/ast';
import { float32Repr, pyFloatRepr } from '../lang/pyfloat';
import { runScript, RunOptions, RunResult } from '../lang/run';
import { nodeHeight, NODE_W } from '../protocol/geometry';
import {
  CallDTO,
  DTypeName,
  EdgeDTO,
  encodeNum,
  FormulaDTO,
  ForwardDTO,
  GraphViewDTO,
  HEAT_CELLS,
  InputStepDTO,
  NodeDTO,
  NodeKind,
  RangeDTO,
  StepDTO,
  ValueDTO,
} from '../protocol/messages';
import { buildGroups, GroupRecorder, groupedByDefault } from './graph-groups';
import { isDrillable } from './drill-down';
import { layoutGraph } from './layout';
import { texExpr, texName, texNumber, texText } from './tex';

/** Nodes a view shows at most (the nearest to the loss are kept). */
export const DEFAULT_MAX_VIEW_NODES = 5000;
/** Leaf values kept per backward call, for leaves the script changes later (gradient descent). */
const SNAPSHOT_BUDGET = 200_000;

/** A run for the panel, with the values of each call's leaves as they were at its backward(). */
export interface PanelRun {
  readonly source: string;
  readonly run: RunResult;
  /** Per backward call: leaf id → its value at the call (older calls dropped past a budget). */
  readonly leafValues: ReadonlyMap<number, ReadonlyMap<number, ValueDTO>>;
  /** Tensor-id intervals of each statement execution and user-function call (src/session/graph-groups.ts). */
  readonly groups?: GroupRecorder;
}

export interface ViewOptions {
  /** Which backward call (default: the last). */
  readonly call?: number;
  readonly title?: string;
  readonly maxNodes?: number;
  /** Labels chosen by the caller, in place of variable names and source text (the drill-down's `W[0,1]·x[1]`). */
  readonly names?: ReadonlyMap<Tensor, NodeName>;
  /** The root is the loss, `L` in the chain-rule lines (default); false: it goes by its own label. */
  readonly rootIsLoss?: boolean;
}

/** A node's label given by the caller: the text, its LaTeX, whether it names a variable, whether it reads as one operand. */
export interface NodeName {
  readonly label: string;
  readonly tex: string;
  readonly named: boolean;
  readonly atomic: boolean;
}

// ---------------------------------------------------------------- values

function dtypeOf(t: Tensor): DTypeName {
  return t.meta?.logical ?? t.dtype;
}

/** A number as Python prints it: `-31.0`, `0.1` for a float32 0.1, `nan`, `inf`, `3`, `True`. */
export function formatNumber(x: number, dtype: DTypeName): string {
  switch (dtype) {
    case 'bool':
      return x !== 0 ? 'True' : 'False';
    case 'int64':
      return Number.isFinite(x) ? String(Math.trunc(x)) : pyFloatRepr(x);
    case 'float32':
      return float32Repr(x);
    default:
      return pyFloatRepr(x);
  }
}

/** How a tensor's shape reads: `scalar`, `vector of 3`, `2×3 matrix`, `2×3×4 tensor`. */
export function shapeText(shape: readonly number[]): string {
  if (shape.length === 0) return 'scalar';
  if (shape.length === 1) return `vector of ${shape[0]}`;
  return `${shape.join('×')} ${shape.length === 2 ? 'matrix' : 'tensor'}`;
}

/** What a node shows of a tensor. */
export function summarize(t: Tensor): ValueDTO {
  const dtype = dtypeOf(t);
  const shape = [...t.shape];
  if (t.size === 1) {
    const x = t.at(0);
    const text = formatNumber(x, dtype);
    const v: ValueDTO = { dtype, shape, text, scalar: encodeNum(x) };
    return Number.isFinite(x) ? { ...v, min: x, max: x } : v;
  }
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < t.size; i++) {
    const x = t.at(i);
    if (Number.isFinite(x)) {
      if (x < min) min = x;
      if (x > max) max = x;
    }
  }
  const out: { -readonly [K in keyof ValueDTO]: ValueDTO[K] } = { dtype, shape, text: shapeText(shape) };
  if (t.size <= HEAT_CELLS) out.cells = t.values().map(encodeNum);
  if (min <= max) {
    out.min = min;
    out.max = max;
  }
  return out;
}

// ---------------------------------------------------------------- running

function reachable(roots: readonly Tensor[]): Tensor[] {
  const seen = new Set<Tensor>();
  const out: Tensor[] = [];
  const stack = [...roots];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (seen.has(t)) continue;
    seen.add(t);
    out.push(t);
    for (const x of c.inputsOf(t)) if (!seen.has(x)) stack.push(x);
  }
  return out;
}

/**
 * Runs a script for the panel: every backward() recorded, and the values of
 * the leaves of each call's graph kept as they were at that call (a training
 * loop changes its parameters in place right after backward()).
 */
export function runForPanel(source: string, opts: Pick<RunOptions, 'limits'> = {}): PanelRun {
  const leafValues = new Map<number, Map<number, ValueDTO>>();
  let kept = 0;
  const groups = new GroupRecorder();
  const run = runScript(source, {
    ...opts,
    recordBackward: true,
    prepare: (interp) => {
      groups.attach(interp);
      let seen = 0;
      const prev = interp.hooks;
      interp.hooks = {
        ...prev,
        afterStatement(stmt, depth, scope) {
          prev.afterStatement?.(stmt, depth, scope);
          while (seen < interp.backwardCalls.length) {
            const call = interp.backwardCalls[seen];
            const values = new Map<number, ValueDTO>();
            for (const t of reachable([call.root])) if (t.op === null) values.set(t.id, summarize(t));
            leafValues.set(seen++, values);
            kept += values.size;
            // Oldest calls first out (Map keeps insertion order); the last call always stays.
            for (const [k, v] of leafValues) {
              if (kept <= SNAPSHOT_BUDGET || leafValues.size <= 1) break;
              kept -= v.size;
              leafValues.delete(k);
            }
          }
        },
      };
    },
  });
  groups.finish();
  return { source, run, leafValues, groups };
}

// ---------------------------------------------------------------- labels and words

const OP_TITLES: Record<string, string> = {
  add: 'add',
  sub: 'subtract',
  rsub: 'subtract',
  mul: 'multiply',
  div: 'divide',
  neg: 'negate',
  reciprocal: 'reciprocal',
  pow: 'power',
  pow_tensor: 'power',
  exp: 'exponential',
  log: 'logarithm',
  sqrt: 'square root',
  abs: 'absolute value',
  relu: 'ReLU',
  matmul: 'matrix multiply',
  permute: 'transpose',
  select: 'index',
  cat: 'concatenate',
  log_softmax: 'log-softmax',
  mse_loss: 'MSE loss',
  nll_loss: 'NLL loss',
  binary_cross_entropy: 'binary cross-entropy',
};

export function opTitle(name: string): string {
  return OP_TITLES[name] ?? name.replace(/_/g, ' ');
}

function sourceText(lines: readonly string[], r: Range): string {
  if (r.line < 1 || r.line > lines.length) return '';
  if (r.line === r.endLine) return (lines[r.line - 1] ?? '').slice(r.col, r.endCol);
  const parts = [(lines[r.line - 1] ?? '').slice(r.col)];
  for (let l = r.line + 1; l < r.endLine && l <= lines.length; l++) parts.push(lines[l - 1]);
  parts.push((lines[r.endLine - 1] ?? '').slice(0, r.endCol));
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

const MAX_LABEL = 60;

function clip(s: string, max = MAX_LABEL): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** Does a label read as one operand (no parentheses needed around it)? */
function isAtomic(label: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_.]*$/u.test(label) || /^-?\d+(\.\d+)?(e[+-]\d+)?$/.test(label);
}

function range(r: Range): RangeDTO {
  return { line: r.line, col: r.col, endLine: r.endLine, endCol: r.endCol };
}

// ---------------------------------------------------------------- formulas

function cellNumbers(v: ValueDTO): number[] {
  return (v.cells ?? []).map((x) =>
    typeof x === 'number' ? x : x === 'NaN' ? NaN : x === 'Infinity' ? Infinity : -Infinity,
  );
}

/** A value in a formula's text: the number, the elements of a small tensor as Python prints a list, else its shape. */
function num(v: ValueDTO): string {
  if (v.scalar !== undefined || v.cells === undefined || v.cells.length > 16 || v.shape.length > 2) return v.text;
  const xs = cellNumbers(v).map((x) => formatNumber(x, v.dtype));
  if (v.shape.length === 1) return `[${xs.join(', ')}]`;
  const cols = v.shape[1];
  const rows: string[] = [];
  for (let r = 0; r * cols < xs.length; r++) rows.push(`[${xs.slice(r * cols, (r + 1) * cols).join(', ')}]`);
  return `[${rows.join(', ')}]`;
}

function texVal(v: ValueDTO): string {
  if (v.scalar !== undefined) return texNumber(v.text);
  if (v.cells !== undefined && v.cells.length <= 16 && v.shape.length <= 2) {
    const cols = v.shape.length === 2 ? v.shape[1] : v.cells.length;
    const rows: string[] = [];
    const xs = cellNumbers(v);
    for (let r = 0; r * cols < xs.length; r++)
      rows.push(
        xs
          .slice(r * cols, (r + 1) * cols)
          .map((x) => texNumber(formatNumber(x, v.dtype)))
          .join(' & '),
      );
    return `\\begin{bmatrix}${rows.join(' \\\\ ')}\\end{bmatrix}`;
  }
  return texText(v.text);
}

/** `(-15.5)` for numbers in a product; matrices and words as they are. */
function factorTex(v: ValueDTO): string {
  return v.scalar !== undefined ? `(${texVal(v)})` : texVal(v);
}

function factorText(v: ValueDTO): string {
  return v.scalar !== undefined ? `(${num(v)})` : num(v);
}

interface Named {
  readonly text: string;
  readonly tex: string;
}

function partial(of: Named, wrt: Named): FormulaDTO {
  return { text: `∂${of.text}/∂${wrt.text}`, latex: `\\frac{\\partial ${of.tex}}{\\partial ${wrt.tex}}` };
}

const LOSS: Named = { text: 'L', tex: 'L' };

function chainRule(
  node: Named,
  input: Named,
  upstream: ValueDTO,
  inp: c.InputStep,
  local: ValueDTO | null,
  contribution: ValueDTO,
): FormulaDTO {
  const lhs = partial(LOSS, input);
  const up = partial(LOSS, node);
  const loc = partial(node, input);
  const headText = `${lhs.text} += ${up.text} · ${loc.text}`;
  const headTex = `${lhs.latex} \\mathrel{+}= ${up.latex}\\cdot${loc.latex}`;
  const elementwise =
    local !== null &&
    local.shape.join() === contribution.shape.join() &&
    upstream.shape.join() === contribution.shape.join();
  if (
    local !== null &&
    (local.scalar !== undefined || (elementwise && upstream.cells && local.cells && contribution.cells))
  ) {
    const op = local.scalar !== undefined && upstream.scalar !== undefined ? '·' : '⊙';
    return {
      text: `${headText} = ${factorText(upstream)}${op}${factorText(local)} = ${num(contribution)}`,
      latex: `${headTex} = ${factorTex(upstream)}${op === '·' ? '\\cdot' : '\\odot'}${factorTex(local)} = ${texVal(contribution)}`,
    };
  }
  return {
    text: `${headText} = ${num(contribution)}   [${inp.derivative.text}]`,
    latex: `${headTex} = ${texVal(contribution)} \\qquad ${inp.derivative.latex}`,
  };
}

function fanOutFormula(
  input: Named,
  before: ValueDTO | null,
  contribution: ValueDTO,
  after: ValueDTO,
  k: number,
  n: number,
): FormulaDTO {
  const lhs = partial(LOSS, input);
  const which = `contribution ${k} of ${n}`;
  if (before === null)
    return {
      text: `${lhs.text} so far: ${num(after)} (${which})`,
      latex: `${lhs.latex} = ${texVal(after)} \\quad \\text{(${which})}`,
    };
  return {
    text: `${lhs.text} so far: ${num(before)} + ${factorText(contribution)} = ${num(after)} (${which})`,
    latex: `${lhs.latex} = ${factorTex(before)} + ${factorTex(contribution)} = ${texVal(after)} \\quad \\text{(${which})}`,
  };
}

const INFIX: Record<string, { text: string; tex: string }> = {
  add: { text: ' + ', tex: ' + ' },
  sub: { text: ' - ', tex: ' - ' },
  mul: { text: '·', tex: '\\cdot' },
  div: { text: ' / ', tex: ' / ' },
};

const UNARY_TEX: Record<string, string> = {
  exp: '\\exp',
  log: '\\ln',
  sin: '\\sin',
  cos: '\\cos',
  tanh: '\\tanh',
  sigmoid: '\\sigma',
  relu: '\\operatorname{relu}',
  abs: '\\operatorname{abs}',
  sqrt: '\\operatorname{sqrt}',
  neg: '-',
};

function forwardFormula(lhs: Named, t: Tensor, value: ValueDTO, inputs: readonly { v: ValueDTO }[]): FormulaDTO {
  const plain: FormulaDTO = { text: `${lhs.text} = ${num(value)}`, latex: `${lhs.tex} = ${texVal(value)}` };
  const op = t.op;
  if (op === null || value.scalar === undefined || inputs.some((x) => x.v.scalar === undefined)) return plain;
  const a = inputs[0]?.v;
  const b = inputs[1]?.v;
  let text: string | null = null;
  let tex: string | null = null;
  if (INFIX[op.name] && a && b) {
    text = `${factorText(a)}${INFIX[op.name].text}${factorText(b)}`;
    tex = `${factorTex(a)}${INFIX[op.name].tex}${factorTex(b)}`;
  } else if (op.name === 'pow' && a) {
    const p = formatNumber(t.attrs as number, 'float64').replace(/\.0$/, '');
    text = `${factorText(a)}**${p}`;
    tex = `${factorTex(a)}^{${texNumber(p)}}`;
  } else if (UNARY_TEX[op.name] && a && inputs.length === 1) {
    text = `${op.name === 'neg' ? '-' : op.name}(${num(a)})`;
    tex = `${UNARY_TEX[op.name]}${factorTex(a)}`;
  }
  if (text === null || tex === null) return plain;
  return { text: `${lhs.text} = ${text} = ${num(value)}`, latex: `${lhs.tex} = ${tex} = ${texVal(value)}` };
}

// ---------------------------------------------------------------- shape key

function fnv(s: string, h = 0x811c9dc5): number {
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

// ---------------------------------------------------------------- the view

/** The backward() calls of a run, for the picker. */
export function callList(run: RunResult): CallDTO[] {
  return run.backwardCalls.map((b, i) => ({
    index: i,
    line: b.range?.line ?? null,
    label: `backward() #${i + 1}${b.range ? ` (line ${b.range.line})` : ''}`,
  }));
}

export function buildGraphView(pr: PanelRun, opts: ViewOptions = {}): GraphViewDTO {
  const { run } = pr;
  const lines = pr.source.split(/\r\n|\r|\n/);
  const maxNodes = opts.maxNodes ?? DEFAULT_MAX_VIEW_NODES;
  const notes: string[] = [];
  const calls = callList(run);
  const callIndex =
    calls.length === 0
      ? -1
      : opts.call !== undefined && opts.call >= 0 && opts.call < calls.length
        ? opts.call
        : calls.length - 1;
  const call = callIndex >= 0 ? run.backwardCalls[callIndex] : null;
  const record = call?.record ?? null;

  // Which tensors: the call's graph, nearest to the root first; or everything recorded so far.
  let chosen: Tensor[];
  if (call) {
    const order: Tensor[] = [];
    const seen = new Set<Tensor>([call.root]);
    order.push(call.root);
    for (let k = 0; k < order.length && order.length < maxNodes; k++)
      for (const x of c.inputsOf(order[k]))
        if (!seen.has(x)) {
          seen.add(x);
          order.push(x);
        }
    chosen = order.slice(0, maxNodes);
  } else {
    chosen = reachable(run.nodes.slice(-maxNodes));
    if (chosen.length > maxNodes) chosen = chosen.sort((a, b) => b.id - a.id).slice(0, maxNodes);
  }
  const total = call ? reachable([call.root]).length : reachable(run.nodes).length;
  if (total > chosen.length)
    notes.push(
      `The graph has ${total} nodes; the panel shows the ${chosen.length} ${call ? 'nearest to the loss' : 'most recent'}.`,
    );
  chosen.sort((a, b) => a.id - b.id);
  const index = new Map<Tensor, number>();
  chosen.forEach((t, i) => index.set(t, i));

  // Values: the call's leaves as they were at the call.
  const snap = callIndex >= 0 ? pr.leafValues.get(callIndex) : undefined;
  if (call && !snap && callIndex !== calls.length - 1)
    notes.push(
      'Values of parameters are shown as they were at the end of the run (this backward() call is too old to have kept them).',
    );
  const values = chosen.map((t) => (t.op === null && snap?.get(t.id)) || summarize(t));

  // Gradients of this pass: the root's upstream, and each input's latest `after`.
  const grads: (ValueDTO | null)[] = new Array(chosen.length).fill(null);
  const fanCount = new Int32Array(chosen.length);
  if (record) {
    for (const step of record.steps) {
      const ni = index.get(step.node);
      if (ni !== undefined && step.index === 0) grads[ni] = summarize(step.upstream);
      for (const inp of step.inputs) {
        const ii = index.get(inp.input);
        if (ii !== undefined) fanCount[ii]++;
      }
    }
  }

  // Nodes.
  const named: Named[] = [];
  const rawTex: string[] = [];
  const kinds: NodeKind[] = [];
  const labels: string[] = [];
  const isNamed: boolean[] = [];
  chosen.forEach((t, i) => {
    const kind: NodeKind = t.op !== null ? 'op' : t.requiresGrad ? 'param' : 'input';
    const name = t.meta?.label;
    const site = t.site >= 0 ? run.sites[t.site] : undefined;
    // A leaf made by a factory call (`torch.tensor(0.5, requires_grad=True)`) reads better as its value.
    const madeByCall = t.op === null && (site as { kind?: string } | undefined)?.kind === 'Call';
    const src = site && !madeByCall ? sourceText(lines, site) : '';
    const label = clip(name ?? (src || values[i].text));
    // Long source text would make a formula unreadable: clipped, as text.
    const tex = name
      ? texName(name)
      : src
        ? ((src.length <= 32 ? texExpr(src) : null) ?? texText(clip(src, 28)))
        : texVal(values[i]);
    const atomic = name !== undefined || (!src && values[i].scalar !== undefined) || isAtomic(label);
    kinds.push(kind);
    labels.push(label);
    isNamed.push(name !== undefined);
    rawTex.push(tex);
    named.push({
      text: atomic ? label : `(${label})`,
      tex: atomic ? tex : `\\left(${tex}\\right)`,
    });
  });
  chosen.forEach((t, i) => {
    const given = opts.names?.get(t);
    if (!given) return;
    labels[i] = clip(given.label);
    rawTex[i] = given.tex;
    isNamed[i] = given.named;
    named[i] = given.atomic
      ? { text: labels[i], tex: given.tex }
      : { text: `(${labels[i]})`, tex: `\\left(${given.tex}\\right)` };
  });
  const rootIdx = call ? (index.get(call.root) as number) : -1;
  const nameInFormula = (i: number): Named => (i === rootIdx && opts.rootIsLoss !== false ? LOSS : named[i]);

  // Edges, in input order.
  const edges: EdgeDTO[] = [];
  const edgeAt = new Map<string, number>();
  const inputsIdx: number[][] = chosen.map(() => []);
  chosen.forEach((t, i) => {
    c.inputsOf(t).forEach((x, position) => {
      const from = index.get(x);
      if (from === undefined) return;
      edgeAt.set(`${i}:${position}`, edges.length);
      edges.push({ from, to: i, position });
      inputsIdx[i].push(from);
    });
  });

  // Backward steps.
  const steps: StepDTO[] = [];
  const received = new Int32Array(chosen.length);
  if (record) {
    for (const step of record.steps) {
      const ni = index.get(step.node);
      if (ni === undefined) continue;
      const upstream = summarize(step.upstream);
      const inputs: InputStepDTO[] = [];
      for (const inp of step.inputs) {
        const ii = index.get(inp.input);
        const edge = edgeAt.get(`${ni}:${inp.position}`);
        if (ii === undefined || edge === undefined) continue;
        const local = inp.local ? summarize(inp.local) : null;
        const contribution = summarize(inp.contribution);
        const before = inp.before ? summarize(inp.before) : null;
        const after = summarize(inp.after);
        grads[ii] = after;
        const k = ++received[ii];
        const n = fanCount[ii];
        inputs.push({
          input: ii,
          edge,
          position: inp.position,
          local,
          contribution,
          before,
          after,
          derivative: { text: inp.derivative.text, latex: inp.derivative.latex },
          formula: chainRule(nameInFormula(ni), named[ii], upstream, inp, local, contribution),
          fanOut: { k, n, formula: n > 1 ? fanOutFormula(named[ii], before, contribution, after, k, n) : null },
        });
      }
      steps.push({ node: ni, backwardName: step.backwardName, upstream, inputs });
    }
  }

  // Layout.
  const sizes = values.map((v) => ({ w: NODE_W, h: nodeHeight(v.shape) }));
  const lay = layoutGraph({ inputs: inputsIdx, sizes });

  const nodes: NodeDTO[] = chosen.map((t, i) => {
    const site = t.site >= 0 ? run.sites[t.site] : undefined;
    const kind = kinds[i];
    return {
      id: t.id,
      kind,
      op: t.op?.name ?? null,
      title: t.op ? opTitle(t.op.name) : kind === 'param' ? 'parameter' : isNamed[i] ? 'input' : 'constant',
      symbol: t.op ? c.symbolOf(t) : '',
      label: labels[i],
      named: isNamed[i],
      tex: rawTex[i],
      value: values[i],
      grad: grads[i],
      range: site ? range(site) : null,
      layer: lay.layer[i],
      x: lay.x[i],
      y: lay.y[i],
      w: sizes[i].w,
      h: sizes[i].h,
      ...(isDrillable(t) ? { drill: true as const } : {}),
    };
  });

  const forward: ForwardDTO[] = chosen.map((t, i) => ({
    node: i,
    formula:
      nodes[i].kind === 'input' && !isNamed[i] && labels[i] === values[i].text
        ? { text: `constant ${values[i].text}`, latex: `\\text{constant } ${texVal(values[i])}` }
        : forwardFormula(
            { text: labels[i], tex: rawTex[i] },
            t,
            values[i],
            inputsIdx[i].map((j) => ({ v: values[j] })),
          ),
  }));

  let key = fnv(`${callIndex >= 0 ? 'call' : 'sofar'}|${steps.length}`);
  for (const nd of nodes) key = fnv(`${nd.kind}:${nd.op ?? ''}:${nd.value.dtype}:${nd.value.shape.join('x')};`, key);
  for (const e of edges) key = fnv(`${e.from}>${e.to}.${e.position};`, key);

  const ids = nodes.map((nd) => nd.id);
  const viewGroups = pr.groups ? buildGroups(pr.groups.records, ids, lines) : [];
  const err = run.error;
  return {
    title: opts.title ?? 'script',
    calls,
    call: callIndex,
    nodes,
    edges,
    forward,
    steps,
    root: rootIdx,
    width: lay.width,
    height: lay.height,
    shapeKey: `${nodes.length}-${edges.length}-${key.toString(16)}`,
    error: err
      ? { type: err.type, message: err.message, line: err.range?.line ?? null, col: err.range?.col ?? null }
      : null,
    notes,
    groups: viewGroups,
    grouped: groupedByDefault(nodes.length, viewGroups),
  };
}
