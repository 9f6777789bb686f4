/**
 * Loops shared by elementwise ops: forward over one or two (broadcast)
 * inputs, and the matching VJP that sums the gradient back over broadcast
 * dimensions. Results are stored through the output's typed array, so a
 * float32 result is rounded once per element, as PyTorch stores it.
 */
import { Buf, DType, rounder } from '../dtype';
import { broadcastIndex, broadcastShapes, broadcastStrides, sameShape, sumToShape } from '../shape';
import { copyOf, empty, Tensor } from '../tensor';

/**
 * PyTorch's type promotion among float tensors: a tensor with dimensions
 * outranks a 0-dim tensor (Python numbers are wrapped as 0-dim tensors of
 * the other operand's dtype); equal ranks take the wider dtype.
 */
export function promote(a: Tensor, b: Tensor): DType {
  if (a.dtype === b.dtype) return a.dtype;
  const ra = a.ndim > 0;
  const rb = b.ndim > 0;
  if (ra !== rb) return ra ? a.dtype : b.dtype;
  return 'float64';
}

/** Rounding after an intermediate step of a kernel (Math.fround for float32). */
export type Round = (v: number) => number;

/**
 * Kernels receive the dtype's rounding `r` as an argument rather than
 * capturing it, so they can be module-level functions: no closure is
 * allocated per op, which matters on graphs of a million scalar nodes.
 */
export function unaryMap(a: Tensor, f: (x: number, r: Round, attrs: unknown) => number, attrs: unknown = null): Tensor {
  const out = empty(a.shape, a.dtype);
  const r = rounder(a.dtype);
  const ab = a.buf;
  const ob = out.buf;
  for (let i = 0, ao = a.off, oo = out.off; i < a.size; i++) ob[oo + i] = f(ab[ao + i], r, attrs);
  return out;
}

/** Offsets of each output element into a and b when they broadcast. */
function broadcastPair(a: Tensor, b: Tensor, shape: readonly number[]): [Int32Array, Int32Array] {
  return [
    broadcastIndex(shape, broadcastStrides(a.shape, shape)),
    broadcastIndex(shape, broadcastStrides(b.shape, shape)),
  ];
}

export function binaryMap(a: Tensor, b: Tensor, f: (x: number, y: number, r: Round) => number): Tensor {
  // PyTorch casts both operands to the result dtype before computing.
  const dt = promote(a, b);
  if (a.dtype !== dt) a = copyOf(a, dt);
  if (b.dtype !== dt) b = copyOf(b, dt);
  if (a.ndim === 0 && b.ndim === 0) {
    const o = empty(a.shape, promote(a, b));
    o.buf[o.off] = f(a.buf[a.off], b.buf[b.off], rounder(o.dtype));
    return o;
  }
  const shape = broadcastShapes(a.shape, b.shape);
  const out = empty(shape, promote(a, b));
  const r = rounder(out.dtype);
  const ab = a.buf;
  const bb = b.buf;
  const ob = out.buf;
  const ao = a.off;
  const bo = b.off;
  const oo = out.off;
  const n = out.size;
  if (a.size === n && b.size === n && sameShape(a.shape, b.shape)) {
    for (let i = 0; i < n; i++) ob[oo + i] = f(ab[ao + i], bb[bo + i], r);
  } else if (b.size === 1 && a.size === n) {
    const y = bb[bo];
    for (let i = 0; i < n; i++) ob[oo + i] = f(ab[ao + i], y, r);
  } else if (a.size === 1 && b.size === n) {
    const x = ab[ao];
    for (let i = 0; i < n; i++) ob[oo + i] = f(x, bb[bo + i], r);
  } else {
    const [ia, ib] = broadcastPair(a, b, shape);
    for (let i = 0; i < n; i++) ob[oo + i] = f(ab[ao + ia[i]], bb[bo + ib[i]], r);
  }
  return out;
}

/**
 * VJP of a unary elementwise op: dst[k] = f(g[k], x[k], y[k]) where x is the
 * input and y the output. Computed in the output's dtype.
 */
export function unaryVjp(
  out: Tensor,
  g: Buf,
  go: number,
  dst: Buf,
  doff: number,
  f: (gk: number, x: number, y: number, r: Round, attrs: unknown) => number,
): void {
  const a = out.in0 as Tensor;
  const ab = a.buf;
  const yb = out.buf;
  const r = rounder(out.dtype);
  const at = out.attrs;
  for (let k = 0, ao = a.off, yo = out.off; k < out.size; k++) dst[doff + k] = f(g[go + k], ab[ao + k], yb[yo + k], r, at);
}

/**
 * VJP of a binary elementwise op towards input i: the per-element gradient
 * f(g, a, b, y) in the output's shape, then summed back to input i's shape
 * when it was broadcast.
 */
export function binaryVjp(
  out: Tensor,
  i: number,
  g: Buf,
  go: number,
  dst: Buf,
  doff: number,
  f: (gk: number, a: number, b: number, y: number, r: Round) => number,
): void {
  const r = rounder(out.dtype);
  const a = out.in0 as Tensor;
  const b = out.in1 as Tensor;
  const target = i === 0 ? a : b;
  const n = out.size;
  const ab = a.buf;
  const bb = b.buf;
  const yb = out.buf;
  const ao = a.off;
  const bo = b.off;
  const yo = out.off;
  if (n === 1) {
    dst[doff] = r(f(g[go], ab[ao], bb[bo], yb[yo], r));
    return;
  }
  // Straight into dst only when no reduction or dtype cast is needed: PyTorch
  // computes the gradient in the output's dtype, sums broadcast dims, then casts.
  const direct = target.size === n && target.dtype === out.dtype;
  const scratch = direct ? null : empty(out.shape, out.dtype);
  const tmp = scratch === null ? dst : scratch.buf;
  const to = scratch === null ? doff : scratch.off;
  if (a.size === n && b.size === n) {
    for (let k = 0; k < n; k++) tmp[to + k] = f(g[go + k], ab[ao + k], bb[bo + k], yb[yo + k], r);
  } else {
    const [ia, ib] = broadcastPair(a, b, out.shape);
    for (let k = 0; k < n; k++) tmp[to + k] = f(g[go + k], ab[ao + ia[k]], bb[bo + ib[k]], yb[yo + k], r);
  }
  if (scratch !== null) sumToShape(tmp, to, out.shape, target.shape, dst, doff);
}

/**
 * The local derivative of a binary elementwise op towards input i, as a
 * tensor of the output's shape: d(a, b, y) per element.
 */
export function binaryLocal(out: Tensor, d: (a: number, b: number, y: number, r: Round) => number): Tensor {
  const r = rounder(out.dtype);
  const a = out.in0 as Tensor;
  const b = out.in1 as Tensor;
  const res = empty(out.shape, out.dtype);
  const [ia, ib] = broadcastPair(a, b, out.shape);
  for (let k = 0; k < out.size; k++)
    res.buf[res.off + k] = d(a.buf[a.off + ia[k]], b.buf[b.off + ib[k]], out.buf[out.off + k], r);
  return res;
}

export function unaryLocal(out: Tensor, d: (x: number, y: number, r: Round, attrs: unknown) => number): Tensor {
  const r = rounder(out.dtype);
  const a = out.in0 as Tensor;
  const res = empty(out.shape, out.dtype);
  for (let k = 0; k < out.size; k++) res.buf[res.off + k] = d(a.buf[a.off + k], out.buf[out.off + k], r, out.attrs);
  return res;
}
