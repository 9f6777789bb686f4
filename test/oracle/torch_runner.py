#!/usr/bin/env python3
"""Runs the oracle cases (test/oracle/cases.ts) with real PyTorch.

Reads {"cases": [...]} as JSON on stdin and writes {"torch": version,
"results": [...]} as JSON on stdout, one result per case, in the format of
ts-runner.ts (CaseRec): after every op its value, shape, dtype and grad_fn
name; after every backward the .grad of every leaf that requires grad; after
every sgd step the updated parameters and their gradients; the first error.

Numbers: finite floats are written with repr() (what json.dumps uses for
floats: the shortest string that reads back as the same double, and a
float32 widened to a double is exact), so nothing is lost; NaN and
infinities, which JSON cannot carry, are written as the strings "nan", "inf"
and "-inf".

One process runs every case, single-threaded, so results do not depend on
the machine's thread count.
"""

import json
import math
import sys
import warnings

import torch
import torch.nn.functional as F

DTYPES = {"float32": torch.float32, "float64": torch.float64}
DTYPE_NAMES = {torch.float32: "float32", torch.float64: "float64"}


def decode(v):
    """Nested JSON values to Python floats ('nan', 'inf', '-inf' strings to floats)."""
    if isinstance(v, list):
        return [decode(x) for x in v]
    if isinstance(v, str):
        return float(v)
    return float(v)


def encode_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def record(t):
    t = t.detach()
    return {
        "shape": list(t.shape),
        "dtype": DTYPE_NAMES[t.dtype],
        "values": [encode_float(float(x)) for x in t.reshape(-1).tolist()],
    }


def grad_fn_name(t):
    return None if t.grad_fn is None else type(t.grad_fn).__name__


class Interpreter:
    def __init__(self, case):
        self.env = {}
        self.leaves = []
        for leaf in case["leaves"]:
            t = torch.tensor(decode(leaf["value"]), dtype=DTYPES[leaf["dtype"]], requires_grad=leaf["requiresGrad"])
            self.env[leaf["name"]] = t
            self.leaves.append((leaf["name"], t))

    def tensor(self, a):
        if not isinstance(a, dict) or "t" not in a:
            raise AssertionError("expected a tensor argument, got %r" % (a,))
        return self.env[a["t"]]

    def value(self, a):
        """A tensor reference, or a Python number as given (int or float)."""
        return self.tensor(a) if isinstance(a, dict) else a

    def grads(self):
        return {name: (record(t.grad) if t.grad is not None else None) for name, t in self.leaves if t.requires_grad}

    def op(self, s):
        op, a = s["op"], s["args"]
        arg = lambda i, d=None: a[i] if i < len(a) else d  # noqa: E731
        indices = None
        if op == "add":
            out = self.value(a[0]) + self.value(a[1])
        elif op == "sub":
            out = self.value(a[0]) - self.value(a[1])
        elif op == "mul":
            out = self.value(a[0]) * self.value(a[1])
        elif op == "div":
            out = self.value(a[0]) / self.value(a[1])
        elif op == "pow":
            out = self.value(a[0]) ** self.value(a[1])
        elif op == "neg":
            out = -self.tensor(a[0])
        elif op in ("reciprocal", "exp", "log", "sqrt", "abs", "sin", "cos", "tanh", "sigmoid", "relu"):
            out = getattr(torch, op)(self.tensor(a[0]))
        elif op == "clamp":
            out = torch.clamp(self.tensor(a[0]), min=arg(1), max=arg(2))
        elif op == "matmul":
            out = self.tensor(a[0]) @ self.tensor(a[1])
        elif op in ("sum", "mean"):
            x = self.tensor(a[0])
            out = getattr(x, op)() if len(a) == 1 else getattr(torch, op)(x, dim=a[1], keepdim=arg(2, False))
        elif op in ("max", "min"):
            out = getattr(torch, op)(self.tensor(a[0]))
        elif op in ("maxDim", "minDim"):
            r = getattr(torch, op[:3])(self.tensor(a[0]), a[1], a[2])
            out = r.values
            indices = r.indices.reshape(-1).tolist()
        elif op == "transpose":
            out = self.tensor(a[0]).transpose(a[1], a[2])
        elif op == "t":
            out = self.tensor(a[0]).t()
        elif op == "T":
            out = self.tensor(a[0]).T
        elif op == "reshape":
            out = self.tensor(a[0]).reshape(a[1])
        elif op == "view":
            out = self.tensor(a[0]).view(a[1])
        elif op == "select":
            out = self.tensor(a[0]).select(a[1], a[2])
        elif op == "slice":
            x = self.tensor(a[0])
            dim = a[1] + x.dim() if a[1] < 0 else a[1]
            out = x[(slice(None),) * dim + (slice(a[2], a[3], a[4]),)]
        elif op in ("stack", "cat"):
            out = getattr(torch, op)([self.env[n] for n in a[0]["ts"]], a[1])
        elif op == "softmax":
            out = torch.softmax(self.tensor(a[0]), a[1])
        elif op == "logSoftmax":
            out = torch.log_softmax(self.tensor(a[0]), a[1])
        elif op == "mseLoss":
            out = F.mse_loss(self.tensor(a[0]), self.tensor(a[1]), reduction=arg(2, "mean"))
        elif op in ("nllLoss", "crossEntropy"):
            x = self.tensor(a[0])
            # Class targets: a LongTensor, 0-dim for a single unbatched sample.
            target = torch.tensor(a[1] if x.dim() != 1 else a[1][0], dtype=torch.long)
            fn = F.nll_loss if op == "nllLoss" else F.cross_entropy
            out = fn(x, target, reduction=arg(2, "mean"))
        elif op == "binaryCrossEntropy":
            out = F.binary_cross_entropy(self.tensor(a[0]), self.tensor(a[1]), reduction=arg(2, "mean"))
        else:
            raise AssertionError("unknown op %s" % op)
        self.env[s["out"]] = out
        rec = {"kind": "op", "value": record(out), "gradFn": grad_fn_name(out)}
        if indices is not None:
            rec["indices"] = indices
        return rec

    def stmt(self, s):
        kind = s["kind"]
        if kind == "op":
            return self.op(s)
        if kind == "backward":
            root = self.env[s["root"]]
            gradient = None
            if "gradient" in s:
                gradient = torch.tensor(decode(s["gradient"]), dtype=root.dtype)
            root.backward(gradient=gradient, retain_graph=s.get("retainGraph", False))
            return {"kind": "backward", "grads": self.grads()}
        if kind == "sgd":
            params = {}
            for name in s["params"]:
                p = self.env[name]
                with torch.no_grad():
                    p -= s["lr"] * p.grad
                p.grad.zero_()
                params[name] = record(p)
            return {"kind": "sgd", "params": params, "grads": self.grads()}
        raise AssertionError("unknown statement kind %s" % kind)


def run_case(case):
    records = []
    error = None
    it = Interpreter(case)
    for i, s in enumerate(case["program"]):
        try:
            records.append(it.stmt(s))
        except AssertionError:
            raise
        except Exception as e:  # a Python exception the program raises, as the user would see it
            error = {"at": i, "type": type(e).__name__, "message": str(e)}
            break
    return {"name": case["name"], "records": records, "error": error}


def main():
    warnings.simplefilter("ignore")
    torch.set_num_threads(1)
    torch.set_grad_enabled(True)
    data = json.load(sys.stdin)
    results = [run_case(case) for case in data["cases"]]
    json.dump({"torch": torch.__version__, "results": results}, sys.stdout, allow_nan=False)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
