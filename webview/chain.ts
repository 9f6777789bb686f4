/**
 * The chain-rule panel: for the current backward step, one line per input,
 * `∂L/∂w1 += ∂L/∂(x·w1) · ∂(x·w1)/∂w1 = (−15.5)·(2.0) = −31.0`, typeset by
 * KaTeX, with the running sum of a fan-out under it; for a forward step,
 * the node's value with its operands plugged in.
 *
 * KaTeX renders to DOM nodes (katex.render), never through innerHTML: its
 * inline styles are then set through the CSSOM, which the panel's CSP
 * (style-src without 'unsafe-inline') allows. `trust: false` (no \href,
 * \includegraphics, \htmlClass…), bounded macro expansion and sizes. Each
 * line also carries its plain-text form as an accessible label.
 */
import katex from 'katex';
import type { FormulaDTO, GraphViewDTO } from '../src/protocol/messages';
import type { Frame } from '../src/session/graph-cursor';

const KATEX_OPTIONS: katex.KatexOptions = {
  displayMode: false,
  throwOnError: false,
  trust: false,
  strict: 'ignore',
  maxSize: 20,
  maxExpand: 200,
  output: 'htmlAndMathml',
};

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class ChainPanel {
  private readonly status: HTMLElement;
  private readonly lines: HTMLElement;
  /** Set by the page: open the scalar operations of node i (shown as "Scalar view" for NodeDTO.drill). */
  onDrill: ((node: number) => void) | null = null;

  constructor(readonly root: HTMLElement) {
    root.setAttribute('aria-label', 'Chain rule');
    this.status = el('div', 'chain-status');
    this.status.setAttribute('aria-live', 'polite');
    this.lines = el('div', 'chain-lines');
    root.append(this.status, this.lines);
  }

  private formula(f: FormulaDTO, cls: string): HTMLElement {
    const line = el('div', `formula ${cls}`);
    line.setAttribute('role', 'math');
    line.setAttribute('aria-label', f.text);
    line.title = f.text;
    const tex = el('div', 'tex');
    try {
      katex.render(f.latex, tex, KATEX_OPTIONS);
    } catch {
      tex.textContent = f.text;
    }
    line.append(tex);
    return line;
  }

  private drillButton(i: number, drill: boolean): void {
    const open = this.onDrill;
    if (!drill || !open) return;
    const b = document.createElement('vscode-button');
    b.id = 'btn-scalar-view';
    b.className = 'drill-open';
    b.setAttribute('secondary', '');
    b.textContent = 'Scalar view';
    b.title = 'This op scalar by scalar (or double-click the node, or press D on it)';
    b.addEventListener('click', () => open(i));
    this.lines.append(b);
  }

  show(view: GraphViewDTO | null, frame: Frame | null): void {
    this.lines.replaceChildren();
    if (!view || !frame) {
      this.status.textContent = '';
      return;
    }
    const F = view.forward.length;
    if (view.nodes.length === 0) {
      this.status.textContent = view.error
        ? 'The script stopped before it built a graph.'
        : 'No autograd graph yet: make a tensor with requires_grad=True and compute with it.';
      return;
    }
    if (frame.step) {
      const k = frame.position - F;
      const node = view.nodes[frame.step.node];
      const where = node.range ? `, line ${node.range.line}` : '';
      this.status.textContent = `Backward step ${k} of ${view.steps.length}: ${frame.step.backwardName} at ${node.label}${where}. ∂L/∂(this node) = ${frame.step.upstream.text}`;
      for (const inp of frame.step.inputs) {
        this.lines.append(this.formula(inp.formula, 'product'));
        if (inp.fanOut.formula) this.lines.append(this.formula(inp.fanOut.formula, 'fanout'));
      }
      this.drillButton(frame.step.node, node.drill === true);
      return;
    }
    if (frame.forward) {
      const node = view.nodes[frame.forward.node];
      const where = node.range ? `, line ${node.range.line}` : '';
      this.status.textContent = `Forward ${frame.position} of ${F}: ${node.title}${where}`;
      this.lines.append(this.formula(frame.forward.formula, 'forward'));
      this.drillButton(frame.forward.node, node.drill === true);
      if (frame.position === F && view.steps.length > 0)
        this.lines.append(el('div', 'hint', 'Forward pass complete. Press → to start the backward pass.'));
      return;
    }
    this.status.textContent = `Nothing computed yet. Press → to run the forward pass one node at a time, End to jump to the last backward step.`;
  }
}
