// The parser: one command per line, verb first (or a client name then its operation), then arguments,
// then key=value options. The command table COMMANDS is the single source for parsing (each entry
// carries its own parse function), for completion and hover (assist.ts), and for the language
// reference (reference.ts generates docs/language.md from it; a test keeps the two equal).

import type {
  ClientOpKind,
  FactKind,
  CompareOp,
  CoordinationOp,
  Expectation,
  Fact,
  Link,
  NodeSet,
  OptionValue,
  Protocol,
  Ref,
  Stmt,
} from './ast';
import { type Diagnostic, LangError, type Span, changeTo, diag, didYouMean, orList } from './diagnostics';
import { type Token, lexLine } from './lexer';
import { DEFAULT_MAX_MESSAGES, MERMAID_EDGES_MAX } from '../views/sequence';

// ---------------------------------------------------------------------------------------------------
// The tables

export type ValueKind = 'count-or-names' | 'int' | 'duration' | 'duration-range' | 'on-off' | 'enum' | 'bug' | 'percent';

export interface OptionSpec {
  name: string;
  value: ValueKind;
  values?: readonly string[];
  /** Several comma-separated values (`faults=crash,loss`). */
  list?: boolean;
  /** The command is incomplete without it. */
  required?: boolean;
  /** Only clusters of these protocols take it (all when absent). */
  protocols?: readonly Protocol[];
  /** For `int` values: the smallest and the largest the option takes (inclusive). */
  min?: number;
  max?: number;
  /** What to write after `=` in the reference, e.g. `150ms..300ms`. */
  placeholder: string;
  summary: string;
}

export type CommandGroup = 'Cluster' | 'Faults' | 'Time' | 'Clients' | 'Expectations' | 'Views' | 'Exploration';

/** `command`: starts with its name; `client`: `CLIENT verb …`; `node`: `NODE verb …`. */
export type CommandForm = 'command' | 'client' | 'node';

export interface CommandSpec {
  name: string;
  group: CommandGroup;
  form: CommandForm;
  syntax: string;
  summary: string;
  options?: readonly OptionSpec[];
  examples: readonly string[];
  /** Only clusters of these protocols have it (all when absent). */
  protocols?: readonly Protocol[];
  /** Parses what follows the command word (and, for client and node forms, the subject before it). */
  parse: (c: Cursor, span: Span, subject: Ref | null, verbSpan: Span) => Stmt;
}

export const BUG_NAMES = ['commit-old-term', 'skip-up-to-date-check', 'forget-vote-on-restart', 'quorum-off-by-one', 'skip-log-match-check'] as const;
/** The teaching bugs of Paxos and Multi-Paxos (engine/paxos/options.ts). */
export const PAXOS_BUG_NAMES = ['quorum-from-reachable', 'forget-promise-on-restart', 'ignore-accepted-values'] as const;

/** The bugs `bug=…` takes on a cluster of `protocol`. */
export function bugNamesOf(protocol: Protocol): readonly string[] {
  return protocol === 'raft' ? BUG_NAMES : protocol === 'paxos' || protocol === 'multi-paxos' ? PAXOS_BUG_NAMES : [];
}
export const PROTOCOLS: readonly Protocol[] = ['raft', 'paxos', 'multi-paxos', 'bully'];
export const VIEWS = ['sequence', 'states', 'log', 'topology'] as const;
export const ROLES = ['leader', 'follower', 'candidate', 'precandidate', 'down', 'paused'] as const;
export const COMPARE_OPS: readonly CompareOp[] = ['=', '>=', '<=', '>', '<'];
export const FAULT_KINDS = ['crash', 'restart', 'pause', 'partition', 'loss', 'delay', 'duplicate', 'skew'] as const;

export const CLUSTER_OPTIONS: readonly OptionSpec[] = [
  { name: 'nodes', value: 'count-or-names', required: true, placeholder: '5|a,b,c', summary: 'a count (`5` gives n1..n5) or names (`us1,us2,eu1`)' },
  { name: 'seed', value: 'int', placeholder: '42', summary: 'the seed: same cells and same seed, same run' },
  { name: 'election-timeout', value: 'duration-range', protocols: ['raft', 'multi-paxos', 'bully'], placeholder: '150ms..300ms', summary: 'randomized election timeout (default 150ms..300ms), or one fixed value' },
  { name: 'heartbeat', value: 'duration', protocols: ['raft', 'multi-paxos', 'bully'], placeholder: '50ms', summary: 'leader heartbeat interval (default 50ms)' },
  { name: 'retry', value: 'duration-range', protocols: ['paxos'], placeholder: '50ms..150ms', summary: "a proposer's retry interval (back-off) between ballots, random in the range (default 50ms..150ms); one fixed value lets dueling proposers livelock" },
  { name: 'latency', value: 'duration-range', placeholder: '2ms..10ms', summary: 'one-way message latency (default 2ms..10ms)' },
  { name: 'prevote', value: 'on-off', protocols: ['raft'], placeholder: 'on', summary: 'pre-vote before elections (§9.6), default off' },
  { name: 'check-quorum', value: 'on-off', protocols: ['raft'], placeholder: 'on', summary: 'a leader that cannot reach a quorum steps down, default off' },
  { name: 'read', value: 'enum', values: ['index', 'lease', 'log', 'local'], protocols: ['raft'], placeholder: 'index', summary: 'reads by ReadIndex (default), lease, through the log, or local (stale)' },
  {
    name: 'bug', value: 'bug', values: [...BUG_NAMES, ...PAXOS_BUG_NAMES], list: true, protocols: ['raft', 'paxos', 'multi-paxos'], placeholder: 'commit-old-term',
    summary: `deliberate protocol bugs, for teaching: Raft ${BUG_NAMES.join(', ')}; Paxos and Multi-Paxos ${PAXOS_BUG_NAMES.join(', ')}`,
  },
  { name: 'client-retry', value: 'duration', placeholder: '500ms', summary: 'how long a client waits before retrying elsewhere (default 500ms)' },
  { name: 'max-batch', value: 'int', protocols: ['raft', 'multi-paxos'], placeholder: '64', summary: 'entries per AppendEntries (Multi-Paxos: per Chosen message) at most (default 64; 1 replays the paper figures entry by entry)' },
];

export const SET_OPTIONS: readonly OptionSpec[] = CLUSTER_OPTIONS.filter((o) => o.name !== 'nodes' && o.name !== 'seed');

export const SHOW_OPTIONS: readonly OptionSpec[] = [
  { name: 'hide', value: 'enum', values: ['heartbeats', 'none'], placeholder: 'none', summary: 'collapse heartbeats (default) or show every message' },
  { name: 'from', value: 'duration', placeholder: '2s', summary: 'start of the time window (virtual time)' },
  { name: 'to', value: 'duration', placeholder: '5s', summary: 'end of the time window (virtual time)' },
  {
    name: 'max', value: 'int', min: 1, max: MERMAID_EDGES_MAX, placeholder: String(MERMAID_EDGES_MAX),
    summary: `the most message arrows the sequence diagram draws (default ${DEFAULT_MAX_MESSAGES}, at most ${MERMAID_EDGES_MAX}); a note counts the events left out`,
  },
];

export const LOCK_OPTIONS: readonly OptionSpec[] = [
  { name: 'ttl', value: 'duration', required: true, placeholder: '15s', summary: 'the lock expires this long after the last renewal' },
  { name: 'renew', value: 'duration', placeholder: '5s', summary: 'send a keep-alive this often while the client runs (default: never, so the lock lasts one TTL)' },
  { name: 'retry', value: 'duration', placeholder: '5s', summary: 'while the request is queued behind another holder, ask after it this often (default 5s; the leader also answers when the lock passes to the client)' },
];

export const PUT_OPTIONS: readonly OptionSpec[] = [
  {
    name: 'ttl', value: 'duration', protocols: ['raft'], placeholder: '10s',
    summary: "an ephemeral key (etcd's put with a lease, ZooKeeper's ephemeral node): the leader deletes it once this long passes without a keep-alive",
  },
  { name: 'renew', value: 'duration', protocols: ['raft'], placeholder: '3s', summary: "with `ttl`: send the key's lease a keep-alive this often while the client runs (default: never, so the key lasts one TTL)" },
];

export const WATCH_OPTIONS: readonly OptionSpec[] = [
  { name: 'require-leader', value: 'on-off', placeholder: 'on', summary: "the member cancels the watch once it has gone an election timeout without a leader, and the client opens it on another member (etcd's WithRequireLeader; default off)" },
];

export const ELECT_OPTIONS: readonly OptionSpec[] = [
  { name: 'lease', value: 'duration', required: true, placeholder: '15s', summary: "the Lease's duration (leaseDurationSeconds): others take it over once it has not changed for this long, by their own clocks" },
  { name: 'renew-deadline', value: 'duration', placeholder: '10s', summary: 'a leader that could not renew for this long stops leading (default 10s; shorter than `lease`)' },
  { name: 'retry', value: 'duration', placeholder: '2s', summary: 'how often to try to take or renew the Lease (retryPeriod, default 2s; shorter than `renew-deadline`)' },
];

export const EXPLORE_OPTIONS: readonly OptionSpec[] = [
  { name: 'seeds', value: 'int', min: 1, max: 100_000, required: true, placeholder: '1000', summary: 'how many runs, each with a random scenario of its own' },
  { name: 'faults', value: 'enum', values: FAULT_KINDS, list: true, placeholder: 'crash,partition', summary: 'the faults to inject at random (default crash, partition, loss; `crash` also restarts)' },
  { name: 'ops', value: 'int', min: 0, max: 1_000, placeholder: '20', summary: 'client operations per run (Paxos: proposals; default 20)' },
  { name: 'duration', value: 'duration', placeholder: '10s', summary: 'virtual time per run (default 10s)' },
  { name: 'workload', value: 'enum', values: ['kv', 'locks'], placeholder: 'locks', summary: "what the clients do: `kv` reads and writes keys (default); `locks` take a lock, write to a resource under it, and let it go, checked for mutual exclusion at the resource (`pause` then pauses clients)", protocols: ['raft'] },
  { name: 'fencing', value: 'on-off', placeholder: 'on', summary: 'with `workload=locks`: the writes carry their lock\'s fencing token (default off)', protocols: ['raft'] },
];

/** Facts: what `expect` asserts and `run until` waits for (the `stable` fact is for `run until` only). */
export interface FactSpec {
  kind: FactKind;
  /** The word that starts it (or, for `NODE is ROLE` and the like, the word after the subject). */
  word: string;
  subject?: 'node' | 'client';
  syntax: string;
  summary: string;
  untilOnly?: boolean;
  /** A fact about the whole history so far, to expect, not to wait for. */
  expectOnly?: boolean;
  protocols?: readonly Protocol[];
}

/** Protocols with leaders; protocols with a replicated log and clients. */
const LEADERS: readonly Protocol[] = ['raft', 'multi-paxos', 'bully'];
const LOGS: readonly Protocol[] = ['raft', 'multi-paxos'];

/** The spec of a fact as written (`term` and `NODE term` are two facts of one kind). */
export function factSpecOf(f: Fact): FactSpec {
  if (f.kind === 'term') return FACTS.find((x) => x.kind === 'term' && (x.subject === 'node') === (f.node !== null))!;
  return FACTS.find((x) => x.kind === f.kind)!;
}

export const FACTS: readonly FactSpec[] = [
  { kind: 'leader', word: 'leader', syntax: 'leader [NODE | in SET]', summary: 'a node acts as leader (NODE leads the newest term; one in SET acts as leader)', protocols: LEADERS },
  { kind: 'leader', word: 'no', syntax: 'no leader [in SET]', summary: 'no node (in SET) acts as leader', protocols: LEADERS },
  { kind: 'term', word: 'term', syntax: 'term OP N', summary: 'the highest term of any node, compared with `=`, `>=`, `<=`, `>` or `<`', protocols: ['raft'] },
  { kind: 'committed', word: 'committed', syntax: 'committed KEY[=VALUE] [on majority|all|NODE]', summary: 'the last committed write to KEY (sets VALUE and) is stored on a majority (all nodes, NODE); Multi-Paxos: chosen, and learned there', protocols: LOGS },
  { kind: 'logs-equal', word: 'logs', syntax: 'logs equal', summary: 'every node holds the same log (Multi-Paxos: the same chosen values)', protocols: LOGS },
  { kind: 'safe', word: 'safe', syntax: 'safe', summary: 'every invariant held so far' },
  { kind: 'violation', word: 'violation', syntax: 'violation [INVARIANT]', summary: 'an invariant was violated (e.g. `state-machine-safety`)' },
  { kind: 'stable', word: 'stable', syntax: 'stable', summary: 'one leader and no role change for two election timeouts', untilOnly: true, protocols: LEADERS },
  { kind: 'role', word: 'is', subject: 'node', syntax: 'NODE is ROLE', summary: "the node's role: leader, follower, candidate, precandidate, down or paused" },
  { kind: 'term', word: 'term', subject: 'node', syntax: 'NODE term OP N', summary: "a node's own term", protocols: ['raft'] },
  { kind: 'commit-index', word: 'commit', subject: 'node', syntax: 'NODE commit OP N', summary: "the node's commit index (what it knows is committed; Multi-Paxos: the end of its gap-free chosen prefix)", protocols: LOGS },
  { kind: 'log-length', word: 'log', subject: 'node', syntax: 'NODE log OP N', summary: "the length of the node's log", protocols: ['raft'] },
  { kind: 'has', word: 'has', subject: 'node', syntax: 'NODE has KEY[=VALUE] [committed|uncommitted]', summary: "NODE's log holds a write of KEY (=VALUE), committed or not as far as NODE knows", protocols: ['raft'] },
  { kind: 'client-got', word: 'got', subject: 'client', syntax: 'CLIENT got VALUE', summary: "the client's last command succeeded with VALUE", protocols: LOGS },
  { kind: 'client-failed', word: 'failed', subject: 'client', syntax: 'CLIENT failed', summary: "the client's last command failed or got no answer", protocols: LOGS },
  { kind: 'took', word: 'took', subject: 'client', syntax: 'CLIENT took OP DURATION', summary: "how long the client's last command took, from its request to its answer (the cost of a commit's round trips), compared with `>=`, `<`…", protocols: LOGS },
  { kind: 'decided', word: 'decided', syntax: 'decided [VALUE]', summary: 'Paxos chose a value (VALUE; Multi-Paxos: in some instance), and no node learned another', protocols: ['paxos', 'multi-paxos'] },
  { kind: 'exclusive', word: 'exclusive', syntax: 'exclusive', summary: 'mutual exclusion held at every resource so far: no write made under an older grant of a lock (`write … under LOCK`) landed after one made under a newer grant', expectOnly: true, protocols: ['raft'] },
  { kind: 'linearizable', word: 'linearizable', syntax: 'linearizable', summary: "every client operation so far fits one order that respects real time and the store's answers; a stale read breaks it", expectOnly: true, protocols: LOGS },
  { kind: 'token', word: 'token', subject: 'client', syntax: 'CLIENT token N', summary: "the fencing token of the client's latest lock grant", protocols: ['raft'] },
  { kind: 'rejected', word: 'rejected', syntax: 'rejected CLIENT write', summary: "a fenced resource rejected the client's latest write", protocols: ['raft'] },
  { kind: 'leads', word: 'leads', subject: 'client', syntax: 'CLIENT leads NAME', summary: 'the client believes it leads the Lease NAME (its `elect`)', protocols: ['raft'] },
  { kind: 'saw', word: 'saw', subject: 'client', syntax: 'CLIENT saw KEY=VALUE \| CLIENT saw N keys under PREFIX', summary: "the client's watch shows KEY=VALUE (`not`: another value, or none); or at least N keys under PREFIX (a barrier: go on once N have registered)", protocols: ['raft'] },
];

/** Words with a meaning of their own; they cannot name nodes, zones or clients. */
export const KEYWORDS = [
  'all', 'commit', 'committed', 'decided', 'equal', 'exclusive', 'failed', 'got', 'has', 'in', 'is', 'leader', 'leads', 'linearizable', 'log', 'logs',
  'majority', 'no', 'not', 'nowait', 'on', 'rejected', 'safe', 'saw', 'stable', 'term', 'token', 'took', 'uncommitted', 'until', 'via',
  'violation', 'within',
] as const;

export const COMMANDS: readonly CommandSpec[] = [
  // Cluster
  {
    name: 'cluster', group: 'Cluster', form: 'command', syntax: 'cluster raft|paxos|multi-paxos|bully nodes=N|a,b,c [option=value …]',
    summary: 'Declare a cluster and start a new simulation; later cells act on it.',
    options: CLUSTER_OPTIONS,
    examples: ['cluster raft nodes=5 seed=42', 'cluster raft nodes=us1,us2,us3,eu1,eu2 election-timeout=200ms'],
    parse: parseCluster,
  },
  {
    name: 'zone', group: 'Cluster', form: 'command', syntax: 'zone NAME {NODE …}',
    summary: 'Name a group of nodes (a site); zone names work wherever a node set does.',
    examples: ['zone us-east {us1 us2 us3}'],
    parse: parseZone,
  },
  {
    name: 'latency', group: 'Cluster', form: 'command', syntax: 'latency A <->|-> B MIN..MAX',
    summary: 'Message latency between nodes, sets or zones.',
    examples: ['latency us-east <-> eu-west 40ms..60ms'],
    parse: (c, span) => linkWithRange(c, span, 'latency'),
  },
  {
    name: 'set', group: 'Cluster', form: 'command', syntax: 'set option=value …',
    summary: 'Change options of the running cluster.',
    options: SET_OPTIONS,
    examples: ['set election-timeout=200ms', 'set prevote=on check-quorum=on read=local'],
    parse: parseSet,
  },
  // Faults
  {
    name: 'crash', group: 'Faults', form: 'command', syntax: 'crash SET …',
    summary: 'Stop nodes; they keep what Raft persists (term, vote, log).',
    examples: ['crash n1', 'crash us-east'],
    parse: (c, span) => ({ kind: 'crash', span, nodes: c.nodeSets('a node') }),
  },
  {
    name: 'restart', group: 'Faults', form: 'command', syntax: 'restart SET …',
    summary: 'Restart crashed nodes as followers with their persistent state.',
    examples: ['restart n1'],
    parse: (c, span) => ({ kind: 'restart', span, nodes: c.nodeSets('a node') }),
  },
  {
    name: 'pause', group: 'Faults', form: 'command', syntax: 'pause SET DURATION',
    summary: "A GC pause of nodes or of a client's process: frozen, timers and inbox wait, the world goes on.",
    examples: ['pause n1 20s', 'pause A 20s'],
    parse: parsePause,
  },
  {
    name: 'partition', group: 'Faults', form: 'command', syntax: 'partition SET … | SET … [| …]',
    summary: 'Split the network into groups that cannot talk to each other; unnamed nodes form one more group.',
    examples: ['partition {n1 n2} | {n3 n4 n5}', 'partition us-east | eu-west ap-south'],
    parse: parsePartition,
  },
  {
    name: 'isolate', group: 'Faults', form: 'command', syntax: 'isolate NODE',
    summary: 'Cut one node off from all others.',
    examples: ['isolate n3'],
    parse: (c, span) => ({ kind: 'isolate', span, node: c.ref('a node') }),
  },
  {
    name: 'heal', group: 'Faults', form: 'command', syntax: 'heal',
    summary: 'Remove partitions, cuts and per-link loss.',
    examples: ['heal'],
    parse: (_c, span) => ({ kind: 'heal', span }),
  },
  {
    name: 'cut', group: 'Faults', form: 'command', syntax: 'cut A -> B | cut A <-> B',
    summary: 'A one-way (->) or two-way (<->) link failure; A and B are nodes, sets, zones or `*`.',
    examples: ['cut n1 -> n2', 'cut us-east <-> *'],
    parse: (c, span) => ({ kind: 'cut', span, link: c.link() }),
  },
  {
    name: 'loss', group: 'Faults', form: 'command', syntax: 'loss P% | loss A -> B P%',
    summary: 'Random message loss, everywhere or on some links.',
    examples: ['loss 20%', 'loss n1 -> n2 50%'],
    parse: parseLoss,
  },
  {
    name: 'delay', group: 'Faults', form: 'command', syntax: 'delay A -> B MIN..MAX',
    summary: 'Slow links down (a single value fixes the latency).',
    examples: ['delay n1 -> * 100ms..200ms'],
    parse: (c, span) => linkWithRange(c, span, 'delay'),
  },
  {
    name: 'duplicate', group: 'Faults', form: 'command', syntax: 'duplicate P%',
    summary: 'Deliver some messages twice.',
    examples: ['duplicate 5%'],
    parse: (c, span) => ({ kind: 'duplicate', span, permille: c.percent() }),
  },
  {
    name: 'skew', group: 'Faults', form: 'command', syntax: 'skew NODE ±DURATION',
    summary: "Offset a node's clock (matters for leases and lock TTLs).",
    examples: ['skew n2 +5s'],
    parse: parseSkew,
  },
  // Time
  {
    name: 'run', group: 'Time', form: 'command', syntax: 'run DURATION | run until FACT [within DURATION]',
    summary: 'Advance virtual time; `until` stops as soon as the fact holds, and fails clearly at its bound (default 60s).',
    examples: ['run 2s', 'run until leader', 'run until leader n3 within 10s'],
    parse: parseRun,
  },
  {
    name: 'step', group: 'Time', form: 'command', syntax: 'step [N]',
    summary: 'Process the next N events (default 1).',
    examples: ['step', 'step 10'],
    parse: parseStep,
  },
  {
    name: 'timeout', group: 'Time', form: 'command', syntax: 'timeout NODE',
    summary: "Fire a node's election timer now.",
    examples: ['timeout n2'],
    protocols: ['raft', 'multi-paxos', 'bully'],
    parse: (c, span) => ({ kind: 'timeout', span, node: c.ref('a node') }),
  },
  {
    name: 'hold', group: 'Time', form: 'command', syntax: 'hold A -> B',
    summary: 'Keep messages on links in flight until released or dropped.',
    examples: ['hold n1 -> {n3 n4 n5}'],
    parse: (c, span) => ({ kind: 'hold', span, link: c.link() }),
  },
  {
    name: 'release', group: 'Time', form: 'command', syntax: 'release A -> B',
    summary: 'Deliver the held messages, oldest first, and stop holding.',
    examples: ['release n1 -> n3'],
    parse: (c, span) => ({ kind: 'release', span, link: c.link() }),
  },
  {
    name: 'drop', group: 'Time', form: 'command', syntax: 'drop A -> B',
    summary: 'Drop the held messages and stop holding.',
    examples: ['drop n1 -> n3'],
    parse: (c, span) => ({ kind: 'drop', span, link: c.link() }),
  },
  {
    name: 'at', group: 'Time', form: 'command', syntax: 'at TIME COMMAND',
    summary: 'Run a fault, client or link command when virtual time reaches TIME (clients then run in the background).',
    examples: ['at 16s B put x=2'],
    parse: (c, span) => parseAt(c, span, 'at'),
  },
  {
    name: 'after', group: 'Time', form: 'command', syntax: 'after DURATION COMMAND',
    summary: 'Like `at`, DURATION from now.',
    examples: ['after 2s crash n1'],
    parse: (c, span) => parseAt(c, span, 'after'),
  },
  // Clients
  {
    name: 'put', group: 'Clients', form: 'client', syntax: 'CLIENT put KEY=VALUE [ttl=D [renew=D]] [via NODE] [within D] [nowait]',
    summary:
      'A write through the leader (the client finds it and retries); `via` pins it to one node, `nowait` goes on without the answer. With `ttl` the key is ephemeral: it lives on a lease of its own, which the client keeps alive every `renew`, and the leader deletes it when the TTL runs out (service discovery: an instance that dies or stalls drops out). (`ttl`: raft)',
    options: PUT_OPTIONS,
    examples: ['A put x=1', 'A put x=2 via n1 within 2s', 'B put /services/web/b="10.0.0.2:8080" ttl=10s renew=3s'],
    protocols: LOGS,
    parse: (c, span, who, at) => parseClientOp(c, span, who!, at, 'put'),
  },
  {
    name: 'create', group: 'Clients', form: 'client', syntax: 'CLIENT create KEY=VALUE [ttl=D [renew=D]] [via NODE] [within D] [nowait]',
    summary:
      "A write only if the key does not exist (etcd's transaction on create_revision 0, ZooKeeper's `create`); if it does, it fails as a compare-and-swap does. With `ttl` the key is ephemeral, as with `put`: a worker claims a task, a candidate a name. (`ttl`: raft)",
    options: PUT_OPTIONS,
    examples: ['W1 create /tasks/t1/owner=W1 ttl=10s renew=3s'],
    protocols: LOGS,
    parse: (c, span, who, at) => parseClientOp(c, span, who!, at, 'create'),
  },
  {
    name: 'get', group: 'Clients', form: 'client', syntax: 'CLIENT get KEY [via NODE] [within D] [nowait]',
    summary: "A read, served as the cluster's read mode says.",
    examples: ['A get x'],
    protocols: LOGS,
    parse: (c, span, who, at) => parseClientOp(c, span, who!, at, 'get'),
  },
  {
    name: 'cas', group: 'Clients', form: 'client', syntax: 'CLIENT cas KEY OLD -> NEW [via NODE] …',
    summary: 'Compare-and-swap.',
    examples: ['A cas x 1 -> 2'],
    protocols: LOGS,
    parse: (c, span, who, at) => parseClientOp(c, span, who!, at, 'cas'),
  },
  {
    name: 'delete', group: 'Clients', form: 'client', syntax: 'CLIENT delete KEY [via NODE] …',
    summary: 'Delete a key.',
    examples: ['A delete x'],
    protocols: LOGS,
    parse: (c, span, who, at) => parseClientOp(c, span, who!, at, 'delete'),
  },
  {
    name: 'lock', group: 'Clients', form: 'client', syntax: 'CLIENT lock NAME ttl=D [renew=D] [retry=D] [within D] [nowait]',
    summary: "Take a lock with a TTL, waiting while another client holds it; the grant's log index is its fencing token. The leader expires the lock once the TTL passes without a keep-alive.",
    options: LOCK_OPTIONS,
    examples: ['A lock resource-x ttl=15s renew=5s'],
    protocols: ['raft'],
    parse: (c, span, who, at) => parseCoordination(c, span, who!, at, 'lock', LOCK_OPTIONS),
  },
  {
    name: 'unlock', group: 'Clients', form: 'client', syntax: 'CLIENT unlock NAME [within D] [nowait]',
    summary: 'Release a lock the client holds (its keep-alives stop).',
    examples: ['A unlock resource-x'],
    protocols: ['raft'],
    parse: (c, span, who, at) => parseCoordination(c, span, who!, at, 'unlock', []),
  },
  {
    name: 'write', group: 'Clients', form: 'client', syntax: 'CLIENT write RESOURCE VALUE [token] [under LOCK] [within D] [nowait]',
    summary: "A write to a resource outside the cluster (storage). With `token` it carries the client's fencing token, and the resource rejects a token older than one it has seen; without, it is not checked. `under LOCK`: the client writes only if it believes it holds LOCK (as application code checks), with that lock's token.",
    examples: ['A write storage "v1" token'],
    protocols: ['raft'],
    parse: (c, span, who, at) => parseCoordination(c, span, who!, at, 'write', []),
  },
  {
    name: 'watch', group: 'Clients', form: 'client', syntax: 'CLIENT watch PREFIX [require-leader=on] [via NODE] [within D] [nowait]',
    summary: "Watch the keys under a prefix, as etcd does: the watch stays open on one member (`via`, or else the leader the client knows), which streams every change it applies; the client's view (`expect CLIENT saw KEY=VALUE`) is that member's. When the member crashes or cancels it, the client opens it on the next member.",
    options: WATCH_OPTIONS,
    examples: ['A watch /config/', 'B watch /config/ via n4 require-leader=on'],
    protocols: ['raft'],
    parse: (c, span, who, at) => parseCoordination(c, span, who!, at, 'watch', WATCH_OPTIONS),
  },
  {
    name: 'elect', group: 'Clients', form: 'client', syntax: 'CLIENT elect NAME lease=D [renew-deadline=D] [retry=D]',
    summary: "Kubernetes-style Lease election (client-go's leader election), in the background: every retry period the client reads the Lease `lease/NAME` and takes it with a compare-and-swap when it is free, expired or its own. Wait with `run until CLIENT leads NAME`.",
    options: ELECT_OPTIONS,
    examples: ['A elect controller lease=15s renew-deadline=10s retry=2s'],
    protocols: ['raft'],
    parse: (c, span, who, at) => parseCoordination(c, span, who!, at, 'elect', ELECT_OPTIONS),
  },
  {
    name: 'propose', group: 'Clients', form: 'node', syntax: 'NODE propose VALUE',
    summary: 'Ask a node to propose a value (Multi-Paxos: into the log, through the leader).',
    examples: ['n1 propose X'],
    protocols: ['paxos', 'multi-paxos'],
    parse: (c, span, who, at) => ({ kind: 'propose', span, node: who!, opSpan: at, value: c.value('a value to propose').text }),
  },
  // Expectations
  {
    name: 'expect', group: 'Expectations', form: 'command', syntax: 'expect [not] FACT',
    summary: 'An assertion; a failed one fails the cell and shows the evidence.',
    examples: ['expect leader in {n3 n4 n5}', 'expect not n1 has x=2 committed', 'expect committed x=1 on majority'],
    parse: (c, span) => ({ kind: 'expect', span, expectation: parseFact(c, 'expect') }),
  },
  // Views
  {
    name: 'show', group: 'Views', form: 'command', syntax: 'show sequence|states|log|topology [hide=heartbeats|none] [from=T] [to=T] [max=N]',
    summary: 'Choose the views of this cell (default: the sequence diagram).',
    options: SHOW_OPTIONS,
    examples: ['show sequence hide=none from=2s to=5s'],
    parse: parseShow,
  },
  // Exploration
  {
    name: 'explore', group: 'Exploration', form: 'command', syntax: 'explore seeds=N [faults=a,b] [ops=N] [duration=D]',
    summary: 'Run many random scenarios (faults and client operations) on copies of the cluster, check every invariant and linearizability, and shrink the first failure to the lines that still cause it.',
    options: EXPLORE_OPTIONS,
    examples: ['explore seeds=1000 faults=crash,partition,loss ops=50 duration=10s'],
    parse: (c, span) => ({ kind: 'explore', span, options: c.options(EXPLORE_OPTIONS, 'explore', null) }),
  },
];

const TOP = new Map(COMMANDS.filter((s) => s.form === 'command').map((s) => [s.name, s]));
const VERBS = new Map(COMMANDS.filter((s) => s.form !== 'command').map((s) => [s.name, s]));
export const TOP_LEVEL: readonly string[] = [...TOP.keys()];
export const CLIENT_VERBS: readonly string[] = [...VERBS.keys()];

export function commandSpec(name: string): CommandSpec | undefined {
  return TOP.get(name) ?? VERBS.get(name);
}

/** The commands `at` and `after` can schedule. */
export const SCHEDULABLE: ReadonlySet<string> = new Set([
  ...COMMANDS.filter((s) => s.group === 'Faults' || s.group === 'Clients').map((s) => s.name),
  'set', 'latency', 'timeout', 'hold', 'release', 'drop',
]);

// ---------------------------------------------------------------------------------------------------
// Entry point

export interface ParsedCell {
  stmts: Stmt[];
  diagnostics: Diagnostic[];
}

/**
 * Parse a whole cell. Never throws: every problem is a diagnostic positioned within the cell text
 * (one per line at most; the other lines are still parsed).
 */
export function parseCell(source: string): ParsedCell {
  const stmts: Stmt[] = [];
  const diagnostics: Diagnostic[] = [];
  source.split(/\r?\n|\r/).forEach((text, i) => {
    const line = i + 1;
    try {
      const tokens = lexLine(text, line);
      if (tokens.length === 0) return;
      stmts.push(parseStatement(new Cursor(tokens, line, text.length)));
    } catch (e) {
      if (e instanceof LangError) diagnostics.push(diag(e.message, e.span, e.fix));
      else {
        // A bug in the parser: still a positioned diagnostic rather than an exception in the editor.
        const message = e instanceof Error ? e.message : String(e);
        diagnostics.push(diag(`Internal error while reading this line (please report it): ${message}`, { line, column: 1, endColumn: Math.max(2, text.length + 1) }));
      }
    }
  });
  return { stmts, diagnostics };
}

function parseStatement(c: Cursor): Stmt {
  const first = c.peek()!;
  const span = c.restSpan();
  if (first.kind !== 'word') c.fail('a command');
  const top = TOP.get(first.text);
  if (top !== undefined) {
    c.next();
    const stmt = top.parse(c, span, null, first.span);
    c.end();
    return stmt;
  }
  const second = c.peek(1);
  const verb = second?.kind === 'word' ? VERBS.get(second.text) : undefined;
  if (verb !== undefined) {
    const subject = c.ref(verb.form === 'node' ? 'a node' : 'a client name');
    checkName(subject, verb.form === 'node' ? 'node' : 'client');
    const verbSpan = c.next()!.span;
    const stmt = verb.parse(c, span, subject, verbSpan);
    c.end();
    return stmt;
  }
  const cmd = didYouMean(first.text, TOP_LEVEL);
  if (second?.kind === 'word' && cmd.best === null) {
    const op = didYouMean(second.text, CLIENT_VERBS);
    if (op.best !== null) throw new LangError(`Unknown client operation \`${second.text}\`.${op.text}`, second.span, changeTo(op.best, second.span));
  }
  throw new LangError(
    `Unknown command \`${first.text}\`.${cmd.text || ' A line starts with a command such as `cluster`, `run`, `crash` or `expect`, or with a client name and an operation such as `A put x=1`.'}`,
    first.span,
    changeTo(cmd.best, first.span),
  );
}

// ---------------------------------------------------------------------------------------------------
// The cursor over one line's tokens

export class Cursor {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly line: number,
    private readonly lineLength: number,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  /** From the current token to the end of the line. */
  restSpan(): Span {
    const first = this.tokens[this.i] ?? this.tokens[this.tokens.length - 1]!;
    const last = this.tokens[this.tokens.length - 1]!;
    return { line: this.line, column: first.span.column, endColumn: last.span.endColumn };
  }
  /** Just past the last token: where "found end of line" points. */
  endSpan(): Span {
    const last = this.tokens[this.tokens.length - 1];
    const col = last ? last.span.endColumn : this.lineLength + 1;
    return { line: this.line, column: col, endColumn: col + 1 };
  }
  /** Throws "Expected X, found Y." at the next token (or the end of the line). */
  fail(expected: string): never {
    return this.failAt(expected, this.peek());
  }
  /** Throws "Expected X, found Y." at `tok`; undefined means the end of the line. */
  failAt(expected: string, tok: Token | undefined): never {
    if (tok === undefined) throw new LangError(`Expected ${expected}, found end of line.`, this.endSpan());
    throw new LangError(`Expected ${expected}, found ${describe(tok)}.`, tok.span);
  }
  isSym(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'sym' && t.text === text;
  }
  isWord(text?: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'word' && (text === undefined || t.text === text);
  }
  sym(text: string, expected = `\`${text}\``): Token {
    if (!this.isSym(text)) this.fail(expected);
    return this.next()!;
  }
  word(expected: string): Token {
    const t = this.peek();
    if (t === undefined || t.kind !== 'word') this.fail(expected);
    return this.next()!;
  }
  keyword(text: string): Token {
    if (!this.isWord(text)) this.fail(`\`${text}\``);
    return this.next()!;
  }
  /** A key or a value: a word, a number or a quoted string. */
  value(expected: string): Token {
    const t = this.peek();
    if (t === undefined || (t.kind !== 'word' && t.kind !== 'number' && t.kind !== 'string')) this.fail(expected);
    return this.next()!;
  }
  end(): void {
    const t = this.peek();
    if (t !== undefined) this.fail('end of line');
  }
  ref(expected: string): Ref {
    const t = this.word(expected);
    return { name: t.text, span: t.span };
  }
  /** `{a b c}` (commas allowed), a single name (a node or a zone), or `*` when `star` is allowed. */
  nodeSet(expected: string, star = false): NodeSet {
    if (star && this.isSym('*')) {
      const t = this.next()!;
      return [{ name: '*', span: t.span }];
    }
    if (!this.isSym('{')) return [this.ref(expected)];
    const open = this.next()!;
    const out: Ref[] = [];
    for (;;) {
      if (this.isSym('}')) break;
      if (this.isSym(',') && out.length > 0) {
        this.next();
        continue;
      }
      out.push(this.ref(out.length === 0 ? 'a node name' : 'a node name or `}`'));
    }
    const close = this.next()!;
    if (out.length === 0) throw new LangError('A node set needs at least one node, such as `{n1 n2}`.', { ...open.span, endColumn: close.span.endColumn });
    return out;
  }
  /** One or more node sets up to the end of the line. */
  nodeSets(expected: string): NodeSet {
    const out: Ref[] = [...this.nodeSet(expected)];
    while (!this.atEnd()) out.push(...this.nodeSet(`${expected} or end of line`));
    return out;
  }
  /** `A -> B` or `A <-> B`; A and B are nodes, sets, zones or `*`. */
  link(): Link {
    const from = this.nodeSet('a node, a set `{…}`, a zone or `*`', true);
    const bothWays = this.isSym('<->');
    if (!bothWays) this.sym('->', '`->` or `<->`');
    else this.next();
    const to = this.nodeSet('a node, a set `{…}`, a zone or `*`', true);
    return { from, to, bothWays };
  }
  duration(expected = 'a duration such as `2s` or `150ms`'): { us: number; span: Span } {
    const t = this.peek();
    if (t === undefined || t.kind !== 'number') this.fail(expected);
    this.next();
    return { us: parseDuration(t), span: t.span };
  }
  durationRange(): { lo: number; hi: number; span: Span } {
    const t = this.peek();
    if (t === undefined || (t.kind !== 'range' && t.kind !== 'number')) this.fail('a duration range such as `150ms..300ms`');
    this.next();
    const [lo, hi] = parseDurationRange(t);
    return { lo, hi, span: t.span };
  }
  percent(): number {
    const t = this.peek();
    if (t === undefined || t.kind !== 'number') this.fail('a percentage such as `20%`');
    this.next();
    return parsePercent(t);
  }
  /** A whole number token in [min, max]. */
  int(expected: string, min: number, max: number): { n: number; span: Span } {
    const t = this.peek();
    if (t === undefined || t.kind !== 'number' || !/^\d+$/.test(t.text)) this.fail(expected);
    this.next();
    const n = Number(t.text);
    if (n < min || n > max) throw new LangError(`Expected ${expected} from ${min} to ${max.toLocaleString('en-US')}, found \`${t.text}\`.`, t.span);
    return { n, span: t.span };
  }
  /** `key=value …` to the end of the line. `protocol` (for `cluster`) rejects options of other protocols. */
  /** `key=value` options up to the end of the line (or up to one of `stopWords`). */
  options(specs: readonly OptionSpec[], command: string, protocol: Protocol | null, stopWords: readonly string[] = []): OptionValue[] {
    const out: OptionValue[] = [];
    const names = specs.map((s) => s.name);
    while (!this.atEnd()) {
      const key = this.peek()!;
      // The caller reads what follows, and checks the required options itself.
      if (key.kind === 'word' && stopWords.includes(key.text)) return out;
      if (key.kind !== 'word') this.fail(specs.length > 0 ? `an option such as \`${specs[0]!.name}=${specs[0]!.placeholder.split('|')[0]}\`` : 'end of line');
      const spec = specs.find((s) => s.name === key.text);
      if (spec === undefined) {
        const dym = didYouMean(key.text, names);
        const known = names.length > 0 ? ` Options: ${names.join(', ')}.` : ` \`${command}\` takes no options.`;
        throw new LangError(`Unknown option \`${key.text}\` for \`${command}\`.${dym.text || known}`, key.span, changeTo(dym.best, key.span));
      }
      if (protocol !== null && spec.protocols !== undefined && !spec.protocols.includes(protocol)) {
        throw new LangError(`Option \`${spec.name}\` is for ${orList([...spec.protocols])} clusters, not ${protocol}.`, key.span);
      }
      if (out.some((o) => o.key === spec.name)) throw new LangError(`Option \`${spec.name}\` is given twice.`, key.span);
      this.next();
      this.sym('=', `\`=\` after \`${key.text}\``);
      const v = this.peek();
      if (v === undefined || v.kind === 'sym' || v.kind === 'bad') this.fail(`a value for \`${key.text}\`, such as \`${key.text}=${spec.placeholder.split('|')[0]}\``);
      this.next();
      let value = v.text;
      let end = v.span.endColumn;
      // Comma lists (nodes=a,b,c; faults=crash,loss) are one value.
      while (this.isSym(',')) {
        this.next();
        const more = this.value(`another value after \`,\` in \`${key.text}\``);
        value += `,${more.text}`;
        end = more.span.endColumn;
      }
      const valueSpan: Span = { line: v.span.line, column: v.span.column, endColumn: end };
      // `bug=…` on a cluster takes that protocol's bugs only.
      validateOptionValue(spec.value === 'bug' && protocol !== null ? { ...spec, values: bugNamesOf(protocol) } : spec, value, valueSpan);
      out.push({ key: key.text, value, span: { ...key.span, endColumn: end }, keySpan: key.span, valueSpan });
    }
    const missing = specs.find((s) => s.required && !out.some((o) => o.key === s.name));
    if (missing !== undefined) this.fail(orList(missing.placeholder.split('|').map((p) => `\`${missing.name}=${p}\``)));
    return out;
  }
}

function describe(t: Token): string {
  if (t.kind === 'string') return `"${t.text}"`;
  if (t.kind === 'bad') return t.text.startsWith('"') ? 'an unterminated string (a `"` without its closing `"`)' : `unexpected character \`${t.text.slice(0, 20)}\``;
  return `\`${t.text.length > 40 ? `${t.text.slice(0, 40)}…` : t.text}\``;
}

function checkName(r: Ref, what: 'node' | 'zone' | 'client'): void {
  if ((KEYWORDS as readonly string[]).includes(r.name) || TOP.has(r.name) || VERBS.has(r.name)) {
    throw new LangError(`\`${r.name}\` is a word of the language and cannot name a ${what}.`, r.span);
  }
}

// ---------------------------------------------------------------------------------------------------
// Values

/** Microseconds per unit (a Map: a unit is the user's text, and `toString` is not a unit). */
const UNITS = new Map<string, number>([
  ['us', 1],
  ['µs', 1],
  ['ms', 1_000],
  ['s', 1_000_000],
  ['m', 60_000_000],
  ['h', 3_600_000_000],
]);
/** The longest virtual time a scenario may name: one week. */
export const MAX_DURATION_US = 7 * 24 * 3_600_000_000;

export function parseDuration(t: Token): number {
  const m = /^([+-]?)(\d+(?:\.\d+)?)([^\d.+-]*)$/.exec(t.text);
  if (!m) throw new LangError(`Expected a duration such as \`2s\` or \`150ms\`, found \`${t.text}\`.`, t.span);
  const unit = m[3]!;
  if (unit === '') {
    throw new LangError(`A duration needs a unit: \`${t.text}ms\` or \`${t.text}s\`.`, t.span, { title: 'Add unit `ms`', span: t.span, replacement: `${t.text}ms` });
  }
  const mult = UNITS.get(unit);
  if (mult === undefined) {
    const dym = didYouMean(unit, [...UNITS.keys()]);
    throw new LangError(`Unknown time unit \`${unit}\`; use us, ms, s, m or h.${dym.text}`, t.span, dym.best ? { title: `Change to \`${m[1]}${m[2]}${dym.best}\``, span: t.span, replacement: `${m[1]}${m[2]}${dym.best}` } : undefined);
  }
  const us = Math.round(Number(m[2]) * mult) * (m[1] === '-' ? -1 : 1);
  if (Math.abs(us) > MAX_DURATION_US) throw new LangError(`\`${t.text}\` is longer than the 7-day limit of a scenario.`, t.span);
  return us;
}

/** `150ms..300ms`, `150..300ms` (the unit of one side serves both), or one duration (lo = hi). */
function parseDurationRange(t: Token): [number, number] {
  if (!t.text.includes('..')) {
    const v = parseDuration(t);
    if (v < 0) throw new LangError(`Expected a duration that is not negative, found \`${t.text}\`.`, t.span);
    return [v, v];
  }
  const [a, b] = t.text.split('..') as [string, string];
  const unitOf = (s: string): string => /[^\d.+-]+$/.exec(s)?.[0] ?? '';
  const lo = parseDuration({ ...t, text: unitOf(a) === '' ? a + unitOf(b) : a });
  const hi = parseDuration({ ...t, text: unitOf(b) === '' ? b + unitOf(a) : b });
  if (lo < 0 || hi < lo) throw new LangError(`The range \`${t.text}\` must go from low to high.`, t.span);
  return [lo, hi];
}

function parsePercent(t: Token): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(t.text);
  if (!m) throw new LangError(`Expected a percentage such as \`20%\`, found \`${t.text}\`.`, t.span);
  const p = Number(m[1]);
  if (p > 100) throw new LangError(`A percentage is at most 100%, found \`${t.text}\`.`, t.span);
  return Math.round(p * 10);
}

function validateOptionValue(spec: OptionSpec, value: string, span: Span): void {
  const tok: Token = { kind: value.includes('..') ? 'range' : 'number', text: value, span };
  if (value.includes(',') && !spec.list && spec.value !== 'count-or-names') {
    throw new LangError(`Option \`${spec.name}\` takes one value, found \`${value}\`.`, span);
  }
  switch (spec.value) {
    case 'int': {
      if (!/^\d{1,9}$/.test(value)) throw new LangError(`Expected a whole number for \`${spec.name}\`, found \`${value}\`.`, span);
      const n = Number(value);
      if ((spec.min !== undefined && n < spec.min) || (spec.max !== undefined && n > spec.max)) {
        throw new LangError(`Expected \`${spec.name}\` from ${(spec.min ?? 0).toLocaleString('en-US')} to ${(spec.max ?? 999_999_999).toLocaleString('en-US')}, found \`${value}\`.`, span);
      }
      return;
    }
    case 'count-or-names':
      if (/^[+-]?\d/.test(value) && !/^\d+$/.test(value)) throw new LangError(`Expected a node count or names for \`nodes\`, found \`${value}\`.`, span);
      return;
    case 'duration':
      if (tok.kind === 'range') throw new LangError(`Expected one duration for \`${spec.name}\`, found the range \`${value}\`.`, span);
      if (parseDuration(tok) < 0) throw new LangError(`Expected a duration that is not negative for \`${spec.name}\`, found \`${value}\`.`, span);
      return;
    case 'duration-range':
      parseDurationRange(tok);
      return;
    case 'percent':
      parsePercent(tok);
      return;
    case 'on-off':
      if (value !== 'on' && value !== 'off') throw badChoice(spec, value, span, ['on', 'off']);
      return;
    case 'enum':
    case 'bug': {
      let col = span.column;
      for (const v of value.split(',')) {
        if (!spec.values!.includes(v)) throw badChoice(spec, v, { line: span.line, column: col, endColumn: col + v.length }, spec.values!);
        col += v.length + 1;
      }
      return;
    }
  }
}

/** Each bug of `bug=a,b` must be one of `protocol`'s; the error points at the first that is not. */
export function checkBugs(value: string, span: Span, protocol: Protocol): void {
  const own = bugNamesOf(protocol);
  let col = span.column;
  for (const v of value.split(',')) {
    if (!own.includes(v)) throw new LangError(`Bug \`${v}\` is not a bug of ${protocol}; ${protocol} has ${orList(own.map((b) => `\`${b}\``))}.`, { line: span.line, column: col, endColumn: col + v.length });
    col += v.length + 1;
  }
}

function badChoice(spec: OptionSpec, value: string, span: Span, choices: readonly string[]): LangError {
  const dym = didYouMean(value, choices);
  return new LangError(`Expected ${orList(choices.map((c) => `\`${c}\``))} for \`${spec.name}\`, found \`${value}\`.${dym.text}`, span, changeTo(dym.best, span));
}

export function optionDuration(o: OptionValue): number {
  return parseDuration({ kind: 'number', text: o.value, span: o.valueSpan });
}

export function optionDurationRange(o: OptionValue): [number, number] {
  return parseDurationRange({ kind: o.value.includes('..') ? 'range' : 'number', text: o.value, span: o.valueSpan });
}

// ---------------------------------------------------------------------------------------------------
// Commands

function parseCluster(c: Cursor, span: Span): Stmt {
  const p = c.word('a protocol: raft, paxos, multi-paxos or bully');
  if (!PROTOCOLS.includes(p.text as Protocol)) {
    const dym = didYouMean(p.text, PROTOCOLS);
    throw new LangError(`Unknown protocol \`${p.text}\`; use raft, paxos, multi-paxos or bully.${dym.text}`, p.span, changeTo(dym.best, p.span));
  }
  const protocol = p.text as Protocol;
  const options = c.options(CLUSTER_OPTIONS, 'cluster', protocol);
  return { kind: 'cluster', span, protocol, protocolSpan: p.span, nodes: nodeList(options.find((o) => o.key === 'nodes')!), options };
}

export const MAX_NODES = 51;

function nodeList(o: OptionValue): Ref[] {
  if (/^\d+$/.test(o.value)) {
    const n = Number(o.value);
    if (n < 1) throw new LangError('A cluster needs at least 1 node.', o.valueSpan);
    if (n > MAX_NODES) throw new LangError(`A cluster has at most ${MAX_NODES} nodes; found ${o.value}.`, o.valueSpan);
    return Array.from({ length: n }, (_, i) => ({ name: `n${i + 1}`, span: o.valueSpan }));
  }
  const refs: Ref[] = [];
  let col = o.valueSpan.column;
  for (const name of o.value.split(',')) {
    const span: Span = { line: o.valueSpan.line, column: col, endColumn: col + name.length };
    if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(name)) throw new LangError(`\`${name}\` is not a valid node name (letters, digits, - and _, starting with a letter).`, span);
    checkName({ name, span }, 'node');
    if (refs.some((r) => r.name === name)) throw new LangError(`Node \`${name}\` is declared twice.`, span);
    refs.push({ name, span });
    col += name.length + 1;
  }
  if (refs.length > MAX_NODES) throw new LangError(`A cluster has at most ${MAX_NODES} nodes; found ${refs.length}.`, o.valueSpan);
  return refs;
}

function parseSet(c: Cursor, span: Span): Stmt {
  if (c.atEnd()) c.fail('an option such as `election-timeout=200ms`');
  return { kind: 'set', span, options: c.options(SET_OPTIONS, 'set', null) };
}

function linkWithRange(c: Cursor, span: Span, kind: 'latency' | 'delay'): Stmt {
  const link = c.link();
  const r = c.durationRange();
  return { kind, span, link, loUs: r.lo, hiUs: r.hi };
}

/** `loss 20%` everywhere, or `loss A -> B 50%` on links. */
function parseLoss(c: Cursor, span: Span): Stmt {
  const link = c.isSym('{') || c.isSym('*') || c.isWord() ? c.link() : null;
  return { kind: 'loss', span, link, permille: c.percent() };
}

function parseSkew(c: Cursor, span: Span): Stmt {
  const node = c.ref('a node');
  return { kind: 'skew', span, node, offsetUs: c.duration('a clock offset such as `+5s`').us };
}

function parseZone(c: Cursor, span: Span): Stmt {
  const name = c.ref('a zone name');
  checkName(name, 'zone');
  return { kind: 'zone', span, name, nodes: c.nodeSet('a set of nodes such as `{n1 n2}`') };
}

function parsePause(c: Cursor, span: Span): Stmt {
  const nodes = c.nodeSet('a node');
  const d = c.duration('a duration such as `20s`');
  if (d.us <= 0) throw new LangError('A pause must last longer than 0.', d.span);
  return { kind: 'pause', span, nodes, durationUs: d.us };
}

function parsePartition(c: Cursor, span: Span): Stmt {
  const groups: NodeSet[] = [[]];
  for (;;) {
    const group = groups[groups.length - 1]!;
    if (c.atEnd() || c.isSym('|')) {
      if (group.length === 0) c.fail(groups.length === 1 ? 'a node set such as `{n1 n2}` or a zone' : 'a node set `{…}` or a zone after `|`');
      if (c.atEnd()) break;
      c.next();
      groups.push([]);
      continue;
    }
    group.push(...c.nodeSet(group.length === 0 ? 'a node set such as `{n1 n2}` or a zone' : 'a node set, a zone, `|` or end of line'));
  }
  return { kind: 'partition', span, groups };
}

function parseRun(c: Cursor, span: Span): Stmt {
  if (c.isWord('until')) {
    c.next();
    const until = parseFact(c, 'until');
    let withinUs: number | null = null;
    if (c.isWord('within')) {
      c.next();
      const d = c.duration();
      if (d.us <= 0) throw new LangError('`within` needs a positive duration.', d.span);
      withinUs = d.us;
    }
    return { kind: 'run', span, durationUs: null, until, withinUs };
  }
  const d = c.duration('a duration such as `2s`, or `until leader`');
  if (d.us < 0) throw new LangError('Time only runs forward: the duration must not be negative.', d.span);
  return { kind: 'run', span, durationUs: d.us, until: null, withinUs: null };
}

export const MAX_STEP = 1_000_000;

function parseStep(c: Cursor, span: Span): Stmt {
  if (c.atEnd()) return { kind: 'step', span, count: 1 };
  return { kind: 'step', span, count: c.int('a number of events', 1, MAX_STEP).n };
}

function parseAt(c: Cursor, span: Span, name: 'at' | 'after'): Stmt {
  const d = c.duration(name === 'at' ? 'a virtual time such as `16s`' : 'a duration such as `2s`');
  if (d.us < 0) throw new LangError('A time must not be negative.', d.span);
  if (c.atEnd()) c.fail('a command to schedule, such as `crash n1` or `A put x=1`');
  const inner = parseStatement(c);
  const innerName = inner.kind === 'client' ? inner.op : inner.kind === 'coordination' ? inner.op : inner.kind;
  if (!SCHEDULABLE.has(innerName)) {
    throw new LangError(`\`${innerName}\` cannot be scheduled: \`${name}\` takes a fault, a client command, \`set\`, \`timeout\`, \`hold\`, \`release\` or \`drop\`.`, { ...inner.span, endColumn: inner.span.column + innerName.length });
  }
  return { kind: 'at', span, timeUs: d.us, relative: name === 'after', stmt: inner };
}

function parseClientOp(c: Cursor, span: Span, client: Ref, opSpan: Span, op: ClientOpKind): Stmt {
  const key = c.value('a key');
  let value = '';
  let expect = '';
  if (op === 'put' || op === 'create') {
    c.sym('=', '`=` and a value, such as `x=1`');
    value = c.value('a value').text;
  } else if (op === 'cas') {
    expect = c.value('the expected old value').text;
    c.sym('->');
    value = c.value('the new value').text;
  }
  // `put` and `create` take options (`ttl`, `renew`) among the words that end a client command, in any order.
  const options: OptionValue[] = [];
  const seen = new Set<string>();
  let tail = { via: null as Ref | null, withinUs: null as number | null, wait: true };
  while (!c.atEnd()) {
    if ((op === 'put' || op === 'create') && c.peek()?.kind === 'word' && c.peek(1)?.kind === 'sym' && c.peek(1)?.text === '=') {
      for (const o of c.options(PUT_OPTIONS, op, null, ['via', 'within', 'nowait'])) {
        if (options.some((x) => x.key === o.key)) throw new LangError(`Option \`${o.key}\` is given twice.`, o.keySpan);
        options.push(o);
      }
    }
    tail = parseWaitTail(c, true, op === 'put' || op === 'create', seen, tail);
  }
  const renew = options.find((o) => o.key === 'renew');
  if (renew !== undefined && !options.some((o) => o.key === 'ttl')) throw new LangError('`renew` keeps a lease alive, and only a key written with `ttl` has one: add `ttl=D`.', renew.keySpan);
  const { via, withinUs, wait } = tail;
  return { kind: 'client', span, client, op, opSpan, key: key.text, value, expect, via, withinUs, wait, options };
}

/** The end of a client command: `[via NODE] [within D] [nowait]` (`via` only where `viaAllowed`). */
function parseWaitTail(
  c: Cursor,
  viaAllowed: boolean,
  beforeOption = false,
  seen = new Set<string>(),
  into: { via: Ref | null; withinUs: number | null; wait: boolean } = { via: null, withinUs: null, wait: true },
): { via: Ref | null; withinUs: number | null; wait: boolean } {
  let { via, withinUs, wait } = into;
  const words = viaAllowed ? ['via', 'within', 'nowait'] : ['within', 'nowait'];
  while (!c.atEnd()) {
    const t = c.peek()!;
    // With options after it (`watch /config/ via n1 require-leader=on`), it stops at the next option.
    if (beforeOption && t.kind === 'word' && !words.includes(t.text) && c.peek(1)?.kind === 'sym' && c.peek(1)?.text === '=') break;
    if (t.kind !== 'word' || !words.includes(t.text)) c.fail(`${words.map((w) => `\`${w}\``).join(', ')} or end of line`);
    if (seen.has(t.text)) throw new LangError(`\`${t.text}\` is given twice.`, t.span);
    seen.add(t.text);
    c.next();
    if (t.text === 'via') via = c.ref('a node after `via`');
    else if (t.text === 'nowait') wait = false;
    else {
      const d = c.duration('a duration such as `5s` after `within`');
      if (d.us <= 0) throw new LangError('`within` needs a positive duration.', d.span);
      withinUs = d.us;
    }
    if (!wait && withinUs !== null) throw new LangError('`within` bounds the wait for an answer, and `nowait` does not wait: use one of them.', t.span);
  }
  return { via, withinUs, wait };
}

function parseCoordination(c: Cursor, span: Span, client: Ref, opSpan: Span, op: CoordinationOp, specs: readonly OptionSpec[]): Stmt {
  const target = c.value(op === 'watch' ? 'a key prefix such as `/config/`' : op === 'write' ? 'a resource name' : 'a name').text;
  let value = '';
  let token = false;
  let under: string | null = null;
  if (op === 'write') {
    value = c.value('a value such as `"v1"`').text;
    // `token` and `under LOCK`, in either order.
    for (;;) {
      if (!token && c.isWord('token')) {
        c.next();
        token = true;
      } else if (under === null && c.isWord('under')) {
        c.next();
        under = c.value('the name of a lock after `under`').text;
      } else break;
    }
  }
  // Options and the words that end a client command, in any order.
  const tailWords = op === 'watch' ? ['via', 'within', 'nowait'] : ['within', 'nowait'];
  const options: OptionValue[] = [];
  const seen = new Set<string>();
  let tail = { via: null as Ref | null, withinUs: null as number | null, wait: true };
  while (!c.atEnd()) {
    const more = c.options(specs, op, null, tailWords);
    for (const o of more) {
      if (options.some((x) => x.key === o.key)) throw new LangError(`Option \`${o.key}\` is given twice.`, o.keySpan);
      options.push(o);
    }
    tail = parseWaitTail(c, op === 'watch', true, seen, tail);
  }
  const missing = specs.find((s) => s.required && !options.some((o) => o.key === s.name));
  if (missing !== undefined) c.fail(orList(missing.placeholder.split('|').map((p) => `\`${missing.name}=${p}\``)));
  const { via, withinUs, wait } = tail;
  return { kind: 'coordination', span, client, op, opSpan, target, value, token, under, options, via, withinUs, wait };
}

function parseShow(c: Cursor, span: Span): Stmt {
  const v = c.word(`a view: ${orList([...VIEWS])}`);
  if (!(VIEWS as readonly string[]).includes(v.text)) {
    const dym = didYouMean(v.text, VIEWS);
    throw new LangError(`Unknown view \`${v.text}\`; use ${orList([...VIEWS])}.${dym.text}`, v.span, changeTo(dym.best, v.span));
  }
  return { kind: 'show', span, view: v.text as (typeof VIEWS)[number], options: c.options(SHOW_OPTIONS, 'show', null) };
}

// ---------------------------------------------------------------------------------------------------
// Facts (expect, run until)

const FACT_WORDS = [...new Set(FACTS.filter((f) => f.subject === undefined).map((f) => f.word)), 'not'];
const NODE_VERBS = FACTS.filter((f) => f.subject === 'node').map((f) => f.word);
const CLIENT_FACT_VERBS = FACTS.filter((f) => f.subject === 'client').map((f) => f.word);

export function parseFact(c: Cursor, mode: 'expect' | 'until'): Expectation {
  const start = c.restSpan();
  const endsHere = (): boolean => c.atEnd() || (mode === 'until' && c.isWord('within'));
  let negated = false;
  if (c.isWord('not')) {
    c.next();
    negated = true;
  }
  const t = c.peek();
  if (t === undefined) c.fail(mode === 'expect' ? 'a fact such as `leader n3`, `term >= 2` or `safe`' : 'a fact such as `leader`, `committed x=1` or `stable`');
  let fact: Fact;
  const kw = t.kind === 'word' ? t.text : '';
  switch (kw) {
    case 'no':
      c.next();
      c.keyword('leader');
      negated = !negated;
      fact = { kind: 'leader', node: null, in: c.isWord('in') ? (c.next(), c.nodeSet('a node set or a zone')) : null };
      break;
    case 'leader':
      c.next();
      if (endsHere()) fact = { kind: 'leader', node: null, in: null };
      else if (c.isWord('in')) {
        c.next();
        fact = { kind: 'leader', node: null, in: c.nodeSet('a node set or a zone') };
      } else fact = { kind: 'leader', node: c.ref('a node, `in {…}` or end of line'), in: null };
      break;
    case 'term': {
      c.next();
      fact = { kind: 'term', node: null, ...compare(c, 'a term number') };
      break;
    }
    case 'committed': {
      c.next();
      const { key, value } = keyValue(c);
      let on: 'majority' | 'all' | Ref = 'majority';
      if (c.isWord('on')) {
        c.next();
        if (c.isWord('majority') || c.isWord('all')) on = c.next()!.text as 'majority' | 'all';
        else on = c.ref('`majority`, `all` or a node');
      }
      fact = { kind: 'committed', key, value, on };
      break;
    }
    case 'logs':
      c.next();
      c.keyword('equal');
      fact = { kind: 'logs-equal' };
      break;
    case 'safe':
      c.next();
      fact = { kind: 'safe' };
      break;
    case 'violation':
      c.next();
      fact = { kind: 'violation', invariant: endsHere() ? null : c.ref('an invariant such as `election-safety`') };
      break;
    case 'stable':
      c.next();
      if (mode === 'expect') throw new LangError('`stable` is something to wait for (`run until stable`), not to expect; expect `leader` or `logs equal` instead.', t.span);
      fact = { kind: 'stable' };
      break;
    case 'decided':
      c.next();
      fact = { kind: 'decided', value: endsHere() ? null : c.value('a value').text };
      break;
    case 'linearizable':
      c.next();
      if (mode === 'until') throw new LangError('`linearizable` is a property of the whole history so far, something to expect (`expect linearizable`), not to wait for.', t.span);
      fact = { kind: 'linearizable' };
      break;
    case 'exclusive':
      c.next();
      if (mode === 'until') throw new LangError('`exclusive` is a property of the whole history so far, something to expect (`expect exclusive`), not to wait for.', t.span);
      fact = { kind: 'exclusive' };
      break;
    case 'rejected': {
      c.next();
      const client = c.ref('a client name');
      const op = c.keyword('write').text;
      fact = { kind: 'rejected', client, op };
      break;
    }
    default:
      fact = subjectFact(c, t);
  }
  if (mode === 'expect') c.end();
  else if (!c.atEnd() && !c.isWord('within')) c.fail('`within` or end of line');
  const last = c.peek(-1)!;
  return { fact, negated, span: { line: start.line, column: start.column, endColumn: last.span.endColumn } };
}

function subjectFact(c: Cursor, t: Token): Fact {
  const verbs = [...NODE_VERBS, ...CLIENT_FACT_VERBS];
  if (t.kind !== 'word') c.fail('a fact such as `leader n3`, `term >= 2`, `committed x=1`, `logs equal` or `safe`');
  const verb = c.peek(1);
  if (verb === undefined || verb.kind !== 'word' || !verbs.includes(verb.text)) {
    const expectedVerb = `${orList(verbs.map((v) => `\`${v}\``))} after \`${t.text}\``;
    const verbDym = verb?.kind === 'word' ? didYouMean(verb.text, verbs) : { text: '', best: null };
    if (verbDym.best !== null) throw new LangError(`Expected ${expectedVerb}, found ${describe(verb!)}.${verbDym.text}`, verb!.span, changeTo(verbDym.best, verb!.span));
    // `n1`, `A`: a node or client name whose verb is missing; anything else is a misspelt fact.
    const looksLikeName = /[0-9]/.test(t.text) || /^[A-Z]/.test(t.text);
    const known = didYouMean(t.text, FACT_WORDS);
    if (looksLikeName || (verb !== undefined && known.best === null)) c.failAt(expectedVerb, verb);
    throw new LangError(
      `Unknown fact \`${t.text}\`.${known.text || ` A fact starts with ${orList(FACT_WORDS.map((w) => `\`${w}\``))}, or with a node or client name.`}`,
      t.span,
      changeTo(known.best, t.span),
    );
  }
  const who = c.ref('a node or client');
  c.next();
  switch (verb.text) {
    case 'is': {
      const role = c.word(`a role: ${orList([...ROLES])}`);
      if (!(ROLES as readonly string[]).includes(role.text)) {
        const dym = didYouMean(role.text, ROLES);
        throw new LangError(`Unknown role \`${role.text}\`; use ${orList([...ROLES])}.${dym.text}`, role.span, changeTo(dym.best, role.span));
      }
      return { kind: 'role', node: who, role: role.text };
    }
    case 'term':
      return { kind: 'term', node: who, ...compare(c, 'a term number') };
    case 'commit':
      return { kind: 'commit-index', node: who, ...compare(c, 'an index') };
    case 'log':
      return { kind: 'log-length', node: who, ...compare(c, 'a length') };
    case 'has': {
      const { key, value } = keyValue(c);
      let state: 'any' | 'committed' | 'uncommitted' = 'any';
      if (c.isWord('committed') || c.isWord('uncommitted')) state = c.next()!.text as 'committed' | 'uncommitted';
      return { kind: 'has', node: who, key, value, state };
    }
    case 'got':
      return { kind: 'client-got', client: who, value: c.value('a value').text };
    case 'failed':
      return { kind: 'client-failed', client: who };
    case 'took': {
      const t = c.peek();
      if (t === undefined || t.kind !== 'sym' || !COMPARE_OPS.includes(t.text as CompareOp)) c.fail('a comparison: =, >=, <=, > or <');
      c.next();
      return { kind: 'took', client: who, op: t.text as CompareOp, us: c.duration('a duration such as `80ms`').us };
    }
    case 'leads':
      return { kind: 'leads', client: who, lease: c.value('the name of a Lease').text };
    case 'saw': {
      // `saw 3 keys under /barrier/` (a barrier's count), or `saw KEY=VALUE`.
      if (c.peek()?.kind === 'number' && c.peek(1)?.kind === 'word' && c.peek(1)?.text === 'keys') {
        const count = c.int('a number of keys', 0, 1e9).n;
        c.next();
        if (!c.isWord('under')) c.fail('`under` and a key prefix, such as `under /barrier/`');
        c.next();
        return { kind: 'saw', client: who, key: c.value('a key prefix such as `/barrier/`').text, value: '', count };
      }
      const key = c.value('a key').text;
      c.sym('=', '`=` and a value, such as `/config/x=1`');
      return { kind: 'saw', client: who, key, value: c.value('a value').text, count: null };
    }
    default:
      return { kind: 'token', client: who, value: c.int('a token number', 0, 1e9).n };
  }
}

function compare(c: Cursor, what: string): { op: CompareOp; value: number } {
  const t = c.peek();
  if (t === undefined || t.kind !== 'sym' || !COMPARE_OPS.includes(t.text as CompareOp)) c.fail('a comparison: =, >=, <=, > or <');
  c.next();
  return { op: t.text as CompareOp, value: c.int(what, 0, 1e9).n };
}

function keyValue(c: Cursor): { key: string; value: string | null } {
  const key = c.value('a key').text;
  if (!c.isSym('=')) return { key, value: null };
  c.next();
  return { key, value: c.value('a value').text };
}
