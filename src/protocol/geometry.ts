/**
 * Node geometry shared by the host (which lays the graph out) and the page
 * (which draws it): both must agree on each node's size and heat-map grid.
 */
import { HEAT_CELLS } from './messages';

export const NODE_W = 148;
/** Symbol/name row, label row, value row, gradient row. */
export const NODE_H = 76;
export const NODE_PAD = 8;
export const ROW_H = 15;
/** Largest heat-map cell. */
export const HEAT_CELL_MAX = 12;

export interface HeatGrid {
  readonly rows: number;
  readonly cols: number;
  readonly cell: number;
}

/** The heat-map grid of a small tensor (row-major, last dim across), or null for scalars and big tensors. */
export function heatGrid(shape: readonly number[]): HeatGrid | null {
  if (shape.length === 0) return null;
  let size = 1;
  for (const d of shape) size *= d;
  if (size <= 1 || size > HEAT_CELLS) return null;
  const last = shape[shape.length - 1];
  const cols = last >= 1 && last <= 16 ? last : Math.min(16, size);
  const rows = Math.ceil(size / cols);
  const cell = Math.max(4, Math.min(HEAT_CELL_MAX, Math.floor((NODE_W - 2 * NODE_PAD) / cols)));
  return { rows, cols, cell };
}

/** Height of a node holding a value of this shape. */
export function nodeHeight(shape: readonly number[]): number {
  const g = heatGrid(shape);
  return g === null ? NODE_H : NODE_H + g.rows * g.cell + 6;
}
