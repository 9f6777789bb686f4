/**
 * Launcher (b), the one CI uses: runs the integration suite inside the
 * extension host of a real VS Code served by code-server 4.100.3, driven by
 * headless Chromium. No network needed.
 *
 *   node scripts/build-tests.mjs && node --require tsx/cjs test/integration/run-code-server.ts
 *   (npm run test:integration)
 *
 * The workbench URL carries extensionDevelopmentPath (this repository) and
 * extensionTestsPath (out/test/integration/index.js) in its `payload`; the
 * server starts an extension host with the extension under development and
 * calls index.js's run(), then ends that host. The host exits 0 even when
 * run() rejects, so the verdict comes from the results file that run()
 * writes to $BACKPROP_TEST_RESULTS (set here on the server's environment,
 * which the host inherits): missing, with failures, or with zero tests is a
 * failure.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { IntegrationResults } from './index';
import {
  EXAMPLES,
  IS_CI,
  launchBrowser,
  missingPrerequisites,
  openWorkbench,
  RESULTS_DIR,
  ROOT,
  screenshot,
  startCodeServer,
} from '../e2e/helpers';

const TESTS_ENTRY = path.join(ROOT, 'out', 'test', 'integration', 'index.js');
const RESULTS_FILE = path.join(RESULTS_DIR, 'integration', 'results.json');
const TIMEOUT_MS = Number(process.env.BACKPROP_INTEGRATION_TIMEOUT_MS ?? 300_000);

async function main(): Promise<number> {
  const missing = missingPrerequisites();
  if (missing) {
    if (IS_CI) {
      console.error(`[integration] FAILED: cannot run under CI: ${missing}`);
      return 1;
    }
    console.log(`[integration] SKIPPED: ${missing}`);
    return 0;
  }
  if (!fs.existsSync(TESTS_ENTRY)) {
    console.error(`[integration] ${TESTS_ENTRY} is missing: run node scripts/build-tests.mjs first`);
    return 1;
  }
  fs.rmSync(RESULTS_FILE, { force: true });

  const t0 = Date.now();
  const server = await startCodeServer({ env: { BACKPROP_TEST_RESULTS: RESULTS_FILE } });
  const browser = await launchBrowser();
  try {
    console.log(`[integration] code-server on ${server.origin}; loading the extension from ${ROOT}`);
    // A throwaway copy of examples/ (still named examples): the tests edit scripts, and an editor may
    // save them (a debug session saves before it starts); the repository's examples stay untouched.
    const workspace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-integration-')), 'examples');
    fs.cpSync(EXAMPLES, workspace, { recursive: true });
    const page = await openWorkbench(browser, server, {
      folder: workspace,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: TESTS_ENTRY,
    });
    // The extension host's console comes through the browser's. Our own summary
    // line is shown; everything with BACKPROP_E2E_VERBOSE=1 (mocha's spec
    // reporter arrives there with its format strings unexpanded).
    page.on('console', (msg) => {
      const text = msg.text().replace(/^%c\s*\w+\s+color: #\w+\s*/, '');
      if (process.env.BACKPROP_E2E_VERBOSE || text.startsWith('[integration]')) console.log(`  ${text}`);
    });
    // Wait for run() to write its results, or for the host to end without them.
    const end = Date.now() + TIMEOUT_MS;
    let hostExitedAt = 0;
    while (!fs.existsSync(RESULTS_FILE) && Date.now() < end) {
      if (!hostExitedAt && /Extension Host Process exited/.test(server.output())) hostExitedAt = Date.now();
      if (hostExitedAt && Date.now() - hostExitedAt > 3000) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    await screenshot(page, 'integration-workbench').catch(() => undefined);
  } finally {
    await browser.close().catch(() => undefined);
    await server.stop();
  }

  if (!fs.existsSync(RESULTS_FILE)) {
    console.error(
      `[integration] FAILED: no results file (the suite never ran, crashed, or did not finish within ${TIMEOUT_MS / 1000} s). code-server said:\n${server.output()}`,
    );
    return 1;
  }
  const results = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as IntegrationResults;
  for (const t of results.passes) console.log(`  ✓ ${t}`);
  for (const f of results.failures) console.log(`  ✗ ${f.title}\n    ${f.error.replace(/\n/g, '\n    ')}`);
  if (results.error) console.log(`  load error: ${results.error}`);
  const { tests, passes, failures, pending } = results.stats;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`[integration] code-server launcher, ${secs} s`);
  console.log(`integration: ${passes} passed, ${failures} failed, ${pending} skipped`);
  if (results.error || failures > 0) return 1;
  if (tests === 0 || passes === 0) {
    console.error('[integration] FAILED: the suite counted zero tests');
    return 1;
  }
  if (pending > 0 && IS_CI) {
    console.error('[integration] FAILED: skipped tests under CI');
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e) => {
    console.error('[integration] FAILED:', e);
    process.exit(1);
  },
);
