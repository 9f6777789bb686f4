/**
 * Finite-difference gradient tests for every op in the registry, in float64
 * (see helpers/gradcheck.ts for the method and tolerances). Each op has one
 * describe; its property tests draw random shapes (with broadcasting for
 * binary ops) and values kept away from points where the op is not
 * differentiable. The last describe fails when a registered op has no
 * describe here, so a new op cannot land without a finite-difference test.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as c from '../../src/core';
import type { Tensor } from '../../src/core';
import { gradcheck, InputSpec } from './helpers/gradcheck';

/** Fixed seed and bounded runs: CI sees the same cases every time. */
const SEED = 0x6c0ffee;
const RUNS = 50;

// ---------------------------------------------------------------------------
// Coverage bookkeeping
// ---------------------------------------------------------------------------

/** Registry op name -> title of the describe below that gradchecks it. */
const SUITE_OF: Readonly<Record<string, string>> = {
  add: 'add (tensor + tensor with broadcasting, tensor + number)',
  sub: 'sub (tensor − tensor with broadcasting, tensor − number)',
  rsub: 'rsub (number − tensor)',
  mul: 'mul (tensor × tensor with broadcasting, number × tensor)',
  div: 'div (tensor / tensor with broadcasting, tensor / number, number / tensor)',
  neg: 'neg',
  reciprocal: 'reciprocal',
  pow: 'pow (tensor ** number)',
  pow_tensor: 'pow_tensor (number ** tensor, tensor ** tensor)',
  exp: 'exp',
  log: 'log',
  sqrt: 'sqrt',
  abs: 'abs',
  sin: 'sin',
  cos: 'cos',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  clamp: 'clamp (min only, max only, both)',
  matmul: 'matmul (1-D, 2-D, batched, broadcast batches)',
  sum: 'sum (all, dims, keepdim, negative dims)',
  mean: 'mean (all, dims, keepdim, negative dims)',
  max: 'max (all, along a dim)',
  min: 'min (all, along a dim)',
  permute: 'permute (c.T, c.t, c.transpose)',
  reshape: 'reshape and view (with -1)',
  clone: 'clone (reshape of a transposed tensor copies first)',
  select: 'select',
  slice: 'slice (steps, negative and out-of-range bounds)',
  stack: 'stack',
  cat: 'cat',
  softmax: 'softmax',
  log_softmax: 'log_softmax',
  mse_loss: 'mse_loss (mean, sum, none; input and target)',
  nll_loss: 'nll_loss and cross_entropy (1-D and 2-D)',
  binary_cross_entropy: 'binary_cross_entropy',
};

/** Ops whose describe has been declared in this file. */
const declared = new Set<string>();
/** Ops recorded in the graphs checked by the describe currently running. */
let exercised: Set<string> | null = null;

/**
 * One describe per registry op. After its tests, it asserts that the op was
 * really recorded in at least one checked graph (a test that silently
 * computed something else would not count as coverage).
 */
function opSuite(op: string, body: () => void): void {
  const title = SUITE_OF[op];
  if (title === undefined) throw new Error(`no SUITE_OF entry for op '${op}'`);
  declared.add(op);
  describe(title, () => {
    const seen = new Set<string>();
    before(() => {
      exercised = seen;
    });
    after(() => {
      exercised = null;
      // Only meaningful when the suite's tests ran (not under --grep).
      if (seen.size > 0) assert.ok(seen.has(op), `no checked graph of this describe recorded op '${op}'`);
    });
    body();
  });
}

/** gradcheck, recording which ops the graph contained. */
function check(f: (xs: Tensor[]) => Tensor, inputs: readonly InputSpec[]): void {
  const ops = gradcheck(f, inputs);
  if (exercised) for (const o of ops) exercised.add(o);
}

function property<T>(arb: fc.Arbitrary<T>, predicate: (v: T) => void, numRuns = RUNS): void {
  fc.assert(fc.property(arb, predicate), { seed: SEED, numRuns });
}

// ---------------------------------------------------------------------------
// Arbitraries
// ---------------------------------------------------------------------------

type Shape = number[];

const sizeOf = (s: readonly number[]): number => s.reduce((p, d) => p * d, 1);

/** A shape of rank in [minRank, maxRank], each dim in [1, maxDim]. */
function shapeArb(minRank: number, maxRank: number, maxDim = 4): fc.Arbitrary<Shape> {
  return fc
    .integer({ min: minRank, max: maxRank })
    .chain((r) =>
      fc.array(fc.integer({ min: 1, max: r >= 4 ? Math.min(maxDim, 3) : maxDim }), { minLength: r, maxLength: r }),
    );
}

/** n doubles in [lo, hi]. */
function valuesArb(n: number, lo = -3, hi = 3): fc.Arbitrary<number[]> {
  return fc.array(fc.double({ min: lo, max: hi, noNaN: true }), { minLength: n, maxLength: n });
}

/** n doubles with |x| in [lo, hi], either sign: kept away from 0 by construction. */
function signedValuesArb(n: number, lo: number, hi: number): fc.Arbitrary<number[]> {
  return fc.array(
    fc.tuple(fc.boolean(), fc.double({ min: lo, max: hi, noNaN: true })).map(([neg, m]) => (neg ? -m : m)),
    { minLength: n, maxLength: n },
  );
}

/** n pairwise distinct values in about [-3, 3], at least 0.2·6/n apart (no ties for max/min). */
function distinctValuesArb(n: number): fc.Arbitrary<number[]> {
  return fc
    .tuple(
      fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: n, maxLength: n }),
      fc.array(fc.double({ min: 0, max: 0.8, noNaN: true }), { minLength: n, maxLength: n }),
    )
    .map(([keys, jitter]) => {
      const order = keys.map((k, i) => [k, i] as const).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      const rank = new Array<number>(n);
      order.forEach(([, i], pos) => (rank[i] = pos));
      return rank.map((p, i) => -3 + (6 * (p + 0.1 + jitter[i])) / n);
    });
}

/** A tensor spec of a shape drawn from `shape`, values from `values(n)`. */
function tensorArb(
  shape: fc.Arbitrary<Shape>,
  values: (n: number) => fc.Arbitrary<number[]> = (n) => valuesArb(n),
): fc.Arbitrary<InputSpec> {
  return shape.chain((s) => values(sizeOf(s)).map((v) => ({ shape: s, values: v })));
}

function spec(shape: readonly number[], values: readonly number[], grad = true): InputSpec {
  return { shape, values, grad };
}

/**
 * Two shapes that broadcast: hand-picked awkward pairs, and random ones
 * (trailing dims of a common shape, some set to 1, leading dims dropped).
 */
const broadcastPairArb: fc.Arbitrary<[Shape, Shape]> = fc.oneof(
  fc.constantFrom<[Shape, Shape]>(
    [[3, 1], [4]],
    [[4], [3, 1]],
    [[], [2, 3]],
    [[2, 3], []],
    [[1], [2, 3]],
    [
      [2, 1, 3],
      [4, 1],
    ],
    [
      [1, 3],
      [2, 1],
    ],
    [
      [2, 3],
      [2, 3],
    ],
    [[1, 1], [3]],
    [[], []],
  ),
  shapeArb(0, 3).chain((out) =>
    fc
      .tuple(
        fc.integer({ min: 0, max: out.length }),
        fc.integer({ min: 0, max: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
        fc.array(fc.boolean(), { minLength: out.length, maxLength: out.length }),
      )
      .map(([ka, kb, onesA, onesB]): [Shape, Shape] => {
        const part = (k: number, ones: boolean[]): Shape =>
          out.slice(out.length - k).map((d, i) => (ones[out.length - k + i] ? 1 : d));
        return [part(ka, onesA), part(kb, onesB)];
      }),
  ),
);

/** Two broadcasting operands; values of each from its own generator. */
function binaryArb(
  va: (n: number) => fc.Arbitrary<number[]>,
  vb: (n: number) => fc.Arbitrary<number[]>,
): fc.Arbitrary<[InputSpec, InputSpec]> {
  return broadcastPairArb.chain(([sa, sb]) =>
    fc.tuple(va(sizeOf(sa)), vb(sizeOf(sb))).map(([a, b]): [InputSpec, InputSpec] => [spec(sa, a), spec(sb, b)]),
  );
}

/** A tensor and a Python number; the number from `num`. */
function tensorAndNumberArb(
  vt: (n: number) => fc.Arbitrary<number[]>,
  num: fc.Arbitrary<number>,
): fc.Arbitrary<[InputSpec, number]> {
  return fc.tuple(tensorArb(shapeArb(0, 3), vt), num);
}

const anyNumber = fc.double({ min: -3, max: 3, noNaN: true });
const nonZeroNumber = fc
  .tuple(fc.boolean(), fc.double({ min: 0.2, max: 3, noNaN: true }))
  .map(([n, m]) => (n ? -m : m));

/** A dim argument for a tensor of rank r: some d in [-r, r-1] (rank 0: 0 or -1). */
function dimArb(r: number): fc.Arbitrary<number> {
  return r === 0 ? fc.constantFrom(0, -1) : fc.integer({ min: -r, max: r - 1 });
}

/** A non-empty set of distinct dims of a rank-r tensor, each possibly written negatively. */
function dimListArb(r: number): fc.Arbitrary<number[]> {
  if (r === 0) return fc.constantFrom([0], [-1]);
  return fc
    .tuple(
      fc.uniqueArray(fc.integer({ min: 0, max: r - 1 }), { minLength: 1, maxLength: r }),
      fc.array(fc.boolean(), { minLength: r, maxLength: r }),
    )
    .map(([ds, neg]) => ds.map((d, i) => (neg[i] ? d - r : d)));
}

const reductionArb = fc.constantFrom('mean', 'sum', 'none');

function unaryProperty(op: (x: Tensor) => Tensor, values: (n: number) => fc.Arbitrary<number[]>): void {
  property(tensorArb(shapeArb(0, 4), values), (x) => check(([a]) => op(a), [x]));
}

// ---------------------------------------------------------------------------
// Arithmetic
// ---------------------------------------------------------------------------

describe('gradcheck (float64 finite differences)', () => {
  opSuite('add', () => {
    it('tensor + tensor over broadcast shapes', () => {
      property(binaryArb(valuesArb, valuesArb), ([a, b]) => check(([x, y]) => c.add(x, y), [a, b]));
    });
    it('tensor + number and number + tensor', () => {
      property(tensorAndNumberArb(valuesArb, anyNumber), ([a, k]) => {
        check(([x]) => c.add(x, k), [a]);
        check(([x]) => c.add(k, x), [a]);
      });
    });
    it('a tensor added to itself (gradient accumulates)', () => {
      property(tensorArb(shapeArb(0, 3)), (a) => check(([x]) => c.add(x, x), [a]));
    });
  });

  opSuite('sub', () => {
    it('tensor − tensor over broadcast shapes', () => {
      property(binaryArb(valuesArb, valuesArb), ([a, b]) => check(([x, y]) => c.sub(x, y), [a, b]));
    });
    it('tensor − number', () => {
      property(tensorAndNumberArb(valuesArb, anyNumber), ([a, k]) => check(([x]) => c.sub(x, k), [a]));
    });
  });

  opSuite('rsub', () => {
    it('number − tensor', () => {
      property(tensorAndNumberArb(valuesArb, anyNumber), ([a, k]) => check(([x]) => c.sub(k, x), [a]));
    });
  });

  opSuite('mul', () => {
    it('tensor × tensor over broadcast shapes', () => {
      property(binaryArb(valuesArb, valuesArb), ([a, b]) => check(([x, y]) => c.mul(x, y), [a, b]));
    });
    it('tensor × number and number × tensor', () => {
      property(tensorAndNumberArb(valuesArb, anyNumber), ([a, k]) => {
        check(([x]) => c.mul(x, k), [a]);
        check(([x]) => c.mul(k, x), [a]);
      });
    });
    it('a tensor times itself (gradient accumulates)', () => {
      property(tensorArb(shapeArb(0, 3)), (a) => check(([x]) => c.mul(x, x), [a]));
    });
  });

  opSuite('div', () => {
    it('tensor / tensor over broadcast shapes (denominator |b| ≥ 0.2)', () => {
      property(
        binaryArb(valuesArb, (n) => signedValuesArb(n, 0.2, 3)),
        ([a, b]) => check(([x, y]) => c.div(x, y), [a, b]),
      );
    });
    it('tensor / number', () => {
      property(tensorAndNumberArb(valuesArb, nonZeroNumber), ([a, k]) => check(([x]) => c.div(x, k), [a]));
    });
    it('number / tensor (recorded as reciprocal then mul)', () => {
      property(
        tensorAndNumberArb((n) => signedValuesArb(n, 0.2, 3), anyNumber),
        ([a, k]) => check(([x]) => c.div(k, x), [a]),
      );
    });
  });

  opSuite('neg', () => {
    it('−tensor', () => unaryProperty(c.neg, valuesArb));
  });

  opSuite('reciprocal', () => {
    it('1/tensor (|x| ≥ 0.2)', () => unaryProperty(c.reciprocal, (n) => signedValuesArb(n, 0.2, 3)));
  });

  opSuite('pow', () => {
    const integerExponents = [0, 1, 2, 3, -1, -2, -3];
    const fractionalExponents = [0.5, -0.5, 1.7, -1.3, 2.5];
    it(`tensor ** integer p, p in {${integerExponents.join(', ')}}, negative bases allowed (|x| ≥ 0.2)`, () => {
      property(
        fc.tuple(
          tensorArb(shapeArb(0, 3), (n) => signedValuesArb(n, 0.2, 2)),
          fc.constantFrom(...integerExponents),
        ),
        ([a, p]) => check(([x]) => c.pow(x, p), [a]),
      );
    });
    it(`tensor ** fractional p, p in {${fractionalExponents.join(', ')}}, bases in [0.2, 2.5]`, () => {
      property(
        fc.tuple(
          tensorArb(shapeArb(0, 3), (n) => valuesArb(n, 0.2, 2.5)),
          fc.constantFrom(...fractionalExponents),
        ),
        ([a, p]) => check(([x]) => c.pow(x, p), [a]),
      );
    });
  });

  opSuite('pow_tensor', () => {
    it('number ** tensor (positive bases)', () => {
      property(
        fc.tuple(
          tensorArb(shapeArb(0, 3), (n) => valuesArb(n, -2, 2)),
          fc.constantFrom(0.5, 2, Math.E, 3.7, 1),
        ),
        ([b, base]) => check(([y]) => c.pow(base, y), [b]),
      );
    });
    it('tensor ** tensor over broadcast shapes (bases in [0.2, 2.5])', () => {
      property(
        binaryArb(
          (n) => valuesArb(n, 0.2, 2.5),
          (n) => valuesArb(n, -2, 2),
        ),
        ([a, b]) => check(([x, y]) => c.pow(x, y), [a, b]),
      );
    });
    it('tensor ** tensor with a constant (non-differentiable) exponent tensor', () => {
      property(
        binaryArb(
          (n) => valuesArb(n, 0.2, 2.5),
          (n) => valuesArb(n, -2, 2),
        ),
        ([a, b]) => check(([x, y]) => c.pow(x, y), [a, { ...b, grad: false }]),
      );
    });
  });

  // -------------------------------------------------------------------------
  // Elementwise functions
  // -------------------------------------------------------------------------

  opSuite('exp', () => {
    it('exp(x), x in [-3, 3]', () => unaryProperty(c.exp, valuesArb));
  });
  opSuite('log', () => {
    it('log(x), x in [0.1, 5]', () => unaryProperty(c.log, (n) => valuesArb(n, 0.1, 5)));
  });
  opSuite('sqrt', () => {
    it('sqrt(x), x in [0.1, 5]', () => unaryProperty(c.sqrt, (n) => valuesArb(n, 0.1, 5)));
  });
  opSuite('abs', () => {
    it('|x|, |x| ≥ 0.01', () => unaryProperty(c.abs, (n) => signedValuesArb(n, 0.01, 3)));
  });
  opSuite('sin', () => {
    it('sin(x), x in [-4, 4]', () => unaryProperty(c.sin, (n) => valuesArb(n, -4, 4)));
  });
  opSuite('cos', () => {
    it('cos(x), x in [-4, 4]', () => unaryProperty(c.cos, (n) => valuesArb(n, -4, 4)));
  });
  opSuite('tanh', () => {
    it('tanh(x), x in [-3, 3]', () => unaryProperty(c.tanh, valuesArb));
  });
  opSuite('sigmoid', () => {
    it('sigmoid(x), x in [-5, 5]', () => unaryProperty(c.sigmoid, (n) => valuesArb(n, -5, 5)));
  });
  opSuite('relu', () => {
    it('relu(x), |x| ≥ 0.01', () => unaryProperty(c.relu, (n) => signedValuesArb(n, 0.01, 3)));
  });

  opSuite('clamp', () => {
    /** Values at least 0.01 away from each given bound. */
    const awayFrom = (bounds: number[]) => (n: number) =>
      fc.array(
        fc.double({ min: -3, max: 3, noNaN: true }).filter((v) => bounds.every((b) => Math.abs(v - b) >= 0.01)),
        { minLength: n, maxLength: n },
      );
    const bound = fc.double({ min: -2, max: 2, noNaN: true });
    it('clamp(x, min)', () => {
      property(
        bound.chain((lo) => tensorArb(shapeArb(0, 3), awayFrom([lo])).map((a) => [a, lo] as const)),
        ([a, lo]) => check(([x]) => c.clamp(x, lo, null), [a]),
      );
    });
    it('clamp(x, null, max)', () => {
      property(
        bound.chain((hi) => tensorArb(shapeArb(0, 3), awayFrom([hi])).map((a) => [a, hi] as const)),
        ([a, hi]) => check(([x]) => c.clamp(x, null, hi), [a]),
      );
    });
    it('clamp(x, min, max), including min > max', () => {
      property(
        fc
          .tuple(bound, bound)
          .chain(([lo, hi]) => tensorArb(shapeArb(0, 3), awayFrom([lo, hi])).map((a) => [a, lo, hi] as const)),
        ([a, lo, hi]) => check(([x]) => c.clamp(x, lo, hi), [a]),
      );
    });
  });

  // -------------------------------------------------------------------------
  // matmul
  // -------------------------------------------------------------------------

  opSuite('matmul', () => {
    const dim = fc.integer({ min: 1, max: 4 });
    const batch = fc.integer({ min: 1, max: 3 });
    type Pair = [Shape, Shape];
    const kinds: Record<string, fc.Arbitrary<Pair>> = {
      '1-D · 1-D (dot)': dim.map((k): Pair => [[k], [k]]),
      '2-D @ 2-D': fc.tuple(dim, dim, dim).map(([n, k, m]): Pair => [
        [n, k],
        [k, m],
      ]),
      '2-D @ 1-D': fc.tuple(dim, dim).map(([n, k]): Pair => [[n, k], [k]]),
      '1-D @ 2-D': fc.tuple(dim, dim).map(([k, m]): Pair => [[k], [k, m]]),
      'batched 3-D @ 3-D': fc.tuple(batch, dim, dim, dim).map(([b, n, k, m]): Pair => [
        [b, n, k],
        [b, k, m],
      ]),
      '3-D @ 2-D (broadcast batch)': fc.tuple(batch, dim, dim, dim).map(([b, n, k, m]): Pair => [
        [b, n, k],
        [k, m],
      ]),
      '2-D @ 3-D (broadcast batch)': fc.tuple(batch, dim, dim, dim).map(([b, n, k, m]): Pair => [
        [n, k],
        [b, k, m],
      ]),
      '3-D @ 1-D and 1-D @ 3-D': fc
        .tuple(batch, dim, dim, fc.boolean())
        .map(([b, n, k, left]): Pair => (left ? [[k], [b, k, n]] : [[b, n, k], [k]])),
      '[1, n, k] @ [b, k, m] and [b1, 1, n, k] @ [b2, k, m]': fc
        .tuple(batch, batch, dim, dim, dim, fc.boolean())
        .map(([b1, b2, n, k, m, four]): Pair =>
          four
            ? [
                [b1, 1, n, k],
                [b2, k, m],
              ]
            : [
                [1, n, k],
                [b2, k, m],
              ],
        ),
    };
    for (const [name, shapes] of Object.entries(kinds)) {
      it(name, () => {
        property(
          shapes.chain(([sa, sb]) =>
            fc.tuple(valuesArb(sizeOf(sa)), valuesArb(sizeOf(sb))).map(([a, b]) => [spec(sa, a), spec(sb, b)]),
          ),
          ([a, b]) => check(([x, y]) => c.matmul(x, y), [a, b]),
          30,
        );
      });
    }
  });

  // -------------------------------------------------------------------------
  // Reductions
  // -------------------------------------------------------------------------

  for (const [op, fn] of [
    ['sum', c.sum],
    ['mean', c.mean],
  ] as const) {
    opSuite(op, () => {
      it(`${op}(x) over all elements`, () => {
        property(tensorArb(shapeArb(0, 4)), (a) => check(([x]) => fn(x), [a]));
      });
      it(`${op}(x, dim, keepdim) over one dim, negative dims allowed`, () => {
        property(
          shapeArb(0, 4).chain((s) => fc.tuple(tensorArb(fc.constant(s)), dimArb(s.length), fc.boolean())),
          ([a, d, keep]) => check(([x]) => fn(x, d, keep), [a]),
        );
      });
      it(`${op}(x, [dims], keepdim) over several dims`, () => {
        property(
          shapeArb(0, 4).chain((s) => fc.tuple(tensorArb(fc.constant(s)), dimListArb(s.length), fc.boolean())),
          ([a, ds, keep]) => check(([x]) => fn(x, ds, keep), [a]),
        );
      });
    });
  }

  for (const [op, all, along] of [
    ['max', c.max, c.maxDim],
    ['min', c.min, c.minDim],
  ] as const) {
    opSuite(op, () => {
      it(`${op}(x) over all elements (distinct values)`, () => {
        property(tensorArb(shapeArb(0, 4), distinctValuesArb), (a) => check(([x]) => all(x), [a]));
      });
      it(`${op}(x, dim, keepdim) along a dim (distinct values)`, () => {
        property(
          shapeArb(0, 4).chain((s) =>
            fc.tuple(tensorArb(fc.constant(s), distinctValuesArb), dimArb(s.length), fc.boolean()),
          ),
          ([a, d, keep]) => check(([x]) => along(x, d, keep).values, [a]),
        );
      });
    });
  }

  // -------------------------------------------------------------------------
  // Shape ops
  // -------------------------------------------------------------------------

  opSuite('permute', () => {
    it('x.T (all dims reversed), ranks 0–4', () => {
      property(tensorArb(shapeArb(0, 4)), (a) => check(([x]) => c.T(x), [a]));
    });
    it('x.t(), ranks 0–2', () => {
      property(tensorArb(shapeArb(0, 2)), (a) => check(([x]) => c.t(x), [a]));
    });
    it('x.transpose(d0, d1), negative dims allowed', () => {
      property(
        shapeArb(1, 4).chain((s) => fc.tuple(tensorArb(fc.constant(s)), dimArb(s.length), dimArb(s.length))),
        ([a, d0, d1]) => check(([x]) => c.transpose(x, d0, d1), [a]),
      );
    });
  });

  opSuite('reshape', () => {
    /** A random shape of the same size: the prime factors regrouped, 1s inserted, maybe one dim written -1. */
    const targetArb = (size: number): fc.Arbitrary<number[]> => {
      const primes: number[] = [];
      for (let n = size, p = 2; n > 1;) {
        if (n % p === 0) {
          primes.push(p);
          n /= p;
        } else p++;
      }
      return fc
        .tuple(
          fc.shuffledSubarray(primes, { minLength: primes.length, maxLength: primes.length }),
          fc.array(fc.boolean(), { minLength: primes.length, maxLength: primes.length }),
          fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 2 }),
          fc.option(fc.nat(), { nil: null }),
        )
        .map(([ps, merge, ones, neg]) => {
          const dims: number[] = [];
          ps.forEach((p, i) => {
            if (i > 0 && merge[i]) dims[dims.length - 1] *= p;
            else dims.push(p);
          });
          for (const at of ones) dims.splice(Math.min(at, dims.length), 0, 1);
          if (neg !== null && dims.length > 0) dims[neg % dims.length] = -1;
          return dims;
        });
    };
    for (const [name, fn] of [
      ['reshape', c.reshape],
      ['view', c.view],
    ] as const) {
      it(`${name} to a random shape of the same size (with -1)`, () => {
        property(
          tensorArb(shapeArb(0, 4)).chain((a) => fc.tuple(fc.constant(a), targetArb(sizeOf(a.shape)))),
          ([a, shape]) => check(([x]) => fn(x, shape), [a]),
        );
      });
    }
  });

  opSuite('clone', () => {
    it('x.t().reshape(-1): PyTorch clones the transposed tensor, then views it', () => {
      property(tensorArb(shapeArb(2, 2)), (a) => check(([x]) => c.reshape(c.t(x), [-1]), [a]));
    });
    it('clone and contiguous directly', () => {
      property(tensorArb(shapeArb(0, 3)), (a) => check(([x]) => c.mul(c.clone(x), c.sum(c.contiguous(c.T(x)))), [a]));
    });
  });

  opSuite('select', () => {
    it('x.select(dim, index), negative dims and indices', () => {
      property(
        shapeArb(1, 4).chain((s) =>
          fc
            .tuple(tensorArb(fc.constant(s)), fc.integer({ min: 0, max: s.length - 1 }), fc.boolean())
            .chain(([a, d, negDim]) =>
              fc.integer({ min: -s[d], max: s[d] - 1 }).map((index) => [a, negDim ? d - s.length : d, index] as const),
            ),
        ),
        ([a, d, index]) => check(([x]) => c.select(x, d, index), [a]),
      );
    });
  });

  opSuite('slice', () => {
    it('x[start:stop:step] along a dim (steps 1–3, negative and out-of-range bounds, empty results)', () => {
      property(
        shapeArb(1, 3).chain((s) =>
          fc
            .tuple(tensorArb(fc.constant(s)), fc.integer({ min: 0, max: s.length - 1 }), fc.boolean())
            .chain(([a, d, negDim]) =>
              fc
                .tuple(
                  fc.option(fc.integer({ min: -s[d] - 2, max: s[d] + 2 }), { nil: null }),
                  fc.option(fc.integer({ min: -s[d] - 2, max: s[d] + 2 }), { nil: null }),
                  fc.integer({ min: 1, max: 3 }),
                )
                .map(([start, stop, step]) => [a, negDim ? d - s.length : d, start, stop, step] as const),
            ),
        ),
        ([a, d, start, stop, step]) => check(([x]) => c.slice(x, d, start, stop, step), [a]),
      );
    });
  });

  opSuite('stack', () => {
    it('stack of 1–4 tensors along any dim (negative dims allowed)', () => {
      property(
        fc
          .tuple(shapeArb(0, 3), fc.integer({ min: 1, max: 4 }))
          .chain(([s, k]) =>
            fc.tuple(
              fc.array(tensorArb(fc.constant(s)), { minLength: k, maxLength: k }),
              fc.integer({ min: -(s.length + 1), max: s.length }),
            ),
          ),
        ([inputs, d]) => check((xs) => c.stack(xs, d), inputs),
      );
    });
  });

  opSuite('cat', () => {
    it('cat of 1–4 tensors of different lengths along any dim (negative dims allowed)', () => {
      property(
        fc
          .tuple(shapeArb(1, 3), fc.integer({ min: 1, max: 4 }))
          .chain(([s, k]) =>
            fc
              .tuple(
                fc.integer({ min: 0, max: s.length - 1 }),
                fc.array(fc.integer({ min: 1, max: 3 }), { minLength: k, maxLength: k }),
                fc.boolean(),
              )
              .chain(([d, lens, negDim]) =>
                fc
                  .tuple(...lens.map((len) => tensorArb(fc.constant(s.map((x, i) => (i === d ? len : x))))))
                  .map((inputs) => [inputs, negDim ? d - s.length : d] as const),
              ),
          ),
        ([inputs, d]) => check((xs) => c.cat(xs, d), inputs),
      );
    });
  });

  // -------------------------------------------------------------------------
  // softmax
  // -------------------------------------------------------------------------

  for (const [op, fn] of [
    ['softmax', c.softmax],
    ['log_softmax', c.logSoftmax],
  ] as const) {
    opSuite(op, () => {
      it(`${op}(x, dim) over ranks 0–3, any dim`, () => {
        property(
          shapeArb(0, 3).chain((s) =>
            fc.tuple(
              tensorArb(fc.constant(s), (n) => valuesArb(n, -4, 4)),
              dimArb(s.length),
            ),
          ),
          ([a, d]) => check(([x]) => fn(x, d), [a]),
        );
      });
    });
  }

  // -------------------------------------------------------------------------
  // Losses
  // -------------------------------------------------------------------------

  opSuite('mse_loss', () => {
    it('mse_loss(input, target, reduction), gradient to both', () => {
      property(
        shapeArb(0, 3).chain((s) => fc.tuple(tensorArb(fc.constant(s)), tensorArb(fc.constant(s)), reductionArb)),
        ([a, t, red]) => check(([x, y]) => c.mseLoss(x, y, red), [a, t]),
      );
    });
    it('mse_loss with a constant target', () => {
      property(
        shapeArb(0, 3).chain((s) => fc.tuple(tensorArb(fc.constant(s)), tensorArb(fc.constant(s)), reductionArb)),
        ([a, t, red]) => check(([x, y]) => c.mseLoss(x, y, red), [a, { ...t, grad: false }]),
      );
    });
  });

  opSuite('nll_loss', () => {
    /** [C] with one target, or [N, C] with N targets. */
    const classArb = fc.boolean().chain((twoD) =>
      fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 5 })).chain(([n, cls]) => {
        const shape = twoD ? [n, cls] : [cls];
        const rows = twoD ? n : 1;
        return fc.tuple(
          fc.constant(shape),
          fc.array(fc.integer({ min: 0, max: cls - 1 }), { minLength: rows, maxLength: rows }),
          reductionArb,
        );
      }),
    );
    it('nll_loss(log_probs, target, reduction), 1-D and 2-D', () => {
      property(
        classArb.chain(([s, target, red]) =>
          tensorArb(fc.constant(s), (n) => valuesArb(n, -4, 0)).map((a) => [a, target, red] as const),
        ),
        ([a, target, red]) => check(([x]) => c.nllLoss(x, target, red), [a]),
      );
    });
    it('cross_entropy(logits, target, reduction), 1-D and 2-D', () => {
      property(
        classArb.chain(([s, target, red]) => tensorArb(fc.constant(s)).map((a) => [a, target, red] as const)),
        ([a, target, red]) => check(([x]) => c.crossEntropy(x, target, red), [a]),
      );
    });
  });

  opSuite('binary_cross_entropy', () => {
    const targetValues = (n: number) =>
      fc.oneof(valuesArb(n, 0, 1), fc.array(fc.constantFrom(0, 1), { minLength: n, maxLength: n }));
    it('binary_cross_entropy(p, target, reduction), p in [0.05, 0.95], soft and hard targets', () => {
      property(
        shapeArb(0, 3).chain((s) =>
          fc.tuple(
            tensorArb(fc.constant(s), (n) => valuesArb(n, 0.05, 0.95)),
            targetValues(sizeOf(s)),
            reductionArb,
          ),
        ),
        ([p, target, red]) =>
          check(([x]) => c.binaryCrossEntropy(x, c.fromValues(target, p.shape, 'float64'), red), [p]),
      );
    });
  });

  // -------------------------------------------------------------------------
  // Coverage
  // -------------------------------------------------------------------------

  describe('coverage', () => {
    it('every registered op has a finite-difference describe in this file', () => {
      const ops = c.allOps().map((o) => o.name);
      assert.ok(ops.length > 0, 'the registry is empty');
      const missing = ops.filter((name) => !(name in SUITE_OF) || !declared.has(name));
      assert.deepEqual(
        missing,
        [],
        `ops without a gradcheck describe (add one and a SUITE_OF entry): ${missing.join(', ')}`,
      );
    });
    it('the coverage map names no op the registry lacks', () => {
      const registered = new Set(c.allOps().map((o) => o.name));
      const stale = Object.keys(SUITE_OF).filter((name) => !registered.has(name));
      assert.deepEqual(stale, [], `SUITE_OF entries for unregistered ops: ${stale.join(', ')}`);
    });
  });
});
