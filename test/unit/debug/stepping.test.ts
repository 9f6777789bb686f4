import { strict as assert } from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { byName, children, client, launch, scopeVars, step, stopServer, where } from './helpers';

describe('debug adapter: stepping', () => {
  let dc: DebugClient;
  beforeEach(async () => {
    dc = await client();
  });
  afterEach(async () => {
    await dc.stop();
  });
  after(stopServer);

  it('launch stops on entry at the first statement', async () => {
    const ev = await launch(dc, { stopOnEntry: true });
    assert.equal(ev?.body.reason, 'entry');
    const w = await where(dc);
    assert.equal(w.line, 8);
    assert.deepEqual(w.frames, ['<module>']);
  });

  it('next runs one statement at a time', async () => {
    await launch(dc, { stopOnEntry: true });
    const lines: number[] = [];
    for (let i = 0; i < 6; i++) lines.push((await step(dc, 'next'))?.line ?? -1);
    assert.deepEqual(lines, [10, 10, 11, 12, 13, 14]);
  });

  it('stepIn walks op by op through an expression, marking the sub-expression', async () => {
    await launch(dc, { stopOnEntry: true, breakpoints: [{ line: 14 }] });
    const w = await step(dc, 'continue');
    assert.equal(w?.line, 14);
    const ops: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = await step(dc, 'stepIn');
      ops.push(`${s?.line}:${s?.column}-${s?.endColumn}`);
    }
    // x**2, x**2 * w2, x * w1, … + x * w1, … + b on `y_hat = x**2 * w2 + x * w1 + b`
    assert.deepEqual(ops, ['14:9-13', '14:9-18', '14:21-27', '14:9-27', '14:9-31']);
    const op = await scopeVars(dc, 'Op');
    assert.equal(byName(op, 'expression').value, 'x**2 * w2 + x * w1 + b');
    assert.equal(byName(op, 'result').value, 'tensor(-4.7500)');
  });

  it('stepIn on loss.backward() enters the backward pass, one node per step in reverse topological order; stepBack undoes', async () => {
    await launch(dc, { stopOnEntry: true, breakpoints: [{ line: 16 }] });
    assert.equal((await step(dc, 'continue'))?.line, 16);
    const seen: string[] = [];
    for (let i = 0; i < 6; i++) {
      const s = await step(dc, 'stepIn');
      assert.ok(s);
      seen.push(`${s.name} @${s.line}:${s.column}-${s.endColumn}`);
      assert.equal(s.frames[1], '<module>');
    }
    assert.deepEqual(seen, [
      'backward: PowBackward0 (line 15) @15:8-22',
      'backward: SubBackward0 (line 15) @15:9-18',
      'backward: AddBackward0 (line 14) @14:9-31',
      'backward: AddBackward0 (line 14) @14:9-27',
      'backward: MulBackward0 (line 14) @14:21-27',
      'backward: MulBackward0 (line 14) @14:9-18',
    ]);
    // The synthetic frame sits above the frame of the loss.backward() call.
    const w = await where(dc);
    assert.deepEqual(w.frames, ['backward: MulBackward0 (line 14)', '<module>']);
    const st = await dc.stackTraceRequest({ threadId: 1 });
    assert.equal(st.body.stackFrames[1].line, 16);
    // Step back through the backward pass, then out of it.
    assert.equal((await step(dc, 'stepBack'))?.name, 'backward: MulBackward0 (line 14)');
    assert.equal((await step(dc, 'stepBack'))?.name, 'backward: AddBackward0 (line 14)');
    for (let i = 0; i < 3; i++) await step(dc, 'stepBack');
    const back = await step(dc, 'stepBack');
    assert.equal(back?.line, 16);
    assert.equal(back?.name, '<module>');
  });

  it('the Backward step scope shows upstream, local gradients, contributions and grads before/after', async () => {
    await launch(dc, { stopOnEntry: true, breakpoints: [{ line: 16 }] });
    await step(dc, 'continue');
    for (let i = 0; i < 5; i++) await step(dc, 'stepIn');
    const w = await where(dc);
    assert.equal(w.name, 'backward: MulBackward0 (line 14)');
    assert.equal(w.column, 21); // x * w1
    const bs = await scopeVars(dc, 'Backward step');
    assert.equal(byName(bs, 'upstream  ∂L/∂out').value, 'tensor(-15.5000)');
    const inp = bs.find((v) => v.name.startsWith('input 1: w1'));
    assert.ok(inp, bs.map((v) => v.name).join(', '));
    const rows = await children(dc, inp);
    assert.equal(byName(rows, 'local  ∂out/∂input').value, 'tensor(2.)');
    assert.equal(byName(rows, 'contribution  upstream × local').value, 'tensor(-31.)');
    assert.equal(byName(rows, 'grad before').value, 'None');
    assert.equal(byName(rows, 'grad after').value, 'tensor(-31.)');
    // Locals during the backward pass show w1.grad as it stands at this step.
    const locals = await scopeVars(dc, 'Locals');
    const w1 = await children(dc, byName(locals, 'w1'));
    assert.equal(byName(w1, 'grad').value, 'tensor(-31.)');
    const w2 = await children(dc, byName(locals, 'w2'));
    assert.equal(byName(w2, 'grad').value, 'None');
  });

  it('next over a backward() line runs the whole pass; stepOut finishes the pass', async () => {
    await launch(dc, { stopOnEntry: true, breakpoints: [{ line: 16 }] });
    await step(dc, 'continue');
    assert.equal((await step(dc, 'next'))?.line, 17);
    await step(dc, 'stepBack');
    assert.equal((await where(dc)).line, 16);
    await step(dc, 'stepIn');
    await step(dc, 'stepIn');
    const out = await step(dc, 'stepOut');
    assert.equal(out?.line, 17);
    assert.equal(out?.name, '<module>');
  });
});
