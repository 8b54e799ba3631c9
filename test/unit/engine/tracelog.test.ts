// The columnar trace store (src/engine/tracelog.ts). The trace is the contract (trace.ts): whatever the
// engine keeps in columns must read back as the very events it would have written as objects, field by
// field and key by key. These tests compare the two ways a Simulation can keep its trace (a TraceLog it
// writes to alone, or an array every event is appended to as an object) over random fault schedules of
// every protocol, and check the TraceLog's own operations (chunk boundaries, truncate, clear, slice,
// iteration, name numbering) against a plain array of the same events.
//
// Reproduce a failing schedule with the seed and path fast-check prints:
//   FC_SEED=123 FC_PATH="4:1:0" npx vitest run test/unit/engine/tracelog.test.ts
// FC_RUNS overrides the number of schedules of each property.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ProtocolName, type RaftBugs, RAFT_BUGS, defaultClusterOptions } from '../../../src/engine/config';
import { Simulation, type World, worldCreate } from '../../../src/engine/sim';
import type { ClientCommand, Command, LogEntry, Message, TimerKind, TraceEvent } from '../../../src/engine/trace';
import { CHUNK, TraceLog, type TraceView, TraceWindow } from '../../../src/engine/tracelog';
import { MS, S, names } from './helpers';
import { type CommonFault, type Schedule, describeSchedule, isCommonFault, playCommonFault, runSchedule, scheduleArb } from './schedule';

const RUNS = process.env['FC_RUNS'] !== undefined ? Number(process.env['FC_RUNS']) : undefined;
// A fixed seed by default, so that the coverage of event kinds asserted below is the same on every run.
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : 20240611;
const PATH = process.env['FC_PATH'];

// ---------------------------------------------------------------------------------------------------
// Two ways of keeping the trace of one run

type Sink = TraceEvent[] | TraceLog;

/**
 * An array sink that also records each event as JSON at the moment it is appended: what the engine
 * wrote, before anything it refers to could change.
 */
class Recorder extends Array<TraceEvent> {
  readonly written: string[] = [];
  override push(...evs: TraceEvent[]): number {
    for (const e of evs) this.written.push(JSON.stringify(e));
    return super.push(...evs);
  }
}

/** JSON of an event; `undefined` for a missing one (so two missing events compare equal). */
const json = (e: TraceEvent | undefined): string => (e === undefined ? 'undefined' : JSON.stringify(e));

/** The fields of each kind kept in columns, in the order trace.ts declares them (the engine's literals). */
const DECLARED: Partial<Record<TraceEvent['k'], string>> = {
  send: 'k,t,id,from,to,msg',
  deliver: 'k,t,id,from,to,msg',
  append: 'k,t,node,index,entry',
  apply: 'k,t,node,index,entry,result',
  commit: 'k,t,node,from,to,reason',
  timer: 'k,t,node,timer',
  'client-request': 'k,t,client,node,cmd',
  'client-response': 'k,t,client,node,ok,seq,result',
};

/**
 * The TraceLog holds exactly the array's events: equal (toEqual), with the same keys in the same order
 * (JSON), and its kindAt/timeAt agree. Throws with the first difference.
 */
function expectSameTrace(array: readonly TraceEvent[], log: TraceLog, what: () => string, deep = true): void {
  const got = log.slice();
  if (got.length !== array.length || JSON.stringify(got) !== JSON.stringify(array)) {
    let i = 0;
    while (i < Math.min(got.length, array.length) && json(got[i]) === json(array[i])) i++;
    throw new Error(
      `${what()}\nTraceLog has ${got.length} events, the array ${array.length}; first difference at ${i}:\n` +
        `  TraceLog: ${json(got[i])}\n  array:    ${json(array[i])}`,
    );
  }
  // JSON already compared every field; toEqual also tells `undefined` from a missing field.
  if (deep) expect(got).toEqual(array);
  // An array sink receives the column kinds as the TraceLog makes them, so the comparison above cannot
  // see their key order: check it against the declaration.
  for (let i = 0; i < got.length; i++) {
    const keys = DECLARED[got[i]!.k];
    if (keys !== undefined && Object.keys(got[i]!).join() !== keys) throw new Error(`${what()}\nat ${i}: keys ${Object.keys(got[i]!).join()}, declared ${keys}`);
  }
  for (let i = 0; i < array.length; i++) {
    if (log.kindAt(i) !== array[i]!.k || log.timeAt(i) !== array[i]!.t) {
      throw new Error(`${what()}\nat ${i}: kindAt ${log.kindAt(i)}, timeAt ${log.timeAt(i)}; the event is ${json(array[i])}`);
    }
  }
}

/** Nothing an event refers to changed after it was written: the array reads as it was recorded. */
function expectUnchanged(rec: Recorder, what: () => string): void {
  for (let i = 0; i < rec.length; i++) {
    const now = json(rec[i]);
    if (now !== rec.written[i]) throw new Error(`${what()}\nevent ${i} changed after it was traced:\n  written: ${rec.written[i]}\n  now:     ${now}`);
  }
}

/** Runs `play` once with an array sink and once with a TraceLog, and compares the traces. */
function bothWays(play: (sink: Sink) => void, what: () => string, kinds?: Set<string>): { events: number } {
  const array = new Recorder();
  play(array);
  const log = new TraceLog();
  play(log);
  expectUnchanged(array, what);
  expectSameTrace([...array], log, what);
  if (kinds !== undefined) for (const e of array) kinds.add(e.k);
  return { events: array.length };
}

// ---------------------------------------------------------------------------------------------------
// Raft: the fault schedules of schedule.ts

interface RaftRun {
  sc: Schedule;
  /** A teaching bug switched on, so that the checker's `violation` events appear too. */
  bug: keyof RaftBugs | null;
}

const raftRunArb: fc.Arbitrary<RaftRun> = fc.record({
  sc: scheduleArb(16),
  bug: fc.oneof({ weight: 3, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constantFrom(...RAFT_BUGS) }),
});

/**
 * Plays a schedule on the engine (runSchedule). Halfway through it carries on from a structured clone of
 * the world with a new Simulation on the same sink (as the session's snapshots do); after the steps it
 * holds two links, then releases one (delivered late) and drops the other, before the healing phase.
 */
function playRaft({ sc, bug }: RaftRun, sink: Sink): void {
  runSchedule(sc, {
    sink,
    bugs: bug === null ? {} : { [bug]: true },
    snapshotAt: sc.steps.length >> 1,
    afterSteps: (sim, run) => {
      sim.hold('n1', 'n2');
      sim.hold('n2', 'n1');
      run(300 * MS);
      sim.release('n1', 'n2', true);
      sim.release('n2', 'n1', false);
    },
  });
}

// ---------------------------------------------------------------------------------------------------
// Paxos, Multi-Paxos and bully on the engine

type Act =
  | CommonFault
  | { k: 'timeout' | 'propose'; node: number; value: number }
  | { k: 'hold'; from: number; to: number }
  | { k: 'release'; deliver: boolean }
  | { k: 'write'; client: number; key: number; value: number; via: number | null };

interface ProtoRun {
  protocol: Exclude<ProtocolName, 'raft'>;
  nodes: number;
  seed: number;
  steps: { gapUs: number; act: Act }[];
}

const nodeArb = fc.nat(6);
const actArb: fc.Arbitrary<Act> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ k: fc.constantFrom('crash' as const, 'restart' as const, 'reboot' as const), node: nodeArb, value: fc.constant(0) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('timeout' as const), node: nodeArb, value: fc.constant(0) }) },
  { weight: 4, arbitrary: fc.record({ k: fc.constant('propose' as const), node: nodeArb, value: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('pause' as const), node: nodeArb, us: fc.integer({ min: 10 * MS, max: 1 * S }) }) },
  { weight: 2, arbitrary: fc.record({ k: fc.constant('partition' as const), groups: fc.array(fc.nat(2), { minLength: 7, maxLength: 7 }) }) },
  { weight: 2, arbitrary: fc.constant({ k: 'heal' as const }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('cut' as const), from: nodeArb, to: nodeArb, both: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('loss' as const), permille: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('duplicate' as const), permille: fc.integer({ min: 0, max: 300 }) }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('hold' as const), from: nodeArb, to: nodeArb }) },
  { weight: 1, arbitrary: fc.record({ k: fc.constant('release' as const), deliver: fc.boolean() }) },
  {
    weight: 4,
    arbitrary: fc.record({ k: fc.constant('write' as const), client: fc.nat(2), key: fc.nat(2), value: fc.nat(999), via: fc.option(nodeArb, { freq: 4 }) }),
  },
);

const protoRunArb: fc.Arbitrary<ProtoRun> = fc.record({
  protocol: fc.constantFrom('paxos' as const, 'multi-paxos' as const, 'bully' as const),
  nodes: fc.constantFrom(3, 4, 5),
  seed: fc.nat(0xffffffff),
  steps: fc.array(
    fc.record({
      gapUs: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 50 * MS }) }, { weight: 1, arbitrary: fc.integer({ min: 50 * MS, max: 800 * MS }) }),
      act: actArb,
    }),
    { minLength: 4, maxLength: 16 },
  ),
});

function describeProtoRun(r: ProtoRun): string {
  return `${r.protocol}, ${r.nodes} nodes, seed ${r.seed}\n  ${r.steps.map((s) => `+${Math.round(s.gapUs / 1000)}ms ${JSON.stringify(s.act)}`).join('\n  ')}`;
}

/** Plays a schedule of another protocol than Raft; acts a protocol has no use for are skipped. */
function playProto(r: ProtoRun, sink: Sink): void {
  const ns = names(r.nodes);
  const o = defaultClusterOptions(ns, r.seed, r.protocol);
  let world: World = worldCreate(o);
  let sim = new Simulation(world, sink);
  sim.start();
  const run = (us: number, until?: () => boolean): void => void sim.run(world.now + us, Number.MAX_SAFE_INTEGER, until);
  const at = (i: number): string => ns[i % r.nodes]!;
  const held: [string, string][] = [];
  const clients = new Set<string>();
  const half = r.steps.length >> 1;
  for (const [i, step] of r.steps.entries()) {
    if (i === half) {
      world = structuredClone(world);
      sim = new Simulation(world, sink);
    }
    run(step.gapUs);
    const f = step.act;
    if (isCommonFault(f)) playCommonFault(sim, f, ns);
    switch (f.k) {
      case 'timeout':
        if (r.protocol !== 'paxos') sim.forceTimeout(at(f.node));
        break;
      case 'propose':
        if (r.protocol !== 'bully') sim.propose(at(f.node), ['A', 'B', 'C', 'D', 'E'][f.value]!);
        else sim.forceTimeout(at(f.node));
        break;
      case 'hold':
        if (at(f.from) !== at(f.to)) {
          sim.hold(at(f.from), at(f.to));
          held.push([at(f.from), at(f.to)]);
        }
        break;
      case 'release':
        for (const [a, b] of held.splice(0)) sim.release(a, b, f.deliver);
        break;
      case 'write': {
        // Only Multi-Paxos serves clients (single-decree Paxos and bully keep no log).
        if (r.protocol !== 'multi-paxos') break;
        const client = `cl${f.client}`;
        clients.add(client);
        if (!sim.clientDone(client)) sim.abandon(client, 'superseded');
        const key = `k${f.key}`;
        const value = String(f.value);
        sim.submit(client, (seq): ClientCommand => ({ op: 'put', key, value, client, seq }), f.via === null ? null : at(f.via));
        break;
      }
    }
  }
  for (const [a, b] of held.splice(0)) sim.release(a, b, true);
  sim.heal();
  sim.setLoss(0);
  sim.setDuplicate(0);
  for (const n of ns) sim.restart(n);
  run(1500 * MS, () => [...clients].every((c) => sim.clientDone(c)));
  for (const c of clients) sim.abandon(c, 'test over');
  run(200 * MS);
}

// ---------------------------------------------------------------------------------------------------
// A reference: TraceLog against an array of the same events

const NAMES = ['n1', 'n2', 'n3', 'alice', 'n4', 'a-client-with-a-longer-name', 'n5'];
const TIMERS: TimerKind[] = ['election', 'heartbeat', 'retry'];
const CMDS: Command[] = [
  { op: 'noop' },
  { op: 'put', key: 'x', value: '1', client: 'alice', seq: 3 },
  { op: 'delete', key: 'y', client: 'bob', seq: 4 },
  { op: 'cas', key: 'x', expect: '1', value: '2', client: 'alice', seq: 5 },
  { op: 'get', key: 'x', client: 'bob', seq: 6 },
];
const ENTRIES: LogEntry[] = CMDS.map((cmd, i) => ({ term: i + 1, cmd }));
const MSGS: Message[] = [
  { type: 'RequestVote', term: 3, lastLogIndex: 7, lastLogTerm: 2, prevote: false },
  { type: 'RequestVoteResponse', term: 3, granted: true, prevote: true, reason: 'ok' },
  { type: 'AppendEntries', term: 4, prevLogIndex: 2, prevLogTerm: 1, entries: ENTRIES.slice(1, 3), leaderCommit: 2, round: 9 },
  { type: 'AppendEntriesResponse', term: 4, success: false, matchIndex: 0, conflictIndex: 2, reason: 'gap', round: 9 },
  { type: 'ClientRequest', cmd: CMDS[1]! },
  { type: 'ClientResponse', ok: true, seq: 3, result: 'OK', leaderHint: null },
  { type: 'Prepare', ballot: { round: 3, proposer: 1 }, instance: 0 },
  { type: 'Accept', ballot: { round: 3, proposer: 1 }, instance: 2, value: 'A', chosen: 1 },
  { type: 'Coordinator', renew: true },
];

/**
 * Event number `i` of a varied sequence (every column kind and several object kinds, names in a mixed
 * order, times beyond 2^32 with fractions). `salt` gives a different sequence: what a stale value would
 * look like after truncate or clear.
 */
function ev(i: number, salt = 0): TraceEvent {
  const j = i + salt * 7919;
  const t = 2 ** 32 + j * 10 + (j % 4) * 0.25;
  const a = NAMES[(j * 3 + salt) % NAMES.length]!;
  const b = NAMES[(j * 5 + 2) % NAMES.length]!;
  const msg = MSGS[(j + salt) % MSGS.length]!;
  const entry = ENTRIES[j % ENTRIES.length]!;
  switch (j % 17) {
    case 0:
      return { k: 'send', t, id: j, from: a, to: b, msg };
    case 1:
      return { k: 'deliver', t, id: j, from: a, to: b, msg };
    case 2:
      return { k: 'append', t, node: a, index: j % 1000, entry };
    case 3:
      return { k: 'apply', t, node: a, index: j % 1000, entry, result: `r${j}` };
    case 4:
      return { k: 'commit', t, node: a, from: j % 50, to: (j % 50) + 3, reason: `majority ${j}` };
    case 5:
      return { k: 'timer', t, node: a, timer: TIMERS[j % 3]! };
    case 6:
      return { k: 'client-request', t, client: a, node: b, cmd: CMDS[j % CMDS.length]! };
    case 7:
      return { k: 'client-response', t, client: a, node: b, ok: j % 2 === 0, seq: j, result: j % 2 === 0 ? 'OK' : '' };
    case 8:
      return { k: 'fault', t, fault: 'partition', nodes: [a, b], detail: `p${j}`, groups: [[a], [b]] };
    case 9:
      return { k: 'drop', t, id: j, from: a, to: b, msg, reason: 'loss' };
    case 10:
      return { k: 'role', t, node: a, from: 'follower', to: 'candidate', term: j, reason: 'timeout' };
    case 11:
      return { k: 'duplicate', t, id: j, copy: j + 1, from: a, to: b };
    case 12:
      return { k: 'note', t, text: `note ${j}` };
    case 13:
      return { k: 'violation', t, invariant: 'election-safety', nodes: [a, b], detail: `v${j}` };
    case 14:
      return { k: 'learn', t, node: a, instance: j, ballot: { round: j, proposer: 2 }, value: CMDS[1]!, reason: 'quorum' };
    case 15:
      // A column kind written as an object (Multi-Paxos traces its commits this way).
      return { k: 'commit', t, node: a, from: 0, to: j, reason: 'chosen' };
    default:
      return { k: 'vote', t, node: a, candidate: b, term: j, granted: true, prevote: false, reason: 'up to date' };
  }
}

/** Writes an event the way the engine does: column kinds by their method (names by number), others as objects. */
function write(log: TraceLog, e: TraceEvent, asObject = false): void {
  if (asObject) return log.push(e);
  switch (e.k) {
    case 'send':
      return log.send(e.t, e.id, log.id(e.from), log.id(e.to), e.msg);
    case 'deliver':
      return log.deliver(e.t, e.id, log.id(e.from), log.id(e.to), e.msg);
    case 'append':
      return log.append(e.t, log.id(e.node), e.index, e.entry);
    case 'apply':
      return log.apply(e.t, log.id(e.node), e.index, e.entry, e.result);
    case 'commit':
      return log.commit(e.t, log.id(e.node), e.from, e.to, e.reason);
    case 'timer':
      return log.timer(e.t, log.id(e.node), e.timer);
    case 'client-request':
      return log.clientRequest(e.t, e.client, e.node, e.cmd);
    case 'client-response':
      return log.clientResponse(e.t, e.client, e.node, e.ok, e.seq, e.result);
    default:
      return log.push(e);
  }
}

/** Appends events `from`..`to`-1 of sequence `salt` to both the log and the reference array. */
function fill(log: TraceLog, ref: TraceEvent[], from: number, to: number, salt = 0): void {
  for (let i = from; i < to; i++) {
    const e = ev(i, salt);
    // Event 15 of every 17 is a commit kept as an object, as Multi-Paxos writes it.
    write(log, e, (i + salt * 7919) % 17 === 15);
    ref.push(e);
  }
}

function built(n: number, salt = 0): { log: TraceLog; ref: TraceEvent[] } {
  const log = new TraceLog();
  const ref: TraceEvent[] = [];
  fill(log, ref, 0, n, salt);
  return { log, ref };
}

/** The log holds exactly `ref` (JSON compares key order too) and reads nothing past its end. */
function expectHolds(log: TraceLog, ref: readonly TraceEvent[]): void {
  expect(log.length).toBe(ref.length);
  expectSameTrace(ref, log, () => `a TraceLog of ${ref.length} events`, ref.length <= CHUNK + 100);
  expect(log.at(ref.length)).toBeUndefined();
  expect(log.at(ref.length + CHUNK)).toBeUndefined();
  expect(log.at(-ref.length - 1)).toBeUndefined();
}

// ---------------------------------------------------------------------------------------------------

describe('TraceLog in a Simulation', () => {
  it('the trace kept in columns reads back as the events an array sink receives (Raft, random fault schedules with clients)', () => {
    const kinds = new Set<string>();
    let events = 0;
    fc.assert(
      fc.property(raftRunArb, (r) => {
        events += bothWays((sink) => playRaft(r, sink), () => `bug ${r.bug}, schedule: ${describeSchedule(r.sc)}`, kinds).events;
      }),
      { numRuns: RUNS ?? 25, seed: SEED, path: PATH },
    );
    // The schedules made every kind the columns keep, and the object kinds of faults and checkers.
    for (const k of ['send', 'deliver', 'append', 'apply', 'commit', 'timer', 'client-request', 'client-response']) expect(kinds).toContain(k);
    for (const k of ['fault', 'drop', 'duplicate', 'role', 'term', 'vote', 'violation']) expect(kinds).toContain(k);
    expect(events).toBeGreaterThan(4096); // the array sink's staging TraceLog was emptied along the way
  });

  it('the trace kept in columns reads back as the events an array sink receives (Paxos, Multi-Paxos, bully)', () => {
    const kinds = new Set<string>();
    const protocols = new Set<string>();
    fc.assert(
      fc.property(protoRunArb, (r) => {
        protocols.add(r.protocol);
        bothWays((sink) => playProto(r, sink), () => describeProtoRun(r), kinds);
      }),
      { numRuns: RUNS ?? 30, seed: SEED, path: PATH },
    );
    expect([...protocols].sort()).toEqual(['bully', 'multi-paxos', 'paxos']);
    for (const k of ['send', 'deliver', 'client-request', 'client-response', 'fault', 'drop', 'duplicate', 'role', 'timer', 'commit', 'apply']) expect(kinds).toContain(k);
    for (const k of ['propose', 'ballot', 'promise', 'pick', 'accept', 'learn', 'violation']) expect(kinds).toContain(k);
  });

  it('the trace of a run longer than two chunks reads back as the events an array sink receives', () => {
    const play = (sink: Sink): void => {
      const o = defaultClusterOptions(names(5), 77);
      o.raft.maxBatchEntries = 2;
      const world = worldCreate(o);
      const sim = new Simulation(world, sink);
      sim.start();
      for (let round = 0; round < 450; round++) {
        for (const c of ['A', 'B', 'C', 'D']) {
          if (!sim.clientDone(c)) sim.abandon(c, 'superseded');
          sim.submit(c, (seq) => ({ op: 'put', key: c, value: String(round), client: c, seq }), null);
        }
        if (round % 100 === 50) sim.crash(`n${1 + ((round / 100) | 0)}`);
        if (round % 100 === 80) sim.restart(`n${1 + ((round / 100) | 0)}`);
        sim.run(world.now + 20 * MS, Number.MAX_SAFE_INTEGER);
      }
    };
    const array: TraceEvent[] = [];
    play(array);
    const log = new TraceLog();
    play(log);
    expect(log.length).toBeGreaterThan(2 * CHUNK + 1);
    expectSameTrace(array, log, () => 'a long Raft run');
    for (const i of [CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1]) expect(json(log.at(i))).toBe(json(array[i]));
    expect(log.at(-1)).toEqual(array.at(-1));
  });
});

describe('TraceLog: events read back as written', () => {
  it('each kind kept in columns reads back with the fields of its declaration in trace.ts, in that order', () => {
    const log = new TraceLog();
    const msg = MSGS[2]!;
    const entry = ENTRIES[1]!;
    const cmd = CMDS[3]!;
    const n1 = log.id('n1');
    const n2 = log.id('n2');
    log.send(10, 1, n1, n2, msg);
    log.deliver(11, 1, n1, n2, msg);
    log.append(12, n2, 5, entry);
    log.apply(13, n2, 5, entry, 'OK');
    log.commit(14, n2, 4, 5, 'majority');
    log.timer(15, n1, 'heartbeat');
    log.clientRequest(16, 'alice', 'n1', cmd);
    log.clientResponse(17, 'alice', 'n1', false, 5, 'not leader');
    const want: TraceEvent[] = [
      { k: 'send', t: 10, id: 1, from: 'n1', to: 'n2', msg },
      { k: 'deliver', t: 11, id: 1, from: 'n1', to: 'n2', msg },
      { k: 'append', t: 12, node: 'n2', index: 5, entry },
      { k: 'apply', t: 13, node: 'n2', index: 5, entry, result: 'OK' },
      { k: 'commit', t: 14, node: 'n2', from: 4, to: 5, reason: 'majority' },
      { k: 'timer', t: 15, node: 'n1', timer: 'heartbeat' },
      { k: 'client-request', t: 16, client: 'alice', node: 'n1', cmd },
      { k: 'client-response', t: 17, client: 'alice', node: 'n1', ok: false, seq: 5, result: 'not leader' },
    ];
    expect(log.slice()).toEqual(want);
    for (let i = 0; i < want.length; i++) {
      expect(Object.keys(log.at(i)!)).toEqual(Object.keys(want[i]!));
      expect(JSON.stringify(log.at(i))).toBe(JSON.stringify(want[i]));
    }
    // The references are the engine's own objects (no copies).
    expect((log.at(0) as Extract<TraceEvent, { k: 'send' }>).msg).toBe(msg);
    expect((log.at(3) as Extract<TraceEvent, { k: 'apply' }>).entry).toBe(entry);
    expect((log.at(6) as Extract<TraceEvent, { k: 'client-request' }>).cmd).toBe(cmd);
    // Each call makes a fresh object.
    expect(log.at(0)).not.toBe(log.at(0));
  });

  it('an event kept as an object reads back as that very object', () => {
    const log = new TraceLog();
    const e: TraceEvent = { k: 'fault', t: 5, fault: 'crash', nodes: ['n1'], detail: 'crash' };
    log.push(e);
    expect(log.at(0)).toBe(e);
    expect(log.kindAt(0)).toBe('fault');
    expect(log.timeAt(0)).toBe(5);
  });
});

describe('TraceLog: chunk boundaries', () => {
  it(`events on both sides of a chunk boundary (${CHUNK} events) read back as written, and at/kindAt/timeAt agree`, () => {
    const n = 2 * CHUNK + 1000;
    const { log, ref } = built(n);
    expectHolds(log, ref);
    for (const i of [0, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK - 1, 2 * CHUNK, 2 * CHUNK + 1, n - 1]) {
      expect(json(log.at(i))).toBe(json(ref[i]));
      expect(log.kindAt(i)).toBe(ref[i]!.k);
      expect(log.timeAt(i)).toBe(ref[i]!.t);
      // A negative index counts from the end.
      expect(json(log.at(i - n))).toBe(json(ref[i]));
    }
    expect(log.at(-1)).toEqual(ref[n - 1]);
    expect(json(log.at(-1))).toBe(json(ref.at(-1)));
    expect(log.at(-n)).toEqual(ref[0]);
    expect(log.at(n)).toBeUndefined();
    expect(log.at(n + 1)).toBeUndefined();
    expect(log.at(-n - 1)).toBeUndefined();
    expect(log.at(1.5)).toBeUndefined();
    expect(log.at(CHUNK + 0.5)).toBeUndefined();
    expect(log.at(-1.5)).toBeUndefined();
    expect(log.at(Number.NaN)).toBeUndefined();
    expect(log.at(Infinity)).toBeUndefined();
    expect(log.at(-Infinity)).toBeUndefined();
  });

  it('an empty TraceLog has no events', () => {
    const log = new TraceLog();
    expect(log.length).toBe(0);
    expect(log.at(0)).toBeUndefined();
    expect(log.at(-1)).toBeUndefined();
    expect(log.slice()).toEqual([]);
    expect([...log]).toEqual([]);
  });

  it('a log filled to exactly one chunk ends at the boundary, and the next event opens the next chunk', () => {
    const { log, ref } = built(CHUNK);
    expectHolds(log, ref);
    fill(log, ref, CHUNK, CHUNK + 1);
    expectHolds(log, ref);
    expect(log.at(-1)).toEqual(ev(CHUNK));
  });
});

describe('TraceLog: truncate and clear', () => {
  const N = 2 * CHUNK + 500;

  for (const n of [0, 1, 17, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 2 * CHUNK + 1, N - 1]) {
    it(`truncate(${n}) keeps exactly the first ${n} events, and events appended afterwards read back as written`, () => {
      const { log, ref } = built(N);
      log.truncate(n);
      ref.length = n;
      expectHolds(log, ref);
      // Growing it back past the old end, with other events: nothing forgotten shows up again.
      fill(log, ref, n, N + CHUNK, 1);
      expectHolds(log, ref);
      // And truncating again.
      const m = n >> 1;
      log.truncate(m);
      ref.length = m;
      expectHolds(log, ref);
    });
  }

  it('truncate to the length or beyond it changes nothing (it never brings forgotten events back)', () => {
    const { log, ref } = built(CHUNK + 10);
    log.truncate(CHUNK + 10);
    expectHolds(log, ref);
    log.truncate(CHUNK + 1000);
    expectHolds(log, ref);
    log.truncate(5);
    log.truncate(CHUNK + 10);
    expect(log.length).toBe(5);
    expectHolds(log, ref.slice(0, 5));
  });

  it('clear() empties the log; filled again (reusing its chunks) it reads back only the new events', () => {
    const { log } = built(2 * CHUNK + 77);
    log.clear();
    expect(log.length).toBe(0);
    expect(log.at(0)).toBeUndefined();
    expect(log.slice()).toEqual([]);
    // Fewer events than before, of another sequence: none of the old ones may show through.
    let ref: TraceEvent[] = [];
    fill(log, ref, 0, CHUNK + 5, 2);
    expectHolds(log, ref);
    // More than before (spare chunks, then new ones).
    log.clear();
    ref = [];
    fill(log, ref, 0, 3 * CHUNK + 3, 3);
    expectHolds(log, ref);
    // Cleared again after a truncate, and refilled.
    log.truncate(CHUNK + 2);
    log.clear();
    ref = [];
    fill(log, ref, 0, 2 * CHUNK, 4);
    expectHolds(log, ref);
  });

  it('names keep their numbers across clear() (a Simulation keeps its node numbers)', () => {
    const log = new TraceLog();
    const ids = NAMES.map((n) => log.id(n));
    log.clear();
    expect(NAMES.map((n) => log.id(n))).toEqual(ids);
    log.send(1, 1, ids[0]!, ids[1]!, MSGS[0]!);
    expect(log.at(0)).toEqual({ k: 'send', t: 1, id: 1, from: NAMES[0], to: NAMES[1], msg: MSGS[0] });
  });
});

describe('TraceLog: iteration and slice', () => {
  it('iteration (for...of, spread, Array.from) yields the same events as slice()', () => {
    for (const n of [0, 5, CHUNK + 3]) {
      const { log, ref } = built(n);
      const seen: TraceEvent[] = [];
      for (const e of log) seen.push(e);
      expect(seen).toEqual(log.slice());
      expect([...log]).toEqual(log.slice());
      expect(Array.from(log)).toEqual(ref);
      expect(JSON.stringify([...log])).toBe(JSON.stringify(ref));
    }
  });

  it('an array and a TraceLog are both a TraceView, and read alike', () => {
    const { log, ref } = built(40);
    const views: TraceView[] = [log, ref];
    const read = (v: TraceView): string => JSON.stringify([v.length, v.at(0), v.at(-1), v.at(39), v.at(40), [...v]]);
    expect(read(views[0]!)).toBe(read(views[1]!));
  });

  it('slice with negative and out-of-range integer bounds behaves like Array.prototype.slice', () => {
    const { log, ref } = built(60);
    const bound = fc.oneof(fc.integer({ min: -80, max: 80 }), fc.constantFrom(undefined, Infinity, -Infinity, 0, 60, -60));
    fc.assert(
      fc.property(bound, bound, (from, to) => {
        expect(JSON.stringify(log.slice(from, to))).toBe(JSON.stringify(ref.slice(from, to)));
      }),
      { numRuns: 500, seed: SEED },
    );
    expect(log.slice()).toEqual(ref);
    expect(log.slice(-3)).toEqual(ref.slice(-3));
    expect(log.slice(-100, 3)).toEqual(ref.slice(0, 3));
    expect(log.slice(58, 1000)).toEqual(ref.slice(58));
    expect(log.slice(10, 5)).toEqual([]);
  });

  it('slice across chunk boundaries behaves like Array.prototype.slice', () => {
    const { log, ref } = built(2 * CHUNK + 9);
    for (const [from, to] of [
      [CHUNK - 2, CHUNK + 2],
      [-CHUNK - 3, -CHUNK + 3],
      [2 * CHUNK - 1, undefined],
      [-5, undefined],
    ] as [number, number | undefined][]) {
      expect(JSON.stringify(log.slice(from, to))).toBe(JSON.stringify(ref.slice(from, to)));
    }
  });

  // Regression: bounds were counted from the end before they were truncated, so slice(-1.5) of 60 events
  // started at 58 (Array: 59) and slice(NaN) was empty (Array: everything).
  it('slice with fractional or NaN bounds behaves like Array.prototype.slice', () => {
    const { log, ref } = built(60);
    for (const [from, to] of [
      [-1.5, undefined],
      [-10.7, -2.2],
      [2.9, 5.1],
      [Number.NaN, undefined],
      [0, Number.NaN],
    ] as [number, number | undefined][]) {
      expect({ from, to, got: log.slice(from, to).length }).toEqual({ from, to, got: ref.slice(from, to).length });
    }
  });
});

describe('TraceLog: name numbering', () => {
  it('id(name) numbers names on first sight, is stable, and gives different names different numbers', () => {
    const log = new TraceLog();
    const pool = ['n1', 'n2', 'n3', 'c1', 'n4', 'client'];
    const order: string[] = [];
    const numbers = new Map<string, number>();
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pool), { minLength: 1, maxLength: 200 }), (seq) => {
        for (const name of seq) {
          const i = log.id(name);
          if (!numbers.has(name)) {
            order.push(name);
            numbers.set(name, i);
          }
          expect(i).toBe(numbers.get(name));
        }
      }),
      { numRuns: 100, seed: SEED },
    );
    expect(order.map((n) => numbers.get(n))).toEqual(order.map((_, i) => i));
    expect(new Set(numbers.values()).size).toBe(numbers.size);
  });

  it('events read back with the right names when three or more names alternate (past the 2-name cache)', () => {
    const pool = ['n1', 'n2', 'n3', 'n4', 'clientA', 'clientB', 'n5'];
    const name = fc.constantFrom(...pool);
    const step = fc.record({ kind: fc.nat(7), a: name, b: name, c: name });
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 300 }), (steps) => {
        const log = new TraceLog();
        const ref: TraceEvent[] = [];
        steps.forEach(({ kind, a, b, c }, i) => {
          const t = i * 3;
          let e: TraceEvent;
          switch (kind) {
            case 0:
              e = { k: 'send', t, id: i, from: a, to: b, msg: MSGS[i % MSGS.length]! };
              break;
            case 1:
              e = { k: 'deliver', t, id: i, from: b, to: c, msg: MSGS[i % MSGS.length]! };
              break;
            case 2:
              e = { k: 'append', t, node: c, index: i, entry: ENTRIES[0]! };
              break;
            case 3:
              e = { k: 'apply', t, node: a, index: i, entry: ENTRIES[1]!, result: b };
              break;
            case 4:
              e = { k: 'commit', t, node: b, from: i, to: i + 1, reason: c };
              break;
            case 5:
              e = { k: 'timer', t, node: c, timer: 'election' };
              break;
            case 6:
              e = { k: 'client-request', t, client: a, node: c, cmd: CMDS[2]! };
              break;
            default:
              e = { k: 'client-response', t, client: c, node: a, ok: true, seq: i, result: b };
          }
          write(log, e);
          ref.push(e);
        });
        expect(JSON.stringify(log.slice())).toBe(JSON.stringify(ref));
      }),
      { numRuns: 300, seed: SEED },
    );
  });

  it('a round-robin of three names (each evicted from the 2-name cache before it comes back) keeps its numbers', () => {
    const log = new TraceLog();
    const first = ['x', 'y', 'z', 'w'].map((n) => log.id(n));
    for (let round = 0; round < 50; round++) {
      expect(['x', 'y', 'z'].map((n) => log.id(n))).toEqual(first.slice(0, 3));
      expect(['w', 'z', 'y', 'x'].map((n) => log.id(n))).toEqual([first[3], first[2], first[1], first[0]]);
    }
    for (let i = 0; i < 30; i++) log.clientRequest(i, ['x', 'y', 'z'][i % 3]!, ['z', 'w', 'x', 'y'][i % 4]!, CMDS[0]!);
    expect(log.slice().map((e) => (e.k === 'client-request' ? `${e.client}>${e.node}` : '?'))).toEqual(
      Array.from({ length: 30 }, (_, i) => `${['x', 'y', 'z'][i % 3]}>${['z', 'w', 'x', 'y'][i % 4]}`),
    );
  });

  // Regression: the 2-name cache started as ('' -> -1), so on a fresh log id('') answered -1 without
  // numbering the name, and later another number.
  it("the empty name is numbered like any other (the 2-name cache's empty start is not an answer)", () => {
    const log = new TraceLog();
    const first = log.id('');
    expect(first).toBeGreaterThanOrEqual(0);
    log.clientRequest(1, '', 'n1', CMDS[0]!);
    expect(log.at(0)).toEqual({ k: 'client-request', t: 1, client: '', node: 'n1', cmd: CMDS[0] });
    log.id('a');
    log.id('b');
    expect(log.id('')).toBe(first);
  });
});

describe('TraceLog: fork and windows (what a notebook cell keeps)', () => {
  it('a fork holds a copy of the first n events and goes on by itself; the original is unchanged', () => {
    for (const n of [0, 1, 16383, 16384, 16385, 20000]) {
      const { log, ref } = built(20000);
      const f = log.fork(n);
      expect(f.length).toBe(n);
      expect(JSON.stringify(f.slice())).toBe(JSON.stringify(ref.slice(0, n)));
      f.clientRequest(99, 'cX', 'n9', CMDS[0]!);
      log.clientRequest(98, 'cY', 'n8', CMDS[0]!);
      expect(f.at(n)).toEqual({ k: 'client-request', t: 99, client: 'cX', node: 'n9', cmd: CMDS[0] });
      expect(log.at(20000)).toEqual({ k: 'client-request', t: 98, client: 'cY', node: 'n8', cmd: CMDS[0] });
      expect(JSON.stringify(log.slice(0, 20000))).toBe(JSON.stringify(ref));
    }
  });

  it('a fork and its log share no writes: truncating, clearing and appending to either leaves the other as it was', () => {
    for (const n of [16384, 20000, 40000]) {
      const { log, ref } = built(40000);
      const f = log.fork(n);
      const g = f.fork(n - 5000);
      f.truncate(n - 100);
      f.clientRequest(1, 'cF', 'nF', CMDS[0]!);
      log.truncate(17000);
      log.clientRequest(2, 'cL', 'nL', CMDS[0]!);
      g.clear();
      g.clientRequest(3, 'cG', 'nG', CMDS[0]!);
      expect(JSON.stringify(f.slice(0, n - 100))).toBe(JSON.stringify(ref.slice(0, n - 100)));
      expect(f.at(n - 100)).toEqual({ k: 'client-request', t: 1, client: 'cF', node: 'nF', cmd: CMDS[0] });
      expect(JSON.stringify(log.slice(0, 17000))).toBe(JSON.stringify(ref.slice(0, 17000)));
      expect(log.at(17000)).toEqual({ k: 'client-request', t: 2, client: 'cL', node: 'nL', cmd: CMDS[0] });
      expect(g.slice()).toEqual([{ k: 'client-request', t: 3, client: 'cG', node: 'nG', cmd: CMDS[0] }]);
    }
  });

  it('a log forked at its own end goes on writing where it was, and so does the fork (each after its last event)', () => {
    for (const n of [100, 256, 16383, 16384, 20000]) {
      const { log, ref } = built(n);
      const f = log.fork();
      for (let i = 0; i < 300; i++) {
        log.clientRequest(10 + i, 'cL', 'nL', CMDS[0]!);
        f.clientRequest(20 + i, 'cF', 'nF', CMDS[0]!);
      }
      expect(log.length).toBe(n + 300);
      expect(f.length).toBe(n + 300);
      expect(JSON.stringify(log.slice(0, n))).toBe(JSON.stringify(ref));
      expect(JSON.stringify(f.slice(0, n))).toBe(JSON.stringify(ref));
      expect(log.at(n + 299)).toEqual({ k: 'client-request', t: 309, client: 'cL', node: 'nL', cmd: CMDS[0] });
      expect(f.at(n)).toEqual({ k: 'client-request', t: 20, client: 'cF', node: 'nF', cmd: CMDS[0] });
      expect(f.at(n + 299)).toEqual({ k: 'client-request', t: 319, client: 'cF', node: 'nF', cmd: CMDS[0] });
    }
  });

  it('a window reads events [0, end) of its log and nothing after, however the log grows', () => {
    const { log, ref } = built(100);
    const w = new TraceWindow(log, 60);
    log.clientRequest(1e6, 'c1', 'n1', CMDS[0]!);
    expect(w.length).toBe(60);
    expect(w.at(59)).toEqual(ref[59]);
    expect(w.at(60)).toBeUndefined();
    expect(w.at(-1)).toEqual(ref[59]);
    expect([...w]).toEqual(ref.slice(0, 60));
    expect(w.slice(-5)).toEqual(ref.slice(55, 60));
    expect(w.slice(50, 1000)).toEqual(ref.slice(50, 60));
    // As JSON, a log and a window are their events, like an array.
    expect(JSON.stringify(w)).toBe(JSON.stringify(ref.slice(0, 60)));
    expect(JSON.parse(JSON.stringify(log))).toHaveLength(101);
  });
});
