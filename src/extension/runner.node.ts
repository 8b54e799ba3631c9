// Scenario runs in a worker thread of the Node extension host (dist/runner.js, runner.worker.ts).
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { RunnerWorkerFactory } from './runner';
import type { Response } from './runnerProtocol';

export function nodeWorkers(distDir: string): RunnerWorkerFactory {
  return {
    description: 'a worker thread',
    spawn(events) {
      // A larger young generation suits the engine's many short-lived objects (events, messages): the
      // same setting `npm run bench` measures with (--max-semi-space-size=64).
      const w = new Worker(path.join(distDir, 'runner.js'), { resourceLimits: { maxYoungGenerationSizeMb: 192 } });
      w.on('message', (res: Response) => events.message(res));
      w.on('error', (e) => events.failed(e));
      w.on('exit', (code) => events.failed(new Error(`The scenario runner stopped (exit code ${code}).`)));
      return {
        postMessage: (req) => w.postMessage(req),
        terminate: () => void w.terminate(),
      };
    },
  };
}
