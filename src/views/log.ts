// The replicated logs side by side: one row per node, one column per log index, with each node's
// commit and applied index, and entries that differ from the committed (else the leader's, else the
// majority's) entry marked.

import type { Role } from '../engine/trace';
import { markdownCell } from './escape';
import type { ViewInput } from './input';
import { entryLabel } from './labels';
import { currentLeader, foldState, type NodeState, type NodeStatus } from './state';

export interface LogCell {
  index: number;
  term: number;
  /** `t2 put x=1`, plain text. */
  label: string;
  /** At or below this node's commit index. */
  committed: boolean;
  /** Differs from the entry committed at this index, else from the current leader's, else the majority's. */
  divergent: boolean;
}

export interface LogRow {
  name: string;
  role: Role;
  status: NodeStatus;
  term: number;
  commitIndex: number;
  appliedIndex: number;
  entries: LogCell[];
}

export interface LogGrid {
  nodes: LogRow[];
  /** The longest log's last index. */
  lastIndex: number;
}

export interface LogTableOptions {
  /** Most index columns; the table then shows the last ones (default 20). */
  maxColumns?: number;
}

/** The logs at the end of `input`'s window, as data for the renderer. */
export function logGrid(input: ViewInput): LogGrid {
  const state = foldState(input);
  const nodes = state.nodes;
  const lastIndex = nodes.reduce((max, n) => Math.max(max, n.log.length), 0);
  const reference = referenceEntries(nodes, lastIndex, currentLeader(state));
  return {
    lastIndex,
    nodes: nodes.map((node) => ({
      name: node.name,
      role: node.role,
      status: node.status,
      term: node.term,
      commitIndex: node.commitIndex,
      appliedIndex: node.appliedIndex,
      entries: node.log.map((entry, i) => {
        const label = entryLabel(entry);
        const ref = reference[i];
        return {
          index: i + 1,
          term: entry.term,
          label,
          committed: i + 1 <= node.commitIndex,
          divergent: ref !== undefined && ref !== label,
        };
      }),
    })),
  };
}

/** The logs at the end of `input`'s window as a GitHub Markdown table; divergent entries are `**≠ …**`. */
export function logTable(input: ViewInput, opts: LogTableOptions = {}): string {
  const grid = logGrid(input);
  const columns = Math.max(1, opts.maxColumns ?? 20);
  const first = Math.max(1, grid.lastIndex - columns + 1);
  const indexes: number[] = [];
  for (let i = first; i <= grid.lastIndex; i++) indexes.push(i);

  const header = ['node', 'role', 'term', ...(first > 1 ? [`1..${first - 1}`] : []), ...indexes.map(String), 'commit', 'applied'];
  const rows = grid.nodes.map((row) => {
    const role = row.status === 'up' || row.status === row.role ? row.role : `${row.role} (${row.status})`;
    const hidden = first > 1 ? [`${Math.min(row.entries.length, first - 1)} entries`] : [];
    const cells = indexes.map((index) => {
      const cell = row.entries[index - 1];
      if (cell === undefined) return '';
      const text = markdownCell(cell.label);
      return cell.divergent ? `**≠ ${text}**` : text;
    });
    return [markdownCell(row.name), role, String(row.term), ...hidden, ...cells, String(row.commitIndex), String(row.appliedIndex)];
  });
  const line = (cells: string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n') + '\n';
}

/**
 * The entry each index should hold: the committed one (by Log Matching every node that committed it
 * agrees, Raft §5.3); else the current leader's, which its followers will be forced to match; else
 * the one a strict majority of the nodes hold; else none.
 */
function referenceEntries(nodes: readonly NodeState[], lastIndex: number, leader: NodeState | null): (string | undefined)[] {
  const result: (string | undefined)[] = [];
  for (let index = 1; index <= lastIndex; index++) {
    const committer = nodes.find((n) => n.commitIndex >= index && n.log.length >= index);
    if (committer !== undefined) {
      result.push(entryLabel(committer.log[index - 1]!));
      continue;
    }
    const leaderEntry = leader?.log[index - 1];
    if (leaderEntry !== undefined) {
      result.push(entryLabel(leaderEntry));
      continue;
    }
    const counts = new Map<string, number>();
    for (const node of nodes) {
      const entry = node.log[index - 1];
      if (entry !== undefined) counts.set(entryLabel(entry), (counts.get(entryLabel(entry)) ?? 0) + 1);
    }
    let majority: string | undefined;
    for (const [label, count] of counts) if (count * 2 > nodes.length) majority = label;
    result.push(majority);
  }
  return result;
}
