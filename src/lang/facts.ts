// Facts about a running cluster: what `expect` asserts and `run until` waits for. Each evaluation
// returns whether the fact holds and what was found, in words, so a failure can show its evidence:
// "Expected leader n3, found n1 (term 2)." Reads the World only; never changes it.

import type { Fact, Ref } from './ast';
import { RAFT_INVARIANTS, sameEntry } from '../engine/check/raft';
import { applyCommand, quorum } from '../engine/raft/node';
import type { NodeSlot, World } from '../engine/sim';
import type { Command, LogEntry } from '../engine/trace';

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
    case 'stable':
      text = 'stable';
      break;
    case 'decided':
      text = `decided${f.value === null ? '' : ` ${f.value}`}`;
      break;
    case 'linearizable':
      text = 'linearizable';
      break;
    case 'token':
      text = `${f.client.name} token ${f.value}`;
      break;
    case 'rejected':
      text = `rejected ${f.client.name} ${f.op}`;
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
      const term = f.node === null ? Math.max(0, ...w.nodes.map((n) => n.raft.term)) : slot(w, f.node.name).raft.term;
      return { ok: compare(term, f.op, f.value), found: `term ${term}` };
    }
    case 'committed': {
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
      const text = w.nodes.map((n) => n.raft.log.map((x) => `${x.term}:${JSON.stringify(x.cmd)}`).join(','));
      const ok = text.every((t) => t === text[0]);
      const lengths = w.nodes.map((n) => `${n.name}=${n.raft.log.length}`).join(' ');
      const lastTerms = w.nodes.map((n) => `${n.name}=t${n.raft.log[n.raft.log.length - 1]?.term ?? 0}`).join(' ');
      return { ok, found: `${ok ? 'equal logs' : 'different logs'}: lengths ${lengths}, last terms ${lastTerms}` };
    }
    case 'safe':
      return { ok: w.violations === 0, found: w.violations === 0 ? 'no violation' : `${w.violations} violation(s): ${Object.keys(w.violationsBy).sort().join(', ')}` };
    case 'violation': {
      const name = f.invariant === null ? null : findInvariant(f.invariant.name)!;
      const count = name === null ? w.violations : (w.violationsBy[name] ?? 0);
      if (count === 0) return { ok: false, found: `no violation${name ? ` of ${name}` : ''}` };
      return { ok: true, found: `${count} violation(s) of ${name ?? Object.keys(w.violationsBy).sort().join(', ')}` };
    }
    case 'role': {
      const s = slot(w, f.node.name);
      const ok = f.role === 'down' || f.role === 'paused' ? s.status === f.role : s.status !== 'down' && s.raft.role === f.role;
      return { ok, found: `${f.node.name} is ${roleOf(s)} (term ${s.raft.term})` };
    }
    case 'commit-index': {
      const n = slot(w, f.node.name).raft.commitIndex;
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
      if (at === 0) return { ok: false, found: `no ${what} in ${s.name}'s log (length ${s.raft.log.length})` };
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
    case 'stable':
    case 'decided':
    case 'linearizable':
    case 'token':
    case 'rejected':
      throw new Error(`facts: ${f.kind} is not evaluated here`);
  }
}

/** Live nodes that act as leader, newest term first. */
export function actingLeaders(w: World): NodeSlot[] {
  return w.nodes.filter((n) => n.status !== 'down' && n.raft.role === 'leader').sort((a, b) => b.raft.term - a.raft.term || (a.name < b.name ? -1 : 1));
}

/** `n1=leader n2=follower n3=down`. */
export function rolesText(w: World): string {
  return w.nodes.map((n) => `${n.name}=${roleOf(n)}`).join(' ');
}

function leaderText(n: NodeSlot): string {
  return `${n.name} (term ${n.raft.term})`;
}

function roleOf(n: NodeSlot): string {
  if (n.status === 'down') return 'down';
  return n.status === 'paused' ? `${n.raft.role} (paused)` : n.raft.role;
}

function slot(w: World, name: string): NodeSlot {
  return w.nodes[w.index[name]!]!;
}

function writes(cmd: Command, key: string, value: string | null): boolean {
  if (cmd.op === 'noop' || cmd.op === 'get' || cmd.key !== key) return false;
  if (value === null) return true;
  return (cmd.op === 'put' || cmd.op === 'cas') && cmd.value === value;
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

export function findInvariant(name: string): string | undefined {
  return RAFT_INVARIANTS.find((i) => invariantSlug(i) === name.toLowerCase() || i.toLowerCase() === name.toLowerCase());
}

/**
 * The last committed write to `key`, replaying the committed prefix as the checker saw it (the first
 * node to commit each index fixes it; State Machine Safety says every node agrees). This survives
 * crashes, which reset the nodes' own commit indexes.
 */
function committedWrite(w: World, key: string): { index: number; entry: LogEntry; value: string | undefined } | null {
  const kv: Record<string, string> = {};
  const sessions: Record<string, { seq: number; result: string }> = {};
  let last: { index: number; entry: LogEntry; value: string | undefined } | null = null;
  w.check.committed.forEach((entry, i) => {
    applyCommand(kv, sessions, entry.cmd);
    if (entry.cmd.op !== 'noop' && entry.cmd.op !== 'get' && entry.cmd.key === key) last = { index: i + 1, entry, value: kv[key] };
  });
  return last;
}
