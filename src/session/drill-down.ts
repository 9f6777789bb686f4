/**
 * Drill-down: a small tensor op of the graph panel re-created scalar by
 * scalar, as a view of its own (vscode-free, pure). A 2×3 matrix times a
 * vector becomes six scalar leaves W[i,k] and three x[k], six products
 * W[i,k]·x[k], the additions that sum them, one scalar per output element
 * out[i], and the output reassembled with torch.stack. Then one backward
 * pass from that output, seeded with the gradient ∂L/∂out the tensor op
 * received in the backward() call, gives every scalar node its step and its
 * chain-rule line.
 *
 * Nothing here computes a gradient: the scalar graph runs through the
 * core's own ops and its own backward with records, and the view is made by
 * buildGraphView from those records. How the upstream gets in: the core's
 * backward takes `gradient` (∂L/∂root, as torch.autograd.backward's
 * grad_tensors), so the outputs are stacked back into the tensor op's shape
 * and the pass starts there with the recorded upstream. One pass, one
 * record: fan-out sums (an x[k] used by every row) are explicit, and no
 * surrogate loss with made-up nodes stands between the student and the
 * numbers of the real pass.
 */
import * as c from '../core';
import type { Tensor } from '../core';
import type { RunResult } from '../lang/run';
import { decodeNum, type GraphViewDTO } from '../protocol/messages';
import { buildGraphView, callList, formatNumber, type NodeName, type PanelRun, type ViewOptions } from './graph-view';
import { texExpr, texName, texNumber, texText } from './tex';

/**
 * Most scalar operations a drill-down creates. Each becomes a node the
 * student steps through twice (forward, backward): 200 already make a
 * 400-position walk and a graph that only reads zoomed in, and beyond that
 * the expansion shows nothing the tensor view does not. It also keeps the
 * view (a message to the page) small. Input elements are capped the same.
 */
export const MAX_DRILL_OPS = 200;

const BINARY: Record<string, (a: Tensor, b: Tensor) => Tensor> = {
  add: (a, b) => c.add(a, b),
  sub: (a, b) => c.sub(a, b),
  mul: (a, b) => c.mul(a, b),
  div: (a, b) => c.div(a, b),
};

const BINARY_TEXT: Record<string, string> = { add: ' + ', sub: ' - ', mul: ' * ', div: ' / ' };

/** Elementwise one-input ops, with how the whole op reads (for the title). */
const UNARY: Record<
  string,
  { fn: (a: Tensor, attrs: unknown) => Tensor; text: (a: string, attrs: unknown) => string }
> = {
  neg: { fn: (a) => c.neg(a), text: (a) => `-${a}` },
  relu: { fn: (a) => c.relu(a), text: (a) => `relu(${a})` },
  tanh: { fn: (a) => c.tanh(a), text: (a) => `tanh(${a})` },
  sigmoid: { fn: (a) => c.sigmoid(a), text: (a) => `sigmoid(${a})` },
  exp: { fn: (a) => c.exp(a), text: (a) => `exp(${a})` },
  log: { fn: (a) => c.log(a), text: (a) => `log(${a})` },
  sqrt: { fn: (a) => c.sqrt(a), text: (a) => `sqrt(${a})` },
  abs: { fn: (a) => c.abs(a), text: (a) => `abs(${a})` },
  sin: { fn: (a) => c.sin(a), text: (a) => `sin(${a})` },
  cos: { fn: (a) => c.cos(a), text: (a) => `cos(${a})` },
  reciprocal: { fn: (a) => c.reciprocal(a), text: (a) => `1 / ${a}` },
  pow: { fn: (a, p) => c.pow(a, p as number), text: (a, p) => `${a}**${numText(p as number)}` },
  rsub: { fn: (a, k) => c.sub(k as number, a), text: (a, k) => `${numText(k as number)} - ${a}` },
};

interface ReduceAttrs {
  readonly dims: readonly number[] | null;
  readonly keepdim: boolean;
}

function numText(x: number): string {
  return formatNumber(x, 'float64').replace(/\.0$/, '');
}

function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}

/** Elements reduced into each output element (sum, mean). */
function reducedCount(t: Tensor): number {
  const a = t.in0 as Tensor;
  const at = t.attrs as ReduceAttrs;
  return at.dims === null ? a.size : at.dims.reduce((p, d) => p * (a.shape[d] ?? 1), 1);
}

/** How many scalar ops the expansion of `t` creates (not counting the stack that reassembles it), or null when it has none. */
function scalarOps(t: Tensor): number | null {
  const op = t.op;
  if (op === null || t.size === 0) return null;
  if (t.dtype !== 'float32' && t.dtype !== 'float64') return null;
  const inputs = c.inputsOf(t);
  // Same dtype everywhere: then the scalar ops promote as the tensor op did (0-dim tensors promote differently).
  if (t.meta?.logical || inputs.some((x) => x.dtype !== t.dtype || x.meta?.logical || x.size === 0)) return null;
  // Already scalar: nothing to expand.
  if (t.size === 1 && inputs.every((x) => x.size === 1)) return null;
  if (inputs.reduce((p, x) => p + x.size, 0) > MAX_DRILL_OPS) return null;
  switch (op.name) {
    case 'matmul': {
      const [a, b] = inputs;
      if (a.ndim < 1 || a.ndim > 2 || b.ndim < 1 || b.ndim > 2) return null;
      const k = a.shape[a.ndim - 1];
      const n = a.ndim === 2 ? a.shape[0] : 1;
      const m = b.ndim === 2 ? b.shape[1] : 1;
      return k < 1 ? null : n * m * (2 * k - 1);
    }
    case 'sum': {
      const r = reducedCount(t);
      return r < 2 ? null : t.size * (r - 1);
    }
    case 'mean':
      return t.size * reducedCount(t);
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return t.size;
    case 'mse_loss': {
      const n = inputs[0].size;
      if (inputs[1].size !== n) return null;
      const red = (t.attrs as { reduction: string }).reduction;
      return red === 'none' ? 2 * n : red === 'sum' ? 3 * n - 1 : 3 * n;
    }
    default:
      if (!UNARY[op.name]) return null;
      if ((op.name === 'pow' || op.name === 'rsub') && typeof t.attrs !== 'number') return null;
      return t.size;
  }
}

/** Can the panel expand this tensor op into its scalar operations (a small matmul, sum, mean, elementwise op or MSE)? */
export function isDrillable(t: Tensor): boolean {
  const n = scalarOps(t);
  return n !== null && n <= MAX_DRILL_OPS;
}

// ---------------------------------------------------------------- names

/** How an operand is written: its text and LaTeX, and whether it reads as one operand. */
interface Operand {
  readonly text: string;
  readonly tex: string;
  readonly atomic: boolean;
}

function isIdentifier(s: string): boolean {
  return /^[\p{L}_][\p{L}\p{N}_]*$/u.test(s);
}

function sourceText(pr: PanelRun, t: Tensor): string {
  const r = t.site >= 0 ? pr.run.sites[t.site] : undefined;
  if (!r || r.line !== r.endLine) return '';
  const line = pr.source.split(/\r\n|\r|\n/)[r.line - 1] ?? '';
  return line.slice(r.col, r.endCol).trim();
}

/** The name an input goes by: its variable, a constant's value, short source text, or a letter. */
function inputName(pr: PanelRun, x: Tensor, fallback: string): Operand & { named: boolean } {
  const name = x.meta?.label;
  if (name !== undefined) return { text: name, tex: texName(name), atomic: isIdentifier(name), named: true };
  if (x.op === null && !x.requiresGrad && x.size === 1) {
    const v = formatNumber(x.at(0), x.meta?.logical ?? x.dtype);
    return { text: v, tex: texNumber(v), atomic: true, named: false };
  }
  const src = sourceText(pr, x);
  if (src && src.length <= 16)
    return { text: src, tex: texExpr(src) ?? texText(src), atomic: isIdentifier(src), named: false };
  return { text: fallback, tex: texName(fallback), atomic: true, named: false };
}

function wrap(o: Operand): Operand {
  return o.atomic ? o : { text: `(${o.text})`, tex: `\\left(${o.tex}\\right)`, atomic: true };
}

/** Row-major multi-index of flat index k in `shape`. */
function multiIndex(shape: readonly number[], k: number): number[] {
  const out = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    out[d] = k % shape[d];
    k = Math.floor(k / shape[d]);
  }
  return out;
}

/** `W[0,1]` (a 0-dim tensor is just its name). */
function element(base: Operand, idx: readonly number[]): Operand {
  if (idx.length === 0) return base;
  const b = wrap(base);
  const i = idx.join(',');
  return { text: `${b.text}[${i}]`, tex: `${b.tex}[${i}]`, atomic: true };
}

function product(a: Operand, b: Operand): Operand {
  return { text: `${a.text}·${b.text}`, tex: `${a.tex} \\cdot ${b.tex}`, atomic: false };
}

/** A partial sum of terms: `a + b`, or `a + … + d` past two terms. */
function partialSum(terms: readonly Operand[]): Operand {
  const shown =
    terms.length <= 2 ? terms : [terms[0], { text: '…', tex: '\\dots', atomic: true }, terms[terms.length - 1]];
  return {
    text: shown.map((x) => x.text).join(' + '),
    tex: shown.map((x) => x.tex).join(' + '),
    atomic: false,
  };
}

// ---------------------------------------------------------------- the expansion

interface Expansion {
  /** Scalar outputs, row-major in the tensor op's shape. */
  readonly outs: Tensor[];
  /** What the whole op reads as, e.g. `W @ x`. */
  readonly expr: string;
  /** Rounding and summation order may differ from the tensor kernel's in the last bit. */
  readonly mayDiffer: boolean;
}

class Builder {
  readonly names = new Map<Tensor, NodeName>();
  /** Scalar ops that use each leaf (fan-out), by leaf. */
  readonly uses = new Map<Tensor, number>();

  name(t: Tensor, o: Operand, named = false): Tensor {
    this.names.set(t, { label: o.text, tex: o.tex, named, atomic: o.atomic });
    return t;
  }

  use(...xs: Tensor[]): void {
    for (const x of xs) if (x.op === null) this.uses.set(x, (this.uses.get(x) ?? 0) + 1);
  }
}

/** The scalar leaves of one input, with its values as at the call. */
interface Leaves {
  readonly scalars: Tensor[];
  readonly operand: Operand;
  readonly shape: readonly number[];
}

function expand(t: Tensor, leavesOf: (x: Tensor) => Leaves, outName: Operand, b: Builder): Expansion {
  const op = t.op as c.OpDef;
  const inputs = c.inputsOf(t);
  const outs: Tensor[] = [];
  const outEl = (k: number): Operand => element(outName, multiIndex(t.shape, k));
  // A left-to-right sum of terms (as the core's reductions add), the last one being output element k.
  const sumInto = (terms: { t: Tensor; o: Operand }[], k: number | null): Tensor => {
    let acc = terms[0].t;
    for (let j = 1; j < terms.length; j++) {
      acc = c.add(acc, terms[j].t);
      if (j === 1) b.use(terms[0].t);
      b.use(terms[j].t);
      b.name(acc, j === terms.length - 1 && k !== null ? outEl(k) : partialSum(terms.slice(0, j + 1).map((x) => x.o)));
    }
    return acc;
  };

  switch (op.name) {
    case 'matmul': {
      const [A, B] = [leavesOf(inputs[0]), leavesOf(inputs[1])];
      const K = A.shape[A.shape.length - 1];
      const n = A.shape.length === 2 ? A.shape[0] : 1;
      const m = B.shape.length === 2 ? B.shape[1] : 1;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < m; j++) {
          const k = i * m + j;
          const terms: { t: Tensor; o: Operand }[] = [];
          let acc: Tensor | null = null;
          for (let p = 0; p < K; p++) {
            const ai = A.shape.length === 2 ? i * K + p : p;
            const bi = B.shape.length === 2 ? p * m + j : p;
            const a = A.scalars[ai];
            const bb = B.scalars[bi];
            const prod = c.mul(a, bb);
            b.use(a, bb);
            const po = product(
              element(A.operand, multiIndex(A.shape, ai)),
              element(B.operand, multiIndex(B.shape, bi)),
            );
            b.name(prod, K === 1 ? outEl(k) : po);
            terms.push({ t: prod, o: po });
            // Multiply, then add: out[i] builds up one product at a time.
            if (p > 0) {
              acc = c.add(acc as Tensor, prod);
              b.name(acc, p === K - 1 ? outEl(k) : partialSum(terms.map((x) => x.o)));
            } else acc = prod;
          }
          outs.push(acc as Tensor);
        }
      return { outs, expr: `${wrap(A.operand).text} @ ${wrap(B.operand).text}`, mayDiffer: K > 1 || n * m > 1 };
    }
    case 'sum':
    case 'mean': {
      const X = leavesOf(inputs[0]);
      const at = t.attrs as ReduceAttrs;
      const kept = X.shape.map((s, d) => (at.dims === null || at.dims.includes(d) ? 1 : s));
      const into = c.broadcastIndex(X.shape, c.broadcastStrides(kept, X.shape));
      const groups: { t: Tensor; o: Operand }[][] = Array.from({ length: t.size }, () => []);
      X.scalars.forEach((x, k) => groups[into[k]].push({ t: x, o: element(X.operand, multiIndex(X.shape, k)) }));
      const count = reducedCount(t);
      const n = op.name === 'mean' ? constant(b, count, t.dtype) : null;
      groups.forEach((g, k) => {
        const s = g.length === 1 ? g[0].t : sumInto(g, n === null ? k : null);
        if (n === null) outs.push(s);
        else {
          const q = c.div(s, n);
          b.use(s, n);
          outs.push(b.name(q, outEl(k)));
        }
      });
      const dims = at.dims === null ? '' : `dim=${at.dims.length === 1 ? at.dims[0] : `(${at.dims.join(', ')})`}`;
      const args = [dims, at.keepdim ? 'keepdim=True' : ''].filter((x) => x).join(', ');
      return { outs, expr: `${op.name}(${X.operand.text}${args ? `, ${args}` : ''})`, mayDiffer: false };
    }
    case 'mse_loss': {
      const [I, T] = [leavesOf(inputs[0]), leavesOf(inputs[1])];
      const red = (t.attrs as { reduction: string }).reduction;
      const terms: { t: Tensor; o: Operand }[] = [];
      let acc: Tensor | null = null;
      for (let k = 0; k < I.scalars.length; k++) {
        const idx = multiIndex(I.shape, k);
        const [ia, it] = [element(I.operand, idx), element(T.operand, idx)];
        const dOp: Operand = { text: `${ia.text} - ${it.text}`, tex: `${ia.tex} - ${it.tex}`, atomic: false };
        const diff = b.name(c.sub(I.scalars[k], T.scalars[k]), dOp);
        b.use(I.scalars[k], T.scalars[k]);
        const sq = c.pow(diff, 2);
        const sqOp: Operand = { text: `${wrap(dOp).text}**2`, tex: `${wrap(dOp).tex}^{2}`, atomic: false };
        if (red === 'none') {
          outs.push(b.name(sq, outEl(k)));
          continue;
        }
        terms.push({ t: sq, o: sqOp });
        const last = k === I.scalars.length - 1 && red === 'sum';
        b.name(sq, last && k === 0 ? outEl(0) : sqOp);
        if (acc === null) acc = sq;
        else acc = b.name(c.add(acc, sq), last ? outEl(0) : partialSum(terms.map((x) => x.o)));
      }
      if (acc !== null)
        outs.push(red === 'mean' ? b.name(c.div(acc, constant(b, I.scalars.length, t.dtype)), outEl(0)) : acc);
      const args = red === 'mean' ? '' : `, reduction='${red}'`;
      return { outs, expr: `mse_loss(${I.operand.text}, ${T.operand.text}${args})`, mayDiffer: true };
    }
    default: {
      if (BINARY[op.name]) {
        const [A, B] = [leavesOf(inputs[0]), leavesOf(inputs[1])];
        const ia = c.broadcastIndex(t.shape, c.broadcastStrides(A.shape, t.shape));
        const ib = c.broadcastIndex(t.shape, c.broadcastStrides(B.shape, t.shape));
        for (let k = 0; k < t.size; k++) {
          const a = A.scalars[ia[k]];
          const bb = B.scalars[ib[k]];
          b.use(a, bb);
          outs.push(b.name(BINARY[op.name](a, bb), outEl(k)));
        }
        return {
          outs,
          expr: `${wrap(A.operand).text}${BINARY_TEXT[op.name]}${wrap(B.operand).text}`,
          mayDiffer: false,
        };
      }
      const u = UNARY[op.name];
      const X = leavesOf(inputs[0]);
      X.scalars.forEach((x, k) => {
        b.use(x);
        outs.push(b.name(u.fn(x, t.attrs), outEl(k)));
      });
      return { outs, expr: u.text(wrap(X.operand).text, t.attrs), mayDiffer: false };
    }
  }
}

/** The count a mean divides by: one constant leaf, shared by every division. */
function constant(b: Builder, n: number, dtype: c.DType): Tensor {
  const text = formatNumber(n, dtype);
  return b.name(c.scalar(n, dtype), { text, tex: texNumber(text), atomic: true });
}

/** The outputs put back together in the op's shape, rows named `out[0]`, the whole `out`. */
function assemble(shape: readonly number[], outs: Tensor[], outName: Operand, named: boolean, b: Builder): Tensor {
  const build = (prefix: number[], off: number): Tensor => {
    const d = prefix.length;
    const stride = sizeOfShape(shape.slice(d + 1));
    const parts: Tensor[] = [];
    for (let i = 0; i < shape[d]; i++)
      parts.push(d === shape.length - 1 ? outs[off + i] : build([...prefix, i], off + i * stride));
    return b.name(c.stack(parts), element(outName, prefix), named && prefix.length === 0);
  };
  return shape.length === 0 ? outs[0] : build([], 0);
}

// ---------------------------------------------------------------- the view

function callIndexOf(pr: PanelRun, call: number | undefined): number {
  const n = pr.run.backwardCalls.length;
  if (n === 0) return -1;
  return call !== undefined && call >= 0 && call < n ? call : n - 1;
}

/**
 * The scalar operations of tensor op `tensorId` of backward() call
 * `opts.call` (default: the last), as a view of their own: values as they
 * were at that call, one backward step per scalar node, seeded with the
 * upstream gradient the tensor op received there.
 */
export function buildDrillView(
  pr: PanelRun,
  opts: Pick<ViewOptions, 'call' | 'title'>,
  tensorId: number,
): GraphViewDTO {
  const callIndex = callIndexOf(pr, opts.call);
  const call = callIndex >= 0 ? pr.run.backwardCalls[callIndex] : null;
  // The tensor: in the call's graph (its step has the upstream), else among the nodes recorded.
  const step = call?.record?.steps.find((s) => s.node.id === tensorId) ?? null;
  const t = step?.node ?? pr.run.nodes.find((x) => x.id === tensorId) ?? null;
  if (t === null) throw new Error(`drill-down: no tensor ${tensorId} in this run`);
  if (!isDrillable(t))
    throw new Error(`drill-down: ${t.op?.name ?? 'a leaf'} node ${tensorId} cannot be expanded into scalars`);

  const notes: string[] = [];
  const snap = callIndex >= 0 ? pr.leafValues.get(callIndex) : undefined;
  let stale = false;
  /** An input's values as at the call: leaves from the call's snapshot (a training loop changes them later). */
  const valuesAtCall = (x: Tensor): number[] => {
    const now = x.values();
    if (x.op !== null) return now;
    const v = snap?.get(x.id);
    if (v?.scalar !== undefined) return [decodeNum(v.scalar)];
    if (v?.cells && v.cells.length === x.size) return v.cells.map(decodeNum);
    // Too big (or too old) to have been kept: the values now, with a note if they visibly changed.
    const fin = now.filter((y) => Number.isFinite(y));
    if (v && fin.length > 0 && (Math.min(...fin) !== v.min || Math.max(...fin) !== v.max)) stale = true;
    else if (!v && call && callIndex !== pr.run.backwardCalls.length - 1) stale = true;
    return now;
  };

  const b = new Builder();
  const inputs = c.inputsOf(t);
  const fallback = t.op?.name === 'matmul' ? ['A', 'B'] : t.op?.name === 'mse_loss' ? ['input', 'target'] : ['a', 'b'];
  const operands = inputs.map((x, i) => inputName(pr, x, fallback[i]));
  const outVar = t.meta?.label;
  const outName: Operand =
    outVar !== undefined && isIdentifier(outVar) && !operands.some((o) => o.text === outVar)
      ? { text: outVar, tex: texName(outVar), atomic: true }
      : { text: 'out', tex: '\\mathrm{out}', atomic: true };

  const prevListener = c.setOpListener(null);
  const prevSite = c.setCurrentSite(-1);
  const prevGrad = c.setGradEnabled(true);
  try {
    // One set of scalar leaves per input tensor (x * x uses the same ones twice, as the tensor op did).
    const leaves = new Map<Tensor, Leaves>();
    const leavesOf = (x: Tensor): Leaves => {
      let l = leaves.get(x);
      if (!l) {
        const i = inputs.indexOf(x);
        const operand = operands[i];
        const scalars = valuesAtCall(x).map((v, k) => {
          const s = c.scalar(v, x.dtype);
          s.requiresGrad = x.requiresGrad;
          return b.name(s, element(operand, multiIndex(x.shape, k)), operands[i].named);
        });
        l = { scalars, operand, shape: x.shape };
        leaves.set(x, l);
      }
      return l;
    };
    const ex = expand(t, leavesOf, outName, b);
    const root = assemble(t.shape, ex.outs, outName, outVar !== undefined && outName.text === outVar, b);

    // Forward values against the tensor op's own (recorded at the call, never changed since).
    const tol = (x: number, y: number) =>
      Object.is(x, y) || (ex.mayDiffer && Math.abs(x - y) <= 1e-5 * Math.max(1, Math.abs(x), Math.abs(y)));
    if (stale || ex.outs.some((o, k) => !tol(o.at(0), t.at(k))))
      notes.push(
        'Some input values changed after this backward() call and were too big to keep: the scalar values are computed from their values at the end of the run.',
      );

    const record = step && root.requiresGrad ? c.backward(root, { gradient: step.upstream, record: true }) : null;
    if (!record) notes.push('No backward() call reached this op: the scalar view shows the forward pass only.');
    const fanOut = [...b.uses.entries()].some(([x, n]) => x.requiresGrad && n > 1);
    if (ex.mayDiffer || (record && fanOut))
      notes.push(
        `Each scalar product and partial sum is rounded to ${t.dtype} on its own, in this order: the values and gradients may differ from the tensor op's in the last bit (summation order).`,
      );

    const run: RunResult = {
      ok: true,
      error: null,
      stdout: '',
      asserts: [],
      globals: new Map(),
      backwardCalls: record ? [{ range: null, root, record }] : [],
      nodes: [root],
      sites: [],
      steps: 0,
      runMs: 0,
    };
    const scalarRun: PanelRun = { source: '', run, leafValues: new Map() };
    const title = `${outVar !== undefined && outName.text === outVar ? `${outVar} = ` : ''}${ex.expr}, scalar by scalar`;
    const view = buildGraphView(scalarRun, {
      call: 0,
      title: opts.title ? `${title} (${opts.title})` : title,
      names: b.names,
      rootIsLoss: false,
    });
    return {
      ...view,
      calls: callList(pr.run),
      call: callIndex,
      shapeKey: `drill:${view.shapeKey}`,
      notes: [...view.notes, ...notes],
    };
  } finally {
    c.setOpListener(prevListener);
    c.setCurrentSite(prevSite);
    c.setGradEnabled(prevGrad);
  }
}
