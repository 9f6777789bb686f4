/**
 * The integration suite's entry (extensionTestsPath), the same for both
 * launchers: VS Code's extension host loads this module and calls run().
 *
 * The extension host exits 0 whether run() resolves or rejects (under
 * code-server at least), so the verdict must travel another way: run()
 * writes mocha's outcome as JSON to the file named by BACKPROP_TEST_RESULTS
 * (the launchers set it on the VS Code process, whose extension host
 * inherits it), and the launcher fails when that file is missing, reports
 * failures, or counts no test at all.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

export interface IntegrationResults {
  stats: { tests: number; passes: number; failures: number; pending: number; duration: number };
  passes: string[];
  failures: { title: string; error: string }[];
  /** Set when the suite could not even be loaded. */
  error?: string;
}

function writeResults(results: IntegrationResults): void {
  const file = process.env.BACKPROP_TEST_RESULTS;
  if (!file) {
    console.error('[integration] BACKPROP_TEST_RESULTS is not set: the launcher cannot see this outcome');
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(results, null, 2));
}

export async function run(): Promise<void> {
  const results: IntegrationResults = {
    stats: { tests: 0, passes: 0, failures: 0, pending: 0, duration: 0 },
    passes: [],
    failures: [],
  };
  try {
    const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60_000, reporter: 'spec' });
    const files = fs
      .readdirSync(__dirname)
      .filter((f) => f.endsWith('.test.js'))
      .sort();
    for (const f of files) mocha.addFile(path.join(__dirname, f));
    await new Promise<void>((resolve) => {
      const runner = mocha.run(() => resolve());
      runner.on('pass', (t) => results.passes.push(t.fullTitle()));
      runner.on('fail', (t, err: Error) =>
        results.failures.push({ title: t.fullTitle(), error: (err && (err.stack || err.message)) || String(err) }),
      );
      runner.on('end', () => {
        const s = runner.stats;
        if (s)
          results.stats = {
            tests: s.tests,
            passes: s.passes,
            failures: s.failures,
            pending: s.pending,
            duration: s.duration ?? 0,
          };
      });
    });
  } catch (e) {
    results.error = e instanceof Error ? e.stack || e.message : String(e);
  }
  // A failure outside any test (a hook, a load error) counts as one too.
  results.stats.failures = Math.max(results.stats.failures, results.failures.length);
  writeResults(results);
  console.log(
    `[integration] ${results.stats.passes} passed, ${results.stats.failures} failed, ${results.stats.pending} pending` +
      (results.error ? ` (load error: ${results.error})` : ''),
  );
  if (results.error) throw new Error(results.error);
  if (results.stats.failures > 0) throw new Error(`${results.stats.failures} integration test(s) failed`);
}
