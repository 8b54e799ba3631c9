// Views: pure functions from the trace (src/engine/trace.ts) to Mermaid text, Markdown, structured
// data and one-line verdicts. They import nothing but the trace types, so the extension host, the CLI
// and the browser renderer share them.

export { windowOf, quorumSize, type ViewInput, type Zone } from './input';
export { mermaidLabel, mermaidName, markdownCell, truncate, nameCharsFor, NAME_CHARS_MAX, TEXT_CHARS_MAX } from './escape';
export { clientResultLabel, commandLabel, entryLabel, faultLabel, formatMicros, messageLabel, roleName } from './labels';
export {
  foldState,
  emptyState,
  applyEvent,
  nodeOf,
  describeState,
  formatGroups,
  currentLeader,
  type ClusterState,
  type NodeState,
  type NodeStatus,
  type LinkFault,
  type NetworkCondition,
  type Violation,
} from './state';
export {
  sequenceDiagram,
  DEFAULT_MAX_MESSAGES,
  MERMAID_EDGES_MAX,
  MERMAID_TEXT_MAX,
  type SequenceDiagram,
  type SequenceOptions,
} from './sequence';
export { verdict, verdictOf, type Verdict } from './verdict';
export { stateDiagram } from './states';
export { logGrid, logTable, type LogCell, type LogGrid, type LogRow, type LogTableOptions } from './log';
export { topologyDiagram } from './topology';
