/**
 * Comparison of PyTorch's results with the core's, under the rule stated in
 * oracle.test.ts.
 */
import type { Case, DTypeName, Nested, Stmt } from './cases';
import { ACCUMULATED, ELEMENTWISE, EXACT, Level, levels } from './tolerance';
import { CaseRec, decodeNested, TensorRec } from './ts-runner';

/** Allowed error of results that are not exact, in ulps (see oracle.test.ts). */
export const APPROX_ULPS = 4;

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** Position of a finite x on the number line of its dtype (+0 and -0 both 0). */
function ordinal(x: number, dtype: DTypeName): bigint {
  if (dtype === 'float32') {
    f32[0] = x;
    const i = i32[0];
    return BigInt(i < 0 ? -(i & 0x7fffffff) : i);
  }
  f64[0] = x;
  const i = i64[0];
  return i < 0n ? -(i & 0x7fffffffffffffffn) : i;
}

/** Distance in ulps between two numbers of `dtype`: 0 when equal, Infinity when they cannot match (NaN vs number, inf vs other). */
export function ulpDistance(a: number, e: number, dtype: DTypeName): number {
  if (Number.isNaN(a) || Number.isNaN(e)) return Number.isNaN(a) && Number.isNaN(e) ? 0 : Infinity;
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e ? 0 : Infinity;
  const d = ordinal(a, dtype) - ordinal(e, dtype);
  return Number(d < 0n ? -d : d);
}

/** The spacing of `dtype` numbers at |x| (x finite): the size of one ulp there. */
export function ulpAt(x: number, dtype: DTypeName): number {
  if (dtype === 'float32') {
    f32[0] = Math.abs(x);
    const e = (i32[0] >>> 23) & 0xff;
    return 2 ** (Math.max(e, 1) - 127 - 23);
  }
  f64[0] = Math.abs(x);
  const e = Number((i64[0] >> 52n) & 0x7ffn);
  return 2 ** (Math.max(e, 1) - 1023 - 52);
}

function bits(x: number, dtype: DTypeName): string {
  if (dtype === 'float32') {
    f32[0] = x;
    return `0x${(i32[0] >>> 0).toString(16).padStart(8, '0')}`;
  }
  f64[0] = x;
  return `0x${BigInt.asUintN(64, i64[0]).toString(16).padStart(16, '0')}`;
}

const show = (x: number, dtype: DTypeName): string => `${Object.is(x, -0) ? '-0' : String(x)} (${bits(x, dtype)})`;

function argText(a: unknown): string {
  if (typeof a === 'object' && a !== null && 't' in a) return (a as { t: string }).t;
  if (typeof a === 'object' && a !== null && 'ts' in a) return `[${(a as { ts: string[] }).ts.join(', ')}]`;
  return JSON.stringify(a);
}

function nestedText(v: Nested): string {
  const t = JSON.stringify(v);
  return t.length <= 60 ? t : `${t.slice(0, 57)}...`;
}

/** The largest finite magnitude among numbers (0 if none). */
function magnitude(values: Iterable<number>): number {
  let m = 0;
  for (const v of values) if (Number.isFinite(v) && Math.abs(v) > m) m = Math.abs(v);
  return m;
}

function flat(v: unknown): number[] {
  return Array.isArray(v) ? v.flatMap(flat) : [v as number];
}

/** What a record is held to: its level and, for ACCUMULATED, the magnitude its ulps are measured at. */
interface Tolerance {
  readonly level: Level;
  readonly scale: number;
}

function stmtText(s: Stmt): string {
  if (s.kind === 'op') return `${s.out} = ${s.op}(${s.args.map(argText).join(', ')})`;
  if (s.kind === 'backward') {
    const extra = [
      s.gradient !== undefined ? `gradient=${nestedText(s.gradient)}` : '',
      s.retainGraph ? 'retain_graph=True' : '',
    ]
      .filter((x) => x)
      .join(', ');
    return `${s.root}.backward(${extra})`;
  }
  return `sgd([${s.params.join(', ')}], lr=${s.lr})`;
}

const MAX_ELEMENTS_REPORTED = 6;

function compareTensor(out: string[], where: string, e: TensorRec | null, a: TensorRec | null, tol: Tolerance): void {
  if (e === null || a === null) {
    if (e !== a)
      out.push(`${where}: expected ${e === null ? 'None' : 'a tensor'}, got ${a === null ? 'None' : 'a tensor'}`);
    return;
  }
  if (e.dtype !== a.dtype) out.push(`${where}: dtype expected ${e.dtype}, got ${a.dtype}`);
  if (e.shape.length !== a.shape.length || e.shape.some((x, i) => x !== a.shape[i])) {
    out.push(`${where}: shape expected [${e.shape.join(', ')}], got [${a.shape.join(', ')}]`);
    return;
  }
  const dtype = e.dtype;
  // ACCUMULATED: a few ulps of the largest magnitude involved (never less than ELEMENTWISE allows).
  const scale = Math.max(tol.scale, magnitude(e.values));
  const absAllowed = tol.level === ACCUMULATED ? APPROX_ULPS * ulpAt(scale, dtype) : 0;
  const allowed = tol.level === EXACT ? 0 : APPROX_ULPS;
  let reported = 0;
  for (let k = 0; k < e.values.length; k++) {
    const x = e.values[k];
    const y = a.values[k];
    const d = ulpDistance(y, x, dtype);
    if (d <= allowed || (d !== Infinity && Math.abs(y - x) <= absAllowed)) continue;
    if (reported++ === MAX_ELEMENTS_REPORTED) continue;
    const rule =
      tol.level === EXACT
        ? 'exact: 0 ulp allowed'
        : tol.level === ELEMENTWISE
          ? `elementwise: ${APPROX_ULPS} ulp allowed`
          : `accumulated: ${APPROX_ULPS} ulp of ${scale} = ${absAllowed} allowed`;
    out.push(
      `${where}[${k}]: expected ${show(x, dtype)}, actual ${show(y, dtype)}, ` +
        `${d === Infinity ? 'not comparable' : `${d} ulp apart`} (${rule})`,
    );
  }
  if (reported > MAX_ELEMENTS_REPORTED) out.push(`${where}: ... and ${reported - MAX_ELEMENTS_REPORTED} more elements`);
}

function compareGrads(
  out: string[],
  where: string,
  e: Record<string, TensorRec | null>,
  a: Record<string, TensorRec | null>,
  tol: Tolerance,
): void {
  const names = [...new Set([...Object.keys(e), ...Object.keys(a)])];
  for (const n of names) {
    if (!(n in a)) out.push(`${where}: ${n} is missing from the core's leaves`);
    else if (!(n in e)) out.push(`${where}: ${n} is not a leaf requiring grad in PyTorch`);
    else compareTensor(out, `${where} ${n}`, e[n], a[n], tol);
  }
}

/** All differences between PyTorch's results (e) and the core's (a) for case k, as readable lines. */
export function compareCase(k: Case, e: CaseRec, a: CaseRec): string[] {
  const out: string[] = [];
  const level = levels(k, e);
  // Largest magnitude of each named tensor, and of everything the case has computed so far.
  const mags = new Map<string, number>();
  let caseMag = 0;
  for (const l of k.leaves) {
    const m = magnitude(flat(decodeNested(l.value)));
    mags.set(l.name, m);
    caseMag = Math.max(caseMag, m);
  }
  const gradsMag = (g: Record<string, TensorRec | null>): number =>
    magnitude(Object.values(g).flatMap((t) => t?.values ?? []));
  const n = Math.min(e.records.length, a.records.length);
  for (let i = 0; i < n; i++) {
    const s = k.program[i];
    const where = `#${i} ${stmtText(s)}`;
    const er = e.records[i];
    const ar = a.records[i];
    if (s.kind === 'op' && er.kind === 'op' && ar.kind === 'op') {
      // An op's terms are bounded by its inputs and its result.
      const inputs = s.args.flatMap((x) =>
        typeof x === 'object' && x !== null ? ('t' in x ? [x.t] : 'ts' in x ? x.ts : []) : [],
      );
      const m = magnitude(er.value.values);
      const scale = Math.max(m, ...inputs.map((r) => mags.get(r) ?? 0));
      if (er.gradFn !== ar.gradFn)
        out.push(`${where}: grad_fn expected ${er.gradFn ?? 'None'}, got ${ar.gradFn ?? 'None'}`);
      compareTensor(out, `${where}: value`, er.value, ar.value, { level: level[i], scale });
      if ((er.indices ?? []).join() !== (ar.indices ?? []).join())
        out.push(`${where}: indices expected [${er.indices?.join(', ')}], got [${ar.indices?.join(', ')}]`);
      mags.set(s.out, m);
      caseMag = Math.max(caseMag, m);
    } else if (er.kind === 'backward' && ar.kind === 'backward') {
      // A gradient's terms are bounded by the values of the whole computation.
      if (s.kind === 'backward' && s.gradient !== undefined)
        caseMag = Math.max(caseMag, magnitude(flat(decodeNested(s.gradient))));
      caseMag = Math.max(caseMag, gradsMag(er.grads));
      compareGrads(out, `${where}: grad of`, er.grads, ar.grads, { level: level[i], scale: caseMag });
    } else if (er.kind === 'sgd' && ar.kind === 'sgd') {
      caseMag = Math.max(caseMag, gradsMag(er.params));
      for (const [p, t] of Object.entries(er.params)) mags.set(p, magnitude(t.values));
      compareGrads(out, `${where}: param`, er.params, ar.params, { level: level[i], scale: caseMag });
      compareGrads(out, `${where}: grad of`, er.grads, ar.grads, { level: level[i], scale: caseMag });
    } else {
      out.push(`${where}: record kinds differ (${er.kind} vs ${ar.kind})`);
    }
  }
  const ee = e.error;
  const ae = a.error;
  if (ee === null && ae !== null)
    out.push(`#${ae.at} ${stmtText(k.program[ae.at])}: the core raised ${ae.type}: ${ae.message}; PyTorch did not`);
  else if (ee !== null && ae === null)
    out.push(`#${ee.at} ${stmtText(k.program[ee.at])}: PyTorch raised ${ee.type}: ${ee.message}; the core did not`);
  else if (ee !== null && ae !== null) {
    if (ee.at !== ae.at) out.push(`error raised at statement #${ae.at}, PyTorch raised at #${ee.at}`);
    if (ee.type !== ae.type || ee.message !== ae.message)
      out.push(
        `#${ee.at} ${stmtText(k.program[ee.at])}: error expected ${ee.type}: ${ee.message}\n    got ${ae.type}: ${ae.message}`,
      );
  }
  return out;
}
