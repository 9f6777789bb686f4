/**
 * The debugger inside a real VS Code: F5's configuration on an example,
 * F11 into loss.backward(), and a gradient read from the Variables view
 * (through the debug session's DAP requests, as the view reads them).
 */
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';

interface StoppedEvent {
  type: string;
  event?: string;
  body?: { reason?: string };
}

interface Frame {
  id: number;
  name: string;
  line: number;
}

interface Variable {
  name: string;
  value: string;
  variablesReference: number;
}

async function waitFor<T>(what: string, get: () => T | undefined, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('the backprop debugger in a real VS Code', () => {
  let stops = 0;
  let tracker: vscode.Disposable | undefined;

  before(() => {
    tracker = vscode.debug.registerDebugAdapterTrackerFactory('backprop', {
      createDebugAdapterTracker: () => ({
        onDidSendMessage: (m: StoppedEvent) => {
          if (m.type === 'event' && m.event === 'stopped') stops++;
        },
      }),
    });
  });

  after(async () => {
    tracker?.dispose();
    await vscode.debug.stopDebugging();
  });

  it('starts on an example, steps into loss.backward() and shows w1.grad = -31 in the Variables', async function () {
    this.timeout(90_000);
    const folder = vscode.workspace.workspaceFolders![0];
    const file = vscode.Uri.joinPath(folder.uri, 'exercise_chain_rule.py');
    const text = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
    const backwardLine = text.split(/\r?\n/).findIndex((l) => l.trim() === 'loss.backward()') + 1;
    assert.ok(backwardLine > 0, 'the example calls loss.backward()');

    const started = await vscode.debug.startDebugging(folder, {
      type: 'backprop',
      request: 'launch',
      name: 'Step through backprop',
      program: file.fsPath,
      stopOnEntry: true,
    });
    assert.ok(started, 'the debug session starts');
    const session = await waitFor('the session', () => vscode.debug.activeDebugSession ?? undefined);
    assert.equal(session.type, 'backprop');

    const request = async <T>(command: string, args: object): Promise<T> =>
      (await session.customRequest(command, args)) as T;
    const topFrame = async (): Promise<Frame> =>
      (await request<{ stackFrames: Frame[] }>('stackTrace', { threadId: 1 })).stackFrames[0];
    const step = async (command: string): Promise<Frame> => {
      const before = stops;
      await request(command, { threadId: 1 });
      await waitFor(`a stop after ${command}`, () => (stops > before ? true : undefined));
      return topFrame();
    };

    await waitFor('stop on entry', () => (stops > 0 ? true : undefined));
    let frame = await topFrame();
    while (frame.line !== backwardLine) frame = await step('next');
    frame = await step('stepIn');
    assert.match(frame.name, /^backward: PowBackward0/, 'F11 on loss.backward() enters the backward pass');
    frame = await step('stepOut');

    const scopes = (
      await request<{ scopes: { name: string; variablesReference: number }[] }>('scopes', { frameId: frame.id })
    ).scopes;
    const found: Variable[] = [];
    for (const s of scopes) {
      const vars = (await request<{ variables: Variable[] }>('variables', { variablesReference: s.variablesReference }))
        .variables;
      found.push(...vars.filter((v) => v.name === 'w1'));
    }
    assert.ok(found.length > 0, `w1 in the scopes ${scopes.map((s) => s.name).join(', ')}`);
    const children = (
      await request<{ variables: Variable[] }>('variables', { variablesReference: found[0].variablesReference })
    ).variables;
    const grad = children.find((v) => v.name === 'grad');
    assert.ok(grad, `w1 expands to ${children.map((v) => v.name).join(', ')}`);
    assert.match(grad.value, /-31/);
  });
});
