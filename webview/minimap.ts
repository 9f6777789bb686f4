/**
 * The minimap of a large graph: every node as a small rectangle on a
 * canvas in a corner of the panel, the part of the graph in view as a
 * frame, the current step's node marked. Click or drag on it to move the
 * view there. A canvas, not SVG: it draws thousands of rectangles in a
 * millisecond or two and adds nothing to the SVG the panel pans.
 *
 * Two layers: the nodes are drawn once per graph (and again when the marked
 * node changes) into an offscreen canvas; each pan or zoom only copies that
 * bitmap and strokes the view frame. Colours come from the theme's CSS
 * variables (read with getComputedStyle), so light, dark and high-contrast
 * themes apply. Decorative for screen readers (aria-hidden): the same moves
 * are on the keyboard (F to fit, + and − to zoom, and stepping reveals the
 * current node).
 */

export type MiniKind = 'param' | 'input' | 'op' | 'group';

export interface MiniNode {
  readonly x: number;
  readonly y: number;
  readonly w: number;
  readonly h: number;
  readonly kind: MiniKind;
}

/** Graphs with fewer nodes than this fit on screen well enough: no minimap. */
export const MINIMAP_MIN_NODES = 60;
/** The minimap's largest size, in CSS pixels. */
const MAX_W = 200;
const MAX_H = 140;

export class Minimap {
  readonly canvas: HTMLCanvasElement;
  private readonly base: HTMLCanvasElement;
  private nodes: readonly MiniNode[] = [];
  private width = 1;
  private height = 1;
  private scale = 1;
  private marked = -1;
  private view: { x0: number; y0: number; x1: number; y1: number } | null = null;
  private frame = 0;
  private dirtyBase = true;
  private dragging = false;

  constructor(
    host: HTMLElement,
    /** Centre the view on this graph point. */
    private readonly onCenter: (gx: number, gy: number) => void,
  ) {
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'minimap';
    this.canvas.setAttribute('aria-hidden', 'true');
    this.canvas.title = 'Minimap: click or drag to move the view';
    this.canvas.hidden = true;
    this.base = document.createElement('canvas');
    host.append(this.canvas);
    const at = (ev: PointerEvent) => {
      const r = this.canvas.getBoundingClientRect();
      this.onCenter((ev.clientX - r.left) / this.scale, (ev.clientY - r.top) / this.scale);
    };
    this.canvas.addEventListener('pointerdown', (ev) => {
      ev.stopPropagation();
      ev.preventDefault();
      this.dragging = true;
      this.canvas.setPointerCapture(ev.pointerId);
      at(ev);
    });
    this.canvas.addEventListener('pointermove', (ev) => {
      if (this.dragging) at(ev);
    });
    const end = (ev: PointerEvent) => {
      this.dragging = false;
      if (this.canvas.hasPointerCapture(ev.pointerId)) this.canvas.releasePointerCapture(ev.pointerId);
    };
    this.canvas.addEventListener('pointerup', end);
    this.canvas.addEventListener('pointercancel', end);
    // The graph's own zoom must not see the minimap's wheel and drags.
    this.canvas.addEventListener('wheel', (ev) => ev.stopPropagation());
  }

  /** A new graph (or a new visible graph after collapsing): shown when it has enough nodes. */
  setGraph(nodes: readonly MiniNode[], width: number, height: number): void {
    this.nodes = nodes;
    this.width = Math.max(1, width);
    this.height = Math.max(1, height);
    this.scale = Math.min(MAX_W / this.width, MAX_H / this.height);
    this.marked = -1;
    this.canvas.hidden = nodes.length < MINIMAP_MIN_NODES;
    const dpr = window.devicePixelRatio || 1;
    const cw = Math.max(1, Math.round(this.width * this.scale));
    const ch = Math.max(1, Math.round(this.height * this.scale));
    for (const c of [this.canvas, this.base]) {
      c.width = Math.round(cw * dpr);
      c.height = Math.round(ch * dpr);
    }
    this.canvas.style.width = `${cw}px`;
    this.canvas.style.height = `${ch}px`;
    this.dirtyBase = true;
    this.schedule();
  }

  /** Marks one node (the current step's), -1 for none. */
  setMarked(i: number): void {
    if (i === this.marked) return;
    this.marked = i;
    this.dirtyBase = true;
    this.schedule();
  }

  /** The part of the graph in view, in graph units. */
  setViewport(x0: number, y0: number, x1: number, y1: number): void {
    this.view = { x0, y0, x1, y1 };
    this.schedule();
  }

  get shown(): boolean {
    return !this.canvas.hidden;
  }

  private schedule(): void {
    if (this.canvas.hidden || this.frame !== 0) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private colour(name: string, fallback: string): string {
    return getComputedStyle(this.canvas).getPropertyValue(name).trim() || fallback;
  }

  private drawBase(): void {
    const g = this.base.getContext('2d');
    if (!g) return;
    const dpr = window.devicePixelRatio || 1;
    const s = this.scale * dpr;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.base.width, this.base.height);
    const fills: Record<MiniKind, string> = {
      param: this.colour('--bp-param', '#d18616'),
      input: this.colour('--bp-input', '#3794ff'),
      op: this.colour('--bp-edge', '#858585'),
      group: this.colour('--bp-grad', '#b180d7'),
    };
    for (const kind of ['op', 'group', 'input', 'param'] as const) {
      g.fillStyle = fills[kind];
      g.beginPath();
      for (const n of this.nodes)
        if (n.kind === kind) g.rect(n.x * s, n.y * s, Math.max(1, n.w * s), Math.max(1, n.h * s));
      g.fill();
    }
    const m = this.nodes[this.marked];
    if (m) {
      g.fillStyle = this.colour('--bp-current', '#007fd4');
      const pad = 2 * dpr;
      g.fillRect(m.x * s - pad, m.y * s - pad, Math.max(1, m.w * s) + 2 * pad, Math.max(1, m.h * s) + 2 * pad);
    }
    this.dirtyBase = false;
  }

  private draw(): void {
    if (this.dirtyBase) this.drawBase();
    const g = this.canvas.getContext('2d');
    if (!g) return;
    g.setTransform(1, 0, 0, 1, 0, 0);
    g.clearRect(0, 0, this.canvas.width, this.canvas.height);
    g.drawImage(this.base, 0, 0);
    const v = this.view;
    if (!v) return;
    const dpr = window.devicePixelRatio || 1;
    const s = this.scale * dpr;
    g.strokeStyle = this.colour('--bp-current', '#007fd4');
    g.lineWidth = 1.5 * dpr;
    const x0 = Math.max(0, v.x0 * s);
    const y0 = Math.max(0, v.y0 * s);
    const x1 = Math.min(this.canvas.width, v.x1 * s);
    const y1 = Math.min(this.canvas.height, v.y1 * s);
    if (x1 > x0 && y1 > y0) g.strokeRect(x0, y0, x1 - x0, y1 - y0);
  }
}
