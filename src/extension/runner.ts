// The extension host's side of the runner worker: requests with ids, cancellation by termination.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type * as vscode from 'vscode';
import type { RequestBody, Response } from './runnerProtocol';

export class Cancelled extends Error {
  constructor() {
    super('Cancelled.');
  }
}

export class Runner {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly distDir: string) {}

  request<T>(body: RequestBody, token?: vscode.CancellationToken): Promise<T> {
    const id = this.nextId++;
    const worker = this.ensure();
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      const sub = token?.onCancellationRequested(() => {
        // A run is synchronous inside the worker: stopping it is stopping the worker. The snapshot
        // caches go with it and are rebuilt on the next run.
        this.reset(new Cancelled());
      });
      const done = (): void => sub?.dispose();
      this.pending.set(id, {
        resolve: (v) => {
          done();
          resolve(v as T);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      });
      worker.postMessage({ ...body, id });
    });
  }

  dispose(): void {
    this.reset(new Error('The runner was shut down.'));
  }

  private ensure(): Worker {
    if (this.worker) return this.worker;
    // A larger young generation suits the engine's many short-lived objects (events, messages): the
    // same setting `npm run bench` measures with (--max-semi-space-size=64).
    const w = new Worker(path.join(this.distDir, 'runner.js'), { resourceLimits: { maxYoungGenerationSizeMb: 192 } });
    w.on('message', (res: Response) => {
      const p = this.pending.get(res.id);
      if (!p) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res.result);
      else p.reject(new Error(res.error));
    });
    w.on('error', (e) => this.reset(e));
    w.on('exit', (code) => {
      if (this.worker === w) this.reset(new Error(`The scenario runner stopped (exit code ${code}).`));
    });
    this.worker = w;
    return w;
  }

  private reset(reason: Error): void {
    const w = this.worker;
    this.worker = null;
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const p of pending) p.reject(reason);
    if (w) void w.terminate();
  }
}
