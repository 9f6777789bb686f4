/**
 * Finite-difference gradient checking for the autograd core, in float64.
 *
 * For a function f(inputs) -> out and concrete float64 inputs, we fix a
 * pseudo-random cotangent R of out's shape and compare, for every element x_j
 * of every differentiable input,
 *
 *   analytic:  ∂L/∂x_j from the engine, where L = Σ_k out_k · R_k, obtained
 *              (a) as c.backward(out, { gradient: R })  (the VJP Rᵀ·J directly),
 *              (b) the same, with the first input placed at the very start of
 *                  a float64 storage slab (results must not depend on where
 *                  the allocator put a tensor),
 *              (c) as c.backward(c.sum(c.mul(out, R)))  (the spelling students use);
 *   numeric:   the central difference Σ_k (out_k(x + h e_j) − out_k(x − h e_j)) · R_k / (x_j⁺ − x_j⁻).
 *
 * Each analytic pass also asserts that backward left every input's values
 * untouched, and reports which ops the recorded graph contained, so the test
 * suite can check that every registered op really was differentiated.
 *
 * Choice of step and tolerances (all arithmetic is float64, ε = 2.2e-16):
 * - The central difference has truncation error h²/6 · |f'''| and rounding
 *   error about ε · Σ_k |out_k R_k| / h over the outputs that x_j affects.
 *   (Outputs x_j does not touch are bit-identical in both evaluations and
 *   cancel exactly because we difference element by element, before
 *   multiplying by R, rather than differencing two sums.)
 * - The tests keep inputs in ranges where |out| ≲ 100 and |f'''| ≲ 1e6 (e.g.
 *   x⁻³ at |x| = 0.2), with at most a few dozen affected outputs. With
 *   h = 1e-6 both error terms stay below ~5e-7; a larger h grows the
 *   truncation term quadratically, a smaller one grows the rounding term.
 * - h is far below the 1e-3 (or more) margin that the generators keep from
 *   kinks (relu, abs, clamp), ties (max/min) and domain edges (log, sqrt,
 *   division, pow), so x ± h never crosses a non-differentiable point.
 * - We accept |analytic − numeric| ≤ ATOL + RTOL · max(|analytic|, |numeric|)
 *   with ATOL = 1e-6 (covers the absolute error bound above for gradients
 *   near 0) and RTOL = 1e-5 (large gradients, e.g. of x⁻³ near 0.2, carry
 *   proportionally larger truncation error). A wrong formula, a missing
 *   broadcast reduction or a misplaced element is off by O(1) relative, far
 *   outside this band.
 * The finite differences themselves are exact here: float64 in, float64 out,
 * and the kernels round only for float32.
 */
import { strict as assert } from 'node:assert';
import * as c from '../../../src/core';
import type { Tensor } from '../../../src/core';

export const H = 1e-6;
export const ATOL = 1e-6;
export const RTOL = 1e-5;

/** One input of a checked function: its shape, values, and whether to differentiate towards it. */
export interface InputSpec {
  readonly shape: readonly number[];
  readonly values: readonly number[];
  /** Default true. Non-differentiable inputs (targets, constant bases) are passed as plain tensors. */
  readonly grad?: boolean;
}

export interface GradcheckOptions {
  readonly h?: number;
  readonly atol?: number;
  readonly rtol?: number;
}

/** A fixed cotangent: deterministic pseudo-random values in [-1, 1] (mulberry32), the same for every call of a given size. */
export function cotangent(n: number): number[] {
  let s = 0x5eed1234;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    const u = ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    out[i] = 2 * u - 1;
  }
  return out;
}

function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((p, s) => p * s, 1);
}

function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}

function describeInputs(specs: readonly InputSpec[]): string {
  return specs
    .map(
      (s, i) =>
        `  in${i}${s.grad === false ? ' (no grad)' : ''}: shape ${fmtShape(s.shape)} values ${JSON.stringify(s.values)}`,
    )
    .join('\n');
}

/**
 * Builds the input tensors. With `slabStart`, the first input is allocated
 * at offset 0 of a float64 storage slab (re-allocating until the bump
 * allocator hands out offset 0; tensors of more than 64 elements own their
 * array and are at offset 0 anyway), so a kernel that writes scratch data
 * to the wrong offset of a slab clobbers it and the check fails.
 */
function makeInputs(specs: readonly InputSpec[], withGrad: boolean, slabStart = false): Tensor[] {
  return specs.map((s, i) => {
    let t = c.fromValues(s.values, s.shape, 'float64');
    if (slabStart && i === 0) {
      for (let tries = 0; t.off !== 0 && tries < 100_000; tries++) t = c.fromValues(s.values, s.shape, 'float64');
      assert.equal(t.off, 0, 'could not place the first input at the start of a storage slab');
    }
    if (withGrad && s.grad !== false) c.requiresGrad_(t);
    return t;
  });
}

/** Names of the ops recorded in the graph below `out`. */
export function opsInGraph(out: Tensor): Set<string> {
  const names = new Set<string>();
  const seen = new Set<Tensor>([out]);
  const stack = [out];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    if (t.op === null) continue;
    names.add(t.op.name);
    for (const x of c.inputsOf(t))
      if (!seen.has(x)) {
        seen.add(x);
        stack.push(x);
      }
  }
  return names;
}

/** Central differences of L = Σ out·R with respect to every element of every differentiable input. */
function numericGrads(
  f: (inputs: Tensor[]) => Tensor,
  specs: readonly InputSpec[],
  r: readonly number[],
  h: number,
): (number[] | null)[] {
  const evalAt = (i: number, j: number, v: number): number[] => {
    const perturbed = specs.map((s, k) => {
      if (k !== i) return s;
      const values = [...s.values];
      values[j] = v;
      return { ...s, values };
    });
    return f(makeInputs(perturbed, false)).values();
  };
  return specs.map((s, i) => {
    if (s.grad === false) return null;
    const g = new Array<number>(s.values.length);
    for (let j = 0; j < s.values.length; j++) {
      const x = s.values[j];
      const xp = x + h;
      const xm = x - h;
      const op = evalAt(i, j, xp);
      const om = evalAt(i, j, xm);
      let acc = 0;
      for (let k = 0; k < r.length; k++) acc += (op[k] - om[k]) * r[k];
      // The step actually taken (x ± h is rounded), not 2h.
      g[j] = acc / (xp - xm);
    }
    return g;
  });
}

function compare(
  method: string,
  analytic: readonly Tensor[],
  numeric: readonly (number[] | null)[],
  specs: readonly InputSpec[],
  outShape: readonly number[],
  ops: Set<string>,
  atol: number,
  rtol: number,
): void {
  const problems: string[] = [];
  numeric.forEach((num, i) => {
    if (num === null) return;
    const leaf = analytic[i];
    const grad = leaf.grad;
    if (grad !== null) {
      if (grad.dtype !== 'float64') problems.push(`in${i}: gradient dtype ${grad.dtype}, expected float64`);
      if (fmtShape(grad.shape) !== fmtShape(specs[i].shape))
        problems.push(`in${i}: gradient shape ${fmtShape(grad.shape)}, expected ${fmtShape(specs[i].shape)}`);
    }
    // An input that backward never reached has gradient 0 (PyTorch leaves .grad None).
    const got = grad === null ? num.map(() => 0) : grad.values();
    for (let j = 0; j < num.length; j++) {
      const a = got[j];
      const n = num[j];
      const ok = Math.abs(a - n) <= atol + rtol * Math.max(Math.abs(a), Math.abs(n));
      if (!ok && problems.length < 8) problems.push(`in${i}[${j}]: analytic ${a}, numeric ${n}, diff ${a - n}`);
    }
  });
  if (problems.length > 0)
    assert.fail(
      `gradient mismatch (${method}) through ops {${[...ops].join(', ')}}, output shape ${fmtShape(outShape)}\n` +
        `${problems.join('\n')}\ninputs:\n${describeInputs(specs)}`,
    );
}

/**
 * Checks the engine's gradients of f at the given float64 inputs against
 * central finite differences (see the file comment). Throws an
 * AssertionError describing the first mismatches; returns the names of the
 * ops recorded in f's graph.
 */
export function gradcheck(
  f: (inputs: Tensor[]) => Tensor,
  specs: readonly InputSpec[],
  opts: GradcheckOptions = {},
): Set<string> {
  const h = opts.h ?? H;
  const atol = opts.atol ?? ATOL;
  const rtol = opts.rtol ?? RTOL;
  specs.forEach((s, i) =>
    assert.equal(
      s.values.length,
      sizeOfShape(s.shape),
      `in${i}: ${s.values.length} values for shape ${fmtShape(s.shape)}`,
    ),
  );
  assert.ok(
    specs.some((s) => s.grad !== false),
    'gradcheck needs at least one differentiable input',
  );

  const plain = f(makeInputs(specs, false));
  assert.equal(plain.dtype, 'float64', `f returned a ${plain.dtype} tensor for float64 inputs`);
  const outShape = [...plain.shape];
  // The generators stay inside every op's domain, so a NaN or infinity here is a forward bug.
  assert.ok(
    plain.values().every(Number.isFinite),
    `forward produced non-finite values [${plain.values().join(', ')}]\ninputs:\n${describeInputs(specs)}`,
  );
  const r = cotangent(plain.size);
  const numeric = numericGrads(f, specs, r, h);
  const ops = new Set<string>();

  const analytic = (method: string, slabStart: boolean, viaSum: boolean): void => {
    const leaves = makeInputs(specs, true, slabStart);
    const before = leaves.map((t) => t.values());
    const out = f(leaves);
    assert.ok(out.requiresGrad, `${method}: the output does not require grad`);
    assert.equal(fmtShape(out.shape), fmtShape(outShape), `${method}: output shape changed between calls`);
    for (const name of opsInGraph(out)) ops.add(name);
    const rt = c.fromValues(r, outShape, 'float64');
    if (viaSum) c.backward(c.sum(c.mul(out, rt)));
    else c.backward(out, { gradient: rt });
    compare(method, leaves, numeric, specs, outShape, ops, atol, rtol);
    leaves.forEach((t, i) =>
      assert.deepEqual(
        t.values(),
        before[i],
        `${method}: backward changed the values of in${i}\ninputs:\n${describeInputs(specs)}`,
      ),
    );
  };

  analytic('backward(out, {gradient: R})', false, false);
  analytic('backward(out, {gradient: R}), first input at a slab start', true, false);
  analytic('backward(sum(out * R))', false, true);
  return ops;
}
