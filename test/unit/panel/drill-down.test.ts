/**
 * Drill-down: a small tensor op re-created scalar by scalar
 * (src/session/drill-down.ts). The expansion of a 2×3 @ 3 matmul node by
 * node, its labels, forward values equal to the tensor op's, input
 * gradients equal to the main view's (the core's own backward through the
 * scalar graph, seeded with the recorded upstream), float64 finite
 * differences of the real tensor op for every kind of op it expands, the
 * caps, the ops it leaves alone, values as at the call in a training loop,
 * and the view through the protocol's checks.
 */
import { strict as assert } from 'node:assert';
import * as c from '../../../src/core';
import type { Tensor } from '../../../src/core';
import {
  decodeNum,
  parseHostMessage,
  type GraphViewDTO,
  type NodeDTO,
  type ValueDTO,
} from '../../../src/protocol/messages';
import { buildDrillView, isDrillable, MAX_DRILL_OPS } from '../../../src/session/drill-down';
import { buildGraphView, runForPanel, type PanelRun } from '../../../src/session/graph-view';
import { ATOL, H, RTOL } from '../helpers/gradcheck';
import { TRAINING } from './scripts';

const LINEAR = `import torch
import torch.nn.functional as F
W = torch.tensor([[0.5, -0.25, 1.0], [0.75, 0.5, -0.5]], requires_grad=True)
x = torch.tensor([1.0, 2.0, -1.0])
b = torch.tensor([0.1, -0.2], requires_grad=True)
y = torch.tensor([0.5, -1.0])
h = W @ x + b
loss = F.mse_loss(h, y)
loss.backward()
`;

function cells(v: ValueDTO | null): number[] {
  assert.ok(v, 'a value');
  if (v.scalar !== undefined) return [decodeNum(v.scalar)];
  assert.ok(v.cells, `cells of ${v.text}`);
  return v.cells.map(decodeNum);
}

function byLabel(v: GraphViewDTO, label: string): NodeDTO {
  const n = v.nodes.find((x) => x.label === label);
  assert.ok(n, `no node labelled ${label}: ${v.nodes.map((x) => x.label).join(', ')}`);
  return n;
}

function drillOf(pr: PanelRun, main: GraphViewDTO, label: string): GraphViewDTO {
  return buildDrillView(pr, { call: main.call, title: 'test.py' }, byLabel(main, label).id);
}

/** The contribution the main view's step at `node` sends to input `input` (both labels). */
function contribution(main: GraphViewDTO, node: string, input: string): number[] {
  const ni = main.nodes.indexOf(byLabel(main, node));
  const ii = main.nodes.indexOf(byLabel(main, input));
  const step = main.steps.find((s) => s.node === ni);
  assert.ok(step, `a step at ${node}`);
  const inp = step.inputs.find((x) => x.input === ii);
  assert.ok(inp, `${node} → ${input}`);
  return cells(inp.contribution);
}

/** Gradients of the drill view's scalar leaves of one input, row-major. */
function leafGrads(d: GraphViewDTO, name: string, size: number, index: (k: number) => string): number[] {
  return Array.from({ length: size }, (_x, k) => cells(byLabel(d, `${name}[${index(k)}]`).grad)[0]);
}

const idx2 = (cols: number) => (k: number) => `${Math.floor(k / cols)},${k % cols}`;
const idx1 = (k: number) => String(k);

describe('drill-down: a tensor op scalar by scalar', () => {
  const pr = runForPanel(LINEAR);
  const main = buildGraphView(pr, { title: 'test.py' });

  describe('the 2×3 @ 3 matmul of a linear layer', () => {
    const d = drillOf(pr, main, 'W @ x');

    it('the main view marks the small tensor ops drillable, not the leaves', () => {
      assert.deepEqual(
        main.nodes.filter((n) => n.drill).map((n) => n.label),
        ['W @ x', 'h', 'loss'],
      );
    });

    it('expands into 9 scalar leaves, 6 products, 4 additions and the stacked output', () => {
      const ops = (name: string) => d.nodes.filter((n) => n.op === name).length;
      assert.equal(d.nodes.filter((n) => n.kind === 'param').length, 6, 'W[i,k] require grad');
      assert.equal(d.nodes.filter((n) => n.kind === 'input').length, 3, 'x[k] do not');
      assert.equal(ops('mul'), 6);
      assert.equal(ops('add'), 4);
      assert.equal(ops('stack'), 1);
      assert.equal(d.nodes.length, 20);
      assert.equal(d.edges.length, 6 * 2 + 4 * 2 + 2);
      assert.equal(d.forward.length, 20);
      // One backward step per op node: the stack, 4 additions, 6 products.
      assert.equal(d.steps.length, 11);
      assert.ok(
        d.nodes.every((n) => n.value.shape.length === 0 || n.op === 'stack'),
        'every other node is a scalar',
      );
      assert.ok(
        d.nodes.every((n) => !n.drill),
        'nothing to expand further',
      );
      assert.equal(d.nodes[d.root].label, 'out');
      assert.deepEqual(d.nodes[d.root].value.shape, [2]);
    });

    it('labels: W[0,1], x[1], W[0,1]·x[1], the partial sums, out[0]; a title that says what it is', () => {
      for (const l of ['W[0,0]', 'W[1,2]', 'x[0]', 'x[2]', 'W[0,1]·x[1]', 'W[1,2]·x[2]', 'out[0]', 'out[1]', 'out'])
        byLabel(d, l);
      byLabel(d, 'W[0,0]·x[0] + W[0,1]·x[1]');
      assert.equal(byLabel(d, 'W[0,1]').tex, 'W[0,1]');
      assert.equal(byLabel(d, 'W[0,1]·x[1]').tex, 'W[0,1] \\cdot x[1]');
      assert.equal(byLabel(d, 'x[1]').title, 'input');
      assert.equal(byLabel(d, 'W[0,1]').title, 'parameter');
      assert.equal(d.title, 'W @ x, scalar by scalar (test.py)');
      // Multiply, then add: out[0] is built one product at a time.
      assert.deepEqual(
        d.forward.slice(9, 14).map((f) => f.formula.text),
        [
          'W[0,0]·x[0] = (0.5)·(1.0) = 0.5',
          'W[0,1]·x[1] = (-0.25)·(2.0) = -0.5',
          'W[0,0]·x[0] + W[0,1]·x[1] = (0.5) + (-0.5) = 0.0',
          'W[0,2]·x[2] = (1.0)·(-1.0) = -1.0',
          'out[0] = (0.0) + (-1.0) = -1.0',
        ],
      );
    });

    it('the same call, the picker intact, a shape key of its own, a note on rounding order', () => {
      assert.deepEqual(d.calls, main.calls);
      assert.equal(d.call, main.call);
      assert.notEqual(d.shapeKey, main.shapeKey);
      assert.match(d.shapeKey, /^drill:/);
      assert.equal(d.notes.length, 1);
      assert.match(d.notes[0], /last bit/);
    });

    it('forward values equal the tensor op’s, element by element', () => {
      const want = cells(byLabel(main, 'W @ x').value);
      assert.deepEqual([cells(byLabel(d, 'out[0]').value)[0], cells(byLabel(d, 'out[1]').value)[0]], want);
      assert.deepEqual(cells(d.nodes[d.root].value), want);
      assert.deepEqual(leafGrads(d, 'W', 6, idx2(3)).length, 6);
      assert.deepEqual(
        Array.from({ length: 6 }, (_x, k) => cells(byLabel(d, `W[${idx2(3)(k)}]`).value)[0]),
        cells(byLabel(main, 'W').value),
      );
    });

    it('the backward pass starts from the recorded ∂L/∂out and gives W the main view’s gradient', () => {
      const upstream = main.steps.find((s) => s.node === main.nodes.indexOf(byLabel(main, 'W @ x')))?.upstream ?? null;
      assert.deepEqual(cells(d.steps[0].upstream), cells(upstream));
      assert.equal(d.steps[0].backwardName, 'StackBackward0');
      assert.deepEqual(leafGrads(d, 'W', 6, idx2(3)), contribution(main, 'W @ x', 'W'));
      assert.deepEqual(leafGrads(d, 'W', 6, idx2(3)), cells(byLabel(main, 'W').grad));
      assert.ok(
        d.nodes.filter((n) => n.label.startsWith('x[')).every((n) => n.grad === null),
        'x needs no gradient',
      );
    });

    it('every scalar node gets a chain-rule line with its numbers', () => {
      const lines = d.steps.flatMap((s) => s.inputs.map((i) => i.formula.text));
      assert.equal(
        lines.length,
        2 + 4 * 2 + 6,
        'stack → 2 outputs, each addition → 2, each product → W (x needs none)',
      );
      assert.ok(
        lines.includes('∂L/∂W[0,1] += ∂L/∂(W[0,1]·x[1]) · ∂(W[0,1]·x[1])/∂W[0,1] = (-1.4)·(2.0) = -2.8'),
        lines.join('\n'),
      );
      assert.ok(
        lines.some((l) => l.startsWith('∂L/∂out[1] += ∂L/∂out · ∂out/∂out[1] = 3.05')),
        lines.join('\n'),
      );
    });
  });

  describe('the other ops it expands', () => {
    it('h = W @ x + b: broadcasting-free add, named output h[i]; loss = mse_loss(h, y)', () => {
      const add = drillOf(pr, main, 'h');
      assert.equal(add.title, 'h = (W @ x) + b, scalar by scalar (test.py)');
      byLabel(add, 'h[0]');
      byLabel(add, '(W @ x)[1]');
      assert.deepEqual(leafGrads(add, 'b', 2, idx1), cells(byLabel(main, 'b').grad));
      const mse = drillOf(pr, main, 'loss');
      assert.equal(mse.title, 'loss = mse_loss(h, y), scalar by scalar (test.py)');
      for (const l of ['h[0] - y[0]', '(h[0] - y[0])**2', '(h[0] - y[0])**2 + (h[1] - y[1])**2', '2.0', 'loss'])
        byLabel(mse, l);
      assert.equal(cells(mse.nodes[mse.root].value)[0], cells(byLabel(main, 'loss').value)[0]);
      const got = leafGrads(mse, 'h', 2, idx1);
      const want = contribution(main, 'loss', 'h');
      got.forEach((g, k) => assert.ok(Math.abs(g - want[k]) <= 1e-6 * Math.abs(want[k]), `${g} vs ${want[k]}`));
    });

    it('broadcasting: a row vector plus a column vector, each element used by several outputs', () => {
      const src = `import torch
a = torch.tensor([[1.0], [2.0]], requires_grad=True)
b = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)
s = (a + b).sum()
s.backward()
`;
      const p = runForPanel(src);
      const v = buildGraphView(p);
      const d = drillOf(p, v, 'a + b');
      assert.equal(d.nodes.filter((n) => n.op === 'add').length, 6);
      assert.deepEqual(cells(byLabel(d, 'out[1,2]').value), [32]);
      assert.deepEqual(
        leafGrads(d, 'a', 2, (k) => `${k},0`),
        [3, 3],
      );
      assert.deepEqual(leafGrads(d, 'b', 3, idx1), [2, 2, 2]);
      // a[0,0] receives three contributions: the fan-out sums are explicit.
      const a0 = d.nodes.indexOf(byLabel(d, 'a[0,0]'));
      const fans = d.steps.flatMap((s) => s.inputs.filter((i) => i.input === a0).map((i) => i.fanOut.n));
      assert.deepEqual(fans, [3, 3, 3]);
      assert.ok(d.notes.some((n) => /last bit/.test(n)));
      // The sum of a 2×3 tensor to a scalar: 5 additions, the last one is the output itself.
      const sum = drillOf(p, v, 's');
      assert.equal(sum.nodes.filter((n) => n.op === 'add').length, 5);
      assert.equal(sum.nodes[sum.root].label, 's');
      assert.equal(sum.nodes[sum.root].op, 'add');
      assert.deepEqual(cells(sum.nodes[sum.root].value), [129]);
      assert.deepEqual(sum.notes, []);
    });

    it('the same tensor twice (x * x) shares its scalar leaves', () => {
      const p = runForPanel(`import torch
x = torch.tensor([1.5, -2.0], requires_grad=True)
s = (x * x).sum()
s.backward()
`);
      const v = buildGraphView(p);
      const d = drillOf(p, v, 'x * x');
      assert.equal(d.nodes.filter((n) => n.kind === 'param').length, 2);
      assert.deepEqual(leafGrads(d, 'x', 2, idx1), [3, -4]);
    });

    it('a script without backward(): the forward pass only, said in a note', () => {
      const p = runForPanel(`import torch
W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
z = W @ torch.tensor([1.0, 1.0])
`);
      const v = buildGraphView(p);
      const d = drillOf(p, v, 'z');
      assert.equal(d.steps.length, 0);
      assert.deepEqual(cells(d.nodes[d.nodes.length - 1].value), [3, 7]);
      assert.ok(d.notes.some((n) => /forward pass only/.test(n)));
    });
  });

  describe('float64: the scalar graph’s gradients against finite differences of the tensor op itself', () => {
    const F64 = `import torch
import torch.nn.functional as F
d = torch.float64
A = torch.tensor([[0.3, -1.2, 0.7], [1.1, 0.4, -0.6]], dtype=d, requires_grad=True)
B = torch.tensor([[0.5, -0.2], [0.9, 1.3], [-0.4, 0.8]], dtype=d, requires_grad=True)
v = torch.tensor([0.2, -0.7, 1.4], dtype=d, requires_grad=True)
c = torch.tensor([[0.5], [-1.5]], dtype=d, requires_grad=True)
M = A @ B
u = A @ v
dot = v @ v
P = M * c
Q = torch.tanh(P) / (1.5 + u.unsqueeze(1) ** 2)
R = torch.sigmoid(Q).exp() - torch.relu(M)
S = R.mean(dim=0)
T = R.sum(dim=1, keepdim=True)
lp = torch.log(1.2 + S ** 2)
loss = F.mse_loss(lp, torch.tensor([0.1, -0.3], dtype=d)) + T.sum() + dot * 0.5 + (-u).mean()
loss.backward()
`;
    const p = runForPanel(F64);
    const v = buildGraphView(p, { title: 'f64.py' });

    it('every drillable op of the graph, every element of every input that requires grad', () => {
      const record = p.run.backwardCalls[0].record;
      assert.ok(record);
      const drilled: string[] = [];
      for (const node of v.nodes.filter((n) => n.drill)) {
        const step = record.steps.find((s) => s.node.id === node.id);
        assert.ok(step, node.label);
        const t = step.node;
        const op = t.op as c.OpDef;
        const g = step.upstream.values();
        const inputs = c.inputsOf(t);
        // L(inputs) = Σ_k g_k · op(inputs)_k, by the real tensor op, in float64.
        const L = (xs: Tensor[]) => {
          const out = c.noGrad(() => c.apply(op, xs[0], xs[1] ?? null, t.attrs));
          return out.values().reduce((s, y, k) => s + y * g[k], 0);
        };
        const d = buildDrillView(p, { title: 'f64.py' }, node.id);
        const seen = new Set<Tensor>();
        let checked = 0;
        inputs.forEach((x, i) => {
          if (!x.requiresGrad || seen.has(x)) return;
          seen.add(x);
          const base = x.values();
          // The leaves of input i, in row-major order: the i-th run of x.size leaves requiring grad.
          const own = leavesOfInput(d, inputs, i);
          assert.equal(own.length, x.size, `${node.label}: leaves of input ${i}`);
          for (let k = 0; k < x.size; k++) {
            const at = (delta: number) =>
              inputs.map((y) => {
                if (y !== x) return y;
                const vals = [...base];
                vals[k] += delta;
                return c.fromValues(vals, [...x.shape], 'float64');
              });
            const numeric = (L(at(H)) - L(at(-H))) / (2 * H);
            const analytic = cells(own[k].grad)[0];
            assert.ok(
              Math.abs(analytic - numeric) <= ATOL + RTOL * Math.max(Math.abs(analytic), Math.abs(numeric)),
              `${node.label} ${own[k].label}: ${analytic} vs ${numeric}`,
            );
            checked++;
          }
        });
        assert.ok(checked > 0);
        drilled.push(node.op as string);
      }
      for (const op of [
        'matmul',
        'mul',
        'div',
        'tanh',
        'sigmoid',
        'exp',
        'sub',
        'relu',
        'mean',
        'sum',
        'pow',
        'log',
        'mse_loss',
        'neg',
      ])
        assert.ok(drilled.includes(op), `${op} among ${drilled.join(' ')}`);
    });
  });

  describe('caps, and the ops it leaves alone', () => {
    function node(src: string, label: string): Tensor {
      const p = runForPanel(src);
      const v = buildGraphView(p);
      const id = byLabel(v, label).id;
      const found = p.run.nodes.flatMap((t) => [t, ...c.inputsOf(t)]).find((t) => t.id === id);
      assert.ok(found);
      assert.equal(isDrillable(found), byLabel(v, label).drill === true, 'the view says what isDrillable says');
      return found;
    }
    const mat = (r: number, k: number) =>
      `torch.tensor([${Array.from({ length: r }, () => `[${Array(k).fill('0.5').join(', ')}]`).join(', ')}], requires_grad=True)`;

    it(`at most ${MAX_DRILL_OPS} scalar operations: 10×10 @ 10 (190) yes, 11×10 @ 10 (209) no`, () => {
      assert.equal(MAX_DRILL_OPS, 200);
      assert.ok(isDrillable(node(`import torch\nz = ${mat(10, 10)} @ torch.ones(10)\n`, 'z')));
      assert.ok(!isDrillable(node(`import torch\nz = ${mat(11, 10)} @ torch.ones(10)\n`, 'z')));
      assert.ok(isDrillable(node(`import torch\nz = torch.relu(${mat(10, 20)})\n`, 'z')));
      assert.ok(!isDrillable(node(`import torch\nz = torch.relu(${mat(10, 21)})\n`, 'z')));
    });

    it('leaves, ops on scalars, and ops it does not expand', () => {
      const src = `import torch
import torch.nn.functional as F
w = torch.tensor(2.0, requires_grad=True)
W = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
B = torch.ones(2, 2, 2, requires_grad=True)
ws = w * 3.0
Wt = W.T
sm = torch.softmax(W, dim=1)
mx = W.max()
bm = B @ W
ce = F.cross_entropy(W, torch.tensor([0, 1]))
Wd = W * torch.tensor([1.0, 2.0], dtype=torch.float64)
`;
      for (const l of ['w', 'W', 'ws', 'Wt', 'sm', 'mx', 'bm', 'Wd']) assert.ok(!isDrillable(node(src, l)), l);
    });
  });

  it('a training loop: the values as they were at the chosen backward() call', () => {
    const src = `import torch
W = torch.tensor([[1.0, -1.0], [0.5, 2.0]], requires_grad=True)
x = torch.tensor([1.0, 2.0])
for epoch in range(3):
    loss = ((W @ x) ** 2).sum()
    loss.backward()
    with torch.no_grad():
        W -= 0.01 * W.grad
    W.grad.zero_()
`;
    const p = runForPanel(src);
    assert.ok(TRAINING.length > 0);
    for (const call of [0, 1, 2]) {
      const v = buildGraphView(p, { call });
      const d = drillOf(p, v, 'W @ x');
      assert.equal(d.call, call);
      assert.deepEqual(
        Array.from({ length: 4 }, (_x, k) => cells(byLabel(d, `W[${idx2(2)(k)}]`).value)[0]),
        cells(byLabel(v, 'W').value),
        `W at call ${call}`,
      );
      assert.deepEqual(
        [0, 1].map((k) => cells(byLabel(d, `out[${k}]`).value)[0]),
        cells(byLabel(v, 'W @ x').value),
      );
      assert.deepEqual(leafGrads(d, 'W', 4, idx2(2)), contribution(v, 'W @ x', 'W'));
      assert.ok(!d.notes.some((n) => /changed after/.test(n)), d.notes.join(' '));
    }
    const first = cells(byLabel(drillOf(p, buildGraphView(p, { call: 0 }), 'W @ x'), 'out[0]').value)[0];
    const last = cells(byLabel(drillOf(p, buildGraphView(p, { call: 2 }), 'W @ x'), 'out[0]').value)[0];
    assert.notEqual(first, last);
  });

  it('through the protocol: a drillView message round-trips parseHostMessage', () => {
    const d = drillOf(pr, main, 'W @ x');
    const node = main.nodes.indexOf(byLabel(main, 'W @ x'));
    const msg = JSON.parse(JSON.stringify({ type: 'drillView', replyTo: 7, node, view: d }));
    const parsed = parseHostMessage(msg);
    assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
    assert.deepEqual(parsed.value, { type: 'drillView', replyTo: 7, node, view: d });
  });
});

/** The drill view's leaves made from input i, row-major (one set per distinct input tensor, in input order). */
function leavesOfInput(d: GraphViewDTO, inputs: Tensor[], i: number): NodeDTO[] {
  // Leaves are created input by input, each row-major, before any op: the first leaves in node order.
  const leaves = d.nodes.filter((n) => n.op === null);
  let start = 0;
  const seen: Tensor[] = [];
  for (let j = 0; j < i; j++)
    if (!seen.includes(inputs[j])) {
      seen.push(inputs[j]);
      start += inputs[j].size;
    }
  return leaves.slice(start, start + inputs[i].size);
}
