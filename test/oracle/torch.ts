/**
 * Runs the oracle cases with real PyTorch: finds a Python that has torch and
 * feeds every case to torch_runner.py in one process.
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import type { Case, DTypeName, Num } from './cases';
import { CaseRec, decodeNum, StmtRec, TensorRec } from './ts-runner';

const RUNNER = path.join(__dirname, 'torch_runner.py');

/**
 * The Python to run torch_runner.py with: $TORCH_PYTHON when set (and only
 * it), else the first of /usr/bin/python3 and python3 on PATH that can import
 * torch; null when none can.
 */
export function findTorchPython(): string | null {
  const env = process.env.TORCH_PYTHON;
  const candidates = env ? [env] : ['/usr/bin/python3', 'python3'];
  for (const py of candidates) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60000 });
    if (r.status === 0) return py;
  }
  return null;
}

/** JSON numbers as torch_runner.py writes them ('nan', 'inf', '-inf' for non-finite ones) to numbers. */
function decodeTensor(t: { shape: number[]; dtype: DTypeName; values: Num[] } | null): TensorRec | null {
  return t === null ? null : { shape: t.shape, dtype: t.dtype, values: t.values.map(decodeNum) };
}

function decodeRecord(r: StmtRec): StmtRec {
  const grads = (g: Record<string, TensorRec | null>): Record<string, TensorRec | null> =>
    Object.fromEntries(Object.entries(g).map(([k, v]) => [k, decodeTensor(v as never)]));
  if (r.kind === 'op') return { ...r, value: decodeTensor(r.value as never) as TensorRec };
  if (r.kind === 'backward') return { kind: 'backward', grads: grads(r.grads) };
  return { kind: 'sgd', params: grads(r.params) as Record<string, TensorRec>, grads: grads(r.grads) };
}

/** Runs every case with PyTorch in one process. */
export function runTorch(python: string, cases: readonly Case[]): { version: string; results: Map<string, CaseRec> } {
  const r = spawnSync(python, [RUNNER], {
    input: JSON.stringify({ cases }),
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    timeout: 120000,
  });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`torch_runner.py exited with ${r.status}:\n${r.stderr}`);
  const out = JSON.parse(r.stdout) as { torch: string; results: CaseRec[] };
  const results = new Map<string, CaseRec>();
  for (const res of out.results) results.set(res.name, { ...res, records: res.records.map(decodeRecord) });
  return { version: out.torch, results };
}
