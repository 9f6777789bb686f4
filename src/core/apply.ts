/**
 * Running an op: the one place where a forward result becomes a graph node.
 * When grad mode is on and an input requires grad, the output records its op,
 * inputs and attributes (the tape is the graph itself, ordered by tensor id).
 * An optional listener sees every op as it runs, so a session can follow the
 * forward pass op by op and attach source locations.
 */
import { isGradEnabled } from './grad-mode';
import type { OpDef } from './registry';
import { Tensor } from './tensor';

export type OpListener = (out: Tensor, op: OpDef, recorded: boolean) => void;

let listener: OpListener | null = null;
let currentSite = -1;

/** Installs (or with null removes) the listener called after every op. Returns the previous one. */
export function setOpListener(fn: OpListener | null): OpListener | null {
  const prev = listener;
  listener = fn;
  return prev;
}

/** Source location id stamped on nodes created from now on (-1: none). */
export function setCurrentSite(site: number): number {
  const prev = currentSite;
  currentSite = site;
  return prev;
}

/** Inputs of a node, in order. */
export function inputsOf(t: Tensor): Tensor[] {
  const op = t.op;
  if (!op) return [];
  if (op.arity < 0) return (t.attrs as { inputs: Tensor[] }).inputs;
  if (op.arity === 1) return [t.in0 as Tensor];
  return [t.in0 as Tensor, t.in1 as Tensor];
}

function versionSum(t: Tensor): number {
  return t.meta?.base ? t.meta.base.version : t.version;
}

export function apply(op: OpDef, a: Tensor, b: Tensor | null, attrs: unknown): Tensor {
  const out = op.forward(a, b, attrs);
  let needs = false;
  if (isGradEnabled()) {
    if (op.arity < 0) {
      for (const t of (attrs as { inputs: Tensor[] }).inputs) if (t.requiresGrad) needs = true;
    } else needs = a.requiresGrad || (b !== null && b.requiresGrad);
  }
  if (needs) {
    out.requiresGrad = true;
    out.op = op;
    out.in0 = a;
    out.in1 = b;
    out.attrs = attrs;
    out.site = currentSite;
    if (op.savesTensors) {
      let v = versionSum(a);
      if (b !== null) v += versionSum(b);
      out.savedVersion = v;
    }
  } else if (attrs !== null) {
    out.attrs = attrs;
  }
  if (listener !== null) listener(out, op, needs);
  return out;
}

/** Sum of the current versions of a node's saved inputs, to compare with `savedVersion`. */
export function currentSavedVersion(t: Tensor): number {
  let v = versionSum(t.in0 as Tensor);
  if (t.in1 !== null) v += versionSum(t.in1);
  return v;
}
