/**
 * Extension entry point. Registers the `backprop` debugger (src/extension/debug)
 * and the graph panel (src/extension/panel); diagnostics arrive with a later issue.
 */
import type * as vscode from 'vscode';
import { registerDebugger } from './debug/register';
import { registerGraphPanel } from './panel/register';
import { DebugLink } from './debug/link';

export function activate(context: vscode.ExtensionContext): void {
  // Debug sessions and graph panels of the same document follow each other.
  const link = new DebugLink();
  context.subscriptions.push(link);
  registerDebugger(context, link);
  registerGraphPanel(context, link);
}

export function deactivate(): void {
  // Subscriptions are disposed by VS Code.
}
