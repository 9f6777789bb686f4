/**
 * Drill-down on the page: a tensor op node the host marked (NodeDTO.drill,
 * drawn with class `drillable`) opens as its scalar operations. Double-click
 * it, focus it and press D, or use "Scalar view" in the chain-rule panel;
 * the page posts `drill` and the host answers with `drillView`, a view of
 * its own that the same renderer shows. A bar above the graph says where
 * the student is and leads back (the button, or Escape) to the whole graph
 * at the step it was on.
 *
 * While drilled, indices of nodes and positions refer to the scalar view,
 * which the host does not hold: main.ts then posts no `step` or `select`
 * (this.active), and re-posts the whole graph's position on the way back.
 * A new whole-graph `view` (the script changed, another call) ends drill
 * mode: leave() hands main.ts the saved graph and position so the new view
 * is compared with it, not with the scalar view.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { GraphViewDTO, HostMessage } from '../src/protocol/messages';

type DrillViewMessage = Extract<HostMessage, { type: 'drillView' }>;

/** What the drill-down needs of the page. */
export interface DrillHost {
  /** The view shown and the step position (null before the first view). */
  current(): { readonly view: GraphViewDTO; readonly position: number } | null;
  /** Posts `drill` for node `node` of the current view; returns the request id. */
  post(node: number): number;
  /** Shows a view at a position (null: where a new view starts). */
  show(view: GraphViewDTO, position: number | null): void;
}

/** The whole graph and where it was, kept while a scalar view is shown. */
export interface DrillSaved {
  readonly view: GraphViewDTO;
  readonly position: number;
  /** The node drilled into (index into view.nodes). */
  readonly node: number;
}

export class DrillNav {
  readonly bar: HTMLElement;
  private saved: DrillSaved | null = null;
  private pending: { readonly id: number; readonly view: GraphViewDTO } | null = null;

  constructor(
    private readonly host: DrillHost,
    graphHost: HTMLElement,
  ) {
    this.bar = document.createElement('nav');
    this.bar.className = 'drill-bar';
    this.bar.id = 'drill-bar';
    this.bar.setAttribute('aria-label', 'Drill-down');
    this.bar.hidden = true;
    graphHost.before(this.bar);
    // Delegated: node elements come and go with every view (and with grouping).
    graphHost.addEventListener('dblclick', (ev) => {
      const i = nodeIndexOf(ev.target);
      if (i !== null && this.request(i)) {
        ev.preventDefault();
        ev.stopPropagation();
      }
    });
  }

  /** A scalar view is shown. */
  get active(): boolean {
    return this.saved !== null;
  }

  /** The whole graph and its position while drilled (what the page keeps across a reload), else null. */
  get outer(): DrillSaved | null {
    return this.saved;
  }

  /** Asks the host for the scalar operations of node `node` of the whole graph. False: not drillable, or drilled already. */
  request(node: number): boolean {
    if (this.saved) return false;
    const cur = this.host.current();
    if (!cur || cur.view.nodes[node]?.drill !== true) return false;
    this.pending = { id: this.host.post(node), view: cur.view };
    return true;
  }

  /** The host's answer: shown if it answers the latest request and the graph has not changed since. */
  receive(m: DrillViewMessage): void {
    const p = this.pending;
    const cur = this.host.current();
    if (this.saved || !p || p.id !== m.replyTo || !cur || cur.view !== p.view) return;
    const node = cur.view.nodes[m.node];
    if (!node) return;
    this.pending = null;
    this.saved = { view: cur.view, position: cur.position, node: m.node };
    this.renderBar(node.label);
    this.host.show(m.view, null);
    (this.bar.querySelector('#btn-drill-back') as HTMLElement | null)?.focus();
  }

  /** Back to the whole graph, at the step it was on. */
  back(): void {
    const s = this.leave();
    if (s) this.host.show(s.view, s.position);
  }

  /** Ends drill mode without showing anything (a new view is on its way); returns the whole graph and position. */
  leave(): DrillSaved | null {
    const s = this.saved;
    this.saved = null;
    this.pending = null;
    this.bar.hidden = true;
    this.bar.replaceChildren();
    return s;
  }

  /** D on a focused drillable node drills in; Escape goes back. True when the key was used. */
  onKey(ev: KeyboardEvent): boolean {
    if (ev.key === 'Escape' && this.saved) {
      ev.preventDefault();
      this.back();
      return true;
    }
    if ((ev.key === 'd' || ev.key === 'D') && !this.saved) {
      const i = nodeIndexOf(ev.target);
      if (i !== null && this.request(i)) {
        ev.preventDefault();
        return true;
      }
    }
    return false;
  }

  private renderBar(label: string): void {
    const text = document.createElement('span');
    text.className = 'drill-where';
    text.append('Scalar operations of ');
    const name = document.createElement('b');
    name.textContent = label;
    text.append(name);
    const sep = document.createElement('span');
    sep.className = 'drill-sep';
    sep.textContent = '·';
    sep.setAttribute('aria-hidden', 'true');
    const back = document.createElement('vscode-button');
    back.id = 'btn-drill-back';
    back.setAttribute('secondary', '');
    back.textContent = '← Back to the whole graph';
    back.title = 'Back to the whole graph (Escape)';
    back.addEventListener('click', () => this.back());
    this.bar.replaceChildren(text, sep, back);
    this.bar.hidden = false;
  }
}

/** Index into view.nodes of the node element an event happened in (`g.node[data-index]`), or null. */
function nodeIndexOf(target: EventTarget | null): number | null {
  const g = target instanceof Element ? target.closest('g.node') : null;
  const raw = g?.getAttribute('data-index');
  if (raw === null || raw === undefined || !/^\d+$/.test(raw)) return null;
  return Number(raw);
}
