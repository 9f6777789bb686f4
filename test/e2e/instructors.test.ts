/**
 * For instructors, in headless Chromium under the panel's CSP (the page as
 * in test/e2e/graph-page.test.ts): export of the current view as a
 * standalone SVG and as a PNG, every step as SVG frames, "Copy LaTeX", and
 * presentation mode (kept in the page's state), with screenshots of
 * presentation mode in dark, light and high-contrast themes and of the
 * exported SVG rendered on its own, outside the panel.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { buildGraphView, runForPanel } from '../../src/session/graph-view';
import { texName } from '../../src/session/tex';
import { mlpScript } from '../unit/panel/big-graphs';
import { EXAMPLES, RESULTS_DIR } from './helpers';
import { withHostileParameter } from './hostile-view';
import { DOC_KEY, openPanelPage, waitUntil, type PanelPage, type PanelPageOptions, usePageBrowser } from './panel-page';

const exercise = () =>
  buildGraphView(runForPanel(fs.readFileSync(path.join(EXAMPLES, 'exercise_chain_rule.py'), 'utf8')), {
    title: 'exercise_chain_rule.py',
  });

const SHOTS = path.join(RESULTS_DIR, 'screenshots');

/** The panel's CSP without `img-src blob:` (which the PNG export needs), to check the message it then gives. */
function withoutImgSrc(html: string): string {
  return html.replace(/; img-src blob:/, '');
}

type Posted = { type: string; [k: string]: unknown };

async function waitPosted(pp: PanelPage, type: string, extra = 'true'): Promise<Posted> {
  const match = `(m) => m.type === ${JSON.stringify(type)} && (${extra})`;
  await waitUntil(pp.page, `window.__posted.some(${match})`, 30_000);
  return (await pp.page.evaluate(`window.__posted.filter(${match}).pop()`)) as Posted;
}

/** How many messages of a type the page posted (without copying them out of the page). */
async function countPosted(pp: PanelPage, type: string): Promise<number> {
  return (await pp.page.evaluate(`window.__posted.filter((m) => m.type === ${JSON.stringify(type)}).length`)) as number;
}

async function shot(pp: PanelPage, name: string): Promise<void> {
  fs.mkdirSync(SHOTS, { recursive: true });
  await pp.page.screenshot({ path: path.join(SHOTS, `${name}.png`) });
}

async function formulaText(pp: PanelPage): Promise<string[]> {
  return pp.page.$$eval('#chain .formula', (els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

interface SvgFacts {
  parsed: boolean;
  viewBox: number[];
  nodes: number;
  nodeIds: string[];
  texts: string;
  captions: string[];
  images: number;
  scripts: number;
  foreign: number;
  currentStroke: string;
  currentStrokeWidth: string;
  titles: string[];
}

/**
 * Parses an exported SVG (DOMParser, as XML) and reads what the tests check, in a blank
 * page: parsed in the panel's page, its style attributes would count as CSP violations.
 */
async function svgFacts(browser: Browser, svg: string): Promise<SvgFacts> {
  const page = await browser.newPage();
  try {
    return await factsIn(page, svg);
  } finally {
    await page.close();
  }
}

async function factsIn(page: Page, svg: string): Promise<SvgFacts> {
  return (await page.evaluate(`(() => {
    const doc = new DOMParser().parseFromString(${JSON.stringify(svg)}, 'image/svg+xml');
    const root = doc.documentElement;
    const cur = doc.querySelector('g.node.status-current rect.box');
    return {
      parsed: root.localName === 'svg' && doc.getElementsByTagName('parsererror').length === 0,
      viewBox: (root.getAttribute('viewBox') || '').split(/\\s+/).map(Number),
      nodes: doc.querySelectorAll('g.node').length,
      nodeIds: [...doc.querySelectorAll('g.node')].map((g) => g.getAttribute('data-id')),
      texts: [...doc.querySelectorAll('text')].map((t) => t.textContent).join('\\n'),
      captions: [...doc.querySelectorAll('g.caption text')].map((t) => t.textContent),
      images: doc.getElementsByTagName('img').length + doc.getElementsByTagName('image').length,
      scripts: doc.getElementsByTagName('script').length,
      foreign: doc.getElementsByTagName('foreignObject').length,
      currentStroke: cur ? cur.style.stroke : '',
      currentStrokeWidth: cur ? cur.style.strokeWidth : '',
      titles: [...doc.querySelectorAll('title')].map((t) => t.textContent),
    };
  })()`)) as SvgFacts;
}

/** Renders an exported SVG on a blank page (no panel CSS, no theme) and takes a screenshot of it. */
async function renderAlone(browser: Browser, svg: string, name: string): Promise<Record<string, string>> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  try {
    await page.setContent(
      `<!DOCTYPE html><html><body style="margin:0;background:#808080">${svg.replace(/^<\?xml[^>]*>\s*/, '')}</body></html>`,
    );
    fs.mkdirSync(SHOTS, { recursive: true });
    await page
      .locator('svg')
      .first()
      .screenshot({ path: path.join(SHOTS, `${name}.png`) });
    return (await page.evaluate(`(() => {
      const box = document.querySelector('g.node.status-current rect.box');
      const label = document.querySelector('g.node text.label');
      return {
        stroke: getComputedStyle(box).stroke,
        strokeWidth: getComputedStyle(box).strokeWidth,
        labelFill: getComputedStyle(label).fill,
        labelFont: getComputedStyle(label).fontFamily,
      };
    })()`)) as Record<string, string>;
  } finally {
    await page.close();
  }
}

describe('graph panel page: for instructors (presentation, exports, Copy LaTeX)', function () {
  let browser: Browser;
  usePageBrowser((b) => (browser = b));

  async function open(opts: PanelPageOptions = {}): Promise<PanelPage> {
    return openPanelPage(browser, { themeCss: 'theme-dark.css', bodyClass: 'vscode-dark', ...opts });
  }

  it('Export SVG: a standalone SVG of the whole graph at this step, theme colours resolved, the chain-rule line under it', async () => {
    const pp = await open();
    const v = exercise();
    const position = v.forward.length + 5;
    await pp.handshake(v, position);
    await pp.page.waitForSelector('g.node.status-current');
    // Zoomed and panned: the export ignores it.
    await pp.page.keyboard.press('+');
    await pp.page.keyboard.press('+');
    await pp.page.waitForTimeout(400);
    const live = (await pp.page.evaluate(`(() => {
      const box = document.querySelector('g.node.status-current rect.box');
      return { stroke: getComputedStyle(box).stroke, strokeWidth: getComputedStyle(box).strokeWidth };
    })()`)) as Record<string, string>;
    await pp.page.click('#btn-export-svg');
    const m = await waitPosted(pp, 'export');
    assert.equal(m.format, 'svg');
    assert.equal(typeof m.id, 'number');
    const svg = m.data as string;
    assert.ok(!svg.includes('var(--'), 'no CSS variable is left');
    assert.ok(!/class="lod-low"|tabindex=|role="button"/.test(svg), 'no page-only attributes');
    const f = await svgFacts(browser, svg);
    assert.equal(f.parsed, true, 'well-formed SVG');
    assert.equal(f.nodes, v.nodes.length);
    assert.deepEqual(f.nodeIds.sort(), v.nodes.map((n) => String(n.id)).sort());
    assert.equal(f.images + f.scripts + f.foreign, 0);
    // viewBox: the whole graph (not the zoomed, panned view).
    const [x, y, w, h] = f.viewBox;
    const right = Math.max(...v.nodes.map((n) => n.x + n.w));
    const bottom = Math.max(...v.nodes.map((n) => n.y + n.h));
    assert.ok(x <= Math.min(...v.nodes.map((n) => n.x)) && y <= Math.min(...v.nodes.map((n) => n.y)), `${f.viewBox}`);
    assert.ok(x + w >= right && y + h >= bottom, `viewBox ${f.viewBox} covers ${right}×${bottom}`);
    assert.ok(w < right + 200 || w <= 1300, `no wasted width: ${f.viewBox}`);
    // The chain-rule line, as text, with the step's heading.
    const formulas = await formulaText(pp);
    assert.deepEqual(formulas, ['∂L/∂w1 += ∂L/∂(x * w1) · ∂(x * w1)/∂w1 = (-15.5)·(2.0) = -31.0']);
    assert.match(f.captions.join(' '), /^Backward step 5 of 6: MulBackward0 at x \* w1, line 14/);
    assert.ok(f.captions.join(' ').includes('(-15.5)·(2.0) = -31.0'), f.captions.join('\n'));
    assert.ok(f.texts.includes('∂ 2.0'), 'the edge label of the step');
    // The theme's colours as concrete values on the elements.
    assert.equal(f.currentStroke, live.stroke);
    assert.match(f.currentStroke, /^rgb\(/);
    // Rendered alone (no panel CSS, no theme variables), it looks as in the panel.
    const alone = await renderAlone(browser, svg, 'instructors-export-svg-dark');
    assert.equal(alone.stroke, live.stroke);
    assert.equal(alone.strokeWidth, live.strokeWidth);
    assert.equal(alone.labelFill, 'rgb(204, 204, 204)');
    // The host's reply shows as a status.
    await pp.send({ type: 'reply', replyTo: m.id as number, ok: true, message: 'Saved exercise_chain_rule-graph.svg' });
    await waitUntil(
      pp.page,
      `document.querySelector('#export-status').textContent === 'Saved exercise_chain_rule-graph.svg'`,
    );
    await shot(pp, 'instructors-normal-dark-status');
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('Export PNG: the SVG drawn at 2× and posted as base64 (with img-src blob: in the CSP)', async () => {
    const pp = await open({ themeCss: 'theme-light.css', bodyClass: 'vscode-light' });
    const v = exercise();
    await pp.handshake(v, v.forward.length + 2);
    await pp.page.waitForSelector('g.node.status-current');
    await pp.send({ type: 'command', name: 'exportPng' });
    const m = await waitPosted(pp, 'export', `m.format === 'png'`);
    const data = m.data as string;
    assert.match(data, /^[A-Za-z0-9+/]+={0,2}$/, 'plain base64, no data: prefix');
    const png = Buffer.from(data, 'base64');
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    // The same export as SVG, for its size.
    await pp.page.click('#btn-export-svg');
    const s = await waitPosted(pp, 'export', `m.format === 'svg'`);
    const sw = Number(/width="(\d+)"/.exec(s.data as string)?.[1]);
    const sh = Number(/height="(\d+)"/.exec(s.data as string)?.[1]);
    assert.equal(width, sw * 2, `PNG ${width}×${height} is 2× the SVG's ${sw}×${sh}`);
    assert.equal(height, sh * 2);
    fs.mkdirSync(SHOTS, { recursive: true });
    fs.writeFileSync(path.join(SHOTS, 'instructors-export-png-light.png'), png);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('Export PNG under a CSP without img-src: a clear message, nothing posted', async () => {
    const pp = await open({ editHtml: withoutImgSrc });
    const csp = (await pp.page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content')) ?? '';
    assert.doesNotMatch(csp, /img-src/);
    const v = exercise();
    await pp.handshake(v);
    await pp.page.waitForSelector('g.node');
    await pp.page.click('#btn-export-png');
    await waitUntil(pp.page, `/img-src blob:/.test(document.querySelector('#export-status').textContent)`);
    assert.equal((await pp.posted()).filter((m) => m.type === 'export').length, 0);
    await pp.page.close();
  });

  it('Export frames: one SVG per step position 0…last, all different, and the page comes back where it was', async () => {
    const pp = await open();
    const v = exercise();
    const position = v.forward.length + 3;
    await pp.handshake(v, position);
    await pp.page.waitForSelector('g.node.status-current');
    const before = await formulaText(pp);
    const chainBefore = await pp.page.textContent('.chain-status');
    await pp.send({ type: 'command', name: 'exportFrames' });
    const m = await waitPosted(pp, 'exportFrames');
    const frames = m.frames as string[];
    const last = v.forward.length + v.steps.length;
    assert.equal(frames.length, last + 1);
    assert.equal(new Set(frames).size, frames.length, 'every frame differs');
    const sizes = new Set(frames.map((f) => /viewBox="([^"]+)"/.exec(f)?.[1]));
    assert.equal(sizes.size, 1, `frames share one viewBox: ${[...sizes].join(' | ')}`);
    const first = await svgFacts(browser, frames[0]);
    assert.equal(first.parsed, true);
    assert.equal(first.nodes, v.nodes.length);
    assert.match(first.captions[0], /^Step 0 of 18/);
    const f5 = await svgFacts(browser, frames[v.forward.length + 5]);
    assert.match(f5.captions.join(' '), /Backward step 5 of 6/);
    assert.ok(f5.captions.join(' ').includes('= -31.0'));
    const lastF = await svgFacts(browser, frames[last]);
    assert.match(lastF.captions.join(' '), /Backward step 6 of 6/);
    for (const f of frames) assert.ok(!f.includes('var(--'));
    // Back where it was: the position, the chain panel, the saved state.
    assert.deepEqual(await formulaText(pp), before);
    assert.equal(await pp.page.textContent('.chain-status'), chainBefore);
    assert.equal(await pp.page.textContent('.toolbar .position'), `${position} / ${last}`);
    await waitUntil(pp.page, `window.__state && window.__state.position === ${position}`);
    await waitUntil(pp.page, `/waiting for VS Code/.test(document.querySelector('#export-status').textContent)`);
    await pp.send({ type: 'reply', replyTo: m.id as number, ok: false, message: 'Could not write the frames: EACCES' });
    await waitUntil(pp.page, `/EACCES/.test(document.querySelector('#export-status').textContent)`);
    assert.match((await pp.page.textContent('#banner')) ?? '', /EACCES/);
    assert.deepEqual(await pp.violations(), []);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('Export frames of a longer walk-through: done in chunks, the panel never paints another step meanwhile', async function () {
    this.timeout(120_000);
    const v = buildGraphView(runForPanel(mlpScript(2, 3, 3)), { title: 'mlp.py' });
    const last = v.forward.length + v.steps.length;
    const pp = await open();
    await pp.handshake(v, v.forward.length + 7);
    await waitUntil(pp.page, `!!document.querySelector('g.node.status-current')`);
    await pp.page.waitForTimeout(300);
    const shown = `${v.forward.length + 7} / ${last}`;
    assert.equal(await pp.page.textContent('.toolbar .position'), shown);
    // What each painted frame shows while the export runs.
    await pp.page.evaluate(`(() => {
      window.__seen = [];
      const rec = () => {
        const cur = document.querySelector('g.node.status-current');
        window.__seen.push({
          position: document.querySelector('.toolbar .position').textContent,
          current: cur ? cur.getAttribute('data-index') : null,
          status: document.querySelector('#export-status').textContent,
        });
        if (!window.__posted.some((m) => m.type === 'exportFrames')) requestAnimationFrame(rec);
      };
      requestAnimationFrame(rec);
    })()`);
    const t0 = Date.now();
    await pp.page.click('#btn-export-frames');
    const m = await waitPosted(pp, 'exportFrames', 'true');
    const frames = m.frames as string[];
    console.log(`      ${v.nodes.length} nodes, ${frames.length} frames in ${Date.now() - t0} ms`);
    assert.equal(frames.length, last + 1);
    assert.equal(new Set(frames).size, frames.length);
    const seen = (await pp.page.evaluate('window.__seen')) as {
      position: string;
      current: string | null;
      status: string;
    }[];
    assert.ok(
      seen.some((s) => /Exporting frames… \d+ \/ \d+/.test(s.status)),
      'progress shown',
    );
    assert.deepEqual([...new Set(seen.map((s) => s.position))], [shown], 'never painted at another step');
    assert.equal(new Set(seen.map((s) => s.current)).size, 1);
    // Frames reuse the markup of what did not change: each is what a fresh export of its step gives.
    const graphPart = (svg: string) => svg.slice(svg.indexOf('<g class="graph"'), svg.indexOf('<g class="caption"'));
    for (const k of [0, 40, v.forward.length, v.forward.length + 1, 150, last]) {
      await pp.send({ type: 'goTo', position: k });
      const before = await countPosted(pp, 'export');
      await pp.send({ type: 'command', name: 'exportSvg' });
      const single = (
        await waitPosted(pp, 'export', `window.__posted.filter((x) => x.type === 'export').length > ${before}`)
      ).data as string;
      assert.ok(graphPart(single).length > 1000);
      assert.equal(graphPart(frames[k]), graphPart(single), `frame ${k} is the export of step ${k}`);
    }
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('Copy LaTeX: the chain-rule line of a backward step, a forward formula, nothing at step 0', async () => {
    const pp = await open();
    const v = exercise();
    await pp.handshake(v, v.forward.length + 5);
    await pp.page.waitForSelector('#btn-copy-latex');
    await pp.page.click('#btn-copy-latex');
    const m = await waitPosted(pp, 'copy');
    const expected = v.steps[4].inputs.map((i) => i.formula.latex).join('\n');
    assert.equal(m.text, expected);
    assert.match(m.text as string, /\\partial w_1/);
    assert.match(m.text as string, /\(-15\.5\)/);
    await pp.send({
      type: 'reply',
      replyTo: m.id as number,
      ok: true,
      message: 'Copied the chain-rule line as LaTeX.',
    });
    await waitUntil(
      pp.page,
      `document.querySelector('#export-status').textContent === 'Copied the chain-rule line as LaTeX.'`,
    );
    // A step with two inputs: one line each.
    const two = v.steps.findIndex((s) => s.inputs.length === 2);
    assert.ok(two >= 0);
    await pp.send({ type: 'goTo', position: v.forward.length + two + 1 });
    await pp.send({ type: 'command', name: 'copyLatex' });
    await waitUntil(pp.page, `window.__posted.filter((m) => m.type === 'copy').length === 2`);
    const m2 = (await pp.posted()).filter((x) => x.type === 'copy')[1];
    assert.equal(m2.text, v.steps[two].inputs.map((i) => i.formula.latex).join('\n'));
    assert.equal((m2.text as string).split('\n').length, 2);
    // A forward step: its formula.
    await pp.send({ type: 'goTo', position: 3 });
    await pp.send({ type: 'command', name: 'copyLatex' });
    await waitUntil(pp.page, `window.__posted.filter((m) => m.type === 'copy').length === 3`);
    assert.equal((await pp.posted()).filter((x) => x.type === 'copy')[2].text, v.forward[2].formula.latex);
    // Step 0: nothing to copy, said so.
    await pp.send({ type: 'goTo', position: 0 });
    await pp.send({ type: 'command', name: 'copyLatex' });
    await waitUntil(pp.page, `/No chain-rule line/.test(document.querySelector('#export-status').textContent)`);
    assert.equal((await pp.posted()).filter((x) => x.type === 'copy').length, 3);
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  it('presentation mode: toggled by the button and the command, kept in the state, fewer controls, larger text, same keys', async () => {
    const pp = await open();
    const v = exercise();
    await pp.handshake(v, v.forward.length + 4);
    await pp.page.waitForSelector('g.node.status-current');
    const size = (sel: string) =>
      pp.page.evaluate(
        `parseFloat(getComputedStyle(document.querySelector(${JSON.stringify(sel)})).fontSize)`,
      ) as Promise<number>;
    const shown = (sel: string) =>
      pp.page.evaluate(
        `(() => { const e = document.querySelector(${JSON.stringify(sel)}); return !!e && getComputedStyle(e).display !== 'none' && e.getBoundingClientRect().width > 0; })()`,
      ) as Promise<boolean>;
    const katexBefore = await size('#chain .formula .katex');
    const nodeBefore = await size('g.node text.value');
    const widthBefore = (await pp.page.evaluate(
      `parseFloat(getComputedStyle(document.querySelector('g.node.status-current rect.box')).strokeWidth)`,
    )) as number;
    assert.equal(await shown('#speed'), true);
    assert.equal(await pp.page.getAttribute('#btn-presentation', 'aria-pressed'), 'false');
    await pp.page.click('#btn-presentation');
    assert.equal(await pp.page.evaluate(`document.body.classList.contains('presentation')`), true);
    assert.equal(await pp.page.getAttribute('#btn-presentation', 'aria-pressed'), 'true');
    await waitUntil(pp.page, `window.__state && window.__state.presentation === true`);
    for (const sel of [
      '#speed',
      '#btn-fit',
      '#call',
      '.toolbar .title',
      '#btn-export-svg',
      '#btn-copy-latex',
      '#btn-export-frames',
    ])
      assert.equal(await shown(sel), false, `${sel} hidden`);
    for (const sel of [
      '#btn-reset',
      '#btn-back',
      '#btn-forward',
      '#btn-backward',
      '#btn-end',
      '#btn-play',
      '#btn-presentation',
    ])
      assert.equal(await shown(sel), true, `${sel} shown`);
    const katexAfter = await size('#chain .formula .katex');
    assert.ok(katexAfter >= 1.6 * katexBefore, `KaTeX ${katexBefore}px → ${katexAfter}px`);
    assert.ok((await size('g.node text.value')) > nodeBefore);
    const widthAfter = (await pp.page.evaluate(
      `parseFloat(getComputedStyle(document.querySelector('g.node.status-current rect.box')).strokeWidth)`,
    )) as number;
    assert.ok(widthAfter > widthBefore, `current node's stroke ${widthBefore} → ${widthAfter}`);
    // Keys step as before.
    await pp.page.click('#graph-host', { position: { x: 5, y: 5 } });
    await pp.page.keyboard.press('ArrowRight');
    assert.match((await pp.page.textContent('.chain-status')) ?? '', /Backward step 5 of 6/);
    await pp.page.keyboard.press('ArrowLeft');
    assert.match((await pp.page.textContent('.chain-status')) ?? '', /Backward step 4 of 6/);
    const state = await pp.page.evaluate('window.__state');
    assert.deepEqual(state, {
      docKey: DOC_KEY,
      position: v.forward.length + 4,
      shapeKey: v.shapeKey,
      speed: 1,
      presentation: true,
    });
    await pp.page.close();
    // A reload comes back in presentation mode; the command switches it off.
    const again = await open({ state });
    assert.equal(await again.page.evaluate(`document.body.classList.contains('presentation')`), true);
    await again.handshake(v, null);
    await again.page.waitForSelector('g.node.status-current');
    assert.match((await again.page.textContent('.chain-status')) ?? '', /Backward step 4 of 6/);
    await again.send({ type: 'command', name: 'togglePresentation' });
    await waitUntil(again.page, `!document.body.classList.contains('presentation')`);
    await waitUntil(again.page, `window.__state && !('presentation' in window.__state)`);
    assert.equal(
      await again.page.evaluate(`getComputedStyle(document.querySelector('#speed')).display !== 'none'`),
      true,
    );
    assert.deepEqual(again.errors, []);
    await again.page.close();
  });

  it('a hostile variable name stays text in the exported SVG (escaped, never markup)', async () => {
    const pp = await open();
    let dialogs = 0;
    pp.page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    const evil = 'w1<img src=x onerror=alert(1)>';
    const v = exercise();
    const hostile = withHostileParameter(v, evil);
    await pp.handshake(hostile, v.forward.length + 5);
    await pp.page.waitForSelector('g.node.status-current');
    await pp.page.click('#btn-export-svg');
    const m = await waitPosted(pp, 'export');
    const svg = m.data as string;
    assert.ok(!svg.includes('<img'), 'no raw <img in the file');
    assert.ok(svg.includes('w1&lt;img src=x onerror=alert(1)&gt;'), 'the name is escaped text');
    const f = await svgFacts(browser, svg);
    assert.equal(f.parsed, true);
    assert.equal(f.images + f.scripts + f.foreign, 0);
    assert.ok(f.titles.includes(`parameter: ${evil} (line 11)`), 'the node tooltip keeps the name as text');
    assert.ok(f.titles[0].startsWith(evil), `the picture's title: ${f.titles[0]}`);
    assert.ok(
      f.captions.some((c) => c.includes(`∂${evil}`)),
      f.captions.join('\n'),
    );
    // Shown alone, it still runs nothing.
    const page = await browser.newPage();
    page.on('dialog', (d) => {
      dialogs++;
      void d.dismiss();
    });
    await page.setContent(`<!DOCTYPE html><html><body>${svg.replace(/^<\?xml[^>]*>\s*/, '')}</body></html>`);
    await page.waitForTimeout(200);
    assert.equal(await page.locator('img').count(), 0);
    await page.close();
    await pp.page.click('#btn-copy-latex');
    const c = await waitPosted(pp, 'copy');
    assert.ok((c.text as string).includes(texName(evil)));
    assert.equal(dialogs, 0);
    await pp.page.close();
  });

  it('a big graph (2,000 nodes): SVG export collapsed and expanded, in reasonable time, with every drawn node', async function () {
    this.timeout(180_000);
    const v = buildGraphView(runForPanel(mlpScript(4, 10, 12)), { title: 'mlp.py' });
    const pp = await open({ viewport: { width: 1400, height: 900 } });
    await pp.handshake(v, v.forward.length + 10);
    await waitUntil(pp.page, `document.querySelectorAll('svg.graph g.node').length === ${v.nodes.length}`, 30_000);
    await waitUntil(pp.page, `!document.querySelector('svg.graph').classList.contains('layout-pending')`, 30_000);
    for (const how of ['as sent', 'expanded']) {
      if (how === 'expanded') {
        await pp.send({ type: 'command', name: 'expandAll' });
        await waitUntil(pp.page, `!document.querySelector('svg.graph').classList.contains('layout-pending')`, 30_000);
        await pp.page.waitForTimeout(500);
      }
      const drawn = (await pp.page.evaluate(
        // Drawn: not inside a collapsed group (nodes culled far off screen are drawn again when in view; an export has them).
        `document.querySelectorAll('svg.graph g.node:not([display="none"])').length`,
      )) as number;
      const before = (await pp.posted()).filter((m) => m.type === 'export').length;
      const ms = (await pp.page.evaluate(`(() => {
        const t = performance.now();
        document.querySelector('#btn-export-svg').click();
        return performance.now() - t;
      })()`)) as number;
      await waitUntil(pp.page, `window.__posted.filter((m) => m.type === 'export').length === ${before + 1}`);
      const svg = (await pp.posted()).filter((m) => m.type === 'export')[before].data as string;
      console.log(
        `      ${v.nodes.length} nodes ${how}: ${drawn} drawn, SVG export ${ms.toFixed(0)} ms, ${(svg.length / 1024 / 1024).toFixed(1)} MB`,
      );
      assert.ok(!svg.includes('var(--'));
      const f = await svgFacts(browser, svg);
      assert.equal(f.parsed, true);
      assert.equal(f.nodes, drawn);
      // Zoomed far out (level of detail hides text in the panel): the export still has the text.
      assert.ok(f.texts.length > 1000);
    }
    // Every step of it would be gigabytes: refused after the first frame, with the figures.
    await pp.send({ type: 'command', name: 'exportFrames' });
    await waitUntil(
      pp.page,
      `/more than the 256 MB/.test(document.querySelector('#export-status').textContent)`,
      30_000,
    );
    console.log(`      frames: ${await pp.page.textContent('#export-status')}`);
    assert.equal((await pp.posted()).filter((m) => m.type === 'exportFrames').length, 0);
    assert.match((await pp.page.textContent('.toolbar .position')) ?? '', new RegExp(`^${v.forward.length + 10} / `));
    assert.deepEqual(pp.errors, []);
    await pp.page.close();
  });

  for (const [theme, bodyClass, css] of [
    ['dark', 'vscode-dark', 'theme-dark.css'],
    ['light', 'vscode-light', 'theme-light.css'],
    ['high-contrast', 'vscode-high-contrast', 'theme-high-contrast.css'],
  ] as const) {
    it(`screenshot: presentation mode, ${theme} theme`, async () => {
      const v = exercise();
      const pp = await open({
        themeCss: css,
        bodyClass,
        viewport: { width: 1280, height: 720 },
        state: { docKey: DOC_KEY, position: v.forward.length + 5, shapeKey: v.shapeKey, speed: 1, presentation: true },
      });
      await pp.handshake(v, null);
      await pp.page.waitForSelector('#chain .katex');
      await pp.page.evaluate('document.fonts.ready');
      await pp.page.waitForTimeout(400);
      assert.equal(await pp.page.evaluate(`document.body.classList.contains('presentation')`), true);
      // The chain-rule line fits the panel's width at presentation size (no scrolling to read it).
      const fits = (await pp.page.evaluate(`(() => {
        const f = document.querySelector('#chain .formula');
        return f.scrollWidth <= f.clientWidth + 1;
      })()`)) as boolean;
      assert.equal(fits, true, 'the formula fits at 1280 px');
      await shot(pp, `instructors-presentation-${theme}`);
      // Its export (the command: the buttons are hidden in presentation mode), shown alone.
      await pp.send({ type: 'command', name: 'exportSvg' });
      const m = await waitPosted(pp, 'export');
      await renderAlone(browser, m.data as string, `instructors-export-svg-presentation-${theme}`);
      assert.deepEqual(await pp.violations(), []);
      assert.deepEqual(pp.errors, []);
      await pp.page.close();
    });
  }
});
