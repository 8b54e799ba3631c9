// Typed, documented simulation options (TigerBeetle-style: units last, every option has a default).
// Validation lives here so the language, the CLI and tests get the same errors and caps.

import { type BullyOptions, defaultBullyOptions, validateBullyOptions } from './bully/node';
import {
  type MultiPaxosOptions,
  type PaxosOptions,
  defaultMultiPaxosOptions,
  defaultPaxosOptions,
  validateMultiPaxosOptions,
  validatePaxosOptions,
} from './paxos/options';

/** The protocol a cluster runs. */
export type ProtocolName = 'raft' | 'paxos' | 'multi-paxos' | 'bully';

export type ReadMode = 'log' | 'index' | 'lease' | 'local';

/** Deliberate protocol bugs for teaching and for mutation-testing the checkers. Never on by default. */
export interface RaftBugs {
  /** Commit an entry from an earlier term by counting replicas (what Raft §5.4.2 / Figure 8 forbids). */
  commitOldTerm: boolean;
  /** Grant votes without the up-to-date-log check of §5.4.1. */
  skipUpToDateCheck: boolean;
  /** Forget `votedFor` on restart (it must be persistent, Figure 2). */
  forgetVoteOnRestart: boolean;
  /** Count floor(n/2) as a quorum instead of floor(n/2) + 1: two of four, two of five (the quorum bug). */
  quorumOffByOne: boolean;
  /** Accept AppendEntries without checking the term at prevLogIndex (the consistency check of §5.3). */
  skipLogMatchCheck: boolean;
}

export const RAFT_BUGS: readonly (keyof RaftBugs)[] = [
  'commitOldTerm',
  'skipUpToDateCheck',
  'forgetVoteOnRestart',
  'quorumOffByOne',
  'skipLogMatchCheck',
];

export function noBugs(): RaftBugs {
  return { commitOldTerm: false, skipUpToDateCheck: false, forgetVoteOnRestart: false, quorumOffByOne: false, skipLogMatchCheck: false };
}

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
  /** The protocol every node runs; only its own option record below is read. */
  protocol: ProtocolName;
  raft: RaftOptions;
  paxos: PaxosOptions;
  multiPaxos: MultiPaxosOptions;
  bully: BullyOptions;
  net: NetOptions;
  client: ClientOptions;
}

/** Documented caps: a bigger cluster or a longer duration is refused with a clear message. */
export const MAX_NODES = 51;
/** Timeouts, heartbeats, latencies and client retries are at most one hour of virtual time. */
export const MAX_DURATION_US = 3_600_000_000;
/** Entries per AppendEntries message: 1 to this many. */
export const MAX_BATCH_ENTRIES = 10_000;

export function defaultRaftOptions(): RaftOptions {
  return {
    electionTimeoutUsMin: 150_000,
    electionTimeoutUsMax: 300_000,
    heartbeatUs: 50_000,
    prevote: false,
    checkQuorum: false,
    readMode: 'index',
    maxBatchEntries: 64,
    bugs: noBugs(),
  };
}

export function defaultNetOptions(): NetOptions {
  return { latencyUsMin: 2_000, latencyUsMax: 10_000, lossPermille: 0, duplicatePermille: 0 };
}

/**
 * The same name, as the one copy V8 keeps of it as a property name. Names of nodes and clients are
 * compared and looked up on every message; two such copies compare by address, while two names that
 * came from the parser or a template string compare by content (a call into the runtime each time).
 * Only speed depends on it: the string is equal either way.
 */
export function internName(name: string): string {
  const o: Record<string, 0> = Object.create(null) as Record<string, 0>;
  o[name] = 0;
  return Object.keys(o)[0]!;
}

export function defaultClusterOptions(nodes: string[], seed: number, protocol: ProtocolName = 'raft'): ClusterOptions {
  return {
    nodes: nodes.map(internName),
    seed,
    protocol,
    raft: defaultRaftOptions(),
    paxos: defaultPaxosOptions(),
    multiPaxos: defaultMultiPaxosOptions(),
    bully: defaultBullyOptions(),
    net: defaultNetOptions(),
    client: { retryUs: 500_000 },
  };
}

/** Options that cannot run; the message lists every problem, each a full sentence. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '));
    this.name = 'ConfigError';
  }
}

/** Returns a list of problems (empty when the options are usable). Each message is a full sentence. */
export function validateClusterOptions(o: ClusterOptions): string[] {
  const problems: string[] = [];
  if (o.nodes.length === 0) problems.push('A cluster needs at least 1 node.');
  if (o.nodes.length > MAX_NODES) problems.push(`A cluster has at most ${MAX_NODES} nodes; found ${o.nodes.length.toLocaleString('en-US')}.`);
  const seen = new Set<string>();
  for (const n of o.nodes) {
    if (n === '') problems.push('A node needs a name.');
    else if (seen.has(n)) problems.push(`Node ${n} is declared twice.`);
    seen.add(n);
  }
  if (!Number.isInteger(o.seed) || o.seed < 0 || o.seed > 0xffffffff) problems.push(`The seed must be a whole number from 0 to 4294967295; found ${o.seed}.`);
  const r = o.raft;
  duration(problems, 'The election timeout', r.electionTimeoutUsMin, 1);
  duration(problems, 'The election timeout', r.electionTimeoutUsMax, 1);
  if (r.electionTimeoutUsMax < r.electionTimeoutUsMin) problems.push('The election timeout range must not end before it starts.');
  duration(problems, 'The heartbeat interval', r.heartbeatUs, 1);
  if (r.heartbeatUs > 0 && r.electionTimeoutUsMin > 0 && r.heartbeatUs >= r.electionTimeoutUsMin)
    problems.push(
      `The heartbeat (${fmtUs(r.heartbeatUs)}) must be shorter than the election timeout (${fmtUs(r.electionTimeoutUsMin)}), or followers start elections against a live leader.`,
    );
  if (!Number.isInteger(r.maxBatchEntries) || r.maxBatchEntries < 1 || r.maxBatchEntries > MAX_BATCH_ENTRIES)
    problems.push(`A batch holds 1 to ${MAX_BATCH_ENTRIES.toLocaleString('en-US')} entries; found ${r.maxBatchEntries}.`);
  const n = o.net;
  duration(problems, 'The latency', n.latencyUsMin, 0);
  duration(problems, 'The latency', n.latencyUsMax, 0);
  if (n.latencyUsMax < n.latencyUsMin) problems.push('The latency range must not end before it starts.');
  permille(problems, 'Message loss', n.lossPermille);
  permille(problems, 'Message duplication', n.duplicatePermille);
  duration(problems, 'The client retry interval', o.client.retryUs, 1);
  // The options of the other protocols are not read, so only the running protocol's are checked.
  if (o.protocol === 'paxos') problems.push(...validatePaxosOptions(o.paxos));
  else if (o.protocol === 'multi-paxos') problems.push(...validateMultiPaxosOptions(o.multiPaxos));
  else if (o.protocol === 'bully') problems.push(...validateBullyOptions(o.bully));
  return [...new Set(problems)];
}

function duration(problems: string[], what: string, us: number, min: number): void {
  if (!Number.isFinite(us) || !Number.isInteger(us)) problems.push(`${what} must be a whole number of microseconds; found ${us}.`);
  else if (us < min) problems.push(`${what} must be ${min === 0 ? 'zero or more' : 'positive'}; found ${fmtUs(us)}.`);
  else if (us > MAX_DURATION_US) problems.push(`${what} is at most ${fmtUs(MAX_DURATION_US)}; found ${fmtUs(us)}.`);
}

function permille(problems: string[], what: string, p: number): void {
  if (!Number.isFinite(p) || p < 0 || p > 1000) problems.push(`${what} must be from 0% to 100%; found ${p / 10}%.`);
}

export function fmtUs(us: number): string {
  if (us < 0) return `-${fmtUs(-us)}`;
  if (us % 1_000_000 === 0) return `${us / 1_000_000}s`;
  if (us % 1_000 === 0) return `${us / 1_000}ms`;
  return `${us}us`;
}
