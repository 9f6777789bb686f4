/**
 * Grouping in the graph panel's page, in headless Chromium under the real
 * Content Security Policy (test/e2e/panel-page.ts): a big graph opens
 * grouped (a box per statement), boxes expand on click and Enter, frames
 * collapse them again, stepping works while collapsed, Expand all /
 * Collapse all (buttons and commands), collapsed state kept across a re-run,
 * the editor's cursor line marked, hostile labels shown as text, a step's
 * time at 2,000 nodes grouped and not, and screenshots in three themes.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { GraphViewDTO } from '../../src/protocol/messages';
import { buildGraphView, runForPanel } from '../../src/session/graph-view';
import { mlpScript } from '../unit/panel/big-graphs';
import { DEF_LOOP } from '../unit/panel/group-scripts';
import { EXAMPLES, RESULTS_DIR } from './helpers';
import { openPanelPage, waitUntil, type PanelPage, type PanelPageOptions, usePageBrowser } from './panel-page';

const exercise = () =>
  buildGraphView(runForPanel(fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8')), {
    title: 'exercise_chain_rule.py',
  });

let mlpView: GraphViewDTO | null = null;
const mlp = () => (mlpView ??= buildGraphView(runForPanel(mlpScript(4, 10, 12)), { title: 'mlp.py' }));

async function shot(pp: PanelPage, name: string): Promise<void> {
  const dir = path.join(RESULTS_DIR, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await pp.page.screenshot({ path: path.join(dir, `${name}.png`) });
}

const SETTLED = `!document.querySelector('svg.graph').classList.contains('layout-pending')`;
const VISIBLE_NODES = `[...document.querySelectorAll('g.node')].filter((g) => !g.hasAttribute('display')).length`;

async function count(pp: PanelPage, expr: string): Promise<number> {
  return (await pp.page.evaluate(expr)) as number;
}

async function boxes(pp: PanelPage): Promise<number> {
  return pp.page.locator('g.group[data-group]').count();
}

async function chainText(pp: PanelPage): Promise<string> {
  return (await pp.page.textContent('#chain')) ?? '';
}

describe('graph panel page: groups (grouping, collapse, cursor line)', function () {
  let browser: Browser;
  usePageBrowser((b) => (browser = b));

  const open = (opts: PanelPageOptions = {}) =>
    openPanelPage(browser, { themeCss: 'theme-dark.css', bodyClass: 'vscode-dark', ...opts });

  it('a big graph (2,031 nodes) opens grouped: a box per statement, laid out in the page', async function () {
    this.timeout(60_000);
    const v = mlp();
    assert.equal(v.grouped, true);
    const pp = await open({ viewport: { width: 1400, height: 900 } });
    await pp.handshake(v);
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === ${v.groups.length}`, 30_000);
    await waitUntil(pp.page, SETTLED);
    // Every node keeps its element (data-index, data-id), hidden inside its box; one node is outside any group.
    assert.equal(await pp.page.locator('g.node').count(), v.nodes.length);
    assert.equal(await count(pp, VISIBLE_NODES), 1);
    assert.equal(await pp.page.getAttribute('g.node[data-index="50"]', 'data-id'), String(v.nodes[50].id));
    assert.equal(await pp.page.locator('g.group-frame').count(), 0);
    // The box of the first hidden layer: its line, its size and its state, in words.
    const label = (await pp.page.getAttribute('g.group[data-group="2"]', 'aria-label')) ?? '';
    assert.match(
      label,
      /^group line 9: h = \[torch\.tanh\(sum\(\[w \* x for w, x in zip\(W\[j\], xs\)\]\)\) for…, 140 nodes, collapsed/,
    );
    assert.equal(await pp.page.getAttribute('g.group[data-group="2"]', 'aria-expanded'), 'false');
    assert.equal(await pp.page.textContent('g.group[data-group="2"] .ghead'), '▸ line 9');
    const ops = v.nodes.slice(v.groups[2].first, v.groups[2].last + 1).filter((n) => n.kind === 'op').length;
    assert.equal(await pp.page.textContent('g.group[data-group="2"] .gcount'), `${ops} ops`);
    // Opens at the end of the forward pass: the loss's box is the current one.
    assert.equal(await pp.page.locator('g.group.status-current').count(), 1);
    assert.equal(await pp.page.getAttribute('g.group.status-current', 'data-group'), String(v.groups.length - 1));
    // Grouping buttons are offered.
    assert.equal(await pp.page.isVisible('#btn-expandAll'), true);
    assert.equal(await pp.page.isVisible('#btn-collapseAll'), true);
    assert.equal(await pp.page.evaluate(`document.body.dataset.layout`), 'worker');
    await shot(pp, 'groups-mlp-grouped-dark');
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('expand and collapse: by click on a box and on a frame header, and by keyboard (Enter)', async () => {
    const v = exercise();
    assert.equal(v.grouped, false);
    const pp = await open();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    // Small graph: nothing collapsed, each group a faint frame with a header.
    assert.equal(await boxes(pp), 0);
    assert.equal(await pp.page.locator('g.group-frame').count(), 2);
    assert.equal(await pp.page.textContent('g.group-frame[data-frame="0"] .frame-label'), '▾ line 14');
    assert.equal(await pp.page.isVisible('#btn-expandAll'), true);
    // Click the header: the five nodes of line 14 become one box.
    await pp.page.click('g.group-frame[data-frame="0"] .frame-head');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group="0"]').length === 1`);
    assert.equal(await count(pp, VISIBLE_NODES), 12 - 5);
    for (let i = 5; i <= 9; i++)
      assert.equal(await pp.page.getAttribute(`g.node[data-index="${i}"]`, 'display'), 'none');
    assert.equal(await pp.page.locator('g.group-frame').count(), 1);
    assert.equal(
      await pp.page.getAttribute('g.group[data-group="0"]', 'aria-label'),
      'group line 14: y_hat = x**2 * w2 + x * w1 + b, 5 nodes, collapsed',
    );
    assert.equal(await pp.page.textContent('g.group[data-group="0"] .gtext'), 'y_hat = x**2 * w2 + x * w1 + b');
    assert.equal(await pp.page.textContent('g.group[data-group="0"] .gcount'), '4 ops');
    assert.equal(await pp.page.textContent('g.group[data-group="0"] .gprog'), 'y_hat = -4.75');
    // Edges into the box: one per input item (x, w2, w1, b), and out of it to y_hat - y.
    assert.equal(await pp.page.locator('path.edge').count(), 7);
    // Click the box: back as it was.
    await pp.page.click('g.group[data-group="0"]');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 0`);
    assert.equal(await count(pp, VISIBLE_NODES), 12);
    assert.equal(await pp.page.locator('path.edge').count(), 11);
    // Keyboard: Enter on the header collapses and focuses the box; Enter on the box expands and focuses the header.
    await pp.page.focus('g.group-frame[data-frame="1"] .frame-head');
    await pp.page.keyboard.press('Enter');
    await waitUntil(pp.page, `document.activeElement && document.activeElement.getAttribute('data-group') === '1'`);
    assert.equal(await count(pp, VISIBLE_NODES), 10);
    await pp.page.keyboard.press('Enter');
    await waitUntil(
      pp.page,
      `document.activeElement && document.activeElement.closest('g.group-frame[data-frame="1"]') !== null`,
    );
    assert.equal(await boxes(pp), 0);
    assert.equal(await count(pp, VISIBLE_NODES), 12);
    // The keys did not step the walk-through.
    assert.match(await chainText(pp), /Forward 12 of 12/);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('stepping while collapsed: the box shows its state, edges into it light up and carry the local gradient', async () => {
    const v = exercise();
    const pp = await open();
    await pp.handshake(v, 0);
    await pp.page.waitForSelector('g.node');
    await pp.page.click('g.group-frame[data-frame="0"] .frame-head');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group="0"]').length === 1`);
    const box = 'g.group[data-group="0"]';
    assert.match((await pp.page.getAttribute(box, 'class')) ?? '', /status-pending/);
    assert.equal(await pp.page.textContent(`${box} .gprog`), 'not computed yet');
    await pp.page.click('#graph-host', { position: { x: 5, y: 5 } });
    for (let k = 0; k < 7; k++) await pp.page.keyboard.press('ArrowRight');
    // Position 7: x**2 * w2, the second node of line 14, is being computed.
    assert.match((await pp.page.getAttribute(box, 'class')) ?? '', /status-current/);
    assert.equal(await pp.page.textContent(`${box} .gprog`), '2 of 5 computed');
    assert.equal(await pp.page.getAttribute(box, 'aria-current'), 'step');
    assert.equal(await pp.page.locator('path.edge.active').count(), 1, 'w2 → the box (x**2 is inside it)');
    await pp.page.keyboard.press('End');
    await pp.page.keyboard.press('ArrowLeft');
    // Backward step 5: x * w1 (inside the box) sends -31.0 to w1 over the edge box ← w1.
    assert.match(await chainText(pp), /Backward step 5 of 6: MulBackward0 at x \* w1, line 14/);
    assert.match((await pp.page.getAttribute(box, 'class')) ?? '', /status-current/);
    assert.equal(await pp.page.locator('path.edge.active.backward').count(), 1);
    assert.equal(await pp.page.textContent('g.edge-label text'), '∂ 2.0');
    const w1 = v.nodes.findIndex((n) => n.label === 'w1');
    assert.equal(await pp.page.textContent(`g.node[data-index="${w1}"] text.grad`), '∇ -31.0');
    assert.equal(await pp.page.textContent(`${box} .ggrad`), '∇ -15.5', '∂L/∂y_hat, the output of line 14');
    // Expanding while stepped keeps the step: the inner node is current.
    await pp.page.click(box);
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 0`);
    assert.equal(
      await pp.page.getAttribute('g.node.status-current', 'aria-label'),
      'multiply node x * w1, value 1.0, gradient -15.5',
    );
    assert.equal(await pp.page.locator('path.edge.active').count(), 1);
    assert.equal(await pp.page.textContent('g.edge-label text'), '∂ 2.0');
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('Expand all / Collapse all (buttons and commands); collapsed groups kept across a re-run of the same graph', async function () {
    this.timeout(60_000);
    const v = buildGraphView(runForPanel(DEF_LOOP), { title: 'def_loop.py' });
    const pp = await open();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    assert.equal(await boxes(pp), 0);
    await pp.page.click('#btn-collapseAll');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 1`);
    assert.equal(await count(pp, VISIBLE_NODES), 2, 'w and b, and one box for line 15');
    // Expanding the outer box shows the next level collapsed (its call, as one box).
    await pp.page.click('g.group[data-group="0"]');
    await waitUntil(pp.page, `document.querySelector('g.group[data-group="1"]') !== null`);
    assert.equal(await boxes(pp), 1);
    await pp.page.click('g.group[data-group="1"]');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 3`);
    assert.deepEqual(
      await pp.page.$$eval('g.group[data-group]', (els) => els.map((e) => e.getAttribute('data-group'))),
      ['2', '5', '8'],
    );
    // A re-run with the same graph: the same groups stay collapsed.
    const again = buildGraphView(runForPanel(DEF_LOOP.replace('0.5', '0.75')), { title: 'def_loop.py' });
    assert.equal(again.shapeKey, v.shapeKey);
    await pp.send({ type: 'view', replyTo: null, view: again, position: null });
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 3`);
    await pp.page.waitForTimeout(100);
    assert.equal(await boxes(pp), 3);
    // Commands from VS Code.
    await pp.send({ type: 'command', name: 'expandAll' });
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 0`);
    assert.equal(await count(pp, VISIBLE_NODES), v.nodes.length);
    await pp.send({ type: 'command', name: 'collapseAll' });
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 1`);
    // Another graph: its own default (small: nothing collapsed), and no buttons without groups.
    await pp.send({
      type: 'view',
      replyTo: null,
      view: buildGraphView(
        runForPanel('import torch\nw = torch.tensor(1.0, requires_grad=True)\ny = w * w\ny.backward()\n'),
      ),
      position: null,
    });
    await waitUntil(pp.page, `document.querySelectorAll('g.node').length === 2`);
    assert.equal(await boxes(pp), 0);
    assert.equal(await pp.page.isVisible('#btn-expandAll'), false);
    // Back to the first graph (as after a drill-down): its groups as they were left.
    await pp.send({ type: 'view', replyTo: null, view: v, position: null });
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 1`);
    assert.equal(await count(pp, VISIBLE_NODES), 2);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('the editor’s cursor line marks its nodes (and the box holding them)', async () => {
    const v = exercise();
    const pp = await open();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    await pp.send({ type: 'cursor', line: 14 });
    await waitUntil(pp.page, `document.querySelectorAll('g.node.line-hit').length === 5`);
    assert.deepEqual(await pp.page.$$eval('g.node.line-hit', (els) => els.map((e) => e.getAttribute('data-index'))), [
      '5',
      '6',
      '7',
      '8',
      '9',
    ]);
    assert.equal(await pp.page.locator('rect.hit-halo').count(), 5);
    // Visible in the theme: the halo has a stroke that is not the background.
    const stroke = await pp.page.evaluate(`getComputedStyle(document.querySelector('rect.hit-halo')).stroke`);
    assert.notEqual(stroke, 'none');
    // Stepping keeps the mark (a step rewrites a node's classes).
    await pp.page.click('#graph-host', { position: { x: 5, y: 5 } });
    await pp.page.keyboard.press('ArrowRight');
    assert.equal(await pp.page.locator('g.node.line-hit').count(), 5);
    await pp.send({ type: 'cursor', line: 15 });
    await waitUntil(pp.page, `document.querySelectorAll('g.node.line-hit').length === 2`);
    // Collapsed: the box of line 14 is marked when the cursor is on line 14.
    await pp.page.click('g.group-frame[data-frame="0"] .frame-head');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group="0"]').length === 1`);
    assert.equal(await pp.page.locator('g.group.line-hit').count(), 0);
    await pp.send({ type: 'cursor', line: 14 });
    await waitUntil(pp.page, `document.querySelectorAll('g.group.line-hit').length === 1`);
    assert.equal(await pp.page.locator('rect.hit-halo').count(), 1);
    await shot(pp, 'groups-cursor-line-collapsed-dark');
    await pp.send({ type: 'cursor', line: null });
    await waitUntil(pp.page, `document.querySelectorAll('.line-hit').length === 0`);
    assert.equal(await pp.page.locator('rect.hit-halo').count(), 0);
    // A line with no node, and one past the end: nothing marked, nothing breaks.
    await pp.send({ type: 'cursor', line: 3 });
    await pp.send({ type: 'cursor', line: 100000 });
    await pp.page.waitForTimeout(100);
    assert.equal(await pp.page.locator('.line-hit').count(), 0);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('hostile group labels are shown as text, never as markup', async () => {
    let dialogs = 0;
    const pp = await open();
    pp.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const evil = 'w1<img src=x onerror=alert(1)>';
    const v = exercise();
    const hostile: GraphViewDTO = {
      ...v,
      groups: v.groups.map((g, k) => (k === 0 ? { ...g, label: `line 14: ${evil}` } : { ...g, label: evil })),
    };
    await pp.handshake(hostile);
    await pp.page.waitForSelector('g.group-frame');
    await pp.page.click('#btn-collapseAll');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 2`);
    await pp.page.waitForTimeout(200);
    assert.equal(await pp.page.locator('img').count(), 0);
    assert.equal(dialogs, 0);
    for (const k of [0, 1]) {
      const text = (await pp.page.textContent(`g.group[data-group="${k}"] .gtext`)) ?? '';
      assert.ok(text.startsWith('w1<img src=x') && evil.startsWith(text.replace(/…$/, '')), text);
    }
    assert.match(
      (await pp.page.textContent('g.group[data-group="0"] title')) ?? '',
      /line 14: w1<img src=x onerror=alert\(1\)>/,
    );
    assert.match((await pp.page.getAttribute('g.group[data-group="1"]', 'aria-label')) ?? '', /^group w1<img src=x/);
    assert.deepEqual(await pp.violations(), []);
    await pp.page.close();
  });

  it('honours reduced motion: boxes and frames do not animate', async () => {
    const pp = await open({ reducedMotion: true });
    await pp.handshake(exercise());
    await pp.page.waitForSelector('g.group-frame');
    await pp.page.click('g.group-frame[data-frame="0"] .frame-head');
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group="0"]').length === 1`);
    assert.equal(
      await pp.page.evaluate(`getComputedStyle(document.querySelector('g.group')).transitionDuration`),
      '0s',
    );
    assert.equal(
      await pp.page.evaluate(`getComputedStyle(document.querySelector('g.group .gbox')).transitionDuration`),
      '0s',
    );
    await pp.page.close();
  });

  it('2,000 nodes: a step grouped and ungrouped stays well under 16 ms (measured, printed)', async function () {
    this.timeout(120_000);
    const v = mlp();
    const pp = await open({ viewport: { width: 1400, height: 900 } });
    await pp.handshake(exercise());
    await pp.page.waitForSelector('g.node');
    /** Sixteen steps around the end of the forward pass (as graph-page.test.ts measures), each timed to layout. */
    const round = async (): Promise<number[]> => {
      await pp.send({ type: 'goTo', position: v.forward.length - 3 });
      await waitUntil(
        pp.page,
        `/Forward ${v.forward.length - 3} of/.test(document.querySelector('#chain').textContent)`,
      );
      return (await pp.page.evaluate(`(() => {
        const times = [];
        for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowLeft', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowLeft', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight']) {
          const t = performance.now();
          window.dispatchEvent(new KeyboardEvent('keydown', { key }));
          document.body.getBoundingClientRect();
          times.push(performance.now() - t);
        }
        return times;
      })()`)) as number[];
    };
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    await pp.send({ type: 'view', replyTo: null, view: { ...v, grouped: false }, position: null });
    await waitUntil(pp.page, `document.querySelectorAll('g.node').length === ${v.nodes.length}`, 30_000);
    await waitUntil(pp.page, SETTLED);
    // Rounds alternate (ungrouped, grouped, …) so that a busy machine weighs on both alike.
    const times = { flat: [] as number[], grouped: [] as number[] };
    for (let r = 0; r < 3; r++) {
      await pp.send({ type: 'command', name: 'expandAll' });
      await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length === 0`, 30_000);
      times.flat.push(...(await round()));
      await pp.send({ type: 'command', name: 'collapseAll' });
      await waitUntil(
        pp.page,
        `document.querySelectorAll('g.group[data-group]').length === ${v.groups.length}`,
        30_000,
      );
      times.grouped.push(...(await round()));
    }
    const flat = median(times.flat);
    const grouped = median(times.grouped);
    console.log(
      `      ${v.nodes.length} nodes, a step (median of 48, forward and backward, to layout): ungrouped ${flat.toFixed(1)} ms, grouped (${v.groups.length} boxes) ${grouped.toFixed(1)} ms`,
    );
    assert.ok(flat < 40 && grouped < 40, 'far past the 16 ms budget: look at the figures above');
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  for (const [theme, bodyClass, css] of [
    ['dark', 'vscode-dark', 'theme-dark.css'],
    ['light', 'vscode-light', 'theme-light.css'],
    ['high-contrast', 'vscode-high-contrast', 'theme-high-contrast.css'],
  ] as const) {
    it(`screenshot: the grouped view, ${theme} theme`, async () => {
      const v = buildGraphView(runForPanel(DEF_LOOP), { title: 'def_loop.py' });
      const pp = await open({ themeCss: css, bodyClass, viewport: { width: 1280, height: 720 } });
      // Backward, at the step of the second neuron's tanh.
      const step = v.steps.findIndex((s) => v.nodes[s.node].label === 'torch.tanh(z)' && s.node > 10 && s.node < 17);
      await pp.handshake(v, v.forward.length + step + 1);
      await pp.page.waitForSelector('g.group-frame');
      // Calls of neuron() collapsed, the rest open: frames around the loop's iterations, boxes inside.
      for (const k of [3, 6, 9]) {
        // By keyboard: the header may be off screen at the first, readable zoom.
        await pp.page.focus(`g.group-frame[data-frame="${k}"] .frame-head`);
        await pp.page.keyboard.press('Enter');
        await waitUntil(pp.page, `document.querySelector('g.group[data-group="${k}"]') !== null`);
      }
      await pp.send({ type: 'cursor', line: 12 });
      await waitUntil(pp.page, `document.querySelectorAll('rect.hit-halo').length > 0`);
      await pp.page.waitForTimeout(300);
      assert.equal(await pp.page.locator('g.group.status-current').count(), 1);
      // At the first, readable zoom (centred on the current step), then the whole graph.
      await pp.page.click('#graph-host', { position: { x: 5, y: 5 } });
      await pp.page.keyboard.press('ArrowLeft');
      await pp.page.keyboard.press('ArrowRight');
      await pp.page.waitForTimeout(400);
      await shot(pp, `groups-def-loop-${theme}`);
      await pp.page.click('#btn-fit');
      await pp.page.waitForTimeout(400);
      await shot(pp, `groups-def-loop-fit-${theme}`);
      assert.deepEqual(await pp.violations(), []);
      assert.deepEqual(pp.errors, []);
      await pp.page.close();
    });
  }
});
