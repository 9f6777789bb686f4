/**
 * softmax and log_softmax along a dim, computed as PyTorch's CPU kernels do
 * (subtract the max, exponentiate, normalize), with their backward formulas:
 * softmax: y ⊙ (g − Σ g⊙y); log_softmax: g − exp(y) ⊙ Σ g.
 */
import { Buf, rounder } from '../dtype';
import { registerOp, SAVES_OUT } from '../registry';
import { normDim, sizeOf } from '../shape';
import { empty, Tensor } from '../tensor';

export interface SoftmaxAttrs {
  readonly dim: number;
}

/** Calls fn(base, stride, n) for every lane along `dim` of `shape`. */
function lanes(shape: readonly number[], dimArg: number, fn: (base: number, stride: number, n: number) => void): void {
  if (shape.length === 0) {
    fn(0, 1, 1);
    return;
  }
  const dim = normDim(dimArg, shape.length);
  const n = shape[dim];
  const inner = sizeOf(shape.slice(dim + 1));
  const outer = sizeOf(shape.slice(0, dim));
  for (let o = 0; o < outer; o++) for (let i = 0; i < inner; i++) fn(o * n * inner + i, inner, n);
}

function softmaxForward(a: Tensor, dim: number, log: boolean): Tensor {
  const out = empty(a.shape, a.dtype);
  const r = rounder(a.dtype);
  const x = a.buf;
  const y = out.buf;
  lanes(a.shape, dim, (base, stride, n) => {
    let max = -Infinity;
    for (let j = 0; j < n; j++) {
      const v = x[a.off + base + j * stride];
      if (v > max || v !== v) max = v;
    }
    let sum = 0;
    for (let j = 0; j < n; j++) sum = r(sum + r(Math.exp(r(x[a.off + base + j * stride] - max))));
    if (log) {
      const lse = r(Math.log(sum));
      for (let j = 0; j < n; j++) y[out.off + base + j * stride] = r(x[a.off + base + j * stride] - max) - lse;
    } else {
      const inv = r(1 / sum);
      for (let j = 0; j < n; j++) y[out.off + base + j * stride] = r(Math.exp(r(x[a.off + base + j * stride] - max))) * inv;
    }
  });
  return out;
}

function softmaxVjp(out: Tensor, g: Buf, go: number, dst: Buf, doff: number, log: boolean): void {
  const r = rounder(out.dtype);
  const y = out.buf;
  lanes(out.shape, (out.attrs as SoftmaxAttrs).dim, (base, stride, n) => {
    let s = 0;
    if (log) {
      for (let j = 0; j < n; j++) s = r(s + g[go + base + j * stride]);
      for (let j = 0; j < n; j++) {
        const k = base + j * stride;
        // PyTorch's kernel fuses grad - exp(y) * sum (one rounding); exp(y) itself is rounded.
        dst[doff + k] = g[go + k] - r(Math.exp(y[out.off + k])) * s;
      }
    } else {
      for (let j = 0; j < n; j++) s = r(s + r(g[go + base + j * stride] * y[out.off + base + j * stride]));
      for (let j = 0; j < n; j++) {
        const k = base + j * stride;
        dst[doff + k] = y[out.off + k] * r(g[go + k] - s);
      }
    }
  });
}

const d = (text: string, latex: string) => ({ text, latex });

export const softmaxOp = registerOp({
  name: 'softmax',
  symbol: 'softmax',
  backwardName: 'SoftmaxBackward0',
  arity: 1,
  savesTensors: true,
  saves: () => SAVES_OUT,
  forward: (a, _b, attrs) => softmaxForward(a, (attrs as SoftmaxAttrs).dim, false),
  vjp: (out, _i, g, go, dst, doff) => softmaxVjp(out, g, go, dst, doff, false),
  derivative: [
    d('∂yᵢ/∂aⱼ = yᵢ(δᵢⱼ − yⱼ), so ā = y ⊙ (ḡ − Σ ḡ⊙y)', '\\bar{a} = y \\odot \\left(\\bar{g} - \\textstyle\\sum_j \\bar{g}_j y_j\\right)'),
  ],
});

export const logSoftmaxOp = registerOp({
  name: 'log_softmax',
  symbol: 'log_softmax',
  backwardName: 'LogSoftmaxBackward0',
  arity: 1,
  savesTensors: true,
  saves: () => SAVES_OUT,
  forward: (a, _b, attrs) => softmaxForward(a, (attrs as SoftmaxAttrs).dim, true),
  vjp: (out, _i, g, go, dst, doff) => softmaxVjp(out, g, go, dst, doff, true),
  derivative: [
    d('∂yᵢ/∂aⱼ = δᵢⱼ − softmax(a)ⱼ, so ā = ḡ − eʸ ⊙ Σ ḡ', '\\bar{a} = \\bar{g} - e^{y} \\textstyle\\sum_j \\bar{g}_j'),
  ],
});
