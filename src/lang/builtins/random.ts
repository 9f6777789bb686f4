/**
 * Python's `random` module over the deterministic Rng: CPython 3.11's
 * algorithms where they decide what is observable (argument checks, error
 * texts, randrange's and choices' rules, shuffle's in-place swaps), the
 * project's generator for the numbers themselves, so the values differ
 * from CPython's Mersenne Twister while the distributions are the same.
 * `random.seed()` without a seed restarts the sequence (runs stay
 * reproducible) instead of seeding from the operating system.
 */
import { Tensor } from '../../core';
import { indexErr, PyException, typeErr, valueErr, zeroDiv } from '../errors';
import { isNumber, numBinary, rangeLength, strRepr, toFloat, typeName } from '../pyops';
import { CallArgs, PyBuiltin, PyList, PyModule, PyRange, PyTuple, PyValue } from '../values';
import { bindArgs } from './args';
import { Rng } from './rng';
import { floatToInt } from './math';

/** Binds like the Python method `Random.<name>(self, ...)`: CPython's messages count `self`. */
function bindMethod(
  a: CallArgs,
  name: string,
  names: readonly string[],
  defaults: Record<string, PyValue> = {},
): PyValue[] {
  return bindArgs({ args: [null, ...a.args], kwargs: a.kwargs }, `Random.${name}`, ['self', ...names], defaults).slice(
    1,
  );
}

/** Methods implemented in C (random, getrandbits) check arguments the C way. */
function cArity(a: CallArgs, name: string, n: 0 | 1): void {
  if (a.kwargs.size > 0) throw typeErr(`Random.${name}() takes no keyword arguments`);
  if (a.args.length !== n)
    throw typeErr(
      n === 0
        ? `Random.${name}() takes no arguments (${a.args.length} given)`
        : `Random.${name}() takes exactly one argument (${a.args.length} given)`,
    );
}

/** Python's `x op y` on numbers, with the TypeError CPython gives for the rest. */
function arith(op: '+' | '-' | '*', x: PyValue, y: PyValue): bigint | number {
  if (isNumber(x) && isNumber(y)) return numBinary(op, x, y);
  if (op === '+' && typeof x === 'string') throw typeErr(`can only concatenate str (not "${typeName(y)}") to str`);
  throw typeErr(`unsupported operand type(s) for ${op}: '${typeName(x)}' and '${typeName(y)}'`);
}

function asFloat(v: bigint | number): number {
  return typeof v === 'number' ? v : toFloat(v);
}

/** operator.index for randrange's arguments, falling back to int() as 3.11 does (with its ValueErrors). */
function rangeArg(v: PyValue, what: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v instanceof Tensor && v.size === 1 && v.meta?.logical !== undefined) return BigInt(Math.trunc(v.at(0)));
  const nonInteger = (): PyException => valueErr(`non-integer ${what} for randrange()`);
  if (typeof v === 'number') {
    const i = floatToInt(v);
    if (!Number.isInteger(v)) throw nonInteger();
    return i; // CPython warns (DeprecationWarning) and goes on
  }
  if (typeof v === 'string') {
    if (/^\s*[+-]?\d+(_\d+)*\s*$/.test(v)) throw nonInteger();
    throw valueErr(`invalid literal for int() with base 10: ${strRepr(v)}`);
  }
  if (v instanceof Tensor) throw typeErr('only integer tensors of a single element can be converted to an index');
  throw typeErr(`int() argument must be a string, a bytes-like object or a real number, not '${typeName(v)}'`);
}

function intArg(v: PyValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  throw typeErr(`'${typeName(v)}' object cannot be interpreted as an integer`);
}

/** A random-access view of the sequences random accepts: list, tuple, str, range. */
interface Seq {
  readonly length: number;
  get(i: number): PyValue;
}

function asSeq(v: PyValue): Seq | null {
  if (v instanceof PyList || v instanceof PyTuple) return { length: v.items.length, get: (i) => v.items[i] };
  if (typeof v === 'string') {
    const chars = [...v];
    return { length: chars.length, get: (i) => chars[i] };
  }
  if (v instanceof PyRange) {
    const n = rangeLength(v);
    if (n > BigInt(Number.MAX_SAFE_INTEGER)) throw pyOverflow();
    return { length: Number(n), get: (i) => v.start + BigInt(i) * v.step };
  }
  return null;
}

function pyOverflow(): PyException {
  return new PyException('OverflowError', 'Python int too large to convert to C ssize_t');
}

/** len(v) for the sequences above, with CPython's errors for the rest. */
function needSeq(v: PyValue, what: string): Seq {
  const s = asSeq(v);
  if (s) return s;
  if (v instanceof Tensor)
    throw typeErr(
      `random.${what}() of a tensor is not supported by Backprop Debugger; use torch.randint or torch.randperm`,
    );
  throw typeErr(`object of type '${typeName(v)}' has no len()`);
}

/** Uniform in [0, n) for a JS-number n (a float's floor, as CPython's choices computes). */
function belowN(rng: Rng, n: number): number {
  return Math.floor(rng.nextFloat() * n);
}

export function makeRandomModule(rng: Rng): PyModule {
  const attrs = new Map<string, PyValue>();
  const def = (name: string, call: (a: CallArgs) => PyValue): void => {
    attrs.set(name, new PyBuiltin(name, call));
  };
  const below = (n: bigint): bigint => rng.below(n);

  def('random', (a) => {
    cArity(a, 'random', 0);
    return rng.nextFloat();
  });

  def('seed', (a) => {
    const [s] = bindMethod(a, 'seed', ['a', 'version'], { a: null, version: 2n });
    if (s === null) rng.seed(0);
    else if (typeof s === 'bigint' || typeof s === 'boolean') {
      const n = typeof s === 'boolean' ? BigInt(s) : s;
      rng.seed(n < 0n ? -n : n); // CPython seeds with abs() of an int
    } else if (typeof s === 'number') {
      if (Number.isInteger(s)) rng.seed(BigInt(Math.abs(s)));
      else rng.seed(s);
    } else if (typeof s === 'string') {
      // Every character counts, as in CPython's version 2 (which also appends a SHA-512).
      let n = 1n;
      for (const b of new TextEncoder().encode(s)) n = (n << 8n) | BigInt(b);
      rng.seed(-n);
    } else throw typeErr('The only supported seed types are: None,\nint, float, str, bytes, and bytearray.');
    return null;
  });

  def('getrandbits', (a) => {
    cArity(a, 'getrandbits', 1);
    const k = intArg(a.args[0]);
    if (k < 0n) throw valueErr('number of bits must be non-negative');
    if (k > 1_000_000n)
      throw new PyException('OverflowError', 'int too large: Backprop Debugger limits ints to 1000000 bits');
    return rng.bits(Number(k));
  });

  const randrange = (startV: PyValue, stopV: PyValue, stepV: PyValue, stepGiven: boolean): bigint => {
    const start = rangeArg(startV, 'arg 1');
    if (stopV === null) {
      if (stepGiven) throw typeErr('Missing a non-None stop argument');
      if (start > 0n) return below(start);
      throw valueErr('empty range for randrange()');
    }
    const stop = rangeArg(stopV, 'stop');
    const width = stop - start;
    const step = rangeArg(stepV, 'step');
    if (step === 1n) {
      if (width > 0n) return start + below(width);
      throw valueErr(`empty range for randrange() (${start}, ${stop}, ${width})`);
    }
    let n: bigint;
    const fdiv = (x: bigint, y: bigint): bigint => {
      const q = x / y;
      return x % y !== 0n && x < 0n !== y < 0n ? q - 1n : q;
    };
    if (step > 0n) n = fdiv(width + step - 1n, step);
    else if (step < 0n) n = fdiv(width + step + 1n, step);
    else throw valueErr('zero step for randrange()');
    if (n <= 0n) throw valueErr('empty range for randrange()');
    return start + step * below(n);
  };

  def('randrange', (a) => {
    const [start, stop, step] = bindMethod(a, 'randrange', ['start', 'stop', 'step'], { stop: null, step: 1n });
    const stepGiven = a.args.length >= 3 || a.kwargs.has('step');
    return randrange(start, stop, step, stepGiven);
  });

  def('randint', (a) => {
    const [lo, hi] = bindMethod(a, 'randint', ['a', 'b']);
    return randrange(lo, arith('+', hi, 1n), 1n, false);
  });

  def('uniform', (a) => {
    const [lo, hi] = bindMethod(a, 'uniform', ['a', 'b']);
    return arith('+', lo, arith('*', arith('-', hi, lo), rng.nextFloat()));
  });

  const normal =
    (name: string) =>
    (a: CallArgs): PyValue => {
      const [mu, sigma] = bindMethod(a, name, ['mu', 'sigma'], { mu: 0, sigma: 1 });
      return arith('+', mu, arith('*', rng.nextNormal(), sigma));
    };
  def('gauss', normal('gauss'));
  def('normalvariate', normal('normalvariate'));

  def('expovariate', (a) => {
    const [lambd] = bindMethod(a, 'expovariate', ['lambd'], { lambd: 1 });
    const l = asFloat(arith('+', lambd, 0));
    if (l === 0) throw zeroDiv('float division by zero');
    return -Math.log(1 - rng.nextFloat()) / l;
  });

  def('choice', (a) => {
    const [seqV] = bindMethod(a, 'choice', ['seq']);
    const seq = needSeq(seqV, 'choice');
    if (seq.length === 0) throw indexErr('Cannot choose from an empty sequence');
    return seq.get(Number(below(BigInt(seq.length))));
  });

  def('choices', (a) => {
    const [popV, weightsV, cumV, kV] = bindMethod(a, 'choices', ['population', 'weights', '*', 'cum_weights', 'k'], {
      weights: null,
      cum_weights: null,
      k: 1n,
    });
    const pop = needSeq(popV, 'choices');
    const k = Number(intArg(kV));
    const n = pop.length;
    const out: PyValue[] = [];
    const pick = (i: number): PyValue => {
      if (i >= n) throw indexErr(`${typeName(popV)} index out of range`);
      return pop.get(i);
    };
    let cum: number[];
    if (cumV === null) {
      if (weightsV === null) {
        for (let i = 0; i < k; i++) out.push(pick(belowN(rng, n)));
        return new PyList(out);
      }
      const w = asSeq(weightsV);
      if (!w) {
        if (typeof weightsV === 'bigint')
          throw typeErr(`The number of choices must be a keyword argument: k=${weightsV}`);
        throw typeErr(`'${typeName(weightsV)}' object is not iterable`);
      }
      cum = [];
      let acc = 0;
      for (let i = 0; i < w.length; i++) {
        const x = w.get(i);
        if (!isNumber(x))
          throw typeErr(`unsupported operand type(s) for +: '${i === 0 ? 'int' : 'float'}' and '${typeName(x)}'`);
        acc = i === 0 ? toFloat(x) : acc + toFloat(x);
        cum.push(acc);
      }
    } else {
      if (weightsV !== null) throw typeErr('Cannot specify both weights and cumulative weights');
      const c = asSeq(cumV);
      if (!c) throw typeErr(`object of type '${typeName(cumV)}' has no len()`);
      cum = [];
      for (let i = 0; i < c.length; i++) {
        const x = c.get(i);
        if (!isNumber(x)) throw typeErr(`'<' not supported between instances of 'float' and '${typeName(x)}'`);
        cum.push(toFloat(x));
      }
    }
    if (cum.length !== n) throw valueErr('The number of weights does not match the population');
    const total = cum[n - 1] + 0;
    if (!(total > 0)) throw valueErr('Total of weights must be greater than zero');
    if (!Number.isFinite(total)) throw valueErr('Total of weights must be finite');
    const hi = n - 1;
    for (let i = 0; i < k; i++) {
      const x = rng.nextFloat() * total;
      // bisect_right(cum, x, 0, hi)
      let lo = 0;
      let up = hi;
      while (lo < up) {
        const mid = (lo + up) >> 1;
        if (x < cum[mid]) up = mid;
        else lo = mid + 1;
      }
      out.push(pop.get(lo));
    }
    return new PyList(out);
  });

  def('shuffle', (a) => {
    const [x] = bindMethod(a, 'shuffle', ['x']);
    if (x instanceof PyList) {
      const items = x.items;
      for (let i = items.length - 1; i > 0; i--) {
        const j = Number(below(BigInt(i + 1)));
        const t = items[i];
        items[i] = items[j];
        items[j] = t;
      }
      return null;
    }
    const seq = needSeq(x, 'shuffle');
    if (seq.length > 1) throw typeErr(`'${typeName(x)}' object does not support item assignment`);
    return null;
  });

  def('sample', (a) => {
    const [popV, kV, countsV] = bindMethod(a, 'sample', ['population', 'k', '*', 'counts'], { counts: null });
    const pop = asSeq(popV);
    if (!pop) throw typeErr('Population must be a sequence.  For dicts or sets, use sorted(d).');
    let n = pop.length;
    let get = pop.get;
    if (countsV !== null) {
      const counts = asSeq(countsV);
      if (!counts) throw typeErr(`'${typeName(countsV)}' object is not iterable`);
      const cum: bigint[] = [];
      let total: bigint | number = 0n;
      for (let i = 0; i < counts.length; i++) {
        total = arith('+', total, counts.get(i));
        cum.push(typeof total === 'bigint' ? total : 0n);
      }
      if (cum.length !== n) throw valueErr('The number of counts does not match the population');
      if (typeof total !== 'bigint') throw typeErr('Counts must be integers');
      if (total <= 0n) throw valueErr('Total of counts must be greater than zero');
      if (total > 10_000_000n) throw valueErr('Backprop Debugger limits sample() counts to 10000000 in total');
      const base = pop.get;
      get = (i: number): PyValue => {
        const b = BigInt(i);
        let lo = 0;
        let up = cum.length;
        while (lo < up) {
          const mid = (lo + up) >> 1;
          if (b < cum[mid]) up = mid;
          else lo = mid + 1;
        }
        return base(lo);
      };
      n = Number(total);
    }
    if (typeof kV === 'number') throw typeErr("can't multiply sequence by non-int of type 'float'");
    const k = intArg(kV);
    if (k < 0n || k > BigInt(n)) throw valueErr('Sample larger than population or is negative');
    // Partial Fisher–Yates over indices; a Map keeps it O(k) for huge ranges.
    const swapped = new Map<number, number>();
    const out: PyValue[] = [];
    for (let i = 0; i < Number(k); i++) {
      const j = i + Number(below(BigInt(n - i)));
      const vj = swapped.get(j) ?? j;
      swapped.set(j, swapped.get(i) ?? i);
      out.push(get(vj));
    }
    return new PyList(out);
  });

  return new PyModule('random', attrs);
}
