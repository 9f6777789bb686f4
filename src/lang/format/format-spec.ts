/**
 * Python's format-spec mini-language (`f"{x:.2f}"`, `format(x, '>10')`,
 * `'{:,}'.format(n)`), str() of the scalar types, and the exact decimal
 * conversion both need. Scripts print numbers through this, and their output
 * must match CPython 3.11 character for character, so it follows CPython's
 * Python/formatter_unicode.c and Python/pystrtod.c step by step: the same
 * parsing order and error texts, the same padding and digit grouping, and
 * floats rounded half-even on their exact binary value (Number#toFixed
 * rounds ties away from zero and gives up above 1e21, so it is never used).
 */
import { pyFloatRepr } from '../pyfloat';

/** A Python exception raised by format(): its type name and message are CPython's. */
export class FormatError extends Error {
  constructor(
    message: string,
    readonly pyType: 'ValueError' | 'OverflowError' = 'ValueError',
  ) {
    super(message);
    this.name = pyType;
  }
}

/** A value format() accepts: int (bigint), float (number), bool, str. */
export type FormatValue = bigint | number | boolean | string;

/** Python's type name of a formattable value, as error messages show it. */
export function pyTypeName(value: FormatValue | null): string {
  switch (typeof value) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'boolean':
      return 'bool';
    case 'string':
      return 'str';
    default:
      return 'NoneType';
  }
}

/** str() of an int, float, bool, str or None — what print() shows. */
export function pyStr(value: FormatValue | null): string {
  if (value === null) return 'None';
  switch (typeof value) {
    case 'bigint':
      return value.toString();
    case 'number':
      return pyFloatRepr(value);
    case 'boolean':
      return value ? 'True' : 'False';
    default:
      return value;
  }
}

/** repr() of an int, float, bool, str or None (strings quoted and escaped as CPython does). */
export function pyReprScalar(value: FormatValue | null): string {
  return typeof value === 'string' ? pyStrRepr(value) : pyStr(value);
}

/** CPython's repr of a str: single quotes unless the text has ' and no ", escapes for the unprintable. */
export function pyStrRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const c = ch.codePointAt(0) as number;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c < 0x20 || c === 0x7f) out += `\\x${hex(c, 2)}`;
    else if (c < 0x7f) out += ch;
    else if (UNPRINTABLE.test(ch))
      out += c < 0x100 ? `\\x${hex(c, 2)}` : c < 0x10000 ? `\\u${hex(c, 4)}` : `\\U${hex(c, 8)}`;
    else out += ch;
  }
  return out + quote;
}

/** Python's str.isprintable() is false for categories C* and Z* (except the ASCII space). */
const UNPRINTABLE = /^[\p{C}\p{Z}]$/u;

function hex(c: number, width: number): string {
  return c.toString(16).padStart(width, '0');
}

// ---------------------------------------------------------------------------
// Parsing the spec: [[fill]align][sign][z][#][0][width][grouping][.precision][type]

interface Spec {
  fill: string;
  /** '<', '>', '^', '=' */
  align: string;
  /** '' (not given), '+', '-', ' ' */
  sign: string;
  noNeg0: boolean;
  alternate: boolean;
  /** -1: not given */
  width: number;
  /** '', ',', '_', or '_4' (underscores every four digits: b, o, x, X) */
  grouping: string;
  /** -1: not given */
  precision: number;
  /** '' when omitted */
  type: string;
}

const ALIGNS = '<>=^';
const PY_SSIZE_T_MAX = (1n << 63n) - 1n;
const INT_MAX = 2 ** 31 - 1;

/** A presentation type as CPython's messages quote it: the character, or \x.. outside printable ASCII. */
function codeText(type: string): string {
  const c = type.codePointAt(0) as number;
  return c > 32 && c < 128 ? type : `\\x${c.toString(16)}`;
}

function parseSpec(spec: string, typeName: string, defaultType: string, defaultAlign: string): Spec {
  const cs = Array.from(spec);
  const end = cs.length;
  let pos = 0;
  const out: Spec = {
    fill: ' ',
    align: defaultAlign,
    sign: '',
    noNeg0: false,
    alternate: false,
    width: -1,
    grouping: '',
    precision: -1,
    type: defaultType,
  };
  let fillSpecified = false;
  let alignSpecified = false;
  if (end - pos >= 2 && ALIGNS.includes(cs[pos + 1])) {
    out.align = cs[pos + 1];
    out.fill = cs[pos];
    fillSpecified = true;
    alignSpecified = true;
    pos += 2;
  } else if (end - pos >= 1 && ALIGNS.includes(cs[pos])) {
    out.align = cs[pos];
    alignSpecified = true;
    pos++;
  }
  if (end - pos >= 1 && (cs[pos] === '+' || cs[pos] === '-' || cs[pos] === ' ')) out.sign = cs[pos++];
  if (end - pos >= 1 && cs[pos] === 'z') {
    out.noNeg0 = true;
    pos++;
  }
  if (end - pos >= 1 && cs[pos] === '#') {
    out.alternate = true;
    pos++;
  }
  if (!fillSpecified && end - pos >= 1 && cs[pos] === '0') {
    out.fill = '0';
    if (!alignSpecified && defaultAlign === '>') out.align = '=';
    pos++;
  }
  const readInt = (): number => {
    let acc = 0n;
    let n = 0;
    while (pos < end && cs[pos] >= '0' && cs[pos] <= '9') {
      const d = BigInt(cs[pos].charCodeAt(0) - 48);
      if (acc > (PY_SSIZE_T_MAX - d) / 10n) throw new FormatError('Too many decimal digits in format string');
      acc = acc * 10n + d;
      pos++;
      n++;
    }
    return n === 0 ? -1 : Number(acc);
  };
  out.width = readInt();
  if (end - pos >= 1 && cs[pos] === ',') {
    out.grouping = ',';
    pos++;
  }
  if (end - pos >= 1 && cs[pos] === '_') {
    if (out.grouping !== '') throw new FormatError("Cannot specify both ',' and '_'.");
    out.grouping = '_';
    pos++;
  }
  if (end - pos >= 1 && cs[pos] === ',' && out.grouping === '_')
    throw new FormatError("Cannot specify both ',' and '_'.");
  if (end - pos >= 1 && cs[pos] === '.') {
    pos++;
    out.precision = readInt();
    if (out.precision === -1) throw new FormatError('Format specifier missing precision');
  }
  if (end - pos > 1) throw new FormatError(`Invalid format specifier '${spec}' for object of type '${typeName}'`);
  if (end - pos === 1) out.type = cs[pos];
  if (out.grouping !== '') {
    switch (out.type) {
      case 'd':
      case 'e':
      case 'f':
      case 'g':
      case 'E':
      case 'G':
      case '%':
      case 'F':
      case '':
        break;
      case 'b':
      case 'o':
      case 'x':
      case 'X':
        // Underscores every four digits in bin/oct/hex (PEP 515); ',' is an error as below.
        if (out.grouping !== '_') throw invalidGrouping(out);
        out.grouping = '_4';
        break;
      default:
        throw invalidGrouping(out);
    }
  }
  return out;
}

function invalidGrouping(spec: Spec): FormatError {
  return new FormatError(`Cannot specify '${spec.grouping}' with '${codeText(spec.type)}'.`);
}

function unknownCode(type: string, typeName: string): FormatError {
  return new FormatError(`Unknown format code '${codeText(type)}' for object of type '${typeName}'`);
}

// ---------------------------------------------------------------------------
// Padding, sign and digit grouping (calc_number_widths + fill_number)

/**
 * Lays out a number: `digits` are the integer digits (grouped), `remainder`
 * what follows them (decimal point, fraction, exponent, '%'), `prefix` the
 * 0x/0b/0o of the alternate form.
 */
function layoutNumber(spec: Spec, negative: boolean, prefix: string, digits: string, remainder: string): string {
  let sign = '';
  if (spec.sign === '+') sign = negative ? '-' : '+';
  else if (spec.sign === ' ') sign = negative ? '-' : ' ';
  else if (negative) sign = '-';
  const fixed = sign.length + prefix.length + Array.from(remainder).length;
  const minWidth = spec.fill === '0' && spec.align === '=' ? spec.width - fixed : 0;
  const grouped = digits.length === 0 ? '' : groupDigits(digits, minWidth, spec.grouping);
  const padding = spec.width - (fixed + grouped.length);
  let lpad = 0;
  let spad = 0;
  let rpad = 0;
  if (padding > 0) {
    if (spec.align === '<') rpad = padding;
    else if (spec.align === '^') {
      lpad = padding >> 1;
      rpad = padding - lpad;
    } else if (spec.align === '=') spad = padding;
    else lpad = padding;
  }
  const f = spec.fill;
  return f.repeat(lpad) + sign + prefix + f.repeat(spad) + grouped + remainder + f.repeat(rpad);
}

/**
 * _PyUnicode_InsertThousandsGrouping: separators every 3 (or 4) digits from
 * the right, padding with '0' (and separators) up to minWidth for '0' fill.
 */
function groupDigits(digits: string, minWidth: number, grouping: string): string {
  minWidth = Math.max(0, minWidth);
  const sep = grouping === '' ? '' : grouping[0];
  const size = grouping === '' ? 0 : grouping === '_4' ? 4 : 3;
  const parts: string[] = [];
  let remaining = digits.length;
  let done = false;
  if (size > 0) {
    for (;;) {
      const len = Math.min(size, Math.max(remaining, minWidth, 1));
      const zeros = Math.max(0, len - remaining);
      const chars = Math.max(0, Math.min(remaining, len));
      parts.push('0'.repeat(zeros) + digits.slice(remaining - chars, remaining));
      remaining -= chars;
      minWidth -= len;
      if (remaining <= 0 && minWidth <= 0) {
        done = true;
        break;
      }
      minWidth -= sep.length;
    }
  }
  if (!done) {
    const len = Math.max(remaining, minWidth, 1);
    const zeros = Math.max(0, len - remaining);
    const chars = Math.max(0, Math.min(remaining, len));
    parts.push('0'.repeat(zeros) + digits.slice(remaining - chars, remaining));
  }
  return parts.reverse().join(sep);
}

// ---------------------------------------------------------------------------
// Exact decimal digits of a double (what David Gay's dtoa computes)

/** Significant decimal digits (no leading/trailing zeros; '0' for zero) and the decimal point position: |x| = 0.DIGITS × 10^decpt. */
export interface Decimal {
  digits: string;
  decpt: number;
}

const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const pow5Cache: bigint[] = [1n];

function pow5(n: number): bigint {
  for (let i = pow5Cache.length; i <= n; i++) pow5Cache.push(pow5Cache[i - 1] * 5n);
  return pow5Cache[n];
}

/** Every decimal digit of a finite double's absolute value, exactly. */
export function exactDecimal(x: number): Decimal {
  x = Math.abs(x);
  if (x === 0) return { digits: '0', decpt: 1 };
  f64[0] = x;
  const hi = u32[LITTLE_ENDIAN ? 1 : 0];
  const lo = u32[LITTLE_ENDIAN ? 0 : 1];
  const biased = hi >>> 20;
  let mant = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let e: number;
  if (biased === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = biased - 1075;
  }
  let text: string;
  let scale: number;
  if (e >= 0) {
    text = (mant << BigInt(e)).toString();
    scale = 0;
  } else {
    // Drop factors of two first: fewer digits to multiply.
    while ((mant & 1n) === 0n && e < 0) {
      mant >>= 1n;
      e++;
    }
    text = (mant * pow5(-e)).toString();
    scale = -e;
  }
  const decpt = text.length - scale;
  return { digits: stripZeros(text), decpt };
}

function stripZeros(s: string): string {
  let n = s.length;
  while (n > 1 && s.charCodeAt(n - 1) === 48) n--;
  return s.slice(0, n);
}

/** Rounds to `keep` leading digits, half to even (exact: `d` holds every digit). */
function roundDecimal(d: Decimal, keep: number): Decimal {
  const s = d.digits;
  if (d.digits === '0' || keep >= s.length) return d;
  if (keep < 0) return { digits: '0', decpt: 1 };
  const next = s.charCodeAt(keep) - 48;
  let up: boolean;
  if (next !== 5) up = next > 5;
  else if (keep + 1 < s.length)
    up = true; // digits are stripped, so anything after is nonzero
  else up = keep > 0 && (s.charCodeAt(keep - 1) - 48) % 2 === 1;
  if (!up) return keep === 0 ? { digits: '0', decpt: 1 } : { digits: stripZeros(s.slice(0, keep)), decpt: d.decpt };
  let i = keep - 1;
  while (i >= 0 && s[i] === '9') i--;
  if (i < 0) return { digits: '1', decpt: d.decpt + 1 };
  return { digits: s.slice(0, i) + String.fromCharCode(s.charCodeAt(i) + 1), decpt: d.decpt };
}

/** Shortest digits that round-trip (dtoa mode 0), as repr() uses. */
function shortestDecimal(x: number): Decimal {
  x = Math.abs(x);
  if (x === 0) return { digits: '0', decpt: 1 };
  const [mant, exp] = x.toExponential().split('e');
  return { digits: mant.replace('.', ''), decpt: Number(exp) + 1 };
}

/**
 * PyOS_double_to_string for a finite or non-finite double: `code` is one of
 * e E f F g G r, precision as Python passes it, the flags as CPython's.
 * Returns the text with a leading '-' when the sign bit is set (never '+').
 */
export function doubleToString(
  x: number,
  code: string,
  precision: number,
  opts: { addDot0?: boolean; alternate?: boolean; noNegZero?: boolean } = {},
): string {
  const upper = code === 'E' || code === 'F' || code === 'G';
  const lc = code.toLowerCase();
  let negative = x < 0 || Object.is(x, -0);
  if (x !== x) return upper ? 'NAN' : 'nan';
  if (!Number.isFinite(x)) return (negative ? '-' : '') + (upper ? 'INF' : 'inf');
  let d: Decimal;
  if (lc === 'e') {
    precision++;
    d = roundDecimal(exactDecimal(x), precision);
  } else if (lc === 'f') {
    const exact = exactDecimal(x);
    d = roundDecimal(exact, exact.decpt + precision);
  } else if (lc === 'g') {
    if (precision === 0) precision = 1;
    d = roundDecimal(exactDecimal(x), precision);
  } else d = shortestDecimal(x);
  if (opts.noNegZero && negative && d.digits === '0') negative = false;

  const digits = d.digits;
  const digitsLen = digits.length;
  let decpt = d.decpt;
  let vEnd = digitsLen;
  let useExp = false;
  const alt = opts.alternate === true;
  const addDot0 = opts.addDot0 === true;
  if (lc === 'e') {
    useExp = true;
    vEnd = precision;
  } else if (lc === 'f') vEnd = decpt + precision;
  else if (lc === 'g') {
    if (decpt <= -4 || decpt > (addDot0 ? precision - 1 : precision)) useExp = true;
    if (alt) vEnd = precision;
  } else if (decpt <= -4 || decpt > 16) useExp = true;
  let exp = 0;
  if (useExp) {
    exp = decpt - 1;
    decpt = 1;
  }
  const vStart = decpt <= 0 ? decpt - 1 : 0;
  if (!useExp && addDot0) vEnd = vEnd > decpt ? vEnd : decpt + 1;
  else vEnd = vEnd > decpt ? vEnd : decpt;

  let out = negative ? '-' : '';
  if (decpt <= 0) out += '0'.repeat(decpt - vStart) + '.' + '0'.repeat(-decpt);
  else out += '0'.repeat(-vStart);
  if (decpt > 0 && decpt <= digitsLen) out += digits.slice(0, decpt) + '.' + digits.slice(decpt);
  else out += digits;
  if (digitsLen < decpt) out += '0'.repeat(decpt - digitsLen) + '.' + '0'.repeat(vEnd - decpt);
  else out += '0'.repeat(vEnd - digitsLen);
  if (out.endsWith('.') && !alt) out = out.slice(0, -1);
  if (useExp) {
    const a = Math.abs(exp);
    out += (upper ? 'E' : 'e') + (exp < 0 ? '-' : '+') + (a < 10 ? `0${a}` : String(a));
  }
  return out;
}

// ---------------------------------------------------------------------------
// The three formatters: float, int, str

function formatFloat(x: number, spec: Spec): string {
  if (spec.precision > INT_MAX) throw new FormatError('precision too big');
  let type = spec.type;
  let precision = spec.precision;
  let defaultPrecision = 6;
  let addDot0 = false;
  if (type === '') {
    addDot0 = true;
    type = 'r';
    defaultPrecision = 0;
  }
  if (type === 'n') type = 'g';
  let pct = false;
  if (type === '%') {
    type = 'f';
    x *= 100;
    pct = true;
  }
  if (precision < 0) precision = defaultPrecision;
  else if (type === 'r') type = 'g';
  let text = doubleToString(x, type, precision, { addDot0, alternate: spec.alternate, noNegZero: spec.noNeg0 });
  if (pct) text += '%';
  const negative = text.startsWith('-');
  if (negative) text = text.slice(1);
  let n = 0;
  while (n < text.length && text.charCodeAt(n) >= 48 && text.charCodeAt(n) <= 57) n++;
  return layoutNumber(spec, negative, '', text.slice(0, n), text.slice(n));
}

function formatInt(v: bigint, spec: Spec): string {
  if (spec.precision !== -1) throw new FormatError('Precision not allowed in integer format specifier');
  if (spec.noNeg0) throw new FormatError('Negative zero coercion (z) not allowed in integer format specifier');
  if (spec.type === 'c') {
    if (spec.sign !== '') throw new FormatError("Sign not allowed with integer format specifier 'c'");
    if (spec.alternate) throw new FormatError("Alternate form (#) not allowed with integer format specifier 'c'");
    if (v < -(1n << 63n) || v >= 1n << 63n)
      throw new FormatError('Python int too large to convert to C long', 'OverflowError');
    if (v < 0n || v > 0x10ffffn) throw new FormatError('%c arg not in range(0x110000)', 'OverflowError');
    return layoutNumber(spec, false, '', '', String.fromCodePoint(Number(v)));
  }
  const base = spec.type === 'b' ? 2 : spec.type === 'o' ? 8 : spec.type === 'x' || spec.type === 'X' ? 16 : 10;
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString(base);
  let prefix = spec.alternate && base !== 10 ? `0${spec.type}` : '';
  if (spec.type === 'X') {
    digits = digits.toUpperCase();
    prefix = prefix.toUpperCase();
  }
  return layoutNumber(spec, negative, prefix, digits, '');
}

function formatStr(s: string, spec: Spec): string {
  if (spec.sign !== '')
    throw new FormatError(
      spec.sign === ' '
        ? 'Space not allowed in string format specifier'
        : 'Sign not allowed in string format specifier',
    );
  if (spec.noNeg0) throw new FormatError('Negative zero coercion (z) not allowed in string format specifier');
  if (spec.alternate) throw new FormatError('Alternate form (#) not allowed in string format specifier');
  if (spec.align === '=') throw new FormatError("'=' alignment not allowed in string format specifier");
  let chars = Array.from(s);
  if (spec.precision >= 0 && chars.length > spec.precision) chars = chars.slice(0, spec.precision);
  const padding = spec.width - chars.length;
  const body = chars.join('');
  if (padding <= 0) return body;
  if (spec.align === '>') return spec.fill.repeat(padding) + body;
  if (spec.align === '^') {
    const l = padding >> 1;
    return spec.fill.repeat(l) + body + spec.fill.repeat(padding - l);
  }
  return body + spec.fill.repeat(padding);
}

/**
 * `format(value, spec)`: Python's format-spec mini-language for int (bigint),
 * float (number), bool and str. Throws FormatError with CPython's message.
 */
export function formatValue(value: FormatValue, spec: string): string {
  const typeName = pyTypeName(value);
  if (spec === '') return pyStr(value);
  if (typeof value === 'string') {
    const s = parseSpec(spec, typeName, 's', '<');
    if (s.type !== 's') throw unknownCode(s.type, typeName);
    return formatStr(value, s);
  }
  if (typeof value === 'number') {
    const s = parseSpec(spec, typeName, '', '>');
    if (!'eEfFgGn%'.includes(s.type)) throw unknownCode(s.type, typeName);
    return formatFloat(value, s);
  }
  const int = typeof value === 'boolean' ? (value ? 1n : 0n) : value;
  const s = parseSpec(spec, typeName, 'd', '>');
  switch (s.type) {
    case 'b':
    case 'c':
    case 'd':
    case 'o':
    case 'x':
    case 'X':
    case 'n':
      return formatInt(int, s);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
    case '%': {
      const x = Number(int);
      if (!Number.isFinite(x)) throw new FormatError('int too large to convert to float', 'OverflowError');
      return formatFloat(x, s);
    }
    default:
      throw unknownCode(s.type, typeName);
  }
}
