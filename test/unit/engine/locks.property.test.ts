// Property: the coordination service (etcd-style locks with TTLs, keep-alives and fencing tokens, on
// the Raft engine) under random schedules: 5 nodes, 2–4 clients locking and unlocking 1–2 locks (with
// TTLs, keep-alives or none, poll intervals) and writing to one fenced resource with their latest
// token, mixed with node crashes and restarts, node pauses, partitions, message loss and duplication,
// and clients' GC pauses (swarm testing: each schedule draws from a random subset of the faults). Then
// everything is healed, and every client that gets a lock either unlocks it or stops sending
// keep-alives (a GC pause that never ends), until no lock request is left.
//
// Each schedule is played once; every rule below reads the verdict of the same runs (cached, the same
// seed for every rule), so a failure names the rule it broke and fast-check shrinks the schedule for it.
//
// Reproduce a failure with the seed and path fast-check prints:
//   FC_SEED=123 FC_PATH="4:1:0" npx vitest run test/unit/engine/locks.property.test.ts
// FC_RUNS overrides the number of schedules (default 300; a schedule takes about 5ms).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation, worldCreate } from '../../../src/engine/sim';
import { defaultClusterOptions } from '../../../src/engine/config';
import type { ClientCommand, Command, LogEntry, TraceEvent } from '../../../src/engine/trace';
import { MS, S, leaderOf, names } from './helpers';
import { type CommonFault, Hang, scheduleDriver } from './schedule';

const RUNS = Number(process.env['FC_RUNS'] ?? 300);
/** One seed for every rule (so they look at the same schedules); fast-check prints it on failure. */
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Math.floor(Math.random() * 0x7fffffff);
const PATH = process.env['FC_PATH'];

const NODES = names(5);
const CLIENTS = ['A', 'B', 'C', 'D'];
const RESOURCE = 'R';
const HOUR = 3_600 * S;

/** How long after healing a leader must appear. */
const LEADER_BOUND_US = 10 * S;
/**
 * The "bound" beyond a lock's TTL (or a waiter's poll and retry intervals): the lessor's next heartbeat
 * tick (50ms), the expiry's commit (a round trip or two), the answer's flight. Two election timeouts
 * (the default maximum is 300ms); over 50,000 schedules a release came at most 75ms after its TTL.
 */
const SLACK_US = 600 * MS;

// ---------------------------------------------------------------------------------------------------
// Schedules

type ClientStep =
  | { k: 'lock'; client: number; lock: number; ttlUs: number; renew: number; pollUs: number; force: boolean }
  | { k: 'unlock'; client: number; lock: number; force: boolean }
  | { k: 'write'; client: number; value: number; force: boolean }
  | { k: 'client-pause'; client: number; us: number };

type LockFault = ClientStep | CommonFault;

interface Step {
  gapUs: number;
  f: LockFault;
}

interface LockSchedule {
  seed: number;
  prevote: boolean;
  checkQuorum: boolean;
  clients: number;
  locks: number;
  steps: Step[];
  /** After healing, per lock granted: true = the client unlocks it, false = it stops its keep-alives for good. */
  release: boolean[];
}

const node = fc.nat(4);
const client = fc.nat(3);
/** Renew: never, a quarter or half of the TTL (kept alive), or 1.5 TTL (too slow: it lapses). */
const RENEW = [0, 0.25, 0.5, 1.5];

const KINDS: { kind: string; weight: number; arbitrary: fc.Arbitrary<LockFault> }[] = [
  {
    kind: 'lock',
    weight: 5,
    arbitrary: fc.record({
      k: fc.constant('lock' as const),
      client,
      lock: fc.nat(1),
      ttlUs: fc.integer({ min: 200, max: 2_000 }).map((ms) => ms * MS),
      renew: fc.nat(RENEW.length - 1),
      pollUs: fc.integer({ min: 50, max: 500 }).map((ms) => ms * MS),
      force: fc.boolean(),
    }),
  },
  { kind: 'unlock', weight: 2, arbitrary: fc.record({ k: fc.constant('unlock' as const), client, lock: fc.nat(1), force: fc.boolean() }) },
  { kind: 'write', weight: 5, arbitrary: fc.record({ k: fc.constant('write' as const), client, value: fc.nat(999), force: fc.boolean() }) },
  { kind: 'client-pause', weight: 2, arbitrary: fc.record({ k: fc.constant('client-pause' as const), client, us: fc.integer({ min: 100, max: 4_000 }).map((ms) => ms * MS) }) },
  { kind: 'crash', weight: 2, arbitrary: fc.record({ k: fc.constantFrom('crash' as const, 'restart' as const, 'reboot' as const), node }) },
  { kind: 'pause', weight: 1, arbitrary: fc.record({ k: fc.constant('pause' as const), node, us: fc.integer({ min: 10, max: 2_000 }).map((ms) => ms * MS) }) },
  { kind: 'partition', weight: 2, arbitrary: fc.record({ k: fc.constant('partition' as const), groups: fc.array(fc.nat(2), { minLength: 5, maxLength: 5 }) }) },
  { kind: 'heal', weight: 1, arbitrary: fc.constant({ k: 'heal' as const }) },
  { kind: 'loss', weight: 1, arbitrary: fc.record({ k: fc.constant('loss' as const), permille: fc.integer({ min: 0, max: 400 }) }) },
  { kind: 'duplicate', weight: 1, arbitrary: fc.record({ k: fc.constant('duplicate' as const), permille: fc.integer({ min: 0, max: 300 }) }) },
];

const CLIENT_KINDS = new Set(['lock', 'unlock', 'write']);

/** Swarm testing (as schedule.ts): each schedule draws its faults from a random subset of the kinds; client steps are always in. */
function lockScheduleArb(maxSteps: number): fc.Arbitrary<LockSchedule> {
  const always = KINDS.filter((k) => CLIENT_KINDS.has(k.kind));
  const optional = KINDS.filter((k) => !CLIENT_KINDS.has(k.kind));
  return fc.subarray(optional).chain((ks) => {
    const kinds = [...always, ...ks];
    return fc.record({
      seed: fc.nat(0xffffffff),
      prevote: fc.boolean(),
      checkQuorum: fc.boolean(),
      clients: fc.integer({ min: 2, max: 4 }),
      locks: fc.integer({ min: 1, max: 2 }),
      steps: fc.array(
        fc.record({
          gapUs: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 100 * MS }) }, { weight: 2, arbitrary: fc.integer({ min: 100 * MS, max: 1500 * MS }) }),
          f: fc.oneof(...kinds.map((k) => ({ weight: k.weight, arbitrary: k.arbitrary }))),
        }),
        { minLength: 5, maxLength: maxSteps, size: 'max' },
      ),
      release: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
    });
  });
}

function describeSchedule(sc: LockSchedule): string {
  const steps = sc.steps.map((s) => `+${Math.round(s.gapUs / 1000)}ms ${JSON.stringify(s.f)}`);
  return `seed ${sc.seed}, prevote=${sc.prevote} checkQuorum=${sc.checkQuorum}, ${sc.clients} clients, ${sc.locks} locks, release=${sc.release.map((r) => (r ? 'U' : 'P')).join('')}\n  ${steps.join('\n  ')}`;
}

// ---------------------------------------------------------------------------------------------------
// What a run records from its trace

interface Applied {
  entry: LogEntry;
  result: string;
  /** Text of entry and result, which every node must agree on. */
  text: string;
  firstUs: number;
  /** Every time a node applied it (nodes re-apply their log after a restart). */
  times: number[];
}

interface FencedWrite {
  client: string;
  seq: number;
  token: number;
  t: number;
  ok: boolean | null;
  result: string | null;
}

interface Recorded {
  applied: Map<number, Applied>;
  /** Apply events out of order on a node (each life of a node applies 1, 2, 3, …). */
  applyOrder: string[];
  requests: { client: string; seq: number; cmd: Command; t: number }[];
  responses: { client: string; seq: number; ok: boolean; result: string; t: number }[];
  writes: FencedWrite[];
  /** Last KeepAlive a client sent, by "client|lock|token". */
  keepAlive: Map<string, number>;
  promotions: number[];
  violations: string[];
}

function recorder(): { rec: Recorded; take: (e: TraceEvent) => void } {
  const rec: Recorded = { applied: new Map(), applyOrder: [], requests: [], responses: [], writes: [], keepAlive: new Map(), promotions: [], violations: [] };
  const lastApplied = new Map<string, number>();
  let pendingWrite: FencedWrite | null = null;
  const take = (e: TraceEvent): void => {
    switch (e.k) {
      case 'apply': {
        const last = lastApplied.get(e.node) ?? 0;
        if (e.index !== last + 1) rec.applyOrder.push(`${e.node} applied ${e.index} after ${last} at ${e.t}us`);
        lastApplied.set(e.node, e.index);
        const text = `${JSON.stringify(e.entry)} -> ${e.result}`;
        const a = rec.applied.get(e.index);
        if (a === undefined) rec.applied.set(e.index, { entry: e.entry, result: e.result, text, firstUs: e.t, times: [e.t] });
        else {
          a.times.push(e.t);
          if (a.text !== text) rec.applyOrder.push(`index ${e.index}: ${e.node} applied ${text}, another node ${a.text}`);
        }
        return;
      }
      case 'role':
        if (e.from === 'down') lastApplied.set(e.node, 0); // restarted: it applies its log again from 1
        if (e.to === 'leader') rec.promotions.push(e.t);
        return;
      case 'client-request':
        rec.requests.push({ client: e.client, seq: e.cmd.op === 'noop' || e.cmd.op === 'expire' ? -1 : e.cmd.seq, cmd: e.cmd, t: e.t });
        return;
      case 'client-response':
        rec.responses.push({ client: e.client, seq: e.seq, ok: e.ok, result: e.result, t: e.t });
        return;
      case 'deliver':
        if (e.to === RESOURCE && e.msg.type === 'ClientRequest' && e.msg.cmd.op === 'write' && e.msg.cmd.token !== null) {
          pendingWrite = { client: e.from, seq: e.msg.cmd.seq, token: e.msg.cmd.token, t: e.t, ok: null, result: null };
          rec.writes.push(pendingWrite);
        }
        return;
      case 'send':
        if (e.from === RESOURCE && e.msg.type === 'ClientResponse' && pendingWrite !== null) {
          // The resource answers as it takes the write, before anything else happens.
          pendingWrite.ok = e.msg.ok;
          pendingWrite.result = e.msg.result;
          pendingWrite = null;
        } else if (e.msg.type === 'KeepAlive') {
          rec.keepAlive.set(`${e.from}|${e.msg.lock}|${e.msg.token}`, e.t);
        }
        return;
      case 'violation':
        rec.violations.push(`${e.invariant} at ${e.t}us: ${e.detail}`);
        return;
      default:
        return;
    }
  };
  return { rec, take };
}

// ---------------------------------------------------------------------------------------------------
// Playing a schedule

interface Run {
  /** The simulation stopped advancing virtual time (an event storm at one instant), or null. */
  hang: string | null;
  rec: Recorded;
  /** End of healing: network whole, every node up, every pause over. */
  healedUs: number;
  endUs: number;
  /** Poll interval of each lock request, by "client|seq". */
  pollUs: Map<string, number>;
  retryUs: number;
  /** Liveness problems the driver saw itself (no leader, requests never granted, locks left held). */
  stuck: string[];
  /** Clients the liveness phase paused for good (they stopped their keep-alives), and when. */
  goneUs: Map<string, number>;
  violations: number;
  resourceToken: number | null;
  clientPauses: number;
}

function play(sc: LockSchedule): Run {
  const o = defaultClusterOptions(NODES, sc.seed);
  o.raft.prevote = sc.prevote;
  o.raft.checkQuorum = sc.checkQuorum;
  const world = worldCreate(o);
  const sink: TraceEvent[] = [];
  const sim = new Simulation(world, sink);
  const { rec, take } = recorder();
  const drain = (): void => {
    for (const e of sink) take(e);
    sink.length = 0;
  };

  const clients = CLIENTS.slice(0, sc.clients);
  const pollUs = new Map<string, number>();
  const stuck: string[] = [];
  const goneUs = new Map<string, number>();
  let clientPauses = 0;

  const doClientStep = (f: ClientStep): void => {
    const name = clients[f.client % clients.length]!;
    const c = sim.client(name);
    if (f.k === 'client-pause') {
      if (!c.paused) clientPauses++;
      sim.pauseClient(name, f.us);
      return;
    }
    if (f.k === 'write' && c.token === null) return; // no token to fence with yet
    const key = f.k === 'write' ? '' : `L${f.lock % sc.locks}`;
    if (!sim.clientDone(name)) {
      if (!f.force) return;
      sim.abandon(name, 'superseded');
    }
    switch (f.k) {
      case 'lock': {
        const renewUs = Math.round(f.ttlUs * RENEW[f.renew]!);
        sim.submit(name, (seq): ClientCommand => ({ op: 'lock', key, ttlUs: f.ttlUs, client: name, seq }), null, { pollUs: f.pollUs, renewUs, polling: false });
        pollUs.set(`${name}|${c.seq}`, f.pollUs);
        return;
      }
      case 'unlock': {
        // The token it holds, else the last it was granted (a stale unlock), else none.
        const token = c.locks.get(key)?.token ?? c.token ?? 0;
        sim.submit(name, (seq): ClientCommand => ({ op: 'unlock', key, token, client: name, seq }), null);
        return;
      }
      case 'write': {
        const token = c.token;
        sim.submit(name, (seq): ClientCommand => ({ op: 'write', key: RESOURCE, value: String(f.value), token, client: name, seq }), RESOURCE);
        return;
      }
    }
  };

  const driver = scheduleDriver<ClientStep>({
    sim,
    world,
    nodes: NODES,
    clients,
    sink,
    drain,
    isClientStep: (f): f is ClientStep => f.k === 'lock' || f.k === 'unlock' || f.k === 'write' || f.k === 'client-pause',
    clientStep: doClientStep,
  });
  const { runUntil } = driver;
  const playSteps = (): void => driver.play(sc.steps);

  // Heal everything; the paused nodes and clients resume (and the clients do what waited for that).
  const healAll = (): void => {
    driver.healAll();
    healedUs = world.now;
  };

  const letGo = (): void => {
    if (!runUntil(LEADER_BOUND_US, () => leaderOf(world) !== null)) stuck.push(`no leader within ${LEADER_BOUND_US / S}s of healing`);

    // Liveness: each client that holds a lock lets go of it (unlock, or a GC pause that never ends: no
    // more keep-alives), and each lock request still pending must be granted in turn.
    const gone = new Set<string>(); // paused for good (their time in `goneUs`)
    let r = 0;
    const active = (): string[] => clients.filter((n) => !gone.has(n));
    const needsRelease = (n: string): boolean => {
      const c = sim.client(n);
      return c.op === null && c.locks.size > 0;
    };
    let maxTtl = 0;
    for (const s of sc.steps) if (s.f.k === 'lock') maxTtl = Math.max(maxTtl, s.f.ttlUs);
    /**
     * Waiting long for one lock while holding another: the holder of the one it wants may be waiting
     * for the one it holds (a deadlock, which no lock service breaks by itself).
     */
    const holdsAndWaits = (n: string): boolean => {
      const c = sim.client(n);
      const op = c.op;
      if (op === null || op.cmd.op !== 'lock') return false;
      const key = op.cmd.key;
      return [...c.locks.keys()].some((k) => k !== key) && world.now >= Math.max(op.startedUs, healedUs) + 2 * (maxTtl + SLACK_US);
    };
    const allDone = (): boolean => active().every((n) => sim.clientDone(n) && sim.client(n).locks.size === 0);
    const liveBy = world.now + 2 * clients.length * (maxTtl + SLACK_US) + 20 * S;
    for (;;) {
      for (const n of active()) {
        if (holdsAndWaits(n)) {
          // Break the deadlock: its keep-alives stop (and its request is no longer followed).
          sim.pauseClient(n, HOUR);
          gone.add(n);
          goneUs.set(n, world.now);
          continue;
        }
        if (!needsRelease(n)) continue;
        const c = sim.client(n);
        if (sc.release[r++ % sc.release.length]) {
          const [key, held] = [...c.locks][0]!;
          sim.submit(n, (seq): ClientCommand => ({ op: 'unlock', key, token: held.token, client: n, seq }), null);
        } else {
          sim.pauseClient(n, HOUR);
          gone.add(n);
          goneUs.set(n, world.now);
        }
      }
      if (allDone()) break;
      if (world.now >= liveBy) {
        const pending = active().flatMap((n) => {
          const op = sim.client(n).op;
          return op === null ? [] : [`${n} ${op.cmd.op} ${'key' in op.cmd ? op.cmd.key : ''} (since ${op.startedUs}us)`];
        });
        stuck.push(`${Math.round((liveBy - healedUs) / MS)}ms after healing, still pending: ${pending.join(', ')}`);
        break;
      }
      runUntil(liveBy - world.now, () => allDone() || active().some((n) => needsRelease(n) || holdsAndWaits(n)));
    }
    // Nobody renews any more: every lock expires or was unlocked, on every node.
    const freeEverywhere = (): boolean => {
      let top = 0;
      for (const n of world.nodes) top = Math.max(top, n.raft.commitIndex);
      return world.nodes.every((n) => n.status === 'up' && n.raft.commitIndex === top && n.raft.lastApplied === top && n.raft.locks.size === 0);
    };
    // Waiters that gave up (their client moved on without a newer command to the cluster) may still be
    // handed the lock, each holding it for its TTL: a chain of at most one grant per client.
    const freeBy = (clients.length + 1) * (maxTtl + SLACK_US);
    if (stuck.length === 0 && !runUntil(freeBy, freeEverywhere)) {
      const held = world.nodes.map((n) => `${n.name}: ${[...n.raft.locks].map(([k, l]) => `${k} by ${l.holder} token ${l.token}`).join(', ') || 'none'} (applied ${n.raft.lastApplied}/${n.raft.commitIndex})`);
      stuck.push(`locks still held (or nodes not caught up) ${Math.round(freeBy / MS)}ms after the last client let go: ${held.join('; ')}`);
    }
  };

  sim.start();
  let healedUs = -1;
  let hang: string | null = null;
  try {
    playSteps();
    healAll();
    letGo();
  } catch (e) {
    if (!(e instanceof Hang)) throw e;
    hang = e.message;
  }
  drain();
  return {
    hang,
    rec,
    healedUs,
    endUs: world.now,
    pollUs,
    retryUs: o.client.retryUs,
    stuck,
    goneUs,
    violations: world.violations,
    resourceToken: world.resources.get(RESOURCE)?.token ?? null,
    clientPauses,
  };
}

// ---------------------------------------------------------------------------------------------------
// The rules

interface Grant {
  key: string;
  token: number;
  client: string;
  seq: number;
  ttlUs: number;
  /** Log index of the grant (= token). */
  index: number;
  /** Log index of the entry that released it (unlock or expire), or null. */
  releasedAt: number | null;
}

interface Replay {
  problems: string[];
  grants: Grant[];
  stats: { grants: number; handovers: number; expiries: number; queued: number; duplicates: number };
}

const TOKEN = /^token (\d+)$/;
const TAKES = /; (\S+) takes it, token (\d+)$/;

/**
 * Replays the applied log (the same on every node, which `agreement` checks) against the rules of the
 * lock service: a grant (lock → `token N`, or a release whose waiter `takes it, token N`) only while
 * the lock is free, with N the grant entry's index and above every earlier token; a release (unlock →
 * `unlocked`, expire → `expired`) only of the current holder's token; the lock passes to the first
 * waiter whose request is still its client's latest command (FIFO, etcd's lock queue); a retried command
 * gets its first answer again.
 */
function replayLocks(applied: Map<number, Applied>): Replay {
  const problems: string[] = [];
  const grants: Grant[] = [];
  const stats = { grants: 0, handovers: 0, expiries: 0, queued: 0, duplicates: 0 };
  const held = new Map<string, Grant>();
  const lastToken = new Map<string, number>();
  const waiters = new Map<string, { client: string; seq: number; ttlUs: number }[]>();
  const session = new Map<string, { seq: number; result: string }>();
  const top = Math.max(0, ...applied.keys());
  const grant = (key: string, client: string, seq: number, ttlUs: number, index: number, token: number, how: string): void => {
    const cur = held.get(key);
    if (cur !== undefined) problems.push(`${key}: ${how} at ${index} grants token ${token} to ${client} while ${cur.client} holds token ${cur.token}`);
    if (token !== index) problems.push(`${key}: ${how} at ${index} grants token ${token}, not its own index`);
    const last = lastToken.get(key) ?? 0;
    if (token <= last) problems.push(`${key}: token ${token} granted at ${index} is not above the previous token ${last}`);
    lastToken.set(key, token);
    const g: Grant = { key, token, client, seq, ttlUs, index, releasedAt: null };
    held.set(key, g);
    grants.push(g);
    stats.grants++;
  };
  /** The holder lets go at `index`; `suffix` is what the result says after `unlocked`/`expired`. */
  const release = (key: string, index: number, suffix: string, how: string): void => {
    const cur = held.get(key)!;
    cur.releasedAt = index;
    held.delete(key);
    const q = waiters.get(key) ?? [];
    let next: { client: string; seq: number; ttlUs: number } | undefined;
    while ((next = q.shift()) !== undefined && session.get(next.client)?.seq !== next.seq);
    const m = TAKES.exec(suffix);
    if (next === undefined) {
      if (suffix !== '') problems.push(`${key}: ${how} at ${index} says "${suffix}", but no request is waiting`);
      return;
    }
    if (m === null || m[1] !== next.client) {
      problems.push(`${key}: ${how} at ${index} says "${suffix}", but ${next.client} (seq ${next.seq}) waits first`);
      if (m === null) return;
    }
    stats.handovers++;
    const token = Number(m[2]);
    grant(key, m[1]!, next.seq, next.ttlUs, index, token, `${how} (hand-over)`);
    const s = session.get(m[1]!);
    if (s !== undefined) s.result = `token ${token}`; // the waiter's request is answered by the hand-over
  };
  for (let index = 1; index <= top; index++) {
    const a = applied.get(index);
    if (a === undefined) {
      problems.push(`no node applied index ${index} (below ${top})`);
      break;
    }
    const cmd = a.entry.cmd;
    const res = a.result;
    if (cmd.op === 'noop') continue;
    if (cmd.op === 'expire') {
      const cur = held.get(cmd.key);
      if (cur === undefined || cur.token !== cmd.token) {
        if (res !== 'already released') problems.push(`${cmd.key}: expire of token ${cmd.token} at ${index} answered "${res}", but that token is not held (${cur ? `token ${cur.token}` : 'free'})`);
        continue;
      }
      if (!res.startsWith('expired')) {
        problems.push(`${cmd.key}: expire of held token ${cmd.token} at ${index} answered "${res}"`);
        continue;
      }
      stats.expiries++;
      release(cmd.key, index, res.slice('expired'.length), 'expire');
      continue;
    }
    if (cmd.op !== 'lock' && cmd.op !== 'unlock') {
      problems.push(`unexpected command at ${index}: ${JSON.stringify(cmd)}`);
      continue;
    }
    const s = session.get(cmd.client);
    if (s !== undefined && s.seq >= cmd.seq) {
      // A retried command applied twice: no effect, the first answer again.
      stats.duplicates++;
      if (s.seq === cmd.seq && res !== s.result) problems.push(`${cmd.client}'s retried ${cmd.op} (seq ${cmd.seq}) at ${index} answered "${res}", first "${s.result}"`);
      continue;
    }
    const cur = held.get(cmd.key);
    if (cmd.op === 'lock') {
      const m = TOKEN.exec(res);
      if (m !== null && Number(m[1]) === index) grant(cmd.key, cmd.client, cmd.seq, cmd.ttlUs, index, index, 'lock');
      else if (m !== null) {
        if (cur === undefined || cur.client !== cmd.client || cur.token !== Number(m[1]))
          problems.push(`${cmd.key}: ${cmd.client}'s lock at ${index} answered "${res}", but ${cur ? `${cur.client} holds token ${cur.token}` : 'it is free'}`);
      } else if (res.startsWith('queued behind ')) {
        if (cur === undefined || cur.client !== res.slice('queued behind '.length) || cur.client === cmd.client)
          problems.push(`${cmd.key}: ${cmd.client}'s lock at ${index} answered "${res}", but ${cur ? `${cur.client} holds it` : 'it is free'}`);
        const q = waiters.get(cmd.key) ?? [];
        q.push({ client: cmd.client, seq: cmd.seq, ttlUs: cmd.ttlUs });
        waiters.set(cmd.key, q);
        stats.queued++;
      } else problems.push(`${cmd.key}: ${cmd.client}'s lock at ${index} answered "${res}"`);
    } else {
      const mine = cur !== undefined && cur.client === cmd.client && cur.token === cmd.token;
      if (res.startsWith('unlocked')) {
        if (!mine) problems.push(`${cmd.key}: ${cmd.client}'s unlock of token ${cmd.token} at ${index} answered "${res}", but ${cur ? `${cur.client} holds token ${cur.token}` : 'it is free'}`);
        else release(cmd.key, index, res.slice('unlocked'.length), 'unlock');
      } else {
        const expected = cur === undefined ? 'not held' : `held by ${cur.client}`;
        if (mine || res !== expected) problems.push(`${cmd.key}: ${cmd.client}'s unlock of token ${cmd.token} at ${index} answered "${res}", expected ${mine ? 'unlocked' : `"${expected}"`}`);
      }
    }
    session.set(cmd.client, { seq: cmd.seq, result: res });
  }
  return { problems, grants, stats };
}

type Rule = 'progress' | 'violations' | 'agreement' | 'lockSafety' | 'fencing' | 'tokens' | 'lessor' | 'liveness';

interface Verdict {
  problems: Record<Rule, string[]>;
  stats: Replay['stats'] & { accepted: number; rejected: number; grantsAfterHeal: number; clientPauses: number; virtualUs: number };
}

function judge(sc: LockSchedule): Verdict {
  const run = play(sc);
  const { rec } = run;
  const p: Record<Rule, string[]> = { progress: [], violations: [], agreement: [], lockSafety: [], fencing: [], tokens: [], lessor: [], liveness: [] };

  if (run.hang !== null) p.progress.push(run.hang);

  // Invariants of the engine's checkers, after every event.
  if (run.violations > 0 || rec.violations.length > 0) p.violations.push(`${run.violations} violations: ${rec.violations.slice(0, 3).join('; ')}`);

  // State machine safety: every node applies 1, 2, 3, … and the same command with the same result at each index.
  p.agreement.push(...rec.applyOrder.slice(0, 5));

  const replay = replayLocks(rec.applied);
  p.lockSafety.push(...replay.problems.slice(0, 5));

  // Fencing: the resource takes tokens in non-decreasing order; a refused write had an older token.
  let max: number | null = null;
  let accepted = 0;
  let rejected = 0;
  for (const w of rec.writes) {
    if (w.ok === null) p.fencing.push(`write of token ${w.token} by ${w.client} at ${w.t}us was not answered`);
    else if (w.ok) {
      accepted++;
      if (max !== null && w.token < max) p.fencing.push(`accepted token ${w.token} from ${w.client} at ${w.t}us after accepting token ${max}`);
      max = Math.max(max ?? 0, w.token);
    } else {
      rejected++;
      if (max === null || w.token >= max) p.fencing.push(`rejected token ${w.token} from ${w.client} at ${w.t}us ("${w.result}") though the highest accepted was ${max ?? 'none'}`);
      else if (w.result !== `rejected: token ${w.token} is older than ${max}`) p.fencing.push(`rejected token ${w.token} with "${w.result}", the highest accepted being ${max}`);
    }
  }
  if (run.resourceToken !== max) p.fencing.push(`the resource ends with token ${run.resourceToken}, the highest it accepted is ${max}`);

  // Tokens are real: a client is told `token N` for a lock, and writes with N, only if N was granted to it.
  const granted = new Set(replay.grants.map((g) => `${g.client}|${g.token}`));
  const lockReq = new Map<string, Extract<Command, { op: 'lock' }>>();
  for (const q of rec.requests) if (q.cmd.op === 'lock') lockReq.set(`${q.client}|${q.seq}`, q.cmd);
  for (const r of rec.responses) {
    const m = TOKEN.exec(r.result);
    if (!r.ok || m === null || !lockReq.has(`${r.client}|${r.seq}`)) continue;
    if (!granted.has(`${r.client}|${m[1]}`)) p.tokens.push(`${r.client} was told "${r.result}" at ${r.t}us, but the log never granted token ${m[1]} to it`);
  }
  for (const w of rec.writes) if (!granted.has(`${w.client}|${w.token}`)) p.tokens.push(`${w.client} wrote with token ${w.token} at ${w.t}us, never granted to it`);

  // The liveness rules need a run that went to its end.
  if (run.hang !== null) return { problems: p, stats: { ...replay.stats, accepted, rejected, grantsAfterHeal: 0, clientPauses: run.clientPauses, virtualUs: run.endUs } };

  // The lessor (etcd): once the cluster is healed, a lock is released within its TTL (+ slack) of the
  // latest of: its grant being applied (on any node), its holder's last keep-alive, the last leader's
  // promotion (which extends every lock by its TTL), the end of healing.
  const appliedAt = (i: number, before: number): number => Math.max(...rec.applied.get(i)!.times.filter((t) => t < before), rec.applied.get(i)!.firstUs);
  let grantsAfterHeal = 0;
  for (const g of replay.grants) {
    const releasedUs = g.releasedAt === null ? null : rec.applied.get(g.releasedAt)!.firstUs;
    if (releasedUs !== null && releasedUs <= run.healedUs) continue;
    const until = releasedUs ?? run.endUs;
    const promoted = Math.max(0, ...rec.promotions.filter((t) => t < until));
    const renewed = rec.keepAlive.get(`${g.client}|${g.key}|${g.token}`) ?? 0;
    const from = Math.max(run.healedUs, appliedAt(g.index, until), renewed, promoted);
    const due = from + g.ttlUs + SLACK_US;
    if (until > due)
      p.lessor.push(
        `${g.key} token ${g.token} (${g.client}, ttl ${g.ttlUs / MS}ms) ${releasedUs === null ? 'still held at the end' : `released at ${releasedUs}us`}, due by ${due}us ` +
          `(healed ${run.healedUs}us, applied ${appliedAt(g.index, until)}us, last keep-alive ${renewed}us, last promotion ${promoted}us)`,
      );
    if (rec.applied.get(g.index)!.firstUs > run.healedUs) grantsAfterHeal++;
  }

  // Liveness after healing: a client waiting on a lock learns of its grant within a poll interval (or
  // a retry, if the answer went elsewhere) of the grant; every request is granted; every lock ends free.
  p.liveness.push(...run.stuck);
  const opens = new Map<string, { seq: number; key: string }>();
  type Ev = { t: number; o: 0; q: Recorded['requests'][number] } | { t: number; o: 1; r: Recorded['responses'][number] } | { t: number; o: 2; g: Grant };
  const events: Ev[] = [
    ...rec.requests.map((q): Ev => ({ t: q.t, o: 0, q })),
    ...rec.responses.map((r): Ev => ({ t: r.t, o: 1, r })),
    ...replay.grants.map((g): Ev => ({ t: rec.applied.get(g.index)!.firstUs, o: 2, g })),
  ].sort((a, b) => a.t - b.t || a.o - b.o);
  const waitingFor: { client: string; seq: number; token: number; due: number }[] = [];
  for (const e of events) {
    if (e.o === 0) {
      opens.set(e.q.client, { seq: e.q.seq, key: e.q.cmd.op === 'lock' ? e.q.cmd.key : '' });
    } else if (e.o === 1) {
      const r = e.r;
      if (opens.get(r.client)?.seq === r.seq) opens.delete(r.client);
      for (let i = waitingFor.length - 1; i >= 0; i--) {
        const w = waitingFor[i]!;
        if (w.client !== r.client || w.seq !== r.seq) continue;
        waitingFor.splice(i, 1);
        if (!r.ok) continue; // abandoned by the schedule (a newer command), before healing
        if (r.t > w.due) p.liveness.push(`${w.client} learned of token ${w.token} at ${r.t}us, due by ${w.due}us`);
        else if (r.result !== `token ${w.token}`) p.liveness.push(`${w.client} waiting for token ${w.token} was answered "${r.result}"`);
      }
    } else {
      const g = e.g;
      const open = opens.get(g.client);
      // Only a grant of the very request the client waits on (not of an older one it gave up).
      if (open === undefined || open.key !== g.key || open.seq !== g.seq) continue;
      if (g.releasedAt !== null && rec.applied.get(g.releasedAt)!.firstUs <= run.healedUs) continue;
      const from = Math.max(e.t, run.healedUs);
      waitingFor.push({ client: g.client, seq: open.seq, token: g.token, due: from + (run.pollUs.get(`${g.client}|${open.seq}`) ?? 0) + run.retryUs + SLACK_US });
    }
  }
  for (const w of waitingFor) if (w.due < run.endUs && (run.goneUs.get(w.client) ?? Infinity) > w.due) p.liveness.push(`${w.client} never learned of token ${w.token} (due by ${w.due}us)`);

  return {
    problems: p,
    stats: { ...replay.stats, accepted, rejected, grantsAfterHeal, clientPauses: run.clientPauses, virtualUs: run.endUs },
  };
}

// ---------------------------------------------------------------------------------------------------
// Tests: every rule looks at the same schedules (same seed), each played once.

const verdicts = new Map<string, Verdict>();

function verdictOf(sc: LockSchedule): Verdict {
  const key = JSON.stringify(sc);
  let v = verdicts.get(key);
  if (v === undefined) {
    v = judge(sc);
    verdicts.set(key, v);
  }
  return v;
}

const ARB = lockScheduleArb(40);

function holds(rule: Rule): void {
  fc.assert(
    fc.property(ARB, (sc) => {
      const problems = verdictOf(sc).problems[rule];
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\nschedule: ${describeSchedule(sc)}`);
    }),
    { numRuns: RUNS, seed: SEED, path: PATH },
  );
}

describe(`the lock service under random fault schedules (fast-check, ${RUNS} schedules, seed ${SEED})`, () => {
  it('progress: virtual time keeps advancing (no client or node re-arms a timer at the same instant forever)', () => holds('progress'));

  it('no invariant violations: the engine checkers stay silent throughout (world.violations === 0)', () => holds('violations'));

  it('state machine safety for locks: every node that applied index i applied the same command with the same result', () => holds('agreement'));

  it('lock safety: the applied log grants a lock only while it is free, with strictly increasing tokens, and hands it to the first live waiter', () =>
    holds('lockSafety'));

  it('fencing (Kleppmann): a resource never accepts a token older than one it accepted, and refuses only older tokens', () => holds('fencing'));

  it('fencing tokens are real: a client is told token N, and writes with it, only if the log granted N to that client', () => holds('tokens'));

  it('etcd lessor liveness: a lock whose holder stopped sending keep-alives is released within TTL + bound after the cluster heals', () =>
    holds('lessor'));

  it('lock liveness: after healing, a waiting client learns of its grant within poll + retry + bound, every request is granted, every lock ends free', () =>
    holds('liveness'));

  it('the schedules exercise the service: grants, queues, hand-overs, expiries, refused stale writes, client pauses', () => {
    const total = { grants: 0, handovers: 0, expiries: 0, queued: 0, duplicates: 0, accepted: 0, rejected: 0, grantsAfterHeal: 0, clientPauses: 0, virtualUs: 0 };
    for (const sc of fc.sample(ARB, { numRuns: RUNS, seed: SEED })) {
      const s = verdictOf(sc).stats;
      for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += s[k];
    }
    expect(total.grants).toBeGreaterThan(RUNS);
    expect(total.queued).toBeGreaterThan(0);
    expect(total.handovers).toBeGreaterThan(0);
    expect(total.expiries).toBeGreaterThan(0);
    expect(total.accepted).toBeGreaterThan(RUNS);
    expect(total.rejected).toBeGreaterThan(0);
    expect(total.grantsAfterHeal).toBeGreaterThan(0);
    expect(total.clientPauses).toBeGreaterThan(0);
  });
});
