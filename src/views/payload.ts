// The notebook output of one cell: what the extension puts in the cell output (mime
// `application/vnd.consensus-notebook.run+json`), what the renderer draws, and what the CLI prints and
// exports. A pure function of the run, so the extension and the CLI show the same thing.

import type { TraceEvent } from '../engine/trace';
import type { Zone } from './input';
import { sequenceDiagram } from './sequence';
import { verdict } from './verdict';

export const RUN_MIME = 'application/vnd.consensus-notebook.run+json';

export type ViewName = 'sequence' | 'states' | 'log' | 'topology';

/** What a cell run hands to the views (structurally a subset of lang's CellRun). */
export interface RunInput {
  ok: boolean;
  failures: { span: { line: number; column: number }; message: string }[];
  messages: string[];
  views: { view: ViewName; hideHeartbeats: boolean; fromUs: number | null; toUs: number | null }[];
  events: readonly TraceEvent[];
  from: number;
  nodes: string[];
  clients: string[];
  zones: Zone[];
  seed: number | null;
  timeUs: number;
}

export interface RunPayload {
  version: 1;
  ok: boolean;
  verdict: string;
  leader: string | null;
  term: number;
  seed: number | null;
  timeUs: number;
  events: number;
  failures: { line: number; column: number; message: string }[];
  messages: string[];
  /** Mermaid sources, one per view shown; the first is the default tab. */
  mermaid: { sequence: string };
  omitted: number;
}

export function buildPayload(run: RunInput): RunPayload {
  const input = { nodes: run.nodes, clients: run.clients, zones: run.zones, events: run.events, from: run.from };
  const seqReq = run.views.find((v) => v.view === 'sequence');
  const seq = sequenceDiagram(input, {
    hideHeartbeats: seqReq?.hideHeartbeats ?? true,
    ...(seqReq?.fromUs != null ? { fromUs: seqReq.fromUs } : {}),
    ...(seqReq?.toUs != null ? { toUs: seqReq.toUs } : {}),
  });
  const v = verdict(input);
  return {
    version: 1,
    ok: run.ok,
    verdict: v.text,
    leader: v.leader,
    term: v.term,
    seed: run.seed,
    timeUs: run.timeUs,
    events: run.events.length - run.from,
    failures: run.failures.map((f) => ({ line: f.span.line, column: f.span.column, message: f.message })),
    messages: run.messages,
    mermaid: { sequence: seq.text },
    omitted: seq.omitted,
  };
}
