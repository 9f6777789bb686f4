/**
 * Groups of the graph panel (src/session/graph-groups.ts), on real runs:
 * one group per execution of a statement and per call of a user function,
 * as contiguous, nested intervals of node indices, parents first, trivial
 * groups left out; labels; the grouped-by-default threshold; and the
 * protocol accepting every view built here.
 */
import { strict as assert } from 'node:assert';
import type { GraphViewDTO, GroupDTO } from '../../../src/protocol/messages';
import { parseHostMessage } from '../../../src/protocol/messages';
import { GROUPED_BY_DEFAULT_ABOVE, groupedByDefault } from '../../../src/session/graph-groups';
import { buildGraphView, runForPanel } from '../../../src/session/graph-view';
import { mlpScript } from './big-graphs';
import { DEF_LOOP } from './group-scripts';
import { EXERCISE, TRAINING } from './scripts';

function view(src: string, maxNodes?: number): GraphViewDTO {
  return buildGraphView(runForPanel(src), { title: 'test.py', maxNodes });
}

/** What every view's groups must be, whatever the script. */
function checkInvariants(v: GraphViewDTO): void {
  const n = v.nodes.length;
  v.groups.forEach((g, k) => {
    assert.ok(
      g.first >= 0 && g.last < n && g.first < g.last,
      `group ${k} holds at least two nodes: ${g.first}…${g.last}`,
    );
    assert.ok(g.parent < k, `group ${k}: parent ${g.parent} comes first`);
    if (g.parent >= 0) {
      const p = v.groups[g.parent];
      assert.ok(p.first <= g.first && g.last <= p.last, `group ${k} inside its parent`);
      assert.ok(p.first !== g.first || p.last !== g.last, `group ${k} is not its parent again`);
    }
    assert.ok(g.label.length > 0 && g.label.length <= 120, g.label);
  });
  // Nested or apart: two groups never overlap partly.
  for (let a = 0; a < v.groups.length; a++)
    for (let b = a + 1; b < v.groups.length; b++) {
      const x = v.groups[a];
      const y = v.groups[b];
      const apart = x.last < y.first || y.last < x.first;
      const nested = (x.first <= y.first && y.last <= x.last) || (y.first <= x.first && x.last <= y.last);
      assert.ok(apart || nested, `groups ${a} and ${b} overlap partly`);
    }
  const parsed = parseHostMessage(JSON.parse(JSON.stringify({ type: 'view', replyTo: null, view: v, position: null })));
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
}

function labelsOf(v: GraphViewDTO, gs: readonly GroupDTO[] = v.groups): string[] {
  return gs.map((g) => g.label);
}

describe('graph groups (by source line and by function call)', () => {
  it('the course exercise: one group per statement that makes two nodes or more', () => {
    const v = view(EXERCISE);
    checkInvariants(v);
    assert.deepEqual(
      v.groups.map((g) => [g.kind, g.label, g.parent, g.first, g.last]),
      [
        ['line', 'line 14: y_hat = x**2 * w2 + x * w1 + b', -1, 5, 9],
        ['line', 'line 15: loss = (y_hat - y)**2', -1, 10, 11],
      ],
    );
    assert.deepEqual(v.groups[0].range, { line: 14, col: 0, endLine: 14, endCol: 30 });
    // The nodes of a line group are the ones made on that line.
    for (let i = 5; i <= 9; i++) assert.equal(v.nodes[i].range?.line, 14, v.nodes[i].label);
    assert.equal(v.grouped, false, '12 nodes: not grouped by default');
  });

  it('a def called in a loop inside another def: calls inside statements inside calls, one group per iteration', () => {
    const v = view(DEF_LOOP);
    checkInvariants(v);
    assert.deepEqual(labelsOf(v), [
      'line 15: loss = (model([1.0, 2.0, 3.0]) - 1.0) ** 2',
      'model([1.0, 2.0, 3.0]) · call at line 15',
      'line 12: total = total + neuron(x) * 2.0',
      'neuron(x) · call at line 12',
      'line 6: z = x * w + b',
      'line 12: total = total + neuron(x) * 2.0',
      'neuron(x) · call at line 12',
      'line 6: z = x * w + b',
      'line 12: total = total + neuron(x) * 2.0',
      'neuron(x) · call at line 12',
      'line 6: z = x * w + b',
    ]);
    const g = v.groups;
    assert.equal(g[0].parent, -1);
    assert.equal(g[1].parent, 0, 'the call inside the statement that makes it');
    assert.deepEqual(
      g.map((x) => x.parent),
      [-1, 0, 1, 2, 3, 1, 5, 6, 1, 8, 9],
    );
    // The statement holds everything from the call's first tensor to the loss.
    assert.equal(v.nodes[g[0].last].label, 'loss');
    assert.equal(v.nodes[g[1].last].label, 'total + neuron(x) * 2.0');
    // The leaf made by torch.tensor(0.0) inside model() belongs to the call.
    const zero = v.nodes.findIndex((nd) => nd.label === '0.0');
    assert.ok(zero >= g[1].first && zero <= g[1].last);
    // A one-node statement (`return torch.tanh(z)`, `total = torch.tensor(0.0)`) makes no group.
    assert.ok(!labelsOf(v).some((l) => l.startsWith('line 7') || l.startsWith('line 10')));
    // Three iterations: three separate groups of the same statement, apart from each other.
    const iters = g.filter((x) => x.label.startsWith('line 12'));
    assert.equal(iters.length, 3);
    assert.ok(iters[0].last < iters[1].first && iters[1].last < iters[2].first);
    assert.equal(v.nodes[iters[0].first].label, '1.0', 'the constant made from x inside neuron()');
  });

  it('a call that is all of its statement adds no group of its own; a lambda is a call too', () => {
    const v = view(`import torch
w = torch.tensor(2.0, requires_grad=True)
def f(x):
    h = x * w
    return h + 1.0
y = f(w)
g = lambda t: t * 3.0 + w
z = g(y) * y
z.backward()
`);
    checkInvariants(v);
    const labels = labelsOf(v);
    assert.ok(labels.includes('line 6: y = f(w)'), labels.join('\n'));
    assert.ok(!labels.some((l) => l.startsWith('f(w) ·')), 'same nodes as `y = f(w)`: left out');
    assert.ok(labels.includes('g(y) · call at line 8'), labels.join('\n'));
    const call = v.groups[labels.indexOf('g(y) · call at line 8')];
    assert.deepEqual(
      v.nodes.slice(call.first, call.last + 1).map((nd) => nd.label),
      ['3.0', 't * 3.0', 't * 3.0 + w'],
      'the lambda’s constant, product and sum',
    );
  });

  it('a training loop: the groups of the call shown, each iteration apart', () => {
    const pr = runForPanel(TRAINING);
    for (let call = 0; call < 3; call++) {
      const v = buildGraphView(pr, { call });
      checkInvariants(v);
      assert.deepEqual(labelsOf(v), ['line 4: loss = (w * 2.0 - 4.0) ** 2']);
      assert.deepEqual([v.groups[0].first, v.groups[0].last], [1, v.nodes.length - 1]);
    }
  });

  it('a big MLP (2,031 nodes) is grouped by default: a group per statement per sample', () => {
    const v = view(mlpScript(4, 10, 12));
    checkInvariants(v);
    assert.ok(v.nodes.length > GROUPED_BY_DEFAULT_ABOVE);
    assert.equal(v.grouped, true);
    assert.equal(v.groups.length, 2 + 12 * 3);
    assert.match(v.groups[0].label, /^line 4: W = \[\[torch\.tensor\(random\.uniform\(-1, 1\), requires_grad=Tru…$/);
    assert.equal(v.groups[0].last - v.groups[0].first + 1, 40, 'the 40 weights made on line 4');
    assert.ok(v.groups.every((g) => g.parent === -1));
    assert.deepEqual(
      v.groups.slice(2, 5).map((g) => g.label),
      [
        'line 9: h = [torch.tanh(sum([w * x for w, x in zip(W[j], xs)])) for…',
        'line 10: out = sum([v * hh for v, hh in zip(V, h)])',
        'line 11: loss = loss + (out - 1.0) ** 2',
      ],
    );
  });

  it('a graph cut to size keeps the groups of the nodes it shows', () => {
    const v = view(mlpScript(4, 10, 12), 300);
    assert.equal(v.nodes.length, 300);
    checkInvariants(v);
    assert.ok(v.groups.length > 0);
    assert.equal(v.grouped, false);
  });

  it('a run that stops on an error keeps the groups made so far', () => {
    const v = view(`import torch
w = torch.tensor(2.0, requires_grad=True)
def f(x):
    y = x * w + 1.0
    return y * undefined_name
z = (w * 3.0 + 1.0) * 2.0
f(z)
`);
    assert.ok(v.error);
    checkInvariants(v);
    assert.ok(labelsOf(v).includes('line 6: z = (w * 3.0 + 1.0) * 2.0'), labelsOf(v).join('\n'));
  });

  it('deep recursion and many statements stay valid', () => {
    const v = view(`import torch
w = torch.tensor(1.0, requires_grad=True)
def f(x, n):
    if n == 0:
        return x
    return f(x * 1.5 + w, n - 1)
loss = f(w, 30)
loss.backward()
`);
    checkInvariants(v);
    const calls = v.groups.filter((g) => g.kind === 'call');
    assert.ok(calls.length >= 29, `${calls.length} nested calls`);
    // Each call inside the one before it.
    for (let k = 1; k < calls.length; k++) assert.ok(calls[k].first >= calls[k - 1].first);
  });

  it('the threshold: grouped above GROUPED_BY_DEFAULT_ABOVE nodes, and only with groups', () => {
    const g: GroupDTO[] = [{ kind: 'line', label: 'line 1: x', range: null, parent: -1, first: 0, last: 1 }];
    assert.equal(groupedByDefault(GROUPED_BY_DEFAULT_ABOVE, g), false);
    assert.equal(groupedByDefault(GROUPED_BY_DEFAULT_ABOVE + 1, g), true);
    assert.equal(groupedByDefault(GROUPED_BY_DEFAULT_ABOVE + 1, []), false);
  });

  it('labels are clipped and keep the source as text', () => {
    const long = `a_rather_long_variable_name_${'x'.repeat(80)}`;
    const v = view(`import torch
w = torch.tensor(2.0, requires_grad=True)
${long} = w * 2.0 + w * 3.0 + 1.0
${long}.backward()
`);
    checkInvariants(v);
    assert.equal(v.groups.length, 1);
    assert.ok(v.groups[0].label.endsWith('…'));
    assert.ok(v.groups[0].label.startsWith(`line 3: ${long.slice(0, 40)}`));
  });
});
