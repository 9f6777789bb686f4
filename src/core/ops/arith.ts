/**
 * Arithmetic ops: add, sub, rsub, mul, div, neg, reciprocal, and pow in its
 * forms (tensor**number, tensor**tensor; number**tensor is tensor**tensor
 * with a constant base, as in PyTorch). Backward formulas follow PyTorch's
 * derivatives.yaml term by term, rounding after each step in float32, so
 * gradients match PyTorch to the last bit on the course's examples.
 */
import { rounder } from '../dtype';
import { registerOp } from '../registry';
import { Tensor } from '../tensor';
import { binaryLocal, binaryMap, binaryVjp, unaryLocal, unaryMap, unaryVjp } from './elementwise';

const d = (text: string, latex: string) => ({ text, latex });

export const addOp = registerOp({
  name: 'add',
  symbol: '+',
  backwardName: 'AddBackward0',
  arity: 2,
  savesTensors: false,
  forward: (a, b) => binaryMap(a, b as Tensor, (x, y) => x + y),
  vjp: (out, i, g, go, dst, doff) => binaryVjp(out, i, g, go, dst, doff, (gk) => gk),
  derivative: [
    d('∂(a+b)/∂a = 1', '\\frac{\\partial (a+b)}{\\partial a} = 1'),
    d('∂(a+b)/∂b = 1', '\\frac{\\partial (a+b)}{\\partial b} = 1'),
  ],
  localGrad: (out) => binaryLocal(out, () => 1),
});

export const subOp = registerOp({
  name: 'sub',
  symbol: '−',
  backwardName: 'SubBackward0',
  arity: 2,
  savesTensors: false,
  forward: (a, b) => binaryMap(a, b as Tensor, (x, y) => x - y),
  vjp: (out, i, g, go, dst, doff) => binaryVjp(out, i, g, go, dst, doff, i === 0 ? (gk) => gk : (gk) => -gk),
  derivative: [
    d('∂(a−b)/∂a = 1', '\\frac{\\partial (a-b)}{\\partial a} = 1'),
    d('∂(a−b)/∂b = −1', '\\frac{\\partial (a-b)}{\\partial b} = -1'),
  ],
  localGrad: (out, i) => binaryLocal(out, () => (i === 0 ? 1 : -1)),
});

/** `c - a` for a Python number c (PyTorch's rsub). attrs: c. */
export const rsubOp = registerOp({
  name: 'rsub',
  symbol: (out) => `${out.attrs as number}−`,
  backwardName: 'RsubBackward1',
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => unaryMap(a, (x) => (attrs as number) - x),
  vjp: (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, (gk) => -gk),
  derivative: [d('∂(c−a)/∂a = −1', '\\frac{\\partial (c-a)}{\\partial a} = -1')],
  localGrad: (out) => unaryLocal(out, () => -1),
});

export const mulOp = registerOp({
  name: 'mul',
  symbol: '×',
  backwardName: 'MulBackward0',
  arity: 2,
  savesTensors: true,
  forward: (a, b) => binaryMap(a, b as Tensor, (x, y) => x * y),
  vjp: (out, i, g, go, dst, doff) =>
    binaryVjp(out, i, g, go, dst, doff, i === 0 ? (gk, _a, b) => gk * b : (gk, a) => gk * a),
  derivative: [
    d('∂(a·b)/∂a = b', '\\frac{\\partial (a b)}{\\partial a} = b'),
    d('∂(a·b)/∂b = a', '\\frac{\\partial (a b)}{\\partial b} = a'),
  ],
  localGrad: (out, i) => binaryLocal(out, i === 0 ? (_a, b) => b : (a) => a),
});

export const divOp = registerOp({
  name: 'div',
  symbol: '÷',
  backwardName: 'DivBackward0',
  arity: 2,
  savesTensors: true,
  forward: (a, b) => binaryMap(a, b as Tensor, (x, y) => x / y),
  vjp: (out, i, g, go, dst, doff) => {
    const r = rounder(out.dtype);
    // PyTorch: grad / other, and -grad * ((self / other) / other).
    binaryVjp(out, i, g, go, dst, doff, i === 0 ? (gk, _a, b) => gk / b : (gk, a, b) => -gk * r(r(a / b) / b));
  },
  derivative: [
    d('∂(a/b)/∂a = 1/b', '\\frac{\\partial (a/b)}{\\partial a} = \\frac{1}{b}'),
    d('∂(a/b)/∂b = −a/b²', '\\frac{\\partial (a/b)}{\\partial b} = -\\frac{a}{b^2}'),
  ],
  localGrad: (out, i) => {
    const r = rounder(out.dtype);
    return binaryLocal(out, i === 0 ? (_a, b) => 1 / b : (a, b) => -r(r(a / b) / b));
  },
});

export const negOp = registerOp({
  name: 'neg',
  symbol: '−x',
  backwardName: 'NegBackward0',
  arity: 1,
  savesTensors: false,
  forward: (a) => unaryMap(a, (x) => -x),
  vjp: (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, (gk) => -gk),
  derivative: [d('∂(−a)/∂a = −1', '\\frac{\\partial (-a)}{\\partial a} = -1')],
  localGrad: (out) => unaryLocal(out, () => -1),
});

/** 1/a; `c / a` for a Python number c is reciprocal(a) * c, as PyTorch computes it. */
export const reciprocalOp = registerOp({
  name: 'reciprocal',
  symbol: '1/x',
  backwardName: 'ReciprocalBackward0',
  arity: 1,
  savesTensors: true,
  forward: (a) => unaryMap(a, (x) => 1 / x),
  vjp: (out, _i, g, go, dst, doff) => {
    const r = rounder(out.dtype);
    unaryVjp(out, g, go, dst, doff, (gk, _x, y) => gk * -r(y * y));
  },
  derivative: [d('∂(1/a)/∂a = −1/a²', '\\frac{\\partial (1/a)}{\\partial a} = -\\frac{1}{a^2}')],
  localGrad: (out) => {
    const r = rounder(out.dtype);
    return unaryLocal(out, (_x, y) => -r(y * y));
  },
});

/**
 * x**p with PyTorch's CPU special cases (p = 2, 3, -2 as products, 0.5 as
 * sqrt, -1 as reciprocal), so float32 results match bit for bit.
 */
export function powScalar(x: number, p: number, r: (v: number) => number): number {
  if (p === 0) return 1;
  if (p === 1) return x;
  if (p === 2) return x * x;
  if (p === 3) return r(x * x) * x;
  if (p === -2) return 1 / r(x * x);
  if (p === 0.5) return Math.sqrt(x);
  if (p === -0.5) return 1 / r(Math.sqrt(x));
  if (p === -1) return 1 / x;
  return Math.pow(x, p);
}

function formatExponent(p: number): string {
  return Number.isInteger(p) ? String(p) : String(p);
}

/** a**p for a Python number p (attrs: p). */
export const powOp = registerOp({
  name: 'pow',
  symbol: (out) => `**${formatExponent(out.attrs as number)}`,
  backwardName: 'PowBackward0',
  arity: 1,
  savesTensors: true,
  forward: (a, _b, attrs) => {
    const r = rounder(a.dtype);
    const p = attrs as number;
    return unaryMap(a, (x) => powScalar(x, p, r));
  },
  vjp: (out, _i, g, go, dst, doff) => {
    const r = rounder(out.dtype);
    const p = out.attrs as number;
    const pr = r(p);
    // PyTorch: p == 0 gives zeros; else grad * (p * self.pow(p - 1)).
    unaryVjp(out, g, go, dst, doff, p === 0 ? () => 0 : (gk, x) => gk * r(pr * r(powScalar(x, p - 1, r))));
  },
  derivative: [d('∂(aⁿ)/∂a = n·aⁿ⁻¹', '\\frac{\\partial a^{n}}{\\partial a} = n\\,a^{n-1}')],
  localGrad: (out) => {
    const r = rounder(out.dtype);
    const p = out.attrs as number;
    return unaryLocal(out, (x) => (p === 0 ? 0 : r(r(p) * r(powScalar(x, p - 1, r)))));
  },
});

/** a**b for tensors a and b (also number**tensor with a constant base). */
export const powTensorOp = registerOp({
  name: 'pow_tensor',
  symbol: '**',
  backwardName: 'PowBackward1',
  arity: 2,
  savesTensors: true,
  forward: (a, b) => {
    const r = rounder(a.dtype === 'float64' || (b as Tensor).dtype === 'float64' ? 'float64' : 'float32');
    return binaryMap(a, b as Tensor, (x, y) => powScalar(x, y, r));
  },
  vjp: (out, i, g, go, dst, doff) => {
    const r = rounder(out.dtype);
    if (i === 0)
      // where(b == 0, 0, grad * (b * a.pow(b - 1)))
      binaryVjp(out, i, g, go, dst, doff, (gk, a, b) => (b === 0 ? 0 : gk * r(b * r(powScalar(a, r(b - 1), r)))));
    // where(a == 0 & b >= 0, 0, grad * (y * log(a)))
    else binaryVjp(out, i, g, go, dst, doff, (gk, a, b, y) => (a === 0 && b >= 0 ? 0 : gk * r(y * r(Math.log(a)))));
  },
  derivative: [
    d('∂(aᵇ)/∂a = b·aᵇ⁻¹', '\\frac{\\partial a^{b}}{\\partial a} = b\\,a^{b-1}'),
    d('∂(aᵇ)/∂b = aᵇ·ln a', '\\frac{\\partial a^{b}}{\\partial b} = a^{b}\\ln a'),
  ],
  localGrad: (out, i) => {
    const r = rounder(out.dtype);
    return i === 0
      ? binaryLocal(out, (a, b) => (b === 0 ? 0 : r(b * r(powScalar(a, r(b - 1), r)))))
      : binaryLocal(out, (a, b, y) => (a === 0 && b >= 0 ? 0 : r(y * r(Math.log(a)))));
  },
});
