/**
 * Lays out graphs for the page (collapsed and grouped views). Contract used
 * by the rest of the page: createLayoutClient() once; layout(input) gives a
 * promise of the layout.
 *
 * The layout (src/session/layout.ts) runs in a Web Worker
 * (webview/layout-worker.ts), started from a Blob URL: in a VS Code webview a
 * worker cannot load from the extension's resource URLs (another origin), so
 * esbuild inlines the worker's bundled text into dist/webview.js (the
 * virtual module `layout-worker-source`), and the panel's CSP allows
 * `worker-src blob:`. Requests may overlap; each reply carries its request's
 * id. If the worker cannot be created, or fails (no Worker, a CSP without
 * `worker-src blob:`), layouts run on the main thread instead, with one
 * console warning, and requests still waiting are run there. The mode in
 * use is `client.mode` and `document.body.dataset.layout`
 * ('worker' | 'main-thread').
 */
import workerSource from 'layout-worker-source';
import { layoutGraph, type LayoutInput, type LayoutResult } from '../src/session/layout';
import type { LayoutReply, LayoutRequest } from './layout-worker';

export type LayoutMode = 'worker' | 'main-thread';

export interface LayoutClient {
  /** Where layouts run: a Web Worker, or the page's main thread (fallback). */
  readonly mode: LayoutMode;
  layout(input: LayoutInput): Promise<LayoutResult>;
  dispose(): void;
}

interface Pending {
  readonly input: LayoutInput;
  readonly resolve: (r: LayoutResult) => void;
  readonly reject: (e: unknown) => void;
}

/** One warning per page, however many clients fall back. */
let warned = false;

function showMode(mode: LayoutMode): void {
  if (typeof document === 'undefined') return;
  if (document.body) document.body.dataset.layout = mode;
  else document.addEventListener('DOMContentLoaded', () => (document.body.dataset.layout = mode), { once: true });
}

/** layoutGraph on this thread; a throw becomes a rejection, as from the worker. */
function layoutHere(input: LayoutInput): Promise<LayoutResult> {
  return new Promise((resolve) => resolve(layoutGraph(input)));
}

export function createLayoutClient(): LayoutClient {
  let mode: LayoutMode = 'worker';
  let worker: Worker | undefined;
  let url: string | undefined;
  let disposed = false;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const stopWorker = () => {
    worker?.terminate();
    worker = undefined;
    if (url) URL.revokeObjectURL(url);
    url = undefined;
  };

  const fallBack = (why: string) => {
    if (mode === 'main-thread') return;
    if (!warned) {
      warned = true;
      console.warn(`Backprop Debugger: graph layout runs on the page's main thread (no Web Worker: ${why})`);
    }
    stopWorker();
    mode = 'main-thread';
    showMode(mode);
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) layoutHere(p.input).then(p.resolve, p.reject);
  };

  const onReply = (e: MessageEvent<LayoutReply>) => {
    const reply = e.data;
    const p = pending.get(reply.id);
    if (!p) return;
    pending.delete(reply.id);
    if ('result' in reply) p.resolve(reply.result);
    else p.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
  };

  showMode(mode);
  try {
    if (typeof Worker !== 'function') throw new Error('Worker is not defined');
    url = URL.createObjectURL(new Blob([workerSource], { type: 'text/javascript' }));
    worker = new Worker(url, { name: 'backprop-layout' });
    worker.onmessage = onReply;
    // A worker the CSP blocks is still constructed; it fails here, a moment later.
    worker.onerror = (e) => {
      e.preventDefault();
      fallBack(e.message || 'the worker failed');
    };
    worker.onmessageerror = () => fallBack('a reply could not be read');
  } catch (e) {
    fallBack(e instanceof Error ? e.message : String(e));
  }

  return {
    get mode() {
      return mode;
    },
    layout(input) {
      if (disposed) return Promise.reject(new Error('layout client disposed'));
      const w = worker;
      if (mode === 'main-thread' || !w) return layoutHere(input);
      return new Promise<LayoutResult>((resolve, reject) => {
        const id = nextId++;
        const request: LayoutRequest = { id, input };
        try {
          w.postMessage(request);
        } catch {
          // An input the structured clone cannot copy (not plain arrays): lay it out here.
          layoutHere(input).then(resolve, reject);
          return;
        }
        pending.set(id, { input, resolve, reject });
      });
    },
    dispose() {
      if (disposed) return;
      disposed = true;
      stopWorker();
      const waiting = [...pending.values()];
      pending.clear();
      for (const p of waiting) p.reject(new Error('layout client disposed'));
    },
  };
}

/**
 * Test hook: `window.__backpropLayout(input)` lays out through the client
 * (the page script is an iife bundle, so a browser test reaches it only
 * through the window). Typed arrays come back as they are; convert them in
 * the page before returning them to the test.
 */
export function installLayoutProbe(client: LayoutClient): void {
  (window as unknown as { __backpropLayout?: (input: LayoutInput) => Promise<LayoutResult> }).__backpropLayout = (
    input,
  ) => client.layout(input);
}
