// Facts about a running cluster: what `expect` asserts and `run until` waits for. Each evaluation
// returns whether the fact holds and what was found, in words, so a failure can show its evidence:
// "Expected leader n3, found n1 (term 2)." Reads the World only (`linearizable`: the trace); never changes it.

import type { Fact, Protocol, Ref } from './ast';
import { RAFT_INVARIANTS, raftCheckCommitted, sameEntry } from '../engine/check/raft';
import { PAXOS_INVARIANTS, type PaxosCheckState, paxosChosen } from '../engine/check/paxos';
import { BULLY_INVARIANTS } from '../engine/check/bully';
import { ballotLabel, isNoop, valueKey, valueLabel } from '../engine/paxos/ballot';
import { type LockRecord, type Session, applyCommand, parseLease, watchedValue } from '../engine/kv/store';
import { formatMicros } from '../views/labels';
import { quorum } from '../engine/raft/node';
import { type NodeSlot, type World, nodeRole, nodeTerm } from '../engine/sim';
import type { Command, LogEntry, PaxosValue } from '../engine/trace';
import type { ExclusionBreach } from '../engine/check/exclusion';
import { type HistorySource, type LinearizableResult, type Operation, checkLinearizable, clientHistory } from '../engine/check/linearizable';

export interface FactResult {
  ok: boolean;
  /** What is actually the case, e.g. `n1 (term 2)` or `no committed write to x`. */
  found: string;
  /** More evidence, shown after the time: `roles: n1=leader n2=follower …`. */
  detail?: string;
}

/** Expands a zone name to its nodes (a node name to itself). */
export type Expand = (name: string) => string[];

/** The text of a fact as the user would write it: `leader in {n3 n4}`, `not n1 has x=2`. */
export function factText(f: Fact, negated = false): string {
  const set = (refs: readonly Ref[]): string => (refs.length === 1 ? refs[0]!.name : `{${refs.map((r) => r.name).join(' ')}}`);
  const kv = (key: string, value: string | null): string => (value === null ? key : `${key}=${value}`);
  let text: string;
  switch (f.kind) {
    case 'leader':
      text = `leader${f.node ? ` ${f.node.name}` : ''}${f.in ? ` in ${set(f.in)}` : ''}`;
      return negated ? `no ${text}` : text;
    case 'term':
      text = `${f.node ? `${f.node.name} ` : ''}term ${f.op} ${f.value}`;
      break;
    case 'committed':
      text = `committed ${kv(f.key, f.value)} on ${typeof f.on === 'object' ? f.on.name : f.on}`;
      break;
    case 'logs-equal':
      text = 'logs equal';
      break;
    case 'safe':
      text = 'safe';
      break;
    case 'violation':
      text = `violation${f.invariant ? ` ${f.invariant.name}` : ''}`;
      break;
    case 'role':
      text = `${f.node.name} is ${f.role}`;
      break;
    case 'commit-index':
      text = `${f.node.name} commit ${f.op} ${f.value}`;
      break;
    case 'log-length':
      text = `${f.node.name} log ${f.op} ${f.value}`;
      break;
    case 'has':
      text = `${f.node.name} has ${kv(f.key, f.value)}${f.state === 'any' ? '' : ` ${f.state}`}`;
      break;
    case 'client-got':
      text = `${f.client.name} got ${f.value}`;
      break;
    case 'client-failed':
      text = `${f.client.name} failed`;
      break;
    case 'took':
      text = `${f.client.name} took ${f.op} ${formatMicros(f.us)}`;
      break;
    case 'stable':
      text = 'stable';
      break;
    case 'decided':
      text = `decided${f.value === null ? '' : ` ${f.value}`}`;
      break;
    case 'linearizable':
      text = 'linearizable';
      break;
    case 'exclusive':
      text = 'exclusive';
      break;
    case 'token':
      text = `${f.client.name} token ${f.value}`;
      break;
    case 'rejected':
      text = `rejected ${f.client.name} ${f.op}`;
      break;
    case 'leads':
      text = `${f.client.name} leads ${f.lease}`;
      break;
    case 'saw':
      text = f.count === null ? `${f.client.name} saw ${f.key}=${f.value}` : `${f.client.name} saw ${f.count} keys under ${f.key}`;
      break;
  }
  return negated ? `not ${text}` : text;
}

/** Evaluates every fact but `stable` (which needs history) and the facts whose engine is missing. */
export function evaluateFact(w: World, f: Fact, expand: Expand): FactResult {
  switch (f.kind) {
    case 'leader': {
      const acting = actingLeaders(w);
      const newest = acting[0] ?? null;
      const detail = `roles: ${rolesText(w)}`;
      const others = acting.length > 1 ? ` (acting leaders: ${acting.map(leaderText).join(', ')})` : '';
      if (f.node !== null) {
        return { ok: newest?.name === f.node.name, found: `${newest ? leaderText(newest) : 'no leader'}${others}`, detail };
      }
      const members = f.in === null ? null : new Set(f.in.flatMap((r) => expand(r.name)));
      const inSet = acting.filter((n) => members === null || members.has(n.name));
      if (inSet.length > 0) return { ok: true, found: inSet.map(leaderText).join(', '), detail };
      return { ok: false, found: acting.length > 0 ? `no leader there; the leader is ${acting.map(leaderText).join(', ')}` : 'no leader', detail };
    }
    case 'term': {
      const term = f.node === null ? Math.max(0, ...w.nodes.map(nodeTerm)) : nodeTerm(slot(w, f.node.name));
      return { ok: compare(term, f.op, f.value), found: `term ${term}` };
    }
    case 'committed': {
      if (w.opts.protocol === 'multi-paxos') return chosenWriteFact(w, f.key, f.value, f.on);
      const c = committedWrite(w, f.key);
      if (c === null) return { ok: false, found: `no committed write to ${f.key}` };
      const shown = `${f.key}${c.value === undefined ? ' deleted' : `=${c.value}`} (index ${c.index})`;
      if (f.value !== null && c.value !== f.value) return { ok: false, found: shown };
      const holders = w.nodes.filter((x) => sameEntry(x.raft.log[c.index - 1], c.entry)).map((x) => x.name);
      const n = w.nodes.length;
      const ok = f.on === 'majority' ? holders.length >= quorum(n) : f.on === 'all' ? holders.length === n : holders.includes(f.on.name);
      return { ok, found: `${shown} stored on ${holders.length}/${n}: ${holders.join(' ') || 'none'}` };
    }
    case 'logs-equal': {
      if (w.opts.protocol === 'multi-paxos') {
        const text = w.nodes.map((n) => chosenLog(n).map(valueKey).join(','));
        const ok = text.every((t) => t === text[0]);
        const lengths = w.nodes.map((n) => `${n.name}=${chosenLog(n).length}`).join(' ');
        return { ok, found: `${ok ? 'equal logs' : 'different logs'}: chosen instances ${lengths}` };
      }
      const text = w.nodes.map((n) => n.raft.log.map((x) => `${x.term}:${JSON.stringify(x.cmd)}`).join(','));
      const ok = text.every((t) => t === text[0]);
      const lengths = w.nodes.map((n) => `${n.name}=${n.raft.log.length}`).join(' ');
      const lastTerms = w.nodes.map((n) => `${n.name}=t${n.raft.log[n.raft.log.length - 1]?.term ?? 0}`).join(' ');
      return { ok, found: `${ok ? 'equal logs' : 'different logs'}: lengths ${lengths}, last terms ${lastTerms}` };
    }
    case 'safe':
      return { ok: w.violations === 0, found: w.violations === 0 ? 'no violation' : `${w.violations} violation(s): ${Object.keys(w.violationsBy).sort().join(', ')}` };
    case 'violation': {
      const name = f.invariant === null ? null : findInvariant(f.invariant.name, w.opts.protocol)!;
      const count = name === null ? w.violations : (w.violationsBy[name] ?? 0);
      if (count === 0) return { ok: false, found: `no violation${name ? ` of ${name}` : ''}` };
      return { ok: true, found: `${count} violation(s) of ${name ?? Object.keys(w.violationsBy).sort().join(', ')}` };
    }
    case 'role': {
      const s = slot(w, f.node.name);
      const ok = f.role === 'down' || f.role === 'paused' ? s.status === f.role : s.status !== 'down' && nodeRole(s) === f.role;
      return { ok, found: `${f.node.name} is ${roleOf(s)}${termText(s, ' (', ')')}` };
    }
    case 'commit-index': {
      const x = slot(w, f.node.name);
      const n = x.proto?.kind === 'multi-paxos' ? x.proto.s.chosenThrough : x.raft.commitIndex;
      return { ok: compare(n, f.op, f.value), found: `commit index ${n}` };
    }
    case 'log-length': {
      const log = slot(w, f.node.name).raft.log;
      return { ok: compare(log.length, f.op, f.value), found: `${log.length} entries (terms ${log.map((e) => e.term).join(' ') || 'none'})` };
    }
    case 'has': {
      const s = slot(w, f.node.name);
      let at = 0;
      for (let i = s.raft.log.length; i >= 1; i--) {
        if (writes(s.raft.log[i - 1]!.cmd, f.key, f.value)) {
          at = i;
          break;
        }
      }
      const what = f.value === null ? `a write to ${f.key}` : `${f.key}=${f.value}`;
      if (at === 0) return { ok: false, found: `no ${f.value === null ? `write to ${f.key}` : what} in ${s.name}'s log (length ${s.raft.log.length})` };
      const committed = at <= s.raft.commitIndex;
      const ok = f.state === 'any' || (f.state === 'committed') === committed;
      const where = `term ${s.raft.log[at - 1]!.term}, ${committed ? 'committed' : 'uncommitted'} there: its commit index is ${s.raft.commitIndex}`;
      return { ok, found: `${what} at index ${at} of ${s.name}'s log (${where})` };
    }
    case 'client-got': {
      const c = w.clients.find((x) => x.name === f.client.name);
      const last = c?.last ?? null;
      if (last === null) return { ok: false, found: c?.op ? 'a command still waiting for its answer' : 'no finished command' };
      return { ok: last.ok && last.result === f.value, found: last.ok ? `${f.client.name} got ${last.result}` : `a failure: ${last.result}` };
    }
    case 'client-failed': {
      const c = w.clients.find((x) => x.name === f.client.name);
      const last = c?.last ?? null;
      if (last === null) return { ok: false, found: c?.op ? 'a command still waiting for its answer' : 'no finished command' };
      return { ok: !last.ok, found: last.ok ? `success: ${last.result}` : `a failure: ${last.result}` };
    }
    case 'took': {
      const c = w.clients.find((x) => x.name === f.client.name);
      const last = c?.last ?? null;
      if (last === null) return { ok: false, found: c?.op ? 'a command still waiting for its answer' : 'no finished command' };
      return { ok: compare(last.us, f.op, f.us), found: `${f.client.name} took ${formatMicros(last.us)} (${last.ok ? last.result : `a failure: ${last.result}`})` };
    }
    case 'decided':
      return decidedFact(w, f.value);
    case 'token': {
      const c = w.clients.find((x) => x.name === f.client.name);
      const token = c?.token ?? null;
      if (token === null) return { ok: false, found: c?.op?.cmd.op === 'lock' ? 'a lock request still waiting' : 'no lock granted to it' };
      const held = [...(c?.locks ?? [])].filter(([, l]) => l.token === token).map(([name]) => name);
      return { ok: token === f.value, found: `token ${token}`, detail: held.length > 0 ? undefined : 'it no longer believes it holds that lock' };
    }
    case 'rejected': {
      const c = w.clients.find((x) => x.name === f.client.name);
      const last = c?.lastWrite ?? null;
      if (last === null) return { ok: false, found: c?.op?.cmd.op === 'write' ? 'a write still waiting for its answer' : 'no answered write' };
      return { ok: !last.ok && last.result.startsWith('rejected'), found: last.ok ? `the write accepted: ${last.result}` : last.result };
    }
    case 'leads': {
      const e = w.clients.find((x) => x.name === f.client.name)?.elector ?? null;
      if (e === null || e.lease !== f.lease) return { ok: false, found: `${f.client.name} runs no election for ${f.lease}` };
      const holder = e.observed === null ? null : (parseLease(e.observed)?.holder ?? null);
      const seen = holder === null ? 'no holder yet' : `${holder} holds it, as ${f.client.name} last saw`;
      return { ok: e.leading, found: `${f.client.name} ${e.leading ? 'leads' : 'does not lead'} ${f.lease} (${seen})` };
    }
    case 'saw': {
      const watch = w.clients.find((x) => x.name === f.client.name)?.watch ?? null;
      if (watch === null) return { ok: false, found: `${f.client.name} watches nothing` };
      const where = watch.created ? `its watch on ${watch.node}` : `its watch, being opened again on ${watch.node},`;
      const keys = watch.view.filter(([, v]) => v !== null).length;
      if (f.count !== null) {
        const under = watch.view.filter(([k, v]) => v !== null && k.startsWith(f.key)).map(([k]) => k);
        return { ok: under.length >= f.count, found: `${under.length} key${under.length === 1 ? '' : 's'} under ${f.key}${under.length === 0 ? '' : ` (${under.join(', ')})`}`, detail: `${where} shows ${keys} key${keys === 1 ? '' : 's'} under ${watch.prefix}` };
      }
      const value = watchedValue(watch.view, f.key) ?? '(none)';
      return { ok: value === f.value, found: `${f.key}=${value}`, detail: `${where} shows ${keys} key${keys === 1 ? '' : 's'} under ${watch.prefix}` };
    }
    case 'stable':
    case 'linearizable':
    case 'exclusive':
      throw new Error(`facts: ${f.kind} is not evaluated here`);
  }
}

/** Operations shown as evidence of a history that is not linearizable (the latest; the count says how many more). */
const EVIDENCE_SHOWN = 6;

/**
 * `linearizable`: whether the clients' history in `trace` (the scenario's, from its cluster on) has an
 * order that respects real time and every answer. `undecided` is set when the search gave up: then
 * neither the fact nor its negation holds.
 */
export function linearizableFact(trace: HistorySource, fmt: (us: number) => string): FactResult & { undecided?: true } {
  return linearizableFound(checkLinearizable(clientHistory(trace)), fmt);
}

/** A linearizability check's result in words: the history's size, or the evidence, or why it is undecided. */
export function linearizableFound(r: LinearizableResult, fmt: (us: number) => string): FactResult & { undecided?: true } {
  const n = (k: number, what: string): string => `${k} ${what}${k === 1 ? '' : 's'}`;
  if (r.ok === true) return { ok: true, found: `linearizable: ${n(r.operations, 'operation')} on ${n(r.keys, 'key')}` };
  if (r.ok === 'undecided') {
    return { ok: false, undecided: true, found: `undecided: the search for an order of the operations on ${r.key} took more than ${r.steps.toLocaleString('en-US')} steps` };
  }
  const shown = r.evidence.slice(-EVIDENCE_SHOWN).map((op) => operationText(op, fmt));
  const more = r.evidence.length - shown.length;
  const list = `${more > 0 ? `(${more} earlier, then) ` : ''}${shown.join('; ')}`;
  const why = 'respects both real time and their answers';
  return {
    ok: false,
    found:
      r.evidence.length === r.operations
        ? `not linearizable: no order of the ${n(r.operations, 'operation')} on ${r.key} ${why}: ${list}`
        : `not linearizable: no order of the ${n(r.operations, 'operation')} on ${r.key} ${why}, and these ${r.evidence.length} alone have none: ${list}`,
  };
}

/** `B get x (asked at 3s, answered at 3.01s: 1)`. */
function operationText(op: Operation, fmt: (us: number) => string): string {
  const c = op.cmd;
  const what = c.op === 'put' ? `put ${c.key}=${c.value}` : c.op === 'cas' ? `cas ${c.key} ${c.expect ?? '(none)'} -> ${c.value}` : `${c.op} ${c.key}`;
  const answer = op.result === null ? 'no answer' : `answered at ${fmt(op.retUs)}: ${op.result}`;
  return `${op.client} ${what} (asked at ${fmt(op.callUs)}, ${answer})`;
}

/** Live nodes that act as leader, newest term (ballot) first; bully: highest rank first. */
export function actingLeaders(w: World): NodeSlot[] {
  const rank = (n: NodeSlot): number => (w.opts.protocol === 'bully' ? w.index.get(n.name)! : 0);
  return w.nodes
    .filter((n) => n.status !== 'down' && nodeRole(n) === 'leader')
    .sort((a, b) => nodeTerm(b) - nodeTerm(a) || rank(b) - rank(a) || (a.name < b.name ? -1 : 1));
}

/** The longest election timeout of the world's protocol (Paxos: the longest retry interval). */
export function electionTimeoutMaxUs(w: World): number {
  const o = w.opts;
  switch (o.protocol) {
    case 'raft':
      return o.raft.electionTimeoutUsMax;
    case 'multi-paxos':
      return o.multiPaxos.electionTimeoutUsMax;
    case 'bully':
      return o.bully.electionTimeoutUsMax;
    case 'paxos':
      return o.paxos.retryUsMax;
  }
}

/** ` (term 3)` for Raft, ` (ballot #3.2)` for Multi-Paxos, nothing for bully and Paxos. */
function termText(n: NodeSlot, open: string, close: string): string {
  const p = n.proto;
  if (p === null) return `${open}term ${n.raft.term}${close}`;
  if (p.kind === 'multi-paxos' && n.status !== 'down') return `${open}ballot ${ballotLabel(p.s.role === 'follower' ? p.s.promised : p.s.ballot)}${close}`;
  return '';
}

/** `n1=leader n2=follower n3=down`. */
export function rolesText(w: World): string {
  return w.nodes.map((n) => `${n.name}=${roleOf(n)}`).join(' ');
}

function leaderText(n: NodeSlot): string {
  return `${n.name}${termText(n, ' (', ')')}`;
}

function roleOf(n: NodeSlot): string {
  if (n.status === 'down') return 'down';
  return n.status === 'paused' ? `${nodeRole(n)} (paused)` : nodeRole(n);
}

function slot(w: World, name: string): NodeSlot {
  return w.nodes[w.index.get(name)!]!;
}

function writes(cmd: Command, key: string, value: string | null): boolean {
  if (cmd.op === 'noop' || cmd.op === 'get' || cmd.key !== key) return false;
  if (value === null) return true;
  return (cmd.op === 'put' || cmd.op === 'cas' || cmd.op === 'ephemeral') && cmd.value === value;
}

function compare(a: number, op: string, b: number): boolean {
  switch (op) {
    case '=':
      return a === b;
    case '>=':
      return a >= b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a < b;
  }
}

const invariantSlug = (name: string): string => name.toLowerCase().replace(/ /g, '-');
export const INVARIANT_SLUGS: readonly string[] = RAFT_INVARIANTS.map(invariantSlug);

/** The invariants the checker of `protocol` watches. */
export function invariantsOf(protocol: Protocol): readonly string[] {
  return protocol === 'raft' ? RAFT_INVARIANTS : protocol === 'bully' ? BULLY_INVARIANTS : PAXOS_INVARIANTS;
}

export function invariantSlugs(protocol: Protocol): string[] {
  return invariantsOf(protocol).map(invariantSlug);
}

export function findInvariant(name: string, protocol: Protocol = 'raft'): string | undefined {
  return invariantsOf(protocol).find((i) => invariantSlug(i) === name.toLowerCase() || i.toLowerCase() === name.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------
// Paxos and Multi-Paxos

function paxosCheck(w: World): PaxosCheckState {
  const c = w.protoCheck;
  if (c === null || c.kind !== 'paxos') throw new Error('facts: not a Paxos world');
  return c.st;
}

/** A value as the user writes it: `X`, or a command's label (`put x=1`). */
function sameValue(v: PaxosValue, written: string): boolean {
  return typeof v === 'string' ? v === written : valueLabel(v) === written;
}

/**
 * Paxos: some node learned a decision, and (with VALUE) the value the acceptors chose is VALUE and no
 * node learned another. Multi-Paxos: some instance chose a value (VALUE).
 */
function decidedFact(w: World, value: string | null): FactResult {
  const check = paxosCheck(w);
  if (w.opts.protocol === 'multi-paxos') {
    const chosen = Object.keys(check.chosen)
      .map(Number)
      .sort((a, b) => a - b)
      .map((i) => ({ i, v: check.chosen[i]!.value }));
    const shown = chosen.filter((c) => !isNoop(c.v)).map((c) => `i${c.i}=${valueLabel(c.v)}`);
    const found = chosen.length === 0 ? 'nothing chosen yet' : `chosen ${shown.join(' ') || 'no-ops only'}`;
    const ok = value === null ? chosen.length > 0 : chosen.some((c) => sameValue(c.v, value));
    return { ok, found };
  }
  const learners = w.nodes.flatMap((n) => (n.proto?.kind === 'paxos' && n.proto.s.learned !== null ? [{ node: n.name, v: n.proto.s.learned.value }] : []));
  const chosen = paxosChosen(check, 0);
  const c = check.chosen[0];
  const chosenText = chosen === null || c === undefined ? 'no value chosen' : `${valueLabel(chosen)} chosen (${ballotLabel(c.ballot)}, accepted by ${c.by.join(' ')})`;
  const learnedText = learners.length === 0 ? 'no node learned a decision' : `learned by ${learners.map((l) => (chosen !== null && valueKey(l.v) === valueKey(chosen) ? l.node : `${l.node} (${valueLabel(l.v)})`)).join(' ')}`;
  const found = `${chosenText}; ${learnedText}`;
  if (value === null) return { ok: learners.length > 0, found };
  const ok = learners.length > 0 && chosen !== null && sameValue(chosen, value) && learners.every((l) => sameValue(l.v, value));
  return { ok, found };
}

/** A Multi-Paxos node's chosen values, instance 1 up to its gap-free prefix. */
function chosenLog(n: NodeSlot): PaxosValue[] {
  if (n.proto?.kind !== 'multi-paxos') return [];
  const s = n.proto.s;
  const out: PaxosValue[] = [];
  for (let i = 1; i <= s.chosenThrough; i++) out.push(s.chosen[i]!.value);
  return out;
}

/**
 * Multi-Paxos `committed KEY[=VALUE] on …`: replay what the acceptors chose (instance by instance, up to
 * the first gap) and find the last write to KEY; it is stored on the nodes that accepted or learned it.
 */
function chosenWriteFact(w: World, key: string, value: string | null, on: 'majority' | 'all' | Ref): FactResult {
  const check = paxosCheck(w);
  const kv = new Map<string, string>();
  const sessions = new Map<string, Session>();
  let last: { index: number; v: PaxosValue; value: string | undefined } | null = null;
  for (let i = 1; check.chosen[i] !== undefined; i++) {
    const v = check.chosen[i]!.value;
    if (typeof v === 'string') continue;
    applyCommand(kv, sessions, v);
    if (v.op !== 'noop' && v.op !== 'get' && v.key === key) last = { index: i, v, value: kv.get(key) };
  }
  if (last === null) return { ok: false, found: `no chosen write to ${key}` };
  const c = last;
  const shown = `${key}${c.value === undefined ? ' deleted' : `=${c.value}`} (instance ${c.index})`;
  if (value !== null && c.value !== value) return { ok: false, found: shown };
  // Stored: the node's acceptor accepted it there, or its learner learned it.
  const same = (acc: { value: PaxosValue } | undefined): boolean => acc !== undefined && valueKey(acc.value) === valueKey(c.v);
  const holders = w.nodes.filter((x) => x.proto?.kind === 'multi-paxos' && (same(x.proto.s.accepted[c.index]) || same(x.proto.s.chosen[c.index]))).map((x) => x.name);
  const n = w.nodes.length;
  const ok = on === 'majority' ? holders.length >= quorum(n) : on === 'all' ? holders.length === n : holders.includes(on.name);
  return { ok, found: `${shown} stored on ${holders.length}/${n}: ${holders.join(' ') || 'none'}` };
}

/**
 * The last committed write to `key`, replaying the committed prefix as the checker saw it (the first
 * node to commit each index fixes it; State Machine Safety says every node agrees). This survives
 * crashes, which reset the nodes' own commit indexes.
 */
function committedWrite(w: World, key: string): { index: number; entry: LogEntry; value: string | undefined } | null {
  const kv = new Map<string, string>();
  const sessions = new Map<string, Session>();
  const leases = new Map<string, LockRecord>();
  let last: { index: number; entry: LogEntry; value: string | undefined } | null = null;
  raftCheckCommitted(w.check).forEach((entry, i) => {
    applyCommand(kv, sessions, entry.cmd, i + 1, leases);
    if (entry.cmd.op !== 'noop' && entry.cmd.op !== 'get' && entry.cmd.key === key) last = { index: i + 1, entry, value: kv.get(key) };
  });
  return last;
}

/** A breach of mutual exclusion at a resource, in words. */
export function exclusionText(b: ExclusionBreach, fmt: (us: number) => string): string {
  return (
    `${b.resource} took ${b.older.client}'s write under ${b.lock} #${b.older.token} at ${fmt(b.older.t)}, after ${b.newer.client}'s under #${b.newer.token} at ${fmt(b.newer.t)}: ` +
    `two clients acted as the holder of ${b.lock}, and the older grant's write landed last`
  );
}
