/**
 * The page's layout worker in a real browser (headless Chromium), under the
 * panel's real Content Security Policy: webview/layout-client.ts starts
 * webview/layout-worker.ts from a Blob URL (`worker-src blob:`), its layouts
 * equal layoutGraph's, overlapping requests each get their own answer,
 * dispose() rejects what is pending, and without a worker (no Worker, or a
 * CSP that blocks it) the layouts run on the main thread with one warning.
 * Worker round trip and main-thread layout at 2,000 nodes are measured and
 * printed.
 *
 * The page script here is a test bundle (test/e2e/fixtures/layout-probe.js:
 * the layout client alone, exposed on window), built in memory the way
 * esbuild.mjs builds dist/webview.js (the worker bundled on its own and
 * inlined as the virtual module `layout-worker-source`), and served as
 * dist/webview.js with the page's nonce.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import type { Browser } from 'playwright-core';
import type { GraphViewDTO } from '../../src/protocol/messages';
import { buildGraphView, runForPanel } from '../../src/session/graph-view';
import { layoutGraph, type LayoutInput } from '../../src/session/layout';
import { mlpScript } from '../unit/panel/big-graphs';
import { EXAMPLES, ROOT } from './helpers';
import { openPanelPage, waitUntil, type PanelPage, type PanelPageOptions, usePageBrowser } from './panel-page';

/** The same build as esbuild.mjs's webview entry, with the probe as the entry point. */
async function buildProbe(): Promise<string> {
  const common = {
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    logLevel: 'silent',
  } as const;
  const worker = await esbuild.build({ ...common, entryPoints: [path.join(ROOT, 'webview', 'layout-worker.ts')] });
  const workerText = worker.outputFiles[0].text;
  const page = await esbuild.build({
    ...common,
    entryPoints: [path.join(ROOT, 'test', 'e2e', 'fixtures', 'layout-probe.js')],
    plugins: [
      {
        name: 'layout-worker-source',
        setup(b) {
          b.onResolve({ filter: /^layout-worker-source$/ }, (a) => ({ path: a.path, namespace: 'layout-worker' }));
          b.onLoad({ filter: /.*/, namespace: 'layout-worker' }, () => ({
            contents: `export default ${JSON.stringify(workerText)};`,
            loader: 'js',
          }));
        },
      },
    ],
  });
  return page.outputFiles[0].text;
}

/** The layout input a view was laid out from (inputs in position order, node sizes). */
function inputOf(v: GraphViewDTO): LayoutInput {
  const inputs: number[][] = v.nodes.map(() => []);
  for (const e of v.edges) inputs[e.to][e.position] = e.from;
  return { inputs, sizes: v.nodes.map((n) => ({ w: n.w, h: n.h })) };
}

/** The first n nodes of a graph: still a graph (inputs come before their nodes). */
function prefix(input: LayoutInput, n: number): LayoutInput {
  return { inputs: input.inputs.slice(0, n), sizes: input.sizes.slice(0, n) };
}

interface PlainLayout {
  layer: number[];
  x: number[];
  y: number[];
  width: number;
  height: number;
}

function expected(input: LayoutInput): PlainLayout {
  const r = layoutGraph(input);
  return { layer: Array.from(r.layer), x: Array.from(r.x), y: Array.from(r.y), width: r.width, height: r.height };
}

/** In-page: a LayoutResult's typed arrays as plain arrays, for the trip back to the test. */
const PLAIN = `(r) => ({ layer: Array.from(r.layer), x: Array.from(r.x), y: Array.from(r.y), width: r.width, height: r.height })`;

/** Records console.warn calls before the page script runs (the fallback warns while the script loads). */
const RECORD_WARNINGS = `(() => {
  const w = window;
  w.__warnings = [];
  const warn = console.warn.bind(console);
  console.warn = (...a) => { w.__warnings.push(a.map(String).join(' ')); warn(...a); };
})();`;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

describe('layout worker in Chromium, under the real CSP', function () {
  let browser: Browser;
  let probe: string;
  let big: LayoutInput;
  let small: LayoutInput;

  usePageBrowser((b) => (browser = b));
  before(async () => {
    probe = await buildProbe();
    big = inputOf(buildGraphView(runForPanel(mlpScript(4, 10, 12)), { title: 'mlp.py' }));
    small = inputOf(
      buildGraphView(runForPanel(fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8')), {
        title: 'exercise_chain_rule.py',
      }),
    );
    assert.ok(big.inputs.length >= 1900, `a graph of about 2,000 nodes (${big.inputs.length})`);
  });

  async function open(opts: PanelPageOptions = {}): Promise<PanelPage> {
    const pp = await openPanelPage(browser, {
      ...opts,
      script: probe,
      initScript: RECORD_WARNINGS + (opts.initScript ?? ''),
    });
    await waitUntil(pp.page, `typeof window.__backpropLayout === 'function'`);
    await pp.page.evaluate(`window.__big = JSON.parse(${JSON.stringify(JSON.stringify(big))}); 0`);
    return pp;
  }

  const layoutIn = (pp: PanelPage, inputExpr: string) =>
    pp.page.evaluate(`window.__backpropLayout(${inputExpr}).then(${PLAIN})`) as Promise<PlainLayout>;

  /**
   * The first (cold) layout, then the median over `runs` warm ones: the full round trip, and the
   * main thread's share of it (the synchronous part of layout()).
   */
  async function timeLayouts(pp: PanelPage, runs = 15): Promise<{ cold: number; total: number; blocked: number }> {
    const t = (await pp.page.evaluate(`(async () => {
      const layout = window.__backpropLayout;
      const c0 = performance.now();
      await layout(window.__big);
      const cold = performance.now() - c0;
      for (let i = 0; i < 2; i++) await layout(window.__big);
      const total = [], blocked = [];
      for (let i = 0; i < ${runs}; i++) {
        const t0 = performance.now();
        const p = layout(window.__big);
        blocked.push(performance.now() - t0);
        await p;
        total.push(performance.now() - t0);
      }
      return { cold, total, blocked };
    })()`)) as { cold: number; total: number[]; blocked: number[] };
    return { cold: t.cold, total: median(t.total), blocked: median(t.blocked) };
  }

  it("runs in a worker under the panel's CSP (worker-src blob:), with no CSP violation", async () => {
    const pp = await open();
    const csp = await pp.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.match(csp ?? '', /; worker-src blob:(;|$)/);
    assert.equal(await pp.page.evaluate(`document.body.dataset.layout`), 'worker');
    assert.deepEqual(await layoutIn(pp, JSON.stringify(small)), expected(small));
    assert.equal(await pp.page.evaluate(`window.__layoutClient.mode`), 'worker');
    assert.equal(await pp.page.evaluate(`document.body.dataset.layout`), 'worker');
    assert.deepEqual(await pp.page.evaluate(`window.__warnings`), []);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it(`2,000 nodes: the worker's layout equals layoutGraph's; round trip vs main thread (measured, printed)`, async function () {
    this.timeout(120_000);
    const pp = await open();
    const worker = await timeLayouts(pp);
    assert.deepEqual(await layoutIn(pp, 'window.__big'), expected(big));
    assert.equal(await pp.page.evaluate(`document.body.dataset.layout`), 'worker');
    await pp.page.close();

    const here = await open({ initScript: 'delete window.Worker;' });
    assert.equal(await here.page.evaluate(`document.body.dataset.layout`), 'main-thread');
    const main = await timeLayouts(here);
    await here.page.close();
    console.log(
      `      ${big.inputs.length} nodes, median of 15 warm runs: worker round trip ${worker.total.toFixed(1)} ms ` +
        `(main thread busy ${worker.blocked.toFixed(1)} ms of it, posting the input), ` +
        `main-thread layout ${main.total.toFixed(1)} ms (all of it on the main thread); ` +
        `first call: worker ${worker.cold.toFixed(1)} ms, main thread ${main.cold.toFixed(1)} ms`,
    );
    assert.deepEqual(pp.errors, []);
  });

  it('overlapping requests: each resolves with its own layout, a bad input rejects alone', async () => {
    const pp = await open();
    const inputs = [big, small, prefix(big, 10), prefix(big, 1000), prefix(big, 500), small];
    const bad: LayoutInput = { inputs: [[], [2], []], sizes: [0, 1, 2].map(() => ({ w: 10, h: 10 })) };
    const settled = (await pp.page.evaluate(`(() => {
      const inputs = JSON.parse(${JSON.stringify(JSON.stringify([...inputs.slice(0, 3), bad, ...inputs.slice(3)]))});
      return Promise.allSettled(inputs.map((input) => window.__backpropLayout(input).then(${PLAIN})))
        .then((rs) => rs.map((r) => r.status === 'fulfilled' ? { ok: r.value } : { err: r.reason.name + ': ' + r.reason.message }));
    })()`)) as ({ ok: PlainLayout } | { err: string })[];
    assert.equal(settled.length, 7);
    assert.deepEqual(settled[3], { err: 'RangeError: layout: input 2 of node 1 is not an earlier node' });
    const answers = [...settled.slice(0, 3), ...settled.slice(4)];
    answers.forEach((a, i) => assert.deepEqual(a, { ok: expected(inputs[i]) }, `request ${i}`));
    // And the main thread agrees on the bad input.
    assert.throws(() => layoutGraph(bad), /RangeError: layout: input 2 of node 1 is not an earlier node/);
    assert.equal(await pp.page.evaluate(`document.body.dataset.layout`), 'worker');
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('dispose(): terminates the worker, rejects pending and later requests', async () => {
    const pp = await open();
    const out = await pp.page.evaluate(`(async () => {
      const c = window.__layoutClient;
      await c.layout(window.__big);
      const pending = [c.layout(window.__big), c.layout(window.__big)].map((p) => p.then(() => 'resolved', (e) => e.message));
      c.dispose();
      const later = await c.layout(window.__big).then(() => 'resolved', (e) => e.message);
      return [...(await Promise.all(pending)), later];
    })()`);
    assert.deepEqual(out, ['layout client disposed', 'layout client disposed', 'layout client disposed']);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('no Worker at all: layouts run on the main thread, one warning, same results', async () => {
    const pp = await open({ initScript: 'delete window.Worker;' });
    assert.equal(await pp.page.evaluate(`document.body.dataset.layout`), 'main-thread');
    assert.equal(await pp.page.evaluate(`window.__layoutClient.mode`), 'main-thread');
    assert.deepEqual(await layoutIn(pp, 'window.__big'), expected(big));
    assert.deepEqual(await layoutIn(pp, JSON.stringify(small)), expected(small));
    const warnings = (await pp.page.evaluate(`window.__warnings`)) as string[];
    assert.equal(warnings.length, 1, warnings.join('\n'));
    assert.match(warnings[0], /graph layout runs on the page's main thread \(no Web Worker: Worker is not defined\)/);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('a CSP without worker-src blob: blocks the worker; requests already sent are laid out on the main thread', async () => {
    const pp = await open({ editHtml: (html) => html.replace('; worker-src blob:', '') });
    const csp = await pp.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
    assert.doesNotMatch(csp ?? '', /worker-src/);
    // The page's client has already fallen back. A fresh client, asked at once: its worker is
    // constructed, and fails a moment later (asynchronously); the requests it holds then are
    // laid out on the main thread.
    const fresh = (await pp.page.evaluate(`(async () => {
      const c = window.__createLayoutClient();
      const modeAtFirst = c.mode;
      const results = await Promise.all([c.layout(window.__big).then(${PLAIN}), c.layout(${JSON.stringify(small)}).then(${PLAIN})]);
      return { modeAtFirst, results, modeAfter: c.mode };
    })()`)) as { modeAtFirst: string; results: PlainLayout[]; modeAfter: string };
    assert.equal(fresh.modeAtFirst, 'worker');
    assert.deepEqual(fresh.results, [expected(big), expected(small)]);
    assert.equal(fresh.modeAfter, 'main-thread');
    assert.equal(await pp.page.evaluate(`document.body.dataset.layout`), 'main-thread');
    assert.deepEqual(await layoutIn(pp, JSON.stringify(small)), expected(small));
    assert.equal(await pp.page.evaluate(`window.__layoutClient.mode`), 'main-thread');
    const warnings = (await pp.page.evaluate(`window.__warnings`)) as string[];
    assert.equal(warnings.length, 1, `one warning per page: ${warnings.join('\n')}`);
    assert.match(warnings[0], /graph layout runs on the page's main thread/);
    // The browser reports each blocked worker (script-src stands in for worker-src); nothing else goes wrong.
    assert.deepEqual(await pp.violations(), ['worker-src blob', 'worker-src blob']);
    assert.ok(
      pp.errors.every((e) => /violates the following Content Security Policy directive/.test(e)),
      pp.errors.join('\n'),
    );
    await pp.page.close();
  });
});
