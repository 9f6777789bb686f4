// Tokenizer tests: token kinds and exact positions, Python's indentation and
// line-joining rules, number and string literals, f-string fields, located
// errors (line AND column pinned), and the linear-time budget on huge inputs.
import { strict as assert } from 'node:assert';
import { PySyntaxError } from '../../src/lang/ast';
import { tokenize, Tokenizer, type FStringFieldToken, type Token } from '../../src/lang/tokenizer';

/** `KIND:text` for each token (ENDMARKER left out). */
function kinds(src: string): string[] {
  return tokenize(src)
    .filter((t) => t.kind !== 'ENDMARKER')
    .map((t) => (t.kind === 'NAME' || t.kind === 'OP' || t.kind === 'NUMBER' ? `${t.kind}:${t.text}` : t.kind));
}

function pos(t: { line: number; col: number; endLine: number; endCol: number }): string {
  return `${t.line}:${t.col}-${t.endLine}:${t.endCol}`;
}

function only(src: string, kind: Token['kind']): Token {
  const found = tokenize(src).filter((t) => t.kind === kind);
  assert.equal(found.length, 1, `one ${kind} in ${JSON.stringify(src)}`);
  return found[0];
}

/** The error tokenizing `src` gives: [type, message, line, col]. */
function err(src: string): [string, string, number, number] {
  try {
    tokenize(src);
  } catch (e) {
    assert.ok(e instanceof PySyntaxError, `PySyntaxError expected, got ${String(e)}`);
    return [e.pyType, e.message, e.range.line, e.range.col];
  }
  assert.fail(`no error for ${JSON.stringify(src)}`);
}

function fields(t: Token): FStringFieldToken[] {
  return (t.parts ?? []).filter((p): p is FStringFieldToken => p.kind === 'field');
}

describe('tokenizer: structure', () => {
  it('emits NEWLINE, INDENT and DEDENT with an indentation stack', () => {
    const src = 'if a:\n    if b:\n        x = 1\n    y = 2\nz\n';
    assert.deepEqual(kinds(src), [
      'NAME:if', 'NAME:a', 'OP::', 'NEWLINE',
      'INDENT', 'NAME:if', 'NAME:b', 'OP::', 'NEWLINE',
      'INDENT', 'NAME:x', 'OP:=', 'NUMBER:1', 'NEWLINE',
      'DEDENT', 'NAME:y', 'OP:=', 'NUMBER:2', 'NEWLINE',
      'DEDENT', 'NAME:z', 'NEWLINE',
    ]); // prettier-ignore
  });

  it('closes every open block at the end of input, several DEDENTs at once', () => {
    const toks = tokenize('if a:\n  if b:\n    c');
    assert.deepEqual(
      toks.slice(-5).map((t) => `${t.kind}@${pos(t)}`),
      ['NAME@3:4-3:5', 'NEWLINE@3:5-3:5', 'DEDENT@3:5-3:5', 'DEDENT@3:5-3:5', 'ENDMARKER@3:5-3:5'],
    );
    assert.deepEqual(kinds('if a:\n  if b:\n    c\nd'), [
      'NAME:if', 'NAME:a', 'OP::', 'NEWLINE', 'INDENT', 'NAME:if', 'NAME:b', 'OP::', 'NEWLINE',
      'INDENT', 'NAME:c', 'NEWLINE', 'DEDENT', 'DEDENT', 'NAME:d', 'NEWLINE',
    ]); // prettier-ignore
  });

  it('places INDENT over the indentation and DEDENT before the next token', () => {
    const toks = tokenize('if a:\n   b\nc\n');
    const indent = toks.find((t) => t.kind === 'INDENT');
    const dedent = toks.find((t) => t.kind === 'DEDENT');
    assert.equal(indent && pos(indent), '2:0-2:3');
    assert.equal(indent?.text, '   ');
    assert.equal(dedent && pos(dedent), '3:0-3:0');
  });

  it('ignores blank lines and comment-only lines for indentation, wherever their comment sits', () => {
    const src = '# head\n\nif a:\n\n        # deep comment\n    b = 1  # trailing\n# low comment\n   \n    c\nd\n';
    assert.deepEqual(kinds(src), [
      'NAME:if', 'NAME:a', 'OP::', 'NEWLINE', 'INDENT', 'NAME:b', 'OP:=', 'NUMBER:1', 'NEWLINE',
      'NAME:c', 'NEWLINE', 'DEDENT', 'NAME:d', 'NEWLINE',
    ]); // prettier-ignore
  });

  it('gives an empty or comment-only file just ENDMARKER', () => {
    assert.deepEqual(kinds(''), []);
    assert.deepEqual(kinds('\n\n# only a comment\n   \n'), []);
    assert.deepEqual(kinds('# no newline at the end'), []);
  });

  it('adds the final NEWLINE when the file does not end with one', () => {
    const toks = tokenize('x = 1');
    assert.deepEqual(
      toks.map((t) => `${t.kind}@${pos(t)}`),
      ['NAME@1:0-1:1', 'OP@1:2-1:3', 'NUMBER@1:4-1:5', 'NEWLINE@1:5-1:5', 'ENDMARKER@1:5-1:5'],
    );
  });

  it('joins lines implicitly inside (), [] and {} (no NEWLINE or INDENT there), comments included', () => {
    const src = 'x = (1 +  # one\n      2)\ny = [\n  1,\n\n    2,\n]\nz = {\n"a":\n 1}\n';
    assert.deepEqual(kinds(src), [
      'NAME:x', 'OP:=', 'OP:(', 'NUMBER:1', 'OP:+', 'NUMBER:2', 'OP:)', 'NEWLINE',
      'NAME:y', 'OP:=', 'OP:[', 'NUMBER:1', 'OP:,', 'NUMBER:2', 'OP:,', 'OP:]', 'NEWLINE',
      'NAME:z', 'OP:=', 'OP:{', 'STRING', 'OP::', 'NUMBER:1', 'OP:}', 'NEWLINE',
    ]); // prettier-ignore
    const two = tokenize(src).find((t) => t.text === '2');
    assert.equal(two && pos(two), '2:6-2:7');
  });

  it('joins lines explicitly after a backslash, ignoring the next line’s indentation', () => {
    const src = 'if a:\n    x = 1 + \\\n2\n    y\n';
    assert.deepEqual(kinds(src), [
      'NAME:if', 'NAME:a', 'OP::', 'NEWLINE', 'INDENT', 'NAME:x', 'OP:=', 'NUMBER:1', 'OP:+', 'NUMBER:2', 'NEWLINE',
      'NAME:y', 'NEWLINE', 'DEDENT',
    ]); // prettier-ignore
    const two = tokenize(src).find((t) => t.text === '2');
    assert.equal(two && pos(two), '3:0-3:1');
  });

  it('handles CRLF and lone CR line endings, and a BOM that does not count as a column', () => {
    const toks = tokenize('\ufeffx = 1\r\nif x:\r  y\r\n');
    assert.deepEqual(
      toks.map((t) => `${t.kind}:${JSON.stringify(t.text)}@${pos(t)}`),
      [
        'NAME:"x"@1:0-1:1', 'OP:"="@1:2-1:3', 'NUMBER:"1"@1:4-1:5', 'NEWLINE:"\\r\\n"@1:5-1:7',
        'NAME:"if"@2:0-2:2', 'NAME:"x"@2:3-2:4', 'OP:":"@2:4-2:5', 'NEWLINE:"\\r"@2:5-2:6',
        'INDENT:"  "@3:0-3:2', 'NAME:"y"@3:2-3:3', 'NEWLINE:"\\r\\n"@3:3-3:5', 'DEDENT:""@4:0-4:0', 'ENDMARKER:""@4:0-4:0',
      ],
    ); // prettier-ignore
  });

  it('accepts tab indentation used consistently, and form feeds', () => {
    assert.deepEqual(kinds('if a:\n\tb\n\tif c:\n\t\td\n'), [
      'NAME:if', 'NAME:a', 'OP::', 'NEWLINE', 'INDENT', 'NAME:b', 'NEWLINE', 'NAME:if', 'NAME:c', 'OP::', 'NEWLINE',
      'INDENT', 'NAME:d', 'NEWLINE', 'DEDENT', 'DEDENT',
    ]); // prettier-ignore
    assert.deepEqual(kinds('\fx\n'), ['NAME:x', 'NEWLINE']);
  });

  it('keeps going after ENDMARKER by returning it again', () => {
    const t = new Tokenizer('x');
    const seen: string[] = [];
    for (let i = 0; i < 5; i++) seen.push(t.next().kind);
    assert.deepEqual(seen, ['NAME', 'NEWLINE', 'ENDMARKER', 'ENDMARKER', 'ENDMARKER']);
  });
});

describe('tokenizer: names and operators', () => {
  it('reads Unicode identifiers, NFKC-normalized as Python does, with UTF-16 columns', () => {
    const toks = tokenize('ŷ = é + α_1 * 𝑥 + ﬁ');
    const names = toks.filter((t) => t.kind === 'NAME');
    assert.deepEqual(
      names.map((t) => `${t.text}@${pos(t)}`),
      ['ŷ@1:0-1:1', 'é@1:4-1:5', 'α_1@1:8-1:11', 'x@1:14-1:16', 'fi@1:19-1:20'],
    );
  });

  it('treats JavaScript-special words as ordinary names', () => {
    assert.deepEqual(kinds('__proto__ constructor toString hasOwnProperty prototype'), [
      'NAME:__proto__', 'NAME:constructor', 'NAME:toString', 'NAME:hasOwnProperty', 'NAME:prototype', 'NEWLINE',
    ]); // prettier-ignore
  });

  it('reads keywords as NAME tokens (the parser tells them apart)', () => {
    assert.deepEqual(kinds('if not None'), ['NAME:if', 'NAME:not', 'NAME:None', 'NEWLINE']);
  });

  it('reads every operator and delimiter as one token, longest first', () => {
    const ops =
      '** // @ -> := += -= *= /= //= %= **= @= != <= >= == < > = + - * / % ( ) [ ] { } , : ; . ... ~ & | ^ << >> &= |= ^= <<= >>=';
    assert.deepEqual(
      kinds(ops).filter((k) => k !== 'NEWLINE'),
      ops.split(' ').map((o) => `OP:${o}`),
    );
    assert.deepEqual(kinds('a**-b//c'), ['NAME:a', 'OP:**', 'OP:-', 'NAME:b', 'OP://', 'NAME:c', 'NEWLINE']);
    assert.deepEqual(kinds('x[1:]'), ['NAME:x', 'OP:[', 'NUMBER:1', 'OP::', 'OP:]', 'NEWLINE']);
  });
});

describe('tokenizer: numbers', () => {
  const cases: [string, bigint | number][] = [
    ['0', 0n],
    ['00', 0n],
    ['7', 7n],
    ['1_000', 1000n],
    ['0x1F', 31n],
    ['0XfF', 255n],
    ['0x_1f', 31n],
    ['0o17', 15n],
    ['0O7_7', 63n],
    ['0b101', 5n],
    ['0B1_0', 2n],
    ['123456789012345678901234567890', 123456789012345678901234567890n],
    ['1e-3', 1e-3],
    ['.5', 0.5],
    ['5.', 5],
    ['1.5E+10', 1.5e10],
    ['1_0.0', 10],
    ['1_0.0_1e1_0', 10.01e10],
    ['09.5', 9.5],
    ['0e0', 0],
    ['1e309', Infinity],
    ['1e-400', 0],
    ['0.1', 0.1],
    ['1.7976931348623157e308', 1.7976931348623157e308],
  ];
  for (const [text, want] of cases) {
    it(`${text} → ${typeof want === 'bigint' ? `${want}n` : want}`, () => {
      const t = only(text, 'NUMBER');
      assert.equal(t.text, text);
      assert.equal(typeof t.value, typeof want);
      assert.ok(Object.is(t.value, want) || t.value === want, `${String(t.value)} !== ${String(want)}`);
      assert.equal(pos(t), `1:0-1:${text.length}`);
    });
  }

  it('keeps an exact 4300-digit integer literal', () => {
    const digits = '9'.repeat(4300);
    assert.equal(only(digits, 'NUMBER').value, BigInt(digits));
  });

  it('lets keywords follow a number directly, as CPython does (1if x else 2)', () => {
    assert.deepEqual(kinds('1if x else 2'), ['NUMBER:1', 'NAME:if', 'NAME:x', 'NAME:else', 'NUMBER:2', 'NEWLINE']);
    assert.deepEqual(kinds('1else'), ['NUMBER:1', 'NAME:else', 'NEWLINE']);
    assert.deepEqual(kinds('1or 2'), ['NUMBER:1', 'NAME:or', 'NUMBER:2', 'NEWLINE']);
  });

  it('separates 1. from a following attribute dot (1..real)', () => {
    assert.deepEqual(kinds('1..real'), ['NUMBER:1.', 'OP:.', 'NAME:real', 'NEWLINE']);
  });

  const errors: [string, string, number, number][] = [
    ['1j', 'complex numbers are not supported by Backprop Debugger', 1, 0],
    ['x = 2.5J', 'complex numbers are not supported by Backprop Debugger', 1, 4],
    ['09', 'leading zeros in decimal integer literals are not permitted; use an 0o prefix for octal integers', 1, 0],
    ['0b2', "invalid digit '2' in binary literal", 1, 2],
    ['0o8', "invalid digit '8' in octal literal", 1, 2],
    ['0x', 'invalid hexadecimal literal', 1, 1],
    ['0xfg', 'invalid hexadecimal literal', 1, 2],
    ['1__0', 'invalid decimal literal', 1, 1],
    ['1_', 'invalid decimal literal', 1, 1],
    ['1e', 'invalid decimal literal', 1, 0],
    ['1e+', 'invalid decimal literal', 1, 0],
    ['1abc', 'invalid decimal literal', 1, 0],
    ['1.__class__', 'invalid decimal literal', 1, 1],
    ['x = 12_ + 1', 'invalid decimal literal', 1, 6],
  ];
  for (const [src, message, line, col] of errors) {
    it(`rejects ${src}`, () => assert.deepEqual(err(src), ['SyntaxError', message, line, col]));
  }

  it('rejects decimal literals over 4300 digits (Python’s int_max_str_digits), located', () => {
    const [type, message, line, col] = err(`x = ${'1'.repeat(5000)}`);
    assert.deepEqual([type, line, col], ['SyntaxError', 1, 4]);
    assert.match(message, /^Exceeds the limit \(4300 digits\) for integer string conversion: value has 5000 digits/);
  });

  it('reads a huge hexadecimal literal exactly', () => {
    const t = only('0x' + 'f'.repeat(2000), 'NUMBER');
    assert.equal(t.value, (1n << 8000n) - 1n);
  });
});

describe('tokenizer: strings', () => {
  const value = (src: string) => only(src, 'STRING').value;

  it('reads single, double and triple quotes, with exact ranges', () => {
    const toks = tokenize(`a = 'x' + "y" + '''p\nq''' + """r"""`);
    const strs = toks.filter((t) => t.kind === 'STRING');
    assert.deepEqual(
      strs.map((t) => `${JSON.stringify(t.value)}@${pos(t)}`),
      ['"x"@1:4-1:7', '"y"@1:10-1:13', '"p\\nq"@1:16-2:4', '"r"@2:7-2:14'],
    );
  });

  it('decodes escapes as Python does and keeps unknown ones', () => {
    assert.equal(value(String.raw`'a\tb\nc\\d\'e\"f'`), 'a\tb\nc\\d\'e"f');
    assert.equal(value(String.raw`'\x41\u00e9\U0001F600'`), 'Aé😀');
    assert.equal(value(String.raw`'\101\7\0'`), 'A\x07\0');
    assert.equal(value(String.raw`'\a\b\f\v\r'`), '\x07\b\f\v\r');
    assert.equal(value(String.raw`'\d\q\8 \{'`), '\\d\\q\\8 \\{');
    assert.equal(value(String.raw`'\uD800'`), '\ud800');
  });

  it('continues a string over a backslash-newline (removed from the value)', () => {
    const t = only("'ab\\\ncd'", 'STRING');
    assert.equal(t.value, 'abcd');
    assert.equal(pos(t), '1:0-2:3');
  });

  it('keeps raw strings raw, where a backslash still protects the quote', () => {
    assert.equal(value(String.raw`r'\d+\n'`), '\\d+\\n');
    assert.equal(value(String.raw`R'\''`), "\\'");
    assert.equal(value('r"""a\\\nb"""'), 'a\\\nb');
  });

  it('normalizes CRLF and CR inside triple-quoted strings to \\n', () => {
    assert.equal(value("'''a\r\nb\rc'''"), 'a\nb\nc');
    assert.equal(value("r'''a\r\nb'''"), 'a\nb');
  });

  it('accepts the u prefix', () => {
    assert.equal(value("u'x'"), 'x');
  });

  const errors: [string, string, number, number][] = [
    ["x = 'abc", 'unterminated string literal (detected at line 1)', 1, 4],
    ["x = 'abc\ny = 2", 'unterminated string literal (detected at line 1)', 1, 4],
    ['x = 1\ns = "abc\\"', 'unterminated string literal (detected at line 2)', 2, 4],
    ["x = '''abc\n\ny", 'unterminated triple-quoted string literal (detected at line 3)', 1, 4],
    ["x = '''abc\n\n", 'unterminated triple-quoted string literal (detected at line 2)', 1, 4],
    ['x = r"\\"', 'unterminated string literal (detected at line 1)', 1, 4],
    ["b'x'", 'bytes literals are not supported by Backprop Debugger', 1, 0],
    ["x = 1; Rb'x'", 'bytes literals are not supported by Backprop Debugger', 1, 7],
    ["'ab\\x4'", '(unicode error) truncated \\xXX escape', 1, 3],
    ["'\\u12'", '(unicode error) truncated \\uXXXX escape', 1, 1],
    ["'\\U00110000'", '(unicode error) illegal Unicode character', 1, 1],
    ["'\\N{BULLET}'", '\\N{...} escapes are not supported by Backprop Debugger', 1, 1],
  ];
  for (const [src, message, line, col] of errors) {
    it(`rejects ${JSON.stringify(src)}`, () => assert.deepEqual(err(src), ['SyntaxError', message, line, col]));
  }
});

describe('tokenizer: f-strings', () => {
  it('splits text and replacement fields, with field tokens at their true positions', () => {
    const t = only('s = f"a{x + 1}b"', 'FSTRING');
    assert.equal(pos(t), '1:4-1:16');
    assert.equal(t.text, 'f"a{x + 1}b"');
    const parts = t.parts ?? [];
    assert.equal(parts.length, 3);
    assert.deepEqual(parts[0], { kind: 'text', value: 'a' });
    assert.deepEqual(parts[2], { kind: 'text', value: 'b' });
    const [f] = fields(t);
    assert.equal(pos(f), '1:7-1:14');
    assert.deepEqual(
      f.tokens.map((k) => `${k.kind}:${k.text}@${pos(k)}`),
      ['NAME:x@1:8-1:9', 'OP:+@1:10-1:11', 'NUMBER:1@1:12-1:13', 'ENDMARKER:@1:13-1:14'],
    );
    assert.equal(f.conversion, null);
    assert.equal(f.spec, null);
    assert.equal(f.debugText, null);
  });

  it('reads conversions and format specs, including nested fields in the spec', () => {
    const t = only("f'{x!r} {epoch:3d} {v:.2f} {x:>{width}}'", 'FSTRING');
    const [a, b, c, d] = fields(t);
    assert.equal(a.conversion, 'r');
    assert.deepEqual(b.spec, [{ kind: 'text', value: '3d' }]);
    assert.deepEqual(c.spec, [{ kind: 'text', value: '.2f' }]);
    assert.equal(d.spec?.length, 2);
    assert.deepEqual(d.spec?.[0], { kind: 'text', value: '>' });
    const nested = d.spec?.[1] as FStringFieldToken;
    assert.equal(nested.kind, 'field');
    assert.deepEqual(
      nested.tokens.map((k) => `${k.text}@${pos(k)}`),
      ['width@1:32-1:37', '@1:37-1:38'],
    );
  });

  it('turns {{ and }} into braces', () => {
    const t = only("f'{{x}} {y} }}'", 'FSTRING');
    assert.deepEqual(t.parts?.[0], { kind: 'text', value: '{x} ' });
    assert.deepEqual(t.parts?.[2], { kind: 'text', value: ' }' });
  });

  it('keeps the source text of {x=} and {x = }', () => {
    const [a, b, c] = fields(only("f'{x=} {x = } {x = !s:>4}'", 'FSTRING'));
    assert.equal(a.debugText, 'x=');
    assert.equal(b.debugText, 'x = ');
    assert.equal(c.debugText, 'x = ');
    assert.equal(c.conversion, 's');
    assert.deepEqual(c.spec, [{ kind: 'text', value: '>4' }]);
  });

  it('does not mistake ==, != and <= for the = of {x=}', () => {
    const [f] = fields(only("f'{a == b != c <= d}'", 'FSTRING'));
    assert.equal(f.debugText, null);
    assert.deepEqual(
      f.tokens.map((k) => k.text),
      ['a', '==', 'b', '!=', 'c', '<=', 'd', ''],
    );
  });

  it('reads strings, brackets and dict displays inside fields, also with the same quote (Python 3.12)', () => {
    const [a] = fields(only('f"{d[\'k\']}"', 'FSTRING'));
    assert.deepEqual(
      a.tokens.map((k) => k.kind),
      ['NAME', 'OP', 'STRING', 'OP', 'ENDMARKER'],
    );
    const [b] = fields(only('f"{d["k"]}"', 'FSTRING'));
    assert.equal(b.tokens[2].value, 'k');
    const [c] = fields(only("f'{ {1: 2}[1] }'", 'FSTRING'));
    assert.deepEqual(
      c.tokens.map((k) => k.text),
      ['{', '1', ':', '2', '}', '[', '1', ']', ''],
    );
  });

  it('reads nested f-strings', () => {
    const [outer] = fields(only(`f"{f'{x}!'}"`, 'FSTRING'));
    assert.equal(outer.tokens[0].kind, 'FSTRING');
    const [inner] = fields(outer.tokens[0]);
    assert.equal(pos(inner.tokens[0]), '1:6-1:7');
  });

  it('spans lines in triple-quoted f-strings, with positions on the right lines', () => {
    const t = only("f'''a\n{x\n + 1} b'''", 'FSTRING');
    assert.equal(pos(t), '1:0-3:10');
    const [f] = fields(t);
    assert.deepEqual(
      f.tokens.map((k) => pos(k)),
      ['2:1-2:2', '3:1-3:2', '3:3-3:4', '3:4-3:5'],
    );
    assert.deepEqual(t.parts?.[0], { kind: 'text', value: 'a\n' });
  });

  it('handles raw f-strings and escapes in the literal parts', () => {
    const raw = only("rf'\\d{x}\\n'", 'FSTRING');
    assert.deepEqual(raw.parts?.[0], { kind: 'text', value: '\\d' });
    assert.deepEqual(raw.parts?.[2], { kind: 'text', value: '\\n' });
    const cooked = only("f'\\t{x}\\n'", 'FSTRING');
    assert.deepEqual(cooked.parts?.[0], { kind: 'text', value: '\t' });
    assert.deepEqual(cooked.parts?.[2], { kind: 'text', value: '\n' });
  });

  const errors: [string, string, number, number][] = [
    ["f'{}'", "f-string: valid expression required before '}'", 1, 3],
    ["f'{ !r}'", "f-string: valid expression required before '!'", 1, 4],
    ["f'{x'", "f-string: expecting '}'", 1, 4],
    ["f'{x!z}'", "f-string: invalid conversion character 'z': expected 's', 'r', or 'a'", 1, 5],
    ["f'{x!}'", 'f-string: missing conversion character', 1, 5],
    ["f'{x!r+}'", "f-string: expecting '}'", 1, 6],
    ["f'{x=y}'", "f-string: expecting '!', or ':', or '}'", 1, 5],
    ["f'}'", "f-string: single '}' is not allowed", 1, 2],
    ["f'{x:{y:{z:{w}}}}'", 'f-string: expressions nested too deeply', 1, 10],
    ["f'{x#}'", "f-string expression part cannot include '#'", 1, 4],
    ["f'{lambda x: 1}'", 'f-string: lambda expressions are not allowed without parentheses', 1, 3],
    ["f'{x)}'", "f-string: unmatched ')'", 1, 4],
    ["f'{(x]}'", "f-string: closing parenthesis ']' does not match opening parenthesis '('", 1, 5],
    ["x = f'abc", 'unterminated f-string literal (detected at line 1)', 1, 4],
    ["x = f'{a}\n'", 'unterminated f-string literal (detected at line 1)', 1, 4],
    ["x = f'{a", 'unterminated f-string literal (detected at line 1)', 1, 4],
    ["x = f'''{a}\n\n", 'unterminated triple-quoted f-string literal (detected at line 2)', 1, 4],
    ["f'\\N{DASH}'", '\\N{...} escapes are not supported by Backprop Debugger', 1, 2],
  ];
  for (const [src, message, line, col] of errors) {
    it(`rejects ${JSON.stringify(src)}`, () => assert.deepEqual(err(src), ['SyntaxError', message, line, col]));
  }
});

describe('tokenizer: located errors', () => {
  const errors: [string, string, string, number, number][] = [
    ['x = 1\ny = a\0b', 'SyntaxError', 'source code cannot contain null bytes', 2, 5],
    ["s = '\0'", 'SyntaxError', 'source code cannot contain null bytes', 1, 5],
    ['x = 1\n  y = "\ud800"', 'SyntaxError', 'invalid character: lone surrogate U+D800', 2, 7],
    ['x\udc00 = 1', 'SyntaxError', 'invalid character: lone surrogate U+DC00', 1, 1],
    ['x = $', 'SyntaxError', "invalid character '$' (U+0024)", 1, 4],
    ['x = 5 €', 'SyntaxError', "invalid character '€' (U+20AC)", 1, 6],
    ['x = 1 ? 2', 'SyntaxError', "invalid character '?' (U+003F)", 1, 6],
    ['x =\u00a0 1', 'SyntaxError', 'invalid non-printable character U+00A0', 1, 3],
    ['x = \x01', 'SyntaxError', 'invalid non-printable character U+0001', 1, 4],
    ['x = (1,\n 2', 'SyntaxError', "'(' was never closed", 1, 4],
    ['f(a[1)', 'SyntaxError', "closing parenthesis ')' does not match opening parenthesis '['", 1, 5],
    ['f(a,\n\n  ]', 'SyntaxError', "closing parenthesis ']' does not match opening parenthesis '(' on line 1", 3, 2],
    ['x = 1)', 'SyntaxError', "unmatched ')'", 1, 5],
    ['if a:\n    b\n  c\n', 'IndentationError', 'unindent does not match any outer indentation level', 3, 0],
    ['if a:\n\tb\n        c\n', 'TabError', 'inconsistent use of tabs and spaces in indentation', 3, 0],
    ['if a:\n        b\n\tc\n', 'TabError', 'inconsistent use of tabs and spaces in indentation', 3, 0],
    ['x = 1 + \\ 2', 'SyntaxError', 'unexpected character after line continuation character', 1, 8],
    ['x = 1 + \\', 'SyntaxError', 'unexpected EOF while parsing', 1, 8],
    ['x = 1 + \\\n', 'SyntaxError', 'unexpected EOF while parsing', 1, 8],
  ];
  for (const [src, type, message, line, col] of errors) {
    it(`${type} for ${JSON.stringify(src)}`, () => assert.deepEqual(err(src), [type, message, line, col]));
  }

  it('stops at 200 open brackets: "too many nested parentheses" at the 201st', () => {
    assert.deepEqual(err('('.repeat(10_000)), ['SyntaxError', 'too many nested parentheses', 1, 200]);
    assert.deepEqual(err('x = ' + '[{('.repeat(100)), ['SyntaxError', 'too many nested parentheses', 1, 204]);
    assert.equal(kinds('('.repeat(200) + ')'.repeat(200)).length, 401);
  });

  it('stops at 100 indentation levels', () => {
    const src = Array.from({ length: 101 }, (_, i) => `${' '.repeat(i)}if x:\n`).join('') + ' '.repeat(101) + 'y\n';
    assert.deepEqual(err(src), ['IndentationError', 'too many levels of indentation', 102, 0]);
  });

  it('reports errors in source order, as it is read', () => {
    const t = new Tokenizer('x = 1\ny = $\n');
    const got: string[] = [];
    assert.throws(
      () => {
        for (;;) got.push(t.next().kind);
      },
      (e: unknown) => e instanceof PySyntaxError && e.range.line === 2,
    );
    assert.deepEqual(got, ['NAME', 'OP', 'NUMBER', 'NEWLINE', 'NAME', 'OP']);
  });
});

describe('tokenizer: linear time on huge inputs', function () {
  this.timeout(20_000);

  /** Best of up to three runs, so that a busy machine does not fail the test, a slow scanner does. */
  // Generous multiples of the measured times: they catch super-linear scans, not a busy machine.
  const SLACK = 5;
  function timed(label: string, budgetMsBase: number, run: () => number, want: number): void {
    const budgetMs = budgetMsBase * SLACK;
    let best = Infinity;
    for (let attempt = 0; attempt < 3 && best >= budgetMs; attempt++) {
      const t0 = performance.now();
      const n = run();
      best = Math.min(best, performance.now() - t0);
      assert.equal(n, want, label);
    }
    assert.ok(best < budgetMs, `${label}: ${best.toFixed(0)} ms (budget ${budgetMs} ms)`);
  }

  /** Stream the tokens (as the parser does) and count them. */
  function count(src: string): number {
    const t = new Tokenizer(src);
    let n = 0;
    while (t.next().kind !== 'ENDMARKER') n++;
    return n;
  }

  it('a 1 MB identifier', () => {
    const name = 'w'.repeat(1 << 20);
    timed('1 MB identifier', 1000, () => count(`${name} = 1`), 4);
    timed('1 MB non-ASCII identifier', 1000, () => count('é'.repeat(1 << 20)), 2);
  });

  it('a 10 MB line: a string, a comment, and 5 million tiny tokens', () => {
    timed('10 MB string', 1000, () => count(`x = "${'a'.repeat(10_000_000)}"`), 4);
    timed('10 MB comment', 1000, () => count(`x = 1  # ${'c'.repeat(10_000_000)}`), 4);
    timed('10 MB of a+a+...', 1000, () => count('a+'.repeat(5_000_000) + 'a'), 10_000_002);
    timed('10 MB list of floats', 1000, () => count(`x = [${'0.25, '.repeat(1_700_000)}]`), 3_400_005);
  });

  it('100,000 lines', () => {
    timed('100k lines', 1000, () => count('if x:\n    y = x * 2 + 1  # note\n'.repeat(50_000)), 50_000 * 14);
  });

  it('pathological inputs that would make a backtracking scanner explode', () => {
    timed('unterminated strings', 1000, () => err(`'${'\\'.repeat(1_000_000)}`)[2], 1);
    timed('many quotes', 1000, () => count(`'''${"''\\'".repeat(200_000)}'''`), 2);
    timed('digits and underscores', 1000, () => count(`0x${'f_'.repeat(500_000)}f`), 2);
    timed('deep f-string field', 1000, () => count(`f'{${'x+'.repeat(500_000)}x}'`), 2);
  });
});
