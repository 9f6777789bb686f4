/**
 * Runs an oracle case (see cases.ts) through the TypeScript core and records
 * what torch_runner.py records for the same case with PyTorch: after every
 * op its value, shape, dtype and grad_fn name; after every backward the
 * .grad of every leaf that requires grad; after every sgd step the updated
 * parameters and their (zeroed) gradients; the first error, if any.
 */
import * as c from '../../src/core';
import type { Arg, Case, DTypeName, Nested, Num, OpStmt, Stmt, TList, TRef } from './cases';

export interface TensorRec {
  readonly shape: number[];
  readonly dtype: DTypeName;
  /** Row-major elements (NaN and ±Infinity as numbers once decoded). */
  readonly values: number[];
}

export interface OpRec {
  readonly kind: 'op';
  readonly value: TensorRec;
  readonly gradFn: string | null;
  /** maxDim/minDim: the index chosen along dim for each output element. */
  readonly indices?: number[];
}
export interface BackwardRec {
  readonly kind: 'backward';
  /** Every leaf that requires grad, in leaf order: its .grad, or null while it has none. */
  readonly grads: Record<string, TensorRec | null>;
}
export interface SgdRec {
  readonly kind: 'sgd';
  readonly params: Record<string, TensorRec>;
  readonly grads: Record<string, TensorRec | null>;
}
export type StmtRec = OpRec | BackwardRec | SgdRec;

export interface ErrorRec {
  /** Index of the statement that raised. */
  readonly at: number;
  /** Python exception type (RuntimeError, ...); for a plain JS exception `JS:<name>`. */
  readonly type: string;
  readonly message: string;
}

export interface CaseRec {
  readonly name: string;
  /** One record per statement that completed. */
  readonly records: StmtRec[];
  readonly error: ErrorRec | null;
}

export function decodeNum(x: Num): number {
  if (x === 'nan') return NaN;
  if (x === 'inf') return Infinity;
  if (x === '-inf') return -Infinity;
  return x;
}

export function decodeNested(v: Nested): unknown {
  return Array.isArray(v) ? v.map(decodeNested) : decodeNum(v);
}

function record(t: c.Tensor): TensorRec {
  return { shape: [...t.shape], dtype: t.dtype, values: t.values() };
}

const isRef = (a: Arg): a is TRef => typeof a === 'object' && a !== null && 't' in a;
const isList = (a: Arg): a is TList => typeof a === 'object' && a !== null && 'ts' in a;

type Dim = Parameters<typeof c.sum>[1];

class Interpreter {
  readonly env = new Map<string, c.Tensor>();
  readonly leaves: [string, c.Tensor][] = [];

  constructor(readonly k: Case) {
    for (const l of k.leaves) {
      const t = c.fromNested(decodeNested(l.value), l.dtype);
      if (l.requiresGrad) c.requiresGrad_(t);
      this.env.set(l.name, t);
      this.leaves.push([l.name, t]);
    }
  }

  tensor(a: Arg): c.Tensor {
    if (!isRef(a)) throw new Error(`expected a tensor argument, got ${JSON.stringify(a)}`);
    const t = this.env.get(a.t);
    if (t === undefined) throw new Error(`unbound name ${a.t}`);
    return t;
  }

  tensorOrNumber(a: Arg): c.Tensor | number {
    return typeof a === 'number' ? a : this.tensor(a);
  }

  grads(): Record<string, TensorRec | null> {
    const out: Record<string, TensorRec | null> = {};
    for (const [name, t] of this.leaves) if (t.requiresGrad) out[name] = t.grad ? record(t.grad) : null;
    return out;
  }

  op(s: OpStmt): OpRec {
    const a = s.args;
    const num = (i: number): number => a[i] as number;
    const optNum = (i: number): number | null => (a[i] === undefined ? null : (a[i] as number | null));
    const str = (i: number, dflt: string): string => (a[i] === undefined ? dflt : (a[i] as string));
    const ints = (i: number): number[] => [...(a[i] as readonly number[])];
    let indices: number[] | undefined;
    let out: c.Tensor;
    switch (s.op) {
      case 'add':
      case 'sub':
      case 'mul':
      case 'div':
      case 'pow':
        out = c[s.op](this.tensorOrNumber(a[0]), this.tensorOrNumber(a[1]));
        break;
      case 'neg':
      case 'reciprocal':
      case 'exp':
      case 'log':
      case 'sqrt':
      case 'abs':
      case 'sin':
      case 'cos':
      case 'tanh':
      case 'sigmoid':
      case 'relu':
      case 'max':
      case 'min':
      case 't':
      case 'T':
        out = c[s.op](this.tensor(a[0]));
        break;
      case 'clamp':
        out = c.clamp(this.tensor(a[0]), optNum(1), optNum(2));
        break;
      case 'matmul':
        out = c.matmul(this.tensor(a[0]), this.tensor(a[1]));
        break;
      case 'sum':
      case 'mean':
        out = a.length === 1 ? c[s.op](this.tensor(a[0])) : c[s.op](this.tensor(a[0]), a[1] as Dim, a[2] as boolean);
        break;
      case 'maxDim':
      case 'minDim': {
        const r = c[s.op](this.tensor(a[0]), num(1), a[2] as boolean);
        out = r.values;
        indices = r.indices;
        break;
      }
      case 'transpose':
        out = c.transpose(this.tensor(a[0]), num(1), num(2));
        break;
      case 'reshape':
      case 'view':
        out = c[s.op](this.tensor(a[0]), ints(1));
        break;
      case 'select':
        out = c.select(this.tensor(a[0]), num(1), num(2));
        break;
      case 'slice':
        out = c.slice(this.tensor(a[0]), num(1), optNum(2), optNum(3), num(4));
        break;
      case 'stack':
      case 'cat': {
        const list = a[0];
        if (!isList(list)) throw new Error(`${s.op} expects a tensor list`);
        out = c[s.op](
          list.ts.map((n) => this.tensor({ t: n })),
          num(1),
        );
        break;
      }
      case 'softmax':
        out = c.softmax(this.tensor(a[0]), num(1));
        break;
      case 'logSoftmax':
        out = c.logSoftmax(this.tensor(a[0]), num(1));
        break;
      case 'mseLoss':
        out = c.mseLoss(this.tensor(a[0]), this.tensor(a[1]), str(2, 'mean'));
        break;
      case 'nllLoss':
        out = c.nllLoss(this.tensor(a[0]), ints(1), str(2, 'mean'));
        break;
      case 'crossEntropy':
        out = c.crossEntropy(this.tensor(a[0]), ints(1), str(2, 'mean'));
        break;
      case 'binaryCrossEntropy':
        out = c.binaryCrossEntropy(this.tensor(a[0]), this.tensor(a[1]), str(2, 'mean'));
        break;
      default: {
        const never: never = s.op;
        throw new Error(`unknown op ${String(never)}`);
      }
    }
    this.env.set(s.out, out);
    const rec: OpRec = { kind: 'op', value: record(out), gradFn: c.backwardNameOf(out) };
    return indices === undefined ? rec : { ...rec, indices };
  }

  stmt(s: Stmt): StmtRec {
    switch (s.kind) {
      case 'op':
        return this.op(s);
      case 'backward': {
        const root = this.tensor({ t: s.root });
        const gradient = s.gradient === undefined ? null : c.fromNested(decodeNested(s.gradient), root.dtype);
        c.backward(root, { gradient, retainGraph: s.retainGraph ?? false });
        return { kind: 'backward', grads: this.grads() };
      }
      case 'sgd': {
        // with torch.no_grad(): p -= lr * p.grad ; then p.grad.zero_()
        const params: Record<string, TensorRec> = {};
        for (const name of s.params) {
          const p = this.tensor({ t: name });
          const g = p.grad;
          if (g === null) throw new Error(`sgd: ${name}.grad is None`);
          c.noGrad(() => c.subInPlace(p, c.mul(s.lr, g)));
          c.zeroInPlace(g);
          params[name] = record(p);
        }
        return { kind: 'sgd', params, grads: this.grads() };
      }
    }
  }
}

/**
 * Runs one case. `recordedOps`, when given, collects the registry names of
 * the ops that were recorded into a graph (for the coverage check).
 */
export function runCaseTs(k: Case, recordedOps?: Set<string>): CaseRec {
  const records: StmtRec[] = [];
  let error: ErrorRec | null = null;
  const prev = c.setOpListener(
    recordedOps
      ? (_out, op, recorded) => {
          if (recorded) recordedOps.add(op.name);
        }
      : null,
  );
  const prevGrad = c.setGradEnabled(true);
  try {
    const it = new Interpreter(k);
    for (let i = 0; i < k.program.length; i++) {
      try {
        records.push(it.stmt(k.program[i]));
      } catch (e) {
        error =
          e instanceof c.TorchError
            ? { at: i, type: e.pyType, message: e.message }
            : {
                at: i,
                type: `JS:${e instanceof Error ? e.name : typeof e}`,
                message: e instanceof Error ? e.message : String(e),
              };
        break;
      }
    }
  } finally {
    c.setOpListener(prev);
    c.setGradEnabled(prevGrad);
  }
  return { name: k.name, records, error };
}
