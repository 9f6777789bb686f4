/**
 * Helpers shared by the integration tests (bundled into each test file by
 * scripts/build-tests.mjs; index.ts loads only *.test.js).
 */
import * as vscode from 'vscode';

/** Puts a document back as it was and saves it (an editor may have saved the edits meanwhile). */
export async function restore(doc: vscode.TextDocument, text: string): Promise<void> {
  const all = new vscode.Range(0, 0, doc.lineCount, 0);
  const e = new vscode.WorkspaceEdit();
  e.replace(doc.uri, doc.validateRange(all), text);
  await vscode.workspace.applyEdit(e);
  await doc.save();
}
