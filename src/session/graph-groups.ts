/**
 * Groups of graph nodes for the panel's grouped view: the tensors made by
 * one execution of a simple statement (`line 14: y_hat = …`; a loop body run
 * 100 times makes 100 groups) and by one call of a user function
 * (`f(x) · call at line 20`).
 *
 * Two halves, both vscode-free:
 *   - GroupRecorder, installed on the interpreter by runForPanel, records an
 *     interval of tensor ids per statement execution and per call. Tensor ids
 *     follow creation order and a statement (or a call) creates its tensors
 *     one after the other (leaves made by torch.tensor(...) included), so
 *     [start, end) of ids is all it needs to keep.
 *   - buildGroups maps those intervals onto the node indices of a view (the
 *     view's nodes are sorted by id, so an interval of ids is an interval of
 *     node indices), drops trivial groups (one node, or the same nodes as the
 *     enclosing group) and orders them parents first (GroupDTO).
 */
import { tensorCount } from '../core';
import type { Range, Stmt } from '../lang/ast';
import type { Interpreter } from '../lang/interpreter';
import type { GroupDTO, RangeDTO } from '../protocol/messages';

/**
 * Above this many nodes the page starts with the groups collapsed. Measured
 * (bench/README.md, Graph panel, "The threshold"): drawn ungrouped, pan
 * frames stay within 33 ms and steps within 16 ms, at fit and at zoom 1.0,
 * up to about 1,500 nodes, and miss at 2,000 (at fit every node is on
 * screen: software raster and the SVG's paint grow with the node count);
 * grouped, every target holds up to the panel's 5,000-node cap.
 */
export const GROUPED_BY_DEFAULT_ABOVE = 1500;

/** Closed records kept at most (oldest dropped first: a long training loop keeps its last iterations). */
export const MAX_GROUP_RECORDS = 200_000;

/** Longest source text in a group's label. */
const MAX_GROUP_TEXT = 60;

/** One statement execution or one call, as recorded: tensor ids start … end-1. */
export interface GroupRecord {
  readonly kind: 'line' | 'call';
  readonly start: number;
  end: number;
  /** The statement, or the call expression. */
  readonly range: Range;
  /** Called function's name (calls). */
  readonly name: string;
  /** The record that was open when this one began (a call's statement, a statement's call). */
  readonly parent: GroupRecord | null;
  /** Opening order (a parent opens before its children). */
  readonly seq: number;
  /** Interpreter depth of a statement (calls: -1). */
  readonly depth: number;
  readonly stmt: Stmt | null;
}

/** Statements that hold other statements: their bodies make the groups, not they. */
const COMPOUND = new Set(['If', 'For', 'While', 'FunctionDef', 'With']);

export class GroupRecorder {
  /** Closed records that hold at least two tensors, in closing order. */
  readonly records: GroupRecord[] = [];
  private readonly open: GroupRecord[] = [];
  /** Open calls, parallel to the interpreter's call stack (frame objects are fresh per call). */
  private readonly calls: { frame: object; rec: GroupRecord }[] = [];
  private seq = 0;
  private frames: readonly object[] = [];
  /** Tensors handed out when a hook last ran: a lambda's call (no statement inside) starts there. */
  private mark = 0;

  /** Chains the recorder onto the interpreter's hooks (those already installed keep running first). */
  attach(interp: Interpreter): void {
    const prev = interp.hooks;
    this.frames = interp.callStack();
    this.mark = tensorCount();
    interp.hooks = {
      ...prev,
      beforeStatement: (stmt, depth, scope) => {
        prev.beforeStatement?.(stmt, depth, scope);
        this.beforeStatement(stmt, depth);
        this.mark = tensorCount();
      },
      afterStatement: (stmt, depth, scope) => {
        prev.afterStatement?.(stmt, depth, scope);
        this.afterStatement(stmt);
        this.mark = tensorCount();
      },
      afterOp: (out, op, recorded) => {
        prev.afterOp?.(out, op, recorded);
        this.sync(Math.min(this.mark, out.id));
        const top = this.open[this.open.length - 1];
        if (top && out.id + 1 > top.end) top.end = out.id + 1;
        this.mark = tensorCount();
      },
    };
  }

  /** Closes what is still open (the run ended, or stopped on an error). */
  finish(): void {
    const now = tensorCount();
    while (this.open.length > 0) this.close(now);
    this.calls.length = 0;
  }

  private beforeStatement(stmt: Stmt, depth: number): void {
    this.sync(tensorCount());
    // A statement of this depth or deeper still open was left by an error: close it.
    for (let top = this.top(); top && top.kind === 'line' && top.depth >= depth; top = this.top())
      this.close(tensorCount());
    if (COMPOUND.has(stmt.kind)) return;
    const start = tensorCount();
    this.open.push({
      kind: 'line',
      start,
      end: start,
      range: stmt,
      name: '',
      parent: this.top() ?? null,
      seq: this.seq++,
      depth,
      stmt,
    });
  }

  private afterStatement(stmt: Stmt): void {
    if (COMPOUND.has(stmt.kind)) return;
    this.sync(tensorCount());
    let at = this.open.length - 1;
    while (at >= 0 && this.open[at].stmt !== stmt) at--;
    if (at < 0) return;
    while (this.open.length > at) this.close(tensorCount());
  }

  /** Follows the interpreter's call stack: closes calls that returned, opens calls that began. */
  private sync(nextId: number): void {
    const frames = this.frames;
    const calls = this.calls;
    const n = frames.length;
    if (n === calls.length && (n === 0 || frames[n - 1] === calls[n - 1].frame)) return;
    let same = 0;
    while (same < n && same < calls.length && frames[same] === calls[same].frame) same++;
    while (calls.length > same) {
      const gone = calls.pop() as { rec: GroupRecord };
      // Statements of the call still open (an error inside it), then the call itself.
      while (this.open.length > 0 && this.top() !== gone.rec) this.close(gone.rec.end);
      if (this.open.length > 0) this.close(gone.rec.end);
    }
    for (let k = same; k < n; k++) {
      const frame = frames[k] as { name?: unknown; range?: Range };
      const rec: GroupRecord = {
        kind: 'call',
        start: nextId,
        end: nextId,
        range: frame.range ?? { line: 0, col: 0, endLine: 0, endCol: 0 },
        name: typeof frame.name === 'string' ? frame.name : '',
        parent: this.top() ?? null,
        seq: this.seq++,
        depth: -1,
        stmt: null,
      };
      this.open.push(rec);
      calls.push({ frame: frames[k], rec });
    }
  }

  private top(): GroupRecord | undefined {
    return this.open[this.open.length - 1];
  }

  private close(end: number): void {
    const rec = this.open.pop() as GroupRecord;
    if (end > rec.end) rec.end = end;
    const parent = this.top();
    if (parent && rec.end > parent.end) parent.end = rec.end;
    if (rec.end - rec.start < 2) return;
    this.records.push(rec);
    if (this.records.length >= 2 * MAX_GROUP_RECORDS) this.records.splice(0, MAX_GROUP_RECORDS);
  }
}

// ---------------------------------------------------------------- building the view's groups

function clip(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** The source text of a range on one line (whitespace runs collapsed). */
function sourceOf(lines: readonly string[], r: Range): string {
  if (r.line < 1 || r.line > lines.length) return '';
  const parts: string[] = [];
  for (let l = r.line; l <= r.endLine && l <= lines.length; l++) {
    const text = lines[l - 1] ?? '';
    parts.push(text.slice(l === r.line ? r.col : 0, l === r.endLine ? r.endCol : undefined));
    if (parts.join(' ').length > 4 * MAX_GROUP_TEXT) break;
  }
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

/** `line 14: y_hat = x**2 * w2 + x * w1 + b`, `f(x) · call at line 20`. */
export function groupLabel(rec: Pick<GroupRecord, 'kind' | 'range' | 'name'>, lines: readonly string[]): string {
  const text = sourceOf(lines, rec.range);
  if (rec.kind === 'line') return `line ${rec.range.line}: ${clip(text, MAX_GROUP_TEXT)}`;
  return `${clip(text || `${rec.name}()`, MAX_GROUP_TEXT)} · call at line ${rec.range.line}`;
}

/** First index k with ids[k] >= id (ids ascending). */
function lowerBound(ids: readonly number[], id: number): number {
  let lo = 0;
  let hi = ids.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid] < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function rangeDTO(r: Range): RangeDTO | null {
  if (!(r.line >= 1)) return null;
  return { line: r.line, col: r.col, endLine: Math.max(r.line, r.endLine), endCol: r.endCol };
}

/**
 * The groups of a view whose nodes have these tensor ids (ascending): node
 * intervals first…last, parents first, trivial groups dropped.
 */
export function buildGroups(
  records: readonly GroupRecord[],
  ids: readonly number[],
  lines: readonly string[],
): GroupDTO[] {
  if (ids.length < 2) return [];
  const lo = ids[0];
  const hi = ids[ids.length - 1];
  const cand: { rec: GroupRecord; first: number; last: number }[] = [];
  for (const rec of records) {
    if (rec.end <= lo || rec.start > hi) continue;
    const first = lowerBound(ids, rec.start);
    const last = lowerBound(ids, rec.end) - 1;
    if (last - first < 1) continue;
    cand.push({ rec, first, last });
  }
  // Parents first: a parent starts no later than its children and opened before them.
  cand.sort((a, b) => a.first - b.first || b.last - a.last || a.rec.seq - b.rec.seq);
  const at = new Map<GroupRecord, number>();
  const out: GroupDTO[] = [];
  for (const { rec, first, last } of cand) {
    let p = rec.parent;
    while (p && !at.has(p)) p = p.parent;
    const parent = p ? (at.get(p) as number) : -1;
    if (parent >= 0) {
      const pg = out[parent];
      // Same nodes as the enclosing group: nothing to add (its children attach to that group).
      if (pg.first === first && pg.last === last) continue;
      // Defensive: a record that is not inside its parent's nodes is not a group of this view.
      if (first < pg.first || last > pg.last) continue;
    }
    at.set(rec, out.length);
    out.push({ kind: rec.kind, label: groupLabel(rec, lines), range: rangeDTO(rec.range), parent, first, last });
  }
  return out;
}

/** Whether a view of this many nodes, with these groups, starts grouped. */
export function groupedByDefault(nodes: number, groups: readonly GroupDTO[]): boolean {
  return nodes > GROUPED_BY_DEFAULT_ABOVE && groups.length > 0;
}
