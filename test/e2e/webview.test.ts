/**
 * The webview helpers, checked before the extension has a webview of its own:
 * first on a page built here with the same nesting as VS Code's webviews
 * (an iframe inside an iframe), then on a real webview of the workbench,
 * the built-in Markdown preview.
 */
import { strict as assert } from 'node:assert';
import type { Browser } from 'playwright-core';
import {
  findFrameWith,
  IS_CI,
  launchBrowser,
  missingPrerequisites,
  pressKeys,
  readText,
  runCommand,
  screenshot,
  setEditorLanguage,
  startWorkbench,
  type Workbench,
} from './helpers';

function skipWithoutPrerequisites(ctx: Mocha.Context): void {
  const missing = missingPrerequisites();
  if (!missing) return;
  if (IS_CI) throw new Error(`cannot run under CI: ${missing}`);
  console.log(`    SKIPPED: ${missing}`);
  ctx.skip();
}

// srcdoc attributes hold HTML-escaped HTML; two levels deep like a webview
// (workbench > webview host iframe > active-frame).
const inner =
  '<html><body><h1 id="title">Chain rule</h1><p class="product">(-15.5)&middot;(2.0) = -31.0</p></body></html>';
const outer = `<html><body><p class="outer">host</p><iframe id="active-frame" srcdoc="${inner.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe></body></html>`;
const page0 = `<html><body><p class="top">workbench</p><iframe class="webview" srcdoc="${outer.replace(/&/g, '&amp;').replace(/"/g, '&quot;')}"></iframe></body></html>`;

describe('webview helpers on nested frames', () => {
  let browser: Browser;
  before(async function () {
    skipWithoutPrerequisites(this);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  it('findFrameWith finds the innermost frame holding a selector, and readText reads it', async () => {
    const page = await browser.newPage();
    await page.setContent(page0);
    const frame = await findFrameWith(page, 'p.product', { timeoutMs: 5000 });
    assert.notEqual(frame, page.mainFrame());
    assert.equal(frame.parentFrame()?.parentFrame(), page.mainFrame(), 'two levels deep');
    assert.equal(await readText(frame, 'p.product'), '(-15.5)·(2.0) = -31.0');
    assert.equal(await readText(frame, '#title'), 'Chain rule');
    await page.close();
  });

  it('findFrameWith filters by text, and waits for a frame that appears later', async () => {
    const page = await browser.newPage();
    await page.setContent('<html><body><p>start</p></body></html>');
    const found = findFrameWith(page, 'h1', { hasText: /Chain/, timeoutMs: 5000 });
    await page.setContent(page0);
    const frame = await found;
    assert.equal(await readText(frame, 'h1'), 'Chain rule');
    await page.close();
  });

  it('findFrameWith names the frames it searched when nothing matches', async () => {
    const page = await browser.newPage();
    await page.setContent(page0);
    await assert.rejects(
      findFrameWith(page, 'h1', { hasText: 'no such text', timeoutMs: 500 }),
      /no frame holds h1 with text no such text after 500 ms/,
    );
    await page.close();
  });
});

describe('webview helpers on a real VS Code webview (Markdown preview)', () => {
  let wb: Workbench;
  before(async function () {
    skipWithoutPrerequisites(this);
    wb = await startWorkbench('dev');
  });
  after(async () => {
    await wb?.close();
  });

  it('finds the preview frame and reads the rendered heading', async () => {
    const { page } = wb;
    await runCommand(page, 'File: New Untitled Text File');
    await page.locator('.editor-group-container.active .monaco-editor textarea').first().waitFor({ timeout: 15_000 });
    await page.keyboard.type('# Backprop webview check\n\ndloss/dw1 = 2*(y_hat - y)*x\n');
    await setEditorLanguage(page, 'Markdown');
    await runCommand(page, 'Markdown: Open Preview to the Side');
    const frame = await findFrameWith(page, 'h1', { hasText: 'Backprop webview check', timeoutMs: 30_000 });
    assert.notEqual(frame, page.mainFrame());
    assert.equal((await readText(frame, 'h1')).trim(), 'Backprop webview check');
    assert.match(await readText(frame, 'p'), /dloss\/dw1 = 2\*\(y_hat - y\)\*x/);
    await screenshot(page, 'dev-webview-markdown-preview');
    await pressKeys(page, 'Escape');
  });
});
