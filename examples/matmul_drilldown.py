# A tiny linear layer: a 2x3 weight matrix times an input vector of 3, plus a bias.
#
#     h = W @ x + b        (h has 2 elements)
#     loss = mean squared error between h and the target y
#
# In the graph panel the matrix multiply W @ x is one node. Double-click it
# (or focus it and press D, or use "Scalar view" under the graph) to see the
# same computation scalar by scalar: each h[i] is W[i,0]*x[0] + W[i,1]*x[1]
# + W[i,2]*x[2], and stepping the backward pass shows how dloss/dW[i,k]
# = dloss/dh[i] * x[k] comes about, one multiply-add at a time.
import torch
import torch.nn.functional as F

x = torch.tensor([1.0, 2.0, -1.0])  # one input with 3 features
y = torch.tensor([0.5, -1.0])  # its target, 2 outputs

W = torch.tensor([[0.5, -0.25, 1.0], [0.75, 0.5, -0.5]], requires_grad=True)
b = torch.tensor([0.1, -0.2], requires_grad=True)

h = W @ x + b
loss = F.mse_loss(h, y)
loss.backward()

print("h =", h)
print("loss =", loss.item())
print("dloss/dW =", W.grad)
print("dloss/db =", b.grad)

# By hand: dloss/dh[i] = 2 * (h[i] - y[i]) / 2, and dloss/dW[i, k] = dloss/dh[i] * x[k].
dh = h.detach() - y
assert torch.allclose(W.grad, dh.unsqueeze(1) * x.unsqueeze(0))
assert torch.allclose(b.grad, dh)
