// The extension host's side of the scenario runner: requests with ids to a worker. Cancelling a run asks
// it to stop through a flag shared with the worker (where the host has SharedArrayBuffer): the worker
// stays up with its snapshot caches, so the cells above need not run again. Where there is no shared
// flag, or a run does not stop within STOP_GRACE_MS, cancelling terminates the worker. Platform-neutral: the worker comes from an injected factory, a worker thread in the
// Node extension host (runner.node.ts) or a Web Worker in the browser's (runner.web.ts), and both run
// runnerCore.ts. The controller, the commands and the language features only ever see this class.
import type * as vscode from 'vscode';
import type { Request, RequestBody, Response } from './runnerProtocol';

export class Cancelled extends Error {
  constructor() {
    super('Cancelled.');
  }
}

/** One running worker, as the runner drives it. */
export interface RunnerWorker {
  postMessage(req: Request): void;
  /** Stops it now, mid-run if need be; its events after this are ignored. */
  terminate(): void;
}

/** What a worker reports: an answer, or that it died (crashed, exited, could not load). */
export interface RunnerWorkerEvents {
  message(res: Response): void;
  failed(error: Error): void;
}

export interface RunnerWorkerFactory {
  /** For the log: where scenarios run, e.g. "a worker thread". */
  readonly description: string;
  /** Starts a worker; throws when this host cannot start one. */
  spawn(events: RunnerWorkerEvents): RunnerWorker;
}

/** How long a run asked to stop may take to answer before its worker is terminated. */
export const STOP_GRACE_MS = 2_000;

/** A stop flag to share with the worker, or null where this host cannot share memory with it. */
function stopFlag(body: RequestBody): Int32Array | null {
  if (body.type !== 'run' && body.type !== 'context') return null;
  if (typeof SharedArrayBuffer !== 'function' || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === false) return null;
  return new Int32Array(new SharedArrayBuffer(4));
}

export class Runner {
  private worker: RunnerWorker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

  constructor(private readonly factory: RunnerWorkerFactory) {}

  get description(): string {
    return this.factory.description;
  }

  /** Whether a worker is up (and so holds snapshot caches worth forgetting). */
  get started(): boolean {
    return this.worker !== null;
  }

  request<T>(body: RequestBody, token?: vscode.CancellationToken): Promise<T> {
    if (token?.isCancellationRequested) return Promise.reject(new Cancelled());
    let worker: RunnerWorker;
    try {
      worker = this.ensure();
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    const id = this.nextId++;
    const stop = stopFlag(body);
    return new Promise<T>((resolve, reject) => {
      const sub = token?.onCancellationRequested(() => {
        if (this.worker !== worker) return; // stopped already, and this request with it
        if (stop === null) {
          // No way to ask: stop the worker (its snapshot caches go with it; the next run rebuilds them).
          this.reset(new Cancelled());
          return;
        }
        // Ask the run to stop, answer the caller now, and give the worker a while to finish the run.
        Atomics.store(stop, 0, 1);
        const watchdog = setTimeout(() => {
          if (this.worker === worker && this.pending.has(id)) this.reset(new Cancelled());
        }, STOP_GRACE_MS);
        this.pending.set(id, { resolve: () => clearTimeout(watchdog), reject: () => clearTimeout(watchdog) });
        done();
        reject(new Cancelled());
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
      worker.postMessage((stop === null ? { ...body, id } : { ...body, id, stop }) as Request);
    });
  }

  dispose(): void {
    this.reset(new Error('The runner was shut down.'));
  }

  private ensure(): RunnerWorker {
    if (this.worker) return this.worker;
    const w: RunnerWorker = this.factory.spawn({
      message: (res) => {
        if (this.worker !== w) return;
        const p = this.pending.get(res.id);
        if (!p) return;
        this.pending.delete(res.id);
        if (res.ok) p.resolve(res.result);
        else p.reject(new Error(res.error));
      },
      failed: (e) => {
        if (this.worker === w) this.reset(e);
      },
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
    if (w) w.terminate();
  }
}
