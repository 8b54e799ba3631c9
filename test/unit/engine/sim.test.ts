// The simulator: the network and its faults, node processes (crash, restart, pause, clock drift), and
// how time advances (run, step, budget, cancellation, snapshots).

import { describe, expect, it } from 'vitest';
import { Simulation } from '../../../src/engine/sim';
import { queueClear } from '../../../src/engine/queue';
import type { TraceEvent } from '../../../src/engine/trace';
import { type Cluster, MS, S, cluster, count, leaderOf, node, quiet, request, runFor, runUntil, submit } from './helpers';

const sends = (c: Cluster, from: string, to: string, i0 = 0) => count(c.trace, (e) => e.k === 'send' && e.from === from && e.to === to, i0);
const delivered = (c: Cluster, from: string, to: string, i0 = 0) => count(c.trace, (e) => e.k === 'deliver' && e.from === from && e.to === to, i0);
const dropped = (c: Cluster, reason: string, i0 = 0) => count(c.trace, (e) => e.k === 'drop' && e.reason === reason, i0);

/** A 3-node cluster led by n1, quiet timers, heartbeats every 100ms; nothing in flight. */
function led(seed = 1): Cluster {
  const c = cluster(3, seed, (o) => {
    quiet(o);
    o.raft.heartbeatUs = 100 * MS;
  });
  c.sim.forceTimeout('n1');
  expect(runUntil(c, () => leaderOf(c.world) === 'n1', 100 * MS)).toBe(true);
  runFor(c, 50 * MS);
  return c;
}

describe('network faults', () => {
  it('hold keeps messages sent afterwards in flight; release delivers them oldest first; drop discards them', () => {
    const c = led();
    c.sim.hold('n1', 'n2');
    const i0 = c.trace.length;
    runFor(c, 350 * MS);
    const held = sends(c, 'n1', 'n2', i0);
    expect(held).toBeGreaterThanOrEqual(3); // heartbeats every 100ms
    expect(delivered(c, 'n1', 'n2', i0)).toBe(0);
    const ids = c.world.net.held.map((h) => h.id);
    expect(c.sim.release('n1', 'n2', true)).toBe(held);
    runFor(c, 20 * MS);
    const order = c.trace.flatMap((e, i) => (i >= i0 && e.k === 'deliver' && e.from === 'n1' && e.to === 'n2' ? [e.id] : []));
    expect(order.slice(0, held)).toEqual(ids);
    c.sim.hold('n1', 'n3');
    runFor(c, 150 * MS);
    expect(c.sim.release('n1', 'n3', false)).toBeGreaterThan(0);
    expect(dropped(c, 'held-drop')).toBeGreaterThan(0);
  });

  it('a partition drops messages between groups; nodes named in no group form one more group; heal restores', () => {
    const c = led();
    c.sim.partition([['n1']], 'isolate n1');
    expect(c.world.net.groups).toEqual([['n1'], ['n2', 'n3']]);
    const i0 = c.trace.length;
    runFor(c, 300 * MS);
    expect(delivered(c, 'n1', 'n2', i0) + delivered(c, 'n1', 'n3', i0)).toBe(0);
    expect(dropped(c, 'partition', i0)).toBeGreaterThan(0);
    c.sim.heal();
    const i1 = c.trace.length;
    runFor(c, 300 * MS);
    expect(delivered(c, 'n1', 'n2', i1)).toBeGreaterThan(0);
  });

  it('cut is one-way unless asked both ways', () => {
    const c = led();
    c.sim.cut('n1', 'n2', false);
    const i0 = c.trace.length;
    runFor(c, 300 * MS);
    expect(delivered(c, 'n1', 'n2', i0)).toBe(0);
    expect(delivered(c, 'n1', 'n3', i0)).toBeGreaterThan(0);
    expect(dropped(c, 'cut', i0)).toBeGreaterThan(0);
  });

  it('loss drops messages at random: everything at 100%, per link where set', () => {
    const c = led();
    c.sim.setLoss(1000, 'n1', 'n2');
    const i0 = c.trace.length;
    runFor(c, 500 * MS);
    expect(delivered(c, 'n1', 'n2', i0)).toBe(0);
    expect(delivered(c, 'n1', 'n3', i0)).toBeGreaterThan(0);
    c.sim.setLoss(1000);
    const i1 = c.trace.length;
    runFor(c, 500 * MS);
    expect(count(c.trace, (e) => e.k === 'deliver', i1)).toBe(0);
    expect(dropped(c, 'loss', i1)).toBeGreaterThan(0);
  });

  it('duplication delivers a message twice (and Raft does not mind)', () => {
    const c = led();
    c.sim.setDuplicate(1000);
    const i0 = c.trace.length;
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    runFor(c, 300 * MS);
    expect(count(c.trace, (e) => e.k === 'duplicate', i0)).toBeGreaterThan(0);
    expect(delivered(c, 'n1', 'n2', i0)).toBe(2 * sends(c, 'n1', 'n2', i0));
    expect(c.world.violations).toBe(0);
    for (const n of ['n1', 'n2', 'n3']) expect(node(c.world, n).kv).toEqual(new Map([['x', '1']]));
  });

  it('a slow link delays its messages, and wide latency ranges reorder them', () => {
    const c = led();
    c.sim.setDelay('n1', 'n2', 200 * MS, 200 * MS);
    const i0 = c.trace.length;
    runFor(c, 150 * MS);
    expect(sends(c, 'n1', 'n2', i0)).toBeGreaterThan(0);
    expect(delivered(c, 'n1', 'n2', i0)).toBe(0);
    c.sim.setDelay('n1', 'n3', 0, 300 * MS);
    const i1 = c.trace.length;
    runFor(c, 3 * S);
    const ids = c.trace.flatMap((e, i) => (i >= i1 && e.k === 'deliver' && e.from === 'n1' && e.to === 'n3' ? [e.id] : []));
    expect(ids.some((id, i) => i > 0 && id < ids[i - 1]!)).toBe(true);
  });
});

describe('node processes', () => {
  it('a crashed node drops what reaches it; on restart it keeps term, vote and log and relearns the rest', () => {
    const c = led();
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    runFor(c, 200 * MS);
    const before = { ...node(c.world, 'n2') };
    c.sim.crash('n2');
    const i0 = c.trace.length;
    runFor(c, 300 * MS);
    expect(dropped(c, 'crashed', i0)).toBeGreaterThan(0);
    c.sim.restart('n2');
    const s = node(c.world, 'n2');
    expect([s.term, s.votedFor, s.log]).toEqual([before.term, before.votedFor, before.log]);
    expect([s.commitIndex, s.lastApplied, s.kv, s.role]).toEqual([0, 0, new Map(), 'follower']);
    runFor(c, 200 * MS);
    expect(s.kv).toEqual(new Map([['x', '1']]));
  });

  it('a paused node is frozen: messages and timers wait, then run in arrival order when it resumes', () => {
    const c = led();
    c.sim.pause('n2', 1 * S);
    const i0 = c.trace.length;
    runFor(c, 500 * MS);
    expect(count(c.trace, (e) => e.k === 'deliver' && e.to === 'n2', i0)).toBe(0);
    const waiting = c.world.nodes[1]!.deferred.map((p) => (p.k === 'deliver' ? p.id : -1));
    expect(waiting.length).toBeGreaterThan(0);
    runFor(c, 600 * MS);
    const got = c.trace.flatMap((e, i) => (i >= i0 && e.k === 'deliver' && e.to === 'n2' ? [e.id] : []));
    expect(got.slice(0, waiting.length)).toEqual(waiting);
    expect(c.trace.some((e, i) => i >= i0 && e.k === 'fault' && e.fault === 'resume')).toBe(true);
  });

  it('a paused leader wakes up still believing it leads, and steps down on the first message of the new term', () => {
    const c = cluster(3, 5);
    expect(runUntil(c, () => leaderOf(c.world) !== null, 2 * S)).toBe(true);
    const old = leaderOf(c.world)!;
    c.sim.pause(old, 3 * S);
    expect(runUntil(c, () => leaderOf(c.world) !== old && leaderOf(c.world) !== null, 2 * S)).toBe(true);
    runFor(c, 3 * S); // it resumes
    expect(node(c.world, old).role).toBe('follower');
    expect(c.world.violations).toBe(0);
  });

  it('crashing a paused node discards what it was waiting for', () => {
    const c = led();
    c.sim.pause('n2', 1 * S);
    runFor(c, 300 * MS);
    c.sim.crash('n2');
    expect(c.world.nodes[1]!.deferred).toEqual([]);
    runFor(c, 1 * S);
    expect(c.world.nodes[1]!.status).toBe('down');
  });

  it('a fast clock fires its timers early in real time (drift), a slow one late', () => {
    const c = cluster(3, 1, (o) => ((o.raft.electionTimeoutUsMin = o.raft.electionTimeoutUsMax = 1 * S), (o.raft.heartbeatUs = 100 * MS)));
    c.sim.skew('n1', 0, 100_000); // 10% fast
    c.sim.skew('n3', 0, -100_000); // 10% slow
    c.sim.restart('n1');
    c.sim.crash('n1');
    c.sim.restart('n1');
    const t0 = c.world.now;
    runUntil(c, () => node(c.world, 'n1').role !== 'follower', 2 * S);
    expect(c.world.now - t0).toBe(Math.round(1 * S / 1.1));
  });
});

describe('time', () => {
  it('run(a) then run(b) gives exactly the trace of run(b)', () => {
    const a = cluster(5, 9);
    const b = cluster(5, 9);
    for (let t = 100 * MS; t <= 5 * S; t += 100 * MS) a.sim.run(t, Number.MAX_SAFE_INTEGER);
    b.sim.run(5 * S, Number.MAX_SAFE_INTEGER);
    expect(a.trace).toEqual(b.trace);
    expect(a.world.now).toBe(5 * S);
  });

  it('step processes one event at a time, and nextEventTime says when the next one is', () => {
    const c = cluster(3, 2);
    const at = c.sim.nextEventTime();
    expect(c.sim.step()).toBe(true);
    expect(c.world.now).toBe(at);
    expect(c.world.events).toBe(1);
    const empty = new Simulation(structuredClone(c.world), []);
    queueClear(empty.world.queue);
    expect(empty.nextEventTime()).toBe(Infinity);
    expect(empty.step()).toBe(false);
    expect(empty.run(10 * S, 100).reason).toBe('idle');
    expect(empty.world.now).toBe(10 * S);
  });

  it('run stops when its condition holds, at its budget, or when cancelled', () => {
    const c = cluster(3, 2);
    expect(c.sim.run(10 * S, Number.MAX_SAFE_INTEGER, () => leaderOf(c.world) !== null).reason).toBe('condition');
    expect(c.sim.run(Number.MAX_SAFE_INTEGER, 10).reason).toBe('budget');
    let polls = 0;
    c.sim.setCancellation(() => ++polls > 2);
    const r = c.sim.run(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    expect(r.reason).toBe('cancelled');
    expect(r.events).toBe(3 * 1024 - 1);
  });

  it('a run resumed from a structured clone of the world is identical to one that never stopped', () => {
    const whole = cluster(5, 4, (o) => (o.net.duplicatePermille = 50));
    whole.sim.setLoss(50);
    whole.sim.run(3 * S, Number.MAX_SAFE_INTEGER);
    const half = cluster(5, 4, (o) => (o.net.duplicatePermille = 50));
    half.sim.setLoss(50);
    half.sim.run(1500 * MS, Number.MAX_SAFE_INTEGER);
    const rest: TraceEvent[] = [];
    const resumed = new Simulation(structuredClone(half.world), rest);
    resumed.run(3 * S, Number.MAX_SAFE_INTEGER);
    expect([...half.trace, ...rest]).toEqual(whole.trace);
  });
});

describe('messages are values', () => {
  // The engine shares objects to keep traces small: a queued message is its own deliver event, a leader
  // sends one AppendEntries object to every follower at the same point, and followers sent the same
  // range share one entries array. That is only sound if nothing changes a message after it is sent.
  it('every message reads the same at delivery (and at the end) as when it was sent, under faults and load', () => {
    for (const seed of [1, 2, 3]) {
      const c = cluster(5, seed, (o) => {
        o.net.duplicatePermille = 50;
        o.net.lossPermille = 20;
        o.raft.maxBatchEntries = 2;
      });
      const atSend = new Map<number, string>();
      const record = c.trace.push.bind(c.trace);
      c.trace.push = (...evs: TraceEvent[]): number => {
        for (const e of evs) {
          if (e.k === 'send') atSend.set(e.id, JSON.stringify(e.msg));
          if (e.k === 'deliver') expect(JSON.stringify(e.msg)).toBe(atSend.get(e.id) ?? atSend.get(sourceOf(c.trace, e.id)));
        }
        return record(...evs);
      };
      let ops = 0;
      for (let t = 10 * MS; t < 4 * S; t += 10 * MS) {
        c.sim.run(t, Number.MAX_SAFE_INTEGER);
        if (t === 1 * S) c.sim.crash(leaderOf(c.world) ?? 'n1');
        if (t === 2 * S) c.sim.restart('n1');
        const client = `c${ops % 4}`;
        if (c.sim.clientDone(client)) submit(c, client, { op: 'put', key: `k${ops % 3}`, value: String(ops) });
        ops++;
      }
      const sends = c.trace.filter((e) => e.k === 'send');
      expect(sends.length).toBeGreaterThan(1000);
      for (const e of sends) expect(JSON.stringify(e.msg)).toBe(atSend.get(e.id));
    }
  });
});

/** The id of the message a duplicate (`copy`) was made from. */
function sourceOf(trace: TraceEvent[], copy: number): number {
  for (const e of trace) if (e.k === 'duplicate' && e.copy === copy) return e.id;
  return -1;
}

describe('client retries', () => {
  const sends = (c: Cluster, client: string): number[] => c.trace.filter((e) => e.k === 'send' && e.from === client).map((e) => e.t);

  it('a client whose node is silent retries every retry interval after its last attempt, and stops once answered', () => {
    const c = cluster(3, 4, quiet);
    const retry = c.world.opts.client.retryUs;
    c.sim.forceTimeout('n1');
    expect(runUntil(c, () => leaderOf(c.world) === 'n1', 1 * S)).toBe(true);
    c.sim.cut('A', 'n1', false);
    submit(c, 'A', { op: 'put', key: 'x', value: '1' }, 'n1'); // pinned to the leader, which never hears it
    const start = c.world.now;
    runFor(c, 3 * retry + retry / 2);
    expect(sends(c, 'A')).toEqual([start, start + retry, start + 2 * retry, start + 3 * retry]);
    c.sim.heal();
    expect(runUntil(c, () => c.sim.clientDone('A'), 5 * S)).toBe(true);
    const done = sends(c, 'A').length;
    runFor(c, 3 * retry);
    expect(sends(c, 'A')).toHaveLength(done);
  });

  it('a new request soon after an answered one gets a whole retry interval (the earlier timer does not fire it early)', () => {
    // Heartbeats keep the queue busy, so the first request's retry entry is still queued when the second
    // request starts: the retry timer is lazy, and that entry must move itself to the new deadline.
    const c = cluster(3, 4);
    const retry = c.world.opts.client.retryUs;
    expect(runUntil(c, () => leaderOf(c.world) !== null, 5 * S)).toBe(true);
    const leader = leaderOf(c.world)!;
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' }, leader)).toMatchObject({ ok: true });
    runFor(c, retry / 2);
    c.sim.cut('A', leader, false);
    const before = sends(c, 'A').length;
    submit(c, 'A', { op: 'put', key: 'x', value: '2' }, leader);
    const start = c.world.now;
    runFor(c, retry + retry / 2);
    expect(sends(c, 'A').slice(before)).toEqual([start, start + retry]);
  });
});
