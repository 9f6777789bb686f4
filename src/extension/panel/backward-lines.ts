/**
 * Where a script calls `.backward(` (for the CodeLens "▶ Step through
 * backprop"), skipping comments and string literals, triple-quoted ones
 * across lines included. Lines 1-based, columns 0-based. vscode-free.
 */
export interface BackwardSite {
  readonly line: number;
  readonly col: number;
}

export function findBackwardCalls(text: string): BackwardSite[] {
  const out: BackwardSite[] = [];
  const lines = text.split(/\r\n|\r|\n/);
  let triple: string | null = null; // the open triple quote, if inside one
  for (let l = 0; l < lines.length; l++) {
    const s = lines[l];
    let code = '';
    let i = 0;
    while (i < s.length) {
      if (triple !== null) {
        const end = s.indexOf(triple, i);
        if (end < 0) {
          i = s.length;
          break;
        }
        i = end + 3;
        triple = null;
        code += ' ';
        continue;
      }
      const ch = s[i];
      if (ch === '#') break;
      if (ch === '"' || ch === "'") {
        if (s.startsWith(ch.repeat(3), i)) {
          triple = ch.repeat(3);
          i += 3;
          continue;
        }
        // A one-line string: skip to its closing quote (backslash escapes).
        let j = i + 1;
        while (j < s.length && s[j] !== ch) j += s[j] === '\\' ? 2 : 1;
        code += ' '.repeat(Math.min(j + 1, s.length) - i);
        i = j + 1;
        continue;
      }
      code += ch;
      i++;
    }
    const re = /\.backward\s*\(/g;
    let m: RegExpExecArray | null;
    while ((m = re.exec(code)) !== null) out.push({ line: l + 1, col: m.index });
  }
  return out;
}
