import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const root = path.resolve(__dirname, '../..');

function cli(...args: string[]) {
  return spawnSync(process.execPath, ['--require', 'tsx/cjs', 'src/cli.ts', ...args], { cwd: root, encoding: 'utf8' });
}

describe('backprop CLI', () => {
  it('demo prints the chain-rule products of the course exercise and passes the hand check', () => {
    const r = cli('demo');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /∂loss\/∂w1 \+= ∂loss\/∂\(x\*w1\) · ∂\(x\*w1\)\/∂w1 = \(-15\.5\)·\(2\.0\) = -31\.0/);
    assert.match(r.stdout, /∂loss\/∂w2 \+= .* = \(-15\.5\)·\(4\.0\) = -62\.0/);
    assert.match(r.stdout, /PASS {2}∂loss\/∂b: derived -15\.5, engine -15\.5/);
    assert.doesNotMatch(r.stdout, /FAIL/);
  });

  it('--json gives the step records in reverse creation order', () => {
    const r = cli('demo', '--json');
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { steps: { node: number; backwardName: string }[]; ok: boolean };
    assert.equal(out.ok, true);
    assert.deepEqual(
      out.steps.map((s) => s.backwardName),
      ['PowBackward0', 'SubBackward0', 'AddBackward0', 'AddBackward0', 'MulBackward0', 'MulBackward0'],
    );
    const ids = out.steps.map((s) => s.node);
    assert.deepEqual(ids, [...ids].sort((a, b) => b - a));
  });

  it('run prints the script output and the assert results, exit 0', () => {
    const r = cli('run', 'examples/exercise_chain_rule.py');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^60\.0625 -31\.0 -62\.0 -15\.5\n/);
    assert.match(r.stdout, /PASS line \d+: torch\.isclose\(w1\.grad, 2 \* \(y_hat - y\) \* x\): -31\.0 vs -31\.0/);
  });

  it('run exits 1 when an assert fails, 2 on an error with a located message on stderr', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bp-'));
    const failing = path.join(dir, 'wrong.py');
    writeFileSync(failing, 'import torch\nw = torch.tensor(2.0, requires_grad=True)\n(w * w).backward()\nassert torch.isclose(w.grad, torch.tensor(2.0))\n');
    const r1 = cli('run', failing);
    assert.equal(r1.status, 1);
    assert.match(r1.stdout, /FAIL line 4: torch\.isclose\(w\.grad, torch\.tensor\(2\.0\)\): 4\.0 vs 2\.0/);
    const broken = path.join(dir, 'broken.py');
    writeFileSync(broken, 'import torch\nx = torch.ones(2, 3)\ny = x @ x\n');
    const r2 = cli('run', broken);
    assert.equal(r2.status, 2);
    assert.match(r2.stderr, /line 3, col 5: RuntimeError: mat1 and mat2 shapes cannot be multiplied \(2x3 and 2x3\)/);
    assert.match(r2.stderr, /\n {4}y = x @ x\n {8}\^{5}/);
  });

  it('run --json follows the documented contract', () => {
    const r = cli('run', 'examples/exercise_chain_rule.py', '--json');
    assert.equal(r.status, 0, r.stderr);
    const j = JSON.parse(r.stdout) as {
      variables: Record<string, { value: unknown; grad?: unknown; requiresGrad?: boolean; shape?: number[] }>;
      stdout: string;
      asserts: { line: number; passed: boolean; message: string }[];
      timing: { runMs: number };
    };
    assert.deepEqual(j.variables.w1, { value: 0.5, grad: -31, requiresGrad: true, shape: [], dtype: 'float32' });
    assert.equal(j.variables.y_hat.grad, null);
    assert.equal(j.stdout, '60.0625 -31.0 -62.0 -15.5\n');
    assert.equal(j.asserts.length, 2);
    assert.ok(j.asserts.every((a) => a.passed && typeof a.line === 'number'));
    assert.ok(j.timing.runMs >= 0);
  });

  it('run --trace prints one line per input of each backward step', () => {
    const r = cli('run', 'examples/exercise_chain_rule.py', '--trace');
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /mul#\d+ \(line \d+\): ∂L\/∂w1 \+= ∂L\/∂out \(-15\.5\) × ∂out\/∂w1 = x \(2\.0\) → -31\.0/);
  });

  it('run --check-random catches a formula that is right only at the given point', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bp-'));
    const f = path.join(dir, 'lucky.py');
    writeFileSync(
      f,
      'import torch\nx = torch.tensor(2.0)\nw = torch.tensor(2.0, requires_grad=True)\n(x * w ** 2).backward()\nassert torch.isclose(w.grad, x ** 3)\nassert torch.isclose(w.grad, 2 * x * w)\n',
    );
    const r = cli('run', f, '--check-random', '5');
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stdout, /check-random line 5: passes at the given values; fails at w=-?\d/);
    assert.match(r.stdout, /check-random line 6: passes at the given values; passes at 5 random points/);
  });

  it('rejects an unknown command with usage and exit code 2', () => {
    const r = cli('frobnicate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });
});
