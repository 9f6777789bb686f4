/**
 * Python's `math` module as CPython 3.11 behaves: the same special cases
 * (math_1's domain/range rules, m_log, m_atan2, math.pow's IEEE specials),
 * the same error types and texts, ints of any size for log/floor/gcd/
 * factorial, an exact fsum (CPython's msum) and hypot by CPython's
 * vector_norm. Arguments may be ints, floats, bools or one-element tensors
 * (as PyTorch's __float__/__index__ allow). Transcendental functions use
 * the JavaScript engine's libm, which can differ from glibc in the last bit.
 */
import { Tensor } from '../../core';
import { PyException, pyErr, typeErr, valueErr, zeroDiv } from '../errors';
import { isNumber, MAX_INT_BITS, numBinary, toFloat, typeName } from '../pyops';
import { CallArgs, PyBuiltin, PyDict, PyIterator, PyList, PyModule, PyRange, PyTuple, PyValue } from '../values';

/** Optional services from the interpreter (math.prod over tensors multiplies through torch). */
export interface MathHooks {
  binary?: (op: '*', a: PyValue, b: PyValue) => PyValue;
}

const domainError = (): PyException => valueErr('math domain error');
const rangeError = (): PyException => pyErr('OverflowError', 'math range error');

// ------------------------------------------------------------ conversions

/** PyFloat_AsDouble: ints, floats, bools and one-element tensors. */
export function realArg(v: PyValue): number {
  if (typeof v === 'number') return v;
  if (isNumber(v)) return toFloat(v);
  if (v instanceof Tensor) {
    if (v.size !== 1) throw valueErr('only one element tensors can be converted to Python scalars');
    return v.at(0);
  }
  throw typeErr(`must be real number, not ${typeName(v)}`);
}

/** operator.index: ints, bools and one-element integer tensors. */
export function indexArg(v: PyValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v instanceof Tensor) {
    if (v.size === 1 && v.meta?.logical !== undefined) return BigInt(Math.trunc(v.at(0)));
    throw typeErr('only integer tensors of a single element can be converted to an index');
  }
  throw typeErr(`'${typeName(v)}' object cannot be interpreted as an integer`);
}

/** Iterates the iterables math.fsum/prod/dist take, without the interpreter. */
function iterateValue(v: PyValue): () => PyValue | undefined {
  let items: readonly PyValue[] | null = null;
  if (v instanceof PyList || v instanceof PyTuple) items = v.items;
  else if (typeof v === 'string') items = [...v];
  else if (v instanceof PyDict) items = [...v.entries.values()].map(([k]) => k);
  else if (v instanceof PyIterator) return v.next;
  else if (v instanceof PyRange) {
    let i = v.start;
    const { stop, step } = v;
    return () => {
      if (step > 0n ? i >= stop : i <= stop) return undefined;
      const x = i;
      i += step;
      return x;
    };
  } else if (v instanceof Tensor) {
    if (v.ndim === 0) throw typeErr('iteration over a 0-d tensor');
    if (v.ndim !== 1) throw valueErr('only one element tensors can be converted to Python scalars');
    const t = v;
    let i = 0;
    // Elements of a 1-D tensor, as the numbers they convert to.
    return () => (i < t.size ? t.at(i++) : undefined);
  }
  if (items === null) throw typeErr(`'${typeName(v)}' object is not iterable`);
  const list = items;
  let i = 0;
  return () => (i < list.length ? list[i++] : undefined);
}

// ------------------------------------------------------------ arity checks

function noKw(a: CallArgs, qual: string): void {
  if (a.kwargs.size > 0) throw typeErr(`${qual}() takes no keyword arguments`);
}

/** METH_O functions: `math.sqrt() takes exactly one argument (0 given)`. */
function one(a: CallArgs, name: string): PyValue {
  noKw(a, `math.${name}`);
  if (a.args.length !== 1) throw typeErr(`math.${name}() takes exactly one argument (${a.args.length} given)`);
  return a.args[0];
}

/** Fixed positional arity: `atan2 expected 2 arguments, got 1`. */
function exactly(a: CallArgs, name: string, n: number): readonly PyValue[] {
  noKw(a, `math.${name}`);
  if (a.args.length !== n) throw typeErr(`${name} expected ${n} argument${n === 1 ? '' : 's'}, got ${a.args.length}`);
  return a.args;
}

// ------------------------------------------------------------ CPython's math_1, math_2

/** math_1: a NaN from a non-NaN is a domain error; an infinity from a finite input overflows or is a singularity. */
function math1(x: number, f: (x: number) => number, canOverflow: boolean): number {
  const r = f(x);
  if (r !== r && x === x) throw domainError();
  if (!Number.isFinite(r) && r === r && Number.isFinite(x)) throw canOverflow ? rangeError() : domainError();
  return r;
}

function math2(x: number, y: number, f: (x: number, y: number) => number): number {
  const r = f(x, y);
  if (r !== r) {
    if (x === x && y === y) throw domainError();
  } else if (!Number.isFinite(r)) {
    if (Number.isFinite(x) && Number.isFinite(y)) throw rangeError();
  }
  return r;
}

function mLog(f: (x: number) => number): (x: number) => number {
  return (x) => {
    if (Number.isFinite(x)) {
      if (x > 0) return f(x);
      return x === 0 ? -Infinity : NaN;
    }
    if (x !== x) return x;
    return x > 0 ? x : NaN;
  };
}

const M_LOG = mLog(Math.log);
const M_LOG2 = mLog(Math.log2);
const M_LOG10 = mLog(Math.log10);

function bitLength(n: bigint): number {
  return (n < 0n ? -n : n).toString(2).length;
}

/** _PyLong_Frexp for n > 0: [x, e] with n ≈ x·2^e, 0.5 <= x < 1, x rounded half-even. */
function longFrexp(n: bigint): [number, number] {
  let e = bitLength(n);
  let top: bigint;
  if (e > 64) {
    const shift = BigInt(e - 64);
    top = n >> shift;
    if (top << shift !== n) top |= 1n; // sticky bit: no double rounding
  } else top = n << BigInt(64 - e);
  let x = Number(top) / 2 ** 64;
  if (x === 1) {
    x = 0.5;
    e += 1;
  }
  return [x, e];
}

/** loghelper: ints of any size are logged exactly enough; other values go through math_1. */
function logHelper(v: PyValue, f: (x: number) => number): number {
  if (typeof v === 'bigint' || typeof v === 'boolean') {
    const n = typeof v === 'boolean' ? BigInt(v) : v;
    if (n <= 0n) throw domainError();
    const x = Number(n);
    if (Number.isFinite(x)) return f(x);
    const [m, e] = longFrexp(n);
    return f(m) + f(2) * e;
  }
  return math1(realArg(v), f, false);
}

function mAtan2(y: number, x: number): number {
  if (x !== x || y !== y) return NaN;
  if (!Number.isFinite(y)) {
    if (!Number.isFinite(x)) return copysign(x > 0 ? 0.25 * Math.PI : 0.75 * Math.PI, y);
    return copysign(0.5 * Math.PI, y);
  }
  if (!Number.isFinite(x) || y === 0) {
    if (copysign(1, x) === 1) return copysign(0, y);
    return copysign(Math.PI, y);
  }
  return Math.atan2(y, x);
}

export function copysign(x: number, y: number): number {
  const neg = y < 0 || Object.is(y, -0) || (y !== y && signBit(y));
  const ax = Math.abs(x);
  return neg ? -ax : ax;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HI = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1 ? 1 : 0;

function signBit(x: number): boolean {
  f64[0] = x;
  return u32[HI] >>> 31 === 1;
}

/** math.pow: CPython deals with the IEEE specials itself, then lets libm do finite**finite. */
function mathPow(x: number, y: number): number {
  if (!Number.isFinite(x) || !Number.isFinite(y)) {
    if (x !== x) return y === 0 ? 1 : x;
    if (y !== y) return x === 1 ? 1 : y;
    if (!Number.isFinite(x)) {
      const oddY = Number.isFinite(y) && Math.abs(y) % 2 === 1;
      if (y > 0) return oddY ? x : Math.abs(x);
      if (y === 0) return 1;
      return oddY ? copysign(0, x) : 0;
    }
    if (Math.abs(x) === 1) return 1;
    if (y > 0 && Math.abs(x) > 1) return y;
    if (y < 0 && Math.abs(x) < 1) return -y;
    return 0;
  }
  const r = Math.pow(x, y);
  if (r !== r) throw domainError();
  if (!Number.isFinite(r)) throw x === 0 ? domainError() : rangeError();
  return r;
}

/** Float to int as PyLong_FromDouble does, with CPython's errors. */
export function floatToInt(x: number): bigint {
  if (x !== x) throw valueErr('cannot convert float NaN to integer');
  if (!Number.isFinite(x)) throw pyErr('OverflowError', 'cannot convert float infinity to integer');
  return BigInt(Math.trunc(x));
}

// ------------------------------------------------------------ fsum, hypot

/** CPython's math.fsum (Shewchuk's exact partials, with its special-value and overflow rules). */
function fsum(values: () => PyValue | undefined): number {
  const p: number[] = [];
  let specialSum = 0;
  let infSum = 0;
  let lo = 0;
  for (let item = values(); item !== undefined; item = values()) {
    let x = realArg(item);
    const xsave = x;
    let i = 0;
    for (let j = 0; j < p.length; j++) {
      let y = p[j];
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) p[i++] = lo;
      x = hi;
    }
    p.length = i;
    if (x !== 0) {
      if (!Number.isFinite(x)) {
        if (Number.isFinite(xsave)) throw pyErr('OverflowError', 'intermediate overflow in fsum');
        if (xsave === Infinity || xsave === -Infinity) infSum += xsave;
        specialSum += xsave;
        p.length = 0;
      } else p.push(x);
    }
  }
  if (specialSum !== 0) {
    if (infSum !== infSum) throw valueErr('-inf + inf in fsum');
    return specialSum;
  }
  let hi = 0;
  let n = p.length;
  if (n > 0) {
    hi = p[--n];
    while (n > 0) {
      const x = hi;
      const y = p[--n];
      hi = x + y;
      const yr = hi - x;
      lo = y - yr;
      if (lo !== 0) break;
    }
    if (n > 0 && ((lo < 0 && p[n - 1] < 0) || (lo > 0 && p[n - 1] > 0))) {
      const y = lo * 2;
      const x = hi + y;
      const yr = x - hi;
      if (y === yr) hi = x;
    }
  }
  return hi;
}

function dlSplit(x: number): [number, number] {
  const t = x * 134217729; // Veltkamp constant 2**27 + 1
  const hi = t - (t - x);
  return [hi, x - hi];
}

/** Dekker's exact product: hi + lo == x*y. */
function dlMul(x: number, y: number): [number, number] {
  const [xh, xl] = dlSplit(x);
  const [yh, yl] = dlSplit(y);
  const p = xh * yh;
  const q = xh * yl + xl * yh;
  const z = p + q;
  const zz = p - z + q + xl * yl;
  return [z, zz];
}

const DBL_MIN = 2.2250738585072014e-308;

/** C frexp: x = m·2^e with 0.5 <= |m| < 1 (x itself, exponent 0, for 0, inf and nan). */
function frexp(x: number): [number, number] {
  if (x === 0 || !Number.isFinite(x)) return [x, 0];
  f64[0] = x;
  const biased = (u32[HI] >>> 20) & 0x7ff;
  if (biased === 0) {
    const [m, e] = frexp(x * 2 ** 64);
    return [m, e - 64];
  }
  u32[HI] = (u32[HI] & 0x800fffff) | (1022 << 20);
  return [f64[0], biased - 1022];
}

/** C ldexp: x·2^i rounded once. */
function ldexp(x: number, i: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const [m, e] = frexp(x);
  const exp = e + i;
  if (exp > 1024) throw rangeError();
  if (exp >= -1021) return m * 2 * 2 ** (exp - 1); // exact
  if (exp < -1140) return copysign(0, x);
  // Subnormal result: an exact scaling, then one rounding in the last product.
  return m * 2 ** (exp + 1000) * 2 ** -1000;
}

/** CPython 3.11's vector_norm: sqrt of a sum of squares, nearly always correctly rounded. */
function vectorNorm(vec: number[], max: number, foundNan: boolean): number {
  const n = vec.length;
  if (max === Infinity) return max;
  if (foundNan) return NaN;
  if (max === 0 || n <= 1) return max;
  const maxE = frexp(max)[1];
  if (maxE < -1023) {
    return (
      DBL_MIN *
      vectorNorm(
        vec.map((v) => v / DBL_MIN),
        max / DBL_MIN,
        foundNan,
      )
    );
  }
  const scale = 2 ** -maxE;
  let csum = 1;
  let frac1 = 0;
  let frac2 = 0;
  for (const v of vec) {
    const x = v * scale;
    const [ph, pl] = dlMul(x, x);
    const s = csum + ph;
    const sl = csum - s + ph;
    csum = s;
    frac1 += pl;
    frac2 += sl;
  }
  let h = Math.sqrt(csum - 1 + (frac1 + frac2));
  const [ph, pl] = dlMul(-h, h);
  const s = csum + ph;
  const sl = csum - s + ph;
  csum = s;
  frac1 += pl;
  frac2 += sl;
  const x = csum - 1 + (frac1 + frac2);
  h += x / (2 * h);
  return h / scale;
}

// ------------------------------------------------------------ integers

function tooBig(): PyException {
  return pyErr('OverflowError', `int too large: Backprop Debugger limits ints to ${MAX_INT_BITS} bits`);
}

function productRange(lo: bigint, hi: bigint): bigint {
  // Product of lo..hi by halves, so the multiplications stay balanced.
  if (lo > hi) return 1n;
  if (hi - lo < 16n) {
    let p = 1n;
    for (let k = lo; k <= hi; k++) p *= k;
    return p;
  }
  const mid = (lo + hi) / 2n;
  return productRange(lo, mid) * productRange(mid + 1n, hi);
}

/** log2(n!) estimate by Stirling, to refuse results above MAX_INT_BITS before computing them. */
function factorialBits(n: number): number {
  if (n < 2) return 1;
  return (n * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI * n)) / Math.LN2;
}

function gcd(a: bigint, b: bigint): bigint {
  a = a < 0n ? -a : a;
  b = b < 0n ? -b : b;
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

export function isqrt(n: bigint): bigint {
  if (n < 0n) throw valueErr('isqrt() argument must be nonnegative');
  if (n < 2n) return n;
  // Newton's method from a power-of-two guess above the root.
  let x = 1n << BigInt(Math.ceil(bitLength(n) / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) return x;
    x = y;
  }
}

// ------------------------------------------------------------ the module

export function makeMathModule(hooks: MathHooks = {}): PyModule {
  const attrs = new Map<string, PyValue>();
  const def = (name: string, call: (a: CallArgs) => PyValue): void => {
    attrs.set(name, new PyBuiltin(name, call));
  };

  attrs.set('pi', Math.PI);
  attrs.set('e', Math.E);
  attrs.set('tau', 2 * Math.PI);
  attrs.set('inf', Infinity);
  attrs.set('nan', NaN);

  const unary = (name: string, f: (x: number) => number, canOverflow: boolean): void =>
    def(name, (a) => math1(realArg(one(a, name)), f, canOverflow));

  unary('sqrt', Math.sqrt, false);
  unary('exp', Math.exp, true);
  unary('exp2', (x) => Math.pow(2, x), true);
  unary('expm1', Math.expm1, true);
  unary('log1p', (x) => (x === -1 ? -Infinity : Math.log1p(x)), false);
  unary('sin', Math.sin, false);
  unary('cos', Math.cos, false);
  unary('tan', Math.tan, false);
  unary('asin', Math.asin, false);
  unary('acos', Math.acos, false);
  unary('atan', Math.atan, false);
  unary('sinh', Math.sinh, true);
  unary('cosh', Math.cosh, true);
  unary('tanh', Math.tanh, false);
  unary('asinh', Math.asinh, false);
  unary('acosh', Math.acosh, false);
  unary('atanh', Math.atanh, false);
  unary('cbrt', Math.cbrt, false);
  unary('fabs', Math.abs, false);
  // Plain products by CPython's radToDeg/degToRad constants (no range checks, as there).
  def('degrees', (a) => realArg(one(a, 'degrees')) * (180 / Math.PI));
  def('radians', (a) => realArg(one(a, 'radians')) * (Math.PI / 180));

  def('log', (a) => {
    noKw(a, 'math.log');
    if (a.args.length < 1 || a.args.length > 2) throw typeErr('math.log requires 1 to 2 arguments');
    const num = logHelper(a.args[0], M_LOG);
    if (a.args.length === 1) return num;
    const den = logHelper(a.args[1], M_LOG);
    if (den === 0) throw zeroDiv('float division by zero');
    return num / den;
  });
  def('log2', (a) => logHelper(one(a, 'log2'), M_LOG2));
  def('log10', (a) => logHelper(one(a, 'log10'), M_LOG10));

  def('atan2', (a) => {
    const [y, x] = exactly(a, 'atan2', 2).map(realArg);
    return math2(y, x, mAtan2);
  });
  def('copysign', (a) => {
    const [x, y] = exactly(a, 'copysign', 2).map(realArg);
    return math2(x, y, copysign);
  });
  def('pow', (a) => {
    const [x, y] = exactly(a, 'pow', 2).map(realArg);
    return mathPow(x, y);
  });
  def('fmod', (a) => {
    const [x, y] = exactly(a, 'fmod', 2).map(realArg);
    if (!Number.isFinite(y) && y === y && Number.isFinite(x)) return x;
    const r = x % y;
    if (r !== r && x === x && y === y) throw domainError();
    return r;
  });

  const rounding = (name: string, f: (x: number) => number): void =>
    def(name, (a) => {
      const v = one(a, name);
      if (typeof v === 'bigint') return v;
      if (typeof v === 'boolean') return v ? 1n : 0n;
      return floatToInt(f(realArg(v)));
    });
  rounding('floor', Math.floor);
  rounding('ceil', Math.ceil);
  def('trunc', (a) => {
    const v = one(a, 'trunc');
    if (typeof v === 'bigint') return v;
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'number') return floatToInt(Math.trunc(v));
    throw typeErr(`type ${typeName(v)} doesn't define __trunc__ method`);
  });
  def('modf', (a) => {
    const x = realArg(one(a, 'modf'));
    if (!Number.isFinite(x)) return new PyTuple(x !== x ? [x, x] : [copysign(0, x), x]);
    const ip = Math.trunc(x);
    return new PyTuple([copysign(x - ip, x), ip]);
  });
  def('frexp', (a) => {
    const x = realArg(one(a, 'frexp'));
    const [m, e] = frexp(x);
    return new PyTuple([m, BigInt(e)]);
  });
  def('ldexp', (a) => {
    const [xv, iv] = exactly(a, 'ldexp', 2);
    const x = realArg(xv);
    if (typeof iv !== 'bigint' && typeof iv !== 'boolean')
      throw typeErr('Expected an int as second argument to ldexp.');
    const i = typeof iv === 'boolean' ? (iv ? 1 : 0) : Number(iv < -100000n ? -100000n : iv > 100000n ? 100000n : iv);
    return ldexp(x, i);
  });

  def('isnan', (a) => {
    const x = realArg(one(a, 'isnan'));
    return x !== x;
  });
  def('isinf', (a) => {
    const x = realArg(one(a, 'isinf'));
    return x === Infinity || x === -Infinity;
  });
  def('isfinite', (a) => Number.isFinite(realArg(one(a, 'isfinite'))));

  def('isclose', (a) => {
    if (a.args.length > 2) throw typeErr(`isclose() takes exactly 2 positional arguments (${a.args.length} given)`);
    const get = (name: string, pos: number, dflt?: number): number => {
      const fromKw = a.kwargs.get(name);
      const v = pos < a.args.length ? a.args[pos] : fromKw;
      if (pos < a.args.length && fromKw !== undefined)
        throw typeErr(`argument for isclose() given by name ('${name}') and position (${pos + 1})`);
      if (v === undefined) {
        if (dflt === undefined) throw typeErr(`isclose() missing required argument '${name}' (pos ${pos + 1})`);
        return dflt;
      }
      return realArg(v);
    };
    for (const k of a.kwargs.keys())
      if (!['a', 'b', 'rel_tol', 'abs_tol'].includes(k))
        throw typeErr(`'${k}' is an invalid keyword argument for isclose()`);
    const x = get('a', 0);
    const y = get('b', 1);
    const relTol = get('rel_tol', 99, 1e-9);
    const absTol = get('abs_tol', 99, 0);
    if (relTol < 0 || absTol < 0) throw valueErr('tolerances must be non-negative');
    if (x === y) return true;
    if (!Number.isFinite(x) || !Number.isFinite(y)) return false;
    const diff = Math.abs(y - x);
    return diff <= Math.abs(relTol * y) || diff <= Math.abs(relTol * x) || diff <= absTol;
  });

  def('fsum', (a) => fsum(iterateValue(one(a, 'fsum'))));

  def('prod', (a) => {
    if (a.args.length !== 1) throw typeErr(`prod() takes exactly 1 positional argument (${a.args.length} given)`);
    for (const k of a.kwargs.keys())
      if (k !== 'start') throw typeErr(`'${k}' is an invalid keyword argument for prod()`);
    let acc: PyValue = a.kwargs.get('start') ?? 1n;
    const it = iterateValue(a.args[0]);
    for (let x = it(); x !== undefined; x = it()) {
      if (isNumber(acc) && isNumber(x)) acc = numBinary('*', acc, x);
      else if ((acc instanceof Tensor || x instanceof Tensor) && hooks.binary) acc = hooks.binary('*', acc, x);
      else if (acc instanceof Tensor || x instanceof Tensor)
        throw typeErr('math.prod() of tensors is not supported; use torch.prod');
      else throw typeErr(`unsupported operand type(s) for *: '${typeName(acc)}' and '${typeName(x)}'`);
    }
    return acc;
  });

  def('factorial', (a) => {
    const n = indexArg(one(a, 'factorial'));
    if (n < 0n) throw valueErr('factorial() not defined for negative values');
    if (n > 10_000_000n || factorialBits(Number(n)) > MAX_INT_BITS) throw tooBig();
    return productRange(2n, n);
  });
  def('isqrt', (a) => isqrt(indexArg(one(a, 'isqrt'))));
  def('gcd', (a) => {
    noKw(a, 'math.gcd');
    let g = 0n;
    for (const v of a.args) g = gcd(g, indexArg(v));
    return g;
  });
  def('lcm', (a) => {
    noKw(a, 'math.lcm');
    let l = 1n;
    for (const v of a.args) {
      const x = indexArg(v);
      if (l === 0n || x === 0n) l = 0n;
      else {
        l = (l / gcd(l, x)) * x;
        if (l < 0n) l = -l;
      }
    }
    return l;
  });
  def('comb', (a) => {
    const [nv, kv] = exactly(a, 'comb', 2);
    const n = indexArg(nv);
    const k = indexArg(kv);
    if (n < 0n) throw valueErr('n must be a non-negative integer');
    if (k < 0n) throw valueErr('k must be a non-negative integer');
    if (k > n) return 0n;
    const kk = k > n - k ? n - k : k;
    if (kk > 10_000_000n) throw tooBig();
    let r = 1n;
    for (let i = 1n; i <= kk; i++) r = (r * (n - kk + i)) / i;
    return r;
  });
  def('perm', (a) => {
    noKw(a, 'math.perm');
    if (a.args.length < 1 || a.args.length > 2)
      throw typeErr(
        `perm expected at ${a.args.length < 1 ? 'least 1 argument' : 'most 2 arguments'}, got ${a.args.length}`,
      );
    const n = indexArg(a.args[0]);
    const k = a.args.length === 2 && a.args[1] !== null ? indexArg(a.args[1]) : n;
    if (n < 0n) throw valueErr('n must be a non-negative integer');
    if (k < 0n) throw valueErr('k must be a non-negative integer');
    if (k > n) return 0n;
    if (k > 10_000_000n) throw tooBig();
    return productRange(n - k + 1n, n);
  });

  def('hypot', (a) => {
    noKw(a, 'math.hypot');
    let max = 0;
    let foundNan = false;
    const vec = a.args.map((v) => {
      const x = Math.abs(realArg(v));
      if (x !== x) foundNan = true;
      if (x > max) max = x;
      return x;
    });
    return vectorNorm(vec, max, foundNan);
  });
  def('dist', (a) => {
    const [pv, qv] = exactly(a, 'dist', 2);
    const collect = (v: PyValue): number[] => {
      const out: number[] = [];
      const it = iterateValue(v);
      for (let x = it(); x !== undefined; x = it()) out.push(realArg(x));
      return out;
    };
    const p = collect(pv);
    const q = collect(qv);
    if (p.length !== q.length) throw valueErr('both points must have the same number of dimensions');
    let max = 0;
    let foundNan = false;
    const diffs = p.map((px, i) => {
      const x = Math.abs(px - q[i]);
      if (x !== x) foundNan = true;
      if (x > max) max = x;
      return x;
    });
    return vectorNorm(diffs, max, foundNan);
  });

  return new PyModule('math', attrs);
}
