// The syntax tree of a cell. Every node carries the span of the text it came from, so the interpreter
// can point at the exact place when something is wrong at run time.

import type { Span } from './diagnostics';

export interface Ref {
  name: string;
  span: Span;
}

export type Protocol = 'raft' | 'paxos' | 'multi-paxos' | 'bully';

export interface OptionValue {
  key: string;
  value: string;
  span: Span;
  keySpan: Span;
  valueSpan: Span;
}

/**
 * Nodes named where a set is expected: node names, zone names, and `*` (every node), from `n1`,
 * `{n1 n2}`, `us-east` or `*`. The interpreter expands zones and `*`.
 */
export type NodeSet = Ref[];

/** `A -> B` or `A <-> B` between two node sets. */
export interface Link {
  from: NodeSet;
  to: NodeSet;
  bothWays: boolean;
}

export type CompareOp = '=' | '>=' | '<=' | '>' | '<';

/**
 * A fact about the cluster, true or false at one instant. `expect` asserts one; `run until` waits for
 * one. Facts whose engine is not built yet parse (so their syntax is checked) and fail in the checker.
 */
export type Fact =
  | { kind: 'leader'; node: Ref | null; in: NodeSet | null }
  | { kind: 'term'; node: Ref | null; op: CompareOp; value: number }
  | { kind: 'committed'; key: string; value: string | null; on: 'majority' | 'all' | Ref }
  | { kind: 'logs-equal' }
  | { kind: 'safe' }
  | { kind: 'violation'; invariant: Ref | null }
  | { kind: 'role'; node: Ref; role: string }
  | { kind: 'has'; node: Ref; key: string; value: string | null; state: 'any' | 'committed' | 'uncommitted' }
  /** A node's commit index or log length, as the node itself has them. */
  | { kind: 'commit-index' | 'log-length'; node: Ref; op: CompareOp; value: number }
  | { kind: 'client-got'; client: Ref; value: string }
  /** How long the client's last command took, from its request to its answer. */
  | { kind: 'took'; client: Ref; op: CompareOp; us: number }
  | { kind: 'client-failed'; client: Ref }
  /** `run until stable` only: one leader and no role change for two maximum election timeouts. */
  | { kind: 'stable' }
  | { kind: 'decided'; value: string | null }
  | { kind: 'linearizable' }
  /** No write under an older grant of a lock landed at a resource after one under a newer grant. */
  | { kind: 'exclusive' }
  | { kind: 'token'; client: Ref; value: number }
  | { kind: 'rejected'; client: Ref; op: string }
  /** The client's Lease election: it believes it leads the Lease `lease`. */
  | { kind: 'leads'; client: Ref; lease: string }
  /** The client's watch shows `key` with `value` (`(none)`: without it). */
  /** `CLIENT saw KEY=VALUE`, or (`count` set) `CLIENT saw N keys under PREFIX` (`key` is the prefix). */
  | { kind: 'saw'; client: Ref; key: string; value: string; count: number | null };

export type FactKind = Fact['kind'];

/** `expect [not] FACT`, `run until [not] FACT`; `no leader` is `not leader`. */
export interface Expectation {
  fact: Fact;
  negated: boolean;
  span: Span;
}
export type Condition = Expectation;

export type ClientOpKind = 'put' | 'create' | 'get' | 'cas' | 'delete';
export type CoordinationOp = 'lock' | 'unlock' | 'write' | 'watch' | 'elect';

export type Stmt = { span: Span } & (
  | { kind: 'cluster'; protocol: Protocol; protocolSpan: Span; nodes: Ref[]; options: OptionValue[] }
  | { kind: 'zone'; name: Ref; nodes: NodeSet }
  | { kind: 'latency'; link: Link; loUs: number; hiUs: number }
  | { kind: 'set'; options: OptionValue[] }
  | { kind: 'crash' | 'restart'; nodes: NodeSet }
  | { kind: 'pause'; nodes: NodeSet; durationUs: number }
  | { kind: 'partition'; groups: NodeSet[] }
  | { kind: 'isolate'; node: Ref }
  | { kind: 'heal' }
  | { kind: 'cut'; link: Link }
  | { kind: 'loss'; permille: number; link: Link | null }
  | { kind: 'delay'; link: Link; loUs: number; hiUs: number }
  | { kind: 'duplicate'; permille: number }
  | { kind: 'skew'; node: Ref; offsetUs: number }
  | { kind: 'run'; durationUs: number | null; until: Condition | null; withinUs: number | null }
  | { kind: 'step'; count: number }
  | { kind: 'timeout'; node: Ref }
  | { kind: 'hold' | 'release' | 'drop'; link: Link }
  | { kind: 'at'; timeUs: number; relative: boolean; stmt: Stmt }
  | {
      kind: 'client';
      client: Ref;
      op: ClientOpKind;
      opSpan: Span;
      key: string;
      value: string;
      expect: string;
      via: Ref | null;
      /** How long the cell waits for the answer (default 30s); null: the default. */
      withinUs: number | null;
      /** `nowait`: submit and go on; the client keeps working in the background. */
      wait: boolean;
      /** `put … ttl=D [renew=D]`: an ephemeral key, on a lease of its own. */
      options: OptionValue[];
    }
  /**
   * The coordination service: locks (`target` names the lock), fenced writes (`target` names the
   * resource; `value`, and `token`: send the client's fencing token), watches and lease elections.
   */
  | {
      kind: 'coordination';
      client: Ref;
      op: CoordinationOp;
      opSpan: Span;
      target: string;
      value: string;
      token: boolean;
      /** `write … under LOCK`: write only while believing to hold LOCK. */
      under: string | null;
      options: OptionValue[];
      /** `watch … via NODE`: the member to open the watch on. */
      via: Ref | null;
      withinUs: number | null;
      wait: boolean;
    }
  | { kind: 'propose'; node: Ref; opSpan: Span; value: string }
  | { kind: 'expect'; expectation: Expectation }
  | { kind: 'show'; view: 'sequence' | 'states' | 'log' | 'topology'; options: OptionValue[] }
  | { kind: 'explore'; options: OptionValue[] }
);

export type StmtKind = Stmt['kind'];
