/**
 * How closely each result of a case must match PyTorch: the three levels of
 * the comparison rule stated in oracle.test.ts.
 *
 * EXACT (0): IEEE 754 fixes the result given the inputs and PyTorch's
 * formula. +, −, ×, ÷ and √ are correctly rounded, so a kernel evaluating the
 * same expression in the same order gets the same bits. That covers
 * elementwise arithmetic, x**n for the exponents PyTorch computes with
 * products/sqrt/reciprocal (0, ±1, 2, 3, ±0.5, −2), abs, relu, clamp,
 * max/min, every op that only moves elements (transpose, reshape, select,
 * slice, stack, cat), sums of at most two terms, and the backward formulas
 * of most ops (grad·y for exp, grad/x for log, grad·(1−y²) for tanh, ...).
 *
 * ELEMENTWISE (1): a transcendental function of one element is on the way
 * (exp, log, sin, cos, tanh, sigmoid, pow with other exponents, an
 * unreduced binary cross-entropy): libm, SLEEF and V8 may each round
 * differently, by an ulp or so of that element.
 *
 * ACCUMULATED (2): a sum of more than two terms is on the way (sum, mean,
 * matmul, softmax, log_softmax, cross_entropy, a reduced loss, the gradient
 * of an operand broadcast over more than two elements). PyTorch's
 * vectorized kernels and BLAS choose their own summation order (and FMA), so
 * the error is a few ulps of the terms' magnitude, not of the result's,
 * which may be small after cancellation.
 *
 * A value's level is the highest level of the ops on its way from the
 * leaves. A gradient's level is the highest, over the ops run so far, of the
 * op's backward level, its inputs' levels (the backward reads them), and its
 * output's level for ops whose backward reads their output (exp, tanh, ...).
 */
import type { Arg, Case, Nested, OpStmt } from './cases';
import type { CaseRec } from './ts-runner';

export const EXACT = 0;
export const ELEMENTWISE = 1;
export const ACCUMULATED = 2;
export type Level = typeof EXACT | typeof ELEMENTWISE | typeof ACCUMULATED;

/** x**p that PyTorch's CPU kernel computes with correctly rounded operations. */
export const EXACT_POW_EXPONENTS: readonly number[] = [0, 1, 2, 3, 0.5, -0.5, -1, -2];

/** Ops whose backward reads their own output (x ** number reads x instead). */
const READS_OUTPUT = new Set([
  'exp',
  'sqrt',
  'tanh',
  'sigmoid',
  'relu',
  'reciprocal',
  'softmax',
  'logSoftmax',
  'crossEntropy',
  'max',
  'min',
  'pow',
]);

type Shape = readonly number[];
const size = (s: Shape): number => s.reduce((p, x) => p * x, 1);

function nestedShape(v: Nested): number[] {
  const s: number[] = [];
  let p: Nested = v;
  while (Array.isArray(p)) {
    s.push(p.length);
    p = p[0];
  }
  return s;
}

const isRef = (a: Arg): a is { t: string } => typeof a === 'object' && a !== null && 't' in a;
const max = (...ls: Level[]): Level => Math.max(EXACT, ...ls) as Level;

/** Forward and backward levels of one op statement, given its input (null: a Python number) and output shapes. */
function classify(s: OpStmt, inShapes: (Shape | null)[], out: Shape): [Level, Level] {
  const a0 = inShapes[0] ?? [];
  // Terms summed into one output element (reductions).
  const folded = size(a0) / Math.max(size(out), 1);
  const sumLevel = (terms: number): Level => (terms <= 2 ? EXACT : ACCUMULATED);
  // Gradient of a broadcast operand: sum over the broadcast elements.
  const broadcastLevel = max(...inShapes.map((sh) => (sh === null ? EXACT : sumLevel(size(out) / size(sh)))));
  switch (s.op) {
    case 'add':
    case 'sub':
    case 'mul':
    case 'div':
      return [EXACT, broadcastLevel];
    case 'pow': {
      const [base, e] = s.args;
      if (isRef(base) && typeof e === 'number')
        return [
          EXACT_POW_EXPONENTS.includes(e) ? EXACT : ELEMENTWISE,
          e === 0 || EXACT_POW_EXPONENTS.includes(e - 1) ? EXACT : ELEMENTWISE,
        ];
      return [ELEMENTWISE, max(ELEMENTWISE, broadcastLevel)];
    }
    case 'neg':
    case 'reciprocal':
    case 'sqrt':
    case 'abs':
    case 'relu':
    case 'clamp':
    case 'max':
    case 'min':
    case 'maxDim':
    case 'minDim':
    case 'transpose':
    case 't':
    case 'T':
    case 'reshape':
    case 'view':
    case 'select':
    case 'slice':
    case 'stack':
    case 'cat':
      return [EXACT, EXACT];
    case 'exp':
    case 'log':
    case 'tanh':
    case 'sigmoid':
      return [ELEMENTWISE, EXACT];
    case 'sin':
    case 'cos':
      return [ELEMENTWISE, ELEMENTWISE];
    case 'matmul':
    case 'softmax':
    case 'logSoftmax':
    case 'crossEntropy':
      return [ACCUMULATED, ACCUMULATED];
    case 'sum':
    case 'mean':
      return [sumLevel(folded), EXACT];
    case 'mseLoss':
    case 'nllLoss':
      return [s.args[2] === 'none' ? EXACT : sumLevel(folded), EXACT];
    case 'binaryCrossEntropy':
      return [s.args[2] === 'none' ? ELEMENTWISE : ACCUMULATED, EXACT];
  }
}

/**
 * For each statement of case `k`, the level its record is held to. Shapes
 * come from the expected (PyTorch) records.
 */
export function levels(k: Case, expected: CaseRec): Level[] {
  const shapes = new Map<string, Shape>();
  const valueLevel = new Map<string, Level>();
  for (const l of k.leaves) {
    shapes.set(l.name, nestedShape(l.value));
    valueLevel.set(l.name, EXACT);
  }
  let gradLevel: Level = EXACT;
  const out: Level[] = [];
  k.program.forEach((s, i) => {
    const rec = expected.records[i];
    if (s.kind === 'op') {
      const refs: string[] = [];
      for (const a of s.args) {
        if (isRef(a)) refs.push(a.t);
        else if (typeof a === 'object' && a !== null && 'ts' in a) refs.push(...a.ts);
      }
      // Operands: tensors, and the Python numbers of arithmetic ops.
      const operands = ['add', 'sub', 'mul', 'div', 'pow'].includes(s.op) ? s.args : s.args.filter(isRef);
      const inShapes = operands.map((a) => (isRef(a) ? (shapes.get(a.t) ?? []) : null));
      const outShape = rec && rec.kind === 'op' ? rec.value.shape : [];
      const [fwd, bwd] = classify(s, inShapes, outShape);
      const inputs = max(...refs.map((r) => valueLevel.get(r) ?? EXACT));
      const value = max(fwd, inputs);
      const readsOutput =
        READS_OUTPUT.has(s.op) && !(s.op === 'pow' && isRef(s.args[0]) && typeof s.args[1] === 'number');
      gradLevel = max(gradLevel, bwd, inputs, readsOutput ? value : EXACT);
      shapes.set(s.out, outShape);
      valueLevel.set(s.out, value);
      out.push(value);
    } else if (s.kind === 'backward') {
      out.push(gradLevel);
    } else {
      // p -= lr * p.grad: the parameters now carry the gradients' level.
      let level = gradLevel;
      for (const p of s.params) {
        const l = max(valueLevel.get(p) ?? EXACT, gradLevel);
        valueLevel.set(p, l);
        level = max(level, l);
      }
      out.push(level);
    }
  });
  return out;
}
