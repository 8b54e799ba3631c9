// What the scenario runner does with a request, whatever thread it runs in: the node entry's worker
// thread (runner.worker.ts) and the web entry's Web Worker (runner.webworker.ts) both wrap this. It keeps
// one Session (snapshot cache) per notebook and answers with what the controller shows; everything it
// does is lang/ and views/, so it imports neither `vscode` nor Node built-ins.
import { exportMarkdown } from '../lang/export';
import type { ExecOptions } from '../lang/interpreter';
import type { NotebookCellText } from '../lang/notebook';
import { Session } from '../lang/session';
import { buildPayload, type RunPayload } from '../views/payload';
import type { Request, Response, RunResult } from './runnerProtocol';

export type RequestHandler = (req: Request) => Response;

const utf8 = new TextEncoder();

/** The run's "stop now?" question, read from the flag the extension host shares (if it shares one). */
function stopFlag(stop: Int32Array | undefined): (() => boolean) | undefined {
  return stop === undefined ? undefined : () => Atomics.load(stop, 0) !== 0;
}

/** The output as compact UTF-8 JSON, made here so the extension host's thread neither clones nor serialises it. */
function encodePayload(payload: RunPayload): NonNullable<RunResult['payload']> {
  return { json: utf8.encode(JSON.stringify(payload)), verdict: payload.verdict };
}

/** A handler with its own snapshot caches (one per notebook, seed and budget). */
export function createRunnerCore(): RequestHandler {
  const sessions = new Map<string, Session>();

  function session(notebook: string, options: ExecOptions): Session {
    const key = `${notebook}\u0000${options.defaultSeed}\u0000${options.eventBudget}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = new Session(options);
      sessions.set(key, s);
    }
    return s;
  }

  function handle(req: Request): unknown {
    switch (req.type) {
      case 'run': {
        const runs = session(req.notebook, req.options).runUpTo(req.cells, req.k, stopFlag(req.stop));
        const run = runs[runs.length - 1]!;
        // Nobody waits for a stopped run's output (the host answered "Cancelled." already): skip drawing it.
        if (req.stop !== undefined && Atomics.load(req.stop, 0) !== 0) return { ok: false, diagnostics: [], failures: [], messages: ['Cancelled.'], payload: null } satisfies RunResult;
        const result: RunResult = {
          ok: run.ok,
          diagnostics: run.diagnostics,
          failures: run.failures,
          messages: run.messages,
          payload: run.diagnostics.length === 0 ? encodePayload(buildPayload(run, req.payload)) : null,
        };
        return result;
      }
      case 'context': {
        if (req.k < 0) return { nodes: [], clients: [], zones: [] };
        const runs = session(req.notebook, req.options).runUpTo(req.cells, req.k, stopFlag(req.stop));
        const run = runs[runs.length - 1]!;
        return { nodes: run.nodes, clients: run.clients, zones: run.zones.map((z) => z.name) };
      }
      case 'export':
        return exportMarkdown(req.cells as NotebookCellText[], new Session(req.options), req.name);
      case 'forget':
        for (const key of [...sessions.keys()]) if (key.startsWith(`${req.notebook}\u0000`)) sessions.delete(key);
        return null;
    }
  }

  return (req) => {
    try {
      return { id: req.id, ok: true, result: handle(req) };
    } catch (e) {
      return { id: req.id, ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
    }
  };
}
