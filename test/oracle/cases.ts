/**
 * The oracle's test programs: a deterministic generator (seeded PRNG, never
 * Math.random) of small, JSON-describable autograd programs that
 * torch_runner.py runs with PyTorch and ts-runner.ts runs with the core.
 *
 * A case is
 *   - leaves: name, nested values, dtype, requires_grad;
 *   - a program: `op` statements (an op of the fixed vocabulary below applied
 *     to earlier results, leaves and Python numbers), `backward` statements
 *     (optionally with an explicit gradient and retain_graph) and `sgd`
 *     statements (the course's `with torch.no_grad(): w -= lr * w.grad`
 *     followed by `w.grad.zero_()`).
 * Non-finite numbers inside values are written as the strings 'nan', 'inf'
 * and '-inf' so that a case survives JSON.
 *
 * Each vocabulary op is one function of src/core/functional.ts and one torch
 * expression (see OP_VOCABULARY and torch_runner.py).
 */

export type DTypeName = 'float32' | 'float64';
/** A number as JSON carries it: finite numbers as such, non-finite ones as strings. */
export type Num = number | 'nan' | 'inf' | '-inf';
export type Nested = Num | Nested[];

export interface LeafSpec {
  readonly name: string;
  readonly value: Nested;
  readonly dtype: DTypeName;
  readonly requiresGrad: boolean;
}

/** A reference to a tensor bound to a name (a leaf or an earlier op's result). */
export interface TRef {
  readonly t: string;
}
/** A list of tensor references (stack, cat). */
export interface TList {
  readonly ts: readonly string[];
}
/** Op arguments: tensors, tensor lists, Python numbers, int lists (dims, shapes, class targets), strings (reduction), booleans, None. */
export type Arg = TRef | TList | number | readonly number[] | string | boolean | null;

/**
 * The op vocabulary. Each name maps 1:1 to a function of src/core/functional.ts
 * (the value) and to the torch expression written next to it.
 */
export const OP_VOCABULARY = {
  add: 'add', // a + b (either may be a Python number)
  sub: 'sub', // a - b (number - tensor is rsub)
  mul: 'mul', // a * b
  div: 'div', // a / b (number / tensor is reciprocal * number)
  pow: 'pow', // a ** b (tensor**number, number**tensor, tensor**tensor)
  neg: 'neg', // -a
  reciprocal: 'reciprocal', // torch.reciprocal(a)
  exp: 'exp', // torch.exp(a)
  log: 'log',
  sqrt: 'sqrt',
  abs: 'abs',
  sin: 'sin',
  cos: 'cos',
  tanh: 'tanh',
  sigmoid: 'sigmoid',
  relu: 'relu',
  clamp: 'clamp', // torch.clamp(a, min=, max=)
  matmul: 'matmul', // a @ b
  sum: 'sum', // a.sum() / torch.sum(a, dim=, keepdim=)
  mean: 'mean',
  max: 'max', // torch.max(a)
  min: 'min',
  maxDim: 'maxDim', // torch.max(a, dim, keepdim): values (and indices)
  minDim: 'minDim',
  transpose: 'transpose', // a.transpose(d0, d1)
  t: 't', // a.t()
  T: 'T', // a.T
  reshape: 'reshape', // a.reshape(shape)
  view: 'view', // a.view(shape)
  select: 'select', // a.select(dim, index)
  slice: 'slice', // a[..., start:stop:step] along dim
  stack: 'stack', // torch.stack([...], dim)
  cat: 'cat', // torch.cat([...], dim)
  softmax: 'softmax', // torch.softmax(a, dim)
  logSoftmax: 'logSoftmax', // torch.log_softmax(a, dim)
  mseLoss: 'mseLoss', // F.mse_loss(a, t, reduction=)
  nllLoss: 'nllLoss', // F.nll_loss(a, LongTensor(target), reduction=)
  crossEntropy: 'crossEntropy', // F.cross_entropy(a, LongTensor(target), reduction=)
  binaryCrossEntropy: 'binaryCrossEntropy', // F.binary_cross_entropy(p, t, reduction=)
} as const;
export type OpName = keyof typeof OP_VOCABULARY;

export interface OpStmt {
  readonly kind: 'op';
  /** Name the result is bound to (a later statement may rebind it, as Python does). */
  readonly out: string;
  readonly op: OpName;
  readonly args: readonly Arg[];
}
export interface BackwardStmt {
  readonly kind: 'backward';
  readonly root: string;
  /** Explicit ∂L/∂root (root's dtype); absent: implicit 1 for a scalar root. */
  readonly gradient?: Nested;
  readonly retainGraph?: boolean;
}
export interface SgdStmt {
  readonly kind: 'sgd';
  readonly params: readonly string[];
  readonly lr: number;
}
export type Stmt = OpStmt | BackwardStmt | SgdStmt;

export interface Case {
  readonly name: string;
  readonly leaves: readonly LeafSpec[];
  readonly program: readonly Stmt[];
}

// ---------------------------------------------------------------------------
// Deterministic randomness

/** mulberry32: a small, well-mixed 32-bit PRNG. */
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)];
  }
  /** A decimal in [lo, hi] with 3 digits after the point (readable in failure reports). */
  num(lo: number, hi: number): number {
    const v = Math.round((lo + (hi - lo) * this.next()) * 1000) / 1000;
    return v === 0 ? 0 : v; // never -0 (JSON cannot carry it)
  }
}

export type Shape = readonly number[];

/** Nested values of `shape`, each from gen(). */
export function nested(shape: Shape, gen: () => number): Nested {
  if (shape.length === 0) return gen();
  const out: Nested[] = [];
  for (let i = 0; i < shape[0]; i++) out.push(nested(shape.slice(1), gen));
  return out;
}

const shapeName = (s: Shape | 'num'): string => (s === 'num' ? 'num' : `[${s.join(',')}]`);

/** PyTorch's broadcasting of two shapes (the generator only builds valid pairs). */
function broadcast(a: Shape, b: Shape): number[] {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const da = a[a.length - n + i] ?? 1;
    const db = b[b.length - n + i] ?? 1;
    out.push(da === 1 ? db : da);
  }
  return out;
}

function matmulShape(a: Shape, b: Shape): number[] {
  const batch = broadcast(a.length > 2 ? a.slice(0, -2) : [], b.length > 2 ? b.slice(0, -2) : []);
  const out = [...batch];
  if (a.length > 1) out.push(a[a.length - 2]);
  if (b.length > 1) out.push(b[b.length - 1]);
  return out;
}

function reducedShape(s: Shape, dim: number | readonly number[] | null, keepdim: boolean): number[] {
  const dims =
    dim === null ? s.map((_x, i) => i) : (typeof dim === 'number' ? [dim] : dim).map((d) => (d < 0 ? d + s.length : d));
  if (keepdim) return s.map((x, i) => (dims.includes(i) ? 1 : x));
  return s.filter((_x, i) => !dims.includes(i));
}

// ---------------------------------------------------------------------------
// Building cases

const F32: DTypeName = 'float32';
const F64: DTypeName = 'float64';
const DTYPES: readonly DTypeName[] = [F32, F64];
const dt = (d: DTypeName): string => (d === F32 ? 'f32' : 'f64');

class CaseBuilder {
  private readonly leaves: LeafSpec[] = [];
  private readonly program: Stmt[] = [];
  private n = 0;
  constructor(
    readonly name: string,
    readonly rng: Rng,
  ) {}

  leaf(name: string, value: Nested, dtype: DTypeName = F32, requiresGrad = true): TRef {
    this.leaves.push({ name, value, dtype, requiresGrad });
    return { t: name };
  }

  /** A leaf of `shape` with values from rng.num(lo, hi). */
  rand(name: string, shape: Shape, lo: number, hi: number, dtype: DTypeName = F32, requiresGrad = true): TRef {
    return this.leaf(
      name,
      nested(shape, () => this.rng.num(lo, hi)),
      dtype,
      requiresGrad,
    );
  }

  /** `out = op(args)`; the result is named `out` or t0, t1, ... */
  op(op: OpName, args: readonly Arg[], out?: string): TRef {
    const name = out ?? `t${this.n++}`;
    this.program.push({ kind: 'op', out: name, op, args });
    return { t: name };
  }

  backward(root: TRef, gradient?: Nested, retainGraph?: boolean): void {
    const s: { kind: 'backward'; root: string; gradient?: Nested; retainGraph?: boolean } = {
      kind: 'backward',
      root: root.t,
    };
    if (gradient !== undefined) s.gradient = gradient;
    if (retainGraph !== undefined) s.retainGraph = retainGraph;
    this.program.push(s);
  }

  /** backward() for a scalar root, else backward(gradient=random values of `shape`). */
  finish(root: TRef, shape: Shape): void {
    if (shape.length === 0) this.backward(root);
    else
      this.backward(
        root,
        nested(shape, () => this.rng.num(-1.5, 1.5)),
      );
  }

  sgd(params: readonly TRef[], lr: number): void {
    this.program.push({ kind: 'sgd', params: params.map((p) => p.t), lr });
  }

  build(): Case {
    return { name: this.name, leaves: this.leaves, program: this.program };
  }
}

/** Adds a case; `rng` is the case's own stream (also b.rng). */
type Emit = (name: string, body: (b: CaseBuilder, rng: Rng) => void) => void;

// ---------------------------------------------------------------------------
// Families

const UNARY: readonly [OpName, number, number][] = [
  ['neg', -2, 2],
  ['reciprocal', 0.25, 3],
  ['exp', -3, 3],
  ['log', 0.05, 5],
  ['sqrt', 0.01, 9],
  ['abs', -2, 2],
  ['sin', -3, 3],
  ['cos', -3, 3],
  ['tanh', -1.5, 1.5],
  ['sigmoid', -4, 4],
  ['relu', -2, 2],
];

function unaryCases(emit: Emit): void {
  for (const [op, lo, hi] of UNARY)
    for (const d of DTYPES) {
      for (const shape of [[], [5], [2, 3]] as Shape[])
        emit(`unary/${op}/${dt(d)}/${shapeName(shape)}`, (b, rng) => {
          // reciprocal: both signs, away from 0
          const a =
            op === 'reciprocal'
              ? b.leaf(
                  'a',
                  nested(shape, () => rng.pick([-1, 1]) * rng.num(lo, hi)),
                  d,
                )
              : b.rand('a', shape, lo, hi, d);
          b.finish(b.op(op, [a]), shape);
        });
      emit(`unary/${op}/${dt(d)}/[2,3]/sum`, (b) => {
        const a = b.rand('a', [2, 3], op === 'reciprocal' ? 0.5 : lo, hi, d);
        b.backward(b.op('sum', [b.op(op, [a])]));
      });
    }
  // clamp: min only, max only, both; elements exactly on the bounds let the gradient through
  for (const d of DTYPES) {
    for (const [lo, hi] of [
      [-0.5, null],
      [null, 0.75],
      [-0.5, 0.75],
      [0.25, 0.25],
    ] as [number | null, number | null][])
      emit(`clamp/${dt(d)}/min=${lo}/max=${hi}`, (b, rng) => {
        const a = b.leaf('a', [rng.num(-2, 2), -0.5, 0.75, 0.25, rng.num(-2, 2), rng.num(-2, 2)], d);
        b.finish(b.op('clamp', [a, lo, hi]), [6]);
      });
  }
}

function binaryCases(emit: Emit): void {
  const pairs: [Shape | 'num', Shape | 'num'][] = [
    [
      [2, 3],
      [2, 3],
    ],
    [[2, 3], [3]],
    [[3], [2, 3]],
    [
      [2, 1],
      [1, 3],
    ],
    [[4], []],
    [[], [4]],
    [[], []],
    [
      [2, 3, 4],
      [3, 1],
    ],
    [[2, 3], 'num'],
    ['num', [2, 3]],
    [[5], 'num'],
  ];
  const numbers = [2, 0.5, -1.25, 0.1, 3, 1e-3];
  let k = 0;
  for (const op of ['add', 'sub', 'mul', 'div'] as OpName[])
    for (const [sa, sb] of pairs) {
      const d = DTYPES[k % 2];
      // every third case: the second operand is a constant tensor
      const bGrad = k++ % 3 !== 2 || sa === 'num';
      emit(`binary/${op}/${dt(d)}/${shapeName(sa)}${shapeName(sb)}`, (b, rng) => {
        const operand = (name: string, s: Shape | 'num', divisor: boolean, rg: boolean): Arg =>
          s === 'num'
            ? rng.pick(numbers)
            : divisor
              ? b.leaf(
                  name,
                  nested(s, () => rng.pick([-1, 1]) * rng.num(0.25, 3)),
                  d,
                  rg,
                )
              : b.rand(name, s, -3, 3, d, rg);
        const x = operand('a', sa, false, true);
        const y = operand('b', sb, op === 'div', bGrad);
        const shape = sa === 'num' ? (sb as Shape) : sb === 'num' ? sa : broadcast(sa, sb);
        b.finish(b.op(op, [x, y]), shape);
      });
    }
  // Mixed dtypes: PyTorch's type promotion (a dimensioned tensor outranks a 0-dim one).
  const mixed: [OpName, Shape, DTypeName, Shape, DTypeName][] = [
    ['mul', [3], F32, [], F64],
    ['add', [3], F32, [], F64],
    ['div', [3], F32, [], F64],
    ['mul', [3], F64, [], F32],
    ['mul', [3], F64, [3], F32],
    ['add', [2, 3], F32, [3], F64],
    ['sub', [], F32, [], F64],
  ];
  for (const [op, sa, da, sb, db] of mixed)
    emit(`binary/mixed/${op}/${dt(da)}${shapeName(sa)}/${dt(db)}${shapeName(sb)}`, (b, rng) => {
      const x = b.rand('a', sa, -3, 3, da);
      const y = b.leaf(
        'b',
        nested(sb, () => rng.pick([0.1, 0.3, 1.7, -2.9])),
        db,
      );
      b.finish(b.op(op, [x, y]), broadcast(sa, sb));
    });
  // Python numbers on the left: rsub (c - a) and c / a (reciprocal, then mul)
  for (const d of DTYPES) {
    for (const c of [1, 2.5, 0.1])
      emit(`rsub/${dt(d)}/${c}-a`, (b) => {
        const a = b.rand('a', [4], -3, 3, d);
        b.finish(b.op('sub', [c, a]), [4]);
      });
    for (const c of [1, 2, 0.1, -3])
      emit(`rdiv/${dt(d)}/${c}/a`, (b, rng) => {
        const a = b.leaf(
          'a',
          nested([4], () => rng.pick([-1, 1]) * rng.num(0.25, 3)),
          d,
        );
        b.finish(b.op('div', [c, a]), [4]);
      });
    emit(`radd-rmul/${dt(d)}`, (b) => {
      const a = b.rand('a', [3], -3, 3, d);
      b.finish(b.op('mul', [0.3, b.op('add', [1.5, a])]), [3]);
    });
  }
}

function powCases(emit: Emit): void {
  for (const d of DTYPES) {
    for (const p of [2, 3, 0.5, -1, -2, 1.5, 0, 1, -0.5, 2.5, 4])
      emit(`pow/${dt(d)}/a**${p}`, (b, rng) => {
        const integer = Number.isInteger(p);
        const a = integer
          ? b.leaf(
              'a',
              nested([5], () => rng.pick([-1, 1]) * rng.num(0.3, 2.5)),
              d,
            )
          : b.rand('a', [5], 0.1, 4, d);
        b.finish(b.op('pow', [a, p]), [5]);
      });
    for (const base of [2, 0.5, 2.718, 10])
      emit(`pow/${dt(d)}/${base}**a`, (b) => {
        const a = b.rand('a', [5], -2, 2, d);
        b.finish(b.op('pow', [base, a]), [5]);
      });
    emit(`pow/${dt(d)}/a**b`, (b) => {
      const a = b.rand('a', [2, 3], 0.1, 3, d);
      const e = b.rand('b', [2, 3], -2, 2, d);
      b.finish(b.op('pow', [a, e]), [2, 3]);
    });
    emit(`pow/${dt(d)}/a**b/broadcast`, (b) => {
      const a = b.rand('a', [2, 3], 0.1, 3, d);
      const e = b.rand('b', [3], -2, 2, d);
      b.finish(b.op('pow', [a, e]), [2, 3]);
    });
    // zero base: ∂/∂b is masked to 0 where a == 0 and b >= 0; negative base with integer exponents
    emit(`pow/${dt(d)}/a**b/zero-and-negative-base`, (b) => {
      const a = b.leaf('a', [0, 0, -2, -1.5, 2, 0], d);
      const e = b.leaf('b', [2, 0.5, 2, 3, 0, -1], d);
      b.finish(b.op('pow', [a, e]), [6]);
    });
  }
}

function matmulCases(emit: Emit): void {
  const shapes: [Shape, Shape][] = [
    [[3], [3]],
    [
      [2, 3],
      [3, 4],
    ],
    [[2, 3], [3]],
    [[3], [3, 2]],
    [
      [2, 2, 3],
      [2, 3, 4],
    ],
    [
      [2, 2, 3],
      [3, 4],
    ],
    [
      [3, 4],
      [2, 4, 2],
    ],
    [[2, 2, 3], [3]],
    [[3], [2, 3, 4]],
    [
      [2, 1, 2, 3],
      [3, 3, 2],
    ],
    [
      [1, 3],
      [3, 1],
    ],
    [
      [4, 1],
      [1, 3],
    ],
    [
      [5, 7],
      [7, 6],
    ],
  ];
  for (const d of DTYPES)
    for (const [sa, sb] of shapes)
      emit(`matmul/${dt(d)}/${shapeName(sa)}@${shapeName(sb)}`, (b) => {
        const x = b.rand('a', sa, -2, 2, d);
        const y = b.rand('b', sb, -2, 2, d);
        b.finish(b.op('matmul', [x, y]), matmulShape(sa, sb));
      });
}

function reductionCases(emit: Emit): void {
  const combos: [Shape, number | number[] | null, boolean][] = [
    [[4], null, false],
    [[2, 3], null, false],
    [[2, 3, 4], null, false],
    [[4], 0, false],
    [[2, 3], 0, false],
    [[2, 3], 1, true],
    [[2, 3], -1, false],
    [[2, 3, 4], 1, false],
    [[2, 3, 4], [0, 2], false],
    [[2, 3, 4], [0, 2], true],
    [[2, 3, 4], -1, true],
    [[], null, false],
    [[], 0, true],
  ];
  let k = 0;
  for (const op of ['sum', 'mean'] as OpName[])
    for (const [s, dim, keepdim] of combos) {
      const d = DTYPES[k++ % 2];
      emit(`${op}/${dt(d)}/${shapeName(s)}/dim=${JSON.stringify(dim)}/keepdim=${keepdim}`, (b) => {
        const a = b.rand('a', s, -2, 2, d);
        const args: Arg[] = dim === null && !keepdim ? [a] : [a, dim, keepdim];
        b.finish(b.op(op, args), reducedShape(s, dim, keepdim));
      });
    }
  // torch.sum(a, dim=None, keepdim=True): all dims reduced, kept as size 1
  for (const op of ['sum', 'mean'] as OpName[])
    emit(`${op}/f32/[2,3]/dim=null/keepdim=true`, (b) => {
      const a = b.rand('a', [2, 3], -2, 2);
      b.finish(b.op(op, [a, null, true]), [1, 1]);
    });

  // max / min over everything (ties share the gradient evenly) and along a dim (first index wins)
  for (const op of ['max', 'min'] as OpName[])
    for (const d of DTYPES) {
      emit(`${op}/${dt(d)}/all`, (b) => {
        const a = b.rand('a', [2, 3], -2, 2, d);
        b.backward(b.op(op, [a]));
      });
      emit(`${op}/${dt(d)}/all/ties`, (b) => {
        const a = b.leaf(
          'a',
          [
            [1, 3, -1],
            [3, -1, 3],
          ],
          d,
        );
        b.backward(b.op('mul', [b.op(op, [a]), 1.5]));
      });
      const dimOp: OpName = op === 'max' ? 'maxDim' : 'minDim';
      for (const [s, dim, keepdim] of [
        [[2, 3], 1, false],
        [[2, 3], 0, true],
        [[2, 3, 4], -1, false],
        [[4], 0, false],
        [[], 0, false],
      ] as [Shape, number, boolean][])
        emit(`${dimOp}/${dt(d)}/${shapeName(s)}/dim=${dim}/keepdim=${keepdim}`, (b) => {
          const a = b.rand('a', s, -2, 2, d);
          b.finish(b.op(dimOp, [a, dim, keepdim]), reducedShape(s, s.length === 0 ? [] : dim, keepdim));
        });
      emit(`${dimOp}/${dt(d)}/ties`, (b) => {
        const a = b.leaf(
          'a',
          [
            [1, 3, 3],
            [2, 2, 1],
            [0, 0, 0],
          ],
          d,
        );
        b.finish(b.op(dimOp, [a, 1, false]), [3]);
      });
    }
}

function shapeCases(emit: Emit): void {
  const d = (k: number): DTypeName => DTYPES[k % 2];
  emit('shape/T/2d', (b) => b.finish(b.op('T', [b.rand('a', [2, 3], -2, 2)]), [3, 2]));
  emit('shape/T/1d', (b) => b.finish(b.op('T', [b.rand('a', [4], -2, 2, F64)]), [4]));
  emit('shape/T/3d', (b) => b.finish(b.op('T', [b.rand('a', [2, 3, 4], -2, 2)]), [4, 3, 2]));
  emit('shape/t/2d', (b) => b.finish(b.op('t', [b.rand('a', [2, 3], -2, 2, F64)]), [3, 2]));
  emit('shape/t/1d', (b) => b.finish(b.op('t', [b.rand('a', [3], -2, 2)]), [3]));
  emit('shape/transpose/3d/0,2', (b) => b.finish(b.op('transpose', [b.rand('a', [2, 3, 4], -2, 2), 0, 2]), [4, 3, 2]));
  emit('shape/transpose/3d/-1,1', (b) =>
    b.finish(b.op('transpose', [b.rand('a', [2, 3, 4], -2, 2, F64), -1, 1]), [2, 4, 3]),
  );
  const reshapes: [Shape, number[], Shape][] = [
    [
      [2, 3],
      [3, 2],
      [3, 2],
    ],
    [[2, 3], [-1], [6]],
    [[6], [2, -1], [2, 3]],
    [
      [2, 3, 4],
      [4, 6],
      [4, 6],
    ],
    [[1], [], []],
  ];
  reshapes.forEach(([s, to, out], k) => {
    emit(`shape/reshape/${shapeName(s)}->${shapeName(to)}`, (b) =>
      b.finish(b.op('reshape', [b.rand('a', s, -2, 2, d(k)), to]), out),
    );
    emit(`shape/view/${shapeName(s)}->${shapeName(to)}`, (b) =>
      b.finish(b.op('view', [b.rand('a', s, -2, 2, d(k + 1)), to]), out),
    );
  });
  // A reshape of a transposed (non-contiguous) tensor copies in PyTorch (grad_fn UnsafeViewBackward0);
  // view of it is an error there.
  emit('shape/reshape-of-transpose', (b) =>
    b.finish(b.op('reshape', [b.op('t', [b.rand('a', [2, 3], -2, 2)]), [-1]]), [6]),
  );
  emit('shape/view-of-transpose', (b) => b.finish(b.op('view', [b.op('t', [b.rand('a', [2, 3], -2, 2)]), [-1]]), [6]));

  const selects: [Shape, number, number, Shape][] = [
    [[4], 0, 2, []],
    [[2, 3], 0, 1, [3]],
    [[2, 3], 1, -1, [2]],
    [[2, 3, 4], 2, 0, [2, 3]],
  ];
  selects.forEach(([s, dim, i, out], k) =>
    emit(`shape/select/${shapeName(s)}/dim=${dim}/index=${i}`, (b) =>
      b.finish(b.op('select', [b.rand('a', s, -2, 2, d(k)), dim, i]), out),
    ),
  );
  const slices: [Shape, number, number | null, number | null, number, Shape][] = [
    [[6], 0, 1, 4, 1, [3]],
    [[6], 0, null, null, 2, [3]],
    [[6], 0, -4, null, 1, [4]],
    [[6], 0, 2, 100, 3, [2]],
    [[2, 5], 1, 1, -1, 2, [2, 2]],
    [[3, 4], 0, 1, null, 1, [2, 4]],
    [[2, 3, 4], -1, 0, 2, 1, [2, 3, 2]],
  ];
  slices.forEach(([s, dim, start, stop, step, out], k) =>
    emit(`shape/slice/${shapeName(s)}/dim=${dim}/${start}:${stop}:${step}`, (b) =>
      b.finish(b.op('slice', [b.rand('a', s, -2, 2, d(k)), dim, start, stop, step]), out),
    ),
  );
  const joins: [OpName, Shape, number, Shape][] = [
    ['stack', [3], 0, [3, 3]],
    ['stack', [2, 3], 1, [2, 3, 3]],
    ['stack', [2, 3], -1, [2, 3, 3]],
    ['stack', [], 0, [3]],
    ['cat', [2, 3], 0, [6, 3]],
    ['cat', [2, 3], 1, [2, 9]],
    ['cat', [3], -1, [9]],
  ];
  joins.forEach(([op, s, dim, out], k) =>
    emit(`shape/${op}/${shapeName(s)}/dim=${dim}`, (b) => {
      const x = b.rand('a', s, -2, 2, d(k));
      const y = b.rand('b', s, -2, 2, d(k), k % 2 === 0);
      // x appears twice: its gradient is the sum of two slices
      b.finish(b.op(op, [{ ts: [x.t, y.t, x.t] }, dim]), out);
    }),
  );
  emit('shape/cat/different-sizes', (b) => {
    const x = b.rand('a', [2, 3], -2, 2);
    const y = b.rand('b', [1, 3], -2, 2);
    b.finish(b.op('cat', [{ ts: [x.t, y.t] }, 0]), [3, 3]);
  });
  emit('shape/chain/slice-select-T-stack', (b) => {
    const a = b.rand('a', [3, 4], -2, 2, F64);
    const s = b.op('slice', [a, 1, 1, null, 2]);
    const r = b.op('select', [a, 0, 2]);
    const tt = b.op('T', [s]);
    const st = b.op('stack', [{ ts: [b.op('select', [tt, 0, 0]).t, b.op('slice', [r, 0, 0, 3, 1]).t] }, 0]);
    b.finish(b.op('mul', [st, b.op('sum', [a, 1])]), [2, 3]);
  });
}

function softmaxCases(emit: Emit): void {
  const combos: [Shape, number][] = [
    [[5], 0],
    [[5], -1],
    [[2, 3], 0],
    [[2, 3], 1],
    [[2, 3], -1],
    [[2, 3, 4], 1],
    [[2, 3, 4], -1],
  ];
  let k = 0;
  for (const op of ['softmax', 'logSoftmax'] as OpName[])
    for (const [s, dim] of combos) {
      const d = DTYPES[k++ % 2];
      emit(`${op}/${dt(d)}/${shapeName(s)}/dim=${dim}`, (b) => b.finish(b.op(op, [b.rand('a', s, -3, 3, d), dim]), s));
    }
  emit('softmax/f32/large-logits', (b) =>
    b.finish(
      b.op('softmax', [
        b.leaf('a', [
          [100, 101, 99],
          [-50, 0, 50],
        ]),
        1,
      ]),
      [2, 3],
    ),
  );
  emit('logSoftmax/f64/large-logits', (b) =>
    b.finish(
      b.op('logSoftmax', [
        b.leaf(
          'a',
          [
            [100, 101, 99],
            [-50, 0, 50],
          ],
          F64,
        ),
        1,
      ]),
      [2, 3],
    ),
  );
}

function lossCases(emit: Emit): void {
  for (const d of DTYPES)
    for (const red of ['mean', 'sum', 'none']) {
      emit(`mseLoss/${dt(d)}/${red}`, (b) => {
        const x = b.rand('input', [2, 3], -2, 2, d);
        const t = b.rand('target', [2, 3], -2, 2, d, red === 'sum');
        b.finish(b.op('mseLoss', [x, t, red]), red === 'none' ? [2, 3] : []);
      });
      emit(`crossEntropy/${dt(d)}/[4,3]/${red}`, (b) => {
        const x = b.rand('logits', [4, 3], -2, 2, d);
        b.finish(b.op('crossEntropy', [x, [0, 2, 1, 2], red]), red === 'none' ? [4] : []);
      });
      emit(`crossEntropy/${dt(d)}/[5]/${red}`, (b) => {
        const x = b.rand('logits', [5], -2, 2, d);
        b.finish(b.op('crossEntropy', [x, [3], red]), []);
      });
      emit(`nllLoss/${dt(d)}/[3,4]/${red}`, (b) => {
        const x = b.rand('x', [3, 4], -2, 2, d);
        const lp = b.op('logSoftmax', [x, 1]);
        b.finish(b.op('nllLoss', [lp, [3, 0, 3], red]), red === 'none' ? [3] : []);
      });
      emit(`nllLoss/${dt(d)}/direct/${red}`, (b) => {
        const x = b.rand('x', [3, 4], -2, 2, d);
        b.finish(b.op('nllLoss', [x, [1, 0, 3], red]), red === 'none' ? [3] : []);
      });
      emit(`binaryCrossEntropy/${dt(d)}/${red}/hard-targets`, (b, rng) => {
        const p = b.rand('p', [2, 3], 0.02, 0.98, d);
        const t = b.leaf(
          'target',
          nested([2, 3], () => rng.int(0, 1)),
          d,
          false,
        );
        b.finish(b.op('binaryCrossEntropy', [p, t, red]), red === 'none' ? [2, 3] : []);
      });
      emit(`binaryCrossEntropy/${dt(d)}/${red}/soft-targets`, (b) => {
        const p = b.rand('p', [4], 0.02, 0.98, d);
        const t = b.rand('target', [4], 0, 1, d, false);
        b.finish(b.op('binaryCrossEntropy', [p, t, red]), red === 'none' ? [4] : []);
      });
    }
  // p exactly 0 or 1: logs clamped at -100, gradient denominator clamped at 1e-12
  for (const d of DTYPES)
    emit(`binaryCrossEntropy/${dt(d)}/saturated`, (b) => {
      const p = b.leaf('p', [0, 1, 0.5, 1e-9], d);
      const t = b.leaf('target', [1, 0, 1, 0], d, false);
      b.finish(b.op('binaryCrossEntropy', [p, t, 'sum']), []);
    });
}

/** The course's scripts. */
function courseCases(emit: Emit): void {
  for (const d of DTYPES)
    emit(`course/exercise/${dt(d)}`, (b) => {
      const x = b.leaf('x', 2, d, false);
      const y = b.leaf('y', 3, d, false);
      const w1 = b.leaf('w1', 0.5, d);
      const w2 = b.leaf('w2', -1.5, d);
      const bias = b.leaf('b', 0.25, d);
      const yHat = b.op(
        'add',
        [b.op('add', [b.op('mul', [b.op('pow', [x, 2]), w2]), b.op('mul', [x, w1])]), bias],
        'y_hat',
      );
      const loss = b.op('pow', [b.op('sub', [yHat, y]), 2], 'loss');
      b.backward(loss);
    });
  for (const [w0, lr, steps] of [
    [0, 0.01, 6],
    [1, 0.05, 5],
  ] as [number, number, number][])
    emit(`course/linear-regression/w0=${w0}/lr=${lr}`, (b) => {
      const x = b.leaf('x', [1, 2, 3], F32, false);
      const y = b.leaf('y', [2, 4, 6], F32, false);
      const w = b.leaf('w', w0);
      for (let s = 0; s < steps; s++) {
        const yPred = b.op('mul', [x, w], 'y_pred');
        const loss = b.op('mean', [b.op('pow', [b.op('sub', [yPred, y]), 2])], 'loss');
        b.backward(loss);
        b.sgd([w], lr);
      }
    });
  emit('course/mlp-relu-mse', (b) => {
    const x = b.rand('x', [4, 2], -1, 1, F32, false);
    const y = b.rand('y', [4, 1], -1, 1, F32, false);
    const w1 = b.rand('W1', [2, 3], -1, 1);
    const b1 = b.rand('b1', [3], -0.5, 0.5);
    const w2 = b.rand('W2', [3, 1], -1, 1);
    const b2 = b.rand('b2', [1], -0.5, 0.5);
    for (let s = 0; s < 3; s++) {
      const h = b.op('relu', [b.op('add', [b.op('matmul', [x, w1]), b1])], 'h');
      const out = b.op('add', [b.op('matmul', [h, w2]), b2], 'out');
      b.backward(b.op('mseLoss', [out, y, 'mean'], 'loss'));
      b.sgd([w1, b1, w2, b2], 0.1);
    }
  });
  emit('course/softmax-classifier', (b) => {
    const x = b.rand('x', [4, 3], -1, 1, F32, false);
    const w = b.rand('W', [3, 3], -1, 1);
    const bias = b.rand('b', [3], -0.5, 0.5);
    for (let s = 0; s < 3; s++) {
      const logits = b.op('add', [b.op('matmul', [x, w]), bias], 'logits');
      b.op('softmax', [logits, 1], 'probs');
      b.backward(b.op('crossEntropy', [logits, [0, 2, 1, 2]], 'loss'));
      b.sgd([w, bias], 0.5);
    }
  });
  emit('course/logistic-regression-bce', (b) => {
    const x = b.rand('x', [5, 2], -2, 2, F32, false);
    const y = b.leaf('y', [1, 0, 1, 1, 0], F32, false);
    const w = b.rand('w', [2], -1, 1);
    const bias = b.leaf('b', 0);
    for (let s = 0; s < 3; s++) {
      const p = b.op('sigmoid', [b.op('add', [b.op('matmul', [x, w]), bias])], 'p');
      b.backward(b.op('binaryCrossEntropy', [p, y], 'loss'));
      b.sgd([w, bias], 0.5);
    }
  });
  emit('course/tanh-neuron-micrograd', (b) => {
    // micrograd's neuron: o = tanh(x1*w1 + x2*w2 + b)
    const x1 = b.leaf('x1', 2, F64);
    const x2 = b.leaf('x2', 0, F64);
    const w1 = b.leaf('w1', -3, F64);
    const w2 = b.leaf('w2', 1, F64);
    const bias = b.leaf('b', 6.881373587019543, F64);
    const n = b.op('add', [b.op('add', [b.op('mul', [x1, w1]), b.op('mul', [x2, w2])]), bias], 'n');
    b.backward(b.op('tanh', [n], 'o'));
  });
}

/** NaN and infinity: they must come out the same, element for element. */
function nonFiniteCases(emit: Emit): void {
  emit('nonfinite/log(0)', (b) => b.finish(b.op('log', [b.leaf('a', [0, 1, -1])]), [3]));
  emit('nonfinite/0/0', (b) => b.finish(b.op('div', [b.leaf('a', [0, 1, 0]), b.leaf('b', [0, 0, 2])]), [3]));
  emit('nonfinite/exp(100)/f32', (b) => b.finish(b.op('exp', [b.leaf('a', [100, 88, 89, -104])]), [4]));
  emit('nonfinite/exp(100)/f64', (b) => b.backward(b.op('sum', [b.op('exp', [b.leaf('a', [100, 700, 710], F64)])])));
  emit('nonfinite/exp(100)/f32/sum', (b) => b.backward(b.op('sum', [b.op('exp', [b.leaf('a', [100, 1])])])));
  emit('nonfinite/sqrt(-1)-and-sqrt(0)', (b) => b.finish(b.op('sqrt', [b.leaf('a', [-1, 0, 4])]), [3]));
  emit('nonfinite/inf-inf', (b) => {
    const a = b.leaf('a', ['inf', 1, '-inf']);
    b.finish(b.op('sub', [a, b.leaf('b', ['inf', 'inf', 2])]), [3]);
  });
  emit('nonfinite/0*inf', (b) =>
    b.finish(b.op('mul', [b.leaf('a', [0, 2, -3]), b.leaf('b', ['inf', 'inf', 'nan'])]), [3]),
  );
  emit('nonfinite/reciprocal(0)', (b) => b.finish(b.op('reciprocal', [b.leaf('a', [0, 4, -0.5])]), [3]));
  emit('nonfinite/pow(0,-1)', (b) => b.finish(b.op('pow', [b.leaf('a', [0, 2]), -1]), [2]));
  emit('nonfinite/pow(0,0.5)', (b) => b.finish(b.op('pow', [b.leaf('a', [0, 4]), 0.5]), [2]));
  emit('nonfinite/sigmoid-tanh/extremes', (b) => {
    const a = b.leaf('a', [-100, 100, -20, 20]);
    b.finish(b.op('add', [b.op('sigmoid', [a]), b.op('tanh', [a])]), [4]);
  });
  emit('nonfinite/relu(nan)', (b) => {
    const a = b.leaf('a', [0, 1, -1]);
    const q = b.op('div', [a, b.leaf('b', [0, 1, 1], F32, false)]);
    b.finish(b.op('relu', [q]), [3]);
  });
  emit('nonfinite/abs-clamp(nan)', (b) => {
    const a = b.leaf('a', ['nan', 1, -2]);
    b.finish(b.op('add', [b.op('abs', [a]), b.op('clamp', [a, -1, 1])]), [3]);
  });
  emit('nonfinite/max-with-nan', (b) => b.backward(b.op('max', [b.leaf('a', [1, 'nan', 3])])));
  emit('nonfinite/maxDim-with-nan', (b) =>
    b.finish(
      b.op('maxDim', [
        b.leaf('a', [
          [1, 'nan', 3],
          [2, 5, 4],
        ]),
        1,
        false,
      ]),
      [2],
    ),
  );
  emit('nonfinite/softmax(inf)', (b) => b.finish(b.op('softmax', [b.leaf('a', ['inf', 1, 2]), 0]), [3]));
  emit('nonfinite/log-softmax(-inf)', (b) => b.finish(b.op('logSoftmax', [b.leaf('a', ['-inf', 1, 2]), 0]), [3]));
  emit('nonfinite/sum-overflow/f32', (b) => b.backward(b.op('sum', [b.leaf('a', [3e38, 3e38, -1])])));
  emit('nonfinite/nan-gradient', (b) => b.backward(b.op('mul', [b.leaf('a', [1, 2]), 3]), ['nan', 'inf']));
  emit('nonfinite/log-then-mul-by-zero', (b) => {
    const a = b.leaf('a', [0, 2]);
    b.finish(b.op('mul', [b.op('log', [a]), b.leaf('w', [0, 0], F32, false)]), [2]);
  });
}

/** backward itself: retain_graph, explicit gradients, accumulation, errors. */
function backwardCases(emit: Emit): void {
  emit('backward/twice-with-retain-graph', (b) => {
    const a = b.rand('a', [3], -2, 2);
    const l = b.op('sum', [b.op('mul', [b.op('exp', [a]), a])]);
    b.backward(l, undefined, true);
    b.backward(l);
  });
  emit('backward/twice-with-retain-graph/explicit-gradient', (b) => {
    const a = b.rand('a', [2, 2], -2, 2, F64);
    const y = b.op('mul', [b.op('mul', [a, a]), b.rand('c', [2, 2], -1, 1, F64, false)]);
    b.backward(
      y,
      [
        [1, -0.5],
        [2, 0.25],
      ],
      true,
    );
    b.backward(y, [
      [0.125, 3],
      [-1, 1],
    ]);
  });
  emit('backward/second-time-freed-graph', (b) => {
    const a = b.rand('a', [3], -2, 2);
    const l = b.op('sum', [b.op('mul', [a, a])]);
    b.backward(l);
    b.backward(l);
  });
  emit('backward/second-time-no-saved-tensors', (b) => {
    // add and sum save nothing, so PyTorch allows a second pass without retain_graph
    const a = b.rand('a', [3], -2, 2);
    const l = b.op('sum', [b.op('add', [a, 1])]);
    b.backward(l);
    b.backward(l);
  });
  emit('backward/non-scalar-without-gradient', (b) => b.backward(b.op('mul', [b.rand('a', [3], -2, 2), 2])));
  emit('backward/two-roots-accumulate', (b) => {
    const a = b.rand('a', [3], -2, 2);
    const bb = b.rand('b', [3], -2, 2);
    b.backward(b.op('sum', [b.op('mul', [a, bb])]));
    b.backward(b.op('sum', [b.op('mul', [a, a])]));
  });
  emit('backward/unreached-and-constant-leaves', (b) => {
    const a = b.rand('a', [2], -2, 2);
    b.rand('unused', [2], -2, 2);
    const c = b.rand('c', [2], -2, 2, F32, false);
    const k = b.op('mul', [c, c]); // no grad_fn: no input requires grad
    b.finish(b.op('add', [b.op('mul', [a, k]), a]), [2]);
  });
  emit('backward/fan-out-scalar', (b) => {
    const x = b.leaf('x', 1.5);
    const y = b.op('mul', [x, x]);
    const z = b.op('add', [b.op('mul', [y, x]), b.op('div', [y, x])]);
    b.backward(b.op('sub', [z, b.op('mul', [x, 3])]));
  });
  emit('backward/broadcast-error', (b) => {
    b.op('add', [b.rand('a', [2, 3], -2, 2), b.rand('b', [2], -2, 2)]);
  });
}

/**
 * Random programs of ops whose float results are exactly determined (IEEE
 * +, −, ×, ÷, √, products for small integer powers, selections), over 2-3
 * leaves, with fan-out. Their values and gradients must match bit for bit.
 */
function randomExactCases(emit: Emit, count: number): void {
  const unary = ['neg', 'abs', 'relu', 'reciprocal', 'sqrtabs', 'pow2', 'pow3', 'clamp', 'powm1', 'powhalf'];
  const binary: OpName[] = ['add', 'sub', 'mul', 'div'];
  for (let k = 0; k < count; k++) {
    emit(`random-exact/${k}`, (b, rng) => {
      const d = rng.pick(DTYPES);
      const shape: Shape = rng.pick([[], [3], [2, 3]] as Shape[]);
      const pool: TRef[] = [];
      const nLeaves = rng.int(2, 3);
      for (let i = 0; i < nLeaves; i++) pool.push(b.rand(`x${i}`, shape, -3, 3, d, i < 2 || rng.next() < 0.5));
      const steps = rng.int(3, 9);
      for (let s = 0; s < steps; s++) {
        const a = rng.pick(pool.slice(-4));
        if (rng.next() < 0.4) {
          const u = rng.pick(unary);
          let r: TRef;
          if (u === 'sqrtabs') r = b.op('sqrt', [b.op('abs', [a])]);
          else if (u === 'pow2') r = b.op('pow', [a, 2]);
          else if (u === 'pow3') r = b.op('pow', [a, 3]);
          else if (u === 'powm1') r = b.op('pow', [a, -1]);
          else if (u === 'powhalf') r = b.op('pow', [b.op('abs', [a]), 0.5]);
          else if (u === 'clamp') r = b.op('clamp', [a, -1.5, 2]);
          else r = b.op(u as OpName, [a]);
          pool.push(r);
        } else {
          const op = rng.pick(binary);
          const other: Arg = rng.next() < 0.25 ? rng.pick([2, 0.5, -3, 1.25, 0.1]) : rng.pick(pool);
          pool.push(rng.next() < 0.2 && typeof other === 'number' ? b.op(op, [other, a]) : b.op(op, [a, other]));
        }
      }
      b.finish(pool[pool.length - 1], shape);
    });
  }
}

/** FNV-1a hash of a string (32 bits). */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

export const DEFAULT_SEED = 20240613;

/** All cases, always the same ones in the same order. */
export function generateCases(seed = DEFAULT_SEED): Case[] {
  const cases: Case[] = [];
  const names = new Set<string>();
  const emit: Emit = (name, body) => {
    if (names.has(name)) throw new Error(`duplicate case name ${name}`);
    names.add(name);
    // Each case draws from its own stream, seeded by its name, so adding or
    // removing a case does not change the others' values.
    const b = new CaseBuilder(name, new Rng((hash(name) ^ seed) >>> 0));
    body(b, b.rng);
    cases.push(b.build());
  };
  unaryCases(emit);
  binaryCases(emit);
  powCases(emit);
  matmulCases(emit);
  reductionCases(emit);
  shapeCases(emit);
  softmaxCases(emit);
  lossCases(emit);
  courseCases(emit);
  nonFiniteCases(emit);
  backwardCases(emit);
  randomExactCases(emit, 80);
  return cases;
}
