/**
 * The Debug Adapter Protocol session of the `backprop` debugger. It imports
 * nothing from vscode: VS Code runs it in-process (DebugAdapterInlineImplementation)
 * and the tests run it under plain Node (adapter-main.ts). It only
 * translates: the script is recorded once (session/timeline.ts) and every
 * request is answered from the recording through the cursor of
 * session/stepper.ts.
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import {
  Breakpoint,
  BreakpointEvent,
  Handles,
  InitializedEvent,
  LoggingDebugSession,
  OutputEvent,
  Scope,
  Source,
  StackFrame,
  StoppedEvent,
  TerminatedEvent,
  ExitedEvent,
  Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { MoveResult, Stepper } from '../../session/stepper';
import {
  BreakpointSpec,
  evaluateAtStop,
  recordTimeline,
  statementLines,
  Stop,
  Timeline,
  TimelineOptions,
} from '../../session/timeline';
import type { DisplayNode } from '../../session/snapshot';

export const DEBUG_TYPE = 'backprop';
const THREAD_ID = 1;
/** Frame ids: stop index × FRAME_STRIDE + frame position (stops are immutable, so old ids stay valid). */
const FRAME_STRIDE = 1000;

export interface BackpropLaunchArguments extends DebugProtocol.LaunchRequestArguments {
  /** Path of the Python file to debug. */
  program: string;
  /** Stop before the first statement. */
  stopOnEntry?: boolean;
  /** The file's text as the editor holds it (unsaved changes, virtual workspaces); read from `program` when absent. */
  sourceText?: string;
}

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: 'errors',
    label: 'Python errors',
    description: 'Stop where a Python error stops the script.',
    default: true,
  },
  {
    filter: 'nan',
    label: 'NaN or inf appears',
    description: 'Stop at the op or the backward step where a NaN or an infinity is born, in a value or a gradient.',
    default: false,
  },
];

/** Something the session reports to the extension (the graph panel follows it). */
export interface SessionListener {
  (e: { type: 'stopped'; stop: Stop; timeline: Timeline } | { type: 'ended' }): void;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export class BackpropDebugSession extends LoggingDebugSession {
  private program = '';
  private source = '';
  private stopOnEntry = false;

  /** The text this session runs (the graph panel links to it only while it shows the same text). */
  get sourceText(): string {
    return this.source;
  }
  private launched = false;
  private terminated = false;
  private timeline: Timeline | null = null;
  private stepper: Stepper | null = null;
  private breakpoints: DebugProtocol.SourceBreakpoint[] = [];
  private filters = { errors: true, nan: false };
  private readonly handles = new Handles<readonly DisplayNode[]>();
  /** Highest stop index whose printed output and logpoints were already sent. */
  private emittedUpTo = -1;
  private emittedStdout = 0;
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));
  /** Called on every stop and at the end (the graph panel). */
  listener: SessionListener | null = null;

  constructor() {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  // ---------------------------------------------------------------- lifecycle

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsLogPoints: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsSingleThreadExecutionRequests: false,
      supportsValueFormattingOptions: false,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
    };
    this.sendResponse(response);
    this.sendEvent(new InitializedEvent());
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.sendResponse(response);
    this.configurationDone();
  }

  protected override async launchRequest(
    response: DebugProtocol.LaunchResponse,
    args: BackpropLaunchArguments,
  ): Promise<void> {
    if (!isObject(args) || typeof args.program !== 'string' || args.program === '')
      return this.fail(response, 'launch needs "program": the path of a Python file');
    if (args.stopOnEntry !== undefined && typeof args.stopOnEntry !== 'boolean')
      return this.fail(response, '"stopOnEntry" must be true or false');
    if (args.sourceText !== undefined && typeof args.sourceText !== 'string')
      return this.fail(response, '"sourceText" must be a string');
    if (this.launched) return this.fail(response, 'this session is already running a program');
    let text: string;
    try {
      text = args.sourceText ?? readFileSync(args.program, 'utf8');
    } catch (e) {
      return this.fail(response, `cannot read ${args.program}: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.program = args.program;
    this.source = text;
    this.stopOnEntry = args.stopOnEntry === true;
    this.launched = true;
    // Breakpoints arrive after InitializedEvent; wait for them (but not forever).
    await Promise.race([this.configured, new Promise((r) => setTimeout(r, 2000))]);
    this.record();
    this.sendResponse(response);
    this.reverifyBreakpoints();
    const tl = this.timeline as Timeline;
    for (const n of tl.notes) this.sendEvent(new OutputEvent(`${n}\n`, 'console'));
    if (args.noDebug) {
      this.emitUpTo(tl.stops.length);
      return this.end();
    }
    this.report((this.stepper as Stepper).start(this.stopOnEntry));
  }

  protected override restartRequest(
    response: DebugProtocol.RestartResponse,
    args: DebugProtocol.RestartArguments,
  ): void {
    if (!this.launched) return this.fail(response, 'nothing to restart: no program was launched');
    const cfg = (isObject(args) && isObject(args.arguments) ? args.arguments : {}) as Partial<BackpropLaunchArguments>;
    try {
      if (typeof cfg.sourceText === 'string') this.source = cfg.sourceText;
      else this.source = readFileSync(this.program, 'utf8');
    } catch {
      // Keep the text we had.
    }
    this.terminated = false;
    this.emittedUpTo = -1;
    this.emittedStdout = 0;
    this.record();
    this.sendResponse(response);
    this.report((this.stepper as Stepper).start(true));
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.sendResponse(response);
    if (!this.terminated) this.end();
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.terminated = true;
    this.sendResponse(response);
  }

  /** Unknown commands: an error response, and the session goes on. */
  protected override customRequest(command: string, response: DebugProtocol.Response, args: unknown): void {
    if (command === 'backprop/goTo') {
      const idx = isObject(args) ? args.index : undefined;
      if (
        !this.stepper ||
        typeof idx !== 'number' ||
        !Number.isInteger(idx) ||
        idx < 0 ||
        idx >= this.stepper.stops.length
      )
        return this.fail(response, 'backprop/goTo needs "index", the number of a recorded step');
      this.sendResponse(response);
      this.report(this.stepper.goTo(idx));
      return;
    }
    if (command === 'backprop/state') {
      response.body = {
        index: this.stepper?.index ?? null,
        stops: this.stepper?.stops.length ?? 0,
        ended: this.stepper?.ended ?? false,
        ...this.stopState(),
      };
      return this.sendResponse(response);
    }
    this.fail(response, `unknown request '${String(command)}'`);
  }

  // -------------------------------------------------------------- breakpoints

  protected override setBreakPointsRequest(
    response: DebugProtocol.SetBreakpointsResponse,
    args: DebugProtocol.SetBreakpointsArguments,
  ): void {
    if (!isObject(args) || !isObject(args.source)) return this.fail(response, 'setBreakpoints needs "source"');
    const list: DebugProtocol.SourceBreakpoint[] = args.breakpoints ?? (args.lines ?? []).map((line) => ({ line }));
    if (!Array.isArray(list) || !list.every((b) => isObject(b) && typeof b.line === 'number'))
      return this.fail(response, '"breakpoints" must be a list of {line}');
    const samePath = typeof args.source.path === 'string' && this.isProgram(args.source.path);
    if (!samePath) {
      response.body = {
        breakpoints: list.map((b) => ({
          verified: false,
          line: b.line,
          message: 'Backprop Debugger only stops in the file it runs',
        })),
      };
      return this.sendResponse(response);
    }
    this.breakpoints = list.map((b) => ({
      line: b.line,
      condition: typeof b.condition === 'string' ? b.condition : undefined,
      hitCondition: typeof b.hitCondition === 'string' ? b.hitCondition : undefined,
      logMessage: typeof b.logMessage === 'string' ? b.logMessage : undefined,
    }));
    response.body = { breakpoints: this.verify() };
    this.sendResponse(response);
    if (this.timeline) {
      // Conditions and logpoints are evaluated while recording: record again (runs are deterministic).
      const at = this.stepper?.index ?? 0;
      this.record();
      if (this.stepper) this.stepper.index = Math.min(at, this.stepper.stops.length);
    }
  }

  protected override setExceptionBreakPointsRequest(
    response: DebugProtocol.SetExceptionBreakpointsResponse,
    args: DebugProtocol.SetExceptionBreakpointsArguments,
  ): void {
    if (!isObject(args) || !Array.isArray(args.filters) || !args.filters.every((f) => typeof f === 'string'))
      return this.fail(response, 'setExceptionBreakpoints needs "filters", a list of filter ids');
    const unknown = args.filters.filter((f) => !EXCEPTION_FILTERS.some((x) => x.filter === f));
    if (unknown.length) return this.fail(response, `unknown exception filter: ${unknown.join(', ')}`);
    this.filters = { errors: args.filters.includes('errors'), nan: args.filters.includes('nan') };
    if (this.stepper) this.stepper.filters = { ...this.filters };
    response.body = { breakpoints: args.filters.map(() => ({ verified: true })) };
    this.sendResponse(response);
  }

  private isProgram(p: string): boolean {
    if (!this.program) return true; // Not launched yet: assume the launched file (checked again at launch).
    return path.resolve(p) === path.resolve(this.program) || p === this.program;
  }

  private lastVerified: DebugProtocol.Breakpoint[] = [];

  /** Lines 0, negative and past the end stay unverified with a reason; other lines move to the next statement. */
  private verify(): DebugProtocol.Breakpoint[] {
    const tl = this.source ? this.timelineLines() : null;
    const out = this.breakpoints.map((b, i) => {
      const bp = new Breakpoint(false, b.line) as DebugProtocol.Breakpoint;
      bp.id = i + 1;
      if (!Number.isInteger(b.line) || b.line < 1) bp.message = `line ${b.line} does not exist: lines start at 1`;
      else if (!tl) bp.message = 'the program is not loaded yet';
      else if (b.line > tl.count) bp.message = `line ${b.line} is past the end of the file (${tl.count} lines)`;
      else if (tl.lines.size === 0) bp.message = 'the file does not parse, so no line can stop';
      else {
        let line = b.line;
        while (line <= tl.count && !tl.lines.has(line)) line++;
        if (line > tl.count) bp.message = `no statement on line ${b.line} or after it`;
        else {
          bp.verified = true;
          bp.line = line;
        }
      }
      return bp;
    });
    this.lastVerified = out;
    return out;
  }

  private linesCache: { source: string; lines: ReadonlySet<number>; count: number } | null = null;

  private timelineLines(): { lines: ReadonlySet<number>; count: number } {
    if (this.linesCache?.source !== this.source)
      this.linesCache = {
        source: this.source,
        lines: statementLines(this.source),
        count: this.source.split(/\r\n|\r|\n/).length,
      };
    return this.linesCache;
  }

  private reverifyBreakpoints(): void {
    const before = this.lastVerified;
    const now = this.verify();
    now.forEach((bp, i) => {
      const b = before[i];
      if (!b || b.verified !== bp.verified || b.line !== bp.line)
        this.sendEvent(new BreakpointEvent('changed', bp as Breakpoint));
    });
  }

  private specs(): BreakpointSpec[] {
    const out: BreakpointSpec[] = [];
    this.lastVerified.forEach((bp, i) => {
      if (!bp.verified || bp.line === undefined) return;
      const b = this.breakpoints[i];
      out.push({ line: bp.line, condition: b.condition, hitCondition: b.hitCondition, logMessage: b.logMessage });
    });
    return out;
  }

  private options(): TimelineOptions {
    return { breakpoints: this.specs() };
  }

  private record(): void {
    this.verify();
    this.timeline = recordTimeline(this.source, this.options());
    if (this.stepper) this.stepper.timeline = this.timeline;
    else this.stepper = new Stepper(this.timeline);
    this.stepper.filters = { ...this.filters };
  }

  // ----------------------------------------------------------------- stepping

  private move(response: DebugProtocol.Response, f: (s: Stepper) => MoveResult, forward: boolean): void {
    if (!this.stepper) return this.fail(response, 'no program is running: launch one first');
    if (this.terminated || (forward && this.stepper.ended))
      return this.fail(response, 'the program has ended; restart the session to debug it again');
    let r: MoveResult;
    try {
      r = f(this.stepper);
    } catch (e) {
      return this.fail(response, e instanceof Error ? e.message : String(e));
    }
    this.sendResponse(response);
    this.report(r);
  }

  protected override nextRequest(response: DebugProtocol.NextResponse, args: DebugProtocol.NextArguments): void {
    if (!this.threadOk(response, args)) return;
    this.move(response, (s) => s.next(), true);
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse, args: DebugProtocol.StepInArguments): void {
    if (!this.threadOk(response, args)) return;
    this.move(response, (s) => s.stepIn(), true);
  }

  protected override stepOutRequest(
    response: DebugProtocol.StepOutResponse,
    args: DebugProtocol.StepOutArguments,
  ): void {
    if (!this.threadOk(response, args)) return;
    this.move(response, (s) => s.stepOut(), true);
  }

  protected override continueRequest(
    response: DebugProtocol.ContinueResponse,
    args: DebugProtocol.ContinueArguments,
  ): void {
    if (!this.threadOk(response, args)) return;
    response.body = { allThreadsContinued: true };
    this.move(response, (s) => s.continue(), true);
  }

  protected override stepBackRequest(
    response: DebugProtocol.StepBackResponse,
    args: DebugProtocol.StepBackArguments,
  ): void {
    if (!this.threadOk(response, args)) return;
    this.move(response, (s) => s.stepBack(), false);
  }

  protected override reverseContinueRequest(
    response: DebugProtocol.ReverseContinueResponse,
    args: DebugProtocol.ReverseContinueArguments,
  ): void {
    if (!this.threadOk(response, args)) return;
    this.move(response, (s) => s.reverseContinue(), false);
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    // A recorded run is always stopped between requests: nothing to pause.
    this.sendResponse(response);
  }

  private threadOk(response: DebugProtocol.Response, args: unknown): boolean {
    if (!isObject(args) || args.threadId !== THREAD_ID) {
      this.fail(response, `unknown thread: the program has one thread, id ${THREAD_ID}`);
      return false;
    }
    return true;
  }

  /** Sends printed output and logpoint messages of stops reached for the first time, then the stop or the end. */
  private report(r: MoveResult): void {
    this.handles.reset();
    const tl = this.timeline as Timeline;
    const upTo = r.stop ? r.stop.index : tl.stops.length;
    this.emitUpTo(upTo);
    if (!r.stop || r.reason === 'end') return this.end();
    const ev = new StoppedEvent(
      r.reason,
      THREAD_ID,
      r.reason === 'exception' ? r.detail : undefined,
    ) as DebugProtocol.StoppedEvent;
    ev.body.description = r.detail ?? r.stop.description;
    ev.body.allThreadsStopped = true;
    if (r.stop.breakpoint && r.reason === 'breakpoint') {
      const id = this.lastVerified.find((b) => b.verified && b.line === r.stop?.breakpoint?.line)?.id;
      if (id !== undefined) ev.body.hitBreakpointIds = [id];
      if (r.stop.breakpoint.error) this.sendEvent(new OutputEvent(`${r.stop.breakpoint.error}\n`, 'console'));
    }
    this.sendEvent(ev);
    this.listener?.({ type: 'stopped', stop: r.stop, timeline: tl });
  }

  private emitUpTo(index: number): void {
    const tl = this.timeline as Timeline;
    for (let i = this.emittedUpTo + 1; i <= Math.min(index, tl.stops.length - 1); i++) {
      const s = tl.stops[i];
      this.emitStdout(s.stdoutLength);
      if (s.breakpoint?.log !== undefined) this.sendEvent(new OutputEvent(`${s.breakpoint.log}\n`, 'console'));
    }
    this.emittedUpTo = Math.max(this.emittedUpTo, index);
    if (index >= tl.stops.length) this.emitStdout(tl.stdout.length);
  }

  private emitStdout(upTo: number): void {
    const tl = this.timeline as Timeline;
    if (upTo > this.emittedStdout) {
      this.sendEvent(new OutputEvent(tl.stdout.slice(this.emittedStdout, upTo), 'stdout'));
      this.emittedStdout = upTo;
    }
  }

  private end(): void {
    if (this.terminated) return;
    this.terminated = true;
    const tl = this.timeline;
    if (tl?.error) {
      const line = tl.error.range ? `, line ${tl.error.range.line}` : '';
      this.sendEvent(
        new OutputEvent(`File "${this.program}"${line}: ${tl.error.type}: ${tl.error.message}\n`, 'stderr'),
      );
    }
    this.sendEvent(new ExitedEvent(tl?.error ? 1 : 0));
    this.sendEvent(new TerminatedEvent());
    this.listener?.({ type: 'ended' });
  }

  // ------------------------------------------------------------------ inspect

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, 'main')] };
    this.sendResponse(response);
  }

  private currentStop(): Stop | null {
    return this.terminated ? null : (this.stepper?.current ?? null);
  }

  protected override stackTraceRequest(
    response: DebugProtocol.StackTraceResponse,
    args: DebugProtocol.StackTraceArguments,
  ): void {
    if (!this.threadOk(response, args)) return;
    const stop = this.currentStop();
    if (!stop) return this.fail(response, 'the program is not stopped');
    const start = typeof args.startFrame === 'number' && args.startFrame > 0 ? args.startFrame : 0;
    const levels = typeof args.levels === 'number' && args.levels > 0 ? args.levels : stop.frames.length;
    const src = new Source(path.basename(this.program), this.program);
    const frames = stop.frames.slice(start, start + levels).map((f, k) => {
      const i = start + k;
      const sf = new StackFrame(
        stop.index * FRAME_STRIDE + i,
        f.name,
        src,
        this.convertDebuggerLineToClient(f.range.line),
        this.convertDebuggerColumnToClient(f.range.col + 1),
      ) as DebugProtocol.StackFrame;
      sf.endLine = this.convertDebuggerLineToClient(f.range.endLine);
      sf.endColumn = this.convertDebuggerColumnToClient(f.range.endCol + 1);
      if (f.synthetic) sf.presentationHint = 'label';
      return sf;
    });
    response.body = { stackFrames: frames, totalFrames: stop.frames.length };
    this.sendResponse(response);
  }

  private frameOf(frameId: unknown): { stop: Stop; frame: number } | null {
    const tl = this.timeline;
    if (!tl || typeof frameId !== 'number' || !Number.isInteger(frameId) || frameId < 0) return null;
    const stop = tl.stops[Math.floor(frameId / FRAME_STRIDE)];
    const frame = frameId % FRAME_STRIDE;
    if (!stop || frame >= stop.frames.length) return null;
    return { stop, frame };
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const at = isObject(args) ? this.frameOf(args.frameId) : null;
    if (!at) return this.fail(response, 'unknown frameId');
    const f = at.stop.frames[at.frame];
    response.body = {
      scopes: f.scopes.map((s) => new Scope(s.name, this.handles.create(s.vars), s.expensive === true)),
    };
    this.sendResponse(response);
  }

  protected override variablesRequest(
    response: DebugProtocol.VariablesResponse,
    args: DebugProtocol.VariablesArguments,
  ): void {
    const vars =
      isObject(args) && typeof args.variablesReference === 'number'
        ? this.handles.get(args.variablesReference)
        : undefined;
    if (!vars) return this.fail(response, 'unknown variablesReference');
    const start = typeof args.start === 'number' && args.start > 0 ? args.start : 0;
    const count = typeof args.count === 'number' && args.count > 0 ? args.count : vars.length;
    response.body = { variables: vars.slice(start, start + count).map((v) => this.variable(v)) };
    this.sendResponse(response);
  }

  private variable(v: DisplayNode): DebugProtocol.Variable {
    const out: DebugProtocol.Variable = {
      name: v.name,
      value: v.value,
      type: v.type,
      variablesReference: v.children && v.children.length ? this.handles.create(v.children) : 0,
    };
    if (v.evaluateName) out.evaluateName = v.evaluateName;
    return out;
  }

  protected override evaluateRequest(
    response: DebugProtocol.EvaluateResponse,
    args: DebugProtocol.EvaluateArguments,
  ): void {
    if (!isObject(args) || typeof args.expression !== 'string')
      return this.fail(response, 'evaluate needs "expression"');
    if (args.expression.length > 10_000)
      return this.fail(response, 'the expression is too long (10,000 characters at most)');
    let stop: Stop | null;
    if (args.frameId !== undefined) {
      const at = this.frameOf(args.frameId);
      if (!at) return this.fail(response, 'unknown frameId');
      stop = at.stop;
    } else stop = this.currentStop();
    if (!stop) return this.fail(response, 'the program is not stopped, so there is nothing to evaluate in');
    const r = evaluateAtStop(this.source, this.options(), stop.index, args.expression);
    if (!r.ok) return this.fail(response, r.text);
    response.body = {
      result: r.text,
      type: r.node?.type,
      variablesReference: r.node?.children && r.node.children.length ? this.handles.create(r.node.children) : 0,
    };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(
    response: DebugProtocol.ExceptionInfoResponse,
    args: DebugProtocol.ExceptionInfoArguments,
  ): void {
    if (!this.threadOk(response, args)) return;
    const stop = this.currentStop();
    if (stop?.error)
      response.body = {
        exceptionId: stop.error.type,
        description: stop.error.message,
        breakMode: this.filters.errors ? 'always' : 'never',
      };
    else if (stop?.nan)
      response.body = {
        exceptionId: 'NaN or inf',
        description: stop.nan,
        breakMode: this.filters.nan ? 'always' : 'never',
      };
    else return this.fail(response, 'not stopped at an exception');
    this.sendResponse(response);
  }

  // ------------------------------------------------------------------ helpers

  private fail(response: DebugProtocol.Response, message: string): void {
    this.sendErrorResponse(response, {
      id: 4000,
      format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')),
      showUser: false,
    });
  }

  /** What `backprop/state` tells about the current stop: its kind and range, and for backward stops the call and step. */
  private stopState(): Record<string, unknown> {
    const stop = this.currentStop();
    if (!stop) return { kind: null };
    return {
      kind: stop.kind,
      range: { line: stop.range.line, col: stop.range.col, endLine: stop.range.endLine, endCol: stop.range.endCol },
      description: stop.description,
      backward: stop.backward
        ? { call: stop.backward.call, step: stop.backward.step, steps: stop.backward.steps }
        : null,
    };
  }

  /** Exposed for the graph panel: the recording and the cursor. */
  get state(): { timeline: Timeline | null; index: number } {
    return { timeline: this.timeline, index: this.stepper?.index ?? 0 };
  }
}
