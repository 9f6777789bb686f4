/**
 * Drives the `backprop` debug adapter with DebugClient. Most tests talk to an
 * in-process server (one BackpropDebugSession per connection, fast); the
 * stdio entry point (adapter-main.ts) has its own test.
 */
import { strict as assert } from 'node:assert';
import * as net from 'node:net';
import * as path from 'node:path';
import { DebugClient } from '@vscode/debugadapter-testsupport';
import type { DebugProtocol } from '@vscode/debugprotocol';
import { BackpropDebugSession } from '../../../src/extension/debug/session';

export const root = path.resolve(__dirname, '../../..');
export const EXERCISE = path.join(root, 'examples/exercise_chain_rule.py');
export const fixture = (name: string): string => path.join(root, 'test/fixtures/debug', name);

let server: net.Server | null = null;
let port = 0;

export async function startServer(): Promise<number> {
  if (server) return port;
  server = net.createServer((socket) => {
    socket.setNoDelay(true);
    const s = new BackpropDebugSession();
    s.setRunAsServer(true);
    s.start(socket, socket);
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  port = (server.address() as net.AddressInfo).port;
  return port;
}

export async function stopServer(): Promise<void> {
  const s = server;
  server = null;
  if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
}

export async function client(): Promise<DebugClient> {
  const p = await startServer();
  const dc = new DebugClient('node', 'unused', 'backprop');
  await dc.start(p);
  return dc;
}

export interface Launch {
  program?: string;
  stopOnEntry?: boolean;
  sourceText?: string;
  breakpoints?: DebugProtocol.SourceBreakpoint[];
  filters?: string[];
}

/** initialize, launch, breakpoints, configurationDone; resolves with the first stopped event (or null on terminated). */
/** The next stopped event, or null when the program terminates first. */
export function stopOrEnd(dc: DebugClient, timeout = 15000): Promise<DebugProtocol.StoppedEvent | null> {
  return new Promise((resolve, reject) => {
    const done = (v: DebugProtocol.StoppedEvent | null): void => {
      clearTimeout(timer);
      dc.removeListener('stopped', onStop);
      dc.removeListener('terminated', onEnd);
      resolve(v);
    };
    const onStop = (e: DebugProtocol.StoppedEvent): void => done(e);
    const onEnd = (): void => done(null);
    const timer = setTimeout(() => {
      dc.removeListener('stopped', onStop);
      dc.removeListener('terminated', onEnd);
      reject(new Error('no stopped or terminated event'));
    }, timeout);
    dc.on('stopped', onStop);
    dc.on('terminated', onEnd);
  });
}

export async function launch(dc: DebugClient, opts: Launch): Promise<DebugProtocol.StoppedEvent | null> {
  const program = opts.program ?? EXERCISE;
  await dc.initializeRequest({ adapterID: 'backprop', linesStartAt1: true, columnsStartAt1: true, pathFormat: 'path' });
  const stopped = stopOrEnd(dc);
  const launched = dc.launchRequest({
    program,
    stopOnEntry: opts.stopOnEntry,
    sourceText: opts.sourceText,
  } as DebugProtocol.LaunchRequestArguments);
  if (opts.breakpoints) await dc.setBreakpointsRequest({ source: { path: program }, breakpoints: opts.breakpoints });
  await dc.setExceptionBreakpointsRequest({ filters: opts.filters ?? ['errors'] });
  await dc.configurationDoneRequest();
  await launched;
  return stopped;
}

export interface Where {
  reason: string;
  line: number;
  column: number;
  endColumn?: number;
  name: string;
  frames: string[];
}

/** Sends a step request and returns where it stopped (null when the program ended). */
export async function step(
  dc: DebugClient,
  command: 'next' | 'stepIn' | 'stepOut' | 'continue' | 'stepBack' | 'reverseContinue',
): Promise<Where | null> {
  const stopped = stopOrEnd(dc);
  const r = await dc.send(command, { threadId: 1 });
  assert.equal(r.success, true, `${command} failed: ${r.message}`);
  const ev = await stopped;
  if (!ev) return null;
  return where(dc, ev.body.reason);
}

export async function where(dc: DebugClient, reason = ''): Promise<Where> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const top = st.body.stackFrames[0];
  return {
    reason,
    line: top.line,
    column: top.column,
    endColumn: top.endColumn,
    name: top.name,
    frames: st.body.stackFrames.map((f) => f.name),
  };
}

/** The variables of a scope of the top frame, name -> value. */
export async function scopeVars(dc: DebugClient, scopeName: string, frame = 0): Promise<DebugProtocol.Variable[]> {
  const st = await dc.stackTraceRequest({ threadId: 1 });
  const scopes = await dc.scopesRequest({ frameId: st.body.stackFrames[frame].id });
  const sc = scopes.body.scopes.find((s) => s.name === scopeName);
  assert.ok(sc, `no scope ${scopeName}: ${scopes.body.scopes.map((s) => s.name).join(', ')}`);
  return (await dc.variablesRequest({ variablesReference: sc.variablesReference })).body.variables;
}

export async function children(dc: DebugClient, v: DebugProtocol.Variable): Promise<DebugProtocol.Variable[]> {
  assert.ok(v.variablesReference > 0, `${v.name} does not expand`);
  return (await dc.variablesRequest({ variablesReference: v.variablesReference })).body.variables;
}

export function byName(vars: readonly DebugProtocol.Variable[], name: string): DebugProtocol.Variable {
  const v = vars.find((x) => x.name === name);
  assert.ok(v, `no variable ${name} among ${vars.map((x) => x.name).join(', ')}`);
  return v;
}
