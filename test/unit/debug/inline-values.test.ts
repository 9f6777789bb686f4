import { strict as assert } from 'node:assert';
import { inlineValueSpecs } from '../../../src/extension/debug/inline-values';

describe('inline values while stopped', () => {
  const lines = [
    'import torch',
    'x = torch.tensor(2.0); w1 = torch.tensor(0.5, requires_grad=True)',
    'y_hat = x * w1',
    'y_hat += 1',
    'if y_hat == 2: pass',
    'loss = y_hat ** 2',
  ];

  it('names assigned up to the stopped line, with their columns', () => {
    const specs = inlineValueSpecs(lines, 4).filter((s) => s.kind === 'lookup');
    assert.deepEqual(
      specs.map((s) => [s.line, s.col, s.endCol, s.expression]),
      [
        [2, 0, 1, 'x'],
        [2, 23, 25, 'w1'],
        [3, 0, 5, 'y_hat'],
        [4, 0, 5, 'y_hat'],
      ],
    );
  });

  it('the gradient of each leaf created with requires_grad=True is evaluated next to it', () => {
    const grads = inlineValueSpecs(lines, 6).filter((s) => s.kind === 'evaluate');
    assert.deepEqual(grads.map((s) => [s.line, s.expression]), [[2, 'w1.grad']]);
  });

  it('comparisons are not assignments, and nothing past the stopped line shows', () => {
    const specs = inlineValueSpecs(lines, 5);
    assert.ok(specs.every((s) => s.line <= 5));
    assert.ok(!specs.some((s) => s.line === 5));
  });
});
