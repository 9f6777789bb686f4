/**
 * How Python values are held while a script runs. Plain JavaScript values
 * where Python's semantics allow: int is `bigint` (exact, so 10**400 works),
 * float is `number`, bool is `boolean`, str is `string`, None is `null`;
 * tensors are the core's Tensor objects. Everything else is a small class
 * below. Names always live in `Map`s, never in JavaScript objects, so a
 * Python name such as `__proto__` or `constructor` is just a name.
 */
import type { Tensor } from '../core';
import type { Expr, Parameter, Range, Stmt } from './ast';

export type PyValue =
  | null
  | boolean
  | bigint
  | number
  | string
  | Tensor
  | PyList
  | PyTuple
  | PyDict
  | PyFunction
  | PyBuiltin
  | PyBoundMethod
  | PyModule
  | PyRange
  | PyIterator
  | PyObject;

export class PyList {
  constructor(public items: PyValue[]) {}
}

/**
 * A tuple. `isSize` marks torch.Size (printed `torch.Size([2, 3])`); `names`
 * and `typeLabel` make a named tuple such as torch.return_types.max, whose
 * fields are also attributes (`.values`, `.indices`).
 */
export class PyTuple {
  constructor(
    readonly items: readonly PyValue[],
    readonly isSize = false,
    readonly names: readonly string[] | null = null,
    readonly typeLabel: string | null = null,
  ) {}
}

/** A dict with Python key equality (1 == 1.0 == True) and insertion order. */
export class PyDict {
  /** key encoding -> [key, value] */
  readonly entries = new Map<string, [PyValue, PyValue]>();
}

/** A user function (def or lambda) with its defining scope. */
export class PyFunction {
  constructor(
    readonly name: string,
    readonly params: readonly Parameter[],
    /** A lambda's body is an expression; a def's is statements. */
    readonly body: readonly Stmt[] | Expr,
    readonly defaults: readonly (PyValue | undefined)[],
    readonly closure: Scope,
    readonly range: Range,
  ) {}
}

/** Arguments as a call site passes them. */
export interface CallArgs {
  readonly args: readonly PyValue[];
  readonly kwargs: ReadonlyMap<string, PyValue>;
}

/** A function implemented in TypeScript (print, torch.tensor, …). */
export class PyBuiltin {
  constructor(
    readonly name: string,
    readonly call: (a: CallArgs) => PyValue,
  ) {}
}

/**
 * A class object (int, float, str, list, …, and type(x) of anything): it
 * constructs when called and answers isinstance() through `check`.
 */
export class PyType extends PyBuiltin {
  constructor(
    name: string,
    call: (a: CallArgs) => PyValue,
    readonly check: (v: PyValue) => boolean,
    /** Direct base classes (bool's is int); every class also derives from object. */
    readonly bases: readonly PyType[] = [],
  ) {
    super(name, call);
  }

  /** How CPython shows a class: `<class 'float'>`. */
  get reprText(): string {
    return `<class '${this.name}'>`;
  }
}

/** `obj.method` before it is called. */
export class PyBoundMethod {
  constructor(
    readonly self: PyValue,
    readonly fn: PyFunction | PyBuiltin,
  ) {}
}

export class PyModule {
  constructor(
    readonly name: string,
    readonly attrs: Map<string, PyValue>,
  ) {}
}

export class PyRange {
  constructor(
    readonly start: bigint,
    readonly stop: bigint,
    readonly step: bigint,
  ) {}
}

/** zip, enumerate, reversed, iter(...) results: single-pass iterators. */
export class PyIterator {
  constructor(
    readonly typeName: string,
    readonly next: () => PyValue | undefined,
  ) {}
}

/**
 * Any other object with a type name and attributes held in a Map
 * (torch.float32, the no_grad context manager, torch.return_types.max …).
 */
export class PyObject {
  readonly attrs = new Map<string, PyValue>();
  constructor(
    readonly typeName: string,
    /** How repr() shows it. */
    readonly reprText: string,
    /** Context-manager protocol, for `with`. */
    readonly enter?: () => PyValue,
    readonly exit?: () => void,
  ) {}
}

/** A scope: a Map of names, with the enclosing scope for lookups. */
export class Scope {
  readonly vars = new Map<string, PyValue>();
  /** Names declared `global` in this (function) scope. */
  readonly globals = new Set<string>();
  constructor(readonly parent: Scope | null) {}
}
