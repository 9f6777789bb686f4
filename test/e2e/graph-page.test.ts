/**
 * The graph panel's page in a real browser (headless Chromium), loaded from
 * the built bundle under the real Content Security Policy, with a fake
 * acquireVsCodeApi standing in for VS Code (test/e2e/panel-page.ts): the
 * graph renders, KaTeX typesets under the CSP, keyboard stepping drives the
 * chain-rule panel, user strings stay text, bad messages are dropped, and
 * layout plus first paint of a 2,000-node graph is measured.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser } from 'playwright-core';
import type { GraphViewDTO } from '../../src/protocol/messages';
import { buildGraphView, runForPanel } from '../../src/session/graph-view';
import { mlpScript } from '../unit/panel/big-graphs';
import { EXAMPLES, RESULTS_DIR } from './helpers';
import { withHostileParameter } from './hostile-view';
import { DOC_KEY, openPanelPage, waitUntil, type PanelPage, usePageBrowser } from './panel-page';

const exercise = () =>
  buildGraphView(runForPanel(fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8')), {
    title: 'exercise_chain_rule.py',
  });

async function chainText(pp: PanelPage): Promise<string> {
  return (await pp.page.textContent('#chain')) ?? '';
}

/** Text of the KaTeX lines only (their MathML annotation holds the TeX source; the rest is what is drawn). */
async function formulaText(pp: PanelPage): Promise<string[]> {
  return pp.page.$$eval('#chain .formula', (els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

async function shot(pp: PanelPage, name: string): Promise<void> {
  const dir = path.join(RESULTS_DIR, 'screenshots');
  fs.mkdirSync(dir, { recursive: true });
  await pp.page.screenshot({ path: path.join(dir, `${name}.png`) });
}

describe('graph panel page in Chromium, under the real CSP', function () {
  let browser: Browser;
  usePageBrowser((b) => (browser = b));

  it('handshake: the page says ready first, then draws the view it is sent', async () => {
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css', bodyClass: 'vscode-dark' });
    await waitUntil(pp.page, `window.__posted.length > 0`);
    assert.deepEqual(await pp.posted(), [{ type: 'ready', id: 1 }]);
    assert.equal(await pp.page.locator('g.node').count(), 0, 'nothing drawn before the host answers');
    const v = exercise();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    assert.equal(await pp.page.locator('g.node').count(), 12);
    assert.equal(await pp.page.locator('path.edge').count(), 11);
    assert.equal(await pp.page.locator('g.node.kind-param').count(), 3);
    assert.equal(await pp.page.locator('g.node.kind-input').count(), 3);
    // Opens at the end of the forward pass: every value shown, no gradient yet.
    assert.match(await chainText(pp), /Forward 12 of 12/);
    assert.equal(await pp.page.textContent(`g.node[data-id="${v.nodes[v.root].id}"] text.value`), '= 60.0625');
    assert.equal(await pp.page.textContent('.toolbar .title'), 'exercise_chain_rule.py');
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('keyboard stepping: → ← End Home move through both passes and the chain-rule panel follows', async () => {
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css', bodyClass: 'vscode-dark' });
    const v = exercise();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    await pp.page.click('#graph-host', { position: { x: 5, y: 5 } });
    await pp.page.keyboard.press('ArrowRight');
    assert.match(await chainText(pp), /Backward step 1 of 6: PowBackward0 at loss/);
    assert.deepEqual(await formulaText(pp), ['∂L/∂(y_hat - y) += ∂L/∂L · ∂L/∂(y_hat - y) = (1.0)·(-15.5) = -15.5']);
    await pp.page.keyboard.press('End');
    assert.deepEqual(await formulaText(pp), ['∂L/∂w2 += ∂L/∂(x**2 * w2) · ∂(x**2 * w2)/∂w2 = (-15.5)·(4.0) = -62.0']);
    await pp.page.keyboard.press('ArrowLeft');
    assert.deepEqual(await formulaText(pp), ['∂L/∂w1 += ∂L/∂(x * w1) · ∂(x * w1)/∂w1 = (-15.5)·(2.0) = -31.0']);
    assert.match(await chainText(pp), /Backward step 5 of 6: MulBackward0 at x \* w1, line 14/);
    // The drawn formula (KaTeX's HTML, minus signs as U+2212).
    const drawn = await pp.page.textContent('#chain .formula .katex-html');
    assert.match(drawn ?? '', /\(−15\.5\)⋅\(2\.0\)=−31\.0/);
    // The graph follows: the current node, its input receiving -31.0 over an edge labelled with x.
    assert.equal(
      await pp.page.getAttribute('g.node.status-current', 'aria-label'),
      'multiply node x * w1, value 1.0, gradient -15.5',
    );
    const w1 = v.nodes.findIndex((n) => n.label === 'w1');
    assert.equal(await pp.page.textContent(`g.node[data-index="${w1}"] text.grad`), '∇ -31.0');
    assert.equal(await pp.page.textContent('g.edge-label text'), '∂ 2.0');
    assert.equal(await pp.page.locator('path.edge.active').count(), 1);
    await pp.page.keyboard.press('Home');
    assert.match(await chainText(pp), /Nothing computed yet/);
    assert.equal(await pp.page.locator('g.node.status-pending').count(), 12);
    await pp.page.keyboard.press('ArrowRight');
    assert.match(await chainText(pp), /Forward 1 of 12/);
    assert.equal(await pp.page.textContent('.toolbar .position'), '1 / 18');
    // The host hears where the cursor is (coalesced).
    await waitUntil(pp.page, `window.__posted.some((m) => m.type === 'step' && m.index === 1)`);
    // Toolbar buttons do the same.
    await pp.page.click('#btn-end');
    assert.match(await chainText(pp), /Backward step 6 of 6/);
    await pp.page.click('#btn-back');
    assert.match(await chainText(pp), /Backward step 5 of 6/);
    await pp.page.click('#btn-reset');
    await pp.page.click('#btn-forward');
    assert.match(await chainText(pp), /Forward 1 of 12/);
    await pp.page.click('#btn-backward');
    assert.match(await chainText(pp), /Backward step 1 of 6/);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await shot(pp, 'page-exercise-step-back-to-w1');
    await pp.page.close();
  });

  it('KaTeX typesets under the CSP: its fonts load and its inline styles apply (DOM rendering, no unsafe-inline)', async () => {
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css' });
    const v = exercise();
    await pp.handshake(v, v.forward.length + 5);
    await pp.page.waitForSelector('#chain .katex .mfrac');
    const facts = (await pp.page.evaluate(`(async () => {
      await document.fonts.ready;
      const frac = document.querySelector('#chain .katex .mfrac');
      const styled = [...document.querySelectorAll('#chain .katex-html [style]')];
      const withHeight = styled.find((e) => e.style.height);
      return {
        fontFamily: getComputedStyle(document.querySelector('#chain .katex')).fontFamily,
        fracHeight: frac.getBoundingClientRect().height,
        styled: styled.length,
        inlineHeight: withHeight ? withHeight.style.height : '',
        computedHeight: withHeight ? getComputedStyle(withHeight).height : '',
        mainFont: document.fonts.check('16px KaTeX_Main'),
        mathml: document.querySelectorAll('#chain math').length,
      };
    })()`)) as Record<string, string | number | boolean>;
    assert.match(String(facts.fontFamily), /KaTeX_Main/);
    assert.equal(facts.mainFont, true, 'the KaTeX_Main font is loaded (font-src)');
    assert.ok(Number(facts.styled) > 0, 'KaTeX set inline styles');
    assert.notEqual(facts.computedHeight, 'auto', `an inline height (${facts.inlineHeight}) is applied`);
    assert.ok(Number(facts.fracHeight) > 20, `a fraction is typeset on two levels (${facts.fracHeight}px)`);
    assert.ok(Number(facts.mathml) > 0, 'MathML for screen readers');
    assert.deepEqual(await pp.violations(), []);
    await pp.page.close();
  });

  it('a hostile variable name renders as text everywhere (nodes, formulas, banner, picker), never as markup', async () => {
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css' });
    let dialogs = 0;
    pp.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const evil = 'w1<img src=x onerror=alert(1)>';
    const v = exercise();
    const w1 = v.nodes.findIndex((n) => n.label === 'w1');
    const hostile: GraphViewDTO = {
      ...withHostileParameter(v, evil),
      notes: [`note ${evil}`],
      error: { type: 'NameError', message: `name '${evil}' is not defined`, line: 3, col: 0 },
      calls: [v.calls[0], { index: 1, line: 20, label: evil }],
    };
    await pp.handshake(hostile, v.forward.length + 5);
    await pp.page.waitForSelector('g.node');
    await pp.page.waitForTimeout(300);
    assert.equal(await pp.page.locator('img').count(), 0, 'no <img> element anywhere');
    assert.equal(dialogs, 0);
    const label = await pp.page.textContent(`g.node[data-index="${w1}"] text.label`);
    assert.ok(evil.startsWith((label ?? '').replace(/…$/, '')), `the label is the text itself: ${label}`);
    assert.equal(await pp.page.textContent(`g.node[data-index="${w1}"] title`), `parameter: ${evil} (line 11)`);
    assert.equal(await pp.page.textContent('.toolbar .title'), evil);
    assert.match(
      (await pp.page.textContent('#banner')) ?? '',
      /name 'w1<img src=x onerror=alert\(1\)>' is not defined/,
    );
    assert.match((await pp.page.textContent('#banner')) ?? '', /note w1<img/);
    const formula = ((await pp.page.textContent('#chain .formula .katex-html')) ?? '').replace(/\u00a0/g, ' ');
    assert.ok(formula.includes('w1<img src=x onerror=alert(1)>'), `the formula shows the name as text: ${formula}`);
    assert.equal(await pp.page.locator('vscode-option', { hasText: evil }).count(), 1);
    assert.deepEqual(await pp.violations(), []);
    await pp.page.close();
  });

  it('NaN and inf are shown as nan and inf, not lost', async () => {
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css' });
    const v = buildGraphView(
      runForPanel(
        'import torch\na = torch.tensor(0.0, requires_grad=True)\nl = torch.log(a)\nz = a / a\nloss = l + z\nloss.backward()\n',
      ),
    );
    await pp.handshake(v, v.forward.length + v.steps.length);
    await pp.page.waitForSelector('g.node');
    const id = (label: string) => v.nodes.find((n) => n.label === label)?.id;
    assert.equal(await pp.page.textContent(`g.node[data-id="${id('l')}"] text.value`), '= -inf');
    assert.equal(await pp.page.textContent(`g.node[data-id="${id('z')}"] text.value`), '= nan');
    assert.equal(await pp.page.textContent(`g.node[data-id="${id('a')}"] text.grad`), '∇ nan');
    assert.match((await formulaText(pp)).join('\n'), /nan \+ \(inf\) = nan/);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('bad host messages are dropped and logged; the page keeps working', async () => {
    const pp = await openPanelPage(browser);
    const warnings: string[] = [];
    pp.page.on('console', (m) => {
      if (m.type() === 'warning') warnings.push(m.text());
    });
    const v = exercise();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    for (const bad of [
      null,
      'x',
      {},
      { type: 'eval', code: 'alert(1)' },
      { type: 'view', replyTo: null, view: { ...v, nodes: 'no' }, position: null },
    ])
      await pp.page.evaluate(`window.postMessage(${JSON.stringify(bad)}, '*')`);
    await pp.page.evaluate(
      `window.postMessage({ type: 'view', replyTo: null, view: ${JSON.stringify({ ...v, edges: [{ from: 0, to: 99, position: 0 }] })}, position: null }, '*')`,
    );
    await pp.page.waitForTimeout(200);
    assert.equal(warnings.filter((w) => /dropped a message from the host/.test(w)).length, 6, warnings.join('\n'));
    assert.equal(await pp.page.locator('g.node').count(), 12, 'the graph is still the last good one');
    await pp.page.click('#graph-host', { position: { x: 5, y: 5 } });
    await pp.page.keyboard.press('ArrowRight');
    assert.match(await chainText(pp), /Backward step 1 of 6/);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('clicking a node asks the host to reveal its source; the gone message offers a re-run', async () => {
    const pp = await openPanelPage(browser);
    const v = exercise();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    const mul = v.nodes.findIndex((n) => n.label === 'x * w1');
    await pp.page.click(`g.node[data-index="${mul}"]`);
    await waitUntil(pp.page, `window.__posted.some((m) => m.type === 'select')`);
    const sel = (await pp.posted()).find((m) => m.type === 'select');
    assert.deepEqual(sel, { type: 'select', id: 2, node: mul });
    await pp.send({ type: 'gone', message: 'Cannot open exercise_chain_rule.py any more: was it moved or deleted?' });
    await pp.page.waitForSelector('#btn-rerun');
    assert.match((await pp.page.textContent('#banner')) ?? '', /Cannot open exercise_chain_rule\.py/);
    await pp.page.click('#btn-rerun');
    await waitUntil(pp.page, `window.__posted.some((m) => m.type === 'rerun')`);
    await pp.page.close();
  });

  it('state: the position is kept with setState and restored after a reload when the graph is the same', async () => {
    const v = exercise();
    const first = await openPanelPage(browser);
    await first.handshake(v, v.forward.length + 3);
    await first.page.waitForSelector('g.node');
    await waitUntil(first.page, `window.__state && window.__state.position === ${v.forward.length + 3}`);
    const state = await first.page.evaluate('window.__state');
    assert.deepEqual(state, { docKey: DOC_KEY, position: v.forward.length + 3, shapeKey: v.shapeKey, speed: 1 });
    await first.page.close();
    const again = await openPanelPage(browser, { state });
    await again.handshake(v, null);
    await again.page.waitForSelector('g.node');
    assert.match(await chainText(again), /Backward step 3 of 6/);
    // A view of another shape starts at the end of its forward pass instead.
    await again.send({
      type: 'view',
      replyTo: null,
      view: buildGraphView(
        runForPanel('import torch\nw = torch.tensor(1.0, requires_grad=True)\n(w * 2).backward()\n'),
      ),
      position: null,
    });
    await waitUntil(again.page, `document.querySelectorAll('g.node').length === 3`);
    assert.match(await chainText(again), /Forward 3 of 3/);
    await again.page.close();
  });

  it('a re-run with the same graph shape keeps the step position and shows the new values', async () => {
    const src = fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8');
    const v = buildGraphView(runForPanel(src));
    const edited = buildGraphView(
      runForPanel(src.replace('torch.tensor(0.5, requires_grad=True)', 'torch.tensor(1.5, requires_grad=True)')),
    );
    assert.equal(edited.shapeKey, v.shapeKey);
    const pp = await openPanelPage(browser);
    await pp.handshake(v, v.forward.length + 5);
    await pp.page.waitForSelector('g.node');
    assert.match((await formulaText(pp))[0], /= \(-15\.5\)·\(2\.0\) = -31\.0$/);
    await pp.send({ type: 'view', replyTo: null, view: edited, position: null });
    await waitUntil(pp.page, `document.querySelector('#chain .formula').getAttribute('aria-label').endsWith('-23.0')`);
    assert.match(await chainText(pp), /Backward step 5 of 6/);
    assert.match((await formulaText(pp))[0], /= \(-11\.5\)·\(2\.0\) = -23\.0$/);
    await pp.page.close();
  });

  it('the backward() picker lists the calls of a training loop and asks the host for another', async () => {
    const v = buildGraphView(
      runForPanel(
        'import torch\nw = torch.tensor(1.0, requires_grad=True)\nfor i in range(3):\n    loss = (w * 2.0 - 4.0) ** 2\n    loss.backward()\n',
      ),
    );
    const pp = await openPanelPage(browser);
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    assert.deepEqual(await pp.page.$$eval('#call vscode-option', (els) => els.map((e) => e.textContent)), [
      'backward() #1 (line 5)',
      'backward() #2 (line 5)',
      'backward() #3 (line 5)',
    ]);
    assert.equal(await pp.page.evaluate(`document.querySelector('#call').hidden`), false);
    await pp.page.evaluate(
      `(() => { const s = document.querySelector('#call'); s.value = '0'; s.dispatchEvent(new Event('change')); })()`,
    );
    await waitUntil(pp.page, `window.__posted.some((m) => m.type === 'pickCall')`);
    assert.deepEqual(
      (await pp.posted()).find((m) => m.type === 'pickCall'),
      { type: 'pickCall', id: 2, call: 0 },
    );
    await pp.page.close();
  });

  it('honours reduced motion', async () => {
    const pp = await openPanelPage(browser, { reducedMotion: true });
    await pp.handshake(exercise());
    await pp.page.waitForSelector('g.node');
    assert.equal(await pp.page.evaluate(`document.body.classList.contains('reduced-motion')`), true);
    const transition = await pp.page.evaluate(`getComputedStyle(document.querySelector('g.node')).transitionDuration`);
    assert.equal(transition, '0s');
    await pp.page.close();
  });

  it('2,000 nodes: layout + first paint under 1 s, a step under 16 ms (measured, printed)', async function () {
    this.timeout(120_000);
    const pr = runForPanel(mlpScript(4, 10, 12));
    const t0 = performance.now();
    const v = buildGraphView(pr, { title: 'mlp.py' });
    const hostMs = performance.now() - t0;
    const pp = await openPanelPage(browser, { themeCss: 'theme-dark.css', viewport: { width: 1400, height: 900 } });
    await waitUntil(pp.page, `window.__posted.some((m) => m.type === 'ready')`);
    // Warm the page's code on the small graph first (a panel has usually drawn before).
    await pp.send({ type: 'view', replyTo: 1, view: exercise(), position: null });
    await waitUntil(pp.page, `document.querySelectorAll('g.node').length === 12`);
    const json = JSON.stringify({ type: 'view', replyTo: null, view: v, position: null });
    const paintMs = (await pp.page.evaluate(`new Promise((resolve) => {
      const t = performance.now();
      window.postMessage(JSON.parse(${JSON.stringify(json)}), '*');
      const poll = () => {
        if (document.querySelectorAll('g.node').length === ${v.nodes.length})
          requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t)));
        else setTimeout(poll, 0);
      };
      poll();
    })`)) as number;
    const stepMs = (await pp.page.evaluate(`(() => {
      const times = [];
      for (const key of ['ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowLeft', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowRight', 'ArrowLeft', 'ArrowRight']) {
        const t = performance.now();
        window.dispatchEvent(new KeyboardEvent('keydown', { key }));
        document.body.getBoundingClientRect();
        times.push(performance.now() - t);
      }
      times.sort((a, b) => a - b);
      return times[Math.floor(times.length / 2)];
    })()`)) as number;
    console.log(
      `      ${v.nodes.length} nodes, ${v.edges.length} edges: view model + layout ${hostMs.toFixed(0)} ms (host), first paint ${paintMs.toFixed(0)} ms (page), total ${(hostMs + paintMs).toFixed(0)} ms; a step (median) ${stepMs.toFixed(1)} ms`,
    );
    await shot(pp, 'page-mlp-2000-nodes');
    assert.ok(hostMs + paintMs < 3000, 'well past the 1 s target: look at the figures above');
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });
});
