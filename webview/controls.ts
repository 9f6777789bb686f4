/**
 * The toolbar, built from @vscode-elements/elements: reset, step back, step
 * forward, step backward, run to end, auto-play with a speed, fit, and the
 * picker of backward() calls. Keyboard: → ← Space Home End (and F to fit,
 * + and − to zoom). The buttons only say what the person wants; main.ts
 * moves the cursor.
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import type { CallDTO } from '../src/protocol/messages';

export type Intent =
  | 'reset'
  | 'back'
  | 'forward'
  | 'backward'
  | 'next'
  | 'end'
  | 'play'
  | 'fit'
  | 'zoomIn'
  | 'zoomOut'
  | 'expandAll'
  | 'collapseAll';

interface SelectElement extends HTMLElement {
  value: string;
}

interface ButtonElement extends HTMLElement {
  disabled: boolean;
  secondary: boolean;
}

export const SPEEDS = [0.5, 1, 2, 4] as const;

function button(id: string, text: string, title: string, secondary: boolean): ButtonElement {
  const b = document.createElement('vscode-button') as ButtonElement;
  b.id = id;
  b.textContent = text;
  b.title = title;
  b.setAttribute('aria-label', title);
  if (secondary) b.setAttribute('secondary', '');
  return b;
}

export class Controls {
  private readonly buttons: Record<string, ButtonElement> = {};
  private readonly callSelect: SelectElement;
  private readonly speedSelect: SelectElement;
  private readonly position: HTMLElement;
  private readonly title: HTMLElement;
  private callsKey = '';
  private readonly groupButtons: HTMLElement;

  constructor(
    root: HTMLElement,
    private readonly onIntent: (i: Intent) => void,
    private readonly onPickCall: (call: number) => void,
    private readonly onSpeed: (speed: number) => void,
  ) {
    root.setAttribute('role', 'toolbar');
    root.setAttribute('aria-label', 'Step through the graph');
    this.title = document.createElement('span');
    this.title.className = 'title';
    const specs: [Intent, string, string, boolean][] = [
      ['reset', 'Reset', 'Reset to the start (Home)', true],
      ['back', '◀ Step back', 'Step back (←)', true],
      ['forward', 'Forward step', 'Forward step: compute the next node (→ during the forward pass)', false],
      [
        'backward',
        'Backward step',
        'Backward step: the next node of the backward pass (→ after the forward pass)',
        false,
      ],
      ['end', 'Run to end', 'Run to the end of the backward pass (End)', true],
      ['play', '▶ Play', 'Auto-play (Space)', true],
    ];
    const group = document.createElement('span');
    group.className = 'buttons';
    for (const [intent, text, title, secondary] of specs) {
      const b = button(`btn-${intent}`, text, title, secondary);
      b.addEventListener('click', () => this.onIntent(intent));
      this.buttons[intent] = b;
      group.append(b);
    }
    this.speedSelect = document.createElement('vscode-single-select') as SelectElement;
    this.speedSelect.id = 'speed';
    this.speedSelect.title = 'Auto-play speed';
    this.speedSelect.setAttribute('aria-label', 'Auto-play speed');
    for (const s of SPEEDS) {
      const o = document.createElement('vscode-option');
      o.setAttribute('value', String(s));
      o.textContent = `${s}×`;
      if (s === 1) o.setAttribute('selected', '');
      this.speedSelect.append(o);
    }
    this.speedSelect.addEventListener('change', () => {
      const v = Number(this.speedSelect.value);
      if ((SPEEDS as readonly number[]).includes(v)) this.onSpeed(v);
    });
    const fit = button('btn-fit', 'Fit', 'Fit the graph to the panel (F)', true);
    fit.addEventListener('click', () => this.onIntent('fit'));
    // Grouping (shown only when the view has groups): every group opened, or every group a box.
    this.groupButtons = document.createElement('span');
    this.groupButtons.className = 'buttons group-buttons';
    this.groupButtons.hidden = true;
    for (const [intent, text, title] of [
      ['expandAll', 'Expand all', 'Expand every group of nodes'],
      ['collapseAll', 'Collapse all', 'Collapse the nodes of each source line and function call into a box'],
    ] as const) {
      const b = button(`btn-${intent}`, text, title, true);
      b.addEventListener('click', () => this.onIntent(intent));
      this.groupButtons.append(b);
    }
    this.position = document.createElement('span');
    this.position.className = 'position';
    this.position.setAttribute('aria-live', 'off');
    this.callSelect = document.createElement('vscode-single-select') as SelectElement;
    this.callSelect.id = 'call';
    this.callSelect.title = 'Which backward() call';
    this.callSelect.setAttribute('aria-label', 'Which backward() call');
    this.callSelect.addEventListener('change', () => {
      const v = Number(this.callSelect.value);
      if (Number.isInteger(v) && v >= 0) this.onPickCall(v);
    });
    root.append(this.title, group, this.speedSelect, fit, this.groupButtons, this.position, this.callSelect);
  }

  /** Shows the Expand all / Collapse all buttons when the view has groups. */
  setGroups(has: boolean): void {
    this.groupButtons.hidden = !has;
  }

  setTitle(text: string): void {
    this.title.textContent = text;
  }

  /** Fills the call picker (only when the calls changed: it keeps its focus and open state otherwise). */
  setCalls(calls: readonly CallDTO[], current: number): void {
    const key = `${calls.length}:${calls.map((c) => c.line ?? '').join(',')}`;
    if (key !== this.callsKey) {
      this.callsKey = key;
      this.callSelect.replaceChildren();
      // Training loops make thousands of calls: the picker lists the first and the last ones.
      const shown = calls.length <= 400 ? calls : [...calls.slice(0, 100), ...calls.slice(-300)];
      for (const c of shown) {
        const o = document.createElement('vscode-option');
        o.setAttribute('value', String(c.index));
        o.textContent = c.label;
        this.callSelect.append(o);
      }
    }
    this.callSelect.hidden = calls.length < 2;
    if (current >= 0) this.callSelect.value = String(current);
  }

  update(position: number, forwardEnd: number, last: number, playing: boolean): void {
    const b = this.buttons;
    b.reset.disabled = position === 0;
    b.back.disabled = position === 0;
    b.forward.disabled = position >= forwardEnd;
    b.backward.disabled = position >= last || last === forwardEnd;
    b.end.disabled = position >= last;
    b.play.disabled = position >= last && !playing;
    b.play.textContent = playing ? '❚❚ Pause' : '▶ Play';
    this.position.textContent = last > 0 ? `${position} / ${last}` : '';
  }
}
