/**
 * The graph panel's page script. It renders what the host sends and never
 * computes a gradient: a view (graph, layout, forward order, backward steps
 * with their formulas) arrives as a checked `view` message; stepping moves a
 * cursor over it locally (src/session/graph-cursor.ts), so a step is one
 * incremental update. The page tells the host where the cursor is (`step`),
 * which node was selected (`select`), which backward() call to show
 * (`pickCall`) and when to run the script again (`rerun`).
 *
 * Handshake: the page sends `ready` once it listens; the host answers with
 * the view. The step position, the document key and the speed are kept with
 * setState, so a panel restored after a reload (WebviewPanelSerializer on
 * the host) comes back where it was.
 */
import { ChainPanel } from './chain';
import { Controls, SPEEDS, type Intent } from './controls';
import { DrillNav } from './drill';
import { Exporter } from './export';
import { Presentation, presentationField, readPresentation } from './presentation';
import { GraphCanvas } from './graph';
import { parseHostMessage, type GraphViewDTO, type HostMessage, type WebviewMessage } from '../src/protocol/messages';
import { frameAt, ViewIndex, type Frame } from '../src/session/graph-cursor';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

/** What the page keeps across reloads (read back with checks: it is data like any other). */
interface PageState {
  readonly docKey: string;
  readonly position: number;
  readonly shapeKey: string;
  readonly speed: number;
}

function readState(raw: unknown): PageState | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const s = raw as Record<string, unknown>;
  if (typeof s.docKey !== 'string' || s.docKey.length > 200) return null;
  if (typeof s.position !== 'number' || !Number.isInteger(s.position) || s.position < 0) return null;
  if (typeof s.shapeKey !== 'string' || s.shapeKey.length > 200) return null;
  const speed = typeof s.speed === 'number' && (SPEEDS as readonly number[]).includes(s.speed) ? s.speed : 1;
  return { docKey: s.docKey, position: s.position, shapeKey: s.shapeKey, speed };
}

function div(cls: string, id?: string): HTMLDivElement {
  const d = document.createElement('div');
  d.className = cls;
  if (id) d.id = id;
  return d;
}

class App {
  private readonly api: VsCodeApi = acquireVsCodeApi();
  private readonly docKey = document.body.dataset.docKey ?? '';
  private saved: PageState | null;
  private view: GraphViewDTO | null = null;
  private index: ViewIndex | null = null;
  private frame: Frame | null = null;
  private position = 0;
  private speed = 1;
  private timer: ReturnType<typeof setInterval> | null = null;
  private nextId = 1;
  private stepTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly reduced = window.matchMedia('(prefers-reduced-motion: reduce)');
  private readonly graph: GraphCanvas;
  private readonly chain: ChainPanel;
  private readonly controls: Controls;
  private readonly banner: HTMLElement;
  private readonly empty: HTMLElement;
  private readonly exporter: Exporter;
  private readonly presentation: Presentation;
  private readonly drill: DrillNav;

  constructor(root: HTMLElement) {
    const saved = readState(this.api.getState());
    this.saved = saved && saved.docKey === this.docKey ? saved : null;
    this.speed = this.saved?.speed ?? 1;
    const toolbar = div('toolbar', 'toolbar');
    this.banner = div('banner', 'banner');
    this.banner.hidden = true;
    this.banner.setAttribute('role', 'status');
    const graphHost = div('graph-host', 'graph-host');
    this.empty = div('empty', 'empty');
    this.empty.textContent = 'Running the script…';
    graphHost.append(this.empty);
    const chain = document.createElement('section');
    chain.className = 'chain';
    chain.id = 'chain';
    root.append(toolbar, this.banner, graphHost, chain);
    this.graph = new GraphCanvas(graphHost, {
      reducedMotion: () => this.reduced.matches,
      onSelect: (i) => this.select(i),
    });
    this.chain = new ChainPanel(chain);
    this.drill = new DrillNav(
      {
        current: () => (this.view ? { view: this.view, position: this.position } : null),
        post: (node) => {
          const id = this.nextId++;
          this.request({ type: 'drill', id, node });
          return id;
        },
        show: (view, position) => this.setView(view, position),
      },
      graphHost,
    );
    this.chain.onDrill = (node) => this.drill.request(node);
    this.controls = new Controls(
      toolbar,
      (i) => this.intent(i),
      (c) => this.request({ type: 'pickCall', id: this.nextId++, call: c }),
      (s) => {
        this.speed = s;
        if (this.timer !== null) this.play(true);
        this.save();
      },
    );
    this.exporter = new Exporter(chain, graphHost, {
      current: () => (this.view && this.frame ? { view: this.view, frame: this.frame } : null),
      goTo: (p) => {
        this.stop();
        this.goTo(p, false);
      },
      svg: () => this.graph.svg.node(),
      request: (make) => this.request(make(this.nextId++)),
    });
    // Kept for the document even when the rest of the saved state is not (a re-run of another shape).
    const rawState = this.api.getState();
    const sameDoc = (rawState as { docKey?: unknown } | null)?.docKey === this.docKey;
    this.presentation = new Presentation(toolbar, sameDoc && readPresentation(rawState), () => {
      this.save();
      // The graph's area changed size (less chrome, a taller chain panel): show it anew.
      requestAnimationFrame(() => this.graph.initialView(this.frame ? this.frame.current : (this.view?.root ?? -1)));
    });
    const syncMotion = () => document.body.classList.toggle('reduced-motion', this.reduced.matches);
    syncMotion();
    this.reduced.addEventListener('change', syncMotion);
    window.addEventListener('message', (ev: MessageEvent) => this.onMessage(ev.data));
    window.addEventListener('keydown', (ev) => this.onKey(ev));
    this.request({ type: 'ready', id: this.nextId++ });
  }

  private request(m: WebviewMessage): void {
    this.api.postMessage(m);
  }

  private onMessage(raw: unknown): void {
    const parsed = parseHostMessage(raw);
    if (!parsed.ok) {
      console.warn(`[backprop panel] dropped a message from the host: ${parsed.reason}`);
      return;
    }
    this.handle(parsed.value);
  }

  private handle(m: HostMessage): void {
    switch (m.type) {
      case 'view': {
        // A new whole graph ends a drill-down; it is compared with the graph that was drilled, not the scalar view.
        const outer = this.drill.leave();
        if (outer) {
          this.view = outer.view;
          this.position = outer.position;
          this.frame = null;
        }
        this.setView(m.view, m.position);
        return;
      }
      case 'drillView':
        this.stop();
        this.drill.receive(m);
        return;
      case 'reply':
        this.exporter.onReply(m);
        if (!m.ok) this.showBanner([m.message], 'warning');
        return;
      case 'command':
        if (m.name === 'togglePresentation') this.presentation.toggle();
        else if (m.name === 'expandAll') this.graph.expandAll();
        else if (m.name === 'collapseAll') this.graph.collapseAll();
        else this.exporter.command(m.name);
        return;
      case 'gone':
        this.stop();
        this.showBanner([m.message], 'warning', true);
        return;
      case 'cursor':
        // The editor's cursor line: its nodes are marked (the view does not move).
        this.graph.highlightLine(m.line);
        return;
      case 'goTo':
        // The debugger stopped here: follow it (a running animation stops).
        this.stop();
        if (this.drill.active) this.drill.back();
        this.goTo(m.position);
        return;
    }
  }

  private setView(view: GraphViewDTO, position: number | null): void {
    const prevKey = this.view?.shapeKey ?? this.saved?.shapeKey ?? null;
    const same = prevKey === view.shapeKey;
    const prevPosition = this.view ? this.position : (this.saved?.position ?? null);
    this.view = view;
    this.index = new ViewIndex(view);
    this.saved = null;
    this.empty.hidden = view.nodes.length > 0;
    this.empty.textContent = view.nodes.length > 0 ? '' : 'No graph to show.';
    const keepZoom = same && prevPosition !== null && this.frame !== null;
    this.graph.setView(view, keepZoom);
    this.controls.setGroups(view.groups.length > 0);
    this.controls.setTitle(view.title);
    this.controls.setCalls(view.calls, view.call);
    const lines: string[] = [];
    if (view.error)
      lines.push(
        `${view.error.type}: ${view.error.message}${view.error.line !== null ? ` (line ${view.error.line})` : ''}`,
      );
    lines.push(...view.notes);
    if (lines.length > 0) this.showBanner(lines, view.error ? 'error' : 'info');
    else this.hideBanner();
    const start = position ?? (same && prevPosition !== null ? prevPosition : this.index.forwardEnd);
    this.goTo(start, false);
    if (!keepZoom) this.graph.initialView(this.frame ? this.frame.current : view.root);
  }

  private goTo(p: number, reveal = true): void {
    const index = this.index;
    if (!index) return;
    this.position = index.clamp(p);
    this.frame = frameAt(index, this.position);
    this.graph.applyFrame(this.frame);
    this.chain.show(this.view, this.frame);
    if (this.timer !== null && this.position >= index.last) this.stop();
    this.controls.update(this.position, index.forwardEnd, index.last, this.timer !== null);
    if (reveal && this.frame.current >= 0) this.graph.reveal(this.frame.current);
    this.save();
    // The host marks the current node's source; at most a few messages a second.
    if (this.stepTimer === null)
      this.stepTimer = setTimeout(() => {
        this.stepTimer = null;
        // A scalar view's positions mean nothing to the host; it hears the graph's again on the way back.
        if (!this.drill.active) this.request({ type: 'step', index: this.position });
      }, 60);
  }

  private save(): void {
    if (!this.view) return;
    // While drilled, the whole graph's place is what a reload should come back to.
    const outer = this.drill.outer;
    this.api.setState({
      docKey: this.docKey,
      position: outer ? outer.position : this.position,
      shapeKey: (outer ? outer.view : this.view).shapeKey,
      speed: this.speed,
      ...presentationField(this.presentation.enabled),
    });
  }

  private intent(i: Intent): void {
    const index = this.index;
    if (!index) return;
    const p = this.position;
    switch (i) {
      case 'next':
        return this.goTo(p + 1);
      case 'forward':
        if (p < index.forwardEnd) this.goTo(p + 1);
        return;
      case 'backward':
        return this.goTo(p < index.forwardEnd ? index.forwardEnd + 1 : p + 1);
      case 'back':
        return this.goTo(p - 1);
      case 'reset':
        this.stop();
        return this.goTo(0);
      case 'end':
        this.stop();
        return this.goTo(index.last);
      case 'play':
        return this.timer !== null ? this.stop() : this.play(false);
      case 'fit':
        return this.graph.fit();
      case 'zoomIn':
        return this.graph.zoomBy(1.25);
      case 'zoomOut':
        return this.graph.zoomBy(0.8);
      case 'expandAll':
        return this.graph.expandAll();
      case 'collapseAll':
        return this.graph.collapseAll();
    }
  }

  private play(restart: boolean): void {
    const index = this.index;
    if (!index) return;
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (!restart && this.position >= index.last) this.goTo(0);
    this.timer = setInterval(() => {
      if (this.position >= index.last) this.stop();
      else this.goTo(this.position + 1);
    }, 900 / this.speed);
    this.controls.update(this.position, index.forwardEnd, index.last, true);
  }

  private stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
    if (this.index) this.controls.update(this.position, this.index.forwardEnd, this.index.last, false);
  }

  private select(i: number): void {
    if (this.drill.active) return;
    this.request({ type: 'select', id: this.nextId++, node: i });
  }

  private onKey(ev: KeyboardEvent): void {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) return;
    const t = ev.target instanceof Element ? ev.target : null;
    if (t && t.closest('vscode-single-select, input, textarea, select')) return;
    if (this.drill.onKey(ev)) return;
    const map: Record<string, Intent> = {
      ArrowRight: 'next',
      ArrowLeft: 'back',
      ' ': 'play',
      Home: 'reset',
      End: 'end',
      f: 'fit',
      '+': 'zoomIn',
      '=': 'zoomIn',
      '-': 'zoomOut',
    };
    const intent = map[ev.key];
    if (!intent) return;
    // Space and Enter on a toolbar button press the button.
    if (ev.key === ' ' && t && t.closest('vscode-button')) return;
    ev.preventDefault();
    this.intent(intent);
  }

  private showBanner(lines: readonly string[], kind: 'error' | 'warning' | 'info', offerRerun = false): void {
    this.banner.replaceChildren();
    this.banner.className = `banner ${kind}`;
    for (const l of lines) {
      const p = document.createElement('div');
      p.textContent = l;
      this.banner.append(p);
    }
    if (offerRerun) {
      const b = document.createElement('vscode-button');
      b.id = 'btn-rerun';
      b.textContent = 'Run again';
      b.addEventListener('click', () => this.request({ type: 'rerun', id: this.nextId++ }));
      this.banner.append(b);
    }
    this.banner.hidden = false;
  }

  private hideBanner(): void {
    this.banner.hidden = true;
    this.banner.replaceChildren();
  }
}

const root = document.getElementById('app');
if (root) new App(root);
