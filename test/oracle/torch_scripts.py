#!/usr/bin/env python3
"""Runs whole course scripts under real PyTorch and reports what
`backprop run --json` reports for them (src/session/report.ts, runReport).

Usage:
    python3 torch_scripts.py SCRIPT.py [SCRIPT.py ...]
    python3 torch_scripts.py --json SCRIPT.py   # one report, as `backprop run --json`

Without --json it writes {"torch": version, "results": [{"path": ..., "report":
{...}}, ...]} to stdout, one report per script, in the order given. Every
script runs in this one process, each in a fresh module namespace with its
printed output captured, so a script cannot see another's variables.

A report has the shape of runReport's:
    variables  module-level names (not starting with "__") whose values
               runReport reports: tensors in full {"value", "grad",
               "requiresGrad", "shape", "dtype"}; numbers, booleans, strings
               and (nested) lists/tuples of numbers/booleans as {"value"};
               modules, functions, None, dicts and lists holding anything
               else are left out, as runReport leaves them out.
    stdout     everything the script printed.
    asserts    every executed assert statement, in execution order:
               {"line", "passed", "message"} (message: "" here; the test does
               not compare it).
    timing     {"runMs"}.
    error      {"type", "message", "line", "col"} of the exception that ended
               the script, except AssertionError (a failed assert is in
               "asserts"), as runReport does. "line" is the line of the
               innermost frame inside the script (where the error surfaced in
               the student's code, also when torch raised it deeper down).

Numbers: finite floats are written with repr() (json's float format, the
shortest string that reads back as the same double; a float32 widened to a
double is exact), ints as ints; NaN and infinities, which JSON cannot carry,
as the strings "nan", "inf" and "-inf".

Assert outcomes are recorded by rewriting each `assert test, msg` into
`assert __bp_assert__(LINE, test), msg` before compiling: the test is
evaluated once, as Python would, and the statement still raises
AssertionError with the same message when it fails.
"""

import ast
import builtins
import contextlib
import io
import json
import math
import sys
import time
import types
import warnings

import torch

RECORDER = "__bp_assert__"


def encode_float(x):
    if math.isnan(x):
        return "nan"
    if math.isinf(x):
        return "inf" if x > 0 else "-inf"
    return x


def encode_nested(v):
    if isinstance(v, list):
        return [encode_nested(x) for x in v]
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    return encode_float(float(v))


def tensor_json(t):
    return encode_nested(t.detach().tolist())


def dtype_name(t):
    return str(t.dtype).replace("torch.", "")


def plain(v):
    """The JSON value runReport gives a non-tensor Python value, or None to leave it out."""
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return v
    if isinstance(v, float):
        return encode_float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, (list, tuple)):
        items = [plain(x) for x in v]
        if all(x is not None and not isinstance(x, str) for x in items):
            return items
    return None


def variables_report(ns):
    out = {}
    for name, v in ns.items():
        if name.startswith("__"):
            continue
        if isinstance(v, torch.Tensor):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                grad = v.grad
            out[name] = {
                "value": tensor_json(v),
                "grad": None if grad is None else tensor_json(grad),
                "requiresGrad": bool(v.requires_grad),
                "shape": list(v.shape),
                "dtype": dtype_name(v),
            }
            continue
        if isinstance(v, (types.ModuleType, types.FunctionType, type)):
            continue
        p = plain(v)
        if p is not None:
            out[name] = {"value": p}
    return out


class AssertRewriter(ast.NodeTransformer):
    """`assert test, msg` -> `assert __bp_assert__(LINE, test), msg`."""

    def visit_Assert(self, node):
        call = ast.Call(
            func=ast.Name(id=RECORDER, ctx=ast.Load()),
            args=[ast.Constant(value=node.lineno), node.test],
            keywords=[],
        )
        new = ast.Assert(test=ast.copy_location(call, node.test), msg=node.msg)
        return ast.copy_location(new, node)


def error_location(exc, filename):
    """Line and 1-based column of the innermost traceback frame inside the script."""
    if isinstance(exc, SyntaxError) and exc.filename == filename:
        return exc.lineno, exc.offset
    line = None
    col = None
    tb = exc.__traceback__
    while tb is not None:
        code = tb.tb_frame.f_code
        if code.co_filename == filename:
            line = tb.tb_lineno
            col = None
            try:
                positions = list(code.co_positions())
                pos = positions[tb.tb_lasti // 2]
                if pos[2] is not None:
                    col = pos[2] + 1
            except (AttributeError, IndexError):
                pass
        tb = tb.tb_next
    return line, col


def run_script(path):
    with open(path, encoding="utf-8") as f:
        source = f.read()
    asserts = []

    def record_assert(line, test):
        passed = bool(test)
        asserts.append({"line": line, "passed": passed, "message": ""})
        return passed

    ns = {"__name__": "__main__", "__file__": path, "__builtins__": builtins, RECORDER: record_assert}
    out = io.StringIO()
    error = None
    torch.set_grad_enabled(True)
    t0 = time.perf_counter()
    try:
        tree = AssertRewriter().visit(ast.parse(source, filename=path))
        ast.fix_missing_locations(tree)
        code = compile(tree, path, "exec")
        with contextlib.redirect_stdout(out), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(code, ns)
    except AssertionError:
        pass
    except Exception as e:  # noqa: BLE001 - every script error is part of the report
        line, col = error_location(e, path)
        error = {"type": type(e).__name__, "message": str(e), "line": line, "col": col}
    run_ms = (time.perf_counter() - t0) * 1000
    torch.set_grad_enabled(True)
    report = {
        "variables": variables_report(ns),
        "stdout": out.getvalue(),
        "asserts": asserts,
        "timing": {"runMs": round(run_ms, 3)},
    }
    if error is not None:
        report["error"] = error
    return report


def main(argv):
    single = False
    if argv and argv[0] == "--json":
        single = True
        argv = argv[1:]
    if not argv or (single and len(argv) != 1):
        sys.stderr.write(__doc__)
        return 2
    torch.set_num_threads(1)
    results = [{"path": p, "report": run_script(p)} for p in argv]
    doc = results[0]["report"] if single else {"torch": torch.__version__, "results": results}
    sys.stdout.write(json.dumps(doc, allow_nan=False))
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
