// Typed, documented options for single-decree Paxos and Multi-Paxos (units last, every option has a
// default), and the teaching bugs both share. Validation returns full sentences, like config.ts.

import { fmtUs } from '../config';

/** Deliberate protocol bugs for teaching and for mutation-testing the checkers. Never on by default. */
export interface PaxosBugs {
  /**
   * Count a quorum as a majority of the nodes this node believes reachable (itself and every peer that
   * has not missed an answer since it last heard from it) instead of a majority of all nodes: the
   * war story's split brain, where both sides of a partition think they have a quorum.
   */
  quorumFromReachable: boolean;
  /** An acceptor's promise is not durable: after a restart it promises only what it accepted, if anything. */
  forgetPromiseOnRestart: boolean;
  /** A proposer proposes its own value in phase 2 instead of the highest-numbered value its promises report. */
  ignoreAcceptedValues: boolean;
}

export const PAXOS_BUGS: readonly (keyof PaxosBugs)[] = ['quorumFromReachable', 'forgetPromiseOnRestart', 'ignoreAcceptedValues'];

export function noPaxosBugs(): PaxosBugs {
  return { quorumFromReachable: false, forgetPromiseOnRestart: false, ignoreAcceptedValues: false };
}

/** Single-decree Paxos: every node is proposer, acceptor and learner. */
export interface PaxosOptions {
  /**
   * The retry interval (back-off): a proposer starts a new ballot this long after it started the last,
   * unless it has learned the decision by then; a refusal (Nack) makes it abandon the ballot and wait
   * for that moment. The interval is drawn from [min, max] for each ballot. Fixed (min = max), two
   * proposers keep the same offset forever and can outbid each other forever (the FLP lesson); random,
   * one of them soon gets a quiet window and finishes. It must exceed two round trips, or a proposer
   * pre-empts its own ballots.
   */
  retryUsMin: number;
  retryUsMax: number;
  bugs: PaxosBugs;
}

export function defaultPaxosOptions(): PaxosOptions {
  return { retryUsMin: 50_000, retryUsMax: 150_000, bugs: noPaxosBugs() };
}

/** Multi-Paxos: a distinguished leader (the proposer whose phase 1 succeeded) runs phase 2 per instance. */
export interface MultiPaxosOptions {
  /** A node that hears no leader for a random time in this range runs phase 1 with a higher ballot. */
  electionTimeoutUsMin: number;
  electionTimeoutUsMax: number;
  /** The leader's heartbeat interval; it also re-sends Accepts still short of a quorum. */
  heartbeatUs: number;
  /** Most chosen values per Chosen message, and most Accepts re-sent per peer per heartbeat. */
  maxBatchEntries: number;
  bugs: PaxosBugs;
}

export function defaultMultiPaxosOptions(): MultiPaxosOptions {
  return { electionTimeoutUsMin: 150_000, electionTimeoutUsMax: 300_000, heartbeatUs: 50_000, maxBatchEntries: 64, bugs: noPaxosBugs() };
}

/** Returns a list of problems (empty when the options are usable). Each message is a full sentence. */
export function validatePaxosOptions(o: PaxosOptions): string[] {
  const problems: string[] = [];
  if (o.retryUsMin <= 0) problems.push('The retry interval must be positive.');
  if (o.retryUsMax < o.retryUsMin) problems.push('The retry interval range must not end before it starts.');
  return problems;
}

export function validateMultiPaxosOptions(o: MultiPaxosOptions): string[] {
  const problems: string[] = [];
  if (o.electionTimeoutUsMin <= 0) problems.push('The election timeout must be positive.');
  if (o.electionTimeoutUsMax < o.electionTimeoutUsMin) problems.push('The election timeout range must not end before it starts.');
  if (o.heartbeatUs <= 0) problems.push('The heartbeat interval must be positive.');
  if (o.heartbeatUs >= o.electionTimeoutUsMin)
    problems.push(
      `The heartbeat (${fmtUs(o.heartbeatUs)}) must be shorter than the election timeout (${fmtUs(o.electionTimeoutUsMin)}), or nodes start ballots against a live leader.`,
    );
  if (o.maxBatchEntries < 1) problems.push('A batch holds at least 1 entry.');
  return problems;
}
