/**
 * repr()/print() of a tensor, character for character as PyTorch 1.13 prints
 * it (torch/_tensor_str.py): one element format shared by the whole tensor
 * (integer-valued `1.`, fixed `1.0000`, or scientific `1.0000e-05`, chosen
 * from the nonzero finite values), right-aligned to a common width, lines
 * wrapped at 80 columns, `...` summaries above 1000 elements, and the
 * `dtype=`, `size=`, `grad_fn=` / `requires_grad=True` suffixes. Numbers go
 * through Python's own float formatting (format-spec.ts), as torch's do.
 */
import { backwardNameOf, Tensor } from '../../core';
import type { DType, Shape } from '../../core';
import { formatValue } from './format-spec';

/** torch.set_printoptions; the defaults are torch's. */
export interface PrintOptions {
  precision: number;
  /** More elements than this are summarized (may be Infinity). */
  threshold: number;
  edgeitems: number;
  linewidth: number;
  /** null: chosen per tensor; true/false forces scientific notation on/off. */
  sciMode: boolean | null;
}

export const DEFAULT_PRINT_OPTIONS: Readonly<PrintOptions> = Object.freeze({
  precision: 4,
  threshold: 1000,
  edgeitems: 3,
  linewidth: 80,
  sciMode: null,
});

export interface TensorReprOptions {
  /** grad_fn name to show (default backwardNameOf(t)); null hides it. */
  gradFn?: string | null;
  /** Show `requires_grad=True` when there is no grad_fn (default: t.requiresGrad && t.isLeaf). */
  requiresGrad?: boolean;
  printOptions?: Partial<PrintOptions>;
}

/** The dtype PyTorch leaves unprinted (torch.get_default_dtype()). */
const DEFAULT_DTYPE: DType = 'float32';
const PREFIX = 'tensor(';

/** `torch.Size([2, 3])` */
export function sizeRepr(shape: Shape): string {
  return `torch.Size([${shape.join(', ')}])`;
}

/** Python's str(tuple(shape)): `(0,)`, `(2, 0, 3)`. */
function tupleRepr(shape: Shape): string {
  return shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
}

/** `repr(t)` / `print(t)` as PyTorch 1.13 writes it. */
export function tensorRepr(t: Tensor, opts: TensorReprOptions = {}): string {
  const po: PrintOptions = { ...DEFAULT_PRINT_OPTIONS, ...opts.printOptions };
  const indent = PREFIX.length;
  const suffixes: string[] = [];
  let body: string;
  const numel = t.ndim === 0 ? 1 : t.size;
  // Integer and boolean tensors are float64 in the core, tagged with the dtype Python sees.
  const kind: ElementKind = t.meta?.logical ?? 'float';
  const dtype = t.meta?.logical ?? t.dtype;
  if (numel === 0) {
    if (t.ndim !== 1) suffixes.push(`size=${tupleRepr(t.shape)}`);
    if (dtype !== DEFAULT_DTYPE) suffixes.push(`dtype=torch.${dtype}`);
    body = '[]';
  } else {
    // torch leaves the default float dtype, int64 and bool unprinted.
    if (dtype !== DEFAULT_DTYPE && kind === 'float') suffixes.push(`dtype=torch.${dtype}`);
    body = tensorStr(t.values(), t.shape, indent, po, kind);
  }
  const gradFn = opts.gradFn !== undefined ? opts.gradFn : backwardNameOf(t);
  const requiresGrad = opts.requiresGrad !== undefined ? opts.requiresGrad : t.requiresGrad && t.isLeaf;
  if (gradFn !== null) suffixes.push(`grad_fn=<${gradFn}>`);
  else if (requiresGrad) suffixes.push('requires_grad=True');
  return addSuffixes(PREFIX + body, suffixes, indent, po.linewidth);
}

/** _add_suffixes: each suffix goes on the same line unless that would pass the line width. */
function addSuffixes(text: string, suffixes: readonly string[], indent: number, linewidth: number): string {
  const parts = [text];
  // torch's count: the last line's length plus 2.
  let lastLineLen = text.length - text.lastIndexOf('\n') + 1;
  for (const suffix of suffixes) {
    if (lastLineLen + suffix.length + 2 > linewidth) {
      parts.push(`,\n${' '.repeat(indent)}${suffix}`);
      lastLineLen = indent + suffix.length;
    } else {
      parts.push(`, ${suffix}`);
      lastLineLen += suffix.length + 2;
    }
  }
  parts.push(')');
  return parts.join('');
}

/**
 * _tensor_str for a nonempty tensor: the bracketed elements, for a tensor
 * whose elements are `vals` (row-major) and whose text starts at column
 * `indent`.
 */
/** What the elements are, for formatting: floats, or int64 / bool tensors. */
export type ElementKind = 'float' | 'int64' | 'bool';

export function tensorStr(
  vals: ArrayLike<number>,
  shape: Shape,
  indent: number,
  printOptions: Partial<PrintOptions> = {},
  kind: ElementKind = 'float',
): string {
  const po: PrintOptions = { ...DEFAULT_PRINT_OPTIONS, ...printOptions };
  const ndim = shape.length;
  const strides = new Array<number>(ndim);
  let numel = 1;
  for (let d = ndim - 1; d >= 0; d--) {
    strides[d] = numel;
    numel *= shape[d];
  }
  if (numel === 0) return '[]';
  const summarize = numel > po.threshold;
  const edge = po.edgeitems;
  /** Indices kept along dim d: all, or the first and last `edge` when summarized. */
  const kept = (d: number): number[] => {
    const n = shape[d];
    const out: number[] = [];
    if (summarize && n > 2 * edge) {
      for (let i = 0; i < edge; i++) out.push(i);
      for (let i = n - edge; i < n; i++) out.push(i);
    } else for (let i = 0; i < n; i++) out.push(i);
    return out;
  };
  // get_summarized_data: the values the formatter sees.
  const shown: number[] = [];
  const gather = (off: number, d: number): void => {
    if (d === ndim) shown.push(vals[off]);
    else for (const i of kept(d)) gather(off + i * strides[d], d + 1);
  };
  gather(0, 0);
  const fmt = new Formatter(shown, po, kind);

  const vector = (off: number, ind: number): string => {
    const n = shape[ndim - 1];
    const elementLength = fmt.width + 2;
    const perLine = Math.max(1, Math.floor((po.linewidth - ind) / elementLength));
    const data: string[] = [];
    if (summarize && n > 2 * edge) {
      for (let i = 0; i < edge; i++) data.push(fmt.format(vals[off + i]));
      data.push(' ...');
      for (let i = n - edge; i < n; i++) data.push(fmt.format(vals[off + i]));
    } else for (let i = 0; i < n; i++) data.push(fmt.format(vals[off + i]));
    const lines: string[] = [];
    for (let i = 0; i < data.length; i += perLine) lines.push(data.slice(i, i + perLine).join(', '));
    return `[${lines.join(`,\n${' '.repeat(ind + 1)}`)}]`;
  };
  const walk = (off: number, d: number, ind: number): string => {
    const dim = ndim - d;
    if (dim === 0) return fmt.format(vals[off]);
    if (dim === 1) return vector(off, ind);
    const n = shape[d];
    const slices: string[] = [];
    if (summarize && n > 2 * edge) {
      for (let i = 0; i < edge; i++) slices.push(walk(off + i * strides[d], d + 1, ind + 1));
      slices.push('...');
      for (let i = n - edge; i < n; i++) slices.push(walk(off + i * strides[d], d + 1, ind + 1));
    } else for (let i = 0; i < n; i++) slices.push(walk(off + i * strides[d], d + 1, ind + 1));
    return `[${slices.join(`,${'\n'.repeat(dim - 1)}${' '.repeat(ind + 1)}`)}]`;
  };
  return walk(0, 0, indent);
}

/** torch's _Formatter for floating-point tensors. */
class Formatter {
  private intMode = true;
  private sciMode = false;
  private maxWidth = 1;
  private readonly precision: number;

  constructor(
    values: readonly number[],
    po: PrintOptions,
    private readonly kind: ElementKind = 'float',
  ) {
    this.precision = po.precision;
    if (kind !== 'float') {
      // Non-floating dtypes: '{}'.format(value), right-aligned to the widest.
      for (const v of values) this.widen(this.plain(v).length);
      return;
    }
    const nz = values.filter((v) => Number.isFinite(v) && v !== 0);
    if (nz.length === 0) return; // nothing to measure (and sci_mode is left alone, as in torch)
    let min = Infinity;
    let max = 0;
    for (const v of nz) {
      const a = Math.abs(v);
      if (a < min) min = a;
      if (a > max) max = a;
      if (v !== Math.ceil(v)) this.intMode = false;
    }
    const sciSpec = `.${po.precision}e`;
    if (this.intMode) {
      if (max / min > 1000 || max > 1e8) {
        this.sciMode = true;
        for (const v of nz) this.widen(formatValue(v, sciSpec).length);
      } else for (const v of nz) this.widen(formatValue(v, '.0f').length + 1);
    } else if (max / min > 1000 || max > 1e8 || min < 1e-4) {
      this.sciMode = true;
      for (const v of nz) this.widen(formatValue(v, sciSpec).length);
    } else {
      const spec = `.${po.precision}f`;
      for (const v of nz) this.widen(formatValue(v, spec).length);
    }
    if (po.sciMode !== null) this.sciMode = po.sciMode;
  }

  private widen(n: number): void {
    if (n > this.maxWidth) this.maxWidth = n;
  }

  get width(): number {
    return this.maxWidth;
  }

  private plain(v: number): string {
    return this.kind === 'bool' ? (v !== 0 ? 'True' : 'False') : String(Math.trunc(v));
  }

  format(v: number): string {
    let s: string;
    if (this.kind !== 'float') s = this.plain(v);
    else if (this.sciMode) s = formatValue(v, `${this.maxWidth}.${this.precision}e`);
    else if (this.intMode) {
      s = formatValue(v, '.0f');
      if (Number.isFinite(v)) s += '.';
    } else s = formatValue(v, `.${this.precision}f`);
    return s.length < this.maxWidth ? ' '.repeat(this.maxWidth - s.length) + s : s;
  }
}
