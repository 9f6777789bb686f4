/**
 * The tree-walking interpreter of the Python subset. It evaluates the AST
 * from parser.ts over the values of values.ts, calls the autograd core for
 * tensors (stamping each op with its source range), and enforces the run's
 * budgets: steps, wall clock, call depth, graph size and printed output.
 * No eval, no Function, no vm: names live in Maps (see values.ts).
 */
import * as c from '../core';
import type * as A from './ast';
import { attrErr, indexErr, nameErr, PyException, pyErr, runtimeErr, typeErr, valueErr } from './errors';
import { formatValue } from './format/format-spec';
import {
  dictSet,
  identityOf,
  isNumber,
  keyOf,
  numBinary,
  pyCompare,
  pyEquals,
  pyLen,
  rangeLength,
  repr,
  str,
  truthy,
  typeName,
} from './pyops';
import {
  CallArgs,
  PyBoundMethod,
  PyBuiltin,
  PyDict,
  PyFunction,
  PyIterator,
  PyList,
  PyModule,
  PyObject,
  PyRange,
  PyTuple,
  PyType,
  PyValue,
  Scope,
} from './values';
import type { TorchBindings } from './builtins/torch';

export interface Limits {
  /** Statements and loop iterations a run may execute. */
  maxSteps: number;
  /** Wall-clock budget of a run, in milliseconds. */
  maxMillis: number;
  /** Nested Python calls. */
  maxDepth: number;
  /** Recorded autograd nodes in one run. */
  maxGraphNodes: number;
  /** Characters of printed output kept. */
  maxOutput: number;
}

export const DEFAULT_LIMITS: Limits = {
  maxSteps: 10_000_000,
  maxMillis: 20_000,
  maxDepth: 200,
  maxGraphNodes: 5_000_000,
  maxOutput: 1_000_000,
};

/** What an `assert` found: pass or fail, with the numbers on both sides. */
export interface AssertRecord {
  readonly range: A.Range;
  readonly passed: boolean;
  /** e.g. `torch.isclose(w1.grad, 2*(y_hat - y)*x): -31.0 vs -31.0` */
  readonly message: string;
  /** Source text of the two sides compared, and their values, when the assert compares two things. */
  readonly sides: { text: string; value: string }[];
  /** The asserted expression reads some `.grad` (used by --check-random). */
  readonly involvesGrad: boolean;
}

/** One `backward()` call of the run, with its step records when asked for. */
export interface BackwardCall {
  readonly range: A.Range | null;
  readonly root: c.Tensor;
  readonly record: c.BackwardRecord | null;
}

export interface InterpreterHooks {
  /** Called before each statement runs, with the scope it runs in (the debugger records from here). */
  beforeStatement?(stmt: A.Stmt, depth: number, scope: Scope): void;
  /**
   * Called after every tensor op the script runs (recorded in the graph or
   * not), with the op's result; Tensor.site locates it. Not called for ops
   * run by `evaluate` (debugger expressions).
   */
  afterOp?(out: c.Tensor, op: c.OpDef, recorded: boolean): void;
  /** Called after a statement ran without raising (the debugger records backward() calls here). */
  afterStatement?(stmt: A.Stmt, depth: number, scope: Scope): void;
}

/** Steps a debugger expression may take (see Interpreter.evaluate). */
export const EVALUATE_STEP_BUDGET = 10_000;

/**
 * Builtins a debugger expression may not call: they would change the run
 * (list and dict mutators, in-place tensor ops end in `_`, backward, the
 * random generators' state).
 */
const MUTATING_BUILTINS = new Set([
  'append',
  'extend',
  'insert',
  'pop',
  'remove',
  'clear',
  'update',
  'setdefault',
  'popitem',
  'sort',
  'reverse',
  'backward',
  'retain_grad',
  'next',
  'seed',
  'manual_seed',
  'shuffle',
  'random',
  'uniform',
  'gauss',
  'normalvariate',
  'randint',
  'randrange',
  'choice',
  'choices',
  'sample',
  'rand',
  'randn',
  'randint_like',
  'rand_like',
  'randn_like',
  'randperm',
  'normal',
  'bernoulli',
  'multinomial',
  'dropout',
  'getrandbits',
  'setstate',
]);


const NORMAL = 0;
const BREAK = 1;
const CONTINUE = 2;
const RETURN = 3;
type Signal = 0 | 1 | 2 | 3;

/** Raised (as a PyException subclass) when a budget runs out; never caught by the script. */
export class BudgetExceeded extends PyException {}

/** The source text of a node, for assert messages. */
function sourceText(lines: readonly string[], r: A.Range): string {
  if (r.line === r.endLine) return lines[r.line - 1]?.slice(r.col, r.endCol) ?? '';
  const parts = [lines[r.line - 1]?.slice(r.col) ?? ''];
  for (let l = r.line; l < r.endLine - 1; l++) parts.push(lines[l] ?? '');
  parts.push(lines[r.endLine - 1]?.slice(0, r.endCol) ?? '');
  return parts.join('\n');
}

function readsGrad(e: A.Expr): boolean {
  let found = false;
  const walk = (x: unknown): void => {
    if (found || x === null || typeof x !== 'object') return;
    if (Array.isArray(x)) {
      for (const y of x) walk(y);
      return;
    }
    const n = x as { kind?: string; attr?: string };
    if (n.kind === 'Attribute' && n.attr === 'grad') {
      found = true;
      return;
    }
    for (const v of Object.values(n)) if (typeof v === 'object') walk(v);
  };
  walk(e);
  return found;
}

export class Interpreter {
  readonly globals = new Scope(null);
  readonly builtins = new Map<string, PyValue>();
  readonly asserts: AssertRecord[] = [];
  readonly backwardCalls: BackwardCall[] = [];
  /** Source range of each recorded op, by Tensor.site. */
  readonly sites: A.Range[] = [];
  /** Recorded graph nodes, in creation order. */
  readonly nodes: c.Tensor[] = [];
  stdout = '';
  steps = 0;
  /** Record step records for every backward() (the CLI's --trace, the panel). */
  recordBackward = false;
  /** When false, a failed assert is recorded and the script goes on (--check-random). */
  assertsStop = true;
  /** Called when a leaf starts requiring grad (torch.tensor(..., requires_grad=True), requires_grad_()). */
  onRequiresGrad: ((t: c.Tensor) => void) | null = null;
  hooks: InterpreterHooks = {};
  /** True while `evaluate` runs a debugger expression. */
  private evaluating = false;
  /** Scopes of the running Python calls, outermost first (parallel to frames). */
  private readonly frameScopes: Scope[] = [];

  private depth = 0;
  private retval: PyValue = null;
  private deadline = 0;
  private outputCut = false;
  private readonly siteIds = new Map<A.Range, number>();
  private readonly lines: string[];
  private readonly frames: { name: string; range: A.Range }[] = [];
  /** The statement running, for errors raised outside any expression. */
  private current: A.Range | null = null;
  readonly torch: TorchBindings;

  constructor(
    source: string,
    readonly limits: Limits,
    makeTorch: (interp: Interpreter) => TorchBindings,
    installBuiltins: (interp: Interpreter) => void,
  ) {
    this.lines = source.split(/\r\n|\r|\n/);
    this.torch = makeTorch(this);
    installBuiltins(this);
  }

  // ------------------------------------------------------------------ running

  /** Runs a parsed module. Throws PyException (located) on error. */
  run(mod: A.Module): void {
    this.deadline = Date.now() + this.limits.maxMillis;
    const listener: c.OpListener = (out, _op, recorded) => {
      if (!recorded) return;
      if (this.nodes.length >= this.limits.maxGraphNodes)
        throw new BudgetExceeded(
          'RuntimeError',
          `the autograd graph grew past ${this.limits.maxGraphNodes} nodes (the graph-size limit of a run)`,
        );
      this.nodes.push(out);
    };
    const prevListener = c.setOpListener((out, op, recorded) => {
      if (this.evaluating) return;
      listener(out, op, recorded);
      this.hooks.afterOp?.(out, op, recorded);
    });
    const prevGrad = c.setGradEnabled(true);
    try {
      this.execBlock(mod.body, this.globals);
    } catch (e) {
      throw this.locate(e);
    } finally {
      c.setOpListener(prevListener);
      c.setGradEnabled(prevGrad);
      c.setCurrentSite(-1);
    }
  }

  /** Turns anything thrown into a located PyException. */
  locate(e: unknown): PyException {
    let err: PyException;
    if (e instanceof PyException) err = e;
    else if (e instanceof c.TorchError) err = new PyException(e.pyType, e.message);
    else if (e instanceof Error && typeof (e as { pyType?: unknown }).pyType === 'string')
      // Errors of helper modules that already carry their Python type (FormatError: ValueError).
      err = new PyException((e as unknown as { pyType: string }).pyType, e.message);
    else if (e instanceof RangeError && /call stack/i.test(e.message))
      err = new PyException('RecursionError', 'maximum recursion depth exceeded');
    else err = new PyException('InternalError', e instanceof Error ? e.message : String(e));
    if (err.range === null) err.range = this.current;
    return err;
  }

  private tick(): void {
    if (++this.steps > this.limits.maxSteps)
      throw new BudgetExceeded(
        'RuntimeError',
        `stopped after ${this.limits.maxSteps} steps (the step limit of a run; is there an endless loop?)`,
      );
    if ((this.steps & 1023) === 0 && Date.now() > this.deadline)
      throw new BudgetExceeded(
        'RuntimeError',
        `stopped after ${this.limits.maxMillis / 1000} s (the time limit of a run; is there an endless loop?)`,
      );
  }

  /** Appends printed text, up to the output limit. */
  write(text: string): void {
    if (this.outputCut) return;
    if (this.stdout.length + text.length > this.limits.maxOutput) {
      this.stdout += text.slice(0, Math.max(0, this.limits.maxOutput - this.stdout.length));
      this.stdout += `\n[output cut at ${this.limits.maxOutput} characters]\n`;
      this.outputCut = true;
      return;
    }
    this.stdout += text;
  }

  /** Site id of a node's range, for Tensor.site. */
  siteOf(r: A.Range): number {
    let id = this.siteIds.get(r);
    if (id === undefined) {
      id = this.sites.length;
      this.sites.push(r);
      this.siteIds.set(r, id);
    }
    return id;
  }

  // --------------------------------------------------------------- statements

  private execBlock(body: readonly A.Stmt[], scope: Scope): Signal {
    for (let i = 0; i < body.length; i++) {
      const sig = this.exec(body[i], scope);
      if (sig !== NORMAL) return sig;
    }
    return NORMAL;
  }

  private exec(s: A.Stmt, scope: Scope): Signal {
    this.tick();
    this.current = s;
    this.hooks.beforeStatement?.(s, this.depth, scope);
    try {
      const sig = this.execInner(s, scope);
      this.hooks.afterStatement?.(s, this.depth, scope);
      return sig;
    } catch (e) {
      const err = this.locate(e);
      throw err;
    }
  }

  private execInner(s: A.Stmt, scope: Scope): Signal {
    switch (s.kind) {
      case 'Expr':
        this.evalExpr(s.value, scope);
        return NORMAL;
      case 'Assign': {
        const v = this.evalExpr(s.value, scope);
        for (const t of s.targets) this.assign(t, v, scope);
        return NORMAL;
      }
      case 'AugAssign':
        this.augAssign(s, scope);
        return NORMAL;
      case 'If':
        if (truthy(this.evalExpr(s.test, scope))) return this.execBlock(s.body, scope);
        return this.execBlock(s.orelse, scope);
      case 'While':
        while (truthy(this.evalExpr(s.test, scope))) {
          this.tick();
          const sig = this.execBlock(s.body, scope);
          if (sig === BREAK) return NORMAL;
          if (sig === RETURN) return sig;
        }
        return this.execBlock(s.orelse, scope);
      case 'For':
        return this.execFor(s, scope);
      case 'Pass':
        return NORMAL;
      case 'Break':
        return BREAK;
      case 'Continue':
        return CONTINUE;
      case 'Return':
        if (this.depth === 0) throw pyErr('SyntaxError', "'return' outside function");
        this.retval = s.value ? this.evalExpr(s.value, scope) : null;
        return RETURN;
      case 'FunctionDef': {
        const defaults = s.params.map((p) => (p.defaultValue ? this.evalExpr(p.defaultValue, scope) : undefined));
        let fn: PyValue = new PyFunction(s.name, s.params, s.body, defaults, scope, s);
        for (let i = s.decorators.length - 1; i >= 0; i--)
          fn = this.call(this.evalExpr(s.decorators[i], scope), [fn], new Map(), s.decorators[i]);
        this.setName(s.name, fn, scope);
        return NORMAL;
      }
      case 'Import':
        for (const a of s.names) {
          const mod = this.torch.importModule(a.name);
          if (a.asname) this.setName(a.asname, mod, scope);
          else {
            const top = a.name.split('.')[0];
            this.setName(top, this.torch.importModule(top), scope);
          }
        }
        return NORMAL;
      case 'ImportFrom': {
        const mod = this.torch.importModule(s.module) as PyModule;
        for (const a of s.names) {
          if (a.name === '*') {
            for (const [k, v] of mod.attrs) if (!k.startsWith('_')) this.setName(k, v, scope);
            continue;
          }
          let v = mod.attrs.get(a.name);
          if (v === undefined) {
            try {
              v = this.torch.importModule(`${s.module}.${a.name}`);
            } catch {
              throw pyErr('ImportError', `cannot import name '${a.name}' from '${s.module}'`);
            }
          }
          this.setName(a.asname ?? a.name, v, scope);
        }
        return NORMAL;
      }
      case 'With':
        return this.execWith(s, 0, scope);
      case 'Assert':
        this.execAssert(s, scope);
        return NORMAL;
      case 'Delete':
        for (const t of s.targets) this.del(t, scope);
        return NORMAL;
      case 'Global':
        for (const n of s.names) scope.globals.add(n);
        return NORMAL;
    }
  }

  private execFor(s: A.ForStmt, scope: Scope): Signal {
    const it = this.iterate(this.evalExpr(s.iter, scope));
    for (;;) {
      const v = it();
      if (v === undefined) break;
      this.tick();
      this.assign(s.target, v, scope);
      const sig = this.execBlock(s.body, scope);
      if (sig === BREAK) return NORMAL;
      if (sig === RETURN) return sig;
    }
    return this.execBlock(s.orelse, scope);
  }

  private execWith(s: A.WithStmt, i: number, scope: Scope): Signal {
    if (i === s.items.length) return this.execBlock(s.body, scope);
    const item = s.items[i];
    const cm = this.evalExpr(item.context, scope);
    if (!(cm instanceof PyObject) || !cm.enter || !cm.exit)
      throw typeErr(`'${typeName(cm)}' object does not support the context manager protocol`);
    const v = cm.enter();
    try {
      if (item.target) this.assign(item.target, v, scope);
      return this.execWith(s, i + 1, scope);
    } finally {
      cm.exit();
    }
  }

  private execAssert(s: A.AssertStmt, scope: Scope): void {
    try {
      this.execAssertInner(s, scope);
    } catch (e) {
      // An error while evaluating the test points at the test, not the whole statement.
      if (e instanceof PyException && e.range === null && e.pyType !== 'AssertionError') e.range = s.test;
      if (e instanceof c.TorchError) throw new PyException(e.pyType, e.message, s.test);
      throw e;
    }
  }

  private execAssertInner(s: A.AssertStmt, scope: Scope): void {
    const sides: { text: string; value: string }[] = [];
    let ok: boolean;
    const t = s.test;
    const show = (v: PyValue): string => (v instanceof c.Tensor ? this.torch.valueText(v) : repr(v));
    if (
      t.kind === 'Call' &&
      t.func.kind === 'Attribute' &&
      (t.func.attr === 'isclose' || t.func.attr === 'allclose') &&
      t.args.length >= 2 &&
      t.args.every((a) => a.kind !== 'Starred')
    ) {
      const fn = this.evalExpr(t.func, scope);
      const args = t.args.map((a) => this.evalExpr(a, scope));
      const kw = this.keywords(t.keywords, scope);
      sides.push({ text: sourceText(this.lines, t.args[0]), value: show(args[0]) });
      sides.push({ text: sourceText(this.lines, t.args[1]), value: show(args[1]) });
      ok = truthy(this.call(fn, args, kw, t));
    } else if (t.kind === 'Compare' && t.ops.length === 1) {
      const l = this.evalExpr(t.left, scope);
      const r = this.evalExpr(t.comparators[0], scope);
      sides.push({ text: sourceText(this.lines, t.left), value: show(l) });
      sides.push({ text: sourceText(this.lines, t.comparators[0]), value: show(r) });
      ok = truthy(this.compare(t.ops[0], l, r));
    } else {
      ok = truthy(this.evalExpr(t, scope));
    }
    const text = sourceText(this.lines, t);
    const detail = sides.length === 2 ? `: ${sides[0].value} vs ${sides[1].value}` : '';
    const msg = !ok && s.msg ? str(this.evalExpr(s.msg, scope)) : '';
    this.asserts.push({
      range: s,
      passed: ok,
      message: `${ok ? 'passed' : 'failed'}: ${text}${detail}${msg ? ` (${msg})` : ''}`,
      sides,
      involvesGrad: readsGrad(t),
    });
    if (!ok && this.assertsStop) throw new PyException('AssertionError', msg, s);
  }

  // -------------------------------------------------------------- assignments

  private setName(name: string, v: PyValue, scope: Scope): void {
    if (v instanceof c.Tensor && scope === this.globals && v.meta?.label === undefined)
      v.meta = { ...(v.meta ?? {}), label: name };
    if (scope.globals.has(name)) this.globals.vars.set(name, v);
    else scope.vars.set(name, v);
  }

  assign(target: A.Expr, v: PyValue, scope: Scope): void {
    switch (target.kind) {
      case 'Name':
        this.setName(target.id, v, scope);
        return;
      case 'Tuple':
      case 'List': {
        const items = this.unpack(v, target.elts.length, target.elts.findIndex((e) => e.kind === 'Starred'));
        target.elts.forEach((e, i) => this.assign(e.kind === 'Starred' ? e.value : e, items[i], scope));
        return;
      }
      case 'Attribute':
        this.setAttr(this.evalExpr(target.value, scope), target.attr, v);
        return;
      case 'Subscript':
        this.setItem(this.evalExpr(target.value, scope), this.evalIndex(target.index, scope), v, target);
        return;
      default:
        throw pyErr('SyntaxError', 'cannot assign to expression');
    }
  }

  /** Values for `a, b = v` (with at most one starred target at `star`). */
  private unpack(v: PyValue, n: number, star: number): PyValue[] {
    const items: PyValue[] = [];
    const it = this.iterate(v);
    for (let x = it(); x !== undefined; x = it()) items.push(x);
    if (star >= 0) {
      if (items.length < n - 1)
        throw valueErr(`not enough values to unpack (expected at least ${n - 1}, got ${items.length})`);
      const tail = n - 1 - star;
      return [
        ...items.slice(0, star),
        new PyList(items.slice(star, items.length - tail)),
        ...items.slice(items.length - tail),
      ];
    }
    if (items.length > n) throw valueErr(`too many values to unpack (expected ${n})`);
    if (items.length < n) throw valueErr(`not enough values to unpack (expected ${n}, got ${items.length})`);
    return items;
  }

  private augAssign(s: A.AugAssignStmt, scope: Scope): void {
    const t = s.target;
    const rhs = (): PyValue => this.evalExpr(s.value, scope);
    if (t.kind === 'Name') {
      const cur = this.lookup(t.id, scope, t);
      this.setName(t.id, this.inplace(s.op, cur, rhs(), s), scope);
    } else if (t.kind === 'Attribute') {
      const obj = this.evalExpr(t.value, scope);
      const cur = this.getAttr(obj, t.attr);
      this.setAttr(obj, t.attr, this.inplace(s.op, cur, rhs(), s));
    } else if (t.kind === 'Subscript') {
      const obj = this.evalExpr(t.value, scope);
      const idx = this.evalIndex(t.index, scope);
      const cur = this.getItem(obj, idx);
      this.setItem(obj, idx, this.inplace(s.op, cur, rhs(), s), t);
    } else throw pyErr('SyntaxError', "'expression' is an illegal expression for augmented assignment");
  }

  /** `a op= b`: tensors and lists change in place, other values rebind. */
  private inplace(op: A.BinaryOperator, a: PyValue, b: PyValue, node: A.Range): PyValue {
    if (a instanceof c.Tensor) {
      c.setCurrentSite(this.siteOf(node));
      return this.torch.inplaceBinary(op, a, b);
    }
    if (a instanceof PyList && op === '+') {
      const items: PyValue[] = [];
      const it = this.iterate(b);
      for (let x = it(); x !== undefined; x = it()) items.push(x);
      a.items.push(...items);
      return a;
    }
    return this.binary(op, a, b, node);
  }

  private del(t: A.Expr, scope: Scope): void {
    if (t.kind === 'Name') {
      const sc = scope.globals.has(t.id) ? this.globals : scope;
      if (!sc.vars.delete(t.id)) throw nameErr(t.id);
    } else if (t.kind === 'Subscript') {
      const obj = this.evalExpr(t.value, scope);
      const idx = this.evalIndex(t.index, scope);
      if (obj instanceof PyList) obj.items.splice(this.listIndex(obj.items.length, idx, 'list assignment'), 1);
      else if (obj instanceof PyDict) {
        if (!obj.entries.delete(keyOf(idx))) throw pyErr('KeyError', repr(idx));
      } else throw typeErr(`'${typeName(obj)}' object does not support item deletion`);
    } else if (t.kind === 'Tuple' || t.kind === 'List') for (const e of t.elts) this.del(e, scope);
    else throw pyErr('SyntaxError', 'cannot delete expression');
  }

  // -------------------------------------------------------------- expressions

  lookup(name: string, scope: Scope, node: A.Range): PyValue {
    for (let s: Scope | null = scope; s !== null; s = s.parent) {
      const v = s.vars.get(name);
      if (v !== undefined) return v;
      if (s.globals.has(name)) {
        const g = this.globals.vars.get(name);
        if (g !== undefined) return g;
        break;
      }
    }
    const b = this.builtins.get(name);
    if (b !== undefined) return b;
    const e = nameErr(name);
    e.range = node;
    throw e;
  }

  evalExpr(e: A.Expr, scope: Scope): PyValue {
    try {
      return this.evalInner(e, scope);
    } catch (err) {
      if (err instanceof PyException) {
        if (err.range === null) err.range = e;
        throw err;
      }
      if (err instanceof c.TorchError || (err instanceof Error && typeof (err as { pyType?: unknown }).pyType === 'string')) {
        const p = new PyException((err as unknown as { pyType: string }).pyType, (err as Error).message, e);
        throw p;
      }
      throw err;
    }
  }

  private evalInner(e: A.Expr, scope: Scope): PyValue {
    switch (e.kind) {
      case 'Name':
        return this.lookup(e.id, scope, e);
      case 'Number':
      case 'String':
        return e.value;
      case 'Constant':
        return e.value;
      case 'FString':
        return this.fstring(e.parts, scope);
      case 'Binary':
        return this.evalBinaryChain(e, scope);
      case 'Unary': {
        const v = this.evalExpr(e.operand, scope);
        if (e.op === 'not') return !truthy(v);
        if (v instanceof c.Tensor) {
          c.setCurrentSite(this.siteOf(e));
          return e.op === '-' ? this.torch.neg(v) : v;
        }
        if (isNumber(v)) {
          const x = typeof v === 'boolean' ? BigInt(v) : v;
          return e.op === '-' ? (typeof x === 'bigint' ? -x : -x) : x;
        }
        throw typeErr(`bad operand type for unary ${e.op}: '${typeName(v)}'`);
      }
      case 'BoolOp': {
        let v: PyValue = null;
        for (const x of e.values) {
          v = this.evalExpr(x, scope);
          if (e.op === 'and' ? !truthy(v) : truthy(v)) return v;
        }
        return v;
      }
      case 'Compare': {
        let left = this.evalExpr(e.left, scope);
        let result: PyValue = true;
        for (let i = 0; i < e.ops.length; i++) {
          const right = this.evalExpr(e.comparators[i], scope);
          c.setCurrentSite(this.siteOf(e));
          result = this.compare(e.ops[i], left, right);
          if (i < e.ops.length - 1 && !truthy(result)) return result;
          left = right;
        }
        return result;
      }
      case 'IfExp':
        return truthy(this.evalExpr(e.test, scope)) ? this.evalExpr(e.body, scope) : this.evalExpr(e.orelse, scope);
      case 'Call': {
        const fn = this.evalExpr(e.func, scope);
        const args: PyValue[] = [];
        for (const a of e.args) {
          if (a.kind === 'Starred') {
            const it = this.iterate(this.evalExpr(a.value, scope));
            for (let x = it(); x !== undefined; x = it()) args.push(x);
          } else args.push(this.evalExpr(a, scope));
        }
        const kw = this.keywords(e.keywords, scope);
        const site = this.siteOf(e);
        c.setCurrentSite(site);
        const r = this.call(fn, args, kw, e);
        // A factory (torch.tensor, torch.randn…) makes a leaf outside any op: it is located at the call too,
        // so the panel can reveal where a parameter was made and mark it when the cursor is on that line.
        if (r instanceof c.Tensor && r.op === null && r.site < 0) r.site = site;
        return r;
      }
      case 'Attribute':
        return this.getAttr(this.evalExpr(e.value, scope), e.attr);
      case 'Subscript': {
        const obj = this.evalExpr(e.value, scope);
        const idx = this.evalIndex(e.index, scope);
        c.setCurrentSite(this.siteOf(e));
        return this.getItem(obj, idx);
      }
      case 'Slice':
        throw pyErr('SyntaxError', 'a slice is only allowed inside [ ]');
      case 'List':
        return new PyList(this.evalElements(e.elts, scope));
      case 'Tuple':
        return new PyTuple(this.evalElements(e.elts, scope));
      case 'Dict': {
        const d = new PyDict();
        e.keys.forEach((k, i) => {
          const key = this.evalExpr(k, scope);
          dictSet(d, key, this.evalExpr(e.values[i], scope));
        });
        return d;
      }
      case 'ListComp':
        return new PyList(this.listComp(e, scope));
      case 'Lambda': {
        const defaults = e.params.map((p) => (p.defaultValue ? this.evalExpr(p.defaultValue, scope) : undefined));
        return new PyFunction('<lambda>', e.params, e.body, defaults, scope, e);
      }
      case 'Starred':
        throw pyErr('SyntaxError', "can't use starred expression here");
    }
  }

  private evalElements(elts: readonly A.Expr[], scope: Scope): PyValue[] {
    const out: PyValue[] = [];
    for (const x of elts) {
      if (x.kind === 'Starred') {
        const it = this.iterate(this.evalExpr(x.value, scope));
        for (let v = it(); v !== undefined; v = it()) out.push(v);
      } else out.push(this.evalExpr(x, scope));
    }
    return out;
  }

  /**
   * Binary operators, evaluating a left-leaning chain (`1+1+…+1`, 100,000
   * terms) iteratively so long sums do not exhaust the JavaScript stack.
   */
  private evalBinaryChain(e: A.BinaryExpr, scope: Scope): PyValue {
    const chain: A.BinaryExpr[] = [e];
    let leftmost: A.Expr = e.left;
    while (leftmost.kind === 'Binary' && leftmost.op !== '**') {
      chain.push(leftmost);
      leftmost = leftmost.left;
    }
    let acc = this.evalExpr(leftmost, scope);
    for (let i = chain.length - 1; i >= 0; i--) {
      const node = chain[i];
      const right = this.evalExpr(node.right, scope);
      try {
        acc = this.binary(node.op, acc, right, node);
      } catch (err) {
        if (err instanceof PyException && err.range === null) err.range = node;
        if (err instanceof c.TorchError) throw new PyException(err.pyType, err.message, node);
        throw err;
      }
    }
    return acc;
  }

  binary(op: A.BinaryOperator, a: PyValue, b: PyValue, node: A.Range): PyValue {
    if (a instanceof c.Tensor || b instanceof c.Tensor) {
      c.setCurrentSite(this.siteOf(node));
      return this.torch.binary(op, a, b);
    }
    if (isNumber(a) && isNumber(b)) {
      if (op === '@') throw typeErr(`unsupported operand type(s) for @: '${typeName(a)}' and '${typeName(b)}'`);
      return numBinary(op, a, b);
    }
    if (op === '+') {
      if (typeof a === 'string' && typeof b === 'string') return a + b;
      if (a instanceof PyList && b instanceof PyList) return new PyList([...a.items, ...b.items]);
      if (a instanceof PyTuple && b instanceof PyTuple && !a.isSize) return new PyTuple([...a.items, ...b.items]);
    }
    if (op === '*') {
      const seq = typeof a === 'bigint' || typeof a === 'boolean' ? b : a;
      const n = seq === a ? b : a;
      if ((typeof n === 'bigint' || typeof n === 'boolean') && (typeof seq === 'string' || seq instanceof PyList || seq instanceof PyTuple)) {
        const k = Math.max(0, Number(n));
        if (k * pyLen(seq) > 10_000_000) throw pyErr('MemoryError', 'sequence too long');
        if (typeof seq === 'string') return seq.repeat(k);
        const items: PyValue[] = [];
        for (let i = 0; i < k; i++) items.push(...seq.items);
        return seq instanceof PyList ? new PyList(items) : new PyTuple(items);
      }
    }
    if (op === '%' && typeof a === 'string') return this.percentFormat(a, b);
    throw typeErr(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
  }

  /** `'%.3f' % x` and `'%d: %s' % (i, s)` */
  private percentFormat(fmt: string, args: PyValue): string {
    const vals = args instanceof PyTuple ? [...args.items] : [args];
    let k = 0;
    const out = fmt.replace(/%([-+ #0]*\d*(?:\.\d+)?)([sdifeEgGrx%])/g, (_m, flags: string, type: string) => {
      if (type === '%') return '%';
      if (k >= vals.length) throw typeErr('not enough arguments for format string');
      const v = vals[k++];
      if (type === 's') return formatValue(str(v), flags);
      if (type === 'r') return formatValue(repr(v), flags);
      const num = v instanceof c.Tensor ? this.torch.toNumber(v) : v;
      if (!isNumber(num)) throw typeErr(`%${type} format: a real number is required, not ${typeName(v)}`);
      const t = type === 'i' ? 'd' : type;
      return formatValue(t === 'd' && typeof num === 'number' ? BigInt(Math.trunc(num)) : num, flags + t);
    });
    if (k < vals.length) throw typeErr('not all arguments converted during string formatting');
    return out;
  }

  compare(op: A.CompareOperator, a: PyValue, b: PyValue): PyValue {
    switch (op) {
      case 'is':
        return a === b || (a === null && b === null);
      case 'is not':
        return !(a === b);
      case 'in':
        return this.contains(b, a);
      case 'not in':
        return !this.contains(b, a);
    }
    if (a instanceof c.Tensor || b instanceof c.Tensor) return this.torch.compare(op, a, b);
    if (op === '==') return pyEquals(a, b);
    if (op === '!=') return !pyEquals(a, b);
    const r = pyCompare(a, b, op);
    if (r !== r) return false;
    switch (op) {
      case '<':
        return r < 0;
      case '<=':
        return r <= 0;
      case '>':
        return r > 0;
      default:
        return r >= 0;
    }
  }

  private contains(container: PyValue, x: PyValue): boolean {
    if (typeof container === 'string') {
      if (typeof x !== 'string') throw typeErr(`'in <string>' requires string as left operand, not ${typeName(x)}`);
      return container.includes(x);
    }
    if (container instanceof PyDict) return container.entries.has(keyOf(x));
    const it = this.iterate(container);
    for (let v = it(); v !== undefined; v = it()) if (pyEquals(v, x)) return true;
    return false;
  }

  private keywords(kws: readonly A.Keyword[], scope: Scope): Map<string, PyValue> {
    const m = new Map<string, PyValue>();
    for (const k of kws) {
      const v = this.evalExpr(k.value, scope);
      if (k.name === null) {
        if (!(v instanceof PyDict)) throw typeErr(`argument after ** must be a mapping, not ${typeName(v)}`);
        for (const [key, val] of v.entries.values()) {
          if (typeof key !== 'string') throw typeErr('keywords must be strings');
          m.set(key, val);
        }
      } else {
        if (m.has(k.name)) throw pyErr('SyntaxError', `keyword argument repeated: ${k.name}`);
        m.set(k.name, v);
      }
    }
    return m;
  }

  private fstring(parts: readonly A.FStringPart[], scope: Scope): string {
    let out = '';
    for (const p of parts) {
      if (p.kind === 'text') {
        out += p.value;
        continue;
      }
      const v = this.evalExpr(p.expr, scope);
      const spec = p.spec ? this.fstring(p.spec, scope) : '';
      let shown: PyValue = v;
      if (p.conversion === 'r' || p.conversion === 'a') shown = repr(v);
      else if (p.conversion === 's') shown = str(v);
      if (p.debugText !== null) out += p.debugText;
      out += this.format(shown, spec, p.debugText !== null && p.conversion === null && spec === '');
    }
    return out;
  }

  /** format(value, spec): numbers and strings by the mini-language, tensors as torch does. */
  format(v: PyValue, spec: string, debugRepr = false): string {
    if (debugRepr) return repr(v);
    if (v instanceof c.Tensor) {
      // Tensor.__format__: a 0-dim tensor formats its item(), even with an empty spec.
      if (v.ndim === 0) return spec === '' ? str(this.torch.toNumber(v)) : formatValue(this.torch.toNumber(v), spec);
      if (spec === '') return str(v);
      throw typeErr('unsupported format string passed to Tensor.__format__');
    }
    if (spec === '') return str(v);
    if (typeof v === 'string' || isNumber(v)) return formatValue(v, spec);
    if (v === null || v instanceof PyList || v instanceof PyTuple || v instanceof PyDict)
      throw typeErr(`unsupported format string passed to ${typeName(v)}.__format__`);
    return formatValue(str(v), spec);
  }

  private listComp(e: A.ListCompExpr, scope: Scope): PyValue[] {
    const inner = new Scope(scope);
    const out: PyValue[] = [];
    const loop = (g: number): void => {
      if (g === e.generators.length) {
        out.push(this.evalExpr(e.elt, inner));
        return;
      }
      const gen = e.generators[g];
      const it = this.iterate(this.evalExpr(gen.iter, g === 0 ? scope : inner));
      for (let v = it(); v !== undefined; v = it()) {
        this.tick();
        this.assign(gen.target, v, inner);
        if (gen.ifs.every((cond) => truthy(this.evalExpr(cond, inner)))) loop(g + 1);
      }
    };
    loop(0);
    return out;
  }

  // -------------------------------------------------------------------- calls

  call(fn: PyValue, args: PyValue[], kwargs: Map<string, PyValue>, node: A.Range): PyValue {
    if (this.evaluating) this.checkPure(fn);
    if (fn instanceof PyBuiltin) return fn.call({ args, kwargs });
    if (fn instanceof PyBoundMethod) return this.call(fn.fn, [fn.self, ...args], kwargs, node);
    if (fn instanceof PyFunction) return this.callFunction(fn, args, kwargs, node);
    throw typeErr(`'${typeName(fn)}' object is not callable`);
  }

  /** Calls a Python callable from builtins (sorted's key=, map, …). */
  callValue(fn: PyValue, args: PyValue[]): PyValue {
    return this.call(fn, args, new Map(), this.current ?? { line: 1, col: 0, endLine: 1, endCol: 0 });
  }

  private callFunction(fn: PyFunction, args: PyValue[], kwargs: Map<string, PyValue>, node: A.Range): PyValue {
    if (this.depth >= this.limits.maxDepth)
      throw pyErr('RecursionError', 'maximum recursion depth exceeded');
    const scope = new Scope(fn.closure);
    this.bindArguments(fn, args, kwargs, scope);
    this.depth++;
    this.frames.push({ name: fn.name, range: node });
    this.frameScopes.push(scope);
    const saved = this.current;
    try {
      if (!Array.isArray(fn.body)) return this.evalExpr(fn.body as A.Expr, scope);
      this.retval = null;
      const sig = this.execBlock(fn.body as readonly A.Stmt[], scope);
      const r = sig === RETURN ? this.retval : null;
      this.retval = null;
      return r;
    } catch (e) {
      const err = this.locate(e);
      if (err.frames.length === 0 || err.frames[0].range !== node) err.frames.unshift({ name: fn.name, range: node });
      throw err;
    } finally {
      this.depth--;
      this.frames.pop();
      this.frameScopes.pop();
      this.current = saved;
    }
  }

  private bindArguments(fn: PyFunction, args: PyValue[], kwargs: Map<string, PyValue>, scope: Scope): void {
    const params = fn.params;
    const starArgs = params.find((p) => p.star === 'args');
    const starAt = starArgs ? params.indexOf(starArgs) : params.length;
    // Parameters after *args are keyword-only.
    const positional = params.filter((p, i) => p.star === 'normal' && i < starAt);
    const keywordOnly = params.filter((p, i) => p.star === 'normal' && i > starAt);
    const starKw = params.find((p) => p.star === 'kwargs');
    const name = fn.name;
    if (args.length > positional.length && !starArgs)
      throw typeErr(
        `${name}() takes ${positional.length} positional argument${positional.length === 1 ? '' : 's'} but ${args.length} ${args.length === 1 ? 'was' : 'were'} given`,
      );
    const extraKw = new PyDict();
    const bound = new Map<string, PyValue>();
    positional.forEach((p, i) => {
      if (i < args.length) bound.set(p.name, args[i]);
    });
    for (const [k, v] of kwargs) {
      if (positional.some((p) => p.name === k) || keywordOnly.some((p) => p.name === k)) {
        if (bound.has(k)) throw typeErr(`${name}() got multiple values for argument '${k}'`);
        bound.set(k, v);
      } else if (starKw) extraKw.entries.set(keyOf(k), [k, v]);
      else throw typeErr(`${name}() got an unexpected keyword argument '${k}'`);
    }
    const missing: string[] = [];
    const fill = (list: readonly A.Parameter[], into: string[]): void =>
      list.forEach((p) => {
        if (!bound.has(p.name)) {
          const d = fn.defaults[params.indexOf(p)];
          if (d === undefined) into.push(p.name);
          else bound.set(p.name, d);
        }
      });
    fill(positional, missing);
    if (missing.length > 0)
      throw typeErr(
        `${name}() missing ${missing.length} required positional argument${missing.length === 1 ? '' : 's'}: ${missing.map((m) => `'${m}'`).join(' and ')}`,
      );
    const missingKw: string[] = [];
    fill(keywordOnly, missingKw);
    if (missingKw.length > 0)
      throw typeErr(
        `${name}() missing ${missingKw.length} required keyword-only argument${missingKw.length === 1 ? '' : 's'}: ${missingKw.map((m) => `'${m}'`).join(' and ')}`,
      );
    for (const [k, v] of bound) scope.vars.set(k, v);
    if (starArgs) scope.vars.set(starArgs.name, new PyTuple(args.slice(positional.length)));
    if (starKw) scope.vars.set(starKw.name, extraKw);
  }

  // ------------------------------------------------------ attributes and items

  getAttr(obj: PyValue, name: string): PyValue {
    if (obj instanceof c.Tensor) return this.torch.getAttr(obj, name);
    if (obj instanceof PyModule) {
      const v = obj.attrs.get(name);
      if (v === undefined)
        throw attrErr(`module '${obj.name}' has no attribute '${name}'${this.torch.unsupportedHint(obj.name)}`);
      return v;
    }
    if (obj instanceof PyObject) {
      const v = obj.attrs.get(name);
      if (v === undefined) throw attrErr(`'${obj.typeName}' object has no attribute '${name}'`);
      return v;
    }
    const method = this.methods.get(`${typeName(obj)}.${name}`);
    if (method !== undefined) return new PyBoundMethod(obj, method);
    // `str.lower` on the class itself: the unbound method (self comes first when called).
    if (obj instanceof PyType) {
      const unbound = this.methods.get(`${obj.name}.${name}`);
      if (unbound !== undefined) return unbound;
    }
    if (obj instanceof PyTuple && obj.names !== null && obj.names.includes(name)) return obj.items[obj.names.indexOf(name)];
    if (obj instanceof PyTuple && obj.isSize && name === 'numel')
      return new PyBoundMethod(obj, new PyBuiltin('numel', () => obj.items.reduce<bigint>((p, x) => p * (x as bigint), 1n)));
    if (obj instanceof PyFunction && name === '__name__') return obj.name;
    throw attrErr(`'${typeName(obj)}' object has no attribute '${name}'`);
  }

  /** Methods of built-in types, keyed `type.name` (filled by builtins/python.ts). */
  readonly methods = new Map<string, PyBuiltin>();

  private setAttr(obj: PyValue, name: string, v: PyValue): void {
    if (obj instanceof c.Tensor) return this.torch.setAttr(obj, name, v);
    if (obj instanceof PyObject) {
      obj.attrs.set(name, v);
      return;
    }
    if (obj instanceof PyFunction || obj instanceof PyModule)
      throw attrErr(`Backprop Debugger does not support setting attributes on a ${typeName(obj)}`);
    throw attrErr(`'${typeName(obj)}' object has no attribute '${name}'`);
  }

  /** The value inside `[ ]`: a slice becomes a PyObject 'slice', a tuple may hold slices. */
  private evalIndex(e: A.Expr, scope: Scope): PyValue {
    if (e.kind === 'Slice') {
      const part = (x: A.Expr | null): PyValue => (x ? this.evalExpr(x, scope) : null);
      const s = new PyObject('slice', 'slice');
      s.attrs.set('start', part(e.lower));
      s.attrs.set('stop', part(e.upper));
      s.attrs.set('step', part(e.step));
      s.attrs.set('__slice__', true);
      return s;
    }
    if (e.kind === 'Tuple' && e.elts.some((x) => x.kind === 'Slice'))
      return new PyTuple(e.elts.map((x) => this.evalIndex(x, scope)));
    return this.evalExpr(e, scope);
  }

  /** A Python int index, with Python's error when it is not one. */
  asIndex(v: PyValue, what: string): number {
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (v instanceof c.Tensor && v.size === 1 && v.meta?.logical === 'int64') return v.at(0);
    throw typeErr(`${what} indices must be integers or slices, not ${typeName(v)}`);
  }

  private listIndex(n: number, idx: PyValue, what: string): number {
    const i = this.asIndex(idx, what === 'list assignment' ? 'list' : what);
    const j = i < 0 ? i + n : i;
    if (j < 0 || j >= n) throw indexErr(`${what} index out of range`);
    return j;
  }

  /** Python slice.indices() for a sequence of length n: start, stop, step. */
  sliceIndices(s: PyObject, n: number): [number, number, number] {
    const num = (v: PyValue | undefined, d: number): number => (v === null || v === undefined ? d : this.asIndex(v, 'slice'));
    const step = num(s.attrs.get('step'), 1);
    if (step === 0) throw valueErr('slice step cannot be zero');
    const clamp = (v: number, lo: number, hi: number): number => Math.min(Math.max(v, lo), hi);
    const fix = (v: PyValue | undefined, d: number): number => {
      if (v === null || v === undefined) return d;
      let x = this.asIndex(v, 'slice');
      if (x < 0) x += n;
      return step > 0 ? clamp(x, 0, n) : clamp(x, -1, n - 1);
    };
    return [fix(s.attrs.get('start'), step > 0 ? 0 : n - 1), fix(s.attrs.get('stop'), step > 0 ? n : -1), step];
  }

  getItem(obj: PyValue, idx: PyValue): PyValue {
    if (obj instanceof c.Tensor) return this.torch.getItem(obj, idx);
    const isSlice = idx instanceof PyObject && idx.typeName === 'slice';
    if (obj instanceof PyList || obj instanceof PyTuple || typeof obj === 'string') {
      const items: readonly PyValue[] = typeof obj === 'string' ? [...obj] : obj.items;
      const kind = typeof obj === 'string' ? 'string' : obj instanceof PyList ? 'list' : 'tuple';
      if (isSlice) {
        const [start, stop, step] = this.sliceIndices(idx, items.length);
        const out: PyValue[] = [];
        for (let i = start; step > 0 ? i < stop : i > stop; i += step) out.push(items[i]);
        if (typeof obj === 'string') return out.join('');
        return obj instanceof PyList ? new PyList(out) : new PyTuple(out, obj.isSize);
      }
      return items[this.listIndex(items.length, idx, kind)];
    }
    if (obj instanceof PyDict) {
      const e = obj.entries.get(keyOf(idx));
      if (!e) throw pyErr('KeyError', repr(idx));
      return e[1];
    }
    if (obj instanceof PyRange) {
      const n = Number(rangeLength(obj));
      const i = this.listIndex(n, idx, 'range object');
      return obj.start + BigInt(i) * obj.step;
    }
    throw typeErr(`'${typeName(obj)}' object is not subscriptable`);
  }

  private setItem(obj: PyValue, idx: PyValue, v: PyValue, node: A.Range): void {
    if (obj instanceof c.Tensor) {
      c.setCurrentSite(this.siteOf(node));
      this.torch.setItem(obj, idx, v);
      return;
    }
    if (obj instanceof PyList) {
      if (idx instanceof PyObject && idx.typeName === 'slice') {
        const [start, stop, step] = this.sliceIndices(idx, obj.items.length);
        if (step !== 1) throw valueErr('extended slice assignment is not supported');
        const items: PyValue[] = [];
        const it = this.iterate(v);
        for (let x = it(); x !== undefined; x = it()) items.push(x);
        obj.items.splice(start, Math.max(0, stop - start), ...items);
        return;
      }
      obj.items[this.listIndex(obj.items.length, idx, 'list assignment')] = v;
      return;
    }
    if (obj instanceof PyDict) {
      dictSet(obj, idx, v);
      return;
    }
    throw typeErr(`'${typeName(obj)}' object does not support item assignment`);
  }

  // ---------------------------------------------------------------- iteration

  /** A pull iterator over any iterable: returns undefined when exhausted. */
  iterate(v: PyValue): () => PyValue | undefined {
    if (this.evaluating && v instanceof PyIterator)
      throw pyErr('RuntimeError', 'consuming an iterator is not allowed in a debugger expression (it could change the run)');
    if (v instanceof PyRange) {
      let i = v.start;
      const { stop, step } = v;
      return () => {
        if (step > 0n ? i >= stop : i <= stop) return undefined;
        const x = i;
        i += step;
        return x;
      };
    }
    if (v instanceof PyList || v instanceof PyTuple) {
      let i = 0;
      const items = v.items;
      return () => (i < items.length ? items[i++] : undefined);
    }
    if (typeof v === 'string') {
      const chars = [...v];
      let i = 0;
      return () => (i < chars.length ? chars[i++] : undefined);
    }
    if (v instanceof PyDict) {
      const keys = [...v.entries.values()].map(([k]) => k);
      let i = 0;
      return () => (i < keys.length ? keys[i++] : undefined);
    }
    if (v instanceof PyIterator) return v.next;
    if (v instanceof c.Tensor) {
      if (v.ndim === 0) throw typeErr('iteration over a 0-d tensor');
      let i = 0;
      return () => (i < v.shape[0] ? this.torch.getItem(v, BigInt(i++)) : undefined);
    }
    throw typeErr(`'${typeName(v)}' object is not iterable`);
  }

  /** id() of a value (stable per object). */
  idOf(v: PyValue): bigint {
    if (v !== null && typeof v === 'object') return BigInt(identityOf(v));
    return BigInt(identityOf({ v }));
  }

  /** Raises RuntimeError for a feature outside the supported subset. */
  unsupported(what: string): never {
    throw runtimeErr(`${what} is not supported by Backprop Debugger`);
  }

  /** The statement running now. */
  currentRange(): A.Range | null {
    return this.current;
  }

  /** Scopes of the running Python calls, outermost first, parallel to callStack() (for the debugger). */
  callScopes(): readonly Scope[] {
    return this.frameScopes;
  }

  /**
   * Evaluates a debugger expression (a breakpoint condition, a logpoint's
   * `{…}`, a hover, the Debug Console) in `scope` without changing the run:
   * under torch.no_grad, with at most `budget` steps, printed output and
   * source sites rolled back, and no call that could mutate state (user
   * functions, list/dict mutators, in-place tensor ops, backward, random
   * generators, consuming an iterator). Throws a located PyException.
   */
  evaluate(expr: A.Expr, scope: Scope, budget = EVALUATE_STEP_BUDGET): PyValue {
    if (this.evaluating) throw pyErr('RuntimeError', 'nested debugger evaluation');
    const saved = {
      steps: this.steps,
      stdout: this.stdout,
      outputCut: this.outputCut,
      current: this.current,
      sites: this.sites.length,
      deadline: this.deadline,
    };
    this.evaluating = true;
    this.steps = Math.max(0, this.limits.maxSteps - budget);
    this.deadline = Date.now() + Math.min(this.limits.maxMillis, 2000);
    const prevSite = c.setCurrentSite(-1);
    try {
      return c.noGrad(() => this.evalExpr(expr, scope));
    } catch (e) {
      if (e instanceof BudgetExceeded)
        throw new PyException(
          'RuntimeError',
          `the expression took more than ${budget} steps (the debugger's evaluation limit)`,
          expr,
        );
      throw this.locate(e);
    } finally {
      this.evaluating = false;
      this.steps = saved.steps;
      this.stdout = saved.stdout;
      this.outputCut = saved.outputCut;
      this.current = saved.current;
      this.deadline = saved.deadline;
      for (const r of this.sites.splice(saved.sites)) this.siteIds.delete(r);
      c.setCurrentSite(prevSite);
    }
  }

  private checkPure(fn: PyValue): void {
    const f = fn instanceof PyBoundMethod ? fn.fn : fn;
    if (f instanceof PyFunction)
      throw pyErr(
        'RuntimeError',
        `calling ${f.name}() is not allowed in a debugger expression (it could change the run)`,
      );
    if (f instanceof PyBuiltin && !(f instanceof PyType)) {
      const short = f.name.slice(f.name.lastIndexOf('.') + 1);
      if (short.endsWith('_') || MUTATING_BUILTINS.has(short))
        throw pyErr(
          'RuntimeError',
          `calling ${short}() is not allowed in a debugger expression (it could change the run)`,
        );
    }
  }

  /** The current call stack (for the debugger). */
  callStack(): readonly { name: string; range: A.Range }[] {
    return this.frames;
  }

  /** Calls CallArgs-style builtins from other modules with the interpreter's calling convention. */
  static noKwargs(a: CallArgs, name: string): void {
    if (a.kwargs.size > 0) throw typeErr(`${name}() takes no keyword arguments`);
  }
}
