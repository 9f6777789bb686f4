/**
 * Text rendering of a backward pass for people: one block per step, with the
 * chain-rule product written out, e.g.
 *   ∂L/∂w1 += ∂L/∂ŷ · ∂ŷ/∂w1 = (-15.5)·(2.0) = -31.0
 * Used by the CLI today and by golden transcripts in tests; the panel and the
 * debugger read the same step records.
 */
import { BackwardRecord, BackwardStep, InputStep, Tensor } from '../core';
import { backwardNameOf, symbolOf } from '../core';
import { pyFloatRepr } from '../lang/pyfloat';

/** How a tensor is named in traces: its variable name, else its op and id. */
export type Namer = (t: Tensor) => string;

export const defaultNamer: Namer = (t) => t.meta?.label ?? (t.op ? `${symbolOf(t)}#${t.id}` : `leaf#${t.id}`);

/** A tensor's values for a trace line: the number for scalars, a short list otherwise. */
export function formatValues(t: Tensor, max = 6): string {
  if (t.size === 1 && t.ndim === 0) return pyFloatRepr(t.at(0));
  const vals = t.values().slice(0, max).map(pyFloatRepr);
  const more = t.size > max ? ', …' : '';
  return `[${vals.join(', ')}${more}] (shape [${t.shape.join(', ')}])`;
}

/** A name as it reads after ∂: compound expressions get parentheses. */
function operand(name: string): string {
  return /^[\p{L}_][\p{L}\p{N}_.]*$/u.test(name) ? name : `(${name})`;
}

function inputLine(step: BackwardStep, inp: InputStep, name: Namer, lossName: string): string {
  const node = operand(name(step.node));
  const x = operand(name(inp.input));
  const head = `∂${lossName}/∂${x} += ∂${lossName}/∂${node} · ∂${node}/∂${x}`;
  const scalar = step.upstream.size === 1 && inp.contribution.size === 1 && inp.local !== null && inp.local.size === 1;
  const product = scalar
    ? ` = (${formatValues(step.upstream)})·(${formatValues(inp.local as Tensor)}) = ${formatValues(inp.contribution)}`
    : ` = ${formatValues(inp.contribution)}   [${inp.derivative.text}]`;
  const fan = inp.before !== null ? `   (fan-out: ${formatValues(inp.before)} + ${formatValues(inp.contribution)} = ${formatValues(inp.after)})` : '';
  return `    ${head}${product}${fan}`;
}

/** The whole backward pass as lines of text. */
export function formatBackward(rec: BackwardRecord, name: Namer = defaultNamer, lossName = 'L'): string[] {
  const lines: string[] = [];
  for (const step of rec.steps) {
    const node = name(step.node);
    lines.push(`step ${step.index + 1}: ${step.backwardName} at ${node}   ∂${lossName}/∂${operand(node)} = ${formatValues(step.upstream)}`);
    for (const inp of step.inputs) lines.push(inputLine(step, inp, name, lossName));
  }
  for (const u of rec.leaves)
    lines.push(`${name(u.leaf)}.grad: ${u.before ? formatValues(u.before) : 'None'} → ${formatValues(u.after)}`);
  return lines;
}

/** One line per recorded node of a forward pass: `y_hat = + (…) = -4.75`. */
export function formatNode(t: Tensor, name: Namer = defaultNamer): string {
  const fn = backwardNameOf(t);
  return `${name(t)} = ${formatValues(t)}${fn ? `   grad_fn=<${fn}>` : ''}`;
}

/**
 * `backprop run --trace`: one line per input of each backward step,
 *   mul#7 (line 9): ∂L/∂w1 += ∂L/∂out (-15.5) × ∂out/∂w1 = x (2.0) → -31.0
 * where the local derivative is written with the operands' names.
 */
export function formatTraceLines(rec: BackwardRecord, lineOf: (t: Tensor) => number | null, name: Namer = defaultNamer): string[] {
  const lines: string[] = [];
  for (const step of rec.steps) {
    const node = step.node;
    const line = lineOf(node);
    const head = `${node.op?.name ?? 'leaf'}#${node.id}${line !== null ? ` (line ${line})` : ''}`;
    const operands = inputNames(node, name);
    for (const inp of step.inputs) {
      const x = operand(name(inp.input));
      const formula = localFormula(node, inp.derivative.text, operands);
      const local = inp.local !== null && inp.local.size === 1 ? ` (${formatValues(inp.local)})` : '';
      lines.push(
        `${head}: ∂L/∂${x} += ∂L/∂out (${formatValues(step.upstream)}) × ∂out/∂${x} = ${formula}${local} → ${formatValues(inp.contribution)}`,
      );
    }
  }
  return lines;
}

function inputNames(node: Tensor, name: Namer): string[] {
  const ins = [node.in0, node.in1].filter((t): t is Tensor => t !== null);
  return ins.map((t) => operand(name(t)));
}

/**
 * The local derivative with the operands' names: the right-hand side of the
 * op's derivative text (`∂(a·b)/∂b = a`) with a and b replaced; x**n is
 * written out with its exponent.
 */
function localFormula(node: Tensor, text: string, operands: readonly string[]): string {
  if (node.op?.name === 'pow') {
    const p = node.attrs as number;
    const q = p - 1;
    return q === 1 ? `${p}·${operands[0]}` : `${p}·${operands[0]}**${q}`;
  }
  if (!text.includes(' = ')) return text;
  const rhs = text.slice(text.lastIndexOf(' = ') + 3);
  return rhs.replace(/\b[ab]\b/g, (m) => operands[m === 'a' ? 0 : 1] ?? m);
}
