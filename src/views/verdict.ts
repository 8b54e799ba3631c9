// The one-line verdict under every cell: who leads, in which term, how far each node has committed,
// and whether every invariant held so far.

import { truncate, NAME_CHARS_MAX } from './escape';
import type { ViewInput } from './input';
import { currentLeader, foldState, type ClusterState, type NodeState } from './state';

export interface Verdict {
  /** Plain text (not escaped): `leader n3 · term 2 · commit n1=4 n2=4 … · invariants held`. */
  text: string;
  /** The live leader of the highest term any live node leads, or null. */
  leader: string | null;
  /** The highest term any node has reached. */
  term: number;
  /** Commit index per node, in declared order. */
  commit: Record<string, number>;
  /** Every violation so far, as `Invariant: detail`. */
  violations: string[];
}

/** The verdict at the end of `input`'s window (violations count from the start of the simulation). */
export function verdict(input: ViewInput): Verdict {
  return verdictOf(foldState(input));
}

/** The verdict of an already folded state (the scrubber folds once and asks at every event). */
export function verdictOf(state: ClusterState): Verdict {
  const term = state.nodes.reduce((max, node) => Math.max(max, node.term), 0);
  const leader = currentLeader(state);
  const commit: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const node of state.nodes) commit[node.name] = node.commitIndex;
  const violations = state.violations.map((v) => `${v.invariant}: ${v.detail}`);

  const parts: string[] = [];
  if (leader === null) parts.push('no leader');
  else if (leader.term < term) parts.push(`stale leader ${short(leader.name)} (term ${leader.term})`);
  else parts.push(`leader ${short(leader.name)}`);
  parts.push(`term ${term}`);
  if (state.nodes.length > 0) {
    parts.push(`commit ${state.nodes.map((n) => `${short(n.name)}=${n.commitIndex}${statusMark(n)}`).join(' ')}`);
  }
  parts.push(violationSummary(state));
  return {
    text: parts.join(' · '),
    leader: leader?.name ?? null,
    term,
    commit,
    violations,
  };
}

function violationSummary(state: ClusterState): string {
  const count = state.violations.length;
  if (count === 0) return 'invariants held';
  const names = [...new Set(state.violations.map((v) => v.invariant))].map(short);
  return `⚠ ${count} violation${count === 1 ? '' : 's'}: ${names.join(', ')}`;
}

function statusMark(node: NodeState): string {
  return node.status === 'up' ? '' : ` (${node.status})`;
}

function short(name: string): string {
  return truncate(name, NAME_CHARS_MAX);
}
