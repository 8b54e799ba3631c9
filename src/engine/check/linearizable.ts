// Linearizability of the clients' history (Herlihy & Wing, "Linearizability: A Correctness Condition
// for Concurrent Objects", 1990): is there one order of all operations that respects real time (an
// operation answered before another was asked comes first) and in which every answer is what the
// key-value store would have given? Unlike the invariants of check/raft.ts, which look inside the
// nodes, this judges the system only by what its clients saw: the test Jepsen and Porcupine apply.
//
// The history comes from the trace (`client-request` is an operation's invocation, its successful
// `client-response` the completion). An operation never answered (given up, superseded, or still
// running) may have taken effect or not: it may be placed anywhere after its invocation, or nowhere.
//
// The search is Wing & Gong's, with Lowe's memoization of (operations placed, state) as Porcupine
// does it ("Testing for Linearizability", Lowe 2017). Keys are independent registers, so each key is
// checked alone (linearizability is local: Herlihy & Wing §3.3), which keeps every search small. A
// search that exceeds its step budget says so ("undecided") rather than run on: deciding is
// NP-complete, and many clients writing one key at once can defeat any search.

import type { Command, TraceEvent, TraceView } from '../trace';

/**
 * What the history is read from: any trace (an array of events), or a trace log (`TraceLog`), which
 * gives an event's kind without making the event.
 */
export type HistorySource = TraceView | (TraceView & { kindAt(index: number): TraceEvent['k'] });

/** A client command of the store (Raft's no-op entries are not clients' operations). */
export type StoreCommand = Extract<Command, { op: 'put' | 'get' | 'cas' | 'delete' }>;

/** The key-value store's commands: what a history holds (locks and fenced writes are not registers). */
export function isStoreCommand(cmd: Command): cmd is StoreCommand {
  return cmd.op === 'put' || cmd.op === 'get' || cmd.op === 'cas' || cmd.op === 'delete';
}

export interface Operation {
  client: string;
  cmd: StoreCommand;
  /** Trace positions of the request and of the answer (Infinity: never answered). Trace order is real-time order. */
  call: number;
  ret: number;
  /** Virtual times of the request and the answer (-1: never answered). */
  callUs: number;
  retUs: number;
  /** The answer, or null when none came (the operation may or may not have taken effect). */
  result: string | null;
}

export type LinearizableResult =
  | { ok: true; operations: number; keys: number }
  /**
   * No order exists. `evidence`: operations on `key` that admit no order by themselves, in invocation
   * order: either one answer naming a value no operation wrote, or the key's operations less the
   * unanswered writes whose effect no answer could show, and less every read-only operation not needed
   * (as far as a step budget of its own allows: a long history's evidence may keep some).
   */
  | { ok: false; key: string; evidence: Operation[]; operations: number }
  /** The search for `key` took more than the step budget: neither verdict is known. */
  | { ok: 'undecided'; key: string; steps: number };

/** The clients' operations in `trace`, in invocation order (its first event must be the cluster's first). */
export function clientHistory(trace: HistorySource): Operation[] {
  const out: Operation[] = [];
  const open = new Map<string, Operation>();
  const kindAt = 'kindAt' in trace ? (i: number) => trace.kindAt(i) : (i: number) => trace.at(i)!.k;
  // Once an ephemeral key was asked for, lease expiries are deletes to look for among the applies.
  let leases = false;
  const expired = new Set<string>();
  const ephemeral = new Set<Operation>();
  for (let i = 0; i < trace.length; i++) {
    const k = kindAt(i);
    if (k !== 'client-request' && k !== 'client-response' && !(leases && k === 'apply')) continue;
    const ev = trace.at(i)!;
    if (ev.k === 'client-request') {
      const cmd = ev.cmd.op === 'ephemeral' ? ephemeralWrite(ev.cmd) : ev.cmd;
      if (!isStoreCommand(cmd)) continue;
      const op: Operation = { client: ev.client, cmd, call: i, ret: Infinity, callUs: ev.t, retUs: -1, result: null };
      if (ev.cmd.op === 'ephemeral') {
        leases = true;
        ephemeral.add(op);
      }
      out.push(op);
      open.set(ev.client, op);
    } else if (ev.k === 'client-response') {
      const op = open.get(ev.client);
      if (op === undefined || op.cmd.seq !== ev.seq) continue;
      open.delete(ev.client);
      // A failure is the client giving up: the command may still be applied later.
      if (!ev.ok) continue;
      op.ret = i;
      op.retUs = ev.t;
      op.result = ev.result;
      if (leases && ephemeral.has(op)) {
        // The lease's number is the put's answer; a create of a key that exists failed as a cas does; a
        // put refused (the name is a lock's) wrote nothing.
        if (ev.result.startsWith('lease ')) op.result = 'OK';
        else if (op.cmd.op !== 'cas' || !ev.result.startsWith(`failed: ${op.cmd.key}=`)) out.splice(out.lastIndexOf(op), 1);
      }
    } else if (ev.k === 'apply' && ev.entry.cmd.op === 'expire' && ev.result === 'expired; key deleted') {
      // A lease's expiry deletes its key when the entry commits, which the leader's apply (the first) marks.
      const id = `${ev.entry.cmd.key}#${ev.entry.cmd.token}`;
      if (expired.has(id)) continue;
      expired.add(id);
      const cmd: StoreCommand = { op: 'delete', key: ev.entry.cmd.key, client: LESSOR, seq: 0 };
      out.push({ client: LESSOR, cmd, call: i, ret: i, callUs: ev.t, retUs: ev.t, result: 'deleted' });
    }
  }
  return out;
}

/** Who deletes an ephemeral key whose lease ran out, in a history: the leader's lessor, not a client. */
export const LESSOR = 'the lessor';

/** An ephemeral put, as the register sees it: a write of its key (a create: a cas from no value). */
function ephemeralWrite(cmd: Extract<Command, { op: 'ephemeral' }>): StoreCommand {
  if (cmd.ifAbsent === true) return { op: 'cas', key: cmd.key, expect: null, value: cmd.value, client: cmd.client, seq: cmd.seq };
  return { op: 'put', key: cmd.key, value: cmd.value, client: cmd.client, seq: cmd.seq };
}

/** The register's answer to `cmd` in state `value` (null: no such key), and the state after it, as `applyCommand` computes them. */
export function registerStep(value: string | null, cmd: StoreCommand): { result: string; next: string | null } {
  switch (cmd.op) {
    case 'put':
      return { result: 'OK', next: cmd.value };
    case 'delete':
      return { result: value !== null ? 'deleted' : 'not found', next: null };
    case 'cas':
      return value === cmd.expect ? { result: 'OK', next: cmd.value } : { result: `failed: ${cmd.key}=${value ?? '(none)'}`, next: value };
    case 'get':
      return { result: value ?? '(none)', next: value };
  }
}

/** Whether an operation cannot change the store, as its answer shows (a read, a failed cas, a delete of nothing). */
function readOnly(op: Operation): boolean {
  if (op.result === null) return op.cmd.op === 'get';
  return op.cmd.op === 'get' || (op.cmd.op === 'cas' && op.result !== 'OK') || (op.cmd.op === 'delete' && op.result === 'not found');
}

/**
 * Steps the search of one key may take before it says "undecided" (about a second here). Deciding linearizability
 * is NP-complete (Gibbons & Korach 1997): a notebook's few clients, or 50 clients spread over 10 keys,
 * take milliseconds, but tens of clients writing one key at once can exhaust any budget.
 */
export const DEFAULT_STEP_BUDGET = 2_000_000;

/**
 * Checks the history key by key, each key with a budget of `stepBudget` steps. Answers that name a value
 * nobody wrote are looked for on every key first (no search needed). A key with no valid order is
 * reported (the first, by first invocation); failing that, a key whose search ran out of steps.
 */
export function checkLinearizable(history: readonly Operation[], stepBudget = DEFAULT_STEP_BUDGET): LinearizableResult {
  const byKey = new Map<string, Operation[]>();
  for (const op of history) {
    // An unanswered read constrains nothing.
    if (op.result === null && op.cmd.op === 'get') continue;
    let ops = byKey.get(op.cmd.key);
    if (ops === undefined) byKey.set(op.cmd.key, (ops = []));
    ops.push(op);
  }
  for (const [key, all] of byKey) {
    const impossible = unwrittenAnswer(all);
    if (impossible !== null) return { ok: false, key, evidence: [impossible], operations: all.length };
  }
  let undecided: string | null = null;
  for (const [key, all] of byKey) {
    const ops = withoutUnseenWrites(all);
    const r = searchKey(ops, stepBudget);
    if (r === 'undecided') undecided ??= key;
    // The evidence gets a budget of its own: a verdict is never lost to it, only some shrinking.
    else if (!r.ok) return { ok: false, key, evidence: shrink(ops, stepBudget), operations: all.length };
  }
  if (undecided !== null) return { ok: 'undecided', key: undecided, steps: stepBudget };
  return { ok: true, operations: history.length, keys: byKey.size };
}

/**
 * An answer that names a value no operation on the key ever wrote (a read of it, or a cas that found
 * it): no order explains that answer, whatever the rest does, so it is the whole evidence. Found
 * before any search, which such an answer can make exponential.
 */
function unwrittenAnswer(ops: readonly Operation[]): Operation | null {
  const written = new Set<string>();
  for (const op of ops) if (op.cmd.op === 'put' || op.cmd.op === 'cas') written.add(op.cmd.value);
  for (const op of ops) {
    if (op.result === null) continue;
    const c = op.cmd;
    const v = c.op === 'get' ? op.result : c.op === 'cas' && op.result !== 'OK' ? op.result.slice(`failed: ${c.key}=`.length) : null;
    if (v !== null && v !== '(none)' && !written.has(v)) return op;
  }
  return null;
}

/**
 * Leaves out the unanswered puts whose effect no answer could show: one that took effect would only
 * have set a value that no read returned, no cas expected or reported, and (when no delete answered
 * "deleted") whose presence nothing saw either, so "it never took effect" explains as much. Each
 * unanswered write kept doubles what a search must rule out; clients that give up on writes of fresh
 * values are common (a write to a node cut off from the majority).
 */
function withoutUnseenWrites(ops: Operation[]): Operation[] {
  if (!ops.some((op) => op.result === null && op.cmd.op === 'put')) return ops;
  if (ops.some((op) => op.cmd.op === 'delete' && op.result === 'deleted')) return ops;
  // A create (a cas that expects no value) sees absence, which an unseen write may explain away too.
  if (ops.some((op) => op.cmd.op === 'cas' && op.cmd.expect === null)) return ops;
  const seen = new Set<string>();
  for (const op of ops) {
    const c = op.cmd;
    if (c.op === 'get' && op.result !== null) seen.add(op.result);
    if (c.op === 'cas') {
      if (c.expect !== null) seen.add(c.expect);
      // "failed: KEY=VALUE" shows the value the register held.
      if (op.result !== null && op.result !== 'OK') seen.add(op.result.slice(`failed: ${c.key}=`.length));
    }
  }
  return ops.filter((op) => !(op.result === null && op.cmd.op === 'put' && !seen.has(op.cmd.value)));
}

/**
 * Leaves out, one at a time, every read-only operation whose absence still admits no order. Leaving a
 * read out of a linearizable history keeps it linearizable, so what remains is still a true witness.
 */
function shrink(ops: Operation[], budget: number): Operation[] {
  let kept = ops;
  for (let i = kept.length - 1; i >= 0; i--) {
    if (!readOnly(kept[i]!)) continue;
    const without = kept.filter((_, j) => j !== i);
    const r = searchKey(without, budget);
    if (r === 'undecided') break;
    budget -= r.steps;
    if (!r.ok) kept = without;
  }
  return kept;
}

interface Entry {
  /** The operation's position in the key's list. */
  op: number;
  call: boolean;
  /** The other end of the operation: a call's return, a return's call. */
  match: Entry | null;
  prev: Entry | null;
  next: Entry | null;
}

/** Wing & Gong's search with memoization over one key's operations (in invocation order). */
function searchKey(ops: readonly Operation[], budget: number): { ok: boolean; steps: number } | 'undecided' {
  // The entries in real-time order: calls and returns by trace position; the unanswered last, by call.
  const ends: { at: number; tie: number; e: Entry }[] = [];
  ops.forEach((op, i) => {
    const call: Entry = { op: i, call: true, match: null, prev: null, next: null };
    const ret: Entry = { op: i, call: false, match: call, prev: null, next: null };
    call.match = ret;
    ends.push({ at: op.call, tie: i, e: call }, { at: op.ret, tie: i, e: ret });
  });
  ends.sort((a, b) => a.at - b.at || a.tie - b.tie || (a.e.call ? -1 : 1));
  const head: Entry = { op: -1, call: false, match: null, prev: null, next: null };
  let last = head;
  for (const { e } of ends) {
    last.next = e;
    e.prev = last;
    last = e;
  }
  // Take an operation (its call and its return) out of the list; put it back exactly where it was.
  const lift = (c: Entry): void => {
    c.prev!.next = c.next;
    if (c.next) c.next.prev = c.prev;
    const r = c.match!;
    r.prev!.next = r.next;
    if (r.next) r.next.prev = r.prev;
  };
  const unlift = (c: Entry): void => {
    const r = c.match!;
    r.prev!.next = r;
    if (r.next) r.next.prev = r;
    c.prev!.next = c;
    if (c.next) c.next.prev = c;
  };

  const placed = new Placed(ops);
  const seen = new Set<string>();
  const stack: { e: Entry; state: string | null }[] = [];
  let state: string | null = null;
  let steps = 0;
  let e = head.next;
  while (head.next !== null) {
    if (++steps > budget) return 'undecided';
    if (e!.call) {
      const op = ops[e!.op]!;
      const s = registerStep(state, op.cmd);
      if (op.result === null || op.result === s.result) {
        placed.add(e!.op);
        const key = placed.key();
        steps += key.length >> 3; // building the key is work too: long keys count
        const memo = `${key}|${s.next === null ? '' : `=${s.next}`}`;
        if (!seen.has(memo)) {
          seen.add(memo);
          stack.push({ e: e!, state });
          state = s.next;
          lift(e!);
          e = head.next;
          continue;
        }
        placed.remove(e!.op);
      }
      e = e!.next;
    } else {
      // A return reached with its operation not placed: undo the last choice and try the next one.
      const top = stack.pop();
      if (top === undefined) return { ok: false, steps };
      state = top.state;
      placed.remove(top.e.op);
      unlift(top.e);
      e = top.e.next;
    }
  }
  return { ok: true, steps };
}

/**
 * The operations placed so far, with a short memo key. The answered operations, in invocation order,
 * are placed almost in that order (one can only come after those answered before it was asked), so the
 * key is how many lead that order all placed, then the few placed beyond them; the unanswered ones,
 * which may be placed anywhere, are listed apart. A bitset of every operation would make the memo grow
 * with the square of a long history's length.
 */
class Placed {
  /** An operation's rank among the answered ones (-1: unanswered). */
  private readonly rank: Int32Array;
  /** The answered operations by rank; the unanswered ones. */
  private readonly answered: number[] = [];
  private readonly unanswered: number[] = [];
  private readonly on: Uint8Array;
  /** Ranks below `base` are all placed; `beyond` answered operations are placed at or above it. */
  private base = 0;
  private beyond = 0;
  private unansweredOn = 0;

  constructor(ops: readonly Operation[]) {
    this.rank = new Int32Array(ops.length);
    this.on = new Uint8Array(ops.length);
    ops.forEach((op, i) => {
      if (op.result === null) {
        this.rank[i] = -1;
        this.unanswered.push(i);
      } else {
        this.rank[i] = this.answered.length;
        this.answered.push(i);
      }
    });
  }

  add(op: number): void {
    this.on[op] = 1;
    const r = this.rank[op]!;
    if (r < 0) this.unansweredOn++;
    else if (r !== this.base) this.beyond++;
    else {
      this.base++;
      while (this.base < this.answered.length && this.on[this.answered[this.base]!] === 1) {
        this.base++;
        this.beyond--;
      }
    }
  }

  remove(op: number): void {
    this.on[op] = 0;
    const r = this.rank[op]!;
    if (r < 0) this.unansweredOn--;
    else if (r >= this.base) this.beyond--;
    else {
      this.beyond += this.base - r - 1;
      this.base = r;
    }
  }

  key(): string {
    let k = String(this.base);
    for (let r = this.base, found = 0; found < this.beyond; r++) {
      if (this.on[this.answered[r]!] === 1) {
        k += `,${r}`;
        found++;
      }
    }
    if (this.unansweredOn > 0) {
      k += ';';
      for (const op of this.unanswered) if (this.on[op] === 1) k += `,${op}`;
    }
    return k;
  }
}
