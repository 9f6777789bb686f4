/**
 * The tokenizer of the Python subset: turns untrusted source text into the
 * tokens the parser reads (NAME, NUMBER, STRING, FSTRING, OP, NEWLINE, INDENT,
 * DEDENT, ENDMARKER), following Python 3's lexical rules: an indentation stack,
 * implicit line joining inside brackets, backslash continuation, Unicode
 * identifiers, exact integer literals, f-strings with their replacement fields
 * already split into token lists. It exists as its own module so that the
 * scanner can be hand-written and linear in time (no backtracking regular
 * expressions), and so that every lexical error is a located PySyntaxError.
 *
 * Positions follow ast.ts: lines 1-based, columns 0-based UTF-16 offsets,
 * ends exclusive. A BOM at the start is skipped and not counted in columns.
 */

import { PySyntaxError, type Range } from './ast';

export type TokenKind = 'NAME' | 'NUMBER' | 'STRING' | 'FSTRING' | 'OP' | 'NEWLINE' | 'INDENT' | 'DEDENT' | 'ENDMARKER';

export interface Token extends Range {
  readonly kind: TokenKind;
  /**
   * NAME: the identifier (NFKC-normalized, as Python does) or keyword; OP: the
   * operator; NUMBER, STRING, FSTRING: the literal's source text; NEWLINE: the
   * line break (empty at the end of input); INDENT: the indentation; DEDENT,
   * ENDMARKER: empty.
   */
  readonly text: string;
  /** NUMBER: bigint for integers, number for floats; STRING: the decoded value. */
  readonly value?: bigint | number | string;
  /** FSTRING: the literal text and replacement fields, in order. */
  readonly parts?: readonly FStringTokenPart[];
}

/**
 * A replacement field `{expr!conv:spec}` of an f-string, with its range (from
 * `{` to `}` inclusive). `tokens` are the expression's tokens at their true
 * source positions, ending with an ENDMARKER placed on the character that ended
 * the expression (`}`, `!`, `:` or `=`).
 */
export interface FStringFieldToken extends Range {
  readonly kind: 'field';
  readonly tokens: readonly Token[];
  /** 'r', 's', 'a' or null */
  readonly conversion: string | null;
  readonly spec: readonly FStringTokenPart[] | null;
  /** For `{x=}`: the source text from after `{` through `=` and the spaces after it. */
  readonly debugText: string | null;
}

export type FStringTokenPart = { readonly kind: 'text'; readonly value: string } | FStringFieldToken;

/** Python's hard keywords (soft keywords such as `match` and `type` are names). */
export const KEYWORDS: ReadonlySet<string> = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del',
  'elif', 'else', 'except', 'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal',
  'not', 'or', 'pass', 'raise', 'return', 'try', 'while', 'with', 'yield',
]); // prettier-ignore

/** Most brackets open at once (Python's MAXLEVEL). */
export const MAX_PAREN_LEVEL = 200;
/** Most indentation levels (Python's MAXINDENT). */
export const MAX_INDENT_LEVEL = 100;
/** Most f-strings nested inside each other's replacement fields. */
export const MAX_FSTRING_LEVEL = 50;
/** Python's default limit on decimal digits in an int (sys.get_int_max_str_digits()). */
export const MAX_INT_DIGITS = 4300;

const TAB = 9;
const LF = 10;
const FF = 12;
const CR = 13;
const SPACE = 32;
const DQUOTE = 34;
const HASH = 35;
const SQUOTE = 39;
const DOT = 46;
const BACKSLASH = 92;
const UNDERSCORE = 95;
const LBRACE = 123;
const RBRACE = 125;
const EXCLAIM = 33;
const EQUALS = 61;
const COLON = 58;

const XID_START = /\p{XID_Start}/u;
const XID_CONTINUE = /\p{XID_Continue}/u;
const NON_PRINTABLE = /[\p{C}\p{Z}]/u;

const OPS3: ReadonlySet<string> = new Set(['**=', '//=', '>>=', '<<=', '...']);
const OPS2: ReadonlySet<string> = new Set([
  '**', '//', '>>', '<<', '<=', '>=', '==', '!=', '->', ':=',
  '+=', '-=', '*=', '/=', '%=', '@=', '&=', '|=', '^=',
]); // prettier-ignore
const OPS1 = '+-*/%@&|^~<>()[]{},:;.=!';
const ONE_CHAR_OPS: (string | undefined)[] = new Array<string | undefined>(128).fill(undefined);
for (const ch of OPS1) ONE_CHAR_OPS[ch.charCodeAt(0)] = ch;
const OPS_SECOND: ReadonlySet<number> = new Set([...OPS2, ...OPS3].map((o) => o.charCodeAt(1)));
const OPS3_FIRST: ReadonlySet<number> = new Set([...OPS3].map((o) => o.charCodeAt(0)));
const CLOSER: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
const STRING_PREFIXES: ReadonlySet<string> = new Set(['r', 'u', 'f', 'b', 'br', 'rb', 'fr', 'rf']);

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isOctDigit(c: number): boolean {
  return c >= 48 && c <= 55;
}
function isBinDigit(c: number): boolean {
  return c === 48 || c === 49;
}
function isHexDigit(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}
function isAsciiIdStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === UNDERSCORE;
}
function isAsciiIdContinue(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === UNDERSCORE || (c >= 48 && c <= 57);
}
function hex(cp: number): string {
  return cp.toString(16).toUpperCase().padStart(4, '0');
}
function normalizeNewlines(s: string): string {
  return s.indexOf('\r') < 0 ? s : s.replace(/\r\n?/g, '\n');
}

interface Bracket {
  readonly ch: string;
  readonly offset: number;
  readonly line: number;
}

/** How the f-string being scanned is delimited. */
interface Quote {
  readonly quote: number;
  readonly triple: boolean;
  readonly raw: boolean;
  readonly f: boolean;
  readonly startOffset: number;
}

/**
 * A pull tokenizer: `next()` returns one token at a time, so errors surface in
 * source order as the parser reads. After ENDMARKER it keeps returning it.
 */
export class Tokenizer {
  private readonly src: string;
  private readonly end: number;
  private readonly firstLineStart: number;
  private pos: number;
  private line = 1;
  private lineStart: number;
  private readonly indents: number[] = [0];
  private readonly altIndents: number[] = [0];
  private readonly brackets: Bracket[] = [];
  /** Brackets open in total, f-string replacement fields included. */
  private level = 0;
  private fstringLevel = 0;
  private atLineStart = true;
  private lastKind: TokenKind | null = null;
  private queue: Token[] = [];
  private qi = 0;
  private endToken: Token | null = null;

  constructor(source: string) {
    this.src = source;
    this.end = source.length;
    this.pos = source.charCodeAt(0) === 0xfeff ? 1 : 0;
    this.lineStart = this.pos;
    this.firstLineStart = this.pos;
    this.checkCharacters();
  }

  next(): Token {
    for (;;) {
      if (this.qi < this.queue.length) return this.queue[this.qi++];
      if (this.endToken) return this.endToken;
      if (this.qi > 0) {
        this.queue = [];
        this.qi = 0;
      }
      const tok = this.fill();
      if (tok !== null) {
        this.lastKind = tok.kind;
        return tok;
      }
    }
  }

  // ------------------------------------------------------------ positions

  private code(i: number): number {
    return i < this.end ? this.src.charCodeAt(i) : -1;
  }

  /** Line and column of an offset (used for errors only: scans from the start). */
  private lineColOf(offset: number): { line: number; col: number } {
    const src = this.src;
    let line = 1;
    let start = this.firstLineStart;
    for (let i = this.firstLineStart; i < offset; i++) {
      const c = src.charCodeAt(i);
      if (c === LF || (c === CR && src.charCodeAt(i + 1) !== LF)) {
        line++;
        start = i + 1;
      }
    }
    return { line, col: Math.max(0, offset - start) };
  }

  private rangeOf(startOffset: number, endOffset: number): Range {
    const a = this.lineColOf(startOffset);
    const b = endOffset === startOffset ? a : this.lineColOf(endOffset);
    return { line: a.line, col: a.col, endLine: b.line, endCol: b.col };
  }

  private error(
    message: string,
    startOffset: number,
    endOffset = startOffset + 1,
    type: 'SyntaxError' | 'IndentationError' | 'TabError' = 'SyntaxError',
  ): PySyntaxError {
    const e = Math.min(Math.max(endOffset, startOffset), this.end);
    return new PySyntaxError(message, this.rangeOf(Math.min(startOffset, this.end), e), type);
  }

  private consumeNewline(): void {
    if (this.src.charCodeAt(this.pos) === CR && this.src.charCodeAt(this.pos + 1) === LF) this.pos += 2;
    else this.pos += 1;
    this.line++;
    this.lineStart = this.pos;
  }

  /** Every token has the same fields (one hidden class for the parser's property reads). */
  private make(
    kind: TokenKind,
    text: string,
    line: number,
    col: number,
    value?: bigint | number | string,
    parts?: readonly FStringTokenPart[],
  ): Token {
    return { kind, text, value, parts, line, col, endLine: this.line, endCol: this.pos - this.lineStart };
  }

  /** Queue a token (only INDENT, DEDENT, NEWLINE and ENDMARKER go through the queue). */
  private push(tok: Token): void {
    this.queue.push(tok);
    this.lastKind = tok.kind;
  }

  // ------------------------------------------------------------ whole input

  /** NUL bytes and lone surrogates are rejected up front, as Python does. */
  private checkCharacters(): void {
    const re = /[\0\uD800-\uDFFF]/g;
    const src = this.src;
    let m: RegExpExecArray | null;
    while ((m = re.exec(src)) !== null) {
      const i = m.index;
      const c = src.charCodeAt(i);
      if (c === 0) throw this.error('source code cannot contain null bytes', i);
      if (c <= 0xdbff) {
        const d = src.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          re.lastIndex = i + 2;
          continue;
        }
      }
      throw this.error(`invalid character: lone surrogate U+${hex(c)}`, i);
    }
  }

  /** Return the next ordinary token, or null after queueing others or consuming a blank line. */
  private fill(): Token | null {
    if (this.atLineStart) {
      this.atLineStart = false;
      if (this.brackets.length === 0 && this.indentation()) return null;
    }
    this.skipSpace();
    let c = this.code(this.pos);
    if (c === HASH) {
      this.skipComment();
      c = this.code(this.pos);
    }
    if (c < 0) {
      this.finish();
      return null;
    }
    if (c === LF || c === CR) {
      const col = this.pos - this.lineStart;
      const line = this.line;
      const text = c === CR && this.code(this.pos + 1) === LF ? '\r\n' : c === CR ? '\r' : '\n';
      this.consumeNewline();
      if (this.brackets.length === 0) {
        this.atLineStart = true;
        return this.tok('NEWLINE', text, line, col, line, col + text.length);
      }
      return null;
    }
    if (c === BACKSLASH) {
      const at = this.pos;
      this.pos++;
      const d = this.code(this.pos);
      if (d === LF || d === CR) {
        this.consumeNewline();
        if (this.pos >= this.end) throw this.error('unexpected EOF while parsing', at);
        return null;
      }
      if (d < 0) throw this.error('unexpected EOF while parsing', at);
      throw this.error('unexpected character after line continuation character', at);
    }
    return this.scanToken(this.brackets, false);
  }

  private tok(kind: TokenKind, text: string, line: number, col: number, endLine: number, endCol: number): Token {
    return { kind, text, value: undefined, parts: undefined, line, col, endLine, endCol };
  }

  private skipSpace(): void {
    const src = this.src;
    let p = this.pos;
    for (;;) {
      const c = src.charCodeAt(p);
      if (c === SPACE || c === TAB || c === FF) p++;
      else break;
    }
    this.pos = p;
  }

  private skipComment(): void {
    const src = this.src;
    let p = this.pos;
    const end = this.end;
    while (p < end) {
      const c = src.charCodeAt(p);
      if (c === LF || c === CR) break;
      p++;
    }
    this.pos = p;
  }

  /**
   * At the start of a logical line: measure the indentation (tabs to multiples
   * of 8, and again with tabs as 1 to detect inconsistent mixing, as CPython
   * does), skip blank and comment-only lines, push INDENT/DEDENT tokens.
   * Returns true when it handled the line (tokens pushed or blank line eaten).
   */
  private indentation(): boolean {
    const src = this.src;
    let col = 0;
    let alt = 0;
    let p = this.pos;
    for (;;) {
      const c = src.charCodeAt(p);
      if (c === SPACE) {
        col++;
        alt++;
      } else if (c === TAB) {
        col = (Math.floor(col / 8) + 1) * 8;
        alt++;
      } else if (c === FF) {
        col = 0;
        alt = 0;
      } else break;
      p++;
    }
    this.pos = p;
    const c = this.code(p);
    if (c === HASH || c === LF || c === CR || c < 0) {
      if (c === HASH) this.skipComment();
      const d = this.code(this.pos);
      if (d < 0) {
        this.finish();
        return true;
      }
      this.consumeNewline();
      this.atLineStart = true;
      return true;
    }
    const line = this.line;
    const width = p - this.lineStart;
    const indents = this.indents;
    const alts = this.altIndents;
    const top = indents[indents.length - 1];
    if (col === top) {
      if (alt !== alts[alts.length - 1])
        throw this.error('inconsistent use of tabs and spaces in indentation', this.lineStart, p, 'TabError');
      return false;
    }
    if (col > top) {
      if (alt <= alts[alts.length - 1])
        throw this.error('inconsistent use of tabs and spaces in indentation', this.lineStart, p, 'TabError');
      if (indents.length > MAX_INDENT_LEVEL) {
        throw this.error('too many levels of indentation', this.lineStart, p, 'IndentationError');
      }
      indents.push(col);
      alts.push(alt);
      this.push(this.tok('INDENT', src.slice(this.lineStart, p), line, 0, line, width));
      return true;
    }
    let pushed = false;
    while (indents.length > 1 && col < indents[indents.length - 1]) {
      indents.pop();
      alts.pop();
      this.push(this.tok('DEDENT', '', line, width, line, width));
      pushed = true;
    }
    if (col !== indents[indents.length - 1]) {
      throw this.error('unindent does not match any outer indentation level', this.lineStart, p, 'IndentationError');
    }
    if (alt !== alts[alts.length - 1])
      throw this.error('inconsistent use of tabs and spaces in indentation', this.lineStart, p, 'TabError');
    return pushed;
  }

  private finish(): void {
    if (this.brackets.length > 0) {
      const b = this.brackets[this.brackets.length - 1];
      throw this.error(`'${b.ch}' was never closed`, b.offset);
    }
    const line = this.line;
    const col = this.pos - this.lineStart;
    if (this.lastKind !== null && this.lastKind !== 'NEWLINE' && this.lastKind !== 'DEDENT') {
      this.push(this.tok('NEWLINE', '', line, col, line, col));
    }
    while (this.indents.length > 1) {
      this.indents.pop();
      this.altIndents.pop();
      this.push(this.tok('DEDENT', '', line, col, line, col));
    }
    const end = this.tok('ENDMARKER', '', line, col, line, col);
    this.push(end);
    this.endToken = end;
  }

  // ------------------------------------------------------------ one token

  /** Scan one token starting at a non-space character. */
  private scanToken(brackets: Bracket[], inField: boolean): Token {
    const src = this.src;
    const start = this.pos;
    const line = this.line;
    const col = start - this.lineStart;
    const c = src.charCodeAt(start);
    if (isAsciiIdStart(c) || (c >= 0x80 && this.isIdStartAt(start))) {
      const name = this.scanName();
      const q = this.code(this.pos);
      if ((q === DQUOTE || q === SQUOTE) && name.length <= 2) {
        const prefix = name.toLowerCase();
        if (STRING_PREFIXES.has(prefix)) return this.scanString(start, prefix, line, col);
      }
      return this.make('NAME', name, line, col);
    }
    if (isDigit(c) || (c === DOT && isDigit(this.code(start + 1)))) return this.scanNumber(line, col);
    if (c === DQUOTE || c === SQUOTE) return this.scanString(start, '', line, col);
    const op = this.operatorAt(start, c);
    if (op) {
      this.pos = start + op.length;
      if (op === '(' || op === '[' || op === '{') {
        if (this.level >= MAX_PAREN_LEVEL) throw this.error('too many nested parentheses', start);
        brackets.push({ ch: op, offset: start, line });
        this.level++;
      } else if (op === ')' || op === ']' || op === '}') {
        const open = brackets[brackets.length - 1];
        const pre = inField ? 'f-string: ' : '';
        if (!open) throw this.error(`${pre}unmatched '${op}'`, start);
        if (open.ch !== CLOSER[op]) {
          const where = open.line !== line ? ` on line ${open.line}` : '';
          throw this.error(
            `${pre}closing parenthesis '${op}' does not match opening parenthesis '${open.ch}'${where}`,
            start,
          );
        }
        brackets.pop();
        this.level--;
      }
      return this.make('OP', op, line, col);
    }
    throw this.invalidCharacter(start);
  }

  /** The longest operator at `i` (first character `c`), or ''. */
  private operatorAt(i: number, c: number): string {
    const one = c < 128 ? ONE_CHAR_OPS[c] : undefined;
    if (one === undefined) return '';
    const src = this.src;
    const d = src.charCodeAt(i + 1);
    // Longer operators only when the next character can continue one.
    if (OPS_SECOND.has(d)) {
      if (OPS3_FIRST.has(c)) {
        const three = src.slice(i, i + 3);
        if (OPS3.has(three)) return three;
      }
      const two = src.slice(i, i + 2);
      if (OPS2.has(two)) return two;
    }
    return one;
  }

  private invalidCharacter(at: number): PySyntaxError {
    const cp = this.src.codePointAt(at) ?? 0;
    const ch = String.fromCodePoint(cp);
    const end = at + (cp > 0xffff ? 2 : 1);
    if (cp < 32 || cp === 127 || NON_PRINTABLE.test(ch)) {
      return this.error(`invalid non-printable character U+${hex(cp)}`, at, end);
    }
    return this.error(`invalid character '${ch}' (U+${hex(cp)})`, at, end);
  }

  private isIdStartAt(i: number): boolean {
    const cp = this.src.codePointAt(i) ?? 0;
    return XID_START.test(String.fromCodePoint(cp));
  }

  /** Scan an identifier whose first character was already checked. */
  private scanName(): string {
    const src = this.src;
    const start = this.pos;
    let p = start;
    let ascii = true;
    for (;;) {
      const c = src.charCodeAt(p);
      if (isAsciiIdContinue(c)) p++;
      else if (c >= 0x80 && p < this.end) {
        const cp = src.codePointAt(p) ?? 0;
        if (!XID_CONTINUE.test(String.fromCodePoint(cp))) break;
        p += cp > 0xffff ? 2 : 1;
        ascii = false;
      } else break;
    }
    this.pos = p;
    const name = src.slice(start, p);
    return ascii ? name : name.normalize('NFKC');
  }

  // ------------------------------------------------------------ numbers

  /** Digits of one radix with single underscores between them; returns how many digits. */
  private scanDigits(ok: (c: number) => boolean, kind: string): number {
    const src = this.src;
    let n = 0;
    for (;;) {
      while (ok(src.charCodeAt(this.pos))) {
        this.pos++;
        n++;
      }
      if (src.charCodeAt(this.pos) !== UNDERSCORE || n === 0) return n;
      this.pos++;
      if (!ok(src.charCodeAt(this.pos))) throw this.error(`invalid ${kind} literal`, this.pos - 1);
    }
  }

  private scanNumber(line: number, col: number): Token {
    const src = this.src;
    const start = this.pos;
    const c0 = src.charCodeAt(start);
    const c1 = this.code(start + 1) | 0x20;
    if (c0 === 48 && (c1 === 0x78 || c1 === 0x6f || c1 === 0x62)) {
      const radix = c1 === 0x78 ? 16 : c1 === 0x6f ? 8 : 2;
      const kind = radix === 16 ? 'hexadecimal' : radix === 8 ? 'octal' : 'binary';
      const ok = radix === 16 ? isHexDigit : radix === 8 ? isOctDigit : isBinDigit;
      this.pos += 2;
      if (src.charCodeAt(this.pos) === UNDERSCORE) this.pos++;
      const n = this.scanDigits(ok, kind);
      const d = this.code(this.pos);
      if (radix !== 16 && isDigit(d)) throw this.error(`invalid digit '${src[this.pos]}' in ${kind} literal`, this.pos);
      if (n === 0) throw this.error(`invalid ${kind} literal`, this.pos - 1);
      this.verifyEnd(kind);
      const text = src.slice(start, this.pos);
      return this.make('NUMBER', text, line, col, BigInt(text.replace(/_/g, '')));
    }
    // Fast path: a short run of digits ending the number (the common case).
    let p = start;
    while (isDigit(src.charCodeAt(p))) p++;
    const after = src.charCodeAt(p);
    if (
      p > start &&
      p - start <= 15 &&
      (c0 !== 48 || p - start === 1) &&
      !(after === UNDERSCORE || after === DOT || isAsciiIdContinue(after) || after >= 0x80)
    ) {
      this.pos = p;
      const text = src.slice(start, p);
      return this.make('NUMBER', text, line, col, BigInt(text));
    }
    let isFloat = false;
    const intDigits = this.scanDigits(isDigit, 'decimal');
    if (src.charCodeAt(this.pos) === DOT) {
      isFloat = true;
      this.pos++;
      if (isDigit(this.code(this.pos))) this.scanDigits(isDigit, 'decimal');
    }
    const e = this.code(this.pos) | 0x20;
    if (e === 0x65) {
      const save = this.pos;
      this.pos++;
      const s = this.code(this.pos);
      if (s === 43 || s === 45) this.pos++;
      if (!isDigit(this.code(this.pos))) {
        // `1else`: the `e` belongs to the keyword, as in CPython.
        if (src.startsWith('else', save) && (s | 0x20) === 0x6c) this.pos = save;
        else throw this.error('invalid decimal literal', start, this.pos);
      } else {
        isFloat = true;
        this.scanDigits(isDigit, 'decimal');
      }
    }
    if ((this.code(this.pos) | 0x20) === 0x6a) {
      throw this.error('complex numbers are not supported by Backprop Debugger', start, this.pos + 1);
    }
    this.verifyEnd('decimal');
    const text = src.slice(start, this.pos);
    const clean = text.indexOf('_') >= 0 ? text.replace(/_/g, '') : text;
    if (isFloat) return this.make('NUMBER', text, line, col, Number(clean));
    if (c0 === 48 && /[1-9]/.test(clean)) {
      throw this.error(
        'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers',
        start,
        this.pos,
      );
    }
    if (intDigits > MAX_INT_DIGITS) {
      throw this.error(
        `Exceeds the limit (${MAX_INT_DIGITS} digits) for integer string conversion: value has ${intDigits} digits`,
        start,
        this.pos,
      );
    }
    return this.make('NUMBER', text, line, col, BigInt(clean));
  }

  /** A number must not run into a name, except the keywords CPython allows (`1if x else 2`). */
  private verifyEnd(kind: string): void {
    const p = this.pos;
    const c = this.code(p);
    if (!(isAsciiIdContinue(c) || (c >= 0x80 && XID_CONTINUE.test(String.fromCodePoint(this.src.codePointAt(p) ?? 0)))))
      return;
    const src = this.src;
    for (const kw of ['and', 'else', 'for', 'if', 'in', 'is', 'not', 'or']) {
      if (src.startsWith(kw, p)) return;
    }
    throw this.error(`invalid ${kind} literal`, p - 1, p + 1);
  }

  // ------------------------------------------------------------ strings

  private unterminated(q: Quote): PySyntaxError {
    let detected = this.line;
    if (this.pos >= this.end && this.pos === this.lineStart && detected > 1) detected--;
    const what = `${q.triple ? 'triple-quoted ' : ''}${q.f ? 'f-string' : 'string'}`;
    let qEnd = q.startOffset;
    while (qEnd < this.end && this.src.charCodeAt(qEnd) !== q.quote) qEnd++;
    return this.error(
      `unterminated ${what} literal (detected at line ${detected})`,
      q.startOffset,
      qEnd + (q.triple ? 3 : 1),
    );
  }

  private atClosingQuote(q: Quote): boolean {
    const src = this.src;
    const p = this.pos;
    if (src.charCodeAt(p) !== q.quote) return false;
    return !q.triple || (src.charCodeAt(p + 1) === q.quote && src.charCodeAt(p + 2) === q.quote);
  }

  private scanString(start: number, prefix: string, line: number, col: number): Token {
    const src = this.src;
    const quote = src.charCodeAt(this.pos);
    const triple = src.charCodeAt(this.pos + 1) === quote && src.charCodeAt(this.pos + 2) === quote;
    const q: Quote = {
      quote,
      triple,
      raw: prefix.includes('r'),
      f: prefix.includes('f'),
      startOffset: start,
    };
    if (prefix.includes('b')) {
      throw this.error('bytes literals are not supported by Backprop Debugger', start, this.pos + 1);
    }
    this.pos += triple ? 3 : 1;
    if (q.f) {
      const parts = this.scanFStringParts(q, false, 0);
      this.pos += triple ? 3 : 1;
      return this.make('FSTRING', src.slice(start, this.pos), line, col, undefined, parts);
    }
    const contentStart = this.pos;
    const end = this.end;
    for (;;) {
      const p = this.pos;
      if (p >= end) throw this.unterminated(q);
      const c = src.charCodeAt(p);
      if (c === quote) {
        if (!triple) break;
        if (src.charCodeAt(p + 1) === quote && src.charCodeAt(p + 2) === quote) break;
        this.pos++;
      } else if (c === BACKSLASH) {
        this.pos++;
        const d = this.code(this.pos);
        if (d === LF || d === CR) this.consumeNewline();
        else if (d >= 0) this.pos++;
      } else if (c === LF || c === CR) {
        if (!triple) throw this.unterminated(q);
        this.consumeNewline();
      } else this.pos++;
    }
    const contentEnd = this.pos;
    this.pos += triple ? 3 : 1;
    const value = this.decode(contentStart, contentEnd, q.raw);
    return this.make('STRING', src.slice(start, this.pos), line, col, value);
  }

  /** The value of string content: escapes decoded (unless raw), line endings made `\n`. */
  private decode(start: number, end: number, raw: boolean): string {
    const src = this.src;
    let i = start;
    while (i < end) {
      const c = src.charCodeAt(i);
      if (c === BACKSLASH || c === CR) break;
      i++;
    }
    if (i === end) return src.slice(start, end);
    if (raw) return normalizeNewlines(src.slice(start, end));
    const out: string[] = [];
    let seg = start;
    while (i < end) {
      const c = src.charCodeAt(i);
      if (c === CR) {
        out.push(src.slice(seg, i), '\n');
        i += src.charCodeAt(i + 1) === LF && i + 1 < end ? 2 : 1;
        seg = i;
        continue;
      }
      if (c !== BACKSLASH) {
        i++;
        continue;
      }
      out.push(src.slice(seg, i));
      const at = i;
      const d = i + 1 < end ? src.charCodeAt(i + 1) : -1;
      i += 2;
      switch (d) {
        case -1:
          out.push('\\');
          i = end;
          break;
        case LF:
          break;
        case CR:
          if (i < end && src.charCodeAt(i) === LF) i++;
          break;
        case BACKSLASH:
          out.push('\\');
          break;
        case SQUOTE:
          out.push("'");
          break;
        case DQUOTE:
          out.push('"');
          break;
        case 0x61: // a
          out.push('\x07');
          break;
        case 0x62: // b
          out.push('\b');
          break;
        case 0x66: // f
          out.push('\f');
          break;
        case 0x6e: // n
          out.push('\n');
          break;
        case 0x72: // r
          out.push('\r');
          break;
        case 0x74: // t
          out.push('\t');
          break;
        case 0x76: // v
          out.push('\v');
          break;
        case 0x78: // x
        case 0x75: // u
        case 0x55: {
          // U
          const n = d === 0x78 ? 2 : d === 0x75 ? 4 : 8;
          let v = 0;
          for (let k = 0; k < n; k++) {
            const h = i + k < end ? src.charCodeAt(i + k) : -1;
            if (!isHexDigit(h)) {
              const name = d === 0x78 ? '\\xXX' : d === 0x75 ? '\\uXXXX' : '\\UXXXXXXXX';
              throw this.error(`(unicode error) truncated ${name} escape`, at, i + k);
            }
            v = v * 16 + parseInt(src[i + k], 16);
          }
          if (v > 0x10ffff) throw this.error('(unicode error) illegal Unicode character', at, i + n);
          out.push(String.fromCodePoint(v));
          i += n;
          break;
        }
        case 0x4e: // N
          throw this.error('\\N{...} escapes are not supported by Backprop Debugger', at, at + 2);
        default:
          if (d >= 48 && d <= 55) {
            let v = d - 48;
            for (let k = 0; k < 2 && i < end; k++) {
              const o = src.charCodeAt(i);
              if (o < 48 || o > 55) break;
              v = v * 8 + (o - 48);
              i++;
            }
            out.push(String.fromCharCode(v));
          } else {
            // Unknown escapes are kept as written, as in Python.
            out.push('\\');
            i = at + 1;
          }
      }
      seg = i;
    }
    out.push(src.slice(seg, end));
    return out.join('');
  }

  /**
   * The body of an f-string (or of a format spec when `inSpec`): literal text
   * and replacement fields. Stops before the closing quote (or, in a spec,
   * before the `}` that ends the field).
   */
  private scanFStringParts(q: Quote, inSpec: boolean, specLevel: number): FStringTokenPart[] {
    const src = this.src;
    const parts: FStringTokenPart[] = [];
    let chunks: string[] = [];
    let seg = this.pos;
    const flush = () => {
      if (this.pos > seg) chunks.push(this.decode(seg, this.pos, q.raw));
    };
    const pushText = () => {
      flush();
      const value = chunks.join('');
      if (value) parts.push({ kind: 'text', value });
      chunks = [];
    };
    for (;;) {
      const p = this.pos;
      if (p >= this.end) throw this.unterminated(q);
      const c = src.charCodeAt(p);
      if (c === q.quote && this.atClosingQuote(q)) {
        if (inSpec) throw this.error("f-string: expecting '}'", p);
        pushText();
        return parts;
      }
      if (c === LF || c === CR) {
        if (!q.triple) throw this.unterminated(q);
        this.consumeNewline();
      } else if (c === BACKSLASH) {
        this.pos++;
        const d = this.code(this.pos);
        if (!q.raw && d === 0x4e && this.code(this.pos + 1) === LBRACE) {
          throw this.error('\\N{...} escapes are not supported by Backprop Debugger', p, p + 2);
        }
        if (d === LF || d === CR) this.consumeNewline();
        else if (d >= 0 && d !== LBRACE && d !== RBRACE) this.pos++;
      } else if (c === LBRACE) {
        if (!inSpec && src.charCodeAt(p + 1) === LBRACE) {
          flush();
          chunks.push('{');
          this.pos += 2;
        } else {
          pushText();
          parts.push(this.scanField(q, specLevel));
        }
        seg = this.pos;
      } else if (c === RBRACE) {
        if (inSpec) {
          pushText();
          return parts;
        }
        if (src.charCodeAt(p + 1) !== RBRACE) throw this.error("f-string: single '}' is not allowed", p);
        flush();
        chunks.push('}');
        this.pos += 2;
        seg = this.pos;
      } else this.pos++;
    }
  }

  /** A replacement field, from `{` to `}`. */
  private scanField(q: Quote, specLevel: number): FStringFieldToken {
    const src = this.src;
    const openLine = this.line;
    const openCol = this.pos - this.lineStart;
    if (this.fstringLevel >= MAX_FSTRING_LEVEL) throw this.error('f-string: expressions nested too deeply', this.pos);
    if (this.level >= MAX_PAREN_LEVEL) throw this.error('too many nested parentheses', this.pos);
    this.fstringLevel++;
    this.level++;
    this.pos++;
    const exprStart = this.pos;
    const tokens: Token[] = [];
    const brackets: Bracket[] = [];
    let c: number;
    for (;;) {
      this.skipSpace();
      c = this.code(this.pos);
      if (c < 0) throw this.unterminated(q);
      if (c === LF || c === CR) {
        this.consumeNewline();
        continue;
      }
      if (brackets.length === 0) {
        if (c === RBRACE || c === COLON) break;
        if ((c === EXCLAIM || c === EQUALS) && this.code(this.pos + 1) !== EQUALS) break;
      }
      if (c === HASH) throw this.error("f-string expression part cannot include '#'", this.pos);
      if (c === BACKSLASH) throw this.error('f-string expression part cannot include a backslash', this.pos);
      if (c === q.quote && (q.triple ? this.atClosingQuote(q) : true)) {
        // Python 3.12 allows reusing the quote inside a field; when that cannot
        // be a complete string, the field was left open.
        const at = this.pos;
        const saveLine = this.line;
        const saveLineStart = this.lineStart;
        try {
          tokens.push(this.scanToken(brackets, true));
        } catch (e) {
          if (!(e instanceof PySyntaxError) || !/^unterminated/.test(e.message)) throw e;
          this.pos = at;
          this.line = saveLine;
          this.lineStart = saveLineStart;
          throw this.error("f-string: expecting '}'", at);
        }
        continue;
      }
      tokens.push(this.scanToken(brackets, true));
    }
    const termLine = this.line;
    const termCol = this.pos - this.lineStart;
    if (tokens.length === 0) {
      throw this.error(`f-string: valid expression required before '${String.fromCharCode(c)}'`, this.pos);
    }
    if (tokens[0].kind === 'NAME' && tokens[0].text === 'lambda') {
      const first = tokens[0];
      throw new PySyntaxError('f-string: lambda expressions are not allowed without parentheses', {
        line: first.line,
        col: first.col,
        endLine: termLine,
        endCol: termCol,
      });
    }
    tokens.push(this.tok('ENDMARKER', '', termLine, termCol, termLine, termCol + 1));
    let debugText: string | null = null;
    if (c === EQUALS) {
      this.pos++;
      for (;;) {
        this.skipSpace();
        const d = this.code(this.pos);
        if (d === LF || d === CR) this.consumeNewline();
        else break;
      }
      debugText = normalizeNewlines(src.slice(exprStart, this.pos));
      c = this.code(this.pos);
      if (c < 0) throw this.unterminated(q);
      if (c !== EXCLAIM && c !== COLON && c !== RBRACE) {
        throw this.error("f-string: expecting '!', or ':', or '}'", this.pos);
      }
    }
    let conversion: string | null = null;
    if (c === EXCLAIM) {
      this.pos++;
      const d = this.code(this.pos);
      if (!(isAsciiIdStart(d) || (d >= 0x80 && this.isIdStartAt(this.pos)))) {
        throw this.error('f-string: missing conversion character', this.pos);
      }
      const at = this.pos;
      const name = this.scanName();
      if (name !== 'r' && name !== 's' && name !== 'a') {
        throw this.error(`f-string: invalid conversion character '${name}': expected 's', 'r', or 'a'`, at, this.pos);
      }
      conversion = name;
      c = this.code(this.pos);
      if (c < 0) throw this.unterminated(q);
      if (c !== COLON && c !== RBRACE) throw this.error("f-string: expecting '}'", this.pos);
    }
    let spec: FStringTokenPart[] | null = null;
    if (c === COLON) {
      if (specLevel >= 2) throw this.error('f-string: expressions nested too deeply', this.pos);
      this.pos++;
      spec = this.scanFStringParts(q, true, specLevel + 1);
      c = this.code(this.pos);
    }
    if (c !== RBRACE) throw this.error("f-string: expecting '}'", this.pos);
    this.pos++;
    this.fstringLevel--;
    this.level--;
    return {
      kind: 'field',
      tokens,
      conversion,
      spec,
      debugText,
      line: openLine,
      col: openCol,
      endLine: this.line,
      endCol: this.pos - this.lineStart,
    };
  }
}

/** All tokens of a source text, ending with ENDMARKER. Throws PySyntaxError. */
export function tokenize(source: string): Token[] {
  const t = new Tokenizer(source);
  const out: Token[] = [];
  for (;;) {
    const tok = t.next();
    out.push(tok);
    if (tok.kind === 'ENDMARKER') return out;
  }
}
