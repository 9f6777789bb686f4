# Broadcasting: how PyTorch combines tensors of different shapes, and what
# it means for gradients.
#
# Rule: shapes are compared from the right; a dimension of size 1 (or a
# missing one) is stretched to match the other tensor.
import torch

# 1) A bias of shape (3,) added to a batch of shape (4, 3): the same bias is
#    added to every row.
X = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [-1.0, 0.0, 1.0]])
bias = torch.tensor([0.5, -0.5, 1.0], requires_grad=True)
out = X + bias
print("X + bias:")
print(out)

# Because the bias was used once per row, its gradient is the SUM over the
# rows of the gradient of out. Here loss = sum(out**2), so dloss/dout = 2*out.
loss = (out ** 2).sum()
loss.backward()
print("bias.grad:", bias.grad)
print("sum over rows of 2*out:", (2 * out.detach()).sum(dim=0))

# 2) A column (3, 1) times a row (1, 4) gives a (3, 4) table: the outer product.
col = torch.tensor([[1.0], [2.0], [3.0]], requires_grad=True)
row = torch.tensor([[10.0, 20.0, 30.0, 40.0]], requires_grad=True)
table = col * row
print("column * row:")
print(table)
print("shape:", table.shape)

# Each entry of col was multiplied by every entry of row, so d(sum)/d(col[i])
# is the sum of the row, and d(sum)/d(row[j]) is the sum of the column.
table.sum().backward()
print("col.grad:", col.grad)
print("row.grad:", row.grad)
