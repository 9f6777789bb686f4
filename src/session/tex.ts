/**
 * Names, source text and numbers written as LaTeX for the chain-rule panel:
 * `w1` → `w_1`, `y_hat` → `\hat{y}`, `x**2 * w2` → `x^{2} \cdot w_2`,
 * `-15.5` → `-15.5`, NaN → `\mathrm{nan}`. Everything comes from a user's
 * file, so anything that is not a plain identifier, number or operator is
 * written inside `\text{…}` with LaTeX's special characters escaped: the
 * result is always well-formed TeX that means only what it shows (KaTeX
 * renders it with trust off; this keeps it from even trying a macro).
 */

const GREEK = new Set([
  'alpha',
  'beta',
  'gamma',
  'delta',
  'epsilon',
  'zeta',
  'eta',
  'theta',
  'iota',
  'kappa',
  'mu',
  'nu',
  'xi',
  'pi',
  'rho',
  'sigma',
  'tau',
  'upsilon',
  'phi',
  'chi',
  'psi',
  'omega',
  'Gamma',
  'Delta',
  'Theta',
  'Lambda',
  'Xi',
  'Pi',
  'Sigma',
  'Upsilon',
  'Phi',
  'Psi',
  'Omega',
]);

const ACCENTS: Record<string, string> = { hat: '\\hat', bar: '\\bar', tilde: '\\tilde', dot: '\\dot', vec: '\\vec' };

/** Functions with a LaTeX operator of their own; others are written upright. */
const FUNCTIONS: Record<string, string> = {
  tanh: '\\tanh',
  exp: '\\exp',
  log: '\\log',
  sin: '\\sin',
  cos: '\\cos',
  max: '\\max',
  min: '\\min',
  sigmoid: '\\sigma',
};

/** Text inside \text{…}: LaTeX's special characters escaped. */
export function texText(s: string): string {
  let out = '';
  for (const ch of s) {
    switch (ch) {
      case '\\':
        out += '\\textbackslash{}';
        break;
      case '{':
      case '}':
      case '$':
      case '&':
      case '#':
      case '%':
      case '_':
        out += `\\${ch}`;
        break;
      case '^':
        out += '\\textasciicircum{}';
        break;
      case '~':
        out += '\\textasciitilde{}';
        break;
      default: {
        const c = ch.codePointAt(0) as number;
        // Control characters, lone surrogates and the like: a visible stand-in.
        out += c < 0x20 || c === 0x7f || (c >= 0xd800 && c <= 0xdfff) ? '\u00bf' : ch;
      }
    }
  }
  return `\\text{${out}}`;
}

function isAsciiWord(s: string): boolean {
  return /^[A-Za-z][A-Za-z0-9]*$/.test(s);
}

/** A word without underscores: `x`, `w1`, `alpha`, `loss`, `W12`. */
function texWord(w: string, upright: boolean): string {
  if (/^\d+$/.test(w)) return w;
  if (!isAsciiWord(w)) return texText(w);
  if (GREEK.has(w)) return `\\${w}`;
  const m = /^([A-Za-z]+)(\d+)$/.exec(w);
  if (m) {
    const base = texWord(m[1], upright);
    return m[2].length === 1 ? `${base}_${m[2]}` : `${base}_{${m[2]}}`;
  }
  if (w.length === 1) return w;
  return `\\mathrm{${w}}`;
}

/**
 * A Python name as a math variable: `w1` → `w_1`, `y_hat` → `\hat{y}`,
 * `x_train` → `x_{\mathrm{train}}`, `alpha` → `\alpha`, `loss` → `\mathrm{loss}`.
 */
export function texName(name: string): string {
  if (name.length === 0 || name.length > 64) return texText(name.slice(0, 64));
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(name) || name.endsWith('_') || name.includes('__')) return texText(name);
  const parts = name.split('_');
  const last = parts[parts.length - 1];
  if (parts.length > 1 && ACCENTS[last] !== undefined) {
    const base = texName(parts.slice(0, -1).join('_'));
    return `${ACCENTS[last]}{${base}}`;
  }
  const head = texWord(parts[0], false);
  if (parts.length === 1) return head;
  const sub = parts
    .slice(1)
    .map((p) => texWord(p, true))
    .join(',');
  return `${head}_{${sub}}`;
}

/** A Python-formatted number (`-15.5`, `1e-05`, `nan`, `inf`, `True`) as LaTeX. */
export function texNumber(text: string): string {
  if (text === 'nan' || text === '-nan') return '\\mathrm{nan}';
  if (text === 'inf') return '\\infty';
  if (text === '-inf') return '-\\infty';
  if (text === 'True' || text === 'False') return `\\mathrm{${text}}`;
  const m = /^(-?\d+(?:\.\d+)?)e([+-])(\d+)$/.exec(text);
  if (m) return `${m[1]}\\times 10^{${m[2] === '-' ? '-' : ''}${String(Number(m[3]))}}`;
  if (/^-?\d+(\.\d*)?$/.test(text)) return text;
  return texText(text);
}

// ---------------------------------------------------------------- source text

type Tok = { kind: 'name' | 'num' | 'op' | 'open' | 'close' | 'comma' | 'other'; text: string };

function tokenize(src: string): Tok[] | null {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if (/^\s/.test(rest)) {
      i++;
      continue;
    }
    if ((m = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/.exec(rest))) out.push({ kind: 'name', text: m[0] });
    else if ((m = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(rest))) out.push({ kind: 'num', text: m[0] });
    else if ((m = /^(?:\*\*|\/\/|[-+*/@%])/.exec(rest))) out.push({ kind: 'op', text: m[0] });
    else if ((m = /^[([]/.exec(rest))) out.push({ kind: 'open', text: m[0] });
    else if ((m = /^[)\]]/.exec(rest))) out.push({ kind: 'close', text: m[0] });
    else if ((m = /^[,:]/.exec(rest))) out.push({ kind: 'comma', text: m[0] });
    else return null;
    i += m[0].length;
  }
  return out;
}

function texDotted(name: string, call: boolean): string {
  const parts = name.split('.');
  if (call) {
    const fn = parts[parts.length - 1];
    return FUNCTIONS[fn] ?? (isAsciiWord(fn) ? `\\operatorname{${fn}}` : texText(fn));
  }
  const [head, ...attrs] = parts;
  return texName(head) + attrs.map((a) => `.${isAsciiWord(a) ? `\\mathrm{${a}}` : texText(a)}`).join('');
}

const OPS: Record<string, string> = {
  '+': '+',
  '-': '-',
  '*': '\\cdot ',
  '/': '/',
  '//': '/\\!/',
  '%': '\\bmod ',
  '@': '\\mathbin{@}',
};

/**
 * Source text of an expression as LaTeX (`x**2 * w2 + x * w1` →
 * `x^{2} \cdot w_2 + x \cdot w_1`), or null when it is not a plain
 * arithmetic expression of names, numbers and calls (strings, lambdas, …).
 */
export function texExpr(src: string): string | null {
  if (src.length > 200) return null;
  const toks = tokenize(src);
  if (toks === null || toks.length === 0) return null;
  let pos = 0;
  // A primary with its trailing calls and subscripts, then ** exponents.
  const operand = (): string | null => {
    const t = toks[pos];
    if (t === undefined) return null;
    if (t.kind === 'op' && (t.text === '-' || t.text === '+')) {
      pos++;
      const o = operand();
      return o === null ? null : `${t.text}${o}`;
    }
    let s: string;
    if (t.kind === 'num') {
      pos++;
      s = t.text;
    } else if (t.kind === 'name') {
      pos++;
      const call = toks[pos]?.kind === 'open' && toks[pos].text === '(';
      s = texDotted(t.text, call);
    } else if (t.kind === 'open') {
      const g = group();
      if (g === null) return null;
      s = g;
    } else return null;
    while (toks[pos]?.kind === 'open') {
      const g = group();
      if (g === null) return null;
      s += g;
    }
    if (toks[pos]?.kind === 'op' && toks[pos].text === '**') {
      pos++;
      const e = operand();
      if (e === null) return null;
      s = `${s}^{${e}}`;
    }
    return s;
  };
  // ( … ) or [ … ], with commas.
  const group = (): string | null => {
    const open = toks[pos++].text;
    const close = open === '(' ? ')' : ']';
    let s = open === '(' ? '(' : '[';
    while (toks[pos] !== undefined && toks[pos].text !== close) {
      if (toks[pos].kind === 'comma') {
        s += toks[pos].text === ',' ? ',\\,' : '{:}';
        pos++;
        continue;
      }
      const e = expr();
      if (e === null) return null;
      s += e;
      if (toks[pos] !== undefined && toks[pos].kind !== 'comma' && toks[pos].text !== close) return null;
    }
    if (toks[pos]?.text !== close) return null;
    pos++;
    return s + close;
  };
  const expr = (): string | null => {
    let s = operand();
    if (s === null) return null;
    while (toks[pos]?.kind === 'op') {
      const op = OPS[toks[pos].text];
      if (op === undefined) return null;
      pos++;
      const r = operand();
      if (r === null) return null;
      s += ` ${op.trim()} ${r}`;
    }
    return s;
  };
  const out = expr();
  if (out === null || pos !== toks.length) return null;
  return out;
}
