/**
 * Python's built-in functions (print, range, len, sorted, round, int, …) and
 * the methods of the built-in types (list.append, dict.get, str.format, …),
 * written against CPython 3.11: the same results, the same printed text,
 * and the same exception types and messages, argument-count errors
 * included (CPython words those differently for C functions, Argument
 * Clinic functions and methods; each builtin here uses its own wording).
 * Tensors reach these through the interpreter (iteration, operators,
 * attributes), so sum(), max(), sorted(), abs() work on them as in PyTorch.
 */
import * as c from '../../core';
import type { Range } from '../ast';
import { indexErr, PyException, pyErr, runtimeErr, typeErr, valueErr } from '../errors';
import { exactDecimal, FormatError, formatValue } from '../format/format-spec';
import type { Interpreter } from '../interpreter';
import {
  isNumber,
  keyOf,
  numBinary,
  pyEquals,
  pyLen,
  rangeLength,
  repr,
  strRepr,
  toFloat,
  truthy,
  typeName,
  floatDivmod,
  dictSet,
} from '../pyops';
import {
  CallArgs,
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
  PyValue,
  PyType,
} from '../values';
import { floatToInt } from './math';

export { dictSet, floatDivmod, PyType };

// ===================================================================== types

/** Objects (not primitives) a type registry can key. */
export type PyRef = Exclude<PyValue, null | boolean | bigint | number | string>;

/**
 * isinstance() checks for class objects made elsewhere (torch.Tensor,
 * torch.nn.Module, …): `isinstanceRegistry.set(torch.Tensor, (v) => v instanceof Tensor)`.
 */
export const isinstanceRegistry = new WeakMap<object, (v: PyValue) => boolean>();

const registeredTypes = new WeakMap<Interpreter, { type: PyRef; check: (v: PyValue) => boolean }[]>();

/** Makes `type(v)` return `type` for the values `check` accepts, and isinstance(v, type) work. */
export function registerType(interp: Interpreter, type: PyRef, check: (v: PyValue) => boolean): void {
  isinstanceRegistry.set(type, check);
  let list = registeredTypes.get(interp);
  if (!list) registeredTypes.set(interp, (list = []));
  list.push({ type, check });
}

/** repr() that also shows classes as CPython does (`<class 'int'>`). */
export function pyRepr(v: PyValue): string {
  return v instanceof PyType ? v.reprText : repr(v);
}

/** str() with the same addition. */
export function pyStrOf(v: PyValue): string {
  return typeof v === 'string' ? v : pyRepr(v);
}

/** ascii(): repr with every non-ASCII character escaped. */
export function pyAscii(v: PyValue): string {
  let out = '';
  for (const ch of pyRepr(v)) {
    const cp = ch.codePointAt(0) as number;
    if (cp < 0x80) out += ch;
    else if (cp < 0x100) out += '\\x' + cp.toString(16).padStart(2, '0');
    else if (cp < 0x10000) out += '\\u' + cp.toString(16).padStart(4, '0');
    else out += '\\U' + cp.toString(16).padStart(8, '0');
  }
  return out;
}

// ===================================================================== argument checks

const s = (n: number): string => (n === 1 ? '' : 's');

function noKw(a: CallArgs, name: string): void {
  if (a.kwargs.size > 0) throw typeErr(`${name}() takes no keyword arguments`);
}

/** METH_O: `len() takes exactly one argument (0 given)`. */
function one(a: CallArgs, name: string): PyValue {
  noKw(a, name);
  if (a.args.length !== 1) throw typeErr(`${name}() takes exactly one argument (${a.args.length} given)`);
  return a.args[0];
}

/** METH_NOARGS: `str.lower() takes no arguments (1 given)`. */
function none(a: CallArgs, name: string): void {
  noKw(a, name);
  if (a.args.length !== 0) throw typeErr(`${name}() takes no arguments (${a.args.length} given)`);
}

/** _PyArg_CheckPositional: `range expected at least 1 argument, got 0`. */
function positional(a: CallArgs, name: string, min: number, max: number, kwOk = false): readonly PyValue[] {
  if (!kwOk) noKw(a, name);
  const n = a.args.length;
  if (n < min) throw typeErr(`${name} expected ${min === max ? '' : 'at least '}${min} argument${s(min)}, got ${n}`);
  if (n > max) throw typeErr(`${name} expected ${min === max ? '' : 'at most '}${max} argument${s(max)}, got ${n}`);
  return a.args;
}

/**
 * Argument Clinic's parser (_PyArg_UnpackKeywords): `names` in order, the
 * first `minpos` required, the first `posonly` positional-only, at most
 * `maxpos` passed positionally. Absent optional arguments are undefined.
 */
function clinic(
  a: CallArgs,
  fname: string,
  names: readonly string[],
  minpos: number,
  posonly = 0,
  maxpos = names.length,
): (PyValue | undefined)[] {
  const nargs = a.args.length;
  const nkw = a.kwargs.size;
  const maxargs = names.length;
  if (nargs + nkw > maxargs)
    throw typeErr(
      `${fname}() takes at most ${maxargs} ${nargs === 0 ? 'keyword ' : ''}argument${s(maxargs)} (${nargs + nkw} given)`,
    );
  if (nargs > maxpos)
    throw typeErr(
      maxpos === 0
        ? `${fname}() takes no positional arguments`
        : `${fname}() takes ${minpos < maxpos ? 'at most' : 'exactly'} ${maxpos} positional argument${s(maxpos)} (${nargs} given)`,
    );
  const minposonly = Math.min(posonly, minpos);
  if (nargs < minposonly)
    throw typeErr(
      `${fname}() takes ${minposonly < maxpos ? 'at least' : 'exactly'} ${minposonly} positional argument${s(minposonly)} (${nargs} given)`,
    );
  const out: (PyValue | undefined)[] = new Array(maxargs).fill(undefined);
  for (let i = 0; i < nargs; i++) out[i] = a.args[i];
  let left = nkw;
  for (let i = Math.max(nargs, posonly); i < maxargs; i++) {
    const v = left > 0 ? a.kwargs.get(names[i]) : undefined;
    if (v !== undefined) {
      out[i] = v;
      left--;
    } else if (i < minpos) throw typeErr(`${fname}() missing required argument '${names[i]}' (pos ${i + 1})`);
  }
  if (left > 0) {
    for (let i = posonly; i < nargs; i++)
      if (a.kwargs.has(names[i]))
        throw typeErr(`argument for ${fname}() given by name ('${names[i]}') and position (${i + 1})`);
    for (const k of a.kwargs.keys()) {
      const i = names.indexOf(k);
      if (i < posonly) throw typeErr(`'${k}' is an invalid keyword argument for ${fname}()`);
    }
  }
  return out;
}

/** Keyword-only options of a function whose positional arguments are free (print, max, zip). */
function options(a: CallArgs, fname: string, allowed: readonly string[]): void {
  for (const k of a.kwargs.keys())
    if (!allowed.includes(k)) throw typeErr(`'${k}' is an invalid keyword argument for ${fname}()`);
}

// ===================================================================== numbers

/** operator.index(): ints, bools, one-element integer tensors. */
function asIndex(v: PyValue): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'boolean') return v ? 1n : 0n;
  if (v instanceof c.Tensor) {
    if (v.size === 1 && v.meta?.logical !== undefined) return BigInt(Math.trunc(v.at(0)));
    throw typeErr('only integer tensors of a single element can be converted to an index');
  }
  throw typeErr(`'${typeName(v)}' object cannot be interpreted as an integer`);
}

/** An index clipped to a JS number (Py_ssize_t semantics are not observable at these sizes). */
function asSsize(v: PyValue): number {
  const i = asIndex(v);
  const lim = BigInt(Number.MAX_SAFE_INTEGER);
  return Number(i > lim ? lim : i < -lim ? -lim : i);
}

/** Slice-style start/end arguments (None or an index), as str.find and list.index take them. */
function sliceArg(v: PyValue | undefined, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v !== 'bigint' && typeof v !== 'boolean' && !(v instanceof c.Tensor))
    throw typeErr('slice indices must be integers or None or have an __index__ method');
  return asSsize(v);
}

/** CPython's ADJUST_INDICES: negative counts from the end, end clipped to len. */
function adjust(start: number, end: number, len: number): [number, number] {
  if (end > len) end = len;
  else if (end < 0) {
    end += len;
    if (end < 0) end = 0;
  }
  if (start < 0) {
    start += len;
    if (start < 0) start = 0;
  }
  return [start, end];
}

function bitLen(x: bigint): number {
  return x === 0n ? 0 : (x < 0n ? -x : x).toString(2).length;
}

/** round(x) of a float: half to even, as an int. */
function roundHalfEven(x: number): number {
  const t = Math.trunc(x);
  const d = Math.abs(x - t);
  if (d < 0.5) return t;
  if (d > 0.5) return t + Math.sign(x);
  return t % 2 === 0 ? t : t + Math.sign(x);
}

/**
 * round(x, n) of a float, correctly rounded as CPython's double_round: the
 * exact decimal value rounded half-even at n digits after the point, then
 * read back as the nearest double.
 */
export function roundFloat(x: number, n: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  if (n > 323) return x;
  if (n < -308) return 0 * x;
  const { digits, decpt } = exactDecimal(x);
  const keep = decpt + n; // significant digits kept
  const neg = x < 0;
  let kept: string;
  let point = decpt;
  if (keep < 0) kept = '0';
  else if (keep >= digits.length) kept = digits;
  else {
    const next = digits.charCodeAt(keep) - 48;
    let up: boolean;
    if (next !== 5) up = next > 5;
    else if (keep + 1 < digits.length) up = true;
    else up = keep > 0 && (digits.charCodeAt(keep - 1) - 48) % 2 === 1;
    kept = digits.slice(0, keep);
    if (up) {
      let i = kept.length - 1;
      while (i >= 0 && kept[i] === '9') i--;
      if (i < 0) {
        kept = '1';
        point += 1;
      } else kept = kept.slice(0, i) + String.fromCharCode(kept.charCodeAt(i) + 1);
    }
    if (kept === '') kept = '0';
  }
  const r = Number(`${neg ? '-' : ''}0.${kept}e${point}`);
  if (!Number.isFinite(r)) throw pyErr('OverflowError', 'rounded value too large to represent');
  return r === 0 ? (neg ? -0 : 0) : r;
}

/** round(int, n) for n < 0: half to even at 10**-n. */
function roundInt(x: bigint, n: bigint): bigint {
  if (n >= 0n) return x;
  const digits = (x < 0n ? -x : x).toString().length;
  if (-n > BigInt(digits + 1)) return 0n;
  const p = 10n ** -n;
  let q = x / p;
  let r = x % p;
  if (r < 0n) {
    q -= 1n;
    r += p;
  }
  // x = q*p + r with 0 <= r < p
  const twice = 2n * r;
  if (twice > p || (twice === p && q % 2n !== 0n)) q += 1n;
  return q * p;
}

function modPow(base: bigint, exp: bigint, mod: bigint): bigint {
  if (mod === 0n) throw valueErr('pow() 3rd argument cannot be 0');
  const m = mod < 0n ? -mod : mod;
  let b = ((base % m) + m) % m;
  if (exp < 0n) {
    b = modInverse(b, m);
    exp = -exp;
  }
  let r = 1n % m;
  while (exp > 0n) {
    if (exp & 1n) r = (r * b) % m;
    b = (b * b) % m;
    exp >>= 1n;
  }
  // The result takes the sign of the modulus, as Python's %.
  if (mod < 0n && r !== 0n) r -= m;
  return r;
}

function modInverse(a: bigint, m: bigint): bigint {
  let [r0, r1] = [a, m];
  let [s0, s1] = [1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw valueErr('base is not invertible for the given modulus');
  return ((s0 % m) + m) % m;
}

// ===================================================================== text

/** Python's str.isspace() characters (Unicode White_Space plus the info separators \x1c-\x1f). */
const WS = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const SPACE = new RegExp(`^[${WS}]$`);
const ALL_SPACE = new RegExp(`^[${WS}]+$`);
const isSpace = (ch: string): boolean => SPACE.test(ch);
const CASED = /[\p{Lowercase}\p{Uppercase}\p{Lt}]/u;
const LOWER = /\p{Lowercase}/u;
const UPPER = /[\p{Uppercase}\p{Lt}]/u;
const SURROGATE = /[\uD800-\uDFFF]/;
/** Digits Python's isdigit() accepts beyond \p{Nd}: superscripts, subscripts, circled digits, … */
const DIGIT_EXTRA =
  '\u00B2\u00B3\u00B9\u1369-\u1371\u19DA\u2070\u2074-\u2079\u2080-\u2089\u2460-\u2468\u2474-\u247C\u2488-\u2490\u24EA\u24F5-\u24FD\u24FF\u2776-\u277E\u2780-\u2788\u278A-\u2792';
const DIGITS = new RegExp(`^[\\p{Nd}${DIGIT_EXTRA}]+$`, 'u');

/** Decimal value of a \p{Nd} character (runs of Nd digits start at a zero). */
function decimalValue(ch: string): number {
  const code = ch.codePointAt(0) as number;
  if (code >= 48 && code <= 57) return code - 48;
  let start = code;
  while (/\p{Nd}/u.test(String.fromCodePoint(start - 1))) start--;
  return (code - start) % 10;
}

/** Code-point index of `sub` in s[start:end] (first or last), or -1. */
function findIn(hay: string, sub: string, start: number, end: number, last: boolean): number {
  if (!SURROGATE.test(hay) && !SURROGATE.test(sub)) {
    const part = hay.slice(start, end);
    const i = last ? part.lastIndexOf(sub) : part.indexOf(sub);
    return i < 0 ? -1 : i + start;
  }
  const a = [...hay].slice(start, end);
  const b = [...sub];
  const at = (i: number): boolean => b.every((ch, k) => a[i + k] === ch);
  if (last) {
    for (let i = a.length - b.length; i >= 0; i--) if (at(i)) return i + start;
  } else for (let i = 0; i + b.length <= a.length; i++) if (at(i)) return i + start;
  return -1;
}

function strFind(self: string, a: CallArgs, name: string, last: boolean): number {
  const [sub, startV, endV] = oldStyle(a, name, 1, 3);
  if (typeof sub !== 'string') throw typeErr(`must be str, not ${typeName(sub as PyValue)}`);
  const len = pyLen(self);
  const [start, end] = adjust(sliceArg(startV, 0), sliceArg(endV, len), len);
  if (end - start < pyLen(sub)) return -1;
  return findIn(self, sub, start, end, last);
}

/** PyArg_ParseTuple's "O|OO:count" messages: `count() takes at least 1 argument (0 given)`. */
function oldStyle(a: CallArgs, name: string, min: number, max: number): (PyValue | undefined)[] {
  noKw(a, name);
  const n = a.args.length;
  if (n < min) throw typeErr(`${name}() takes at least ${min} argument${s(min)} (${n} given)`);
  if (n > max) throw typeErr(`${name}() takes at most ${max} argument${s(max)} (${n} given)`);
  const out: (PyValue | undefined)[] = [...a.args];
  while (out.length < max) out.push(undefined);
  return out;
}

function splitWhitespace(str: string, maxsplit: number): string[] {
  const ch = [...str];
  const out: string[] = [];
  const n = ch.length;
  let i = 0;
  while (maxsplit-- !== 0) {
    while (i < n && isSpace(ch[i])) i++;
    if (i === n) break;
    const j = i;
    i++;
    while (i < n && !isSpace(ch[i])) i++;
    out.push(ch.slice(j, i).join(''));
  }
  if (i < n) {
    while (i < n && isSpace(ch[i])) i++;
    if (i !== n) out.push(ch.slice(i).join(''));
  }
  return out;
}

function rsplitWhitespace(str: string, maxsplit: number): string[] {
  const ch = [...str];
  const out: string[] = [];
  let i = ch.length - 1;
  while (maxsplit-- !== 0) {
    while (i >= 0 && isSpace(ch[i])) i--;
    if (i < 0) break;
    const j = i;
    i--;
    while (i >= 0 && !isSpace(ch[i])) i--;
    out.push(ch.slice(i + 1, j + 1).join(''));
  }
  if (i >= 0) {
    while (i >= 0 && isSpace(ch[i])) i--;
    if (i >= 0) out.push(ch.slice(0, i + 1).join(''));
  }
  return out.reverse();
}

function splitSep(str: string, sep: string, maxsplit: number): string[] {
  const out: string[] = [];
  let pos = 0;
  while (maxsplit-- !== 0) {
    const i = str.indexOf(sep, pos);
    if (i < 0) break;
    out.push(str.slice(pos, i));
    pos = i + sep.length;
  }
  out.push(str.slice(pos));
  return out;
}

function rsplitSep(str: string, sep: string, maxsplit: number): string[] {
  const out: string[] = [];
  let end = str.length;
  while (maxsplit-- !== 0) {
    if (end < sep.length) break;
    const i = str.lastIndexOf(sep, end - sep.length);
    if (i < 0) break;
    out.push(str.slice(i + sep.length, end));
    end = i;
  }
  out.push(str.slice(0, end));
  return out.reverse();
}

/** Python's title(): a cased character after an uncased one is upper-cased, the rest lower-cased. */
function title(str: string): string {
  let out = '';
  let prevCased = false;
  for (const ch of str) {
    out += prevCased ? ch.toLowerCase() : ch.toUpperCase();
    prevCased = CASED.test(ch);
  }
  return out;
}

/** CPython's pad() for center/ljust/rjust/zfill. */
function pad(str: string, left: number, right: number, fill: string): string {
  return fill.repeat(Math.max(0, left)) + str + fill.repeat(Math.max(0, right));
}

/** Python's line boundaries for splitlines(). */
const LINE_BREAKS = new Set(['\n', '\r', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029']);

function splitlines(str: string, keepends: boolean): string[] {
  const out: string[] = [];
  let pos = 0;
  let i = 0;
  while (i < str.length) {
    if (!LINE_BREAKS.has(str[i])) {
      i++;
      continue;
    }
    const eol = i;
    i += str[i] === '\r' && str[i + 1] === '\n' ? 2 : 1;
    out.push(str.slice(pos, keepends ? i : eol));
    pos = i;
  }
  if (pos < str.length) out.push(str.slice(pos));
  return out;
}

// ===================================================================== parsing numbers

/** float(str): CPython's grammar (underscores between digits, nan/inf words, surrounding whitespace). */
const FLOAT_RE = /^[+-]?(?:(?:\d(?:_?\d)*)(?:\.(?:\d(?:_?\d)*)?)?|\.\d(?:_?\d)*)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const SPECIAL_RE = /^([+-]?)(nan|inf|infinity)$/i;

export function pyParseFloat(text: string): number {
  const t = stripSpace(text).replace(/\p{Nd}/gu, (d) => String(decimalValue(d)));
  const sp = SPECIAL_RE.exec(t);
  if (sp) {
    const v = sp[2].toLowerCase() === 'nan' ? NaN : Infinity;
    return sp[1] === '-' ? -v : v;
  }
  if (!FLOAT_RE.test(t)) throw valueErr(`could not convert string to float: ${strRepr(text)}`);
  return Number(t.replace(/_/g, ''));
}

function stripSpace(t: string): string {
  let a = 0;
  let b = t.length;
  while (a < b && isSpace(t[a])) a++;
  while (b > a && isSpace(t[b - 1])) b--;
  return t.slice(a, b);
}

/** CPython 3.11's limit on decimal digits in int(str) (sys.get_int_max_str_digits()). */
const INT_MAX_STR_DIGITS = 4300;

/** int(str, base): CPython's _PyLong_FromString grammar and messages. */
export function pyParseInt(text: string, base: number): bigint {
  const bad = (): PyException =>
    valueErr(`invalid literal for int() with base ${base}: ${strRepr(text.length > 200 ? text.slice(0, 200) : text)}`);
  let t = stripSpace(text);
  let neg = false;
  if (t[0] === '+' || t[0] === '-') {
    neg = t[0] === '-';
    t = t.slice(1);
  }
  let b = base;
  const prefix = /^0([xXoObB])/.exec(t);
  if (prefix) {
    const pb = { x: 16, o: 8, b: 2 }[prefix[1].toLowerCase() as 'x' | 'o' | 'b'];
    if (b === 0 || b === pb) {
      b = pb;
      t = t.slice(2);
      if (t.startsWith('_')) t = t.slice(1);
      if (t === '') throw bad();
    }
  }
  if (b === 0) {
    // No prefix: decimal, and a nonzero number may not start with 0.
    b = 10;
    if (/^0/.test(t) && !/^0(_?0)*$/.test(t)) throw bad();
  }
  if (t === '' || t.startsWith('_') || t.endsWith('_') || t.includes('__')) throw bad();
  let value = 0n;
  let digits = 0;
  const bb = BigInt(b);
  const chunk: number[] = [];
  for (const ch of t) {
    if (ch === '_') continue;
    let d: number;
    const code = ch.charCodeAt(0);
    if (code >= 48 && code <= 57) d = code - 48;
    else if (code >= 97 && code <= 122) d = code - 87;
    else if (code >= 65 && code <= 90) d = code - 55;
    else if (/\p{Nd}/u.test(ch)) d = decimalValue(ch);
    else throw bad();
    if (d >= b) throw bad();
    chunk.push(d);
    digits++;
  }
  if ((b & (b - 1)) !== 0 && digits > INT_MAX_STR_DIGITS)
    throw valueErr(
      `Exceeds the limit (${INT_MAX_STR_DIGITS} digits) for integer string conversion: value has ${digits} digits; use sys.set_int_max_str_digits() to increase the limit`,
    );
  if (b === 10) value = BigInt(chunk.join(''));
  else for (const d of chunk) value = value * bb + BigInt(d);
  return neg ? -value : value;
}

// ===================================================================== the builtins

const NO_RANGE: Range = { line: 0, col: 0, endLine: 0, endCol: 0 };

export function installPythonBuiltins(interp: Interpreter): void {
  const B = interp.builtins;
  const fn = (name: string, call: (a: CallArgs) => PyValue): PyBuiltin => {
    const f = new PyBuiltin(name, call);
    B.set(name, f);
    return f;
  };

  // ------------------------------------------------------------ helpers over the interpreter

  const iterate = (v: PyValue): (() => PyValue | undefined) => interp.iterate(v);
  const toArray = (v: PyValue): PyValue[] => {
    if (v instanceof PyList || v instanceof PyTuple) return [...v.items];
    const out: PyValue[] = [];
    const it = iterate(v);
    for (let x = it(); x !== undefined; x = it()) out.push(x);
    return out;
  };

  /** The source site of the call being run, restored before tensor ops so they are stamped with it. */
  const siteNow = (): number => {
    const site = c.setCurrentSite(-1);
    c.setCurrentSite(site);
    return site;
  };

  const binop = (op: '+' | '*', a: PyValue, b: PyValue, site: number): PyValue => {
    if (a instanceof c.Tensor || b instanceof c.Tensor) {
      c.setCurrentSite(site);
      return interp.torch.binary(op, a, b);
    }
    if (isNumber(a) && isNumber(b)) return numBinary(op, a, b);
    return interp.binary(op, a, b, NO_RANGE);
  };

  const lessThan = (a: PyValue, b: PyValue): boolean => {
    if (typeof a === 'number' && typeof b === 'number') return a < b;
    if (typeof a === 'bigint' && typeof b === 'bigint') return a < b;
    if (typeof a === 'string' && typeof b === 'string') return a < b;
    return truthy(interp.compare('<', a, b));
  };

  /** PyObject_RichCompareBool(a, b, Py_EQ): identity first, tensors through torch. */
  const equal = (a: PyValue, b: PyValue): boolean => {
    if (a === b && (typeof a !== 'number' || a === a)) return true;
    if (a instanceof c.Tensor || b instanceof c.Tensor) return truthy(interp.compare('==', a, b));
    return pyEquals(a, b);
  };

  const call = (f: PyValue, args: PyValue[]): PyValue => interp.callValue(f, args);

  const isAttrError = (e: unknown): boolean => e instanceof PyException && e.pyType === 'AttributeError';

  /** format(v, spec) as CPython dispatches __format__ (0-d tensors format their item, as PyTorch does). */
  const formatOf = (v: PyValue, spec: string): string => {
    try {
      if (v instanceof PyType) {
        if (spec !== '') throw typeErr('unsupported format string passed to type.__format__');
        return v.reprText;
      }
      if (v instanceof c.Tensor && v.ndim === 0) return formatValue(interp.torch.toNumber(v), spec);
      if (spec === '') return pyStrOf(v);
      return interp.format(v, spec);
    } catch (e) {
      if (e instanceof FormatError) throw new PyException(e.pyType, e.message);
      throw e;
    }
  };

  /** A new single-pass iterator that stays exhausted once it ends. */
  const iterator = (name: string, next: () => PyValue | undefined): PyIterator => {
    let done = false;
    return new PyIterator(name, () => {
      if (done) return undefined;
      const v = next();
      if (v === undefined) done = true;
      return v;
    });
  };

  /** A Python number from a one-element tensor (float()/int() of a tensor). */
  const tensorScalar = (t: c.Tensor): bigint | number | boolean => {
    if (t.size !== 1) throw valueErr('only one element tensors can be converted to Python scalars');
    return interp.torch.toNumber(t);
  };

  // ------------------------------------------------------------ classes

  const typeCache = new Map<string, PyType>();
  const objectType = new PyType(
    'object',
    (a) => {
      positional(a, 'object', 0, 0);
      return new PyObject('object', '<object object>');
    },
    () => true,
  );
  const cannotCreate = (name: string) => (): PyValue => {
    throw typeErr(`cannot create '${name}' instances`);
  };
  const classOf = (name: string, check: (v: PyValue) => boolean): PyType => {
    let t = typeCache.get(name);
    if (!t) {
      t = new PyType(name, cannotCreate(name), check, [objectType]);
      typeCache.set(name, t);
    }
    return t;
  };
  const defType = (
    name: string,
    call: (a: CallArgs) => PyValue,
    check: (v: PyValue) => boolean,
    bases?: PyType[],
  ): PyType => {
    const t = new PyType(name, call, check, bases ?? [objectType]);
    typeCache.set(name, t);
    B.set(name, t);
    return t;
  };

  /** type(v): the class object of a value. */
  const typeOf = (v: PyValue): PyType | PyRef => {
    for (const r of registeredTypes.get(interp) ?? []) if (r.check(v)) return r.type;
    if (v instanceof PyType || (v !== null && typeof v === 'object' && isinstanceRegistry.has(v))) return typeType;
    const name = v instanceof c.Tensor ? 'torch.Tensor' : typeName(v);
    const known = typeCache.get(name);
    if (known) return known;
    if (v instanceof PyIterator) return classOf(name, (x) => x instanceof PyIterator && x.typeName === name);
    if (v instanceof PyObject) return classOf(name, (x) => x instanceof PyObject && x.typeName === name);
    return classOf(name, (x) => typeName(x) === name || (name === 'torch.Tensor' && x instanceof c.Tensor));
  };

  const isSub = (t: PyType, of: PyType): boolean => t === of || of === objectType || t.bases.some((b) => isSub(b, of));

  const instanceCheck = (v: PyValue, T: PyValue, fname: string): boolean => {
    if (T instanceof PyType) return T.check(v);
    if (T instanceof PyTuple) {
      for (const x of T.items) if (instanceCheck(v, x, fname)) return true;
      return false;
    }
    const reg = T !== null && typeof T === 'object' ? isinstanceRegistry.get(T) : undefined;
    if (reg) return reg(v);
    throw typeErr(`${fname}() arg 2 must be a type, a tuple of types, or a union`);
  };

  // int
  const intType = defType(
    'int',
    (a) => {
      const [x, baseV] = clinic(a, 'int', ['x', 'base'], 0, 1);
      if (baseV !== undefined) {
        const base = asIndex(baseV);
        if (x === undefined) throw typeErr('int() missing string argument');
        if (base !== 0n && (base < 2n || base > 36n)) throw valueErr('int() base must be >= 2 and <= 36, or 0');
        if (typeof x !== 'string') throw typeErr("int() can't convert non-string with explicit base");
        return pyParseInt(x, Number(base));
      }
      if (x === undefined) return 0n;
      return toInt(x);
    },
    (v) => typeof v === 'bigint' || typeof v === 'boolean',
  );
  const toInt = (x: PyValue): bigint => {
    if (typeof x === 'bigint') return x;
    if (typeof x === 'boolean') return x ? 1n : 0n;
    if (typeof x === 'number') return floatToInt(x);
    if (typeof x === 'string') return pyParseInt(x, 10);
    if (x instanceof c.Tensor) {
      const v = tensorScalar(x);
      return typeof v === 'number' ? floatToInt(v) : toInt(v);
    }
    throw typeErr(`int() argument must be a string, a bytes-like object or a real number, not '${typeName(x)}'`);
  };

  defType(
    'bool',
    (a) => {
      const [x] = positional(a, 'bool', 0, 1);
      return x === undefined ? false : truthy(x);
    },
    (v) => typeof v === 'boolean',
    [intType],
  );

  const toFloatValue = (x: PyValue): number => {
    if (typeof x === 'number') return x;
    if (isNumber(x)) return toFloat(x);
    if (typeof x === 'string') return pyParseFloat(x);
    if (x instanceof c.Tensor) {
      const v = tensorScalar(x);
      return typeof v === 'number' ? v : toFloat(v);
    }
    throw typeErr(`float() argument must be a string or a real number, not '${typeName(x)}'`);
  };
  defType(
    'float',
    (a) => {
      const [x] = positional(a, 'float', 0, 1);
      return x === undefined ? 0 : toFloatValue(x);
    },
    (v) => typeof v === 'number',
  );

  defType(
    'str',
    (a) => {
      const [x, enc, errs] = clinic(a, 'str', ['object', 'encoding', 'errors'], 0);
      if (enc !== undefined || errs !== undefined) {
        if (typeof x === 'string') throw typeErr('decoding str is not supported');
        throw typeErr(`decoding to str: need a bytes-like object, ${typeName(x ?? '')} found`);
      }
      return x === undefined ? '' : pyStrOf(x);
    },
    (v) => typeof v === 'string',
  );

  defType(
    'list',
    (a) => {
      const [x] = positional(a, 'list', 0, 1);
      return new PyList(x === undefined ? [] : toArray(x));
    },
    (v) => v instanceof PyList,
  );

  defType(
    'tuple',
    (a) => {
      const [x] = positional(a, 'tuple', 0, 1);
      if (x instanceof PyTuple && !x.isSize) return x;
      return new PyTuple(x === undefined ? [] : toArray(x));
    },
    (v) => v instanceof PyTuple,
  );

  /** dict.update / dict(): from a mapping or an iterable of pairs, then keywords. */
  const dictUpdate = (d: PyDict, src: PyValue | undefined, kwargs: ReadonlyMap<string, PyValue>): void => {
    if (src instanceof PyDict) {
      for (const [key, v] of [...src.entries.values()]) dictSet(d, key, v);
    } else if (src !== undefined) {
      const it = iterate(src);
      let i = 0;
      for (let item = it(); item !== undefined; item = it(), i++) {
        let pair: PyValue[];
        try {
          pair = toArray(item);
        } catch (e) {
          if (e instanceof PyException && e.pyType === 'TypeError')
            throw typeErr(`cannot convert dictionary update sequence element #${i} to a sequence`);
          throw e;
        }
        if (pair.length !== 2)
          throw valueErr(`dictionary update sequence element #${i} has length ${pair.length}; 2 is required`);
        dictSet(d, pair[0], pair[1]);
      }
    }
    for (const [k, v] of kwargs) dictSet(d, k, v);
  };
  defType(
    'dict',
    (a) => {
      const [src] = positional(a, 'dict', 0, 1, true);
      const d = new PyDict();
      dictUpdate(d, src, a.kwargs);
      return d;
    },
    (v) => v instanceof PyDict,
  );

  defType(
    'range',
    (a) => {
      const args = positional(a, 'range', 1, 3);
      const [x, y, z] = args.map(asIndex);
      if (args.length === 1) return new PyRange(0n, x, 1n);
      if (z === 0n) throw valueErr('range() arg 3 must not be zero');
      return new PyRange(x, y, z ?? 1n);
    },
    (v) => v instanceof PyRange,
  );

  const typeType = defType(
    'type',
    (a) => {
      if (a.args.length === 3 && a.kwargs.size === 0)
        throw runtimeErr('creating classes with type() is not supported by Backprop Debugger');
      if (a.args.length !== 1 || a.kwargs.size > 0) throw typeErr('type() takes 1 or 3 arguments');
      return typeOf(a.args[0]);
    },
    (v) => v instanceof PyType || (v !== null && typeof v === 'object' && isinstanceRegistry.has(v)),
  );
  B.set('object', objectType);
  typeCache.set('object', objectType);
  classOf('NoneType', (v) => v === null);
  classOf('function', (v) => v instanceof PyFunction);
  classOf('builtin_function_or_method', (v) => v instanceof PyBuiltin && !(v instanceof PyType));
  classOf('method', (v) => v instanceof PyBoundMethod);
  classOf('module', (v) => v instanceof PyModule);

  fn('isinstance', (a) => {
    const [v, T] = positional(a, 'isinstance', 2, 2);
    return instanceCheck(v, T, 'isinstance');
  });
  fn('issubclass', (a) => {
    const [C, T] = positional(a, 'issubclass', 2, 2);
    if (!(C instanceof PyType)) throw typeErr('issubclass() arg 1 must be a class');
    const check = (t: PyValue): boolean => {
      if (t instanceof PyType) return isSub(C, t);
      if (t instanceof PyTuple) return t.items.some(check);
      throw typeErr('issubclass() arg 2 must be a class, a tuple of classes, or a union');
    };
    return check(T);
  });

  // ------------------------------------------------------------ output

  fn('print', (a) => {
    options(a, 'print', ['sep', 'end', 'file', 'flush']);
    const opt = (name: string, dflt: string): string => {
      const v = a.kwargs.get(name);
      if (v === undefined || v === null) return dflt;
      if (typeof v !== 'string') throw typeErr(`${name} must be None or a string, not ${typeName(v)}`);
      return v;
    };
    const sep = opt('sep', ' ');
    const end = opt('end', '\n');
    const file = a.kwargs.get('file');
    if (file !== undefined && file !== null) throw runtimeErr('print(file=...) is not supported by Backprop Debugger');
    interp.write(a.args.map(pyStrOf).join(sep) + end);
    return null;
  });

  fn('repr', (a) => pyRepr(one(a, 'repr')));
  fn('ascii', (a) => pyAscii(one(a, 'ascii')));
  fn('format', (a) => {
    const [v, spec] = positional(a, 'format', 1, 2);
    if (spec !== undefined && typeof spec !== 'string')
      throw typeErr(`format() argument 2 must be str, not ${typeName(spec)}`);
    return formatOf(v, spec ?? '');
  });

  // ------------------------------------------------------------ sequences and iteration

  fn('len', (a) => BigInt(pyLen(one(a, 'len'))));

  fn('iter', (a) => {
    const [v, sentinel] = positional(a, 'iter', 1, 2);
    if (sentinel !== undefined) {
      if (!isCallable(v)) throw typeErr('iter(v, w): v must be callable');
      return iterator('callable_iterator', () => {
        const x = call(v, []);
        return equal(x, sentinel) ? undefined : x;
      });
    }
    if (v instanceof PyIterator) return v;
    const next = iterate(v);
    let name = 'iterator';
    if (v instanceof PyList) name = 'list_iterator';
    else if (v instanceof PyTuple || v instanceof c.Tensor) name = 'tuple_iterator';
    else if (typeof v === 'string')
      name = [...v].every((ch) => ch.charCodeAt(0) < 0x80) ? 'str_ascii_iterator' : 'str_iterator';
    else if (v instanceof PyRange) name = 'range_iterator';
    else if (v instanceof PyDict) name = 'dict_keyiterator';
    return iterator(name, next);
  });

  fn('next', (a) => {
    const [it, dflt] = positional(a, 'next', 1, 2);
    if (!(it instanceof PyIterator)) throw typeErr(`'${typeName(it)}' object is not an iterator`);
    const v = it.next();
    if (v !== undefined) return v;
    if (dflt !== undefined) return dflt;
    throw pyErr('StopIteration', '');
  });

  defType(
    'zip',
    (a) => {
      options(a, 'zip', ['strict']);
      const strict = truthy(a.kwargs.get('strict') ?? false);
      const its = a.args.map(iterate);
      const n = its.length;
      return iterator('zip', () => {
        if (n === 0) return undefined;
        const row: PyValue[] = [];
        for (let i = 0; i < n; i++) {
          const v = its[i]();
          if (v === undefined) {
            if (!strict) return undefined;
            const plural = i === 1 ? ' ' : 's 1-';
            if (i > 0) throw valueErr(`zip() argument ${i + 1} is shorter than argument${plural}${i}`);
            for (let j = 1; j < n; j++)
              if (its[j]() !== undefined)
                throw valueErr(`zip() argument ${j + 1} is longer than argument${j === 1 ? ' ' : 's 1-'}${j}`);
            return undefined;
          }
          row.push(v);
        }
        return new PyTuple(row);
      });
    },
    (v) => v instanceof PyIterator && v.typeName === 'zip',
  );

  defType(
    'enumerate',
    (a) => {
      if (a.args.length === 0 && !a.kwargs.has('iterable'))
        throw typeErr("enumerate() missing required argument 'iterable'");
      const [src, startV] = clinic(a, 'enumerate', ['iterable', 'start'], 1);
      let i = startV === undefined ? 0n : asIndex(startV);
      const next = iterate(src as PyValue);
      return iterator('enumerate', () => {
        const v = next();
        if (v === undefined) return undefined;
        return new PyTuple([i++, v]);
      });
    },
    (v) => v instanceof PyIterator && v.typeName === 'enumerate',
  );

  defType(
    'reversed',
    (a) => {
      const [v] = positional(a, 'reversed', 1, 1);
      if (v instanceof PyList) {
        const items = v.items;
        let i = items.length - 1;
        return iterator('list_reverseiterator', () => (i >= 0 && i < items.length ? items[i--] : undefined));
      }
      if (v instanceof PyRange) {
        const n = rangeLength(v);
        let i = n - 1n;
        return iterator('range_iterator', () => (i >= 0n ? v.start + i-- * v.step : undefined));
      }
      if (v instanceof PyTuple || typeof v === 'string' || v instanceof PyDict) {
        const items = v instanceof PyTuple ? v.items : typeof v === 'string' ? [...v] : toArray(v);
        let i = items.length - 1;
        return iterator(v instanceof PyDict ? 'dict_reversekeyiterator' : 'reversed', () =>
          i >= 0 ? items[i--] : undefined,
        );
      }
      if (v instanceof c.Tensor) {
        // PyTorch's Tensor.__reversed__ is flip(0); without flip, the rows in reverse order.
        const site = siteNow();
        let flip: PyValue = null;
        try {
          flip = interp.getAttr(v, 'flip');
        } catch (e) {
          if (!isAttrError(e)) throw e;
        }
        c.setCurrentSite(site);
        if (flip !== null) return call(flip, [0n]);
        const rows = toArray(v);
        let i = rows.length - 1;
        return iterator('reversed', () => (i >= 0 ? rows[i--] : undefined));
      }
      throw typeErr(`'${typeName(v)}' object is not reversible`);
    },
    (v) => v instanceof PyIterator && v.typeName === 'reversed',
  );

  defType(
    'map',
    (a) => {
      noKw(a, 'map');
      if (a.args.length < 2) throw typeErr('map() must have at least two arguments.');
      const f = a.args[0];
      const its = a.args.slice(1).map(iterate);
      return iterator('map', () => {
        const xs: PyValue[] = [];
        for (const it of its) {
          const v = it();
          if (v === undefined) return undefined;
          xs.push(v);
        }
        return call(f, xs);
      });
    },
    (v) => v instanceof PyIterator && v.typeName === 'map',
  );

  defType(
    'filter',
    (a) => {
      const [f, src] = positional(a, 'filter', 2, 2);
      const next = iterate(src);
      return iterator('filter', () => {
        for (;;) {
          const v = next();
          if (v === undefined) return undefined;
          if (truthy(f === null ? v : call(f, [v]))) return v;
        }
      });
    },
    (v) => v instanceof PyIterator && v.typeName === 'filter',
  );

  fn('any', (a) => {
    const it = iterate(one(a, 'any'));
    for (let v = it(); v !== undefined; v = it()) if (truthy(v)) return true;
    return false;
  });
  fn('all', (a) => {
    const it = iterate(one(a, 'all'));
    for (let v = it(); v !== undefined; v = it()) if (!truthy(v)) return false;
    return true;
  });

  fn('sum', (a) => {
    const [src, startV] = clinic(a, 'sum', ['iterable', 'start'], 1, 1);
    const start = startV ?? 0n;
    if (typeof start === 'string') throw typeErr("sum() can't sum strings [use ''.join(seq) instead]");
    const site = siteNow();
    let acc: PyValue = start;
    const it = iterate(src as PyValue);
    for (let v = it(); v !== undefined; v = it()) acc = binop('+', acc, v, site);
    return acc;
  });

  const minmax =
    (name: 'min' | 'max') =>
    (a: CallArgs): PyValue => {
      options(a, name, ['key', 'default']);
      if (a.args.length === 0) throw typeErr(`${name} expected at least 1 argument, got 0`);
      const key = a.kwargs.get('key') ?? null;
      const dflt = a.kwargs.get('default');
      if (a.args.length > 1 && dflt !== undefined)
        throw typeErr(`Cannot specify a default for ${name}() with multiple positional arguments`);
      const it = a.args.length === 1 ? iterate(a.args[0]) : iterate(new PyTuple(a.args));
      const site = siteNow();
      const op = name === 'max' ? '>' : '<';
      let best: PyValue | undefined;
      let bestKey: PyValue = null;
      for (let v = it(); v !== undefined; v = it()) {
        const k = key === null ? v : call(key, [v]);
        if (best === undefined) {
          best = v;
          bestKey = k;
          continue;
        }
        c.setCurrentSite(site);
        if (truthy(interp.compare(op, k, bestKey))) {
          best = v;
          bestKey = k;
        }
      }
      if (best !== undefined) return best;
      if (dflt !== undefined) return dflt;
      throw valueErr(`${name}() arg is an empty sequence`);
    };
  fn('min', minmax('min'));
  fn('max', minmax('max'));

  /** list.sort's algorithm: stable, `<` only, reverse by reversing around a stable sort (as CPython). */
  const sortInPlace = (items: PyValue[], keyFn: PyValue, reverse: boolean): void => {
    const keys = keyFn === null ? items.slice() : items.map((v) => call(keyFn, [v]));
    const idx = items.map((_, i) => i);
    if (reverse) {
      idx.reverse();
    }
    const sorted = mergeSort(idx, (i, j) => lessThan(keys[i], keys[j]));
    if (reverse) sorted.reverse();
    const vals = sorted.map((i) => items[i]);
    for (let i = 0; i < vals.length; i++) items[i] = vals[i];
  };
  const sortKw = (a: CallArgs): [PyValue, boolean] => {
    const [key, rev] = clinic(a, 'sort', ['key', 'reverse'], 0, 0, 0);
    return [key ?? null, rev === undefined ? false : asIndex(rev) !== 0n];
  };

  fn('sorted', (a) => {
    if (a.args.length !== 1) throw typeErr(`sorted expected 1 argument, got ${a.args.length}`);
    const items = toArray(a.args[0]);
    const [key, rev] = sortKw({ args: [], kwargs: a.kwargs });
    sortInPlace(items, key, rev);
    return new PyList(items);
  });

  // ------------------------------------------------------------ numbers

  fn('abs', (a) => {
    const v = one(a, 'abs');
    if (typeof v === 'bigint') return v < 0n ? -v : v;
    if (typeof v === 'boolean') return v ? 1n : 0n;
    if (typeof v === 'number') return Math.abs(v);
    if (v instanceof c.Tensor) {
      const site = siteNow();
      const f = interp.getAttr(v, 'abs');
      c.setCurrentSite(site);
      return call(f, []);
    }
    throw typeErr(`bad operand type for abs(): '${typeName(v)}'`);
  });

  fn('round', (a) => {
    const [x, nd] = clinic(a, 'round', ['number', 'ndigits'], 1);
    const v = x as PyValue;
    const n = nd === undefined || nd === null ? null : asIndex(nd);
    if (typeof v === 'bigint' || typeof v === 'boolean') {
      const i = typeof v === 'boolean' ? (v ? 1n : 0n) : v;
      return n === null ? i : roundInt(i, n);
    }
    if (typeof v === 'number') {
      if (n === null) return floatToInt(roundHalfEven(v));
      const clipped = n > 100000n ? 100000 : n < -100000n ? -100000 : Number(n);
      return roundFloat(v, clipped);
    }
    throw typeErr(`type ${v instanceof c.Tensor ? 'Tensor' : typeName(v)} doesn't define __round__ method`);
  });

  fn('divmod', (a) => {
    const [x, y] = positional(a, 'divmod', 2, 2);
    if (isNumber(x) && isNumber(y)) {
      if (typeof x === 'number' || typeof y === 'number') return new PyTuple(floatDivmod(toFloat(x), toFloat(y)));
      return new PyTuple([numBinary('//', x, y), numBinary('%', x, y)]);
    }
    throw typeErr(`unsupported operand type(s) for divmod(): '${typeName(x)}' and '${typeName(y)}'`);
  });

  fn('pow', (a) => {
    const [base, exp, mod] = clinic(a, 'pow', ['base', 'exp', 'mod'], 2);
    if (mod === undefined || mod === null) {
      const site = siteNow();
      if (base instanceof c.Tensor || exp instanceof c.Tensor) c.setCurrentSite(site);
      if (base instanceof c.Tensor || exp instanceof c.Tensor)
        return interp.torch.binary('**', base as PyValue, exp as PyValue);
      return interp.binary('**', base as PyValue, exp as PyValue, NO_RANGE);
    }
    const isInt = (v: PyValue | undefined): v is bigint | boolean => typeof v === 'bigint' || typeof v === 'boolean';
    if (!isInt(base) || !isInt(exp) || !isInt(mod)) {
      if (isNumber(base as PyValue) && isNumber(exp as PyValue) && isNumber(mod))
        throw typeErr('pow() 3rd argument not allowed unless all arguments are integers');
      throw typeErr(
        `unsupported operand type(s) for ** or pow(): '${typeName(base as PyValue)}', '${typeName(exp as PyValue)}', '${typeName(mod)}'`,
      );
    }
    return modPow(BigInt(base), BigInt(exp), BigInt(mod));
  });

  const radix = (name: string, prefix: string, r: number) =>
    fn(name, (a) => {
      const v = asIndex(one(a, name));
      return (v < 0n ? '-' : '') + prefix + (v < 0n ? -v : v).toString(r);
    });
  radix('hex', '0x', 16);
  radix('oct', '0o', 8);
  radix('bin', '0b', 2);

  fn('chr', (a) => {
    const i = asIndex(one(a, 'chr'));
    if (i < 0n || i > 0x10ffffn) throw valueErr('chr() arg not in range(0x110000)');
    return String.fromCodePoint(Number(i));
  });
  fn('ord', (a) => {
    const v = one(a, 'ord');
    if (typeof v !== 'string') throw typeErr(`ord() expected string of length 1, but ${typeName(v)} found`);
    const chars = [...v];
    if (chars.length !== 1) throw typeErr(`ord() expected a character, but string of length ${chars.length} found`);
    return BigInt(chars[0].codePointAt(0) as number);
  });

  // ------------------------------------------------------------ objects

  fn('id', (a) => interp.idOf(one(a, 'id')));

  const isCallable = (v: PyValue): boolean =>
    v instanceof PyBuiltin ||
    v instanceof PyFunction ||
    v instanceof PyBoundMethod ||
    (v instanceof PyObject && v.attrs.has('__call__'));
  fn('callable', (a) => isCallable(one(a, 'callable')));

  const attrName = (v: PyValue): string => {
    if (typeof v !== 'string') throw typeErr(`attribute name must be string, not '${typeName(v)}'`);
    return v;
  };
  fn('getattr', (a) => {
    const [obj, nameV, dflt] = positional(a, 'getattr', 2, 3);
    const name = attrName(nameV);
    try {
      return interp.getAttr(obj, name);
    } catch (e) {
      if (dflt !== undefined && isAttrError(e)) return dflt;
      throw e;
    }
  });
  fn('hasattr', (a) => {
    const [obj, nameV] = positional(a, 'hasattr', 2, 2);
    const name = attrName(nameV);
    try {
      interp.getAttr(obj, name);
      return true;
    } catch (e) {
      if (isAttrError(e)) return false;
      throw e;
    }
  });

  fn('slice', (a) => {
    const args = positional(a, 'slice', 1, 3);
    const [start, stop, step] = args.length === 1 ? [null, args[0], null] : [args[0], args[1], args[2] ?? null];
    const o = new PyObject('slice', `slice(${pyRepr(start)}, ${pyRepr(stop)}, ${pyRepr(step)})`);
    o.attrs.set('start', start);
    o.attrs.set('stop', stop);
    o.attrs.set('step', step);
    o.attrs.set('__slice__', true);
    return o;
  });

  // ------------------------------------------------------------ not in the sandbox

  fn('input', () => {
    throw runtimeErr('input() is not supported by Backprop Debugger: scripts run without standard input');
  });
  for (const name of ['open', 'exec', 'eval', 'compile', '__import__', 'breakpoint', 'help', 'exit', 'quit'])
    fn(name, () => interp.unsupported(`${name}()`));
  for (const name of [
    'set',
    'frozenset',
    'bytes',
    'bytearray',
    'complex',
    'memoryview',
    'super',
    'property',
    'staticmethod',
    'classmethod',
    'vars',
    'dir',
    'globals',
    'locals',
    'setattr',
    'delattr',
    'hash',
  ])
    fn(name, () => interp.unsupported(`${name}()`));

  installMethods(interp, { toArray, iterate, lessThan, equal, sortInPlace, sortKw, formatOf, dictUpdate, call });
}

/** Stable merge sort by a strict `less` (takes the right element only when it is smaller). */
function mergeSort<T>(xs: T[], less: (a: T, b: T) => boolean): T[] {
  const n = xs.length;
  if (n < 2) return xs.slice();
  let src = xs.slice();
  let dst = new Array<T>(n);
  // Insertion sort short runs, then merge bottom-up.
  const RUN = 16;
  for (let lo = 0; lo < n; lo += RUN) {
    const hi = Math.min(lo + RUN, n);
    for (let i = lo + 1; i < hi; i++) {
      const x = src[i];
      let j = i - 1;
      while (j >= lo && less(x, src[j])) {
        src[j + 1] = src[j];
        j--;
      }
      src[j + 1] = x;
    }
  }
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      const mid = Math.min(lo + width, n);
      const hi = Math.min(lo + 2 * width, n);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) dst[k++] = less(src[j], src[i]) ? src[j++] : src[i++];
      while (i < mid) dst[k++] = src[i++];
      while (j < hi) dst[k++] = src[j++];
    }
    [src, dst] = [dst, src];
  }
  return src;
}

interface Helpers {
  toArray(v: PyValue): PyValue[];
  iterate(v: PyValue): () => PyValue | undefined;
  lessThan(a: PyValue, b: PyValue): boolean;
  equal(a: PyValue, b: PyValue): boolean;
  sortInPlace(items: PyValue[], key: PyValue, reverse: boolean): void;
  sortKw(a: CallArgs): [PyValue, boolean];
  formatOf(v: PyValue, spec: string): string;
  dictUpdate(d: PyDict, src: PyValue | undefined, kwargs: ReadonlyMap<string, PyValue>): void;
  call(f: PyValue, args: PyValue[]): PyValue;
}

// ===================================================================== methods of built-in types

/** str.format's auto-numbering state, shared with nested `{:{}}` specs (CPython's AutoNumber). */
interface AutoNumber {
  state: 'init' | 'auto' | 'manual';
  next: number;
}

function installMethods(interp: Interpreter, h: Helpers): void {
  const M = interp.methods;
  /** Registers `type.name` for each type; `self` is args[0] as the interpreter binds it. */
  const def = <T extends PyValue>(
    types: readonly string[],
    name: string,
    f: (self: T, a: CallArgs) => PyValue,
  ): void => {
    const b = new PyBuiltin(name, (a) => f(a.args[0] as T, { args: a.args.slice(1), kwargs: a.kwargs }));
    for (const t of types) M.set(`${t}.${name}`, b);
  };
  const LIST = ['list'];
  const TUPLE = ['tuple', 'torch.Size'];
  const DICT = ['dict'];
  const STR = ['str'];

  // ------------------------------------------------------------ list

  def<PyList>(LIST, 'append', (self, a) => {
    self.items.push(one(a, 'list.append'));
    return null;
  });
  def<PyList>(LIST, 'extend', (self, a) => {
    const src = one(a, 'list.extend');
    const add = h.toArray(src);
    for (const x of add) self.items.push(x);
    return null;
  });
  def<PyList>(LIST, 'pop', (self, a) => {
    const [iv] = positional(a, 'pop', 0, 1);
    const n = self.items.length;
    let i = iv === undefined ? -1 : asSsize(iv);
    if (n === 0) throw indexErr('pop from empty list');
    if (i < 0) i += n;
    if (i < 0 || i >= n) throw indexErr('pop index out of range');
    return self.items.splice(i, 1)[0];
  });
  def<PyList>(LIST, 'insert', (self, a) => {
    const [iv, x] = positional(a, 'insert', 2, 2);
    const n = self.items.length;
    let i = asSsize(iv);
    if (i < 0) i = Math.max(0, i + n);
    if (i > n) i = n;
    self.items.splice(i, 0, x);
    return null;
  });
  def<PyList>(LIST, 'remove', (self, a) => {
    const x = one(a, 'list.remove');
    const i = self.items.findIndex((v) => h.equal(v, x));
    if (i < 0) throw valueErr('list.remove(x): x not in list');
    self.items.splice(i, 1);
    return null;
  });
  const seqIndex = (items: readonly PyValue[], a: CallArgs, missing: (x: PyValue) => string): bigint => {
    const [x, startV, stopV] = positional(a, 'index', 1, 3);
    const n = items.length;
    const idx = (v: PyValue | undefined, d: number): number => {
      if (v === undefined) return d;
      if (typeof v !== 'bigint' && typeof v !== 'boolean' && !(v instanceof c.Tensor))
        throw typeErr('slice indices must be integers or have an __index__ method');
      return asSsize(v);
    };
    const [start, stop] = adjust(idx(startV, 0), idx(stopV, n), n);
    for (let i = start; i < Math.min(stop, items.length); i++) if (h.equal(items[i], x)) return BigInt(i);
    throw valueErr(missing(x));
  };
  def<PyList>(LIST, 'index', (self, a) => seqIndex(self.items, a, (x) => `${pyRepr(x)} is not in list`));
  def<PyList>(LIST, 'count', (self, a) => {
    const x = one(a, 'list.count');
    return BigInt(self.items.filter((v) => h.equal(v, x)).length);
  });
  def<PyList>(LIST, 'reverse', (self, a) => {
    none(a, 'list.reverse');
    self.items.reverse();
    return null;
  });
  def<PyList>(LIST, 'sort', (self, a) => {
    const [key, rev] = h.sortKw(a);
    h.sortInPlace(self.items, key, rev);
    return null;
  });
  def<PyList>(LIST, 'copy', (self, a) => {
    none(a, 'list.copy');
    return new PyList([...self.items]);
  });
  def<PyList>(LIST, 'clear', (self, a) => {
    none(a, 'list.clear');
    self.items.length = 0;
    return null;
  });

  // ------------------------------------------------------------ tuple (and torch.Size)

  def<PyTuple>(TUPLE, 'index', (self, a) => seqIndex(self.items, a, () => 'tuple.index(x): x not in tuple'));
  def<PyTuple>(TUPLE, 'count', (self, a) => {
    const x = one(a, 'tuple.count');
    return BigInt(self.items.filter((v) => h.equal(v, x)).length);
  });

  // ------------------------------------------------------------ dict

  // keys()/values()/items() return lists: CPython's views print as dict_keys([...]).
  def<PyDict>(DICT, 'keys', (self, a) => {
    none(a, 'dict.keys');
    return new PyList([...self.entries.values()].map(([k]) => k));
  });
  def<PyDict>(DICT, 'values', (self, a) => {
    none(a, 'dict.values');
    return new PyList([...self.entries.values()].map(([, v]) => v));
  });
  def<PyDict>(DICT, 'items', (self, a) => {
    none(a, 'dict.items');
    return new PyList([...self.entries.values()].map(([k, v]) => new PyTuple([k, v])));
  });
  def<PyDict>(DICT, 'get', (self, a) => {
    const [k, d] = positional(a, 'get', 1, 2);
    const e = self.entries.get(keyOf(k));
    return e ? e[1] : (d ?? null);
  });
  def<PyDict>(DICT, 'pop', (self, a) => {
    const [k, d] = positional(a, 'pop', 1, 2);
    const key = keyOf(k);
    const e = self.entries.get(key);
    if (e) {
      self.entries.delete(key);
      return e[1];
    }
    if (d !== undefined) return d;
    throw pyErr('KeyError', pyRepr(k));
  });
  def<PyDict>(DICT, 'popitem', (self, a) => {
    none(a, 'dict.popitem');
    const last = [...self.entries.keys()].pop();
    if (last === undefined) throw pyErr('KeyError', "'popitem(): dictionary is empty'");
    const [k, v] = self.entries.get(last) as [PyValue, PyValue];
    self.entries.delete(last);
    return new PyTuple([k, v]);
  });
  def<PyDict>(DICT, 'update', (self, a) => {
    const [src] = positional(a, 'update', 0, 1, true);
    h.dictUpdate(self, src, a.kwargs);
    return null;
  });
  def<PyDict>(DICT, 'setdefault', (self, a) => {
    const [k, d] = positional(a, 'setdefault', 1, 2);
    const key = keyOf(k);
    const e = self.entries.get(key);
    if (e) return e[1];
    self.entries.set(key, [k, d ?? null]);
    return d ?? null;
  });
  def<PyDict>(DICT, 'copy', (self, a) => {
    none(a, 'dict.copy');
    const d = new PyDict();
    for (const [k, e] of self.entries) d.entries.set(k, [e[0], e[1]]);
    return d;
  });
  def<PyDict>(DICT, 'clear', (self, a) => {
    none(a, 'dict.clear');
    self.entries.clear();
    return null;
  });

  // ------------------------------------------------------------ str

  def<string>(STR, 'join', (self, a) => {
    const src = one(a, 'str.join');
    let items: PyValue[];
    try {
      items = h.toArray(src);
    } catch (e) {
      if (e instanceof PyException && e.pyType === 'TypeError' && / is not iterable$/.test(e.message))
        throw typeErr('can only join an iterable');
      throw e;
    }
    items.forEach((x, i) => {
      if (typeof x !== 'string') throw typeErr(`sequence item ${i}: expected str instance, ${typeName(x)} found`);
    });
    return items.join(self);
  });

  const splitArgs = (a: CallArgs, name: string): [string | null, number] => {
    const [sepV, maxV] = clinic(a, name, ['sep', 'maxsplit'], 0);
    const sep = sepV === undefined ? null : sepV;
    if (sep !== null && typeof sep !== 'string') throw typeErr(`must be str or None, not ${typeName(sep)}`);
    const max = maxV === undefined ? -1 : asSsize(maxV);
    if (sep === '') throw valueErr('empty separator');
    return [sep, max < 0 ? -1 : max];
  };
  def<string>(STR, 'split', (self, a) => {
    const [sep, max] = splitArgs(a, 'split');
    return new PyList(sep === null ? splitWhitespace(self, max) : splitSep(self, sep, max));
  });
  def<string>(STR, 'rsplit', (self, a) => {
    const [sep, max] = splitArgs(a, 'rsplit');
    return new PyList(sep === null ? rsplitWhitespace(self, max) : rsplitSep(self, sep, max));
  });
  def<string>(STR, 'splitlines', (self, a) => {
    const [keep] = clinic(a, 'splitlines', ['keepends'], 0);
    return new PyList(splitlines(self, keep === undefined ? false : asIndex(keep) !== 0n));
  });

  const stripper = (name: string, left: boolean, right: boolean): void =>
    def<string>(STR, name, (self, a) => {
      const [chars] = positional(a, name, 0, 1);
      if (chars !== undefined && chars !== null && typeof chars !== 'string')
        throw typeErr(`${name} arg must be None or str`);
      const set = chars === undefined || chars === null ? null : new Set([...chars]);
      const drop = (ch: string): boolean => (set === null ? isSpace(ch) : set.has(ch));
      const cs = [...self];
      let i = 0;
      let j = cs.length;
      if (left) while (i < j && drop(cs[i])) i++;
      if (right) while (j > i && drop(cs[j - 1])) j--;
      return cs.slice(i, j).join('');
    });
  stripper('strip', true, true);
  stripper('lstrip', true, false);
  stripper('rstrip', false, true);

  const noArgStr = (name: string, f: (self: string) => PyValue): void =>
    def<string>(STR, name, (self, a) => {
      none(a, `str.${name}`);
      return f(self);
    });
  noArgStr('lower', (t) => t.toLowerCase());
  noArgStr('upper', (t) => t.toUpperCase());
  noArgStr('title', title);
  noArgStr('capitalize', (t) => {
    const cs = [...t];
    return cs.length === 0 ? '' : cs[0].toUpperCase() + cs.slice(1).join('').toLowerCase();
  });
  noArgStr('swapcase', (t) =>
    [...t].map((ch) => (LOWER.test(ch) ? ch.toUpperCase() : UPPER.test(ch) ? ch.toLowerCase() : ch)).join(''),
  );
  noArgStr('isdigit', (t) => DIGITS.test(t));
  noArgStr('isdecimal', (t) => /^\p{Nd}+$/u.test(t));
  noArgStr('isnumeric', (t) => new RegExp(`^[\\p{N}${DIGIT_EXTRA}]+$`, 'u').test(t));
  noArgStr('isalpha', (t) => /^\p{L}+$/u.test(t));
  noArgStr('isalnum', (t) => /^[\p{L}\p{N}]+$/u.test(t));
  noArgStr('isspace', (t) => ALL_SPACE.test(t));
  noArgStr('islower', (t) => [...t].some((ch) => CASED.test(ch)) && ![...t].some((ch) => UPPER.test(ch)));
  noArgStr('isupper', (t) => [...t].some((ch) => CASED.test(ch)) && ![...t].some((ch) => LOWER.test(ch)));

  def<string>(STR, 'replace', (self, a) => {
    const [oldV, newV, countV] = positional(a, 'replace', 2, 3);
    if (typeof oldV !== 'string') throw typeErr(`replace() argument 1 must be str, not ${typeName(oldV)}`);
    if (typeof newV !== 'string') throw typeErr(`replace() argument 2 must be str, not ${typeName(newV)}`);
    let count = countV === undefined ? -1 : asSsize(countV);
    if (count < 0) count = Infinity;
    if (oldV === '') {
      const cs = [...self];
      let out = '';
      let k = 0;
      for (let i = 0; i <= cs.length; i++) {
        if (k < count) {
          out += newV;
          k++;
        }
        if (i < cs.length) out += cs[i];
      }
      return out;
    }
    let out = '';
    let pos = 0;
    for (let k = 0; k < count; k++) {
      const i = self.indexOf(oldV, pos);
      if (i < 0) break;
      out += self.slice(pos, i) + newV;
      pos = i + oldV.length;
    }
    return out + self.slice(pos);
  });

  const affix = (name: 'startswith' | 'endswith'): void =>
    def<string>(STR, name, (self, a) => {
      const [pre, startV, endV] = positional(a, name, 1, 3);
      const len = pyLen(self);
      const [start, end] = adjust(sliceArg(startV, 0), sliceArg(endV, len), len);
      const part = start > len ? null : [...self].slice(start, Math.max(start, end)).join('');
      const test = (p: string): boolean => {
        if (part === null) return false;
        if (end - start < pyLen(p)) return false;
        return name === 'startswith' ? part.startsWith(p) : part.endsWith(p);
      };
      if (typeof pre === 'string') return test(pre);
      if (pre instanceof PyTuple) {
        for (const p of pre.items) {
          if (typeof p !== 'string') throw typeErr(`tuple for ${name} must only contain str, not ${typeName(p)}`);
          if (test(p)) return true;
        }
        return false;
      }
      throw typeErr(`${name} first arg must be str or a tuple of str, not ${typeName(pre)}`);
    });
  affix('startswith');
  affix('endswith');

  def<string>(STR, 'find', (self, a) => BigInt(strFind(self, a, 'find', false)));
  def<string>(STR, 'rfind', (self, a) => BigInt(strFind(self, a, 'rfind', true)));
  def<string>(STR, 'index', (self, a) => {
    const i = strFind(self, a, 'index', false);
    if (i < 0) throw valueErr('substring not found');
    return BigInt(i);
  });
  def<string>(STR, 'rindex', (self, a) => {
    const i = strFind(self, a, 'rindex', true);
    if (i < 0) throw valueErr('substring not found');
    return BigInt(i);
  });
  def<string>(STR, 'count', (self, a) => {
    const [sub, startV, endV] = oldStyle(a, 'count', 1, 3);
    if (typeof sub !== 'string') throw typeErr(`must be str, not ${typeName(sub as PyValue)}`);
    const len = pyLen(self);
    const [start, end] = adjust(sliceArg(startV, 0), sliceArg(endV, len), len);
    if (start > len) return 0n;
    if (sub === '') return BigInt(Math.max(0, end - start) + 1);
    if (end - start < pyLen(sub)) return 0n;
    const part = SURROGATE.test(self) ? [...self].slice(start, end).join('') : self.slice(start, end);
    let n = 0;
    for (let i = part.indexOf(sub); i >= 0; i = part.indexOf(sub, i + sub.length)) n++;
    return BigInt(n);
  });

  def<string>(STR, 'zfill', (self, a) => {
    const width = asSsize(one(a, 'str.zfill'));
    const cs = [...self];
    const fill = width - cs.length;
    if (fill <= 0) return self;
    if (cs[0] === '+' || cs[0] === '-') return cs[0] + '0'.repeat(fill) + cs.slice(1).join('');
    return '0'.repeat(fill) + self;
  });

  const justify = (name: 'center' | 'ljust' | 'rjust'): void =>
    def<string>(STR, name, (self, a) => {
      const [wV, fillV] = positional(a, name, 1, 2);
      const width = asSsize(wV);
      let fill = ' ';
      if (fillV !== undefined) {
        if (typeof fillV !== 'string') throw typeErr(`${name}() argument 2 must be str, not ${typeName(fillV)}`);
        if ([...fillV].length !== 1) throw typeErr('The fill character must be exactly one character long');
        fill = fillV;
      }
      const len = pyLen(self);
      if (len >= width) return self;
      const marg = width - len;
      if (name === 'ljust') return pad(self, 0, marg, fill);
      if (name === 'rjust') return pad(self, marg, 0, fill);
      const left = Math.floor(marg / 2) + (marg & width & 1);
      return pad(self, left, marg - left, fill);
    });
  justify('center');
  justify('ljust');
  justify('rjust');

  const partition = (name: 'partition' | 'rpartition'): void =>
    def<string>(STR, name, (self, a) => {
      const sep = one(a, `str.${name}`);
      if (typeof sep !== 'string') throw typeErr(`must be str, not ${typeName(sep)}`);
      if (sep === '') throw valueErr('empty separator');
      const i = name === 'partition' ? self.indexOf(sep) : self.lastIndexOf(sep);
      if (i < 0) return new PyTuple(name === 'partition' ? [self, '', ''] : ['', '', self]);
      return new PyTuple([self.slice(0, i), sep, self.slice(i + sep.length)]);
    });
  partition('partition');
  partition('rpartition');

  const removeAffix = (name: 'removeprefix' | 'removesuffix'): void =>
    def<string>(STR, name, (self, a) => {
      const x = one(a, `str.${name}`);
      if (typeof x !== 'string') throw typeErr(`${name}() argument must be str, not ${typeName(x)}`);
      if (x === '') return self;
      if (name === 'removeprefix') return self.startsWith(x) ? self.slice(x.length) : self;
      return self.endsWith(x) ? self.slice(0, self.length - x.length) : self;
    });
  removeAffix('removeprefix');
  removeAffix('removesuffix');

  def<string>(STR, 'format', (self, a) => strFormat(self, a.args, a.kwargs, 2, { state: 'init', next: 0 }));

  /** str.format: CPython's MarkupIterator and field-name rules, rendered through format(). */
  function strFormat(
    fmt: string,
    args: readonly PyValue[],
    kwargs: ReadonlyMap<string, PyValue>,
    depth: number,
    auto: AutoNumber,
  ): string {
    if (depth <= 0) throw valueErr('Max string recursion exceeded');
    const n = fmt.length;
    let out = '';
    let i = 0;
    while (i < n) {
      const start = i;
      let ch = '';
      let markup = false;
      while (i < n) {
        ch = fmt[i++];
        if (ch === '{' || ch === '}') {
          markup = true;
          break;
        }
      }
      const atEnd = i >= n;
      let len = i - start;
      if (ch === '}' && markup && (atEnd || fmt[i] !== '}')) throw valueErr("Single '}' encountered in format string");
      if (atEnd && ch === '{' && markup) throw valueErr("Single '{' encountered in format string");
      if (markup) {
        if (fmt[i] === ch) {
          i++;
          markup = false;
        } else len--;
      }
      out += fmt.slice(start, start + len);
      if (!markup) continue;

      // parse_field
      const fieldStart = i;
      ch = '';
      while (i < n) {
        ch = fmt[i++];
        if (ch === '{') throw valueErr("unexpected '{' in field name");
        if (ch === '[') {
          while (i < n && fmt[i] !== ']') i++;
          continue;
        }
        if (ch === '}' || ch === ':' || ch === '!') break;
      }
      const fieldName = fmt.slice(fieldStart, i - 1);
      let conversion = '';
      let spec = '';
      let expand = false;
      if (ch === '!' || ch === ':') {
        let done = false;
        if (ch === '!') {
          if (i >= n) throw valueErr('end of string while looking for conversion specifier');
          conversion = String.fromCodePoint(fmt.codePointAt(i) as number);
          i += conversion.length;
          if (i < n) {
            const c2 = fmt[i++];
            if (c2 === '}') done = true;
            else if (c2 !== ':') throw valueErr("expected ':' after conversion specifier");
          }
        }
        if (!done) {
          const specStart = i;
          let count = 1;
          let closed = false;
          while (i < n) {
            const c3 = fmt[i++];
            if (c3 === '{') {
              expand = true;
              count++;
            } else if (c3 === '}') {
              count--;
              if (count === 0) {
                spec = fmt.slice(specStart, i - 1);
                closed = true;
                break;
              }
            }
          }
          if (!closed) throw valueErr("unmatched '{' in format spec");
        }
      } else if (ch !== '}') throw valueErr("expected '}' before end of string");

      let obj = fieldObject(fieldName, args, kwargs, auto);
      if (conversion !== '') {
        if (conversion === 'r') obj = pyRepr(obj);
        else if (conversion === 's') obj = pyStrOf(obj);
        else if (conversion === 'a') obj = pyAscii(obj);
        else {
          const cp = conversion.codePointAt(0) as number;
          throw valueErr(`Unknown conversion specifier ${cp > 32 && cp < 127 ? conversion : '\\x' + cp.toString(16)}`);
        }
      }
      if (expand) spec = strFormat(spec, args, kwargs, depth - 1, auto);
      out += h.formatOf(obj, spec);
    }
    return out;
  }

  function fieldObject(
    field: string,
    args: readonly PyValue[],
    kwargs: ReadonlyMap<string, PyValue>,
    auto: AutoNumber,
  ): PyValue {
    let k = 0;
    while (k < field.length && field[k] !== '.' && field[k] !== '[') k++;
    const first = field.slice(0, k);
    let idx = /^[0-9]+$/.test(first) ? Number(first) : -1;
    const empty = first === '';
    const numeric = empty || idx !== -1;
    if (auto.state === 'init' && numeric) auto.state = empty ? 'auto' : 'manual';
    if (numeric) {
      if (auto.state === 'manual' && empty)
        throw valueErr('cannot switch from manual field specification to automatic field numbering');
      if (auto.state === 'auto' && !empty)
        throw valueErr('cannot switch from automatic field numbering to manual field specification');
    }
    if (empty) idx = auto.next++;
    let obj: PyValue;
    if (idx === -1) {
      const v = kwargs.get(first);
      if (v === undefined) throw pyErr('KeyError', strRepr(first));
      obj = v;
    } else {
      if (idx >= args.length) throw indexErr(`Replacement index ${idx} out of range for positional args tuple`);
      obj = args[idx];
    }
    let p = k;
    while (p < field.length) {
      const ch = field[p++];
      let name: string;
      let isAttr: boolean;
      if (ch === '.') {
        isAttr = true;
        let q = p;
        while (q < field.length && field[q] !== '.' && field[q] !== '[') q++;
        name = field.slice(p, q);
        p = q;
      } else if (ch === '[') {
        isAttr = false;
        let q = p;
        while (q < field.length && field[q] !== ']') q++;
        if (q >= field.length) throw valueErr("Missing ']' in format string");
        name = field.slice(p, q);
        p = q + 1;
      } else throw valueErr("Only '.' or '[' may follow ']' in format field specifier");
      if (name === '') throw valueErr('Empty attribute in format string');
      if (isAttr) obj = interp.getAttr(obj, name);
      else obj = interp.getItem(obj, /^[0-9]+$/.test(name) ? BigInt(name) : name);
    }
    return obj;
  }

  // ------------------------------------------------------------ int and float

  def<number>(['float'], 'is_integer', (self, a) => {
    none(a, 'float.is_integer');
    return Number.isInteger(self);
  });
  def<bigint | boolean>(['int', 'bool'], 'bit_length', (self, a) => {
    none(a, 'int.bit_length');
    return BigInt(bitLen(BigInt(self)));
  });
  def<number>(['float'], 'as_integer_ratio', (self, a) => {
    none(a, 'float.as_integer_ratio');
    if (self !== self) throw valueErr('cannot convert NaN to integer ratio');
    if (!Number.isFinite(self)) throw pyErr('OverflowError', 'cannot convert Infinity to integer ratio');
    let num = self;
    let den = 1n;
    // Scale by 2 until integral (exact for doubles), then reduce.
    let e = 0;
    while (!Number.isInteger(num)) {
      num *= 2;
      e++;
    }
    let nb = BigInt(num);
    den = 1n << BigInt(e);
    while (e > 0 && nb % 2n === 0n) {
      nb /= 2n;
      den /= 2n;
      e--;
    }
    return new PyTuple([nb, den]);
  });
}
