import { strict as assert } from 'node:assert';
import * as c from '../../src/core';

describe('core smoke: the course exercise', () => {
  it('computes the gradients derived by hand', () => {
    const x = c.scalar(2);
    const y = c.scalar(3);
    const w1 = c.requiresGrad_(c.scalar(0.5));
    const w2 = c.requiresGrad_(c.scalar(-1.5));
    const b = c.requiresGrad_(c.scalar(0.25));
    const yHat = c.add(c.add(c.mul(c.pow(x, 2), w2), c.mul(x, w1)), b);
    const loss = c.pow(c.sub(yHat, y), 2);
    c.backward(loss);
    assert.equal(yHat.at(0), -4.75);
    assert.equal(w1.grad?.at(0), 2 * (-4.75 - 3) * 2);
    assert.equal(w2.grad?.at(0), 2 * (-4.75 - 3) * 4);
    assert.equal(b.grad?.at(0), 2 * (-4.75 - 3));
  });
});
