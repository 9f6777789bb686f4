/** Scripts the panel tests run. */
import * as fs from 'node:fs';
import * as path from 'node:path';

export const EXAMPLES = path.resolve(__dirname, '..', '..', '..', 'examples');
export const EXERCISE = fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8');

/** w feeds three products: its gradient is a sum of three contributions. */
export const FAN_OUT = `import torch
w = torch.tensor(3.0, requires_grad=True)
a = w * 2
b = w * w
loss = a + b
loss.backward()
`;

/** A small tensor graph: matmul, tanh, sum. */
export const TENSORS = `import torch
W = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
x = torch.tensor([1., -1.])
h = torch.tanh(W @ x)
loss = h.sum()
loss.backward()
`;

/** Gradient descent: the parameter changes in place after each backward(). */
export const TRAINING = `import torch
w = torch.tensor(1.0, requires_grad=True)
for epoch in range(3):
    loss = (w * 2.0 - 4.0) ** 2
    loss.backward()
    with torch.no_grad():
        w -= 0.1 * w.grad
    w.grad.zero_()
`;
