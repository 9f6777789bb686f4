/** The DOM-free half of the panel's exports (webview/export-core.ts): styles, words, escaping, layout, limits. */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { MAX_EXPORT_FRAMES, MAX_EXPORT_TOTAL_CHARS } from '../../../src/protocol/messages';
import { frameAt, ViewIndex } from '../../../src/session/graph-cursor';
import { buildGraphView, runForPanel } from '../../../src/session/graph-view';
import {
  assembleSvg,
  captionFor,
  captionHeight,
  captionRows,
  declarations,
  escapeXml,
  framesTooBig,
  keepAttribute,
  latexToCopy,
  pngScale,
  STYLE_PROPS,
  transformText,
  wrap,
  type CaptionStyle,
  type Measure,
} from '../../../webview/export-core';

const EXAMPLES = path.join(__dirname, '..', '..', '..', 'examples');
const exercise = () =>
  buildGraphView(runForPanel(fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8')), {
    title: 'exercise_chain_rule.py',
  });

/** Computed values in STYLE_PROPS order, from a partial map (the rest at their initial value). */
function values(set: Record<string, string>): string[] {
  return STYLE_PROPS.map((p) => set[p.name] ?? p.initial ?? (p.name === 'font-size' ? '13px' : 'sans-serif'));
}

const measure: Measure = (text, size) => text.length * size * 0.5;
const style: CaptionStyle = {
  fontFamily: 'sans-serif',
  headingSize: 14,
  lineSize: 18,
  headingColor: 'rgb(157, 157, 157)',
  lineColor: 'rgb(204, 204, 204)',
  fanoutColor: 'rgb(177, 128, 215)',
};

describe('panel exports: the DOM-free part', () => {
  describe('inline styles', () => {
    it('the top element gets what differs from a renderer’s defaults, fonts always', () => {
      const d = declarations(values({ fill: 'rgb(204, 204, 204)', 'font-family': '"Droid Sans", sans-serif' }), null);
      assert.equal(d, 'fill: rgb(204, 204, 204); font-family: "Droid Sans", sans-serif; font-size: 13px');
    });

    it('inherited properties are written only where they differ from the parent’s; opacity where it is not 1', () => {
      const parent = values({ fill: 'rgb(204, 204, 204)', stroke: 'rgb(69, 69, 69)' });
      const child = values({
        fill: 'rgb(204, 204, 204)',
        stroke: 'rgb(0, 120, 212)',
        'stroke-width': '3.5px',
        opacity: '0.3',
      });
      assert.equal(declarations(child, parent), 'stroke: rgb(0, 120, 212); stroke-width: 3.5px; opacity: 0.3');
      assert.equal(declarations(parent, parent), '');
    });

    it('never lets a CSS variable or a second declaration through', () => {
      const d = declarations(
        values({ fill: 'var(--vscode-foreground)', stroke: 'red; background: url(x)', 'stroke-width': '2px' }),
        null,
      );
      assert.equal(d.includes('var('), false);
      assert.equal(d.includes('url('), false);
      assert.match(d, /stroke-width: 2px/);
    });

    it('text-transform is applied to the characters', () => {
      assert.equal(transformText('param', 'uppercase'), 'PARAM');
      assert.equal(transformText('PARAM', 'lowercase'), 'param');
      assert.equal(transformText('two words', 'capitalize'), 'Two Words');
      assert.equal(transformText('as is', 'none'), 'as is');
    });

    it('page-only and unsafe attributes are left out', () => {
      for (const a of ['class', 'd', 'transform', 'marker-end', 'fill-opacity', 'data-id', 'aria-label', 'text-anchor'])
        assert.equal(keepAttribute(a), true, a);
      for (const a of ['onclick', 'onload', 'ONMOUSEOVER', 'tabindex', 'role', 'style', 'xlink:href', 'xmlns', 'a b'])
        assert.equal(keepAttribute(a), false, a);
    });
  });

  describe('escaping', () => {
    it('markup characters become entities', () => {
      assert.equal(
        escapeXml(`w1<img src=x onerror=alert(1)> & "q" 'a'`),
        'w1&lt;img src=x onerror=alert(1)&gt; &amp; &quot;q&quot; &apos;a&apos;',
      );
    });

    it('characters XML cannot hold are dropped or replaced; the rest is kept', () => {
      assert.equal(escapeXml('a\u0000b\u0008c\u001fd\tx\ny'), 'abcd\tx\ny');
      assert.equal(escapeXml('lone \ud800 high, lone \udc00 low'), 'lone \ufffd high, lone \ufffd low');
      assert.equal(escapeXml('pair 😀 ∂L/∂w₁'), 'pair 😀 ∂L/∂w₁');
    });
  });

  describe('the words of a step, and Copy LaTeX', () => {
    const v = exercise();
    const index = new ViewIndex(v);
    const F = v.forward.length;

    it('a backward step: its chain-rule line(s) as LaTeX, one per input', () => {
      assert.equal(latexToCopy(frameAt(index, F + 5)), v.steps[4].inputs[0].formula.latex);
      const two = v.steps.findIndex((s) => s.inputs.length === 2);
      const text = latexToCopy(frameAt(index, F + two + 1));
      assert.deepEqual(
        text.split('\n'),
        v.steps[two].inputs.map((i) => i.formula.latex),
      );
    });

    it('a forward step: its formula; step 0 and no frame: nothing', () => {
      assert.equal(latexToCopy(frameAt(index, 3)), v.forward[2].formula.latex);
      assert.equal(latexToCopy(frameAt(index, 0)), '');
      assert.equal(latexToCopy(null), '');
    });

    it('a fan-out: the product, then the running sum', () => {
      const fan = buildGraphView(
        runForPanel(
          'import torch\nw = torch.tensor(2.0, requires_grad=True)\na = w * 3.0\nb = w * w\nloss = a + b\nloss.backward()\n',
        ),
      );
      const fi = new ViewIndex(fan);
      const texts: string[] = [];
      for (let p = fan.forward.length + 1; p <= fi.last; p++) texts.push(latexToCopy(frameAt(fi, p)));
      const sums = fan.steps.flatMap((s) =>
        s.inputs.filter((i) => i.fanOut.formula).map((i) => i.fanOut.formula!.latex),
      );
      assert.ok(sums.length > 0, 'the example has a fan-out');
      for (const s of sums)
        assert.ok(
          texts.some((t) => t.split('\n').includes(s)),
          s,
        );
    });

    it('the caption under an exported graph: heading and plain-text lines', () => {
      const c = captionFor(v, frameAt(index, F + 5));
      assert.match(c.heading, /^Backward step 5 of 6: MulBackward0 at x \* w1, line 14\. ∂L\/∂\(this node\) = -15\.5$/);
      assert.deepEqual(c.lines, [
        { text: '∂L/∂w1 += ∂L/∂(x * w1) · ∂(x * w1)/∂w1 = (-15.5)·(2.0) = -31.0', fanout: false },
      ]);
      assert.match(captionFor(v, frameAt(index, 3)).heading, /^Forward 3 of 12: /);
      assert.deepEqual(captionFor(v, frameAt(index, 0)), { heading: 'Step 0 of 18: nothing computed yet', lines: [] });
    });
  });

  describe('layout and assembly', () => {
    it('wraps at spaces; a word wider than the width is cut', () => {
      assert.deepEqual(wrap('short', 100, 10, measure), ['short']);
      assert.deepEqual(wrap('aaaa bbbb cccc', 40, 10, measure), ['aaaa', 'bbbb', 'cccc']);
      assert.deepEqual(wrap('aaaa bbbb cccc', 50, 10, measure), ['aaaa bbbb', 'cccc']);
      assert.deepEqual(wrap('aaaa bbbb cccc', 70, 10, measure), ['aaaa bbbb cccc']);
      const cut = wrap('x'.repeat(25), 50, 10, measure);
      assert.deepEqual(cut, ['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
    });

    it('caption rows: heading first, fan-out sums indented in their colour', () => {
      const rows = captionRows(
        {
          heading: 'Backward step 1',
          lines: [
            { text: 'a = b', fanout: false },
            { text: 'sum', fanout: true },
          ],
        },
        800,
        style,
        measure,
      );
      assert.deepEqual(
        rows.map((r) => [r.text, r.size, r.color, r.indent]),
        [
          ['Backward step 1', 14, style.headingColor, 0],
          ['a = b', 18, style.lineColor, 0],
          ['sum', 18, style.fanoutColor, 36],
        ],
      );
      assert.equal(captionHeight(rows), 12 + 21 + 27 + 27);
      assert.equal(captionHeight([]), 0);
    });

    it('the SVG: viewBox over the graph and caption, background, escaped title and caption', () => {
      const evil = 'w1<img src=x onerror=alert(1)>';
      const rows = captionRows(
        { heading: `at ${evil}`, lines: [{ text: `∂L/∂${evil} = 1`, fanout: false }] },
        800,
        style,
        measure,
      );
      const svg = assembleSvg({
        box: { x: -16, y: -16, width: 832, height: 432 },
        body: '<g class="graph"></g>',
        rows,
        captionHeight: captionHeight(rows) + 16,
        background: 'rgb(31, 31, 31)',
        fontFamily: '"Segoe UI", sans-serif',
        title: evil,
      });
      assert.match(svg, /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
      assert.match(svg, /viewBox="-16 -16 832 (\d+)" width="832" height="\1"/);
      const h = Number(/viewBox="-16 -16 832 (\d+)"/.exec(svg)?.[1]);
      assert.equal(h, 432 + captionHeight(rows) + 16);
      assert.match(svg, /<rect class="background" [^>]*style="fill: rgb\(31, 31, 31\); stroke: none"\/>/);
      assert.equal(svg.includes('<img'), false);
      assert.equal(svg.split('w1&lt;img src=x onerror=alert(1)&gt;').length - 1, 3, 'title, heading, line');
      assert.match(svg, /style="font-family: &quot;Segoe UI&quot;, sans-serif"/);
    });

    it('colours that are not plain CSS colours are not written', () => {
      const svg = assembleSvg({
        box: { x: 0, y: 0, width: 10, height: 10 },
        body: '',
        rows: [{ text: 't', size: 12, color: 'red;} body{x', indent: 0 }],
        captionHeight: 30,
        background: 'url(javascript:alert(1))',
        fontFamily: 'var(--x)',
        title: '',
      });
      assert.equal(svg.includes('javascript'), false);
      assert.equal(svg.includes('var('), false);
      assert.equal(svg.includes('body{'), false);
    });
  });

  describe('limits', () => {
    it('too many frames, or too many characters in all: a message with the figures', () => {
      assert.equal(framesTooBig(19, 30_000), null);
      assert.match(
        framesTooBig(MAX_EXPORT_FRAMES + 1, 1000) ?? '',
        /5,001 steps; an export holds at most 5,000 frames/,
      );
      const per = Math.ceil(MAX_EXPORT_TOTAL_CHARS / 100) + 1;
      assert.match(
        framesTooBig(100, per) ?? '',
        /^100 frames of about 2\.6 MB each would be 256 MB, more than the 256 MB/,
      );
      assert.match(framesTooBig(3388, 3.1 * 1024 * 1024) ?? '', /would be 10\.3 GB/);
    });

    it('PNG scale: 2× unless the canvas cannot hold it', () => {
      assert.equal(pngScale(1400, 500), 2);
      assert.equal(pngScale(10_000, 500), 16384 / 10_000);
      const s = pngScale(8000, 8000) ?? 0;
      assert.ok(s < 2 && 8000 * s * 8000 * s <= 120e6 + 1);
      assert.equal(pngScale(200_000, 200_000), null);
      assert.equal(pngScale(0, 10), null);
    });
  });
});
