/**
 * Driving a real VS Code in a real browser, offline: code-server 4.100.3
 * (installed by scripts/provision.mjs into .vscode-test/code-server/) serves
 * the workbench, Debian's Chromium shows it, playwright-core drives it.
 * Used by the E2E tests (test/e2e/) and by the integration launcher
 * (test/integration/run-code-server.ts). Nothing here downloads a browser or
 * VS Code: the browser is always /usr/bin/chromium (or $CHROMIUM_PATH).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';

export const ROOT = path.resolve(__dirname, '..', '..');
export const EXAMPLES = path.join(ROOT, 'examples');
export const RESULTS_DIR = path.join(ROOT, 'test-results');
export const CODE_SERVER_VERSION = '4.100.3'; // keep in step with scripts/code-server.mjs
export const CODE_SERVER_ENTRY = path.join(
  ROOT,
  '.vscode-test',
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const IS_CI = process.env.CI === 'true' || process.env.CI === '1';

const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
  publisher: string;
  name: string;
  version: string;
  displayName: string;
};
export const EXTENSION_ID = `${manifest.publisher}.${manifest.name}`;
export const EXTENSION_DISPLAY_NAME = manifest.displayName;
/** Where `npm run package` (vsce's default name) writes the package. */
export const VSIX = path.join(ROOT, `${manifest.name}-${manifest.version}.vsix`);

// ---------------------------------------------------------------- prerequisites

/** Why the real-VS Code suites cannot run here, or undefined when they can. */
export function missingPrerequisites(): string | undefined {
  const missing: string[] = [];
  // scripts/code-server.mjs writes .installed last, after a complete install.
  const marker = path.join(ROOT, '.vscode-test', 'code-server', '.installed');
  if (!fs.existsSync(CODE_SERVER_ENTRY) || !fs.existsSync(marker)) {
    missing.push(`code-server ${CODE_SERVER_VERSION} (in .vscode-test/code-server/)`);
  }
  if (!fs.existsSync(CHROMIUM)) missing.push(`Chromium (${CHROMIUM})`);
  if (!missing.length) return undefined;
  return `missing ${missing.join(' and ')}: run \`sudo node scripts/provision.mjs\` (or \`npm test\` as root)`;
}

// ---------------------------------------------------------------- code-server

export interface CodeServer {
  port: number;
  /** http://127.0.0.1:PORT */
  origin: string;
  userDataDir: string;
  extensionsDir: string;
  /** Everything the server printed so far. */
  output(): string;
  /** Resolves with the first match of `re` in the server's output. */
  waitForOutput(re: RegExp, timeoutMs: number): Promise<RegExpMatchArray>;
  stop(): Promise<void>;
}

export interface CodeServerOptions {
  /** Folder to open when the URL names none. */
  folder?: string;
  /** Extra environment for the server (the extension host inherits it). */
  env?: Record<string, string>;
  /** Extensions folder; a fresh empty one when omitted. */
  extensionsDir?: string;
  /** Workspace trust is off unless asked for. */
  workspaceTrust?: boolean;
  /** User settings (merged over quiet defaults). */
  settings?: Record<string, unknown>;
}

/** A port nobody listens on right now, on the loopback interface. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** The parent's environment without what would make code-server talk to another VS Code. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (k.startsWith('VSCODE_') || k === 'ELECTRON_RUN_AS_NODE') continue;
    env[k] = v;
  }
  return { ...env, ...extra };
}

const QUIET_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'chat.commandCenter.enabled': false,
  'git.enabled': false,
  'window.restoreWindows': 'none',
  'files.hotExit': 'off',
};

const liveServers = new Set<ChildProcess>();
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the server and the hosts it started, by our own group id
  } catch {
    /* already gone */
  }
}
process.on('exit', () => {
  for (const c of liveServers) killGroup(c, 'SIGKILL');
});

/** Starts code-server on 127.0.0.1 (auth none) and resolves once it answers /healthz. */
export async function startCodeServer(opts: CodeServerOptions = {}): Promise<CodeServer> {
  const why = missingPrerequisites();
  if (why && !fs.existsSync(CODE_SERVER_ENTRY)) throw new Error(why);
  const port = await freePort();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-code-server-'));
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = opts.extensionsDir ?? path.join(tmp, 'extensions');
  fs.mkdirSync(path.join(userDataDir, 'User'), { recursive: true });
  fs.mkdirSync(extensionsDir, { recursive: true });
  fs.writeFileSync(
    path.join(userDataDir, 'User', 'settings.json'),
    JSON.stringify({ ...QUIET_SETTINGS, ...(opts.settings ?? {}) }, null, 2),
  );
  const config = path.join(tmp, 'config.yaml'); // keeps ~/.config/code-server untouched
  fs.writeFileSync(config, 'auth: none\n');
  const args = [
    CODE_SERVER_ENTRY,
    '--config',
    config,
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-getting-started-override',
    ...(opts.workspaceTrust ? [] : ['--disable-workspace-trust']),
    ...(opts.folder ? [opts.folder] : []),
  ];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: cleanEnv(opts.env),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group, so stop() ends the hosts it starts too
  });
  liveServers.add(child);
  let out = '';
  const waiters: { re: RegExp; resolve: (m: RegExpMatchArray) => void }[] = [];
  const onData = (d: Buffer) => {
    out += d.toString();
    if (process.env.BACKPROP_E2E_VERBOSE) process.stderr.write(d);
    for (const w of [...waiters]) {
      const m = out.match(w.re);
      if (m) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const origin = `http://127.0.0.1:${port}`;
  const server: CodeServer = {
    port,
    origin,
    userDataDir,
    extensionsDir,
    output: () => out,
    waitForOutput(re, timeoutMs) {
      const m = out.match(re);
      if (m) return Promise.resolve(m);
      return new Promise((resolve, reject) => {
        const w = { re, resolve };
        waiters.push(w);
        setTimeout(() => {
          const i = waiters.indexOf(w);
          if (i >= 0) {
            waiters.splice(i, 1);
            reject(new Error(`timed out after ${timeoutMs} ms waiting for ${re} in code-server's output`));
          }
        }, timeoutMs).unref();
      });
    },
    async stop() {
      killGroup(child, 'SIGTERM');
      const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
      liveServers.delete(child);
      fs.rmSync(tmp, { recursive: true, force: true });
    },
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with code ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${origin}/healthz`);
      if (res.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      await server.stop();
      throw new Error(`code-server did not answer on ${origin} within 60 s:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return server;
}

/** Installs a .vsix with code-server's own CLI into an extensions folder. */
export function installVsix(vsix: string, extensionsDir: string): string {
  if (!fs.existsSync(vsix)) throw new Error(`${vsix} does not exist: run \`npm run package\` first`);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-install-'));
  try {
    const r = spawnSync(
      process.execPath,
      [
        CODE_SERVER_ENTRY,
        '--config',
        path.join(tmp, 'none.yaml'),
        '--user-data-dir',
        tmp,
        '--extensions-dir',
        extensionsDir,
        '--install-extension',
        vsix,
        '--force',
      ],
      { cwd: ROOT, env: cleanEnv(), encoding: 'utf8', timeout: 120_000 },
    );
    const log = `${r.stdout}\n${r.stderr}`;
    if (r.status !== 0 || !/successfully installed/i.test(log)) {
      throw new Error(`code-server --install-extension ${vsix} failed (exit ${r.status}):\n${log}`);
    }
    return log;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------- browser and workbench

export function launchBrowser(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: ${missingPrerequisites()}`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface WorkbenchOptions {
  /** Absolute folder to open. */
  folder?: string;
  /** Absolute path of an extension folder to load as under development. */
  extensionDevelopmentPath?: string;
  /** Absolute path of a tests module whose run() the extension host calls. */
  extensionTestsPath?: string;
}

/** The workbench URL; extension paths travel in the `payload` parameter as vscode-remote URIs. */
export function workbenchUrl(server: CodeServer, opts: WorkbenchOptions = {}): string {
  const remote = (p: string) => `vscode-remote://127.0.0.1:${server.port}${p}`;
  const payload: [string, string][] = [];
  if (opts.extensionDevelopmentPath) payload.push(['extensionDevelopmentPath', remote(opts.extensionDevelopmentPath)]);
  if (opts.extensionTestsPath) payload.push(['extensionTestsPath', remote(opts.extensionTestsPath)]);
  payload.push(['skipWelcome', 'true']);
  let url = `${server.origin}/?`;
  if (opts.folder) url += `folder=${encodeURI(opts.folder)}&`;
  return url + `payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

/** Opens the workbench in a new page and waits until it is drawn. */
export async function openWorkbench(browser: Browser, server: CodeServer, opts: WorkbenchOptions = {}): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  await page.goto(workbenchUrl(server, opts));
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  await page.waitForSelector('.part.statusbar', { timeout: 60_000 });
  if (opts.folder) {
    // The explorer lists the folder once the remote file system answers.
    await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 60_000 });
  }
  return page;
}

// ---------------------------------------------------------------- UI actions

/** Presses keys in order, e.g. pressKeys(page, 'Control+End', 'Enter'). */
export async function pressKeys(page: Page, ...keys: string[]): Promise<void> {
  for (const k of keys) await page.keyboard.press(k);
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * In the open quick input (palette, Quick Open, or a pick a command opened),
 * types `text`, waits for the row labelled exactly `label` and accepts it
 * with Enter (or with a click when fuzzy matching put another row first, e.g.
 * "File: Compare New Untitled Text Files" above "File: New Untitled Text File").
 */
export async function pick(page: Page, text: string, label: string): Promise<void> {
  const widget = page.locator('.quick-input-widget');
  const input = widget.locator('.quick-input-box input');
  await input.waitFor({ state: 'visible', timeout: 15_000 });
  await input.fill(text);
  const exactLabel = page.locator('.label-name', { hasText: new RegExp(`^\\s*${escapeRegExp(label)}\\s*$`) });
  const rows = widget.locator('.quick-input-list .monaco-list-row').filter({ has: exactLabel });
  await rows.first().waitFor({ state: 'visible', timeout: 15_000 });
  if ((await rows.and(widget.locator('.monaco-list-row.focused')).count()) > 0) await page.keyboard.press('Enter');
  else await rows.first().click();
  // Done when the widget closes, or shows another pick (a command such as
  // "Change Language Mode" opens its own): either way our text is gone.
  const end = Date.now() + 15_000;
  while ((await widget.isVisible()) && (await input.inputValue().catch(() => '')) === text) {
    if (Date.now() > end) throw new Error(`the quick input still shows "${text}" 15 s after accepting it`);
    await page.waitForTimeout(50);
  }
}

async function quickInput(page: Page, opener: string, text: string, label: string): Promise<void> {
  await page.keyboard.press(opener);
  await pick(page, text, label);
}

/** Runs a command from the palette: F1, type its title, Enter. */
export async function runCommand(page: Page, title: string): Promise<void> {
  await quickInput(page, 'F1', `>${title}`, title);
}

/** Opens a workspace file through Quick Open (Ctrl+P) and waits for its editor tab. */
export async function openFile(page: Page, fileName: string): Promise<void> {
  await quickInput(page, 'Control+P', fileName, fileName);
  await page.locator('.tabs-container .tab.active', { hasText: fileName }).waitFor({ timeout: 15_000 });
  await page.locator('.editor-group-container.active .monaco-editor .view-lines').waitFor({ timeout: 15_000 });
}

/** The visible text of the active editor (one string, lines joined by \n, plain spaces). */
export async function editorText(page: Page): Promise<string> {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines .view-line');
  const tops = await lines.evaluateAll((els) =>
    els.map((el) => {
      const e = el as unknown as { style: { top: string }; textContent: string | null };
      return { top: parseFloat(e.style.top) || 0, text: e.textContent ?? '' };
    }),
  );
  return tops
    .sort((a, b) => a.top - b.top)
    .map((l) => l.text.replace(/\u00a0/g, ' '))
    .join('\n');
}

/** The text content of the first element matching `selector` in a page or frame. */
export async function readText(target: Page | Frame, selector: string, timeoutMs = 15_000): Promise<string> {
  const loc = target.locator(selector).first();
  await loc.waitFor({ state: 'attached', timeout: timeoutMs });
  return (await loc.textContent()) ?? '';
}

/**
 * The frame that holds `selector` (optionally with `hasText` in it), searched
 * across all frames of the page, nested ones included: a webview's page sits
 * two iframes deep in the workbench. Polls until found or timed out.
 */
export async function findFrameWith(
  page: Page,
  selector: string,
  opts: { hasText?: string | RegExp; timeoutMs?: number } = {},
): Promise<Frame> {
  const timeoutMs = opts.timeoutMs ?? 15_000;
  const end = Date.now() + timeoutMs;
  for (;;) {
    for (const frame of page.frames()) {
      try {
        const loc = frame.locator(selector, opts.hasText === undefined ? {} : { hasText: opts.hasText });
        if ((await loc.count()) > 0) return frame;
      } catch {
        /* the frame went away while we looked */
      }
    }
    if (Date.now() > end) {
      throw new Error(
        `no frame holds ${selector}${opts.hasText !== undefined ? ` with text ${opts.hasText}` : ''} after ${timeoutMs} ms ` +
          `(frames: ${page
            .frames()
            .map((f) => f.url() || '(no url)')
            .join(', ')})`,
      );
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Texts of the notification toasts currently shown. */
export async function notifications(page: Page): Promise<string[]> {
  return page.locator('.notifications-toasts .notification-list-item-message').allTextContents();
}

/** Saves a PNG of the whole page under test-results/ and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  const file = path.join(RESULTS_DIR, 'screenshots', `${name.replace(/[^\w.-]+/g, '-')}.png`);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  await page.screenshot({ path: file });
  return file;
}

/** Sets the active editor's language through "Change Language Mode", e.g. 'Markdown'. */
export async function setEditorLanguage(page: Page, languageName: string): Promise<void> {
  await runCommand(page, 'Change Language Mode');
  await pick(page, languageName, languageName);
}

/**
 * Starts code-server with the extension loaded the way `mode` says and opens
 * the examples/ folder: 'dev' loads this repository as the extension under
 * development (payload extensionDevelopmentPath); 'vsix' installs the
 * packaged .vsix into a fresh extensions folder with `--install-extension`
 * and loads nothing from the repository.
 */
export interface Workbench {
  server: CodeServer;
  browser: Browser;
  page: Page;
  /** Closes the browser, stops code-server and removes their folders. */
  close(): Promise<void>;
}

export async function startWorkbench(mode: 'dev' | 'vsix', vsix = VSIX): Promise<Workbench> {
  let extensionsDir: string | undefined;
  const cleanup = () => extensionsDir && fs.rmSync(extensionsDir, { recursive: true, force: true });
  if (mode === 'vsix') {
    extensionsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-extensions-'));
    try {
      installVsix(vsix, extensionsDir);
    } catch (e) {
      cleanup();
      throw e;
    }
  }
  let server: CodeServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    cleanup();
  };
  try {
    server = await startCodeServer({ extensionsDir });
    browser = await launchBrowser();
    const page = await openWorkbench(browser, server, {
      folder: EXAMPLES,
      extensionDevelopmentPath: mode === 'dev' ? ROOT : undefined,
    });
    return { server, browser, page, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/** Waits for a modal dialog of the workbench and presses the button labelled `button`. */
export async function answerDialog(page: Page, button: string | RegExp, timeoutMs = 20_000): Promise<string> {
  const dialog = page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: timeoutMs });
  const message =
    (await dialog
      .locator('.dialog-message-text')
      .textContent()
      .catch(() => '')) ?? '';
  await dialog.locator('.monaco-button', { hasText: button }).first().click();
  await dialog.waitFor({ state: 'hidden', timeout: timeoutMs });
  return message;
}
