/**
 * Extension entry point. The features (graph panel, debugger, diagnostics)
 * arrive with later issues; for now it activates on Python files and
 * registers nothing, so the package installs and loads cleanly.
 */
import type * as vscode from 'vscode';

export function activate(_context: vscode.ExtensionContext): void {
  // Nothing to register yet.
}

export function deactivate(): void {
  // Nothing to release yet.
}
