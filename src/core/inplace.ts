/**
 * In-place updates and aliasing, with PyTorch's guards: an in-place change
 * bumps the version counter (so a stale saved tensor is caught at backward),
 * a leaf that requires grad may only be changed under no_grad, detach()
 * shares storage and version counter, `.data` shares storage only.
 */
import { isGradEnabled } from './grad-mode';
import { runtimeError } from './errors';
import { broadcastIndex, broadcastShapes, broadcastStrides, sameShape, shapeList } from './shape';
import { scalar, Tensor, versionOwner } from './tensor';

function guard(t: Tensor): void {
  if (!isGradEnabled() || !t.requiresGrad) return;
  if (t.op === null) throw runtimeError('a leaf Variable that requires grad is being used in an in-place operation.');
  // PyTorch rebases the graph here; Backprop Debugger keeps graphs immutable.
  throw runtimeError(
    'in-place operations on tensors that are part of the autograd graph are not supported by Backprop Debugger; write `x = x + y` instead of `x += y` (under torch.no_grad() they are fine)',
  );
}

function bump(t: Tensor): void {
  versionOwner(t).version++;
}

/** t[i] = f(t[i], other[i]) for every element of t, with other broadcast to t's shape. */
function update(t: Tensor, other: Tensor | number, f: (x: number, y: number) => number): Tensor {
  guard(t);
  const o = typeof other === 'number' ? scalar(other, t.dtype) : other;
  const shape = broadcastShapes(t.shape, o.shape);
  if (!sameShape(shape, t.shape))
    throw runtimeError(
      `output with shape ${shapeList(t.shape)} doesn't match the broadcast shape ${shapeList(shape)}`,
    );
  if (o.size === t.size) {
    // Read `other` first: it may alias t.
    const vals = o.values();
    for (let i = 0; i < t.size; i++) t.buf[t.off + i] = f(t.buf[t.off + i], vals[i]);
  } else {
    const idx = broadcastIndex(t.shape, broadcastStrides(o.shape, t.shape));
    for (let i = 0; i < t.size; i++) t.buf[t.off + i] = f(t.buf[t.off + i], o.buf[o.off + idx[i]]);
  }
  bump(t);
  return t;
}

export const addInPlace = (t: Tensor, o: Tensor | number): Tensor => update(t, o, (x, y) => x + y);
export const subInPlace = (t: Tensor, o: Tensor | number): Tensor => update(t, o, (x, y) => x - y);
export const mulInPlace = (t: Tensor, o: Tensor | number): Tensor => update(t, o, (x, y) => x * y);
export const divInPlace = (t: Tensor, o: Tensor | number): Tensor => update(t, o, (x, y) => x / y);
/** t.copy_(src) */
export const copyInPlace = (t: Tensor, o: Tensor | number): Tensor => update(t, o, (_x, y) => y);

/** t.zero_() */
export function zeroInPlace(t: Tensor): Tensor {
  guard(t);
  t.buf.fill(0, t.off, t.off + t.size);
  bump(t);
  return t;
}

/** t.fill_(v) */
export function fillInPlace(t: Tensor, v: number): Tensor {
  guard(t);
  t.buf.fill(v, t.off, t.off + t.size);
  bump(t);
  return t;
}

/** t.detach(): same storage and version counter, out of the graph. */
export function detach(t: Tensor): Tensor {
  const d = new Tensor(t.shape, t.size, t.dtype, t.buf, t.off);
  d.meta = { base: versionOwner(t) };
  return d;
}

/** t.data: same storage, but a version counter of its own (changes through it are invisible to autograd). */
export function dataOf(t: Tensor): Tensor {
  return new Tensor(t.shape, t.size, t.dtype, t.buf, t.off);
}

/**
 * t.data = src: t now shares src's storage (PyTorch's set_data; no version
 * bump). PyTorch also lets the shape and dtype change; here they must match.
 */
export function setData(t: Tensor, src: Tensor): void {
  if (!sameShape(t.shape, src.shape) || t.dtype !== src.dtype)
    throw runtimeError(
      `Backprop Debugger can only assign .data of the same shape and dtype (${shapeList(t.shape)} ${t.dtype}, got ${shapeList(src.shape)} ${src.dtype})`,
    );
  t.buf = src.buf;
  t.off = src.off;
}

/** t.requires_grad_(flag) */
export function requiresGrad_(t: Tensor, flag = true): Tensor {
  if (t.op !== null && !flag)
    throw runtimeError(
      'you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn\'t require differentiation use var_no_grad = var.detach().',
    );
  if (t.op === null) t.requiresGrad = flag;
  return t;
}

/** t.retain_grad() */
export function retainGrad(t: Tensor): void {
  if (!t.requiresGrad) throw runtimeError("can't retain_grad on Tensor that has requires_grad=False");
  if (t.op === null) return;
  t.meta = { ...(t.meta ?? {}), retainsGrad: true };
}
