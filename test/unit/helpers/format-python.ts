/**
 * Shared by the format-spec and tensor-repr tests: finds a CPython 3.11 (with
 * torch when asked), runs one Python script per test file with every case as
 * JSON on stdin, and provides a seeded random generator and an exact
 * float-to-text encoding (float.hex) so no value changes on the way.
 */
import { spawnSync } from 'node:child_process';

/** Interpreters tried in order ($TORCH_PYTHON first when set); Debian's has torch 1.13. */
function candidates(): string[] {
  const env = process.env.TORCH_PYTHON;
  return env ? [env, '/usr/bin/python3', 'python3'] : ['/usr/bin/python3', 'python3'];
}

const found = new Map<string, string | null>();

/**
 * A Python >= 3.11 (whose format() the product copies) that can import torch
 * when `torch` is set; null when there is none.
 */
export function findPython(torch: boolean): string | null {
  const key = torch ? 'torch' : 'plain';
  if (found.has(key)) return found.get(key) as string | null;
  const probe = `import sys\nassert sys.version_info[:2] >= (3, 11)\n${torch ? 'import torch\n' : ''}`;
  let result: string | null = null;
  for (const py of candidates()) {
    const r = spawnSync(py, ['-c', probe], { stdio: 'ignore', timeout: 60000 });
    if (r.status === 0) {
      result = py;
      break;
    }
  }
  found.set(key, result);
  return result;
}

/** Runs `script` with `input` as JSON on stdin and parses the JSON it prints. */
export function runPythonJson<T>(python: string, script: string, input: unknown): T {
  const r = spawnSync(python, ['-c', script], {
    input: JSON.stringify(input),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120000,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8', LC_ALL: 'C.UTF-8' },
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`${python} exited with ${r.status}:\n${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** Seeded PRNG (mulberry32): uniform in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A random integer in [lo, hi]. */
export function randInt(r: () => number, lo: number, hi: number): number {
  return lo + Math.floor(r() * (hi - lo + 1));
}

export function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** Exact text of a double as Python's float.fromhex reads it ('nan', 'inf', '-inf' too). */
export function floatHex(x: number): string {
  if (x !== x) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0x0p+0' : '0x0p+0';
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const sign = hi >>> 31 ? '-' : '';
  const biased = (hi >>> 20) & 0x7ff;
  const frac = ((BigInt(hi & 0xfffff) << 32n) | BigInt(lo)).toString(16).padStart(13, '0');
  return biased === 0 ? `${sign}0x0.${frac}p-1022` : `${sign}0x1.${frac}p${biased - 1023}`;
}

/** A random double from a bit pattern: every exponent equally likely (subnormals included, no nan/inf). */
export function randomDouble(r: () => number): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setUint32(0, Math.floor(r() * 0x7fe00000) | (r() < 0.5 ? 0x80000000 : 0));
  view.setUint32(4, Math.floor(r() * 4294967296));
  return view.getFloat64(0);
}
