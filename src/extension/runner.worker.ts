// The scenario runner in a worker thread of the (Node) extension host: a long or runaway run can never
// block the editor, and cancelling a run is terminating the worker. The work itself is runnerCore.ts.
import { parentPort } from 'node:worker_threads';
import { createRunnerCore } from './runnerCore';
import type { Request } from './runnerProtocol';

const handle = createRunnerCore();
parentPort!.on('message', (req: Request) => parentPort!.postMessage(handle(req)));
