/**
 * Extension entry point. Registers the `backprop` debugger (src/extension/debug);
 * the graph panel and diagnostics arrive with later issues.
 */
import type * as vscode from 'vscode';
import { registerDebugger } from './debug/register';

export function activate(context: vscode.ExtensionContext): void {
  registerDebugger(context);
}

export function deactivate(): void {
  // Subscriptions are disposed by VS Code.
}
