# A 1-D linear model y = x * w trained by gradient descent, as in "PyTorch Zero to All".
import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
w = torch.tensor(1.0, requires_grad=True)

for epoch in range(10):
    for x_val, y_val in zip(x_data, y_data):
        y_pred = x_val * w
        l = (y_pred - y_val) ** 2
        l.backward()
        with torch.no_grad():
            w -= 0.01 * w.grad
        w.grad.zero_()
    print(f"epoch {epoch}: w = {w.item():.4f}, loss = {l.item():.6f}")
