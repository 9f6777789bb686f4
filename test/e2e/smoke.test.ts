/**
 * E2E smoke test: a person's first minute with the extension, in a real
 * VS Code (code-server) in a real browser (headless Chromium).
 *
 * E2E_EXTENSION picks how the extension is loaded:
 *   dev  (default) this repository as the extension under development;
 *   vsix the packaged .vsix (npm run package), installed with
 *        `code-server --install-extension` into a fresh extensions folder.
 * Screenshots of the key states land in test-results/screenshots/.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  editorText,
  EXAMPLES,
  EXTENSION_DISPLAY_NAME,
  EXTENSION_ID,
  IS_CI,
  missingPrerequisites,
  openFile,
  readText,
  runCommand,
  screenshot,
  startWorkbench,
  VSIX,
  type Workbench,
} from './helpers';

const mode = (process.env.E2E_EXTENSION ?? 'dev') as 'dev' | 'vsix';
if (mode !== 'dev' && mode !== 'vsix') throw new Error(`E2E_EXTENSION must be dev or vsix, not ${mode}`);
const vsix = process.env.E2E_VSIX ?? VSIX;
const EXAMPLE = 'exercise_chain_rule.py';

describe(`E2E smoke (extension from ${mode === 'dev' ? 'the development folder' : path.basename(vsix)})`, function () {
  let wb: Workbench;

  before(async function () {
    const missing = missingPrerequisites();
    if (missing) {
      if (IS_CI) throw new Error(`cannot run under CI: ${missing}`);
      console.log(`    SKIPPED: ${missing}`);
      this.skip();
    }
    wb = await startWorkbench(mode, vsix);
  });

  after(async () => {
    await wb?.close();
  });

  afterEach(async function () {
    // A picture of the failure is the first thing to look at.
    if (this.currentTest?.state === 'failed' && wb)
      await screenshot(wb.page, `${mode}-FAILED-${this.currentTest.title}`).catch(() => undefined);
  });

  if (mode === 'vsix') {
    it('the package installed only the bundle, not the sources', () => {
      const installed = fs.readdirSync(wb.server.extensionsDir).filter((d) => d.startsWith(`${EXTENSION_ID}-`));
      assert.equal(installed.length, 1, `one ${EXTENSION_ID} in ${wb.server.extensionsDir}: ${installed}`);
      const dir = path.join(wb.server.extensionsDir, installed[0]);
      assert.ok(fs.existsSync(path.join(dir, 'dist', 'extension.js')), 'dist/extension.js is installed');
      for (const absent of ['src', 'test', 'node_modules', 'examples', 'tsconfig.json']) {
        assert.ok(!fs.existsSync(path.join(dir, absent)), `${absent} must not be in the package`);
      }
    });
  }

  it('opens the workbench on the examples/ folder', async () => {
    const explorer = await readText(wb.page, '.explorer-folders-view');
    for (const f of fs.readdirSync(EXAMPLES).filter((n) => n.endsWith('.py'))) {
      assert.ok(explorer.includes(f), `the explorer lists ${f}: ${explorer}`);
    }
    await screenshot(wb.page, `${mode}-1-workbench`);
  });

  it(`opens ${EXAMPLE} and the editor shows its text`, async () => {
    await openFile(wb.page, EXAMPLE);
    const firstLines = fs
      .readFileSync(path.join(EXAMPLES, EXAMPLE), 'utf8')
      .split(/\r?\n/)
      .filter((l) => l.trim() !== '')
      .slice(0, 3);
    const shown = await editorText(wb.page);
    for (const line of firstLines) assert.ok(shown.includes(line), `the editor shows "${line}"; it shows:\n${shown}`);
    // The status bar names the language the extension activates on.
    assert.match(await readText(wb.page, '.statusbar-item[id="status.editor.mode"]'), /Python/);
    await screenshot(wb.page, `${mode}-2-editor`);
  });

  it('the extension is running after a .py file opened (palette: Developer: Show Running Extensions)', async () => {
    await runCommand(wb.page, 'Developer: Show Running Extensions');
    // The list holds activated extensions only. A development extension is
    // listed by its id, an installed one by its display name.
    const name = new RegExp(`${EXTENSION_DISPLAY_NAME}|${EXTENSION_ID.replace(/\./g, '\\.')}`);
    const row = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: name });
    await row.first().waitFor({ timeout: 20_000 });
    const text = (await row.first().textContent()) ?? '';
    assert.match(text, /Activation/, `the row says it activated: ${text}`);
    await screenshot(wb.page, `${mode}-3-running-extensions`);
  });
});
