/**
 * The worker thread behind each graph panel (bundled as dist/panelWorker.js):
 * receives `{id, req}` from the host, answers `{id, reply}` with
 * PanelRunner. One worker per panel keeps that panel's run alive between
 * requests (picking another backward() call, drilling into an op) without
 * running the script again.
 */
import { parentPort } from 'node:worker_threads';
import { PanelRunner, type RunnerRequest } from './panel-runner';

const runner = new PanelRunner();
const port = parentPort;
if (port)
  port.on('message', (m: { id: number; req: RunnerRequest }) => {
    port.postMessage({ id: m.id, reply: runner.handle(m.req) });
  });
