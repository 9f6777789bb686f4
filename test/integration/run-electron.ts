/**
 * Launcher (a), the convention for contributors with a network: runs the
 * same integration suite in desktop VS Code through @vscode/test-electron,
 * which downloads VS Code into .vscode-test/ on first use (so it cannot run
 * on the offline CI machines: CI uses run-code-server.ts).
 *
 *   npm run test:integration:electron
 *   (on a Linux machine without a display: xvfb-run -a npm run test:integration:electron)
 *
 * VSCODE_VERSION picks the VS Code build (default: the oldest the manifest
 * supports, engines.vscode; "stable" or "insiders" also work).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runTests } from '@vscode/test-electron';
import type { IntegrationResults } from './index';

const ROOT = path.resolve(__dirname, '..', '..');
const TESTS_ENTRY = path.join(ROOT, 'out', 'test', 'integration', 'index.js');
const RESULTS_FILE = path.join(ROOT, 'test-results', 'integration', 'results-electron.json');

async function main(): Promise<number> {
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
    engines: { vscode: string };
  };
  const version = process.env.VSCODE_VERSION ?? manifest.engines.vscode.replace(/^[\^~>=]+/, '');
  if (!fs.existsSync(TESTS_ENTRY)) {
    console.error(`${TESTS_ENTRY} is missing: run node scripts/build-tests.mjs first`);
    return 1;
  }
  fs.rmSync(RESULTS_FILE, { force: true });
  fs.mkdirSync(path.dirname(RESULTS_FILE), { recursive: true });
  // runTests adds --extensionDevelopmentPath, --extensionTestsPath, --disable-workspace-trust,
  // --skip-welcome and a fresh --user-data-dir / --extensions-dir under .vscode-test/.
  let failure: unknown;
  try {
    // A throwaway copy of examples/ (the tests edit scripts; see run-code-server.ts).
    const workspace = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-integration-')), 'examples');
    fs.cpSync(path.join(ROOT, 'examples'), workspace, { recursive: true });
    const code = await runTests({
      version,
      extensionDevelopmentPath: ROOT,
      extensionTestsPath: TESTS_ENTRY,
      extensionTestsEnv: { BACKPROP_TEST_RESULTS: RESULTS_FILE },
      launchArgs: [workspace, '--disable-extensions'],
    });
    if (code !== 0) failure = `VS Code exited with code ${code}`;
  } catch (e) {
    failure = e; // also what runTests throws when run() rejected (non-zero exit)
  }
  // Judge from the results file, as the code-server launcher does.
  if (!fs.existsSync(RESULTS_FILE)) {
    console.error(`[integration] FAILED: no results file ${RESULTS_FILE}`, failure ?? '');
    return 1;
  }
  const results = JSON.parse(fs.readFileSync(RESULTS_FILE, 'utf8')) as IntegrationResults;
  const { tests, passes, failures, pending } = results.stats;
  console.log(`[integration] @vscode/test-electron launcher, VS Code ${version}`);
  console.log(`integration: ${passes} passed, ${failures} failed, ${pending} skipped`);
  for (const f of results.failures) console.log(`  ✗ ${f.title}\n    ${f.error.replace(/\n/g, '\n    ')}`);
  if (failure || results.error || failures > 0) return 1;
  if (tests === 0 || passes === 0) {
    console.error('[integration] FAILED: the suite counted zero tests');
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
