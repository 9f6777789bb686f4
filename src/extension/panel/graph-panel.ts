/**
 * One graph panel per document: runs the document's text (unsaved edits
 * included) with the interpreter, builds the view model
 * (src/session/graph-view.ts) and posts it to the page once the page says
 * it is ready. Re-runs on edit (debounced); the page keeps its step position
 * when the graph's shape is unchanged. Selecting a node reveals its source
 * range; the current step's node is marked in the editor.
 *
 * Every message from the page goes through parseWebviewMessage (a fixed set
 * of types, every field checked against the view it refers to); anything
 * else is dropped and logged. No field of a message ever reaches a command,
 * a process or a file path: the page names nodes and calls by index into
 * what the host itself sent.
 */
import * as vscode from 'vscode';
import {
  ExportFormat,
  GraphViewDTO,
  HostMessage,
  lastPosition,
  PanelCommand,
  parseWebviewMessage,
  RangeDTO,
  WebviewMessage,
} from '../../protocol/messages';
import { saveExport, saveFrames } from './exports';
import { RunnerClient } from './runner-client';
import { makeNonce, panelHtml } from './html';
import { callOfStop, panelPositionOfStop, stopOfPanelPosition } from './session-link';
import type { DebugLink } from '../debug/link';
import type { Stop } from '../../session/timeline';

export const GRAPH_VIEW_TYPE = 'backprop.graph';
export const RERUN_DELAY_MS = 400;
/** The editor's cursor line reaches the page at most this often. */
export const CURSOR_DELAY_MS = 60;

export interface PanelHost {
  readonly extensionUri: vscode.Uri;
  readonly log: vscode.LogOutputChannel;
  readonly currentStep: vscode.TextEditorDecorationType;
  readonly selected: vscode.TextEditorDecorationType;
  /** Called when a panel closes for good. */
  forget(panel: GraphPanel): void;
  /** Debug sessions of the document: the panel follows their stops and its steps drive them. */
  readonly link?: DebugLink;
}

export function webviewOptions(extensionUri: vscode.Uri): vscode.WebviewOptions {
  return {
    enableScripts: true,
    enableCommandUris: false,
    localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'dist'), vscode.Uri.joinPath(extensionUri, 'media')],
  };
}

function toRange(r: RangeDTO): vscode.Range {
  return new vscode.Range(r.line - 1, r.col, r.endLine - 1, r.endCol);
}

function baseName(uri: vscode.Uri): string {
  const p = uri.path;
  return p.slice(p.lastIndexOf('/') + 1) || uri.toString();
}

/** The view of a run that could not finish in the worker (out of memory, stopped by the backstop). */
export function failedView(title: string, message: string): GraphViewDTO {
  const m = /^(\w+Error): ([\s\S]*)$/.exec(message);
  return {
    title,
    calls: [],
    call: -1,
    nodes: [],
    edges: [],
    forward: [],
    steps: [],
    root: -1,
    width: 0,
    height: 0,
    shapeKey: 'failed',
    error: { type: m ? m[1] : 'RuntimeError', message: m ? m[2] : message, line: null, col: null },
    notes: [],
    groups: [],
    grouped: false,
  };
}

const OUT_OF_STEP_NOTE =
  'The script changed since the debug session started: the panel and the session no longer move together. Restart the session (Ctrl+Shift+F5) to link them again.';

export class GraphPanel {
  private ready = false;
  private disposed = false;
  /** The script runs in this panel's worker thread; `calls` are the last run's backward() lines. */
  private readonly runner: RunnerClient;
  private calls: readonly (number | null)[] | null = null;
  /** Bumped by each run: answers about an older run are dropped. */
  private gen = 0;
  private view: GraphViewDTO | null = null;
  private call: number | undefined;
  private rerunTimer: ReturnType<typeof setTimeout> | null = null;
  private stepTimer: ReturnType<typeof setTimeout> | null = null;
  private pendingStep = -1;
  /** A CodeLens asked for the call at this line before the script ran. */
  private wantLine: number | undefined;
  private readonly subs: vscode.Disposable[] = [];
  /** Set when the document behind a restored panel could not be found. */
  private goneMessage: string | null = null;
  /** The debugger stop the panel follows (a `backprop` session of this document). */
  private following: {
    readonly stops: readonly Stop[];
    readonly index: number;
    readonly source: string | null;
  } | null = null;
  /** The text the panel's view was run from (null before a run). */
  private ranText: string | null = null;
  /** Positions just sent to follow the debugger: their echo from the page does not drive the session. */
  private readonly followed = new Set<number>();
  private followedTimer: ReturnType<typeof setTimeout> | null = null;
  /** The page's step position, as it last reported it (-1 before). */
  private position = -1;
  /** Where the next export of each kind goes, when a command named it (else a dialog asks). */
  private readonly exportTargets = new Map<ExportFormat | 'frames', vscode.Uri>();
  private cursorTimer: ReturnType<typeof setTimeout> | null = null;
  private cursorLine: number | null = null;
  /** What the panel did last (exports, copies, drill-downs), for tests: `saved /path`, `copied 123 characters`. */
  private lastAction = '';
  /** Runs of the script finished (tests count re-runs on edit). */
  private runs = 0;

  constructor(
    private readonly host: PanelHost,
    readonly panel: vscode.WebviewPanel,
    /** The document this panel shows; null for a restored panel whose document is gone. */
    readonly uri: vscode.Uri | null,
    readonly docKey: string,
  ) {
    this.runner = new RunnerClient(vscode.Uri.joinPath(host.extensionUri, 'dist', 'panelWorker.js').fsPath);
    const webview = panel.webview;
    webview.options = webviewOptions(host.extensionUri);
    const asUri = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(host.extensionUri, ...p)).toString();
    webview.html = panelHtml({
      cspSource: webview.cspSource,
      nonce: makeNonce(),
      scriptUri: asUri('dist', 'webview.js'),
      katexCssUri: asUri('dist', 'katex.css'),
      panelCssUri: asUri('media', 'panel.css'),
      docKey,
    });
    panel.iconPath = vscode.Uri.joinPath(host.extensionUri, 'media', 'icon.png');
    if (uri) panel.title = `Graph: ${baseName(uri)}`;
    this.subs.push(
      webview.onDidReceiveMessage((m: unknown) => this.onMessage(m)),
      panel.onDidDispose(() => this.dispose()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (uri && e.document.uri.toString() === uri.toString() && e.contentChanges.length > 0) this.scheduleRerun();
      }),
      vscode.window.onDidChangeTextEditorSelection((e) => {
        if (uri && e.textEditor.document.uri.toString() === uri.toString())
          this.scheduleCursor(e.selections[0] ? e.selections[0].active.line + 1 : null);
      }),
    );
    if (!uri)
      this.goneMessage = 'The script this panel showed is no longer known (the window was reloaded after it closed).';
  }

  /** Shows the graph of the call at `line` (a CodeLens), or keeps the current choice. */
  showCallAtLine(line: number | undefined): void {
    if (line === undefined) return;
    const calls = this.calls;
    if (calls) {
      for (let i = calls.length - 1; i >= 0; i--)
        if (calls[i] === line) {
          this.call = i;
          void this.rebuild(null, null);
          return;
        }
    }
    this.wantLine = line;
  }

  private log(msg: string): void {
    this.host.log.warn(`[graph ${this.uri ? baseName(this.uri) : '(gone)'}] ${msg}`);
  }

  private post(m: HostMessage): void {
    if (this.disposed || !this.ready) return;
    void this.panel.webview.postMessage(m).then(undefined, () => undefined);
  }

  private async document(): Promise<vscode.TextDocument | null> {
    if (!this.uri) return null;
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === this.uri?.toString());
    if (open) return open;
    try {
      return await vscode.workspace.openTextDocument(this.uri);
    } catch {
      return null;
    }
  }

  /** Runs the script and posts the view (answering request `replyTo`, if any). */
  async run(replyTo: number | null): Promise<void> {
    const doc = await this.document();
    if (this.disposed) return;
    if (!doc) {
      this.goneMessage = this.uri
        ? `Cannot open ${baseName(this.uri)} any more: was it moved or deleted?`
        : (this.goneMessage ?? 'The script is gone.');
      this.post({ type: 'gone', message: this.goneMessage });
      return;
    }
    this.goneMessage = null;
    const gen = ++this.gen;
    const text = doc.getText();
    const ran = await this.runner.request({ kind: 'run', source: text });
    if (this.disposed || gen !== this.gen) return;
    this.ranText = text;
    if (ran.kind !== 'ran') {
      this.calls = null;
      this.view = failedView(baseName(this.uri as vscode.Uri), ran.kind === 'error' ? ran.message : 'no answer');
      this.log(`run failed: ${this.view.error?.message ?? ''}`);
      this.post({ type: 'view', replyTo, view: this.view, position: null });
      return;
    }
    const calls = (this.calls = ran.calls);
    if (this.wantLine !== undefined) {
      for (let i = calls.length - 1; i >= 0; i--)
        if (calls[i] === this.wantLine) {
          this.call = i;
          break;
        }
      this.wantLine = undefined;
    }
    if (this.call !== undefined && this.call >= calls.length) this.call = undefined;
    this.followCall();
    await this.rebuild(replyTo, null, true);
    if (gen === this.gen) this.runs++;
  }

  private async rebuild(replyTo: number | null, position: number | null, follow = false): Promise<void> {
    if (!this.calls || !this.uri) return;
    const gen = this.gen;
    const title = baseName(this.uri);
    const r = await this.runner.request({ kind: 'view', opts: { call: this.call, title } });
    if (this.disposed || gen !== this.gen) return;
    let view = r.kind === 'view' ? r.view : failedView(title, r.kind === 'error' ? r.message : 'no view');
    if (this.following && this.outOfStep(this.following.source))
      view = { ...view, notes: [...view.notes, OUT_OF_STEP_NOTE] };
    this.view = view;
    const p = position ?? (follow ? this.followedPosition() : null);
    if (p !== null) this.noteFollowed(p);
    this.post({ type: 'view', replyTo, view: this.view, position: p });
  }

  /** The panel's state, for tests: the call shown, the page's step position, the last export or copy. */
  get state(): {
    call: number | null;
    position: number;
    following: number | null;
    lastAction: string;
    runs: number;
    shapeKey: string | null;
  } {
    return {
      call: this.view?.call ?? null,
      position: this.position,
      following: this.following?.index ?? null,
      lastAction: this.lastAction,
      runs: this.runs,
      shapeKey: this.view?.shapeKey ?? null,
    };
  }

  /** A command from VS Code for the page (export, copy, presentation, grouping); `target` names an export's file or folder. */
  command(name: PanelCommand, target?: vscode.Uri): void {
    if (target) {
      const kind =
        name === 'exportSvg' ? 'svg' : name === 'exportPng' ? 'png' : name === 'exportFrames' ? 'frames' : null;
      if (kind) this.exportTargets.set(kind, target);
    }
    this.post({ type: 'command', name });
  }

  private scheduleCursor(line: number | null): void {
    this.cursorLine = line;
    if (this.cursorTimer !== null) return;
    this.cursorTimer = setTimeout(() => {
      this.cursorTimer = null;
      this.post({ type: 'cursor', line: this.cursorLine });
    }, CURSOR_DELAY_MS);
  }

  /** A debug session of this document stopped at `index` (fromPanel: the panel asked for it). */
  followStop(stops: readonly Stop[], index: number, fromPanel: boolean, source: string | null = null): void {
    const wasOut = this.following !== null && this.outOfStep(this.following.source);
    this.following = { stops, index, source };
    if (fromPanel || !this.ready || !this.calls || this.disposed) return;
    if (this.outOfStep(source)) {
      // Say once why the panel stays where it is.
      if (!wasOut) void this.rebuild(null, null);
      return;
    }
    if (this.followCall() || !this.view || wasOut) {
      void this.rebuild(null, null, true);
      return;
    }
    const p = this.followedPosition();
    if (p === null) return;
    this.noteFollowed(p);
    this.post({ type: 'goTo', position: p });
  }

  /** The session ended: the panel stops following it. */
  unfollow(): void {
    this.following = null;
  }

  /**
   * The session ran other text than the panel did (the script was edited
   * after the session started, or before the panel's re-run): its stops do
   * not name this view's nodes, so the panel neither follows nor drives it.
   */
  private outOfStep(source: string | null): boolean {
    return source !== null && this.ranText !== null && source !== this.ranText;
  }

  /** Points the panel at the followed stop's backward() call; true when that changes the view's call. */
  private followCall(): boolean {
    const f = this.following;
    if (!f || !this.calls || this.outOfStep(f.source)) return false;
    const call = callOfStop(f.stops, f.index);
    if (call === null || call >= this.calls.length) return false;
    this.call = call;
    return this.view?.call !== call;
  }

  private followedPosition(): number | null {
    const f = this.following;
    const v = this.view;
    if (!f || !v || this.outOfStep(f.source)) return null;
    return panelPositionOfStop(f.stops, f.index, v);
  }

  private noteFollowed(p: number): void {
    this.followed.add(p);
    if (this.followedTimer !== null) clearTimeout(this.followedTimer);
    this.followedTimer = setTimeout(() => {
      this.followedTimer = null;
      this.followed.clear();
    }, 1000);
  }

  /** The page's step buttons moved to `index`: take the debug session there (unless it is there already). */
  private driveSession(index: number): void {
    const link = this.host.link;
    const v = this.view;
    if (!link || !v || !this.uri) return;
    if (this.followed.has(index)) {
      // The page reporting a position the debugger sent it.
      this.followed.delete(index);
      return;
    }
    const linked = link.sessionFor(this.uri);
    if (!linked || linked.stop === null || this.outOfStep(linked.adapter.sourceText)) return;
    const stops = link.stopsOf(linked);
    if (panelPositionOfStop(stops, linked.stop, v) === index) return;
    const target = stopOfPanelPosition(stops, v, index);
    if (target === null || target === linked.stop) return;
    link.goTo(linked, target);
  }

  private scheduleRerun(): void {
    if (this.rerunTimer !== null) clearTimeout(this.rerunTimer);
    this.rerunTimer = setTimeout(() => {
      this.rerunTimer = null;
      void this.run(null);
    }, RERUN_DELAY_MS);
  }

  reveal(): void {
    this.panel.reveal(this.panel.viewColumn ?? vscode.ViewColumn.Beside, false);
  }

  private onMessage(raw: unknown): void {
    if (this.disposed) return;
    const v = this.view;
    const limits = {
      nodes: v?.nodes.length ?? 0,
      positions: v ? lastPosition(v) : 0,
      calls: this.calls?.length ?? 0,
    };
    const parsed = parseWebviewMessage(raw, limits);
    if (!parsed.ok) {
      this.log(`dropped a message from the panel: ${parsed.reason}`);
      return;
    }
    this.handle(parsed.value);
  }

  private handle(m: WebviewMessage): void {
    switch (m.type) {
      case 'ready':
        // The page (re)loaded: first load, shown again after being hidden, or restored.
        this.ready = true;
        if (this.goneMessage !== null && !this.uri) this.post({ type: 'gone', message: this.goneMessage });
        else if (this.view && this.calls) {
          if (this.followCall()) void this.rebuild(m.id, null, true);
          else {
            const p = this.followedPosition();
            if (p !== null) this.noteFollowed(p);
            this.post({ type: 'view', replyTo: m.id, view: this.view, position: p });
          }
        } else void this.run(m.id);
        return;
      case 'rerun':
        void this.run(m.id);
        return;
      case 'pickCall':
        this.call = m.call;
        void this.rebuild(m.id, null);
        return;
      case 'select':
        void this.select(m.id, m.node);
        return;
      case 'drill':
        void this.drill(m.id, m.node);
        return;
      case 'export':
        void this.export(m.id, m.format, m.data);
        return;
      case 'exportFrames':
        void this.exportFrames(m.id, m.frames);
        return;
      case 'copy':
        void vscode.env.clipboard.writeText(m.text).then(
          () => {
            this.lastAction = `copied ${m.text.length} characters`;
            this.post({ type: 'reply', replyTo: m.id, ok: true, message: 'Copied to the clipboard.' });
          },
          (e: unknown) => this.fail(m.id, `Could not copy: ${String(e)}`),
        );
        return;
      case 'step':
        // Coalesced: a burst of steps marks the editor once.
        this.pendingStep = m.index;
        if (this.stepTimer === null)
          this.stepTimer = setTimeout(() => {
            this.stepTimer = null;
            this.markStep(this.pendingStep);
          }, 30);
        return;
    }
  }

  private fail(id: number, message: string): void {
    this.log(message);
    this.post({ type: 'reply', replyTo: id, ok: false, message });
  }

  /** The scalar operations of a small tensor op: a view of their own, built on the host like every view. */
  private async drill(id: number, node: number): Promise<void> {
    const v = this.view;
    const n = v?.nodes[node];
    if (!v || !n || !this.calls || !this.uri) return;
    if (!n.drill) {
      this.post({
        type: 'reply',
        replyTo: id,
        ok: false,
        message: `${n.label} has no scalar view (too big, or not a tensor op).`,
      });
      return;
    }
    const gen = this.gen;
    const r = await this.runner.request({
      kind: 'drill',
      opts: { call: v.call >= 0 ? v.call : undefined, title: baseName(this.uri) },
      tensorId: n.id,
    });
    if (this.disposed || gen !== this.gen || this.view !== v) return;
    if (r.kind !== 'view') return this.fail(id, `Could not expand ${n.label}: ${r.kind === 'error' ? r.message : ''}`);
    this.lastAction = `drilled into ${n.label}`;
    this.post({ type: 'drillView', replyTo: id, node, view: r.view });
  }

  private async export(id: number, format: ExportFormat, data: string): Promise<void> {
    if (!this.uri) return;
    const target = this.exportTargets.get(format);
    this.exportTargets.delete(format);
    try {
      const saved = await saveExport(this.uri, format, data, target);
      if (!saved) return this.post({ type: 'reply', replyTo: id, ok: true, message: '' });
      this.lastAction = `saved ${saved.toString()}`;
      this.post({
        type: 'reply',
        replyTo: id,
        ok: true,
        message: `Saved ${saved.path.slice(saved.path.lastIndexOf('/') + 1)}.`,
      });
    } catch (e) {
      this.fail(id, `Could not save the ${format.toUpperCase()}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private async exportFrames(id: number, frames: readonly string[]): Promise<void> {
    if (!this.uri) return;
    const target = this.exportTargets.get('frames');
    this.exportTargets.delete('frames');
    try {
      const dir = await saveFrames(this.uri, frames, target);
      if (!dir) return this.post({ type: 'reply', replyTo: id, ok: true, message: '' });
      this.lastAction = `saved ${frames.length} frames in ${dir.toString()}`;
      this.post({ type: 'reply', replyTo: id, ok: true, message: `Saved ${frames.length} frames.` });
    } catch (e) {
      this.fail(id, `Could not save the frames: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private editorsOfDocument(): vscode.TextEditor[] {
    const key = this.uri?.toString();
    return vscode.window.visibleTextEditors.filter((e) => e.document.uri.toString() === key);
  }

  private markStep(index: number): void {
    const v = this.view;
    if (!v || this.disposed) return;
    this.position = index;
    this.driveSession(index);
    const F = v.forward.length;
    const node = index === 0 ? -1 : index <= F ? v.forward[index - 1]?.node : v.steps[index - F - 1]?.node;
    const r = node !== undefined && node >= 0 ? v.nodes[node]?.range : null;
    for (const e of this.editorsOfDocument()) e.setDecorations(this.host.currentStep, r ? [toRange(r)] : []);
  }

  private async select(id: number, node: number): Promise<void> {
    const n = this.view?.nodes[node];
    if (!n) return;
    if (!n.range) {
      this.post({ type: 'reply', replyTo: id, ok: true, message: `${n.label} has no source range.` });
      return;
    }
    const doc = await this.document();
    if (!doc || this.disposed) return;
    const range = toRange(n.range);
    const visible = this.editorsOfDocument()[0];
    const editor = await vscode.window.showTextDocument(doc, {
      viewColumn: visible?.viewColumn ?? vscode.ViewColumn.One,
      preserveFocus: true,
      selection: range,
    });
    editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    editor.setDecorations(this.host.selected, [range]);
    this.post({ type: 'reply', replyTo: id, ok: true, message: '' });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.rerunTimer !== null) clearTimeout(this.rerunTimer);
    if (this.stepTimer !== null) clearTimeout(this.stepTimer);
    if (this.cursorTimer !== null) clearTimeout(this.cursorTimer);
    if (this.followedTimer !== null) clearTimeout(this.followedTimer);
    for (const e of this.editorsOfDocument()) {
      e.setDecorations(this.host.currentStep, []);
      e.setDecorations(this.host.selected, []);
    }
    for (const s of this.subs) s.dispose();
    this.runner.dispose();
    this.host.forget(this);
    this.panel.dispose();
  }
}
