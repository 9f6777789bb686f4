/**
 * Loops shared by elementwise ops: forward over one or two (broadcast)
 * inputs, and the matching VJP that sums the gradient back over broadcast
 * dimensions. Results are stored through the output's typed array, so a
 * float32 result is rounded once per element, as PyTorch stores it.
 */
import { Buf, DType, rounder } from '../dtype';
import { broadcastIndex, broadcastShapes, broadcastStrides, sameShape, suffixSize, sumToShape } from '../shape';
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
  } else if (a.size === n && suffixSize(b.shape, shape) > 0) {
    // b repeats along leading dims (a bias [N] against [B, N]): element k reads b[k % m].
    const m = b.size;
    for (let base = 0; base < n; base += m)
      for (let j = 0; j < m; j++) ob[oo + base + j] = f(ab[ao + base + j], bb[bo + j], r);
  } else if (b.size === n && suffixSize(a.shape, shape) > 0) {
    const m = a.size;
    for (let base = 0; base < n; base += m)
      for (let j = 0; j < m; j++) ob[oo + base + j] = f(ab[ao + j], bb[bo + base + j], r);
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
  if (a.size !== b.size) {
    // One operand full, the other repeated along leading dims (bias, scalar).
    if (a.size === n && suffixSize(b.shape, out.shape) > 0) {
      suffixVjp(out, i, 0, g, go, dst, doff, f, r);
      return;
    }
    if (b.size === n && suffixSize(a.shape, out.shape) > 0) {
      suffixVjp(out, i, 1, g, go, dst, doff, f, r);
      return;
    }
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

/** Column sums of suffixVjp (reused: VJPs never nest). */
let colAcc = new Float64Array(64);

/**
 * binaryVjp when input `full` has the output's size and the other input,
 * of size m, repeats along the leading dims (element k reads k % m), with
 * no index arrays. Bit for bit what the general path computes: each
 * per-element gradient is rounded to the output's dtype (there, by the
 * store into the scratch tensor), and the broadcast input's gradient sums
 * them element by element in order (as sumToShape: in the output's
 * precision, then cast to the input's by the store into dst).
 */
function suffixVjp(
  out: Tensor,
  i: number,
  full: 0 | 1,
  g: Buf,
  go: number,
  dst: Buf,
  doff: number,
  f: (gk: number, a: number, b: number, y: number, r: Round) => number,
  r: Round,
): void {
  const a = out.in0 as Tensor;
  const b = out.in1 as Tensor;
  const ab = a.buf;
  const bb = b.buf;
  const yb = out.buf;
  const ao = a.off;
  const bo = b.off;
  const yo = out.off;
  const n = out.size;
  const m = full === 0 ? b.size : a.size;
  if (i === full) {
    // Towards the full input: one gradient per element, no reduction.
    if (full === 0)
      for (let base = 0; base < n; base += m)
        for (let j = 0; j < m; j++) {
          const k = base + j;
          dst[doff + k] = r(f(g[go + k], ab[ao + k], bb[bo + j], yb[yo + k], r));
        }
    else
      for (let base = 0; base < n; base += m)
        for (let j = 0; j < m; j++) {
          const k = base + j;
          dst[doff + k] = r(f(g[go + k], ab[ao + j], bb[bo + k], yb[yo + k], r));
        }
    return;
  }
  const f32 = out.dtype === 'float32';
  if (m === 1) {
    // Towards a scalar: one sum over every element.
    let s = 0;
    if (full === 0) {
      const y = bb[bo];
      for (let k = 0; k < n; k++) {
        const v = r(f(g[go + k], ab[ao + k], y, yb[yo + k], r));
        s = f32 ? Math.fround(s + v) : s + v;
      }
    } else {
      const x = ab[ao];
      for (let k = 0; k < n; k++) {
        const v = r(f(g[go + k], x, bb[bo + k], yb[yo + k], r));
        s = f32 ? Math.fround(s + v) : s + v;
      }
    }
    dst[doff] = s;
    return;
  }
  // Towards a bias: column sums over the leading dims, rows in order.
  if (colAcc.length < m) colAcc = new Float64Array(m);
  const col = colAcc;
  col.fill(0, 0, m);
  for (let base = 0; base < n; base += m)
    for (let j = 0; j < m; j++) {
      const k = base + j;
      const v =
        full === 0
          ? r(f(g[go + k], ab[ao + k], bb[bo + j], yb[yo + k], r))
          : r(f(g[go + k], ab[ao + j], bb[bo + k], yb[yo + k], r));
      col[j] = f32 ? Math.fround(col[j] + v) : col[j] + v;
    }
  for (let j = 0; j < m; j++) dst[doff + j] = col[j];
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
