/**
 * Python exceptions raised while a script runs. Each carries the Python type
 * name and, once it has crossed a statement or expression, the source range
 * where it happened, so the editor can underline it and the CLI can print
 * `File "x.py", line 9` as Python would.
 */
import type { Range } from './ast';

export class PyException extends Error {
  /** Python call stack at the point of the error (innermost last). */
  frames: { name: string; range: Range }[] = [];
  constructor(
    readonly pyType: string,
    message: string,
    public range: Range | null = null,
  ) {
    super(message);
    this.name = pyType;
  }

  /** `NameError: name 'w3' is not defined` */
  get display(): string {
    return this.message === '' ? this.pyType : `${this.pyType}: ${this.message}`;
  }
}

export const pyErr = (type: string, msg: string): PyException => new PyException(type, msg);
export const typeErr = (msg: string): PyException => new PyException('TypeError', msg);
export const valueErr = (msg: string): PyException => new PyException('ValueError', msg);
export const indexErr = (msg: string): PyException => new PyException('IndexError', msg);
export const nameErr = (name: string): PyException => new PyException('NameError', `name '${name}' is not defined`);
export const attrErr = (msg: string): PyException => new PyException('AttributeError', msg);
export const zeroDiv = (msg: string): PyException => new PyException('ZeroDivisionError', msg);
export const runtimeErr = (msg: string): PyException => new PyException('RuntimeError', msg);
