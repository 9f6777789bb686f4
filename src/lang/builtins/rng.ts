/**
 * The one random generator behind Python's `random` module, torch.rand /
 * randn / manual_seed and --check-random: small, fast and deterministic, so
 * a run with the same seed gives the same numbers on every machine. It is
 * xoshiro128** (32-bit words, no BigInt on the hot path) seeded through
 * splitmix32; the numbers differ from CPython's Mersenne Twister and from
 * PyTorch's generators (only the distributions match).
 */

/** splitmix32 step: a well-mixed 32-bit value from a 32-bit counter. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);

export class Rng {
  private s0 = 0;
  private s1 = 0;
  private s2 = 0;
  private s3 = 0;
  /** The second value of the last polar-method pair, or null. */
  private spare: number | null = null;

  constructor(seed: number | bigint = 0) {
    this.seed(seed);
  }

  /**
   * Restarts the sequence. Every bit of an int seed counts (negative seeds
   * differ from positive ones); a non-integral float seeds by its bits.
   */
  seed(n: number | bigint): void {
    let words: number[];
    let tag = 0;
    if (typeof n === 'number' && !Number.isInteger(n)) {
      f64[0] = n;
      words = [u32[0], u32[1]];
      tag = 0x2545f491;
    } else {
      let x = typeof n === 'bigint' ? n : BigInt(n);
      if (x < 0n) {
        x = -x;
        tag = 0x68e31da4;
      }
      words = [];
      do {
        words.push(Number(x & 0xffffffffn));
        x >>= 32n;
      } while (x > 0n);
    }
    let h = splitmix32(tag ^ words.length);
    for (const w of words) h = splitmix32(h ^ w);
    this.s0 = h = splitmix32(h);
    this.s1 = h = splitmix32(h);
    this.s2 = h = splitmix32(h);
    this.s3 = splitmix32(h);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
    this.spare = null;
  }

  /** A uniform 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const r = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return r;
  }

  /** Uniform in [0, 1) with 53 random bits (as CPython's random() has). */
  nextFloat(): number {
    const a = this.nextUint32() >>> 5;
    const b = this.nextUint32() >>> 6;
    return (a * 67108864 + b) / 9007199254740992;
  }

  /** Standard normal (Marsaglia's polar method; the pair's second value is kept for the next call). */
  nextNormal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u: number;
    let v: number;
    let s: number;
    do {
      u = this.nextFloat() * 2 - 1;
      v = this.nextFloat() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const m = Math.sqrt((-2 * Math.log(s)) / s);
    this.spare = v * m;
    return u * m;
  }

  /** A uniform int with `k` random bits, 0 <= result < 2**k. */
  bits(k: number): bigint {
    let r = 0n;
    let have = 0;
    while (have < k) {
      const take = Math.min(32, k - have);
      r = (r << BigInt(take)) | BigInt(this.nextUint32() >>> (32 - take));
      have += take;
    }
    return r;
  }

  /** A uniform int in [0, n) for n > 0, by rejection (no modulo bias). */
  below(n: bigint): bigint {
    if (n <= 0n) throw new RangeError('Rng.below needs a positive bound');
    if (n === 1n) return 0n;
    if (n <= 0x100000000n) {
      const m = Number(n);
      const shift = 32 - (m - 1).toString(2).length;
      for (;;) {
        const r = this.nextUint32() >>> shift;
        if (r < m) return BigInt(r);
      }
    }
    const k = (n - 1n).toString(2).length;
    for (;;) {
      const r = this.bits(k);
      if (r < n) return r;
    }
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
