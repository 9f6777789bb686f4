/**
 * Registers the `backprop` debugger with VS Code: the in-process adapter
 * (DebugAdapterInlineImplementation around the vscode-free session), the
 * configuration provider (F5 with no launch.json), the "Debug Backprop"
 * command of the editor's run menu, and the inline values provider.
 */
import * as vscode from 'vscode';
import { BackpropDebugSession, DEBUG_TYPE } from './session';
import { inlineValueSpecs } from './inline-values';
import type { DebugLink } from './link';

export const DEBUG_FILE_COMMAND = 'backpropDebugger.debugFile';

export function launchConfig(program: string): vscode.DebugConfiguration {
  return { type: DEBUG_TYPE, request: 'launch', name: 'Step through backprop', program, stopOnEntry: true };
}

class ConfigurationProvider implements vscode.DebugConfigurationProvider {
  provideDebugConfigurations(): vscode.DebugConfiguration[] {
    return [launchConfig('${file}')];
  }

  resolveDebugConfiguration(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): vscode.DebugConfiguration | undefined {
    // F5 with no launch.json: an empty configuration.
    if (!config.type && !config.request && !config.name) {
      const editor = vscode.window.activeTextEditor;
      if (editor?.document.languageId !== 'python') return config;
      return launchConfig('${file}');
    }
    if (!config.program) {
      void vscode.window.showErrorMessage(
        'Backprop Debugger: the launch configuration needs "program", the Python file to debug.',
      );
      return undefined;
    }
    return config;
  }

  async resolveDebugConfigurationWithSubstitutedVariables(
    _folder: vscode.WorkspaceFolder | undefined,
    config: vscode.DebugConfiguration,
  ): Promise<vscode.DebugConfiguration> {
    // The text as the editor holds it (unsaved edits), read through workspace.fs otherwise (virtual workspaces).
    if (typeof config.sourceText === 'string' || typeof config.program !== 'string') return config;
    const open = vscode.workspace.textDocuments.find(
      (d) => d.uri.fsPath === config.program || d.uri.toString() === config.program,
    );
    if (open) return { ...config, sourceText: open.getText() };
    try {
      const uri =
        /^[a-z][a-z0-9+.-]*:/i.test(config.program) && !/^[a-z]:/i.test(config.program)
          ? vscode.Uri.parse(config.program)
          : vscode.Uri.file(config.program);
      const bytes = await vscode.workspace.fs.readFile(uri);
      return { ...config, sourceText: new TextDecoder().decode(bytes) };
    } catch {
      return config; // The adapter reports the file it cannot read.
    }
  }
}

class InlineValues implements vscode.InlineValuesProvider {
  provideInlineValues(
    document: vscode.TextDocument,
    _viewport: vscode.Range,
    context: vscode.InlineValueContext,
  ): vscode.InlineValue[] | undefined {
    if (vscode.debug.activeDebugSession?.type !== DEBUG_TYPE) return undefined;
    const lines = document.getText().split(/\r\n|\r|\n/);
    return inlineValueSpecs(lines, context.stoppedLocation.end.line + 1).map((s) => {
      const range = new vscode.Range(s.line - 1, s.col, s.line - 1, s.endCol);
      return s.kind === 'lookup'
        ? new vscode.InlineValueVariableLookup(range, s.expression, false)
        : new vscode.InlineValueEvaluatableExpression(range, s.expression);
    });
  }
}

export function registerDebugger(context: vscode.ExtensionContext, link?: DebugLink): void {
  const provider = new ConfigurationProvider();
  context.subscriptions.push(
    vscode.debug.registerDebugConfigurationProvider(DEBUG_TYPE, provider),
    vscode.debug.registerDebugConfigurationProvider(
      DEBUG_TYPE,
      provider,
      vscode.DebugConfigurationProviderTriggerKind.Dynamic,
    ),
    vscode.debug.registerDebugAdapterDescriptorFactory(DEBUG_TYPE, {
      createDebugAdapterDescriptor: (session) => {
        const adapter = new BackpropDebugSession();
        link?.attach(session, adapter); // The graph panel follows the session's stops.
        return new vscode.DebugAdapterInlineImplementation(adapter);
      },
    }),
    vscode.languages.registerInlineValuesProvider({ language: 'python' }, new InlineValues()),
    vscode.commands.registerCommand(DEBUG_FILE_COMMAND, async (resource?: vscode.Uri) => {
      const uri = resource instanceof vscode.Uri ? resource : vscode.window.activeTextEditor?.document.uri;
      if (!uri) {
        void vscode.window.showErrorMessage('Backprop Debugger: open a Python file to debug it.');
        return false;
      }
      const program = uri.scheme === 'file' ? uri.fsPath : uri.toString();
      return vscode.debug.startDebugging(vscode.workspace.getWorkspaceFolder(uri), launchConfig(program));
    }),
  );
}
