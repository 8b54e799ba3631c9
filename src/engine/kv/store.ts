// The replicated state machine that Raft and Multi-Paxos apply their logs to: a key-value store with
// per-client sessions (exactly-once, dissertation §6.3) and the coordination service's locks (etcd's:
// a lease per lock, a queue of waiters, the log index of a grant as its fencing token) and ephemeral
// keys (a key on a lease of its own, deleted when the lease expires). Deterministic:
// every node that applies the same commands in the same order holds the same state and gives the same
// answers. Leases are timed by the leader's lessor (raft/node.ts), which proposes an expiry as a command.

import type { Command, Message } from '../trace';

/** A client's session: its last command applied and the answer it got (dissertation §6.3). */
export interface Session {
  seq: number;
  result: string;
}

/**
 * A held lock: who holds it (and the sequence number of the request it was granted to), its fencing
 * token (the log index of its grant) and its TTL; and the requests queued for it, in order.
 */
export interface LockRecord {
  holder: string;
  seq: number;
  token: number;
  ttlUs: number;
  waiters: { client: string; seq: number; ttlUs: number }[];
  /** The lease of an ephemeral key (a `put` with a TTL), not a lock: its expiry deletes the key. */
  ephemeral: boolean;
}

/**
 * The replicated state machine: a KV store and, for Raft, the coordination service's locks (`locks`;
 * `index` is the command's log index, a granted lock's fencing token). Sessions make a retried command
 * take effect once (dissertation §6.3).
 */
export function applyCommand(
  kv: Map<string, string>,
  sessions: Map<string, Session>,
  cmd: Command,
  index = 0,
  locks: Map<string, LockRecord> | null = null,
): string {
  if (cmd.op === 'noop') return '';
  if (cmd.op === 'expire') {
    const lease = locks?.get(cmd.key);
    if (lease?.token !== cmd.token) return 'already released';
    if (lease.ephemeral) {
      locks!.delete(cmd.key);
      kv.delete(cmd.key);
      return 'expired; key deleted';
    }
    return `expired${handOver(locks!, sessions, cmd.key, index)}`;
  }
  const session = sessions.get(cmd.client);
  if (session !== undefined && session.seq >= cmd.seq) return session.result;
  let result: string;
  switch (cmd.op) {
    case 'put':
      kv.set(cmd.key, cmd.value);
      if (locks !== null && locks.size > 0) detach(locks, cmd.key);
      result = 'OK';
      break;
    case 'delete':
      result = kv.delete(cmd.key) ? 'deleted' : 'not found';
      if (locks !== null && locks.size > 0) detach(locks, cmd.key);
      break;
    case 'cas': {
      const cur = kv.get(cmd.key);
      if (cur === (cmd.expect ?? undefined)) {
        kv.set(cmd.key, cmd.value);
        if (locks !== null && locks.size > 0) detach(locks, cmd.key);
        result = 'OK';
      } else {
        result = `failed: ${cmd.key}=${cur ?? '(none)'}`;
      }
      break;
    }
    case 'get':
      result = kv.get(cmd.key) ?? '(none)';
      break;
    case 'ephemeral':
      result = ephemeralPut(locks, kv, cmd, index);
      break;
    case 'lock':
      result = lockStep(locks, cmd, index);
      break;
    case 'unlock': {
      const held = locks?.get(cmd.key);
      if (held !== undefined && !held.ephemeral && held.holder === cmd.client && held.token === cmd.token) {
        result = `unlocked${handOver(locks!, sessions, cmd.key, index)}`;
      } else {
        result = held === undefined ? 'not held' : held.ephemeral ? `${cmd.key} is an ephemeral key, not a lock` : `held by ${held.holder}`;
      }
      break;
    }
    case 'write':
      result = 'not a command of the cluster';
      break;
  }
  if (session === undefined) sessions.set(cmd.client, { seq: cmd.seq, result });
  else {
    session.seq = cmd.seq;
    session.result = result;
  }
  return result;
}

/**
 * `lock`: granted if free (its fencing token is this entry's index), the same token again to its holder,
 * else queued behind the holder (and those already waiting).
 */
function lockStep(locks: Map<string, LockRecord> | null, cmd: Extract<Command, { op: 'lock' }>, index: number): string {
  if (locks === null) return 'locks need a Raft cluster';
  const held = locks.get(cmd.key);
  if (held === undefined) {
    locks.set(cmd.key, { holder: cmd.client, seq: cmd.seq, token: index, ttlUs: cmd.ttlUs, waiters: [], ephemeral: false });
    return `token ${index}`;
  }
  if (held.ephemeral) return `failed: ${cmd.key} is an ephemeral key, not a lock`;
  if (held.holder === cmd.client) return `token ${held.token}`;
  held.waiters.push({ client: cmd.client, seq: cmd.seq, ttlUs: cmd.ttlUs });
  return `queued behind ${held.holder}`;
}

/**
 * A put with a lease of its own (an ephemeral key): the value is set, and the key's lease starts (its
 * number is this log index), replacing the lease of an earlier ephemeral put of the key. A create
 * (`ifAbsent`) of a key that exists fails as a compare-and-swap does. A lock's name cannot be one:
 * locks and keys share the lessor's names.
 */
function ephemeralPut(locks: Map<string, LockRecord> | null, kv: Map<string, string>, cmd: Extract<Command, { op: 'ephemeral' }>, index: number): string {
  if (locks === null) return 'ephemeral keys need a Raft cluster';
  const held = locks.get(cmd.key);
  if (held !== undefined && !held.ephemeral) return `failed: ${cmd.key} is a lock`;
  const cur = cmd.ifAbsent === true ? kv.get(cmd.key) : undefined;
  if (cur !== undefined) return `failed: ${cmd.key}=${cur}`;
  kv.set(cmd.key, cmd.value);
  locks.set(cmd.key, { holder: cmd.client, seq: cmd.seq, token: index, ttlUs: cmd.ttlUs, waiters: [], ephemeral: true });
  return `lease ${index}`;
}

/** A plain write or delete of an ephemeral key takes it off its lease (as etcd's put without a lease does). */
function detach(locks: Map<string, LockRecord>, key: string): void {
  if (locks.get(key)?.ephemeral === true) locks.delete(key);
}

/**
 * The holder lets go (unlock, expiry) at log index `index`: the first waiter still waiting (its client
 * sent nothing newer since) takes the lock, with `index` as its token, and its session's answer
 * becomes the grant; with no such waiter the lock is free. Returns what to add to the result.
 */
function handOver(locks: Map<string, LockRecord>, sessions: Map<string, Session>, key: string, index: number): string {
  const lock = locks.get(key)!;
  for (;;) {
    const next = lock.waiters.shift();
    if (next === undefined) {
      locks.delete(key);
      return '';
    }
    const session = sessions.get(next.client);
    if (session === undefined || session.seq !== next.seq) continue;
    lock.holder = next.client;
    lock.seq = next.seq;
    lock.token = index;
    lock.ttlUs = next.ttlUs;
    session.result = `token ${index}`;
    return `; ${next.client} takes it, token ${index}`;
  }
}

// ---------------------------------------------------------------------------------------------------
// Lease records (a Lease election's key, `lease/NAME`)

/**
 * A Lease record as the store keeps it: `A@38.213s #1` is held by A, renewed at 38.213 s of virtual
 * time, after one transition (Kubernetes' holderIdentity, renewTime and leaseTransitions).
 */
export function leaseRecord(holder: string, renewUs: number, transitions: number): string {
  return `${holder}@${seconds(renewUs)} #${transitions}`;
}

/** Virtual time in seconds to the millisecond, without trailing zeros: `2.208s`, `15s`. */
export function seconds(us: number): string {
  return `${Number((us / 1_000_000).toFixed(3))}s`;
}

export function parseLease(record: string): { holder: string; renew: string; transitions: number } | null {
  const m = /^(.+)@([0-9.]+s) #(\d+)$/.exec(record);
  return m === null ? null : { holder: m[1]!, renew: m[2]!, transitions: Number(m[3]) };
}

// ---------------------------------------------------------------------------------------------------
// What a watch has shown its client

/** `[key, value or null (deleted), log index of that change]`, sorted by key. */
export type WatchedKeys = [string, string | null, number][];

/**
 * A watch event as its client takes it (the client and the views replay it alike): a confirmation
 * starts the view over from the member's keys as of its applied index (a key it no longer holds was
 * deleted by then); a change counts only if it is newer, by log index, than what the client was told of
 * that key, so one overtaken in flight does not take the view back.
 */
export function watchedApply(keys: WatchedKeys, m: Extract<Message, { type: 'WatchEvent' }>): void {
  if (m.event === 'created') {
    const held = new Map(m.snapshot ?? []);
    for (const [key, , index] of keys.slice()) if (index < m.index && !held.has(key)) setWatched(keys, key, null, m.index);
    for (const [key, value] of held) setWatched(keys, key, value, m.index);
  } else if (m.event === 'put' || m.event === 'delete') {
    setWatched(keys, m.key, m.value, m.index);
  }
}

function setWatched(keys: WatchedKeys, key: string, value: string | null, index: number): void {
  const i = keys.findIndex(([k]) => k === key);
  if (i >= 0 && keys[i]![2] >= index) return;
  if (i >= 0) keys[i] = [key, value, index];
  else {
    keys.push([key, value, index]);
    keys.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** The value a watch shows for `key`, or null. */
export function watchedValue(keys: WatchedKeys, key: string): string | null {
  return keys.find(([k]) => k === key)?.[1] ?? null;
}

// ---------------------------------------------------------------------------------------------------
// A fenced resource outside the cluster (`CLIENT write RESOURCE VALUE [token]`)

/** A resource's state: its value, and the highest fencing token it has seen (null: none yet). */
export interface Resource {
  value: string | null;
  token: number | null;
}

/**
 * A write reaches the resource: with a token lower than one it has seen it is refused (the writer's
 * lock has passed to another client since); otherwise it is done, and its token remembered. A write
 * without a token is done unchecked (a resource without fencing). Returns the answer.
 */
export function resourceWrite(r: Resource, value: string, token: number | null): { ok: boolean; result: string } {
  if (token === null) {
    r.value = value;
    return { ok: true, result: 'OK (no token)' };
  }
  if (r.token !== null && token < r.token) return { ok: false, result: `rejected: token ${token} is older than ${r.token}` };
  r.value = value;
  r.token = token;
  return { ok: true, result: `OK (token ${token})` };
}
