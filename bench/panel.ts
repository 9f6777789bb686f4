/**
 * The graph panel benchmark (`npm run bench -- --only=panel`): the host's
 * view model and layout in Node, then the built page (dist/webview.js under
 * the panel's real Content Security Policy) in headless Chromium, driven
 * with real input through the DevTools protocol. Measurements only: nothing
 * here asserts on time. See bench/README.md, "Graph panel".
 *
 * Graphs: scalar MLPs recorded by the interpreter (test/unit/panel/big-graphs.ts),
 * sized to about 500, 1,000, 2,000 and 5,000 nodes (5,000 is the panel's cap),
 * drawn ungrouped (the view's `grouped` flag cleared: what the grouped-view
 * threshold is about) and, over the threshold, also as the host sends them
 * (groups collapsed).
 *
 *   host         runForPanel (the script run) and buildGraphView (view model,
 *                formulas and layout); layoutGraph alone on the same input.
 *   first paint  in the page, from posting the `view` message to the end of
 *                the first frame that paints its nodes or group boxes (the
 *                first rAF after the handler at which they are in the SVG and
 *                no layout is pending — a grouped view is laid out in the
 *                page's worker — then a task queued from it: it runs once
 *                that frame's paint is committed), by performance.now(); and
 *                to that frame's presentation, from a trace (the compositor's
 *                PipelineReporter).
 *   step         ArrowRight / ArrowLeft pressed through CDP (Input.dispatchKeyEvent);
 *                main-thread work per step: the keydown handlers, plus the
 *                next frame from its rAF to the committed paint (the wait for
 *                the frame is left out; latency, which includes it, is printed too).
 *   pan, zoom    a mouse drag at 125 events/s and wheel events at 60/s,
 *                dispatched through CDP without waiting (as a real mouse:
 *                Chromium coalesces them into frames), at fit-to-view zoom
 *                (level of detail on) and at zoom 1.0; frame time = interval
 *                between consecutive presented frames that carry a main-thread
 *                update, from a Chromium trace.
 *   variants     (--variants) the same gestures and steps with the page changed
 *                after its first paint (stylesheets and scripts put in through
 *                CDP, e.g. viewport culling or a canvas below zoom 0.4):
 *                prototypes of rendering fixes, measured without editing webview/.
 *
 * Chromium: /usr/bin/chromium (or $CHROMIUM_PATH), Playwright's default
 * headless mode (`--headless`, the full browser's new headless mode, not
 * chrome-headless-shell), with --no-sandbox --disable-gpu
 * --disable-dev-shm-usage (software raster and compositing, as on a machine
 * without a GPU), viewport 1400×900 at device scale 1.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { makeNonce, panelHtml } from '../src/extension/panel/html';
import type { GraphViewDTO } from '../src/protocol/messages';
import { layoutGraph, type LayoutInput } from '../src/session/layout';
import { buildGraphView, runForPanel } from '../src/session/graph-view';
import { mlpScript } from '../test/unit/panel/big-graphs';

export interface PanelBenchOptions {
  /** The repository: dist/webview.js, dist/katex.css, media/panel.css, test/e2e/fixtures/. */
  readonly root: string;
  /** Approximate node counts. */
  readonly sizes: readonly number[];
  /** First paints per size (odd). */
  readonly paints: number;
  /** Steps per zoom level. */
  readonly steps: number;
  /** Node counts at which to measure the rendering variants (none: skip them). */
  readonly variantSizes: readonly number[];
  /** Steps per zoom level in each variant. */
  readonly variantSteps: number;
  /** Also measure the page as the host starts it (groups collapsed) at sizes over the threshold. */
  readonly grouped: boolean;
  /** Only these variants (default: all). */
  readonly variants?: readonly string[];
  readonly gc: () => void;
}

const ORIGIN = 'https://panel.test';
const VIEWPORT = { width: 1400, height: 900 };
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'];
/** Pan: mouse moves every 8 ms (a 125 Hz mouse); zoom: wheel events every 16 ms (a trackpad). */
const PAN_EVENTS = 150;
const PAN_EVERY_MS = 8;
const WHEEL_EVENTS = 60;
const WHEEL_EVERY_MS = 16;
/** The targets (ms). */
export const TARGET = { firstPaint: 1000, step: 16, frame: 33 };
/** Frame times are whole numbers of vsync intervals (16.7 ms): two intervals plus jitter meet 33 ms. */
const FRAME_OK = 34;

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.woff2': 'font/woff2',
};

// ------------------------------------------------------------------ statistics

function quantile(xs: readonly number[], q: number): number {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}
const median = (xs: readonly number[]) => quantile(xs, 0.5);
const p95 = (xs: readonly number[]) => quantile(xs, 0.95);

// ------------------------------------------------------------------ graphs

/** Samples of mlpScript(4, 10, samples) for about n nodes (≈ 165 a sample + 50 parameters). */
function samplesFor(n: number): number {
  return Math.max(1, Math.round((n - 51) / 165));
}

interface HostFigures {
  readonly nodes: number;
  readonly edges: number;
  readonly steps: number;
  /** ms, medians. */
  readonly run: number;
  readonly view: number;
  readonly layout: number;
  readonly view0: GraphViewDTO;
}

/** The layout's input, rebuilt from a view (edges in input order, node sizes). */
function layoutInput(v: GraphViewDTO): LayoutInput {
  const inputs: number[][] = v.nodes.map(() => []);
  const byPos = [...v.edges].sort((a, b) => a.to - b.to || a.position - b.position);
  for (const e of byPos) inputs[e.to].push(e.from);
  return { inputs, sizes: v.nodes.map((n) => ({ w: n.w, h: n.h })) };
}

function timeMs(fn: () => void, runs: number, gc: () => void): number {
  fn();
  const ts: number[] = [];
  for (let i = 0; i < runs; i++) {
    gc();
    const t0 = performance.now();
    fn();
    ts.push(performance.now() - t0);
  }
  return median(ts);
}

function hostFigures(n: number, gc: () => void): HostFigures {
  const source = mlpScript(4, 10, samplesFor(n));
  let pr = runForPanel(source);
  const run = timeMs(() => (pr = runForPanel(source)), 3, gc);
  let v = buildGraphView(pr, { title: 'mlp.py' });
  const view = timeMs(() => (v = buildGraphView(pr, { title: 'mlp.py' })), 3, gc);
  const input = layoutInput(v);
  const layout = timeMs(() => layoutGraph(input), 5, gc);
  return { nodes: v.nodes.length, edges: v.edges.length, steps: v.steps.length, run, view, layout, view0: v };
}

// ------------------------------------------------------------------ the page

/**
 * Hooks installed before the page's script: the fake acquireVsCodeApi, and
 * the start time of every keydown and of the benchmark's `view` message
 * (capture listeners on window: they run before the page's).
 */
const INIT = `(() => {
  const w = window;
  w.__posted = [];
  w.acquireVsCodeApi = () => ({ postMessage: (m) => w.__posted.push(m), getState: () => null, setState: () => {} });
  const B = (w.__bench = { done: [], keyStart: 0, msgStart: -1, views: {} });
  w.addEventListener('keydown', () => { B.keyStart = performance.now(); }, true);
})();`;

/**
 * Hooks installed once the page's script has run (so that these listeners
 * come after the page's): when a keydown or the benchmark's message has been
 * handled, note the time, then the next frame's rAF, then a task queued from
 * that rAF, which runs once that frame's style, layout, paint and commit are
 * done.
 */
const AFTER_READY = `(() => {
  const B = window.__bench;
  const ch = new MessageChannel();
  const queue = [];
  ch.port1.onmessage = () => {
    const r = queue.shift();
    r.painted = performance.now();
    if (r.view) performance.mark('bench:painted');
    B.done.push(r);
  };
  const afterPaint = (r, ready) => requestAnimationFrame(() => {
    if (ready && !ready()) return afterPaint(r, ready);
    r.raf = performance.now();
    queue.push(r);
    ch.port2.postMessage(0);
  });
  // A view is drawn once its nodes or group boxes are in the SVG and no layout is pending
  // (a grouped view is laid out in the page's worker after the message).
  const drawn = () => {
    const svg = document.querySelector('svg.graph');
    return !!svg && !svg.classList.contains('layout-pending') && !!svg.querySelector('g.node:not([display]), g.group');
  };
  window.addEventListener('keydown', () => afterPaint({ start: B.keyStart, handled: performance.now() }));
  window.addEventListener('message', () => {
    if (B.msgStart < 0) return;
    const r = { start: B.msgStart, handled: performance.now(), view: true };
    B.msgStart = -1;
    afterPaint(r, drawn);
  });
  B.waitDone = (n) => new Promise((resolve) => { const poll = () => (B.done.length > n ? resolve(B.done[n]) : setTimeout(poll, 2)); poll(); });
})()`;

interface Done {
  start: number;
  handled: number;
  raf: number;
  painted: number;
}

interface PanelPage {
  readonly page: Page;
  readonly cdp: CDPSession;
  readonly errors: string[];
}

async function openPage(browser: Browser, root: string): Promise<PanelPage> {
  const page = await browser.newPage({ viewport: VIEWPORT, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  const html = panelHtml({
    cspSource: ORIGIN,
    nonce: makeNonce(),
    scriptUri: `${ORIGIN}/dist/webview.js`,
    katexCssUri: `${ORIGIN}/dist/katex.css`,
    panelCssUri: `${ORIGIN}/media/panel.css`,
    docKey: '0123456789abcdef0123456789abcdef',
  })
    .replace('</head>', `<link rel="stylesheet" href="${ORIGIN}/fixtures/theme-dark.css">\n</head>`)
    .replace('<body ', '<body class="vscode-dark" ');
  await page.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/') return route.fulfill({ status: 200, contentType: 'text/html', body: html });
    const m = /^\/(dist|media|fixtures)\/([\w./-]+)$/.exec(url.pathname);
    const base = m ? (m[1] === 'fixtures' ? path.join(root, 'test', 'e2e', 'fixtures') : path.join(root, m[1])) : '';
    const file = m ? path.join(base, m[2]) : '';
    if (!m || !file.startsWith(base + path.sep) || !fs.existsSync(file))
      return route.fulfill({ status: 404, body: 'not found' });
    return route.fulfill({
      status: 200,
      contentType: TYPES[path.extname(file)] ?? 'application/octet-stream',
      body: fs.readFileSync(file),
    });
  });
  await page.addInitScript({ content: INIT });
  await page.goto(`${ORIGIN}/`);
  await waitUntil(page, `window.__posted.some((m) => m.type === 'ready')`);
  await page.evaluate(AFTER_READY);
  const cdp = await page.context().newCDPSession(page);
  return { page, cdp, errors };
}

/** Polls from Node (page.evaluate goes through CDP; the page's CSP forbids Playwright's in-page polling). */
async function waitUntil(page: Page, expression: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${expression}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Parks a parsed view in the page (untimed), so that posting it is all the timed part does. */
async function stageView(pp: PanelPage, key: string, v: GraphViewDTO): Promise<void> {
  const json = JSON.stringify({ type: 'view', replyTo: null, view: v, position: null });
  await pp.page.evaluate(`window.__bench.views[${JSON.stringify(key)}] = JSON.parse(${JSON.stringify(json)}); 0`);
}

/** Posts a staged view as VS Code delivers host messages; resolves with the timings of its first paint. */
async function postView(pp: PanelPage, key: string): Promise<Done> {
  return (await pp.page.evaluate(`(() => {
    const B = window.__bench;
    const n = B.done.length;
    performance.mark('bench:send');
    B.msgStart = performance.now();
    window.postMessage(B.views[${JSON.stringify(key)}], '*');
    return B.waitDone(n);
  })()`)) as Done;
}

interface Transform {
  x: number;
  y: number;
  k: number;
}

async function transform(page: Page): Promise<Transform> {
  const s = (await page.evaluate(
    `document.querySelector('svg.graph g.viewport')?.getAttribute('transform') ?? ''`,
  )) as string;
  const m = /translate\(([-\d.e+]+)[, ]+([-\d.e+]+)\)\s*scale\(([-\d.e+]+)\)/.exec(s);
  if (!m) return { x: 0, y: 0, k: 1 };
  return { x: Number(m[1]), y: Number(m[2]), k: Number(m[3]) };
}

async function hostBox(page: Page): Promise<{ x: number; y: number; w: number; h: number }> {
  return (await page.evaluate(`(() => {
    const r = document.querySelector('svg.graph').getBoundingClientRect();
    return { x: r.x, y: r.y, w: r.width, h: r.height };
  })()`)) as { x: number; y: number; w: number; h: number };
}

// ------------------------------------------------------------------ input

function mouse(cdp: CDPSession, type: string, x: number, y: number, extra: object = {}): Promise<unknown> {
  return cdp.send('Input.dispatchMouseEvent', { type, x, y, ...extra } as never);
}

/** Calls fn(i) every `everyMs` without waiting for the previous call (as input arrives from a device). */
async function paced(n: number, everyMs: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  const pending: Promise<unknown>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const wait = t0 + i * everyMs - performance.now();
    if (wait > 0) await sleep(wait);
    pending.push(fn(i));
  }
  await Promise.all(pending);
}

/** A drag from the middle of the graph along a loop (±150 px by 200 px), back near where it started. */
async function panGesture(pp: PanelPage, cx: number, cy: number): Promise<void> {
  await mouse(pp.cdp, 'mouseMoved', cx, cy);
  await mouse(pp.cdp, 'mousePressed', cx, cy, { button: 'left', buttons: 1, clickCount: 1 });
  await paced(PAN_EVENTS, PAN_EVERY_MS, (i) => {
    const a = (2 * Math.PI * (i + 1)) / PAN_EVENTS;
    return mouse(pp.cdp, 'mouseMoved', cx + 150 * Math.sin(a), cy + 100 * (1 - Math.cos(a)), {
      button: 'left',
      buttons: 1,
    });
  });
  await mouse(pp.cdp, 'mouseReleased', cx, cy, { button: 'left', buttons: 0, clickCount: 1 });
}

/** Wheel zoom at the middle: out, in, out, in… by 2^(±0.04) an event (d3-zoom), about the starting zoom. */
async function zoomGesture(pp: PanelPage, cx: number, cy: number): Promise<void> {
  await mouse(pp.cdp, 'mouseMoved', cx, cy);
  await paced(WHEEL_EVENTS, WHEEL_EVERY_MS, (i) =>
    mouse(pp.cdp, 'mouseWheel', cx, cy, { deltaX: 0, deltaY: Math.floor((i + 5) / 10) % 2 === 0 ? 20 : -20 }),
  );
}

/** A drag (not measured) that moves graph point under (fx, fy) to (tx, ty). */
async function dragTo(pp: PanelPage, fx: number, fy: number, tx: number, ty: number): Promise<void> {
  await mouse(pp.cdp, 'mouseMoved', fx, fy);
  await mouse(pp.cdp, 'mousePressed', fx, fy, { button: 'left', buttons: 1, clickCount: 1 });
  for (let i = 1; i <= 10; i++)
    await mouse(pp.cdp, 'mouseMoved', fx + ((tx - fx) * i) / 10, fy + ((ty - fy) * i) / 10, {
      button: 'left',
      buttons: 1,
    });
  await mouse(pp.cdp, 'mouseReleased', tx, ty, { button: 'left', buttons: 0, clickCount: 1 });
}

// ------------------------------------------------------------------ traces

interface TraceEvent {
  name: string;
  cat: string;
  ph: string;
  ts: number;
  dur?: number;
  /** Thread (CPU) time: less sensitive than dur to other processes on a busy machine. */
  tdur?: number;
  pid: number;
  tid: number;
  id2?: { local?: string; global?: string };
  args?: {
    name?: string;
    data?: { type?: string };
    frame_reporter?: { state?: string; frame_type?: string };
  };
}

const TRACE_CATEGORIES = [
  'devtools.timeline',
  'disabled-by-default-devtools.timeline',
  'disabled-by-default-devtools.timeline.frame',
  'blink.user_timing',
];

async function traced(browser: Browser, page: Page, fn: () => Promise<void>): Promise<TraceEvent[]> {
  await browser.startTracing(page, { categories: TRACE_CATEGORIES });
  let failure: unknown = null;
  try {
    await fn();
    await sleep(150); // the last frames
  } catch (e) {
    failure = e;
  }
  const buf = await browser.stopTracing();
  if (failure !== null) throw failure;
  const parsed = JSON.parse(buf.toString('utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[];
  return Array.isArray(parsed) ? parsed : parsed.traceEvents;
}

/** An event's CPU time (µs) on its thread, or its wall time when the trace has none. */
const cpu = (e: TraceEvent): number => e.tdur ?? e.dur ?? 0;

interface PresentedFrame {
  begin: number;
  end: number;
}

/** The renderer's frames that were presented with a main-thread update (µs, trace clock). */
function presentedFrames(events: readonly TraceEvent[], pid: number): PresentedFrame[] {
  const open = new Map<string, TraceEvent>();
  const out: PresentedFrame[] = [];
  const sorted = events.filter((e) => e.name === 'PipelineReporter' && e.pid === pid).sort((a, b) => a.ts - b.ts);
  for (const e of sorted) {
    const key = `${e.tid}:${e.id2?.local ?? e.id2?.global ?? ''}`;
    if (e.ph === 'b') open.set(key, e);
    else if (e.ph === 'e') {
      const b = open.get(key);
      open.delete(key);
      const fr = b?.args?.frame_reporter;
      if (b && fr && fr.state === 'STATE_PRESENTED_ALL' && fr.frame_type !== 'FORKED')
        out.push({ begin: b.ts, end: e.ts });
    }
  }
  out.sort((a, b) => a.end - b.end);
  return out.filter((f, i) => i === 0 || f.end !== out[i - 1].end);
}

function threadOf(events: readonly TraceEvent[], pid: number, name: string): number[] {
  return events
    .filter((e) => e.ph === 'M' && e.name === 'thread_name' && e.pid === pid && e.args?.name === name)
    .map((e) => e.tid);
}

/** The page's renderer: the process that dispatched events of this type. */
function rendererPid(events: readonly TraceEvent[], type: string): number {
  const e = events.find((x) => x.name === 'EventDispatch' && x.args?.data?.type === type);
  if (!e) throw new Error(`no ${type} event in the trace`);
  return e.pid;
}

interface FrameFigures {
  /** Interval between consecutive presented frames during the gesture (ms). */
  readonly intervals: number[];
  /** Input events the page handled (after Chromium's coalescing). */
  readonly inputs: number;
  /** Frames presented with a main-thread update during the gesture, and the gesture's length (ms). */
  readonly presented: number;
  readonly span: number;
  /** Main-thread and raster CPU time per presented frame (ms). */
  readonly mainPerFrame: number;
  readonly rasterPerFrame: number;
  /** Where the main thread's CPU time went, per presented frame (ms). */
  readonly phases: Record<string, number>;
  readonly zoom: number;
}

const PHASES = ['EventDispatch', 'UpdateLayoutTree', 'Layout', 'PrePaint', 'Paint', 'Layerize', 'Commit'];

function frameFigures(events: readonly TraceEvent[], type: string, zoom: number): FrameFigures {
  const pid = rendererPid(events, type);
  const main = new Set(threadOf(events, pid, 'CrRendererMain'));
  const inputs = events.filter((e) => e.name === 'EventDispatch' && e.pid === pid && e.args?.data?.type === type);
  const t0 = Math.min(...inputs.map((e) => e.ts));
  const t1 = Math.max(...inputs.map((e) => e.ts + (e.dur ?? 0)));
  // Frames presented from the first input to one frame after the last.
  const frames = presentedFrames(events, pid).filter((f) => f.end > t0 && f.begin <= t1);
  const intervals: number[] = [];
  for (let i = 1; i < frames.length; i++) intervals.push((frames[i].end - frames[i - 1].end) / 1000);
  const lo = frames.length ? frames[0].end : t0;
  const hi = frames.length ? frames[frames.length - 1].end : t1;
  const inWindow = (e: TraceEvent) => e.pid === pid && e.ts >= lo && e.ts < hi && e.ph === 'X';
  const sum = (pred: (e: TraceEvent) => boolean) =>
    events.filter((e) => inWindow(e) && pred(e)).reduce((s, e) => s + cpu(e), 0) / 1000;
  const n = Math.max(1, frames.length - 1);
  const phases: Record<string, number> = {};
  for (const p of PHASES) phases[p] = sum((e) => e.name === p && main.has(e.tid)) / n;
  return {
    intervals,
    inputs: inputs.length,
    presented: frames.length,
    span: (t1 - t0) / 1000,
    mainPerFrame: sum((e) => e.name === 'RunTask' && main.has(e.tid)) / n,
    rasterPerFrame: sum((e) => e.name === 'RasterTask') / n,
    phases,
    zoom,
  };
}

/**
 * ms from the benchmark's `bench:send` mark to the presentation of the frame
 * that painted the view: the first presented frame that ends after
 * `bench:painted` (the task after that frame's commit).
 */
function presentedAfterSend(events: readonly TraceEvent[]): number {
  const send = events.find((e) => e.name === 'bench:send');
  const painted = events.find((e) => e.name === 'bench:painted');
  if (!send || !painted) return NaN;
  const f = presentedFrames(events, painted.pid).find((x) => x.end >= painted.ts);
  return f ? (f.end - send.ts) / 1000 : NaN;
}

// ------------------------------------------------------------------ measurements

interface StepFigures {
  /** Main-thread work per step (ms): handlers + the next frame's rAF to committed paint. */
  readonly work: number[];
  /** keydown to committed paint (ms), including the wait for the frame. */
  readonly latency: number[];
  /** keydown to the next presented frame (ms), from the trace. */
  readonly presented: number[];
  /** Main-thread CPU time from keydown to that frame (ms), from the trace. */
  readonly cpu: number[];
  /** Main-thread phases (CPU time) from keydown to that frame, per step (ms). */
  readonly phases: Record<string, number>;
}

async function steps(browser: Browser, pp: PanelPage, n: number): Promise<StepFigures> {
  const work: number[] = [];
  const latency: number[] = [];
  const events = await traced(browser, pp.page, async () => {
    for (let i = 0; i < n; i++) {
      const key = i % 5 === 4 ? 'ArrowLeft' : 'ArrowRight';
      const before = (await pp.page.evaluate('window.__bench.done.length')) as number;
      await pp.page.keyboard.press(key);
      const d = (await pp.page.evaluate(`window.__bench.waitDone(${before})`)) as Done;
      work.push(d.handled - d.start + (d.painted - d.raf));
      latency.push(d.painted - d.start);
      // A step can pan to reveal its node (a 250 ms transition): let it end.
      await sleep(300);
    }
  });
  const pid = rendererPid(events, 'keydown');
  const main = new Set(threadOf(events, pid, 'CrRendererMain'));
  const frames = presentedFrames(events, pid);
  const keys = events.filter((e) => e.name === 'EventDispatch' && e.pid === pid && e.args?.data?.type === 'keydown');
  const presented: number[] = [];
  const cpuMs: number[] = [];
  const phases: Record<string, number> = {};
  for (const p of PHASES) phases[p] = 0;
  keys.sort((a, b) => a.ts - b.ts);
  for (const [i, k] of keys.entries()) {
    // A step that changes nothing on screen (a node inside a collapsed group) presents no frame.
    const next = i + 1 < keys.length ? keys[i + 1].ts : Infinity;
    const f = frames.find((x) => x.begin >= k.ts + (k.dur ?? 0));
    if (!f || f.begin >= next) continue;
    presented.push((f.end - k.ts) / 1000);
    let busy = 0;
    for (const e of events) {
      if (e.ph !== 'X' || e.pid !== pid || !main.has(e.tid) || e.ts >= f.end) continue;
      // The task that dispatches the keydown starts just before it.
      if (e.name === 'RunTask' && e.ts + (e.dur ?? 0) > k.ts) busy += cpu(e) / 1000;
      if (e.ts >= k.ts && e.name in phases) phases[e.name] += cpu(e) / 1000;
    }
    cpuMs.push(busy);
  }
  for (const p of PHASES) phases[p] /= Math.max(1, cpuMs.length);
  return { work, latency, presented, cpu: cpuMs, phases };
}

interface ZoomFigures {
  readonly zoom: number;
  readonly lod: boolean;
  readonly pan: FrameFigures;
  readonly wheel: FrameFigures;
  readonly steps?: StepFigures;
}

async function gestures(browser: Browser, pp: PanelPage, nSteps: number): Promise<ZoomFigures> {
  const box = await hostBox(pp.page);
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const t = await transform(pp.page);
  const lod = (await pp.page.evaluate(`document.querySelector('svg.graph').classList.contains('lod-low')`)) as boolean;
  const panEv = await traced(browser, pp.page, () => panGesture(pp, cx, cy));
  await sleep(300);
  const pan = frameFigures(panEv, 'mousemove', t.k);
  const wheelEv = await traced(browser, pp.page, () => zoomGesture(pp, cx, cy));
  await sleep(400);
  const wheel = frameFigures(wheelEv, 'wheel', t.k);
  const st = nSteps > 0 ? await steps(browser, pp, nSteps) : undefined;
  return { zoom: t.k, lod, pan, wheel, steps: st };
}

/** Fit to view (the page's `f` key), settled. */
async function fitView(pp: PanelPage): Promise<void> {
  await pp.page.keyboard.press('f');
  await sleep(600);
}

/**
 * Zoom 1.0 centred on the current node or group box (or the first shown): a drag, then one
 * wheel event (d3-zoom: k·2^(−deltaY/500)). The node's place on screen comes
 * from its attributes and the zoom transform, not from its layout box (which
 * a variant may have hidden).
 */
async function readableView(pp: PanelPage): Promise<void> {
  const box = await hostBox(pp.page);
  const cx = box.x + box.w / 2;
  const cy = box.y + box.h / 2;
  const t = await transform(pp.page);
  const node = (await pp.page.evaluate(`(() => {
    const el = ['g.node.status-current:not([display])', 'g.group.status-current', 'g.node:not([display])', 'g.group']
      .map((q) => document.querySelector('svg.graph ' + q)).find((x) => x) ?? null;
    if (!el) return null;
    const m = /translate\\(([-\\d.e+]+)[, ]+([-\\d.e+]+)\\)/.exec(el.getAttribute('transform') ?? '');
    const r = el.querySelector('rect');
    if (!m || !r) return null;
    return { x: +m[1] + +r.getAttribute('width') / 2, y: +m[2] + +r.getAttribute('height') / 2 };
  })()`)) as { x: number; y: number } | null;
  const target = node ? { x: box.x + t.x + t.k * node.x, y: box.y + t.y + t.k * node.y } : null;
  if (target && (Math.abs(target.x - cx) > 2 || Math.abs(target.y - cy) > 2)) {
    await dragTo(pp, target.x, target.y, cx, cy);
    await sleep(200);
  }
  const { k } = await transform(pp.page);
  await mouse(pp.cdp, 'mouseMoved', cx, cy);
  await mouse(pp.cdp, 'mouseWheel', cx, cy, { deltaX: 0, deltaY: -500 * Math.log2(1 / k) });
  await sleep(600);
}

interface SizeFigures {
  readonly host: HostFigures;
  /** Measured as the host sends it, groups collapsed (else ungrouped). */
  readonly grouped: boolean;
  /** Page: post → committed paint; → presented (ms, medians). */
  readonly paintCommitted: number;
  readonly paintPresented: number;
  readonly paintHandler: number;
  readonly fit: ZoomFigures;
  readonly readable: ZoomFigures;
  readonly errors: string[];
}

/** A page showing `v` (after a warm-up on a small graph), with its first paints measured `paints` times. */
async function pageWithView(
  browser: Browser,
  root: string,
  v: GraphViewDTO,
  small: GraphViewDTO,
  paints: number,
): Promise<{ pp: PanelPage; committed: number[]; presented: number[]; handler: number[] }> {
  const pp = await openPage(browser, root);
  await stageView(pp, 'small', small);
  await stageView(pp, 'big', v);
  // A panel has usually drawn something before: warm the page's code on a small graph.
  await postView(pp, 'small');
  const committed: number[] = [];
  const presented: number[] = [];
  const handler: number[] = [];
  for (let i = 0; i < paints; i++) {
    if (i > 0) {
      await postView(pp, 'small');
      await sleep(300);
    }
    let d: Done | null = null;
    const ev = await traced(browser, pp.page, async () => {
      d = await postView(pp, 'big');
    });
    const done = d as unknown as Done;
    committed.push(done.painted - done.start);
    handler.push(done.handled - done.start);
    presented.push(presentedAfterSend(ev));
    await sleep(300);
  }
  return { pp, committed, presented, handler };
}

/**
 * One graph on a page: ungrouped (every group expanded: the view's `grouped`
 * flag cleared, as if the size were under the grouped-by-default threshold),
 * or as the host sends it (grouped when over the threshold).
 */
async function measureSize(
  browser: Browser,
  opts: PanelBenchOptions,
  host: HostFigures,
  small: GraphViewDTO,
  grouped: boolean,
): Promise<SizeFigures> {
  opts.gc();
  const v = grouped ? host.view0 : { ...host.view0, grouped: false };
  const { pp, committed, presented, handler } = await pageWithView(browser, opts.root, v, small, opts.paints);
  await fitView(pp);
  const fit = await gestures(browser, pp, opts.steps);
  await readableView(pp);
  const readable = await gestures(browser, pp, opts.steps);
  await pp.page.close();
  return {
    host,
    grouped,
    paintCommitted: median(committed),
    paintPresented: median(presented),
    paintHandler: median(handler),
    fit,
    readable,
    errors: pp.errors,
  };
}

// ------------------------------------------------------------------ variants

/** Adds a constructed stylesheet (the CSP governs <style> elements, not the CSSOM). */
const sheet = (css: string) => `(() => {
  const s = new CSSStyleSheet();
  s.replaceSync(${JSON.stringify(css)});
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, s];
})()`;

/** Boxes of nodes and edges in graph units, read back from the DOM (shared by the culling and canvas variants). */
const READ_GEOMETRY = `
  const svg = document.querySelector('svg.graph');
  const vp = svg.querySelector('g.viewport');
  const nodes = [...svg.querySelectorAll('g.node')].map((g) => {
    const m = /translate\\(([-\\d.e+]+)[, ]+([-\\d.e+]+)\\)/.exec(g.getAttribute('transform'));
    const r = g.querySelector('rect.box');
    const x = +m[1], y = +m[2];
    return { el: g, x0: x, y0: y, x1: x + +r.getAttribute('width'), y1: y + +r.getAttribute('height'), shown: true,
      rx: +(r.getAttribute('rx') || 0), kind: (/kind-(\\w+)/.exec(g.getAttribute('class')) || [])[1] };
  });
  const edges = [...svg.querySelectorAll('path.edge')].map((p) => {
    const v = p.getAttribute('d').match(/[-\\d.e+]+/g).map(Number);
    return { el: p, v, x0: Math.min(v[0], v[6]), y0: Math.min(v[1], v[7]), x1: Math.max(v[0], v[6]), y1: Math.max(v[1], v[7]), shown: true };
  });
  const parse = () => {
    const m = /translate\\(([-\\d.e+]+)[, ]+([-\\d.e+]+)\\)\\s*scale\\(([-\\d.e+]+)\\)/.exec(vp.getAttribute('transform') || '');
    return m ? { x: +m[1], y: +m[2], k: +m[3] } : { x: 0, y: 0, k: 1 };
  };
  const W = svg.clientWidth, H = svg.clientHeight;
`;

/**
 * Viewport culling: nodes and edges whose box is off screen by more than
 * half a screen get display:none (inline style: the page rewrites class
 * attributes on a step), on the element and on each <text> inside it,
 * recomputed on every zoom transform (a MutationObserver on the viewport's
 * transform: it runs in the zoom event's task, before the frame).
 * display:none on a node's <g> alone does not do: Chromium still lays out
 * the <text> inside it again at every change of zoom (measured: 57 against
 * 59 ms a zoom change at 2,000 nodes; 3 ms with the texts hidden as well).
 * Set TEXTS_TOO to false for that variant.
 */
const CULL = `(() => {
  const TEXTS_TOO = true;
  ${READ_GEOMETRY}
  const items = nodes.concat(edges);
  for (const it of items) it.texts = TEXTS_TOO ? [...it.el.querySelectorAll('text')] : [];
  const cull = () => {
    const t = parse();
    const gx0 = (-W / 2 - t.x) / t.k, gy0 = (-H / 2 - t.y) / t.k, gx1 = (1.5 * W - t.x) / t.k, gy1 = (1.5 * H - t.y) / t.k;
    for (const it of items) {
      const show = it.x1 >= gx0 && it.x0 <= gx1 && it.y1 >= gy0 && it.y0 <= gy1;
      if (show === it.shown) continue;
      it.shown = show;
      const d = show ? '' : 'none';
      it.el.style.display = d;
      for (const x of it.texts) x.style.display = d;
    }
  };
  new MutationObserver(cull).observe(vp, { attributes: true, attributeFilter: ['transform'] });
  cull();
})()`;

/**
 * Level of detail on a canvas: below zoom 0.4 the SVG's contents are hidden
 * and nodes (boxes) and edges (the same curves) are drawn on a 2D canvas
 * over it, redrawn on every zoom transform. Colours from the SVG's computed
 * styles. (The SVG stays: it takes the input.)
 */
const CANVAS_LOD = `(() => {
  ${READ_GEOMETRY}
  const host = svg.parentElement;
  const canvas = document.createElement('canvas');
  canvas.style.position = 'absolute';
  canvas.style.left = '0';
  canvas.style.top = '0';
  canvas.style.pointerEvents = 'none';
  const dpr = devicePixelRatio;
  canvas.width = W * dpr; canvas.height = H * dpr;
  canvas.style.width = W + 'px'; canvas.style.height = H + 'px';
  host.appendChild(canvas);
  const ctx = canvas.getContext('2d');
  const fills = {}; const strokes = {};
  for (const n of nodes) if (!(n.kind in fills)) {
    const cs = getComputedStyle(n.el.querySelector('rect.box'));
    fills[n.kind] = cs.fill; strokes[n.kind] = cs.stroke;
  }
  const edgeStroke = edges.length ? getComputedStyle(edges[0].el).stroke : '#888';
  let lod = null;
  const draw = () => {
    const t = parse();
    const now = t.k < 0.4;
    if (now !== lod) { lod = now; vp.style.display = now ? 'none' : ''; canvas.style.display = now ? '' : 'none'; }
    if (!now) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    ctx.lineWidth = 1.3;
    ctx.strokeStyle = edgeStroke;
    ctx.globalAlpha = 0.7;
    ctx.beginPath();
    for (const e of edges) { const v = e.v; ctx.moveTo(v[0], v[1]); ctx.bezierCurveTo(v[2], v[3], v[4], v[5], v[6], v[7]); }
    ctx.stroke();
    ctx.globalAlpha = 1;
    for (const kind in fills) {
      ctx.beginPath();
      for (const n of nodes) if (n.kind === kind) ctx.rect(n.x0, n.y0, n.x1 - n.x0, n.y1 - n.y0);
      ctx.fillStyle = fills[kind]; ctx.fill();
      ctx.strokeStyle = strokes[kind]; ctx.stroke();
    }
  };
  new MutationObserver(draw).observe(vp, { attributes: true, attributeFilter: ['transform'] });
  draw();
})()`;

/**
 * Text hidden while the zoom scale changes: Chromium lays out every SVG
 * <text> again at each new scale. A class on the svg while k changes, taken
 * off 150 ms after the last change (one re-layout then, at the new scale).
 */
const HIDE_TEXT_WHILE_ZOOMING = `(() => {
  ${READ_GEOMETRY}
  const s = new CSSStyleSheet();
  s.replaceSync('svg.graph.bench-zooming .node text, svg.graph.bench-zooming .edge-label { display: none; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, s];
  let k = parse().k;
  let timer = 0;
  new MutationObserver(() => {
    const now = parse().k;
    if (now === k) return;
    k = now;
    svg.classList.add('bench-zooming');
    clearTimeout(timer);
    timer = setTimeout(() => svg.classList.remove('bench-zooming'), 150);
  }).observe(vp, { attributes: true, attributeFilter: ['transform'] });
})()`;

/** Below zoom 0.4: the edges as a single <path> element (their curves concatenated), the per-edge paths hidden. */
const LOD_ONE_PATH = `(() => {
  const svg = document.querySelector('svg.graph');
  const edgesG = svg.querySelector('g.edges');
  const one = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  one.setAttribute('class', 'edge bench-all-edges');
  one.setAttribute('d', [...edgesG.querySelectorAll('path.edge')].map((p) => p.getAttribute('d')).join(''));
  edgesG.appendChild(one);
  const s = new CSSStyleSheet();
  s.replaceSync('svg.graph .bench-all-edges { display: none; } svg.graph.lod-low .edge { display: none; } svg.graph.lod-low .bench-all-edges { display: inline; marker-end: none; }');
  document.adoptedStyleSheets = [...document.adoptedStyleSheets, s];
})()`;

/** Frames of expanded groups drawn as a plain outline: no dashes, no translucent fill. */
const FRAMES_PLAIN = sheet('svg.graph .frame-box { stroke-dasharray: none; fill: none; }');
/** The <text> of nodes hidden in a collapsed group (display="none" on their <g>) hidden too. */
const HIDDEN_TEXT = sheet('svg.graph g[display="none"] text { display: none; }');

/** Rendering variants applied to the page after its first paint (each on a fresh page). */
export const VARIANTS: Record<
  string,
  {
    what: string;
    script: string[];
    /** Emulate prefers-reduced-motion: reduce (no d3 transitions, no CSS transitions). */
    reducedMotion?: boolean;
    /** Start as the host says (grouped over the threshold), not ungrouped. */
    grouped?: boolean;
  }
> = {
  baseline: { what: 'the page as built', script: [] },
  'no-frames': {
    what: 'no frames of expanded groups (diagnostic: their share)',
    script: [sheet('svg.graph .frame-box, svg.graph .group-frame { display: none; }')],
  },
  'frames-no-dash': {
    what: 'frames of expanded groups with a solid outline (no stroke-dasharray)',
    script: [sheet('svg.graph .frame-box { stroke-dasharray: none; }')],
  },
  'frames-no-fill': {
    what: 'frames of expanded groups without their translucent fill',
    script: [sheet('svg.graph .frame-box { fill: none; }')],
  },
  'frames-plain': { what: 'frames of expanded groups: solid outline, no fill', script: [FRAMES_PLAIN] },
  grouped: { what: 'the page as the host starts it: groups collapsed (over the threshold)', script: [], grouped: true },
  'grouped+hidden-text': {
    what: 'grouped, and display:none on the <text> of nodes hidden in a collapsed group (not only on their <g>)',
    script: [HIDDEN_TEXT],
    grouped: true,
  },
  'will-change': {
    what: 'will-change: transform on g.viewport (its own compositing layer)',
    script: [sheet('svg.graph g.viewport { will-change: transform; }')],
  },
  'no-markers': { what: 'no arrowhead markers on edges', script: [sheet('svg.graph .edge { marker-end: none; }')] },
  'lod-no-edges': {
    what: 'no edges below zoom 0.4 (diagnostic: their share of a frame)',
    script: [sheet('svg.graph.lod-low .edge { display: none; }')],
  },
  'lod-one-path': {
    what: 'below zoom 0.4, all edges drawn as one <path> (no markers) instead of one element each',
    script: [LOD_ONE_PATH],
  },
  'no-markers-lod': {
    what: 'no arrowhead markers below zoom 0.4',
    script: [sheet('svg.graph.lod-low .edge { marker-end: none; }')],
  },
  'optimize-speed': {
    what: 'shape-rendering: optimizeSpeed (no anti-aliasing) on boxes and edges, text-rendering: optimizeSpeed',
    script: [
      sheet(
        'svg.graph .edge, svg.graph .box, svg.graph .heat rect { shape-rendering: optimizeSpeed; } svg.graph text { text-rendering: optimizeSpeed; }',
      ),
    ],
  },
  'geometric-precision': {
    what: 'text-rendering: geometricPrecision on node text',
    script: [sheet('svg.graph text { text-rendering: geometricPrecision; }')],
  },
  'no-css-transitions': {
    what: 'no CSS transitions on nodes and edges (the page keeps them unless reduced motion)',
    script: [sheet('svg.graph .node, svg.graph .node .box, svg.graph .edge { transition: none !important; }')],
  },
  'reduced-motion': {
    what: 'prefers-reduced-motion: reduce (a step that reveals its node jumps, without a d3 transition)',
    script: [],
    reducedMotion: true,
  },
  'no-chain': {
    what: 'the chain-rule panel emptied (display:none on its children; diagnostic: its share of a step)',
    script: [sheet('#chain > * { display: none; }')],
  },
  'no-text': {
    what: 'no node text at any zoom (diagnostic)',
    script: [sheet('svg.graph .node text { display: none; }')],
  },
  'cull-g': {
    what: 'viewport culling by display:none on the node <g> only (the <text> inside stays display:inline)',
    script: [CULL.replace('const TEXTS_TOO = true;', 'const TEXTS_TOO = false;')],
  },
  cull: { what: 'viewport culling: display:none off screen (+½ screen margin), on <g> and its <text>', script: [CULL] },
  'hide-text-zooming': {
    what: 'node text hidden while the zoom scale changes (back 150 ms after)',
    script: [HIDE_TEXT_WHILE_ZOOMING],
  },
  'canvas-lod': { what: 'canvas instead of the SVG below zoom 0.4', script: [CANVAS_LOD] },
  'fixes-css': {
    what: "the two CSS changes: plain frames, and hidden nodes' text display:none",
    script: [FRAMES_PLAIN, HIDDEN_TEXT],
  },
  'fixes-svg': {
    what: 'fixes-css + culling + text hidden while zooming + one edge path below 0.4 + reduced motion (no reveal transition, no CSS transitions)',
    script: [FRAMES_PLAIN, HIDDEN_TEXT, CULL, HIDE_TEXT_WHILE_ZOOMING, LOD_ONE_PATH],
    reducedMotion: true,
  },
  'fixes-canvas': {
    what: 'fixes-css + culling + text hidden while zooming + canvas below 0.4 + reduced motion',
    script: [FRAMES_PLAIN, HIDDEN_TEXT, CULL, HIDE_TEXT_WHILE_ZOOMING, CANVAS_LOD],
    reducedMotion: true,
  },
};

interface VariantFigures {
  readonly name: string;
  readonly fit: ZoomFigures;
  readonly readable: ZoomFigures;
  readonly errors: string[];
}

async function measureVariant(
  browser: Browser,
  opts: PanelBenchOptions,
  name: string,
  v: GraphViewDTO,
  small: GraphViewDTO,
): Promise<VariantFigures> {
  const { pp } = await pageWithView(browser, opts.root, v, small, 1);
  const variant = VARIANTS[name];
  if (variant.reducedMotion) await pp.page.emulateMedia({ reducedMotion: 'reduce' });
  for (const s of variant.script) await pp.page.evaluate(s);
  await sleep(300);
  await fitView(pp);
  const fit = await gestures(browser, pp, opts.variantSteps);
  await readableView(pp);
  const readable = await gestures(browser, pp, opts.variantSteps);
  await pp.page.close();
  return { name, fit, readable, errors: pp.errors };
}

// ------------------------------------------------------------------ report

const f0 = (x: number) => (Number.isFinite(x) ? x.toFixed(0) : '—');
const f1 = (x: number) => (Number.isFinite(x) ? (x < 10 ? x.toFixed(1) : x.toFixed(0)) : '—');

/** ✓ when the p95 meets the target, ~ when only the median does, ✗ otherwise. */
function mark(med: number, hi: number, target: number): string {
  if (!Number.isFinite(med)) return '';
  return hi <= target ? '✓' : med <= target ? '~' : '✗';
}

function medP95(xs: readonly number[], target: number): string {
  return `${f1(median(xs))} / ${f1(p95(xs))} ${mark(median(xs), p95(xs), target)}`;
}

function table(rows: string[][]): string {
  const w = rows[0].map((_h, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => r.map((cell, i) => (i === 0 ? cell.padEnd(w[i]) : cell.padStart(w[i]))).join('  ');
  return [line(rows[0]), w.map((n) => '-'.repeat(n)).join('  '), ...rows.slice(1).map(line)].join('\n');
}

function frameCell(f: FrameFigures): string {
  // Fewer than two frames: the page froze for the whole gesture.
  if (f.intervals.length === 0) return `${f.presented} frame in ${f.span.toFixed(0)} ✗`;
  return medP95(f.intervals, FRAME_OK);
}

/**
 * The grouped-view threshold's criteria, on medians, at fit and at 1.0:
 * pan frames within 33 ms, steps within 16 ms (and, apart, zoom frames).
 */
function criteria(z: { fit: ZoomFigures; readable: ZoomFigures }): { pan: boolean; step: boolean; zoom: boolean } {
  const both = (f: (x: ZoomFigures) => number[], t: number) => median(f(z.fit)) <= t && median(f(z.readable)) <= t;
  return {
    pan: both((x) => x.pan.intervals, FRAME_OK),
    step: both((x) => x.steps?.work ?? [NaN], TARGET.step),
    zoom: both((x) => x.wheel.intervals, FRAME_OK),
  };
}

function meeting(rows: { label: string; c: ReturnType<typeof criteria> }[]): string {
  const list = (pred: (c: ReturnType<typeof criteria>) => boolean) => {
    const ns = rows.filter((r) => pred(r.c)).map((r) => r.label);
    return ns.length ? ns.join(', ') : 'none';
  };
  return [
    `  pan frame ≤ 33 and step ≤ 16 ms (the grouped-view criterion): ${list((c) => c.pan && c.step)}`,
    `  pan frame ≤ 33 ms:  ${list((c) => c.pan)}`,
    `  step ≤ 16 ms:       ${list((c) => c.step)}`,
    `  zoom frame ≤ 33 ms: ${list((c) => c.zoom)}`,
  ].join('\n');
}

function report(sizes: SizeFigures[]): void {
  const head = ['metric (ms)', 'target', ...sizes.map((s) => `${s.host.nodes}${s.grouped ? ' grouped' : ' nodes'}`)];
  const row = (label: string, target: string, cell: (s: SizeFigures) => string) => [label, target, ...sizes.map(cell)];
  const rows: string[][] = [
    head,
    row('edges / backward steps', '', (s) => `${s.host.edges} / ${s.host.steps}`),
    row('host: script run (runForPanel)', '', (s) => f0(s.host.run)),
    row('host: view model incl. layout', '', (s) => f0(s.host.view)),
    row('  of which layoutGraph', '', (s) => f1(s.host.layout)),
    row('page: message handler', '', (s) => f0(s.paintHandler)),
    row('page: post → first paint committed', '', (s) => f0(s.paintCommitted)),
    row('page: post → first frame presented', '', (s) => f0(s.paintPresented)),
    row('layout + first paint (view + presented)', '< 1000', (s) => {
      const t = s.host.view + s.paintPresented;
      return `${f0(t)} ${t < TARGET.firstPaint ? '✓' : '✗'}`;
    }),
    row('zoom: fit (LOD) / readable', '', (s) => `${s.fit.zoom.toFixed(3)} / ${s.readable.zoom.toFixed(2)}`),
    row('step at fit, med / p95', '< 16', (s) => medP95(s.fit.steps?.work ?? [], TARGET.step)),
    row('step at 1.0, med / p95', '< 16', (s) => medP95(s.readable.steps?.work ?? [], TARGET.step)),
    row('  main-thread CPU a step at fit / 1.0, med', '', (s) =>
      [s.fit, s.readable].map((z) => f1(median(z.steps?.cpu ?? []))).join(' / '),
    ),
    row('  keydown → presented at fit / 1.0, med', '', (s) =>
      [s.fit, s.readable].map((z) => f1(median(z.steps?.presented ?? []))).join(' / '),
    ),
    row('pan frame at fit, med / p95', '≤ 33', (s) => frameCell(s.fit.pan)),
    row('zoom frame at fit, med / p95', '≤ 33', (s) => frameCell(s.fit.wheel)),
    row('pan frame at 1.0, med / p95', '≤ 33', (s) => frameCell(s.readable.pan)),
    row('zoom frame at 1.0, med / p95', '≤ 33', (s) => frameCell(s.readable.wheel)),
    row('  main thread / raster per frame: pan fit', '', (s) => perFrame(s.fit.pan)),
    row('  zoom fit', '', (s) => perFrame(s.fit.wheel)),
    row('  pan 1.0', '', (s) => perFrame(s.readable.pan)),
    row('  zoom 1.0', '', (s) => perFrame(s.readable.wheel)),
  ];
  console.log(table(rows));
  console.log(
    '\n✓ p95 meets the target, ~ only the median does, ✗ the median misses. Frame times are intervals between presented',
  );
  console.log(`frames (multiples of the 16.7 ms vsync): ≤ ${FRAME_OK} ms counts as within 33 ms (two vsyncs).`);
  console.log('\nungrouped sizes (nodes) that meet, on medians, at fit and at 1.0:');
  console.log(meeting(sizes.filter((s) => !s.grouped).map((s) => ({ label: String(s.host.nodes), c: criteria(s) }))));
  const phases = sizes.map((s) => phaseLine(s));
  console.log(`\nmain-thread phases per frame (ms), from the trace:\n${phases.join('\n')}`);
  const errs = sizes.flatMap((s) => s.errors);
  if (errs.length) console.log(`page errors: ${errs.slice(0, 5).join(' | ')}`);
}

function perFrame(f: FrameFigures): string {
  return `${f1(f.mainPerFrame)} / ${f1(f.rasterPerFrame)}`;
}

function phaseText(f: { phases: Record<string, number> }): string {
  return PHASES.filter((p) => f.phases[p] >= 0.05)
    .map((p) => `${p} ${f1(f.phases[p])}`)
    .join(', ');
}

function phaseLine(s: SizeFigures): string {
  return [
    `  ${s.host.nodes} nodes${s.grouped ? ', grouped' : ''}`,
    `    pan fit:   ${phaseText(s.fit.pan)} (${s.fit.pan.inputs} moves handled)`,
    `    zoom fit:  ${phaseText(s.fit.wheel)} (${s.fit.wheel.inputs} wheel events handled)`,
    `    pan 1.0:   ${phaseText(s.readable.pan)}`,
    `    zoom 1.0:  ${phaseText(s.readable.wheel)}`,
    `    step fit:  ${s.fit.steps ? phaseText(s.fit.steps) : ''}`,
    `    step 1.0:  ${s.readable.steps ? phaseText(s.readable.steps) : ''}`,
  ].join('\n');
}

function reportVariants(n: number, vs: VariantFigures[]): void {
  console.log(`\nRendering variants at ${n} nodes (page manipulations after the first paint; med / p95 ms):`);
  const rows: string[][] = [
    [
      'variant',
      'step fit',
      'step 1.0',
      'pan fit',
      'zoom fit',
      'pan 1.0',
      'zoom 1.0',
      'main/raster a frame: pan fit, zoom 1.0',
    ],
  ];
  for (const v of vs)
    rows.push([
      v.name,
      medP95(v.fit.steps?.work ?? [], TARGET.step),
      medP95(v.readable.steps?.work ?? [], TARGET.step),
      frameCell(v.fit.pan),
      frameCell(v.fit.wheel),
      frameCell(v.readable.pan),
      frameCell(v.readable.wheel),
      `${perFrame(v.fit.pan)}, ${perFrame(v.readable.wheel)}`,
    ]);
  console.log(table(rows));
  console.log('variants that meet, on medians, at fit and at 1.0:');
  console.log(meeting(vs.map((v) => ({ label: v.name, c: criteria(v) }))));
  for (const v of vs) console.log(`  ${v.name}: ${VARIANTS[v.name].what}`);
  const errs = vs.flatMap((v) => v.errors);
  if (errs.length) console.log(`page errors: ${errs.slice(0, 5).join(' | ')}`);
}

// ------------------------------------------------------------------ entry

/** Why the panel benchmark cannot run here, or undefined when it can. */
export function panelUnavailable(root: string): string | undefined {
  if (!fs.existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (set CHROMIUM_PATH)`;
  if (!fs.existsSync(path.join(root, 'dist', 'webview.js'))) return 'dist/webview.js is missing: npm run build';
  try {
    require.resolve('playwright-core');
  } catch {
    return 'playwright-core is not installed';
  }
  return undefined;
}

export async function benchPanel(opts: PanelBenchOptions): Promise<void> {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  try {
    console.log(`browser: ${CHROMIUM} ${browser.version()}, headless (--headless), ${CHROMIUM_ARGS.join(' ')}`);
    console.log(`page:    ${VIEWPORT.width}×${VIEWPORT.height} at device scale 1, dist/webview.js of ${opts.root}\n`);
    const small = buildGraphView(runForPanel(mlpScript(2, 3, 1)), { title: 'small.py' });
    const sizes: SizeFigures[] = [];
    for (const n of opts.sizes) {
      const host = hostFigures(n, opts.gc);
      sizes.push(await measureSize(browser, opts, host, small, false));
      if (opts.grouped && host.view0.grouped) sizes.push(await measureSize(browser, opts, host, small, true));
    }
    report(sizes);
    for (const n of opts.variantSizes) {
      const v = buildGraphView(runForPanel(mlpScript(4, 10, samplesFor(n))), { title: 'mlp.py' });
      const names = opts.variants ?? Object.keys(VARIANTS);
      const vs: VariantFigures[] = [];
      for (const name of names) {
        if (!(name in VARIANTS)) throw new Error(`unknown variant ${name}: ${Object.keys(VARIANTS).join(', ')}`);
        vs.push(
          await measureVariant(browser, opts, name, VARIANTS[name].grouped ? v : { ...v, grouped: false }, small),
        );
      }
      reportVariants(v.nodes.length, vs);
    }
  } finally {
    await browser.close();
  }
}
