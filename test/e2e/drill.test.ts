/**
 * Drill-down in the graph panel's page (headless Chromium, the built bundle
 * under the real CSP, test/e2e/panel-page.ts). The test plays the host: it
 * answers the page's `drill` message with a `drillView` it builds with
 * buildDrillView, as the extension does. Double-click, D on a focused node
 * and the chain panel's "Scalar view" each ask for the scalar operations;
 * the scalar view steps like any view and its chain-rule lines are scalar
 * ones; no `step` or `select` reaches the host meanwhile; Escape and the
 * back button restore the whole graph at its step (re-posted); a new whole
 * graph ends drill mode; a stale answer is ignored. Screenshot of the
 * scalar view in the dark theme.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { GraphViewDTO } from '../../src/protocol/messages';
import { buildDrillView } from '../../src/session/drill-down';
import { buildGraphView, runForPanel } from '../../src/session/graph-view';
import { EXAMPLES, RESULTS_DIR } from './helpers';
import { openPanelPage, waitUntil, type PanelPage, usePageBrowser } from './panel-page';

const TITLE = 'matmul_drilldown.py';
const pr = runForPanel(fs.readFileSync(path.join(EXAMPLES, TITLE), 'utf8'));
const main = buildGraphView(pr, { title: TITLE });
const MATMUL = main.nodes.findIndex((n) => n.label === 'W @ x');

function drillView(node: number): GraphViewDTO {
  return buildDrillView(pr, { call: main.call, title: TITLE }, main.nodes[node].id);
}

async function chainText(pp: PanelPage): Promise<string> {
  return (await pp.page.textContent('#chain')) ?? '';
}

async function formulaText(pp: PanelPage): Promise<string[]> {
  return pp.page.$$eval('#chain .formula', (els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

async function position(pp: PanelPage): Promise<string> {
  return (await pp.page.textContent('.toolbar .position')) ?? '';
}

/** Waits for the page's next `drill` message (after `since` messages) and answers it with the scalar view. */
async function answerDrill(pp: PanelPage, since: number): Promise<{ id: number; node: number }> {
  await waitUntil(pp.page, `window.__posted.slice(${since}).some((m) => m.type === 'drill')`);
  const m = (await pp.posted()).slice(since).find((x) => x.type === 'drill') as unknown as { id: number; node: number };
  await pp.send({ type: 'drillView', replyTo: m.id, node: m.node, view: drillView(m.node) });
  await waitUntil(pp.page, `!document.querySelector('#drill-bar').hidden`);
  return m;
}

async function open(browser: Browser): Promise<PanelPage> {
  const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css', bodyClass: 'vscode-dark' });
  await pp.handshake(main);
  await pp.page.waitForSelector('g.node');
  return pp;
}

describe('drill-down in the graph panel page (Chromium, real CSP)', function () {
  let browser: Browser;
  usePageBrowser((b) => (browser = b));

  it('double-click a matmul node: drill posted, the scalar view shown, stepped, and back to the same step', async () => {
    const pp = await open(browser);
    assert.ok(MATMUL >= 0);
    assert.equal(await pp.page.locator('g.node.drillable').count(), 3, 'W @ x, h and loss');
    // Somewhere in the backward pass first.
    await pp.page.click('#graph-host', { position: { x: 5, y: 5 } });
    for (let k = 0; k < 3; k++) await pp.page.keyboard.press('ArrowRight');
    const where = await position(pp);
    const chainBefore = await chainText(pp);
    await waitUntil(pp.page, `window.__posted.some((m) => m.type === 'step')`);

    const before = (await pp.posted()).length;
    await pp.page.dblclick(`g.node[data-index="${MATMUL}"]`);
    const asked = await answerDrill(pp, before);
    assert.equal(asked.node, MATMUL);
    assert.match(
      (await pp.page.textContent('#drill-bar')) ?? '',
      /^Scalar operations of W @ x\s*·\s*← Back to the whole graph$/,
    );
    assert.equal(await pp.page.locator('g.node').count(), 20);
    assert.equal(await pp.page.locator('g.node.drillable').count(), 0);
    assert.match(await chainText(pp), /Forward 20 of 20/);
    assert.match((await pp.page.textContent('#banner')) ?? '', /last bit/);
    assert.match((await pp.page.textContent('.toolbar .title')) ?? '', /^W @ x, scalar by scalar/);

    // Stepping inside: the backward pass starts from ∂L/∂out, then the scalar multiply-adds.
    const inDrill = (await pp.posted()).length;
    await pp.page.keyboard.press('ArrowRight');
    assert.match(await chainText(pp), /Backward step 1 of 11: StackBackward0 at out/);
    await pp.page.keyboard.press('End');
    assert.match(await chainText(pp), /Backward step 11 of 11: MulBackward0 at W\[0,0\]·x\[0\]/);
    assert.deepEqual(await formulaText(pp), [
      '∂L/∂W[0,0] += ∂L/∂(W[0,0]·x[0]) · ∂(W[0,0]·x[0])/∂W[0,0] = (-1.4)·(1.0) = -1.4',
    ]);
    await pp.page.keyboard.press('ArrowLeft');
    assert.deepEqual(await formulaText(pp), [
      '∂L/∂W[0,1] += ∂L/∂(W[0,1]·x[1]) · ∂(W[0,1]·x[1])/∂W[0,1] = (-1.4)·(2.0) = -2.8',
    ]);
    // KaTeX drew it: W[0,1]·x[1] as TeX, with the numbers.
    assert.match((await pp.page.textContent('#chain .formula .katex-html')) ?? '', /W\[0,1\]⋅x\[1\]/);
    await pp.page.click(`g.node[data-index="0"]`);
    await shot(pp, 'drill-matmul-dark');
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(
      (await pp.posted()).slice(inDrill).map((m) => m.type),
      [],
      'no step or select reaches the host from a scalar view',
    );

    // Escape: the whole graph, at the step it was on, and the host hears that position again.
    await pp.page.keyboard.press('Escape');
    await waitUntil(pp.page, `document.querySelector('#drill-bar').hidden`);
    assert.equal(await pp.page.locator('g.node').count(), main.nodes.length);
    assert.equal(await position(pp), where);
    assert.equal(await chainText(pp), chainBefore);
    const n = Number(where.split('/')[0].trim());
    await waitUntil(pp.page, `window.__posted.slice(${inDrill}).some((m) => m.type === 'step' && m.index === ${n})`);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('D on a focused node, the "Scalar view" button, the back button; a new view ends drill mode; a stale answer is ignored', async () => {
    const pp = await open(browser);
    // D on a focused drillable node.
    let since = (await pp.posted()).length;
    await pp.page.focus(`g.node[data-index="${MATMUL}"]`);
    await pp.page.keyboard.press('d');
    await answerDrill(pp, since);
    assert.equal(await pp.page.locator('g.node').count(), 20);
    await pp.page.click('#btn-drill-back');
    await waitUntil(pp.page, `document.querySelector('#drill-bar').hidden`);
    assert.equal(await pp.page.locator('g.node').count(), main.nodes.length);

    // D on a leaf does nothing.
    since = (await pp.posted()).length;
    const leaf = main.nodes.findIndex((n) => n.label === 'W');
    await pp.page.focus(`g.node[data-index="${leaf}"]`);
    await pp.page.keyboard.press('d');
    await pp.page.dblclick(`g.node[data-index="${leaf}"]`);
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(!(await pp.posted()).slice(since).some((m) => m.type === 'drill'));

    // The chain panel offers "Scalar view" at the backward step of a drillable node.
    const step = main.steps.findIndex((s) => s.node === MATMUL);
    await pp.send({ type: 'goTo', position: main.forward.length + step + 1 });
    await waitUntil(pp.page, `!!document.querySelector('#btn-scalar-view')`);
    assert.match(await chainText(pp), /MmBackward0|MvBackward0/);
    since = (await pp.posted()).length;
    await pp.page.click('#btn-scalar-view');
    await answerDrill(pp, since);
    assert.match(await chainText(pp), /Forward 20 of 20/);

    // The script changed: a new whole view arrives and drill mode ends, at the graph's step.
    await pp.send({ type: 'view', replyTo: null, view: main, position: null });
    await waitUntil(pp.page, `document.querySelector('#drill-bar').hidden`);
    assert.equal(await pp.page.locator('g.node').count(), main.nodes.length);
    assert.equal(await position(pp), `${main.forward.length + step + 1} / ${main.forward.length + main.steps.length}`);

    // An answer to an old request (or none) is not shown.
    await pp.send({ type: 'drillView', replyTo: 999, node: MATMUL, view: drillView(MATMUL) });
    await new Promise((r) => setTimeout(r, 100));
    assert.ok(await pp.page.evaluate(`document.querySelector('#drill-bar').hidden`));
    assert.equal(await pp.page.locator('g.node').count(), main.nodes.length);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });
});

async function shot(pp: PanelPage, name: string): Promise<void> {
  const dir = path.join(RESULTS_DIR, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await pp.page.screenshot({ path: path.join(dir, `${name}.png`) });
}
