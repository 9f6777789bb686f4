/**
 * Step records of backward(root, {record: true}): one step per non-leaf node
 * in reverse creation order, with upstream gradient, local derivative,
 * contribution and the accumulated gradient before/after each contribution,
 * so that a student can add the numbers up by hand. The property tests build
 * random small graphs with fan-out and check that the records add up to the
 * gradients backward() leaves in `.grad`.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as c from '../../src/core';
import type { BackwardRecord, BackwardStep, DType, InputStep, Tensor } from '../../src/core';

const round = (dtype: DType) => (dtype === 'float32' ? Math.fround : (x: number): number => x);

/** Equal as IEEE values, NaN equal to NaN (-0 and 0 are equal, as float addition treats them). */
function same(x: number, y: number): boolean {
  return x === y || (Number.isNaN(x) && Number.isNaN(y));
}

function assertSame(actual: Tensor, expected: readonly number[], what: string): void {
  const v = actual.values();
  assert.equal(v.length, expected.length, `${what}: length`);
  v.forEach((x, i) => assert.ok(same(x, expected[i]), `${what}[${i}]: ${x} !== ${expected[i]}`));
}

function record(root: Tensor, opts: c.BackwardOptions = {}): BackwardRecord {
  const r = c.backward(root, { ...opts, record: true });
  assert.ok(r !== null, 'backward with record: true must return a record');
  return r;
}

/** The course exercise: y_hat = x**2*w2 + x*w1 + b, loss = (y_hat - y)**2. */
function courseExercise() {
  const x = c.scalar(2);
  const y = c.scalar(3);
  const w1 = c.requiresGrad_(c.scalar(0.5));
  const w2 = c.requiresGrad_(c.scalar(-1.5));
  const b = c.requiresGrad_(c.scalar(0.25));
  const x2 = c.pow(x, 2);
  const t2 = c.mul(x2, w2);
  const t1 = c.mul(x, w1);
  const s = c.add(t2, t1);
  const yHat = c.add(s, b);
  const diff = c.sub(yHat, y);
  const loss = c.pow(diff, 2);
  return { x, y, w1, w2, b, x2, t1, t2, s, yHat, diff, loss };
}

function stepOf(rec: BackwardRecord, node: Tensor): BackwardStep {
  const s = rec.steps.find((st) => st.node === node);
  assert.ok(s, `no step for node ${node.id}`);
  return s;
}

function inputStep(step: BackwardStep, input: Tensor): InputStep {
  const i = step.inputs.find((st) => st.input === input);
  assert.ok(i, `step ${step.backwardName} has no input ${input.id}`);
  return i;
}

describe('records: the course exercise', () => {
  it('has one step per non-leaf node, in descending id order, named as PyTorch', () => {
    const e = courseExercise();
    const rec = record(e.loss);
    assert.deepEqual(
      rec.steps.map((s) => s.node),
      [e.loss, e.diff, e.yHat, e.s, e.t1, e.t2],
    );
    assert.deepEqual(
      rec.steps.map((s) => s.backwardName),
      ['PowBackward0', 'SubBackward0', 'AddBackward0', 'AddBackward0', 'MulBackward0', 'MulBackward0'],
    );
    rec.steps.forEach((s, i) => {
      assert.equal(s.index, i);
      assert.equal(s.backwardName, c.backwardNameOf(s.node));
      if (i > 0) assert.ok(s.node.id < rec.steps[i - 1].node.id);
    });
    // x**2 involves no tensor that requires grad: it is a constant, not a step.
    assert.ok(!rec.steps.some((s) => s.node === e.x2));
  });

  it('shows upstream 1 at the pow node and -15.5 at the sub node', () => {
    const e = courseExercise();
    const rec = record(e.loss);
    const pow = stepOf(rec, e.loss);
    assertSame(pow.upstream, [1], 'pow upstream');
    const toDiff = inputStep(pow, e.diff);
    assertSame(toDiff.local as Tensor, [-15.5], 'pow local 2·(y_hat - y)');
    assertSame(toDiff.contribution, [-15.5], 'pow contribution');
    assert.equal(toDiff.derivative.text, '∂(aⁿ)/∂a = n·aⁿ⁻¹');
    assertSame(stepOf(rec, e.diff).upstream, [-15.5], 'sub upstream');
    assertSame(stepOf(rec, e.yHat).upstream, [-15.5], 'y_hat upstream');
  });

  it('gives w1 the contribution -31 with local 2, w2 -62 with local 4, b -15.5 with local 1', () => {
    const e = courseExercise();
    const rec = record(e.loss);
    const m1 = stepOf(rec, e.t1);
    assert.equal(m1.inputs.length, 1, 'x does not require grad and gets no entry');
    const w1 = inputStep(m1, e.w1);
    assert.equal(w1.position, 1);
    assertSame(w1.local as Tensor, [2], 'local of w1');
    assertSame(w1.contribution, [-31], 'contribution to w1');
    assert.equal(w1.before, null);
    assertSame(w1.after, [-31], 'after');
    assert.equal(w1.derivative.text, '∂(a·b)/∂b = a');
    const w2 = inputStep(stepOf(rec, e.t2), e.w2);
    assertSame(w2.local as Tensor, [4], 'local of w2');
    assertSame(w2.contribution, [-62], 'contribution to w2');
    const b = inputStep(stepOf(rec, e.yHat), e.b);
    assert.equal(b.position, 1);
    assertSame(b.local as Tensor, [1], 'local of b');
    assertSame(b.contribution, [-15.5], 'contribution to b');
    assert.ok(!rec.steps.some((s) => s.inputs.some((i) => i.input === e.x || i.input === e.y)));
  });

  it("lists each leaf's .grad before and after the pass", () => {
    const e = courseExercise();
    const rec = record(e.loss);
    assert.equal(rec.leaves.length, 3);
    for (const [leaf, g] of [
      [e.w1, -31],
      [e.w2, -62],
      [e.b, -15.5],
    ] as const) {
      const u = rec.leaves.find((l) => l.leaf === leaf);
      assert.ok(u, `leaf ${leaf.id} missing`);
      assert.equal(u.before, null);
      assertSame(u.after, [g], 'after');
      assertSame(leaf.grad as Tensor, [g], '.grad');
    }
  });

  it('returns null without record, with the same gradients', () => {
    const e = courseExercise();
    assert.equal(c.backward(e.loss), null);
    assert.deepEqual(
      [e.w1, e.w2, e.b].map((t) => t.grad?.at(0)),
      [-31, -62, -15.5],
    );
  });
});

describe('records: fan-out, accumulation and snapshots', () => {
  it('makes fan-out explicit: a tensor used twice has two contributions, the second with a non-null before', () => {
    // y = w*3 + w*w at w = 2: dy/dw = 3 + 2 + 2 = 7
    const w = c.requiresGrad_(c.scalar(2));
    const a = c.mul(w, 3);
    const sq = c.mul(w, w);
    const y = c.add(a, sq);
    const rec = record(y);
    const contribs = rec.steps.flatMap((s) => s.inputs.filter((i) => i.input === w).map((i) => ({ s, i })));
    assert.deepEqual(
      contribs.map(({ s, i }) => [s.node, i.position]),
      [
        [sq, 0],
        [sq, 1],
        [a, 0],
      ],
    );
    const [first, second, third] = contribs.map(({ i }) => i);
    assert.equal(first.before, null);
    assertSame(first.contribution, [2], 'w·1 from the first factor of w*w');
    assertSame(first.after, [2], 'after 1');
    assertSame(second.before as Tensor, [2], 'before 2');
    assertSame(second.contribution, [2], 'contribution 2');
    assertSame(second.after, [4], 'after 2');
    assertSame(third.before as Tensor, [4], 'before 3');
    assertSame(third.contribution, [3], 'contribution 3');
    assertSame(third.after, [7], 'after 3');
    assertSame(w.grad as Tensor, [7], '.grad');
  });

  it('shows the complete upstream of a node used by several consumers', () => {
    // h = w*2 feeds exp(h) and h*5: upstream(h) = e^h + 5, complete when h's step runs
    const w = c.requiresGrad_(c.scalar(0.5));
    const h = c.mul(w, 2);
    const y = c.add(c.exp(h), c.mul(h, 5));
    const rec = record(y);
    const intoH = rec.steps.flatMap((s) => s.inputs.filter((i) => i.input === h));
    assert.equal(intoH.length, 2);
    const hStep = stepOf(rec, h);
    assert.ok(rec.steps.indexOf(hStep) > rec.steps.findIndex((s) => s.inputs.includes(intoH[1])));
    assertSame(hStep.upstream, intoH[1].after.values(), 'upstream = accumulated after');
    assertSame(hStep.upstream, [Math.fround(Math.fround(Math.E) + 5)], 'e^1 + 5');
  });

  it("records leaves' .grad before and after across backward calls", () => {
    const w = c.requiresGrad_(c.fromValues([1, 2], [2]));
    const y = c.sum(c.mul(w, w));
    const r1 = record(y, { retainGraph: true });
    assert.equal(r1.leaves[0].before, null);
    assertSame(r1.leaves[0].after, [2, 4], 'first after');
    const r2 = record(y);
    assert.equal(r2.leaves.length, 1);
    assertSame(r2.leaves[0].before as Tensor, [2, 4], 'second before');
    assertSame(r2.leaves[0].after, [4, 8], 'second after');
    // Within a pass, before/after of an input are relative to this pass only.
    const prod = stepOf(r2, c.inputsOf(y)[0]);
    assert.equal(prod.inputs[0].before, null);
    assertSame(prod.inputs[1].before as Tensor, [1, 2], 'fan-out within the pass');
  });

  it('keeps snapshots: later passes do not change an earlier record', () => {
    const w = c.requiresGrad_(c.fromValues([1, 2], [2]));
    const y = c.sum(c.mul(w, 3));
    const r1 = record(y);
    const g = w.grad as Tensor;
    c.backward(c.sum(c.mul(w, 3)));
    assert.equal(w.grad, g);
    assertSame(g, [6, 6], 'accumulated in place');
    assertSame(r1.leaves[0].after, [3, 3], 'record after');
    assert.notEqual(r1.leaves[0].after, w.grad);
    const st = stepOf(r1, c.inputsOf(y)[0]);
    assertSame(st.inputs[0].after, [3, 3], 'step after');
  });

  it("reduces broadcast contributions to the input's shape, while local has the output's shape", () => {
    const a = c.requiresGrad_(c.fromValues([1, 2, 3], [3]));
    const s = c.requiresGrad_(c.scalar(2));
    const p = c.mul(a, s);
    const rec = record(c.sum(p));
    const st = stepOf(rec, p);
    assert.deepEqual(st.upstream.shape, [3]);
    const toA = inputStep(st, a);
    const toS = inputStep(st, s);
    assert.deepEqual(toA.contribution.shape, [3]);
    assertSame(toA.local as Tensor, [2, 2, 2], 'local of a');
    assertSame(toA.contribution, [2, 2, 2], 'contribution to a');
    assert.deepEqual(toS.contribution.shape, []);
    assert.deepEqual((toS.local as Tensor).shape, [3]);
    assertSame(toS.local as Tensor, [1, 2, 3], 'local of s');
    assertSame(toS.contribution, [6], 'contribution to s (summed)');
  });

  it('omits local values for ops without an elementwise local and for large nodes, but keeps contributions', () => {
    const A = c.requiresGrad_(c.fromValues([1, 2, 3, 4], [2, 2]));
    const v = c.requiresGrad_(c.fromValues([1, 1], [2]));
    const mv = c.matmul(A, v);
    const rec = record(c.sum(mv));
    const st = stepOf(rec, mv);
    assert.equal(st.backwardName, 'MvBackward0');
    for (const i of st.inputs) {
      assert.equal(i.local, null);
      assert.ok(i.derivative.text.length > 0);
    }
    assertSame(inputStep(st, A).contribution, [1, 1, 1, 1], 'Ḡ·vᵀ');
    assertSame(inputStep(st, v).contribution, [4, 6], 'Aᵀ·Ḡ');

    const n = c.LOCAL_VALUE_LIMIT + 1;
    const big = c.requiresGrad_(c.full([n], 1));
    const prod = c.mul(big, 2);
    const r2 = record(c.sum(prod));
    const bs = stepOf(r2, prod);
    assert.equal(bs.inputs[0].local, null);
    assert.equal(bs.inputs[0].contribution.size, n);
    assert.equal(bs.inputs[0].contribution.at(n - 1), 2);
  });

  it('starts from the given gradient at the root and from 1 for a scalar root', () => {
    const w = c.requiresGrad_(c.fromValues([1, 2, 3], [3]));
    const y = c.mul(w, w);
    const rec = record(y, { gradient: c.fromValues([1, 0, -1], [3]) });
    assert.equal(rec.steps[0].node, y);
    assertSame(rec.steps[0].upstream, [1, 0, -1], 'root upstream');
    assertSame(w.grad as Tensor, [2, 0, -6], '.grad');
    const s = c.requiresGrad_(c.scalar(3));
    const r2 = record(c.exp(s));
    assertSame(r2.steps[0].upstream, [1], 'scalar root upstream');
  });

  it("shows a retained non-leaf gradient equal to its step's upstream", () => {
    const w = c.requiresGrad_(c.fromValues([1, 2], [2]));
    const h = c.mul(w, 3);
    c.retainGrad(h);
    const rec = record(c.sum(c.mul(h, h)));
    assertSame(stepOf(rec, h).upstream, (h.grad as Tensor).values(), 'h.grad');
    assert.ok(!rec.leaves.some((l) => l.leaf === h), 'a retained non-leaf is not listed among leaves');
  });
});

// ---- random small graphs ----------------------------------------------------

interface Spec {
  dtype: DType;
  scalars: number[];
  vectors: number[][];
  cmds: { op: number; a: number; b: number; k: number }[];
}

const value = fc.integer({ min: -16, max: 16 }).map((n) => n / 8);
const specArb: fc.Arbitrary<Spec> = fc.record({
  dtype: fc.constantFrom<DType>('float32', 'float64'),
  scalars: fc.array(value, { minLength: 1, maxLength: 2 }),
  vectors: fc.array(fc.array(value, { minLength: 3, maxLength: 3 }), { minLength: 1, maxLength: 2 }),
  cmds: fc.array(
    fc.record({
      op: fc.nat(15),
      a: fc.nat(40),
      b: fc.nat(40),
      k: fc.integer({ min: -3, max: 3 }).filter((k) => k !== 0),
    }),
    { minLength: 1, maxLength: 12 },
  ),
});

/**
 * Builds the graph a spec describes: each command applies an op to tensors
 * picked (by index) from everything built so far, so tensors get reused.
 */
function build(spec: Spec): { leaves: Tensor[]; root: Tensor } {
  const leaves = [
    ...spec.scalars.map((v) => c.requiresGrad_(c.scalar(v, spec.dtype))),
    ...spec.vectors.map((v) => c.requiresGrad_(c.fromValues(v, [3], spec.dtype))),
  ];
  const pool: Tensor[] = [...leaves];
  for (const { op, a: ia, b: ib, k } of spec.cmds) {
    const a = pool[ia % pool.length];
    const picked = pool[ib % pool.length];
    // Keep binary ops broadcastable: a vector of another length is summed to a scalar first.
    const b = a.ndim > 0 && picked.ndim > 0 && a.shape[0] !== picked.shape[0] ? c.sum(picked) : picked;
    let out: Tensor;
    switch (op) {
      case 0:
        out = c.add(a, b);
        break;
      case 1:
        out = c.sub(a, b);
        break;
      case 2:
        out = c.mul(a, b);
        break;
      case 3:
        out = c.tanh(a);
        break;
      case 4:
        out = c.sigmoid(a);
        break;
      case 5:
        out = c.mul(a, k);
        break;
      case 6:
        out = c.sub(k, a);
        break;
      case 7:
        out = c.pow(a, 2);
        break;
      case 8:
        out = c.neg(a);
        break;
      case 9:
        out = c.sum(a);
        break;
      case 10:
        out = c.mean(a);
        break;
      case 11:
        out = c.relu(a);
        break;
      case 12:
        out = a.ndim > 0 ? c.select(a, 0, (Math.abs(k) - 1) % a.shape[0]) : c.add(a, a);
        break;
      case 13:
        out = c.mul(a, a);
        break;
      case 14:
        out = c.div(a, k);
        break;
      default:
        out =
          a.ndim === 0 && picked.ndim === 0
            ? c.stack([a, picked])
            : a.ndim > 0 && picked.ndim > 0
              ? c.cat([a, picked])
              : c.max(a);
    }
    pool.push(out);
  }
  return { leaves, root: c.sum(pool[pool.length - 1]) };
}

/** Every node reachable from root through tensors that require grad. */
function reachable(root: Tensor): Set<Tensor> {
  const seen = new Set<Tensor>([root]);
  const stack = [root];
  while (stack.length > 0) {
    const t = stack.pop() as Tensor;
    for (const x of c.inputsOf(t))
      if (x.requiresGrad && !seen.has(x)) {
        seen.add(x);
        stack.push(x);
      }
  }
  return seen;
}

/** All input steps of a record, in processing order. */
function allInputSteps(rec: BackwardRecord): InputStep[] {
  return rec.steps.flatMap((s) => [...s.inputs]);
}

describe('records: properties over random graphs with fan-out', () => {
  it('has one step per reachable non-leaf node, in strictly descending id order', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const { root } = build(spec);
        const rec = record(root);
        const nodes = [...reachable(root)];
        const nonLeaves = nodes.filter((t) => t.op !== null);
        assert.equal(rec.steps.length, nonLeaves.length);
        assert.deepEqual(new Set(rec.steps.map((s) => s.node)), new Set(nonLeaves));
        assert.equal(rec.steps[0].node, root);
        assertSame(rec.steps[0].upstream, [1], 'root upstream');
        rec.steps.forEach((s, i) => {
          assert.equal(s.index, i);
          if (i > 0) assert.ok(s.node.id < rec.steps[i - 1].node.id, 'descending ids');
          assert.deepEqual(s.upstream.shape, s.node.shape);
          for (const inp of s.inputs) {
            assert.ok(inp.input.requiresGrad);
            assert.equal(c.inputsOf(s.node)[inp.position], inp.input, 'position');
            assert.deepEqual(inp.contribution.shape, inp.input.shape);
            assert.deepEqual(inp.after.shape, inp.input.shape);
          }
        });
        const leaves = nodes.filter((t) => t.op === null);
        assert.equal(rec.leaves.length, leaves.length);
        assert.deepEqual(new Set(rec.leaves.map((l) => l.leaf)), new Set(leaves));
      }),
      { numRuns: 150 },
    );
  });

  it('adds up: after == (before ?? 0) + contribution, and before is the previous after of the same input', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const { root } = build(spec);
        const rec = record(root);
        const r = round(spec.dtype);
        const last = new Map<Tensor, Tensor>();
        for (const st of allInputSteps(rec)) {
          const prev = last.get(st.input);
          if (prev === undefined) assert.equal(st.before, null, 'first contribution has no before');
          else {
            assert.ok(st.before !== null, 'a later contribution (fan-out) has a before');
            assertSame(st.before, prev.values(), 'before = previous after');
          }
          const before = st.before?.values();
          const expected = st.contribution.values().map((x, e) => (before === undefined ? x : r(before[e] + x)));
          assertSame(st.after, expected, 'after');
          last.set(st.input, st.after);
        }
        // Each non-root node's upstream is its accumulated gradient, complete when its step runs.
        for (const s of rec.steps.slice(1)) {
          const acc = last.get(s.node);
          assert.ok(acc, `node ${s.node.id} received no contribution`);
          assertSame(s.upstream, acc.values(), 'upstream = accumulated gradient');
        }
      }),
      { numRuns: 150 },
    );
  });

  it("adds up to the leaves' .grad: the contributions to each leaf sum (in order) to its gradient", () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const { leaves, root } = build(spec);
        const rec = record(root);
        const r = round(spec.dtype);
        for (const leaf of leaves) {
          const contribs = allInputSteps(rec).filter((st) => st.input === leaf);
          const u = rec.leaves.find((l) => l.leaf === leaf);
          if (contribs.length === 0) {
            assert.equal(u, undefined);
            assert.equal(leaf.grad, null);
            continue;
          }
          let sum = contribs[0].contribution.values();
          for (const st of contribs.slice(1)) {
            const v = st.contribution.values();
            sum = sum.map((x, e) => r(x + v[e]));
          }
          assert.ok(leaf.grad !== null);
          assert.equal(leaf.grad.dtype, spec.dtype);
          assertSame(leaf.grad, sum, 'leaf .grad = Σ contributions');
          assert.ok(u !== undefined);
          assert.equal(u.before, null);
          assertSame(u.after, sum, 'record.leaves after');
        }
      }),
      { numRuns: 150 },
    );
  });

  it("records a second pass relative to the leaves' accumulated .grad", () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const { leaves, root } = build(spec);
        const r1 = record(root, { retainGraph: true });
        const r2 = record(root);
        const r = round(spec.dtype);
        for (const u2 of r2.leaves) {
          const u1 = r1.leaves.find((l) => l.leaf === u2.leaf);
          assert.ok(u1 !== undefined && u2.before !== null);
          assertSame(u2.before, u1.after.values(), 'second before = first after');
          // The pass sums its contributions first, then adds the total to .grad (AccumulateGrad).
          const contribs = allInputSteps(r2).filter((st) => st.input === u2.leaf);
          let total = contribs[0].contribution.values();
          for (const st of contribs.slice(1)) {
            const v = st.contribution.values();
            total = total.map((x, e) => r(x + v[e]));
          }
          const before = u2.before.values();
          const acc = total.map((x, e) => r(before[e] + x));
          assertSame(u2.after, acc, 'second after = before + Σ contributions');
          assertSame(u2.leaf.grad as Tensor, acc, '.grad');
        }
        assert.equal(r2.leaves.length, leaves.filter((l) => l.grad !== null).length);
      }),
      { numRuns: 100 },
    );
  });

  it('shows local derivatives consistent with contributions: contribution ≈ upstream × local (summed over broadcasts)', () => {
    const close = (x: number, y: number): boolean => Math.abs(x - y) <= 1e-5 * (1 + Math.abs(y));
    let checked = 0;
    fc.assert(
      fc.property(specArb, (spec) => {
        const { root } = build(spec);
        const rec = record(root);
        for (const s of rec.steps) {
          const up = s.upstream.values();
          for (const st of s.inputs) {
            if (st.local === null) continue;
            const loc = st.local.values();
            let expected: number[];
            if (st.local.size === s.node.size && st.local.ndim === s.node.ndim) {
              const prod = up.map((u, e) => u * loc[e]);
              if (st.input.size === s.node.size) expected = prod;
              else if (st.input.size === 1) expected = [prod.reduce((p, x) => p + x, 0)];
              else continue;
            } else if (st.local.size === st.input.size && s.node.size === 1) expected = loc.map((l) => up[0] * l);
            else assert.fail(`local of ${s.backwardName} has neither the output's nor the input's shape`);
            st.contribution.values().forEach((x, e) => {
              if (!Number.isFinite(x) || !Number.isFinite(expected[e])) return;
              checked++;
              assert.ok(
                close(x, expected[e]),
                `${s.backwardName} input ${st.position}: contribution ${x}, upstream × local ${expected[e]}`,
              );
            });
          }
        }
      }),
      { numRuns: 150 },
    );
    assert.ok(checked > 100, 'the property checked too few values');
  });

  it('does not change the gradients: record and no-record passes agree bit for bit', () => {
    fc.assert(
      fc.property(specArb, (spec) => {
        const g1 = build(spec);
        const g2 = build(spec);
        assert.equal(c.backward(g1.root), null);
        record(g2.root);
        g1.leaves.forEach((l, i) => {
          const other = g2.leaves[i];
          if (l.grad === null) assert.equal(other.grad, null);
          else assertSame(other.grad as Tensor, l.grad.values(), `leaf ${i}`);
        });
      }),
      { numRuns: 100 },
    );
  });
});
