/**
 * The link between `backprop` debug sessions and the graph panel. The
 * in-process adapter reports each stop through its listener; the link keeps
 * the latest stop of every session and tells the panel of the session's
 * document (onDidStop). The panel asks `sessionFor(uri)` and moves the
 * session with `goTo` (the `backprop/goTo` custom request). Which panel
 * position a stop is, and back, is session-link.ts (vscode-free).
 */
import * as vscode from 'vscode';
import type { BackpropDebugSession } from './session';
import type { Stop } from '../../session/timeline';

export interface LinkedSession {
  readonly session: vscode.DebugSession;
  readonly adapter: BackpropDebugSession;
  /** The current stop's index, or null before the first stop and after the end. */
  stop: number | null;
  /** The stop a panel asked for: when it comes, the panel is not moved again. */
  expected: number | null;
}

export interface LinkStopEvent {
  readonly linked: LinkedSession;
  readonly stops: readonly Stop[];
  readonly index: number;
  /** The stop came from a panel's request (the panel is already there). */
  readonly fromPanel: boolean;
}

/** Does a launch configuration's `program` name this document? */
export function programIs(program: unknown, uri: vscode.Uri): boolean {
  if (typeof program !== 'string' || program === '') return false;
  if (uri.scheme === 'file' && program === uri.fsPath) return true;
  return program === uri.toString();
}

export class DebugLink implements vscode.Disposable {
  private readonly sessions = new Map<string, LinkedSession>();
  private readonly stopped = new vscode.EventEmitter<LinkStopEvent>();
  readonly onDidStop = this.stopped.event;
  private readonly ended = new vscode.EventEmitter<LinkedSession>();
  /** A session ended or was stopped. */
  readonly onDidEnd = this.ended.event;
  private readonly subs: vscode.Disposable[];

  constructor() {
    this.subs = [
      this.stopped,
      this.ended,
      vscode.debug.onDidTerminateDebugSession((s) => {
        const linked = this.sessions.get(s.id);
        if (linked) {
          linked.stop = null;
          this.sessions.delete(s.id);
          this.ended.fire(linked);
        }
      }),
    ];
  }

  /** Called when VS Code creates the adapter of a session. */
  attach(session: vscode.DebugSession, adapter: BackpropDebugSession): void {
    const linked: LinkedSession = { session, adapter, stop: null, expected: null };
    this.sessions.set(session.id, linked);
    adapter.listener = (e) => {
      if (e.type === 'ended') {
        linked.stop = null;
        linked.expected = null;
        this.ended.fire(linked);
        return;
      }
      linked.stop = e.stop.index;
      const fromPanel = linked.expected === e.stop.index;
      linked.expected = null;
      this.stopped.fire({ linked, stops: e.timeline.stops, index: e.stop.index, fromPanel });
    };
  }

  /** The stopped session debugging this document (the active one first), if any. */
  sessionFor(uri: vscode.Uri): LinkedSession | undefined {
    const active = vscode.debug.activeDebugSession;
    const mine = [...this.sessions.values()].filter(
      (l) => l.stop !== null && programIs(l.session.configuration.program, uri),
    );
    return mine.find((l) => l.session.id === active?.id) ?? mine[mine.length - 1];
  }

  /** The recorded stops of a linked session (re-recorded when breakpoints change, so read each time). */
  stopsOf(linked: LinkedSession): readonly Stop[] {
    return linked.adapter.state.timeline?.stops ?? [];
  }

  /** Moves a session to a recorded stop (the panel's step buttons). */
  goTo(linked: LinkedSession, index: number): void {
    linked.expected = index;
    void Promise.resolve(linked.session.customRequest('backprop/goTo', { index })).then(undefined, () => {
      if (linked.expected === index) linked.expected = null;
    });
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.sessions.clear();
  }
}
