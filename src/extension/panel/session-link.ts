/**
 * Where a debugger stop is in the graph panel, and back (vscode-free, unit
 * tested). The debug session records stops (session/timeline.ts); the panel
 * steps positions over one backward() call's graph (session/graph-cursor.ts):
 * 0 … F for the forward nodes, then F + k + 1 for backward step k.
 *
 *   backward stop (call c, step k)   → call c, position F + k + 1;
 *   statement, op or error stop      → the next backward() call's graph (the
 *     last one when no call follows), at the furthest forward node computed
 *     by an op stop since the previous backward() call (0 when none); after
 *     the last backward() call, the end of its walk-through.
 *
 * An op stop is matched to a graph node by its source range: the k-th op
 * stop at a range since the previous backward() call is the k-th node of
 * the graph with that range (the last one when there are fewer). Ops that
 * are not in the graph only mark positions their range has in it, if any.
 */
import type { Stop } from '../../session/timeline';
import type { GraphViewDTO, RangeDTO } from '../../protocol/messages';

export type LinkView = Pick<GraphViewDTO, 'call' | 'forward' | 'steps' | 'nodes'>;

function rangeKey(r: RangeDTO): string {
  return `${r.line}:${r.col}:${r.endLine}:${r.endCol}`;
}

/** Index of the first backward stop at or after `from`, or -1. */
function nextBackward(stops: readonly Stop[], from: number): number {
  for (let i = from; i < stops.length; i++) if (stops[i].backward) return i;
  return -1;
}

/** Index of the last backward stop at or before `from`, or -1. */
function prevBackward(stops: readonly Stop[], from: number): number {
  for (let i = Math.min(from, stops.length - 1); i >= 0; i--) if (stops[i].backward) return i;
  return -1;
}

/** The backward() call whose graph the panel shows at stop `index`, or null when the run has none. */
export function callOfStop(stops: readonly Stop[], index: number): number | null {
  const s = stops[index];
  if (!s) return null;
  if (s.backward) return s.backward.call;
  const next = nextBackward(stops, index + 1);
  if (next >= 0) return (stops[next].backward as NonNullable<Stop['backward']>).call;
  const prev = prevBackward(stops, index - 1);
  return prev >= 0 ? (stops[prev].backward as NonNullable<Stop['backward']>).call : null;
}

/** The op stops in [start, end) with the forward position (1-based) of the graph node each computes, 0 when none. */
function opPositions(
  stops: readonly Stop[],
  start: number,
  end: number,
  view: LinkView,
): { stop: number; pos: number }[] {
  const byRange = new Map<string, number[]>();
  view.forward.forEach((f, k) => {
    const n = view.nodes[f.node];
    if (n?.range) {
      const key = rangeKey(n.range);
      const list = byRange.get(key);
      if (list) list.push(k + 1);
      else byRange.set(key, [k + 1]);
    }
  });
  const seen = new Map<string, number>();
  const out: { stop: number; pos: number }[] = [];
  for (let i = Math.max(0, start); i < Math.min(end, stops.length); i++) {
    const s = stops[i];
    if (s.kind !== 'op') continue;
    const key = rangeKey(s.range);
    const k = seen.get(key) ?? 0;
    seen.set(key, k + 1);
    const list = byRange.get(key);
    out.push({ stop: i, pos: list ? list[Math.min(k, list.length - 1)] : 0 });
  }
  return out;
}

/** The panel position of stop `index` in `view` (which must show callOfStop's call), or null when it does not apply. */
export function panelPositionOfStop(stops: readonly Stop[], index: number, view: LinkView): number | null {
  const s = stops[index];
  if (!s || view.call < 0) return null;
  const F = view.forward.length;
  const last = F + view.steps.length;
  if (s.backward) {
    if (s.backward.call !== view.call) return null;
    if (view.steps.length === 0) return F;
    return F + 1 + Math.min(s.backward.step, view.steps.length - 1);
  }
  if (callOfStop(stops, index) !== view.call) return null;
  const next = nextBackward(stops, index + 1);
  if (next < 0) return last; // After the last backward() call: its walk-through is done.
  const start = prevBackward(stops, index - 1) + 1;
  let pos = 0;
  for (const o of opPositions(stops, start, index + 1, view)) pos = Math.max(pos, o.pos);
  return pos;
}

/** The stop the session should go to for panel position `position` of `view`, or null when none fits. */
export function stopOfPanelPosition(stops: readonly Stop[], view: LinkView, position: number): number | null {
  if (view.call < 0 || !Number.isInteger(position) || position < 0) return null;
  const F = view.forward.length;
  let first = -1;
  for (let i = 0; i < stops.length; i++)
    if (stops[i].backward?.call === view.call) {
      first = i;
      break;
    }
  if (first < 0) return null;
  if (position > F) {
    const k = Math.min(position - F - 1, view.steps.length - 1);
    const direct = stops[first + k];
    if (direct?.backward?.call === view.call && direct.backward.step === k) return first + k;
    for (let i = first; i < stops.length && stops[i].backward?.call === view.call; i++)
      if (stops[i].backward?.step === k) return i;
    return null;
  }
  const start = prevBackward(stops, first - 1) + 1;
  let best = -1;
  for (const o of opPositions(stops, start, first, view)) if (o.pos > 0 && o.pos <= position) best = o.stop;
  if (best >= 0) return best;
  return start < first ? start : null;
}
