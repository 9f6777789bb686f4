/**
 * The cursor over a recorded timeline (timeline.ts): every debugger command
 * is a move along the array of stops, forward or back, so stepping back is
 * exact and cheap. vscode-free; the DAP session only translates.
 *
 *   stepIn       the next stop of any kind: into a def, op by op through an
 *                expression, into the backward pass from its backward() line
 *   next         the next statement or backward node at the same depth or
 *                shallower (a backward() line is run whole)
 *   stepOut      the next statement or node shallower than here (finishes a
 *                function or the backward pass)
 *   continue     the next stop where a breakpoint or an exception filter hits
 *   stepBack     the mirror of next (from an op: the previous op or its statement)
 *   reverseContinue  the previous breakpoint hit, or the first stop
 *
 * Moving forward past the last stop ends the program (`ended`); a forward
 * move while ended answers an error and changes nothing.
 */
import type { Stop, Timeline } from './timeline';

export type StopReason = 'entry' | 'step' | 'breakpoint' | 'exception' | 'end';

export interface Filters {
  /** Stop where a Python error stopped the script. */
  errors: boolean;
  /** Stop where NaN or inf first appears in a value or a gradient. */
  nan: boolean;
}

export interface MoveResult {
  readonly reason: StopReason;
  readonly stop: Stop | null;
  /** Indices of stops passed over going forward (for logpoints and printed output). */
  readonly passed: readonly number[];
  /** For breakpoint/exception: what hit. */
  readonly detail?: string;
}

export class Stepper {
  /** Index of the current stop; stops.length once ended. */
  index = 0;
  filters: Filters = { errors: true, nan: false };

  constructor(public timeline: Timeline) {}

  get stops(): readonly Stop[] {
    return this.timeline.stops;
  }

  get ended(): boolean {
    return this.index >= this.stops.length;
  }

  get current(): Stop | null {
    return this.stops[this.index] ?? null;
  }

  /** Why the debugger would stop at stop i when running (continue, or passing it while stepping). */
  hitAt(i: number): { reason: 'breakpoint' | 'exception'; detail: string } | null {
    const s = this.stops[i];
    if (s.breakpoint?.stop)
      return { reason: 'breakpoint', detail: s.breakpoint.error ?? `breakpoint at line ${s.breakpoint.line}` };
    if (s.breakpoint?.error) return { reason: 'breakpoint', detail: s.breakpoint.error };
    if (s.kind === 'error' && this.filters.errors) return { reason: 'exception', detail: s.description };
    if (s.nan && this.filters.nan) return { reason: 'exception', detail: s.nan };
    return null;
  }

  /** Starts at the first stop (stopOnEntry) or runs to the first hit. */
  start(stopOnEntry: boolean): MoveResult {
    this.index = 0;
    if (this.stops.length === 0) return { reason: 'end', stop: null, passed: [] };
    if (stopOnEntry) return { reason: 'entry', stop: this.stops[0], passed: [] };
    const first = this.hitAt(0);
    if (first) return { reason: first.reason, stop: this.stops[0], passed: [], detail: first.detail };
    return this.continue();
  }

  private forward(target: (s: Stop) => boolean): MoveResult {
    if (this.ended) throw new Error('the program has ended');
    const passed: number[] = [];
    for (let i = this.index + 1; i < this.stops.length; i++) {
      const s = this.stops[i];
      const hit = this.hitAt(i);
      if (hit) {
        this.index = i;
        return { reason: hit.reason, stop: s, passed, detail: hit.detail };
      }
      if (target(s)) {
        this.index = i;
        return { reason: 'step', stop: s, passed };
      }
      passed.push(i);
    }
    this.index = this.stops.length;
    return { reason: 'end', stop: null, passed };
  }

  private backward(target: (s: Stop) => boolean, stopAtHits: boolean): MoveResult {
    if (this.ended) this.index = this.stops.length;
    for (let i = this.index - 1; i >= 0; i--) {
      const s = this.stops[i];
      if (stopAtHits) {
        const hit = this.hitAt(i);
        if (hit) {
          this.index = i;
          return { reason: hit.reason, stop: s, passed: [], detail: hit.detail };
        }
      }
      if (target(s)) {
        this.index = i;
        return { reason: 'step', stop: s, passed: [] };
      }
    }
    this.index = 0;
    return { reason: 'entry', stop: this.stops[0] ?? null, passed: [] };
  }

  stepIn(): MoveResult {
    return this.forward(() => true);
  }

  next(): MoveResult {
    const d = this.current?.depth ?? 0;
    return this.forward((s) => s.kind !== 'op' && s.depth <= d);
  }

  stepOut(): MoveResult {
    const cur = this.current;
    if (cur && cur.depth === 0) return cur.kind === 'op' ? this.next() : this.continue();
    const d = cur?.depth ?? 0;
    return this.forward((s) => s.kind !== 'op' && s.depth < d);
  }

  continue(): MoveResult {
    return this.forward(() => false);
  }

  stepBack(): MoveResult {
    if (this.ended) return this.backward(() => true, false);
    const cur = this.current;
    if (cur?.kind === 'op') return this.backward(() => true, false);
    const d = cur?.depth ?? 0;
    return this.backward((s) => s.kind !== 'op' && s.depth <= d, false);
  }

  reverseContinue(): MoveResult {
    return this.backward(() => false, true);
  }

  /** Moves to a stop directly (the graph panel's step buttons, restart). */
  goTo(index: number): MoveResult {
    if (!Number.isInteger(index) || index < 0 || index >= this.stops.length) throw new Error(`no step ${index}`);
    this.index = index;
    return { reason: 'step', stop: this.stops[index], passed: [] };
  }
}
