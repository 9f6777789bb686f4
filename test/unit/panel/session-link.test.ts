/** The debugger ↔ graph panel link: which panel position a debugger stop is, and back (session-link.ts). */
import { strict as assert } from 'node:assert';
import { callOfStop, panelPositionOfStop, stopOfPanelPosition } from '../../../src/extension/panel/session-link';
import { buildGraphView, runForPanel } from '../../../src/session/graph-view';
import { recordTimeline, Stop } from '../../../src/session/timeline';
import { parseHostMessage } from '../../../src/protocol/messages';
import { EXERCISE, TRAINING } from './scripts';

function setup(source: string) {
  const stops = recordTimeline(source, {}).stops;
  const pr = runForPanel(source);
  return { stops, view: (call: number) => buildGraphView(pr, { call }) };
}

const find = (stops: readonly Stop[], f: (s: Stop) => boolean): Stop => {
  const s = stops.find(f);
  assert.ok(s, 'the stop exists');
  return s;
};

describe('debugger ↔ graph panel link', () => {
  it('a backward stop is its step of its call: position F + step + 1, and back', () => {
    const { stops, view } = setup(EXERCISE);
    const v = view(0);
    const F = v.forward.length;
    const back = stops.filter((s) => s.kind === 'backward');
    assert.equal(back.length, v.steps.length);
    back.forEach((s, k) => {
      assert.equal(callOfStop(stops, s.index), 0);
      assert.equal(panelPositionOfStop(stops, s.index, v), F + k + 1);
      assert.equal(stopOfPanelPosition(stops, v, F + k + 1), s.index);
      // The panel's node of that step is the node whose gradient the debugger propagates.
      const { line, col, endLine, endCol } = s.range;
      assert.deepEqual(v.nodes[v.steps[k].node].range, { line, col, endLine, endCol });
    });
  });

  it('an op stop is the forward position of the node it computes, and back', () => {
    const { stops, view } = setup(EXERCISE);
    const v = view(0);
    const xw1 = find(stops, (s) => s.kind === 'op' && s.description.includes(': x * w1 ='));
    const p = panelPositionOfStop(stops, xw1.index, v);
    assert.ok(p !== null && p >= 1 && p <= v.forward.length);
    assert.equal(v.nodes[v.forward[p - 1].node].label, 'x * w1');
    assert.equal(stopOfPanelPosition(stops, v, p), xw1.index);
    // Statements before any op: nothing computed yet. The backward() line: every forward node computed.
    assert.equal(panelPositionOfStop(stops, 0, v), 0);
    const bw = find(stops, (s) => s.kind === 'statement' && s.description.includes('loss.backward()'));
    assert.equal(panelPositionOfStop(stops, bw.index, v), v.forward.length);
    // After the last backward() call: the end of its walk-through.
    assert.equal(panelPositionOfStop(stops, stops.length - 1, v), v.forward.length + v.steps.length);
  });

  it('in a training loop each stop shows the backward() call of its own iteration', () => {
    const { stops, view } = setup(TRAINING);
    const back = stops.filter((s) => s.kind === 'backward');
    assert.deepEqual([...new Set(back.map((s) => s.backward?.call))], [0, 1, 2]);
    for (const call of [0, 1, 2]) {
      const v = view(call);
      const ops = stops.filter((s) => s.kind === 'op' && callOfStop(stops, s.index) === call && s.range.line === 4);
      assert.equal(ops.length, 3, `iteration ${call} computes the loss line's three ops`);
      for (const s of ops) {
        const p = panelPositionOfStop(stops, s.index, v);
        assert.ok(p !== null && p > 0, `op stop ${s.description} has a position`);
        assert.equal(stopOfPanelPosition(stops, v, p), s.index);
      }
      const first = find(stops, (s) => s.backward?.call === call);
      assert.equal(stopOfPanelPosition(stops, v, v.forward.length + 1), first.index);
      // A stop of another iteration is not a position of this call's graph.
      const other = find(stops, (s) => s.backward?.call === (call + 1) % 3);
      assert.equal(panelPositionOfStop(stops, other.index, v), null);
    }
  });

  it('no backward() call: no call and no position', () => {
    const { stops, view } = setup('import torch\nx = torch.tensor(1.0) * 2\n');
    assert.equal(callOfStop(stops, 0), null);
    assert.equal(panelPositionOfStop(stops, 0, view(0)), null);
    assert.equal(stopOfPanelPosition(stops, view(0), 0), null);
  });

  it('the host → page goTo message is validated', () => {
    assert.deepEqual(parseHostMessage({ type: 'goTo', position: 3 }), { ok: true, value: { type: 'goTo', position: 3 } });
    for (const bad of [{ type: 'goTo', position: -1 }, { type: 'goTo', position: 1.5 }, { type: 'goTo' }, { type: 'goTo', position: 1, x: 1 }])
      assert.equal(parseHostMessage(bad).ok, false, JSON.stringify(bad));
  });
});
