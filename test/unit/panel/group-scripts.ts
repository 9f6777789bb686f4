/** Scripts the grouping tests run. */

/** A def called in a loop inside another def (lines numbered for the assertions). */
export const DEF_LOOP = `import torch
w = torch.tensor(0.5, requires_grad=True)
b = torch.tensor(0.1, requires_grad=True)

def neuron(x):
    z = x * w + b
    return torch.tanh(z)

def model(xs):
    total = torch.tensor(0.0)
    for x in xs:
        total = total + neuron(x) * 2.0
    return total

loss = (model([1.0, 2.0, 3.0]) - 1.0) ** 2
loss.backward()
`;
