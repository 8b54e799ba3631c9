// The bully election's one property, watched from outside: at most one live node acts as leader at a
// time. The bully algorithm has no quorum, so a partition breaks it by design — the checker reports
// that split brain as a finding, with who and since when. Any hand-over also has a moment, one message
// flight long, where the new leader announced itself and the old one has not heard yet; overlaps
// shorter than `graceUs` are that, not a split brain.

import type { Violation } from '../protocol';
import type { Micros, Role, TraceEvent } from '../trace';

export const BULLY_INVARIANTS = ['Single Leader'] as const;
export type BullyInvariant = (typeof BULLY_INVARIANTS)[number];
export type BullyViolation = Violation<BullyInvariant>;

export interface BullyCheckState {
  nodes: string[];
  graceUs: Micros;
  /** By node name: a Map, since a name may be `toString` or `__proto__`, which an object would mishandle. */
  roles: Map<string, Role>;
  /** When the current overlap of two or more leaders began, or null when at most one leads. */
  overlapSinceUs: Micros | null;
  /** The overlap was reported (each overlap is reported once). */
  reported: boolean;
}

/** `graceUs`: how long two leaders may coexist before it counts (a message's flight: the max latency, say). */
export function bullyCheckCreate(nodes: readonly string[], graceUs: Micros): BullyCheckState {
  const roles = new Map<string, Role>();
  for (const n of nodes) roles.set(n, 'follower');
  return { nodes: nodes.slice(), graceUs, roles, overlapSinceUs: null, reported: false };
}

/** Live leaders in declared order. */
export function bullyLeaders(st: BullyCheckState): string[] {
  return st.nodes.filter((n) => st.roles.get(n) === 'leader');
}

/** Feed one event; returns the findings it reveals (usually none). */
export function bullyCheckEvent(st: BullyCheckState, ev: TraceEvent): BullyViolation[] {
  if (ev.k === 'role') st.roles.set(ev.node, ev.to);
  const leaders = bullyLeaders(st);
  if (leaders.length < 2) {
    st.overlapSinceUs = null;
    st.reported = false;
    return [];
  }
  st.overlapSinceUs ??= ev.t;
  if (st.reported || ev.t - st.overlapSinceUs < st.graceUs) return [];
  st.reported = true;
  return [
    {
      invariant: 'Single Leader',
      nodes: leaders,
      detail: `split brain: ${leaders.join(' and ')} ${leaders.length === 2 ? 'both' : 'all'} lead at once (since ${Math.round(st.overlapSinceUs / 1000)}ms); the bully election has no quorum, so each side of a partition elects its own`,
    },
  ];
}
