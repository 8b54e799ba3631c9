// The scenario runner in a Web Worker of the browser's (web worker) extension host, for the web entry
// (extension.web.ts): the same runnerCore.ts as the Node worker thread, so the same cells give the same
// bytes; a cancelled run stops at the flag runner.ts shares, where the page allows shared memory, and
// otherwise with the worker. Bundled for the browser: no Node built-ins.
import { createRunnerCore } from './runnerCore';
import type { Request, Response } from './runnerProtocol';

// The few worker globals used here (the project's lib has no DOM or WebWorker types).
declare const self: {
  onmessage: ((event: { data: Request }) => void) | null;
  postMessage(message: Response): void;
};

const handle = createRunnerCore();
self.onmessage = (event) => self.postMessage(handle(event.data));
