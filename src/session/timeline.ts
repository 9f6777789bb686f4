/**
 * Record, then navigate. A debug session runs its script once, to the end
 * or to its error, and records every place the debugger can stop:
 *
 *   statement  before each statement runs (with the Python call stack)
 *   op         after each tensor op inside a statement (the sub-expression's range)
 *   backward   one per graph node of each backward() call, in processing order
 *   error      where a Python error stopped the script
 *
 * Each stop keeps an immutable snapshot of what the Variables view shows
 * there. Runs are deterministic, so stepping, stepping back and reverse
 * continue are moves along this array (see stepper.ts), and a question about
 * a past moment (a hover, the Debug Console) is answered by running the
 * script again up to that stop and evaluating in the live interpreter
 * (`evaluateAtStop`): exact, and with the interpreter's own limits.
 *
 * Breakpoint conditions and logpoints are evaluated while recording, in the
 * live scope, with Interpreter.evaluate (no_grad, a step budget, no calls
 * that could change the run). When breakpoints change, the session records
 * again; the stops are the same, only their breakpoint marks change.
 */
import * as c from '../core';
import type * as A from '../lang/ast';
import { PySyntaxError } from '../lang/ast';
import { installPythonBuiltins } from '../lang/builtins/python';
import { makeTorch } from '../lang/builtins/torch';
import { PyException } from '../lang/errors';
import { DEFAULT_LIMITS, Interpreter, Limits } from '../lang/interpreter';
import { parse, parseExpression } from '../lang/parser';
import { repr, str, truthy } from '../lang/pyops';
import type { PyValue, Scope } from '../lang/values';
import { DisplayNode, hasNonFinite, oneLine, Snapshotter, SnapshotLimits, DEFAULT_SNAPSHOT_LIMITS } from './snapshot';

export type Range = A.Range;

export interface FrameView {
  readonly name: string;
  /** Where this frame is: the current location for the top frame, the call site below it. */
  readonly range: Range;
  /** Variables scopes of this frame, in order (e.g. Backward step, Locals, Globals). */
  readonly scopes: readonly {
    readonly name: string;
    readonly vars: readonly DisplayNode[];
    readonly expensive?: boolean;
  }[];
  /** Synthetic frame (the backward pass), not a Python function. */
  readonly synthetic?: boolean;
}

export type StopKind = 'statement' | 'op' | 'backward' | 'error';

export interface BreakpointMark {
  /** Line of the breakpoint that matched. */
  readonly line: number;
  /** True when the debugger should stop here (condition true and hit condition met, no logMessage). */
  readonly stop: boolean;
  /** The logpoint's message, interpolated, when it is a logpoint whose condition holds. */
  readonly log?: string;
  /** A condition or log expression failed: the message (the debugger stops and shows it). */
  readonly error?: string;
}

export interface Stop {
  readonly index: number;
  readonly kind: StopKind;
  /** What is being computed: a statement (its first line for compound ones), a sub-expression, a graph node's op. */
  readonly range: Range;
  /** 0 at module level; +1 per Python call; the backward pass is one level below its backward() call. */
  readonly depth: number;
  /** Top first. */
  readonly frames: readonly FrameView[];
  /** Length of the printed output before this stop. */
  readonly stdoutLength: number;
  /** Short description for the status and the golden transcript. */
  readonly description: string;
  /** Backward stops: which backward() call of the run, which step of it, how many steps it has. */
  readonly backward?: { readonly call: number; readonly step: number; readonly steps: number; readonly name: string };
  /** A NaN or inf is born here (in an op's result or in a gradient contribution). */
  readonly nan?: string;
  /** Error stops: the Python error. */
  readonly error?: { readonly type: string; readonly message: string };
  readonly breakpoint?: BreakpointMark;
}

export interface BreakpointSpec {
  readonly line: number;
  readonly condition?: string;
  readonly hitCondition?: string;
  readonly logMessage?: string;
}

export interface TimelineOptions {
  readonly limits?: Partial<Limits>;
  readonly breakpoints?: readonly BreakpointSpec[];
  /** Most stops recorded; the script is stopped there with a note. */
  readonly maxStops?: number;
  readonly snapshotLimits?: SnapshotLimits;
}

export interface Timeline {
  readonly stops: readonly Stop[];
  readonly stdout: string;
  /** The run's error, if it failed (a Python error, a syntax error or a budget). */
  readonly error: { readonly type: string; readonly message: string; readonly range: Range | null } | null;
  /** Notes for the user: stops cut, snapshot budget used. */
  readonly notes: readonly string[];
  /** Lines where a statement starts (1-based), for breakpoint verification. */
  readonly statementLines: ReadonlySet<number>;
  readonly lineCount: number;
}

export const DEFAULT_MAX_STOPS = 200_000;

class StopLimitReached extends Error {}
class Evaluated extends Error {
  constructor(readonly result: EvalResult) {
    super('evaluated');
  }
}

export interface EvalResult {
  readonly ok: boolean;
  /** repr of the value, or the error text. */
  readonly text: string;
  readonly node?: DisplayNode;
}

/** Compound statements stop at their header line only. */
function headRange(s: A.Stmt, lines: readonly string[]): Range {
  if (s.endLine === s.line) return s;
  switch (s.kind) {
    case 'If':
    case 'For':
    case 'While':
    case 'FunctionDef':
    case 'With':
      return { line: s.line, col: s.col, endLine: s.line, endCol: (lines[s.line - 1] ?? '').trimEnd().length };
    default:
      return s;
  }
}

function collectStatementLines(body: readonly A.Stmt[], out: Set<number>): void {
  for (const s of body) {
    out.add(s.line);
    const x = s as unknown as { body?: unknown; orelse?: unknown };
    if (Array.isArray(x.body)) collectStatementLines(x.body as A.Stmt[], out);
    if (Array.isArray(x.orelse)) collectStatementLines(x.orelse as A.Stmt[], out);
  }
}

/** Checks a DAP hit condition (`3`, `>= 3`, `% 2`, `== 1`…) against a hit count; null when it does not parse. */
export function hitConditionMet(cond: string, hits: number): boolean | null {
  const m = /^\s*(==|>=|<=|>|<|%)?\s*(\d+)\s*$/.exec(cond);
  if (!m) return null;
  const n = Number(m[2]);
  switch (m[1] ?? '==') {
    case '==':
      return hits === n;
    case '>=':
      return hits >= n;
    case '<=':
      return hits <= n;
    case '>':
      return hits > n;
    case '<':
      return hits < n;
    default:
      return n > 0 && hits % n === 0;
  }
}

interface Mode {
  /** Take snapshots (recording) or only count stops (evaluating at a stop). */
  readonly snapshots: boolean;
  readonly evalAt?: { index: number; expr: string };
}

class Recorder {
  readonly stops: Stop[] = [];
  readonly notes: string[] = [];
  private readonly snap: Snapshotter;
  private readonly lines: string[];
  private readonly bps = new Map<number, BreakpointSpec>();
  private readonly hits = new Map<number, number>();
  private interp!: Interpreter;
  private stmt: A.Stmt | null = null;
  private stmtScope: Scope | null = null;
  private stmtDepth = 0;
  private stmtFrames: FrameView[] = [];
  private lastOpSite = -1;
  private seenBackward = 0;
  private nanSeen = false;
  private count = 0;
  private flushing = false;
  /** Set when the stop limit was reached (the run is aborted from a hook). */
  private cut = false;
  /** Set when evaluating at a stop succeeded (the run is aborted from a hook). */
  private evaluated: EvalResult | null = null;

  constructor(
    readonly source: string,
    readonly opts: TimelineOptions,
    readonly mode: Mode,
  ) {
    this.lines = source.split(/\r\n|\r|\n/);
    this.snap = new Snapshotter(opts.snapshotLimits ?? DEFAULT_SNAPSHOT_LIMITS);
    for (const b of opts.breakpoints ?? []) this.bps.set(b.line, b);
  }

  run(): { interp: Interpreter; error: Timeline['error']; statementLines: Set<number> } {
    const limits: Limits = { ...DEFAULT_LIMITS, ...(this.opts.limits ?? {}) };
    const interp = new Interpreter(this.source, limits, makeTorch, installPythonBuiltins);
    this.interp = interp;
    interp.recordBackward = true;
    interp.hooks = {
      beforeStatement: (s, depth, scope) => this.beforeStatement(s, depth, scope),
      afterOp: (out, op, recorded) => this.afterOp(out, op, recorded),
      afterStatement: () => this.flushBackward(),
    };
    const statementLines = new Set<number>();
    let error: Timeline['error'] = null;
    try {
      const mod = parse(this.source);
      collectStatementLines(mod.body, statementLines);
      interp.run(mod);
      this.flushBackward();
    } catch (e) {
      if (this.evaluated) throw new Evaluated(this.evaluated);
      if (this.cut) {
        this.notes.push(
          `The debugger recorded the first ${this.maxStops} steps of this script and stopped it there (the step limit of a debug session).`,
        );
      } else if (e instanceof PySyntaxError) {
        error = { type: e.pyType, message: e.message, range: e.range };
        this.errorStop(error, [], null);
      } else {
        const err = e instanceof PyException ? e : interp.locate(e);
        try {
          this.flushBackward();
        } catch {
          // A stop limit or an evaluation while flushing: handled below.
        }
        if (this.evaluated) throw new Evaluated(this.evaluated);
        if (!this.cut) {
          error = { type: err.pyType, message: err.message, range: err.range };
          try {
            this.errorStop(error, err.frames, this.stmtScope);
          } catch {
            // As above.
          }
          if (this.evaluated) throw new Evaluated(this.evaluated);
        }
      }
    }
    if (this.snap.budgetUsed)
      this.notes.push('Some tensor values were not kept: the debugger memory budget of this session is used up.');
    return { interp, error, statementLines };
  }

  private get maxStops(): number {
    return this.opts.maxStops ?? DEFAULT_MAX_STOPS;
  }

  /** Adds a stop (or, when evaluating, counts it and evaluates at the wanted one). */
  private push(make: () => Omit<Stop, 'index' | 'breakpoint'>, scope: Scope | null, bpLine: number | null): void {
    const index = this.count++;
    if (index >= this.maxStops) {
      this.cut = true;
      throw new StopLimitReached();
    }
    const at = this.mode.evalAt;
    if (at && index === at.index) {
      this.evaluated = this.evaluate(at.expr, scope);
      throw new Evaluated(this.evaluated);
    }
    const breakpoint = bpLine !== null ? this.breakpointAt(bpLine, scope) : undefined;
    if (!this.mode.snapshots) return;
    const stop: Stop = { ...make(), index, ...(breakpoint ? { breakpoint } : {}) };
    this.stops.push(stop);
  }

  private evaluate(expr: string, scope: Scope | null): EvalResult {
    if (!scope) return { ok: false, text: 'no scope to evaluate in at this point' };
    try {
      const e = parseExpression(expr);
      const v = this.interp.evaluate(e, scope);
      const snap = new Snapshotter(this.snap.limits);
      snap.gradOverride = this.snap.gradOverride;
      const node = snap.value(expr, v, expr);
      return { ok: true, text: v instanceof c.Tensor ? node.value : safeRepr(v), node };
    } catch (e) {
      return { ok: false, text: errorText(e) };
    }
  }

  private breakpointAt(line: number, scope: Scope | null): BreakpointMark | undefined {
    const bp = this.bps.get(line);
    if (!bp) return undefined;
    if (bp.condition && bp.condition.trim()) {
      const r = this.evaluate(bp.condition, scope);
      if (!r.ok) return { line, stop: true, error: `Breakpoint condition \`${bp.condition}\` failed: ${r.text}` };
      if (!this.truthyResult(bp.condition, scope)) return undefined;
    }
    const hits = (this.hits.get(line) ?? 0) + 1;
    this.hits.set(line, hits);
    if (bp.hitCondition && bp.hitCondition.trim()) {
      const met = hitConditionMet(bp.hitCondition, hits);
      if (met === null)
        return {
          line,
          stop: true,
          error: `Hit count \`${bp.hitCondition}\` is not understood (use a number, or >=, <=, >, <, ==, % and a number)`,
        };
      if (!met) return undefined;
    }
    if (bp.logMessage !== undefined && bp.logMessage !== '') {
      let failed: string | undefined;
      const text = bp.logMessage.replace(/\{([^{}]+)\}/g, (_m, expr: string) => {
        const r = this.evaluate(expr, scope);
        if (!r.ok) failed = r.text;
        return r.ok ? r.text : `<error: ${r.text}>`;
      });
      return { line, stop: false, log: text, ...(failed ? { error: failed } : {}) };
    }
    return { line, stop: true };
  }

  private truthyResult(expr: string, scope: Scope | null): boolean {
    if (!scope) return false;
    try {
      const v = this.interp.evaluate(parseExpression(expr), scope);
      return pyTruthy(v);
    } catch {
      return false;
    }
  }

  private pythonFrames(depth: number, current: Range, scope: Scope): FrameView[] {
    const stack = this.interp.callStack();
    const scopes = this.interp.callScopes();
    const globals = this.mode.snapshots ? this.snap.scope(this.interp.globals) : [];
    const frames: FrameView[] = [];
    let range = current;
    for (let i = stack.length - 1; i >= 0; i--) {
      const sc = i === stack.length - 1 ? scope : scopes[i];
      frames.push({
        name: stack[i].name,
        range,
        scopes: [
          { name: 'Locals', vars: this.mode.snapshots ? this.snap.scope(sc ?? scope) : [] },
          { name: 'Globals', vars: globals, expensive: true },
        ],
      });
      range = stack[i].range;
    }
    frames.push({
      name: '<module>',
      range,
      scopes: [
        { name: 'Locals', vars: globals },
        { name: 'Globals', vars: globals, expensive: true },
      ],
    });
    void depth;
    return frames;
  }

  private beforeStatement(s: A.Stmt, depth: number, scope: Scope): void {
    this.flushBackward();
    this.stmt = s;
    this.stmtScope = scope;
    this.stmtDepth = depth;
    this.lastOpSite = -1;
    const range = headRange(s, this.lines);
    const frames = this.mode.snapshots ? this.pythonFrames(depth, range, scope) : [];
    this.stmtFrames = frames;
    this.push(
      () => ({
        kind: 'statement',
        range,
        depth,
        frames,
        stdoutLength: this.interp.stdout.length,
        description: `line ${s.line}: ${(this.lines[s.line - 1] ?? '').trim()}`,
      }),
      scope,
      s.line,
    );
  }

  private afterOp(out: c.Tensor, op: c.OpDef, recorded: boolean): void {
    if (this.flushing) return; // The recorder's own arithmetic (leaf gradients as of a step).
    this.flushBackward();
    if (!this.stmt || out.site < 0 || out.site === this.lastOpSite) return;
    const range = this.interp.sites[out.site];
    // Ops inside backward() itself (accumulating into .grad) are shown by the backward stops.
    if (!range || isBackwardCall(range)) return;
    this.lastOpSite = out.site;
    let nan: string | undefined;
    if (hasNonFinite(out)) {
      const inputs = recorded ? c.inputsOf(out) : [];
      const born = recorded ? inputs.every((t) => !hasNonFinite(t)) : !this.nanSeen;
      if (born) nan = `${op.name} produced NaN or inf: ${oneLine(this.snap.tensorText(out))}`;
      this.nanSeen = true;
    }
    // The op's own frame (after a call returns, the caller's statement goes on).
    const depth = this.interp.callStack().length;
    const scope = depth > 0 ? this.interp.callScopes()[depth - 1] : this.interp.globals;
    this.push(
      () => {
        const text = this.snap.tensorText(out);
        const opScope = {
          name: 'Op',
          vars: [
            { name: 'op', value: op.name, type: 'str' },
            { name: 'expression', value: sliceRange(this.lines, range), type: 'str' },
            this.snap.tensor('result', out),
          ],
        };
        const frames = this.pythonFrames(depth, range, scope);
        frames[0] = { ...frames[0], scopes: [opScope, ...frames[0].scopes] };
        return {
          kind: 'op',
          range,
          depth,
          frames,
          stdoutLength: this.interp.stdout.length,
          description: `op ${op.name} at line ${range.line}, cols ${range.col + 1}-${range.endCol + 1}: ${sliceRange(this.lines, range)} = ${oneLine(text)}`,
          ...(nan ? { nan } : {}),
        };
      },
      scope,
      null,
    );
  }

  /** Emits the stops of backward() calls that finished since the last event. */
  private flushBackward(): void {
    const calls = this.interp.backwardCalls;
    while (this.seenBackward < calls.length) {
      const callIndex = this.seenBackward++;
      const call = calls[callIndex];
      const record = call.record;
      if (!record) continue;
      this.flushing = true;
      try {
        this.backwardStops(callIndex, record);
      } finally {
        this.flushing = false;
      }
    }
  }

  private backwardStops(callIndex: number, record: c.BackwardRecord): void {
    const scope = this.stmtScope;
    const leafBefore = new Map<c.Tensor, c.Tensor | null>();
    for (const l of record.leaves) leafBefore.set(l.leaf, l.before);
    // The gradient of each leaf as it stands at a step: its .grad before the pass plus what this pass added so far.
    const override = new Map<c.Tensor, c.Tensor | null>(leafBefore);
    const finalGrads = new Map<c.Tensor, c.Tensor | null>();
    for (const l of record.leaves) finalGrads.set(l.leaf, l.leaf.grad);
    const n = record.steps.length;
    const stmtFrames = this.stmtFrames;
    // Names that hold the tensors, to label inputs (`w1` rather than leaf #3).
    const names = new Map<c.Tensor, string>();
    for (const sc of [this.interp.globals, scope])
      if (sc) for (const [k, v] of sc.vars) if (v instanceof c.Tensor) names.set(v, k);
    for (const step of record.steps) {
      for (const inp of step.inputs) {
        if (!leafBefore.has(inp.input)) continue;
        const before = leafBefore.get(inp.input) ?? null;
        override.set(inp.input, before ? c.noGrad(() => c.add(before, inp.after)) : inp.after);
      }
      const site = step.node.site;
      const range = (site >= 0 ? this.interp.sites[site] : null) ??
        this.stmt ?? { line: 1, col: 0, endLine: 1, endCol: 0 };
      let nan: string | undefined;
      if (!hasNonFinite(step.upstream))
        for (const inp of step.inputs)
          if (hasNonFinite(inp.contribution)) {
            nan = `${step.backwardName}: the gradient contribution to input ${inp.position} is NaN or inf: ${oneLine(this.snap.tensorText(inp.contribution))}`;
            break;
          }
      // Leaf gradients as of this step, for conditions and evaluation.
      for (const [leaf, g] of override) leaf.grad = g;
      this.snap.gradOverride = override;
      try {
        this.push(
          () => {
            const plain = (name: string, t: c.Tensor): DisplayNode => ({
              name,
              value: oneLine(this.snap.tensorText(t)),
              type: 'Tensor',
            });
            const rows: DisplayNode[] = [
              {
                name: 'node',
                value: `${step.backwardName} (${sliceRange(this.lines, range)}, line ${range.line}), step ${step.index + 1} of ${n}`,
                type: 'str',
              },
              plain('upstream  ∂L/∂out', step.upstream),
            ];
            for (const inp of step.inputs) {
              const label = names.get(inp.input) ?? inputLabel(inp.input, this.lines, this.interp.sites, inp.position);
              const children: DisplayNode[] = [
                {
                  name: 'local  ∂out/∂input',
                  value: inp.local ? oneLine(this.snap.tensorText(inp.local)) : inp.derivative.text,
                  type: inp.local ? 'Tensor' : 'str',
                },
                { name: 'formula', value: inp.derivative.text, type: 'str' },
                plain('contribution  upstream × local', inp.contribution),
                inp.before
                  ? plain('grad before', inp.before)
                  : { name: 'grad before', value: 'None', type: 'NoneType' },
                plain('grad after', inp.after),
              ];
              rows.push({
                name: `input ${inp.position}: ${label}`,
                value: `+= ${oneLine(this.snap.tensorText(inp.contribution))} → ${oneLine(this.snap.tensorText(inp.after))}`,
                type: 'step',
                children,
              });
            }
            const frames = stmtFrames.map((f) => ({
              ...f,
              scopes: f.scopes.map((s) => ({
                ...s,
                vars: s.vars.map((v) => this.refreshGrad(v, scope)),
              })),
            }));
            const top: FrameView = {
              name: `backward: ${step.backwardName} (line ${range.line})`,
              range,
              synthetic: true,
              scopes: [{ name: 'Backward step', vars: rows }, ...(frames[0]?.scopes ?? [])],
            };
            return {
              kind: 'backward',
              range,
              depth: this.stmtDepth + 1,
              frames: [top, ...frames],
              stdoutLength: this.interp.stdout.length,
              description: `backward ${step.index + 1}/${n}: ${step.backwardName} at line ${range.line}, cols ${range.col + 1}-${range.endCol + 1}: ${sliceRange(this.lines, range)}`,
              backward: { call: callIndex, step: step.index, steps: n, name: step.backwardName },
              ...(nan ? { nan } : {}),
            };
          },
          scope,
          range.line,
        );
      } finally {
        for (const [leaf, g] of finalGrads) leaf.grad = g;
        this.snap.gradOverride = null;
      }
    }
  }

  /** A Variables row of a tensor with its gradient as of the current backward step. */
  private refreshGrad(v: DisplayNode, scope: Scope | null): DisplayNode {
    if (v.type !== 'Tensor' || !scope) return v;
    const val = lookupName(v.name, scope, this.interp);
    return val instanceof c.Tensor && this.snap.gradOverride?.has(val)
      ? this.snap.tensor(v.name, val, v.evaluateName)
      : v;
  }

  private errorStop(
    error: NonNullable<Timeline['error']>,
    frames: readonly { name: string; range: Range }[],
    scope: Scope | null,
  ): void {
    const range = error.range ?? { line: 1, col: 0, endLine: 1, endCol: 0 };
    const last = this.stops[this.stops.length - 1];
    this.count = Math.max(this.count, this.stops.length);
    const pyFrames: FrameView[] = [];
    if (this.mode.snapshots) {
      const globals = this.interp ? this.snap.scope(this.interp.globals) : [];
      let r = range;
      for (let i = frames.length - 1; i >= 0; i--) {
        pyFrames.push({
          name: frames[i].name,
          range: r,
          scopes: [
            { name: 'Locals', vars: scope && i === frames.length - 1 ? this.snap.scope(scope) : [] },
            { name: 'Globals', vars: globals, expensive: true },
          ],
        });
        r = frames[i].range;
      }
      pyFrames.push({
        name: '<module>',
        range: r,
        scopes: [
          { name: 'Locals', vars: globals },
          { name: 'Globals', vars: globals, expensive: true },
        ],
      });
    }
    this.push(
      () => ({
        kind: 'error',
        range,
        depth: last?.depth ?? 0,
        frames: pyFrames,
        stdoutLength: this.interp ? this.interp.stdout.length : 0,
        description: `${error.type}: ${error.message} (line ${range.line})`,
        error: { type: error.type, message: error.message },
      }),
      scope,
      null,
    );
  }
}

/** Is this op site the call of a `.backward()` method? (Sites are the AST nodes themselves.) */
function isBackwardCall(r: Range): boolean {
  const e = r as Partial<A.CallExpr>;
  return e.kind === 'Call' && e.func?.kind === 'Attribute' && e.func.attr === 'backward';
}

function lookupName(name: string, scope: Scope, interp: Interpreter): PyValue | undefined {
  for (let s: Scope | null = scope; s; s = s.parent) if (s.vars.has(name)) return s.vars.get(name);
  return interp.globals.vars.get(name);
}

function pyTruthy(v: PyValue): boolean {
  try {
    return truthy(v);
  } catch {
    return false;
  }
}

function safeRepr(v: PyValue): string {
  try {
    return repr(v);
  } catch {
    return str(v as PyValue);
  }
}

function errorText(e: unknown): string {
  if (e instanceof PySyntaxError) return `SyntaxError: ${e.message}`;
  if (e instanceof PyException) return `${e.pyType}: ${e.message}`;
  return e instanceof Error ? e.message : String(e);
}

export function sliceRange(lines: readonly string[], r: Range): string {
  if (r.line !== r.endLine) return `${(lines[r.line - 1] ?? '').slice(r.col).trim()} …`;
  return (lines[r.line - 1] ?? '').slice(r.col, r.endCol);
}

function inputLabel(t: c.Tensor, lines: readonly string[], sites: readonly Range[], position: number): string {
  if (t.op && t.site >= 0 && sites[t.site]) return sliceRange(lines, sites[t.site]);
  if (t.site >= 0 && sites[t.site]) return sliceRange(lines, sites[t.site]);
  return t.isLeaf ? `leaf #${t.id}` : `input ${position}`;
}

/** Lines where a statement starts (empty when the file does not parse). */
export function statementLines(source: string): Set<number> {
  const out = new Set<number>();
  try {
    collectStatementLines(parse(source).body, out);
  } catch {
    // A syntax error: no line can stop.
  }
  return out;
}

/** Runs the script once and records every stop. */
export function recordTimeline(source: string, opts: TimelineOptions = {}): Timeline {
  const rec = new Recorder(source, opts, { snapshots: true });
  const prevSite = c.setCurrentSite(-1);
  try {
    const { interp, error, statementLines } = rec.run();
    return {
      stops: rec.stops,
      stdout: interp.stdout,
      error,
      notes: rec.notes,
      statementLines,
      lineCount: source.split(/\r\n|\r|\n/).length,
    };
  } finally {
    c.setCurrentSite(prevSite);
  }
}

/**
 * Evaluates an expression at a recorded stop by running the script again up
 * to that stop (deterministic) and asking the live interpreter, with
 * Interpreter.evaluate's limits. During a backward pass, leaf gradients are
 * those of that step.
 */
export function evaluateAtStop(source: string, opts: TimelineOptions, index: number, expr: string): EvalResult {
  const rec = new Recorder(source, opts, { snapshots: false, evalAt: { index, expr } });
  const prevSite = c.setCurrentSite(-1);
  try {
    rec.run();
    return { ok: false, text: 'that step is no longer reachable' };
  } catch (e) {
    if (e instanceof Evaluated) return e.result;
    return { ok: false, text: errorText(e) };
  } finally {
    c.setCurrentSite(prevSite);
  }
}
