// The trace is the contract (DESIGN.md principle 4): the engine emits these events and every view,
// verdict and checker is a pure function of them. Nothing downstream reads engine internals.
//
// Conventions: `t` is virtual time in microseconds; node and client references are names (strings),
// exactly as the user declared them; message ids are unique within one simulation.

export type Micros = number;

export type Role = 'follower' | 'candidate' | 'precandidate' | 'leader' | 'down';

export interface LogEntry {
  term: number;
  /** `noop` for the entry a new leader appends (Raft §8), otherwise a client command. */
  cmd: Command;
}

export type Command =
  | { op: 'noop' }
  | { op: 'put'; key: string; value: string; client: string; seq: number }
  | { op: 'delete'; key: string; client: string; seq: number }
  /** Compare-and-swap; `expect: null` asks that the key be absent (a create, as a Lease election does it). */
  | { op: 'cas'; key: string; expect: string | null; value: string; client: string; seq: number }
  | { op: 'get'; key: string; client: string; seq: number }
  // The coordination service (etcd's locks and leases): `key` names the lock.
  /** Take the lock, which expires `ttlUs` after the last keep-alive; the grant's log index is its fencing token. */
  | { op: 'lock'; key: string; ttlUs: number; client: string; seq: number }
  | { op: 'unlock'; key: string; token: number; client: string; seq: number }
  /**
   * A put attached to a lease of its own (etcd's `put --lease`, ZooKeeper's ephemeral node): the key
   * lives while its client keeps the lease alive, and goes when the TTL runs out. The lease is kept
   * with the locks, under the key's name; the put's log index is its number. `ifAbsent`: only if the
   * key does not exist (a create: ZooKeeper's `create -e`, etcd's transaction on create_revision 0).
   */
  | { op: 'ephemeral'; key: string; value: string; ttlUs: number; client: string; seq: number; ifAbsent?: true }
  /** Proposed by a leader whose lessor saw a lease's TTL run out (etcd's lease revoke); no client. */
  | { op: 'expire'; key: string; token: number }
  /**
   * A write to a fenced resource outside the cluster (`key` names it), with the client's fencing token
   * or none; it never enters a log. `under`: the lock (and its grant's token) the client believed it
   * held when it wrote, whether or not it sends the token (for the trace and its checks; the resource
   * does not read it).
   */
  | { op: 'write'; key: string; value: string; token: number | null; client: string; seq: number; under?: { lock: string; token: number } };

/** The commands that come from a client (every one but a leader's no-op and a lessor's expiry). */
export type ClientCommand = Exclude<Command, { op: 'noop' } | { op: 'expire' }>;

/**
 * A Paxos proposal number (Lamport's "n"): unique per proposer because it carries the proposer's
 * position in the cluster's declared node list (1-based), and increasing because each new attempt takes
 * a round above every round the proposer has seen. Ordered by round, then proposer; written `#3.1`
 * (round 3 of the first node). `{ round: 0, proposer: 0 }` is "none", below every real ballot.
 */
export interface Ballot {
  round: number;
  proposer: number;
}

/**
 * What Paxos agrees on: a plain value in single-decree Paxos (`n1 propose X`), a client command or a
 * leader's no-op in Multi-Paxos (whose log may also hold plain values proposed by nodes).
 */
export type PaxosValue = string | Command;

/** An acceptor's accepted proposal for one instance (0 in single-decree Paxos). */
export interface PaxosAccepted {
  instance: number;
  ballot: Ballot;
  value: PaxosValue;
}

/**
 * Raft RPCs (Figure 2 of the paper), the client protocol, Paxos (Lamport, "Paxos Made Simple": single-
 * decree and Multi-Paxos) and the bully election (Garcia-Molina, 1982).
 */
export type Message =
  | { type: 'RequestVote'; term: number; lastLogIndex: number; lastLogTerm: number; prevote: boolean }
  | { type: 'RequestVoteResponse'; term: number; granted: boolean; prevote: boolean; reason: string }
  | {
      type: 'AppendEntries';
      term: number;
      prevLogIndex: number;
      prevLogTerm: number;
      entries: LogEntry[];
      leaderCommit: number;
      /** Heartbeat round, echoed in the response (ReadIndex confirmation, dissertation §6.4). */
      round: number;
    }
  | {
      type: 'AppendEntriesResponse';
      term: number;
      success: boolean;
      /** On success: the index of the last entry the follower now matches. */
      matchIndex: number;
      /** On failure: where the leader should retry (fast backtracking, dissertation §5.3 / etcd's hint). */
      conflictIndex: number;
      reason: string;
      round: number;
    }
  | { type: 'ClientRequest'; cmd: Command }
  | { type: 'ClientResponse'; ok: boolean; seq: number; result: string; leaderHint: string | null }
  /** A lock holder's keep-alive to the leader, which renews the lock's TTL (etcd's LeaseKeepAlive). */
  | { type: 'KeepAlive'; lock: string; token: number }
  /** `ok`: renewed; otherwise `result` says why: not leader (see `leaderHint`), or the lock is gone. */
  | { type: 'KeepAliveResponse'; lock: string; token: number; ok: boolean; result: string; leaderHint: string | null }
  /**
   * A client opens a watch of the keys under `prefix` on the member it sends this to (etcd's Watch);
   * `requireLeader`: the member cancels it when it has lost its leader (etcd's WithRequireLeader).
   */
  | { type: 'Watch'; prefix: string; requireLeader: boolean }
  /**
   * What a watch streams: `created` (with `snapshot`, the member's keys under the prefix as of `index`,
   * its applied index), a `put` or `delete` the member applied at log `index`, or `canceled` (`value`
   * says why). The client orders them by index, as a stream's order would.
   */
  | {
      type: 'WatchEvent';
      prefix: string;
      event: 'created' | 'put' | 'delete' | 'canceled';
      key: string;
      value: string | null;
      index: number;
      snapshot: [string, string][] | null;
    }
  // Paxos. `instance` is 0 in single-decree Paxos (there is one decision) and 1, 2, … in Multi-Paxos.
  /** Phase 1a. In Multi-Paxos it covers every instance from `instance` on (the leader's first unchosen). */
  | { type: 'Prepare'; ballot: Ballot; instance: number }
  /** Phase 1b: the acceptor promises to ignore ballots below `ballot` and reports what it accepted (from `instance` on). */
  | { type: 'Promise'; ballot: Ballot; instance: number; accepted: PaxosAccepted[] }
  /** Phase 2a. `chosen`: in Multi-Paxos, the leader's instances known chosen without a gap (0 in single-decree). */
  | { type: 'Accept'; ballot: Ballot; instance: number; value: PaxosValue; chosen: number }
  /** Phase 2b: to every learner in single-decree Paxos, to the leader in Multi-Paxos. */
  | { type: 'Accepted'; ballot: Ballot; instance: number; value: PaxosValue }
  /** A refusal (the optimisation of "Paxos Made Simple" §2.3): the acceptor has promised `promised`. */
  | { type: 'Nack'; ballot: Ballot; instance: number; promised: Ballot; phase: 1 | 2 }
  /** Multi-Paxos: the leader is alive; `chosen` as in Accept. */
  | { type: 'Heartbeat'; ballot: Ballot; chosen: number }
  /** Multi-Paxos: a node behind the leader's `chosen` asks for the chosen values from `from` on. */
  | { type: 'CatchUp'; from: number }
  /** Multi-Paxos: chosen values, each with the ballot that chose it (the answer to CatchUp). */
  | { type: 'Chosen'; entries: PaxosAccepted[] }
  /** Multi-Paxos: a node passes a value it was asked to propose to the leader it knows. */
  | { type: 'Forward'; value: PaxosValue }
  // The bully election: ids rank by the cluster's declared order, the last declared is the highest.
  /** "I want to lead": sent to every higher-ranked node. */
  | { type: 'Election' }
  /** The answer of a higher-ranked node: "I am alive and take over the election". */
  | { type: 'Alive' }
  /** "I lead": sent to every node on winning; `renew` marks the periodic re-announcement (the heartbeat). */
  | { type: 'Coordinator'; renew: boolean };

export type MessageType = Message['type'];

export type DropReason = 'loss' | 'partition' | 'cut' | 'crashed' | 'held-drop' | 'paused-crash';

/** `retry`: a single-decree Paxos proposer's attempt timeout or back-off. */
export type TimerKind = 'election' | 'heartbeat' | 'retry';

export type FaultKind =
  | 'crash'
  | 'restart'
  | 'pause'
  | 'resume'
  | 'partition'
  | 'heal'
  | 'cut'
  | 'loss'
  | 'delay'
  | 'duplicate'
  | 'skew'
  | 'hold'
  | 'release';

export type TraceEvent =
  | { k: 'send'; t: Micros; id: number; from: string; to: string; msg: Message }
  | { k: 'deliver'; t: Micros; id: number; from: string; to: string; msg: Message }
  | { k: 'drop'; t: Micros; id: number; from: string; to: string; msg: Message; reason: DropReason }
  | { k: 'duplicate'; t: Micros; id: number; copy: number; from: string; to: string }
  | { k: 'timer'; t: Micros; node: string; timer: TimerKind }
  | { k: 'role'; t: Micros; node: string; from: Role; to: Role; term: number; reason: string }
  | { k: 'term'; t: Micros; node: string; from: number; to: number; reason: string }
  | {
      k: 'vote';
      t: Micros;
      node: string;
      candidate: string;
      term: number;
      granted: boolean;
      prevote: boolean;
      /** The rule that decided it, e.g. "log at least as up to date (§5.4.1)". */
      reason: string;
    }
  | { k: 'append'; t: Micros; node: string; index: number; entry: LogEntry }
  | { k: 'truncate'; t: Micros; node: string; fromIndex: number; reason: string }
  | { k: 'commit'; t: Micros; node: string; from: number; to: number; reason: string }
  | { k: 'commit-refused'; t: Micros; node: string; index: number; reason: string }
  | { k: 'apply'; t: Micros; node: string; index: number; entry: LogEntry; result: string }
  // An operation's invocation and completion as the client sees them (for histories and linearizability),
  // not network arrows: the messages themselves are `send`/`deliver` of ClientRequest/ClientResponse.
  | { k: 'client-request'; t: Micros; client: string; node: string; cmd: Command }
  | { k: 'client-response'; t: Micros; client: string; node: string; ok: boolean; seq: number; result: string }
  | {
      k: 'fault';
      t: Micros;
      fault: FaultKind;
      /** The nodes it touches; for `cut`/`hold`/`release`, [from, to]. */
      nodes: string[];
      /** Human text, e.g. "20s", "loss 20%", "one-way". */
      detail: string;
      /** For `partition`: every group, in declared order; nodes the command named in no group form one extra group together. */
      groups?: string[][];
    }
  // Paxos: what each role decided and why. `instance` as in the Paxos messages.
  /** A value handed to a proposer (`n1 propose X`): the proposed values validity is checked against. */
  | { k: 'propose'; t: Micros; node: string; instance: number; value: PaxosValue; reason: string }
  /** A proposer starts phase 1 with a new ballot, or abandons one (refused, or timed out). */
  | { k: 'ballot'; t: Micros; node: string; instance: number; ballot: Ballot; action: 'start' | 'abandon'; reason: string }
  /** An acceptor's answer to a Prepare, e.g. "promise refused: already promised #7.2". */
  | { k: 'promise'; t: Micros; node: string; proposer: string; instance: number; ballot: Ballot; granted: boolean; reason: string }
  /** A proposer with a quorum of promises picks the value for phase 2 (adopted, its own, or a gap's no-op). */
  | { k: 'pick'; t: Micros; node: string; instance: number; ballot: Ballot; value: PaxosValue; reason: string }
  /** An acceptor's answer to an Accept. */
  | { k: 'accept'; t: Micros; node: string; proposer: string; instance: number; ballot: Ballot; value: PaxosValue; granted: boolean; reason: string }
  /** A learner learns that `value` was chosen in `ballot` (a majority of acceptors accepted it). */
  | { k: 'learn'; t: Micros; node: string; instance: number; ballot: Ballot; value: PaxosValue; reason: string }
  | { k: 'violation'; t: Micros; invariant: string; nodes: string[]; detail: string }
  /** A client's Lease election (`CLIENT elect NAME`): it starts or stops leading, and why. */
  | { k: 'lease'; t: Micros; client: string; lease: string; leading: boolean; reason: string }
  | { k: 'note'; t: Micros; text: string };

export type TraceKind = TraceEvent['k'];

/**
 * What reads a trace: an array of events is one, and so are the engine's own store (engine/tracelog.ts)
 * and a window of it. Index with `at(i)`.
 */
export interface TraceView {
  readonly length: number;
  at(index: number): TraceEvent | undefined;
  slice(from?: number, to?: number): TraceEvent[];
  [Symbol.iterator](): Iterator<TraceEvent>;
}

/**
 * An event as the engine's code writes it, before the simulator stamps its time: with `t: undefined`, in
 * second place. So every event of a kind has one object shape with `t` in it (a field added later costs
 * a second allocation), and V8 keeps that field "tagged": a time below 2^31 µs (35 minutes) is stored in
 * the object, not boxed as a double, which would cost 16 bytes more on every event of the process once
 * any run had passed 35 minutes.
 */
export type TraceInput = TraceEvent extends infer E ? (E extends unknown ? Omit<E, 't'> & { t: number | undefined } : never) : never;
