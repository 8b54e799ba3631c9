// The notebook output of one cell: what the extension puts in the cell output (mime
// `application/vnd.consensus-notebook.run+json`), what the renderer draws, and what the CLI prints and
// exports. A pure function of the run, so the extension and the CLI show the same thing.

import type { TraceEvent, TraceView } from '../engine/trace';
import type { ViewInput, Zone } from './input';
import { logGrid, logTable, type LogGrid } from './log';
import { sequenceDiagram } from './sequence';
import { type ClusterState, foldState } from './state';
import { stateDiagram } from './states';
import { topologyDiagram } from './topology';
import { verdict } from './verdict';

export const RUN_MIME = 'application/vnd.consensus-notebook.run+json';

export type ViewName = 'sequence' | 'states' | 'log' | 'topology';

/** What a cell run hands to the views (structurally a subset of lang's CellRun). */
export interface RunInput {
  ok: boolean;
  failures: { span: { line: number; column: number }; message: string; offer?: string }[];
  messages: string[];
  views: { view: ViewName; hideHeartbeats: boolean; fromUs: number | null; toUs: number | null; maxMessages?: number | null }[];
  events: TraceView;
  from: number;
  nodes: string[];
  clients: string[];
  zones: Zone[];
  seed: number | null;
  timeUs: number;
}

/** A ClusterState as JSON (its key-value maps as sorted pairs). */
export type ClusterStateJson = Omit<ClusterState, 'nodes'> & {
  nodes: (Omit<ClusterState['nodes'][number], 'kv'> & { kv: [string, string][] })[];
};

/** What the renderer's event scrubber needs: the state at the start of the cell and its events. */
export interface ScrubData {
  nodes: string[];
  clients: string[];
  zones: Zone[];
  base: ClusterStateJson;
  events: TraceEvent[];
  /** True when the cell had more events than the scrubber carries. */
  truncated: boolean;
  hideHeartbeats: boolean;
  /** The cell's `show sequence` window and arrow cap, so a scrubbed diagram is drawn like the full one. */
  fromUs?: number;
  toUs?: number;
  maxMessages?: number;
}

/** Events of one cell the scrubber carries at most (the output stays small; the diagram has them all). */
export const SCRUB_EVENTS_MAX = 5_000;

export interface RunPayload {
  version: 1;
  /** File stem for exported images. */
  name: string;
  /** The tab shown first. */
  tab: ViewName;
  theme: DiagramThemeSetting;
  ok: boolean;
  verdict: string;
  leader: string | null;
  term: number;
  seed: number | null;
  timeUs: number;
  events: number;
  /** `offer`: lines to offer as a new cell below (an `explore` finding). */
  failures: { line: number; column: number; message: string; offer?: string }[];
  messages: string[];
  /** Mermaid sources of the diagram views. */
  mermaid: { sequence: string; states?: string; topology?: string };
  log?: LogGrid;
  logMarkdown?: string;
  omitted: number;
  scrub?: ScrubData;
}

export interface PayloadOptions {
  /** File stem used when the diagrams are exported. */
  name?: string;
  /** Default for collapsing heartbeats when a cell does not say (`show sequence hide=…`). */
  hideHeartbeats?: boolean;
  /**
   * `notebook` (default): every view as a tab, plus the scrubber's data. `export`: only the views the
   * cell asked for (`show …`; the sequence diagram always), no scrubber data.
   */
  mode?: 'notebook' | 'export';
  /** Mermaid theme; `auto` follows the editor's light/dark theme. */
  theme?: DiagramThemeSetting;
}

export type DiagramThemeSetting = 'auto' | 'default' | 'dark' | 'forest' | 'neutral';

export function buildPayload(run: RunInput, opts: PayloadOptions = {}): RunPayload {
  const input: ViewInput = { nodes: run.nodes, clients: run.clients, zones: run.zones, events: run.events, from: run.from };
  const seqReq = run.views.find((v) => v.view === 'sequence');
  const hideHeartbeats = seqReq?.hideHeartbeats ?? opts.hideHeartbeats ?? true;
  const seqWindow = {
    ...(seqReq?.fromUs != null ? { fromUs: seqReq.fromUs } : {}),
    ...(seqReq?.toUs != null ? { toUs: seqReq.toUs } : {}),
    ...(seqReq?.maxMessages != null ? { maxMessages: seqReq.maxMessages } : {}),
  };
  const seq = sequenceDiagram(input, { hideHeartbeats, ...seqWindow });
  const v = verdict(input);
  const wants = new Set(run.views.map((x) => x.view));
  const mermaid: RunPayload['mermaid'] = { sequence: seq.text };
  const empty = run.nodes.length === 0;
  if (!empty) {
    mermaid.states = stateDiagram(input);
    mermaid.topology = topologyDiagram(input);
  }
  const payload: RunPayload = {
    version: 1,
    name: opts.name ?? 'consensus',
    theme: opts.theme ?? 'auto',
    tab: run.views[0]?.view ?? 'sequence',
    ok: run.ok,
    verdict: v.text,
    leader: v.leader,
    term: v.term,
    seed: run.seed,
    timeUs: run.timeUs,
    events: run.events.length - run.from,
    failures: run.failures.map((f) => ({ line: f.span.line, column: f.span.column, message: f.message, ...(f.offer !== undefined ? { offer: f.offer } : {}) })),
    messages: run.messages,
    mermaid,
    omitted: seq.omitted,
  };
  if (!empty) {
    payload.log = logGrid(input);
    payload.logMarkdown = logTable(input);
  }
  // Views the cell did not ask for stay available as tabs, but only the asked-for ones are exported.
  const exporting = opts.mode === 'export';
  if (exporting) {
    for (const k of ['states', 'topology'] as const) if (!wants.has(k)) delete payload.mermaid[k];
    if (!wants.has('log')) {
      delete payload.log;
      delete payload.logMarkdown;
    }
  }
  // The scrubber steps through the cell's events: a cell without any has none.
  if (!exporting && !empty && run.events.length > run.from) {
    const events = run.events.slice(run.from, run.from + SCRUB_EVENTS_MAX);
    payload.scrub = {
      nodes: run.nodes,
      clients: run.clients,
      zones: run.zones,
      base: stateToJson(foldState(input, run.from)),
      events,
      truncated: run.events.length - run.from > SCRUB_EVENTS_MAX,
      hideHeartbeats,
      ...seqWindow,
    };
  }
  return payload;
}

export function stateToJson(s: ClusterState): ClusterStateJson {
  return {
    ...s,
    nodes: s.nodes.map((n) => ({ ...n, log: n.log.slice(), kv: [...n.kv.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) })),
  };
}

export function stateFromJson(j: ClusterStateJson): ClusterState {
  return {
    ...j,
    partition: j.partition ? j.partition.map((g) => g.slice()) : null,
    links: j.links.slice(),
    conditions: j.conditions.slice(),
    violations: j.violations.slice(),
    nodes: j.nodes.map((n) => ({ ...n, log: n.log.slice(), kv: new Map(n.kv) })),
  };
}
