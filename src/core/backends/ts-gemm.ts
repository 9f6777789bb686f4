/**
 * Matrix multiply in plain TypeScript: the default backend's kernel.
 * Straightforward i-p-j loops over a float64 accumulator row; see
 * bench/README.md for its measured speed.
 */
import { Buf } from '../dtype';
import { Backend } from './backend';

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
  const row = new Float64Array(N);
  for (let i = 0; i < M; i++) {
    row.fill(0);
    for (let p = 0; p < K; p++) {
      const a = transA ? A[aOff + p * M + i] : A[aOff + i * K + p];
      if (transB) for (let j = 0; j < N; j++) row[j] += a * B[bOff + j * K + p];
      else {
        const bo = bOff + p * N;
        for (let j = 0; j < N; j++) row[j] += a * B[bo + j];
      }
    }
    const co = cOff + i * N;
    if (accumulate) for (let j = 0; j < N; j++) C[co + j] += row[j];
    else for (let j = 0; j < N; j++) C[co + j] = row[j];
  }
}

export const tsBackend: Backend = { name: 'ts', gemm };
