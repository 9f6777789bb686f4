/**
 * The interpreter benchmark: course-sized scripts (bench/scripts/*.py, plain
 * PyTorch code that runs unchanged under both engines) timed in process.
 *
 * Ours: `runScript(source).runMs` — parse, interpreter set-up and the run,
 * excluding process start-up and module loading — once untimed, then the
 * median of `runs` timed runs, with a GC before each. PyTorch's side is in
 * torch_bench.py (`scripts`): `exec` of the same source in a process that
 * has already imported torch, one thread, timing only the exec (which
 * includes CPython's compile of the source, as ours includes the parse).
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { runScript } from '../src/lang/run';

export interface ScriptCase {
  /** File name under bench/scripts/. */
  readonly file: string;
  /** What the table calls it. */
  readonly label: string;
}

export const SCRIPT_CASES: readonly ScriptCase[] = [
  { file: 'linear_1d.py', label: '1-D linear regression, 1000 epochs' },
  { file: 'mlp_2_16_16_1.py', label: 'tensor MLP 2-16-16-1 ×64, 300 epochs' },
  { file: 'micrograd_scalar.py', label: 'micrograd-style 2-8-8-1 of scalars ×16, 20 epochs' },
];

export interface ScriptTiming {
  /** Milliseconds. */
  readonly median: number;
  readonly best: number;
  /** What the script printed (the last run). */
  readonly stdout: string;
  /** Autograd nodes one run records. */
  readonly nodes: number;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function scriptPath(benchDir: string, c: ScriptCase): string {
  return path.join(benchDir, 'scripts', c.file);
}

/** Times one script under our interpreter: 1 warm-up, then `runs` timed runs (runMs), GC before each. */
export function timeScript(file: string, runs: number, gc: () => void): ScriptTiming {
  const source = readFileSync(file, 'utf8');
  const warm = runScript(source);
  if (!warm.ok) throw new Error(`${path.basename(file)}: ${warm.error?.type}: ${warm.error?.message}`);
  const ts: number[] = [];
  let last = warm;
  for (let i = 0; i < runs; i++) {
    gc();
    last = runScript(source);
    if (!last.ok) throw new Error(`${path.basename(file)}: ${last.error?.type}: ${last.error?.message}`);
    ts.push(last.runMs);
  }
  return { median: median(ts), best: Math.min(...ts), stdout: last.stdout, nodes: last.nodes.length };
}

/** '' when the two outputs are the same, else the first differing line of each. */
export function outputDiff(ours: string, theirs: string): string {
  if (ours === theirs) return '';
  const a = ours.split('\n');
  const b = theirs.split('\n');
  for (let i = 0; i < Math.max(a.length, b.length); i++)
    if (a[i] !== b[i]) return `line ${i + 1}: ours ${JSON.stringify(a[i] ?? '')}, torch ${JSON.stringify(b[i] ?? '')}`;
  return 'differs';
}
