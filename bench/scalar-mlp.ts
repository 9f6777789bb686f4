/**
 * A micrograd-style MLP made of scalar nodes, built twice from the same
 * numbers: once with the core's API (c.scalar, c.mul, c.add, c.tanh,
 * c.sub, c.backward) and once on the flat tape. A neuron is
 * b + w₀x₀ + w₁x₁ + … (chained adds, as micrograd's `sum(…, self.b)`),
 * followed by tanh except in the last layer; the loss is Σ (out − y)² over
 * the batch. Everything is float64 so that both runs must agree bit for bit.
 */
import * as c from '../src/core';
import { FlatTape } from './flat-tape';

export interface ScalarMlpConfig {
  /** Layer widths, input first: [16, 64, 64, 1]. */
  readonly sizes: readonly number[];
  readonly batch: number;
  readonly seed: number;
}

export interface ScalarMlpData {
  readonly cfg: ScalarMlpConfig;
  /** Per layer, per neuron: nin weights followed by the bias. */
  readonly params: Float64Array[][];
  /** batch × sizes[0] inputs, row-major. */
  readonly xs: Float64Array;
  /** batch targets (one output). */
  readonly ys: Float64Array;
}

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function makeData(cfg: ScalarMlpConfig): ScalarMlpData {
  const r = rng(cfg.seed);
  const { sizes, batch } = cfg;
  const params: Float64Array[][] = [];
  for (let l = 1; l < sizes.length; l++) {
    const nin = sizes[l - 1];
    const scale = 1 / Math.sqrt(nin);
    const layer: Float64Array[] = [];
    for (let j = 0; j < sizes[l]; j++) layer.push(Float64Array.from({ length: nin + 1 }, () => (2 * r() - 1) * scale));
    params.push(layer);
  }
  const xs = Float64Array.from({ length: batch * sizes[0] }, () => 2 * r() - 1);
  const ys = Float64Array.from({ length: batch }, () => 2 * r() - 1);
  return { cfg, params, xs, ys };
}

/** Recorded nodes the model creates: per neuron nin muls, nin adds, 1 tanh (not in the last layer); 3 per sample for the loss. */
export function nodeCount(cfg: ScalarMlpConfig): number {
  const { sizes, batch } = cfg;
  let perSample = 0;
  for (let l = 1; l < sizes.length; l++) perSample += sizes[l] * (2 * sizes[l - 1] + (l < sizes.length - 1 ? 1 : 0));
  perSample += 3 * sizes[sizes.length - 1];
  // The first sample's loss term starts the running sum: one add fewer.
  return batch * perSample - 1;
}

// ---------------------------------------------------------------- core

export interface CoreModel {
  /** Leaves: per layer, per neuron, weights then bias. */
  readonly params: c.Tensor[][][];
  readonly xs: c.Tensor[];
  readonly ys: c.Tensor[];
}

export function coreModel(d: ScalarMlpData): CoreModel {
  const params = d.params.map((layer) =>
    layer.map((neuron) => Array.from(neuron, (v) => c.requiresGrad_(c.scalar(v, 'float64')))),
  );
  const xs = Array.from(d.xs, (v) => c.scalar(v, 'float64'));
  const ys = Array.from(d.ys, (v) => c.scalar(v, 'float64'));
  return { params, xs, ys };
}

/** Forward pass over the batch; returns the loss node. */
export function coreForward(m: CoreModel, cfg: ScalarMlpConfig): c.Tensor {
  const { sizes, batch } = cfg;
  const nl = sizes.length - 1;
  let loss: c.Tensor | null = null;
  for (let s = 0; s < batch; s++) {
    let act: c.Tensor[] = m.xs.slice(s * sizes[0], (s + 1) * sizes[0]);
    for (let l = 0; l < nl; l++) {
      const layer = m.params[l];
      const nin = sizes[l];
      const next: c.Tensor[] = new Array<c.Tensor>(layer.length);
      for (let j = 0; j < layer.length; j++) {
        const w = layer[j];
        let acc = w[nin];
        for (let i = 0; i < nin; i++) acc = c.add(acc, c.mul(w[i], act[i]));
        next[j] = l < nl - 1 ? c.tanh(acc) : acc;
      }
      act = next;
    }
    for (let o = 0; o < act.length; o++) {
      const diff = c.sub(act[o], m.ys[s * act.length + o]);
      const sq = c.mul(diff, diff);
      loss = loss === null ? sq : c.add(loss, sq);
    }
  }
  return loss as c.Tensor;
}

export function coreZeroGrad(m: CoreModel): void {
  for (const layer of m.params) for (const neuron of layer) for (const p of neuron) p.grad = null;
}

/** Parameter gradients in the data's order (weights then bias, neuron by neuron). */
export function coreGrads(m: CoreModel): Float64Array {
  const out: number[] = [];
  for (const layer of m.params) for (const neuron of layer) for (const p of neuron) out.push(p.grad ? p.grad.at(0) : 0);
  return Float64Array.from(out);
}

// ---------------------------------------------------------------- flat tape

export interface FlatModel {
  readonly tape: FlatTape;
  /** Slot of every parameter, in the data's order. */
  readonly params: Int32Array;
  /** First slot after the leaves: forward passes restart here. */
  readonly leafEnd: number;
  readonly xs: number;
  readonly ys: number;
}

export function flatModel(d: ScalarMlpData): FlatModel {
  const cap = nodeCount(d.cfg) + d.xs.length + d.ys.length + d.params.flat().reduce((n, p) => n + p.length, 0) + 16;
  const tape = new FlatTape(cap);
  const slots: number[] = [];
  for (const layer of d.params) for (const neuron of layer) for (const v of neuron) slots.push(tape.leaf(v));
  const xs = tape.n;
  for (const v of d.xs) tape.leaf(v);
  const ys = tape.n;
  for (const v of d.ys) tape.leaf(v);
  return { tape, params: Int32Array.from(slots), leafEnd: tape.n, xs, ys };
}

/** Forward pass on the tape; returns the loss slot. */
export function flatForward(m: FlatModel, cfg: ScalarMlpConfig): number {
  const { tape } = m;
  tape.truncate(m.leafEnd);
  const { sizes, batch } = cfg;
  const nl = sizes.length - 1;
  let act = new Int32Array(Math.max(...sizes));
  let next = new Int32Array(act.length);
  let loss = -1;
  for (let s = 0; s < batch; s++) {
    for (let i = 0; i < sizes[0]; i++) act[i] = m.xs + s * sizes[0] + i;
    let p = 0;
    for (let l = 0; l < nl; l++) {
      const nin = sizes[l];
      for (let j = 0; j < sizes[l + 1]; j++) {
        const w = m.params[p];
        let acc = m.params[p + nin];
        for (let i = 0; i < nin; i++) acc = tape.add(acc, tape.mul(w + i, act[i]));
        next[j] = l < nl - 1 ? tape.tanh(acc) : acc;
        p += nin + 1;
      }
      const t = act;
      act = next;
      next = t;
    }
    const nout = sizes[nl];
    for (let o = 0; o < nout; o++) {
      const diff = tape.sub(act[o], m.ys + s * nout + o);
      const sq = tape.mul(diff, diff);
      loss = loss < 0 ? sq : tape.add(loss, sq);
    }
  }
  return loss;
}

export function flatGrads(m: FlatModel): Float64Array {
  return Float64Array.from(m.params, (k) => m.tape.grad[k]);
}
