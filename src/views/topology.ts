// The cluster's shape at the end of a window: nodes grouped by zone, the sides of the current
// partition with their quorum, cut and held links, the leader, stale leaders and split brain.

import { mermaidLabel, nameCharsFor, truncate } from './escape';
import { quorumSize, type ViewInput } from './input';
import { faultLabel } from './labels';
import { foldState, type ClusterState, type NodeState } from './state';

/** Link faults drawn; more would crowd the picture and approach Mermaid's `maxEdges` (500). */
const LINKS_MAX = 100;
/** Characters all node labels may take together, within Mermaid's `maxTextSize` (50,000). */
const LABEL_CHARS_MAX = 25_000;

/** Mermaid `flowchart` of the cluster at the end of `input`'s window. */
export function topologyDiagram(input: ViewInput): string {
  const state = foldState(input);
  const ids = new Map(state.nodes.map((node, i) => [node.name, `n${i}`]));
  const size = state.nodes.length;
  const quorum = quorumSize(size);
  const sides = state.partition ?? [state.nodes.map((n) => n.name)];
  const byName = new Map(state.nodes.map((n) => [n.name, n]));
  const splitBrain = splitBrainTerms(state);
  const nameMax = nameCharsFor(size + input.zones.length, LABEL_CHARS_MAX);

  const quorate = sides.map((side) => side.filter((name) => byName.get(name)?.status !== 'down').length);
  // A leader on a side without quorum can no longer commit anything: it is stale (Raft §5.4.2).
  const stale = new Set<string>();
  sides.forEach((side, s) => {
    if (quorate[s]! >= quorum) return;
    for (const name of side) if (isLiveLeader(byName.get(name))) stale.add(name);
  });
  const nodeLine = (name: string): string => `${ids.get(name)}["${mermaidLabel(nodeLabel(byName.get(name)!, nameMax, stale, splitBrain))}"]`;

  const lines = ['flowchart LR'];
  sides.forEach((side, s) => {
    const live = quorate[s]!;
    const where = state.partition === null ? 'cluster' : `side ${s + 1}`;
    const title = `${where} · ${live >= quorum ? 'has quorum' : 'no quorum'} (${live}/${size})`;
    lines.push(`subgraph g${s}["${mermaidLabel(title)}"]`);
    lines.push('direction TB');
    const inZone = new Set<string>();
    input.zones.forEach((zone, z) => {
      const members = side.filter((name) => zone.nodes.includes(name) && !inZone.has(name));
      if (members.length === 0) return;
      lines.push(`subgraph g${s}z${z}["${mermaidLabel(zone.name === '' ? '(empty)' : zone.name, nameMax)}"]`);
      for (const name of members) {
        inZone.add(name);
        lines.push(nodeLine(name));
      }
      lines.push('end');
    });
    for (const name of side) if (!inZone.has(name)) lines.push(nodeLine(name));
    lines.push('end');
  });
  for (let s = 0; s + 1 < sides.length; s++) lines.push(`g${s} x-. "partitioned" .-x g${s + 1}`);

  for (const link of state.links.slice(0, LINKS_MAX)) {
    const arrow = link.kind === 'cut' ? '.-x' : '.->';
    const label = faultLabel(link.kind, link.detail);
    lines.push(`${ids.get(link.from)} -. "${mermaidLabel(label)}" ${arrow} ${ids.get(link.to)}`);
  }
  if (state.links.length > LINKS_MAX) {
    lines.push(`moreLinks["${mermaidLabel(`+${state.links.length - LINKS_MAX} more link faults`)}"]`);
  }
  if (splitBrain.size > 0) {
    const terms = [...splitBrain].sort((a, b) => a - b).join(', ');
    lines.push(`warning["${mermaidLabel(`⚠ split brain: two leaders in term ${terms}`)}"]`);
  }

  lines.push('classDef leader stroke-width:3px,font-weight:bold');
  lines.push('classDef stale stroke-width:3px,stroke-dasharray:6 3');
  lines.push('classDef down stroke-dasharray:3 3,opacity:0.5');
  lines.push('classDef alarm stroke-width:3px,fill:#ffd6d6');
  for (const node of state.nodes) {
    const cls = nodeClass(node, stale);
    if (cls !== null) lines.push(`class ${ids.get(node.name)} ${cls}`);
  }
  if (splitBrain.size > 0) lines.push('class warning alarm');
  return lines.join('\n') + '\n';
}

/** Terms in which two or more live nodes are leader (Election Safety broken, Raft §5.2). */
function splitBrainTerms(state: ClusterState): Set<number> {
  const seen = new Set<number>();
  const twice = new Set<number>();
  for (const node of state.nodes) {
    if (!isLiveLeader(node)) continue;
    if (seen.has(node.term)) twice.add(node.term);
    seen.add(node.term);
  }
  return twice;
}

function isLiveLeader(node: NodeState | undefined): boolean {
  return node !== undefined && node.role === 'leader' && node.status !== 'down';
}

function nodeLabel(node: NodeState, nameMax: number, stale: ReadonlySet<string>, splitBrain: ReadonlySet<number>): string {
  const name = truncate(node.name, nameMax);
  const parts = [name];
  if (node.status === 'down') parts.push('✗ down');
  else if (node.role === 'leader') parts.push(`★ leader t${node.term}`);
  else parts.push(`${node.role} t${node.term}`);
  if (node.status === 'paused') parts.push('paused');
  if (stale.has(node.name)) parts.push('⚠ stale leader');
  if (isLiveLeader(node) && splitBrain.has(node.term)) parts.push('⚠ split brain');
  return parts.join(' · ');
}

function nodeClass(node: NodeState, stale: ReadonlySet<string>): string | null {
  if (node.status === 'down') return 'down';
  if (stale.has(node.name)) return 'stale';
  if (node.role === 'leader') return 'leader';
  return null;
}
