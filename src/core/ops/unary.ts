/**
 * Elementwise functions: exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu,
 * clamp. Each backward uses the same formula and evaluation order as
 * PyTorch's (e.g. tanh: grad * (1 - y*y); sigmoid: grad * (1 - y) * y).
 */
import { Buf } from '../dtype';
import { Derivative, OpDef, registerOp, SAVES_IN0, SAVES_OUT } from '../registry';
import { empty, Tensor } from '../tensor';
import { Round, unaryLocal, unaryMap, unaryVjp } from './elementwise';

/**
 * Declares a unary elementwise op from its value and its local derivative
 * `local(x, y, r)` (x input, y output, r the dtype's rounding): the VJP is
 * grad * local, computed as PyTorch does unless `vjp` gives the exact order.
 */
function unaryOp(spec: {
  name: string;
  symbol?: string;
  backwardName: string;
  f: (x: number, r: Round) => number;
  local: (x: number, y: number, r: Round) => number;
  vjp?: (g: number, x: number, y: number, r: Round) => number;
  derivative: Derivative;
  /** The backward reads the output (exp, sqrt, tanh, sigmoid, relu) rather than the input. */
  savesResult?: boolean;
  /**
   * Hot ops: the forward and the VJP as loops of their own (`f` and the
   * VJP formula written inline, same formulas and roundings), instead of
   * the shared loops' per-element call of a kernel, which is megamorphic.
   */
  loops?: { forward(a: Tensor): Tensor; vjp(out: Tensor, g: Buf, go: number, dst: Buf, doff: number): void };
}): OpDef {
  // Built once per op, so running the op allocates no closure.
  const f = spec.f;
  const local = (x: number, y: number, r: Round): number => r(spec.local(x, y, r));
  const v = spec.vjp;
  const grad = v ? v : (gk: number, x: number, y: number, r: Round): number => gk * local(x, y, r);
  const loops = spec.loops;
  return registerOp({
    name: spec.name,
    symbol: spec.symbol ?? spec.name,
    backwardName: spec.backwardName,
    arity: 1,
    savesTensors: true,
    saves: spec.savesResult ? () => SAVES_OUT : () => SAVES_IN0,
    forward: loops ? loops.forward : (a) => unaryMap(a, f),
    vjp: loops
      ? (out, _i, g, go, dst, doff) => loops.vjp(out, g, go, dst, doff)
      : (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, grad),
    derivative: [spec.derivative],
    localGrad: (out) => unaryLocal(out, local),
  });
}

const d = (text: string, latex: string): Derivative => ({ text, latex });

/*
 * Own loops of the hot ops. Each writes through the output's (or the
 * gradient's) typed array, which rounds a float32 result once per element
 * as the shared loops do; the formulas are their kernels' below, with `r`
 * spelled out as Math.fround (float32) or nothing (float64). In a unary
 * op's VJP, the gradient, the input and the output share one dtype.
 */

function expForward(a: Tensor): Tensor {
  const out = empty(a.shape, a.dtype);
  const ab = a.buf;
  const ob = out.buf;
  const ao = a.off;
  const oo = out.off;
  for (let i = 0, n = a.size; i < n; i++) ob[oo + i] = Math.exp(ab[ao + i]);
  return out;
}

/** grad * y: the kernel's local(x, y) is y, already of the dtype. */
function expVjp(out: Tensor, g: Buf, go: number, dst: Buf, doff: number): void {
  const yb = out.buf;
  const yo = out.off;
  for (let k = 0, n = out.size; k < n; k++) dst[doff + k] = g[go + k] * yb[yo + k];
}

function tanhForward(a: Tensor): Tensor {
  const out = empty(a.shape, a.dtype);
  const ab = a.buf;
  const ob = out.buf;
  const ao = a.off;
  const oo = out.off;
  for (let i = 0, n = a.size; i < n; i++) ob[oo + i] = Math.tanh(ab[ao + i]);
  return out;
}

/** grad * r(1 - y*y). */
function tanhVjp(out: Tensor, g: Buf, go: number, dst: Buf, doff: number): void {
  const yb = out.buf;
  const yo = out.off;
  const n = out.size;
  if (out.dtype === 'float32')
    for (let k = 0; k < n; k++) {
      const y = yb[yo + k];
      dst[doff + k] = g[go + k] * Math.fround(1 - y * y);
    }
  else
    for (let k = 0; k < n; k++) {
      const y = yb[yo + k];
      dst[doff + k] = g[go + k] * (1 - y * y);
    }
}

/** 1 / r(1 + r(exp(-x))). */
function sigmoidForward(a: Tensor): Tensor {
  const out = empty(a.shape, a.dtype);
  const ab = a.buf;
  const ob = out.buf;
  const ao = a.off;
  const oo = out.off;
  const n = a.size;
  if (a.dtype === 'float32')
    for (let i = 0; i < n; i++) ob[oo + i] = 1 / Math.fround(1 + Math.fround(Math.exp(-ab[ao + i])));
  else for (let i = 0; i < n; i++) ob[oo + i] = 1 / (1 + Math.exp(-ab[ao + i]));
  return out;
}

/** r(grad * r(1 - y)) * y. */
function sigmoidVjp(out: Tensor, g: Buf, go: number, dst: Buf, doff: number): void {
  const yb = out.buf;
  const yo = out.off;
  const n = out.size;
  if (out.dtype === 'float32')
    for (let k = 0; k < n; k++) {
      const y = yb[yo + k];
      dst[doff + k] = Math.fround(g[go + k] * Math.fround(1 - y)) * y;
    }
  else
    for (let k = 0; k < n; k++) {
      const y = yb[yo + k];
      dst[doff + k] = g[go + k] * (1 - y) * y;
    }
}

/** x if x > 0, NaN if NaN, else 0. */
function reluForward(a: Tensor): Tensor {
  const out = empty(a.shape, a.dtype);
  const ab = a.buf;
  const ob = out.buf;
  const ao = a.off;
  const oo = out.off;
  for (let i = 0, n = a.size; i < n; i++) {
    const x = ab[ao + i];
    ob[oo + i] = x > 0 ? x : x !== x ? x : 0;
  }
  return out;
}

/** 0 where y <= 0, else grad (so NaN passes the gradient). */
function reluVjp(out: Tensor, g: Buf, go: number, dst: Buf, doff: number): void {
  const yb = out.buf;
  const yo = out.off;
  for (let k = 0, n = out.size; k < n; k++) dst[doff + k] = yb[yo + k] <= 0 ? 0 : g[go + k];
}

export const expOp = unaryOp({
  name: 'exp',
  savesResult: true,
  backwardName: 'ExpBackward0',
  f: Math.exp,
  local: (_x, y) => y,
  loops: { forward: expForward, vjp: expVjp },
  derivative: d('∂(eᵃ)/∂a = eᵃ', '\\frac{\\partial e^{a}}{\\partial a} = e^{a}'),
});

export const logOp = unaryOp({
  name: 'log',
  backwardName: 'LogBackward0',
  f: Math.log,
  local: (x) => 1 / x,
  vjp: (g, x) => g / x,
  derivative: d('∂(ln a)/∂a = 1/a', '\\frac{\\partial \\ln a}{\\partial a} = \\frac{1}{a}'),
});

export const sqrtOp = unaryOp({
  name: 'sqrt',
  savesResult: true,
  symbol: '√',
  backwardName: 'SqrtBackward0',
  f: Math.sqrt,
  local: (_x, y, r) => 1 / r(2 * y),
  vjp: (g, _x, y, r) => g / r(2 * y),
  derivative: d('∂(√a)/∂a = 1/(2√a)', '\\frac{\\partial \\sqrt{a}}{\\partial a} = \\frac{1}{2\\sqrt{a}}'),
});

export const absOp = unaryOp({
  name: 'abs',
  symbol: '|x|',
  backwardName: 'AbsBackward0',
  f: Math.abs,
  // grad * self.sgn(), and sgn(NaN) is 0 in PyTorch.
  local: (x) => (x > 0 ? 1 : x < 0 ? -1 : 0),
  derivative: d('∂|a|/∂a = sign(a)', '\\frac{\\partial |a|}{\\partial a} = \\operatorname{sign}(a)'),
});

export const sinOp = unaryOp({
  name: 'sin',
  backwardName: 'SinBackward0',
  f: Math.sin,
  local: (x) => Math.cos(x),
  derivative: d('∂(sin a)/∂a = cos a', '\\frac{\\partial \\sin a}{\\partial a} = \\cos a'),
});

export const cosOp = unaryOp({
  name: 'cos',
  backwardName: 'CosBackward0',
  f: Math.cos,
  local: (x) => -Math.sin(x),
  derivative: d('∂(cos a)/∂a = −sin a', '\\frac{\\partial \\cos a}{\\partial a} = -\\sin a'),
});

export const tanhOp = unaryOp({
  name: 'tanh',
  savesResult: true,
  backwardName: 'TanhBackward0',
  f: Math.tanh,
  // PyTorch's vectorized kernel fuses 1 - y*y (one rounding), so y*y is not rounded on its own.
  local: (_x, y) => 1 - y * y,
  loops: { forward: tanhForward, vjp: tanhVjp },
  derivative: d('∂(tanh a)/∂a = 1 − tanh²a', '\\frac{\\partial \\tanh a}{\\partial a} = 1 - \\tanh^2 a'),
});

export const sigmoidOp = unaryOp({
  name: 'sigmoid',
  savesResult: true,
  symbol: 'σ',
  backwardName: 'SigmoidBackward0',
  // PyTorch's float32 kernel: 1 / (1 + exp(-x)), rounding each step.
  f: (x, r) => 1 / r(1 + r(Math.exp(-x))),
  local: (_x, y, r) => r(1 - y) * y,
  vjp: (g, _x, y, r) => r(g * r(1 - y)) * y,
  loops: { forward: sigmoidForward, vjp: sigmoidVjp },
  derivative: d('∂σ(a)/∂a = σ(a)·(1 − σ(a))', '\\frac{\\partial \\sigma(a)}{\\partial a} = \\sigma(a)\\,(1-\\sigma(a))'),
});

export const reluOp = unaryOp({
  name: 'relu',
  savesResult: true,
  symbol: 'ReLU',
  backwardName: 'ReluBackward0',
  f: (x) => (x > 0 ? x : x !== x ? x : 0),
  // threshold_backward(grad, result, 0): zero where result <= 0, so NaN passes the gradient.
  local: (_x, y) => (y <= 0 ? 0 : 1),
  vjp: (g, _x, y) => (y <= 0 ? 0 : g),
  loops: { forward: reluForward, vjp: reluVjp },
  derivative: d('∂relu(a)/∂a = 1 if a > 0 else 0', '\\frac{\\partial\\,\\mathrm{relu}(a)}{\\partial a} = [a > 0]'),
});

export interface ClampAttrs {
  readonly min: number | null;
  readonly max: number | null;
}

function clampValue(x: number, c: ClampAttrs): number {
  if (x !== x) return x;
  let v = x;
  if (c.min !== null && v < c.min) v = c.min;
  if (c.max !== null && v > c.max) v = c.max;
  return v;
}

function clampPasses(x: number, c: ClampAttrs): boolean {
  return (c.min === null || x >= c.min) && (c.max === null || x <= c.max);
}

/** clamp(a, min, max) (attrs: ClampAttrs); the gradient passes where min ≤ a ≤ max. */
export const clampOp = registerOp({
  name: 'clamp',
  symbol: 'clamp',
  backwardName: 'ClampBackward1',
  arity: 1,
  savesTensors: true,
  forward: (a, _b, attrs) => unaryMap(a, (x, _r, c) => clampValue(x, c as ClampAttrs), attrs),
  vjp: (out, _i, g, go, dst, doff) =>
    unaryVjp(out, g, go, dst, doff, (gk, x, _y, _r, c) => (clampPasses(x, c as ClampAttrs) ? gk : 0)),
  derivative: [
    d('∂clamp(a)/∂a = 1 if min ≤ a ≤ max else 0', '\\frac{\\partial\\,\\mathrm{clamp}(a)}{\\partial a} = [\\min \\le a \\le \\max]'),
  ],
  localGrad: (out) => unaryLocal(out, (x, _y, _r, c) => (clampPasses(x, c as ClampAttrs) ? 1 : 0)),
});
