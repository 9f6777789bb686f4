/**
 * Python's semantics for plain values: type names, truthiness, str/repr,
 * equality and ordering, int/float arithmetic with Python's rules (exact
 * ints, floor division and modulo signs, ZeroDivisionError), dict keys and
 * iteration. Tensor behaviour lives in builtins/torch.ts.
 */
import { Tensor } from '../core';
import { PyException, pyErr, typeErr, zeroDiv } from './errors';
import { pyStrRepr } from './format/format-spec';
import { sizeRepr, tensorRepr } from './format/tensor-repr';
import { pyFloatRepr } from './pyfloat';
import {
  PyBoundMethod,
  PyBuiltin,
  PyDict,
  PyFunction,
  PyIterator,
  PyList,
  PyModule,
  PyObject,
  PyRange,
  PyTuple,
  PyType,
  PyValue,
} from './values';

export function typeName(v: PyValue): string {
  if (v === null) return 'NoneType';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'str';
  }
  if (v instanceof Tensor) return 'Tensor';
  if (v instanceof PyList) return 'list';
  if (v instanceof PyTuple) return v.isSize ? 'torch.Size' : 'tuple';
  if (v instanceof PyDict) return 'dict';
  if (v instanceof PyFunction) return 'function';
  if (v instanceof PyBuiltin) return 'builtin_function_or_method';
  if (v instanceof PyBoundMethod) return 'method';
  if (v instanceof PyModule) return 'module';
  if (v instanceof PyRange) return 'range';
  if (v instanceof PyIterator) return v.typeName;
  return (v as PyObject).typeName;
}

export function isNumber(v: PyValue): v is bigint | number | boolean {
  const t = typeof v;
  return t === 'bigint' || t === 'number' || t === 'boolean';
}

/** A Python int (bool included) or float as a JS number. */
export function toFloat(v: bigint | number | boolean): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  const f = Number(v);
  if (!Number.isFinite(f)) throw pyErr('OverflowError', 'int too large to convert to float');
  return f;
}

export function truthy(v: PyValue): boolean {
  if (v === null) return false;
  switch (typeof v) {
    case 'boolean':
      return v;
    case 'bigint':
      return v !== 0n;
    case 'number':
      return v !== 0;
    case 'string':
      return v.length > 0;
  }
  if (v instanceof Tensor) {
    if (v.size !== 1)
      throw pyErr('RuntimeError', `Boolean value of Tensor with ${v.size === 0 ? 'no values' : 'more than one value'} is ambiguous`);
    return v.at(0) !== 0;
  }
  if (v instanceof PyList) return v.items.length > 0;
  if (v instanceof PyTuple) return v.items.length > 0;
  if (v instanceof PyDict) return v.entries.size > 0;
  if (v instanceof PyRange) return rangeLength(v) > 0n;
  return true;
}

// ------------------------------------------------------------------- str/repr

/** Python's repr() of a str (quotes and escapes as CPython chooses them). */
export const strRepr = pyStrRepr;

/** Python's repr(). `seen` guards self-containing lists. */
export function repr(v: PyValue, seen: Set<unknown> = new Set()): string {
  if (v === null) return 'None';
  switch (typeof v) {
    case 'boolean':
      return v ? 'True' : 'False';
    case 'bigint':
      return v.toString();
    case 'number':
      return pyFloatRepr(v);
    case 'string':
      return strRepr(v);
  }
  if (v instanceof Tensor) return tensorRepr(v);
  if (v instanceof PyList || v instanceof PyTuple || v instanceof PyDict) {
    if (seen.has(v)) return v instanceof PyList ? '[...]' : v instanceof PyDict ? '{...}' : '(...)';
    seen.add(v);
    try {
      if (v instanceof PyList) return `[${v.items.map((x) => repr(x, seen)).join(', ')}]`;
      if (v instanceof PyDict)
        return `{${[...v.entries.values()].map(([k, x]) => `${repr(k, seen)}: ${repr(x, seen)}`).join(', ')}}`;
      if (v.isSize) return sizeRepr(v.items.map((x) => Number(x as bigint)));
      if (v.names !== null)
        return `${v.typeLabel}(\n${v.names.map((n, i) => `${n}=${repr(v.items[i], seen)}`).join(',\n')})`;
      if (v.items.length === 1) return `(${repr(v.items[0], seen)},)`;
      return `(${v.items.map((x) => repr(x, seen)).join(', ')})`;
    } finally {
      seen.delete(v);
    }
  }
  if (v instanceof PyFunction) return `<function ${v.name}>`;
  if (v instanceof PyType) return v.reprText;
  if (v instanceof PyBuiltin) return `<built-in function ${v.name}>`;
  if (v instanceof PyBoundMethod) return `<bound method ${(v.fn as PyFunction | PyBuiltin).name} of ${repr(v.self, seen)}>`;
  if (v instanceof PyModule) return `<module '${v.name}'>`;
  if (v instanceof PyRange)
    return v.step === 1n ? `range(${v.start}, ${v.stop})` : `range(${v.start}, ${v.stop}, ${v.step})`;
  if (v instanceof PyIterator) return `<${v.typeName} object>`;
  return (v as PyObject).reprText;
}

/** Python's str(): like repr but strings are bare. */
export function str(v: PyValue): string {
  return typeof v === 'string' ? v : repr(v);
}

// ------------------------------------------------------------ equality, order

export function pyEquals(a: PyValue, b: PyValue): boolean {
  if (a === b) return typeof a !== 'number' || !Number.isNaN(a);
  if (isNumber(a) && isNumber(b)) return numCompare(a, b) === 0;
  if (typeof a === 'string' || typeof b === 'string') return false;
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple)) {
    if (a.items.length !== b.items.length) return false;
    for (let i = 0; i < a.items.length; i++) if (!pyEquals(a.items[i], b.items[i])) return false;
    return true;
  }
  if (a instanceof PyDict && b instanceof PyDict) {
    if (a.entries.size !== b.entries.size) return false;
    for (const [k, [, v]] of a.entries) {
      const o = b.entries.get(k);
      if (!o || !pyEquals(v, o[1])) return false;
    }
    return true;
  }
  if (a instanceof PyRange && b instanceof PyRange)
    return a.start === b.start && a.stop === b.stop && a.step === b.step;
  return false;
}

/** Compares two Python numbers exactly: -1, 0, 1, or NaN when unordered. */
export function numCompare(a: bigint | number | boolean, b: bigint | number | boolean): number {
  const x = typeof a === 'boolean' ? BigInt(a) : a;
  const y = typeof b === 'boolean' ? BigInt(b) : b;
  if (typeof x === 'bigint' && typeof y === 'bigint') return x < y ? -1 : x > y ? 1 : 0;
  const fx = typeof x === 'bigint' ? Number(x) : x;
  const fy = typeof y === 'bigint' ? Number(y) : y;
  if (fx !== fx || fy !== fy) return NaN;
  if (fx < fy) return -1;
  if (fx > fy) return 1;
  // Equal as doubles: an int beyond 2**53 may still differ from the float.
  if (typeof x === 'bigint' && Number.isFinite(fy) && Number.isInteger(fy)) return x < BigInt(fy) ? -1 : x > BigInt(fy) ? 1 : 0;
  if (typeof y === 'bigint' && Number.isFinite(fx) && Number.isInteger(fx)) return BigInt(fx) < y ? -1 : BigInt(fx) > y ? 1 : 0;
  return 0;
}

/** Ordering for <, <=, >, >= and sorted(): numbers, strings, and lists/tuples lexicographically. */
export function pyCompare(a: PyValue, b: PyValue, op: string): number {
  if (isNumber(a) && isNumber(b)) return numCompare(a, b);
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if ((a instanceof PyList && b instanceof PyList) || (a instanceof PyTuple && b instanceof PyTuple)) {
    const n = Math.min(a.items.length, b.items.length);
    for (let i = 0; i < n; i++) {
      if (pyEquals(a.items[i], b.items[i])) continue;
      return pyCompare(a.items[i], b.items[i], op);
    }
    return a.items.length - b.items.length;
  }
  throw typeErr(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

// ----------------------------------------------------------- number arithmetic

/** Ints larger than this many bits are refused (a guard against 2**10**9). */
export const MAX_INT_BITS = 1_000_000;

function bitLength(x: bigint): number {
  return (x < 0n ? -x : x).toString(2).length;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return (a % b !== 0n && a < 0n !== b < 0n) ? q - 1n : q;
}


/** `a op b` on Python ints, floats and bools, with Python's errors. */
export function numBinary(op: string, a: bigint | number | boolean, b: bigint | number | boolean): bigint | number {
  const x = typeof a === 'boolean' ? BigInt(a) : a;
  const y = typeof b === 'boolean' ? BigInt(b) : b;
  if (typeof x === 'bigint' && typeof y === 'bigint') {
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        if (bitLength(x) + bitLength(y) > MAX_INT_BITS) throw tooBig();
        return x * y;
      case '/':
        if (y === 0n) throw zeroDiv('division by zero');
        return trueDivInts(x, y);
      case '//':
        if (y === 0n) throw zeroDiv('integer division or modulo by zero');
        return floorDiv(x, y);
      case '%':
        if (y === 0n) throw zeroDiv('integer division or modulo by zero');
        return x - floorDiv(x, y) * y;
      case '**':
        if (y < 0n) {
          if (x === 0n) throw zeroDiv('0.0 cannot be raised to a negative power');
          // One correctly rounded division when x**-y is exact (10**-5 == 1e-05, as CPython's libm gives).
          const denom = x ** -y;
          const d = Number(denom);
          if (Number.isSafeInteger(d)) return 1 / d;
          return Math.pow(toFloat(x), Number(y));
        }
        if (x === 0n || x === 1n) return y === 0n ? 1n : x;
        if (x === -1n) return y % 2n === 0n ? 1n : -1n;
        if (bitLength(x) * Number(y) > MAX_INT_BITS) throw tooBig();
        return x ** y;
    }
  }
  const fx = toFloat(x);
  const fy = toFloat(y);
  switch (op) {
    case '+':
      return fx + fy;
    case '-':
      return fx - fy;
    case '*':
      return fx * fy;
    case '/':
      if (fy === 0) throw zeroDiv('float division by zero');
      return fx / fy;
    case '//':
      if (fy === 0) throw zeroDiv('float floor division by zero');
      return floatDivmod(fx, fy)[0];
    case '%':
      if (fy === 0) throw zeroDiv('float modulo');
      return floatDivmod(fx, fy)[1];
    case '**': {
      if (fx === 0 && fy < 0) throw zeroDiv('0.0 cannot be raised to a negative power');
      if (fx < 0 && Number.isFinite(fy) && !Number.isInteger(fy))
        throw pyErr('ValueError', 'negative number cannot be raised to a fractional power (complex results are not supported)');
      const r = Math.pow(fx, fy);
      if (!Number.isFinite(r) && Number.isFinite(fx) && Number.isFinite(fy))
        throw pyErr('OverflowError', "(34, 'Numerical result out of range')");
      return r;
    }
  }
  throw typeErr(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

function tooBig(): PyException {
  return pyErr('OverflowError', `int too large: Backprop Debugger limits ints to ${MAX_INT_BITS} bits`);
}

/** int / int, correctly rounded as CPython does for ints of any size. */
function trueDivInts(x: bigint, y: bigint): number {
  const fx = Number(x);
  const fy = Number(y);
  if (Number.isSafeInteger(fx) && Number.isSafeInteger(fy)) return fx / fy;
  // Scale so the quotient has 64+ significant bits, then round once.
  const neg = x < 0n !== y < 0n;
  let a = x < 0n ? -x : x;
  const b = y < 0n ? -y : y;
  let shift = 0;
  while (a / b < 1n << 64n) {
    a <<= 64n;
    shift += 64;
  }
  const q = Number(a / b) / 2 ** shift;
  if (!Number.isFinite(q)) throw pyErr('OverflowError', 'integer division result too large for a float');
  return neg ? -q : q;
}

// ------------------------------------------------------------------ dict keys

/** A string that equal Python keys share (1, 1.0 and True are one key). */
export function keyOf(v: PyValue): string {
  if (v === null) return 'N';
  switch (typeof v) {
    case 'boolean':
      return 'n' + (v ? '1' : '0');
    case 'bigint':
      return 'n' + v.toString();
    case 'number':
      return Number.isInteger(v) ? 'n' + BigInt(v).toString() : 'f' + pyFloatRepr(v);
    case 'string':
      return 's' + v;
  }
  if (v instanceof PyTuple) return 't(' + v.items.map(keyOf).join(',') + ')';
  if (v instanceof PyList || v instanceof PyDict) throw typeErr(`unhashable type: '${typeName(v)}'`);
  return 'o' + identityOf(v);
}

const identities = new WeakMap<object, number>();
let nextIdentity = 1;
/** A stable small number per object, for id() and hashing by identity. */
export function identityOf(v: object): number {
  let id = identities.get(v);
  if (id === undefined) {
    id = nextIdentity++;
    identities.set(v, id);
  }
  return id;
}

// ------------------------------------------------------------------ iteration

export function rangeLength(r: PyRange): bigint {
  if (r.step > 0n) return r.stop > r.start ? (r.stop - r.start + r.step - 1n) / r.step : 0n;
  return r.start > r.stop ? (r.start - r.stop - r.step - 1n) / -r.step : 0n;
}

/** Python's len(). */
export function pyLen(v: PyValue): number {
  if (typeof v === 'string') return [...v].length;
  if (v instanceof PyList || v instanceof PyTuple) return v.items.length;
  if (v instanceof PyDict) return v.entries.size;
  if (v instanceof PyRange) return Number(rangeLength(v));
  if (v instanceof Tensor) {
    if (v.ndim === 0) throw typeErr('len() of a 0-d tensor');
    return v.shape[0];
  }
  throw typeErr(`object of type '${typeName(v)}' has no len()`);
}

/** CPython's float divmod (fmod-based, so 1 // 0.1 == 9.0). */
export function floatDivmod(vx: number, wx: number): [number, number] {
  if (wx === 0) throw zeroDiv('float divmod()');
  let mod = vx % wx;
  let div = (vx - mod) / wx;
  if (mod) {
    if (wx < 0 !== mod < 0) {
      mod += wx;
      div -= 1;
    }
  } else mod = wx < 0 ? -0 : 0;
  let floordiv: number;
  if (div) {
    floordiv = Math.floor(div);
    if (div - floordiv > 0.5) floordiv += 1;
  } else floordiv = vx / wx < 0 || Object.is(vx / wx, -0) ? -0 : 0;
  return [floordiv, mod];
}


/** d[k] = v keeping the key object already there (d = {1: 'a'}; d[1.0] = 'b' leaves the key 1). */
export function dictSet(d: PyDict, k: PyValue, v: PyValue): void {
  const id = keyOf(k);
  const old = d.entries.get(id);
  d.entries.set(id, [old ? old[0] : k, v]);
}

