/**
 * The graph panel's runs off the extension host's thread: PanelRunner
 * answers run/view/drill requests, and RunnerClient talks to it in a real
 * worker thread (the bundle esbuild makes of src/session/panel-worker.ts,
 * as dist/panelWorker.js ships), surviving scripts that run too long or
 * exhaust the worker's memory.
 */
import { strict as assert } from 'node:assert';
import { buildSync } from 'esbuild';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RunnerClient } from '../../../src/extension/panel/runner-client';
import { parseHostMessage } from '../../../src/protocol/messages';
import { PanelRunner, type RunnerReply } from '../../../src/session/panel-runner';
import { EXERCISE } from './scripts';

function ran(r: RunnerReply): readonly (number | null)[] {
  if (r.kind !== 'ran') assert.fail(`expected a run, got ${JSON.stringify(r).slice(0, 300)}`);
  return r.calls;
}

describe('panel runner', () => {
  describe('PanelRunner (in process)', () => {
    it('runs, then builds the view of a call, with no second run', () => {
      const runner = new PanelRunner();
      assert.deepEqual(runner.handle({ kind: 'view', opts: {} }), { kind: 'error', message: 'no run yet' });
      assert.deepEqual(ran(runner.handle({ kind: 'run', source: EXERCISE })), [16]);
      const r = runner.handle({ kind: 'view', opts: { title: 'exercise_chain_rule.py' } });
      assert.equal(r.kind, 'view');
      if (r.kind !== 'view') return;
      assert.equal(r.view.nodes.length, 12);
      assert.equal(r.view.steps.length, 6);
      assert.ok(
        parseHostMessage(JSON.parse(JSON.stringify({ type: 'view', replyTo: null, view: r.view, position: null }))).ok,
      );
    });

    it("a script's own errors are in the run, not an error reply", () => {
      const runner = new PanelRunner();
      assert.deepEqual(ran(runner.handle({ kind: 'run', source: 'import torch\nx = 1 / 0\n' })), []);
      const r = runner.handle({ kind: 'view', opts: {} });
      assert.equal(r.kind === 'view' && r.view.error?.type, 'ZeroDivisionError');
    });
  });

  describe('RunnerClient (a real worker thread)', function () {
    this.timeout(60_000);
    let script: string;
    before(() => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'panel-worker-'));
      script = path.join(dir, 'panelWorker.js');
      buildSync({
        entryPoints: [path.join(__dirname, '../../../src/session/panel-worker.ts')],
        outfile: script,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'es2022',
        logLevel: 'silent',
      });
    });

    it('runs a script and answers view requests in order', async () => {
      const client = new RunnerClient(script);
      try {
        const [a, b] = await Promise.all([
          client.request({ kind: 'run', source: EXERCISE }),
          client.request({ kind: 'view', opts: {} }),
        ]);
        assert.deepEqual(ran(a), [16]);
        assert.equal(b.kind === 'view' && b.view.nodes.length, 12);
      } finally {
        client.dispose();
      }
    });

    it('the extension host stays free while a script runs', async () => {
      const client = new RunnerClient(script);
      try {
        const slow = 'import torch\nx = torch.tensor(0.0)\nfor i in range(400000):\n    x = x + 1\n';
        let ticks = 0;
        const timer = setInterval(() => ticks++, 5);
        const t0 = Date.now();
        ran(await client.request({ kind: 'run', source: slow }));
        clearInterval(timer);
        const ms = Date.now() - t0;
        // On this thread the timer kept firing during the run (a synchronous run would starve it).
        assert.ok(ticks >= Math.floor(ms / 5 / 4), `${ticks} ticks in ${ms} ms`);
      } finally {
        client.dispose();
      }
    });

    it('a request that outlives the backstop stops the worker; the next request gets a fresh one', async () => {
      const client = new RunnerClient(script, { backstopMs: 2500 });
      try {
        const forever = 'while True:\n    pass\n';
        // Budgets off: only the backstop can stop it.
        const r = await client.request({ kind: 'run', source: forever, limits: { maxSteps: 1e15, maxMillis: 1e9 } });
        assert.equal(r.kind, 'error');
        assert.match(r.kind === 'error' ? r.message : '', /ran for more than 3 s and was stopped/);
        assert.deepEqual(ran(await client.request({ kind: 'run', source: EXERCISE })), [16]);
      } finally {
        client.dispose();
      }
    });

    it('a script that exhausts the worker heap ends the worker, not this process', async () => {
      const client = new RunnerClient(script, { heapMb: 48 });
      try {
        const hog = 'xs = []\nwhile True:\n    xs.append([1, 2, 3, 4, 5, 6, 7, 8])\n';
        const r = await client.request({ kind: 'run', source: hog });
        assert.equal(r.kind, 'error');
        assert.match(r.kind === 'error' ? r.message : '', /MemoryError|worker/);
        assert.deepEqual(ran(await client.request({ kind: 'run', source: EXERCISE })), [16]);
      } finally {
        client.dispose();
      }
    });

    it('dispose answers pending requests and refuses new ones', async () => {
      const client = new RunnerClient(script);
      const p = client.request({ kind: 'run', source: 'while True:\n    pass\n' });
      client.dispose();
      assert.deepEqual(await p, { kind: 'error', message: 'the panel is closed' });
      assert.deepEqual(await client.request({ kind: 'view', opts: {} }), {
        kind: 'error',
        message: 'the panel is closed',
      });
    });
  });
});
