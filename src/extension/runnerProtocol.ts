// Messages between the extension host and the runner worker.
import type { Diagnostic } from '../lang/diagnostics';
import type { ExecOptions, Failure } from '../lang/interpreter';
import type { NotebookCellText } from '../lang/notebook';
import type { PayloadOptions } from '../views/payload';

type Options = Omit<ExecOptions, 'isCancelled'>;

/**
 * `stop`: a flag shared with the extension host (an Int32Array over a SharedArrayBuffer, where the host
 * has one): it sets element 0 to ask the run to stop; the engine looks at it every 1,024 events. Without
 * it, cancelling stops the whole worker.
 */
export type Request = { id: number } & (
  | { type: 'run'; notebook: string; cells: string[]; k: number; options: Options; payload: PayloadOptions; stop?: Int32Array }
  | { type: 'context'; notebook: string; cells: string[]; k: number; options: Options; stop?: Int32Array }
  | { type: 'export'; cells: NotebookCellText[]; options: Options; name: string }
  | { type: 'forget'; notebook: string }
);

export type Response = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

export interface RunResult {
  ok: boolean;
  diagnostics: Diagnostic[];
  failures: Failure[];
  messages: string[];
  /**
   * The cell output (views/payload.ts's RunPayload) as UTF-8 JSON, made in the worker: the extension
   * host's thread neither clones the object graph nor serialises it. Null when the cell did not parse.
   */
  payload: { json: Uint8Array; verdict: string } | null;
}

export interface NamesInScope {
  nodes: string[];
  clients: string[];
  zones: string[];
}

type DistributiveOmit<T, K extends keyof never> = T extends unknown ? Omit<T, K> : never;
export type RequestBody = DistributiveOmit<Request, 'id'>;
