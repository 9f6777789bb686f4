/**
 * The backward pass. Walks the graph below a root in reverse topological
 * order (descending creation id, the mirror of the forward pass), calls each
 * node's VJP once per input, and accumulates gradients. Leaves get `.grad`
 * (accumulating across calls, as in PyTorch), non-leaves only when they
 * retain it, and nodes that saved tensors are freed unless retainGraph.
 *
 * The fast path allocates nothing per step beyond the gradient storage
 * itself. With `record: true` it also returns one step record per node:
 * upstream gradient, and for each input the local derivative, the
 * contribution (upstream × local, the VJP), and the input's accumulated
 * gradient before and after, so fan-out sums are explicit.
 */
import { currentSavedVersion, inputsOf, savedTensorsOf } from './apply';
import { Buf, DType } from './dtype';
import { runtimeError } from './errors';
import { backwardNameOf, Derivative } from './registry';
import { formatShape, sameShape } from './shape';
import { copyOf, Tensor, versionOwner } from './tensor';

export interface BackwardOptions {
  /** ∂L/∂root, required when the root is not a scalar. */
  gradient?: Tensor | null;
  /** Keep saved tensors so backward can run through this graph again. */
  retainGraph?: boolean;
  /** Return step records (slower: copies every gradient it shows). */
  record?: boolean;
}

export interface InputStep {
  /** Position of this input among the node's inputs. */
  readonly position: number;
  readonly input: Tensor;
  readonly derivative: Derivative;
  /** ∂out/∂input elementwise, when the op can state it and it is small; else null (see derivative). */
  readonly local: Tensor | null;
  /** upstream ⊗ local: what this node adds to the input's gradient. */
  readonly contribution: Tensor;
  /** The input's gradient accumulated in this pass before this step (null: none yet). */
  readonly before: Tensor | null;
  readonly after: Tensor;
}

export interface BackwardStep {
  /** 0 for the root, then in processing order. */
  readonly index: number;
  readonly node: Tensor;
  readonly backwardName: string;
  /** ∂L/∂node, complete when the step runs. */
  readonly upstream: Tensor;
  readonly inputs: readonly InputStep[];
}

/** How a leaf's `.grad` changed in this pass. */
export interface LeafUpdate {
  readonly leaf: Tensor;
  readonly before: Tensor | null;
  readonly after: Tensor;
}

export interface BackwardRecord {
  readonly steps: BackwardStep[];
  readonly leaves: LeafUpdate[];
}

/** Local derivatives larger than this are described, not stored, in records. */
export const LOCAL_VALUE_LIMIT = 4096;

export const FREED_GRAPH_MESSAGE =
  'Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.';

/**
 * Stamps in Tensor.bw at or above this value belong to the running pass:
 * base + the node's position in the order collect() discovered it, which
 * indexes the pass's work arrays.
 */
let stampBase = 0;

let scratch32 = new Float32Array(64);
let scratch64 = new Float64Array(64);

function scratch(dtype: DType, n: number): Buf {
  if (dtype === 'float32') {
    if (scratch32.length < n) scratch32 = new Float32Array(n);
    return scratch32;
  }
  if (scratch64.length < n) scratch64 = new Float64Array(n);
  return scratch64;
}

function versionError(node: Tensor): Error {
  // Only the sum of saved versions is kept; the culprit is the saved tensor
  // changed most (exact whenever one tensor was changed, the usual case).
  const saved = savedTensorsOf(node);
  const ver = (t: Tensor): number => versionOwner(t).version;
  const culprit = saved.reduce((p, t) => (ver(t) > ver(p) ? t : p));
  const v = ver(culprit);
  const times = saved.filter((t) => versionOwner(t) === versionOwner(culprit)).length;
  const expected = v - (currentSavedVersion(node) - node.savedVersion) / times;
  const what = culprit.op ? `, which is output 0 of ${backwardNameOf(culprit)},` : '';
  const type = culprit.dtype === 'float32' ? 'torch.FloatTensor' : 'torch.DoubleTensor';
  return runtimeError(
    `one of the variables needed for gradient computation has been modified by an inplace operation: [${type} [${culprit.shape.join(', ')}]]${what} is at version ${v}; expected version ${expected} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).`,
  );
}

/** Ids of the nodes collect() finds, by discovery position (-1: a leaf); reused across passes. */
let foundIds = new Float64Array(1024);
/** Gradient offsets in the dtype's arena, by discovery position; reused across passes. */
let foundOffs = new Int32Array(1024);

/** What collect() returns besides the order (module-level: it allocates nothing per pass). */
let collected32 = 0;
let collected64 = 0;

const byDescendingId = (x: Tensor, y: Tensor): number => y.id - x.id;

/**
 * Nodes reachable from root through inputs that require grad, checked, in
 * descending id order. A node found s-th is stamped with base + s in
 * Tensor.bw, and its gradient gets foundOffs[s] elements into the arena of
 * its dtype (collected32 / collected64: the arenas' sizes).
 *
 * Memory-bound on big scalar graphs: every pass over a million Tensor
 * objects scattered through the heap costs tens of milliseconds in cache
 * misses, so this walk, the one pass before the backward loop itself, notes
 * all it needs of each node (id, op nodes' id range, gradient offset) in
 * typed arrays, and the ordering below reads only those.
 */
function collect(root: Tensor, base: number): Tensor[] {
  const found: Tensor[] = [root];
  const leaves: Tensor[] = [];
  let ids = foundIds;
  let offs = foundOffs;
  let lo = Infinity;
  let hi = -Infinity;
  let n32 = 0;
  let n64 = 0;
  root.bw = base;
  for (let s = 0; s < found.length; s++) {
    const t = found[s];
    const op = t.op;
    if (s === ids.length) {
      const grown = new Float64Array(2 * s);
      grown.set(ids);
      ids = foundIds = grown;
      const grownOffs = new Int32Array(2 * s);
      grownOffs.set(offs);
      offs = foundOffs = grownOffs;
    }
    if (t.dtype === 'float32') {
      offs[s] = n32;
      n32 += t.size;
    } else {
      offs[s] = n64;
      n64 += t.size;
    }
    if (op === null) {
      ids[s] = -1;
      leaves.push(t);
      continue;
    }
    const id = t.id;
    ids[s] = id;
    if (id < lo) lo = id;
    if (id > hi) hi = id;
    if (op.savesTensors) {
      if (t.savedVersion === -1) throw runtimeError(FREED_GRAPH_MESSAGE);
      if (currentSavedVersion(t) !== t.savedVersion) throw versionError(t);
    }
    if (op.arity < 0) {
      for (const x of inputsOf(t))
        if (x.requiresGrad && x.bw < base) {
          x.bw = base + found.length;
          found.push(x);
        }
      continue;
    }
    const a = t.in0 as Tensor;
    if (a.requiresGrad && a.bw < base) {
      a.bw = base + found.length;
      found.push(a);
    }
    const b = t.in1;
    if (b !== null && b.requiresGrad && b.bw < base) {
      b.bw = base + found.length;
      found.push(b);
    }
  }
  collected32 = n32;
  collected64 = n64;
  return sortDescending(found, ids, leaves, lo, hi);
}

/**
 * Orders the found nodes by descending id. Leaves (parameters, created long
 * before the graph of a training step) come last: they propagate nothing,
 * so they only need all their contributions first. The op nodes of one
 * graph have dense ids, so a counting pass over their ids sorts them in
 * linear time (a comparison sort only when the ids are too sparse).
 */
function sortDescending(found: Tensor[], ids: Float64Array, leaves: Tensor[], lo: number, hi: number): Tensor[] {
  leaves.sort(byDescendingId);
  const nOps = found.length - leaves.length;
  if (nOps === 0) return leaves;
  const out = new Array<Tensor>(found.length);
  let k = 0;
  const span = hi - lo + 1;
  if (span > 4 * nOps + 64) {
    const ops: Tensor[] = [];
    for (let s = 0; s < found.length; s++) if (ids[s] >= 0) ops.push(found[s]);
    ops.sort(byDescendingId);
    for (; k < nOps; k++) out[k] = ops[k];
  } else {
    // slot[hi - id] = 1 + position in found
    const slot = new Int32Array(span);
    for (let s = 0; s < found.length; s++) {
      const id = ids[s];
      if (id >= 0) slot[hi - id] = s + 1;
    }
    for (let i = 0; i < span; i++) {
      const p = slot[i];
      if (p !== 0) out[k++] = found[p - 1];
    }
  }
  for (let i = 0; i < leaves.length; i++) out[k++] = leaves[i];
  return out;
}

/** Adds n elements of src into a leaf's (or retained node's) `.grad`. */
function accumulateGrad(t: Tensor, src: Buf, so: number): void {
  if (t.grad === null) {
    t.grad = snapshot(src, so, t);
    return;
  }
  const g = t.grad;
  for (let e = 0; e < t.size; e++) g.buf[g.off + e] += src[so + e];
  g.version++;
}

function snapshot(buf: Buf, off: number, like: Tensor): Tensor {
  return copyOf(new Tensor(like.shape, like.size, like.dtype, buf, off));
}

/**
 * Runs backward from `root` (tensor.backward()). Returns step records when
 * `opts.record`, else null.
 */
export function backward(root: Tensor, opts: BackwardOptions = {}): BackwardRecord | null {
  if (!root.requiresGrad) throw runtimeError('element 0 of tensors does not require grad and does not have a grad_fn');
  const gradient = opts.gradient ?? null;
  if (gradient === null) {
    if (root.size !== 1) throw runtimeError('grad can be implicitly created only for scalar outputs');
  } else if (!sameShape(gradient.shape, root.shape)) {
    throw runtimeError(
      `Mismatch in shape: grad_output[0] has a shape of ${formatShape(gradient.shape)} and output[0] has a shape of ${formatShape(root.shape)}.`,
    );
  }
  const base = stampBase;
  const order = collect(root, base);
  const n = order.length;
  stampBase = base + n + 1;

  // Gradient storage: one arena per dtype, a fixed slice per node, so the
  // pass allocates nothing per node. Work arrays are indexed by the position
  // in which collect() found a node (Tensor.bw - base), the root's being 0.
  // `has[s]`: the node received a contribution.
  const gOffs = foundOffs.slice(0, n);
  const arena32 = new Float32Array(collected32);
  const arena64 = new Float64Array(collected64);
  const has = new Uint8Array(n);
  const rootBuf: Buf = root.dtype === 'float32' ? arena32 : arena64;
  // (set() converts element by element, as the stores of a loop would.)
  if (gradient === null) rootBuf[gOffs[0]] = 1;
  else rootBuf.set(gradient.buf.subarray(gradient.off, gradient.off + gradient.size), gOffs[0]);
  has[0] = 1;

  const record: BackwardRecord | null = opts.record ? { steps: [], leaves: [] } : null;

  // Saved tensors are freed as the pass goes (one walk over the nodes fewer
  // than a loop of its own after it; nothing reads savedVersion until the
  // next pass's collect).
  const free = !opts.retainGraph;
  for (let k = 0; k < n; k++) {
    const node = order[k];
    const op = node.op;
    if (free && op !== null && op.savesTensors) node.savedVersion = -1;
    const s = node.bw - base;
    if (has[s] === 0) continue;
    const gb: Buf = node.dtype === 'float32' ? arena32 : arena64;
    const go = gOffs[s];
    if (op === null) {
      if (record) record.leaves.push({ leaf: node, before: node.grad ? copyOf(node.grad) : null, after: node });
      accumulateGrad(node, gb, go);
      if (record) (record.leaves[record.leaves.length - 1] as { after: Tensor }).after = copyOf(node.grad as Tensor);
      continue;
    }
    if (node.meta?.retainsGrad) accumulateGrad(node, gb, go);
    const inputs = op.arity < 0 ? inputsOf(node) : null;
    const count = op.arity < 0 ? (inputs as Tensor[]).length : op.arity;
    const steps: InputStep[] | null = record ? [] : null;
    for (let i = 0; i < count; i++) {
      const inp = inputs !== null ? inputs[i] : i === 0 ? (node.in0 as Tensor) : (node.in1 as Tensor);
      if (!inp.requiresGrad) continue;
      const j = inp.bw - base;
      const acc: Buf = inp.dtype === 'float32' ? arena32 : arena64;
      const ao = gOffs[j];
      let contribution: Tensor | null = null;
      let before: Tensor | null = null;
      if (has[j] === 0) {
        // First contribution: written in place (PyTorch likewise takes it as is, no add to zero).
        has[j] = 1;
        op.vjp(node, i, gb, go, acc, ao);
        if (steps) contribution = snapshot(acc, ao, inp);
      } else {
        const sc = scratch(inp.dtype, inp.size);
        op.vjp(node, i, gb, go, sc, 0);
        if (steps) {
          before = snapshot(acc, ao, inp);
          contribution = snapshot(sc, 0, inp);
        }
        for (let e = 0; e < inp.size; e++) acc[ao + e] += sc[e];
      }
      if (steps) {
        const local = op.localGrad && node.size <= LOCAL_VALUE_LIMIT ? op.localGrad(node, i) : null;
        steps.push({
          position: i,
          input: inp,
          derivative: op.derivative[Math.min(i, op.derivative.length - 1)],
          local,
          contribution: contribution as Tensor,
          before,
          after: snapshot(acc, ao, inp),
        });
      }
    }
    if (record && steps)
      record.steps.push({
        index: record.steps.length,
        node,
        backwardName: backwardNameOf(node) as string,
        upstream: snapshot(gb, go, node),
        inputs: steps,
      });
  }

  return record;
}
