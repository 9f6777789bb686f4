import { strict as assert } from 'node:assert';
import { runScript, RunResult } from '../../src/lang/run';

/** Runs a script and returns its result; `lines` are joined with newlines. */
function run(...lines: string[]): RunResult {
  return runScript(lines.join('\n') + '\n', { limits: { maxMillis: 5000 } });
}

function output(...lines: string[]): string {
  const r = run(...lines);
  assert.equal(r.error, null, r.error ? `${r.error.type}: ${r.error.message} at line ${r.error.range?.line}` : '');
  return r.stdout;
}

/** Asserts the script fails with `type`, a message matching `msg`, at line:col (col 1-based). */
function fails(src: string[], type: string, msg: RegExp | string, line: number, col: number): void {
  const r = run(...src);
  assert.ok(r.error, `expected ${type}, but the script ran`);
  assert.equal(r.error.type, type, `${r.error.type}: ${r.error.message}`);
  if (typeof msg === 'string') assert.equal(r.error.message, msg);
  else assert.match(r.error.message, msg);
  assert.equal(r.error.range?.line, line, 'line');
  assert.equal((r.error.range?.col ?? -1) + 1, col, 'column');
}

describe('interpreter: Python semantics', () => {
  it('prints with CPython float repr, sep and end', () => {
    assert.equal(output('print(0.1 + 0.2, 1e-5, 2.0, 10**20, 7 // 2, -7 // 2, -7 % 3, sep="|", end="!\\n")'),
      '0.30000000000000004|1e-05|2.0|100000000000000000000|3|-4|2!\n');
  });
  it('ints are exact and / is true division', () => {
    assert.equal(output('print(2**100, 7 / 2, 1 / 3, True + True, 10**400 // 10**399)'),
      '1267650600228229401496703205376 3.5 0.3333333333333333 2 10\n');
  });
  it('f-strings with format specs', () => {
    assert.equal(output('epoch = 3', 'loss = 0.123456', 'print(f"{epoch:3d}: {loss:.4f} {loss!r} {epoch=}")'),
      '  3: 0.1235 0.123456 epoch=3\n');
  });
  it('functions: defaults, keywords, *args, **kwargs, closures, recursion', () => {
    assert.equal(
      output(
        'def f(a, b=2, *rest, scale=1, **kw):',
        '    return (a + b + sum(rest)) * scale, sorted(kw)',
        'def fact(n):',
        '    return 1 if n <= 1 else n * fact(n - 1)',
        'def make(k):',
        '    return lambda x: x * k',
        'print(f(1), f(1, 2, 3, 4, scale=2, z=1, y=2), fact(10), make(3)(5))',
      ),
      "(3, []) (20, ['y', 'z']) 3628800 15\n",
    );
  });
  it('control flow: for/else, while, break, continue, comprehensions, zip, enumerate', () => {
    assert.equal(
      output(
        'out = []',
        'for i, (a, b) in enumerate(zip([1, 2, 3], "xyz")):',
        '    if i == 1:',
        '        continue',
        '    out.append(f"{i}{a}{b}")',
        'else:',
        '    out.append("done")',
        'n = 0',
        'while True:',
        '    n += 1',
        '    if n > 4: break',
        'print(out, n, [x * x for x in range(5) if x % 2 == 0])',
      ),
      "['01x', '23z', 'done'] 5 [0, 4, 16]\n",
    );
  });
  it('names such as __proto__, constructor and toString are ordinary names', () => {
    assert.equal(output('__proto__ = 1', 'constructor = 2', 'toString = 3', 'hasOwnProperty = 4', 'print(__proto__ + constructor + toString + hasOwnProperty)'), '10\n');
  });
  it('global and del', () => {
    assert.equal(output('count = 0', 'def bump():', '    global count', '    count += 1', 'bump()', 'bump()', 'x = 5', 'del x', 'print(count)'), '2\n');
  });
  it('tuple unpacking, starred targets and dicts', () => {
    assert.equal(output('a, *b, c = [1, 2, 3, 4]', 'd = {"w": 1, "b": 2}', 'd["w"] += 10', 'print(a, b, c, d, list(d.items()))'),
      "1 [2, 3] 4 {'w': 11, 'b': 2} [('w', 11), ('b', 2)]\n");
  });
});

describe('interpreter: torch', () => {
  it('runs the course exercise and prints like PyTorch', () => {
    assert.equal(
      output(
        'import torch',
        'x = torch.tensor(2.0); y = torch.tensor(3.0)',
        'w1 = torch.tensor(0.5, requires_grad=True)',
        'w2 = torch.tensor(-1.5, requires_grad=True)',
        'b = torch.tensor(0.25, requires_grad=True)',
        'y_hat = x**2 * w2 + x * w1 + b',
        'loss = (y_hat - y)**2',
        'loss.backward()',
        'print(y_hat, loss)',
        'print(w1.grad, w2.grad.item(), b.grad, w1)',
      ),
      'tensor(-4.7500, grad_fn=<AddBackward0>) tensor(60.0625, grad_fn=<PowBackward0>)\ntensor(-31.) -62.0 tensor(-15.5000) tensor(0.5000, requires_grad=True)\n',
    );
  });
  it('records asserts with the numbers on both sides', () => {
    const r = run(
      'import torch',
      'w = torch.tensor(3.0, requires_grad=True)',
      '(w * w).backward()',
      'assert torch.isclose(w.grad, 2 * w)',
      'assert abs(w.grad.item() - 6.0) < 1e-6',
    );
    assert.equal(r.error, null);
    assert.deepEqual(r.asserts.map((a) => [a.range.line, a.passed, a.involvesGrad]), [[4, true, true], [5, true, true]]);
    assert.match(r.asserts[0].message, /torch\.isclose\(w\.grad, 2 \* w\): 6\.0 vs 6\.0/);
  });
  it('a failed assert stops the run with AssertionError at its line', () => {
    const r = run('import torch', 'w = torch.tensor(1.0, requires_grad=True)', '(w * 3).backward()', 'assert torch.isclose(w.grad, torch.tensor(2.0)), "wrong"', 'print("unreached")');
    assert.equal(r.error?.type, 'AssertionError');
    assert.equal(r.error?.message, 'wrong');
    assert.equal(r.error?.range?.line, 4);
    assert.equal(r.stdout, '');
    assert.equal(r.asserts[0].passed, false);
  });
  it('a NaN never passes a gradient check', () => {
    const r = run('import torch', 'w = torch.tensor(0.0, requires_grad=True)', 'torch.log(w).backward()', 'assert torch.isclose(w.grad * 0, torch.tensor(0.0))');
    assert.equal(r.asserts[0].passed, false);
  });
  it('trains the 1-D linear model with no_grad updates', () => {
    assert.equal(
      output(
        'import torch',
        'w = torch.tensor(1.0, requires_grad=True)',
        'for epoch in range(3):',
        '    for x, y in zip([1.0, 2.0, 3.0], [2.0, 4.0, 6.0]):',
        '        l = (x * w - y) ** 2',
        '        l.backward()',
        '        with torch.no_grad():',
        '            w -= 0.01 * w.grad',
        '        w.grad.zero_()',
        '    print(f"{epoch}: w={w.item():.4f}")',
      ),
      '0: w=1.2607\n1: w=1.4534\n2: w=1.5959\n',
    );
  });
  it('indexes, slices and iterates tensors', () => {
    assert.equal(
      output('import torch', 'W = torch.tensor([[1., 2., 3.], [4., 5., 6.]])', 'print(W[1], W[:, 1:], W[0, -1].item(), [r.sum().item() for r in W], W.shape, W.T.shape)'),
      'tensor([4., 5., 6.]) tensor([[2., 3.],\n        [5., 6.]]) 3.0 [6.0, 15.0] torch.Size([2, 3]) torch.Size([3, 2])\n',
    );
  });
  it('integer and boolean tensors print as PyTorch prints them', () => {
    assert.equal(output('import torch', 'print(torch.tensor([0, 1, 2]), torch.arange(3) > 0, torch.tensor([]))'),
      'tensor([0, 1, 2]) tensor([False,  True,  True]) tensor([])\n');
  });
});

describe('interpreter: errors are Python-style and located (line, column 1-based)', () => {
  it('NameError', () => fails(['x = 1', 'y = x + w3'], 'NameError', "name 'w3' is not defined", 2, 9));
  it('TypeError from a call', () => fails(['def f(a):', '    return a', 'f(1, 2)'], 'TypeError', 'f() takes 1 positional argument but 2 were given', 3, 1));
  it('ZeroDivisionError for Python numbers', () => fails(['a = 1', 'b = a / 0'], 'ZeroDivisionError', 'division by zero', 2, 5));
  it('IndexError on a list', () => fails(['xs = [1, 2]', 'print(xs[5])'], 'IndexError', 'list index out of range', 2, 7));
  it('shape mismatch in @ with PyTorch wording', () =>
    fails(['import torch', 'a = torch.ones(2, 3)', 'b = torch.ones(4, 5)', 'c = a @ b'], 'RuntimeError', 'mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)', 4, 5));
  it('broadcast mismatch', () =>
    fails(['import torch', 'c = torch.ones(3) + torch.ones(4)'], 'RuntimeError', 'The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 0', 2, 5));
  it('backward on a non-scalar', () =>
    fails(['import torch', 'w = torch.ones(3, requires_grad=True)', '(w * 2).backward()'], 'RuntimeError', 'grad can be implicitly created only for scalar outputs', 3, 1));
  it('a second backward through a freed graph', () =>
    fails(['import torch', 'w = torch.tensor(2.0, requires_grad=True)', 'l = w * w', 'l.backward()', 'l.backward()'], 'RuntimeError', /^Trying to backward through the graph a second time/, 5, 1));
  it('in-place change of a leaf that requires grad', () =>
    fails(['import torch', 'w = torch.tensor(2.0, requires_grad=True)', 'w -= 1'], 'RuntimeError', 'a leaf Variable that requires grad is being used in an in-place operation.', 3, 1));
  it('ImportError names the module and what is supported', () =>
    fails(['import numpy as np'], 'ImportError', /No module named 'numpy'.*torch, torch\.nn, torch\.nn\.functional, math, random/, 1, 1));
  it('an error inside a function is located inside it', () =>
    fails(['def f(x):', '    return x + undefined_name', 'f(1)'], 'NameError', "name 'undefined_name' is not defined", 2, 16));
  it('SyntaxError is located', () => {
    const r = run('x = (1 +', 'y = 2');
    assert.equal(r.error?.type, 'SyntaxError');
    assert.ok(r.error?.range && r.error.range.line >= 1);
  });
});

describe('interpreter: budgets and bad inputs (robustness.md)', () => {
  it('while True stops after the step budget', () => {
    const r = runScript('while True:\n    pass\n', { limits: { maxSteps: 100_000 } });
    assert.equal(r.error?.type, 'RuntimeError');
    assert.match(r.error?.message ?? '', /stopped after 100000 steps/);
    assert.equal(r.error?.range?.line, 2);
  });
  it('the wall-clock budget stops a slow loop', () => {
    const r = runScript('x = 0\nwhile True:\n    x = x + 1\n', { limits: { maxMillis: 200, maxSteps: 1e12 } });
    assert.match(r.error?.message ?? '', /stopped after 0\.2 s/);
  });
  it('deep recursion is a RecursionError, not a crash', () => {
    const r = run('def f(n):', '    return f(n + 1)', 'f(0)');
    assert.equal(r.error?.type, 'RecursionError');
  });
  it('the graph-size cap stops a runaway graph', () => {
    const r = runScript('import torch\nw = torch.tensor(1.0, requires_grad=True)\nx = w\nwhile True:\n    x = x * 1.0\n', {
      limits: { maxGraphNodes: 1000 },
    });
    assert.match(r.error?.message ?? '', /graph grew past 1000 nodes/);
  });
  it('printed output is capped', () => {
    const r = runScript('for i in range(10000):\n    print("x" * 100)\n', { limits: { maxOutput: 5000 } });
    assert.equal(r.error, null);
    assert.ok(r.stdout.length < 5200);
    assert.match(r.stdout, /output cut at 5000 characters/);
  });
  it('a 100,000-term sum evaluates', () => {
    const r = runScript('x = ' + Array(100000).fill('1').join('+') + '\nprint(x)\n');
    assert.equal(r.error, null, r.error?.message);
    assert.equal(r.stdout, '100000\n');
  });
  for (const [name, src] of [
    ['10,000 nested parentheses', 'x = ' + '('.repeat(10000) + '1' + ')'.repeat(10000)],
    ['10,000 unary minus', 'x = ' + '-'.repeat(10000) + '1'],
    ['2**2**… 5,000 times', 'x = ' + Array(5000).fill('2').join('**')],
    ['exp(exp(…)) 1,000 deep', 'import torch\nx = ' + 'torch.exp('.repeat(1000) + 'torch.tensor(0.1)' + ')'.repeat(1000)],
  ] as const)
    it(`${name}: a located error or a value, never a crash`, () => {
      const r = runScript(src + '\n');
      if (r.error) assert.ok(r.error.range !== null && r.error.range.line >= 1, `${r.error.type}: ${r.error.message}`);
    });
  it('numbers at the edges behave as in Python and PyTorch', () => {
    assert.equal(
      output('import torch', 'print(10**400 > 1e308, 1e309, torch.exp(torch.tensor(1000.)), torch.log(torch.tensor(0.)), torch.tensor(0.) / torch.tensor(0.))'),
      'True inf tensor(inf) tensor(-inf) tensor(nan)\n',
    );
    const r = run('x = 0 / 0');
    assert.equal(r.error?.type, 'ZeroDivisionError');
  });
  it('NUL, BOM, CRLF and lone surrogates are handled', () => {
    assert.equal(runScript('\uFEFFx = 1\r\nprint(x)\r\n').stdout, '1\n');
    for (const src of ['x = 1\u0000\n', 'x = "\uD800"\n', 'x = "unterminated\n', "x = f'{1\n"]) {
      const r = runScript(src);
      if (r.error) assert.ok(r.error.range, `${JSON.stringify(src)}: ${r.error.type}`);
    }
  });
});
