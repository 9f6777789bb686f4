/**
 * Errors raised by the core carry the Python exception type PyTorch would
 * raise (RuntimeError, ValueError, IndexError, TypeError), so the interpreter
 * can show them as Python errors with the user's line attached.
 */
export type PyErrorType = 'RuntimeError' | 'ValueError' | 'IndexError' | 'TypeError';

export class TorchError extends Error {
  constructor(
    readonly pyType: PyErrorType,
    message: string,
  ) {
    super(message);
    this.name = pyType;
  }
}

export const runtimeError = (msg: string): TorchError => new TorchError('RuntimeError', msg);
export const indexError = (msg: string): TorchError => new TorchError('IndexError', msg);
export const valueError = (msg: string): TorchError => new TorchError('ValueError', msg);
export const typeError = (msg: string): TorchError => new TorchError('TypeError', msg);
