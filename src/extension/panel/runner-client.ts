/**
 * The host's side of a panel's worker thread (src/session/panel-worker.ts):
 * requests in order, each answered by a promise. The script runs there, so
 * the extension host stays responsive while it runs (the interpreter's own
 * budget stops it after 20 s); the worker has a heap limit, so a script that
 * allocates without bound ends the worker, not VS Code; a request that
 * outlives BACKSTOP_MS (a budget the interpreter could not enforce, say one
 * giant tensor op) terminates it. Either way the next request starts a
 * fresh worker and the caller gets a RunnerReply of kind 'error' saying what
 * happened. Imports nothing from vscode.
 */
import { Worker } from 'node:worker_threads';
import type { RunnerReply, RunnerRequest } from '../../session/panel-runner';

/** Longer than the interpreter's wall-clock budget (20 s): only for what that budget cannot stop. */
export const BACKSTOP_MS = 45_000;
/** The worker's old-generation heap limit. */
export const WORKER_HEAP_MB = 1536;

interface Pending {
  readonly resolve: (r: RunnerReply) => void;
  readonly timer: ReturnType<typeof setTimeout>;
}

export class RunnerClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private disposed = false;

  constructor(
    /** Path of dist/panelWorker.js. */
    private readonly script: string,
    private readonly opts: { backstopMs?: number; heapMb?: number; execArgv?: string[] } = {},
  ) {}

  private start(): Worker {
    const w = new Worker(this.script, {
      resourceLimits: { maxOldGenerationSizeMb: this.opts.heapMb ?? WORKER_HEAP_MB },
      execArgv: this.opts.execArgv,
      stdout: false,
      stderr: false,
    });
    w.on('message', (m: { id: number; reply: RunnerReply }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      clearTimeout(p.timer);
      p.resolve(m.reply);
    });
    w.on('error', (e: Error & { code?: string }) =>
      this.end(
        w,
        e.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'MemoryError: the script used more memory than the panel allows'
          : `the panel's worker failed: ${e.message}`,
      ),
    );
    w.on('exit', (code) => this.end(w, `the panel's worker stopped (exit code ${code})`));
    // The host may exit with a worker still running.
    w.unref();
    return w;
  }

  /** The worker is gone: every pending request gets the reason; the next request starts a new one. */
  private end(w: Worker, message: string): void {
    if (this.worker !== w) return;
    this.worker = null;
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.resolve({ kind: 'error', message });
      this.pending.delete(id);
    }
  }

  request(req: RunnerRequest): Promise<RunnerReply> {
    if (this.disposed) return Promise.resolve({ kind: 'error', message: 'the panel is closed' });
    const w = (this.worker ??= this.start());
    const id = this.nextId++;
    return new Promise<RunnerReply>((resolve) => {
      const timer = setTimeout(() => {
        this.end(
          w,
          `the script ran for more than ${Math.round((this.opts.backstopMs ?? BACKSTOP_MS) / 1000)} s and was stopped`,
        );
        void w.terminate();
      }, this.opts.backstopMs ?? BACKSTOP_MS);
      this.pending.set(id, { resolve, timer });
      w.postMessage({ id, req });
    });
  }

  dispose(): void {
    this.disposed = true;
    const w = this.worker;
    if (w) {
      this.end(w, 'the panel is closed');
      void w.terminate();
    }
  }
}
