/**
 * The kernels heavy enough to deserve a native implementation sit behind this
 * interface: plain TypeScript by default (backends/ts-gemm.ts); a tfjs-node
 * backend can be installed in its place later without touching the ops.
 */
import { Buf } from '../dtype';

export interface Backend {
  readonly name: string;
  /**
   * C[M×N] (+)= op(A) · op(B), all row-major, where op(A) is M×K (A stored
   * K×M when transA) and op(B) is K×N (B stored N×K when transB). With
   * `accumulate` false, C is overwritten. Sums are formed in float64 and
   * rounded once when stored into a float32 C.
   */
  gemm(
    transA: boolean,
    transB: boolean,
    M: number,
    N: number,
    K: number,
    A: Buf,
    aOff: number,
    B: Buf,
    bOff: number,
    C: Buf,
    cOff: number,
    accumulate: boolean,
  ): void;
}

let current: Backend | null = null;

export function setBackend(b: Backend): void {
  current = b;
}

export function backend(): Backend {
  if (current === null) throw new Error('no compute backend installed (import core/index)');
  return current;
}
