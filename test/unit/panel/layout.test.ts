/**
 * The layered layout: leaves left, loss right, every edge left to right, no
 * overlap, deterministic, and fast enough for the panel's target (layout
 * plus first paint of 2,000 nodes under 1 s; the layout's share is printed).
 */
import { strict as assert } from 'node:assert';
import { layoutGraph, LAYOUT_GAP_Y, type LayoutInput } from '../../../src/session/layout';
import { buildGraphView, runForPanel } from '../../../src/session/graph-view';
import { mlpScript } from './big-graphs';

function check(input: LayoutInput): ReturnType<typeof layoutGraph> {
  const r = layoutGraph(input);
  const n = input.inputs.length;
  for (let i = 0; i < n; i++)
    for (const j of input.inputs[i]) {
      assert.ok(r.layer[j] < r.layer[i], `edge ${j}→${i} goes right`);
      assert.ok(r.x[j] + input.sizes[j].w < r.x[i], `edge ${j}→${i} is drawn left to right`);
    }
  // No two nodes of a layer overlap.
  const byLayer = new Map<number, number[]>();
  for (let i = 0; i < n; i++) byLayer.set(r.layer[i], [...(byLayer.get(r.layer[i]) ?? []), i]);
  for (const nodes of byLayer.values()) {
    nodes.sort((a, b) => r.y[a] - r.y[b]);
    for (let k = 1; k < nodes.length; k++)
      assert.ok(r.y[nodes[k]] >= r.y[nodes[k - 1]] + input.sizes[nodes[k - 1]].h + LAYOUT_GAP_Y - 1e-6, 'no overlap');
  }
  for (let i = 0; i < n; i++) {
    assert.ok(r.x[i] >= 0 && r.y[i] >= 0, 'inside the drawing');
    assert.ok(r.x[i] + input.sizes[i].w <= r.width + 1e-6 && r.y[i] + input.sizes[i].h <= r.height + 1e-6);
  }
  return r;
}

const box = { w: 148, h: 76 };

describe('graph layout', () => {
  it('a chain goes left to right on one line', () => {
    const r = check({ inputs: [[], [0], [1], [2]], sizes: [box, box, box, box] });
    assert.deepEqual([...r.layer], [0, 1, 2, 3]);
    assert.equal(new Set([...r.y]).size, 1);
  });

  it('leaves sit next to their first consumer, not in a far column', () => {
    // 0 → 1 → 2 → 3 ← 4 (a late leaf)
    const r = check({
      inputs: [[], [0], [1], [2, 4], []].map((x, i) => (i === 3 ? [2] : x)),
      sizes: Array(5).fill(box),
    });
    assert.equal(r.layer[4], 0, 'an unused leaf stays at the left');
    const r2 = check({ inputs: [[], [0], [1], [], [2, 3]], sizes: Array(5).fill(box) });
    assert.equal(r2.layer[3], r2.layer[4] - 1);
  });

  it('x * x: two edges between the same nodes', () => {
    check({ inputs: [[], [0, 0]], sizes: [box, box] });
  });

  it('rejects an input that is not an earlier node', () => {
    assert.throws(() => layoutGraph({ inputs: [[1], []], sizes: [box, box] }), /not an earlier node/);
  });

  it('an empty graph', () => {
    const r = layoutGraph({ inputs: [], sizes: [] });
    assert.equal(r.layer.length, 0);
    assert.ok(r.width > 0);
  });

  it('the course exercise: a barycentric order with few crossings', () => {
    const v = buildGraphView(
      runForPanel(
        'import torch\nx = torch.tensor(2.0); y = torch.tensor(3.0)\nw1 = torch.tensor(0.5, requires_grad=True)\nw2 = torch.tensor(-1.5, requires_grad=True)\nb = torch.tensor(0.25, requires_grad=True)\ny_hat = x**2 * w2 + x * w1 + b\nloss = (y_hat - y)**2\nloss.backward()\n',
      ),
    );
    let crossings = 0;
    for (const a of v.edges)
      for (const b of v.edges) {
        const [na, ma, nb, mb] = [v.nodes[a.from], v.nodes[a.to], v.nodes[b.from], v.nodes[b.to]];
        if (na.layer !== nb.layer || ma.layer !== mb.layer || a === b) continue;
        if ((na.y - nb.y) * (ma.y - mb.y) < 0) crossings++;
      }
    assert.equal(crossings / 2, 0);
  });

  it('deterministic, and 2,000 nodes of an MLP graph in well under the 1 s budget', function () {
    this.timeout(60_000);
    const pr = runForPanel(mlpScript(4, 10, 12));
    const t0 = performance.now();
    const v = buildGraphView(pr);
    const viewMs = performance.now() - t0;
    assert.ok(v.nodes.length >= 1900, `${v.nodes.length} nodes`);
    const input: LayoutInput = {
      inputs: v.nodes.map((_, i) => v.edges.filter((e) => e.to === i).map((e) => e.from)),
      sizes: v.nodes.map((n) => ({ w: n.w, h: n.h })),
    };
    const runs: number[] = [];
    let first: ReturnType<typeof layoutGraph> | null = null;
    for (let k = 0; k < 5; k++) {
      const s = performance.now();
      const r = layoutGraph(input);
      runs.push(performance.now() - s);
      if (first) assert.deepEqual([...r.y], [...first.y], 'same input, same layout');
      first = r;
    }
    check(input);
    runs.sort((a, b) => a - b);
    console.log(
      `      layout of ${v.nodes.length} nodes, ${v.edges.length} edges: median ${runs[2].toFixed(1)} ms (view model with layout: ${viewMs.toFixed(0)} ms)`,
    );
    assert.ok(runs[2] < 250, `layout took ${runs[2]} ms`);
  });
});
