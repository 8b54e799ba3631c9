// Paxos's safety properties, checked from outside the protocol code after every trace event. The three
// requirements of "Paxos Made Simple" §2.1 — only a proposed value may be chosen, only a single value is
// chosen, a process never learns that a value has been chosen unless it has been — per instance, plus,
// for Multi-Paxos, that every node's state machine applies the same command at the same index.
//
// What is chosen is rebuilt from the acceptors' own `accept` events: a value is chosen in an instance
// once a majority of ALL the cluster's nodes accepted the same ballot (never the majority a node thinks
// it needs). Learners are then judged against that. A violation is returned as data, never thrown.

import { ballotLabel, isNoop, valueKey, valueLabel } from '../paxos/ballot';
import { majority, type Violation } from '../protocol';
import type { Ballot, PaxosValue, TraceEvent } from '../trace';

export const PAXOS_INVARIANTS = ['Agreement', 'Validity', 'Learned Is Chosen', 'State Machine Safety'] as const;
export type PaxosInvariant = (typeof PAXOS_INVARIANTS)[number];
export type PaxosViolation = Violation<PaxosInvariant>;

interface Votes {
  ballot: Ballot;
  value: PaxosValue;
  from: Set<string>;
}

interface Chosen {
  value: PaxosValue;
  ballot: Ballot;
  by: string[];
}

export interface PaxosCheckState {
  nodes: string[];
  /** Multi-Paxos: leaders' no-ops are valid values, and applies are checked. */
  multi: boolean;
  // Sets and Maps, never plain objects, wherever a key holds the user's text (node names, values, client
  // names): `toString` or `__proto__` would read as an inherited property, or be dropped, in an object.
  /** Keys (`valueKey`) of the values proposed to a node or sent by a client. */
  proposed: Set<string>;
  /** Per instance, per ballot and value: the acceptors that accepted it. */
  votes: Record<number, Map<string, Votes>>;
  /** Per instance, the first value chosen. */
  chosen: Record<number, Chosen>;
  /** Per instance, the first value a learner learned, and who. */
  learned: Record<number, { node: string; value: PaxosValue }>;
  /** Multi-Paxos: per log index, the first command applied there, and where. */
  applied: Record<number, { node: string; value: PaxosValue }>;
  /** Findings already reported (each is reported once). */
  reported: Set<string>;
}

export function paxosCheckCreate(nodes: readonly string[], multi: boolean): PaxosCheckState {
  return { nodes: nodes.slice(), multi, proposed: new Set(), votes: {}, chosen: {}, learned: {}, applied: {}, reported: new Set() };
}

/** The value chosen at `instance` (0 in single-decree Paxos) according to the acceptors, or null. */
export function paxosChosen(st: PaxosCheckState, instance: number): PaxosValue | null {
  return st.chosen[instance]?.value ?? null;
}

/** Feed one event; returns the violations it reveals (usually none). */
export function paxosCheckEvent(st: PaxosCheckState, ev: TraceEvent): PaxosViolation[] {
  switch (ev.k) {
    case 'propose':
      st.proposed.add(valueKey(ev.value));
      return [];
    case 'client-request':
      st.proposed.add(valueKey(ev.cmd));
      return [];
    case 'send':
      if (ev.msg.type === 'ClientRequest') st.proposed.add(valueKey(ev.msg.cmd));
      return [];
    case 'accept':
      return ev.granted ? onAccept(st, ev.node, ev.instance, ev.ballot, ev.value) : [];
    case 'learn':
      return onLearn(st, ev.node, ev.instance, ev.value);
    case 'apply':
      return st.multi ? onApply(st, ev.node, ev.index, ev.entry.cmd) : [];
    default:
      return [];
  }
}

function at(instance: number): string {
  return instance === 0 ? '' : ` at i${instance}`;
}

function report(st: PaxosCheckState, key: string, v: PaxosViolation): PaxosViolation[] {
  if (st.reported.has(key)) return [];
  st.reported.add(key);
  return [v];
}

function validity(st: PaxosCheckState, node: string, instance: number, value: PaxosValue, what: string): PaxosViolation[] {
  if (st.proposed.has(valueKey(value)) || (st.multi && isNoop(value))) return [];
  return report(st, `Validity\u0000${instance}\u0000${valueKey(value)}`, {
    invariant: 'Validity',
    nodes: [node],
    detail: `${valueLabel(value)} was ${what}${at(instance)}, but nobody proposed it`,
  });
}

function onAccept(st: PaxosCheckState, node: string, instance: number, ballot: Ballot, value: PaxosValue): PaxosViolation[] {
  if (!st.nodes.includes(node)) return [];
  const byBallot = (st.votes[instance] ??= new Map());
  const key = `${ballotLabel(ballot)}\u0000${valueKey(value)}`;
  let votes = byBallot.get(key);
  if (votes === undefined) byBallot.set(key, (votes = { ballot, value, from: new Set() }));
  if (votes.from.has(node)) return [];
  votes.from.add(node);
  const by = [...votes.from].sort();
  if (by.length !== majority(st.nodes.length)) return [];
  // This acceptance makes a majority: the value is chosen in this ballot.
  const out = validity(st, node, instance, value, 'chosen');
  const first = st.chosen[instance];
  if (first === undefined) {
    st.chosen[instance] = { value, ballot, by };
  } else if (valueKey(first.value) !== valueKey(value)) {
    out.push(
      ...report(st, `Agreement\u0000chosen\u0000${instance}`, {
        invariant: 'Agreement',
        nodes: [...new Set([...first.by, ...by])].sort(),
        detail: `two values chosen${at(instance)}: ${valueLabel(first.value)} (${ballotLabel(first.ballot)}, accepted by ${first.by.join(' ')}) and ${valueLabel(value)} (${ballotLabel(ballot)}, accepted by ${by.join(' ')})`,
      }),
    );
  }
  return out;
}

function onLearn(st: PaxosCheckState, node: string, instance: number, value: PaxosValue): PaxosViolation[] {
  const out = validity(st, node, instance, value, 'learned');
  const chosen = st.chosen[instance];
  if (chosen === undefined || valueKey(chosen.value) !== valueKey(value)) {
    let why: string;
    if (chosen !== undefined) {
      why = `${valueLabel(chosen.value)} was chosen there first (${ballotLabel(chosen.ballot)}, accepted by ${chosen.by.join(' ')})`;
    } else {
      const accepted = [...(st.votes[instance]?.values() ?? [])]
        .filter((v) => valueKey(v.value) === valueKey(value))
        .map((v) => `in ${ballotLabel(v.ballot)} by ${[...v.from].sort().join(' ')}`);
      const by = accepted.length === 0 ? 'no acceptor accepted it' : `it was accepted only ${accepted.join(', ')}`;
      why = `no majority (${majority(st.nodes.length)} of ${st.nodes.length}) accepted it: ${by}`;
    }
    out.push(
      ...report(st, `Learned\u0000${instance}\u0000${node}`, {
        invariant: 'Learned Is Chosen',
        nodes: [node],
        detail: `${node} learned ${valueLabel(value)}${at(instance)}, but ${why}`,
      }),
    );
  }
  const first = st.learned[instance];
  if (first === undefined) {
    st.learned[instance] = { node, value };
  } else if (valueKey(first.value) !== valueKey(value)) {
    out.push(
      ...report(st, `Agreement\u0000learned\u0000${instance}\u0000${node}`, {
        invariant: 'Agreement',
        nodes: [first.node, node].sort(),
        detail: `${first.node} learned ${valueLabel(first.value)}${at(instance)} but ${node} learned ${valueLabel(value)}`,
      }),
    );
  }
  return out;
}

function onApply(st: PaxosCheckState, node: string, index: number, value: PaxosValue): PaxosViolation[] {
  const first = st.applied[index];
  if (first === undefined) {
    st.applied[index] = { node, value };
    return [];
  }
  if (valueKey(first.value) === valueKey(value)) return [];
  return report(st, `SMS\u0000${index}\u0000${node}`, {
    invariant: 'State Machine Safety',
    nodes: [first.node, node].sort(),
    detail: `${node} applied ${valueLabel(value)} at index ${index}, ${first.node} applied ${valueLabel(first.value)}`,
  });
}
