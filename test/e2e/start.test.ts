/**
 * `npm start` on a machine without desktop VS Code: scripts/start.mjs serves
 * code-server on 127.0.0.1 and prints a URL; that URL must open the
 * workbench on examples/ with the extension under development loaded.
 */
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import {
  answerDialog,
  EXTENSION_ID,
  freePort,
  readText,
  IS_CI,
  launchBrowser,
  missingPrerequisites,
  openFile,
  ROOT,
  runCommand,
  screenshot,
} from './helpers';

describe('npm start (code-server)', () => {
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  let state: string;
  let out = '';

  before(async function () {
    const missing = missingPrerequisites();
    if (missing) {
      if (IS_CI) throw new Error(`cannot run under CI: ${missing}`);
      console.log(`    SKIPPED: ${missing}`);
      this.skip();
    }
    state = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-start-'));
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
    if (child && child.exitCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM'); // start.mjs stops its code-server on SIGTERM
      await exited;
    }
    if (state) fs.rmSync(state, { recursive: true, force: true });
  });

  it('prints a 127.0.0.1 URL that opens examples/ with the extension loaded, and it runs in Restricted Mode', async () => {
    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, BACKPROP_START_STATE: state };
    child = spawn(
      process.execPath,
      [path.join(ROOT, 'scripts', 'start.mjs'), '--code-server', '--no-build', '--port', String(port)],
      {
        cwd: ROOT,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL printed within 60 s:\n${out}`)), 60_000);
      const onData = (d: Buffer) => {
        out += d.toString();
        const m = out.match(/^\s+(http:\/\/127\.0\.0\.1:\d+\/\?\S+)$/m);
        if (m) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      };
      child!.stdout!.on('data', onData);
      child!.stderr!.on('data', onData);
      child!.once('exit', (c) => reject(new Error(`start.mjs exited with ${c}:\n${out}`)));
    });
    assert.ok(url.startsWith(`http://127.0.0.1:${port}/`), url);

    browser = await launchBrowser();
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(url);
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
    assert.match((await page.title()) ?? '', /Extension Development Host/);
    // npm start keeps workspace trust on. The extension declares it works in
    // Restricted Mode, so answer "no": it must still activate.
    const question = await answerDialog(page, "No, I don't trust the authors");
    assert.match(question, /trust/i);
    assert.match(await readText(page, '.statusbar'), /Restricted Mode/);
    await openFile(page, 'exercise_chain_rule.py');
    await runCommand(page, 'Developer: Show Running Extensions');
    await page
      .locator('.runtime-extensions-editor .monaco-list-row', { hasText: EXTENSION_ID })
      .first()
      .waitFor({ timeout: 20_000 });
    await screenshot(page, 'start-code-server');
  });
});
