/**
 * The graph panel's protocol: every message between the extension host and
 * the panel's page, typed with a `type` discriminant, and the validation of
 * each one on arrival. Shared by the host (src/extension/panel) and the page
 * (webview/), so neither can send what the other does not understand.
 *
 * - Handshake: the page sends `ready` (with a request id) once it listens;
 *   the host sends state only after that, as a `view` whose `replyTo` names
 *   the request. Requests from the page (`ready`, `select`, `pickCall`,
 *   `rerun`) carry an `id`; the host's answer carries it back as `replyTo`.
 * - Validation: `parseWebviewMessage` (host side) and `parseHostMessage`
 *   (page side) accept a fixed set of types, check every field for type and
 *   range, reject unknown fields, and return a reason for anything dropped,
 *   which the caller logs. Nothing here throws on bad input.
 * - Numbers: postMessage (structured clone is fine, but VS Code serialises
 *   webview messages as JSON) turns NaN and ±Infinity into null, so every
 *   number that can be one travels as a `Num`: a finite number, or the
 *   strings 'NaN', 'Infinity', '-Infinity'.
 *
 * Imports nothing (no vscode, no DOM), so both sides and the unit tests load it.
 */

// ---------------------------------------------------------------- numbers

/** A number that survives JSON: finite numbers as is, the others spelled out. */
export type Num = number | 'NaN' | 'Infinity' | '-Infinity';

export function encodeNum(x: number): Num {
  if (Number.isFinite(x)) return x;
  if (x !== x) return 'NaN';
  return x > 0 ? 'Infinity' : '-Infinity';
}

export function decodeNum(n: Num): number {
  if (typeof n === 'number') return n;
  if (n === 'NaN') return NaN;
  return n === 'Infinity' ? Infinity : -Infinity;
}

export function isNum(v: unknown): v is Num {
  return (typeof v === 'number' && Number.isFinite(v)) || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
}

// ---------------------------------------------------------------- the view (DTOs)

/** A source range: line 1-based, col 0-based (as the interpreter's ranges), end exclusive. */
export interface RangeDTO {
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
}

export type DTypeName = 'float32' | 'float64' | 'int64' | 'bool';

/** What a node shows of a tensor: a number for scalars, shape and a small heat map for small tensors. */
export interface ValueDTO {
  readonly dtype: DTypeName;
  readonly shape: readonly number[];
  /** How a person reads it: `-4.75`, `nan`, `2×3 tensor`. */
  readonly text: string;
  /** The value of a one-element tensor. */
  readonly scalar?: Num;
  /** Row-major elements of a small tensor (at most HEAT_CELLS), for the heat map. */
  readonly cells?: readonly Num[];
  /** Finite range of the elements (absent when none is finite). */
  readonly min?: number;
  readonly max?: number;
}

/** Parameters (leaves that require grad), inputs and constants, and op nodes. */
export type NodeKind = 'param' | 'input' | 'op';

export interface NodeDTO {
  /** Tensor id in the run (creation order). */
  readonly id: number;
  readonly kind: NodeKind;
  /** Registry name of the op (`mul`), null for leaves. */
  readonly op: string | null;
  /** Words for screen readers and tooltips: `multiply`, `parameter`, `input`. */
  readonly title: string;
  /** Drawn in the node: `×`, `+`, `**2`, `tanh`, `@`, `Σ`; empty for leaves. */
  readonly symbol: string;
  /** Variable name (`y_hat`) or source text (`x * w1`), or the value of an unnamed constant. */
  readonly label: string;
  /** True when `label` is a variable name bound to this tensor. */
  readonly named: boolean;
  /** The label in LaTeX (for the chain-rule formulas). */
  readonly tex: string;
  readonly value: ValueDTO;
  /** ∂L/∂node once the backward pass is complete (null: none, or no backward call). */
  readonly grad: ValueDTO | null;
  readonly range: RangeDTO | null;
  /** Layout: layer (0 = leftmost), top-left corner and size, in graph units. */
  readonly layer: number;
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  /** The host can expand this tensor op into its scalar operations (a small matmul, sum, elementwise op). */
  readonly drill?: true;
}

/**
 * A group of nodes for the grouped view: the nodes made by one execution of
 * a source line (a statement), or by one call of a user function. Node
 * indices first…last (inclusive) are contiguous: a statement or a call
 * creates its tensors one after the other, so a collapsed group never makes
 * a cycle. Groups nest (a call inside the statement that made it; the
 * statements of the function inside the call); parents come before children.
 */
export interface GroupDTO {
  readonly kind: 'line' | 'call';
  /** `line 14: y_hat = x**2 * w2 + x * w1 + b`, `f(x) (call at line 20)`. */
  readonly label: string;
  readonly range: RangeDTO | null;
  /** Index of the enclosing group, -1 at the top. */
  readonly parent: number;
  readonly first: number;
  readonly last: number;
}

/** An edge from an input to the node that consumes it (node indices), in input order. */
export interface EdgeDTO {
  readonly from: number;
  readonly to: number;
  /** Position of `from` among the inputs of `to`. */
  readonly position: number;
}

export interface FormulaDTO {
  readonly text: string;
  readonly latex: string;
}

/** One input of a backward step: the local gradient, the product, and the running sum. */
export interface InputStepDTO {
  /** Node index of the input, and index of the edge input → node. */
  readonly input: number;
  readonly edge: number;
  readonly position: number;
  /** ∂node/∂input when the op can state it and it is small; else null (see derivative). */
  readonly local: ValueDTO | null;
  readonly contribution: ValueDTO;
  /** The input's gradient accumulated in this pass before this step (null: first contribution). */
  readonly before: ValueDTO | null;
  readonly after: ValueDTO;
  /** The op's rule, e.g. ∂(a·b)/∂a = b. */
  readonly derivative: FormulaDTO;
  /** The chain-rule line with the numbers plugged in. */
  readonly formula: FormulaDTO;
  /** This is contribution k of n that the input receives in this pass (n > 1: fan-out), with the running sum. */
  readonly fanOut: { readonly k: number; readonly n: number; readonly formula: FormulaDTO | null };
}

export interface StepDTO {
  readonly node: number;
  /** PyTorch's grad_fn name, e.g. MulBackward0. */
  readonly backwardName: string;
  /** ∂L/∂node, complete when the step runs. */
  readonly upstream: ValueDTO;
  readonly inputs: readonly InputStepDTO[];
}

/** One node of the forward pass, in execution (creation) order. */
export interface ForwardDTO {
  readonly node: number;
  readonly formula: FormulaDTO;
}

/** A backward() call of the run, for the picker. */
export interface CallDTO {
  readonly index: number;
  readonly line: number | null;
  readonly label: string;
}

export interface RunErrorDTO {
  readonly type: string;
  readonly message: string;
  readonly line: number | null;
  readonly col: number | null;
}

export interface GraphViewDTO {
  /** The script's file name, for the title. */
  readonly title: string;
  readonly calls: readonly CallDTO[];
  /** Index into calls of the call shown; -1 when the graph is the one built so far (no backward call). */
  readonly call: number;
  readonly nodes: readonly NodeDTO[];
  readonly edges: readonly EdgeDTO[];
  /** Node indices in execution order, each with its forward formula. */
  readonly forward: readonly ForwardDTO[];
  readonly steps: readonly StepDTO[];
  /** Node index of the backward call's root (the loss), -1 without a call. */
  readonly root: number;
  /** Size of the laid-out graph. */
  readonly width: number;
  readonly height: number;
  /** Same key: same nodes, ops, shapes and edges (the step position is kept across a re-run). */
  readonly shapeKey: string;
  readonly error: RunErrorDTO | null;
  /** Things a person should know about this view (graph cut to size, values changed later…). */
  readonly notes: readonly string[];
  /** Groups of nodes by statement and by function call (see GroupDTO). */
  readonly groups: readonly GroupDTO[];
  /** The graph is big enough that the page starts with its top-level groups collapsed. */
  readonly grouped: boolean;
}

// ---------------------------------------------------------------- messages

/** Page → host. */
export type WebviewMessage =
  | { readonly type: 'ready'; readonly id: number }
  /** The step position moved (0 … forward.length + steps.length); the host marks the node's source. */
  | { readonly type: 'step'; readonly index: number }
  /** A node was selected: reveal its source range. */
  | { readonly type: 'select'; readonly id: number; readonly node: number }
  /** Show another backward() call. */
  | { readonly type: 'pickCall'; readonly id: number; readonly call: number }
  /** Run the script again (e.g. from a restored panel). */
  | { readonly type: 'rerun'; readonly id: number }
  /** Expand a tensor op node (NodeDTO.drill) into its scalar operations; the host answers with `drillView`. */
  | { readonly type: 'drill'; readonly id: number; readonly node: number }
  /** Save the current view: SVG text, or a PNG as base64. The host asks where. */
  | { readonly type: 'export'; readonly id: number; readonly format: ExportFormat; readonly data: string }
  /** Save every step of the walk-through as numbered SVG frames. The host asks for a folder. */
  | { readonly type: 'exportFrames'; readonly id: number; readonly frames: readonly string[] }
  /** Put text on the clipboard (the chain-rule line as LaTeX). */
  | { readonly type: 'copy'; readonly id: number; readonly text: string };

export type ExportFormat = 'svg' | 'png';

/** What the host's commands ask the page to do (Command Palette, editor title). */
export type PanelCommand =
  'exportSvg' | 'exportPng' | 'exportFrames' | 'copyLatex' | 'togglePresentation' | 'expandAll' | 'collapseAll';
export const PANEL_COMMANDS: readonly PanelCommand[] = [
  'exportSvg',
  'exportPng',
  'exportFrames',
  'copyLatex',
  'togglePresentation',
  'expandAll',
  'collapseAll',
];

/** Host → page. */
export type HostMessage =
  | {
      readonly type: 'view';
      /** The request this answers (ready, pickCall, rerun), or null when the script changed. */
      readonly replyTo: number | null;
      readonly view: GraphViewDTO;
      /** Where to put the step cursor: a position, or null to keep it when the shape is unchanged (else the start of the backward pass). */
      readonly position: number | null;
    }
  | { readonly type: 'reply'; readonly replyTo: number; readonly ok: boolean; readonly message: string }
  /** The document behind a restored panel is gone: say so and offer a re-run. */
  | { readonly type: 'gone'; readonly message: string }
  /** Move the step cursor (the debugger stopped there); the page clamps it to its view. */
  | { readonly type: 'goTo'; readonly position: number }
  /** The scalar operations of node `node` of the current view (answer to `drill`), a view of its own. */
  | { readonly type: 'drillView'; readonly replyTo: number; readonly node: number; readonly view: GraphViewDTO }
  /** A command from VS Code (palette, keybinding) for the page to carry out. */
  | { readonly type: 'command'; readonly name: PanelCommand }
  /** The editor's cursor is on this line (1-based) of the script; null: elsewhere. The page marks that line's nodes. */
  | { readonly type: 'cursor'; readonly line: number | null };

export const WEBVIEW_MESSAGE_TYPES = [
  'ready',
  'step',
  'select',
  'pickCall',
  'rerun',
  'drill',
  'export',
  'exportFrames',
  'copy',
] as const;
export const HOST_MESSAGE_TYPES = ['view', 'reply', 'gone', 'goTo', 'drillView', 'command', 'cursor'] as const;

/** Largest request id accepted. */
export const MAX_REQUEST_ID = 2 ** 31 - 1;
/** Longest string accepted in a message (labels, formulas, messages). */
export const MAX_STRING = 100_000;
/** Elements of a small tensor shown as a heat map. */
export const HEAT_CELLS = 64;
/** Most nodes a view holds (the panel's own cap, below the run's graph-size limit). */
export const MAX_VIEW_NODES = 20_000;
/** Largest export payload (an SVG's text, a PNG in base64), in characters. */
export const MAX_EXPORT_CHARS = 64 * 1024 * 1024;
/** Most frames of one walk-through export, and their total size in characters. */
export const MAX_EXPORT_FRAMES = 5_000;
export const MAX_EXPORT_TOTAL_CHARS = 256 * 1024 * 1024;

// ---------------------------------------------------------------- validation helpers

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly reason: string };

class Invalid extends Error {}

function fail(reason: string): never {
  throw new Invalid(reason);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An own-property record with exactly the allowed keys (all required unless listed optional). */
function record(
  v: unknown,
  what: string,
  keys: readonly string[],
  optional: readonly string[] = [],
): Record<string, unknown> {
  if (!isRecord(v)) fail(`${what}: not an object`);
  const proto = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) fail(`${what}: not a plain object`);
  let n = 0;
  for (const k in v) {
    if (!Object.prototype.hasOwnProperty.call(v, k)) continue;
    if (++n > keys.length + optional.length) fail(`${what}: too many fields`);
    if (!keys.includes(k) && !optional.includes(k)) fail(`${what}: unknown field ${JSON.stringify(k.slice(0, 40))}`);
  }
  for (const k of keys) if (!Object.prototype.hasOwnProperty.call(v, k)) fail(`${what}: missing ${k}`);
  return v;
}

function int(v: unknown, what: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(`${what}: not an integer`);
  if (v < min || v > max) fail(`${what}: ${v} is out of range [${min}, ${max}]`);
  return v;
}

function finite(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(`${what}: not a finite number`);
  return v;
}

function str(v: unknown, what: string, max = MAX_STRING): string {
  if (typeof v !== 'string') fail(`${what}: not a string`);
  if (v.length > max) fail(`${what}: longer than ${max} characters`);
  return v;
}

function bool(v: unknown, what: string): boolean {
  if (typeof v !== 'boolean') fail(`${what}: not a boolean`);
  return v;
}

function num(v: unknown, what: string): Num {
  if (!isNum(v)) fail(`${what}: not a number (NaN and infinities travel as 'NaN', 'Infinity', '-Infinity')`);
  return v;
}

function arr(v: unknown, what: string, max: number): readonly unknown[] {
  if (!Array.isArray(v)) fail(`${what}: not an array`);
  if (v.length > max) fail(`${what}: more than ${max} elements`);
  return v;
}

function oneOf<T extends string>(v: unknown, what: string, values: readonly T[]): T {
  if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) fail(`${what}: unexpected value`);
  return v as T;
}

function typeOf(raw: unknown): string {
  if (!isRecord(raw))
    fail(raw === null ? 'null message' : `message is ${Array.isArray(raw) ? 'an array' : `a ${typeof raw}`}`);
  const t = raw.type;
  if (typeof t !== 'string') fail('message without a string type');
  return t;
}

function parse<T>(fn: () => T): Parsed<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof Invalid) return { ok: false, reason: e.message };
    // Getters that throw, proxies, stack overflows on absurd nesting: still a drop, never a crash.
    return { ok: false, reason: `unreadable message (${e instanceof Error ? e.name : 'error'})` };
  }
}

// ---------------------------------------------------------------- page → host

/** What the host knows about the view it sent, to range-check the page's requests. */
export interface WebviewLimits {
  /** Nodes in the current view. */
  readonly nodes: number;
  /** Highest step position (forward.length + steps.length). */
  readonly positions: number;
  /** Backward calls in the current run. */
  readonly calls: number;
}

/** Checks a message from the page. Unknown types, extra or missing fields, wrong types and out-of-range values are rejected. */
export function parseWebviewMessage(raw: unknown, limits: WebviewLimits): Parsed<WebviewMessage> {
  return parse(() => {
    const type = typeOf(raw);
    switch (type) {
      case 'ready': {
        const m = record(raw, 'ready', ['type', 'id']);
        return { type, id: int(m.id, 'ready.id', 0, MAX_REQUEST_ID) };
      }
      case 'step': {
        const m = record(raw, 'step', ['type', 'index']);
        return { type, index: int(m.index, 'step.index', 0, limits.positions) };
      }
      case 'select': {
        const m = record(raw, 'select', ['type', 'id', 'node']);
        return {
          type,
          id: int(m.id, 'select.id', 0, MAX_REQUEST_ID),
          node: int(m.node, 'select.node', 0, limits.nodes - 1),
        };
      }
      case 'pickCall': {
        const m = record(raw, 'pickCall', ['type', 'id', 'call']);
        return {
          type,
          id: int(m.id, 'pickCall.id', 0, MAX_REQUEST_ID),
          call: int(m.call, 'pickCall.call', 0, limits.calls - 1),
        };
      }
      case 'rerun': {
        const m = record(raw, 'rerun', ['type', 'id']);
        return { type, id: int(m.id, 'rerun.id', 0, MAX_REQUEST_ID) };
      }
      case 'drill': {
        const m = record(raw, 'drill', ['type', 'id', 'node']);
        return {
          type,
          id: int(m.id, 'drill.id', 0, MAX_REQUEST_ID),
          node: int(m.node, 'drill.node', 0, limits.nodes - 1),
        };
      }
      case 'export': {
        const m = record(raw, 'export', ['type', 'id', 'format', 'data']);
        const format = oneOf(m.format, 'export.format', ['svg', 'png'] as const);
        const data = str(m.data, 'export.data', MAX_EXPORT_CHARS);
        if (format === 'png' && !/^[A-Za-z0-9+/]*={0,2}$/.test(data)) fail('export.data: not base64');
        return { type, id: int(m.id, 'export.id', 0, MAX_REQUEST_ID), format, data };
      }
      case 'exportFrames': {
        const m = record(raw, 'exportFrames', ['type', 'id', 'frames']);
        let total = 0;
        const frames = arr(m.frames, 'exportFrames.frames', MAX_EXPORT_FRAMES).map((f, i) => {
          const t = str(f, `exportFrames.frames[${i}]`, MAX_EXPORT_CHARS);
          total += t.length;
          if (total > MAX_EXPORT_TOTAL_CHARS) fail('exportFrames: frames too large in total');
          return t;
        });
        if (frames.length === 0) fail('exportFrames: no frames');
        return { type, id: int(m.id, 'exportFrames.id', 0, MAX_REQUEST_ID), frames };
      }
      case 'copy': {
        const m = record(raw, 'copy', ['type', 'id', 'text']);
        return { type, id: int(m.id, 'copy.id', 0, MAX_REQUEST_ID), text: str(m.text, 'copy.text') };
      }
      default:
        return fail(`unknown message type ${JSON.stringify(type.slice(0, 40))}`);
    }
  });
}

// ---------------------------------------------------------------- host → page

const DTYPES: readonly DTypeName[] = ['float32', 'float64', 'int64', 'bool'];
const KINDS: readonly NodeKind[] = ['param', 'input', 'op'];
const MAX_DIM = 2 ** 31 - 1;
const MAX_COORD = 1e9;

function value(v: unknown, what: string): ValueDTO {
  const m = record(v, what, ['dtype', 'shape', 'text'], ['scalar', 'cells', 'min', 'max']);
  const shape = arr(m.shape, `${what}.shape`, 32).map((d, i) => int(d, `${what}.shape[${i}]`, 0, MAX_DIM));
  const out: { -readonly [K in keyof ValueDTO]: ValueDTO[K] } = {
    dtype: oneOf(m.dtype, `${what}.dtype`, DTYPES),
    shape,
    text: str(m.text, `${what}.text`, 1000),
  };
  if (m.scalar !== undefined) out.scalar = num(m.scalar, `${what}.scalar`);
  if (m.cells !== undefined)
    out.cells = arr(m.cells, `${what}.cells`, HEAT_CELLS).map((c, i) => num(c, `${what}.cells[${i}]`));
  if (m.min !== undefined) out.min = finite(m.min, `${what}.min`);
  if (m.max !== undefined) out.max = finite(m.max, `${what}.max`);
  return out;
}

function valueOrNull(v: unknown, what: string): ValueDTO | null {
  return v === null ? null : value(v, what);
}

function formula(v: unknown, what: string): FormulaDTO {
  const m = record(v, what, ['text', 'latex']);
  return { text: str(m.text, `${what}.text`), latex: str(m.latex, `${what}.latex`) };
}

function range(v: unknown, what: string): RangeDTO | null {
  if (v === null) return null;
  const m = record(v, what, ['line', 'col', 'endLine', 'endCol']);
  return {
    line: int(m.line, `${what}.line`, 1, MAX_DIM),
    col: int(m.col, `${what}.col`, 0, MAX_DIM),
    endLine: int(m.endLine, `${what}.endLine`, 1, MAX_DIM),
    endCol: int(m.endCol, `${what}.endCol`, 0, MAX_DIM),
  };
}

function intOrNull(v: unknown, what: string): number | null {
  return v === null ? null : int(v, what, 0, MAX_DIM);
}

function graphView(v: unknown): GraphViewDTO {
  const m = record(v, 'view', [
    'title',
    'calls',
    'call',
    'nodes',
    'edges',
    'forward',
    'steps',
    'root',
    'width',
    'height',
    'shapeKey',
    'error',
    'notes',
    'groups',
    'grouped',
  ]);
  const rawNodes = arr(m.nodes, 'view.nodes', MAX_VIEW_NODES);
  const n = rawNodes.length;
  const nodes = rawNodes.map((x, i): NodeDTO => {
    const w = `view.nodes[${i}]`;
    const o = record(
      x,
      w,
      [
        'id',
        'kind',
        'op',
        'title',
        'symbol',
        'label',
        'named',
        'tex',
        'value',
        'grad',
        'range',
        'layer',
        'x',
        'y',
        'w',
        'h',
      ],
      ['drill'],
    );
    if (o.drill !== undefined && o.drill !== true) fail(`${w}.drill: not true`);
    const coord = (c: unknown, name: string) => {
      const f = finite(c, `${w}.${name}`);
      if (Math.abs(f) > MAX_COORD) fail(`${w}.${name}: out of range`);
      return f;
    };
    return {
      id: int(o.id, `${w}.id`, 0, Number.MAX_SAFE_INTEGER),
      kind: oneOf(o.kind, `${w}.kind`, KINDS),
      op: o.op === null ? null : str(o.op, `${w}.op`, 100),
      title: str(o.title, `${w}.title`, 200),
      symbol: str(o.symbol, `${w}.symbol`, 100),
      label: str(o.label, `${w}.label`, 10_000),
      named: bool(o.named, `${w}.named`),
      tex: str(o.tex, `${w}.tex`, 10_000),
      value: value(o.value, `${w}.value`),
      grad: valueOrNull(o.grad, `${w}.grad`),
      range: range(o.range, `${w}.range`),
      layer: int(o.layer, `${w}.layer`, 0, MAX_VIEW_NODES),
      x: coord(o.x, 'x'),
      y: coord(o.y, 'y'),
      w: coord(o.w, 'w'),
      h: coord(o.h, 'h'),
      ...(o.drill === true ? { drill: true as const } : {}),
    };
  });
  const edges = arr(m.edges, 'view.edges', 4 * MAX_VIEW_NODES).map((x, i): EdgeDTO => {
    const o = record(x, `view.edges[${i}]`, ['from', 'to', 'position']);
    return {
      from: int(o.from, `view.edges[${i}].from`, 0, n - 1),
      to: int(o.to, `view.edges[${i}].to`, 0, n - 1),
      position: int(o.position, `view.edges[${i}].position`, 0, MAX_DIM),
    };
  });
  const forward = arr(m.forward, 'view.forward', n).map((x, i): ForwardDTO => {
    const o = record(x, `view.forward[${i}]`, ['node', 'formula']);
    return {
      node: int(o.node, `view.forward[${i}].node`, 0, n - 1),
      formula: formula(o.formula, `view.forward[${i}].formula`),
    };
  });
  const steps = arr(m.steps, 'view.steps', n).map((x, i): StepDTO => {
    const w = `view.steps[${i}]`;
    const o = record(x, w, ['node', 'backwardName', 'upstream', 'inputs']);
    return {
      node: int(o.node, `${w}.node`, 0, n - 1),
      backwardName: str(o.backwardName, `${w}.backwardName`, 200),
      upstream: value(o.upstream, `${w}.upstream`),
      inputs: arr(o.inputs, `${w}.inputs`, 4 * MAX_VIEW_NODES).map((y, j): InputStepDTO => {
        const v = `${w}.inputs[${j}]`;
        const p = record(y, v, [
          'input',
          'edge',
          'position',
          'local',
          'contribution',
          'before',
          'after',
          'derivative',
          'formula',
          'fanOut',
        ]);
        const f = record(p.fanOut, `${v}.fanOut`, ['k', 'n', 'formula']);
        const fanN = int(f.n, `${v}.fanOut.n`, 1, MAX_DIM);
        return {
          input: int(p.input, `${v}.input`, 0, n - 1),
          edge: int(p.edge, `${v}.edge`, 0, Math.max(0, edges.length - 1)),
          position: int(p.position, `${v}.position`, 0, MAX_DIM),
          local: valueOrNull(p.local, `${v}.local`),
          contribution: value(p.contribution, `${v}.contribution`),
          before: valueOrNull(p.before, `${v}.before`),
          after: value(p.after, `${v}.after`),
          derivative: formula(p.derivative, `${v}.derivative`),
          formula: formula(p.formula, `${v}.formula`),
          fanOut: {
            k: int(f.k, `${v}.fanOut.k`, 1, fanN),
            n: fanN,
            formula: f.formula === null ? null : formula(f.formula, `${v}.fanOut.formula`),
          },
        };
      }),
    };
  });
  const calls = arr(m.calls, 'view.calls', 1_000_000).map((x, i): CallDTO => {
    const o = record(x, `view.calls[${i}]`, ['index', 'line', 'label']);
    return {
      index: int(o.index, `view.calls[${i}].index`, 0, MAX_DIM),
      line: intOrNull(o.line, `view.calls[${i}].line`),
      label: str(o.label, `view.calls[${i}].label`, 1000),
    };
  });
  let error: RunErrorDTO | null = null;
  if (m.error !== null) {
    const o = record(m.error, 'view.error', ['type', 'message', 'line', 'col']);
    error = {
      type: str(o.type, 'view.error.type', 200),
      message: str(o.message, 'view.error.message'),
      line: intOrNull(o.line, 'view.error.line'),
      col: intOrNull(o.col, 'view.error.col'),
    };
  }
  const size = (c: unknown, name: string) => {
    const f = finite(c, `view.${name}`);
    if (f < 0 || f > MAX_COORD) fail(`view.${name}: out of range`);
    return f;
  };
  return {
    title: str(m.title, 'view.title', 1000),
    calls,
    call: int(m.call, 'view.call', -1, Math.max(-1, calls.length - 1)),
    nodes,
    edges,
    forward,
    steps,
    root: int(m.root, 'view.root', -1, n - 1),
    width: size(m.width, 'width'),
    height: size(m.height, 'height'),
    shapeKey: str(m.shapeKey, 'view.shapeKey', 200),
    error,
    notes: arr(m.notes, 'view.notes', 100).map((x, i) => str(x, `view.notes[${i}]`, 10_000)),
    groups: groups(m.groups, n),
    grouped: bool(m.grouped, 'view.grouped'),
  };
}

/** Groups: intervals of node indices, parents first, each child inside its parent. */
function groups(v: unknown, n: number): GroupDTO[] {
  const out: GroupDTO[] = [];
  arr(v, 'view.groups', MAX_VIEW_NODES).forEach((x, i) => {
    const w = `view.groups[${i}]`;
    const o = record(x, w, ['kind', 'label', 'range', 'parent', 'first', 'last']);
    const first = int(o.first, `${w}.first`, 0, Math.max(0, n - 1));
    const last = int(o.last, `${w}.last`, first, Math.max(0, n - 1));
    const parent = int(o.parent, `${w}.parent`, -1, i - 1);
    if (parent >= 0 && (first < out[parent].first || last > out[parent].last)) fail(`${w}: outside its parent`);
    out.push({
      kind: oneOf(o.kind, `${w}.kind`, ['line', 'call'] as const),
      label: str(o.label, `${w}.label`, 1000),
      range: range(o.range, `${w}.range`),
      parent,
      first,
      last,
    });
  });
  return out;
}

/** Highest step position of a view: every forward node, then every backward step. */
export function lastPosition(view: Pick<GraphViewDTO, 'forward' | 'steps'>): number {
  return view.forward.length + view.steps.length;
}

/** Checks a message from the host (the page trusts nothing it did not check either). */
export function parseHostMessage(raw: unknown): Parsed<HostMessage> {
  return parse(() => {
    const type = typeOf(raw);
    switch (type) {
      case 'view': {
        const m = record(raw, 'view message', ['type', 'replyTo', 'view', 'position']);
        const view = graphView(m.view);
        return {
          type,
          replyTo: m.replyTo === null ? null : int(m.replyTo, 'view.replyTo', 0, MAX_REQUEST_ID),
          view,
          position: m.position === null ? null : int(m.position, 'view.position', 0, lastPosition(view)),
        };
      }
      case 'reply': {
        const m = record(raw, 'reply', ['type', 'replyTo', 'ok', 'message']);
        return {
          type,
          replyTo: int(m.replyTo, 'reply.replyTo', 0, MAX_REQUEST_ID),
          ok: bool(m.ok, 'reply.ok'),
          message: str(m.message, 'reply.message', 10_000),
        };
      }
      case 'gone': {
        const m = record(raw, 'gone', ['type', 'message']);
        return { type, message: str(m.message, 'gone.message', 10_000) };
      }
      case 'goTo': {
        const m = record(raw, 'goTo', ['type', 'position']);
        return { type, position: int(m.position, 'goTo.position', 0, MAX_REQUEST_ID) };
      }
      case 'drillView': {
        const m = record(raw, 'drillView', ['type', 'replyTo', 'node', 'view']);
        return {
          type,
          replyTo: int(m.replyTo, 'drillView.replyTo', 0, MAX_REQUEST_ID),
          node: int(m.node, 'drillView.node', 0, MAX_VIEW_NODES - 1),
          view: graphView(m.view),
        };
      }
      case 'command': {
        const m = record(raw, 'command', ['type', 'name']);
        return { type, name: oneOf(m.name, 'command.name', PANEL_COMMANDS) };
      }
      case 'cursor': {
        const m = record(raw, 'cursor', ['type', 'line']);
        return { type, line: m.line === null ? null : int(m.line, 'cursor.line', 1, MAX_DIM) };
      }
      default:
        return fail(`unknown message type ${JSON.stringify(type.slice(0, 40))}`);
    }
  });
}
