/**
 * The speed limit for scalar autograd in JavaScript: a flat, typed-array
 * tape. Every node is one slot: an op code (Uint8Array), two input indices
 * (Int32Array) and its value and gradient (Float64Array). Ops run eagerly
 * as they are recorded (a dynamic tape, like the core's graph), and backward
 * is one reverse loop over the slots.
 *
 * The formulas and accumulation order mirror the core's float64 path
 * (tanh: g·(1 − y·y); sub: +g / −g; contributions added in descending node
 * order, input 0 before input 1), so the same model yields bit-identical
 * loss and gradients, which bench/index.ts checks.
 */

export const OP_LEAF = 0;
export const OP_ADD = 1;
export const OP_SUB = 2;
export const OP_MUL = 3;
export const OP_TANH = 4;
export const OP_RELU = 5;

export class FlatTape {
  op: Uint8Array;
  in0: Int32Array;
  in1: Int32Array;
  val: Float64Array;
  grad: Float64Array;
  /** Slots in use. */
  n = 0;

  constructor(capacity: number) {
    this.op = new Uint8Array(capacity);
    this.in0 = new Int32Array(capacity);
    this.in1 = new Int32Array(capacity);
    this.val = new Float64Array(capacity);
    this.grad = new Float64Array(capacity);
  }

  /** Bytes of storage per slot. */
  static readonly BYTES_PER_NODE = 1 + 4 + 4 + 8 + 8;

  /** Forgets every slot from `n` on (keeps leaves recorded before it). */
  truncate(n: number): void {
    this.n = n;
  }

  private push(op: number, a: number, b: number, v: number): number {
    const k = this.n++;
    this.op[k] = op;
    this.in0[k] = a;
    this.in1[k] = b;
    this.val[k] = v;
    return k;
  }

  leaf(v: number): number {
    return this.push(OP_LEAF, -1, -1, v);
  }

  add(a: number, b: number): number {
    return this.push(OP_ADD, a, b, this.val[a] + this.val[b]);
  }

  sub(a: number, b: number): number {
    return this.push(OP_SUB, a, b, this.val[a] - this.val[b]);
  }

  mul(a: number, b: number): number {
    return this.push(OP_MUL, a, b, this.val[a] * this.val[b]);
  }

  tanh(a: number): number {
    return this.push(OP_TANH, a, -1, Math.tanh(this.val[a]));
  }

  relu(a: number): number {
    const x = this.val[a];
    return this.push(OP_RELU, a, -1, x > 0 ? x : x !== x ? x : 0);
  }

  /** Gradients of `root` with respect to every slot below it (grad[k]). */
  backward(root: number): void {
    const { op, in0, in1, val, grad } = this;
    grad.fill(0, 0, root + 1);
    grad[root] = 1;
    for (let k = root; k >= 0; k--) {
      const g = grad[k];
      switch (op[k]) {
        case OP_ADD:
          grad[in0[k]] += g;
          grad[in1[k]] += g;
          break;
        case OP_SUB:
          grad[in0[k]] += g;
          grad[in1[k]] += -g;
          break;
        case OP_MUL: {
          const a = in0[k];
          const b = in1[k];
          grad[a] += g * val[b];
          grad[b] += g * val[a];
          break;
        }
        case OP_TANH: {
          const y = val[k];
          grad[in0[k]] += g * (1 - y * y);
          break;
        }
        case OP_RELU:
          grad[in0[k]] += val[k] > 0 ? g : 0;
          break;
        default:
          break;
      }
    }
  }
}
