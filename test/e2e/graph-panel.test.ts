/**
 * The graph panel in a real VS Code (code-server) in a real browser: open
 * the course exercise, see the CodeLens, run "Backprop: Show Graph", step
 * backward with the keyboard and read the chain-rule product in the panel;
 * select a node and see its source selected in the editor; screenshots of
 * the panel in the light, dark and high-contrast themes
 * (test-results/screenshots/graph-panel-*.png).
 */
import { strict as assert } from 'node:assert';
import type { Frame, Page } from 'playwright-core';
import {
  findFrameWith,
  IS_CI,
  missingPrerequisites,
  openFile,
  pick,
  runCommand,
  screenshot,
  startWorkbench,
  type Workbench,
} from './helpers';

const EXAMPLE = 'exercise_chain_rule.py';
/** dev (default): this folder as the extension under development; vsix: the packaged .vsix, installed. */
const mode = (process.env.E2E_EXTENSION ?? 'dev') as 'dev' | 'vsix';

/** The chain-rule lines as plain text (each line's accessible label). */
async function formulas(frame: Frame): Promise<string[]> {
  return frame.$$eval('#chain .formula', (els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

async function waitForText(frame: Frame, selector: string, re: RegExp, timeoutMs = 10_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const t = (await frame.textContent(selector).catch(() => null)) ?? '';
    if (re.test(t)) return t;
    if (Date.now() > end) throw new Error(`${selector} never matched ${re}: ${t}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function setTheme(page: Page, theme: string): Promise<void> {
  await runCommand(page, 'Preferences: Color Theme');
  await pick(page, theme, theme);
  await page.waitForTimeout(800);
}

describe(`graph panel in VS Code (code-server, extension from ${mode === 'dev' ? 'the development folder' : 'the .vsix'})`, function () {
  let wb: Workbench;
  let frame: Frame;

  before(async function () {
    const missing = missingPrerequisites();
    if (missing) {
      if (IS_CI) throw new Error(`cannot run under CI: ${missing}`);
      console.log(`    SKIPPED: ${missing}`);
      this.skip();
    }
    wb = await startWorkbench(mode);
  });

  after(async () => {
    await wb?.close();
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && wb)
      await screenshot(wb.page, `graph-panel-FAILED-${this.currentTest.title}`).catch(() => undefined);
  });

  it(`opens ${EXAMPLE}: a CodeLens sits above loss.backward()`, async () => {
    await openFile(wb.page, EXAMPLE);
    const lens = wb.page.locator('.editor-group-container.active .codelens-decoration a', {
      hasText: 'Step through backprop',
    });
    await lens.first().waitFor({ timeout: 30_000 });
    assert.equal(await lens.count(), 1);
  });

  it('"Backprop: Show Graph" opens the panel beside the editor with the graph of the backward() call', async () => {
    await runCommand(wb.page, 'Backprop: Show Graph');
    frame = await findFrameWith(wb.page, 'g.node', { timeoutMs: 60_000 });
    const end = Date.now() + 15_000;
    while ((await frame.locator('g.node').count()) < 12 && Date.now() < end) await wb.page.waitForTimeout(100);
    assert.equal(await frame.locator('g.node').count(), 12);
    assert.equal(await frame.locator('g.node.kind-param').count(), 3);
    await waitForText(frame, '#chain', /Forward 12 of 12/);
    const tab = wb.page.locator('.tabs-container .tab', { hasText: `Graph: ${EXAMPLE}` });
    assert.equal(await tab.count(), 1);
    assert.equal(await wb.page.locator('.editor-group-container').count(), 2, 'beside the editor: a second group');
  });

  it('steps backward with the keyboard and reads -31.0 in the chain-rule panel', async () => {
    await frame.click('#graph-host', { position: { x: 5, y: 5 } });
    await wb.page.keyboard.press('ArrowRight');
    await waitForText(frame, '#chain .chain-status', /Backward step 1 of 6/);
    for (let i = 0; i < 4; i++) await wb.page.keyboard.press('ArrowRight');
    await waitForText(frame, '#chain .chain-status', /Backward step 5 of 6: MulBackward0 at x \* w1/);
    assert.deepEqual(await formulas(frame), ['∂L/∂w1 += ∂L/∂(x * w1) · ∂(x * w1)/∂w1 = (-15.5)·(2.0) = -31.0']);
    const drawn = (await frame.textContent('#chain .formula .katex-html')) ?? '';
    assert.match(drawn, /\(−15\.5\)⋅\(2\.0\)=−31\.0/, 'KaTeX drew the product');
    await wb.page.keyboard.press('End');
    await waitForText(frame, '#chain .chain-status', /Backward step 6 of 6/);
    assert.match((await formulas(frame))[0], /= \(-15\.5\)·\(4\.0\) = -62\.0$/);
    await wb.page.keyboard.press('ArrowLeft');
    await waitForText(frame, '#chain .chain-status', /Backward step 5 of 6/);
    assert.match((await formulas(frame))[0], /-31\.0$/);
  });

  it('selecting a node selects its source range in the editor', async () => {
    const index = await frame.$$eval('g.node', (els) =>
      els.findIndex((e) => e.querySelector('text.label')?.textContent === 'x * w1'),
    );
    assert.ok(index >= 0);
    await frame.click(`g.node[data-index="${index}"]`);
    // The editor keeps the focus on the panel and draws the selection: on line 14, 6 characters wide.
    const where = `(() => {
      const ed = document.querySelector('.editor-group-container .monaco-editor');
      const sel = ed && ed.querySelector('.view-overlays .selected-text');
      if (!sel) return null;
      const line = [...ed.querySelectorAll('.margin-view-overlays .line-numbers')].find((e) => e.textContent.trim() === '14');
      return { selTop: sel.parentElement.style.top, lineTop: line && line.parentElement.style.top, width: sel.getBoundingClientRect().width };
    })()`;
    const end = Date.now() + 10_000;
    type Where = { selTop: string; lineTop: string; width: number };
    let got = (await wb.page.evaluate(where)) as Where | null;
    while (Date.now() < end && !(got && got.selTop === got.lineTop)) {
      await wb.page.waitForTimeout(100);
      got = (await wb.page.evaluate(where)) as Where | null;
    }
    if (!got) return assert.fail('no selection is drawn in the editor');
    assert.equal(got.selTop, got.lineTop, 'on line 14');
    assert.ok(got.width > 20, `six characters wide (${got.width}px)`);
  });

  it("the editor's cursor on a line marks that line's nodes in the panel", async () => {
    await runCommand(wb.page, 'View: Focus First Editor Group');
    await wb.page.keyboard.press('Control+g');
    await wb.page.locator('.quick-input-widget .quick-input-box input').waitFor({ state: 'visible' });
    await wb.page.keyboard.type('15');
    await wb.page.keyboard.press('Enter');
    // Line 15: loss = (y_hat - y)**2 — its two op nodes are marked, nothing else.
    const marked = async () =>
      frame.$$eval('g.node.line-hit', (els) => els.map((e) => e.querySelector('text.label')?.textContent ?? '').sort());
    const end = Date.now() + 10_000;
    while ((await marked()).length !== 2 && Date.now() < end) await wb.page.waitForTimeout(100);
    assert.deepEqual(await marked(), ['loss', 'y_hat - y']);
  });

  it("collapsing a line's group lays the graph out in the page's Web Worker (blob: worker under VS Code's webview)", async () => {
    const head = frame.locator('g.group-frame .frame-head').first();
    await head.click();
    const end = Date.now() + 15_000;
    while ((await frame.locator('g.group[data-group]').count()) !== 1 && Date.now() < end)
      await wb.page.waitForTimeout(100);
    assert.equal(await frame.locator('g.group[data-group]').count(), 1, 'one collapsed box');
    assert.equal(await frame.evaluate('document.body.dataset.layout'), 'worker');
    // Expand it again for the screenshots.
    await frame.locator('g.group[data-group]').first().click();
    const end2 = Date.now() + 15_000;
    while ((await frame.locator('g.group[data-group]').count()) !== 0 && Date.now() < end2)
      await wb.page.waitForTimeout(100);
    assert.equal(await frame.locator('g.group[data-group]').count(), 0);
  });

  it('the CodeLens reveals the same panel: one panel per document', async () => {
    await wb.page
      .locator('.editor-group-container .codelens-decoration a', { hasText: 'Step through backprop' })
      .first()
      .click();
    await wb.page.waitForTimeout(1000);
    assert.equal(await wb.page.locator('.tabs-container .tab', { hasText: `Graph: ${EXAMPLE}` }).count(), 1);
  });

  it('hides the side bar for the screenshots', async () => {
    await runCommand(wb.page, 'View: Toggle Primary Side Bar Visibility');
    await wb.page.waitForTimeout(500);
  });

  for (const [theme, name] of [
    ['Light Modern', 'light'],
    ['Dark Modern', 'dark'],
    ['Dark High Contrast', 'high-contrast'],
  ] as const) {
    it(`reads well in ${theme} (screenshot graph-panel-${name}.png)`, async () => {
      await setTheme(wb.page, theme);
      frame = await findFrameWith(wb.page, 'g.node', { timeoutMs: 30_000 });
      await waitForText(frame, '#chain .chain-status', /Backward step 5 of 6/);
      const cls = await frame.evaluate('document.body.className');
      assert.match(
        String(cls),
        name === 'light' ? /vscode-light/ : name === 'dark' ? /vscode-dark/ : /vscode-high-contrast/,
      );
      await screenshot(wb.page, `graph-panel-${mode === 'dev' ? '' : 'vsix-'}${name}`);
    });
  }

  it('comes back after a window reload, at the same step (WebviewPanelSerializer + page state)', async function () {
    this.timeout(120_000);
    await runCommand(wb.page, 'Developer: Reload Window');
    await wb.page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    frame = await findFrameWith(wb.page, 'g.node', { timeoutMs: 60_000 });
    await waitForText(frame, '#chain .chain-status', /Backward step 5 of 6/, 30_000);
    assert.match((await formulas(frame))[0], /-31\.0$/);
    assert.equal(await wb.page.locator('.tabs-container .tab', { hasText: `Graph: ${EXAMPLE}` }).count(), 1);
  });
});
