/**
 * Reductions: sum and mean (over everything, or over dims with keepdim),
 * max and min (over everything, or along one dim). Gradient rules for ties
 * are PyTorch's: a full max/min shares the gradient evenly among all tied
 * elements; max/min along a dim sends it to the one index it returned.
 */
import { rounder } from '../dtype';
import { runtimeError } from '../errors';
import { registerOp, SAVES_IN0, SAVES_OUT } from '../registry';
import { broadcastIndex, broadcastStrides, normDim, Shape, SCALAR_SHAPE, sizeOf } from '../shape';
import { empty, Tensor } from '../tensor';

export interface ReduceAttrs {
  /** Reduced dims, normalized and sorted; null means all. */
  readonly dims: readonly number[] | null;
  readonly keepdim: boolean;
}

/** Normalizes a dim argument (number, list, or null for all). */
export function reduceAttrs(ndim: number, dim: number | readonly number[] | null, keepdim: boolean): ReduceAttrs {
  if (dim === null) return { dims: null, keepdim };
  const list = typeof dim === 'number' ? [dim] : dim;
  const dims = [...new Set(list.map((x) => normDim(x, ndim)))].sort((x, y) => x - y);
  if (dims.length !== list.length) throw runtimeError('dim appears multiple times in the list of dims');
  return { dims, keepdim };
}

/** Shape with reduced dims set to 1. */
function keptShape(shape: Shape, dims: readonly number[] | null): number[] {
  return shape.map((s, i) => (dims === null || dims.includes(i) ? 1 : s));
}

function outShape(shape: Shape, at: ReduceAttrs): Shape {
  if (at.dims === null && !at.keepdim) return SCALAR_SHAPE;
  const kept = keptShape(shape, at.dims);
  if (at.keepdim) return kept;
  return shape.filter((_s, i) => !(at.dims as readonly number[]).includes(i));
}

/** For each input element (row-major), the flat index of the output it reduces into. */
function reduceIndex(shape: Shape, at: ReduceAttrs): Int32Array {
  const kept = keptShape(shape, at.dims);
  return broadcastIndex(shape, broadcastStrides(kept, shape));
}

function count(shape: Shape, at: ReduceAttrs): number {
  if (at.dims === null) return sizeOf(shape);
  let n = 1;
  for (const dd of at.dims) n *= shape[dd] ?? 1;
  return n;
}

function sumForward(a: Tensor, at: ReduceAttrs): Tensor {
  const out = empty(outShape(a.shape, at), a.dtype);
  const r = rounder(a.dtype);
  if (out.size === 1) {
    let s = 0;
    for (let k = 0; k < a.size; k++) s = r(s + a.buf[a.off + k]);
    out.buf[out.off] = s;
    return out;
  }
  const idx = reduceIndex(a.shape, at);
  const acc = new Float64Array(out.size);
  for (let k = 0; k < a.size; k++) acc[idx[k]] = r(acc[idx[k]] + a.buf[a.off + k]);
  for (let j = 0; j < out.size; j++) out.buf[out.off + j] = acc[j];
  return out;
}

const d = (text: string, latex: string) => ({ text, latex });

const isFullReduce = (at: ReduceAttrs): boolean => at.dims === null && !at.keepdim;

export const sumOp = registerOp({
  name: 'sum',
  symbol: 'Σ',
  // PyTorch: sum() is SumBackward0; any dim= or keepdim=True form is SumBackward1.
  backwardName: (out) => (isFullReduce(out.attrs as ReduceAttrs) ? 'SumBackward0' : 'SumBackward1'),
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => sumForward(a, attrs as ReduceAttrs),
  vjp: (out, _i, g, go, dst, doff) => {
    const a = out.in0 as Tensor;
    if (out.size === 1) {
      dst.fill(g[go], doff, doff + a.size);
      return;
    }
    const idx = reduceIndex(a.shape, out.attrs as ReduceAttrs);
    for (let k = 0; k < a.size; k++) dst[doff + k] = g[go + idx[k]];
  },
  derivative: [d('∂(Σᵢ aᵢ)/∂aᵢ = 1', '\\frac{\\partial \\sum_i a_i}{\\partial a_i} = 1')],
  localGrad: (out) => {
    const a = out.in0 as Tensor;
    const t = empty(a.shape, a.dtype);
    t.buf.fill(1, t.off, t.off + t.size);
    return t;
  },
});

export const meanOp = registerOp({
  name: 'mean',
  symbol: 'mean',
  backwardName: (out) => (isFullReduce(out.attrs as ReduceAttrs) ? 'MeanBackward0' : 'MeanBackward1'),
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => {
    const at = attrs as ReduceAttrs;
    const s = sumForward(a, at);
    const n = count(a.shape, at);
    for (let j = 0; j < s.size; j++) s.buf[s.off + j] = s.buf[s.off + j] / n;
    return s;
  },
  vjp: (out, _i, g, go, dst, doff) => {
    const a = out.in0 as Tensor;
    const at = out.attrs as ReduceAttrs;
    const n = count(a.shape, at);
    if (out.size === 1) {
      dst.fill(g[go] / n, doff, doff + a.size);
      return;
    }
    const idx = reduceIndex(a.shape, at);
    for (let k = 0; k < a.size; k++) dst[doff + k] = g[go + idx[k]] / n;
  },
  derivative: [d('∂(mean a)/∂aᵢ = 1/n', '\\frac{\\partial\\,\\overline{a}}{\\partial a_i} = \\frac{1}{n}')],
  localGrad: (out) => {
    const a = out.in0 as Tensor;
    const t = empty(a.shape, a.dtype);
    t.buf.fill(1 / count(a.shape, out.attrs as ReduceAttrs), t.off, t.off + t.size);
    return t;
  },
});

/** Attributes of max/min: over everything (dim null) or along one dim, with the chosen indices. */
export interface ExtremeAttrs {
  readonly dim: number | null;
  readonly keepdim: boolean;
  /** Along a dim: for each output element, the flat input index selected. */
  indices: Int32Array | null;
}

/** `better(x, best)`: x replaces the running extreme (NaN always wins, and stays). */
function extremeForward(a: Tensor, at: ExtremeAttrs, isMax: boolean): Tensor {
  if (a.size === 0) throw runtimeError('max(): Expected reduction dim to be specified for input.numel() == 0.');
  // The first NaN wins and stays (PyTorch propagates NaN and returns its first index).
  const better = (x: number, best: number): boolean =>
    best === best && (x !== x || (isMax ? x > best : x < best));
  if (at.dim !== null && a.ndim === 0) {
    // Along dim 0 (or -1) of a 0-dim tensor: the value itself, index 0.
    at.indices = new Int32Array(1);
    const o = empty(SCALAR_SHAPE, a.dtype);
    o.buf[o.off] = a.buf[a.off];
    return o;
  }
  if (at.dim === null) {
    let best = a.buf[a.off];
    for (let k = 1; k < a.size; k++) {
      const x = a.buf[a.off + k];
      if (better(x, best)) best = x;
    }
    const out = empty(SCALAR_SHAPE, a.dtype);
    out.buf[out.off] = best;
    return out;
  }
  const ra: ReduceAttrs = { dims: [at.dim], keepdim: at.keepdim };
  const out = empty(outShape(a.shape, ra), a.dtype);
  const idx = reduceIndex(a.shape, ra);
  const chosen = new Int32Array(out.size).fill(-1);
  for (let k = 0; k < a.size; k++) {
    const j = idx[k];
    const x = a.buf[a.off + k];
    if (chosen[j] < 0 || better(x, a.buf[a.off + chosen[j]])) chosen[j] = k;
  }
  for (let j = 0; j < out.size; j++) out.buf[out.off + j] = a.buf[a.off + chosen[j]];
  at.indices = chosen;
  return out;
}

function extremeVjp(out: Tensor, g: Float32Array | Float64Array, go: number, dst: Float32Array | Float64Array, doff: number): void {
  const a = out.in0 as Tensor;
  const at = out.attrs as ExtremeAttrs;
  dst.fill(0, doff, doff + a.size);
  if (at.dim === null) {
    // evenly_distribute_backward: mask = (a == value) (or isnan when value is NaN); grad / mask.sum().
    const v = out.buf[out.off];
    const hit = (x: number): boolean => (v !== v ? x !== x : x === v);
    let n = 0;
    for (let k = 0; k < a.size; k++) if (hit(a.buf[a.off + k])) n++;
    const share = rounder(out.dtype)(g[go] / n);
    for (let k = 0; k < a.size; k++) if (hit(a.buf[a.off + k])) dst[doff + k] = share;
    return;
  }
  const chosen = at.indices as Int32Array;
  for (let j = 0; j < chosen.length; j++) dst[doff + chosen[j]] = g[go + j];
}

function extremeOp(isMax: boolean) {
  const name = isMax ? 'max' : 'min';
  const Name = isMax ? 'Max' : 'Min';
  return registerOp({
    name,
    symbol: name,
    backwardName: (out) => `${Name}Backward${(out.attrs as ExtremeAttrs).dim === null ? 1 : 0}`,
    arity: 1,
    savesTensors: true,
    // max(): self and result; max(dim): only the indices, which user code cannot change.
    saves: (out) => ((out.attrs as ExtremeAttrs).dim === null ? SAVES_IN0 | SAVES_OUT : 0),
    forward: (a, _b, attrs) => extremeForward(a, attrs as ExtremeAttrs, isMax),
    vjp: (out, _i, g, go, dst, doff) => extremeVjp(out, g, go, dst, doff),
    derivative: [
      d(
        `∂(${name} a)/∂aᵢ = 1 for the selected element (shared evenly among ties over all elements), else 0`,
        `\\frac{\\partial \\${name} a}{\\partial a_i} = [a_i = \\${name} a]`,
      ),
    ],
  });
}

export const maxOp = extremeOp(true);
export const minOp = extremeOp(false);
