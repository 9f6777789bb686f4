/**
 * The script corpus against real PyTorch: every course-style script of
 * test/fixtures/scripts/*.py and examples/*.py runs through our interpreter
 * (runScript + runReport, in process) and through real PyTorch
 * (torch_scripts.py, one Python process for all scripts, each in a fresh
 * namespace with its stdout captured), and the two `backprop run --json`
 * reports must agree.
 *
 * What is compared, per script:
 *   - stdout, line by line (the rule for numbers is below). The number of
 *     lines must match; a missing or extra line is a difference (lines are
 *     aligned first, so it is reported once).
 *   - module-level variables: the same names; for tensors their shape,
 *     dtype and requiresGrad (exactly), value and grad (numbers as below;
 *     a missing .grad matches only a missing .grad); for Python values
 *     their value (numbers as below, strings and booleans exactly, lists
 *     element by element with the same lengths).
 *   - the executed asserts, in order: line and passed/failed (exactly); not
 *     the message.
 *   - the error that ended the script (AssertionError excepted, as in
 *     runReport): its Python type and line (exactly); not the message.
 *
 * Numbers in variables: NaN matches only NaN, +inf only +inf, -inf only
 * -inf; finite numbers e (PyTorch) and a (ours) match when
 *     |a - e| <= 1e-4 * max(|a|, |e|) + 1e-6 * m
 * where m is the largest finite |e| of the same tensor value (or the same
 * .grad); for a Python number m is 0. The second term only matters for
 * elements that cancel to (near) zero inside a tensor: sums taken in
 * another order leave a few float32 ulps of the tensor's scale there.
 *
 * Numbers in printed lines: each line is split into numeric tokens
 * (decimal numbers with an optional sign, point and exponent, and
 * nan/inf, not glued to a letter, digit, '_' or '.' on their left or to a
 * letter, digit or '_' on their right, so `w1`, `float32` and
 * `MulBackward0` are text) and the text between them. The text must match
 * exactly (spacing included). Two numeric tokens match when
 *   1. they are written alike: both have a decimal point or neither, both an
 *      exponent or neither, with the same exponent sign character and
 *      number of exponent digits (1e-05 is not 1e-5), and the same number of
 *      decimals, unless both have more than 8 significant digits (full-
 *      precision reprs of floats, whose trailing digits move with the last
 *      ulp), and
 *   2. their values agree: NaN with NaN, ±inf exactly, otherwise
 *      |a - e| <= 1e-4 * max(|a|, |e|) + u, where u is one unit in the last
 *      printed place when the token has at least 4 decimals (torch's
 *      4-digit tensor format and {x:.4f}-like specs round, so two values
 *      within rtol can print one unit apart), else 0.
 *
 * Without PyTorch: under CI (CI=true) the suite fails, so a broken CI image
 * cannot pass silently; on a developer machine without torch it is skipped
 * (torch is a large optional install most contributors do not need).
 * TORCH_PYTHON names the Python to use (default: /usr/bin/python3, else
 * python3 on PATH, whichever imports torch).
 *
 * The corpus itself is checked under PyTorch first: scripts named err_*.py
 * must end in an error, scripts named assert_fail_*.py in a failed assert,
 * and every other script must run to its end with all asserts passing.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScript } from '../../src/lang/run';
import { runReport } from '../../src/session/report';
import type { JsonNested, RunReport, VariableReport } from '../../src/session/report';
import { findTorchPython } from './torch';

const ROOT = path.join(__dirname, '..', '..');
const RUNNER = path.join(__dirname, 'torch_scripts.py');
const SCRIPT_DIRS = [path.join(ROOT, 'test', 'fixtures', 'scripts'), path.join(ROOT, 'examples')];

const RTOL = 1e-4;
const TENSOR_FLOOR = 1e-6;
const LONG_REPR_DIGITS = 8;
const ROUNDED_DECIMALS = 4;
const MAX_REPORTED = 40;

function corpus(): string[] {
  const files: string[] = [];
  for (const dir of SCRIPT_DIRS) {
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir).sort()) if (f.endsWith('.py')) files.push(path.join(dir, f));
  }
  return files;
}

const label = (file: string): string => path.relative(ROOT, file);

// ------------------------------------------------------------------ numbers

type Num = number | 'nan' | 'inf' | '-inf';

function decode(x: Num): number {
  if (x === 'nan') return NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  return x;
}

/** |a - e| <= RTOL * max(|a|, |e|) + abs, with NaN == NaN and infinities exact. */
function close(a: number, e: number, abs: number): boolean {
  if (Number.isNaN(a) || Number.isNaN(e)) return Number.isNaN(a) && Number.isNaN(e);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= RTOL * Math.max(Math.abs(a), Math.abs(e)) + abs;
}

function maxFinite(v: JsonNested | string | null | undefined): number {
  if (Array.isArray(v)) return v.reduce((m: number, x) => Math.max(m, maxFinite(x)), 0);
  if (typeof v === 'number' && Number.isFinite(v)) return Math.abs(v);
  return 0;
}

const show = (v: unknown): string => {
  const t = JSON.stringify(v);
  return t === undefined ? String(v) : t.length > 120 ? `${t.slice(0, 117)}...` : t;
};

/** Differences between nested values e (PyTorch) and a (ours), at most a few, as readable lines. */
function compareNested(
  out: string[],
  where: string,
  e: JsonNested | string | null | undefined,
  a: JsonNested | string | null | undefined,
  floor: number,
): void {
  if (Array.isArray(e) || Array.isArray(a)) {
    if (!Array.isArray(e) || !Array.isArray(a) || e.length !== a.length) {
      out.push(`${where}: expected ${show(e)}, got ${show(a)}`);
      return;
    }
    const before = out.length;
    for (let i = 0; i < e.length && out.length - before < 4; i++)
      compareNested(out, `${where}[${i}]`, e[i], a[i], floor);
    return;
  }
  const isNum = (x: unknown): x is Num => typeof x === 'number' || x === 'nan' || x === 'inf' || x === '-inf';
  if (isNum(e) && isNum(a)) {
    if (!close(decode(a), decode(e), floor)) out.push(`${where}: expected ${e}, got ${a}`);
    return;
  }
  if (e !== a) out.push(`${where}: expected ${show(e)}, got ${show(a)}`);
}

// ------------------------------------------------------------------- stdout

const NUMBER = /(?<![A-Za-z0-9_.])[-+]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)(?![A-Za-z0-9_])/g;

interface NumToken {
  readonly text: string;
  readonly value: number;
  readonly point: boolean;
  readonly decimals: number;
  /** Exponent as written without its digits' values: '' (none), 'e-dd', 'e+d', ... */
  readonly expForm: string;
  readonly exponent: number;
  readonly significant: number;
}

function numToken(text: string): NumToken {
  const body = text.replace(/^[-+]/, '');
  if (body === 'nan' || body === 'inf')
    return {
      text,
      value: body === 'nan' ? NaN : text.startsWith('-') ? -Infinity : Infinity,
      point: false,
      decimals: 0,
      expForm: '',
      exponent: 0,
      significant: 0,
    };
  const [mantissa, exp] = body.split(/[eE]/);
  const dot = mantissa.indexOf('.');
  const decimals = dot < 0 ? 0 : mantissa.length - dot - 1;
  const digits = mantissa.replace('.', '').replace(/^0+/, '');
  return {
    text,
    value: Number(text),
    point: dot >= 0,
    decimals,
    expForm: exp === undefined ? '' : `e${exp.replace(/\d/g, 'd')}`,
    exponent: exp === undefined ? 0 : Number(exp),
    significant: digits.length,
  };
}

function tokenize(line: string): { texts: string[]; nums: NumToken[] } {
  const texts: string[] = [];
  const nums: NumToken[] = [];
  let last = 0;
  for (const m of line.matchAll(NUMBER)) {
    const at = m.index ?? 0;
    texts.push(line.slice(last, at));
    nums.push(numToken(m[0]));
    last = at + m[0].length;
  }
  texts.push(line.slice(last));
  return { texts, nums };
}

/** Why two printed numbers do not match (the rule in the header), or null. */
function numberMismatch(e: NumToken, a: NumToken): string | null {
  if (Number.isNaN(e.value) || !Number.isFinite(e.value) || Number.isNaN(a.value) || !Number.isFinite(a.value))
    return close(a.value, e.value, 0) ? null : 'different values';
  if (e.point !== a.point) return 'written differently (decimal point)';
  if (e.expForm !== a.expForm) return 'written differently (exponent)';
  const long = e.significant > LONG_REPR_DIGITS && a.significant > LONG_REPR_DIGITS;
  if (e.decimals !== a.decimals && !long) return 'written differently (number of decimals)';
  const unit = e.decimals >= ROUNDED_DECIMALS ? 10 ** (e.exponent - e.decimals) : 0;
  return close(a.value, e.value, unit) ? null : 'values differ by more than the rule allows';
}

function compareLine(e: string, a: string): string | null {
  if (e === a) return null;
  const te = tokenize(e);
  const ta = tokenize(a);
  if (te.nums.length !== ta.nums.length || te.texts.some((t, i) => t !== ta.texts[i])) return 'text differs';
  for (let i = 0; i < te.nums.length; i++) {
    const why = numberMismatch(te.nums[i], ta.nums[i]);
    if (why !== null) return `number ${i + 1}: expected ${te.nums[i].text}, got ${ta.nums[i].text}: ${why}`;
  }
  return null;
}

/**
 * Lines of e (PyTorch) and a (ours) paired by a longest common subsequence
 * under compareLine, so that one missing or extra line is reported once
 * instead of shifting every later line. Unpaired runs are reported together;
 * runs of equal length line by line with the reason.
 */
function compareStdout(out: string[], e: string, a: string): void {
  const el = e.split('\n');
  const al = a.split('\n');
  const n = el.length;
  const m = al.length;
  const push = (i: number, j: number, why: string): void => {
    out.push(
      `stdout line ${i + 1} (printed line ${j + 1}): ${why}\n      expected ${show(el[i])}\n      printed  ${show(al[j])}`,
    );
  };
  if (n * m > 4_000_000) {
    // Too long to align: compare position by position.
    for (let i = 0; i < Math.min(n, m); i++) {
      const why = compareLine(el[i], al[i]);
      if (why !== null) push(i, i, why);
    }
    if (n !== m) out.push(`stdout: ${n} lines expected, ${m} printed`);
    return;
  }
  const matches = el.map((x) => al.map((y) => compareLine(x, y) === null));
  // best[i][j]: length of the longest paired subsequence of el[i..] and al[j..].
  const best = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      best[i][j] = matches[i][j] ? best[i + 1][j + 1] + 1 : Math.max(best[i + 1][j], best[i][j + 1]);
  let i = 0;
  let j = 0;
  const flush = (i0: number, i1: number, j0: number, j1: number): void => {
    if (i1 - i0 === j1 - j0) {
      for (let k = 0; k < i1 - i0; k++) push(i0 + k, j0 + k, compareLine(el[i0 + k], al[j0 + k]) ?? 'differs');
      return;
    }
    const lines = (ls: string[], from: number, to: number): string =>
      from === to
        ? '(none)'
        : ls
            .slice(from, to)
            .map((x) => `\n        ${show(x)}`)
            .join('');
    const span = (from: number, to: number): string =>
      to - from === 0 ? `no line (at line ${from + 1})` : to - from === 1 ? `line ${to}` : `lines ${from + 1}-${to}`;
    out.push(
      `stdout ${span(i0, i1)} expected, printed ${span(j0, j1)} instead:` +
        `\n      expected${lines(el, i0, i1)}\n      printed${lines(al, j0, j1)}`,
    );
  };
  let i0 = 0;
  let j0 = 0;
  while (i < n && j < m) {
    if (matches[i][j] && best[i][j] === best[i + 1][j + 1] + 1) {
      if (i0 < i || j0 < j) flush(i0, i, j0, j);
      i++;
      j++;
      i0 = i;
      j0 = j;
    } else if (best[i + 1][j] >= best[i][j + 1]) i++;
    else j++;
  }
  if (i0 < n || j0 < m) flush(i0, n, j0, m);
}

// ---------------------------------------------------------------- variables

function compareVariable(out: string[], name: string, e: VariableReport, a: VariableReport): void {
  const isTensor = (v: VariableReport): boolean => v.shape !== undefined;
  if (isTensor(e) !== isTensor(a)) {
    out.push(
      `${name}: expected ${isTensor(e) ? 'a tensor' : 'a Python value'}, got ${isTensor(a) ? 'a tensor' : 'a Python value'} (${show(a.value)})`,
    );
    return;
  }
  if (!isTensor(e)) {
    compareNested(out, name, e.value, a.value, 0);
    return;
  }
  if (show(e.shape) !== show(a.shape)) {
    out.push(`${name}.shape: expected ${show(e.shape)}, got ${show(a.shape)}`);
    return;
  }
  if (e.dtype !== a.dtype) out.push(`${name}.dtype: expected ${e.dtype}, got ${a.dtype}`);
  if (e.requiresGrad !== a.requiresGrad)
    out.push(`${name}.requires_grad: expected ${e.requiresGrad}, got ${a.requiresGrad}`);
  compareNested(out, name, e.value, a.value, TENSOR_FLOOR * maxFinite(e.value));
  const eg = e.grad ?? null;
  const ag = a.grad ?? null;
  if (eg === null || ag === null) {
    if (eg !== ag) out.push(`${name}.grad: expected ${show(eg)}, got ${show(ag)}`);
  } else compareNested(out, `${name}.grad`, eg, ag, TENSOR_FLOOR * maxFinite(eg));
}

function compareVariables(out: string[], e: Record<string, VariableReport>, a: Record<string, VariableReport>): void {
  for (const name of Object.keys(e)) {
    if (!(name in a)) out.push(`variable ${name}: missing (PyTorch has ${show(e[name].value)})`);
    else compareVariable(out, name, e[name], a[name]);
  }
  for (const name of Object.keys(a))
    if (!(name in e)) out.push(`variable ${name}: not a variable under PyTorch (ours ${show(a[name].value)})`);
}

// ----------------------------------------------------------- whole reports

function errorText(r: RunReport): string {
  return r.error ? `${r.error.type} at line ${r.error.line}` : 'no error';
}

function compareReports(e: RunReport, a: RunReport): string[] {
  const out: string[] = [];
  if ((e.error?.type ?? null) !== (a.error?.type ?? null) || (e.error?.line ?? null) !== (a.error?.line ?? null))
    out.push(
      `error: expected ${errorText(e)}, got ${errorText(a)}` +
        (a.error ? ` (${a.error.type}: ${a.error.message})` : '') +
        (e.error ? `\n      PyTorch: ${e.error.type}: ${e.error.message}` : ''),
    );
  const ea = e.asserts.map((x) => `line ${x.line} ${x.passed ? 'passed' : 'failed'}`);
  const aa = a.asserts.map((x) => `line ${x.line} ${x.passed ? 'passed' : 'failed'}`);
  if (ea.join() !== aa.join()) out.push(`asserts: expected [${ea.join(', ')}], got [${aa.join(', ')}]`);
  compareStdout(out, e.stdout, a.stdout);
  compareVariables(out, e.variables, a.variables);
  return out;
}

/** Every script's report under PyTorch, by path. */
function runTorch(python: string, files: readonly string[]): { version: string; reports: Map<string, RunReport> } {
  const r = spawnSync(python, [RUNNER, ...files], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 170000 });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`torch_scripts.py exited with ${r.status}:\n${r.stderr}`);
  const doc = JSON.parse(r.stdout) as { torch: string; results: { path: string; report: RunReport }[] };
  return { version: doc.torch, reports: new Map(doc.results.map((x) => [x.path, x.report])) };
}

function oursReport(file: string): RunReport {
  return runReport(runScript(fs.readFileSync(file, 'utf8')));
}

describe('script oracle: the printed-number rule', function () {
  const cases: [string, string, boolean][] = [
    ['tensor([0.1235, 2.0000])', 'tensor([0.1234, 2.0000])', true], // one unit apart after rounding
    ['tensor([0.1235, 2.0000])', 'tensor([0.1225, 2.0000])', false],
    ['tensor([1., 2.])', 'tensor([1.0000, 2.0000])', false],
    ['1e-05', '1e-5', false],
    ['1e-05', '1.0000e-05', false],
    ['0.30000000000000004', '0.3', false],
    ['0.09517889469861984', '0.0951788946986198', true],
    ['0.09517889469861984', '0.0951799', false],
    ['epoch   3', 'epoch 3', false],
    ['w1 = 3', 'w2 = 3', false],
    ['tensor(nan) inf -inf', 'tensor(nan) inf -inf', true],
    ['tensor(nan)', 'tensor(0.)', false],
    ['x = -0.0000', 'x = 0.0000', true],
    ['step 2: 90.0', 'step 2: 90.00001', false],
    ['grad_fn=<MulBackward0>', 'grad_fn=<MulBackward1>', false],
  ];
  for (const [e, a, ok] of cases)
    it(`${JSON.stringify(e)} vs ${JSON.stringify(a)}: ${ok ? 'match' : 'differ'}`, function () {
      const why = compareLine(e, a);
      if ((why === null) !== ok)
        throw new Error(`expected ${ok ? 'a match' : 'a difference'}, got ${why ?? 'a match'}`);
    });
});

describe('script corpus vs PyTorch (test/fixtures/scripts, examples)', function () {
  const files = corpus();
  let torch: Map<string, RunReport> = new Map();

  before(function () {
    const python = findTorchPython();
    if (python === null) {
      if (process.env.CI === 'true')
        throw new Error('PyTorch is not installed (CI=true): the script oracle cannot run');
      // No torch on this machine: skip (see the header).
      this.skip();
    }
    torch = runTorch(python, files).reports;
  });

  it('has at least 40 fixture scripts', function () {
    const fixtures = files.filter((f) => f.startsWith(SCRIPT_DIRS[0]));
    if (fixtures.length < 40) throw new Error(`only ${fixtures.length} scripts in test/fixtures/scripts`);
  });

  it('every script behaves under PyTorch as its name says', function () {
    const bad: string[] = [];
    for (const f of files) {
      const r = torch.get(f);
      if (!r) {
        bad.push(`${label(f)}: no result from torch_scripts.py`);
        continue;
      }
      const base = path.basename(f);
      const failed = r.asserts.some((x) => !x.passed);
      if (base.startsWith('err_') !== (r.error !== undefined)) bad.push(`${label(f)}: ${errorText(r)} under PyTorch`);
      if (base.startsWith('assert_fail_') !== failed)
        bad.push(`${label(f)}: ${failed ? 'an assert failed' : 'no assert failed'} under PyTorch`);
    }
    if (bad.length > 0) throw new Error(bad.join('\n'));
  });

  for (const file of files)
    it(label(file), function () {
      const expected = torch.get(file);
      if (!expected) throw new Error('no result from torch_scripts.py');
      const diffs = compareReports(expected, oursReport(file));
      if (diffs.length > 0) {
        const shown = diffs.slice(0, MAX_REPORTED);
        if (diffs.length > MAX_REPORTED) shown.push(`... and ${diffs.length - MAX_REPORTED} more differences`);
        throw new Error(`${diffs.length} difference(s) from PyTorch:\n  ${shown.join('\n  ')}`);
      }
    });
});
