/**
 * The graph panel inside a real VS Code's extension host: the command opens
 * one webview panel per document beside the editor, a second call reveals
 * the same panel, and the CodeLens provider offers "▶ Step through
 * backprop" above the backward() call. (What the page shows is checked by
 * the E2E tests, which can see into the webview.)
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';

const VIEW_TYPE = 'backprop.graph';

function graphTabs(): vscode.Tab[] {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .filter((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(VIEW_TYPE));
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the graph panel in a real VS Code', () => {
  let doc: vscode.TextDocument;

  before(async () => {
    const folder = vscode.workspace.workspaceFolders![0];
    doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder.uri, 'exercise_chain_rule.py'));
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
  });

  after(async () => {
    for (const t of graphTabs()) await vscode.window.tabGroups.close(t);
  });

  it('a CodeLens "▶ Step through backprop" sits above loss.backward()', async () => {
    const lenses =
      (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri)) ?? [];
    const ours = lenses.filter((l) => l.command?.command === 'backprop.showGraph');
    assert.equal(ours.length, 1);
    assert.equal(ours[0].range.start.line, 15, 'line 16, 0-based 15');
    assert.equal(ours[0].command?.title, '▶ Step through backprop');
  });

  it('"Backprop: Show Graph" opens the panel beside the editor; running it again reveals the same one', async function () {
    this.timeout(60_000);
    await vscode.commands.executeCommand('backprop.showGraph');
    await waitFor('the graph panel', () => graphTabs().length === 1);
    const tab = graphTabs()[0];
    assert.equal(tab.label, 'Graph: exercise_chain_rule.py');
    assert.notEqual(tab.group.viewColumn, vscode.ViewColumn.One, 'beside the editor');
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('backprop.showGraph', doc.uri, 16);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(graphTabs().length, 1, 'one panel per document');
  });

  it('ignores arguments that are not a document (the command can be called by anyone)', async () => {
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('backprop.showGraph', '/etc/passwd', 'x');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(
      graphTabs().length,
      1,
      'the string was not taken for a file: the active document’s panel was revealed',
    );
  });
});
