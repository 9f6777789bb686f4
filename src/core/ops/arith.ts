/**
 * Arithmetic ops: add, sub, rsub, mul, div, neg, reciprocal, and pow in its
 * forms (tensor**number, tensor**tensor; number**tensor is tensor**tensor
 * with a constant base, as in PyTorch). Backward formulas follow PyTorch's
 * derivatives.yaml term by term, rounding after each step in float32 (`r`),
 * so gradients match PyTorch to the last bit on the course's examples.
 *
 * Kernels are module-level functions (see elementwise.ts for why).
 */
import { registerOp, SAVES_IN0, SAVES_IN1, SAVES_OUT } from '../registry';
import { broadcastShapes, sizeOf, suffixSize, sumToShape } from '../shape';
import { empty, scalar, Tensor } from '../tensor';
import { binaryLocal, binaryMap, binaryVjp, Round, unaryLocal, unaryMap, unaryVjp } from './elementwise';

/*
 * Scalar fast paths. A graph of a million scalar nodes spends its time in
 * calls, not arithmetic: a kernel passed as a function to the shared loops
 * is a megamorphic call that boxes every double argument. The hottest ops
 * therefore compute the 0-dim case inline (same formula as their kernel).
 */
const bothScalar = (a: Tensor, b: Tensor): boolean => a.ndim === 0 && b.ndim === 0 && a.dtype === b.dtype;
const oneElement = (out: Tensor): boolean => (out.in0 as Tensor).size === 1 && (out.in1 as Tensor).size === 1;

const d = (text: string, latex: string) => ({ text, latex });

const one = (): number => 1;
const minusOne = (): number => -1;
const passGrad = (gk: number): number => gk;
const negGrad = (gk: number): number => -gk;

const addK = (x: number, y: number): number => x + y;
const subK = (x: number, y: number): number => x - y;
const mulK = (x: number, y: number): number => x * y;

const ADD = 0;
const SUB = 1;
const MUL = 2;

/**
 * a + b, a − b, a · b with the operation written inline (no kernel call per
 * element) when both have one dtype and one of them has the output's size
 * while the other has it too, is a bias repeated along leading dims, or is
 * a scalar: what binaryMap computes, element for element, in the same
 * operand order. Anything else (type promotion, other broadcasts) goes to
 * binaryMap.
 */
function arithForward(a: Tensor, b: Tensor, code: number, k: (x: number, y: number) => number): Tensor {
  if (a.dtype !== b.dtype) return binaryMap(a, b, k);
  const shape = broadcastShapes(a.shape, b.shape);
  const n = sizeOf(shape);
  const aFull = a.size === n;
  // The other operand: of the output's size too, or repeated along leading dims.
  const rep = aFull ? b : a;
  if (n === 0 || (!aFull && b.size !== n) || suffixSize(rep.shape, shape) < 0) return binaryMap(a, b, k);
  const out = empty(shape, a.dtype);
  const ab = a.buf;
  const bb = b.buf;
  const ob = out.buf;
  const ao = a.off;
  const bo = b.off;
  const oo = out.off;
  const m = rep.size;
  if (m === 1) {
    // One operand is a single element.
    if (aFull) {
      const y = bb[bo];
      if (code === ADD) for (let i = 0; i < n; i++) ob[oo + i] = ab[ao + i] + y;
      else if (code === SUB) for (let i = 0; i < n; i++) ob[oo + i] = ab[ao + i] - y;
      else for (let i = 0; i < n; i++) ob[oo + i] = ab[ao + i] * y;
    } else {
      const x = ab[ao];
      if (code === ADD) for (let i = 0; i < n; i++) ob[oo + i] = x + bb[bo + i];
      else if (code === SUB) for (let i = 0; i < n; i++) ob[oo + i] = x - bb[bo + i];
      else for (let i = 0; i < n; i++) ob[oo + i] = x * bb[bo + i];
    }
    return out;
  }
  // Rows of m elements; the repeated operand is read from its start on each row.
  for (let base = 0; base < n; base += m) {
    const o = oo + base;
    const ai = aFull ? ao + base : ao;
    const bi = aFull ? bo : bo + base;
    if (code === ADD) for (let j = 0; j < m; j++) ob[o + j] = ab[ai + j] + bb[bi + j];
    else if (code === SUB) for (let j = 0; j < m; j++) ob[o + j] = ab[ai + j] - bb[bi + j];
    else for (let j = 0; j < m; j++) ob[o + j] = ab[ai + j] * bb[bi + j];
  }
  return out;
}

export const addOp = registerOp({
  name: 'add',
  symbol: '+',
  backwardName: 'AddBackward0',
  arity: 2,
  savesTensors: false,
  forward: (a, b) =>
    bothScalar(a, b as Tensor) ? scalar(a.buf[a.off] + (b as Tensor).buf[(b as Tensor).off], a.dtype) : arithForward(a, b as Tensor, ADD, addK),
  // The gradient itself, summed back over broadcast dims: binaryVjp with
  // passGrad stores g (already in the output's dtype) unchanged, then sums
  // with sumToShape, so calling sumToShape on g is the same computation.
  vjp: (out, i, g, go, dst, doff) => {
    if (oneElement(out)) dst[doff] = g[go];
    else sumToShape(g, go, out.shape, (i === 0 ? (out.in0 as Tensor) : (out.in1 as Tensor)).shape, dst, doff);
  },
  derivative: [
    d('∂(a+b)/∂a = 1', '\\frac{\\partial (a+b)}{\\partial a} = 1'),
    d('∂(a+b)/∂b = 1', '\\frac{\\partial (a+b)}{\\partial b} = 1'),
  ],
  localGrad: (out) => binaryLocal(out, one),
});

export const subOp = registerOp({
  name: 'sub',
  symbol: '−',
  backwardName: 'SubBackward0',
  arity: 2,
  savesTensors: false,
  forward: (a, b) =>
    bothScalar(a, b as Tensor) ? scalar(a.buf[a.off] - (b as Tensor).buf[(b as Tensor).off], a.dtype) : arithForward(a, b as Tensor, SUB, subK),
  vjp: (out, i, g, go, dst, doff) => {
    if (oneElement(out)) dst[doff] = i === 0 ? g[go] : -g[go];
    else binaryVjp(out, i, g, go, dst, doff, i === 0 ? passGrad : negGrad);
  },
  derivative: [
    d('∂(a−b)/∂a = 1', '\\frac{\\partial (a-b)}{\\partial a} = 1'),
    d('∂(a−b)/∂b = −1', '\\frac{\\partial (a-b)}{\\partial b} = -1'),
  ],
  localGrad: (out, i) => binaryLocal(out, i === 0 ? one : minusOne),
});

const rsubK = (x: number, _r: Round, c: unknown): number => (c as number) - x;
/** `c - a` for a Python number c (PyTorch's rsub). attrs: c. */
export const rsubOp = registerOp({
  name: 'rsub',
  symbol: (out) => `${out.attrs as number}−`,
  backwardName: 'RsubBackward1',
  arity: 1,
  savesTensors: false,
  forward: (a, _b, attrs) => unaryMap(a, rsubK, attrs),
  vjp: (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, negGrad),
  derivative: [d('∂(c−a)/∂a = −1', '\\frac{\\partial (c-a)}{\\partial a} = -1')],
  localGrad: (out) => unaryLocal(out, minusOne),
});

const mulGradA = (gk: number, _a: number, b: number): number => gk * b;
const mulGradB = (gk: number, a: number): number => gk * a;
export const mulOp = registerOp({
  name: 'mul',
  symbol: '×',
  backwardName: 'MulBackward0',
  arity: 2,
  savesTensors: true,
  // self's gradient needs other, other's needs self.
  saves: (out) => ((out.in0 as Tensor).requiresGrad ? SAVES_IN1 : 0) | ((out.in1 as Tensor).requiresGrad ? SAVES_IN0 : 0),
  forward: (a, b) =>
    bothScalar(a, b as Tensor) ? scalar(a.buf[a.off] * (b as Tensor).buf[(b as Tensor).off], a.dtype) : arithForward(a, b as Tensor, MUL, mulK),
  vjp: (out, i, g, go, dst, doff) => {
    if (oneElement(out)) {
      const other = (i === 0 ? out.in1 : out.in0) as Tensor;
      dst[doff] = g[go] * other.buf[other.off];
    } else binaryVjp(out, i, g, go, dst, doff, i === 0 ? mulGradA : mulGradB);
  },
  derivative: [
    d('∂(a·b)/∂a = b', '\\frac{\\partial (a b)}{\\partial a} = b'),
    d('∂(a·b)/∂b = a', '\\frac{\\partial (a b)}{\\partial b} = a'),
  ],
  localGrad: (out, i) => binaryLocal(out, i === 0 ? (_a, b) => b : (a) => a),
});

const divK = (x: number, y: number): number => x / y;
// PyTorch: grad / other, and -grad * ((self / other) / other).
const divGradA = (gk: number, _a: number, b: number): number => gk / b;
const divGradB = (gk: number, a: number, b: number, _y: number, r: Round): number => -gk * r(r(a / b) / b);
export const divOp = registerOp({
  name: 'div',
  symbol: '÷',
  backwardName: 'DivBackward0',
  arity: 2,
  savesTensors: true,
  saves: (out) =>
    ((out.in0 as Tensor).requiresGrad ? SAVES_IN1 : 0) | ((out.in1 as Tensor).requiresGrad ? SAVES_IN0 | SAVES_IN1 : 0),
  forward: (a, b) => binaryMap(a, b as Tensor, divK),
  vjp: (out, i, g, go, dst, doff) => binaryVjp(out, i, g, go, dst, doff, i === 0 ? divGradA : divGradB),
  derivative: [
    d('∂(a/b)/∂a = 1/b', '\\frac{\\partial (a/b)}{\\partial a} = \\frac{1}{b}'),
    d('∂(a/b)/∂b = −a/b²', '\\frac{\\partial (a/b)}{\\partial b} = -\\frac{a}{b^2}'),
  ],
  localGrad: (out, i) => binaryLocal(out, i === 0 ? (_a, b) => 1 / b : (a, b, _y, r) => -r(r(a / b) / b)),
});

const negK = (x: number): number => -x;
export const negOp = registerOp({
  name: 'neg',
  symbol: '−x',
  backwardName: 'NegBackward0',
  arity: 1,
  savesTensors: false,
  forward: (a) => unaryMap(a, negK),
  vjp: (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, negGrad),
  derivative: [d('∂(−a)/∂a = −1', '\\frac{\\partial (-a)}{\\partial a} = -1')],
  localGrad: (out) => unaryLocal(out, minusOne),
});

const reciprocalK = (x: number): number => 1 / x;
const reciprocalLocal = (_x: number, y: number, r: Round): number => -r(y * y);
const reciprocalGrad = (gk: number, x: number, y: number, r: Round): number => gk * reciprocalLocal(x, y, r);
/** 1/a; `c / a` for a Python number c is reciprocal(a) * c, as PyTorch computes it. */
export const reciprocalOp = registerOp({
  name: 'reciprocal',
  symbol: '1/x',
  backwardName: 'ReciprocalBackward0',
  arity: 1,
  savesTensors: true,
  saves: () => SAVES_OUT,
  forward: (a) => unaryMap(a, reciprocalK),
  vjp: (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, reciprocalGrad),
  derivative: [d('∂(1/a)/∂a = −1/a²', '\\frac{\\partial (1/a)}{\\partial a} = -\\frac{1}{a^2}')],
  localGrad: (out) => unaryLocal(out, reciprocalLocal),
});

/**
 * x**p with PyTorch's CPU special cases (p = 2, 3, -2 as products, 0.5 as
 * sqrt, -1 as reciprocal), so float32 results match bit for bit.
 */
export function powScalar(x: number, p: number, r: Round): number {
  if (p === 2) return x * x;
  if (p === 0) return 1;
  if (p === 1) return x;
  if (p === 3) return r(x * x) * x;
  if (p === -2) return 1 / r(x * x);
  if (p === 0.5) return Math.sqrt(x);
  if (p === -0.5) return 1 / r(Math.sqrt(x));
  if (p === -1) return 1 / x;
  return Math.pow(x, p);
}

const powK = (x: number, r: Round, p: unknown): number => powScalar(x, p as number, r);
// PyTorch: p == 0 gives zeros; else grad * (p * self.pow(p - 1)), p rounded to the dtype.
const powLocal = (x: number, _y: number, r: Round, p: unknown): number =>
  p === 0 ? 0 : r(r(p as number) * r(powScalar(x, (p as number) - 1, r)));
const powGrad = (gk: number, x: number, y: number, r: Round, p: unknown): number => gk * powLocal(x, y, r, p);

/** a**p for a Python number p (attrs: p). */
export const powOp = registerOp({
  name: 'pow',
  symbol: (out) => `**${out.attrs as number}`,
  backwardName: 'PowBackward0',
  arity: 1,
  savesTensors: true,
  forward: (a, _b, attrs) => unaryMap(a, powK, attrs),
  vjp: (out, _i, g, go, dst, doff) => unaryVjp(out, g, go, dst, doff, powGrad),
  derivative: [d('∂(aⁿ)/∂a = n·aⁿ⁻¹', '\\frac{\\partial a^{n}}{\\partial a} = n\\,a^{n-1}')],
  localGrad: (out) => unaryLocal(out, powLocal),
});

const powTK = (x: number, y: number, r: Round): number => powScalar(x, y, r);
// where(b == 0, 0, grad * (b * a.pow(b - 1)))
const powTLocalA = (a: number, b: number, _y: number, r: Round): number =>
  b === 0 ? 0 : r(b * r(powScalar(a, r(b - 1), r)));
// where(a == 0 & b >= 0, 0, grad * (y * log(a)))
const powTLocalB = (a: number, b: number, y: number, r: Round): number =>
  a === 0 && b >= 0 ? 0 : r(y * r(Math.log(a)));
const powTGradA = (gk: number, a: number, b: number, y: number, r: Round): number => gk * powTLocalA(a, b, y, r);
const powTGradB = (gk: number, a: number, b: number, y: number, r: Round): number => gk * powTLocalB(a, b, y, r);

/** a**b for tensors a and b (also number**tensor with a constant base). */
export const powTensorOp = registerOp({
  name: 'pow_tensor',
  symbol: '**',
  backwardName: 'PowBackward1',
  arity: 2,
  savesTensors: true,
  saves: (out) =>
    ((out.in0 as Tensor).requiresGrad ? SAVES_IN0 | SAVES_IN1 : 0) |
    // the exponent's gradient reads self, the exponent (self == 0 & exponent >= 0) and the result
    ((out.in1 as Tensor).requiresGrad ? SAVES_IN0 | SAVES_IN1 | SAVES_OUT : 0),
  forward: (a, b) => binaryMap(a, b as Tensor, powTK),
  vjp: (out, i, g, go, dst, doff) => binaryVjp(out, i, g, go, dst, doff, i === 0 ? powTGradA : powTGradB),
  derivative: [
    d('∂(aᵇ)/∂a = b·aᵇ⁻¹', '\\frac{\\partial a^{b}}{\\partial a} = b\\,a^{b-1}'),
    d('∂(aᵇ)/∂b = aᵇ·ln a', '\\frac{\\partial a^{b}}{\\partial b} = a^{b}\\ln a'),
  ],
  localGrad: (out, i) => binaryLocal(out, i === 0 ? powTLocalA : powTLocalB),
});
