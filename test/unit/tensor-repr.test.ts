/**
 * Tensor printing: pinned reprs (each copied from torch 1.13's output), then seeded
 * random tensors — shapes 0-d to 3-d plus large ones that summarize and
 * wrap, many value families, float32 and float64, leaves with requires_grad
 * and nodes with grad_fn — compared character by character with
 * repr(torch.tensor(...)) from the real PyTorch.
 */
import { strict as assert } from 'node:assert';
import { fromNested, fromValues, mul, requiresGrad_, scalar, Tensor } from '../../src/core';
import type { DType } from '../../src/core';
import { sizeRepr, tensorRepr } from '../../src/lang/format/tensor-repr';
import { findPython, floatHex, pick, randInt, rng, runPythonJson } from './helpers/format-python';

const leaf = (t: Tensor): Tensor => requiresGrad_(t, true);
const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('tensorRepr (torch 1.13 tensor printing)', () => {
  const pinned: [string, () => Tensor, string][] = [
    ['0-dim', () => scalar(2.5), 'tensor(2.5000)'],
    ['0-dim integer-valued', () => scalar(3), 'tensor(3.)'],
    ['0-dim negative zero', () => scalar(-0), 'tensor(-0.)'],
    ['0-dim nan', () => scalar(NaN), 'tensor(nan)'],
    ['0-dim tiny', () => scalar(1e-5), 'tensor(1.0000e-05)'],
    ['0-dim big integer', () => scalar(1e9), 'tensor(1.0000e+09)'],
    ['vector of ints', () => fromNested([1, 2]), 'tensor([1., 2.])'],
    ['leaf requires grad', () => leaf(fromNested([1, 2])), 'tensor([1., 2.], requires_grad=True)'],
    ['node shows grad_fn', () => mul(leaf(scalar(2.5)), 1), 'tensor(2.5000, grad_fn=<MulBackward0>)'],
    [
      'matrix',
      () =>
        fromNested([
          [1, 2.5],
          [3, 4],
        ]),
      'tensor([[1.0000, 2.5000],\n        [3.0000, 4.0000]])',
    ],
    ['float64', () => fromNested([1, 2], 'float64'), 'tensor([1., 2.], dtype=torch.float64)'],
    ['float64 fixed', () => fromNested([0.1, 2], 'float64'), 'tensor([0.1000, 2.0000], dtype=torch.float64)'],
    ['scientific', () => fromNested([1e-5, 1e3]), 'tensor([1.0000e-05, 1.0000e+03])'],
    ['integer-valued, wide range', () => fromNested([1, 2000]), 'tensor([1.0000e+00, 2.0000e+03])'],
    ['integer-valued, narrow range', () => fromNested([-1, 1000]), 'tensor([  -1., 1000.])'],
    ['nan and inf', () => fromNested([NaN, Infinity, -Infinity]), 'tensor([nan, inf, -inf])'],
    ['nan with numbers', () => fromNested([1.5, NaN, -2]), 'tensor([ 1.5000,     nan, -2.0000])'],
    ['inf in scientific', () => fromNested([1e-5, Infinity]), 'tensor([1.0000e-05,        inf])'],
    ['negative zero', () => fromNested([-0, 1]), 'tensor([-0., 1.])'],
    ['zeros', () => fromNested([0, 0]), 'tensor([0., 0.])'],
    ['float32 rounding shows', () => fromNested([0.1, 0.2]), 'tensor([0.1000, 0.2000])'],
    ['half-even at 4 digits', () => fromNested([0.03125, 1]), 'tensor([0.0312, 1.0000])'],
    ['empty', () => fromValues([], [0]), 'tensor([])'],
    ['empty 2-d', () => fromValues([], [0, 3]), 'tensor([], size=(0, 3))'],
    ['empty float64', () => fromValues([], [2, 0], 'float64'), 'tensor([], size=(2, 0), dtype=torch.float64)'],
    ['empty requires grad', () => leaf(fromValues([], [0])), 'tensor([], requires_grad=True)'],
    [
      '3-d',
      () =>
        fromValues(
          range(8, (i) => i),
          [2, 2, 2],
        ),
      'tensor([[[0., 1.],\n         [2., 3.]],\n\n        [[4., 5.],\n         [6., 7.]]])',
    ],
    [
      'wrapped at 80 columns',
      () =>
        fromValues(
          range(20, (i) => i * 1.5),
          [20],
        ),
      'tensor([ 0.0000,  1.5000,  3.0000,  4.5000,  6.0000,  7.5000,  9.0000, 10.5000,\n' +
        '        12.0000, 13.5000, 15.0000, 16.5000, 18.0000, 19.5000, 21.0000, 22.5000,\n' +
        '        24.0000, 25.5000, 27.0000, 28.5000])',
    ],
    [
      'summarized vector',
      () =>
        fromValues(
          range(1500, (i) => i % 1000),
          [1500],
        ),
      'tensor([  0.,   1.,   2.,  ..., 497., 498., 499.])',
    ],
    [
      'summarized vector, scientific and wrapped',
      () =>
        fromValues(
          range(2000, (i) => i),
          [2000],
        ),
      'tensor([0.0000e+00, 1.0000e+00, 2.0000e+00,  ..., 1.9970e+03, 1.9980e+03,\n        1.9990e+03])',
    ],
    [
      'summarized 3-d',
      () =>
        fromValues(
          range(2400, (i) => (i % 9) - 4),
          [2, 3, 400],
        ),
      'tensor([[[-4., -3., -2.,  ..., -3., -2., -1.],\n         [ 0.,  1.,  2.,  ...,  1.,  2.,  3.],\n' +
        '         [ 4., -4., -3.,  ..., -4., -3., -2.]],\n\n        [[-1.,  0.,  1.,  ...,  0.,  1.,  2.],\n' +
        '         [ 3.,  4., -4.,  ...,  4., -4., -3.],\n         [-2., -1.,  0.,  ..., -1.,  0.,  1.]]])',
    ],
    [
      'summarized matrix',
      () =>
        fromValues(
          range(1100, (i) => i % 7),
          [100, 11],
        ),
      'tensor([[0., 1., 2.,  ..., 1., 2., 3.],\n' +
        '        [4., 5., 6.,  ..., 5., 6., 0.],\n' +
        '        [1., 2., 3.,  ..., 2., 3., 4.],\n' +
        '        ...,\n' +
        '        [3., 4., 5.,  ..., 4., 5., 6.],\n' +
        '        [0., 1., 2.,  ..., 1., 2., 3.],\n' +
        '        [4., 5., 6.,  ..., 5., 6., 0.]])',
    ],
    [
      'suffix wraps to its own line',
      () =>
        leaf(
          fromValues(
            range(9, (i) => i + 0.5),
            [9],
          ),
        ),
      'tensor([0.5000, 1.5000, 2.5000, 3.5000, 4.5000, 5.5000, 6.5000, 7.5000, 8.5000],\n' +
        '       requires_grad=True)',
    ],
  ];
  for (const [name, make, want] of pinned) it(name, () => assert.equal(tensorRepr(make()), want));

  it('options override grad_fn and requires_grad', () => {
    const x = leaf(fromNested([1, 2]));
    assert.equal(tensorRepr(x, { requiresGrad: false }), 'tensor([1., 2.])');
    assert.equal(tensorRepr(x, { gradFn: 'AddBackward0' }), 'tensor([1., 2.], grad_fn=<AddBackward0>)');
    const y = mul(x, 2);
    assert.equal(tensorRepr(y), 'tensor([2., 4.], grad_fn=<MulBackward0>)');
    assert.equal(tensorRepr(y, { gradFn: null }), 'tensor([2., 4.])');
    assert.equal(tensorRepr(y, { gradFn: null, requiresGrad: true }), 'tensor([2., 4.], requires_grad=True)');
  });

  it('print options (torch.set_printoptions)', () => {
    const x = fromNested([1.23456, 2]);
    assert.equal(tensorRepr(x, { printOptions: { precision: 2 } }), 'tensor([1.23, 2.00])');
    assert.equal(tensorRepr(x, { printOptions: { sciMode: true } }), 'tensor([1.2346e+00, 2.0000e+00])');
    const long = fromValues(
      range(10, (i) => i),
      [10],
    );
    assert.equal(tensorRepr(long, { printOptions: { threshold: 5 } }), 'tensor([0., 1., 2.,  ..., 7., 8., 9.])');
  });

  it('sizeRepr', () => {
    assert.equal(sizeRepr([2, 3]), 'torch.Size([2, 3])');
    assert.equal(sizeRepr([]), 'torch.Size([])');
    assert.equal(sizeRepr([5]), 'torch.Size([5])');
  });

  it('matches repr() of real torch tensors on random shapes and values', function () {
    this.timeout(60000);
    const python = findPython(true);
    if (python === null) {
      // A developer machine without PyTorch skips only this cross-check; CI images have Debian's torch 1.13.
      if (process.env.CI === 'true') assert.fail('no Python 3.11 with torch found (set TORCH_PYTHON)');
      this.skip();
    }
    const cases = randomCases(1500, 1313);
    const want = runPythonJson<string[]>(
      python,
      PY_REPR,
      cases.map((c) => ({ ...c, values: c.values.map(floatHex) })),
    );
    assert.equal(want.length, cases.length);
    const failures: string[] = [];
    cases.forEach((c, i) => {
      let t = fromValues(c.values, c.shape, c.dtype);
      if (c.grad !== 'none') t = leaf(t);
      if (c.grad === 'grad_fn') t = mul(t, 1);
      const got = tensorRepr(t);
      if (got !== want[i]) failures.push(`case ${i} ${JSON.stringify(c)}:\nwant:\n${want[i]}\ngot:\n${got}`);
    });
    assert.equal(
      failures.length,
      0,
      `${failures.length} of ${cases.length} differ; first:\n${failures.slice(0, 3).join('\n\n')}`,
    );
  });
});

const PY_REPR = `
import json, sys, torch
out = []
for c in json.load(sys.stdin):
    dtype = torch.float64 if c['dtype'] == 'float64' else torch.float32
    vals = [float.fromhex(v) for v in c['values']]
    t = torch.tensor(vals, dtype=dtype).reshape(c['shape'])
    if c['grad'] != 'none':
        t.requires_grad_()
    if c['grad'] == 'grad_fn':
        t = t * 1
    out.append(repr(t))
json.dump(out, sys.stdout)
`;

interface Case {
  shape: number[];
  dtype: DType;
  values: number[];
  grad: 'none' | 'requires_grad' | 'grad_fn';
}

/** Value families: each returns one element (before rounding to the dtype). */
const FAMILIES: ((r: () => number) => number)[] = [
  (r) => randInt(r, -10, 10), // small ints
  (r) => randInt(r, 0, 9), // small non-negative ints
  (r) => randInt(r, -100000, 100000), // wider ints
  (r) => randInt(r, -9, 9) * 10 ** randInt(r, 6, 12), // huge ints (sci above 1e8)
  (r) => r() * 2 - 1, // uniform
  (r) => (r() - 0.5) * 10 ** randInt(r, -8, 10), // any magnitude
  (r) => (r() < 0.5 ? -1 : 1) * r() * 10 ** randInt(r, -6, -3), // tiny
  (r) => randInt(r, -3000, 3000) / 2 ** randInt(r, 1, 14), // exact ties at 4 decimals
  (r) => Number((r() * 100 - 50).toFixed(randInt(r, 1, 5))), // short decimals
  (r) => (r() - 0.5) * 1e5, // up to 5 integer digits
  (r) => 10 ** randInt(r, -5, 9) * (r() < 0.5 ? 1 : 9.99995), // edges of the sci thresholds
];

function specialValue(r: () => number): number {
  return pick(r, [NaN, Infinity, -Infinity, 0, -0, 0, 1, -1]);
}

function randomShape(r: () => number): number[] {
  if (r() < 0.1) {
    return pick(r, [
      [1001],
      [2000],
      [3000],
      [40, 30],
      [10, 200],
      [3, 400],
      [200, 6],
      [7, 8, 20],
      [11, 10, 10],
      [2, 3, 200],
      [60],
      [3, 30],
      [2, 2, 25],
      [500],
    ]);
  }
  const ndim = randInt(r, 0, 3);
  return range(ndim, () => (r() < 0.05 ? 0 : randInt(r, 1, 5)));
}

function randomCases(n: number, seed: number): Case[] {
  const r = rng(seed);
  const cases: Case[] = [];
  for (let k = 0; k < n; k++) {
    const shape = randomShape(r);
    const dtype: DType = r() < 0.25 ? 'float64' : 'float32';
    const size = shape.reduce((a, b) => a * b, 1);
    const fam = pick(r, FAMILIES);
    const fam2 = pick(r, FAMILIES);
    const mixed = r() < 0.25;
    const special = r() < 0.2 ? r() * 0.5 : 0;
    const values = range(size, () => {
      const v = r() < special ? specialValue(r) : mixed && r() < 0.5 ? fam2(r) : fam(r);
      return dtype === 'float32' ? Math.fround(v) : v;
    });
    const g = r();
    const grad = g < 0.2 ? 'requires_grad' : g < 0.4 ? 'grad_fn' : 'none';
    cases.push({ shape, dtype, values, grad });
  }
  return cases;
}
