# micrograd's demo in PyTorch: a 2-8-8-1 network whose every weight is its own
# 0-dim tensor, neurons as sums of products (b + w0*x0 + w1*x1 + ...), tanh,
# squared-error loss summed over 16 samples, 20 epochs of gradient descent.
import math
import torch

nin = 2
sizes = [nin, 8, 8, 1]


def neuron_params(fan_in, seed):
    # Deterministic weights (no torch.rand: its values differ between engines); the bias is last.
    return [
        torch.tensor(math.sin(seed + 0.73 * i) / math.sqrt(fan_in), dtype=torch.float64, requires_grad=True)
        for i in range(fan_in + 1)
    ]


layers = []
for l in range(1, len(sizes)):
    layers.append([neuron_params(sizes[l - 1], 10.0 * l + n) for n in range(sizes[l])])
params = [p for layer in layers for neuron in layer for p in neuron]


def neuron(ps, xs, act):
    s = ps[-1]
    for w, x in zip(ps, xs):
        s = s + w * x
    return s.tanh() if act else s


def forward(xs):
    for l, layer in enumerate(layers):
        last = l == len(layers) - 1
        xs = [neuron(ps, xs, not last) for ps in layer]
    return xs[0]


data = [[math.cos(0.4 * k), math.sin(0.9 * k)] for k in range(16)]
xs_data = [[torch.tensor(v, dtype=torch.float64) for v in row] for row in data]
ys = [1.0 if u * v > 0 else -1.0 for u, v in data]
lr = 0.01

for epoch in range(20):
    loss = sum([(forward(xs) - y) ** 2 for xs, y in zip(xs_data, ys)])
    for p in params:
        p.grad = None
    loss.backward()
    with torch.no_grad():
        for p in params:
            p -= lr * p.grad
    if epoch % 5 == 0:
        print(f"epoch {epoch:2d} loss {loss.item():.6f}")

print(f"loss {loss.item():.6f}, {len(params)} parameters")
