/**
 * Registers the graph panel: the command "Backprop: Show Graph"
 * (backprop.showGraph, also on the editor title of Python files), a CodeLens
 * "▶ Step through backprop" above every `.backward()` call, and the
 * WebviewPanelSerializer that brings panels back after a window reload.
 * One panel per document. A panel's page keeps only an opaque document key
 * in its state; the key → document map lives in the workspace state, so
 * nothing the page sends is ever used as a path.
 */
import * as vscode from 'vscode';
import { findBackwardCalls } from './backward-lines';
import { GRAPH_VIEW_TYPE, GraphPanel, PanelHost } from './graph-panel';
import { DebugLink, programIs } from '../debug/link';
import type { PanelCommand } from '../../protocol/messages';

export const SHOW_GRAPH_COMMAND = 'backprop.showGraph';
/** Not in the palette: the state of a document's panel ({call, position, following} or null), for tests. */
export const PANEL_STATE_COMMAND = 'backprop.graphPanelState';
const KEYS_STATE = 'backprop.graphPanels';

/**
 * Commands carried out by the page of the graph panel in front (or the
 * panel of the active editor's document). Export commands take an optional
 * target Uri (a file, or a folder for frames): then no dialog asks.
 */
export const PANEL_COMMAND_IDS: Readonly<Record<PanelCommand, string>> = {
  exportSvg: 'backprop.exportSvg',
  exportPng: 'backprop.exportPng',
  exportFrames: 'backprop.exportFrames',
  copyLatex: 'backprop.copyLatex',
  togglePresentation: 'backprop.togglePresentation',
  expandAll: 'backprop.expandAllGroups',
  collapseAll: 'backprop.collapseAllGroups',
};

class PanelManager implements PanelHost {
  readonly log: vscode.LogOutputChannel;
  readonly currentStep: vscode.TextEditorDecorationType;
  readonly selected: vscode.TextEditorDecorationType;
  private readonly panels = new Map<string, GraphPanel>();
  /** Restored panels whose document is unknown (they say so and offer nothing else). */
  private readonly panelsWithoutDocument = new Set<GraphPanel>();

  private readonly linkSubs: vscode.Disposable[] = [];

  constructor(
    readonly extensionUri: vscode.Uri,
    private readonly state: vscode.Memento,
    readonly link?: DebugLink,
  ) {
    if (link)
      this.linkSubs.push(
        link.onDidStop((e) => {
          for (const p of this.panels.values())
            if (p.uri && programIs(e.linked.session.configuration.program, p.uri)) {
              p.followStop(e.stops, e.index, e.fromPanel, e.linked.adapter.sourceText);
            }
        }),
        link.onDidEnd((l) => {
          for (const p of this.panels.values())
            if (p.uri && programIs(l.session.configuration.program, p.uri) && !link.sessionFor(p.uri)) p.unfollow();
        }),
      );
    this.log = vscode.window.createOutputChannel('Backprop Graph', { log: true });
    this.currentStep = vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.wordHighlightStrongBackground'),
      borderColor: new vscode.ThemeColor('editor.wordHighlightStrongBorder'),
      borderStyle: 'solid',
      borderWidth: '1px',
    });
    this.selected = vscode.window.createTextEditorDecorationType({
      backgroundColor: new vscode.ThemeColor('editor.findMatchHighlightBackground'),
    });
  }

  private keys(): Record<string, string> {
    const v = this.state.get<unknown>(KEYS_STATE);
    if (typeof v !== 'object' || v === null) return {};
    const out: Record<string, string> = {};
    for (const [k, u] of Object.entries(v)) if (typeof u === 'string') out[k] = u;
    return out;
  }

  private async remember(key: string, uri: vscode.Uri | null): Promise<void> {
    const keys = this.keys();
    if (uri) keys[key] = uri.toString();
    else delete keys[key];
    await this.state.update(KEYS_STATE, keys);
  }

  private newKey(): string {
    const bytes = new Uint8Array(16);
    globalThis.crypto.getRandomValues(bytes);
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** The panel of a document, if open (tests read its state). */
  panelOf(uri: vscode.Uri): GraphPanel | undefined {
    return this.panels.get(uri.toString());
  }

  /** The panel a command is for: the active panel, else the active editor's, else the only one open. */
  target(): GraphPanel | undefined {
    const all = [...this.panels.values()];
    const active = all.find((p) => p.panel.active);
    if (active) return active;
    const doc = vscode.window.activeTextEditor?.document.uri;
    if (doc && this.panels.has(doc.toString())) return this.panels.get(doc.toString());
    const visible = all.filter((p) => p.panel.visible);
    return visible.length === 1 ? visible[0] : all.length === 1 ? all[0] : undefined;
  }

  /** A debug session of the document is stopped: the panel shows its call and step. */
  private followSession(gp: GraphPanel, uri: vscode.Uri): void {
    const linked = this.link?.sessionFor(uri);
    if (!this.link || !linked || linked.stop === null) return;
    gp.followStop(this.link.stopsOf(linked), linked.stop, false, linked.adapter.sourceText);
  }

  /** Opens (or reveals) the panel of a document. */
  async show(uri: vscode.Uri, line?: number): Promise<void> {
    const existing = this.panels.get(uri.toString());
    if (existing) {
      existing.reveal();
      if (line === undefined) this.followSession(existing, uri);
      existing.showCallAtLine(line);
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      GRAPH_VIEW_TYPE,
      'Graph',
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: false },
      {},
    );
    const key = this.newKey();
    let gp: GraphPanel;
    try {
      gp = new GraphPanel(this, panel, uri, key);
    } catch (e) {
      panel.dispose();
      throw e;
    }
    if (line === undefined) this.followSession(gp, uri);
    gp.showCallAtLine(line);
    this.panels.set(uri.toString(), gp);
    await this.remember(key, uri);
  }

  /** A panel VS Code kept across a reload: its page's state names the document by key. */
  async restore(panel: vscode.WebviewPanel, state: unknown): Promise<void> {
    const key =
      typeof state === 'object' && state !== null && typeof (state as { docKey?: unknown }).docKey === 'string'
        ? (state as { docKey: string }).docKey
        : '';
    const known = /^[0-9a-f]{32}$/.test(key) ? this.keys()[key] : undefined;
    let uri: vscode.Uri | null = null;
    if (known) {
      try {
        uri = vscode.Uri.parse(known, true);
      } catch {
        uri = null;
      }
    }
    if (uri && this.panels.has(uri.toString())) {
      // One panel per document: this one is a duplicate.
      panel.dispose();
      return;
    }
    const gp = new GraphPanel(this, panel, uri, uri ? key : this.newKey());
    if (uri) this.followSession(gp, uri);
    if (uri) this.panels.set(uri.toString(), gp);
    else this.panelsWithoutDocument.add(gp);
  }

  forget(panel: GraphPanel): void {
    this.panelsWithoutDocument.delete(panel);
    if (panel.uri && this.panels.get(panel.uri.toString()) === panel) {
      this.panels.delete(panel.uri.toString());
      void this.remember(panel.docKey, null);
    }
  }

  dispose(): void {
    for (const s of this.linkSubs) s.dispose();
    for (const p of [...this.panels.values(), ...this.panelsWithoutDocument]) p.dispose();
    this.currentStep.dispose();
    this.selected.dispose();
    this.log.dispose();
  }
}

class BackwardLenses implements vscode.CodeLensProvider {
  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    return findBackwardCalls(document.getText()).map(
      (s) =>
        new vscode.CodeLens(new vscode.Range(s.line - 1, s.col, s.line - 1, s.col), {
          title: '▶ Step through backprop',
          tooltip: 'Show the graph of this backward() call and step through it',
          command: SHOW_GRAPH_COMMAND,
          arguments: [document.uri, s.line],
        }),
    );
  }
}

export function registerGraphPanel(context: vscode.ExtensionContext, link?: DebugLink): void {
  const manager = new PanelManager(context.extensionUri, context.workspaceState, link);
  context.subscriptions.push(
    manager,
    vscode.commands.registerCommand(SHOW_GRAPH_COMMAND, async (resource?: unknown, line?: unknown) => {
      // Arguments come from the CodeLens, the editor title (a Uri), or nowhere (the palette).
      const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
      if (!uri) {
        void vscode.window.showInformationMessage('Backprop: open a Python file to show its graph.');
        return;
      }
      const l = typeof line === 'number' && Number.isInteger(line) && line >= 1 ? line : undefined;
      await manager.show(uri, l);
    }),
    ...(Object.entries(PANEL_COMMAND_IDS) as [PanelCommand, string][]).map(([name, id]) =>
      vscode.commands.registerCommand(id, (target?: unknown) => {
        const gp = manager.target();
        if (!gp) {
          void vscode.window.showInformationMessage('Backprop: show a graph first (Backprop: Show Graph).');
          return false;
        }
        gp.command(name, target instanceof vscode.Uri ? target : undefined);
        return true;
      }),
    ),
    vscode.commands.registerCommand(PANEL_STATE_COMMAND, (resource?: unknown) =>
      resource instanceof vscode.Uri ? (manager.panelOf(resource)?.state ?? null) : null,
    ),
    vscode.languages.registerCodeLensProvider({ language: 'python' }, new BackwardLenses()),
    vscode.window.registerWebviewPanelSerializer(GRAPH_VIEW_TYPE, {
      deserializeWebviewPanel: (panel, state) => manager.restore(panel, state),
    }),
  );
}
