/**
 * torch.matmul with its rules: 1-D·1-D is a dot product, 2-D@2-D a matrix
 * product, a 1-D operand is treated as a row (left) or column (right) vector
 * whose dimension is removed again, and more dimensions are batches that
 * broadcast. Backward: dA = G·Bᵀ, dB = Aᵀ·G, summed over broadcast batches.
 */
import { DType } from '../dtype';
import { runtimeError } from '../errors';
import { registerOp, SAVES_IN0, SAVES_IN1 } from '../registry';
import { broadcastIndex, broadcastShapes, broadcastStrides, Shape, sizeOf } from '../shape';
import { empty, Tensor } from '../tensor';
import { backend } from '../backends/backend';
import { promote } from './elementwise';

interface MatmulPlan {
  n: number;
  k: number;
  m: number;
  batch: Shape;
  /** For each output batch, the batch offset (in matrices) into A and into B. */
  aBatch: Int32Array;
  bBatch: Int32Array;
  outShape: Shape;
}

function plan(a: Shape, b: Shape): MatmulPlan {
  if (a.length === 0 || b.length === 0)
    throw runtimeError(`both arguments to matmul need to be at least 1D, but they are ${a.length}D and ${b.length}D`);
  const n = a.length === 1 ? 1 : a[a.length - 2];
  const k = a[a.length - 1];
  const kb = b.length === 1 ? b[0] : b[b.length - 2];
  const m = b.length === 1 ? 1 : b[b.length - 1];
  if (k !== kb) {
    if (a.length === 1 && b.length === 1)
      throw runtimeError(
        `inconsistent tensor size, expected tensor [${k}] and src [${kb}] to have the same number of elements, but got ${k} and ${kb} elements respectively`,
      );
    const rows = a.length === 1 ? `1x${k}` : `${sizeOf(a) / k}x${k}`;
    const cols = b.length === 1 ? `${kb}x1` : `${kb}x${m}`;
    throw runtimeError(`mat1 and mat2 shapes cannot be multiplied (${rows} and ${cols})`);
  }
  const ba = a.length > 2 ? a.slice(0, -2) : [];
  const bb = b.length > 2 ? b.slice(0, -2) : [];
  const batch = broadcastShapes(ba, bb);
  const idx = (s: Shape): Int32Array =>
    s.length === 0 && batch.length === 0
      ? new Int32Array(1)
      : broadcastIndex(batch, broadcastStrides(s, batch));
  const outShape: number[] = [...batch];
  if (a.length > 1) outShape.push(n);
  if (b.length > 1) outShape.push(m);
  return { n, k, m, batch, aBatch: idx(ba), bBatch: idx(bb), outShape };
}

function matmulForward(a: Tensor, b: Tensor): Tensor {
  const p = plan(a.shape, b.shape);
  const dtype: DType = promote(a, b);
  const out = empty(p.outShape, dtype);
  const nb = sizeOf(p.batch);
  const be = backend();
  for (let t = 0; t < nb; t++)
    be.gemm(
      false,
      false,
      p.n,
      p.m,
      p.k,
      a.buf,
      a.off + p.aBatch[t] * p.n * p.k,
      b.buf,
      b.off + p.bBatch[t] * p.k * p.m,
      out.buf,
      out.off + t * p.n * p.m,
      false,
    );
  return out;
}

function backwardName(out: Tensor): string {
  const a = (out.in0 as Tensor).ndim;
  const b = (out.in1 as Tensor).ndim;
  if (a === 1 && b === 1) return 'DotBackward0';
  if (a === 2 && b === 2) return 'MmBackward0';
  if (a === 2 && b === 1) return 'MvBackward0';
  if (a === 1 && b === 2) return 'SqueezeBackward3';
  // PyTorch 1.13 computes 2-D @ batched as a transposed product, then copies.
  if (a === 2 && b >= 3) return 'CloneBackward0';
  return 'UnsafeViewBackward0';
}

export const matmulOp = registerOp({
  name: 'matmul',
  symbol: '@',
  backwardName,
  arity: 2,
  savesTensors: true,
  saves: (out) => ((out.in0 as Tensor).requiresGrad ? SAVES_IN1 : 0) | ((out.in1 as Tensor).requiresGrad ? SAVES_IN0 : 0),
  forward: (a, b) => matmulForward(a, b as Tensor),
  vjp: (out, i, g, go, dst, doff) => {
    const a = out.in0 as Tensor;
    const b = out.in1 as Tensor;
    const p = plan(a.shape, b.shape);
    const nb = sizeOf(p.batch);
    const target = i === 0 ? a : b;
    dst.fill(0, doff, doff + target.size);
    const be = backend();
    // dA[n×k] += G[n×m] · B[k×m]ᵀ ;  dB[k×m] += A[n×k]ᵀ · G[n×m]
    for (let t = 0; t < nb; t++) {
      const gOff = go + t * p.n * p.m;
      const aOff = a.off + p.aBatch[t] * p.n * p.k;
      const bOff = b.off + p.bBatch[t] * p.k * p.m;
      if (i === 0)
        be.gemm(false, true, p.n, p.k, p.m, g, gOff, b.buf, bOff, dst, doff + p.aBatch[t] * p.n * p.k, true);
      else be.gemm(true, false, p.k, p.m, p.n, a.buf, aOff, g, gOff, dst, doff + p.bBatch[t] * p.k * p.m, true);
    }
  },
  derivative: [
    d('∂(A@B)/∂A: Ā = Ḡ·Bᵀ', '\\bar{A} = \\bar{G}\\,B^{\\top}'),
    d('∂(A@B)/∂B: B̄ = Aᵀ·Ḡ', '\\bar{B} = A^{\\top}\\,\\bar{G}'),
  ],
});

function d(text: string, latex: string) {
  return { text, latex };
}
