// Draws media/icon.png (128x128, the Marketplace size) with Node alone: a
// tiny computational graph, two inputs feeding one output, with the backward
// pass (orange arrows) flowing from the output back to the inputs.
// The PNG is committed; rerun `node scripts/make-icon.mjs` after changing this.
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const SIZE = 128;
const SS = 4; // supersampling per axis, for smooth edges

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BG = hex('#1e293b');
const EDGE = hex('#94a3b8');
const GRAD = hex('#f59e0b');
const INPUT = hex('#38bdf8');
const OUTPUT = hex('#34d399');

const A = [34, 38];
const B = [34, 90];
const C = [94, 64];

function segDist(px, py, [ax, ay], [bx, by]) {
  const dx = bx - ax,
    dy = by - ay;
  const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}
function inTriangle(px, py, [ax, ay], [bx, by], [cx, cy]) {
  const s = (x1, y1, x2, y2, x3, y3) => (x1 - x3) * (y2 - y3) - (x2 - x3) * (y1 - y3);
  const d1 = s(px, py, ax, ay, bx, by),
    d2 = s(px, py, bx, by, cx, cy),
    d3 = s(px, py, cx, cy, ax, ay);
  return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));
}
function inRoundedSquare(px, py, r) {
  const cx = Math.min(Math.max(px, r), SIZE - r),
    cy = Math.min(Math.max(py, r), SIZE - r);
  return Math.hypot(px - cx, py - cy) <= r;
}
/** Arrowhead at `tip`, pointing along from -> tip. */
function arrow(from, tip, len = 13, half = 7) {
  const dx = tip[0] - from[0],
    dy = tip[1] - from[1],
    n = Math.hypot(dx, dy);
  const ux = dx / n,
    uy = dy / n;
  const base = [tip[0] - ux * len, tip[1] - uy * len];
  return [tip, [base[0] - uy * half, base[1] + ux * half], [base[0] + uy * half, base[1] - ux * half]];
}
/** Point at distance d from p towards q. */
const toward = (p, q, d) => {
  const n = Math.hypot(q[0] - p[0], q[1] - p[1]);
  return [p[0] + ((q[0] - p[0]) * d) / n, p[1] + ((q[1] - p[1]) * d) / n];
};
// Backward arrows run beside the forward edges, offset by a few pixels.
function offsetSeg(p, q, off) {
  const dx = q[0] - p[0],
    dy = q[1] - p[1],
    n = Math.hypot(dx, dy);
  const ox = (-dy / n) * off,
    oy = (dx / n) * off;
  return [
    [p[0] + ox, p[1] + oy],
    [q[0] + ox, q[1] + oy],
  ];
}
const gradCA = offsetSeg(toward(C, A, 16), toward(A, C, 19), 10);
const gradCB = offsetSeg(toward(C, B, 16), toward(B, C, 19), -10);
const headA = arrow(gradCA[0], gradCA[1]);
const headB = arrow(gradCB[0], gradCB[1]);

/** Colour of one sample point, or null outside the icon. */
function sample(x, y) {
  if (!inRoundedSquare(x, y, 26)) return null;
  let c = BG;
  if (segDist(x, y, A, C) <= 3 || segDist(x, y, B, C) <= 3) c = EDGE;
  const shaftA = [gradCA[0], toward(gradCA[1], gradCA[0], 10)];
  const shaftB = [gradCB[0], toward(gradCB[1], gradCB[0], 10)];
  if (
    segDist(x, y, ...shaftA) <= 2.5 ||
    segDist(x, y, ...shaftB) <= 2.5 ||
    inTriangle(x, y, ...headA) ||
    inTriangle(x, y, ...headB)
  )
    c = GRAD;
  for (const [p, col] of [
    [A, INPUT],
    [B, INPUT],
    [C, OUTPUT],
  ]) {
    const d = Math.hypot(x - p[0], y - p[1]);
    if (d <= 15) c = col;
    if (d <= 15 && d >= 12.5) c = c.map((v) => Math.round(v * 0.75)); // a darker rim
  }
  return c;
}

const raw = Buffer.alloc(SIZE * (SIZE * 4 + 1));
for (let y = 0; y < SIZE; y++) {
  raw[y * (SIZE * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < SIZE; x++) {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const c = sample(x + (sx + 0.5) / SS, y + (sy + 0.5) / SS);
        if (!c) continue;
        r += c[0];
        g += c[1];
        b += c[2];
        a += 1;
      }
    }
    const o = y * (SIZE * 4 + 1) + 1 + x * 4;
    if (a) {
      raw[o] = Math.round(r / a);
      raw[o + 1] = Math.round(g / a);
      raw[o + 2] = Math.round(b / a);
    }
    raw[o + 3] = Math.round((255 * a) / (SS * SS));
  }
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(SIZE, 0);
ihdr.writeUInt32BE(SIZE, 4);
ihdr[8] = 8; // bit depth
ihdr[9] = 6; // RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
const out = join(resolve(dirname(fileURLToPath(import.meta.url)), '..'), 'media', 'icon.png');
writeFileSync(out, png);
console.log(`wrote ${out} (${png.length} bytes)`);
