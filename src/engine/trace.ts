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
  | { op: 'cas'; key: string; expect: string; value: string; client: string; seq: number }
  | { op: 'get'; key: string; client: string; seq: number };

/** Raft RPCs (Figure 2 of the paper), plus the client protocol. */
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
  | { type: 'ClientResponse'; ok: boolean; seq: number; result: string; leaderHint: string | null };

export type MessageType = Message['type'];

export type DropReason = 'loss' | 'partition' | 'cut' | 'crashed' | 'held-drop' | 'paused-crash';

export type TimerKind = 'election' | 'heartbeat';

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
  | { k: 'violation'; t: Micros; invariant: string; nodes: string[]; detail: string }
  | { k: 'note'; t: Micros; text: string };

export type TraceKind = TraceEvent['k'];
