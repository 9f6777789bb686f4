"""PyTorch side of `npm run bench`: the same workloads, single-threaded.

Reads one JSON object (the configuration) from argv[1] and prints one JSON
object with the measured figures. Run by bench/index.ts with /usr/bin/python3.
"""
import contextlib
import gc
import io
import json
import statistics
import sys
import time

import torch
import torch.nn.functional as F

torch.set_num_threads(1)


def timed(fn, warmup, runs):
    """Median and fastest seconds of `runs` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return {"median": statistics.median(ts), "best": min(ts)}


def scalar_mlp(cfg):
    """micrograd-style MLP of 0-dim float64 tensors, as bench/scalar-mlp.ts builds it."""
    g = torch.Generator().manual_seed(cfg["seed"])
    sizes, batch = cfg["sizes"], cfg["batch"]

    def rand(scale):
        return float((torch.rand((), generator=g, dtype=torch.float64) * 2 - 1) * scale)

    params = []
    for l in range(1, len(sizes)):
        nin = sizes[l - 1]
        layer = []
        for _ in range(sizes[l]):
            layer.append([torch.tensor(rand(nin ** -0.5), dtype=torch.float64, requires_grad=True) for _ in range(nin + 1)])
        params.append(layer)
    xs = [[torch.tensor(rand(1.0), dtype=torch.float64) for _ in range(sizes[0])] for _ in range(batch)]
    ys = [torch.tensor(rand(1.0), dtype=torch.float64) for _ in range(batch)]
    nl = len(sizes) - 1

    def step(n=batch):
        for layer in params:
            for neuron in layer:
                for p in neuron:
                    p.grad = None
        loss = None
        for s in range(n):
            act = xs[s]
            for l in range(nl):
                nxt = []
                nin = sizes[l]
                for w in params[l]:
                    acc = w[nin]
                    for i in range(nin):
                        acc = acc + w[i] * act[i]
                    nxt.append(torch.tanh(acc) if l < nl - 1 else acc)
                act = nxt
            diff = act[0] - ys[s]
            sq = diff * diff
            loss = sq if loss is None else loss + sq
        loss.backward()

    # Warm up on a couple of samples: a full-size graph takes seconds here.
    for _ in range(cfg["warmup"]):
        step(min(batch, 2))
    return timed(step, 0, cfg["runs"])


def matmul(cfg):
    m, k, n = cfg["m"], cfg["k"], cfg["n"]
    a = torch.randn(m, k, requires_grad=True)
    b = torch.randn(k, n, requires_grad=True)
    g = torch.randn(m, n)

    def step():
        a.grad = None
        b.grad = None
        (a @ b).backward(g)

    return timed(step, cfg["warmup"], cfg["runs"])


def mlp(cfg):
    batch = cfg["batch"]
    din, dh, dout = cfg["sizes"]
    x = torch.randn(batch, din)
    w1 = (torch.randn(din, dh) / din ** 0.5).requires_grad_()
    b1 = (torch.randn(dh) * 0.1).requires_grad_()
    w2 = (torch.randn(dh, dout) / dh ** 0.5).requires_grad_()
    b2 = (torch.randn(dout) * 0.1).requires_grad_()
    target = torch.randint(0, dout, (batch,))
    params = [w1, b1, w2, b2]

    def step():
        for p in params:
            p.grad = None
        h = torch.relu(x @ w1 + b1)
        loss = F.cross_entropy(h @ w2 + b2, target)
        loss.backward()

    return timed(step, cfg["warmup"], cfg["runs"])


def scripts(cfg):
    """Whole scripts (bench/scripts/*.py), each exec'd in a fresh namespace of
    this process, which has already imported torch: one untimed run, then
    `runs` timed ones, a gc.collect() before each. Only the exec is timed
    (it includes compiling the source, as ours includes parsing it); the
    printed output is captured and returned for comparison."""
    out = []
    for path in cfg["paths"]:
        with open(path, encoding="utf-8") as f:
            source = f.read()

        def run():
            buf = io.StringIO()
            ns = {"__name__": "__main__", "__file__": path}
            with contextlib.redirect_stdout(buf):
                gc.collect()
                t0 = time.perf_counter()
                exec(source, ns)  # noqa: S102 - the benchmark's own scripts
                dt = time.perf_counter() - t0
            return dt, buf.getvalue()

        for _ in range(cfg["warmup"]):
            run()
        ts = []
        stdout = ""
        for _ in range(cfg["runs"]):
            dt, stdout = run()
            ts.append(dt)
        out.append({"median": statistics.median(ts), "best": min(ts), "stdout": stdout})
    return out


def main():
    cfg = json.loads(sys.argv[1])
    out = {"version": torch.__version__, "threads": torch.get_num_threads()}
    # Every section is optional: `npm run bench` measures the core and the
    # interpreter in separate processes.
    for name, fn in (("scalar", scalar_mlp), ("matmul", matmul), ("mlp", mlp), ("scripts", scripts)):
        if name in cfg:
            out[name] = fn(cfg[name])
    print(json.dumps(out))


if __name__ == "__main__":
    main()
