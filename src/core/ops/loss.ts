/**
 * Loss functions as PyTorch computes them: mse_loss, nll_loss (cross_entropy
 * is log_softmax followed by nll_loss, as in PyTorch's own graph) and
 * binary_cross_entropy (logs clamped at -100, gradient denominator clamped
 * at 1e-12). Class targets are plain integers, since the core has no integer
 * tensors.
 */
import { Buf, newBuf, rounder } from '../dtype';
import { indexError, runtimeError, valueError } from '../errors';
import { registerOp } from '../registry';
import { broadcastShapes, sameShape, SCALAR_SHAPE } from '../shape';
import { empty, Tensor } from '../tensor';

export type Reduction = 'mean' | 'sum' | 'none';

export function checkReduction(r: string): Reduction {
  if (r !== 'mean' && r !== 'sum' && r !== 'none') throw valueError(`${r} is not a valid value for reduction`);
  return r;
}

/** Reduces per-element losses held in `vals` into a new tensor of the right shape. */
function reduceLoss(vals: Buf, shape: readonly number[], dtype: 'float32' | 'float64', red: Reduction): Tensor {
  if (red === 'none') {
    const out = empty(shape, dtype);
    for (let k = 0; k < out.size; k++) out.buf[out.off + k] = vals[k];
    return out;
  }
  const r = rounder(dtype);
  let s = 0;
  for (let k = 0; k < vals.length; k++) s = r(s + vals[k]);
  const out = empty(SCALAR_SHAPE, dtype);
  out.buf[out.off] = red === 'mean' ? s / vals.length : s;
  return out;
}

/** The upstream gradient for element k of a reduced loss. */
function upstream(g: Buf, go: number, k: number, red: Reduction): number {
  return red === 'none' ? g[go + k] : g[go];
}

const d = (text: string, latex: string) => ({ text, latex });

export interface MseAttrs {
  readonly reduction: Reduction;
}

export const mseLossOp = registerOp({
  name: 'mse_loss',
  symbol: 'MSE',
  backwardName: 'MseLossBackward0',
  arity: 2,
  savesTensors: true,
  forward: (a, b, attrs) => {
    const t = b as Tensor;
    if (!sameShape(a.shape, t.shape)) broadcastShapes(a.shape, t.shape);
    if (!sameShape(a.shape, t.shape))
      throw runtimeError('mse_loss: input and target must have the same shape in Backprop Debugger');
    const r = rounder(a.dtype);
    const vals = newBuf(a.dtype, a.size);
    for (let k = 0; k < a.size; k++) {
      const diff = r(a.buf[a.off + k] - t.buf[t.off + k]);
      vals[k] = diff * diff;
    }
    return reduceLoss(vals, a.shape, a.dtype, (attrs as MseAttrs).reduction);
  },
  vjp: (out, i, g, go, dst, doff) => {
    const a = out.in0 as Tensor;
    const t = out.in1 as Tensor;
    const red = (out.attrs as MseAttrs).reduction;
    const r = rounder(a.dtype);
    // PyTorch: norm * (input - target) * grad, norm = 2/n for mean, 2 otherwise.
    const norm = r(red === 'mean' ? 2 / a.size : 2);
    for (let k = 0; k < a.size; k++) {
      const v = r(r(norm * r(a.buf[a.off + k] - t.buf[t.off + k])) * upstream(g, go, k, red));
      dst[doff + k] = i === 0 ? v : -v;
    }
  },
  derivative: [
    d('∂(mean (a−t)²)/∂aᵢ = 2(aᵢ−tᵢ)/n', '\\frac{\\partial}{\\partial a_i} \\frac{1}{n}\\sum (a-t)^2 = \\frac{2(a_i-t_i)}{n}'),
    d('∂(mean (a−t)²)/∂tᵢ = −2(aᵢ−tᵢ)/n', '\\frac{\\partial}{\\partial t_i} \\frac{1}{n}\\sum (a-t)^2 = -\\frac{2(a_i-t_i)}{n}'),
  ],
});

export interface NllAttrs {
  /** One class index per row. */
  readonly target: readonly number[];
  readonly reduction: Reduction;
}

/** Rows and classes of an nll_loss input: [N, C], or [C] for a single sample. */
function nllDims(a: Tensor, target: readonly number[]): [number, number] {
  if (a.ndim !== 1 && a.ndim !== 2) throw valueError(`Expected 1 or 2 dimensions (got ${a.ndim})`);
  const n = a.ndim === 2 ? a.shape[0] : 1;
  const c = a.shape[a.ndim - 1];
  if (target.length !== n) throw valueError(`Expected input batch_size (${n}) to match target batch_size (${target.length}).`);
  for (const t of target)
    if (!Number.isInteger(t) || t < 0 || t >= c) throw indexError(`Target ${t} is out of bounds.`);
  return [n, c];
}

export const nllLossOp = registerOp({
  name: 'nll_loss',
  symbol: 'NLL',
  backwardName: 'NllLossBackward0',
  arity: 1,
  savesTensors: true,
  forward: (a, _b, attrs) => {
    const at = attrs as NllAttrs;
    const [n, c] = nllDims(a, at.target);
    const vals = new Float64Array(n);
    for (let i = 0; i < n; i++) vals[i] = -a.buf[a.off + i * c + at.target[i]];
    return reduceLoss(vals, a.ndim === 2 ? [n] : [], a.dtype, at.reduction);
  },
  vjp: (out, _i, g, go, dst, doff) => {
    const a = out.in0 as Tensor;
    const at = out.attrs as NllAttrs;
    const [n, c] = nllDims(a, at.target);
    dst.fill(0, doff, doff + a.size);
    for (let i = 0; i < n; i++) {
      const gi = upstream(g, go, i, at.reduction);
      dst[doff + i * c + at.target[i]] = -(at.reduction === 'mean' ? gi / n : gi);
    }
  },
  derivative: [d('∂(−mean log pₜ)/∂log pᵢ,ₜ = −1/N at the target class, 0 elsewhere', '\\frac{\\partial \\ell}{\\partial \\log p_{i,t_i}} = -\\frac{1}{N}')],
});

/** PyTorch's Loss.cpp declares `constexpr float EPSILON = 1e-12`: float32, even for float64 inputs. */
const EPSILON = Math.fround(1e-12);

export interface BceAttrs {
  readonly target: Tensor;
  readonly reduction: Reduction;
}

export const bceLossOp = registerOp({
  name: 'binary_cross_entropy',
  symbol: 'BCE',
  backwardName: 'BinaryCrossEntropyBackward0',
  arity: 1,
  savesTensors: true,
  forward: (a, _b, attrs) => {
    const at = attrs as BceAttrs;
    const t = at.target;
    if (t.requiresGrad) throw runtimeError("the derivative for 'target' is not implemented.");
    if (!sameShape(a.shape, t.shape))
      throw valueError(
        `Using a target size (${formatSize(t.shape)}) that is different to the input size (${formatSize(a.shape)}) is deprecated. Please ensure they have the same size.`,
      );
    const r = rounder(a.dtype);
    const vals = new Float64Array(a.size);
    for (let k = 0; k < a.size; k++) {
      const x = a.buf[a.off + k];
      const y = t.buf[t.off + k];
      if (!(x >= 0 && x <= 1)) throw runtimeError('all elements of input should be between 0 and 1');
      const lx = Math.max(r(Math.log(x)), -100);
      const l1x = Math.max(r(Math.log(r(1 - x))), -100);
      vals[k] = r(-r(r(y * lx) + r(r(1 - y) * l1x)));
    }
    return reduceLoss(vals, a.shape, a.dtype, at.reduction);
  },
  vjp: (out, _i, g, go, dst, doff) => {
    const a = out.in0 as Tensor;
    const at = out.attrs as BceAttrs;
    const r = rounder(a.dtype);
    for (let k = 0; k < a.size; k++) {
      const x = a.buf[a.off + k];
      const y = at.target.buf[at.target.off + k];
      const v = r(r(upstream(g, go, k, at.reduction) * r(x - y)) / Math.max(r(r(1 - x) * x), EPSILON));
      dst[doff + k] = at.reduction === 'mean' ? v / a.size : v;
    }
  },
  derivative: [d('∂BCE/∂pᵢ = (pᵢ − tᵢ) / (pᵢ(1 − pᵢ)) / n', '\\frac{\\partial \\ell}{\\partial p_i} = \\frac{p_i - t_i}{p_i(1-p_i)\\,n}')],
});

function formatSize(shape: readonly number[]): string {
  return `torch.Size([${shape.join(', ')}])`;
}
