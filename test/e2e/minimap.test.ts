/**
 * The minimap of a large graph, in headless Chromium under the panel's real
 * Content Security Policy (test/e2e/panel-page.ts): hidden for a small
 * graph, drawn for a big one (every node, the view's frame, the current
 * node), and a click on it moves the view there.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { GraphViewDTO } from '../../src/protocol/messages';
import { buildGraphView, runForPanel } from '../../src/session/graph-view';
import { mlpScript } from '../unit/panel/big-graphs';
import { EXAMPLES, RESULTS_DIR } from './helpers';
import { openPanelPage, waitUntil, usePageBrowser } from './panel-page';

let mlpView: GraphViewDTO | null = null;
const mlp = () => (mlpView ??= buildGraphView(runForPanel(mlpScript(4, 10, 12)), { title: 'mlp.py' }));
const exercise = () =>
  buildGraphView(runForPanel(fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8')));

/** Pixels of the minimap that are not transparent. */
const PAINTED = `(() => {
  const c = document.querySelector('canvas.minimap');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
  return n;
})()`;

describe('graph panel page: the minimap', function () {
  let browser: Browser;
  usePageBrowser((b) => (browser = b));

  it('a small graph has none', async () => {
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css', bodyClass: 'vscode-dark' });
    await pp.handshake(exercise());
    await pp.page.waitForSelector('g.node');
    assert.equal(await pp.page.locator('canvas.minimap').isHidden(), true);
    await pp.page.close();
  });

  it('a big graph: every node drawn with the view frame; a click there moves the view', async () => {
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css', bodyClass: 'vscode-dark' });
    await pp.handshake(mlp());
    await waitUntil(pp.page, `document.querySelectorAll('g.group[data-group]').length > 0`, 30_000);
    await pp.page.click('#btn-expandAll');
    await waitUntil(pp.page, `document.querySelector('svg.graph').getAttribute('data-collapsed') === '0'`);
    await waitUntil(pp.page, `!document.querySelector('canvas.minimap').hidden`);
    await waitUntil(pp.page, `${PAINTED} > 500`);
    const box = await pp.page.locator('canvas.minimap').boundingBox();
    assert.ok(box && box.width > 40 && box.height > 20 && box.width <= 202 && box.height <= 142, JSON.stringify(box));
    // Readable zoom, then a click at the minimap's far right: the view jumps to the loss's end of the graph.
    await pp.page.keyboard.press('End');
    const before = await pp.page.getAttribute('svg.graph g.viewport', 'transform');
    await pp.page.mouse.click(box.x + box.width - 3, box.y + box.height / 2);
    await waitUntil(
      pp.page,
      `document.querySelector('svg.graph g.viewport').getAttribute('transform') !== ${JSON.stringify(before)}`,
    );
    const after = (await pp.page.getAttribute('svg.graph g.viewport', 'transform')) ?? '';
    const tx = Number(/translate\(([-\d.e]+)/.exec(after)?.[1]);
    const k = Number(/scale\(([-\d.e]+)/.exec(after)?.[1] ?? '1');
    const v = mlp();
    // The centre of the panel now shows a point near the right edge of the graph.
    const centreX = ((await pp.page.locator('#graph-host').boundingBox())?.width ?? 0) / 2;
    const graphX = (centreX - tx) / k;
    assert.ok(graphX > 0.8 * v.width, `centre at x=${graphX.toFixed(0)} of ${v.width.toFixed(0)}`);
    fs.mkdirSync(path.join(RESULTS_DIR, 'screenshots'), { recursive: true });
    await pp.page.screenshot({ path: path.join(RESULTS_DIR, 'screenshots', 'minimap-dark.png') });
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });
});
