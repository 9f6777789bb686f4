/**
 * What each position of the walk-through highlights: in the forward pass the
 * current node and its operands, in the backward pass the current node, the
 * edges to its inputs with their local gradients, the gradients landed so
 * far and the fan-out counts.
 */
import { strict as assert } from 'node:assert';
import { accessibleName, frameAt, ViewIndex } from '../../../src/session/graph-cursor';
import { buildGraphView, runForPanel } from '../../../src/session/graph-view';
import type { GraphViewDTO } from '../../../src/protocol/messages';
import { EXERCISE, FAN_OUT, TENSORS } from './scripts';

function setup(src: string): { v: GraphViewDTO; ix: ViewIndex; i: (label: string) => number } {
  const v = buildGraphView(runForPanel(src));
  const ix = new ViewIndex(v);
  const i = (label: string) => {
    const k = v.nodes.findIndex((n) => n.label === label);
    assert.ok(k >= 0, label);
    return k;
  };
  return { v, ix, i };
}

describe('graph cursor: what each step highlights', () => {
  const { v, ix, i } = setup(EXERCISE);
  const F = v.forward.length;

  it('positions: 0, then each forward node, then each backward step', () => {
    assert.equal(ix.forwardEnd, 12);
    assert.equal(ix.last, 18);
    assert.equal(ix.clamp(-5), 0);
    assert.equal(ix.clamp(1e9), 18);
    assert.equal(ix.clamp(3.7), 3);
  });

  it('position 0: nothing computed, nothing current', () => {
    const f = frameAt(ix, 0);
    assert.equal(f.phase, 'forward');
    assert.equal(f.current, -1);
    assert.ok(f.status.every((s) => s === 'pending'));
    assert.deepEqual(f.activeEdges, []);
    assert.equal(f.forward, null);
  });

  it('forward: nodes light up in creation order; the current node and its operands are marked', () => {
    const p = i('x * w1') + 1;
    const f = frameAt(ix, p);
    assert.equal(f.phase, 'forward');
    assert.equal(f.current, i('x * w1'));
    assert.equal(f.status[i('x * w1')], 'current');
    assert.equal(f.status[i('x')], 'operand');
    assert.equal(f.status[i('w1')], 'operand');
    assert.equal(f.status[i('x**2 * w2')], 'computed');
    assert.equal(f.status[i('y_hat')], 'pending');
    assert.equal(f.status[i('loss')], 'pending');
    assert.deepEqual(
      f.activeEdges.map((e) => v.nodes[v.edges[e].from].label),
      ['x', 'w1'],
    );
    assert.equal(f.edgeLabels.size, 0);
    assert.equal(f.forward?.formula.text, 'x * w1 = (2.0)·(0.5) = 1.0');
    assert.ok(
      f.grads.every((g) => g === null),
      'no gradients in the forward pass',
    );
  });

  it('end of the forward pass: everything computed, the loss current', () => {
    const f = frameAt(ix, F);
    assert.equal(f.current, i('loss'));
    assert.ok(f.status.every((s) => s !== 'pending'));
  });

  it('backward step 1: the loss is current, ∂L/∂L = 1, the edge to its input carries the local gradient', () => {
    const f = frameAt(ix, F + 1);
    assert.equal(f.phase, 'backward');
    assert.equal(f.current, i('loss'));
    assert.equal(f.status[i('loss')], 'current');
    assert.equal(f.status[i('y_hat - y')], 'operand');
    assert.equal(f.grads[i('loss')]?.text, '1.0');
    assert.equal(f.grads[i('y_hat - y')]?.text, '-15.5');
    assert.equal(f.grads[i('w1')], null, 'not reached yet');
    const [e] = f.activeEdges;
    assert.deepEqual([v.edges[e].from, v.edges[e].to], [i('y_hat - y'), i('loss')]);
    assert.equal(f.edgeLabels.get(e), '∂ -15.5');
    assert.equal(f.step?.backwardName, 'PowBackward0');
  });

  it('backward step 5: x * w1 current, w1 receives -31.0 over an edge labelled with x = 2.0', () => {
    const f = frameAt(ix, F + 5);
    assert.equal(f.current, i('x * w1'));
    assert.equal(f.status[i('w1')], 'operand');
    assert.equal(f.status[i('x')], 'computed', 'x does not require grad: not part of this step');
    for (const l of ['loss', 'y_hat - y', 'y_hat', 'x**2 * w2 + x * w1']) assert.equal(f.status[i(l)], 'done', l);
    assert.equal(f.status[i('x**2 * w2')], 'computed', 'its step is still to come');
    assert.equal(f.grads[i('w1')]?.text, '-31.0');
    assert.equal(f.grads[i('w2')], null);
    assert.equal(f.grads[i('b')]?.text, '-15.5');
    assert.deepEqual(
      f.activeEdges.map((e) => [v.nodes[v.edges[e].from].label, f.edgeLabels.get(e)]),
      [['w1', '∂ 2.0']],
    );
    assert.equal(f.step?.inputs[0].formula.text, '∂L/∂w1 += ∂L/∂(x * w1) · ∂(x * w1)/∂w1 = (-15.5)·(2.0) = -31.0');
  });

  it('the last position: every gradient landed', () => {
    const f = frameAt(ix, ix.last);
    assert.equal(f.current, i('x**2 * w2'));
    assert.deepEqual(
      ['w1', 'w2', 'b'].map((l) => f.grads[i(l)]?.text),
      ['-31.0', '-62.0', '-15.5'],
    );
  });

  it('fan-out: the count of contributions received so far', () => {
    const s = setup(FAN_OUT);
    const F2 = s.v.forward.length;
    const w = s.i('w');
    assert.equal(frameAt(s.ix, F2 + 1).fan[w], null, 'nothing received yet');
    assert.equal(frameAt(s.ix, F2 + 2).fan[w], '2/3', 'w * w gives two contributions in one step');
    assert.equal(frameAt(s.ix, F2 + 2).grads[w]?.text, '6.0');
    assert.equal(frameAt(s.ix, F2 + 3).fan[w], '3/3');
    assert.equal(frameAt(s.ix, F2 + 3).grads[w]?.text, '8.0');
    // Both edges of w * w are active in its step.
    const f = frameAt(s.ix, F2 + 2);
    assert.equal(f.activeEdges.length, 2);
  });

  it('tensor steps label their edges with the rule when there is no single local value', () => {
    const s = setup(TENSORS);
    const mm = s.v.steps.findIndex((st) => s.v.nodes[st.node].label === 'W @ x');
    const f = frameAt(s.ix, s.v.forward.length + mm + 1);
    assert.deepEqual([...f.edgeLabels.values()], ['∂ Ḡ·Bᵀ']);
  });

  it('accessible names say what a screen reader should', () => {
    assert.equal(
      accessibleName(v, frameAt(ix, F + 2), i('y_hat - y')),
      'subtract node y_hat - y, value -7.75, gradient -15.5',
    );
    assert.equal(accessibleName(v, frameAt(ix, F + 5), i('w1')), 'parameter w1, value 0.5, gradient -31.0');
    assert.equal(accessibleName(v, frameAt(ix, 2), i('loss')), 'power node loss, not computed yet');
    assert.equal(accessibleName(v, null, i('x')), 'input x, value 2.0');
    const s = setup(FAN_OUT);
    assert.equal(
      accessibleName(s.v, frameAt(s.ix, s.v.forward.length + 2), s.i('w')),
      'parameter w, value 3.0, gradient 6.0 (2/3 contributions)',
    );
  });
});
