/**
 * Elementwise functions: exp, log, sqrt, abs, sin, cos, tanh, sigmoid, relu,
 * clamp. Each backward uses the same formula and evaluation order as
 * PyTorch's (e.g. tanh: grad * (1 - y*y); sigmoid: grad * (1 - y) * y).
 */
import { Derivative, OpDef, registerOp, SAVES_IN0, SAVES_OUT } from '../registry';
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
}): OpDef {
  // Built once per op, so running the op allocates no closure.
  const f = spec.f;
  const local = (x: number, y: number, r: Round): number => r(spec.local(x, y, r));
  const v = spec.vjp;
  const grad = v ? v : (gk: number, x: number, y: number, r: Round): number => gk * local(x, y, r);
  return registerOp({
    name: spec.name,
    symbol: spec.symbol ?? spec.name,
    backwardName: spec.backwardName,
    arity: 1,
    savesTensors: true,
    saves: spec.savesResult ? () => SAVES_OUT : () => SAVES_IN0,
    forward: (a) => unaryMap(a, f),
    vjp: (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, grad),
    derivative: [spec.derivative],
    localGrad: (out) => unaryLocal(out, local),
  });
}

const d = (text: string, latex: string): Derivative => ({ text, latex });

export const expOp = unaryOp({
  name: 'exp',
  savesResult: true,
  backwardName: 'ExpBackward0',
  f: Math.exp,
  local: (_x, y) => y,
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
