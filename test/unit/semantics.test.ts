/**
 * PyTorch 1.13 semantics of the autograd core: gradient accumulation and
 * retention, graph freeing, no_grad, detach/.data, in-place guards, version
 * counters, backward() argument errors, node ids and grad_fn names,
 * broadcasting, dtypes and rounding, NaN/inf, and max/min tie rules.
 *
 * Every expected value and message below was checked against PyTorch 1.13
 * while writing; the tests themselves never call Python.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import * as c from '../../src/core';
import type { Tensor } from '../../src/core';

type Expect = string | { prefix: string };

/** Asserts fn throws a TorchError of pyType with PyTorch's message (exact, or a prefix). */
function raises(fn: () => unknown, message: Expect, pyType = 'RuntimeError'): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof c.TorchError, `expected a TorchError, got ${String(e)}`);
    assert.equal(e.pyType, pyType);
    if (typeof message === 'string') assert.equal(e.message, message);
    else
      assert.ok(
        e.message.startsWith(message.prefix),
        `message:\n  ${e.message}\ndoes not start with:\n  ${message.prefix}`,
      );
    return true;
  });
}

/** A leaf that requires grad (torch.tensor(values, requires_grad=True)). */
function leaf(values: number | number[], shape?: number[], dtype: c.DType = 'float32'): Tensor {
  const t =
    typeof values === 'number' ? c.scalar(values, dtype) : c.fromValues(values, shape ?? [values.length], dtype);
  return c.requiresGrad_(t);
}

function grad(t: Tensor): number[] {
  assert.ok(t.grad !== null, `tensor ${t.id} has no .grad`);
  return t.grad.values();
}

const f32 = Math.fround;
const LEAF_INPLACE = 'a leaf Variable that requires grad is being used in an in-place operation.';
const VERSION_PREFIX =
  'one of the variables needed for gradient computation has been modified by an inplace operation: ';

describe('semantics: .grad accumulation and retention', () => {
  it('accumulates into a leaf across backward calls on fresh graphs', () => {
    const w = leaf([1, 2]);
    c.backward(c.sum(c.mul(w, w)));
    assert.deepEqual(grad(w), [2, 4]);
    c.backward(c.sum(c.mul(w, w)));
    assert.deepEqual(grad(w), [4, 8]);
    c.backward(c.sum(c.mul(w, 3)));
    assert.deepEqual(grad(w), [7, 11]);
  });

  it('accumulates in place: a reference g = w.grad sees later backward calls', () => {
    // torch: g = w.grad; z.backward(); g is w.grad -> True, g == [36, 72]
    const w = leaf([1, 2]);
    const h = c.mul(w, 3);
    const z = c.sum(c.mul(h, h));
    c.backward(z, { retainGraph: true });
    const g = w.grad as Tensor;
    assert.deepEqual(g.values(), [18, 36]);
    c.backward(z);
    assert.equal(w.grad, g, 'w.grad must stay the same tensor object');
    assert.deepEqual(g.values(), [36, 72]);
  });

  it('zeroing .grad in place (w.grad.zero_()) restarts the accumulation from zero', () => {
    const w = leaf(3);
    c.backward(c.mul(w, w));
    const g = w.grad as Tensor;
    c.zeroInPlace(g);
    c.backward(c.mul(w, 5));
    assert.equal(w.grad, g);
    assert.deepEqual(grad(w), [5]);
  });

  it('does not keep .grad on non-leaf tensors', () => {
    const w = leaf([1, 2]);
    const h = c.mul(w, 3);
    const z = c.sum(c.mul(h, h));
    c.backward(z);
    assert.equal(h.grad, null);
    assert.equal(z.grad, null);
    assert.deepEqual(grad(w), [18, 36]);
  });

  it('retainGrad(t) keeps a non-leaf gradient, which accumulates across passes', () => {
    // torch: h.retain_grad(); z.backward(retain_graph=True) -> h.grad [6, 12]; again -> [12, 24]
    const w = leaf([1, 2]);
    const h = c.mul(w, 3);
    c.retainGrad(h);
    const z = c.sum(c.mul(h, h));
    c.backward(z, { retainGraph: true });
    assert.deepEqual(grad(h), [6, 12]);
    assert.deepEqual(grad(w), [18, 36]);
    c.backward(z);
    assert.deepEqual(grad(h), [12, 24]);
    assert.deepEqual(grad(w), [36, 72]);
  });

  it('retained non-leaf grads accumulate over a graph whose nodes save nothing (no retainGraph needed)', () => {
    // torch: h = w + 1; h.retain_grad(); s = h.sum(); s.backward(); s.backward() -> h.grad [2, 2]
    const w = leaf([1, 2]);
    const h = c.add(w, 1);
    c.retainGrad(h);
    const s = c.sum(h);
    c.backward(s);
    c.backward(s);
    assert.deepEqual(grad(h), [2, 2]);
    assert.deepEqual(grad(w), [2, 2]);
  });

  it('retainGrad on a leaf is a no-op: the leaf gets its gradient once per pass', () => {
    const w = leaf([1, 2]);
    c.retainGrad(w);
    assert.ok(w.isLeaf);
    c.backward(c.sum(c.mul(w, 2)));
    assert.deepEqual(grad(w), [2, 2]);
    c.backward(c.sum(c.mul(w, 2)));
    assert.deepEqual(grad(w), [4, 4]);
  });

  it("retainGrad on a tensor that does not require grad raises PyTorch's error", () => {
    raises(() => c.retainGrad(c.scalar(1)), "can't retain_grad on Tensor that has requires_grad=False");
    raises(
      () => c.retainGrad(c.noGrad(() => c.mul(leaf(2), 2))),
      "can't retain_grad on Tensor that has requires_grad=False",
    );
  });

  it('backward with an explicit gradient computes the vector-Jacobian product', () => {
    // torch: (w*w).backward(torch.tensor([1., 0., -1.])) -> [2, 0, -6]
    const w = leaf([1, 2, 3]);
    c.backward(c.mul(w, w), { gradient: c.fromValues([1, 0, -1], [3]) });
    assert.deepEqual(grad(w), [2, 0, -6]);
  });
});

describe('semantics: the graph is freed after backward', () => {
  it("FREED_GRAPH_MESSAGE is PyTorch's text", () => {
    assert.equal(
      c.FREED_GRAPH_MESSAGE,
      'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.',
    );
  });

  // Nodes that save tensors: a second backward fails (checked with torch 1.13).
  const savers: [string, (w: Tensor) => Tensor][] = [
    ['mul by a number (w * 2)', (w) => c.sum(c.mul(w, 2))],
    ['mul (w * w)', (w) => c.sum(c.mul(w, w))],
    ['div (w / 2)', (w) => c.sum(c.div(w, 2))],
    ['2 / w', (w) => c.sum(c.div(2, w))],
    ['exp', (w) => c.sum(c.exp(w))],
    ['pow (w ** 2)', (w) => c.sum(c.pow(w, 2))],
    ['relu', (w) => c.sum(c.relu(w))],
    ['tanh', (w) => c.sum(c.tanh(w))],
    ['max()', (w) => c.max(w)],
    ['max(dim)', (w) => c.maxDim(w, 0).values],
    ['clamp', (w) => c.sum(c.clamp(w, 0))],
    ['mse_loss', (w) => c.mseLoss(w, c.fromValues([0, 0], [2]))],
  ];
  for (const [name, build] of savers)
    it(`a second backward through ${name} raises the freed-graph error`, () => {
      const w = leaf([2, 3]);
      const out = build(w);
      c.backward(out);
      const first = grad(w);
      raises(() => c.backward(out), c.FREED_GRAPH_MESSAGE);
      assert.deepEqual(grad(w), first, 'the failed pass must not change .grad');
    });

  it('a second backward through 2 ** w (PowBackward1, saves tensors) raises too', () => {
    const w = leaf(2);
    const y = c.pow(2, w);
    c.backward(y);
    assert.deepEqual(grad(w), [f32(4 * f32(Math.log(2)))]);
    raises(() => c.backward(y), c.FREED_GRAPH_MESSAGE);
  });

  // Nodes that save no tensor: torch 1.13 runs a second backward without
  // retain_graph and accumulates (w = [2., 3.], grads after two passes).
  const nonSavers: [string, (w: Tensor) => Tensor, number[]][] = [
    ['add (w + 1)', (w) => c.sum(c.add(w, 1)), [2, 2]],
    ['add (w + w)', (w) => c.sum(c.add(w, w)), [4, 4]],
    ['sub (w - 1)', (w) => c.sum(c.sub(w, 1)), [2, 2]],
    ['rsub (1 - w)', (w) => c.sum(c.sub(1, w)), [-2, -2]],
    ['neg', (w) => c.sum(c.neg(w)), [-2, -2]],
    ['sum()', (w) => c.sum(w), [2, 2]],
    ['mean()', (w) => c.mean(w), [1, 1]],
    ['sum(dim)', (w) => c.sum(w, 0), [2, 2]],
    ['reshape', (w) => c.sum(c.reshape(w, [2, 1])), [2, 2]],
    ['view', (w) => c.sum(c.view(w, [2, 1])), [2, 2]],
    ['select (w[0])', (w) => c.select(w, 0, 0), [2, 0]],
    ['slice (w[0:1])', (w) => c.sum(c.slice(w, 0, 0, 1)), [2, 0]],
    ['cat', (w) => c.sum(c.cat([w, w])), [4, 4]],
    ['stack', (w) => c.sum(c.stack([w, w])), [4, 4]],
    ['.T', (w) => c.sum(c.T(c.reshape(w, [1, 2]))), [2, 2]],
    ['.t()', (w) => c.sum(c.t(c.reshape(w, [1, 2]))), [2, 2]],
    ['transpose', (w) => c.sum(c.transpose(c.reshape(w, [1, 2]), 0, 1)), [2, 2]],
  ];
  for (const [name, build, twice] of nonSavers)
    it(`a second backward through ${name} (saves no tensor) succeeds and accumulates`, () => {
      const w = leaf([2, 3]);
      const out = build(w);
      c.backward(out);
      c.backward(out);
      assert.deepEqual(grad(w), twice);
    });

  it('retainGraph: true allows further passes, which accumulate; a pass without it frees the graph', () => {
    // torch: y.backward(retain_graph=True) twice, then y.backward() -> [12, 18]; a 4th raises
    const w = leaf([2, 3]);
    const y = c.sum(c.mul(w, w));
    c.backward(y, { retainGraph: true });
    assert.deepEqual(grad(w), [4, 6]);
    c.backward(y, { retainGraph: true });
    assert.deepEqual(grad(w), [8, 12]);
    c.backward(y);
    assert.deepEqual(grad(w), [12, 18]);
    raises(() => c.backward(y), c.FREED_GRAPH_MESSAGE);
  });

  it('a freed subgraph also fails when reached from a new root', () => {
    const w = leaf(2);
    const h = c.exp(w);
    c.backward(h);
    raises(() => c.backward(c.add(h, 1)), c.FREED_GRAPH_MESSAGE);
  });
});

describe('semantics: no_grad', () => {
  it('creates no graph: results do not require grad and have no op', () => {
    const w = leaf([1, 2]);
    assert.equal(c.isGradEnabled(), true);
    const out = c.noGrad(() => {
      assert.equal(c.isGradEnabled(), false);
      return c.sum(c.mul(c.exp(w), w));
    });
    assert.equal(out.requiresGrad, false);
    assert.equal(out.op, null);
    assert.ok(out.isLeaf);
    assert.equal(c.backwardNameOf(out), null);
    assert.equal(c.isGradEnabled(), true);
    raises(() => c.backward(out), 'element 0 of tensors does not require grad and does not have a grad_fn');
  });

  it('restores the previous mode when the function throws, including nested use', () => {
    assert.throws(() => c.noGrad(() => c.add(c.fromValues([1, 2], [2]), c.fromValues([1, 2, 3], [3]))), c.TorchError);
    assert.equal(c.isGradEnabled(), true);
    c.noGrad(() => {
      assert.throws(() =>
        c.noGrad(() => {
          throw new Error('boom');
        }),
      );
      assert.equal(c.isGradEnabled(), false, 'inner noGrad must restore the outer (disabled) mode');
    });
    assert.equal(c.isGradEnabled(), true);
  });

  it('a value computed under no_grad is a constant in a later graph', () => {
    const w = leaf(3);
    const k = c.noGrad(() => c.mul(w, w));
    const y = c.add(c.mul(w, 2), k);
    c.backward(y);
    assert.deepEqual(grad(w), [2]);
    assert.equal(y.at(0), 15);
  });

  it('setGradEnabled(false) switches recording off until switched back', () => {
    const w = leaf(3);
    const prev = c.setGradEnabled(false);
    try {
      assert.equal(prev, true);
      assert.equal(c.mul(w, 2).requiresGrad, false);
    } finally {
      c.setGradEnabled(prev);
    }
    assert.equal(c.mul(w, 2).requiresGrad, true);
  });
});

describe('semantics: requires_grad_, detach, .data and .data =', () => {
  it('requiresGrad_ turns recording on for a leaf and off again', () => {
    const t = c.fromValues([1, 2], [2]);
    assert.equal(c.mul(t, 2).requiresGrad, false);
    assert.equal(c.requiresGrad_(t), t);
    const y = c.mul(t, 2);
    assert.equal(y.requiresGrad, true);
    assert.equal(c.backwardNameOf(y), 'MulBackward0');
    c.requiresGrad_(t, false);
    assert.equal(c.mul(t, 2).requiresGrad, false);
  });

  it("requiresGrad_(false) on a non-leaf raises PyTorch's error; requiresGrad_(true) is a no-op", () => {
    const h = c.mul(leaf(2), 2);
    raises(
      () => c.requiresGrad_(h, false),
      "you can only change requires_grad flags of leaf variables. If you want to use a computed variable in a subgraph that doesn't require differentiation use var_no_grad = var.detach().",
    );
    assert.equal(c.requiresGrad_(h, true), h);
    assert.equal(h.requiresGrad, true);
    assert.equal(c.backwardNameOf(h), 'MulBackward0');
  });

  it('detach shares storage but is out of the graph', () => {
    // torch: y = w * w.detach(); y.backward() -> w.grad = 3
    const w = leaf(3);
    const d = c.detach(w);
    assert.equal(d.requiresGrad, false);
    assert.equal(d.op, null);
    assert.ok(d.isLeaf);
    const y = c.mul(w, d);
    c.backward(y);
    assert.deepEqual(grad(w), [3]);
    c.fillInPlace(d, 7);
    assert.equal(w.at(0), 7, 'a write through the detached tensor is visible in the original');
  });

  it('detach shares the version counter: changing it in place invalidates saved tensors', () => {
    const w = leaf([1, 2]);
    const y = c.sum(c.mul(w, w));
    const d = c.detach(w);
    c.addInPlace(d, 1);
    assert.equal(w.version, 1);
    raises(() => c.backward(y), {
      prefix: `${VERSION_PREFIX}[torch.FloatTensor [2]] is at version 1; expected version 0 instead.`,
    });
  });

  it('.data shares storage with its own version counter: changes are invisible to autograd', () => {
    // torch: d = w.data; d.add_(1); y.backward() -> no error, w.grad [6, 8], w._version 0
    const w = leaf([2, 3]);
    const y = c.sum(c.mul(w, w));
    const d = c.dataOf(w);
    assert.equal(d.requiresGrad, false);
    c.addInPlace(d, 1);
    assert.equal(w.version, 0);
    assert.equal(d.version, 1);
    assert.deepEqual(w.values(), [3, 4]);
    c.backward(y);
    assert.deepEqual(grad(w), [6, 8]);
  });

  it("setData (w.data = src) makes w share src's storage without a version bump", () => {
    // torch: w.data = src; src.add_(1) -> w [6, 7], still a leaf requiring grad, _version 0; grad [12, 14]
    const w = leaf([1, 2]);
    const src = c.fromValues([5, 6], [2]);
    c.setData(w, src);
    c.addInPlace(src, 1);
    assert.deepEqual(w.values(), [6, 7]);
    assert.ok(w.isLeaf && w.requiresGrad);
    assert.equal(w.version, 0);
    c.backward(c.sum(c.mul(w, w)));
    assert.deepEqual(grad(w), [12, 14]);
  });
});

describe('semantics: in-place updates', () => {
  it("runs the course's gradient-descent loop under no_grad exactly as PyTorch (float32)", () => {
    // torch 1.13: three steps of w -= lr * w.grad with lr = 0.01, then w.grad.zero_()
    const x = c.scalar(2);
    const y = c.scalar(3);
    const w1 = leaf(0.5);
    const w2 = leaf(-1.5);
    const b = leaf(0.25);
    const lr = 0.01;
    const expected = [
      { loss: 60.0625, g: [-31, -62, -15.5], w: [0.8100000023841858, -0.8799999952316284, 0.4050000011920929] },
      {
        loss: 20.20502471923828,
        g: [-17.979999542236328, -35.959999084472656, -8.989999771118164],
        w: [0.989799976348877, -0.5204000473022461, 0.4948999881744385],
      },
      {
        loss: 6.796971797943115,
        g: [-10.428400993347168, -20.856801986694336, -5.214200496673584],
        w: [1.0940840244293213, -0.3118320107460022, 0.5470420122146606],
      },
    ];
    expected.forEach((e, step) => {
      const yHat = c.add(c.add(c.mul(c.pow(x, 2), w2), c.mul(x, w1)), b);
      const loss = c.pow(c.sub(yHat, y), 2);
      c.backward(loss);
      assert.equal(loss.at(0), e.loss, `loss at step ${step}`);
      assert.deepEqual(
        [w1, w2, b].map((p) => grad(p)[0]),
        e.g,
        `grads at step ${step}`,
      );
      c.noGrad(() => {
        for (const p of [w1, w2, b]) c.subInPlace(p, c.mul(lr, p.grad as Tensor));
      });
      assert.deepEqual(
        [w1, w2, b].map((p) => p.at(0)),
        e.w,
        `weights after step ${step}`,
      );
      for (const p of [w1, w2, b]) {
        assert.ok(p.isLeaf && p.requiresGrad && p.op === null);
        assert.equal(p.version, step + 1);
        c.zeroInPlace(p.grad as Tensor);
      }
    });
  });

  it("raises PyTorch's error for every in-place update of a leaf that requires grad outside no_grad", () => {
    const w = leaf([2, 3]);
    const updates: [string, () => unknown][] = [
      ['add_', () => c.addInPlace(w, 1)],
      ['sub_', () => c.subInPlace(w, c.fromValues([1, 1], [2]))],
      ['mul_', () => c.mulInPlace(w, 2)],
      ['div_', () => c.divInPlace(w, 2)],
      ['copy_', () => c.copyInPlace(w, c.fromValues([1, 1], [2]))],
      ['zero_', () => c.zeroInPlace(w)],
      ['fill_', () => c.fillInPlace(w, 1)],
    ];
    for (const [, f] of updates) raises(f, LEAF_INPLACE);
    assert.deepEqual(w.values(), [2, 3], 'a refused update must not change the values');
    assert.equal(w.version, 0);
  });

  it('allows in-place updates of tensors that do not require grad, bumping their version', () => {
    const x = c.fromValues([1, 2], [2]);
    c.addInPlace(x, 1);
    c.mulInPlace(x, c.fromValues([2, 3], [2]));
    assert.deepEqual(x.values(), [4, 9]);
    assert.equal(x.version, 2);
  });

  it('an in-place update under no_grad keeps the leaf usable in a new graph', () => {
    // torch: with no_grad: w.mul_(2); (w*w).sum().backward() -> [4, 8], _version 1
    const w = leaf([1, 2]);
    c.noGrad(() => c.mulInPlace(w, 2));
    c.backward(c.sum(c.mul(w, w)));
    assert.deepEqual(grad(w), [4, 8]);
    assert.equal(w.version, 1);
  });

  it("an in-place update must not change the shape (PyTorch's broadcast error)", () => {
    raises(
      () => c.addInPlace(c.fromValues([1, 1, 1], [3]), c.full([2, 3], 1)),
      "output with shape [3] doesn't match the broadcast shape [2, 3]",
    );
  });
});

describe('semantics: version counter checks at backward', () => {
  it('raises when a saved leaf is modified in place before backward', () => {
    const w = leaf([2, 3]);
    const y = c.sum(c.mul(w, w));
    c.noGrad(() => c.subInPlace(w, 1));
    raises(() => c.backward(y), {
      prefix: `${VERSION_PREFIX}[torch.FloatTensor [2]] is at version 1; expected version 0 instead.`,
    });
  });

  it('names the node that produced a modified saved non-leaf, and the dtype', () => {
    const w = leaf(2, undefined, 'float64');
    const h = c.mul(w, 3);
    const z = c.mul(h, h);
    c.noGrad(() => c.addInPlace(h, 1));
    raises(() => c.backward(z), {
      prefix: `${VERSION_PREFIX}[torch.DoubleTensor []], which is output 0 of MulBackward0, is at version 1; expected version 0 instead.`,
    });
  });

  it('raises when a saved constant (not requiring grad) is modified', () => {
    const w = leaf(2);
    const x = c.scalar(3);
    const y = c.mul(w, x);
    c.addInPlace(x, 1);
    raises(() => c.backward(y), {
      prefix: `${VERSION_PREFIX}[torch.FloatTensor []] is at version 1; expected version 0 instead.`,
    });
  });

  it('reports the version the tensor was saved at, after several in-place changes', () => {
    // torch: "... [torch.FloatTensor []] is at version 2; expected version 0 instead."
    const w = leaf(2);
    const y = c.mul(w, w);
    c.noGrad(() => {
      c.addInPlace(w, 1);
      c.addInPlace(w, 1);
    });
    raises(() => c.backward(y), {
      prefix: `${VERSION_PREFIX}[torch.FloatTensor []] is at version 2; expected version 0 instead.`,
    });
  });

  it('does not check inputs of nodes that save no tensor', () => {
    // torch: y = (w + 1).sum(); w.add_(1) under no_grad; y.backward() -> [1, 1]
    const w = leaf([1, 2]);
    const y = c.sum(c.add(w, 1));
    c.noGrad(() => c.addInPlace(w, 1));
    c.backward(y);
    assert.deepEqual(grad(w), [1, 1]);
  });

  it('checks only the tensors a node saves: w * x saves x, not w, when x does not require grad', () => {
    // torch: y = w * x; with no_grad: w.add_(1); y.backward() -> no error, w.grad = 3
    const w = leaf(2);
    const x = c.scalar(3);
    const y = c.mul(w, x);
    c.noGrad(() => c.addInPlace(w, 1));
    c.backward(y);
    assert.deepEqual(grad(w), [3]);
  });

  it('exp saves its result, not its input: changing the input is allowed', () => {
    // torch: y = w.exp(); with no_grad: w.add_(1); y.backward() -> no error, w.grad = e^2
    const w = leaf(2);
    const y = c.exp(w);
    c.noGrad(() => c.addInPlace(w, 1));
    c.backward(y);
    assert.deepEqual(grad(w), [f32(Math.exp(2))]);
  });

  it('exp saves its result: changing the result in place raises', () => {
    // torch: "... [torch.FloatTensor []], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead."
    const w = leaf(2);
    const y = c.exp(w);
    c.noGrad(() => c.addInPlace(y, 1));
    raises(() => c.backward(y), {
      prefix: `${VERSION_PREFIX}[torch.FloatTensor []], which is output 0 of ExpBackward0, is at version 1; expected version 0 instead.`,
    });
  });
});

describe('semantics: version checks cover exactly what PyTorch 1.13 saves', () => {
  // For y = f(w) with w = [0.5, 0.7] requiring grad: does an in-place change
  // (under no_grad) of the input w, or of the output y, make backward fail?
  // 'ok' = no error; 'err' = version error on w; a name = version error on y,
  // "which is output 0 of <name>". Table produced with torch 1.13.
  type Outcome = 'ok' | 'err' | string;
  const two = (): Tensor => c.fromValues([2, 3], [2]);
  const unary: [string, (w: Tensor) => Tensor, Outcome, Outcome][] = [
    ['log', (w) => c.log(w), 'err', 'ok'],
    ['sqrt', (w) => c.sqrt(w), 'ok', 'SqrtBackward0'],
    ['tanh', (w) => c.tanh(w), 'ok', 'TanhBackward0'],
    ['sigmoid', (w) => c.sigmoid(w), 'ok', 'SigmoidBackward0'],
    ['relu', (w) => c.relu(w), 'ok', 'ReluBackward0'],
    ['abs', (w) => c.abs(w), 'err', 'ok'],
    ['sin', (w) => c.sin(w), 'err', 'ok'],
    ['w ** 2', (w) => c.pow(w, 2), 'err', 'ok'],
    ['reciprocal', (w) => c.reciprocal(w), 'ok', 'ReciprocalBackward0'],
    ['clamp', (w) => c.clamp(w, 0), 'err', 'ok'],
    ['max()', (w) => c.max(w), 'err', 'MaxBackward1'],
    ['max(dim)', (w) => c.maxDim(w, 0).values, 'ok', 'ok'],
    ['softmax', (w) => c.softmax(w, 0), 'ok', 'SoftmaxBackward0'],
    ['log_softmax', (w) => c.logSoftmax(w, 0), 'ok', 'LogSoftmaxBackward0'],
    ['w * constant tensor', (w) => c.mul(w, two()), 'ok', 'ok'],
    ['w / constant tensor', (w) => c.div(w, two()), 'ok', 'ok'],
    ['constant tensor / w', (w) => c.div(two(), w), 'err', 'ok'],
    ['2 / w', (w) => c.div(2, w), 'ok', 'ok'],
    ['2 ** w', (w) => c.pow(2, w), 'err', 'PowBackward1'],
    ['mse_loss(w, 0)', (w) => c.mseLoss(w, c.fromValues([0, 0], [2])), 'err', 'ok'],
    ['w @ constant (dot)', (w) => c.matmul(w, two()), 'ok', 'ok'],
  ];

  function check(y: Tensor, changed: Tensor, outcome: Outcome): void {
    if (outcome === 'ok') {
      c.backward(c.sum(y));
      return;
    }
    const which = outcome === 'err' ? '' : `, which is output 0 of ${outcome},`;
    raises(() => c.backward(c.sum(y)), {
      prefix: `${VERSION_PREFIX}[torch.FloatTensor [${changed.shape.join(', ')}]]${which} is at version 1; expected version 0 instead.`,
    });
  }

  for (const [name, f, onInput, onOutput] of unary)
    it(`${name}: changing the input ${onInput === 'ok' ? 'is allowed' : 'raises'}, changing the output ${onOutput === 'ok' ? 'is allowed' : 'raises'}`, () => {
      const w = leaf([0.5, 0.7]);
      const y = f(w);
      c.noGrad(() => c.addInPlace(w, 0));
      check(y, w, onInput);
      const w2 = leaf([0.5, 0.7]);
      const y2 = f(w2);
      c.noGrad(() => c.addInPlace(y2, 0));
      check(y2, y2, onOutput);
    });

  // y = f(w, v) with both requiring grad: [change w, change v, change y].
  const binary: [string, (w: Tensor, v: Tensor) => Tensor, Outcome[]][] = [
    ['w ** v', (w, v) => c.pow(w, v), ['err', 'err', 'PowBackward1']],
    ['w * v', (w, v) => c.mul(w, v), ['err', 'err', 'ok']],
    ['w / v', (w, v) => c.div(w, v), ['err', 'err', 'ok']],
    ['w @ v', (w, v) => c.matmul(w, v), ['err', 'err', 'ok']],
    ['w - v', (w, v) => c.sub(w, v), ['ok', 'ok', 'ok']],
  ];
  for (const [name, f, outcomes] of binary)
    it(`${name} with both operands requiring grad checks ${outcomes.join('/')} for changes of w/v/output`, () => {
      outcomes.forEach((outcome, which) => {
        const w = leaf([0.5, 0.7]);
        const v = leaf([1.5, 2]);
        const y = f(w, v);
        const changed = [w, v, y][which];
        c.noGrad(() => c.addInPlace(changed, 0));
        check(y, changed, outcome);
      });
    });
});

describe('semantics: backward() argument errors', () => {
  it('a non-scalar root without gradient raises "grad can be implicitly created only for scalar outputs"', () => {
    const w = leaf([1, 2, 3]);
    raises(() => c.backward(c.mul(w, 2)), 'grad can be implicitly created only for scalar outputs');
    assert.equal(w.grad, null);
  });

  it('a gradient of the wrong shape raises the "Mismatch in shape" error', () => {
    const w = leaf([1, 2, 3]);
    const y = c.mul(w, 2);
    raises(
      () => c.backward(y, { gradient: c.fromValues([1, 1], [2]) }),
      'Mismatch in shape: grad_output[0] has a shape of torch.Size([2]) and output[0] has a shape of torch.Size([3]).',
    );
    raises(
      () => c.backward(y, { gradient: c.full([1, 3], 1) }),
      'Mismatch in shape: grad_output[0] has a shape of torch.Size([1, 3]) and output[0] has a shape of torch.Size([3]).',
    );
    raises(
      () => c.backward(c.sum(y), { gradient: c.fromValues([1], [1]) }),
      'Mismatch in shape: grad_output[0] has a shape of torch.Size([1]) and output[0] has a shape of torch.Size([]).',
    );
  });

  it('a root that does not require grad raises "element 0 of tensors does not require grad..."', () => {
    raises(() => c.backward(c.scalar(1)), 'element 0 of tensors does not require grad and does not have a grad_fn');
    raises(
      () => c.backward(c.mul(c.scalar(2), 3)),
      'element 0 of tensors does not require grad and does not have a grad_fn',
    );
  });
});

describe('semantics: node ids and grad_fn names', () => {
  it('ids follow creation order: every node is newer than its inputs', () => {
    const start = c.tensorCount();
    const w = leaf([1, 2]);
    const a = c.mul(w, 2);
    const b = c.exp(a);
    const s = c.sum(c.add(a, b));
    assert.ok(w.id >= start);
    const chain = [w, a, b, s];
    for (let i = 1; i < chain.length; i++) assert.ok(chain[i].id > chain[i - 1].id);
    for (const t of [a, b, s]) for (const inp of c.inputsOf(t)) assert.ok(inp.id < t.id);
    assert.ok(c.tensorCount() > s.id);
  });

  it('2 / a records reciprocal first, then a MulBackward0 node on top of it', () => {
    const a = leaf([1, 2]);
    const y = c.div(2, a);
    assert.equal(c.backwardNameOf(y), 'MulBackward0');
    const r = c.inputsOf(y)[0];
    assert.equal(c.backwardNameOf(r), 'ReciprocalBackward0');
    assert.ok(r.id < y.id);
    assert.deepEqual(y.values(), [2, 1]);
  });

  it('2 / w differentiates through reciprocal like PyTorch, not as -2/w² directly', () => {
    // torch: w = [2., 3.]; (2 / w).sum().backward() -> [-0.5, -0.222222238779068]
    const w = leaf([2, 3]);
    c.backward(c.sum(c.div(2, w)));
    assert.deepEqual(grad(w), [-0.5, -0.222222238779068]);
    assert.notEqual(f32(-2 / 9), -0.222222238779068);
  });

  const name = (t: Tensor): string | null => c.backwardNameOf(t);

  it('names arithmetic forms as PyTorch 1.13 does', () => {
    const a = leaf([1, 2, 3]);
    const b = leaf([1, 2, 3]);
    const cases: [string, Tensor, string][] = [
      ['a + 1', c.add(a, 1), 'AddBackward0'],
      ['1 + a', c.add(1, a), 'AddBackward0'],
      ['a - 1', c.sub(a, 1), 'SubBackward0'],
      ['1 - a', c.sub(1, a), 'RsubBackward1'],
      ['2 * a', c.mul(2, a), 'MulBackward0'],
      ['a * b', c.mul(a, b), 'MulBackward0'],
      ['a / 2', c.div(a, 2), 'DivBackward0'],
      ['2 / a', c.div(2, a), 'MulBackward0'],
      ['-a', c.neg(a), 'NegBackward0'],
      ['a ** 2', c.pow(a, 2), 'PowBackward0'],
      ['a ** 0.5', c.pow(a, 0.5), 'PowBackward0'],
      ['2 ** a', c.pow(2, a), 'PowBackward1'],
      ['a ** b', c.pow(a, b), 'PowBackward1'],
      ['a.reciprocal()', c.reciprocal(a), 'ReciprocalBackward0'],
    ];
    for (const [form, t, expected] of cases) assert.equal(name(t), expected, form);
  });

  it('names shape forms as PyTorch 1.13 does', () => {
    const a = leaf([1, 2, 3]);
    const A = c.requiresGrad_(c.full([2, 3], 1));
    const cases: [string, Tensor, string][] = [
      ['A.T', c.T(A), 'PermuteBackward0'],
      ['a.T (1-D)', c.T(a), 'PermuteBackward0'],
      ['A.t()', c.t(A), 'TBackward0'],
      ['a.t() (1-D)', c.t(a), 'TBackward0'],
      ['A.transpose(0, 1)', c.transpose(A, 0, 1), 'TransposeBackward0'],
      ['a.reshape(3, 1)', c.reshape(a, [3, 1]), 'ReshapeAliasBackward0'],
      ['A.reshape(-1)', c.reshape(A, [-1]), 'ReshapeAliasBackward0'],
      ['a.view(3, 1)', c.view(a, [3, 1]), 'ViewBackward0'],
      ['a[0]', c.select(a, 0, 0), 'SelectBackward0'],
      ['A[0]', c.select(A, 0, 0), 'SelectBackward0'],
      ['a[0:2]', c.slice(a, 0, 0, 2), 'SliceBackward0'],
      ['torch.cat', c.cat([a, a]), 'CatBackward0'],
      ['torch.stack', c.stack([a, a]), 'StackBackward0'],
    ];
    for (const [form, t, expected] of cases) assert.equal(name(t), expected, form);
  });

  it('names matmul forms as PyTorch 1.13 does (dot, mv, mm, 1-D@2-D, batched)', () => {
    const v3 = c.requiresGrad_(c.full([3], 1));
    const v2 = c.requiresGrad_(c.full([2], 1));
    const A = c.requiresGrad_(c.full([2, 3], 1));
    const B = c.requiresGrad_(c.full([3, 4], 1));
    const b3 = c.requiresGrad_(c.full([2, 2, 3], 1));
    const cases: [string, Tensor, string][] = [
      ['1-D @ 1-D', c.matmul(v3, v3), 'DotBackward0'],
      ['2-D @ 1-D', c.matmul(A, v3), 'MvBackward0'],
      ['2-D @ 2-D', c.matmul(A, B), 'MmBackward0'],
      ['1-D @ 2-D', c.matmul(v3, B), 'SqueezeBackward3'],
      ['3-D @ 2-D', c.matmul(b3, B), 'UnsafeViewBackward0'],
      ['3-D @ 1-D', c.matmul(b3, v3), 'UnsafeViewBackward0'],
      ['1-D @ 3-D', c.matmul(v2, b3), 'UnsafeViewBackward0'],
      ['3-D @ 3-D', c.matmul(b3, c.full([2, 3, 5], 1)), 'UnsafeViewBackward0'],
    ];
    for (const [form, t, expected] of cases) assert.equal(name(t), expected, form);
  });

  it('names 2-D @ 3-D CloneBackward0, as PyTorch 1.13 records it', () => {
    // torch: (torch.ones(4, 2, requires_grad=True) @ torch.ones(2, 2, 3)).grad_fn -> CloneBackward0
    const A = c.requiresGrad_(c.full([4, 2], 1));
    const y = c.matmul(A, c.full([2, 2, 3], 1));
    assert.deepEqual(y.shape, [2, 4, 3]);
    assert.equal(name(y), 'CloneBackward0');
  });

  it('names reductions as PyTorch 1.13 does (max() is MaxBackward1, max(dim) is MaxBackward0)', () => {
    const a = leaf([1, 2, 3]);
    const cases: [string, Tensor, string][] = [
      ['a.sum()', c.sum(a), 'SumBackward0'],
      ['a.sum(0)', c.sum(a, 0), 'SumBackward1'],
      ['a.mean()', c.mean(a), 'MeanBackward0'],
      ['a.mean(0)', c.mean(a, 0), 'MeanBackward1'],
      ['a.max()', c.max(a), 'MaxBackward1'],
      ['a.max(0)', c.maxDim(a, 0).values, 'MaxBackward0'],
      ['a.min()', c.min(a), 'MinBackward1'],
      ['a.min(0)', c.minDim(a, 0).values, 'MinBackward0'],
    ];
    for (const [form, t, expected] of cases) assert.equal(name(t), expected, form);
  });

  it('names elementwise functions as PyTorch 1.13 does', () => {
    const a = leaf([1, 2, 3]);
    const cases: [string, Tensor, string][] = [
      ['exp', c.exp(a), 'ExpBackward0'],
      ['log', c.log(a), 'LogBackward0'],
      ['sqrt', c.sqrt(a), 'SqrtBackward0'],
      ['abs', c.abs(a), 'AbsBackward0'],
      ['sin', c.sin(a), 'SinBackward0'],
      ['cos', c.cos(a), 'CosBackward0'],
      ['tanh', c.tanh(a), 'TanhBackward0'],
      ['sigmoid', c.sigmoid(a), 'SigmoidBackward0'],
      ['relu', c.relu(a), 'ReluBackward0'],
      ['clamp(min=0)', c.clamp(a, 0), 'ClampBackward1'],
      ['clamp(max=0)', c.clamp(a, null, 0), 'ClampBackward1'],
      ['softmax', c.softmax(a, 0), 'SoftmaxBackward0'],
      ['log_softmax', c.logSoftmax(a, 0), 'LogSoftmaxBackward0'],
    ];
    for (const [form, t, expected] of cases) assert.equal(name(t), expected, form);
  });

  it('records cross_entropy as NllLossBackward0 on top of LogSoftmaxBackward0 (2-D and 1-D logits)', () => {
    const logits = c.requiresGrad_(c.full([2, 3], 1));
    const ce = c.crossEntropy(logits, [0, 1]);
    assert.equal(name(ce), 'NllLossBackward0');
    assert.equal(name(c.inputsOf(ce)[0]), 'LogSoftmaxBackward0');
    assert.equal(c.inputsOf(c.inputsOf(ce)[0])[0], logits);
    const ce1 = c.crossEntropy(leaf([1, 1, 1]), [1]);
    assert.equal(name(ce1), 'NllLossBackward0');
    assert.equal(name(c.inputsOf(ce1)[0]), 'LogSoftmaxBackward0');
  });

  it('names the other losses as PyTorch 1.13 does', () => {
    const a = leaf([1, 2, 3]);
    assert.equal(name(c.mseLoss(a, c.full([3], 0))), 'MseLossBackward0');
    const bce = c.binaryCrossEntropy(c.sigmoid(a), c.full([3], 0));
    assert.equal(name(bce), 'BinaryCrossEntropyBackward0');
    assert.equal(name(c.inputsOf(bce)[0]), 'SigmoidBackward0');
  });
});

describe('semantics: broadcasting', () => {
  it("broadcasts shapes by PyTorch's rule (trailing dims, 1 stretches, missing dims are 1)", () => {
    const ones = (s: number[]): Tensor => c.full(s, 1);
    assert.deepEqual(c.add(ones([2, 1]), ones([1, 3])).shape, [2, 3]);
    assert.deepEqual(c.add(ones([3]), c.scalar(1)).shape, [3]);
    assert.deepEqual(c.mul(ones([4, 1, 3]), ones([2, 1])).shape, [4, 2, 3]);
    assert.deepEqual(c.sub(ones([5, 1]), ones([1])).shape, [5, 1]);
    assert.deepEqual(c.broadcastShapes([1], []), [1]);
    assert.deepEqual(c.broadcastShapes([], []), []);
  });

  it("raises PyTorch's error when sizes do not match at a non-singleton dimension", () => {
    const ones = (s: number[]): Tensor => c.full(s, 1);
    raises(
      () => c.add(ones([2, 3]), ones([2])),
      'The size of tensor a (3) must match the size of tensor b (2) at non-singleton dimension 1',
    );
    raises(
      () => c.add(ones([3]), ones([4])),
      'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0',
    );
    raises(
      () => c.mul(ones([4, 1, 3]), ones([2, 5, 3])),
      'The size of tensor a (4) must match the size of tensor b (2) at non-singleton dimension 0',
    );
  });

  it('sums gradients back over broadcast dimensions', () => {
    // torch: ((a*b + s) * [[1],[2]]).sum() -> a.grad [[1,2,3],[2,4,6]], b.grad [3,3,3], s.grad 9
    const a = c.requiresGrad_(c.full([2, 3], 1));
    const b = leaf([1, 2, 3]);
    const s = leaf(2);
    c.backward(c.sum(c.mul(c.add(c.mul(a, b), s), c.fromValues([1, 2], [2, 1]))));
    assert.deepEqual(grad(a), [1, 2, 3, 2, 4, 6]);
    assert.deepEqual(grad(b), [3, 3, 3]);
    assert.deepEqual(grad(s), [9]);
    assert.deepEqual(a.grad?.shape, [2, 3]);
    assert.deepEqual(b.grad?.shape, [3]);
    assert.deepEqual(s.grad?.shape, []);
  });

  it('sums gradients over both operands of an outer-product-like broadcast', () => {
    // torch: (c1 * r1).sum() with c1 [[1],[2]], r1 [[10,20,30]] -> c1.grad [[60],[60]], r1.grad [[3,3,3]]
    const col = c.requiresGrad_(c.fromValues([1, 2], [2, 1]));
    const row = c.requiresGrad_(c.fromValues([10, 20, 30], [1, 3]));
    c.backward(c.sum(c.mul(col, row)));
    assert.deepEqual(grad(col), [60, 60]);
    assert.deepEqual(grad(row), [3, 3, 3]);
    assert.deepEqual(row.grad?.shape, [1, 3]);
  });
});

describe('semantics: dtypes, rounding and type promotion', () => {
  it("is float32 by default and rounds every op's result: 0.1 + 0.2", () => {
    const s = c.add(c.scalar(0.1), c.scalar(0.2));
    assert.equal(s.dtype, 'float32');
    assert.equal(s.at(0), f32(f32(0.1) + f32(0.2)));
    assert.equal(s.at(0), 0.30000001192092896); // torch: (torch.tensor(.1) + torch.tensor(.2)).item()
  });

  it('loses what float32 cannot hold: 1 + 1e-8 == 1 and 2**24 + 1 == 2**24', () => {
    assert.equal(c.add(c.scalar(1), 1e-8).at(0), 1);
    assert.equal(c.add(c.scalar(16777216), 1).at(0), 16777216);
  });

  it('stores only float32-representable values, forward and backward (property)', () => {
    const unary = [c.exp, c.tanh, c.sigmoid, c.sin, c.cos, c.sqrt, c.log, c.relu, c.neg, c.abs];
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -3, max: 3, noNaN: true }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.nat(12), fc.double({ min: -3, max: 3, noNaN: true })), { minLength: 1, maxLength: 8 }),
        (values, ops) => {
          const w = leaf(values);
          let t: Tensor = w;
          for (const [k, v] of ops) {
            if (k < unary.length) t = unary[k](t);
            else if (k === 10) t = c.mul(t, v);
            else if (k === 11) t = c.add(t, v);
            else t = c.div(t, v === 0 ? 3 : v);
          }
          const out = c.sum(t);
          c.backward(out);
          for (const x of [...t.values(), out.at(0), ...grad(w)])
            assert.ok(Number.isNaN(x) || f32(x) === x, `${x} is not a float32`);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("computes tanh's gradient 1 - y² as PyTorch's float32 kernel does (y² not rounded on its own)", () => {
    // torch: w = [1., 3., 4.]; w.tanh().sum().backward()
    //   -> [0.41997429728507996, 0.00986598152667284, 0.0013408930972218513]
    const w = leaf([1, 3, 4]);
    c.backward(c.sum(c.tanh(w)));
    assert.deepEqual(grad(w), [0.41997429728507996, 0.00986598152667284, 0.0013408930972218513]);
  });

  it('computes in float64 on request', () => {
    const s = c.add(c.scalar(0.1, 'float64'), 0.2);
    assert.equal(s.dtype, 'float64');
    assert.equal(s.at(0), 0.1 + 0.2);
    assert.equal(c.exp(c.scalar(100, 'float64')).at(0), 2.6881171418161356e43);
    assert.equal(c.exp(c.scalar(100)).at(0), Infinity);
  });

  it('promotes types as PyTorch: dimensioned tensors outrank 0-dim ones, equal ranks widen', () => {
    const a32 = c.fromValues([1, 2, 3], [3]);
    const a64 = c.fromValues([1, 2, 3], [3], 'float64');
    const s64 = c.scalar(0.5, 'float64');
    const s32 = c.scalar(0.5);
    assert.equal(c.add(a32, s64).dtype, 'float32');
    assert.equal(c.add(s64, a32).dtype, 'float32');
    assert.equal(c.add(a32, a64).dtype, 'float64');
    assert.equal(c.add(s32, s64).dtype, 'float64');
    // torch: (torch.tensor([3.]) * torch.tensor(0.1, dtype=torch.float64)).item() -> 0.30000001192092896
    assert.equal(c.mul(c.fromValues([3], [1]), c.scalar(0.1, 'float64')).at(0), 0.30000001192092896);
    // torch: (torch.tensor([3.]) * torch.tensor([0.1], dtype=torch.float64)).item() -> 0.30000000000000004
    assert.equal(c.mul(c.fromValues([3], [1]), c.fromValues([0.1], [1], 'float64')).at(0), 0.30000000000000004);
  });

  it("gives Python numbers the tensor's dtype", () => {
    assert.equal(c.mul(c.scalar(3), 0.1).dtype, 'float32');
    assert.equal(c.mul(c.scalar(3), 0.1).at(0), 0.30000001192092896);
    assert.equal(c.mul(0.1, c.scalar(3)).at(0), 0.30000001192092896);
    assert.equal(c.mul(c.scalar(3, 'float64'), 0.1).dtype, 'float64');
    assert.equal(c.mul(c.scalar(3, 'float64'), 0.1).at(0), 0.30000000000000004);
    assert.equal(c.sub(1, c.scalar(0.1, 'float64')).dtype, 'float64');
    assert.equal(c.div(1, c.scalar(3, 'float64')).at(0), 1 / 3);
  });

  it('gives each leaf a gradient of its own dtype in mixed-dtype graphs', () => {
    // torch: w32 * s64 (0-dim) summed -> y float32; w32.grad float32 [0.1]*3; s.grad float64 6
    const w = leaf([1, 2, 3]);
    const s = leaf(0.1, undefined, 'float64');
    const y = c.sum(c.mul(w, s));
    assert.equal(y.dtype, 'float32');
    c.backward(y);
    assert.equal(w.grad?.dtype, 'float32');
    assert.deepEqual(grad(w), [f32(0.1), f32(0.1), f32(0.1)]);
    assert.equal(s.grad?.dtype, 'float64');
    assert.deepEqual(grad(s), [6]);
  });
});

describe('semantics: NaN and inf', () => {
  it('log(0) is -inf with gradient inf; exp overflows to inf in float32', () => {
    const z = leaf(0);
    const l = c.log(z);
    assert.equal(l.at(0), -Infinity);
    c.backward(l);
    assert.deepEqual(grad(z), [Infinity]);
    assert.equal(c.exp(c.scalar(1000)).at(0), Infinity);
    assert.equal(c.exp(c.scalar(-1000)).at(0), 0);
  });

  it('0/0 is NaN, ±1/0 is ±inf, inf - inf and inf * 0 are NaN, NaN propagates through sum', () => {
    const zero = c.scalar(0);
    assert.ok(Number.isNaN(c.div(zero, zero).at(0)));
    assert.equal(c.div(c.scalar(1), zero).at(0), Infinity);
    assert.equal(c.div(c.scalar(-1), zero).at(0), -Infinity);
    assert.ok(Number.isNaN(c.sum(c.fromValues([Infinity, -Infinity], [2])).at(0)));
    assert.ok(Number.isNaN(c.mul(c.scalar(Infinity), 0).at(0)));
    assert.ok(Number.isNaN(c.sum(c.fromValues([NaN, 2], [2])).at(0)));
  });

  it('the gradient of sqrt at 0 is inf', () => {
    const s = leaf(0);
    c.backward(c.sqrt(s));
    assert.deepEqual(grad(s), [Infinity]);
  });

  it('relu keeps NaN and inf; its gradient is 0 at 0 and below, 1 at inf', () => {
    const n = leaf([NaN, Infinity, -Infinity, 0, -1, 2]);
    const r = c.relu(n);
    const v = r.values();
    assert.ok(Number.isNaN(v[0]));
    assert.deepEqual(v.slice(1), [Infinity, 0, 0, 0, 2]);
    c.backward(c.sum(r));
    assert.deepEqual(grad(n).slice(1), [1, 0, 0, 0, 1]);
  });

  it('relu passes the gradient at NaN (threshold_backward: NaN <= 0 is false)', () => {
    // torch: n = [nan, 1, -1]; n.relu().sum().backward() -> n.grad [1, 1, 0]
    const n = leaf([NaN, 1, -1]);
    c.backward(c.sum(c.relu(n)));
    assert.deepEqual(grad(n), [1, 1, 0]);
  });

  it('clamp keeps NaN with gradient 0, and passes the gradient at its bounds', () => {
    // torch: [nan, 1, -1].clamp(0, 0.5) -> [nan, 0.5, 0], grad [0, 0, 0]; [0., -0.].clamp(min=0) grad [1, 1]
    const n = leaf([NaN, 1, -1]);
    const r = c.clamp(n, 0, 0.5);
    assert.ok(Number.isNaN(r.at(0)));
    assert.deepEqual(r.values().slice(1), [0.5, 0]);
    c.backward(c.sum(r));
    assert.deepEqual(grad(n), [0, 0, 0]);
    const z = leaf([0, -0]);
    c.backward(c.sum(c.clamp(z, 0)));
    assert.deepEqual(grad(z), [1, 1]);
  });

  it('relu and abs have gradient 0 at 0', () => {
    const z = leaf([0, -0]);
    c.backward(c.sum(c.relu(z)));
    assert.deepEqual(grad(z), [0, 0]);
    const z2 = leaf([0, -0]);
    c.backward(c.sum(c.abs(z2)));
    assert.deepEqual(grad(z2), [0, 0]);
  });

  it('max/min of a tensor with NaN is NaN, and the gradient is shared among the NaNs', () => {
    // torch: [nan, 1, -1].max() -> nan, grad [1, 0, 0]; [1, nan, 3, nan].max()/min() -> grad [0, .5, 0, .5]
    const a = leaf([NaN, 1, -1]);
    const m = c.max(a);
    assert.ok(Number.isNaN(m.at(0)));
    c.backward(m);
    assert.deepEqual(grad(a), [1, 0, 0]);
    const b = leaf([1, NaN, 3, NaN]);
    c.backward(c.max(b));
    assert.deepEqual(grad(b), [0, 0.5, 0, 0.5]);
    const b2 = leaf([1, NaN, 3, NaN]);
    const mn = c.min(b2);
    assert.ok(Number.isNaN(mn.at(0)));
    c.backward(mn);
    assert.deepEqual(grad(b2), [0, 0.5, 0, 0.5]);
  });

  it('max along a dim returns the first NaN and sends it the gradient', () => {
    // torch: v, i = torch.tensor([1, nan, 3, nan]).max(0) -> nan, 1; grad [0, 1, 0, 0]
    const b = leaf([1, NaN, 3, NaN]);
    const { values, indices } = c.maxDim(b, 0);
    assert.ok(Number.isNaN(values.at(0)));
    assert.deepEqual(indices, [1]);
    c.backward(values);
    assert.deepEqual(grad(b), [0, 1, 0, 0]);
  });
});

describe('semantics: max/min ties', () => {
  it('a full max shares the gradient evenly among tied elements (float32 1/3)', () => {
    // torch: [1, 3, 3, 2, 3].max().backward() -> [0, .3333, .3333, 0, .3333]; grad[1].item() 0.3333333432674408
    const t = leaf([1, 3, 3, 2, 3]);
    c.backward(c.max(t));
    const third = 0.3333333432674408;
    assert.equal(f32(1 / 3), third);
    assert.deepEqual(grad(t), [0, third, third, 0, third]);
  });

  it('a full min with a unique minimum gives it the whole gradient; all-equal elements share it', () => {
    const t = leaf([1, 3, 3, 2, 3]);
    c.backward(c.min(t));
    assert.deepEqual(grad(t), [1, 0, 0, 0, 0]);
    // torch: (t3.max() * 3).backward() with t3 = [2, 2, 2] -> [1, 1, 1]
    const t3 = leaf([2, 2, 2]);
    c.backward(c.mul(c.max(t3), 3));
    assert.deepEqual(grad(t3), [1, 1, 1]);
  });

  it('a full max of a matrix shares among ties wherever they are', () => {
    const M = c.requiresGrad_(c.fromValues([1, 5, 5, 2, 2, 0, 7, 7, 7], [3, 3]));
    c.backward(c.max(M));
    const third = f32(1 / 3);
    assert.deepEqual(grad(M), [0, 0, 0, 0, 0, 0, third, third, third]);
  });

  it('max/min along a dim return the first tied index and give it the whole gradient', () => {
    // torch: t.max(0) -> (3, 1), grad [0, 1, 0, 0, 0]; t.min(0) -> (1, 0)
    const t = leaf([1, 3, 3, 2, 3]);
    const mx = c.maxDim(t, 0);
    assert.equal(mx.values.at(0), 3);
    assert.deepEqual(mx.indices, [1]);
    c.backward(mx.values);
    assert.deepEqual(grad(t), [0, 1, 0, 0, 0]);
    const t2 = leaf([1, 3, 1]);
    const mn = c.minDim(t2, 0);
    assert.deepEqual(mn.indices, [0]);
    c.backward(mn.values);
    assert.deepEqual(grad(t2), [1, 0, 0]);
  });

  it("max/min along rows and columns of a matrix follow PyTorch's indices", () => {
    // torch: M = [[1,5,5],[2,2,0],[7,7,7]]
    //   M.max(1) -> [5,2,7], [1,0,0];  M.max(0) -> [7,7,7], [2,2,2];  M.min(1) -> [1,0,7], [0,2,0]
    const vals = [1, 5, 5, 2, 2, 0, 7, 7, 7];
    const M1 = c.requiresGrad_(c.fromValues(vals, [3, 3]));
    const r1 = c.maxDim(M1, 1);
    assert.deepEqual(r1.values.values(), [5, 2, 7]);
    assert.deepEqual(r1.indices, [1, 0, 0]);
    c.backward(c.sum(r1.values));
    assert.deepEqual(grad(M1), [0, 1, 0, 1, 0, 0, 1, 0, 0]);
    const M0 = c.requiresGrad_(c.fromValues(vals, [3, 3]));
    const r0 = c.maxDim(M0, 0);
    assert.deepEqual(r0.indices, [2, 2, 2]);
    c.backward(c.sum(r0.values));
    assert.deepEqual(grad(M0), [0, 0, 0, 0, 0, 0, 1, 1, 1]);
    const Mn = c.requiresGrad_(c.fromValues(vals, [3, 3]));
    const rn = c.minDim(Mn, 1);
    assert.deepEqual(rn.values.values(), [1, 0, 7]);
    assert.deepEqual(rn.indices, [0, 2, 0]);
    c.backward(c.sum(rn.values));
    assert.deepEqual(grad(Mn), [1, 0, 0, 0, 0, 1, 1, 0, 0]);
  });
});
