import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { client, fixture, launch, root, scopeVars, step, stopOrEnd, stopServer, where } from './helpers';

describe('debug adapter: robustness and the golden transcript', () => {
  let dc: DebugClient;
  beforeEach(async () => {
    dc = await client();
  });
  afterEach(async () => {
    await dc.stop();
  });
  after(stopServer);

  it('unknown requests and invalid arguments answer success: false, and the session goes on', async () => {
    await launch(dc, { stopOnEntry: true });
    await assert.rejects(dc.send('fooBar', {}), /unknown request 'fooBar'/);
    await assert.rejects(dc.send('next', {}), /unknown thread/);
    await assert.rejects(dc.send('next', { threadId: 7 }), /unknown thread/);
    await assert.rejects(dc.send('scopes', { frameId: 'x' }), /unknown frameId/);
    await assert.rejects(dc.send('variables', { variablesReference: 987654 }), /unknown variablesReference/);
    await assert.rejects(dc.send('evaluate', { expression: 42 }), /needs "expression"/);
    await assert.rejects(dc.send('setExceptionBreakpoints', { filters: ['nope'] }), /unknown exception filter/);
    await assert.rejects(dc.send('setBreakpoints', { breakpoints: [{ line: 3 }] }), /needs "source"/);
    await assert.rejects(dc.send('backprop/goTo', { index: -1 }), /recorded step/);
    assert.equal((await step(dc, 'next'))?.line, 10, 'still steps');
  });

  it('launch without a program or with an unreadable one fails', async () => {
    await dc.initializeRequest({ adapterID: 'backprop', pathFormat: 'path' });
    await assert.rejects(dc.send('launch', {}), /needs "program"/);
    await assert.rejects(dc.send('launch', { program: path.join(root, 'no/such/file.py') }), /cannot read/);
  });

  it('stepping after the end answers an error; terminate ends the session', async () => {
    assert.equal(await launch(dc, { stopOnEntry: false }), null, 'no breakpoint: runs to the end');
    await assert.rejects(dc.send('next', { threadId: 1 }), /the program has ended/);
    await assert.rejects(dc.send('stepBack', { threadId: 1 }), /the program has ended/);
    const dc2 = await client();
    try {
      await launch(dc2, { stopOnEntry: true });
      const term = dc2.waitForEvent('terminated');
      await dc2.terminateRequest({});
      await term;
      await assert.rejects(dc2.send('stepIn', { threadId: 1 }), /the program has ended/);
    } finally {
      await dc2.stop();
    }
  });

  it('restart while stepping records again and stops on entry', async () => {
    await launch(dc, { stopOnEntry: true, breakpoints: [{ line: 16 }] });
    await step(dc, 'continue');
    await step(dc, 'stepIn');
    const stopped = stopOrEnd(dc);
    await dc.send('restart', {});
    const ev = await stopped;
    assert.equal(ev?.body.reason, 'entry');
    assert.equal((await where(dc)).line, 8);
  });

  it('two sessions at once are independent', async () => {
    const other = await client();
    try {
      await launch(dc, { stopOnEntry: true });
      await launch(other, { program: fixture('loop.py'), stopOnEntry: true });
      await step(dc, 'next');
      await step(other, 'next');
      await step(other, 'next');
      assert.equal((await where(dc)).line, 10);
      assert.equal((await where(other)).line, 4);
      const a = await scopeVars(dc, 'Locals');
      assert.ok(!a.some((v) => v.name === 'w'), 'no leak of the other session');
    } finally {
      await other.stop();
    }
  });

  it('a full session on the course exercise matches the golden transcript (ids normalised)', async () => {
    const lines: string[] = [];
    dc.on('output', (e: DebugProtocol.OutputEvent) =>
      lines.push(`output ${e.body.category}: ${JSON.stringify(e.body.output)}`),
    );
    const ev = await launch(dc, { stopOnEntry: true });
    let reason = ev?.body.reason ?? 'end';
    for (let i = 0; i < 200; i++) {
      const st = await dc.stackTraceRequest({ threadId: 1 });
      const f = st.body.stackFrames;
      lines.push(`stopped ${reason}: ${f.map((x) => `${x.name} @${x.line}:${x.column}-${x.endColumn}`).join(' | ')}`);
      const scopes = await dc.scopesRequest({ frameId: f[0].id });
      for (const sc of scopes.body.scopes) {
        if (sc.name !== 'Backward step' && sc.name !== 'Op') continue;
        const vars = (await dc.variablesRequest({ variablesReference: sc.variablesReference })).body.variables;
        for (const v of vars) {
          lines.push(`  ${sc.name}: ${v.name} = ${v.value}`);
          if (v.variablesReference && sc.name === 'Backward step')
            for (const c of (await dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables)
              lines.push(`    ${c.name} = ${c.value}`);
        }
      }
      const s = await step(dc, 'stepIn');
      if (!s) {
        lines.push('terminated');
        break;
      }
      reason = s.reason;
    }
    const text = `${lines.join('\n')}\n`.replace(/"id":\d+/g, '"id":N');
    const file = path.join(root, 'test/fixtures/debug/exercise_chain_rule.transcript.txt');
    if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, text);
    assert.equal(text, readFileSync(file, 'utf8'));
  });

  it('the stdio entry point (adapter-main.ts) speaks DAP', async function () {
    this.timeout(30000);
    const std = new DebugClient(process.execPath, fixture('adapter-tsx.js'), 'backprop', { cwd: root });
    await std.start();
    try {
      const ev = await launch(std, { stopOnEntry: true });
      assert.equal(ev?.body.reason, 'entry');
      assert.equal((await step(std, 'next'))?.line, 10);
    } finally {
      await std.stop();
    }
  });
});
