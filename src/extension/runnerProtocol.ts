// Messages between the extension host and the runner worker.
import type { Diagnostic } from '../lang/diagnostics';
import type { ExecOptions, Failure } from '../lang/interpreter';
import type { NotebookCellText } from '../lang/notebook';
import type { PayloadOptions } from '../views/payload';

type Options = Omit<ExecOptions, 'isCancelled'>;

export type Request = { id: number } & (
  | { type: 'run'; notebook: string; cells: string[]; k: number; options: Options; payload: PayloadOptions }
  | { type: 'context'; notebook: string; cells: string[]; k: number; options: Options }
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
