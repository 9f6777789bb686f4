/**
 * Entry point of the autograd core: registers every op, installs the
 * default (TypeScript) backend, and re-exports what the interpreter, the
 * session, the CLI and the tests use. Nothing here imports vscode.
 */
import { setBackend } from './backends/backend';
import { tsBackend } from './backends/ts-gemm';
import './ops/arith';
import './ops/unary';
import './ops/matmul';
import './ops/reduce';
import './ops/shape-ops';
import './ops/softmax';
import './ops/loss';

setBackend(tsBackend);

export * from './functional';
export { apply, inputsOf, setCurrentSite, setOpListener } from './apply';
export type { OpListener } from './apply';
export { backward, FREED_GRAPH_MESSAGE, LOCAL_VALUE_LIMIT } from './backward';
export type { BackwardOptions, BackwardRecord, BackwardStep, InputStep, LeafUpdate } from './backward';
export { backend, setBackend } from './backends/backend';
export type { Backend } from './backends/backend';
export type { Buf, DType } from './dtype';
export { TorchError } from './errors';
export { isGradEnabled, noGrad, setGradEnabled } from './grad-mode';
export {
  addInPlace,
  copyInPlace,
  dataOf,
  detach,
  divInPlace,
  fillInPlace,
  mulInPlace,
  requiresGrad_,
  retainGrad,
  setData,
  subInPlace,
  zeroInPlace,
} from './inplace';
export { allOps, backwardNameOf, getOp, symbolOf } from './registry';
export type { Derivative, OpDef } from './registry';
export { broadcastIndex, broadcastShapes, broadcastStrides, formatShape, sizeOf } from './shape';
export type { Shape } from './shape';
export { copyOf, empty, fromNested, fromValues, full, scalar, Tensor, tensorCount, toNested, versionOwner } from './tensor';
