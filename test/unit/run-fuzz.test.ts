import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { runScript } from '../../src/lang/run';

/**
 * Random and mutated scripts through the whole interpreter: every run must
 * either complete or end in a located Python-style error, within a time
 * budget, and never let a JavaScript exception escape.
 */
const examples = readdirSync(join(__dirname, '..', '..', 'examples'))
  .filter((n) => n.endsWith('.py'))
  .map((n) => readFileSync(join(__dirname, '..', '..', 'examples', n), 'utf8'));

const TOKENS = ['torch', '.', 'tensor', '(', ')', '[', ']', ',', ':', '\n', '    ', 'w', '=', '+', '*', '**', '@', 'backward', 'grad',
  'requires_grad=True', '1.5', '0', '-', 'for', 'in', 'range', 'if', 'else', 'while', 'True', 'print', 'f"{w:.2f}"', 'def', 'return',
  'lambda', 'x', 'y', 'sum', 'no_grad', 'with', 'assert', '/', '//', '%', 'None', '"s"', '.T', 'item', 'zero_', 'import', 'math'];

function checkRun(src: string): void {
  const t0 = Date.now();
  let r;
  try {
    r = runScript(src, { limits: { maxSteps: 20_000, maxMillis: 500, maxGraphNodes: 20_000, maxOutput: 10_000 } });
  } catch (e) {
    assert.fail(`exception escaped for ${JSON.stringify(src.slice(0, 200))}: ${String(e)}`);
  }
  const ms = Date.now() - t0;
  assert.ok(ms < 3000, `took ${ms} ms for ${JSON.stringify(src.slice(0, 200))}`);
  if (r.error) {
    assert.notEqual(r.error.type, 'InternalError', `internal error: ${r.error.message} for ${JSON.stringify(src.slice(0, 300))}`);
    assert.ok(r.error.range !== null, `unlocated ${r.error.type}: ${r.error.message} for ${JSON.stringify(src.slice(0, 300))}`);
    const lines = src.split(/\r\n|\r|\n/).length;
    assert.ok(r.error.range.line >= 1 && r.error.range.line <= lines + 1, `line ${r.error.range.line} outside the script`);
  }
}

describe('run fuzz: every run completes or ends in a located error', () => {
  it('mutated course examples (delete, insert, duplicate, swap)', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...examples), fc.array(fc.tuple(fc.nat(), fc.nat(), fc.constantFrom('del', 'ins', 'dup', 'tok')), { minLength: 1, maxLength: 4 }), fc.constantFrom(...TOKENS))
      .map(([src, edits, tok]) => {
        let s = src;
        for (const [a, b, kind] of edits) {
          const i = a % (s.length + 1);
          const j = Math.min(s.length, i + (b % 8));
          if (kind === 'del') s = s.slice(0, i) + s.slice(j);
          else if (kind === 'ins') s = s.slice(0, i) + s[b % Math.max(1, s.length)] + s.slice(i);
          else if (kind === 'dup') s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
          else s = s.slice(0, i) + tok + s.slice(i);
        }
        return s;
      });
    fc.assert(fc.property(mutated, checkRun), { seed: 4242, numRuns: 300 });
  });

  it('random token soup', () => {
    const soup = fc.array(fc.constantFrom(...TOKENS), { maxLength: 40 }).map((ts) => 'import torch\n' + ts.join(' ') + '\n');
    fc.assert(fc.property(soup, checkRun), { seed: 99, numRuns: 400 });
  });

  it('random small torch programs that mostly run', () => {
    const expr = fc.constantFrom('w', 'x', 'w * x', 'w ** 2', 'torch.exp(w)', 'torch.log(w)', 'w @ x', 'w.sum()', 'w.T', 'w[0]', 'w / x', 'torch.relu(w - 1)', 'x.mean(0)');
    const prog = fc.array(fc.tuple(fc.constantFrom('w', 'x', 'y'), expr), { minLength: 1, maxLength: 8 }).map(
      (stmts) =>
        'import torch\nw = torch.tensor([[1.0, -2.0], [0.5, 3.0]], requires_grad=True)\nx = torch.tensor([2.0, 1.0])\n' +
        stmts.map(([t, e]) => `${t} = ${e}`).join('\n') +
        '\ny.sum().backward()\nprint(w.grad)\n',
    );
    fc.assert(fc.property(prog, checkRun), { seed: 7, numRuns: 300 });
  });

  it('random bytes', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), checkRun), { seed: 1, numRuns: 300 });
  });
});
