// Typed, documented simulation options (TigerBeetle-style: units last, every option has a default).
// Validation lives here so the language, the CLI and tests get the same errors and caps.

export type ReadMode = 'log' | 'index' | 'lease' | 'local';

/** Deliberate protocol bugs for teaching and for mutation-testing the checkers. Never on by default. */
export interface RaftBugs {
  /** Commit an entry from an earlier term by counting replicas (what Raft §5.4.2 / Figure 8 forbids). */
  commitOldTerm: boolean;
  /** Grant votes without the up-to-date-log check of §5.4.1. */
  skipUpToDateCheck: boolean;
  /** Forget `votedFor` on restart (it must be persistent, Figure 2). */
  forgetVoteOnRestart: boolean;
}

export const RAFT_BUGS: readonly (keyof RaftBugs)[] = ['commitOldTerm', 'skipUpToDateCheck', 'forgetVoteOnRestart'];

export interface RaftOptions {
  electionTimeoutUsMin: number;
  electionTimeoutUsMax: number;
  heartbeatUs: number;
  prevote: boolean;
  checkQuorum: boolean;
  readMode: ReadMode;
  /** Entries per AppendEntries message at most. */
  maxBatchEntries: number;
  bugs: RaftBugs;
}

export interface NetOptions {
  latencyUsMin: number;
  latencyUsMax: number;
  lossPermille: number;
  duplicatePermille: number;
}

export interface ClientOptions {
  /** A client retries elsewhere when no answer comes within this long. */
  retryUs: number;
}

export interface ClusterOptions {
  nodes: string[];
  seed: number;
  raft: RaftOptions;
  net: NetOptions;
  client: ClientOptions;
}

export const MAX_NODES = 51;

export function defaultRaftOptions(): RaftOptions {
  return {
    electionTimeoutUsMin: 150_000,
    electionTimeoutUsMax: 300_000,
    heartbeatUs: 50_000,
    prevote: false,
    checkQuorum: false,
    readMode: 'index',
    maxBatchEntries: 64,
    bugs: { commitOldTerm: false, skipUpToDateCheck: false, forgetVoteOnRestart: false },
  };
}

export function defaultNetOptions(): NetOptions {
  return { latencyUsMin: 2_000, latencyUsMax: 10_000, lossPermille: 0, duplicatePermille: 0 };
}

export function defaultClusterOptions(nodes: string[], seed: number): ClusterOptions {
  return { nodes, seed, raft: defaultRaftOptions(), net: defaultNetOptions(), client: { retryUs: 500_000 } };
}

/** Returns a list of problems (empty when the options are usable). Each message is a full sentence. */
export function validateClusterOptions(o: ClusterOptions): string[] {
  const problems: string[] = [];
  if (o.nodes.length === 0) problems.push('A cluster needs at least 1 node.');
  if (o.nodes.length > MAX_NODES) problems.push(`A cluster has at most ${MAX_NODES} nodes; found ${o.nodes.length}.`);
  const seen = new Set<string>();
  for (const n of o.nodes) {
    if (seen.has(n)) problems.push(`Node ${n} is declared twice.`);
    seen.add(n);
  }
  const r = o.raft;
  if (r.electionTimeoutUsMin <= 0) problems.push('The election timeout must be positive.');
  if (r.electionTimeoutUsMax < r.electionTimeoutUsMin)
    problems.push('The election timeout range must not end before it starts.');
  if (r.heartbeatUs <= 0) problems.push('The heartbeat interval must be positive.');
  if (r.heartbeatUs >= r.electionTimeoutUsMin)
    problems.push(
      `The heartbeat (${fmtUs(r.heartbeatUs)}) must be shorter than the election timeout (${fmtUs(r.electionTimeoutUsMin)}), or followers start elections against a live leader.`,
    );
  const n = o.net;
  if (n.latencyUsMin < 0 || n.latencyUsMax < n.latencyUsMin) problems.push('The latency range is not valid.');
  return problems;
}

export function fmtUs(us: number): string {
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1_000 === 0) return `${us / 1_000}ms`;
  return `${us}us`;
}
