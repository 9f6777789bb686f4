/**
 * Shape arithmetic shared by the kernels: sizes, contiguous strides,
 * PyTorch's broadcasting rule, dimension wrapping, and the strided walks
 * that broadcasting and reductions need. Error messages are PyTorch's own.
 */
import { Buf } from './dtype';
import { indexError, runtimeError } from './errors';

export type Shape = readonly number[];

/** Shared shape of 0-dim tensors, so scalars allocate no array. */
export const SCALAR_SHAPE: Shape = Object.freeze([]) as Shape;

export function sizeOf(shape: Shape): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

export function stridesOf(shape: Shape): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

export function sameShape(a: Shape, b: Shape): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** `torch.Size([2, 3])` */
export function formatShape(shape: Shape): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** `[2, 3]` as PyTorch prints shapes inside error messages. */
export function shapeList(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

/** PyTorch's broadcasting: align trailing dims; each pair equal or one of them 1. */
export function broadcastShapes(a: Shape, b: Shape): Shape {
  if (sameShape(a, b)) return a;
  const n = Math.max(a.length, b.length);
  if (n === 0) return SCALAR_SHAPE;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const da = a.length - n + i >= 0 ? a[a.length - n + i] : 1;
    const db = b.length - n + i >= 0 ? b[b.length - n + i] : 1;
    if (da === db || db === 1) out[i] = da;
    else if (da === 1) out[i] = db;
    else
      throw runtimeError(
        `The size of tensor a (${da}) must match the size of tensor b (${db}) at non-singleton dimension ${i}`,
      );
  }
  return out;
}

/** Wraps a possibly negative dim, with PyTorch's IndexError when out of range. */
export function normDim(dim: number, ndim: number): number {
  const lo = ndim === 0 ? -1 : -ndim;
  const hi = ndim === 0 ? 0 : ndim - 1;
  if (!Number.isInteger(dim) || dim < lo || dim > hi)
    throw indexError(`Dimension out of range (expected to be in range of [${lo}, ${hi}], but got ${dim})`);
  return dim < 0 ? dim + Math.max(ndim, 1) : dim;
}

/**
 * Strides that read an input of shape `inShape` as if it had the broadcast
 * shape `outShape` (stride 0 along broadcast dims).
 */
export function broadcastStrides(inShape: Shape, outShape: Shape): number[] {
  const n = outShape.length;
  const st = stridesOf(inShape);
  const out = new Array<number>(n).fill(0);
  for (let i = 0; i < inShape.length; i++) {
    const o = n - inShape.length + i;
    out[o] = inShape[i] === 1 && outShape[o] !== 1 ? 0 : st[i];
  }
  return out;
}

/**
 * For every element of `outShape` (in row-major order), the offset into an
 * input read with `strides`. Used by broadcast kernels on non-trivial shapes.
 */
export function broadcastIndex(outShape: Shape, strides: number[]): Int32Array {
  const total = sizeOf(outShape);
  const idx = new Int32Array(total);
  const n = outShape.length;
  const counter = new Array<number>(n).fill(0);
  let off = 0;
  for (let k = 0; k < total; k++) {
    idx[k] = off;
    for (let d = n - 1; d >= 0; d--) {
      counter[d]++;
      off += strides[d];
      if (counter[d] < outShape[d]) break;
      off -= strides[d] * counter[d];
      counter[d] = 0;
    }
  }
  return idx;
}

/**
 * When `inShape` broadcasts to `outShape` only by repetition along leading
 * dims — its shape without leading 1s is a suffix of outShape: a bias [N]
 * or [1, N] against [B, N], a scalar against anything — element k of the
 * output reads element k % m of the input, m its size. Returns m (> 0), or
 * -1 for any other kind of broadcast (or an empty input). Broadcast kernels
 * take it as a fast path that needs no index arrays.
 */
export function suffixSize(inShape: Shape, outShape: Shape): number {
  let s = 0;
  while (s < inShape.length && inShape[s] === 1) s++;
  const k = inShape.length - s;
  const o = outShape.length - k;
  if (o < 0) return -1;
  let m = 1;
  for (let i = 0; i < k; i++) {
    const d = inShape[s + i];
    if (d !== outShape[o + i]) return -1;
    m *= d;
  }
  return m > 0 ? m : -1;
}

/** Column sums of sumToShape's fast path (reused: sums never nest). */
let colAcc = new Float64Array(64);

/**
 * Sums a gradient of the broadcast shape back to the input's shape (what
 * PyTorch's sum_to_size does in the backward of broadcasting ops).
 * Writes `sizeOf(inShape)` elements at dst[doff...].
 */
export function sumToShape(
  g: Buf,
  goff: number,
  outShape: Shape,
  inShape: Shape,
  dst: Buf,
  doff: number,
): void {
  const nIn = sizeOf(inShape);
  const nOut = sizeOf(outShape);
  if (nIn === nOut) {
    for (let i = 0; i < nIn; i++) dst[doff + i] = g[goff + i];
    return;
  }
  // Accumulate in the gradient's precision (PyTorch sums in the output's
  // dtype, then casts to the input's), element by element in order.
  const f32 = g instanceof Float32Array;
  const m = suffixSize(inShape, outShape);
  if (m > 0 && nOut > 0) {
    // Input element j sums g[j], g[m + j], g[2m + j], … — the order of the
    // index walk below, without its index array.
    if (m === 1) {
      let s = 0;
      if (f32) for (let k = 0; k < nOut; k++) s = Math.fround(s + g[goff + k]);
      else for (let k = 0; k < nOut; k++) s += g[goff + k];
      dst[doff] = s;
      return;
    }
    if (colAcc.length < m) colAcc = new Float64Array(m);
    const col = colAcc;
    col.fill(0, 0, m);
    for (let base = goff, end = goff + nOut; base < end; base += m) {
      if (f32) for (let j = 0; j < m; j++) col[j] = Math.fround(col[j] + g[base + j]);
      else for (let j = 0; j < m; j++) col[j] += g[base + j];
    }
    for (let j = 0; j < m; j++) dst[doff + j] = col[j];
    return;
  }
  const acc = new Float64Array(nIn);
  const idx = broadcastIndex(outShape, broadcastStrides(inShape, outShape));
  for (let k = 0; k < nOut; k++) {
    const j = idx[k];
    acc[j] = f32 ? Math.fround(acc[j] + g[goff + k]) : acc[j] + g[goff + k];
  }
  for (let i = 0; i < nIn; i++) dst[doff + i] = acc[i];
}
