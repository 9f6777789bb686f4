/**
 * Where the graph panel's exports go: an SVG or PNG of the current view, or
 * the numbered SVG frames of a whole walk-through. The page makes the files'
 * content; the host only asks the person where to put them (a save dialog,
 * a folder picker) and writes them with workspace.fs, so it works in remote
 * and virtual workspaces too. Nothing the page sends is used as a path: the
 * names are the script's own name plus fixed suffixes.
 *
 * A command may name its target up front (an argument of
 * backprop.exportSvg/exportPng/exportFrames: keybindings, tasks and the
 * integration tests use it); then no dialog is shown.
 */
import * as vscode from 'vscode';
import type { ExportFormat } from '../../protocol/messages';

/** `exercise.py` → `exercise`: the base of every exported file's name. */
export function exportBaseName(script: vscode.Uri): string {
  const p = script.path;
  const name = p.slice(p.lastIndexOf('/') + 1) || 'graph';
  const dot = name.lastIndexOf('.');
  return (dot > 0 ? name.slice(0, dot) : name).replace(/[^\p{L}\p{N}_.-]+/gu, '_') || 'graph';
}

/** `exercise-step-007.svg`: frames numbered from 0 with enough digits to sort by name. */
export function frameFileName(base: string, index: number, count: number): string {
  const digits = Math.max(3, String(Math.max(0, count - 1)).length);
  return `${base}-step-${String(index).padStart(digits, '0')}.svg`;
}

function dirOf(uri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(uri, '..');
}

/** The bytes of an export: SVG text as UTF-8, a PNG from base64. */
export function exportBytes(format: ExportFormat, data: string): Uint8Array {
  return format === 'svg' ? new TextEncoder().encode(data) : new Uint8Array(Buffer.from(data, 'base64'));
}

/** Saves one export; returns the file written, or null when the person cancelled. */
export async function saveExport(
  script: vscode.Uri,
  format: ExportFormat,
  data: string,
  target?: vscode.Uri,
): Promise<vscode.Uri | null> {
  let uri = target;
  if (!uri) {
    uri = await vscode.window.showSaveDialog({
      defaultUri: vscode.Uri.joinPath(dirOf(script), `${exportBaseName(script)}-graph.${format}`),
      filters: format === 'svg' ? { 'SVG image': ['svg'] } : { 'PNG image': ['png'] },
      title: `Export the graph as ${format.toUpperCase()}`,
    });
    if (!uri) return null;
  }
  await vscode.workspace.fs.writeFile(uri, exportBytes(format, data));
  return uri;
}

/** Saves numbered frames into a folder; returns the folder, or null when the person cancelled. */
export async function saveFrames(
  script: vscode.Uri,
  frames: readonly string[],
  target?: vscode.Uri,
): Promise<vscode.Uri | null> {
  let dir = target;
  if (!dir) {
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      defaultUri: dirOf(script),
      openLabel: 'Export frames here',
      title: `Export ${frames.length} frames of the walk-through`,
    });
    if (!picked || picked.length === 0) return null;
    dir = picked[0];
  }
  await vscode.workspace.fs.createDirectory(dir);
  const base = exportBaseName(script);
  for (let i = 0; i < frames.length; i++)
    await vscode.workspace.fs.writeFile(
      vscode.Uri.joinPath(dir, frameFileName(base, i, frames.length)),
      new TextEncoder().encode(frames[i]),
    );
  return dir;
}
