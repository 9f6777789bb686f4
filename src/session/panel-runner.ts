/**
 * What the graph panel asks of a run, answered in one place: run a script
 * (keeping its PanelRun), build the view of one of its backward() calls,
 * expand a tensor op into its scalar operations. The host does not call
 * this directly: it runs in a worker thread (src/session/panel-worker.ts)
 * so that a long script never blocks the extension host, and a script that
 * exhausts memory kills the worker, not VS Code. Plain data in and out
 * (structured-clone safe); errors come back as text, never thrown across.
 */
import { buildDrillView } from './drill-down';
import { buildGraphView, PanelRun, runForPanel, ViewOptions } from './graph-view';
import type { GraphViewDTO } from '../protocol/messages';
import type { Limits } from '../lang/interpreter';

export type RunnerRequest =
  | { readonly kind: 'run'; readonly source: string; readonly limits?: Partial<Limits> }
  | { readonly kind: 'view'; readonly opts: ViewOptions }
  | { readonly kind: 'drill'; readonly opts: Pick<ViewOptions, 'call' | 'title'>; readonly tensorId: number };

export type RunnerReply =
  /** A run finished: the source line of each backward() call (null when unknown). */
  | { readonly kind: 'ran'; readonly calls: readonly (number | null)[] }
  | { readonly kind: 'view'; readonly view: GraphViewDTO }
  | { readonly kind: 'error'; readonly message: string };

export class PanelRunner {
  private pr: PanelRun | null = null;

  handle(req: RunnerRequest): RunnerReply {
    try {
      switch (req.kind) {
        case 'run':
          this.pr = runForPanel(req.source, req.limits ? { limits: req.limits } : {});
          return { kind: 'ran', calls: this.pr.run.backwardCalls.map((b) => b.range?.line ?? null) };
        case 'view':
          if (!this.pr) return { kind: 'error', message: 'no run yet' };
          return { kind: 'view', view: buildGraphView(this.pr, req.opts) };
        case 'drill':
          if (!this.pr) return { kind: 'error', message: 'no run yet' };
          return { kind: 'view', view: buildDrillView(this.pr, req.opts, req.tensorId) };
      }
    } catch (e) {
      // The interpreter reports the script's own errors in the run; this is a bug of ours, said plainly.
      return { kind: 'error', message: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    }
  }
}
