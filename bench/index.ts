/**
 * `npm run bench`: throughput and memory of the autograd core next to a flat
 * typed-array tape (the JavaScript speed limit) and PyTorch (single thread,
 * through /usr/bin/python3 when it has torch). Prints one compact table.
 * These are measurements, not tests: nothing here asserts on time.
 *
 * By default the script bundles itself with esbuild (as esbuild.mjs bundles
 * dist/) and runs the bundle in a child process: loaded from source by tsx,
 * every cross-module call goes through a CommonJS export getter, which makes
 * the scalar path about twice slower than the code that ships.
 *
 * Three parts, each in its own process (so that none warms up or pollutes
 * the JIT state of another): the core (scalar graph, matmul, MLP step),
 * the interpreter (course scripts of bench/scripts/ run by runScript,
 * against the same scripts exec'd by PyTorch) and the graph panel
 * (bench/panel.ts: view model and layout, then the built page in headless
 * Chromium; it prints "skipped: <reason>" when Chromium or the build is
 * missing).
 *
 * Flags (after `npm run bench --`): --no-torch, --no-bundle (measure the
 * tsx-loaded sources in this process), --only=core, --only=scripts or
 * --only=panel (one part), --runs=N (timed runs per workload, default 5; scripts run 2N+1),
 * --batch=N (scalar MLP batch, default 96), --torch-batch=N (batch of
 * PyTorch's scalar MLP, default the same; it runs at about 10⁵ nodes/s, so
 * the full size takes ~10 s a run). Panel: --panel-sizes=500,1000,… (node
 * counts, default 500,1000,2000,5000), --panel-root=DIR (serve dist/ and
 * media/ from DIR: another build of the page), --variants[=N,…] (also
 * measure rendering variants at N nodes, default 2000), --no-grouped (skip
 * the graphs as the page starts them grouped, over the threshold),
 * --variant-names=a,b (only these variants; see VARIANTS in bench/panel.ts).
 * See bench/README.md for what each figure means.
 */
import { buildSync } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as c from '../src/core';
import { FlatTape } from './flat-tape';
import { matmulCase, matmulFlops, MatmulShape, mlpCase, mlpFlops, MlpShape } from './matmul';
import {
  coreForward,
  coreGrads,
  coreModel,
  coreZeroGrad,
  flatForward,
  flatGrads,
  flatModel,
  makeData,
  nodeCount,
  ScalarMlpConfig,
} from './scalar-mlp';
import { benchPanel, panelUnavailable } from './panel';
import { outputDiff, SCRIPT_CASES, scriptPath, ScriptTiming, timeScript } from './scripts';

/** Debian's PyTorch imports only from the system interpreter; BACKPROP_BENCH_PYTHON overrides it. */
const PYTHON = process.env.BACKPROP_BENCH_PYTHON ?? '/usr/bin/python3';
/** Set in the bundled child: where the bench sources (torch_bench.py) live. */
const BENCH_DIR = process.env.BACKPROP_BENCH_DIR ?? __dirname;
const BUNDLED = process.env.BACKPROP_BENCH_DIR !== undefined;

const args = process.argv.slice(2);
function flag(name: string): string | undefined {
  for (const a of args) {
    if (a === `--${name}`) return '';
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}
const RUNS = Number(flag('runs') ?? 5);
const BATCH = Number(flag('batch') ?? 96);
const TORCH_BATCH = Number(flag('torch-batch') ?? BATCH);
const WITH_TORCH = flag('no-torch') === undefined;
const ONLY = flag('only');
if (ONLY !== undefined && ONLY !== 'core' && ONLY !== 'scripts' && ONLY !== 'panel')
  throw new Error('--only=core, --only=scripts or --only=panel');
/** Timed runs of each script (odd, so the median is one run). */
const SCRIPT_RUNS = 2 * RUNS + 1;

const gc: () => void =
  (globalThis as { gc?: () => void }).gc ??
  (() => {
    throw new Error('run with node --expose-gc (npm run bench does)');
  });

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const now = (): number => performance.now() / 1000;

function heapBytes(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

function cpuModel(): string {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('model name'));
    if (line) return line.split(':')[1].trim();
  } catch {
    // not Linux
  }
  return os.cpus()[0]?.model ?? 'unknown CPU';
}

interface Timing {
  /** Seconds, median of the timed runs. */
  median: number;
  /** Seconds, fastest run: the least disturbed by other processes on a busy machine. */
  best: number;
}

/** `runs` timed calls after `warmup` untimed ones, with a GC before each. */
function timeIt(fn: () => void, warmup: number, runs: number): Timing {
  for (let i = 0; i < warmup; i++) fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = now();
    fn();
    ts.push(now() - t0);
  }
  return { median: median(ts), best: Math.min(...ts) };
}

/**
 * Garbage-collection pauses on the main thread, from the `gc` performance
 * entries (delivered asynchronously, hence `settle`).
 */
class GcClock {
  private readonly entries: { start: number; end: number }[] = [];
  private readonly windows: { start: number; end: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) this.entries.push({ start: e.startTime, end: e.startTime + e.duration });
  });

  constructor() {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Counts GC inside [start, end) (performance.now() milliseconds). */
  window(start: number, end: number): void {
    this.windows.push({ start, end });
  }

  /** Fraction of the windows' time spent in GC, once pending entries have been delivered. */
  async settle(): Promise<number> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    this.observer.disconnect();
    let inGc = 0;
    let total = 0;
    for (const w of this.windows) {
      total += w.end - w.start;
      for (const e of this.entries) inGc += Math.max(0, Math.min(e.end, w.end) - Math.max(e.start, w.start));
    }
    return inGc / total;
  }
}

// ------------------------------------------------------------------ scalar

interface ScalarResult {
  nodes: number;
  forward: number;
  backward: number;
  bytesPerNode: number;
  loss: number;
  grads: Float64Array;
}

function benchCoreScalar(cfg: ScalarMlpConfig, gcClock: GcClock): ScalarResult {
  const data = makeData(cfg);
  const model = coreModel(data);
  // Node count as the core sees it: tensors created by the forward pass
  // (every one is a recorded op; the model creates no constants there).
  const before = c.tensorCount();
  let loss = coreForward(model, cfg);
  const nodes = c.tensorCount() - before;
  c.backward(loss);
  const fw: number[] = [];
  const bw: number[] = [];
  for (let i = 0; i < 2 + RUNS; i++) {
    coreZeroGrad(model);
    gc();
    const t0 = now();
    loss = coreForward(model, cfg);
    const t1 = now();
    c.backward(loss);
    const t2 = now();
    if (i >= 2) {
      fw.push(t1 - t0);
      bw.push(t2 - t1);
      gcClock.window(t0 * 1e3, t2 * 1e3);
    }
  }
  const grads = coreGrads(model);
  const lossValue = loss.at(0);
  // Memory retained by one forward graph.
  coreZeroGrad(model);
  loss = null as unknown as c.Tensor;
  gc();
  const base = heapBytes();
  const held = coreForward(model, cfg);
  gc();
  const bytes = heapBytes() - base;
  if (held.size !== 1) throw new Error('unreachable');
  return { nodes, forward: median(fw), backward: median(bw), bytesPerNode: bytes / nodes, loss: lossValue, grads };
}

function benchFlatScalar(cfg: ScalarMlpConfig): ScalarResult {
  const data = makeData(cfg);
  const model = flatModel(data);
  let root = flatForward(model, cfg);
  const nodes = root + 1 - model.leafEnd;
  model.tape.backward(root);
  const fw: number[] = [];
  const bw: number[] = [];
  for (let i = 0; i < 2 + RUNS; i++) {
    gc();
    const t0 = now();
    root = flatForward(model, cfg);
    const t1 = now();
    model.tape.backward(root);
    const t2 = now();
    if (i >= 2) {
      fw.push(t1 - t0);
      bw.push(t2 - t1);
    }
  }
  return {
    nodes,
    forward: median(fw),
    backward: median(bw),
    bytesPerNode: FlatTape.BYTES_PER_NODE,
    loss: model.tape.val[root],
    grads: flatGrads(model),
  };
}

function compare(a: ScalarResult, b: ScalarResult): string {
  let maxDiff = Math.abs(a.loss - b.loss);
  let identical = a.loss === b.loss && a.grads.length === b.grads.length;
  for (let i = 0; i < a.grads.length; i++) {
    const d = Math.abs(a.grads[i] - b.grads[i]);
    if (!(d <= maxDiff)) maxDiff = d;
    if (a.grads[i] !== b.grads[i]) identical = false;
  }
  return identical
    ? `identical (loss ${a.loss.toPrecision(10)}, ${a.grads.length} gradients)`
    : `MISMATCH: max |diff| ${maxDiff.toExponential(2)} (loss ${a.loss} vs ${b.loss})`;
}

// ------------------------------------------------------------------ dense

/** Share of `fn`'s time spent inside the backend's gemm. */
function gemmShare(fn: () => void, reps: number): number {
  const inner = c.backend();
  let inGemm = 0;
  c.setBackend({
    name: `${inner.name}+timer`,
    gemm(...a: Parameters<c.Backend['gemm']>) {
      const t0 = now();
      inner.gemm(...a);
      inGemm += now() - t0;
    },
  });
  try {
    fn();
    inGemm = 0;
    gc();
    const t0 = now();
    for (let i = 0; i < reps; i++) fn();
    return inGemm / (now() - t0);
  } finally {
    c.setBackend(inner);
  }
}

// ------------------------------------------------------------------ torch

interface TorchResult {
  version: string;
  threads: number;
  scalar: Timing;
  matmul: Timing;
  mlp: Timing;
}

/** PyTorch's figures for the scripts: seconds, as torch_bench.py reports them. */
interface TorchScripts {
  version: string;
  threads: number;
  scripts: { median: number; best: number; stdout: string }[];
}

type TorchOutcome<T> = { ok: true; r: T } | { ok: false; why: string };

/** Runs torch_bench.py with the sections in `cfg` (see its main()). */
function runTorch<T>(cfg: object): TorchOutcome<T> {
  if (!existsSync(PYTHON)) return { ok: false, why: `${PYTHON} not found` };
  const probe = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  if (probe.status !== 0)
    return { ok: false, why: `${PYTHON} has no torch (${probe.stderr.trim().split('\n').pop()})` };
  const res = spawnSync(PYTHON, [path.join(BENCH_DIR, 'torch_bench.py'), JSON.stringify(cfg)], {
    encoding: 'utf8',
    env: { ...process.env, OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' },
    maxBuffer: 1 << 24,
  });
  if (res.status !== 0) return { ok: false, why: `torch_bench.py failed: ${res.stderr.trim().split('\n').pop()}` };
  return { ok: true, r: JSON.parse(res.stdout.trim().split('\n').pop() as string) as T };
}

function runTorchCore(scalar: ScalarMlpConfig, mm: MatmulShape, mlp: MlpShape): TorchOutcome<TorchResult> {
  return runTorch<TorchResult>({
    scalar: { ...scalar, warmup: 1, runs: Math.min(RUNS, 3) }, // a full-size run takes ~10 s
    matmul: { ...mm, warmup: 3, runs: 4 * RUNS },
    mlp: { ...mlp, warmup: 3, runs: 4 * RUNS },
  });
}

// ------------------------------------------------------------------ report

const fmt = (x: number, digits = 3): string => (Number.isFinite(x) ? x.toPrecision(digits) : '—');
const si = (x: number): string =>
  x >= 1e9 ? `${fmt(x / 1e9)}G` : x >= 1e6 ? `${fmt(x / 1e6)}M` : x >= 1e3 ? `${fmt(x / 1e3)}k` : fmt(x);

function table(rows: string[][]): string {
  const w = rows[0].map((_h, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(w[i]) : cell.padStart(w[i]))).join('  ');
  return [line(rows[0]), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

/** Bundles this script and runs the bundle; returns false when running in place instead. */
function relaunchBundled(): boolean {
  if (BUNDLED || flag('no-bundle') !== undefined) return false;
  // Inside node_modules so that the bundle still resolves `esbuild` (left external).
  const dir = path.join(__dirname, '..', 'node_modules', '.cache', 'backprop-bench');
  mkdirSync(dir, { recursive: true });
  const outfile = path.join(dir, 'index.js');
  buildSync({
    entryPoints: [__filename],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'es2022',
    external: ['esbuild', 'playwright-core'],
    logLevel: 'warning',
  });
  const parts = ONLY !== undefined ? [[]] : [['--only=core'], ['--only=scripts'], ['--only=panel']];
  for (const [i, part] of parts.entries()) {
    if (i > 0) console.log('');
    const res = spawnSync(process.execPath, ['--expose-gc', outfile, ...args, ...part], {
      stdio: 'inherit',
      env: { ...process.env, BACKPROP_BENCH_DIR: __dirname },
    });
    if (res.status !== 0) {
      process.exitCode = res.status ?? 1;
      break;
    }
  }
  return true;
}

const load = () =>
  os
    .loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

function header(title: string, runs: string): void {
  console.log(title);
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpuModel()}, ${os.cpus().length} cores, load average ${load()} at start`);
  console.log(`runtime: node ${process.version} (V8 ${process.versions.v8}), backend '${c.backend().name}'`);
  console.log(`code:    ${BUNDLED ? 'esbuild bundle (as dist/ ships)' : 'sources loaded by tsx (--no-bundle)'}`);
  console.log(`runs:    ${runs}\n`);
}

async function main(): Promise<void> {
  if (relaunchBundled()) return;
  if (ONLY === undefined || ONLY === 'core') await mainCore();
  if (ONLY === undefined) console.log('');
  if (ONLY === undefined || ONLY === 'scripts') mainScripts();
  if (ONLY === undefined) console.log('');
  if (ONLY === undefined || ONLY === 'panel') await mainPanel();
}

const numbers = (s: string | undefined, dflt: number[]): number[] =>
  s === undefined || s === '' ? dflt : s.split(',').map((x) => Number(x.replace(/_/g, '')));

/** The graph panel part: host view model and layout, then the page in headless Chromium. */
async function mainPanel(): Promise<void> {
  const root = path.resolve(flag('panel-root') ?? path.join(BENCH_DIR, '..'));
  const why = panelUnavailable(root);
  const title = 'Backprop Debugger graph panel benchmark (host view model + page in headless Chromium)';
  if (why !== undefined) {
    console.log(`${title}\nskipped: ${why}`);
    return;
  }
  const paints = Math.min(RUNS, 3) | 1;
  header(
    title,
    `host median of 3 (layout 5); first paint median of ${paints}; steps median / p95 of 20; frames median / p95 over one gesture`,
  );
  const variants = flag('variants');
  await benchPanel({
    root,
    sizes: numbers(flag('panel-sizes'), [500, 1000, 2000, 5000]),
    paints,
    steps: 20,
    variantSizes: variants === undefined ? [] : numbers(variants, [2000]),
    grouped: flag('no-grouped') === undefined,
    variantSteps: 10,
    variants: flag('variant-names')?.split(','),
    gc,
  });
  console.log(`load average at end: ${load()}`);
}

/** The interpreter part: bench/scripts/*.py, ours against PyTorch's exec. */
function mainScripts(): void {
  header(
    'Backprop Debugger interpreter benchmark (course scripts, in process)',
    `median of ${SCRIPT_RUNS} timed runs after 1 warm-up, GC before each; ours runScript().runMs, PyTorch exec() with torch imported`,
  );
  const files = SCRIPT_CASES.map((s) => scriptPath(BENCH_DIR, s));
  const ours: ScriptTiming[] = files.map((f) => timeScript(f, SCRIPT_RUNS, gc));
  const torch = WITH_TORCH
    ? runTorch<TorchScripts>({ scripts: { paths: files, warmup: 1, runs: SCRIPT_RUNS } })
    : { ok: false as const, why: 'skipped (--no-torch)' };
  const t = torch.ok ? torch.r : null;
  const ms = (x: number) => `${fmt(x)} ms`;
  const rows: string[][] = [['script', 'nodes', 'ours median / best', 'torch median / best', 'torch/ours']];
  const notes: string[] = [];
  SCRIPT_CASES.forEach((s, i) => {
    const o = ours[i];
    const p = t ? t.scripts[i] : null;
    rows.push([
      `${s.file}: ${s.label}`,
      si(o.nodes),
      `${ms(o.median)} / ${ms(o.best)}`,
      p ? `${ms(p.median * 1e3)} / ${ms(p.best * 1e3)}` : '—',
      p ? `${fmt((p.median * 1e3) / o.median)}×` : '—',
    ]);
    if (p) {
      const diff = outputDiff(o.stdout, p.stdout);
      notes.push(`${s.file}: ${diff === '' ? 'same printed output as PyTorch' : `OUTPUT DIFFERS, ${diff}`}`);
    }
  });
  console.log(table(rows));
  console.log('');
  for (const n of notes) console.log(n);
  if (t) console.log(`torch ${t.version}, ${t.threads} thread(s); torch/ours ≥ 1: we are faster.`);
  else console.log(`torch: not measured — ${(torch as { why: string }).why}; the figures above are ours only.`);
  console.log(`load average at end: ${load()}`);
}

/** The core part: scalar graph, matmul and MLP step. */
async function mainCore(): Promise<void> {
  const scalarCfg: ScalarMlpConfig = { sizes: [16, 64, 64, 1], batch: BATCH, seed: 1234 };
  const torchScalarCfg: ScalarMlpConfig = { ...scalarCfg, batch: TORCH_BATCH };
  const mm: MatmulShape = { m: 256, k: 784, n: 128 };
  const mlp: MlpShape = { batch: 256, sizes: [784, 128, 10] };
  header(
    'Backprop Debugger core benchmark',
    `median of ${RUNS} timed runs (dense: ${4 * RUNS}) after warm-up, GC before each`,
  );

  // Dense first: its kernels are then measured before the scalar graphs
  // have made the shared elementwise code polymorphic (see README).
  const mmCase = matmulCase(mm);
  const mmT = timeIt(() => mmCase.step(), 3, 4 * RUNS);
  const mlpC = mlpCase(mlp);
  const mlpT = timeIt(() => mlpC.step(), 3, 4 * RUNS);
  const mlpGemm = gemmShare(() => mlpC.step(), 10);

  const gcClock = new GcClock();
  const expected = nodeCount(scalarCfg);
  const core = benchCoreScalar(scalarCfg, gcClock);
  const gcShare = await gcClock.settle();
  const flat = benchFlatScalar(scalarCfg);
  if (core.nodes !== expected || flat.nodes !== expected)
    console.log(`note: node counts differ (model ${expected}, core ${core.nodes}, flat ${flat.nodes})`);
  const check = compare(core, flat);

  const torch = WITH_TORCH
    ? runTorchCore(torchScalarCfg, mm, mlp)
    : { ok: false as const, why: 'skipped (--no-torch)' };
  const t = torch.ok ? torch.r : null;

  const coreSec = core.forward + core.backward;
  const coreRate = core.nodes / coreSec;
  const flatRate = flat.nodes / (flat.forward + flat.backward);
  const torchNodes = nodeCount(torchScalarCfg);
  const torchRate = t ? torchNodes / t.scalar.median : NaN;
  const gflops = (flops: number, s: number) => flops / s / 1e9;
  const mmG = gflops(matmulFlops(mm), mmT.median);
  const mlpG = gflops(mlpFlops(mlp), mlpT.median);
  const tmmG = t ? gflops(matmulFlops(mm), t.matmul.median) : NaN;
  const tmlpG = t ? gflops(mlpFlops(mlp), t.mlp.median) : NaN;
  const ratio = (x: number) => (Number.isFinite(x) ? `${fmt(x)}×` : '—');
  const ms = (s: number) => `${fmt(s * 1e3)} ms`;
  const times = (x: Timing) => `${fmt(x.median * 1e3)} / ${fmt(x.best * 1e3)} ms`;

  const rows: string[][] = [
    ['workload', 'metric', 'core', 'flat tape', 'torch', 'core/torch', 'core/flat'],
    [
      `scalar MLP ${scalarCfg.sizes.join('-')} ×${scalarCfg.batch}, f64 (${si(core.nodes)} nodes)`,
      'nodes/s fwd+bwd',
      si(coreRate),
      si(flatRate),
      t ? si(torchRate) : '—',
      ratio(coreRate / torchRate),
      ratio(coreRate / flatRate),
    ],
    ['', '  forward', ms(core.forward), ms(flat.forward), '', '', ''],
    ['', '  backward', ms(core.backward), ms(flat.backward), '', '', ''],
    ['', '  GC pauses', `${fmt(100 * gcShare, 2)}%`, '', '', '', ''],
    ['', 'bytes/node after fwd', fmt(core.bytesPerNode), fmt(flat.bytesPerNode), '', '', ''],
    [
      `matmul ${mm.m}×${mm.k} @ ${mm.k}×${mm.n} fwd+bwd, f32`,
      'GFLOP/s',
      fmt(mmG),
      '',
      fmt(tmmG),
      ratio(mmG / tmmG),
      '',
    ],
    ['', '  time: median / best', times(mmT), '', t ? times(t.matmul) : '—', '', ''],
    [
      `MLP ${mlp.sizes.join('-')} batch ${mlp.batch} fwd+bwd, f32, CE`,
      'GFLOP/s (matmul flops)',
      fmt(mlpG),
      '',
      fmt(tmlpG),
      ratio(mlpG / tmlpG),
      '',
    ],
    ['', '  time: median / best', times(mlpT), '', t ? times(t.mlp) : '—', '', ''],
    ['', '  share in gemm', `${fmt(100 * mlpGemm, 2)}%`, '', '', '', ''],
  ];
  console.log(table(rows));
  console.log(`\ncore vs flat tape: ${check}`);
  if (t)
    console.log(
      `torch ${t.version}, ${t.threads} thread(s); scalar MLP at batch ${torchScalarCfg.batch} (${si(torchNodes)} nodes), median of ${Math.min(RUNS, 3)}.`,
    );
  else console.log(`torch: not measured — ${(torch as { why: string }).why}; the figures above are ours only.`);
  console.log(`load average at end: ${load()} (on a busy machine medians inflate; best times are steadier)`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
