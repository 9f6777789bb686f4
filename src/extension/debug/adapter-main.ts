/**
 * External entry of the `backprop` debug adapter: speaks DAP over stdin and
 * stdout (bundled as dist/debugAdapter.js). The tests drive it with
 * DebugClient; VS Code itself runs the same session class in-process.
 */
import { DebugSession } from '@vscode/debugadapter';
import { BackpropDebugSession } from './session';

DebugSession.run(BackpropDebugSession);
