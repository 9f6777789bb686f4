/**
 * The graph panel's instructor commands inside a real VS Code: export the
 * view as SVG and PNG, export the walk-through as numbered SVG frames, and
 * copy the chain-rule line as LaTeX. The page makes the content; the host
 * writes the files (a target is passed to each command, so no dialog asks)
 * and the tests read them back from disk. What the panel did last is read
 * with the test command backprop.graphPanelState.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { restore } from './helpers';

interface PanelState {
  call: number | null;
  position: number;
  following: number | null;
  lastAction: string;
  runs: number;
  shapeKey: string | null;
}

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('the graph panel exports and copies in a real VS Code', () => {
  let file: vscode.Uri;
  let out: string;
  const state = () => vscode.commands.executeCommand<PanelState | null>('backprop.graphPanelState', file);

  before(async function () {
    this.timeout(60_000);
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'backprop-export-'));
    const folder = vscode.workspace.workspaceFolders![0];
    file = vscode.Uri.joinPath(folder.uri, 'exercise_chain_rule.py');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    await vscode.commands.executeCommand('backprop.showGraph', file);
    // The page has the view once it reports a step position.
    const end = Date.now() + 45_000;
    while (((await state())?.position ?? -1) < 0) {
      if (Date.now() > end) throw new Error('the panel never reported a position');
      await new Promise((r) => setTimeout(r, 100));
    }
  });

  after(async () => {
    for (const t of vscode.window.tabGroups.all.flatMap((g) => g.tabs))
      if (t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('backprop.graph'))
        await vscode.window.tabGroups.close(t);
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('Export Graph as SVG writes a standalone SVG of the graph', async function () {
    this.timeout(60_000);
    const target = path.join(out, 'graph.svg');
    assert.equal(await vscode.commands.executeCommand('backprop.exportSvg', vscode.Uri.file(target)), true);
    await waitFor('graph.svg', () => (fs.existsSync(target) && fs.statSync(target).size > 0 ? true : undefined));
    const svg = fs.readFileSync(target, 'utf8');
    assert.match(svg, /<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    assert.match(svg, /y_hat/, 'the node labels are in it');
    assert.doesNotMatch(svg, /var\(--/, 'theme variables are resolved');
    assert.match((await state())?.lastAction ?? '', /^saved /);
  });

  it('Export Graph as PNG writes a PNG', async function () {
    this.timeout(60_000);
    const target = path.join(out, 'graph.png');
    await vscode.commands.executeCommand('backprop.exportPng', vscode.Uri.file(target));
    await waitFor('graph.png', () => (fs.existsSync(target) && fs.statSync(target).size > 0 ? true : undefined));
    const png = fs.readFileSync(target);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.ok(png.length > 1000, `${png.length} bytes`);
  });

  it('Export Walk-through writes one numbered SVG per step position', async function () {
    this.timeout(90_000);
    const dir = path.join(out, 'frames');
    await vscode.commands.executeCommand('backprop.exportFrames', vscode.Uri.file(dir));
    // The exercise: 12 forward nodes and 6 backward steps, positions 0…18.
    const names = await waitFor('19 frames', () => {
      const n = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
      return n.length === 19 ? n : undefined;
    });
    assert.equal(names[0], 'exercise_chain_rule-step-000.svg');
    assert.equal(names[18], 'exercise_chain_rule-step-018.svg');
    const first = fs.readFileSync(path.join(dir, names[0]), 'utf8');
    const last = fs.readFileSync(path.join(dir, names[18]), 'utf8');
    assert.match(first, /^(<\?xml[^>]*>\s*)?<svg/);
    assert.notEqual(first, last, 'the frames show different steps');
  });

  it('Copy Chain-Rule Line as LaTeX puts the current line on the clipboard', async function () {
    this.timeout(30_000);
    const before = (await state())?.lastAction;
    await vscode.commands.executeCommand('backprop.copyLatex');
    const end = Date.now() + 20_000;
    let now = before;
    while (now === before && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      now = (await state())?.lastAction;
    }
    assert.match(now ?? '', /^copied \d+ characters$/);
    const text = await vscode.env.clipboard.readText();
    // The panel opens at the end of the forward pass: the loss's forward line, `\mathrm{loss} = … = 60.0625`.
    assert.match(text, /=.*60\.0625/, `clipboard: ${text.slice(0, 200)}`);
  });

  it('editing the script re-runs it once after a pause, keeping the step while the graph keeps its shape', async function () {
    this.timeout(60_000);
    const doc = await vscode.workspace.openTextDocument(file);
    const original = doc.getText();
    const s0 = await state();
    assert.ok(s0 && s0.position > 0);
    const line = doc
      .getText()
      .split(/\r?\n/)
      .findIndex((l) => l.startsWith('w1 = torch.tensor(0.5'));
    assert.ok(line >= 0);
    try {
      // Three quick edits (typing 0.5 → 0.75 → 0.755 → 0.7555): one run after the pause.
      for (const [from, to] of [
        ['0.5', '0.75'],
        ['0.75', '0.755'],
        ['0.755', '0.7555'],
      ]) {
        const col = doc.lineAt(line).text.indexOf(from);
        const e = new vscode.WorkspaceEdit();
        e.replace(file, new vscode.Range(line, col, line, col + from.length), to);
        assert.ok(await vscode.workspace.applyEdit(e));
      }
      const end = Date.now() + 20_000;
      let now = await state();
      while ((now?.runs ?? 0) === s0.runs && Date.now() < end) {
        await new Promise((r) => setTimeout(r, 100));
        now = await state();
      }
      assert.equal(now?.runs, s0.runs + 1, 'the edits ran once');
      await new Promise((r) => setTimeout(r, 1000));
      now = await state();
      assert.equal(now?.runs, s0.runs + 1, 'and only once');
      assert.equal(now?.shapeKey, s0.shapeKey, 'same graph shape');
      assert.equal(now?.position, s0.position, 'the step is kept');

      // A change of shape (one more op): a new graph.
      const loss = doc
        .getText()
        .split(/\r?\n/)
        .findIndex((l) => l.startsWith('loss = (y_hat - y)**2'));
      const e = new vscode.WorkspaceEdit();
      e.insert(file, new vscode.Position(loss, doc.lineAt(loss).text.length), ' * 0.5');
      assert.ok(await vscode.workspace.applyEdit(e));
      const end2 = Date.now() + 20_000;
      while ((now?.runs ?? 0) === s0.runs + 1 && Date.now() < end2) {
        await new Promise((r) => setTimeout(r, 100));
        now = await state();
      }
      assert.equal(now?.runs, s0.runs + 2);
      assert.notEqual(now?.shapeKey, s0.shapeKey, 'another graph');
    } finally {
      await restore(doc, original);
      assert.equal(doc.getText(), original, 'the edits are undone');
    }
  });
});
