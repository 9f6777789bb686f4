/**
 * Dense workloads through the core's API, in float32:
 * - one matmul, forward and backward (both operands require grad);
 * - a 784-128-10 MLP step: relu(X·W1 + b1)·W2 + b2, cross-entropy, backward.
 * FLOPs follow the usual convention: forward 2·M·N·K per matmul, backward
 * twice that, so GFLOP/s of different libraries compare as inverse times.
 */
import * as c from '../src/core';
import { rng } from './scalar-mlp';

export interface MatmulShape {
  readonly m: number;
  readonly k: number;
  readonly n: number;
}

export interface MlpShape {
  readonly batch: number;
  readonly sizes: readonly [number, number, number];
}

export const matmulFlops = (s: MatmulShape): number => 3 * 2 * s.m * s.n * s.k;

/** Matmul flops of one forward+backward MLP step (same convention as matmulFlops). */
export function mlpFlops(s: MlpShape): number {
  const [a, b, d] = s.sizes;
  return 3 * 2 * s.batch * (a * b + b * d);
}

function randomTensor(shape: number[], r: () => number, scale: number): c.Tensor {
  const n = shape.reduce((p, x) => p * x, 1);
  const v = new Float32Array(n);
  for (let i = 0; i < n; i++) v[i] = (2 * r() - 1) * scale;
  return c.fromValues(v, shape, 'float32');
}

export interface MatmulCase {
  step(): void;
}

export function matmulCase(s: MatmulShape, seed = 1): MatmulCase {
  const r = rng(seed);
  const a = c.requiresGrad_(randomTensor([s.m, s.k], r, 1));
  const b = c.requiresGrad_(randomTensor([s.k, s.n], r, 1));
  const g = randomTensor([s.m, s.n], r, 1);
  return {
    step() {
      a.grad = null;
      b.grad = null;
      const out = c.matmul(a, b);
      c.backward(out, { gradient: g });
    },
  };
}

export interface MlpCase {
  step(): number;
}

export function mlpCase(s: MlpShape, seed = 2): MlpCase {
  const r = rng(seed);
  const [din, dh, dout] = s.sizes;
  const x = randomTensor([s.batch, din], r, 1);
  const w1 = c.requiresGrad_(randomTensor([din, dh], r, 1 / Math.sqrt(din)));
  const b1 = c.requiresGrad_(randomTensor([dh], r, 0.1));
  const w2 = c.requiresGrad_(randomTensor([dh, dout], r, 1 / Math.sqrt(dh)));
  const b2 = c.requiresGrad_(randomTensor([dout], r, 0.1));
  const target = Array.from({ length: s.batch }, () => Math.floor(r() * dout));
  const params = [w1, b1, w2, b2];
  return {
    step() {
      for (const p of params) p.grad = null;
      const h = c.relu(c.add(c.matmul(x, w1), b1));
      const logits = c.add(c.matmul(h, w2), b2);
      const loss = c.crossEntropy(logits, target);
      c.backward(loss);
      return loss.at(0);
    },
  };
}
