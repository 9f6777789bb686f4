/**
 * Matrix multiply in plain TypeScript: the default backend's kernel.
 *
 * C[M×N] (+)= op(A)·op(B), row-major, with op(A) = Aᵀ / op(B) = Bᵀ read in
 * place (never materialized). The layout follows the GotoBLAS scheme, cut
 * down to what a scalar JIT can use:
 *
 * - op(A) is packed, converted to float64, into strips of MR = 4 rows
 *   (element (r, p) of a strip at p·4 + r), op(B) into panels of NR = 4
 *   columns (element (p, c) at p·4 + c). Partial strips and panels are
 *   zero-padded, so the micro-kernel never branches on edges.
 * - The micro-kernel keeps a 4×4 tile of float64 sums in locals and walks
 *   the whole K dimension at once: every sum is formed in float64 in index
 *   order p = 0..K-1 and stored into C exactly once (C = s or C = C + s, a
 *   single rounding into a float32 C). K is not blocked, so no partial sum
 *   ever goes through C.
 * - N is blocked so that the packed panels of one block (K·NC doubles) stay
 *   in L2 while every A strip (4·K doubles, L1-resident) sweeps them.
 *
 * Packing buffers are module-level and grow only, so a call allocates
 * nothing once warm. Products involving NaN or ±Inf propagate as in the
 * naive loop (zero padding only feeds tile entries that are never stored).
 * Tiny problems take a direct triple loop, where packing would not pay.
 * See bench/README.md for measured speed.
 */
import { Buf } from '../dtype';
import { Backend } from './backend';

const MR = 4;
const NR = 4;
/** Doubles of packed op(B) per N block (256 KiB), sized for L2. */
const B_BLOCK_DOUBLES = 32768;
/** Below this many multiply-adds (or with fewer rows/columns than a tile) the direct loop wins. */
const DIRECT_LIMIT = 4096;

/** Packed op(A) strips, then the packed op(B) panels of the current N block. */
let work = new Float64Array(4096);
/** The micro-kernel's 4×4 result tile (row-major), read by storeTile. */
const tile = new Float64Array(MR * NR);

function grow(buf: Float64Array, n: number): Float64Array {
  return buf.length >= n ? buf : new Float64Array(Math.max(n, buf.length * 2));
}

/**
 * Packs op(A) (M×K) into ceil(M/4) strips of 4·K doubles. op(A)(i, p) is
 * A[aOff + i·sI + p·sP].
 */
function packStrips(A: Buf, aOff: number, M: number, K: number, sI: number, sP: number, dst: Float64Array): void {
  for (let i0 = 0, s = 0; i0 < M; i0 += MR, s += MR * K) {
    const rows = M - i0 < MR ? M - i0 : MR;
    for (let r = 0; r < MR; r++) {
      if (r >= rows) {
        for (let p = 0, d = s + r; p < K; p++, d += MR) dst[d] = 0;
        continue;
      }
      let src = aOff + (i0 + r) * sI;
      for (let p = 0, d = s + r; p < K; p++, d += MR, src += sP) dst[d] = A[src];
    }
  }
}

/**
 * Packs columns j0 .. j0+nc of op(B) (K×N) into panels of 4·K doubles at dst[dOff ..].
 * op(B)(p, j) is B[bOff + p·sP + j·sJ].
 */
function packPanels(
  B: Buf,
  bOff: number,
  N: number,
  K: number,
  sP: number,
  sJ: number,
  j0: number,
  nc: number,
  dst: Float64Array,
  dOff: number,
): void {
  for (let jj = 0, s = dOff; jj < nc; jj += NR, s += NR * K) {
    const j = j0 + jj;
    const cols = N - j < NR ? N - j : NR;
    for (let c = 0; c < NR; c++) {
      if (c >= cols) {
        for (let p = 0, d = s + c; p < K; p++, d += NR) dst[d] = 0;
        continue;
      }
      let src = bOff + (j + c) * sJ;
      for (let p = 0, d = s + c; p < K; p++, d += NR, src += sP) dst[d] = B[src];
    }
  }
}

/** tile = strip(ao) · panel(bo) over K, sums in float64, in order p = 0..K-1. */
function kernel4x4(K: number, W: Float64Array, ao: number, bo: number): void {
  // prettier-ignore
  let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0,
    c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
  for (let p = 0; p < K; p++) {
    const a0 = W[ao];
    const a1 = W[ao + 1];
    const a2 = W[ao + 2];
    const a3 = W[ao + 3];
    const b0 = W[bo];
    const b1 = W[bo + 1];
    const b2 = W[bo + 2];
    const b3 = W[bo + 3];
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ao += 4; // literal: a module-level const costs a context load per iteration
    bo += 4;
  }
  const t = tile;
  t[0] = c00;
  t[1] = c01;
  t[2] = c02;
  t[3] = c03;
  t[4] = c10;
  t[5] = c11;
  t[6] = c12;
  t[7] = c13;
  t[8] = c20;
  t[9] = c21;
  t[10] = c22;
  t[11] = c23;
  t[12] = c30;
  t[13] = c31;
  t[14] = c32;
  t[15] = c33;
}

/** Stores the valid rows × cols of `tile` at C[co ..] (row stride N), once per element. */
function storeTile(C: Buf, co: number, N: number, rows: number, cols: number, accumulate: boolean): void {
  const t = tile;
  if (rows === MR && cols === NR) {
    if (accumulate) {
      for (let r = 0, o = co, k = 0; r < MR; r++, o += N, k += NR) {
        C[o] += t[k];
        C[o + 1] += t[k + 1];
        C[o + 2] += t[k + 2];
        C[o + 3] += t[k + 3];
      }
    } else {
      for (let r = 0, o = co, k = 0; r < MR; r++, o += N, k += NR) {
        C[o] = t[k];
        C[o + 1] = t[k + 1];
        C[o + 2] = t[k + 2];
        C[o + 3] = t[k + 3];
      }
    }
    return;
  }
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) {
      const o = co + r * N + c;
      C[o] = accumulate ? C[o] + t[r * NR + c] : t[r * NR + c];
    }
}

/** The plain triple loop for tiny problems: one float64 dot product per element. */
function direct(
  M: number,
  N: number,
  K: number,
  A: Buf,
  aOff: number,
  aI: number,
  aP: number,
  B: Buf,
  bOff: number,
  bP: number,
  bJ: number,
  C: Buf,
  cOff: number,
  accumulate: boolean,
): void {
  for (let i = 0; i < M; i++) {
    const ai = aOff + i * aI;
    const co = cOff + i * N;
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0, x = ai, y = bOff + j * bJ; p < K; p++, x += aP, y += bP) s += A[x] * B[y];
      C[co + j] = accumulate ? C[co + j] + s : s;
    }
  }
}

function gemm(
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
): void {
  if (M <= 0 || N <= 0) return;
  // Strides of op(A)(i, p) and op(B)(p, j) in their stored arrays.
  const aI = transA ? 1 : K;
  const aP = transA ? M : 1;
  const bP = transB ? 1 : N;
  const bJ = transB ? K : 1;
  if (K <= 0) {
    if (!accumulate) C.fill(0, cOff, cOff + M * N);
    return;
  }
  if (M < MR || N < NR || M * N * K <= DIRECT_LIMIT) {
    direct(M, N, K, A, aOff, aI, aP, B, bOff, bP, bJ, C, cOff, accumulate);
    return;
  }
  // Columns per N block: a multiple of NR whose packed panels fit the block budget.
  const nc = Math.max(NR, Math.floor(B_BLOCK_DOUBLES / (K * NR)) * NR);
  // One buffer holds both packings: the kernel then checks a single array per step.
  const bBase = Math.ceil(M / MR) * MR * K;
  work = grow(work, bBase + Math.min(nc, Math.ceil(N / NR) * NR) * K);
  const W = work;
  packStrips(A, aOff, M, K, aI, aP, W);
  for (let j0 = 0; j0 < N; j0 += nc) {
    const ncHere = N - j0 < nc ? N - j0 : nc;
    packPanels(B, bOff, N, K, bP, bJ, j0, ncHere, W, bBase);
    for (let i0 = 0, ao = 0; i0 < M; i0 += MR, ao += MR * K) {
      const rows = M - i0 < MR ? M - i0 : MR;
      const rowOff = cOff + i0 * N;
      for (let jj = 0, bo = bBase; jj < ncHere; jj += NR, bo += NR * K) {
        kernel4x4(K, W, ao, bo);
        const cols = ncHere - jj < NR ? ncHere - jj : NR;
        storeTile(C, rowOff + j0 + jj, N, rows, cols, accumulate);
      }
    }
  }
}

export const tsBackend: Backend = { name: 'ts', gemm };
