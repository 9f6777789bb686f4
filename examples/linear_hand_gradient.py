# A 1-D linear model y = x * w, trained by gradient descent WITHOUT autograd.
#
# We want w such that x * w matches y on the training data (here the true
# answer is w = 2). The loss for one example is the squared error
#     loss(w) = (x * w - y) ** 2
# and its derivative with respect to w, by the chain rule, is
#     dloss/dw = 2 * (x * w - y) * x
# Gradient descent repeats: w <- w - learning_rate * dloss/dw.
# Everything here is plain Python floats: no torch at all.

x_data = [1.0, 2.0, 3.0]
y_data = [2.0, 4.0, 6.0]

w = 1.0  # a deliberately wrong first guess
learning_rate = 0.01


def forward(x):
    # The model's prediction for input x.
    return x * w


def loss(x, y):
    # Squared error between the prediction and the target.
    y_pred = forward(x)
    return (y_pred - y) * (y_pred - y)


def gradient(x, y):
    # dloss/dw, derived by hand (see the comment at the top).
    return 2 * x * (x * w - y)


print("prediction for x = 4 before training:", forward(4.0))

for epoch in range(10):
    for x_val, y_val in zip(x_data, y_data):
        grad = gradient(x_val, y_val)
        w = w - learning_rate * grad  # one gradient-descent step
        l = loss(x_val, y_val)
    print(f"epoch {epoch}: w = {w:.4f}, loss = {l:.6f}")

print("prediction for x = 4 after training:", forward(4.0))
# w gets closer to 2 at every epoch; try a larger learning rate (0.1, 0.2)
# and watch what happens to the loss.
