// The scenario runner in a worker thread of the (Node) extension host: a long or runaway run can never
// block the editor; a cancelled run stops at the flag runner.ts shares with it (the worker and its snapshot
// caches stay). The work itself is runnerCore.ts.
import { parentPort } from 'node:worker_threads';
import { createRunnerCore } from './runnerCore';
import type { Request } from './runnerProtocol';

const handle = createRunnerCore();
parentPort!.on('message', (req: Request) => parentPort!.postMessage(handle(req)));
