/**
 * Element types a tensor can hold. PyTorch's default is float32, so every op
 * on float32 tensors writes its result through a Float32Array, which rounds
 * each element to the nearest float32 exactly as PyTorch's CPU kernels store it.
 */
export type DType = 'float32' | 'float64';
export type Buf = Float32Array | Float64Array;

export function newBuf(dtype: DType, n: number): Buf {
  return dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
}

export function dtypeOf(buf: Buf): DType {
  return buf instanceof Float32Array ? 'float32' : 'float64';
}

/** Python-visible name, as `torch.float32` prints. */
export function dtypeName(dtype: DType): string {
  return `torch.${dtype}`;
}

/** Rounds a double to the precision of `dtype` (float32 rounding is round-to-nearest-even). */
export function roundTo(dtype: DType, x: number): number {
  return dtype === 'float32' ? Math.fround(x) : x;
}

const identity = (x: number): number => x;

/**
 * The rounding applied after each arithmetic step of a kernel that mimics
 * PyTorch's float32 evaluation order (Math.fround), or none for float64.
 */
export function rounder(dtype: DType): (x: number) => number {
  return dtype === 'float32' ? Math.fround : identity;
}
