# Softmax and cross-entropy for a classifier with 3 classes.
#
# A classifier outputs one score ("logit") per class. Softmax turns the
# scores of one example into probabilities:
#     p_i = exp(z_i) / sum_j exp(z_j)
# Cross-entropy is minus the log of the probability given to the right class,
# averaged over the batch. Its gradient with respect to the logits has a
# famously simple form: (softmax(z) - one_hot(target)) / batch_size.
import torch
import torch.nn.functional as F

# Two examples, three classes. The right classes are 0 and 1.
logits = torch.tensor([[2.0, 1.0, 0.1], [0.5, 2.5, -1.0]], requires_grad=True)
target = torch.tensor([0, 1])

probs = F.softmax(logits, dim=1)  # dim=1: normalise each row
print("probabilities:")
print(probs)
print("each row sums to 1:", probs.sum(dim=1))

# Cross-entropy by hand, then with PyTorch's function (which takes the raw
# logits, not the probabilities).
by_hand = -(torch.log(probs[0, 0]) + torch.log(probs[1, 1])) / 2
loss = F.cross_entropy(logits, target)
print(f"cross-entropy by hand: {by_hand.item():.6f}")
print(f"F.cross_entropy:       {loss.item():.6f}")
assert torch.isclose(by_hand, loss)

loss.backward()
print("gradient of the loss with respect to the logits:")
print(logits.grad)

# Check the formula (softmax - one_hot) / batch_size.
one_hot = torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
expected = (probs.detach() - one_hot) / 2
assert torch.allclose(logits.grad, expected)
print("matches (softmax - one_hot) / 2")
