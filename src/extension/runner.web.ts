// Scenario runs in a Web Worker of the browser's extension host (vscode.dev, code-server, VS Code for
// the Web). VS Code lets web extensions start Web Workers; the worker's script (runner.webworker.ts) is
// bundled into the web entry as text by esbuild.js and started from a blob: URL, so it needs no extra
// file, no extension-resource URL (which VS Code refuses for workers of remote extensions) and no
// network access.
import runnerSource from 'consensus-notebook:web-runner-source';
import type { RunnerWorkerFactory } from './runner';
import type { Request, Response } from './runnerProtocol';

// The browser globals used here (the project's lib has no DOM or WebWorker types).
interface BrowserWorker {
  postMessage(message: Request): void;
  terminate(): void;
  addEventListener(type: 'message', listener: (event: { data: Response }) => void): void;
  addEventListener(type: 'error' | 'messageerror', listener: (event: { message?: string; preventDefault?(): void }) => void): void;
}
declare const Worker: (new (url: string, options?: { name?: string }) => BrowserWorker) | undefined;

export function webWorkers(): RunnerWorkerFactory {
  let url: string | null = null;
  return {
    description: 'a Web Worker',
    spawn(events) {
      if (typeof Worker !== 'function') {
        throw new Error('This VS Code cannot start a Web Worker in its extension host, so scenarios cannot run here.');
      }
      url ??= URL.createObjectURL(new Blob([runnerSource], { type: 'text/javascript' }));
      const w = new Worker(url, { name: 'Consensus Notebook scenario runner' });
      w.addEventListener('message', (event) => events.message(event.data));
      w.addEventListener('error', (event) => {
        event.preventDefault?.();
        events.failed(new Error(`The scenario runner stopped: ${event.message ?? 'an error in its Web Worker'}.`));
      });
      w.addEventListener('messageerror', () => events.failed(new Error('The scenario runner sent a message that could not be read.')));
      return {
        postMessage: (req) => w.postMessage(req),
        terminate: () => w.terminate(),
      };
    },
  };
}
