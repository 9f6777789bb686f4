/**
 * Where tensor elements live. A tiny tensor (a scalar in a micrograd-style
 * graph) would cost about 200 bytes and half a microsecond if it owned its
 * own typed array, so small tensors are carved out of shared slabs by a bump
 * allocator: a tensor holds (buf, off). A slab is freed by the garbage
 * collector once no tensor references it. Larger tensors get their own array.
 *
 * No library offers this (it is a few lines and tied to our Tensor layout).
 */
import { Buf, DType } from './dtype';

const SLAB_ELEMS = 4096;
/** Tensors of more elements than this own their array. */
const SMALL_LIMIT = 64;

let slab32 = new Float32Array(SLAB_ELEMS);
let used32 = 0;
let slab64 = new Float64Array(SLAB_ELEMS);
let used64 = 0;

/** Result registers of `alloc` (avoids allocating a pair object per call). */
export let allocBuf: Buf = slab32;
export let allocOff = 0;

/** Reserves `n` zeroed elements of `dtype`; read the place from allocBuf/allocOff. */
export function alloc(dtype: DType, n: number): void {
  if (n > SMALL_LIMIT) {
    allocBuf = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    allocOff = 0;
    return;
  }
  if (dtype === 'float32') {
    if (used32 + n > SLAB_ELEMS) {
      slab32 = new Float32Array(SLAB_ELEMS);
      used32 = 0;
    }
    allocBuf = slab32;
    allocOff = used32;
    used32 += n;
  } else {
    if (used64 + n > SLAB_ELEMS) {
      slab64 = new Float64Array(SLAB_ELEMS);
      used64 = 0;
    }
    allocBuf = slab64;
    allocOff = used64;
    used64 += n;
  }
}
