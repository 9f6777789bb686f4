/** Names, source text and numbers as LaTeX; anything else inside an escaped \text{}. */
import { strict as assert } from 'node:assert';
import { texExpr, texName, texNumber, texText } from '../../../src/session/tex';

describe('LaTeX for the chain-rule panel', () => {
  it('names: subscripts, hats, Greek letters, words upright', () => {
    const cases: [string, string][] = [
      ['x', 'x'],
      ['w1', 'w_1'],
      ['W12', 'W_{12}'],
      ['y_hat', '\\hat{y}'],
      ['w1_bar', '\\bar{w_1}'],
      ['x_train', 'x_{\\mathrm{train}}'],
      ['alpha', '\\alpha'],
      ['Sigma2', '\\Sigma_2'],
      ['loss', '\\mathrm{loss}'],
      ['h_1_2', 'h_{1,2}'],
    ];
    for (const [name, tex] of cases) assert.equal(texName(name), tex, name);
  });

  it('names that are not plain ASCII identifiers go into \\text{} with specials escaped', () => {
    assert.equal(texName('ŷ'), '\\text{ŷ}');
    assert.equal(texName('_x'), '\\text{\\_x}');
    assert.equal(texName('a__b'), '\\text{a\\_\\_b}');
    assert.equal(texName('w1<img src=x onerror=alert(1)>'), '\\text{w1<img src=x onerror=alert(1)>}');
  });

  it('\\text{} escapes every character TeX treats specially', () => {
    assert.equal(
      texText('\\def{x}$&#%_^~'),
      '\\text{\\textbackslash{}def\\{x\\}\\$\\&\\#\\%\\_\\textasciicircum{}\\textasciitilde{}}',
    );
    assert.equal(texText('a\u0000b\ud800'), '\\text{a\u00bfb\u00bf}');
  });

  it('source text: operators, powers, calls, attributes, subscripts', () => {
    const cases: [string, string][] = [
      ['x * w1', 'x \\cdot w_1'],
      ['x**2 * w2 + x * w1', 'x^{2} \\cdot w_2 + x \\cdot w_1'],
      ['(y_hat - y)**2', '(\\hat{y} - y)^{2}'],
      ['torch.tanh(h)', '\\tanh(h)'],
      ['F.relu(z @ W)', '\\operatorname{relu}(z \\mathbin{@} W)'],
      ['-x / 2', '-x / 2'],
      ['w.grad', 'w.\\mathrm{grad}'],
      ['a[0]', 'a[0]'],
      ['x ** -1', 'x^{-1}'],
      ['torch.sum(a, dim=0)', null as unknown as string],
      ['a // b % c', 'a /\\!/ b \\bmod c'],
    ];
    for (const [src, tex] of cases) assert.equal(texExpr(src), tex, src);
  });

  it('source text it cannot read exactly: null (the caller falls back to \\text{})', () => {
    for (const src of [
      'f"{x}"',
      "'a' * 3",
      'lambda x: x',
      'x if c else y',
      '{1: 2}',
      'a == b',
      '(a',
      'a)',
      'x' + '+x'.repeat(200),
    ])
      assert.equal(texExpr(src), null, src);
  });

  it('numbers', () => {
    assert.equal(texNumber('-31.0'), '-31.0');
    assert.equal(texNumber('1e-05'), '1\\times 10^{-5}');
    assert.equal(texNumber('1.5e+16'), '1.5\\times 10^{16}');
    assert.equal(texNumber('nan'), '\\mathrm{nan}');
    assert.equal(texNumber('inf'), '\\infty');
    assert.equal(texNumber('-inf'), '-\\infty');
    assert.equal(texNumber('True'), '\\mathrm{True}');
  });
});
