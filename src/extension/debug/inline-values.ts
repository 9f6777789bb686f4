/**
 * What the inline values show while stopped, worked out from the text alone
 * (vscode-free, so it is unit-tested): for each line up to the stopped one,
 * the names assigned there (VS Code looks their values up in the Variables
 * view) and, for tensors created with requires_grad=True, their `.grad`
 * (evaluated through the debugger, i.e. through the interpreter).
 */
export interface InlineValueSpec {
  /** 1-based line. */
  readonly line: number;
  /** 0-based columns of the name on that line. */
  readonly col: number;
  readonly endCol: number;
  /** `lookup`: a variable name to look up; `evaluate`: an expression to evaluate. */
  readonly kind: 'lookup' | 'evaluate';
  readonly expression: string;
}

const ASSIGN = /^(\s*)([A-Za-z_][A-Za-z0-9_]*)\s*(?:[-+*/@%]|\*\*|\/\/)?=(?!=)/;

export function inlineValueSpecs(lines: readonly string[], stoppedLine: number, maxLines = 2000): InlineValueSpec[] {
  const out: InlineValueSpec[] = [];
  const leaves = new Set<string>();
  const last = Math.min(stoppedLine, lines.length, maxLines);
  for (let i = 0; i < last; i++) {
    const text = lines[i];
    // Statements separated by `;` on one line each count.
    let offset = 0;
    for (const part of text.split(';')) {
      const m = ASSIGN.exec(part);
      if (m) {
        const col = offset + m[1].length;
        const name = m[2];
        out.push({ line: i + 1, col, endCol: col + name.length, kind: 'lookup', expression: name });
        if (/requires_grad\s*=\s*True/.test(part)) leaves.add(name);
      }
      offset += part.length + 1;
    }
  }
  // Gradients of the leaves, next to the line that made them.
  for (const spec of [...out])
    if (spec.kind === 'lookup' && leaves.has(spec.expression))
      out.push({ ...spec, kind: 'evaluate', expression: `${spec.expression}.grad` });
  return out;
}
