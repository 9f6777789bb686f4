/**
 * The graph panel's view model: nodes, labels, edges in input order, the
 * layout input, the forward order, the backward steps with their chain-rule
 * formulas (text and LaTeX, numbers plugged in) for each kind of op, fan-out
 * running sums, values as they were at the backward() call.
 */
import { strict as assert } from 'node:assert';
import { buildGraphView, formatNumber, runForPanel, shapeText } from '../../../src/session/graph-view';
import type { GraphViewDTO, NodeDTO } from '../../../src/protocol/messages';
import { EXERCISE, FAN_OUT, TENSORS, TRAINING } from './scripts';

function view(src: string, call?: number): GraphViewDTO {
  return buildGraphView(runForPanel(src), { title: 'test.py', call });
}

function byLabel(v: GraphViewDTO, label: string): NodeDTO {
  const n = v.nodes.find((x) => x.label === label);
  assert.ok(n, `no node labelled ${label}: ${v.nodes.map((x) => x.label).join(', ')}`);
  return n;
}

function idx(v: GraphViewDTO, label: string): number {
  return v.nodes.indexOf(byLabel(v, label));
}

/** The chain-rule lines of the step at node `label`. */
function stepLines(v: GraphViewDTO, label: string): string[] {
  const s = v.steps.find((st) => st.node === idx(v, label));
  assert.ok(s, `no backward step at ${label}`);
  return s.inputs.map((i) => i.formula.text);
}

describe('graph view model', () => {
  describe('the course exercise', () => {
    const v = view(EXERCISE);

    it('holds the graph of the backward() call: 12 nodes, none of the asserts’ later ops', () => {
      assert.equal(v.calls.length, 1);
      assert.equal(v.call, 0);
      assert.equal(v.calls[0].line, 16);
      assert.deepEqual(
        v.nodes.map((n) => n.label),
        ['x', 'y', 'w1', 'w2', 'b', 'x**2', 'x**2 * w2', 'x * w1', 'x**2 * w2 + x * w1', 'y_hat', 'y_hat - y', 'loss'],
      );
      assert.equal(v.nodes[v.root].label, 'loss');
      assert.equal(v.error, null);
      assert.deepEqual(v.notes, []);
    });

    it('kinds: parameters (leaves that require grad), inputs and constants, ops', () => {
      assert.deepEqual(
        ['w1', 'w2', 'b'].map((l) => byLabel(v, l).kind),
        ['param', 'param', 'param'],
      );
      assert.deepEqual(
        ['x', 'y', 'x**2'].map((l) => [byLabel(v, l).kind, byLabel(v, l).title]),
        [
          ['input', 'input'],
          ['input', 'input'],
          ['input', 'constant'],
        ],
      );
      const mul = byLabel(v, 'x * w1');
      assert.deepEqual([mul.kind, mul.op, mul.symbol, mul.title, mul.named], ['op', 'mul', '×', 'multiply', false]);
      const loss = byLabel(v, 'loss');
      assert.deepEqual([loss.symbol, loss.title, loss.named], ['**2', 'power', true]);
    });

    it('labels: variable names where bound, else the source text of the op; LaTeX names', () => {
      assert.equal(byLabel(v, 'y_hat').tex, '\\hat{y}');
      assert.equal(byLabel(v, 'w1').tex, 'w_1');
      assert.equal(byLabel(v, 'x * w1').tex, 'x \\cdot w_1');
      assert.equal(byLabel(v, 'x**2').tex, 'x^{2}');
      assert.deepEqual(byLabel(v, 'x * w1').range, { line: 14, col: 20, endLine: 14, endCol: 26 });
      assert.deepEqual(byLabel(v, 'loss').range, { line: 15, col: 7, endLine: 15, endCol: 21 });
      // Leaves are located at the factory call that made them (w1 = torch.tensor(0.5, requires_grad=True)).
      assert.deepEqual(byLabel(v, 'w1').range, { line: 11, col: 5, endLine: 11, endCol: 42 });
    });

    it('an unnamed leaf is labelled by its value (not its factory call), and still located', () => {
      const u = buildGraphView(
        runForPanel(
          'import torch\nws = [torch.tensor(0.5, requires_grad=True), torch.tensor(-1.0, requires_grad=True)]\nloss = ws[0] * ws[1]\nloss.backward()\n',
        ),
      );
      const params = u.nodes.filter((n) => n.kind === 'param');
      assert.deepEqual(
        params.map((n) => [n.label, n.range?.line, n.range?.col]),
        [
          ['0.5', 2, 6],
          ['-1.0', 2, 45],
        ],
      );
    });

    it('values and gradients as a person reads them', () => {
      assert.equal(byLabel(v, 'y_hat').value.text, '-4.75');
      assert.equal(byLabel(v, 'y_hat').value.scalar, -4.75);
      assert.equal(byLabel(v, 'loss').value.text, '60.0625');
      assert.equal(byLabel(v, 'w1').grad?.text, '-31.0');
      assert.equal(byLabel(v, 'w2').grad?.text, '-62.0');
      assert.equal(byLabel(v, 'b').grad?.text, '-15.5');
      assert.equal(byLabel(v, 'loss').grad?.text, '1.0');
      assert.equal(byLabel(v, 'x').grad, null, 'an input that does not require grad gets none');
    });

    it('edges go from each input to its consumer, in input order', () => {
      const e = (from: string, to: string, position: number) => ({ from: idx(v, from), to: idx(v, to), position });
      assert.deepEqual(
        v.edges.filter((x) => x.to === idx(v, 'x * w1')),
        [e('x', 'x * w1', 0), e('w1', 'x * w1', 1)],
      );
      assert.deepEqual(
        v.edges.filter((x) => x.to === idx(v, 'y_hat - y')),
        [e('y_hat', 'y_hat - y', 0), e('y', 'y_hat - y', 1)],
      );
      assert.equal(v.edges.length, 11);
    });

    it('layout input: creation order is topological, leaves left of their consumers, loss rightmost', () => {
      for (const e of v.edges) {
        assert.ok(e.from < e.to, 'inputs come first in creation order');
        const a = v.nodes[e.from];
        const b = v.nodes[e.to];
        assert.ok(a.layer < b.layer, `${a.label} (layer ${a.layer}) is left of ${b.label} (layer ${b.layer})`);
        assert.ok(a.x + a.w < b.x, 'and drawn left of it');
      }
      const loss = byLabel(v, 'loss');
      for (const n of v.nodes) assert.ok(n.layer <= loss.layer);
      assert.equal(
        byLabel(v, 'y').layer,
        byLabel(v, 'y_hat - y').layer - 1,
        'a leaf sits just left of its first consumer',
      );
      assert.ok(v.width >= loss.x + loss.w && v.height > 0);
    });

    it('forward order is creation order, with the operands plugged in', () => {
      assert.deepEqual(
        v.forward.map((f) => f.node),
        v.nodes.map((_, i) => i),
      );
      const f = (label: string) => v.forward[idx(v, label)].formula;
      assert.equal(f('x * w1').text, 'x * w1 = (2.0)·(0.5) = 1.0');
      assert.equal(f('x * w1').latex, 'x \\cdot w_1 = (2.0)\\cdot(0.5) = 1.0');
      assert.equal(f('y_hat').text, 'y_hat = (-5.0) + (0.25) = -4.75');
      assert.equal(f('loss').text, 'loss = (-7.75)**2 = 60.0625');
      assert.equal(f('loss').latex, '\\mathrm{loss} = (-7.75)^{2} = 60.0625');
      assert.equal(f('w1').text, 'w1 = 0.5');
    });

    it('backward steps in the order the core ran them, with the chain rule plugged in', () => {
      assert.deepEqual(
        v.steps.map((s) => v.nodes[s.node].label),
        ['loss', 'y_hat - y', 'y_hat', 'x**2 * w2 + x * w1', 'x * w1', 'x**2 * w2'],
      );
      assert.deepEqual(
        v.steps.map((s) => s.backwardName),
        ['PowBackward0', 'SubBackward0', 'AddBackward0', 'AddBackward0', 'MulBackward0', 'MulBackward0'],
      );
      const [w1] = v.steps[4].inputs;
      assert.equal(w1.input, idx(v, 'w1'));
      assert.equal(v.edges[w1.edge].from, idx(v, 'w1'));
      assert.equal(v.edges[w1.edge].to, idx(v, 'x * w1'));
      assert.equal(w1.formula.text, '∂L/∂w1 += ∂L/∂(x * w1) · ∂(x * w1)/∂w1 = (-15.5)·(2.0) = -31.0');
      assert.equal(
        w1.formula.latex,
        '\\frac{\\partial L}{\\partial w_1} \\mathrel{+}= \\frac{\\partial L}{\\partial \\left(x \\cdot w_1\\right)}\\cdot\\frac{\\partial \\left(x \\cdot w_1\\right)}{\\partial w_1} = (-15.5)\\cdot(2.0) = -31.0',
      );
      assert.deepEqual(
        [w1.local?.text, w1.contribution.text, w1.before, w1.after.text, w1.derivative.text],
        ['2.0', '-31.0', null, '-31.0', '∂(a·b)/∂b = a'],
      );
      assert.deepEqual(w1.fanOut, { k: 1, n: 1, formula: null });
      assert.equal(v.steps[4].upstream.text, '-15.5');
    });
  });

  describe('formula text for each kind of op', () => {
    it('add, sub (both sides), mul, div, pow, the loss as L', () => {
      const v = view(EXERCISE);
      assert.deepEqual(stepLines(v, 'loss'), ['∂L/∂(y_hat - y) += ∂L/∂L · ∂L/∂(y_hat - y) = (1.0)·(-15.5) = -15.5']);
      assert.deepEqual(stepLines(v, 'y_hat - y'), [
        '∂L/∂y_hat += ∂L/∂(y_hat - y) · ∂(y_hat - y)/∂y_hat = (-15.5)·(1.0) = -15.5',
      ]);
      assert.deepEqual(stepLines(v, 'y_hat'), [
        '∂L/∂(x**2 * w2 + x * w1) += ∂L/∂y_hat · ∂y_hat/∂(x**2 * w2 + x * w1) = (-15.5)·(1.0) = -15.5',
        '∂L/∂b += ∂L/∂y_hat · ∂y_hat/∂b = (-15.5)·(1.0) = -15.5',
      ]);
      const d = view(
        'import torch\na = torch.tensor(3.0, requires_grad=True)\nb = torch.tensor(2.0, requires_grad=True)\nq = a / b\nr = b - a\nloss = q * r\nloss.backward()\n',
      );
      assert.deepEqual(stepLines(d, 'q'), [
        '∂L/∂a += ∂L/∂q · ∂q/∂a = (-1.0)·(0.5) = -0.5',
        '∂L/∂b += ∂L/∂q · ∂q/∂b = (-1.0)·(-0.75) = 0.75',
      ]);
      assert.deepEqual(stepLines(d, 'r'), [
        '∂L/∂b += ∂L/∂r · ∂r/∂b = (1.5)·(1.0) = 1.5',
        '∂L/∂a += ∂L/∂r · ∂r/∂a = (1.5)·(-1.0) = -1.5',
      ]);
    });

    it('unary functions: tanh, exp, log, relu, sigmoid', () => {
      const v = view(
        'import torch\nx = torch.tensor(0.5, requires_grad=True)\nt = torch.tanh(x)\ne = torch.exp(x)\nl = torch.log(x)\nr = torch.relu(x)\ns = torch.sigmoid(x)\nloss = t + e + l + r + s\nloss.backward()\n',
      );
      assert.deepEqual(stepLines(v, 't'), ['∂L/∂x += ∂L/∂t · ∂t/∂x = (1.0)·(0.7864477) = 0.7864477']);
      assert.deepEqual(stepLines(v, 'e'), ['∂L/∂x += ∂L/∂e · ∂e/∂x = (1.0)·(1.6487212) = 1.6487212']);
      assert.deepEqual(stepLines(v, 'l'), ['∂L/∂x += ∂L/∂l · ∂l/∂x = (1.0)·(2.0) = 2.0']);
      assert.deepEqual(stepLines(v, 'r'), ['∂L/∂x += ∂L/∂r · ∂r/∂x = (1.0)·(1.0) = 1.0']);
      assert.deepEqual(stepLines(v, 's'), ['∂L/∂x += ∂L/∂s · ∂s/∂x = (1.0)·(0.23500371) = 0.23500371']);
      assert.equal(v.forward[idx(v, 't')].formula.text, 't = tanh(0.5) = 0.46211717');
      assert.equal(v.forward[idx(v, 't')].formula.latex, 't = \\tanh(0.5) = 0.46211717');
      assert.equal(v.forward[idx(v, 'l')].formula.latex, 'l = \\ln(0.5) = -0.6931472');
    });

    it('tensors: elementwise with values (⊙), matmul and sum with their rule; small tensors as matrices', () => {
      const v = view(TENSORS);
      assert.equal(byLabel(v, 'W').value.text, '2×2 matrix');
      assert.deepEqual(byLabel(v, 'W').value.cells, [1, 2, 3, 4]);
      assert.deepEqual(byLabel(v, 'W').value.shape, [2, 2]);
      assert.equal(byLabel(v, 'x').value.text, 'vector of 2');
      assert.deepEqual(stepLines(v, 'loss'), ['∂L/∂h += ∂L/∂L · ∂L/∂h = [1.0, 1.0]   [∂(Σᵢ aᵢ)/∂aᵢ = 1]']);
      assert.deepEqual(stepLines(v, 'h'), [
        '∂L/∂(W @ x) += ∂L/∂h · ∂h/∂(W @ x) = [1.0, 1.0]⊙[0.4199743, 0.4199743] = [0.4199743, 0.4199743]',
      ]);
      const mm = v.steps.find((s) => v.nodes[s.node].label === 'W @ x');
      assert.ok(mm);
      assert.equal(mm.inputs.length, 1, 'x does not require grad: no step towards it');
      assert.equal(
        mm.inputs[0].formula.text,
        '∂L/∂W += ∂L/∂(W @ x) · ∂(W @ x)/∂W = [[0.4199743, -0.4199743], [0.4199743, -0.4199743]]   [∂(A@B)/∂A: Ā = Ḡ·Bᵀ]',
      );
      assert.match(
        mm.inputs[0].formula.latex,
        /\\begin\{bmatrix\}0\.4199743 & -0\.4199743 \\\\ 0\.4199743 & -0\.4199743\\end\{bmatrix\} \\qquad \\bar\{A\} = \\bar\{G\}\\,B\^\{\\top\}$/,
      );
      assert.equal(v.forward[idx(v, 'W')].formula.latex, 'W = \\begin{bmatrix}1.0 & 2.0 \\\\ 3.0 & 4.0\\end{bmatrix}');
    });

    it('NaN and inf are values, written nan and inf (\\mathrm{nan}, \\infty)', () => {
      const v = view(
        'import torch\na = torch.tensor(0.0, requires_grad=True)\nl = torch.log(a)\nz = a / a\nloss = l + z\nloss.backward()\n',
      );
      assert.equal(byLabel(v, 'l').value.text, '-inf');
      assert.equal(byLabel(v, 'z').value.scalar, 'NaN');
      assert.equal(v.forward[idx(v, 'l')].formula.latex, 'l = \\ln(0.0) = -\\infty');
      const last = v.steps[v.steps.length - 1].inputs[0];
      assert.equal(last.fanOut.formula?.text, '∂L/∂a so far: nan + (inf) = nan (contribution 3 of 3)');
      assert.match(last.fanOut.formula?.latex ?? '', /\(\\mathrm\{nan\}\) \+ \(\\infty\) = \\mathrm\{nan\}/);
    });
  });

  describe('fan-out', () => {
    it('each contribution to a shared input is numbered, with the running sum', () => {
      const v = view(FAN_OUT);
      const w = idx(v, 'w');
      const toW = v.steps.flatMap((s) => s.inputs.filter((i) => i.input === w));
      assert.deepEqual(
        toW.map((i) => [i.fanOut.k, i.fanOut.n, i.before?.text ?? null, i.contribution.text, i.after.text]),
        [
          [1, 3, null, '3.0', '3.0'],
          [2, 3, '3.0', '3.0', '6.0'],
          [3, 3, '6.0', '2.0', '8.0'],
        ],
      );
      assert.deepEqual(
        toW.map((i) => i.fanOut.formula?.text),
        [
          '∂L/∂w so far: 3.0 (contribution 1 of 3)',
          '∂L/∂w so far: 3.0 + (3.0) = 6.0 (contribution 2 of 3)',
          '∂L/∂w so far: 6.0 + (2.0) = 8.0 (contribution 3 of 3)',
        ],
      );
      assert.equal(
        toW[2].fanOut.formula?.latex,
        '\\frac{\\partial L}{\\partial w} = (6.0) + (2.0) = 8.0 \\quad \\text{(contribution 3 of 3)}',
      );
      assert.equal(byLabel(v, 'w').grad?.text, '8.0', 'the node shows the full sum');
      // w * w: two edges from w, positions 0 and 1, each with its own step input.
      const b = idx(v, 'b');
      assert.deepEqual(
        v.edges.filter((e) => e.to === b).map((e) => [e.from, e.position]),
        [
          [w, 0],
          [w, 1],
        ],
      );
    });
  });

  describe('runs and calls', () => {
    it('gradient descent: each call shows the parameter as it was at its backward()', () => {
      const pr = runForPanel(TRAINING);
      assert.equal(pr.run.backwardCalls.length, 3);
      const values = [0, 1, 2].map((c) => byLabel(buildGraphView(pr, { call: c }), 'w').value.text);
      assert.deepEqual(values, ['1.0', '1.8', '1.96']);
      const grads = [0, 1, 2].map((c) => byLabel(buildGraphView(pr, { call: c }), 'w').grad?.text);
      assert.deepEqual(grads, ['-8.0', '-1.6000004', '-0.3199997']);
      const last = buildGraphView(pr);
      assert.equal(last.call, 2, 'the last call by default');
      assert.deepEqual(
        last.calls.map((c) => c.label),
        ['backward() #1 (line 5)', 'backward() #2 (line 5)', 'backward() #3 (line 5)'],
      );
      assert.equal(buildGraphView(pr, { call: 99 }).call, 2, 'an unknown call falls back to the last');
    });

    it('no backward() yet: the graph built so far, without steps', () => {
      const v = view('import torch\nw = torch.tensor(2.0, requires_grad=True)\ny = w * 3\nz = y + 1\n');
      assert.equal(v.call, -1);
      assert.equal(v.root, -1);
      assert.deepEqual(
        v.nodes.map((n) => n.label),
        ['w', '3.0', 'y', '1.0', 'z'],
      );
      assert.equal(v.steps.length, 0);
      assert.equal(v.forward.length, 5);
      assert.ok(v.nodes.every((n) => n.grad === null));
    });

    it('a script that fails: the error, located, and the graph up to it', () => {
      const v = view('import torch\nw = torch.tensor(2.0, requires_grad=True)\ny = w * 3\nz = y + w3\n');
      assert.deepEqual(v.error, { type: 'NameError', message: "name 'w3' is not defined", line: 4, col: 8 });
      assert.deepEqual(
        v.nodes.map((n) => n.label),
        ['w', '3.0', 'y'],
      );
    });

    it('no tensors at all: an empty graph', () => {
      const v = view('x = 1\nprint(x)\n');
      assert.equal(v.nodes.length, 0);
      assert.equal(v.error, null);
      assert.equal(v.width > 0 && v.height >= 0, true);
    });

    it('a graph past the cap keeps the nodes nearest to the loss and says so', () => {
      const src =
        'import torch\nw = torch.tensor(1.0, requires_grad=True)\ns = w\nfor i in range(300):\n    s = s * 1.001\ns.backward()\n';
      const pr = runForPanel(src);
      const v = buildGraphView(pr, { maxNodes: 100 });
      assert.equal(v.nodes.length, 100);
      assert.match(v.notes[0], /The graph has 601 nodes; the panel shows the 100 nearest to the loss/);
      assert.equal(v.nodes[v.root].id, pr.run.backwardCalls[0].root.id);
      for (const s of v.steps) for (const i of s.inputs) assert.ok(v.edges[i.edge].to === s.node);
    });

    it('the shape key: same after an edit of a value, different after an edit of the structure', () => {
      const a = view(EXERCISE);
      const b = view(EXERCISE.replace('torch.tensor(0.5,', 'torch.tensor(0.75,'));
      const c = view(EXERCISE.replace('x * w1 + b\nloss', 'x * w1 - b\nloss'));
      assert.equal(a.shapeKey, b.shapeKey);
      assert.notEqual(a.shapeKey, c.shapeKey);
      assert.notEqual(byLabel(a, 'w1').grad?.text, undefined);
    });
  });

  describe('number and shape words', () => {
    it('formats like Python: float32 shortest, float64 repr, ints, bools, nan, inf', () => {
      assert.equal(formatNumber(Math.fround(0.1), 'float32'), '0.1');
      assert.equal(formatNumber(0.1, 'float64'), '0.1');
      assert.equal(formatNumber(-31, 'float32'), '-31.0');
      assert.equal(formatNumber(3, 'int64'), '3');
      assert.equal(formatNumber(1, 'bool'), 'True');
      assert.equal(formatNumber(NaN, 'float32'), 'nan');
      assert.equal(formatNumber(-Infinity, 'float64'), '-inf');
      assert.equal(formatNumber(1e-5, 'float64'), '1e-05');
      assert.deepEqual([[], [3], [2, 3], [2, 3, 4]].map(shapeText), [
        'scalar',
        'vector of 3',
        '2×3 matrix',
        '2×3×4 tensor',
      ]);
    });
  });
});
