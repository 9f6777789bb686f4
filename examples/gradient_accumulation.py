# The gradient-accumulation pitfall.
#
# backward() does not overwrite .grad: it ADDS the new gradient to whatever
# is already there. This is useful (e.g. to sum gradients over several small
# batches), but if you forget to reset .grad between training steps, every
# step uses the sum of all previous gradients, and training goes wrong.
import torch

x = torch.tensor(3.0)
target = 1.0

# Without zero_(): the gradient grows at every step although w did not change.
w = torch.tensor(2.0, requires_grad=True)
for step in range(3):
    loss = (x * w - target) ** 2
    loss.backward()
    print(f"without zero_(), step {step}: w.grad = {w.grad.item()}")

# With zero_(): each step sees only its own gradient, 2 * x * (x*w - target) = 30.
v = torch.tensor(2.0, requires_grad=True)
for step in range(3):
    loss = (x * v - target) ** 2
    loss.backward()
    print(f"with zero_(),    step {step}: v.grad = {v.grad.item()}")
    v.grad.zero_()

# The usual training loop therefore looks like:
#     loss.backward()
#     with torch.no_grad():
#         w -= learning_rate * w.grad
#     w.grad.zero_()
