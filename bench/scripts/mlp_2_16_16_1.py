# A 2-16-16-1 MLP of tensors (relu, tanh, sigmoid) trained for 300 epochs of
# full-batch gradient descent on 64 points of a grid: inside or outside a circle.
import math
import torch
import torch.nn.functional as F

N = 64
coords = [[(i % 8) / 3.5 - 1, (i // 8) / 3.5 - 1] for i in range(N)]
X = torch.tensor(coords)
Y = torch.tensor([[1.0 if u * u + v * v < 0.5 else 0.0] for u, v in coords])


def init(rows, cols, seed):
    # Deterministic weights of scale 1/sqrt(fan-in) (no torch.rand: its values differ between engines).
    scale = 1 / math.sqrt(rows)
    return torch.tensor(
        [[scale * math.sin(seed + 1.7 * r + 0.9 * c) for c in range(cols)] for r in range(rows)],
        requires_grad=True,
    )


W1 = init(2, 16, 0.3)
b1 = torch.zeros(16, requires_grad=True)
W2 = init(16, 16, 1.1)
b2 = torch.zeros(16, requires_grad=True)
W3 = init(16, 1, 2.9)
b3 = torch.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2, W3, b3]
lr = 0.5

for epoch in range(300):
    h1 = F.relu(X @ W1 + b1)
    h2 = torch.tanh(h1 @ W2 + b2)
    p = torch.sigmoid(h2 @ W3 + b3)
    loss = F.mse_loss(p, Y)
    loss.backward()
    with torch.no_grad():
        for prm in params:
            prm -= lr * prm.grad
            prm.grad.zero_()
    if epoch % 100 == 0:
        print(f"epoch {epoch:3d} loss {loss.item():.5f}")

acc = ((p > 0.5).float() == Y).float().mean()
print(f"loss {loss.item():.5f} accuracy {acc.item():.3f}")
