# A 1-D linear model y = x * w trained by gradient descent, as in "PyTorch Zero to All",
# this time letting autograd compute the gradient.
#
# Compare with linear_hand_gradient.py: there we wrote dloss/dw = 2*x*(x*w - y)
# ourselves; here loss.backward() computes it and stores it in w.grad.
import torch

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]
w = torch.tensor(1.0, requires_grad=True)  # requires_grad: track operations on w

for epoch in range(10):
    for x_val, y_val in zip(x_data, y_data):
        y_pred = x_val * w                 # forward pass: builds the graph
        l = (y_pred - y_val) ** 2
        l.backward()                       # backward pass: w.grad = dl/dw
        with torch.no_grad():              # the update must not be recorded
            w -= 0.01 * w.grad
        w.grad.zero_()                     # reset, or the next backward() adds to it
    print(f"epoch {epoch}: w = {w.item():.4f}, loss = {l.item():.6f}")
