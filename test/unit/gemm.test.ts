import { strict as assert } from 'node:assert';
import { tsBackend } from '../../src/core/backends/ts-gemm';
import { Buf } from '../../src/core/dtype';

/** Deterministic values in [-1, 1) (mulberry32). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

type Ctor = Float32ArrayConstructor | Float64ArrayConstructor;

function filled(ctor: Ctor, n: number, r: () => number): Buf {
  const b = new ctor(n);
  for (let i = 0; i < n; i++) b[i] = r();
  return b;
}

/**
 * The naive product: C[i][j] (+)= Σ_p op(A)[i][p]·op(B)[p][j] with the sum
 * in float64, p ascending, returned exactly (a Float64Array).
 */
function reference(
  tA: boolean,
  tB: boolean,
  M: number,
  N: number,
  K: number,
  A: Buf,
  aOff: number,
  B: Buf,
  bOff: number,
  C0: Buf,
  cOff: number,
  accumulate: boolean,
): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) {
        const a = tA ? A[aOff + p * M + i] : A[aOff + i * K + p];
        const b = tB ? B[bOff + j * K + p] : B[bOff + p * N + j];
        s += a * b;
      }
      out[i * N + j] = accumulate ? C0[cOff + i * N + j] + s : s;
    }
  return out;
}

interface Case {
  tA: boolean;
  tB: boolean;
  M: number;
  N: number;
  K: number;
  ctor: Ctor;
  accumulate: boolean;
  seed: number;
}

/** Runs the kernel on a case (with offsets and guard elements) and checks it against the reference. */
function check(c: Case): void {
  const r = rng(c.seed);
  const aOff = 3;
  const bOff = 5;
  const cOff = 7;
  const A = filled(c.ctor, aOff + c.M * c.K + 2, r);
  const B = filled(c.ctor, bOff + c.K * c.N + 2, r);
  const C = filled(c.ctor, cOff + c.M * c.N + 4, r);
  const before = C.slice();
  const want = reference(c.tA, c.tB, c.M, c.N, c.K, A, aOff, B, bOff, before, cOff, c.accumulate);
  tsBackend.gemm(c.tA, c.tB, c.M, c.N, c.K, A, aOff, B, bOff, C, cOff, c.accumulate);
  const label = `${c.ctor.name} tA=${c.tA} tB=${c.tB} M=${c.M} N=${c.N} K=${c.K} acc=${c.accumulate}`;
  // Elements outside C's window are untouched.
  for (let i = 0; i < cOff; i++) assert.equal(C[i], before[i], `${label}: wrote before C`);
  for (let i = cOff + c.M * c.N; i < C.length; i++) assert.equal(C[i], before[i], `${label}: wrote past C`);
  const round = c.ctor === Float32Array ? Math.fround : (x: number) => x;
  for (let k = 0; k < c.M * c.N; k++) {
    // The same float64 sum in the same order, rounded once into C: exact.
    const exp = round(want[k]);
    const got = C[cOff + k];
    if (!Object.is(got, exp) && !(got === exp))
      assert.fail(`${label}: C[${Math.floor(k / c.N)}][${k % c.N}] = ${got}, expected ${exp}`);
  }
}

const TRANSPOSES: [boolean, boolean][] = [
  [false, false],
  [false, true],
  [true, false],
  [true, true],
];

describe('ts-gemm kernel', () => {
  it('matches the naive float64 product on edge sizes, every transpose combination', () => {
    const sizes = [1, 2, 3, 4, 5, 7, 8, 9, 13, 17];
    let seed = 1;
    for (const [tA, tB] of TRANSPOSES)
      for (const M of sizes)
        for (const N of [1, 3, 4, 6, 9, 16])
          for (const K of [1, 2, 5, 8, 31])
            check({ tA, tB, M, N, K, ctor: Float32Array, accumulate: (M + N + K) % 2 === 0, seed: seed++ });
  });

  it('matches on random sizes, some crossing the packing blocks (K > 256, M > 48, N > 128)', () => {
    const r = rng(42);
    const pick = (lo: number, hi: number) => lo + Math.floor(((r() + 1) / 2) * (hi - lo + 1));
    const cases: [number, number, number][] = [
      [65, 129, 257],
      [70, 131, 513],
      [197, 257, 515],
      [4, 4, 600],
      [133, 5, 300],
      [5, 260, 270],
    ];
    for (let i = 0; i < 12; i++) cases.push([pick(1, 150), pick(1, 150), pick(1, 300)]);
    let seed = 100;
    for (const [M, N, K] of cases)
      for (const [tA, tB] of TRANSPOSES) {
        // Alternate dtype and accumulation across cases to keep the naive reference quick.
        const ctor = seed % 2 === 0 ? Float32Array : Float64Array;
        const accumulate = seed % 3 === 0;
        check({ tA, tB, M, N, K, ctor, accumulate, seed: seed++ });
      }
  });

  it('handles the MLP shapes used by forward and backward', () => {
    check({ tA: false, tB: false, M: 64, N: 128, K: 784, ctor: Float32Array, accumulate: false, seed: 7 });
    check({ tA: false, tB: true, M: 64, N: 784, K: 128, ctor: Float32Array, accumulate: true, seed: 8 });
    check({ tA: true, tB: false, M: 784, N: 128, K: 64, ctor: Float32Array, accumulate: true, seed: 9 });
    check({ tA: false, tB: false, M: 256, N: 10, K: 128, ctor: Float32Array, accumulate: false, seed: 10 });
  });

  it('K = 0 writes zeros, or leaves C as it was when accumulating; empty M or N write nothing', () => {
    for (const [tA, tB] of TRANSPOSES)
      for (const [M, N] of [
        [1, 1],
        [3, 5],
        [8, 8],
        [70, 9],
      ]) {
        check({ tA, tB, M, N, K: 0, ctor: Float32Array, accumulate: false, seed: M * N });
        check({ tA, tB, M, N, K: 0, ctor: Float64Array, accumulate: true, seed: M + N });
        const C = new Float32Array([1, 2, 3]);
        tsBackend.gemm(tA, tB, 0, N, 4, new Float32Array(4 * N), 0, new Float32Array(4 * N), 0, C, 0, false);
        tsBackend.gemm(tA, tB, M, 0, 4, new Float32Array(4 * M), 0, new Float32Array(0), 0, C, 0, false);
        assert.deepEqual(Array.from(C), [1, 2, 3]);
      }
  });

  it('keeps float32 results within float32 rounding of the exact product', () => {
    // Integers small enough that every float64 partial sum is exact: the
    // result must be the exact product rounded once to float32.
    const M = 37;
    const N = 41;
    const K = 300;
    const r = rng(5);
    const A = new Float32Array(M * K).map(() => Math.round(r() * 2048));
    const B = new Float32Array(K * N).map(() => Math.round(r() * 2048));
    const C = new Float32Array(M * N);
    tsBackend.gemm(false, false, M, N, K, A, 0, B, 0, C, 0, false);
    for (let i = 0; i < M; i++)
      for (let j = 0; j < N; j++) {
        let s = 0;
        for (let p = 0; p < K; p++) s += A[i * K + p] * B[p * N + j];
        assert.equal(C[i * N + j], Math.fround(s));
      }
  });

  it('propagates NaN and infinities to exactly the outputs they reach', () => {
    for (const [tA, tB] of TRANSPOSES)
      for (const [M, N, K] of [
        [3, 2, 2],
        [9, 10, 11],
        [70, 133, 300],
      ]) {
        const r = rng(M + N + K);
        const A = filled(Float32Array, M * K, r);
        const B = filled(Float32Array, K * N, r);
        // op(A)[1][K-1] = NaN poisons row 1; op(B)[0][N-1] = +Inf meets op(A)[i][0].
        A[tA ? (K - 1) * M + 1 : 1 * K + K - 1] = NaN;
        B[tB ? (N - 1) * K : N - 1] = Infinity;
        for (let i = 0; i < M; i++) A[tA ? i : i * K] = i === 2 ? 0 : 1;
        const C = new Float32Array(M * N);
        tsBackend.gemm(tA, tB, M, N, K, A, 0, B, 0, C, 0, false);
        for (let i = 0; i < M; i++)
          for (let j = 0; j < N; j++) {
            const v = C[i * N + j];
            const label = `tA=${tA} tB=${tB} ${M}x${N}x${K} C[${i}][${j}] = ${v}`;
            if (i === 1) assert.ok(Number.isNaN(v), label);
            else if (j === N - 1)
              assert.ok(i === 2 ? Number.isNaN(v) : v === Infinity, label); // 0·Inf = NaN
            else assert.ok(Number.isFinite(v), label);
          }
        // A NaN already in C survives accumulation.
        const D = new Float32Array(M * N).fill(NaN);
        tsBackend.gemm(tA, tB, M, N, K, new Float32Array(M * K), 0, new Float32Array(K * N), 0, D, 0, true);
        assert.ok(D.every(Number.isNaN));
      }
  });

  it('reads transposed operands in place (no copy of A or B is written)', () => {
    const A = new Float64Array([1, 2, 3, 4, 5, 6]);
    const B = new Float64Array([7, 8, 9, 10, 11, 12]);
    const C = new Float64Array(4);
    // Aᵀ (2×3 stored 3×2) · Bᵀ (3×2 stored 2×3)
    tsBackend.gemm(true, true, 2, 2, 3, A, 0, B, 0, C, 0, false);
    assert.deepEqual(Array.from(C), [
      1 * 7 + 3 * 8 + 5 * 9,
      1 * 10 + 3 * 11 + 5 * 12,
      2 * 7 + 4 * 8 + 6 * 9,
      2 * 10 + 4 * 11 + 6 * 12,
    ]);
    assert.deepEqual(Array.from(A), [1, 2, 3, 4, 5, 6]);
    assert.deepEqual(Array.from(B), [7, 8, 9, 10, 11, 12]);
  });
});
