/**
 * One run of a script: parse, interpret with budgets, collect what the CLI,
 * the panel and the debugger need (printed output, asserts, variables, the
 * recorded graph, backward calls), and turn any failure into a located
 * Python-style error instead of an exception.
 */
import type { Range } from './ast';
import { PySyntaxError } from './ast';
import { makeTorch } from './builtins/torch';
import { installPythonBuiltins } from './builtins/python';
import { PyException } from './errors';
import { AssertRecord, BackwardCall, DEFAULT_LIMITS, Interpreter, Limits } from './interpreter';
import { parse } from './parser';
import type { PyValue } from './values';
import type { Tensor } from '../core';

export interface RunOptions {
  readonly limits?: Partial<Limits>;
  /** Keep step records of every backward() call. */
  readonly recordBackward?: boolean;
  /** Called before the script starts, e.g. to seed or to install hooks. */
  readonly prepare?: (interp: Interpreter) => void;
  /** Record failed asserts and go on instead of stopping (--check-random). */
  readonly continueAfterAssert?: boolean;
}

export interface RunError {
  readonly type: string;
  readonly message: string;
  readonly range: Range | null;
  /** Python call stack at the error, outermost first. */
  readonly frames: readonly { name: string; range: Range }[];
}

export interface RunResult {
  readonly ok: boolean;
  readonly error: RunError | null;
  readonly stdout: string;
  readonly asserts: readonly AssertRecord[];
  readonly globals: ReadonlyMap<string, PyValue>;
  readonly backwardCalls: readonly BackwardCall[];
  /** Graph nodes recorded, in creation order, and the source range of each op site. */
  readonly nodes: readonly Tensor[];
  readonly sites: readonly Range[];
  readonly steps: number;
  readonly runMs: number;
}

function toRunError(e: PyException): RunError {
  return { type: e.pyType, message: e.message, range: e.range, frames: e.frames };
}

/** `File "x.py", line 9, col 5: NameError: name 'w3' is not defined` (columns 1-based). */
export function formatError(err: RunError, file = '<script>'): string {
  const where = err.range ? `, line ${err.range.line}, col ${err.range.col + 1}` : '';
  return `File "${file}"${where}: ${err.type}${err.message ? `: ${err.message}` : ''}`;
}

export function runScript(source: string, opts: RunOptions = {}): RunResult {
  const limits: Limits = { ...DEFAULT_LIMITS, ...(opts.limits ?? {}) };
  const t0 = performance.now();
  const interp = new Interpreter(source, limits, makeTorch, installPythonBuiltins);
  interp.recordBackward = opts.recordBackward ?? false;
  interp.assertsStop = !opts.continueAfterAssert;
  let error: RunError | null = null;
  try {
    opts.prepare?.(interp);
    const mod = parse(source);
    interp.run(mod);
  } catch (e) {
    if (e instanceof PySyntaxError) error = { type: e.pyType, message: e.message, range: e.range, frames: [] };
    else error = toRunError(interp.locate(e));
  }
  return {
    ok: error === null,
    error,
    stdout: interp.stdout,
    asserts: interp.asserts,
    globals: interp.globals.vars,
    backwardCalls: interp.backwardCalls,
    nodes: interp.nodes,
    sites: interp.sites,
    steps: interp.steps,
    runMs: performance.now() - t0,
  };
}
