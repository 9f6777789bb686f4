/**
 * Immutable pictures of Python values for the debugger's Variables view.
 * The timeline takes one at every stop, so a value shown at step 12 stays
 * what it was at step 12 whatever the script did later (stepping back shows
 * the past exactly). Tensors are copied into text once per version: an
 * unchanged tensor shares its picture between stops, so a long loop costs
 * the names it touches, not the whole state each time. Big values are cut
 * with a note saying so (per tensor, and a budget for the whole session).
 */
import * as c from '../core';
import { tensorRepr } from '../lang/format/tensor-repr';
import { repr, strRepr, typeName } from '../lang/pyops';
import { PyDict, PyFunction, PyList, PyModule, PyTuple, PyValue, Scope } from '../lang/values';

/** One row of the Variables view; `children` make it expandable. */
export interface DisplayNode {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  /** Expression that evaluates to this value, when there is one (for "Copy as Expression", watches). */
  readonly evaluateName?: string;
  readonly children?: readonly DisplayNode[];
}

export interface SnapshotLimits {
  /** Elements of one tensor kept as text; bigger tensors show their shape only. */
  readonly maxTensorElements: number;
  /** Elements kept over a whole session, across all stops (unchanged tensors are shared, not counted twice). */
  readonly maxTotalElements: number;
  /** Items of a list, tuple or dict shown. */
  readonly maxItems: number;
  /** Nesting of containers shown. */
  readonly maxDepth: number;
}

export const DEFAULT_SNAPSHOT_LIMITS: SnapshotLimits = {
  maxTensorElements: 10_000,
  maxTotalElements: 5_000_000,
  maxItems: 100,
  maxDepth: 6,
};

interface Cached {
  readonly version: number;
  readonly grad: c.Tensor | null;
  readonly gradVersion: number;
  readonly gradOverride: boolean;
  readonly node: DisplayNode;
}

/** Takes snapshots for one recording; caches tensor pictures by version. */
export class Snapshotter {
  private readonly cache = new WeakMap<c.Tensor, Map<string, Cached>>();
  private total = 0;
  /** Set once the session budget ran out (shown in notes). */
  budgetUsed = false;
  /**
   * Gradients to show instead of `.grad` (during a backward pass, a leaf's
   * gradient as it stands at that step).
   */
  gradOverride: ReadonlyMap<c.Tensor, c.Tensor | null> | null = null;

  constructor(readonly limits: SnapshotLimits = DEFAULT_SNAPSHOT_LIMITS) {}

  /** The names of a scope as rows (modules and dunder names left out). */
  scope(scope: Scope): DisplayNode[] {
    const out: DisplayNode[] = [];
    for (const [name, v] of scope.vars) {
      if (v instanceof PyModule || name.startsWith('__')) continue;
      out.push(this.value(name, v, name));
    }
    return out;
  }

  value(name: string, v: PyValue, evaluateName?: string, depth = 0): DisplayNode {
    if (v instanceof c.Tensor) return this.tensor(name, v, evaluateName);
    const type = typeName(v);
    if (v instanceof PyList || v instanceof PyTuple) {
      const items = v.items;
      const n = Math.min(items.length, this.limits.maxItems);
      const children: DisplayNode[] = [];
      if (depth < this.limits.maxDepth) {
        for (let i = 0; i < n; i++)
          children.push(this.value(`[${i}]`, items[i], evaluateName && `${evaluateName}[${i}]`, depth + 1));
        if (items.length > n) children.push(note(`… ${items.length - n} more items not shown`));
      }
      return { name, value: short(safeRepr(v)), type, evaluateName, children };
    }
    if (v instanceof PyDict) {
      const children: DisplayNode[] = [];
      let i = 0;
      if (depth < this.limits.maxDepth)
        for (const [k, val] of v.entries.values()) {
          if (i++ === this.limits.maxItems) {
            children.push(note(`… ${v.entries.size - this.limits.maxItems} more items not shown`));
            break;
          }
          const key = safeRepr(k);
          children.push(this.value(key, val, evaluateName && `${evaluateName}[${key}]`, depth + 1));
        }
      return { name, value: short(safeRepr(v)), type, evaluateName, children };
    }
    if (v instanceof PyFunction) return { name, value: `<function ${v.name}>`, type: 'function', evaluateName };
    if (typeof v === 'string') return { name, value: short(strRepr(v)), type, evaluateName };
    return { name, value: short(safeRepr(v)), type, evaluateName };
  }

  /** A tensor: its repr, expandable to value, grad, shape, requires_grad, grad_fn, dtype. */
  tensor(name: string, t: c.Tensor, evaluateName?: string): DisplayNode {
    const override = this.gradOverride?.has(t) ?? false;
    const grad = override ? (this.gradOverride?.get(t) ?? null) : t.grad;
    const version = c.versionOwner(t).version;
    const gradVersion = grad ? c.versionOwner(grad).version : -1;
    const key = `${name}\u0000${evaluateName ?? ''}`;
    let byName = this.cache.get(t);
    const hit = byName?.get(key);
    if (
      hit &&
      hit.version === version &&
      hit.grad === grad &&
      hit.gradVersion === gradVersion &&
      hit.gradOverride === override
    )
      return hit.node;
    const value = this.tensorText(t);
    const children: DisplayNode[] = [
      { name: 'value', value, type: 'tensor' },
      grad
        ? { ...this.tensor('grad', grad, evaluateName && `${evaluateName}.grad`), children: undefined }
        : { name: 'grad', value: 'None', type: 'NoneType', evaluateName: evaluateName && `${evaluateName}.grad` },
      { name: 'shape', value: `torch.Size([${t.shape.join(', ')}])`, type: 'torch.Size' },
      { name: 'requires_grad', value: t.requiresGrad ? 'True' : 'False', type: 'bool' },
      {
        name: 'grad_fn',
        value: t.op ? `<${c.backwardNameOf(t)}>` : 'None',
        type: t.op ? (c.backwardNameOf(t) ?? 'Function') : 'NoneType',
      },
      { name: 'dtype', value: `torch.${t.meta?.logical ?? t.dtype}`, type: 'torch.dtype' },
    ];
    const node: DisplayNode = { name, value: oneLine(value), type: 'Tensor', evaluateName, children };
    if (!byName) this.cache.set(t, (byName = new Map()));
    byName.set(key, { version, grad, gradVersion, gradOverride: override, node });
    return node;
  }

  /** The tensor's PyTorch repr, or a note when it is too big to keep. */
  tensorText(t: c.Tensor): string {
    const shape = `[${t.shape.join(', ')}]`;
    if (t.size > this.limits.maxTensorElements)
      return `tensor of shape ${shape} (values not kept: more than ${this.limits.maxTensorElements} elements)`;
    if (this.total + t.size > this.limits.maxTotalElements) {
      this.budgetUsed = true;
      return `tensor of shape ${shape} (values not kept: the session's budget of ${this.limits.maxTotalElements} elements is used up)`;
    }
    this.total += t.size;
    try {
      return tensorRepr(t, { gradFn: null, requiresGrad: false });
    } catch (e) {
      return `tensor of shape ${shape} (${e instanceof Error ? e.message : String(e)})`;
    }
  }
}

function safeRepr(v: PyValue): string {
  try {
    return repr(v);
  } catch {
    return `<${typeName(v)}>`;
  }
}

function note(text: string): DisplayNode {
  return { name: '…', value: text, type: '' };
}

/** Collapses a multi-line repr onto one line for the value column. */
export function oneLine(s: string): string {
  return short(s.replace(/\s*\n\s*/g, ' '));
}

function short(s: string, max = 2000): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s;
}

/** Does the tensor hold NaN or ±inf? (Only checks tensors up to `limit` elements.) */
export function hasNonFinite(t: c.Tensor, limit = 1_000_000): boolean {
  if (t.size > limit || (t.dtype !== 'float32' && t.dtype !== 'float64')) return false;
  for (let i = 0; i < t.size; i++) {
    const x = t.at(i);
    if (x !== x || x === Infinity || x === -Infinity) return true;
  }
  return false;
}
