/**
 * The graph panel's page outside VS Code, in headless Chromium: the built
 * dist/webview.js, dist/katex.css and media/panel.css served from a fake
 * origin, under the real Content Security Policy (the page comes from
 * src/extension/panel/html.ts, as in the extension), with a fake
 * acquireVsCodeApi that records what the page posts. Host messages are
 * delivered with window.postMessage, as VS Code delivers them.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { makeNonce, panelHtml } from '../../src/extension/panel/html';
import type { HostMessage } from '../../src/protocol/messages';
import { IS_CI, launchBrowser, missingPrerequisites, ROOT } from './helpers';

export const ORIGIN = 'https://panel.test';
export const DOC_KEY = '0123456789abcdef0123456789abcdef';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

/**
 * Waits until a JavaScript expression is true in the page. Polls from here
 * with page.evaluate (the DevTools protocol, which the page's CSP does not
 * govern): Playwright's own waitForFunction polls inside the page with
 * eval, which the panel's CSP forbids, as it should.
 */
export async function waitUntil(page: Page, expression: string, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface PanelPage {
  readonly page: Page;
  /** Messages the page posted to the "host", in order. */
  posted(): Promise<{ type: string; [k: string]: unknown }[]>;
  /** CSP violations seen by the page ("directive blockedURI"). */
  violations(): Promise<string[]>;
  /** Console errors and page errors. */
  readonly errors: string[];
  send(m: HostMessage): Promise<void>;
  /** Waits for the page's ready message and answers it with a view. */
  handshake(view: Extract<HostMessage, { type: 'view' }>['view'], position?: number | null): Promise<void>;
}

export interface PanelPageOptions {
  /** Extra stylesheet from test/e2e/fixtures (theme variables). */
  readonly themeCss?: string;
  readonly bodyClass?: string;
  readonly viewport?: { width: number; height: number };
  readonly reducedMotion?: boolean;
  /** State the page finds with getState() (a restored panel). */
  readonly state?: unknown;
  /** Served as dist/webview.js instead of the built page script (a test bundle, same nonce and CSP). */
  readonly script?: string;
  /** Run in the page before its script (after the fake acquireVsCodeApi), e.g. to take an API away. */
  readonly initScript?: string;
  /** Last change to the page's HTML (e.g. a CSP without a directive, to test a fallback). */
  readonly editHtml?: (html: string) => string;
}

export async function openPanelPage(browser: Browser, opts: PanelPageOptions = {}): Promise<PanelPage> {
  const page = await browser.newPage({
    viewport: opts.viewport ?? { width: 1200, height: 800 },
    reducedMotion: opts.reducedMotion ? 'reduce' : 'no-preference',
  });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const nonce = makeNonce();
  let html = panelHtml({
    cspSource: ORIGIN,
    nonce,
    scriptUri: `${ORIGIN}/dist/webview.js`,
    katexCssUri: `${ORIGIN}/dist/katex.css`,
    panelCssUri: `${ORIGIN}/media/panel.css`,
    docKey: DOC_KEY,
  });
  if (opts.themeCss)
    html = html.replace('</head>', `<link rel="stylesheet" href="${ORIGIN}/fixtures/${opts.themeCss}">\n</head>`);
  if (opts.bodyClass) html = html.replace('<body ', `<body class="${opts.bodyClass}" `);
  if (opts.editHtml) html = opts.editHtml(html);
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/' || url.pathname === '/index.html')
      return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    if (opts.script !== undefined && url.pathname === '/dist/webview.js')
      return route.fulfill({ status: 200, contentType: 'text/javascript', body: opts.script });
    const m = /^\/(dist|media|fixtures)\/([\w./-]+)$/.exec(url.pathname);
    const base = m ? (m[1] === 'fixtures' ? path.join(ROOT, 'test', 'e2e', 'fixtures') : path.join(ROOT, m[1])) : '';
    const file = m ? path.join(base, m[2]) : '';
    if (!m || !file.startsWith(base + path.sep) || !fs.existsSync(file))
      return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({
      status: 200,
      contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
      body: fs.readFileSync(file),
    });
  });
  // A string, not a function: tsx would add helpers to a function's source that the page does not have.
  await page.addInitScript({
    content: `(() => {
      const w = window;
      w.__posted = [];
      w.__csp = [];
      w.__state = ${JSON.stringify(opts.state ?? null)};
      document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(e.violatedDirective + ' ' + e.blockedURI));
      w.acquireVsCodeApi = () => ({
        postMessage: (m) => w.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => w.__state,
        setState: (s) => { w.__state = s; },
      });
    })();`,
  });
  if (opts.initScript) await page.addInitScript({ content: opts.initScript });
  await page.goto(`${ORIGIN}/`);
  const pp: PanelPage = {
    page,
    errors,
    posted: () => page.evaluate('window.__posted'),
    violations: () => page.evaluate('window.__csp'),
    // JSON round trip: what VS Code does to webview messages (NaN would become null).
    send: (m) => page.evaluate(`window.postMessage(JSON.parse(${JSON.stringify(JSON.stringify(m))}), '*')`),
    async handshake(view, position = null) {
      await waitUntil(page, `window.__posted.some((m) => m.type === 'ready')`);
      const ready = (await pp.posted()).find((m) => m.type === 'ready') as unknown as { id: number };
      await pp.send({ type: 'view', replyTo: ready.id, view, position });
    },
  };
  return pp;
}

/**
 * For a suite of page tests: launches headless Chromium before them and
 * closes it after, handing the browser to `use`. Without Chromium the suite
 * is skipped with the reason printed, except under CI, where that fails.
 */
export function usePageBrowser(use: (browser: Browser) => void): void {
  let browser: Browser | undefined;
  before(async function () {
    const missing = missingPrerequisites();
    if (missing && !fs.existsSync('/usr/bin/chromium') && !process.env.CHROMIUM_PATH) {
      if (IS_CI) throw new Error(`cannot run under CI: ${missing}`);
      console.log(`    SKIPPED: ${missing}`);
      this.skip();
    }
    if (!fs.existsSync(path.join(ROOT, 'dist', 'webview.js')))
      throw new Error('dist/webview.js is missing: npm run build');
    browser = await launchBrowser();
    use(browser);
  });
  after(async () => {
    await browser?.close();
  });
}
