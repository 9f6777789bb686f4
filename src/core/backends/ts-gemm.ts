/**
 * Matrix multiply in plain TypeScript: the default backend's kernel.
 *
 * C[M×N] (+)= op(A)·op(B), row-major, where op(A) = Aᵀ and op(B) = Bᵀ are
 * read in place, never materialized. The layout is the GotoBLAS scheme, cut
 * down to what V8's scalar code generator does well:
 *
 * - op(B) is packed (converted to float64) in blocks of KC×NC as panels of
 *   2 columns, op(A) in blocks of MC×KC as strips of 3 rows. Partial strips
 *   and panels are zero-padded, so the micro-kernel never branches on
 *   edges; the padding only feeds tile entries that are never stored.
 * - The micro-kernel keeps a 3×2 tile of float64 sums in registers. Across
 *   K blocks a tile's sums continue through a float64 buffer, so every
 *   element of C is one float64 sum in index order p = 0..K-1 (bit for bit
 *   the naive loop's sum), rounded once when stored: C = s, or C = C + s
 *   when accumulating.
 * - The packed blocks live in fixed, module-level arrays, one per strip row
 *   and panel column. TurboFan embeds constant typed arrays, so each
 *   operand load is one instruction with one shared bounds check, where a
 *   parameter array costs a map check, three header loads and an overflow
 *   checked index per load.
 *
 * Nothing is allocated per call once warm (the K-block carry and the
 * small-problem row grow only). NaN and ±Inf propagate as in the naive loop.
 * Tiny problems, or fewer than 3 rows or 2 columns, take a direct loop.
 * See bench/README.md for measured speed and what limits it.
 */
import { Buf } from '../dtype';
import { Backend } from './backend';

/** Depth of a packed block (columns of op(A), rows of op(B)). */
const KC = 256;
/** Rows of op(A) per packed block (a multiple of the 3-row strip). */
const MC = 48;
/** Columns of op(B) per packed block (a multiple of the 2-column panel). */
const NC = 128;
/** Up to this many multiply-adds the direct loop beats packing. */
const DIRECT_LIMIT = 4096;

/*
 * The packed blocks, one array per row of a strip and per column of a
 * panel: strip s of the op(A) block keeps its row r at aRow{r}[s·kc + p],
 * panel q of the op(B) block its column c at bCol{c}[q·kc + p] (kc: the
 * block's depth). With one index per operand and constant arrays, a load
 * is a single instruction (V8 merges the bounds checks of equal-length
 * arrays read at one index).
 * 3 × 32 KiB + 2 × 128 KiB, allocated once.
 */
const A_LEN = (MC / 3) * KC;
const B_LEN = (NC / 2) * KC;
const aRow0 = new Float64Array(A_LEN);
const aRow1 = new Float64Array(A_LEN);
const aRow2 = new Float64Array(A_LEN);
const bCol0 = new Float64Array(B_LEN);
const bCol1 = new Float64Array(B_LEN);
/** The micro-kernel's 3×2 tile of running sums, row-major. */
const tile = new Float64Array(6);

/** Tile sums carried between K blocks: row-major (M + 2) × NC for the current N block. */
let carry = new Float64Array(0);
/** Row of float64 sums for the direct loop. */
let rowAcc = new Float64Array(64);

/**
 * tile += strip · panel over kc steps, reading the strip's rows at
 * aRow{0,1,2}[ai ..] and the panel's columns at bCol{0,1}[bi ..].
 *
 * Why 3×2 and not 4×4: V8 (11.x, x64) gives a function 15 XMM registers.
 * A 4×4 tile needs 16 accumulators plus operands, so TurboFan spills some
 * accumulators to the stack, and each spilled sum then carries a
 * store-to-load round trip per step: measured 6.2 GFLOP/s for 4×4 against
 * 7.7 for this spill-free 3×2 (bench/README.md).
 */
function kernel3x2(kc: number, ai: number, bi: number): void {
  const t = tile;
  let c00 = t[0];
  let c01 = t[1];
  let c10 = t[2];
  let c11 = t[3];
  let c20 = t[4];
  let c21 = t[5];
  for (const end = ai + kc; ai < end; ai++, bi++) {
    const b0 = bCol0[bi];
    const b1 = bCol1[bi];
    const x0 = aRow0[ai];
    c00 += x0 * b0;
    c01 += x0 * b1;
    const x1 = aRow1[ai];
    c10 += x1 * b0;
    c11 += x1 * b1;
    const x2 = aRow2[ai];
    c20 += x2 * b0;
    c21 += x2 * b1;
  }
  t[0] = c00;
  t[1] = c01;
  t[2] = c10;
  t[3] = c11;
  t[4] = c20;
  t[5] = c21;
}

/**
 * Packs rows i0 .. i0+mc, depth p0 .. p0+kc of op(A) into 3-row strips
 * (rows past mc are zeros). op(A)(i, p) is A[aOff + i·sI + p·sP]. Reads
 * run along whichever of the two dimensions is contiguous in A.
 */
function packA(A: Buf, aOff: number, sI: number, sP: number, i0: number, mc: number, p0: number, kc: number): void {
  const full = mc - (mc % 3);
  if (full < mc) {
    // The last strip is partial: zero its missing rows.
    const d0 = (full / 3) * kc;
    if (mc - full < 2) aRow1.fill(0, d0, d0 + kc);
    aRow2.fill(0, d0, d0 + kc);
  }
  if (sI === 1 && sP !== 1) {
    // op(A) = Aᵀ: each stored row of A holds one step p for consecutive rows i.
    for (let p = 0; p < kc; p++) {
      let src = aOff + i0 + (p0 + p) * sP;
      let d = p;
      let ii = 0;
      for (; ii < full; ii += 3, d += kc, src += 3) {
        aRow0[d] = A[src];
        aRow1[d] = A[src + 1];
        aRow2[d] = A[src + 2];
      }
      if (ii < mc) {
        aRow0[d] = A[src];
        if (ii + 1 < mc) aRow1[d] = A[src + 1];
      }
    }
    return;
  }
  for (let ii = 0; ii < mc; ii++) {
    const r = ii % 3;
    const dst = r === 0 ? aRow0 : r === 1 ? aRow1 : aRow2;
    let src = aOff + (i0 + ii) * sI + p0 * sP;
    for (let d = ((ii - r) / 3) * kc, end = d + kc; d < end; d++, src += sP) dst[d] = A[src];
  }
}

/**
 * Packs depth p0 .. p0+kc, columns j0 .. j0+nc of op(B) into 2-column
 * panels (a column past nc is zeros). op(B)(p, j) is B[bOff + p·sP + j·sJ].
 * Reads run along whichever of the two dimensions is contiguous in B.
 */
function packB(B: Buf, bOff: number, sP: number, sJ: number, p0: number, kc: number, j0: number, nc: number): void {
  const full = nc - (nc % 2);
  if (full < nc) {
    const d0 = (full / 2) * kc;
    bCol1.fill(0, d0, d0 + kc);
  }
  if (sJ === 1 && sP !== 1) {
    // op(B) = B: each stored row of B holds one step p for consecutive columns j.
    for (let p = 0; p < kc; p++) {
      let src = bOff + j0 + (p0 + p) * sP;
      let d = p;
      let jj = 0;
      for (; jj < full; jj += 2, d += kc, src += 2) {
        bCol0[d] = B[src];
        bCol1[d] = B[src + 1];
      }
      if (jj < nc) bCol0[d] = B[src];
    }
    return;
  }
  for (let jj = 0; jj < nc; jj++) {
    const c = jj % 2;
    const dst = c === 0 ? bCol0 : bCol1;
    let src = bOff + p0 * sP + (j0 + jj) * sJ;
    for (let d = ((jj - c) / 2) * kc, end = d + kc; d < end; d++, src += sP) dst[d] = B[src];
  }
}

/** Stores the valid rows × cols of `tile` at C[co ..] (row stride ldc), one rounding per element. */
function storeTile(C: Buf, co: number, ldc: number, rows: number, cols: number, accumulate: boolean): void {
  const t = tile;
  if (rows === 3 && cols === 2) {
    const o1 = co + ldc;
    const o2 = o1 + ldc;
    if (accumulate) {
      C[co] += t[0];
      C[co + 1] += t[1];
      C[o1] += t[2];
      C[o1 + 1] += t[3];
      C[o2] += t[4];
      C[o2 + 1] += t[5];
    } else {
      C[co] = t[0];
      C[co + 1] = t[1];
      C[o1] = t[2];
      C[o1 + 1] = t[3];
      C[o2] = t[4];
      C[o2 + 1] = t[5];
    }
    return;
  }
  for (let r = 0; r < rows; r++)
    for (let c = 0, o = co + r * ldc; c < cols; c++, o++) C[o] = accumulate ? C[o] + t[r * 2 + c] : t[r * 2 + c];
}

function clearTile(): void {
  const t = tile;
  t[0] = 0;
  t[1] = 0;
  t[2] = 0;
  t[3] = 0;
  t[4] = 0;
  t[5] = 0;
}

/** Moves a tile's running sums to (save) or from (load) the K-block carry at carry[o ..] (row stride NC). */
function carryTile(o: number, save: boolean): void {
  const t = tile;
  const k = carry;
  for (let r = 0; r < 6; r += 2, o += NC) {
    if (save) {
      k[o] = t[r];
      k[o + 1] = t[r + 1];
    } else {
      t[r] = k[o];
      t[r + 1] = k[o + 1];
    }
  }
}

/**
 * The loop for small problems, with the same float64 sums in the same
 * order. op(A)(i, p) = A[aOff + i·aI + p·aP], op(B)(p, j) = B[bOff + p·bP + j·bJ].
 */
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
  if (bJ !== 1) {
    // op(B) = Bᵀ: each output is a dot product along contiguous rows of B.
    for (let i = 0; i < M; i++) {
      const co = cOff + i * N;
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0, x = aOff + i * aI, y = bOff + j * bJ; p < K; p++, x += aP, y += bP) s += A[x] * B[y];
        C[co + j] = accumulate ? C[co + j] + s : s;
      }
    }
    return;
  }
  // op(B) = B: accumulate a row of sums, walking B row by row.
  if (rowAcc.length < N) rowAcc = new Float64Array(N);
  const acc = rowAcc;
  for (let i = 0; i < M; i++) {
    acc.fill(0, 0, N);
    for (let p = 0, x = aOff + i * aI, y = bOff; p < K; p++, x += aP, y += bP) {
      const a = A[x];
      for (let j = 0; j < N; j++) acc[j] += a * B[y + j];
    }
    const co = cOff + i * N;
    if (accumulate) for (let j = 0; j < N; j++) C[co + j] += acc[j];
    else for (let j = 0; j < N; j++) C[co + j] = acc[j];
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
  if (K <= 0) {
    if (!accumulate) C.fill(0, cOff, cOff + M * N);
    return;
  }
  // Strides of op(A)(i, p) and op(B)(p, j) in the stored arrays.
  const aI = transA ? 1 : K;
  const aP = transA ? M : 1;
  const bP = transB ? 1 : N;
  const bJ = transB ? K : 1;
  if (M < 3 || N < 2 || M * N * K <= DIRECT_LIMIT) {
    direct(M, N, K, A, aOff, aI, aP, B, bOff, bP, bJ, C, cOff, accumulate);
    return;
  }
  // Padding rows of a partial last strip (up to M + 1) carry sums too.
  if (K > KC && carry.length < (M + 2) * NC) carry = new Float64Array((M + 2) * NC);
  // K blocks of equal depth (784 = 4 × 196, not 3 × 256 + 16): a shallow
  // last block would pay the per-tile overhead for a few steps.
  const kStep = Math.ceil(K / Math.ceil(K / KC));
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nc = N - j0 < NC ? N - j0 : NC;
    for (let p0 = 0; p0 < K; p0 += kStep) {
      const kc = K - p0 < kStep ? K - p0 : kStep;
      const first = p0 === 0;
      const last = p0 + kc === K;
      packB(B, bOff, bP, bJ, p0, kc, j0, nc);
      for (let i0 = 0; i0 < M; i0 += MC) {
        const mc = M - i0 < MC ? M - i0 : MC;
        packA(A, aOff, aI, aP, i0, mc, p0, kc);
        for (let ii = 0, ai = 0; ii < mc; ii += 3, ai += kc) {
          const rows = mc - ii < 3 ? mc - ii : 3;
          for (let jj = 0, bi = 0; jj < nc; jj += 2, bi += kc) {
            const carryAt = (i0 + ii) * NC + jj;
            if (first) clearTile();
            else carryTile(carryAt, false);
            kernel3x2(kc, ai, bi);
            if (last) storeTile(C, cOff + (i0 + ii) * N + j0 + jj, N, rows, nc - jj < 2 ? nc - jj : 2, accumulate);
            else carryTile(carryAt, true);
          }
        }
      }
    }
  }
}

export const tsBackend: Backend = { name: 'ts', gemm };
