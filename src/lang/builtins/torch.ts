/**
 * The `torch`, `torch.nn` and `torch.nn.functional` modules and the Tensor's
 * Python face (attributes, methods, operators, indexing), mapped onto the
 * autograd core. Integer and boolean tensors exist for data (class targets,
 * comparisons, arange); they are held in float64 storage with
 * meta.logical set, print as PyTorch prints them, and are never
 * differentiated.
 */
import * as c from '../../core';
import type { BinaryOperator, CompareOperator } from '../ast';
import { attrErr, indexErr, PyException, runtimeErr, typeErr, valueErr } from '../errors';
import { tensorRepr } from '../format/tensor-repr';
import type { Interpreter } from '../interpreter';
import { isNumber, toFloat, typeName } from '../pyops';
import { float32Repr, pyFloatRepr } from '../pyfloat';
import { CallArgs, PyBuiltin, PyList, PyModule, PyObject, PyTuple, PyType, PyValue } from '../values';
import { bindArgs } from './args';
import { registerType } from './python';
import { makeMathModule } from './math';
import { makeRandomModule } from './random';
import { Rng } from './rng';

type Logical = 'int64' | 'bool' | undefined;

/** The dtype PyTorch would show for a tensor. */
function pyDtypeOf(t: c.Tensor): string {
  return t.meta?.logical ?? t.dtype;
}

function logicalOf(t: c.Tensor): Logical {
  return t.meta?.logical;
}

function markLogical(t: c.Tensor, l: Logical): c.Tensor {
  if (l !== undefined) t.meta = { ...(t.meta ?? {}), logical: l };
  return t;
}

/** What the interpreter needs from the torch bindings. */
export interface TorchBindings {
  importModule(name: string): PyModule;
  unsupportedHint(moduleName: string): string;
  binary(op: BinaryOperator, a: PyValue, b: PyValue): PyValue;
  inplaceBinary(op: BinaryOperator, a: c.Tensor, b: PyValue): c.Tensor;
  neg(t: c.Tensor): c.Tensor;
  compare(op: CompareOperator, a: PyValue, b: PyValue): PyValue;
  getAttr(t: c.Tensor, name: string): PyValue;
  setAttr(t: c.Tensor, name: string, v: PyValue): void;
  getItem(t: c.Tensor, idx: PyValue): PyValue;
  setItem(t: c.Tensor, idx: PyValue, v: PyValue): void;
  /** .item() */
  toNumber(t: c.Tensor): bigint | number | boolean;
  /** A tensor as an assert message shows it: the number for one element, else the repr. */
  valueText(t: c.Tensor): string;
  /** The random generator behind torch.manual_seed / rand / randn. */
  readonly rng: Rng;
}

const SUPPORTED_MODULES = ['torch', 'torch.nn', 'torch.nn.functional', 'math', 'random'];

/** `repr` of one element the way torch's item() prints through Python. */
function itemOf(t: c.Tensor, k = 0): bigint | number | boolean {
  const v = t.at(k);
  const l = logicalOf(t);
  if (l === 'bool') return v !== 0;
  if (l === 'int64') return BigInt(Math.trunc(v));
  return v;
}

export function makeTorch(interp: Interpreter): TorchBindings {
  const rng = new Rng(0);
  const modules = new Map<string, PyModule>();
  const fn = (name: string, call: (a: CallArgs) => PyValue): PyBuiltin => new PyBuiltin(name, call);

  // ------------------------------------------------------------ conversions

  const dtypes = new Map<string, PyObject>();
  for (const d of ['float32', 'float64', 'int64', 'bool']) {
    const o = new PyObject('torch.dtype', `torch.${d}`);
    o.attrs.set('is_floating_point', d.startsWith('float'));
    dtypes.set(d, o);
  }
  const dtypeObj = (t: c.Tensor): PyObject => dtypes.get(pyDtypeOf(t)) as PyObject;

  function dtypeArg(v: PyValue | undefined): string | null {
    if (v === undefined || v === null) return null;
    for (const [k, o] of dtypes) if (o === v) return k;
    throw typeErr(`dtype must be a torch.dtype, not ${typeName(v)}`);
  }

  /** A Python number as a JS number for the core. */
  function num(v: PyValue, what = 'argument'): number {
    if (isNumber(v)) return toFloat(v);
    if (v instanceof c.Tensor && v.size === 1) return v.at(0);
    throw typeErr(`${what} must be a number, not ${typeName(v)}`);
  }

  function int(v: PyValue, what: string): number {
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof c.Tensor && v.size === 1 && logicalOf(v) === 'int64') return v.at(0);
    throw typeErr(`${what} must be int, not ${typeName(v)}`);
  }

  function tensorArg(v: PyValue, what: string): c.Tensor {
    if (v instanceof c.Tensor) return v;
    throw typeErr(`${what} must be Tensor, not ${typeName(v)}`);
  }


  /** Nested Python data to a tensor: the element kinds choose float32, int64 or bool, as torch.tensor does. */
  function fromData(data: PyValue, dtype: string | null): c.Tensor {
    let kind: 'bool' | 'int64' | 'float' = 'bool';
    let elements = 0;
    let sawFloat64Tensor = false;
    const walk = (v: PyValue): unknown => {
      if (v instanceof PyList || v instanceof PyTuple) return v.items.map(walk);
      elements++;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'bigint') {
        if (kind === 'bool') kind = 'int64';
        return Number(v);
      }
      if (typeof v === 'number') {
        kind = 'float';
        return v;
      }
      if (v instanceof c.Tensor) {
        if (v.size !== 1) throw valueErr('only one element tensors can be converted to Python scalars');
        const l = logicalOf(v);
        if (l === undefined) {
          kind = 'float';
          if (v.dtype === 'float64') sawFloat64Tensor = true;
        } else if (l === 'int64' && kind === 'bool') kind = 'int64';
        return v.at(0);
      }
      throw typeErr(`new(): invalid data type '${typeName(v)}'`);
    };
    const nested = walk(data);
    // No elements at all (torch.tensor([])) gives the default float dtype.
    const found = elements === 0 ? 'float' : (kind as 'bool' | 'int64' | 'float');
    const target = dtype ?? (found === 'float' ? (sawFloat64Tensor && !(data instanceof PyList) ? 'float64' : 'float32') : found);
    let t: c.Tensor;
    try {
      t = c.fromNested(nested, target === 'float32' ? 'float32' : 'float64');
    } catch (e) {
      throw valueErr(e instanceof Error ? e.message : String(e));
    }
    if (target === 'int64' || target === 'bool') {
      if (target === 'int64') for (let i = 0; i < t.size; i++) t.buf[t.off + i] = Math.trunc(t.buf[t.off + i]);
      else for (let i = 0; i < t.size; i++) t.buf[t.off + i] = t.buf[t.off + i] !== 0 ? 1 : 0;
      markLogical(t, target);
    }
    return t;
  }

  /** A float view of an int/bool tensor (copy, default dtype), for arithmetic with floats. */
  function asFloat(t: c.Tensor, dtype: c.DType = 'float32'): c.Tensor {
    if (logicalOf(t) === undefined) return t;
    return c.copyOf(t, dtype);
  }

  function setRequiresGrad(t: c.Tensor, flag: boolean): void {
    if (flag && logicalOf(t) !== undefined)
      throw runtimeErr('Only Tensors of floating point and complex dtype can require gradients');
    c.requiresGrad_(t, flag);
    if (flag && t.isLeaf) interp.onRequiresGrad?.(t);
  }

  function sizeArgs(args: readonly PyValue[], kw: ReadonlyMap<string, PyValue>, fname: string): number[] {
    let items: readonly PyValue[] = args;
    if (args.length === 1 && (args[0] instanceof PyTuple || args[0] instanceof PyList)) items = args[0].items;
    const size = kw.get('size');
    if (args.length === 0 && size !== undefined) items = size instanceof PyTuple || size instanceof PyList ? size.items : [size];
    return items.map((v) => {
      const n = int(v, `${fname}(): argument 'size'`);
      if (n < 0) throw runtimeErr(`Trying to create tensor with negative dimension ${n}: [${items.map(String).join(', ')}]`);
      return n;
    });
  }

  /** Applies the `dtype=` and `requires_grad=` keywords of a factory. */
  function finish(t: c.Tensor, kw: ReadonlyMap<string, PyValue>): c.Tensor {
    const d = dtypeArg(kw.get('dtype'));
    let out = t;
    if (d === 'float64' && t.dtype !== 'float64') out = c.copyOf(t, 'float64');
    else if (d === 'int64' || d === 'bool') {
      out = c.copyOf(t, 'float64');
      markLogical(out, d);
    }
    if (kw.get('requires_grad') === true) setRequiresGrad(out, true);
    return out;
  }

  const sizeTuple = (shape: readonly number[]): PyTuple => new PyTuple(shape.map((s) => BigInt(s)), true);

  // ------------------------------------------------------------- arithmetic

  function operand(v: PyValue, op: string, other: PyValue): c.Tensor | number {
    if (v instanceof c.Tensor) return v;
    if (isNumber(v)) return toFloat(v);
    throw typeErr(`unsupported operand type(s) for ${op}: '${typeName(v === other ? v : v)}' and '${typeName(other)}'`);
  }

  function isIntLike(v: PyValue): boolean {
    if (v instanceof c.Tensor) return logicalOf(v) !== undefined;
    return typeof v === 'bigint' || typeof v === 'boolean';
  }

  /** f over two broadcast operands, outside the graph (comparisons, integer and floor arithmetic). */
  function floatElementwise(a: c.Tensor | number, b: c.Tensor | number, f: (x: number, y: number) => number): c.Tensor {
    const ta = a instanceof c.Tensor ? a : c.scalar(a, 'float64');
    const tb = b instanceof c.Tensor ? b : c.scalar(b, 'float64');
    const shape = c.broadcastShapes(ta.shape, tb.shape);
    const dtype = ta.dtype === 'float64' && tb.dtype === 'float64' ? 'float64' : a instanceof c.Tensor ? ta.dtype : tb.dtype;
    const out = c.empty(shape, dtype);
    const ia = c.broadcastIndex(shape, c.broadcastStrides(ta.shape, shape));
    const ib = c.broadcastIndex(shape, c.broadcastStrides(tb.shape, shape));
    for (let i = 0; i < out.size; i++) out.buf[out.off + i] = f(ta.at(ia[i]), tb.at(ib[i]));
    return out;
  }

  function binary(op: BinaryOperator, a: PyValue, b: PyValue): PyValue {
    // Integer tensors (with ints): integer results, except true division.
    if (isIntLike(a) && isIntLike(b)) {
      const x = operand(a, op, b);
      const y = operand(b, op, a);
      if (op === '/') return binary(op, toFloatOperand(a), toFloatOperand(b));
      const r = c.noGrad(() => {
        switch (op) {
          case '+':
            return floatElementwise(x, y, (p, q) => p + q);
          case '-':
            return floatElementwise(x, y, (p, q) => p - q);
          case '*':
            return floatElementwise(x, y, (p, q) => p * q);
          case '//':
            return floatElementwise(x, y, (p, q) => {
              if (q === 0) throw runtimeErr('ZeroDivisionError');
              return Math.floor(p / q);
            });
          case '%':
            return floatElementwise(x, y, (p, q) => {
              if (q === 0) throw runtimeErr('ZeroDivisionError');
              return p - Math.floor(p / q) * q;
            });
          case '**':
            return floatElementwise(x, y, (p, q) => Math.trunc(Math.pow(p, q)));
          default:
            throw typeErr(`unsupported operand type(s) for ${op} on integer tensors`);
        }
      });
      return markLogical(c.copyOf(r, 'float64'), 'int64');
    }
    const x = operand(toFloatOperand(a), op, b);
    const y = operand(toFloatOperand(b), op, a);
    switch (op) {
      case '+':
        return c.add(x, y);
      case '-':
        return c.sub(x, y);
      case '*':
        return c.mul(x, y);
      case '/':
        return c.div(x, y);
      case '**':
        return c.pow(x, y);
      case '@':
        if (!(x instanceof c.Tensor) || !(y instanceof c.Tensor))
          throw typeErr(`unsupported operand type(s) for @: '${typeName(a)}' and '${typeName(b)}'`);
        return c.matmul(x, y);
      case '//':
      case '%': {
        if ((x instanceof c.Tensor && x.requiresGrad && c.isGradEnabled()) || (y instanceof c.Tensor && y.requiresGrad && c.isGradEnabled()))
          throw runtimeErr(`the gradient of '${op}' on tensors is not supported by Backprop Debugger`);
        return floatElementwise(x, y, op === '//' ? (p, q) => Math.floor(p / q) : (p, q) => p - Math.floor(p / q) * q);
      }
    }
  }

  /** An int tensor meeting a float operand becomes float32 (PyTorch's promotion). */
  function toFloatOperand(v: PyValue): PyValue {
    return v instanceof c.Tensor ? asFloat(v) : v;
  }

  function inplaceBinary(op: BinaryOperator, a: c.Tensor, b: PyValue): c.Tensor {
    const other = b instanceof c.Tensor ? asFloat(b, a.dtype) : isNumber(b) ? toFloat(b) : null;
    if (other === null) throw typeErr(`unsupported operand type(s) for ${op}=: 'Tensor' and '${typeName(b)}'`);
    if (logicalOf(a) !== undefined && (typeof b === 'number' || (b instanceof c.Tensor && logicalOf(b) === undefined)))
      throw runtimeErr("result type Float can't be cast to the desired output type Long");
    switch (op) {
      case '+':
        return c.addInPlace(a, other);
      case '-':
        return c.subInPlace(a, other);
      case '*':
        return c.mulInPlace(a, other);
      case '/':
        return c.divInPlace(a, other);
      default: {
        const r = binary(op, a, b) as c.Tensor;
        return c.copyInPlace(a, r);
      }
    }
  }

  function compare(op: CompareOperator, a: PyValue, b: PyValue): PyValue {
    const x = operand(a, op, b);
    const y = operand(b, op, a);
    const f = {
      '<': (p: number, q: number) => p < q,
      '<=': (p: number, q: number) => p <= q,
      '>': (p: number, q: number) => p > q,
      '>=': (p: number, q: number) => p >= q,
      '==': (p: number, q: number) => p === q,
      '!=': (p: number, q: number) => p !== q,
    }[op as '<'];
    if (f === undefined) throw typeErr(`'${op}' is not supported between tensors`);
    const r = floatElementwise(x, y, (p, q) => (f(p, q) ? 1 : 0));
    return markLogical(c.copyOf(r, 'float64'), 'bool');
  }

  // ---------------------------------------------------------------- indexing

  /** Applies a Python index (int, slice, tuple of them) to a tensor through the core's select/slice. */
  function index(t: c.Tensor, idx: PyValue): c.Tensor {
    const parts = idx instanceof PyTuple ? idx.items : [idx];
    let out = t;
    let dim = 0;
    for (const p of parts) {
      if (p instanceof PyObject && p.typeName === 'slice') {
        const get = (k: string): number | null => {
          const v = p.attrs.get(k);
          return v === null || v === undefined ? null : int(v, 'slice indices');
        };
        if (dim >= out.ndim) throw indexErr(`too many indices for tensor of dimension ${t.ndim}`);
        out = c.slice(out, dim, get('start'), get('stop'), get('step') ?? 1);
        dim++;
      } else if (p === null) {
        throw indexErr('indexing with None (new axis) is not supported by Backprop Debugger; use unsqueeze()');
      } else if (typeof p === 'bigint' || typeof p === 'boolean' || (p instanceof c.Tensor && p.size === 1 && logicalOf(p) === 'int64')) {
        if (dim >= out.ndim) throw indexErr(`too many indices for tensor of dimension ${t.ndim}`);
        out = c.select(out, dim, int(p, 'index'));
      } else if (p instanceof c.Tensor || p instanceof PyList) {
        throw indexErr('indexing with a tensor or list (advanced indexing) is not supported by Backprop Debugger');
      } else throw indexErr('only integers, slices (`:`), ellipsis (`...`), None and long or byte Variables are valid indices (got ' + typeName(p) + ')');
    }
    return markLogical(out, logicalOf(t));
  }

  function setItem(t: c.Tensor, idx: PyValue, v: PyValue): void {
    // Which elements does t[idx] cover? Index a tensor of flat positions the same way.
    const positions = c.noGrad(() => {
      const pos = c.fromValues(Array.from({ length: t.size }, (_x, i) => i), t.shape, 'float64');
      return index(pos, idx);
    });
    const src = v instanceof c.Tensor ? v : isNumber(v) ? c.scalar(toFloat(v), 'float64') : null;
    if (src === null) throw typeErr(`can't assign a ${typeName(v)} to a Tensor`);
    const shape = c.broadcastShapes(positions.shape, src.shape);
    if (shape.length !== positions.ndim || shape.some((s, i) => s !== positions.shape[i]))
      throw runtimeErr(`shape mismatch: value tensor of shape [${src.shape.join(', ')}] cannot be broadcast to indexing result of shape [${positions.shape.join(', ')}]`);
    const vals = c.noGrad(() => c.add(c.mul(c.scalar(0, 'float64'), positions), src));
    if (c.isGradEnabled() && t.requiresGrad) {
      if (t.isLeaf) throw runtimeErr('a leaf Variable that requires grad is being used in an in-place operation.');
      throw runtimeErr('in-place assignment into a tensor that is part of the autograd graph is not supported by Backprop Debugger');
    }
    for (let i = 0; i < positions.size; i++) t.buf[t.off + positions.at(i)] = vals.at(i);
    c.versionOwner(t).version++;
  }

  // ----------------------------------------------------------- tensor methods

  function reduceDim(v: PyValue | undefined): number | number[] | null {
    if (v === undefined || v === null) return null;
    if (v instanceof PyTuple || v instanceof PyList) return v.items.map((x) => int(x, 'dim'));
    return int(v, 'dim');
  }

  /** torch.return_types.max(values=…, indices=…) */
  function returnTypes(name: string, values: c.Tensor, indices: number[]): PyTuple {
    const idx = markLogical(c.fromValues(indices, values.shape, 'float64'), 'int64');
    return new PyTuple([values, idx], false, ['values', 'indices'], `torch.return_types.${name}`);
  }

  function extreme(t: c.Tensor, a: CallArgs, isMax: boolean, fname: string): PyValue {
    const [dim, keepdim] = bindArgs(a, fname, ['dim', 'keepdim'], { dim: null, keepdim: false });
    if (dim === null) return markLogical(isMax ? c.max(t) : c.min(t), logicalOf(t));
    if (dim instanceof c.Tensor) return binaryExtreme(t, dim, isMax);
    const r = (isMax ? c.maxDim : c.minDim)(t, int(dim, 'dim'), keepdim === true);
    markLogical(r.values, logicalOf(t));
    return returnTypes(fname, r.values, r.indices);
  }

  function binaryExtreme(a: c.Tensor, b: c.Tensor, isMax: boolean): c.Tensor {
    if (a.requiresGrad || b.requiresGrad) throw runtimeErr('torch.max(a, b) with gradients is not supported by Backprop Debugger');
    return floatElementwise(a, b, (p, q) => (p !== p || q !== q ? NaN : isMax ? Math.max(p, q) : Math.min(p, q)));
  }

  function shapeArgs(a: CallArgs, fname: string): number[] {
    const items = a.args.length === 1 && (a.args[0] instanceof PyTuple || a.args[0] instanceof PyList) ? (a.args[0] as PyList).items : a.args;
    if (items.length === 0 && a.kwargs.has('shape')) return sizeArgs([a.kwargs.get('shape') as PyValue], new Map(), fname);
    return items.map((x) => int(x, `${fname}(): argument 'shape'`));
  }

  function unaryMethod(t: c.Tensor, f: (x: c.Tensor) => c.Tensor): PyBuiltin {
    return fn('method', (a) => {
      bindArgs(a, 'method', [], {});
      return f(asFloat(t));
    });
  }

  function backward(t: c.Tensor, a: CallArgs): PyValue {
    const [gradient, retainGraph] = bindArgs(a, 'backward', ['gradient', 'retain_graph', 'create_graph', 'inputs'], {
      gradient: null,
      retain_graph: null,
      create_graph: false,
      inputs: null,
    });
    const g = gradient === null ? null : tensorArg(gradient, 'gradient');
    const record = c.backward(t, { gradient: g, retainGraph: retainGraph === true, record: interp.recordBackward });
    interp.backwardCalls.push({ range: interp.currentRange(), root: t, record });
    return null;
  }

  function gradFnObject(t: c.Tensor): PyValue {
    const name = c.backwardNameOf(t);
    if (name === null) return null;
    const o = new PyObject(name, `<${name} object at 0x${(0x7f0000000000 + t.id * 64).toString(16)}>`);
    o.attrs.set('name', fn('name', () => name));
    o.attrs.set('next_functions', new PyTuple(c.inputsOf(t).map((x) => new PyTuple([gradFnObject(x) ?? null, 0n]))));
    return o;
  }

  function getAttr(t: c.Tensor, name: string): PyValue {
    switch (name) {
      case 'grad':
        return t.grad;
      case 'data':
        return markLogical(c.dataOf(t), logicalOf(t));
      case 'requires_grad':
        return t.requiresGrad;
      case 'is_leaf':
        return t.isLeaf;
      case 'grad_fn':
        return gradFnObject(t);
      case 'shape':
        return sizeTuple(t.shape);
      case 'T':
        return markLogical(c.T(t), logicalOf(t));
      case 'dtype':
        return dtypeObj(t);
      case 'ndim':
        return BigInt(t.ndim);
      case 'device':
        return new PyObject('torch.device', "device(type='cpu')");
    }
    const m = tensorMethod(t, name);
    if (m === null) throw attrErr(`'Tensor' object has no attribute '${name}'`);
    return m;
  }

  function tensorMethod(t: c.Tensor, name: string): PyBuiltin | null {
    const m = (f: (a: CallArgs) => PyValue): PyBuiltin => fn(name, f);
    switch (name) {
      case 'item':
        return m((a) => {
          bindArgs(a, 'item', [], {});
          if (t.size !== 1)
            throw valueErr(`only one element tensors can be converted to Python scalars`);
          return itemOf(t);
        });
      case 'tolist':
        return m(() => toList(t));
      case 'backward':
        return m((a) => backward(t, a));
      case 'zero_':
        return m(() => c.zeroInPlace(t));
      case 'fill_':
        return m((a) => c.fillInPlace(t, num(bindArgs(a, 'fill_', ['value'], {})[0])));
      case 'add_':
      case 'sub_':
      case 'mul_':
      case 'div_':
        return m((a) => {
          const [other, alpha] = bindArgs(a, name, ['other', 'alpha'], { alpha: 1n });
          const o = alpha === 1n ? other : binary('*', other, alpha);
          return inplaceBinary(({ add_: '+', sub_: '-', mul_: '*', div_: '/' } as const)[name], t, o);
        });
      case 'copy_':
        return m((a) => c.copyInPlace(t, tensorArg(bindArgs(a, 'copy_', ['src'], {})[0], 'src')));
      case 'detach':
        return m(() => markLogical(c.detach(t), logicalOf(t)));
      case 'requires_grad_':
        return m((a) => {
          const [flag] = bindArgs(a, 'requires_grad_', ['requires_grad'], { requires_grad: true });
          setRequiresGrad(t, flag === true);
          return t;
        });
      case 'retain_grad':
        return m(() => {
          c.retainGrad(t);
          return null;
        });
      case 't':
        return m(() => markLogical(c.t(t), logicalOf(t)));
      case 'transpose':
        return m((a) => {
          const [d0, d1] = bindArgs(a, 'transpose', ['dim0', 'dim1'], {});
          return markLogical(c.transpose(t, int(d0, 'dim0'), int(d1, 'dim1')), logicalOf(t));
        });
      case 'reshape':
      case 'view':
        return m((a) => markLogical((name === 'view' ? c.view : c.reshape)(t, shapeArgs(a, name)), logicalOf(t)));
      case 'flatten':
        return m(() => markLogical(c.reshape(t, [-1]), logicalOf(t)));
      case 'unsqueeze':
        return m((a) => {
          const d = int(bindArgs(a, 'unsqueeze', ['dim'], {})[0], 'dim');
          const dim = d < 0 ? d + t.ndim + 1 : d;
          if (dim < 0 || dim > t.ndim)
            throw indexErr(`Dimension out of range (expected to be in range of [${-t.ndim - 1}, ${t.ndim}], but got ${d})`);
          const shape = [...t.shape];
          shape.splice(dim, 0, 1);
          return markLogical(c.view(t, shape), logicalOf(t));
        });
      case 'squeeze':
        return m((a) => {
          const [d] = bindArgs(a, 'squeeze', ['dim'], { dim: null });
          const dim = d === null ? null : ((int(d, 'dim') % Math.max(t.ndim, 1)) + Math.max(t.ndim, 1)) % Math.max(t.ndim, 1);
          const shape = t.shape.filter((s, i) => s !== 1 || (dim !== null && i !== dim));
          return markLogical(c.view(t, shape), logicalOf(t));
        });
      case 'sum':
      case 'mean':
        return m((a) => {
          const [dim, keepdim] = bindArgs(a, name, ['dim', 'keepdim'], { dim: null, keepdim: false });
          if (name === 'mean' && logicalOf(t) !== undefined)
            throw runtimeErr('mean(): could not infer output dtype. Input dtype must be either a floating point or complex dtype. Got: Long');
          const r = (name === 'sum' ? c.sum : c.mean)(t, reduceDim(dim), keepdim === true);
          return markLogical(r, logicalOf(t) === undefined ? undefined : 'int64');
        });
      case 'max':
      case 'min':
        return m((a) => extreme(t, a, name === 'max', name));
      case 'argmax':
      case 'argmin':
        return m((a) => {
          const [dim, keepdim] = bindArgs(a, name, ['dim', 'keepdim'], { dim: null, keepdim: false });
          const flat = dim === null ? c.reshape(c.detach(t), [-1]) : c.detach(t);
          const r = (name === 'argmax' ? c.maxDim : c.minDim)(flat, dim === null ? 0 : int(dim, 'dim'), keepdim === true);
          return markLogical(c.fromValues(r.indices, r.values.shape, 'float64'), 'int64');
        });
      case 'pow':
        return m((a) => binary('**', t, bindArgs(a, 'pow', ['exponent'], {})[0]));
      case 'add':
      case 'sub':
      case 'mul':
      case 'div':
      case 'matmul':
      case 'mm':
      case 'dot':
        return m((a) => {
          const [other] = bindArgs(a, name, ['other'], {});
          const op = ({ add: '+', sub: '-', mul: '*', div: '/', matmul: '@', mm: '@', dot: '@' } as const)[name];
          return binary(op, t, other);
        });
      case 'exp':
        return unaryMethod(t, c.exp);
      case 'log':
        return unaryMethod(t, c.log);
      case 'sqrt':
        return unaryMethod(t, c.sqrt);
      case 'abs':
        return m(() => (logicalOf(t) ? markLogical(c.abs(t), logicalOf(t)) : c.abs(t)));
      case 'sin':
        return unaryMethod(t, c.sin);
      case 'cos':
        return unaryMethod(t, c.cos);
      case 'tanh':
        return unaryMethod(t, c.tanh);
      case 'sigmoid':
        return unaryMethod(t, c.sigmoid);
      case 'relu':
        return unaryMethod(t, c.relu);
      case 'neg':
        return unaryMethod(t, c.neg);
      case 'reciprocal':
        return unaryMethod(t, c.reciprocal);
      case 'clamp':
      case 'clip':
        return m((a) => clampCall(t, a));
      case 'softmax':
      case 'log_softmax':
        return m((a) => {
          const [dim] = bindArgs(a, name, ['dim'], {});
          return (name === 'softmax' ? c.softmax : c.logSoftmax)(asFloat(t), int(dim, 'dim'));
        });
      case 'size':
        return m((a) => {
          const [dim] = bindArgs(a, 'size', ['dim'], { dim: null });
          if (dim === null) return sizeTuple(t.shape);
          const d = int(dim, 'dim');
          const nd = t.ndim;
          if (d < -nd || d >= nd) throw indexErr(`Dimension out of range (expected to be in range of [${-nd}, ${nd - 1}], but got ${d})`);
          return BigInt(t.shape[d < 0 ? d + nd : d]);
        });
      case 'numel':
        return m(() => BigInt(t.size));
      case 'dim':
        return m(() => BigInt(t.ndim));
      case 'float':
        return m(() => (t.dtype === 'float32' && !logicalOf(t) ? t : c.copyOf(t, 'float32')));
      case 'double':
        return m(() => (t.dtype === 'float64' && !logicalOf(t) ? t : c.copyOf(t, 'float64')));
      case 'long':
      case 'int':
        return m(() => {
          const r = c.copyOf(t, 'float64');
          for (let i = 0; i < r.size; i++) r.buf[r.off + i] = Math.trunc(r.buf[r.off + i]);
          return markLogical(r, 'int64');
        });
      case 'clone':
        return m(() => markLogical(c.clone(t), logicalOf(t)));
      case 'contiguous':
        return m(() => c.contiguous(t));
      case 'numpy':
        return m(() => {
          throw runtimeErr('numpy is not available in Backprop Debugger; use .tolist() or .item()');
        });
      case 'isclose':
      case 'allclose':
        return m((a) => closeness(name === 'allclose', { args: [t, ...a.args], kwargs: a.kwargs }));
    }
    return null;
  }

  function toList(t: c.Tensor): PyValue {
    if (t.ndim === 0) return itemOf(t);
    let k = 0;
    const build = (d: number): PyList => {
      const out: PyValue[] = [];
      for (let i = 0; i < t.shape[d]; i++) out.push(d === t.ndim - 1 ? itemOf(t, k++) : build(d + 1));
      return new PyList(out);
    };
    return build(0);
  }

  function clampCall(t: c.Tensor, a: CallArgs): c.Tensor {
    const [min, max] = bindArgs(a, 'clamp', ['min', 'max'], { min: null, max: null });
    if (min === null && max === null) throw runtimeErr("torch.clamp: At least one of 'min' or 'max' must not be None");
    return c.clamp(asFloat(t), min === null ? null : num(min), max === null ? null : num(max));
  }

  function setAttr(t: c.Tensor, name: string, v: PyValue): void {
    switch (name) {
      case 'grad':
        if (v !== null) {
          const g = tensorArg(v, 'assigned grad');
          if (g.size !== t.size) throw runtimeErr('assigned grad has data of a different size');
          t.grad = g;
        } else t.grad = null;
        return;
      case 'data':
        c.setData(t, tensorArg(v, 'data'));
        return;
      case 'requires_grad':
        if (typeof v !== 'boolean') throw typeErr('requires_grad must be a bool');
        if (!t.isLeaf && !v) c.requiresGrad_(t, false);
        setRequiresGrad(t, v);
        return;
    }
    throw attrErr(`attribute '${name}' of 'torch._C._TensorBase' objects is not writable`);
  }

  // ------------------------------------------------------------------ modules

  function closeness(all: boolean, a: CallArgs): PyValue {
    const [x, y, rtol, atol, equalNan] = bindArgs(a, all ? 'allclose' : 'isclose', ['input', 'other', 'rtol', 'atol', 'equal_nan'], {
      rtol: 1e-5,
      atol: 1e-8,
      equal_nan: false,
    });
    const tx = asFloat(tensorArg(x, `${all ? 'allclose' : 'isclose'}(): argument 'input' (position 1)`));
    const ty = asFloat(tensorArg(y, `${all ? 'allclose' : 'isclose'}(): argument 'other' (position 2)`), tx.dtype);
    const rt = num(rtol);
    const at = num(atol);
    // torch.isclose: |x - y| <= atol + rtol * |y| in the inputs' dtype; NaN is never close unless equal_nan.
    const r = c.noGrad(() => {
      const diff = c.abs(c.sub(tx, ty));
      const allowed = c.add(c.mul(c.abs(ty), rt), at);
      return floatElementwise(diff, allowed, (p, q) => (p <= q ? 1 : 0));
    });
    const eq = floatElementwise(tx, ty, (p, q) => (p === q || (equalNan === true && p !== p && q !== q) ? 1 : 0));
    for (let i = 0; i < r.size; i++) if (eq.at(i) === 1) r.buf[r.off + i] = 1;
    if (all) {
      for (let i = 0; i < r.size; i++) if (r.at(i) === 0) return false;
      return true;
    }
    return markLogical(c.copyOf(r, 'float64'), 'bool');
  }

  function unaryFn(name: string, f: (t: c.Tensor) => c.Tensor): PyBuiltin {
    return fn(name, (a) => {
      const [x] = bindArgs(a, name, ['input'], {});
      return f(asFloat(tensorArg(x, `${name}(): argument 'input'`)));
    });
  }

  function lossTarget(v: PyValue): number[] {
    const t = tensorArg(v, 'target');
    if (logicalOf(t) !== 'int64') throw runtimeErr(`expected scalar type Long but found ${pyDtypeOf(t) === 'float32' ? 'Float' : 'Double'}`);
    return t.values();
  }

  function makeFunctional(): PyModule {
    const F = new Map<string, PyValue>();
    for (const [name, f] of [
      ['relu', c.relu],
      ['sigmoid', c.sigmoid],
      ['tanh', c.tanh],
    ] as const)
      F.set(name, unaryFn(name, f));
    F.set(
      'mse_loss',
      fn('mse_loss', (a) => {
        const [x, y, , , reduction] = bindArgs(a, 'mse_loss', ['input', 'target', 'size_average', 'reduce', 'reduction'], {
          size_average: null,
          reduce: null,
          reduction: 'mean',
        });
        return c.mseLoss(asFloat(tensorArg(x, 'input')), asFloat(tensorArg(y, 'target')), String(reduction));
      }),
    );
    for (const name of ['softmax', 'log_softmax'] as const)
      F.set(
        name,
        fn(name, (a) => {
          const [x, dim] = bindArgs(a, name, ['input', 'dim', '_stacklevel', 'dtype'], { dim: null, _stacklevel: 3n, dtype: null });
          const t = asFloat(tensorArg(x, 'input'));
          const d = dim === null ? (t.ndim === 0 || t.ndim === 1 || t.ndim === 3 ? 0 : 1) : int(dim, 'dim');
          return (name === 'softmax' ? c.softmax : c.logSoftmax)(t, d);
        }),
      );
    F.set(
      'cross_entropy',
      fn('cross_entropy', (a) => {
        const [x, y, , , , , reduction] = bindArgs(
          a,
          'cross_entropy',
          ['input', 'target', 'weight', 'size_average', 'ignore_index', 'reduce', 'reduction', 'label_smoothing'],
          { weight: null, size_average: null, ignore_index: -100n, reduce: null, reduction: 'mean', label_smoothing: 0 },
        );
        return c.crossEntropy(asFloat(tensorArg(x, 'input')), lossTarget(y), String(reduction));
      }),
    );
    F.set(
      'nll_loss',
      fn('nll_loss', (a) => {
        const [x, y, , , , , reduction] = bindArgs(
          a,
          'nll_loss',
          ['input', 'target', 'weight', 'size_average', 'ignore_index', 'reduce', 'reduction'],
          { weight: null, size_average: null, ignore_index: -100n, reduce: null, reduction: 'mean' },
        );
        return c.nllLoss(asFloat(tensorArg(x, 'input')), lossTarget(y), String(reduction));
      }),
    );
    F.set(
      'binary_cross_entropy',
      fn('binary_cross_entropy', (a) => {
        const [x, y, , , , reduction] = bindArgs(
          a,
          'binary_cross_entropy',
          ['input', 'target', 'weight', 'size_average', 'reduce', 'reduction'],
          { weight: null, size_average: null, reduce: null, reduction: 'mean' },
        );
        const input = asFloat(tensorArg(x, 'input'));
        return c.binaryCrossEntropy(input, asFloat(tensorArg(y, 'target'), input.dtype), String(reduction));
      }),
    );
    return new PyModule('torch.nn.functional', F);
  }

  function factory(name: string, fill: (shape: number[], a: CallArgs) => c.Tensor): PyBuiltin {
    return fn(name, (a) => {
      const kwargs = new Map(a.kwargs);
      const dt = dtypeArg(kwargs.get('dtype'));
      const t = fill(sizeArgs(a.args, kwargs, name), a);
      const out = dt === 'float64' ? c.copyOf(t, 'float64') : t;
      if (dt === 'int64' || dt === 'bool') markLogical(out, dt);
      if (kwargs.get('requires_grad') === true) setRequiresGrad(out, true);
      return out;
    });
  }

  function makeTorchModule(F: PyModule, nn: PyModule): PyModule {
    const T = new Map<string, PyValue>();
    for (const [k, o] of dtypes) T.set(k, o);
    T.set('float', dtypes.get('float32') as PyValue);
    T.set('double', dtypes.get('float64') as PyValue);
    T.set('long', dtypes.get('int64') as PyValue);
    T.set('nn', nn);
    T.set('__version__', '1.13.0 (Backprop Debugger)');
    const tensorFn = fn('tensor', (a) => {
      const [data, dtype, , requiresGrad] = bindArgs(a, 'tensor', ['data', 'dtype', 'device', 'requires_grad', 'pin_memory'], {
        dtype: null,
        device: null,
        requires_grad: false,
        pin_memory: false,
      });
      const t = fromData(data, dtypeArg(dtype));
      if (requiresGrad === true) setRequiresGrad(t, true);
      return t;
    });
    T.set('tensor', tensorFn);
    const legacyCall =
      (name: string) =>
      (a: CallArgs): PyValue => {
        if (a.args.length === 1 && (a.args[0] instanceof PyList || a.args[0] instanceof PyTuple || a.args[0] instanceof c.Tensor))
          return asFloat(fromData(a.args[0], 'float32'));
        return c.full(sizeArgs(a.args, a.kwargs, name), 0, 'float32');
      };
    const legacy = (name: string): PyBuiltin => fn(name, legacyCall(name));
    // torch.Tensor is both the legacy constructor and the class: isinstance(t, torch.Tensor), type(t).
    const tensorType = new PyType('torch.Tensor', legacyCall('Tensor'), (v) => v instanceof c.Tensor);
    T.set('Tensor', tensorType);
    // isinstance(t, torch.Tensor) and type(t) is torch.Tensor
    registerType(interp, tensorType, (v) => v instanceof c.Tensor);
    T.set('FloatTensor', legacy('FloatTensor'));
    T.set('zeros', factory('zeros', (s) => c.full(s, 0)));
    T.set('ones', factory('ones', (s) => c.full(s, 1)));
    T.set(
      'full',
      fn('full', (a) => {
        const [size, value] = bindArgs(a, 'full', ['size', 'fill_value', 'dtype', 'requires_grad'], { dtype: null, requires_grad: false });
        const t = c.full(sizeArgs([size], new Map(), 'full'), num(value), 'float32');
        if (isIntLike(value) && !a.kwargs.has('dtype')) markLogical(c.copyOf(t, 'float64'), 'int64');
        return finish(t, a.kwargs);
      }),
    );
    for (const [name, v] of [
      ['zeros_like', 0],
      ['ones_like', 1],
    ] as const)
      T.set(
        name,
        fn(name, (a) => {
          const x = tensorArg(a.args[0] ?? a.kwargs.get('input') ?? null, 'input');
          const t = markLogical(c.full(x.shape, v, x.dtype), logicalOf(x));
          return finish(t, a.kwargs);
        }),
      );
    T.set(
      'arange',
      fn('arange', (a) => {
        const nums = a.args;
        const [start, end, step] = nums.length === 1 ? [0n, nums[0], 1n] : [nums[0], nums[1], nums[2] ?? 1n];
        const allInt = [start, end, step].every((v) => typeof v === 'bigint');
        const s0 = num(start);
        const s1 = num(end);
        const st = num(step);
        if (st === 0) throw runtimeErr('step must be nonzero');
        const n = Math.max(0, Math.ceil((s1 - s0) / st));
        const vals = Array.from({ length: n }, (_x, i) => s0 + i * st);
        const t = c.fromValues(vals, [n], allInt ? 'float64' : 'float32');
        if (allInt && !a.kwargs.has('dtype')) markLogical(t, 'int64');
        return finish(t, a.kwargs);
      }),
    );
    T.set(
      'linspace',
      fn('linspace', (a) => {
        const [start, end, steps] = bindArgs(a, 'linspace', ['start', 'end', 'steps', 'dtype', 'requires_grad'], {
          dtype: null,
          requires_grad: false,
        });
        const n = int(steps, 'steps');
        const s0 = num(start);
        const s1 = num(end);
        const step = n > 1 ? (s1 - s0) / (n - 1) : 0;
        // PyTorch fills the first half from start and the second from end.
        const vals = Array.from({ length: n }, (_x, i) => (i < n / 2 ? s0 + step * i : s1 - step * (n - 1 - i)));
        return finish(c.fromValues(vals, [n], 'float32'), a.kwargs);
      }),
    );
    T.set(
      'eye',
      fn('eye', (a) => {
        const [n, m] = bindArgs(a, 'eye', ['n', 'm', 'dtype', 'requires_grad'], { m: null, dtype: null, requires_grad: false });
        const rows = int(n, 'n');
        const cols = m === null ? rows : int(m, 'm');
        const t = c.full([rows, cols], 0, 'float32');
        for (let i = 0; i < Math.min(rows, cols); i++) t.buf[t.off + i * cols + i] = 1;
        return finish(t, a.kwargs);
      }),
    );
    for (const name of ['stack', 'cat'] as const)
      T.set(
        name,
        fn(name, (a) => {
          const [seq, dim] = bindArgs(a, name, ['tensors', 'dim'], { dim: 0n });
          if (!(seq instanceof PyList || seq instanceof PyTuple)) throw typeErr(`${name}(): argument 'tensors' must be tuple of Tensors, not ${typeName(seq)}`);
          const ts = seq.items.map((x, i) => tensorArg(x, `${name}(): expected Tensor as element ${i} in argument 0, but got ${typeName(x)}`));
          const l = ts.length > 0 && ts.every((x) => logicalOf(x) === logicalOf(ts[0])) ? logicalOf(ts[0]) : undefined;
          return markLogical((name === 'stack' ? c.stack : c.cat)(l === undefined ? ts.map((x) => asFloat(x)) : ts, int(dim, 'dim')), l);
        }),
      );
    T.set(
      'manual_seed',
      fn('manual_seed', (a) => {
        const [seed] = bindArgs(a, 'manual_seed', ['seed'], {});
        rng.seed(int(seed, 'seed'));
        return new PyObject('torch._C.Generator', '<torch._C.Generator object>');
      }),
    );
    T.set('rand', factory('rand', (s) => c.fromValues(Array.from({ length: s.reduce((p, x) => p * x, 1) }, () => rng.nextFloat()), s)));
    T.set('randn', factory('randn', (s) => c.fromValues(Array.from({ length: s.reduce((p, x) => p * x, 1) }, () => rng.nextNormal()), s)));
    for (const [name, f] of [
      ['exp', c.exp],
      ['log', c.log],
      ['sqrt', c.sqrt],
      ['abs', c.abs],
      ['sin', c.sin],
      ['cos', c.cos],
      ['tanh', c.tanh],
      ['sigmoid', c.sigmoid],
      ['relu', c.relu],
      ['neg', c.neg],
    ] as const)
      T.set(name, unaryFn(name, f));
    T.set(
      'pow',
      fn('pow', (a) => {
        const [x, e] = bindArgs(a, 'pow', ['input', 'exponent'], {});
        return binary('**', x, e);
      }),
    );
    for (const name of ['sum', 'mean', 'max', 'min', 'matmul', 'mm', 'dot', 'clamp', 'softmax', 'log_softmax', 't', 'transpose', 'reshape', 'argmax', 'argmin', 'squeeze', 'unsqueeze', 'flatten', 'add', 'sub', 'mul', 'div'] as const)
      T.set(
        name,
        fn(name, (a) => {
          const self = tensorArg(a.args[0] ?? a.kwargs.get('input') ?? null, `${name}(): argument 'input'`);
          const kwargs = new Map(a.kwargs);
          kwargs.delete('input');
          const method = tensorMethod(self, name) as PyBuiltin;
          return method.call({ args: a.args.slice(1), kwargs });
        }),
      );
    T.set('isclose', fn('isclose', (a) => closeness(false, a)));
    T.set('allclose', fn('allclose', (a) => closeness(true, a)));
    T.set(
      'no_grad',
      fn('no_grad', (a) => {
        bindArgs(a, 'no_grad', [], {});
        let prev = true;
        return new PyObject(
          'torch.no_grad',
          '<torch.autograd.grad_mode.no_grad object>',
          () => {
            prev = c.setGradEnabled(false);
            return null;
          },
          () => {
            c.setGradEnabled(prev);
          },
        );
      }),
    );
    T.set(
      'enable_grad',
      fn('enable_grad', () => {
        let prev = true;
        return new PyObject(
          'torch.enable_grad',
          '<torch.autograd.grad_mode.enable_grad object>',
          () => {
            prev = c.setGradEnabled(true);
            return null;
          },
          () => {
            c.setGradEnabled(prev);
          },
        );
      }),
    );
    T.set('is_grad_enabled', fn('is_grad_enabled', () => c.isGradEnabled()));
    T.set(
      'is_tensor',
      fn('is_tensor', (a) => bindArgs(a, 'is_tensor', ['obj'], {})[0] instanceof c.Tensor),
    );
    T.set(
      'numel',
      fn('numel', (a) => BigInt(tensorArg(bindArgs(a, 'numel', ['input'], {})[0], 'input').size)),
    );
    return new PyModule('torch', T);
  }

  const F = makeFunctional();
  const nnAttrs = new Map<string, PyValue>([['functional', F]]);
  const nn = new PyModule('torch.nn', nnAttrs);
  const torch = makeTorchModule(F, nn);
  modules.set('torch', torch);
  modules.set('torch.nn', nn);
  modules.set('torch.nn.functional', F);
  modules.set('math', makeMathModule());
  modules.set('random', makeRandomModule(new Rng(0)));

  return {
    rng,
    importModule(name: string): PyModule {
      const m = modules.get(name);
      if (m === undefined)
        throw new PyException(
          'ImportError',
          `No module named '${name}': Backprop Debugger runs scripts with its own interpreter, which supports only ${SUPPORTED_MODULES.join(', ')}`,
        );
      return m;
    },
    unsupportedHint(moduleName: string): string {
      return moduleName.startsWith('torch') ? ' (or it is not supported by Backprop Debugger yet)' : '';
    },
    binary,
    inplaceBinary,
    neg: (t) => (logicalOf(t) ? markLogical(c.neg(t), logicalOf(t)) : c.neg(t)),
    compare,
    getAttr,
    setAttr,
    getItem: (t, idx) => index(t, idx),
    setItem,
    toNumber(t: c.Tensor) {
      if (t.size !== 1) throw valueErr('only one element tensors can be converted to Python scalars');
      return itemOf(t);
    },
    valueText(t: c.Tensor): string {
      if (t.size === 1 && logicalOf(t) === undefined)
        return t.dtype === 'float32' ? float32Repr(t.at(0)) : pyFloatRepr(t.at(0));
      return tensorRepr(t);
    },
  };
}
