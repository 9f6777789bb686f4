/** Scripts that build big graphs, for the layout and paint measurements. */

/** A scalar MLP (nIn → hidden → 1, tanh) over `samples` samples: about 2,000 nodes for (4, 10, 12). */
export function mlpScript(nIn: number, hidden: number, samples: number): string {
  return `import torch
import random
random.seed(0)
W = [[torch.tensor(random.uniform(-1, 1), requires_grad=True) for i in range(${nIn})] for j in range(${hidden})]
V = [torch.tensor(random.uniform(-1, 1), requires_grad=True) for j in range(${hidden})]
loss = torch.tensor(0.0)
for k in range(${samples}):
    xs = [random.uniform(-1, 1) for i in range(${nIn})]
    h = [torch.tanh(sum([w * x for w, x in zip(W[j], xs)])) for j in range(${hidden})]
    out = sum([v * hh for v, hh in zip(V, h)])
    loss = loss + (out - 1.0) ** 2
loss.backward()
`;
}
