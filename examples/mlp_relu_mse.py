# A 2-layer neural network (multi-layer perceptron) trained with gradient descent.
#
#     input x (2 features) -> Linear(2 -> 3) -> ReLU -> Linear(3 -> 1) -> prediction
#     loss = mean squared error between predictions and targets
#
# The weights start from fixed numbers (not random ones) so that every run,
# and every student, gets exactly the same results.
import torch
import torch.nn.functional as F

# A batch of 4 examples (one per row) and their targets.
X = torch.tensor([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.5, -1.0]])
Y = torch.tensor([[1.0], [1.0], [0.0], [0.5]])

# Layer 1: 2 inputs -> 3 hidden units. Layer 2: 3 hidden units -> 1 output.
# requires_grad=True asks autograd to compute d(loss)/d(parameter).
W1 = torch.tensor([[0.5, -0.3, 0.8], [0.2, 0.7, -0.6]], requires_grad=True)
b1 = torch.tensor([0.1, 0.0, -0.1], requires_grad=True)
W2 = torch.tensor([[0.6], [-0.4], [0.9]], requires_grad=True)
b2 = torch.tensor([0.05], requires_grad=True)
learning_rate = 0.1

for epoch in range(20):
    # Forward pass. X @ W1 has shape (4, 3); b1 (shape (3,)) is added to every row.
    hidden = F.relu(X @ W1 + b1)
    prediction = hidden @ W2 + b2  # shape (4, 1)
    loss = F.mse_loss(prediction, Y)

    # Backward pass: fills W1.grad, b1.grad, W2.grad and b2.grad.
    loss.backward()

    # Update the parameters. torch.no_grad() because the update itself must
    # not become part of the graph; then reset the gradients to zero, or the
    # next backward() would add to them.
    with torch.no_grad():
        for p in [W1, b1, W2, b2]:
            p -= learning_rate * p.grad
            p.grad.zero_()

    if epoch % 5 == 0 or epoch == 19:
        print(f"epoch {epoch:3d} | loss {loss.item():.6f}")

print("predictions after training:")
print(prediction)
print("targets:")
print(Y)
