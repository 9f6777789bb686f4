# The course exercise: derive dloss/dw1, dloss/dw2 and dloss/db by hand,
# then let autograd check your derivation.
#
# Model: y_hat = x**2 * w2 + x * w1 + b, loss = (y_hat - y)**2.
# Chain rule: dloss/dw = dloss/dy_hat * dy_hat/dw, with
#     dloss/dy_hat = 2 * (y_hat - y)
#     dy_hat/dw1 = x,  dy_hat/dw2 = x**2,  dy_hat/db = 1
import torch

x = torch.tensor(2.0); y = torch.tensor(3.0)
w1 = torch.tensor(0.5, requires_grad=True)
w2 = torch.tensor(-1.5, requires_grad=True)
b = torch.tensor(0.25, requires_grad=True)
y_hat = x**2 * w2 + x * w1 + b
loss = (y_hat - y)**2
loss.backward()
assert torch.isclose(w1.grad, 2 * (y_hat - y) * x)        # derived by hand
assert torch.isclose(w2.grad, 2 * (y_hat - y) * x**2)
print(loss.item(), w1.grad.item(), w2.grad.item(), b.grad.item())
