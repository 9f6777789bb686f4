/**
 * Runs inside a real VS Code extension host (see index.ts), with the
 * examples/ folder as the workspace.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

interface Manifest {
  publisher: string;
  name: string;
  contributes?: { commands?: { command: string; title: string }[] };
}

// The extension under test is the folder two levels above out/test/integration/
// (the launchers pass the repository as extensionDevelopmentPath). Its
// package.json is read at test time, so new commands are checked automatically.
const extensionRoot = path.resolve(__dirname, '..', '..', '..');
const manifest = JSON.parse(fs.readFileSync(path.join(extensionRoot, 'package.json'), 'utf8')) as Manifest;
const extensionId = `${manifest.publisher}.${manifest.name}`;
const contributed = manifest.contributes?.commands ?? [];

async function waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function theExtension(): vscode.Extension<unknown> {
  const ext = vscode.extensions.getExtension(extensionId);
  assert.ok(ext, `${extensionId} is not loaded in this extension host`);
  return ext;
}

describe('Backprop Debugger in a real VS Code', () => {
  it('is loaded from the development folder', () => {
    const ext = theExtension();
    assert.equal(path.resolve(ext.extensionUri.fsPath), extensionRoot);
  });

  it('the workspace is the examples/ folder', () => {
    const folders = vscode.workspace.workspaceFolders ?? [];
    assert.equal(folders.length, 1, 'one workspace folder');
    assert.equal(path.basename(folders[0].uri.path), 'examples');
  });

  it('activates when a .py file is opened', async () => {
    const ext = theExtension();
    const folder = vscode.workspace.workspaceFolders![0].uri;
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(folder, 'exercise_chain_rule.py'));
    await vscode.window.showTextDocument(doc);
    assert.equal(doc.languageId, 'python');
    await waitFor(`${extensionId} to activate (activationEvents: onLanguage:python)`, () => ext.isActive);
  });

  describe('contributed commands', () => {
    it('are well formed: an id and a title each, no id twice', () => {
      const ids = contributed.map((c) => c.command);
      for (const c of contributed) {
        assert.equal(typeof c.command, 'string', JSON.stringify(c));
        assert.ok(c.command.length > 0 && typeof c.title === 'string' && c.title.length > 0, JSON.stringify(c));
      }
      assert.equal(new Set(ids).size, ids.length, `duplicate command ids in ${ids.join(', ')}`);
    });

    // One test per command in package.json's contributes.commands.
    for (const { command, title } of contributed) {
      it(`registers ${command} ("${title}")`, async () => {
        await theExtension().activate();
        const registered = await vscode.commands.getCommands(true);
        assert.ok(registered.includes(command), `${command} is contributed in package.json but not registered`);
      });
    }
  });
});
