/**
 * The grouped view as data (src/session/visible-graph.ts): which items are
 * drawn for a set of collapsed groups, the edges between them (one per pair
 * when a box is at an end, each standing for its original edges), the
 * layout input (inputs earlier, so the layered layout takes it), and the
 * state of a box at each step.
 */
import { strict as assert } from 'node:assert';
import type { GraphViewDTO } from '../../../src/protocol/messages';
import { frameAt, ViewIndex } from '../../../src/session/graph-cursor';
import { buildGraphView, runForPanel } from '../../../src/session/graph-view';
import { layoutGraph } from '../../../src/session/layout';
import {
  boxStates,
  GROUP_H,
  GROUP_W,
  groupAccessibleName,
  groupBounds,
  groupHeading,
  groupOutline,
  GroupInfo,
  groupText,
  itemBoxes,
  visibleGraph,
  visibleLayoutInput,
  type VisibleGraph,
} from '../../../src/session/visible-graph';
import { mlpScript } from './big-graphs';
import { DEF_LOOP } from './group-scripts';
import { EXERCISE } from './scripts';

function view(src: string): GraphViewDTO {
  return buildGraphView(runForPanel(src), { title: 'test.py' });
}

/** Every original edge is inside a box or stands in exactly one visible edge between the right items. */
function checkEdges(v: GraphViewDTO, vg: VisibleGraph): void {
  const seen = new Set<string>();
  vg.edges.forEach((ve, k) => {
    assert.ok(ve.from < ve.to, 'inputs come first');
    assert.ok(ve.slot >= 0 && ve.slot < ve.slots);
    for (const e of ve.edges) {
      assert.equal(vg.edgeOf[e], k);
      assert.equal(vg.itemOfNode[v.edges[e].from], ve.from);
      assert.equal(vg.itemOfNode[v.edges[e].to], ve.to);
    }
    const boxed = vg.items[ve.from].kind === 'group' || vg.items[ve.to].kind === 'group';
    if (boxed) {
      const key = `${ve.from}>${ve.to}`;
      assert.ok(!seen.has(key), `one edge per pair of items with a box: ${key}`);
      seen.add(key);
    } else assert.equal(ve.edges.length, 1, 'node to node: one to one');
  });
  v.edges.forEach((e, k) => {
    const inside = vg.itemOfNode[e.from] === vg.itemOfNode[e.to];
    assert.equal(vg.edgeOf[k] < 0, inside, `edge ${k}`);
  });
  // The layered layout accepts it (it throws on an input that is not earlier).
  const lay = layoutGraph(visibleLayoutInput(vg));
  assert.equal(lay.x.length, vg.items.length);
}

describe('visible graph (grouped view)', () => {
  const ex = view(EXERCISE);

  it('nothing collapsed: the nodes and the edges as they are, at the host’s positions', () => {
    const vg = visibleGraph(ex, new Set());
    assert.equal(vg.identity, true);
    assert.deepEqual(
      vg.items.map((it) => (it.kind === 'node' ? it.node : -1)),
      ex.nodes.map((_n, i) => i),
    );
    assert.equal(vg.edges.length, ex.edges.length);
    vg.edges.forEach((e, k) => {
      assert.deepEqual(e.edges, [k]);
      assert.equal(e.from, ex.edges[k].from);
      assert.equal(e.to, ex.edges[k].to);
      assert.equal(e.slot, ex.edges[k].position, 'every input present: its slot is its position');
    });
    assert.deepEqual(vg.frames, [0, 1], 'both groups drawn as frames');
    const b = itemBoxes(vg, null);
    ex.nodes.forEach((n, i) => assert.deepEqual([b.x[i], b.y[i], b.w[i], b.h[i]], [n.x, n.y, n.w, n.h]));
    assert.deepEqual([b.width, b.height], [ex.width, ex.height]);
    checkEdges(ex, vg);
  });

  it('collapsing line 14 of the exercise: one box for its five nodes, its edges bundled', () => {
    const vg = visibleGraph(ex, new Set([0]));
    assert.equal(vg.identity, false);
    const labels = vg.items.map((it) => (it.kind === 'node' ? ex.nodes[it.node].label : `[${it.group}]`));
    assert.deepEqual(labels, ['x', 'y', 'w1', 'w2', 'b', '[0]', 'y_hat - y', 'loss']);
    assert.equal(vg.itemOfGroup[0], 5);
    for (let i = 5; i <= 9; i++) assert.equal(vg.itemOfNode[i], 5);
    const pairs = vg.edges.map((e) => `${labels[e.from]}>${labels[e.to]}`);
    assert.deepEqual(
      pairs.sort(),
      ['[0]>y_hat - y', 'b>[0]', 'w1>[0]', 'w2>[0]', 'x>[0]', 'y>y_hat - y', 'y_hat - y>loss'].sort(),
    );
    assert.deepEqual(vg.frames, [1]);
    checkEdges(ex, vg);
    const input = visibleLayoutInput(vg);
    assert.deepEqual(input.sizes[5], { w: GROUP_W, h: GROUP_H });
    // Into y_hat - y: y_hat (the box) first, then y, as the subtraction takes them.
    assert.deepEqual(input.inputs[6], [5, 1]);
  });

  it('nested groups: only the outermost collapsed group is a box; expanding it shows its children', () => {
    const v = view(DEF_LOOP);
    const all = new Set(v.groups.map((_g, k) => k));
    let vg = visibleGraph(v, all);
    const boxes = vg.items.filter((it) => it.kind === 'group');
    assert.deepEqual(
      boxes.map((it) => (it.kind === 'group' ? it.group : -1)),
      [0],
    );
    assert.deepEqual(vg.frames, []);
    assert.ok(vg.itemOfGroup.slice(1).every((x) => x === -1));
    checkEdges(v, vg);
    // Open line 15 and the call of model(): the three iterations of line 12 are boxes.
    all.delete(0);
    all.delete(1);
    vg = visibleGraph(v, all);
    assert.deepEqual(
      vg.items.filter((it) => it.kind === 'group').map((it) => (it.kind === 'group' ? v.groups[it.group].label : '')),
      [
        'line 12: total = total + neuron(x) * 2.0',
        'line 12: total = total + neuron(x) * 2.0',
        'line 12: total = total + neuron(x) * 2.0',
      ],
    );
    assert.deepEqual(vg.frames, [0, 1]);
    checkEdges(v, vg);
    // Each iteration's box takes the running total from the one before.
    const [a, b] = [vg.itemOfGroup[2], vg.itemOfGroup[5]];
    assert.ok(vg.edges.some((e) => e.from === a && e.to === b));
  });

  it('box states follow the walk-through: pending, partly computed, current, operand, done, the output’s gradient', () => {
    const vg = visibleGraph(ex, new Set([0, 1]));
    const index = new ViewIndex(ex);
    const at = (p: number) => boxStates(vg, frameAt(index, p));
    // Forward: positions 1…12 compute the nodes in order; the line-14 group is nodes 5…9.
    assert.equal(at(0)[0]?.status, 'pending');
    assert.equal(at(5)[0]?.status, 'pending');
    assert.deepEqual(
      { ...at(7)[0], grad: null },
      { status: 'current', computed: 2, size: 5, grad: null },
      'its second node is being computed',
    );
    assert.equal(at(10)[0]?.status, 'current');
    assert.equal(at(11)[0]?.status, 'operand', 'y_hat is an operand of y_hat - y');
    assert.equal(at(12)[0]?.status, 'computed');
    assert.equal(at(12)[1]?.status, 'current', 'the loss is in the line-15 box');
    // Backward: 6 steps after the 12 forward positions.
    const F = ex.forward.length;
    assert.equal(at(F + 1)[1]?.status, 'current');
    assert.equal(at(F + 1)[0]?.grad, null, 'no gradient for y_hat yet');
    assert.equal(at(F + 2)[0]?.status, 'operand', 'y_hat receives its gradient');
    assert.equal(at(F + 2)[0]?.grad?.text, '-15.5', '∂L/∂y_hat, the output of line 14');
    assert.equal(at(F + 2)[1]?.status, 'current', 'the step of y_hat - y');
    assert.equal(at(F + 3)[1]?.status, 'done', 'both steps of line 15 have run');
    assert.equal(at(F + 3)[0]?.status, 'current', 'the step of y_hat');
    assert.equal(at(F + 6)[0]?.status, 'current');
    assert.equal(at(F + 6)[1]?.status, 'done');
    // The output of line 14 is y_hat (its last node, which leaves the group).
    assert.equal(ex.nodes[vg.info.output[0]].label, 'y_hat');
    // Without boxes there is nothing to compute.
    assert.deepEqual(boxStates(visibleGraph(ex, new Set()), frameAt(index, 3)), [null, null]);
  });

  it('words: heading, source text and an accessible name', () => {
    const vg = visibleGraph(ex, new Set([0]));
    const g = ex.groups[0];
    assert.equal(groupHeading(g), 'line 14');
    assert.equal(groupText(g), 'y_hat = x**2 * w2 + x * w1 + b');
    assert.equal(groupAccessibleName(vg, 0, null), 'group line 14: y_hat = x**2 * w2 + x * w1 + b, 5 nodes, collapsed');
    const st = boxStates(vg, frameAt(new ViewIndex(ex), 7))[0];
    assert.equal(
      groupAccessibleName(vg, 0, st),
      'group line 14: y_hat = x**2 * w2 + x * w1 + b, 5 nodes, collapsed, holds the current node',
    );
    const call = view(DEF_LOOP).groups[1];
    assert.equal(groupHeading(call), 'call · line 15');
    assert.equal(groupText(call), 'model([1.0, 2.0, 3.0])');
    // A label that does not follow the pattern is shown whole.
    assert.equal(groupText({ ...g, label: 'w1<img src=x onerror=alert(1)>' }), 'w1<img src=x onerror=alert(1)>');
  });

  it('the nodes of a source line: by their own range, and every node a statement on it made', () => {
    const info = new GroupInfo(ex);
    assert.deepEqual(info.nodesOfLine(14), [5, 6, 7, 8, 9]);
    assert.deepEqual(info.nodesOfLine(15), [10, 11]);
    assert.deepEqual(info.nodesOfLine(3), []);
    const mlp = new GroupInfo(view(mlpScript(2, 3, 2)));
    // Line 4 makes the weights (leaves, no range of their own): they belong to it through its group.
    assert.equal(mlp.nodesOfLine(4).length, 6);
  });

  it('frames: a group’s frame surrounds its visible items', () => {
    const vg = visibleGraph(ex, new Set());
    const b = itemBoxes(vg, null);
    const r = groupBounds(vg, b, 0);
    assert.ok(r);
    for (let i = 5; i <= 9; i++) {
      assert.ok(b.x[i] >= r.x && b.x[i] + b.w[i] <= r.x + r.w + 1e-9);
      assert.ok(b.y[i] >= r.y && b.y[i] + b.h[i] <= r.y + r.h + 1e-9);
    }
  });

  it('frames follow the group’s columns: line 14 holds its own nodes, not the parameters made on lines 11–13', () => {
    const vg = visibleGraph(ex, new Set());
    const b = itemBoxes(vg, null);
    const o = groupOutline(vg, b, 0, 8, 20);
    assert.ok(o);
    const poly = outlinePoints(o.d);
    const centre = (i: number): [number, number] => [b.x[i] + b.w[i] / 2, b.y[i] + b.h[i] / 2];
    const g = ex.groups[0];
    assert.match(g.label, /^line 14/);
    for (let i = 0; i < ex.nodes.length; i++) {
      const member = i >= g.first && i <= g.last;
      assert.equal(inside(poly, centre(i)), member, `${ex.nodes[i].label} ${member ? 'inside' : 'outside'}`);
    }
    // The header sits on the first column's top-left corner, inside the outline's top edge.
    assert.equal(o.y, Math.min(...poly.filter((p) => p[0] === o.x).map((p) => p[1])));
  });

  it('2,031 nodes grouped: 39 items, laid out in well under a frame, box states in a few milliseconds', () => {
    const v = view(mlpScript(4, 10, 12));
    assert.equal(v.grouped, true);
    const all = new Set(v.groups.map((_g, k) => k));
    let t = performance.now();
    const vg = visibleGraph(v, all);
    const input = visibleLayoutInput(vg);
    const lay = layoutGraph(input);
    const layoutMs = performance.now() - t;
    assert.equal(vg.items.length, 39);
    checkEdges(v, vg);
    const b = itemBoxes(vg, lay);
    assert.equal(b.width, lay.width);
    const index = new ViewIndex(v);
    const frame = frameAt(index, index.forwardEnd + 5);
    t = performance.now();
    for (let k = 0; k < 20; k++) boxStates(vg, frame);
    const stateMs = (performance.now() - t) / 20;
    console.log(`      grouped model + layout ${layoutMs.toFixed(1)} ms; box states per step ${stateMs.toFixed(2)} ms`);
    assert.ok(stateMs < 8, `${stateMs} ms`);
    // Expanding one sample's hidden layer: its 140 nodes come back, the others stay boxes.
    all.delete(2);
    const vg2 = visibleGraph(v, all);
    assert.equal(vg2.items.length, 39 - 1 + 140);
    checkEdges(v, vg2);
  });
});

/** The corners of an outline path made of M, H, V and Z. */
function outlinePoints(d: string): [number, number][] {
  const pts: [number, number][] = [];
  let x = 0;
  let y = 0;
  for (const m of d.matchAll(/([MHVZ])([-\d.,]*)/g)) {
    if (m[1] === 'M') [x, y] = m[2].split(',').map(Number);
    else if (m[1] === 'H') x = Number(m[2]);
    else if (m[1] === 'V') y = Number(m[2]);
    else continue;
    pts.push([x, y]);
  }
  return pts;
}

/** Even-odd point in polygon. */
function inside(poly: [number, number][], [px, py]: [number, number]): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i];
    const [xj, yj] = poly[j];
    if (yi > py !== yj > py && px < ((xj - xi) * (py - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
