/**
 * The layout worker: runs src/session/layout.ts off the page's main thread.
 * esbuild bundles this file on its own (iife) and inlines its text into
 * dist/webview.js as the virtual module `layout-worker-source`
 * (esbuild.mjs); webview/layout-client.ts starts it from a Blob URL, which
 * the panel's CSP allows with `worker-src blob:` and nothing looser.
 *
 * Protocol: the page posts {id, input}; the worker answers {id, result},
 * transferring the result's typed arrays, or {id, error: {name, message}}
 * when layoutGraph throws (a bad input). Requests are answered in order, one at a time.
 */
import { layoutGraph, type LayoutInput, type LayoutResult } from '../src/session/layout';

export interface LayoutRequest {
  readonly id: number;
  readonly input: LayoutInput;
}

export type LayoutReply =
  | { readonly id: number; readonly result: LayoutResult }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

/** The part of the worker's global scope used here (the webview's tsconfig has the DOM lib, not webworker's). */
interface WorkerScope {
  onmessage: ((e: MessageEvent<LayoutRequest>) => void) | null;
  postMessage(message: LayoutReply, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (e) => {
  const { id, input } = e.data;
  let result: LayoutResult;
  try {
    result = layoutGraph(input);
  } catch (err) {
    const error = err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
    scope.postMessage({ id, error });
    return;
  }
  scope.postMessage({ id, result }, [result.layer.buffer, result.x.buffer, result.y.buffer]);
};
