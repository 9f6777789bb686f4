/**
 * Extension entry point. Registers the `backprop` debugger (src/extension/debug)
 * and the graph panel (src/extension/panel); diagnostics arrive with a later issue.
 */
import type * as vscode from 'vscode';
import { registerDebugger } from './debug/register';
import { registerGraphPanel } from './panel/register';

export function activate(context: vscode.ExtensionContext): void {
  registerDebugger(context);
  registerGraphPanel(context);
}

export function deactivate(): void {
  // Subscriptions are disposed by VS Code.
}
