/**
 * The `backprop run --json` report: a public contract that instructors grade
 * exercises with (documented in the README). Numbers that JSON cannot hold
 * are written as the strings "nan", "inf" and "-inf".
 */
import * as c from '../core';
import type { RunResult } from '../lang/run';
import type { PyValue } from '../lang/values';
import { PyList, PyTuple } from '../lang/values';

export type JsonNumber = number | 'nan' | 'inf' | '-inf';
export type JsonNested = JsonNumber | boolean | JsonNested[];

export interface VariableReport {
  value: JsonNested | string;
  grad?: JsonNested | null;
  requiresGrad?: boolean;
  shape?: number[];
  dtype?: string;
}

export interface RunReport {
  variables: Record<string, VariableReport>;
  stdout: string;
  asserts: { line: number; passed: boolean; message: string }[];
  timing: { runMs: number };
  error?: { type: string; message: string; line: number | null; col: number | null };
}

export function jsonNumber(x: number): JsonNumber {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x;
}

/** A tensor's values as nested lists (a bare number for 0-dim); ints and bools as such. */
export function tensorJson(t: c.Tensor): JsonNested {
  const logical = t.meta?.logical;
  const cell = (v: number): JsonNested => (logical === 'bool' ? v !== 0 : jsonNumber(v));
  if (t.ndim === 0) return cell(t.at(0));
  let k = 0;
  const build = (d: number): JsonNested[] => {
    const out: JsonNested[] = [];
    for (let i = 0; i < t.shape[d]; i++) out.push(d === t.ndim - 1 ? cell(t.at(k++)) : build(d + 1));
    return out;
  };
  return build(0);
}

function plain(v: PyValue): JsonNested | string | undefined {
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number') return jsonNumber(v);
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string') return v;
  if (v instanceof PyList || v instanceof PyTuple) {
    const items = v.items.map(plain);
    if (items.every((x) => x !== undefined && typeof x !== 'string')) return items as JsonNested[];
  }
  return undefined;
}

/** Module-level variables: tensors in full, numbers (and lists of numbers) as {value}. */
export function variablesReport(globals: ReadonlyMap<string, PyValue>): Record<string, VariableReport> {
  const out: Record<string, VariableReport> = {};
  for (const [name, v] of globals) {
    if (name.startsWith('__')) continue;
    if (v instanceof c.Tensor) {
      out[name] = {
        value: tensorJson(v),
        grad: v.grad ? tensorJson(v.grad) : null,
        requiresGrad: v.requiresGrad,
        shape: [...v.shape],
        dtype: v.meta?.logical ?? v.dtype,
      };
      continue;
    }
    const p = plain(v);
    if (p !== undefined) out[name] = { value: p };
  }
  return out;
}

export function runReport(r: RunResult): RunReport {
  const report: RunReport = {
    variables: variablesReport(r.globals),
    stdout: r.stdout,
    asserts: r.asserts.map((a) => ({ line: a.range.line, passed: a.passed, message: a.message })),
    timing: { runMs: Math.round(r.runMs * 1000) / 1000 },
  };
  if (r.error && r.error.type !== 'AssertionError')
    report.error = {
      type: r.error.type,
      message: r.error.message,
      line: r.error.range?.line ?? null,
      col: r.error.range ? r.error.range.col + 1 : null,
    };
  return report;
}
