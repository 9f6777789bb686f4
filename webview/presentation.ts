/**
 * Presentation mode, for an instructor projecting the panel: large fonts,
 * high contrast, less chrome. It is a class on <body> (`presentation`); the
 * look is all in media/panel.css (the "instructors" section), built on the
 * theme's variables so it reads in light, dark and high-contrast themes.
 * The toolbar's toggle and the `togglePresentation` command switch it; the
 * page keeps it in its state (setState) so a reloaded panel comes back in
 * the same mode. Keyboard stepping is the same in both modes.
 */

/** The mode kept in the page's state: only `true` counts (anything else is off). */
export function readPresentation(state: unknown): boolean {
  return typeof state === 'object' && state !== null && (state as { presentation?: unknown }).presentation === true;
}

/** The field added to the page's state: nothing when off, so states written before the mode existed stay the same. */
export function presentationField(on: boolean): { presentation?: true } {
  return on ? { presentation: true } : {};
}

export const PRESENTATION_CLASS = 'presentation';

export class Presentation {
  private on = false;
  readonly button: HTMLElement;

  /** `onChange` runs when the person (button or command) switches the mode, not for the initial state. */
  constructor(
    toolbar: HTMLElement,
    initial: boolean,
    private readonly onChange: (on: boolean) => void,
  ) {
    this.button = document.createElement('vscode-button');
    this.button.id = 'btn-presentation';
    this.button.setAttribute('secondary', '');
    this.button.addEventListener('click', () => this.toggle());
    const tools = document.createElement('span');
    tools.className = 'presentation-tools';
    tools.append(this.button);
    toolbar.insertBefore(tools, toolbar.querySelector(':scope > #call'));
    this.apply(initial);
  }

  get enabled(): boolean {
    return this.on;
  }

  toggle(): void {
    this.apply(!this.on);
    this.onChange(this.on);
  }

  private apply(on: boolean): void {
    this.on = on;
    document.body.classList.toggle(PRESENTATION_CLASS, on);
    this.button.textContent = on ? 'Exit presentation' : 'Present';
    const title = on
      ? 'Leave presentation mode (show every control again)'
      : 'Presentation mode: large text, strong colours, fewer controls';
    this.button.title = title;
    this.button.setAttribute('aria-label', title);
    this.button.setAttribute('aria-pressed', String(on));
  }
}
