/**
 * The core's public, torch-like functions. They turn Python-style arguments
 * (numbers mixed with tensors, dims, reductions) into registry ops, choosing
 * the variant PyTorch would record (1 - a is rsub, 2 / a is reciprocal then
 * mul, 2 ** a is pow with a constant base), so graphs and grad_fn names match.
 */
import { apply } from './apply';
import { runtimeError, typeError } from './errors';
import { addOp, divOp, mulOp, negOp, powOp, powTensorOp, reciprocalOp, rsubOp, subOp } from './ops/arith';
import { BceAttrs, bceLossOp, checkReduction, mseLossOp, nllLossOp } from './ops/loss';
import { matmulOp } from './ops/matmul';
import { ExtremeAttrs, maxOp, meanOp, minOp, reduceAttrs, sumOp } from './ops/reduce';
import {
  catOp,
  cloneOp,
  inferShape,
  isContiguous,
  JoinAttrs,
  permuteOp,
  PermuteAttrs,
  reshapeOp,
  selectOp,
  SelectAttrs,
  sliceOp,
  SliceAttrs,
  stackOp,
  transposeAttrs,
} from './ops/shape-ops';
import { logSoftmaxOp, softmaxOp } from './ops/softmax';
import {
  absOp,
  ClampAttrs,
  clampOp,
  cosOp,
  expOp,
  logOp,
  reluOp,
  sigmoidOp,
  sinOp,
  sqrtOp,
  tanhOp,
} from './ops/unary';
import { sameShape } from './shape';
import { scalar, Tensor } from './tensor';

export type TensorOrNumber = Tensor | number;

/** A Python number next to a tensor becomes a 0-dim constant of the tensor's dtype. */
function wrap(x: TensorOrNumber, like: Tensor): Tensor {
  return typeof x === 'number' ? scalar(x, like.dtype) : x;
}

function bothNumbers(op: string): Error {
  return typeError(`${op}: expected at least one tensor operand`);
}

export function add(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw bothNumbers('add');
    return apply(addOp, b, wrap(a, b), null);
  }
  return apply(addOp, a, wrap(b, a), null);
}

export function sub(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw bothNumbers('sub');
    return apply(rsubOp, b, null, a);
  }
  return apply(subOp, a, wrap(b, a), null);
}

export function mul(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw bothNumbers('mul');
    return apply(mulOp, b, wrap(a, b), null);
  }
  return apply(mulOp, a, wrap(b, a), null);
}

export function div(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw bothNumbers('div');
    // PyTorch's __rtruediv__: b.reciprocal() * a
    return apply(mulOp, apply(reciprocalOp, b, null, null), scalar(a, b.dtype), null);
  }
  return apply(divOp, a, wrap(b, a), null);
}

export const neg = (a: Tensor): Tensor => apply(negOp, a, null, null);
export const reciprocal = (a: Tensor): Tensor => apply(reciprocalOp, a, null, null);

export function pow(a: TensorOrNumber, b: TensorOrNumber): Tensor {
  if (typeof a === 'number') {
    if (typeof b === 'number') throw bothNumbers('pow');
    return apply(powTensorOp, scalar(a, b.dtype), b, null);
  }
  if (typeof b === 'number') return apply(powOp, a, null, b);
  return apply(powTensorOp, a, b, null);
}

export const exp = (a: Tensor): Tensor => apply(expOp, a, null, null);
export const log = (a: Tensor): Tensor => apply(logOp, a, null, null);
export const sqrt = (a: Tensor): Tensor => apply(sqrtOp, a, null, null);
export const abs = (a: Tensor): Tensor => apply(absOp, a, null, null);
export const sin = (a: Tensor): Tensor => apply(sinOp, a, null, null);
export const cos = (a: Tensor): Tensor => apply(cosOp, a, null, null);
export const tanh = (a: Tensor): Tensor => apply(tanhOp, a, null, null);
export const sigmoid = (a: Tensor): Tensor => apply(sigmoidOp, a, null, null);
export const relu = (a: Tensor): Tensor => apply(reluOp, a, null, null);

export function clamp(a: Tensor, min: number | null = null, max: number | null = null): Tensor {
  if (min === null && max === null) throw typeError("torch.clamp: At least one of 'min' or 'max' must not be None");
  const at: ClampAttrs = { min, max };
  return apply(clampOp, a, null, at);
}

export const matmul = (a: Tensor, b: Tensor): Tensor => apply(matmulOp, a, b, null);

export type Dim = number | readonly number[] | null;

export const sum = (a: Tensor, dim: Dim = null, keepdim = false): Tensor =>
  apply(sumOp, a, null, reduceAttrs(a.ndim, dim, keepdim));

export const mean = (a: Tensor, dim: Dim = null, keepdim = false): Tensor =>
  apply(meanOp, a, null, reduceAttrs(a.ndim, dim, keepdim));

/** torch.max(a) over all elements. */
export const max = (a: Tensor): Tensor => apply(maxOp, a, null, { dim: null, keepdim: false, indices: null });
export const min = (a: Tensor): Tensor => apply(minOp, a, null, { dim: null, keepdim: false, indices: null });

/** torch.max(a, dim): values and the index chosen along dim for each. */
export function maxDim(a: Tensor, dim: number, keepdim = false): { values: Tensor; indices: number[] } {
  return extremeDim(a, dim, keepdim, true);
}

export function minDim(a: Tensor, dim: number, keepdim = false): { values: Tensor; indices: number[] } {
  return extremeDim(a, dim, keepdim, false);
}

function extremeDim(a: Tensor, dimArg: number, keepdim: boolean, isMax: boolean) {
  const dim = reduceAttrs(a.ndim, dimArg, keepdim).dims as readonly number[];
  const at: ExtremeAttrs = { dim: dim[0], keepdim, indices: null };
  const values = apply(isMax ? maxOp : minOp, a, null, at);
  if (a.ndim === 0) return { values, indices: [0] };
  // Flat input index -> index along dim.
  const stride = a.shape.slice(dim[0] + 1).reduce((p, s) => p * s, 1);
  const indices = Array.from(at.indices as unknown as Int32Array, (k: number) => Math.floor(k / stride) % a.shape[dim[0]]);
  return { values, indices };
}

function permute(a: Tensor, at: PermuteAttrs): Tensor {
  return apply(permuteOp, a, null, at);
}

export const transpose = (a: Tensor, d0: number, d1: number): Tensor =>
  permute(a, transposeAttrs(a.ndim, d0, d1, 'TransposeBackward0'));

/** a.t(): 2-D transpose (0-D and 1-D pass through, as in PyTorch). */
export function t(a: Tensor): Tensor {
  if (a.ndim > 2) throw runtimeError(`t() expects a tensor with <= 2 dimensions, but self is ${a.ndim}D`);
  if (a.ndim < 2) return permute(a, { perm: a.shape.map((_s, i) => i), backwardName: 'TBackward0', map: new Int32Array(0) });
  return permute(a, transposeAttrs(2, 0, 1, 'TBackward0'));
}

/** a.T: all dims reversed. */
export const T = (a: Tensor): Tensor =>
  permute(a, { perm: a.shape.map((_s, i) => a.ndim - 1 - i), backwardName: 'PermuteBackward0', map: new Int32Array(0) });

/** a.clone() */
export const clone = (a: Tensor): Tensor => apply(cloneOp, a, null, null);

/** a.contiguous(): a copy when PyTorch's layout is transposed, else a itself. */
export const contiguous = (a: Tensor): Tensor => (isContiguous(a) ? a : clone(a));

/**
 * a.reshape(shape): a view when PyTorch could make one; for a transposed
 * (non-contiguous) tensor PyTorch copies first (CloneBackward0, then
 * UnsafeViewBackward0), and so do we.
 */
export function reshape(a: Tensor, shape: readonly number[]): Tensor {
  if (!isContiguous(a) && !sameShape(inferShape(shape, a.size), a.shape))
    return apply(reshapeOp, clone(a), null, { shape, backwardName: 'UnsafeViewBackward0' });
  return apply(reshapeOp, a, null, { shape, backwardName: 'ReshapeAliasBackward0' });
}

export function view(a: Tensor, shape: readonly number[]): Tensor {
  if (!isContiguous(a) && !sameShape(inferShape(shape, a.size), a.shape))
    throw runtimeError(
      "view size is not compatible with input tensor's size and stride (at least one dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    );
  return apply(reshapeOp, a, null, { shape, backwardName: 'ViewBackward0' });
}

/** a[index] along dim (an integer index removes the dim). */
export function select(a: Tensor, dim: number, index: number): Tensor {
  const at: SelectAttrs = { dim, index, map: new Int32Array(0) };
  return apply(selectOp, a, null, at);
}

/** a[start:stop:step] along dim. */
export function slice(a: Tensor, dim: number, start: number | null, stop: number | null, step = 1): Tensor {
  const at: SliceAttrs = { dim, start, stop, step, map: new Int32Array(0) };
  return apply(sliceOp, a, null, at);
}

export function stack(ts: readonly Tensor[], dim = 0): Tensor {
  const at: JoinAttrs = { inputs: ts, dim };
  return apply(stackOp, ts[0] ?? scalar(0), null, at);
}

export function cat(ts: readonly Tensor[], dim = 0): Tensor {
  const at: JoinAttrs = { inputs: ts, dim };
  return apply(catOp, ts[0] ?? scalar(0), null, at);
}

export const softmax = (a: Tensor, dim: number): Tensor => apply(softmaxOp, a, null, { dim });
export const logSoftmax = (a: Tensor, dim: number): Tensor => apply(logSoftmaxOp, a, null, { dim });

export const mseLoss = (input: Tensor, target: Tensor, reduction = 'mean'): Tensor =>
  apply(mseLossOp, input, target, { reduction: checkReduction(reduction) });

export const nllLoss = (logProbs: Tensor, target: readonly number[], reduction = 'mean'): Tensor =>
  apply(nllLossOp, logProbs, null, { target, reduction: checkReduction(reduction) });

/** cross_entropy = nll_loss(log_softmax(logits, class dim)), as PyTorch records it. */
export const crossEntropy = (logits: Tensor, target: readonly number[], reduction = 'mean'): Tensor =>
  nllLoss(logSoftmax(logits, logits.ndim === 1 ? 0 : 1), target, reduction);

export function binaryCrossEntropy(p: Tensor, target: Tensor, reduction = 'mean'): Tensor {
  const at: BceAttrs = { target, reduction: checkReduction(reduction) };
  return apply(bceLossOp, p, null, at);
}
