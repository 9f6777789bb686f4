/**
 * The graph panel follows the debugger inside a real VS Code: start a
 * `backprop` session, step to loss.backward(), open the panel (it shows the
 * session's call at the step the debugger is at), then F11 into the
 * backward pass and the panel's position moves one step with it. The panel's
 * position is read with the test command backprop.graphPanelState.
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { restore } from './helpers';

interface PanelState {
  call: number | null;
  position: number;
  following: number | null;
}

async function waitFor<T>(
  what: string,
  get: () => T | undefined | Promise<T | undefined>,
  timeoutMs = 30_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the graph panel follows the debugger in a real VS Code', () => {
  let stops = 0;
  let tracker: vscode.Disposable | undefined;

  before(() => {
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('backprop', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: { type: string; event?: string }) => {
          if (m.type === 'event' && m.event === 'stopped') stops++;
        },
      }),
    });
  });

  after(async () => {
    tracker?.dispose();
    await vscode.debug.stopDebugging();
    for (const t of vscode.window.tabGroups.all.flatMap((g) => g.tabs))
      if (t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith('backprop.graph'))
        await vscode.window.tabGroups.close(t);
  });

  it('opening the panel during a session shows its step; F11 into backward() moves the panel', async function () {
    this.timeout(90_000);
    const folder = vscode.workspace.workspaceFolders![0];
    const file = vscode.Uri.joinPath(folder.uri, 'exercise_chain_rule.py');
    const doc = await vscode.workspace.openTextDocument(file);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const backwardLine =
      doc
        .getText()
        .split(/\r?\n/)
        .findIndex((l) => l.trim() === 'loss.backward()') + 1;
    assert.ok(backwardLine > 0);

    const before = stops;
    assert.ok(
      await vscode.debug.startDebugging(folder, {
        type: 'backprop',
        request: 'launch',
        name: 'Step through backprop',
        program: file.fsPath,
        stopOnEntry: true,
      }),
    );
    const session = await waitFor('the session', () => vscode.debug.activeDebugSession ?? undefined);
    await waitFor('stop on entry', () => (stops > before ? true : undefined));
    const request = async <T>(command: string, args: object): Promise<T> =>
      (await session.customRequest(command, args)) as T;
    const line = async () =>
      (await request<{ stackFrames: { line: number }[] }>('stackTrace', { threadId: 1 })).stackFrames[0].line;
    const step = async (command: string) => {
      const n = stops;
      await request(command, { threadId: 1 });
      await waitFor(`a stop after ${command}`, () => (stops > n ? true : undefined));
    };
    while ((await line()) !== backwardLine) await step('next');

    const state = () => vscode.commands.executeCommand<PanelState | null>('backprop.graphPanelState', file);
    await vscode.commands.executeCommand('backprop.showGraph', file);
    const atLine = await waitFor('the panel at the session stop', async () => {
      const s = await state();
      return s && s.following !== null && s.position > 0 ? s : undefined;
    });
    assert.equal(atLine.call, 0);

    const st = await request<{ kind: string | null }>('backprop/state', {});
    assert.equal(st.kind, 'statement');
    await step('stepIn');
    const inBackward = await request<{ kind: string; backward: { call: number; step: number } | null }>(
      'backprop/state',
      {},
    );
    assert.equal(inBackward.kind, 'backward');
    assert.deepEqual({ call: inBackward.backward?.call, step: inBackward.backward?.step }, { call: 0, step: 0 });
    await waitFor('the panel one step into backward', async () => {
      const s = await state();
      return s && s.position === atLine.position + 1 ? s : undefined;
    });
    await step('stepIn');
    await waitFor('the panel two steps into backward', async () => {
      const s = await state();
      return s && s.position === atLine.position + 2 ? s : undefined;
    });
    await step('stepBack');
    await waitFor('the panel back one step', async () => {
      const s = await state();
      return s && s.position === atLine.position + 1 ? s : undefined;
    });

    // Editing the script: the panel re-runs the new text, which the session did not run, so the two
    // stop moving together (the panel says so) instead of pointing at the wrong nodes.
    const original = doc.getText();
    const edit = new vscode.WorkspaceEdit();
    edit.insert(file, new vscode.Position(0, 0), '# edited during the session\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    try {
      await new Promise((r) => setTimeout(r, 1500));
      const pinned = (await state())?.position;
      await step('stepIn');
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal((await state())?.position, pinned, 'the panel did not follow a session running other text');
    } finally {
      await restore(doc, original);
      assert.equal(doc.getText(), original, 'the edit is undone');
    }
  });
});
