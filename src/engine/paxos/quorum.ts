// Quorums as both Paxos variants count them, including the quorumFromReachable teaching bug, and the
// other bug that touches what survives a restart. Pure functions of plain data.

import { majority, type TraceInput } from '../protocol';
import type { Ballot } from '../trace';
import { ballotLabel, compareBallots, isNoBallot } from './ballot';
import type { PaxosBugs } from './options';

/** What a node knows about who can answer it. */
export interface Reach {
  id: string;
  peers: string[];
  /** Peers that missed an answer and have not been heard from since. */
  suspected: Set<string>;
}

/** Itself and every peer it does not suspect. */
export function reachable(s: Reach): number {
  return s.peers.filter((p) => p === s.id || !s.suspected.has(p)).length;
}

/**
 * A majority of all nodes. With the quorumFromReachable bug, a majority of the nodes this one believes
 * reachable, which shrinks on each side of a partition until both sides "have a quorum".
 */
export function quorumNeeded(s: Reach, bugs: PaxosBugs): number {
  return majority(bugs.quorumFromReachable ? reachable(s) : s.peers.length);
}

/** `3/5, a majority`, or under the bug, how the quorum was (mis)counted. */
export function quorumText(s: Reach, bugs: PaxosBugs, have: number): string {
  const n = s.peers.length;
  const r = reachable(s);
  if (!bugs.quorumFromReachable || r === n) return `${have}/${n}, a majority`;
  return `${have}/${n}: a majority of the ${r} nodes it believes reachable (bug quorumFromReachable)`;
}

/** The forgetPromiseOnRestart bug: the promise was never made durable; only `keep` (its acceptances) was. */
export function forgetPromise(s: { id: string; promised: Ballot }, trace: (ev: TraceInput) => void, keep: Ballot): void {
  if (compareBallots(s.promised, keep) <= 0) return;
  trace({
    k: 'note',
    t: undefined,
    text: `${s.id} restarts having forgotten its promise ${ballotLabel(s.promised)}; ${isNoBallot(keep) ? 'it has promised nothing' : `it remembers only ${ballotLabel(keep)}, the ballot it accepted`} (bug forgetPromiseOnRestart)`,
  });
  s.promised = keep;
}
