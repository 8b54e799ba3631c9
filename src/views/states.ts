// The state diagram of one cell: the role transitions that happened, aggregated with counts, the
// nodes that made them and why, and which nodes hold each role at the end.

import type { Role } from '../engine/trace';
import { mermaidStateLabel, truncate } from './escape';
import { windowOf, type ViewInput } from './input';
import { roleName } from './labels';
import { foldState } from './state';

/** Distinct reasons drawn per pair of roles; the rest are summed into one "other" edge. */
const REASONS_PER_PAIR_MAX = 2;
const REASON_CHARS_MAX = 40;
const NAME_IN_LIST_CHARS_MAX = 12;
/** Text budget, well within Mermaid's `maxTextSize` (50,000); edges past it are summarised. */
const TEXT_CHARS_MAX = 40_000;
/** Nodes named on one edge before "+k". */
const NODES_PER_EDGE_MAX = 6;
const ROLE_ORDER: Role[] = ['follower', 'precandidate', 'candidate', 'leader', 'down'];

interface Edge {
  from: Role;
  to: Role;
  reason: string;
  count: number;
  nodes: string[];
}

/** Mermaid `stateDiagram-v2` of the role transitions in `input`'s window. */
export function stateDiagram(input: ViewInput): string {
  const { from, to } = windowOf(input);
  const edges = new Map<string, Edge>();
  for (let i = from; i < to; i++) {
    const ev = input.events.at(i)!;
    if (ev.k !== 'role' || ev.from === ev.to) continue;
    const key = `${ev.from}\u0000${ev.to}\u0000${ev.reason}`;
    let edge = edges.get(key);
    if (edge === undefined) {
      edge = { from: ev.from, to: ev.to, reason: ev.reason, count: 0, nodes: [] };
      edges.set(key, edge);
    }
    edge.count++;
    if (!edge.nodes.includes(ev.node)) edge.nodes.push(ev.node);
  }

  const end = foldState(input);
  const holders = new Map<Role, string[]>();
  for (const node of end.nodes) holders.set(node.role, [...(holders.get(node.role) ?? []), node.name]);

  const lines = ['stateDiagram-v2', 'direction LR'];
  const shown = new Set<Role>([...holders.keys()]);
  for (const edge of edges.values()) shown.add(edge.from).add(edge.to);
  if (shown.size === 0) shown.add('follower');
  for (const role of ROLE_ORDER) {
    if (!shown.has(role)) continue;
    const now = holders.get(role);
    // Mermaid draws a state's description in place of its name, so the description repeats the name.
    lines.push(now === undefined ? roleName(role) : `${roleName(role)} : ${mermaidStateLabel(`${roleName(role)} · now ${nameList(now)}`)}`);
  }
  if (edges.size === 0) {
    lines.push(`note right of ${roleName(ROLE_ORDER.find((r) => shown.has(r))!)} : no role changes in this cell`);
  }
  let chars = lines.reduce((sum, line) => sum + line.length + 1, 0);
  const all = aggregate([...edges.values()]);
  for (const [i, edge] of all.entries()) {
    const reason = edge.reason === '' ? 'no reason given' : truncate(edge.reason, REASON_CHARS_MAX);
    const line = `${roleName(edge.from)} --> ${roleName(edge.to)} : ${mermaidStateLabel(`${reason} ×${edge.count} (${nameList(edge.nodes)})`)}`;
    if (chars + line.length > TEXT_CHARS_MAX) {
      lines.push(`note left of ${roleName(edge.from)} : ${all.length - i} more transitions not drawn`);
      break;
    }
    lines.push(line);
    chars += line.length + 1;
  }
  return lines.join('\n') + '\n';
}

/** Per pair of roles, the most frequent reasons (first seen first on ties), then one "other reasons" edge. */
function aggregate(edges: Edge[]): Edge[] {
  const pairs = new Map<string, Edge[]>();
  for (const edge of edges) {
    const key = `${edge.from}\u0000${edge.to}`;
    pairs.set(key, [...(pairs.get(key) ?? []), edge]);
  }
  const result: Edge[] = [];
  for (const group of pairs.values()) {
    const ranked = group.map((edge, i) => ({ edge, i })).sort((a, b) => b.edge.count - a.edge.count || a.i - b.i);
    const kept = ranked.slice(0, REASONS_PER_PAIR_MAX).map((r) => r.edge);
    const rest = ranked.slice(REASONS_PER_PAIR_MAX).map((r) => r.edge);
    result.push(...kept);
    if (rest.length > 0) {
      const nodes = [...new Set(rest.flatMap((e) => e.nodes))];
      const count = rest.reduce((sum, e) => sum + e.count, 0);
      result.push({ from: group[0]!.from, to: group[0]!.to, reason: `${rest.length} other reasons`, count, nodes });
    }
  }
  return result;
}

function nameList(names: readonly string[]): string {
  const shown = names.slice(0, NODES_PER_EDGE_MAX).map((n) => truncate(n, NAME_IN_LIST_CHARS_MAX));
  const more = names.length - shown.length;
  return more > 0 ? `${shown.join(',')} +${more}` : shown.join(',');
}
