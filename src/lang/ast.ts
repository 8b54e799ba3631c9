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

export type Condition =
  | { kind: 'leader'; node: Ref | null }
  | { kind: 'committed'; key: string; value: string | null }
  | { kind: 'stable' }
  | { kind: 'decided' };

export type CompareOp = '=' | '>=' | '<=' | '>' | '<';

export type Expectation =
  | { kind: 'leader'; in: Ref[] | null; negated: boolean }
  | { kind: 'term'; op: CompareOp; value: number }
  | { kind: 'committed'; key: string; value: string; on: 'majority' | 'all' | Ref }
  | { kind: 'logs-equal' }
  | { kind: 'safe' }
  | { kind: 'violation'; invariant: string | null }
  | { kind: 'client-got'; client: Ref; value: string }
  | { kind: 'client-failed'; client: Ref }
  | { kind: 'role'; node: Ref; role: string };

export type ClientOpKind = 'put' | 'get' | 'cas' | 'delete';

export type Stmt = { span: Span } & (
  | { kind: 'cluster'; protocol: Protocol; nodes: Ref[]; options: OptionValue[] }
  | { kind: 'zone'; name: Ref; nodes: Ref[] }
  | { kind: 'latency'; a: Ref; b: Ref; bothWays: boolean; loUs: number; hiUs: number }
  | { kind: 'set'; options: OptionValue[] }
  | { kind: 'crash' | 'restart'; nodes: Ref[] }
  | { kind: 'pause'; node: Ref; durationUs: number }
  | { kind: 'partition'; groups: Ref[][] }
  | { kind: 'isolate'; node: Ref }
  | { kind: 'heal' }
  | { kind: 'cut'; from: Ref; to: Ref; bothWays: boolean }
  | { kind: 'loss'; permille: number; from: Ref | null; to: Ref | null }
  | { kind: 'delay'; from: Ref; to: Ref; loUs: number; hiUs: number }
  | { kind: 'duplicate'; permille: number }
  | { kind: 'skew'; node: Ref; offsetUs: number }
  | { kind: 'run'; durationUs: number | null; until: Condition | null; withinUs: number | null }
  | { kind: 'step'; count: number }
  | { kind: 'timeout'; node: Ref }
  | { kind: 'hold' | 'release' | 'drop'; from: Ref; to: Ref }
  | { kind: 'at'; timeUs: number; relative: boolean; stmt: Stmt }
  | {
      kind: 'client';
      client: Ref;
      op: ClientOpKind;
      key: string;
      value: string;
      expect: string;
      via: Ref | null;
    }
  | { kind: 'expect'; expectation: Expectation }
  | { kind: 'show'; view: 'sequence' | 'states' | 'log' | 'topology'; options: OptionValue[] }
  /** Parsed, but the engine part it needs is not built yet: running it is a clear error. */
  | { kind: 'unavailable'; what: string; missing: string }
);

export type StmtKind = Stmt['kind'];
