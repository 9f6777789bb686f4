/**
 * Ops that move elements without computing new values: permute (and its
 * spellings .T, .t(), transpose), reshape/view, select and slice (basic
 * indexing), stack and cat. Every tensor here is contiguous, so reshape
 * shares the input's storage (as a view does) while the others copy through
 * an index map that their backward scatters through.
 */
import { Buf } from '../dtype';
import { indexError, runtimeError, valueError } from '../errors';
import { registerOp } from '../registry';
import { broadcastIndex, normDim, SCALAR_SHAPE, Shape, shapeList, sizeOf, stridesOf } from '../shape';
import { copyOf, empty, Tensor, versionOwner } from '../tensor';

const d = (text: string, latex: string) => ({ text, latex });

/** A copy of elements a[base + Σ coordᵢ·strideᵢ] over outShape, with the index map kept for backward. */
interface GatherAttrs {
  map: Int32Array;
}

function gather(a: Tensor, outShape: Shape, strides: number[], base: number): [Tensor, Int32Array] {
  const map = broadcastIndex(outShape, strides);
  const out = empty(outShape, a.dtype);
  for (let k = 0; k < out.size; k++) {
    map[k] += base;
    out.buf[out.off + k] = a.buf[a.off + map[k]];
  }
  return [out, map];
}

function scatterVjp(out: Tensor, g: Buf, go: number, dst: Buf, doff: number): void {
  const a = out.in0 as Tensor;
  const map = (out.attrs as GatherAttrs).map;
  dst.fill(0, doff, doff + a.size);
  for (let k = 0; k < out.size; k++) dst[doff + map[k]] = g[go + k];
}

export interface PermuteAttrs extends GatherAttrs {
  readonly perm: readonly number[];
  /** PyTorch names the node after the spelling: PermuteBackward0 (.T), TBackward0 (.t()), TransposeBackward0. */
  readonly backwardName: string;
}

export const permuteOp = registerOp({
  name: 'permute',
  symbol: 'ᵀ',
  backwardName: (out) => (out.attrs as PermuteAttrs).backwardName,
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => {
    const at = attrs as PermuteAttrs;
    const st = stridesOf(a.shape);
    const [out, map] = gather(
      a,
      at.perm.map((p) => a.shape[p]),
      at.perm.map((p) => st[p]),
      0,
    );
    at.map = map;
    const base = a.meta?.perm ?? a.shape.map((_s, i) => i);
    const perm = at.perm.map((p) => base[p]);
    if (!isContiguousPerm(out.shape, perm)) out.meta = { perm };
    return out;
  },
  vjp: (out, _i, g, go, dst, doff) => scatterVjp(out, g, go, dst, doff),
  derivative: [d('transpose: the gradient is transposed back', '\\bar{A} = \\bar{G}^{\\top}')],
});

/** PyTorch's is_contiguous for a permuted layout: dims of size > 1 keep their memory order. */
function isContiguousPerm(shape: readonly number[], perm: readonly number[]): boolean {
  let last = -1;
  for (let i = 0; i < shape.length; i++) {
    if (shape[i] === 1) continue;
    if (perm[i] < last) return false;
    last = perm[i];
  }
  return true;
}

/** Whether PyTorch would see this tensor as contiguous. */
export function isContiguous(t: Tensor): boolean {
  return t.meta?.perm === undefined;
}

/** a.clone() / a.contiguous(): a copy (PyTorch's CloneBackward0). */
export const cloneOp = registerOp({
  name: 'clone',
  symbol: 'clone',
  backwardName: 'CloneBackward0',
  arity: 1,
  savesTensors: false,
  forward: (a) => copyOf(a),
  vjp: (out, _i, g, go, dst, doff) => {
    for (let k = 0; k < out.size; k++) dst[doff + k] = g[go + k];
  },
  derivative: [d('copy: the gradient passes unchanged', '\\bar{A} = \\bar{G}')],
  localGrad: (out) => {
    const t = empty(out.shape, out.dtype);
    t.buf.fill(1, t.off, t.off + t.size);
    return t;
  },
});

/** Attributes for permuteOp from a transpose of dims d0 and d1. */
export function transposeAttrs(ndim: number, d0: number, d1: number, backwardName: string): PermuteAttrs {
  const a = normDim(d0, ndim);
  const b = normDim(d1, ndim);
  const perm = Array.from({ length: ndim }, (_x, i) => i);
  perm[a] = b;
  perm[b] = a;
  return { perm, backwardName, map: new Int32Array(0) };
}

/** Resolves a -1 in a requested shape, with PyTorch's error when sizes disagree. */
export function inferShape(requested: readonly number[], size: number): number[] {
  const shape = [...requested];
  const free = shape.indexOf(-1);
  if (shape.filter((s) => s === -1).length > 1) throw runtimeError('only one dimension can be inferred');
  const known = shape.reduce((p, s) => (s === -1 ? p : p * s), 1);
  if (free >= 0 && known !== 0 && size % known === 0) shape[free] = size / known;
  if (shape.some((s) => s < 0 || !Number.isInteger(s)) || sizeOf(shape) !== size)
    throw runtimeError(`shape '${shapeList(requested)}' is invalid for input of size ${size}`);
  return shape;
}

export interface ReshapeAttrs {
  readonly shape: readonly number[];
  /** ViewBackward0 (view) or ReshapeAliasBackward0 (reshape), as PyTorch 1.13 names them. */
  readonly backwardName: string;
}

export const reshapeOp = registerOp({
  name: 'reshape',
  symbol: 'reshape',
  backwardName: (out) => (out.attrs as ReshapeAttrs).backwardName,
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => {
    const shape = inferShape((attrs as ReshapeAttrs).shape, a.size);
    // A view: share the input's elements and its version counter.
    const out = new Tensor(shape.length === 0 ? SCALAR_SHAPE : shape, a.size, a.dtype, a.buf, a.off);
    out.meta = { base: versionOwner(a) };
    return out;
  },
  vjp: (out, _i, g, go, dst, doff) => {
    for (let k = 0; k < out.size; k++) dst[doff + k] = g[go + k];
  },
  derivative: [d('reshape: the gradient is reshaped back', '\\bar{A} = \\mathrm{reshape}(\\bar{G})')],
});

export interface SelectAttrs extends GatherAttrs {
  readonly dim: number;
  readonly index: number;
}

export const selectOp = registerOp({
  name: 'select',
  symbol: '[i]',
  backwardName: 'SelectBackward0',
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => {
    const at = attrs as SelectAttrs;
    if (a.ndim === 0) throw indexError('invalid index of a 0-dim tensor. Use `tensor.item()` in Python or `tensor.item<T>()` in C++ to convert a 0-dim tensor to a number');
    const dim = normDim(at.dim, a.ndim);
    const size = a.shape[dim];
    if (!Number.isInteger(at.index) || at.index < -size || at.index >= size)
      throw indexError(`index ${at.index} is out of bounds for dimension ${dim} with size ${size}`);
    const index = at.index < 0 ? at.index + size : at.index;
    const st = stridesOf(a.shape);
    const shape = a.shape.filter((_s, i) => i !== dim);
    const strides = st.filter((_s, i) => i !== dim);
    const [out, map] = gather(a, shape, strides, index * st[dim]);
    at.map = map;
    return out;
  },
  vjp: (out, _i, g, go, dst, doff) => scatterVjp(out, g, go, dst, doff),
  derivative: [d('indexing: the gradient goes back to the selected elements, 0 elsewhere', '\\bar{A}[i] = \\bar{G},\\ 0\\ \\text{elsewhere}')],
});

export interface SliceAttrs extends GatherAttrs {
  readonly dim: number;
  readonly start: number | null;
  readonly stop: number | null;
  readonly step: number;
}

/** Python's slice.indices(): clamps start/stop to [0, size] for a positive step. */
export function sliceBounds(size: number, start: number | null, stop: number | null, step: number): [number, number] {
  if (step <= 0) throw valueError('step must be greater than zero');
  const clamp = (v: number | null, dflt: number): number => {
    if (v === null) return dflt;
    if (v < 0) v += size;
    return Math.min(Math.max(v, 0), size);
  };
  const s = clamp(start, 0);
  const e = clamp(stop, size);
  return [s, Math.max(0, Math.ceil((e - s) / step))];
}

export const sliceOp = registerOp({
  name: 'slice',
  symbol: '[a:b]',
  backwardName: 'SliceBackward0',
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => {
    const at = attrs as SliceAttrs;
    if (a.ndim === 0) throw indexError('slice() cannot be applied to a 0-dim tensor.');
    const dim = normDim(at.dim, a.ndim);
    const [start, count] = sliceBounds(a.shape[dim], at.start, at.stop, at.step);
    const st = stridesOf(a.shape);
    const shape = a.shape.map((s, i) => (i === dim ? count : s));
    const strides = st.map((s, i) => (i === dim ? s * at.step : s));
    const [out, map] = gather(a, shape, strides, start * st[dim]);
    at.map = map;
    return out;
  },
  vjp: (out, _i, g, go, dst, doff) => scatterVjp(out, g, go, dst, doff),
  derivative: [d('slicing: the gradient goes back to the sliced elements, 0 elsewhere', '\\bar{A}[a{:}b] = \\bar{G},\\ 0\\ \\text{elsewhere}')],
});

/** Attributes of stack and cat: the ordered inputs and the dim. */
export interface JoinAttrs {
  readonly inputs: readonly Tensor[];
  readonly dim: number;
}

/** Copies the inputs side by side along `dim` of the output (`stacked`: each input adds a new dim of size 1). */
function joinForward(at: JoinAttrs, stacked: boolean): Tensor {
  const ts = at.inputs;
  const name = stacked ? 'stack' : 'cat';
  if (ts.length === 0) throw runtimeError(`${name} expects a non-empty TensorList`);
  const first = ts[0];
  if (!stacked) {
    ts.forEach((t, i) => {
      if (t.ndim === 0) throw runtimeError(`zero-dimensional tensor (at position ${i}) cannot be concatenated`);
    });
  }
  const ndimOut = stacked ? first.ndim + 1 : first.ndim;
  const dim = normDim(at.dim, ndimOut);
  const shapeOf = (t: Tensor): number[] => (stacked ? [...t.shape.slice(0, dim), 1, ...t.shape.slice(dim)] : [...t.shape]);
  const s0 = shapeOf(first);
  ts.forEach((t, i) => {
    const s = shapeOf(t);
    if (stacked && (t.ndim !== first.ndim || t.shape.some((x, j) => x !== first.shape[j])))
      throw runtimeError(
        `stack expects each tensor to be equal size, but got ${shapeList(first.shape)} at entry 0 and ${shapeList(t.shape)} at entry ${i}`,
      );
    if (!stacked) {
      if (s.length !== s0.length)
        throw runtimeError(
          `Tensors must have same number of dimensions: got ${s0.length} and ${s.length}`,
        );
      for (let j = 0; j < s.length; j++)
        if (j !== dim && s[j] !== s0[j])
          throw runtimeError(
            `Sizes of tensors must match except in dimension ${dim}. Expected size ${s0[j]} but got size ${s[j]} for tensor number ${i} in the list.`,
          );
    }
  });
  const outShape = [...s0];
  outShape[dim] = ts.reduce((p, t) => p + shapeOf(t)[dim], 0);
  let dtype = first.dtype;
  for (const t of ts) if (t.dtype === 'float64') dtype = 'float64';
  const out = empty(outShape, dtype);
  const outer = sizeOf(outShape.slice(0, dim));
  const inner = sizeOf(outShape.slice(dim + 1));
  const rowOut = outShape[dim] * inner;
  let col = 0;
  for (const t of ts) {
    const chunk = shapeOf(t)[dim] * inner;
    for (let o = 0; o < outer; o++)
      for (let c = 0; c < chunk; c++) out.buf[out.off + o * rowOut + col + c] = t.buf[t.off + o * chunk + c];
    col += chunk;
  }
  return out;
}

function joinVjp(out: Tensor, i: number, g: Buf, go: number, dst: Buf, doff: number, stacked: boolean): void {
  const at = out.attrs as JoinAttrs;
  const dim = normDim(at.dim, out.ndim);
  const outer = sizeOf(out.shape.slice(0, dim));
  const inner = sizeOf(out.shape.slice(dim + 1));
  const rowOut = out.shape[dim] * inner;
  const widthOf = (t: Tensor): number => (stacked ? 1 : t.shape[dim]) * inner;
  let col = 0;
  for (let j = 0; j < i; j++) col += widthOf(at.inputs[j]);
  const chunk = widthOf(at.inputs[i]);
  for (let o = 0; o < outer; o++)
    for (let c = 0; c < chunk; c++) dst[doff + o * chunk + c] = g[go + o * rowOut + col + c];
}

export const stackOp = registerOp({
  name: 'stack',
  symbol: 'stack',
  backwardName: 'StackBackward0',
  arity: -1,
  savesTensors: false,
  forward: (_a, _b, attrs) => joinForward(attrs as JoinAttrs, true),
  vjp: (out, i, g, go, dst, doff) => joinVjp(out, i, g, go, dst, doff, true),
  derivative: [d('stack: each input gets its slice of the gradient', '\\bar{A}_k = \\bar{G}[k]')],
});

export const catOp = registerOp({
  name: 'cat',
  symbol: 'cat',
  backwardName: 'CatBackward0',
  arity: -1,
  savesTensors: false,
  forward: (_a, _b, attrs) => joinForward(attrs as JoinAttrs, false),
  vjp: (out, i, g, go, dst, doff) => joinVjp(out, i, g, go, dst, doff, false),
  derivative: [d('cat: each input gets its slice of the gradient', '\\bar{A}_k = \\bar{G}[\\text{its rows}]')],
});
