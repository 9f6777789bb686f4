// Fuzz tests for the tokenizer and parser (robustness.md): random strings,
// token soup, and mutated course scripts must each either parse or throw a
// PySyntaxError whose range lies inside the input — never another exception,
// never a stack overflow, never over a time budget per input. The bad inputs
// listed in robustness.md are checked one by one as well.
import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { PySyntaxError, type Module, type Range } from '../../src/lang/ast';
import { parse } from '../../src/lang/parser';

const SEED = 20240611;
/**
 * These budgets guard against super-linear blow-ups (a quadratic scan of
 * 100,000 lines takes minutes), not against a busy machine: they are
 * generous multiples of the measured times, never performance targets
 * (those live in bench/).
 */
const SLACK = 5;
const BUDGET_MS = 200 * SLACK;

function lines(src: string): string[] {
  const body = src.charCodeAt(0) === 0xfeff ? src.slice(1) : src;
  return body.split(/\r\n|\r|\n/);
}

/** Is the range inside the text (positions up to the end of a line, or of the input)? */
function inside(r: Range, text: string[]): boolean {
  const okPos = (line: number, col: number) =>
    Number.isInteger(line) &&
    Number.isInteger(col) &&
    line >= 1 &&
    line <= text.length &&
    col >= 0 &&
    col <= text[line - 1].length;
  if (!okPos(r.line, r.col) || !okPos(r.endLine, r.endCol)) return false;
  return r.endLine > r.line || (r.endLine === r.line && r.endCol >= r.col);
}

/** Every node range of a tree, without recursion (trees can be 100,000 deep). */
function* ranges(m: Module): Generator<Range> {
  const stack: unknown[] = [...m.body];
  while (stack.length) {
    const v = stack.pop();
    if (Array.isArray(v)) stack.push(...v);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.line === 'number') yield o as unknown as Range;
      for (const k in o) if (typeof o[k] === 'object') stack.push(o[k]);
    }
  }
}

type Outcome = { ok: true } | { ok: false; error: PySyntaxError };

/** Parse, and check the outcome is a tree or a located PySyntaxError within the time budget. */
function check(src: string, budgetMs = BUDGET_MS): Outcome {
  let outcome: Outcome | null = null;
  let best = Infinity;
  // A second attempt only when the first was over budget (a busy machine, not a slow parser).
  for (let attempt = 0; attempt < 2 && best > budgetMs; attempt++) {
    const t0 = performance.now();
    try {
      const m = parse(src);
      outcome = { ok: true };
      best = Math.min(best, performance.now() - t0);
      const text = lines(src);
      for (const r of ranges(m)) {
        if (!inside(r, text))
          assert.fail(`node range ${JSON.stringify(r)} outside ${JSON.stringify(src.slice(0, 200))}`);
      }
    } catch (e) {
      best = Math.min(best, performance.now() - t0);
      if (!(e instanceof PySyntaxError)) {
        assert.fail(`${String(e)} escaped for ${JSON.stringify(src.slice(0, 300))}`);
      }
      assert.ok(typeof e.message === 'string' && e.message.length > 0);
      assert.ok(['SyntaxError', 'IndentationError', 'TabError'].includes(e.pyType));
      assert.ok(
        inside(e.range, lines(src)),
        `error range ${JSON.stringify(e.range)} (${e.message}) outside ${JSON.stringify(src.slice(0, 300))}`,
      );
      outcome = { ok: false, error: e };
    }
  }
  assert.ok(best <= budgetMs, `${best.toFixed(0)} ms for ${JSON.stringify(src.slice(0, 200))}`);
  return outcome as Outcome;
}

// ------------------------------------------------------------ inputs

const examplesDir = join(__dirname, '..', '..', 'examples');
const SCRIPTS: string[] = [
  ...readdirSync(examplesDir)
    .filter((n) => n.endsWith('.py'))
    .map((n) => readFileSync(join(examplesDir, n), 'utf8')),
  `import torch
import torch.nn.functional as F

def mse(pred, target, *, reduction='mean'):
    return ((pred - target) ** 2).mean()
`.replace(', *, ', ', '),
  `# A two-layer MLP by hand
import torch

torch.manual_seed(0)
X = torch.randn(8, 3)
y = torch.randn(8, 1)
W1 = torch.randn(3, 4, requires_grad=True)
b1 = torch.zeros(4, requires_grad=True)
W2 = torch.randn(4, 1, requires_grad=True)

def forward(x, *params, scale=1.0, **kw):
    h = torch.relu(x @ W1 + b1)
    return scale * (h @ W2)

losses = []
for step in range(100):
    out = forward(X)
    loss = ((out - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        for p in [W1, b1, W2]:
            p -= 0.1 * p.grad
            p.grad.zero_()
    if step % 10 == 0 and not loss.item() > 1e9:
        print(f"step {step:3d}: loss = {loss.item():.4f} {'ok' if loss < 1 else 'high'}")
    elif step > 90: break
    else:
        losses.append(loss.item())
assert len(losses) > 0, "no losses"
grads = {'W1': W1.grad, 'b1': [t.grad for t in [b1] if t.grad is not None]}
x_hat = X[:, 1:] if X.shape[0] > 1 else X[0, 1]
lam = lambda a, b=2: a ** -b
while True:
    pass
`,
];

const TOKENS = [
  '(', ')', '[', ']', '{', '}', ':', ',', ';', '.', '=', '==', '+', '-', '*', '**', '/', '//', '%', '@', '->', ':=',
  '+=', '<', '>=', '!=', '!', '~', '|', '&', '^', '<<', '...', '\\', '\\\n', '\n', '\r\n', '\r', '\t', '    ', ' ',
  '#', "'", '"', "'''", '"""', 'f"', "f'", 'rf"', 'b"', 'f"{', '{x', '}', '{{', '}}', '!r', ':>{w}', '=}',
  'if', 'elif', 'else', 'for', 'in', 'not', 'is', 'and', 'or', 'while', 'def', 'return', 'lambda', 'with', 'as',
  'import', 'from', 'class', 'try', 'yield', 'del', 'global', 'assert', 'pass', 'break', 'continue', 'True', 'None',
  'x', 'y_hat', 'ŷ', 'é', '𝑥', '__proto__', 'constructor', 'toString', '0', '1', '1_000', '0x1F', '1e309', '.5', '5.',
  '1j', '09', '\0', '\ud800', '\udc00', '\ufeff', '€', '$', '?', '`',
]; // prettier-ignore

const CHARS = [
  ...'()[]{}:,;.=+-*/%@<>!~|&^#\'"\\ \t\n\r\f0123456789abcdefghijklmnopqrstuvwxyz_ABCXYZ',
  'é', 'ŷ', '€', '\0', '\ud800', '\udc00', '\ufeff', '\u00a0', '\u2028', '😀', '𝑥',
]; // prettier-ignore

const anyChar = fc.constantFrom(...CHARS);
const randomString = fc.array(anyChar, { maxLength: 120 }).map((cs) => cs.join(''));
const tokenSoup = fc
  .array(fc.constantFrom(...TOKENS), { maxLength: 60 })
  .chain((toks) =>
    fc
      .array(fc.constantFrom(' ', '', '\n', '  '), { minLength: toks.length, maxLength: toks.length })
      .map((seps) => toks.map((t, i) => t + seps[i]).join('')),
  );

/** One edit of a text: delete, insert, duplicate, replace, swap lines, or insert a token. */
type Edit = (s: string) => string;
const position = (s: string, f: number) => Math.floor(f * (s.length + 1));
const edit: fc.Arbitrary<Edit> = fc.oneof(
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 8 })).map(([f, n]): Edit => (s) => {
    const i = position(s, f);
    return s.slice(0, i) + s.slice(i + n);
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), anyChar).map(([f, c]): Edit => (s) => {
    const i = position(s, f);
    return s.slice(0, i) + c + s.slice(i);
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.constantFrom(...TOKENS)).map(([f, t]): Edit => (s) => {
    const i = position(s, f);
    return s.slice(0, i) + t + s.slice(i);
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.integer({ min: 1, max: 40 })).map(([f, n]): Edit => (s) => {
    const i = position(s, f);
    return s.slice(0, i + n) + s.slice(i, i + n) + s.slice(i + n);
  }),
  fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), anyChar).map(([f, c]): Edit => (s) => {
    const i = position(s, f);
    return s.slice(0, i) + c + s.slice(i + 1);
  }),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): Edit => (s) => {
    const ls = s.split('\n');
    const i = a % ls.length;
    const j = b % ls.length;
    [ls[i], ls[j]] = [ls[j], ls[i]];
    return ls.join('\n');
  }),
);
const mutated = fc
  .tuple(fc.constantFrom(...SCRIPTS), fc.array(edit, { minLength: 1, maxLength: 6 }))
  .map(([script, edits]) => edits.reduce((s, e) => e(s), script));

// ------------------------------------------------------------ tests

describe('parse fuzz: every input parses or gives a located PySyntaxError, quickly', function () {
  this.timeout(120_000);

  it('the unmutated scripts parse', () => {
    for (const s of SCRIPTS) assert.ok(check(s).ok, s.slice(0, 60));
  });

  it('random strings', () => {
    fc.assert(
      fc.property(randomString, (s) => {
        check(s);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('token soup', () => {
    fc.assert(
      fc.property(tokenSoup, (s) => {
        check(s);
      }),
      { seed: SEED, numRuns: 3000 },
    );
  });

  it('mutated course scripts (delete, insert, duplicate, replace, swap lines, insert tokens)', () => {
    let parsed = 0;
    let failed = 0;
    fc.assert(
      fc.property(mutated, (s) => {
        if (check(s).ok) parsed++;
        else failed++;
      }),
      { seed: SEED, numRuns: 4000 },
    );
    // Both outcomes must really be exercised.
    assert.ok(parsed > 100 && failed > 100, `parsed ${parsed}, failed ${failed}`);
  });

  it('valid scripts with random indentation, line endings and a BOM keep their meaning or fail located', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...SCRIPTS),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.boolean(),
        fc.constantFrom('    ', '  ', '\t', ' \t'),
        (script, eol, bom, indent) => {
          const src = (bom ? '\ufeff' : '') + script.replace(/\n/g, eol).replace(/^ {4}/gm, indent);
          check(src);
        },
      ),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('parse fuzz: the bad inputs of robustness.md', function () {
  this.timeout(60_000);

  const cases: [string, () => string, 'ok' | RegExp, number?][] = [
    ['10,000 nested parentheses', () => '('.repeat(10_000) + '1' + ')'.repeat(10_000), /too many nested parentheses/],
    ['10,000 unary minus', () => '-'.repeat(10_000) + '1', /too deeply nested/],
    ['2**2**… 5,000 times', () => Array(5000).fill('2').join('**'), /too deeply nested/],
    ['a 100,000-term sum', () => Array(100_000).fill('1').join('+'), 'ok', 2000],
    ['exp(exp(…)) 1,000 deep', () => 'exp('.repeat(1000) + 'x' + ')'.repeat(1000), /too many nested parentheses/],
    ['10**400', () => 'x = 10**400', 'ok'],
    ['1e309', () => 'x = 1e309', 'ok'],
    ['torch.exp(torch.tensor(1000.))', () => 'torch.exp(torch.tensor(1000.))', 'ok'],
    ['torch.log(torch.tensor(0.))', () => 'torch.log(torch.tensor(0.))', 'ok'],
    ['0/0', () => '0/0', 'ok'],
    ['__proto__ = 1', () => '__proto__ = 1', 'ok'],
    ['constructor(1)', () => 'constructor(1)', 'ok'],
    ['toString', () => 'toString', 'ok'],
    ['hasOwnProperty = 2', () => 'hasOwnProperty = 2', 'ok'],
    ['an undefined name', () => 'print(w3)', 'ok'],
    ['a 1 MB identifier', () => 'a'.repeat(1 << 20) + ' = 1', 'ok', 1000],
    ['a 10 MB line', () => `x = "${'a'.repeat(10_000_000)}"`, 'ok', 1000],
    ['a 10 MB comment line', () => `x = 1  # ${'-'.repeat(10_000_000)}`, 'ok', 1000],
    ['100,000 lines', () => 'x = x + 1\n'.repeat(100_000), 'ok', 2000],
    ['a NUL byte', () => 'x = 1\nx\0 = 2', /null bytes/],
    ['a lone high surrogate', () => 'x = "\ud800"', /lone surrogate/],
    ['a lone low surrogate', () => '\udc00 = 1', /lone surrogate/],
    ['a BOM', () => '\ufeffx = 1\n', 'ok'],
    ['CRLF', () => 'if x:\r\n    y = 1\r\n', 'ok'],
    ['lone CR', () => 'if x:\r    y = 1\r', 'ok'],
    ['tabs mixed with spaces', () => 'if x:\n\ty = 1\n        z = 2\n', /inconsistent use of tabs and spaces/],
    ['an unterminated string', () => 'x = "abc\n', /unterminated string literal/],
    ['an unterminated triple-quoted string', () => "x = '''abc\n\n", /unterminated triple-quoted string literal/],
    ['an unterminated f-string', () => "x = f'{a}", /unterminated f-string literal/],
    ['an unterminated f-string field', () => "x = f'{a", /unterminated f-string literal/],
  ];
  for (const [name, make, want, budget] of cases) {
    it(name, () => {
      const out = check(make(), budget === undefined ? BUDGET_MS : budget * SLACK);
      if (want === 'ok') assert.ok(out.ok, out.ok ? '' : out.error.message);
      else {
        assert.ok(!out.ok, 'expected a SyntaxError');
        if (!out.ok) assert.match(out.error.message, want);
      }
    });
  }
});
