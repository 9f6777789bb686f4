/**
 * Running an op: the one place where a forward result becomes a graph node.
 * When grad mode is on and an input requires grad, the output records its op,
 * inputs and attributes (the tape is the graph itself, ordered by tensor id).
 * An optional listener sees every op as it runs, so a session can follow the
 * forward pass op by op and attach source locations.
 */
import { isGradEnabled } from './grad-mode';
import { OpDef, SAVES_IN0, SAVES_IN1, SAVES_OUT } from './registry';
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

function versionOf(t: Tensor): number {
  return t.meta?.base ? t.meta.base.version : t.version;
}

/** The tensors a node saved for backward (see OpDef.saves). */
export function savedTensorsOf(t: Tensor): Tensor[] {
  const op = t.op;
  if (op === null || !op.savesTensors) return [];
  const m = op.saves ? op.saves(t) : t.in1 !== null ? SAVES_IN0 | SAVES_IN1 : SAVES_IN0;
  const out: Tensor[] = [];
  if (m & SAVES_IN0) out.push(t.in0 as Tensor);
  if (m & SAVES_IN1) out.push(t.in1 as Tensor);
  if (m & SAVES_OUT) out.push(t);
  return out;
}

/**
 * Sum of the current versions of what a node saved; compared at backward
 * with the sum taken when the node was recorded (`savedVersion`).
 */
export function currentSavedVersion(t: Tensor): number {
  const op = t.op as OpDef;
  const m = op.saves ? op.saves(t) : t.in1 !== null ? SAVES_IN0 | SAVES_IN1 : SAVES_IN0;
  let v = 0;
  if (m & SAVES_IN0) v += versionOf(t.in0 as Tensor);
  if (m & SAVES_IN1) v += versionOf(t.in1 as Tensor);
  if (m & SAVES_OUT) v += versionOf(t);
  return v;
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
    if (op.savesTensors) out.savedVersion = currentSavedVersion(out);
  } else if (attrs !== null) {
    out.attrs = attrs;
  }
  out.site = currentSite;
  if (listener !== null) listener(out, op, needs);
  return out;
}
