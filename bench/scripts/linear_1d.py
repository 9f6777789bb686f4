# 1-D linear regression trained by gradient descent: y ≈ w·x + b on 32 points.
# A course's first training loop: 1-D tensors, two 0-dim parameters, MSE,
# backward, an update under no_grad and zeroed gradients, 1000 epochs.
import torch

xs = [i / 8 - 2 for i in range(32)]
x = torch.tensor(xs)
# A line plus a deterministic wobble (no torch.rand: its values differ between engines).
y = torch.tensor([3.0 * v - 0.5 + 0.1 * ((i * 7) % 5 - 2) for i, v in enumerate(xs)])
w = torch.tensor(0.0, requires_grad=True)
b = torch.tensor(0.0, requires_grad=True)
lr = 0.05

for epoch in range(1000):
    y_hat = w * x + b
    loss = ((y_hat - y) ** 2).mean()
    loss.backward()
    with torch.no_grad():
        w -= lr * w.grad
        b -= lr * b.grad
        w.grad.zero_()
        b.grad.zero_()
    if epoch % 250 == 0:
        print(f"epoch {epoch:4d} loss {loss.item():.4f}")

print(f"w {w.item():.4f} b {b.item():.4f} loss {loss.item():.4f}")
