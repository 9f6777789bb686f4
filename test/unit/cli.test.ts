import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
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

  it('rejects an unknown command with usage and exit code 2', () => {
    const r = cli('frobnicate');
    assert.equal(r.status, 2);
    assert.match(r.stderr, /unknown command 'frobnicate'/);
  });
});
