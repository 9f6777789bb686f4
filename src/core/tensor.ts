/**
 * The Tensor: a shape plus a flat run of elements (buf[off .. off+size)),
 * and, when it was produced by a recorded op, its place in the autograd
 * graph. The output tensor *is* the graph node (as in micrograd): `op`,
 * `in0`, `in1` and `attrs` say how it was computed. This keeps a scalar node
 * to one small object, which is what makes big scalar graphs affordable.
 *
 * Fields are plain and public so kernels stay short; user-facing code goes
 * through ops.ts and the interpreter, which enforce PyTorch's rules.
 */
import { Buf, DType } from './dtype';
import type { OpDef } from './registry';
import { Shape, SCALAR_SHAPE, sizeOf } from './shape';
import { alloc, allocBuf, allocOff } from './storage';

/** Rarely used per-tensor facts, allocated only when needed. */
export interface TensorMeta {
  /** `t.retain_grad()` was called: keep .grad on this non-leaf. */
  retainsGrad?: boolean;
  /** Tensor whose storage and version counter this one shares (detach, .data). */
  base?: Tensor;
  /** Variable name the interpreter bound this tensor to, for labels. */
  label?: string;
  /**
   * The Python-visible dtype when it is not a float: integer and boolean
   * tensors (torch.tensor([0, 1]), comparisons) are held in float64 storage
   * by the core, which computes only with floats, and are never differentiated.
   */
  logical?: 'int64' | 'bool';
  /**
   * For a transposed tensor, the order of its dims in memory in PyTorch
   * (every core tensor is stored contiguous; this records what PyTorch's
   * strides would be, so reshape/view behave as they do there).
   */
  perm?: readonly number[];
}

let nextId = 0;

/** Number of tensor ids handed out so far (ids follow creation order). */
export function tensorCount(): number {
  return nextId;
}

export class Tensor {
  /** Creation order; a node's inputs always have smaller ids. */
  readonly id: number;
  /** Elements live at buf[off .. off+size). */
  buf: Buf;
  off: number;
  /** Autograd: does this tensor need a gradient? */
  requiresGrad = false;
  /** Accumulated gradient of a leaf (or of a non-leaf that retains it). */
  grad: Tensor | null = null;
  /** The op that produced this tensor, when recorded; null for leaves and constants. */
  op: OpDef | null = null;
  /** Ordered inputs of `op` (variadic ops keep theirs in attrs). */
  in0: Tensor | null = null;
  in1: Tensor | null = null;
  /** Op parameters and anything else the op saves for backward. */
  attrs: unknown = null;
  /** Bumped by every in-place change (PyTorch's version counter). */
  version = 0;
  /** Sum of saved tensors' versions when this node was recorded; -1 once the graph is freed. */
  savedVersion = 0;
  /** Scratch slot used by the backward engine (index into its work arrays). */
  bw = -1;
  /** Source location id set by the interpreter (-1: none). */
  site = -1;
  meta: TensorMeta | null = null;

  constructor(
    readonly shape: Shape,
    readonly size: number,
    readonly dtype: DType,
    buf: Buf,
    off: number,
  ) {
    this.id = nextId++;
    this.buf = buf;
    this.off = off;
  }

  get ndim(): number {
    return this.shape.length;
  }

  /** True for tensors not produced by a recorded op (PyTorch's is_leaf). */
  get isLeaf(): boolean {
    return this.op === null;
  }

  /** The element at flat index i. */
  at(i: number): number {
    return this.buf[this.off + i];
  }

  /** A fresh copy of the elements as a plain array (row-major). */
  values(): number[] {
    const out = new Array<number>(this.size);
    for (let i = 0; i < this.size; i++) out[i] = this.buf[this.off + i];
    return out;
  }

  /** The elements as a typed array view (no copy). */
  view(): Buf {
    return this.buf.subarray(this.off, this.off + this.size);
  }
}

/** A new tensor with zeroed storage. */
export function empty(shape: Shape, dtype: DType): Tensor {
  const n = shape.length === 0 ? 1 : sizeOf(shape);
  alloc(dtype, n);
  return new Tensor(shape.length === 0 ? SCALAR_SHAPE : shape, n, dtype, allocBuf, allocOff);
}

/** A 0-dim tensor holding `v` (rounded to `dtype`). */
export function scalar(v: number, dtype: DType = 'float32'): Tensor {
  alloc(dtype, 1);
  const t = new Tensor(SCALAR_SHAPE, 1, dtype, allocBuf, allocOff);
  allocBuf[allocOff] = v;
  return t;
}

/** A tensor of `shape` filled from `values` (row-major). */
export function fromValues(values: ArrayLike<number>, shape: Shape, dtype: DType = 'float32'): Tensor {
  const t = empty(shape, dtype);
  if (values.length !== t.size)
    throw new RangeError(`fromValues: ${values.length} values for shape [${shape.join(', ')}]`);
  for (let i = 0; i < t.size; i++) t.buf[t.off + i] = values[i];
  return t;
}

export function full(shape: Shape, v: number, dtype: DType = 'float32'): Tensor {
  const t = empty(shape, dtype);
  if (v !== 0) t.buf.fill(v, t.off, t.off + t.size);
  return t;
}

/** Nested JS arrays (as torch.tensor takes them) to a tensor; ragged input is an error. */
export function fromNested(data: unknown, dtype: DType = 'float32'): Tensor {
  const shape: number[] = [];
  let probe: unknown = data;
  while (Array.isArray(probe)) {
    shape.push(probe.length);
    probe = probe[0];
  }
  const flat: number[] = [];
  const walk = (x: unknown, depth: number): void => {
    if (depth === shape.length) {
      if (typeof x !== 'number') throw new TypeError(`expected a number, got ${typeof x}`);
      flat.push(x);
      return;
    }
    if (!Array.isArray(x) || x.length !== shape[depth])
      throw new RangeError(
        `expected sequence of length ${shape[depth]} at dim ${depth} (got ${Array.isArray(x) ? x.length : 'a number'})`,
      );
    for (const y of x) walk(y, depth + 1);
  };
  walk(data, 0);
  return fromValues(flat, shape, dtype);
}

/** The elements as nested arrays (tolist()). */
export function toNested(t: Tensor): unknown {
  if (t.ndim === 0) return t.at(0);
  let pos = 0;
  const build = (d: number): unknown[] => {
    const out: unknown[] = [];
    for (let i = 0; i < t.shape[d]; i++) out.push(d === t.ndim - 1 ? t.at(pos++) : build(d + 1));
    return out;
  };
  return build(0);
}

/** The same values in a new, unconnected tensor (own storage). */
export function copyOf(t: Tensor, dtype: DType = t.dtype): Tensor {
  const c = empty(t.shape, dtype);
  for (let i = 0; i < t.size; i++) c.buf[c.off + i] = t.buf[t.off + i];
  return c;
}

/** The tensor whose version counter `t` shares. */
export function versionOwner(t: Tensor): Tensor {
  return t.meta?.base ?? t;
}
