// Ballots (proposal numbers) and values: ordering, identity and the stable printers shared by the
// protocols, the checkers and the views.

import { describeCommand } from '../describe';
import type { Ballot, PaxosValue } from '../trace';

export const NO_BALLOT: Ballot = { round: 0, proposer: 0 };

/** Negative, zero or positive as `a` is below, equal to or above `b` (round first, then proposer). */
export function compareBallots(a: Ballot, b: Ballot): number {
  return a.round !== b.round ? a.round - b.round : a.proposer - b.proposer;
}

export function isNoBallot(b: Ballot): boolean {
  return b.round === 0 && b.proposer === 0;
}

/** `#3.1`, or `none`. */
export function ballotLabel(b: Ballot): string {
  return isNoBallot(b) ? 'none' : `#${b.round}.${b.proposer}`;
}

export function isNoop(v: PaxosValue): boolean {
  return typeof v !== 'string' && v.op === 'noop';
}

/** The value as people read it: `X`, `put x=1`, `no-op`. */
export function valueLabel(v: PaxosValue): string {
  if (typeof v === 'string') return v;
  return describeCommand(v);
}

/**
 * The identity of a value: equal keys, equal values. A command is identified by what it does and by
 * its client and sequence number (two clients writing the same thing are two values).
 */
export function valueKey(v: PaxosValue): string {
  if (typeof v === 'string') return `v\u0000${v}`;
  if (v.op === 'noop') return 'noop';
  if (v.op === 'expire') return `e\u0000${describeCommand(v)}`;
  return `c\u0000${v.client}\u0000${v.seq}\u0000${describeCommand(v)}`;
}
