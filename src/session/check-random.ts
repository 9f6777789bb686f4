/**
 * `backprop run --check-random N`: a hand-derived gradient formula can be
 * right at the exercise's values by accident. Re-run the script N times with
 * every requires-grad leaf set to random values, keep going after failed
 * asserts, and report the asserts about `.grad` that fail somewhere else:
 * "passes at the given values; fails at w1=0.73, w2=-1.2: got …, expected …".
 */
import * as c from '../core';
import { Rng } from '../lang/builtins/rng';
import { float32Repr, pyFloatRepr } from '../lang/pyfloat';
import { runScript, RunResult } from '../lang/run';

export interface RandomFailure {
  readonly line: number;
  readonly trial: number;
  /** `w1=0.73, w2=-1.2` */
  readonly at: string;
  readonly message: string;
}

export interface RandomCheck {
  readonly baseline: RunResult;
  readonly failures: readonly RandomFailure[];
  /** One line per grad assert: what the check found. */
  readonly lines: readonly string[];
}

/** Leaves requiring grad, by variable name, as `name=value` (first elements only for tensors). */
function leafValues(r: RunResult): string {
  const parts: string[] = [];
  for (const [name, v] of r.globals) {
    if (!(v instanceof c.Tensor) || !v.requiresGrad || !v.isLeaf) continue;
    const show = v.dtype === 'float32' ? float32Repr : pyFloatRepr;
    const vals = v.values().slice(0, 4).map(show);
    parts.push(`${name}=${v.size === 1 ? vals[0] : `[${vals.join(', ')}${v.size > 4 ? ', …' : ''}]`}`);
  }
  return parts.join(', ');
}

export function checkRandom(source: string, trials: number, seed = 1): RandomCheck {
  const baseline = runScript(source, { continueAfterAssert: true });
  const failures: RandomFailure[] = [];
  const rng = new Rng(seed);
  for (let k = 1; k <= trials; k++) {
    const r = runScript(source, {
      continueAfterAssert: true,
      prepare: (interp) => {
        interp.onRequiresGrad = (t) => {
          // Two decimals, so the report reads like a value a person would pick.
          for (let i = 0; i < t.size; i++) t.buf[t.off + i] = Math.round((rng.nextFloat() * 4 - 2) * 100) / 100;
        };
      },
    });
    const at = leafValues(r);
    for (const a of r.asserts) {
      if (!a.involvesGrad || a.passed) continue;
      if (failures.some((f) => f.line === a.range.line)) continue;
      const got = a.sides.length === 2 ? `: got ${a.sides[0].value}, expected ${a.sides[1].value}` : '';
      failures.push({ line: a.range.line, trial: k, at, message: `${a.message.replace(/^failed: /, '')}${got}` });
    }
  }
  const lines: string[] = [];
  const gradAsserts = baseline.asserts.filter((a) => a.involvesGrad);
  for (const a of gradAsserts) {
    const f = failures.find((x) => x.line === a.range.line);
    const base = a.passed ? 'passes at the given values' : 'fails at the given values';
    lines.push(
      f
        ? `line ${a.range.line}: ${base}; fails at ${f.at}${f.message.includes(': got') ? f.message.slice(f.message.indexOf(': got')) : ''}`
        : `line ${a.range.line}: ${base}; passes at ${trials} random points`,
    );
  }
  return { baseline, failures, lines };
}
