// What every view is computed from: the declared cluster and the whole trace, with the window of it
// being shown.

import type { TraceView } from '../engine/trace';

export interface Zone {
  name: string;
  nodes: string[];
}

export interface ViewInput {
  /** Cluster nodes in declared order (the participants' order). */
  nodes: string[];
  /** Client names in first-use order. */
  clients: string[];
  zones: Zone[];
  /** The whole trace from the start of the simulation (cells 1..k). */
  events: TraceView;
  /** Index of the first event of the cell being shown; earlier events only build up state. */
  from: number;
  /** Exclusive end index (default `events.length`): the event scrubber shows "up to event i". */
  to?: number;
}

/** The window `[from, to)` clamped to the trace. */
export function windowOf(input: ViewInput): { from: number; to: number } {
  const to = clamp(input.to ?? input.events.length, 0, input.events.length);
  const from = clamp(input.from, 0, to);
  return { from, to };
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(Math.trunc(value), low), high);
}

/** Votes needed for a majority of `clusterSize` voters (Raft §5.2): ⌊n/2⌋ + 1. */
export function quorumSize(clusterSize: number): number {
  return Math.floor(clusterSize / 2) + 1;
}
