/**
 * `backprop`: the headless entry point.
 *   backprop run FILE.py [--json] [--trace] [--check-random N]
 *   backprop demo [--json]
 * Exit codes of `run`: 0 the script ran and every assert passed, 1 an assert
 * failed, 2 an error (its message on stderr).
 */
import { readFileSync } from 'node:fs';
import * as c from './core';
import { formatError, runScript, RunResult } from './lang/run';
import { checkRandom } from './session/check-random';
import { runReport } from './session/report';
import { formatBackward, formatNode, formatTraceLines, formatValues } from './session/trace';

const USAGE = `usage: backprop run FILE.py [--json] [--trace] [--check-random N]
       backprop demo [--json]

  run      runs a PyTorch-style script with Backprop Debugger's own interpreter;
           prints its output and each assert's result.
             --json            one JSON object: variables, stdout, asserts, timing (see README)
             --trace           every backward step, one line per input of each node
             --check-random N  re-runs N times with the requires-grad leaves at random values
                               and re-checks every assert about a .grad
  demo     the course exercise y_hat = x**2 * w2 + x * w1 + b, loss = (y_hat - y)**2,
           traced through the autograd core step by step.`;

const say = (s: string): void => {
  process.stdout.write(s + '\n');
};

function named(t: c.Tensor, label: string): c.Tensor {
  t.meta = { ...(t.meta ?? {}), label };
  return t;
}

function demo(json: boolean): number {
  const leaf = (v: number, label: string, grad: boolean): c.Tensor => {
    const t = named(c.scalar(v), label);
    return grad ? c.requiresGrad_(t) : t;
  };
  const x = leaf(2, 'x', false);
  const y = leaf(3, 'y', false);
  const w1 = leaf(0.5, 'w1', true);
  const w2 = leaf(-1.5, 'w2', true);
  const b = leaf(0.25, 'b', true);
  const forward: c.Tensor[] = [];
  const prev = c.setOpListener((out, _op, recorded) => {
    if (recorded) forward.push(out);
  });
  let yHat: c.Tensor;
  let loss: c.Tensor;
  try {
    const t1 = named(c.mul(named(c.pow(x, 2), 'x**2'), w2), 'x**2*w2');
    const t2 = named(c.mul(x, w1), 'x*w1');
    const sum = named(c.add(t1, t2), 'x**2*w2 + x*w1');
    yHat = named(c.add(sum, b), 'ŷ');
    loss = named(c.pow(named(c.sub(yHat, y), 'ŷ − y'), 2), 'loss');
  } finally {
    c.setOpListener(prev);
  }
  const rec = c.backward(loss, { record: true }) as c.BackwardRecord;
  const residual = yHat.at(0) - y.at(0);
  const checks = [
    { name: 'w1', derived: 2 * residual * x.at(0), engine: w1.grad?.at(0) },
    { name: 'w2', derived: 2 * residual * x.at(0) ** 2, engine: w2.grad?.at(0) },
    { name: 'b', derived: 2 * residual, engine: b.grad?.at(0) },
  ];
  const ok = checks.every((k) => k.engine === Math.fround(k.derived));
  if (json) {
    const dto = (t: c.Tensor | null) => (t ? { shape: [...t.shape], values: t.values() } : null);
    say(
      JSON.stringify(
        {
          forward: forward.map((t) => ({ id: t.id, label: t.meta?.label, op: c.backwardNameOf(t), value: dto(t) })),
          steps: rec.steps.map((s) => ({
            node: s.node.id,
            backwardName: s.backwardName,
            upstream: dto(s.upstream),
            inputs: s.inputs.map((i) => ({
              input: i.input.id,
              derivative: i.derivative.text,
              local: dto(i.local),
              contribution: dto(i.contribution),
              before: dto(i.before),
              after: dto(i.after),
            })),
          })),
          checks,
          ok,
        },
        null,
        2,
      ),
    );
  } else {
    say('forward');
    for (const t of forward) say('  ' + formatNode(t));
    say('\nbackward');
    for (const line of formatBackward(rec, undefined, 'loss')) say('  ' + line);
    say('\nhand-derived gradients');
    for (const k of checks)
      say(
        `  ${k.engine === Math.fround(k.derived) ? 'PASS' : 'FAIL'}  ∂loss/∂${k.name}: derived ${formatValues(c.scalar(k.derived))}, engine ${k.engine === undefined ? 'None' : formatValues(c.scalar(k.engine))}`,
      );
  }
  return ok ? 0 : 1;
}

/** The error as Python shows it: location, the source line, carets under the range. */
function showError(r: RunResult, source: string, file: string): string {
  const err = r.error;
  if (!err) return '';
  const lines = [formatError(err, file)];
  if (err.range) {
    const text = source.split(/\r\n|\r|\n/)[err.range.line - 1] ?? '';
    const end = err.range.endLine === err.range.line ? err.range.endCol : text.length;
    lines.push('    ' + text.trimEnd());
    lines.push('    ' + ' '.repeat(err.range.col) + '^'.repeat(Math.max(1, end - err.range.col)));
  }
  return lines.join('\n');
}

interface RunFlags {
  json: boolean;
  trace: boolean;
  checkRandom: number | null;
}

function run(file: string, flags: RunFlags): number {
  let source: string;
  try {
    source = readFileSync(file, 'utf8');
  } catch (e) {
    process.stderr.write(`backprop: cannot read ${file}: ${(e as Error).message}\n`);
    return 2;
  }
  const r = runScript(source, { recordBackward: flags.trace });
  const failedAssert = r.error?.type === 'AssertionError' || r.asserts.some((a) => !a.passed);
  const code = r.error && r.error.type !== 'AssertionError' ? 2 : failedAssert ? 1 : 0;
  if (flags.json) say(JSON.stringify(runReport(r)));
  else {
    process.stdout.write(r.stdout);
    for (const a of r.asserts) say(`${a.passed ? 'PASS' : 'FAIL'} line ${a.range.line}: ${a.message.replace(/^(passed|failed): /, '')}`);
  }
  if (flags.trace && !flags.json) {
    const lineOf = (t: c.Tensor): number | null => (t.site >= 0 ? r.sites[t.site]?.line ?? null : null);
    const text = source.split(/\r\n|\r|\n/);
    // A tensor is named by its variable, else by the source of the expression that made it.
    const namer = (t: c.Tensor): string => {
      if (t.meta?.label) return t.meta.label;
      const s = t.site >= 0 ? r.sites[t.site] : undefined;
      if (s && s.line === s.endLine) return text[s.line - 1].slice(s.col, s.endCol);
      return t.op === null && t.size === 1 ? formatValues(t) : `${t.op?.name ?? 'tensor'}#${t.id}`;
    };
    r.backwardCalls.forEach((call, i) => {
      say(`backward #${i + 1}${call.range ? ` (line ${call.range.line})` : ''}`);
      if (call.record) for (const l of formatTraceLines(call.record, lineOf, namer)) say('  ' + l);
    });
  }
  if (code === 2) process.stderr.write(showError(r, source, file) + '\n');
  let checkCode = 0;
  if (flags.checkRandom !== null) {
    const chk = checkRandom(source, flags.checkRandom);
    for (const l of chk.lines) (flags.json ? process.stderr : process.stdout).write(`check-random ${l}\n`);
    if (chk.failures.length > 0) checkCode = 1;
  }
  return code === 0 ? checkCode : code;
}

function main(argv: string[]): number {
  const args = argv.slice(2);
  if (args.length === 0 || args.includes('-h') || args.includes('--help')) {
    say(USAGE);
    return args.length === 0 ? 2 : 0;
  }
  const [cmd, ...rest] = args;
  if (cmd === 'demo') return demo(rest.includes('--json'));
  if (cmd === 'run') {
    const flags: RunFlags = { json: false, trace: false, checkRandom: null };
    let file: string | null = null;
    for (let i = 0; i < rest.length; i++) {
      const a = rest[i];
      if (a === '--json') flags.json = true;
      else if (a === '--trace') flags.trace = true;
      else if (a === '--check-random') {
        const n = Number(rest[++i]);
        if (!Number.isInteger(n) || n < 1 || n > 10000) {
          process.stderr.write('backprop: --check-random needs a count from 1 to 10000\n');
          return 2;
        }
        flags.checkRandom = n;
      } else if (a.startsWith('-')) {
        process.stderr.write(`backprop: unknown option '${a}'\n${USAGE}\n`);
        return 2;
      } else if (file === null) file = a;
      else {
        process.stderr.write(`backprop: one script at a time (got '${file}' and '${a}')\n`);
        return 2;
      }
    }
    if (file === null) {
      process.stderr.write(`backprop: run needs a FILE.py\n${USAGE}\n`);
      return 2;
    }
    return run(file, flags);
  }
  process.stderr.write(`backprop: unknown command '${cmd}'\n${USAGE}\n`);
  return 2;
}

// A closed pipe (`backprop demo | head`) ends the program quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

process.exitCode = main(process.argv);
