/**
 * The op registry: one entry per differentiable op, holding everything the
 * rest of the product needs to know about it. Forward kernel and
 * vector-Jacobian product sit side by side (as in micrograd) with a human
 * description of the local derivative that the panel, the debugger and the
 * CLI show. Adding an op means adding one entry (see README, "Adding an op").
 */
import { Buf } from './dtype';
import type { Tensor } from './tensor';

/** How the local derivative towards one input is explained to a student. */
export interface Derivative {
  /** Plain text, e.g. `∂(a·b)/∂a = b`. */
  readonly text: string;
  /** The same in LaTeX, e.g. `\frac{\partial (a b)}{\partial a} = b`. */
  readonly latex: string;
}

export interface OpDef {
  /** Registry key, e.g. `mul`. */
  readonly name: string;
  /** Short symbol drawn in graph nodes: `×`, `+`, `**2`, `tanh`, `@`, `Σ`. */
  readonly symbol: string | ((out: Tensor) => string);
  /** PyTorch's grad_fn name, e.g. `MulBackward0` (some depend on shapes). */
  readonly backwardName: string | ((out: Tensor) => string);
  /** Number of tensor inputs (in0, in1); -1 for variadic ops, whose inputs are `(attrs as {inputs}).inputs`. */
  readonly arity: number;
  /**
   * Whether backward reads saved tensors. Like PyTorch, only such nodes fail
   * on a second backward through a freed graph, and only they check versions.
   */
  readonly savesTensors: boolean;
  /**
   * Which tensors the node saves, as a mask of SAVES_IN0 | SAVES_IN1 |
   * SAVES_OUT (default: every input). Only these are checked against
   * in-place changes, as PyTorch checks only what it saved; e.g. mul saves
   * `other` only when `self` requires grad, exp saves its result.
   */
  saves?(out: Tensor): number;
  /**
   * Forward kernel: computes a new, unconnected output tensor. `b` is null
   * for unary and variadic ops.
   */
  forward(a: Tensor, b: Tensor | null, attrs: unknown): Tensor;
  /**
   * Vector-Jacobian product towards input `i`: given the upstream gradient of
   * the output at g[go ..], writes the contribution to input i's gradient
   * (input i's shape and dtype) at dst[doff ..]. Must write every element.
   */
  vjp(out: Tensor, i: number, g: Buf, go: number, dst: Buf, doff: number): void;
  /** One description per input (variadic ops: one for all). */
  readonly derivative: readonly Derivative[];
  /**
   * Optional: the local derivative ∂out/∂input_i as a tensor of the output's
   * shape, for elementwise ops, so a step record can show its value.
   */
  localGrad?(out: Tensor, i: number): Tensor | null;
}

export const SAVES_IN0 = 1;
export const SAVES_IN1 = 2;
export const SAVES_OUT = 4;

const registry = new Map<string, OpDef>();

export function registerOp(op: OpDef): OpDef {
  if (registry.has(op.name)) throw new Error(`op '${op.name}' is registered twice`);
  if (op.arity >= 0 && op.derivative.length !== Math.max(op.arity, 1))
    throw new Error(`op '${op.name}': one derivative description per input`);
  registry.set(op.name, op);
  return op;
}

export function getOp(name: string): OpDef | undefined {
  return registry.get(name);
}

/** All registered ops, in registration order. */
export function allOps(): OpDef[] {
  return [...registry.values()];
}

/** PyTorch's grad_fn name of a recorded node. */
export function backwardNameOf(t: Tensor): string | null {
  if (!t.op) return null;
  const n = t.op.backwardName;
  return typeof n === 'string' ? n : n(t);
}

export function symbolOf(t: Tensor): string {
  if (!t.op) return '';
  const s = t.op.symbol;
  return typeof s === 'string' ? s : s(t);
}
