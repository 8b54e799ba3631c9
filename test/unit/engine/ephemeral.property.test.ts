// Property: ephemeral keys (etcd's `put --lease`, ZooKeeper's ephemeral nodes) on the Raft engine under
// random schedules: 5 nodes, 2–4 clients putting ephemeral keys on 1–2 keys (random TTLs, keep-alives
// every so often or none), writing and deleting those keys plainly (which takes them off their
// leases), compare-and-swapping them, now and then locking one (a lock and an ephemeral key cannot
// share a name), and clients' GC pauses; mixed with node crashes and restarts, node pauses,
// partitions, message loss and duplication (swarm testing: each schedule draws from a random subset of
// the faults). Then everything is healed; some clients are gone for good from then on (paused: no more
// keep-alives), the others keep renewing while the cluster settles; at last every client goes, and
// every lease must run out.
//
// Each schedule is played once; every rule below reads the verdict of the same runs (cached, the same
// seed for every rule), so a failure names the rule it broke and fast-check shrinks the schedule for it.
//
// Reproduce a failure with the seed and path fast-check prints:
//   FC_SEED=123 FC_PATH="4:1:0" npx vitest run test/unit/engine/ephemeral.property.test.ts
// FC_RUNS overrides the number of schedules (default 500; a schedule takes about 8ms).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Simulation, worldCreate } from '../../../src/engine/sim';
import { defaultClusterOptions } from '../../../src/engine/config';
import type { ClientCommand, Command, LogEntry, TraceEvent } from '../../../src/engine/trace';
import { MS, S, leaderOf, names } from './helpers';
import { type CommonFault, Hang, scheduleDriver } from './schedule';

const RUNS = Number(process.env['FC_RUNS'] ?? 500);
/** One seed for every rule (so they look at the same schedules); fast-check prints it on failure. */
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : Math.floor(Math.random() * 0x7fffffff);
const PATH = process.env['FC_PATH'];

const NODES = names(5);
const CLIENTS = ['A', 'B', 'C', 'D'];
const KEYS = ['/s/a', '/s/b'];
const HOUR = 3_600 * S;

/** How long after healing the cluster must be stable: one leader, its no-op committed, every node caught up. */
const STABLE_BOUND_US = 10 * S;
/** How long a stable cluster may take to have every node apply what is committed (at the settle check). */
const CONVERGE_BOUND_US = 2 * S;
/**
 * The "bound" beyond a lease's TTL, counted from the latest of: its put applied (on any node: each
 * restarted node re-applies it, and sets its deadline again), its client's last keep-alive sent, the
 * last leader's promotion (which gives every lease a whole TTL), the end of healing. What it covers:
 * the keep-alive's flight (at most 10ms, twice with a redirect), the lessor's next heartbeat tick
 * (50ms), the expiry's commit (a round trip, 20ms) and the apply. That is about 100ms; the bound is
 * two maximum election timeouts (300ms each), as the lock test's, so an expiry whose commit waits for
 * an election fits too (a leader deposed before its expiry commits: its successor's promotion, from
 * which the rule counts, is up to an election later). Over 5,500 schedules (six seeds) a lease ended
 * at most 74ms after its TTL.
 */
const SLACK_US = 600 * MS;

// ---------------------------------------------------------------------------------------------------
// Schedules

type ClientStep =
  /** `create`: only if the key is absent (ZooKeeper's `create -e`). */
  | { k: 'eput'; client: number; key: number; value: number; ttlUs: number; renew: number; create: boolean; force: boolean }
  | { k: 'put'; client: number; key: number; value: number; force: boolean }
  | { k: 'delete'; client: number; key: number; force: boolean }
  | { k: 'cas'; client: number; key: number; expect: number | null; value: number; force: boolean }
  | { k: 'lock'; client: number; key: number; ttlUs: number; renew: boolean; force: boolean }
  | { k: 'client-pause'; client: number; us: number };

type EphemeralFault = ClientStep | CommonFault;

interface Step {
  gapUs: number;
  f: EphemeralFault;
}

interface EphemeralSchedule {
  seed: number;
  prevote: boolean;
  checkQuorum: boolean;
  clients: number;
  keys: number;
  steps: Step[];
  /** Per client: gone for good once the cluster is healed (a GC pause that never ends: no keep-alives). */
  goneAtHeal: boolean[];
}

const node = fc.nat(4);
const client = fc.nat(3);
const key = fc.nat(KEYS.length - 1);
const value = fc.nat(3);
/**
 * Renew, as a fraction of the TTL: never; a fifth, a quarter, a third (kept alive with a margin: the
 * no-premature-expiry rule follows these); a half, four fifths (below the TTL, with less margin).
 */
const RENEW = [0, 0.2, 0.25, 1 / 3, 0.5, 0.8];
const ttl = fc.integer({ min: 200, max: 2_000 }).map((ms) => ms * MS);

const KINDS: { kind: string; weight: number; arbitrary: fc.Arbitrary<EphemeralFault> }[] = [
  {
    kind: 'eput',
    weight: 6,
    arbitrary: fc.record({
      k: fc.constant('eput' as const),
      client,
      key,
      value,
      ttlUs: ttl,
      renew: fc.nat(RENEW.length - 1),
      create: fc.nat(3).map((n) => n === 0),
      force: fc.boolean(),
    }),
  },
  { kind: 'put', weight: 2, arbitrary: fc.record({ k: fc.constant('put' as const), client, key, value, force: fc.boolean() }) },
  { kind: 'delete', weight: 1, arbitrary: fc.record({ k: fc.constant('delete' as const), client, key, force: fc.boolean() }) },
  { kind: 'cas', weight: 1, arbitrary: fc.record({ k: fc.constant('cas' as const), client, key, expect: fc.option(value, { freq: 3, nil: null }), value, force: fc.boolean() }) },
  { kind: 'lock', weight: 1, arbitrary: fc.record({ k: fc.constant('lock' as const), client, key, ttlUs: ttl, renew: fc.boolean(), force: fc.boolean() }) },
  { kind: 'client-pause', weight: 2, arbitrary: fc.record({ k: fc.constant('client-pause' as const), client, us: fc.integer({ min: 100, max: 4_000 }).map((ms) => ms * MS) }) },
  { kind: 'crash', weight: 2, arbitrary: fc.record({ k: fc.constantFrom('crash' as const, 'restart' as const, 'reboot' as const), node }) },
  { kind: 'pause', weight: 1, arbitrary: fc.record({ k: fc.constant('pause' as const), node, us: fc.integer({ min: 10, max: 2_000 }).map((ms) => ms * MS) }) },
  { kind: 'partition', weight: 2, arbitrary: fc.record({ k: fc.constant('partition' as const), groups: fc.array(fc.nat(2), { minLength: 5, maxLength: 5 }) }) },
  { kind: 'heal', weight: 1, arbitrary: fc.constant({ k: 'heal' as const }) },
  { kind: 'loss', weight: 1, arbitrary: fc.record({ k: fc.constant('loss' as const), permille: fc.integer({ min: 0, max: 400 }) }) },
  { kind: 'duplicate', weight: 1, arbitrary: fc.record({ k: fc.constant('duplicate' as const), permille: fc.integer({ min: 0, max: 300 }) }) },
];

const CLIENT_KINDS = new Set(['eput', 'put', 'delete', 'cas', 'lock']);

/** Swarm testing (as schedule.ts): each schedule draws its faults from a random subset of the kinds; client steps are always in. */
function ephemeralScheduleArb(maxSteps: number): fc.Arbitrary<EphemeralSchedule> {
  const always = KINDS.filter((k) => CLIENT_KINDS.has(k.kind));
  const optional = KINDS.filter((k) => !CLIENT_KINDS.has(k.kind));
  return fc.subarray(optional).chain((ks) => {
    const kinds = [...always, ...ks];
    return fc.record({
      seed: fc.nat(0xffffffff),
      prevote: fc.boolean(),
      checkQuorum: fc.boolean(),
      clients: fc.integer({ min: 2, max: 4 }),
      keys: fc.integer({ min: 1, max: KEYS.length }),
      steps: fc.array(
        fc.record({
          gapUs: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 100 * MS }) }, { weight: 2, arbitrary: fc.integer({ min: 100 * MS, max: 1500 * MS }) }),
          f: fc.oneof(...kinds.map((k) => ({ weight: k.weight, arbitrary: k.arbitrary }))),
        }),
        { minLength: 5, maxLength: maxSteps, size: 'max' },
      ),
      goneAtHeal: fc.array(fc.nat(3).map((n) => n === 0), { minLength: CLIENTS.length, maxLength: CLIENTS.length }),
    });
  });
}

function describeSchedule(sc: EphemeralSchedule): string {
  const steps = sc.steps.map((s) => `+${Math.round(s.gapUs / 1000)}ms ${JSON.stringify(s.f)}`);
  const gone = CLIENTS.slice(0, sc.clients).filter((_, i) => sc.goneAtHeal[i]);
  return `seed ${sc.seed}, prevote=${sc.prevote} checkQuorum=${sc.checkQuorum}, ${sc.clients} clients, ${sc.keys} keys, gone at heal: ${gone.join(',') || 'none'}\n  ${steps.join('\n  ')}`;
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

interface Recorded {
  applied: Map<number, Applied>;
  /** Apply events out of order on a node (each life of a node applies 1, 2, 3, …), or disagreeing. */
  applyOrder: string[];
  /** Answers the clients took, as "client|result" (ok answers only). */
  told: Set<string>;
  /** Last KeepAlive a client sent, by "client|key|token". */
  keepAlive: Map<string, number>;
  keepAlivesSent: number;
  keepAlivesRenewed: number;
  /** When a client was first told its lease is gone (a KeepAliveResponse "expired…"), by "client|key|token". */
  forgot: Map<string, number>;
  promotions: number[];
  violations: string[];
}

function recorder(): { rec: Recorded; take: (e: TraceEvent) => void } {
  const rec: Recorded = {
    applied: new Map(),
    applyOrder: [],
    told: new Set(),
    keepAlive: new Map(),
    keepAlivesSent: 0,
    keepAlivesRenewed: 0,
    forgot: new Map(),
    promotions: [],
    violations: [],
  };
  const lastApplied = new Map<string, number>();
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
      case 'client-response':
        if (e.ok) rec.told.add(`${e.client}|${e.result}`);
        return;
      case 'send':
        if (e.msg.type === 'KeepAlive') {
          rec.keepAlive.set(`${e.from}|${e.msg.lock}|${e.msg.token}`, e.t);
          rec.keepAlivesSent++;
        }
        return;
      case 'deliver':
        if (e.msg.type === 'KeepAliveResponse') {
          if (e.msg.ok) rec.keepAlivesRenewed++;
          else if (e.msg.result.startsWith('expired')) {
            const k = `${e.to}|${e.msg.lock}|${e.msg.token}`;
            if (!rec.forgot.has(k)) rec.forgot.set(k, e.t);
          }
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

/** A node's state machine at one moment: its applied index, keys, and lease and lock records. */
interface NodeState {
  name: string;
  status: string;
  commitIndex: number;
  lastApplied: number;
  kv: [string, string][];
  /** "key: ephemeral|lock token holder", sorted. */
  records: string[];
}

interface Snapshot {
  t: number;
  nodes: NodeState[];
}

interface Run {
  /** The simulation stopped advancing virtual time (an event storm at one instant), or null. */
  hang: string | null;
  rec: Recorded;
  /** End of healing: network whole, every node up, every pause over. */
  healedUs: number;
  /** After healing: one leader of the highest term, its no-op committed, every node caught up (null: never). */
  stableUs: number | null;
  /** The settle check: the remaining clients have kept renewing since healing. */
  settled: Snapshot | null;
  /** When every client was made to go (no more keep-alives from anyone). */
  letGoUs: number;
  endUs: number;
  end: Snapshot;
  /** Renew interval of each ephemeral put, by "client|seq". */
  renewUs: Map<string, number>;
  /** Liveness problems the driver saw itself (no stable leader, leases left held). */
  stuck: string[];
  /** Clients gone for good from the end of healing, and when. */
  goneUs: Map<string, number>;
  violations: number;
  clientPauses: number;
}

function play(sc: EphemeralSchedule): Run {
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
  const renewUs = new Map<string, number>();
  const stuck: string[] = [];
  const goneUs = new Map<string, number>();
  let clientPauses = 0;

  const snapshot = (): Snapshot => ({
    t: world.now,
    nodes: world.nodes.map((n) => ({
      name: n.name,
      status: n.status,
      commitIndex: n.raft.commitIndex,
      lastApplied: n.raft.lastApplied,
      kv: [...n.raft.kv].sort(),
      records: [...n.raft.locks].map(([k, l]) => `${k}: ${l.ephemeral ? 'ephemeral' : 'lock'} ${l.token} ${l.holder}`).sort(),
    })),
  });

  const doClientStep = (f: ClientStep): void => {
    const name = clients[f.client % clients.length]!;
    const c = sim.client(name);
    if (f.k === 'client-pause') {
      if (!c.paused) clientPauses++;
      sim.pauseClient(name, f.us);
      return;
    }
    const k = KEYS[f.key % sc.keys]!;
    if (!sim.clientDone(name)) {
      if (!f.force) return;
      sim.abandon(name, 'superseded');
    }
    switch (f.k) {
      case 'eput': {
        const renew = Math.floor(f.ttlUs * RENEW[f.renew]!);
        const make = (seq: number): ClientCommand => {
          const cmd: ClientCommand = { op: 'ephemeral', key: k, value: `v${f.value}`, ttlUs: f.ttlUs, client: name, seq };
          if (f.create) cmd.ifAbsent = true;
          return cmd;
        };
        sim.submit(name, make, null, { pollUs: 0, renewUs: renew, polling: false });
        renewUs.set(`${name}|${c.seq}`, renew);
        return;
      }
      case 'put':
        sim.submit(name, (seq): ClientCommand => ({ op: 'put', key: k, value: `v${f.value}`, client: name, seq }), null);
        return;
      case 'delete':
        sim.submit(name, (seq): ClientCommand => ({ op: 'delete', key: k, client: name, seq }), null);
        return;
      case 'cas': {
        const expect = f.expect === null ? null : `v${f.expect}`;
        sim.submit(name, (seq): ClientCommand => ({ op: 'cas', key: k, expect, value: `v${f.value}`, client: name, seq }), null);
        return;
      }
      case 'lock':
        sim.submit(name, (seq): ClientCommand => ({ op: 'lock', key: k, ttlUs: f.ttlUs, client: name, seq }), null, {
          pollUs: 200 * MS,
          renewUs: f.renew ? Math.floor(f.ttlUs / 4) : 0,
          polling: false,
        });
        return;
    }
  };

  const driver = scheduleDriver<ClientStep>({
    sim,
    world,
    nodes: NODES,
    clients,
    sink,
    drain,
    isClientStep: (f): f is ClientStep => f.k === 'eput' || f.k === 'put' || f.k === 'delete' || f.k === 'cas' || f.k === 'lock' || f.k === 'client-pause',
    clientStep: doClientStep,
  });
  const { advance, runUntil } = driver;
  const playSteps = (): void => driver.play(sc.steps);

  // Heal everything; the paused nodes and clients resume (and the clients do what waited for that).
  const healAll = (): void => {
    driver.healAll();
    healedUs = world.now;
    clients.forEach((n, i) => {
      if (!sc.goneAtHeal[i]) return;
      sim.pauseClient(n, HOUR);
      goneUs.set(n, world.now);
    });
    drain();
  };

  const converged = (): boolean => {
    let top = 0;
    for (const n of world.nodes) top = Math.max(top, n.raft.commitIndex);
    return world.nodes.every((n) => n.status === 'up' && n.raft.commitIndex === top && n.raft.lastApplied === top);
  };
  /** One leader of the highest term, whose no-op (an entry of its term) is committed, and every node caught up with it in that term. */
  const stable = (): boolean => {
    const l = leaderOf(world);
    if (l === null) return false;
    const s = world.nodes.find((n) => n.name === l)!.raft;
    if (s.commitIndex === 0 || s.log[s.commitIndex - 1]!.term !== s.term) return false;
    return converged() && world.nodes.every((n) => n.raft.term === s.term);
  };

  let maxTtl = 0;
  for (const s of sc.steps) if (s.f.k === 'eput' || s.f.k === 'lock') maxTtl = Math.max(maxTtl, s.f.ttlUs);

  const settle = (): void => {
    if (!runUntil(STABLE_BOUND_US, stable)) {
      stuck.push(`no stable leader (no-op committed, every node caught up) within ${STABLE_BOUND_US / S}s of healing`);
      return;
    }
    stableUs = world.now;
    // Long enough that a lease alive one TTL (+ slack) after the cluster became stable has to be
    // renewed for two TTLs more.
    advance(stableUs + 3 * maxTtl + SLACK_US + 1 * S);
    if (!runUntil(CONVERGE_BOUND_US, converged)) stuck.push(`nodes not caught up ${CONVERGE_BOUND_US / S}s into the settle check`);
    settled = snapshot();
  };

  // Every client goes (a GC pause that never ends: no more keep-alives); every lease must run out.
  const letGo = (): void => {
    for (const n of clients) {
      if (goneUs.has(n)) continue;
      sim.pauseClient(n, HOUR);
    }
    drain();
    letGoUs = world.now;
    const freeEverywhere = (): boolean => converged() && world.nodes.every((n) => n.raft.locks.size === 0);
    // Waiters that gave up on a lock may still be handed it, each holding it for its TTL: a chain of at
    // most one grant per client; an ephemeral put still in flight starts its lease late.
    const freeBy = (clients.length + 1) * (maxTtl + SLACK_US) + 1 * S;
    if (!runUntil(freeBy, freeEverywhere)) {
      const held = world.nodes.map(
        (n) => `${n.name}: ${[...n.raft.locks].map(([k, l]) => `${k} ${l.ephemeral ? 'lease' : 'lock'} ${l.token} of ${l.holder}`).join(', ') || 'none'} (applied ${n.raft.lastApplied}/${n.raft.commitIndex})`,
      );
      stuck.push(`leases still held (or nodes not caught up) ${Math.round(freeBy / MS)}ms after every client went: ${held.join('; ')}`);
    }
  };

  sim.start();
  let healedUs = -1;
  let stableUs: number | null = null;
  let settled: Snapshot | null = null;
  let letGoUs = -1;
  let hang: string | null = null;
  try {
    playSteps();
    healAll();
    settle();
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
    stableUs,
    settled,
    letGoUs,
    endUs: world.now,
    end: snapshot(),
    renewUs,
    stuck,
    goneUs,
    violations: world.violations,
    clientPauses,
  };
}

// ---------------------------------------------------------------------------------------------------
// The model: a register per key, and a record per name (an ephemeral key's lease, or a lock)

/** An ephemeral key's lease, as the model granted it. */
interface Lease {
  key: string;
  /** The lease's number: the log index of its put. */
  token: number;
  client: string;
  seq: number;
  value: string;
  ttlUs: number;
  /** Log index of the entry that ended it (its expiry, a plain write or delete, a newer ephemeral put of the key), or null. */
  end: number | null;
  how: 'expire' | 'detach' | 'replace' | null;
}

interface ModelRecord {
  ephemeral: boolean;
  holder: string;
  seq: number;
  token: number;
  waiters: { client: string; seq: number }[];
}

/** The model's state machine as of one index, written as NodeState's `kv` and `records`. */
interface ModelState {
  kv: [string, string][];
  records: string[];
}

interface Replay {
  problems: string[];
  leases: Lease[];
  /** The model's state as of each index asked for. */
  states: Map<number, ModelState>;
  stats: { leases: number; expiries: number; staleExpiries: number; detaches: number; replacements: number; refusedLock: number; refusedCreate: number; lockGrants: number; duplicates: number };
}

/**
 * Replays the applied log (the same on every node, which `agreement` checks) through a model written
 * from the service's rules, and checks each result:
 * - an ephemeral put sets the key and starts a lease numbered by its index (`lease N`), replacing an
 *   earlier lease of the key, unless the name is a lock's (`failed: KEY is a lock`, nothing changes)
 *   or it is a create of a key that has a value (`failed: KEY=VALUE`, nothing changes);
 * - a plain put, a delete and a successful compare-and-swap take the key off its lease (etcd);
 * - an expiry of the key's current lease deletes the key (`expired; key deleted`); of a lock, releases
 *   it to its first live waiter; of anything else, `already released`;
 * - a lock is granted if free, the same token to its holder, queued behind another holder, refused
 *   for an ephemeral key's name;
 * - a retried command (a client's sequence number not above its last) gets its last answer again.
 */
function replayModel(applied: Map<number, Applied>, capture: ReadonlySet<number>): Replay {
  const problems: string[] = [];
  const leases: Lease[] = [];
  const states = new Map<number, ModelState>();
  const stats = { leases: 0, expiries: 0, staleExpiries: 0, detaches: 0, replacements: 0, refusedLock: 0, refusedCreate: 0, lockGrants: 0, duplicates: 0 };
  const kv = new Map<string, string>();
  const records = new Map<string, ModelRecord>();
  const current = new Map<string, Lease>();
  const sessions = new Map<string, { seq: number; result: string }>();
  const state = (): ModelState => ({
    kv: [...kv].sort(),
    records: [...records].map(([k, r]) => `${k}: ${r.ephemeral ? 'ephemeral' : 'lock'} ${r.token} ${r.holder}`).sort(),
  });
  const endLease = (k: string, index: number, how: 'expire' | 'detach' | 'replace'): void => {
    const l = current.get(k);
    if (l === undefined) return;
    l.end = index;
    l.how = how;
    current.delete(k);
    stats[how === 'expire' ? 'expiries' : how === 'detach' ? 'detaches' : 'replacements']++;
  };
  /** A plain write of `k`: off its lease, if it has one. */
  const detach = (k: string, index: number): void => {
    if (records.get(k)?.ephemeral !== true) return;
    records.delete(k);
    endLease(k, index, 'detach');
  };
  const release = (k: string, index: number): string => {
    const r = records.get(k)!;
    for (let w = r.waiters.shift(); w !== undefined; w = r.waiters.shift()) {
      const s = sessions.get(w.client);
      if (s?.seq !== w.seq) continue; // its client has sent a newer command since: it no longer waits
      r.holder = w.client;
      r.seq = w.seq;
      r.token = index;
      s.result = `token ${index}`;
      stats.lockGrants++;
      return `; ${w.client} takes it, token ${index}`;
    }
    records.delete(k);
    return '';
  };
  const top = Math.max(0, ...applied.keys());
  if (capture.has(0)) states.set(0, state());
  for (let index = 1; index <= top; index++) {
    const a = applied.get(index);
    if (a === undefined) {
      problems.push(`no node applied index ${index} (below ${top})`);
      break;
    }
    const cmd: Command = a.entry.cmd;
    let expected: string;
    if (cmd.op === 'noop') expected = '';
    else if (cmd.op === 'expire') {
      const r = records.get(cmd.key);
      if (r === undefined || r.token !== cmd.token) {
        expected = 'already released';
        stats.staleExpiries++;
      } else if (r.ephemeral) {
        records.delete(cmd.key);
        kv.delete(cmd.key);
        endLease(cmd.key, index, 'expire');
        expected = 'expired; key deleted';
      } else expected = `expired${release(cmd.key, index)}`;
    } else {
      const s = sessions.get(cmd.client);
      if (s !== undefined && s.seq >= cmd.seq) {
        expected = s.result;
        stats.duplicates++;
      } else {
        switch (cmd.op) {
          case 'put':
            kv.set(cmd.key, cmd.value);
            detach(cmd.key, index);
            expected = 'OK';
            break;
          case 'delete':
            expected = kv.delete(cmd.key) ? 'deleted' : 'not found';
            detach(cmd.key, index);
            break;
          case 'cas': {
            const cur = kv.get(cmd.key);
            if ((cur ?? null) === cmd.expect) {
              kv.set(cmd.key, cmd.value);
              detach(cmd.key, index);
              expected = 'OK';
            } else expected = `failed: ${cmd.key}=${cur ?? '(none)'}`;
            break;
          }
          case 'ephemeral': {
            const r = records.get(cmd.key);
            if (r !== undefined && !r.ephemeral) {
              expected = `failed: ${cmd.key} is a lock`;
              stats.refusedLock++;
              break;
            }
            const cur = kv.get(cmd.key);
            if (cmd.ifAbsent === true && cur !== undefined) {
              expected = `failed: ${cmd.key}=${cur}`;
              stats.refusedCreate++;
              break;
            }
            if (r !== undefined) endLease(cmd.key, index, 'replace');
            kv.set(cmd.key, cmd.value);
            records.set(cmd.key, { ephemeral: true, holder: cmd.client, seq: cmd.seq, token: index, waiters: [] });
            const l: Lease = { key: cmd.key, token: index, client: cmd.client, seq: cmd.seq, value: cmd.value, ttlUs: cmd.ttlUs, end: null, how: null };
            leases.push(l);
            current.set(cmd.key, l);
            stats.leases++;
            expected = `lease ${index}`;
            break;
          }
          case 'lock': {
            const r = records.get(cmd.key);
            if (r === undefined) {
              records.set(cmd.key, { ephemeral: false, holder: cmd.client, seq: cmd.seq, token: index, waiters: [] });
              stats.lockGrants++;
              expected = `token ${index}`;
            } else if (r.ephemeral) expected = `failed: ${cmd.key} is an ephemeral key, not a lock`;
            else if (r.holder === cmd.client) expected = `token ${r.token}`;
            else {
              r.waiters.push({ client: cmd.client, seq: cmd.seq });
              expected = `queued behind ${r.holder}`;
            }
            break;
          }
          default:
            expected = `(no ${cmd.op} in these schedules)`;
        }
        if (s === undefined) sessions.set(cmd.client, { seq: cmd.seq, result: expected });
        else {
          s.seq = cmd.seq;
          s.result = expected;
        }
      }
    }
    if (a.result !== expected) problems.push(`index ${index}: ${JSON.stringify(cmd)} answered "${a.result}", the model says "${expected}"`);
    if (capture.has(index)) states.set(index, state());
  }
  return { problems, leases, states, stats };
}

// ---------------------------------------------------------------------------------------------------
// The rules

type Rule = 'progress' | 'violations' | 'agreement' | 'model' | 'lessor' | 'renewed';

interface Stats {
  leases: number;
  expiries: number;
  expiriesAfterHeal: number;
  staleExpiries: number;
  detaches: number;
  replacements: number;
  refusedLock: number;
  refusedCreate: number;
  lockGrants: number;
  duplicates: number;
  keepAlivesSent: number;
  keepAlivesRenewed: number;
  clientPauses: number;
  /** Leases the no-premature-expiry rule followed to the settle check. */
  keptAlive: number;
  /** Of those, leases put before healing (that lived through the faults). */
  keptAliveFromFaults: number;
  /** The latest a lease ended after its TTL (from the lessor rule's start), in µs. */
  maxLateUs: number;
  virtualUs: number;
}

interface Verdict {
  problems: Record<Rule, string[]>;
  stats: Stats;
}

function judge(sc: EphemeralSchedule): Verdict {
  const run = play(sc);
  const { rec } = run;
  const p: Record<Rule, string[]> = { progress: [], violations: [], agreement: [], model: [], lessor: [], renewed: [] };

  if (run.hang !== null) p.progress.push(run.hang);

  // Invariants of the engine's checkers, after every event.
  if (run.violations > 0 || rec.violations.length > 0) p.violations.push(`${run.violations} violations: ${rec.violations.slice(0, 3).join('; ')}`);

  // State machine safety: every node applies 1, 2, 3, … and the same command with the same result at each index.
  p.agreement.push(...rec.applyOrder.slice(0, 5));

  // The model: every result, and every node's keys and records (at the settle check and at the end).
  const snapshots = [run.settled, run.end].filter((s): s is Snapshot => s !== null);
  const capture = new Set(snapshots.flatMap((s) => s.nodes.map((n) => n.lastApplied)));
  const replay = replayModel(rec.applied, capture);
  p.model.push(...replay.problems.slice(0, 5));
  for (const s of snapshots) {
    for (const n of s.nodes) {
      const m = replay.states.get(n.lastApplied);
      if (m === undefined) continue; // the replay stopped before (a problem already)
      const got = JSON.stringify({ kv: n.kv, records: n.records });
      const want = JSON.stringify(m);
      if (got !== want) p.model.push(`${n.name} at ${s.t}us (applied ${n.lastApplied}) holds ${got}, the model ${want}`);
    }
  }

  const stats: Stats = {
    ...replay.stats,
    expiriesAfterHeal: 0,
    keepAlivesSent: rec.keepAlivesSent,
    keepAlivesRenewed: rec.keepAlivesRenewed,
    clientPauses: run.clientPauses,
    keptAlive: 0,
    keptAliveFromFaults: 0,
    maxLateUs: 0,
    virtualUs: run.endUs,
  };

  // The liveness rules need a run that went to its end.
  if (run.hang !== null) return { problems: p, stats };

  const firstUs = (i: number): number => rec.applied.get(i)!.firstUs;
  /** The latest a node applied entry `i` before `before` (a restarted node re-applies it, and starts its TTL again). */
  const appliedAt = (i: number, before: number): number => Math.max(...rec.applied.get(i)!.times.filter((t) => t < before), firstUs(i));

  // The lessor (etcd): once the cluster is healed, a lease ends within its TTL (+ slack) of the latest
  // of: its put being applied (on any node), its client's last keep-alive, the last leader's promotion
  // (which extends every lease by its TTL), the end of healing. Every client goes at the end, so every
  // lease must end.
  p.lessor.push(...run.stuck);
  for (const l of replay.leases) {
    const endUs = l.end === null ? null : firstUs(l.end);
    if (l.how === 'expire' && endUs! > run.healedUs) stats.expiriesAfterHeal++;
    if (endUs !== null && endUs <= run.healedUs) continue;
    const until = endUs ?? run.endUs;
    const promoted = Math.max(0, ...rec.promotions.filter((t) => t < until));
    const renewed = rec.keepAlive.get(`${l.client}|${l.key}|${l.token}`) ?? 0;
    const applied = appliedAt(l.token, until);
    const from = Math.max(run.healedUs, applied, renewed, promoted);
    if (endUs !== null) stats.maxLateUs = Math.max(stats.maxLateUs, until - (from + l.ttlUs));
    const due = from + l.ttlUs + SLACK_US;
    if (until > due)
      p.lessor.push(
        `${l.key} lease ${l.token} (${l.client}, ttl ${l.ttlUs / MS}ms, renew ${(run.renewUs.get(`${l.client}|${l.seq}`) ?? 0) / MS}ms) ` +
          `${endUs === null ? `still on its lease at the end (${run.endUs}us)` : `ended (${l.how}) at ${endUs}us`}, due by ${due}us ` +
          `(healed ${run.healedUs}us, applied ${applied}us, last keep-alive ${renewed}us, last promotion ${promoted}us, all clients gone ${run.letGoUs}us)`,
      );
  }
  // Every lease ended in the log.
  for (const l of replay.leases) if (l.end === null && run.stuck.length === 0) p.lessor.push(`${l.key} lease ${l.token} (${l.client}) never ended, though every client went at ${run.letGoUs}us`);

  // No premature expiry. A lease whose client was told it, renews every third of its TTL or more often,
  // is not gone, and whose key nobody wrote since, must stay once the healed cluster is stable. Not
  // before: during the faults its keep-alives may not reach the leader for a whole TTL (a partition,
  // loss, its client's GC pause), and it expires rightly; that expiry may even commit only after
  // healing (proposed by a leader that lost its majority, committed with the next leader's no-op), and a
  // lease the leader counts as running out at the heal expires right after it. So the rule starts one
  // renew interval (+ slack) after the cluster is stable (one leader, its no-op committed, every node
  // caught up): by then every expiry proposed before is applied, every deadline that had passed is
  // acted on, and the leader has had a keep-alive from every client that still renews (within a renew
  // interval, once redirected); from then on each keep-alive comes within a third of a TTL of the last,
  // and a new leader counts a whole TTL from its promotion. A client told "expired" before that (the
  // leader had proposed the expiry, which a new leader may then have dropped) stops renewing: its
  // lease is not followed. A lease alive then is still on the settle check, at least two TTLs later,
  // with its key, value and lease on every node that has applied everything committed.
  if (run.stableUs !== null && run.settled !== null) {
    const settled = run.settled;
    const top = Math.max(...settled.nodes.map((n) => n.commitIndex));
    for (const l of replay.leases) {
      if (l.how === 'detach' || l.how === 'replace') continue;
      const renew = run.renewUs.get(`${l.client}|${l.seq}`) ?? 0;
      if (renew <= 0 || 3 * renew > l.ttlUs || run.goneUs.has(l.client) || !rec.told.has(`${l.client}|lease ${l.token}`)) continue;
      const from = run.stableUs + renew + SLACK_US;
      if ((rec.forgot.get(`${l.client}|${l.key}|${l.token}`) ?? Infinity) <= from) continue;
      const endUs = l.end === null ? null : firstUs(l.end);
      if (endUs !== null && endUs <= from) continue;
      if (l.token > top && endUs === null) continue; // applied after the settle check
      stats.keptAlive++;
      if (firstUs(l.token) <= run.healedUs) stats.keptAliveFromFaults++;
      if (endUs !== null && endUs <= settled.t) {
        p.renewed.push(
          `${l.key} lease ${l.token} (${l.client}, ttl ${l.ttlUs / MS}ms, renew ${renew / MS}ms) expired at ${endUs}us, after it had lived to ${from}us ` +
            `(stable ${run.stableUs}us; last keep-alive ${rec.keepAlive.get(`${l.client}|${l.key}|${l.token}`) ?? 'none'}us; ` +
            `told gone ${rec.forgot.get(`${l.client}|${l.key}|${l.token}`) ?? 'never'}us)`,
        );
        continue;
      }
      for (const n of settled.nodes) {
        if (n.lastApplied !== top) continue;
        const v = n.kv.find(([k]) => k === l.key)?.[1];
        const r = n.records.find((x) => x.startsWith(`${l.key}: `));
        if (v !== l.value || r !== `${l.key}: ephemeral ${l.token} ${l.client}`)
          p.renewed.push(`${l.key} lease ${l.token} (${l.client}, value ${l.value}): at the settle check (${settled.t}us) ${n.name} holds ${v ?? 'no value'}, record ${r ?? 'none'}`);
      }
    }
  }

  return { problems: p, stats };
}

// ---------------------------------------------------------------------------------------------------
// Tests: every rule looks at the same schedules (same seed), each played once.

const verdicts = new Map<string, Verdict>();

function verdictOf(sc: EphemeralSchedule): Verdict {
  const k = JSON.stringify(sc);
  let v = verdicts.get(k);
  if (v === undefined) {
    v = judge(sc);
    verdicts.set(k, v);
  }
  return v;
}

const ARB = ephemeralScheduleArb(40);

function holds(rule: Rule): void {
  fc.assert(
    fc.property(ARB, (sc) => {
      const problems = verdictOf(sc).problems[rule];
      if (problems.length > 0) throw new Error(`${problems.join('\n')}\nschedule: ${describeSchedule(sc)}`);
    }),
    { numRuns: RUNS, seed: SEED, path: PATH },
  );
}

describe(`ephemeral keys under random fault schedules (fast-check, ${RUNS} schedules, seed ${SEED})`, () => {
  it('progress: virtual time keeps advancing (no client or node re-arms a timer at the same instant forever)', () => holds('progress'));

  it('no invariant violations: the engine checkers stay silent throughout (world.violations === 0)', () => holds('violations'));

  it('state machine agreement: every node that applied index i applied the same command with the same result', () => holds('agreement'));

  it('ephemeral-key safety: every result of the applied log, and every node’s keys and leases, match a model of registers and leases', () =>
    holds('model'));

  it('etcd lessor liveness: a lease whose client stopped sending keep-alives ends within TTL + bound after the cluster heals, and every lease ends', () =>
    holds('lessor'));

  it('no premature expiry after healing: a key whose client keeps renewing (every third of its TTL) stays, on its lease, on every caught-up node', () =>
    holds('renewed'));

  it('the schedules exercise the service: ephemeral puts and creates, keep-alives, expiries that delete keys, detaches, client pauses', () => {
    const total: Stats = {
      leases: 0,
      expiries: 0,
      expiriesAfterHeal: 0,
      staleExpiries: 0,
      detaches: 0,
      replacements: 0,
      refusedLock: 0,
      refusedCreate: 0,
      lockGrants: 0,
      duplicates: 0,
      keepAlivesSent: 0,
      keepAlivesRenewed: 0,
      clientPauses: 0,
      keptAlive: 0,
      keptAliveFromFaults: 0,
      maxLateUs: 0,
      virtualUs: 0,
    };
    for (const sc of fc.sample(ARB, { numRuns: RUNS, seed: SEED })) {
      const s = verdictOf(sc).stats;
      for (const k of Object.keys(total) as (keyof Stats)[]) total[k] = k === 'maxLateUs' ? Math.max(total[k], s[k]) : total[k] + s[k];
    }
    if (process.env['FC_STATS'] !== undefined) console.info(JSON.stringify(total));
    expect(total.leases).toBeGreaterThan(RUNS);
    expect(total.keepAlivesRenewed).toBeGreaterThan(RUNS);
    expect(total.expiries).toBeGreaterThan(0);
    expect(total.expiriesAfterHeal).toBeGreaterThan(0);
    expect(total.detaches).toBeGreaterThan(0);
    expect(total.replacements).toBeGreaterThan(0);
    expect(total.refusedCreate).toBeGreaterThan(0);
    expect(total.clientPauses).toBeGreaterThan(0);
    expect(total.keptAlive).toBeGreaterThan(0);
    expect(total.keptAliveFromFaults).toBeGreaterThan(0);
  });
});
