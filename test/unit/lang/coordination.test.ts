// The coordination service through the cell language: etcd-style locks (a TTL counted by the leader's
// lessor, keep-alives, a queue of waiters), fencing tokens (the log index of the grant) and a fenced
// resource (Kleppmann, "How to do distributed locking", 2016), and a client's GC pause.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/engine/trace';
import { applyEvent, describeState, emptyState } from '../../../src/views/state';
import { FIVE, lastProblems, runCells, runOk } from './helpers';

const applies = (events: Iterable<TraceEvent>, node: string): Extract<TraceEvent, { k: 'apply' }>[] =>
  [...events].filter((e): e is Extract<TraceEvent, { k: 'apply' }> => e.k === 'apply' && e.node === node);

const responses = (events: Iterable<TraceEvent>, client: string): Extract<TraceEvent, { k: 'client-response' }>[] =>
  [...events].filter((e): e is Extract<TraceEvent, { k: 'client-response' }> => e.k === 'client-response' && e.client === client);

describe('locks (etcd: a lease per lock, kept alive by its holder)', () => {
  it('a free lock is granted, and its fencing token is the log index of the grant', () => {
    const r = runOk([FIVE, 'A lock r ttl=15s\nexpect A token 2']);
    const grant = applies(r.events, 'n1').find((e) => e.entry.cmd.op === 'lock')!;
    expect(grant.index).toBe(2); // after the no-op of term 1
    expect(grant.result).toBe('token 2');
    expect(responses(r.events, 'A').map((e) => e.result)).toEqual(['token 2']);
  });

  it('a request for a held lock waits in a queue; the holder asking again gets its own token', () => {
    const r = runOk([FIVE, 'A lock r ttl=15s\nB lock r ttl=15s nowait\nA lock r ttl=15s\nrun 1s\nexpect A token 2']);
    expect(applies(r.events, 'n1').map((e) => e.result)).toEqual(['', 'token 2', 'queued behind A', 'token 2']);
    expect(responses(r.events, 'B')).toEqual([]);
  });

  it('unlock hands the lock to the first waiter, whose token is the index of the unlock', () => {
    const r = runOk([FIVE, 'A lock r ttl=15s\nB lock r ttl=15s nowait\nrun 1s\nA unlock r\nrun 1s\nexpect B token 4']);
    const results = applies(r.events, 'n2').map((e) => e.result);
    expect(results).toContain('unlocked; B takes it, token 4');
    expect(responses(r.events, 'B').map((e) => e.result)).toEqual(['token 4']);
  });

  it('etcd lessor: without keep-alives the leader expires the lock one TTL after the grant, by its own clock', () => {
    const r = runOk([FIVE, 'A lock r ttl=2s\nrun 3s']);
    const n1 = applies(r.events, 'n1');
    const grant = n1.find((e) => e.entry.cmd.op === 'lock')!;
    const expiry = n1.find((e) => e.entry.cmd.op === 'expire')!;
    expect(expiry.result).toBe('expired');
    const lived = expiry.t - grant.t;
    // Proposed on the first heartbeat tick past the deadline, then committed: within a heartbeat and a round trip.
    expect(lived).toBeGreaterThanOrEqual(2_000_000);
    expect(lived).toBeLessThan(2_000_000 + 50_000 + 30_000);
  });

  it('keep-alives renew the lock: it outlives its TTL many times over', () => {
    const r = runOk([FIVE, 'A lock r ttl=2s renew=500ms\nrun 10s']);
    expect(applies(r.events, 'n1').some((e) => e.entry.cmd.op === 'expire')).toBe(false);
    const keepAlives = [...r.events].filter((e) => e.k === 'deliver' && e.msg.type === 'KeepAliveResponse' && e.msg.ok);
    expect(keepAlives.length).toBeGreaterThanOrEqual(19);
  });

  it('etcd lessor promotion: a new leader gives every lock a whole TTL again', () => {
    // A's lock (no keep-alives) would expire 2s after its grant; n1 crashes 1.5s in, and the next leader
    // starts the TTL over when it takes office, so the lock outlives 2s by the time that took.
    const r = runOk([FIVE, 'A lock r ttl=2s\nrun 1500ms\ncrash n1\nrun until leader within 5s\nrun 2500ms']);
    const events = [...r.events];
    const elected = events.find((e) => e.k === 'role' && e.to === 'leader' && e.term === 2)!;
    const expiry = events.find((e): e is Extract<TraceEvent, { k: 'append' }> => e.k === 'append' && e.entry.cmd.op === 'expire')!;
    expect(expiry.node).toBe(elected.k === 'role' ? elected.node : '');
    expect(expiry.t - elected.t).toBeGreaterThanOrEqual(2_000_000);
  });

  it('a clock that jumps forward on the leader expires a lock early (the lessor reads its local clock)', () => {
    const r = runOk([FIVE, 'A lock r ttl=10s\nrun 1s\nskew n1 +8s\nrun 2s']);
    const expiry = applies(r.events, 'n1').find((e) => e.entry.cmd.op === 'expire');
    expect(expiry).toBeDefined();
    expect(expiry!.t).toBeLessThan(4_000_000);
  });

  it('a keep-alive timer of a lock the client let go does not live on in a new grant (regression: it fired at one instant forever)', () => {
    // Taken with keep-alives, released, taken again without: the first grant's timer must be dead.
    const r = runOk([FIVE, 'A lock r ttl=1s renew=500ms\nA unlock r\nA lock r ttl=1s\nrun 1s']);
    const keepAlives = [...r.events].filter((e) => e.k === 'send' && e.msg.type === 'KeepAlive');
    expect(keepAlives).toEqual([]);
  });

  it('a lock request of a client that gave up is skipped when the lock passes on', () => {
    const r = runOk([FIVE, 'A lock r ttl=15s\nB lock r ttl=15s within 1s\nB put x=1\nA unlock r\nrun 1s']);
    expect(applies(r.events, 'n1').map((e) => e.result)).toContain('unlocked');
  });
});

describe('a GC pause of the lock holder, and fencing tokens (Kleppmann 2016)', () => {
  const story = (token: string): string[] => [
    FIVE,
    [
      'A lock resource-x ttl=15s renew=5s',
      'run 2s',
      'pause A 20s',
      'B lock resource-x ttl=15s renew=5s within 20s',
      `B write storage "from-B" ${token}`,
      'run 6s',
      `A write storage "from-A" ${token}`,
    ].join('\n'),
  ];

  it('the paused holder keeps believing it holds the lock while the leader expires it and B takes it', () => {
    const r = runOk(story('token'));
    const n1 = applies(r.events, 'n1');
    const expired = n1.find((e) => e.entry.cmd.op === 'expire')!;
    expect(expired.result).toBe(`expired; B takes it, token ${expired.index}`);
    // Granted at 0.0x s, last renewed then (A paused at 2s, before its first keep-alive at 5s).
    expect(expired.t).toBeGreaterThan(15_000_000);
    expect(expired.t).toBeLessThan(15_200_000);
    const write = [...r.events].find((e) => e.k === 'client-request' && e.client === 'A' && e.cmd.op === 'write');
    expect(write?.k === 'client-request' && write.cmd.op === 'write' ? write.cmd.token : null).toBe(2);
  });

  it('with tokens, the storage rejects the write of the old holder', () => {
    const r = runOk([...story('token'), 'expect rejected A write\nexpect B token 4']);
    expect(responses(r.events, 'A').at(-1)!.result).toBe('rejected: token 2 is older than 4');
    // The state panel replays who holds the lock from the applied entries.
    const state = emptyState(r.nodes);
    for (const e of r.events) applyEvent(state, e);
    expect(state.locks).toEqual([{ name: 'resource-x', holder: 'B', token: 4, ephemeral: false }]);
    expect(describeState(state).split('\n')).toContain('lock resource-x holder=B token=4');
  });

  it('without tokens, the storage takes both writes (the TTL alone is unsafe)', () => {
    expect(lastProblems([...story(''), 'expect rejected A write'])).toEqual([
      { message: 'Expected rejected A write, found the write accepted: OK (no token) (at 22.053s).', line: 1, column: 8, endColumn: 24 },
    ]);
  });

  it('a paused client does nothing until it resumes: its next command waits for it', () => {
    const r = runOk([FIVE, 'A put x=1\npause A 5s\nA put x=2']);
    const asked = [...r.events].filter((e) => e.k === 'client-request' && e.client === 'A');
    expect(asked[1]!.t).toBeGreaterThanOrEqual(5_000_000);
  });
});

describe('coordination errors are positioned and change nothing', () => {
  it('a fenced write needs a token to send', () => {
    expect(lastProblems([FIVE, 'A put x=1\nA write storage v1 token'])).toEqual([
      {
        message: 'A has no fencing token to send: it was never granted a lock. Take one first (`A lock NAME ttl=15s`), or write without `token`.',
        line: 2, column: 1, endColumn: 25,
      },
    ]);
  });

  it('pause takes a node or a client, and says which there are', () => {
    expect(lastProblems([FIVE, 'A put x=1\npause B 2s'])).toEqual([
      { message: 'Unknown node or client B; this cluster has n1..n5 and client A.', line: 2, column: 7, endColumn: 8 },
    ]);
    expect(lastProblems([FIVE, 'pause A 2s'])).toEqual([{ message: 'Unknown node or client A; this cluster has n1..n5, and no client yet.', line: 1, column: 7, endColumn: 8 }]);
  });

  it('the resource needs a name of its own', () => {
    expect(lastProblems([FIVE, 'A write n2 v1'])).toEqual([
      { message: 'n2 is a node; the resource a fenced write goes to needs its own name, such as `A write storage …`.', line: 1, column: 9, endColumn: 11 },
    ]);
  });

  it('unlock of a lock the client does not hold says so, and asks the cluster anyway', () => {
    const runs = runCells([FIVE, 'A unlock r']);
    expect(runs[1]!.messages).toEqual(['A unlock r: A does not hold r (as far as it knows), so it asks to release nothing.']);
    expect(responses(runs[1]!.events, 'A').map((e) => e.result)).toEqual(['not held']);
  });
});

describe("Lease election (Kubernetes client-go's LeaderElector over the store)", () => {
  const leases = (events: Iterable<TraceEvent>): string[] =>
    [...events].filter((e) => e.k === 'lease').map((e) => (e.k === 'lease' ? `${e.client} ${e.leading ? 'leads' : 'stops'}` : ''));

  it('one of two candidates takes the Lease with a create (a compare-and-swap from no value); the other sees it held', () => {
    const r = runOk([FIVE, 'A elect controller lease=15s\nB elect controller lease=15s\nrun until A leads controller within 5s\nrun 6s\nexpect not B leads controller']);
    expect(leases(r.events)).toEqual(['A leads']);
    const creates = [...r.events].filter((e) => e.k === 'client-request' && e.cmd.op === 'cas' && e.cmd.expect === null);
    expect(creates.length).toBeGreaterThanOrEqual(1);
    // The loser's create failed: it saw the winner's record.
    const failed = responses(r.events, 'B').filter((e) => e.result.startsWith('failed: lease/controller=A@'));
    expect(failed.length).toBeGreaterThanOrEqual(1);
  });

  it('the holder renews every retry period; the record changes, so nobody else finds it expired', () => {
    const r = runOk([FIVE, 'A elect controller lease=6s renew-deadline=4s retry=1s\nB elect controller lease=6s renew-deadline=4s retry=1s\nrun 30s\nexpect A leads controller\nexpect not B leads controller']);
    const renewals = [...r.events].filter((e) => e.k === 'client-response' && e.client === 'A' && e.result === 'OK');
    expect(renewals.length).toBeGreaterThanOrEqual(25);
    expect(leases(r.events)).toEqual(['A leads']);
  });

  it('client-go: another candidate takes over one lease duration after it last saw the record change, by its own clock', () => {
    const r = runOk([FIVE, 'A elect controller lease=6s renew-deadline=4s retry=1s\nB elect controller lease=6s renew-deadline=4s retry=1s\nrun until A leads controller within 3s\nrun 2s\ncrash n1 n2 n3 n4 n5\nrestart n1 n2 n3 n4 n5\nrun 500ms\npause A 60s\nrun until B leads controller within 20s']);
    const events = [...r.events];
    const lastRenewal = events.filter((e) => e.k === 'client-response' && e.client === 'A' && e.result === 'OK').at(-1)!;
    const takeover = events.find((e) => e.k === 'lease' && e.client === 'B' && e.leading)!;
    expect(takeover.t - lastRenewal.t).toBeGreaterThanOrEqual(6_000_000);
    const record = events.filter((e) => e.k === 'client-request' && e.client === 'B' && e.cmd.op === 'cas').at(-1)!;
    expect(record.k === 'client-request' && record.cmd.op === 'cas' ? record.cmd.value : '').toMatch(/^B@\d+(\.\d+)?s #1$/);
  });

  it('a paused leader still believes it leads after another took over (two leaders), until its renew deadline check on waking', () => {
    const runs = runCells([
      FIVE,
      'A elect controller lease=15s\nB elect controller lease=15s\nrun until A leads controller within 5s\npause A 25s\nrun until B leads controller within 30s',
      'expect A leads controller\nexpect B leads controller',
      'run until not A leads controller within 30s\nexpect B leads controller',
    ]);
    expect(runs.map((r) => r.ok)).toEqual([true, true, true, true]);
    const stopped = [...runs[3]!.events].find((e) => e.k === 'lease' && e.client === 'A' && !e.leading)!;
    expect(stopped.k === 'lease' ? stopped.reason : '').toMatch(/^not renewed for 2\d(\.\d+)?s, past renew-deadline 10s$/);
  });

  it('a leader that cannot renew (the cluster lost its quorum) stops leading once renew-deadline has passed', () => {
    const r = runOk([FIVE, 'A elect controller lease=15s\nrun until A leads controller within 5s\nrun 3s\ncrash n1 n2 n3\nrun until not A leads controller within 15s']);
    const events = [...r.events];
    const lastRenewal = events.filter((e) => e.k === 'client-response' && e.client === 'A' && e.result === 'OK').at(-1)!;
    const stops = events.find((e) => e.k === 'lease' && e.client === 'A' && !e.leading)!;
    // Checked on its retry ticks (every 2s): past 10s without a renewal, at the first tick after.
    expect(stops.t - lastRenewal.t).toBeGreaterThan(10_000_000);
    expect(stops.t - lastRenewal.t).toBeLessThanOrEqual(12_000_000);
  });

  it('renew-deadline must be shorter than the lease, and retry shorter than renew-deadline (client-go checks both)', () => {
    expect(lastProblems([FIVE, 'A elect c lease=10s renew-deadline=10s'])).toEqual([
      { message: '`renew-deadline` (10s) must be shorter than `lease` (10s): a leader must stop leading before another may take the Lease over.', line: 1, column: 21, endColumn: 39 },
    ]);
    // Checked before anything runs: nothing of the cell happens.
    const runs = runCells([FIVE, 'crash n1\nA elect c lease=10s renew-deadline=10s']);
    expect(runs[1]!.events.length - runs[1]!.from).toBe(0);
    expect(lastProblems([FIVE, 'A elect c lease=15s retry=9s'])).toEqual([
      { message: '`retry` (9s) must be well shorter than `renew-deadline` (10s): under 1/1.2 of it, so a leader tries to renew more than once before it gives up.', line: 1, column: 21, endColumn: 29 },
    ]);
  });
});

describe('watches (etcd: a stream of the changes one member applies)', () => {
  const watchEvents = (events: Iterable<TraceEvent>, client: string): Extract<TraceEvent, { k: 'deliver' }>['msg'][] =>
    [...events].flatMap((e) => (e.k === 'deliver' && e.to === client && e.msg.type === 'WatchEvent' ? [e.msg] : []));

  it("a watch starts from the member's keys under the prefix and then streams every change it applies", () => {
    const r = runOk([FIVE, 'C put /config/x=1\nC put /other=1\nrun 100ms\nA watch /config/ via n2\nexpect A saw /config/x=1\nC put /config/y=2\nC delete /config/x\nrun 100ms\nexpect A saw /config/y=2\nexpect not A saw /config/x=1']);
    const events = watchEvents(r.events, 'A');
    expect(events[0]).toMatchObject({ event: 'created', snapshot: [['/config/x', '1']] });
    expect(events.slice(1).map((m) => (m.type === 'WatchEvent' ? `${m.event} ${m.key}` : ''))).toEqual(['put /config/y', 'delete /config/x']);
  });

  it('a watch on a member cut off from the leader goes stale: it shows the old value while the others see the new (etcd)', () => {
    const r = runOk([FIVE, 'C put /config/x=1\nrun 100ms\nA watch /config/ via n2\nB watch /config/ via n3\nisolate n2\nC put /config/x=2\nrun 2s\nexpect B saw /config/x=2\nexpect A saw /config/x=1']);
    expect(r.ok).toBe(true);
  });

  it("require-leader: the member cancels the watch after an election timeout without a leader, and the client catches up on the next (etcd's WithRequireLeader)", () => {
    const r = runOk([FIVE, 'C put /config/x=1\nA watch /config/ via n2 require-leader=on\nisolate n2\nC put /config/x=2\nrun 2s\nexpect A saw /config/x=2']);
    const events = watchEvents(r.events, 'A');
    expect(events.map((m) => (m.type === 'WatchEvent' ? m.event : ''))).toEqual(['created', 'canceled', 'created']);
  });

  it("a member's crash breaks the stream: the client opens the watch again on the next member", () => {
    const r = runOk([FIVE, 'A watch /config/ via n2\ncrash n2\nC put /config/x=2\nrun 2s\nexpect A saw /config/x=2']);
    const opened = [...r.events].filter((e) => e.k === 'send' && e.from === 'A' && e.msg.type === 'Watch').map((e) => (e.k === 'send' ? e.to : ''));
    expect(opened).toEqual(['n2', 'n3']);
  });

  it('an event overtaken in flight by a later one does not take the view back (the client orders them by index)', () => {
    // The three puts reach the leader as x=3, x=2, x=1 (indexes 2, 3, 4); n3's events for 3 and 4 arrive as 4, 3.
    const r = runOk([FIVE, 'set latency=1ms..40ms\nA watch /config/ via n3\nC put /config/x=1 nowait\nrun 5ms\nD put /config/x=2 nowait\nrun 5ms\nE put /config/x=3\nrun 500ms\nexpect A saw /config/x=1']);
    const indexes = watchEvents(r.events, 'A').map((m) => (m.type === 'WatchEvent' ? m.index : -1));
    expect(indexes).toEqual([0, 2, 4, 3]);
    // The state panel replays the trace the same way.
    const state = emptyState(r.nodes);
    for (const e of r.events) applyEvent(state, e);
    expect(state.watches).toEqual([{ client: 'A', node: 'n3', prefix: '/config/', keys: [['/config/x', '1', 4]] }]);
    expect(describeState(state).split('\n')).toContain('watch A on n3 /config/x=1');
  });
});

describe("ephemeral keys (etcd's put with a lease, ZooKeeper's ephemeral nodes): service discovery", () => {
  const watchEvents = (events: Iterable<TraceEvent>, client: string): string[] =>
    [...events].flatMap((e) => (e.k === 'deliver' && e.to === client && e.msg.type === 'WatchEvent' ? [`${e.msg.event} ${e.msg.key}`] : []));

  it('a put with a TTL sets the key and starts its lease, numbered by the log index of the put', () => {
    const r = runOk([FIVE, 'B put /services/b=up ttl=10s\nexpect committed /services/b=up\nexpect B got "lease 2"']);
    const put = applies(r.events, 'n1').find((e) => e.entry.cmd.op === 'ephemeral')!;
    expect(put).toMatchObject({ index: 2, result: 'lease 2' });
  });

  it('etcd lessor: without keep-alives the leader deletes the key one TTL after the put, through the log', () => {
    const r = runOk([FIVE, 'B put /services/b=up ttl=2s\nrun 3s\nexpect not committed /services/b=up']);
    const n1 = applies(r.events, 'n1');
    const put = n1.find((e) => e.entry.cmd.op === 'ephemeral')!;
    const expiry = n1.find((e) => e.entry.cmd.op === 'expire')!;
    expect(expiry.result).toBe('expired; key deleted');
    expect(expiry.t - put.t).toBeGreaterThanOrEqual(2_000_000);
    expect(expiry.t - put.t).toBeLessThan(2_000_000 + 50_000 + 30_000);
    // Every node applies the deletion: the key is gone from every state machine.
    for (const node of ['n1', 'n2', 'n3', 'n4', 'n5']) expect(applies(r.events, node).map((e) => e.result)).toContain('expired; key deleted');
  });

  it('keep-alives keep the key; a GC pause longer than the TTL loses it, and a watcher sees the deletion', () => {
    const r = runOk([
      FIVE,
      'A watch /services/\nB put /services/b=up ttl=3s renew=1s\nC put /services/c=up ttl=3s renew=1s\nrun 10s\nexpect A saw /services/b=up\nexpect A saw /services/c=up',
      'pause B 10s\nrun 6s\nexpect not A saw /services/b=up\nexpect A saw /services/c=up',
    ]);
    expect(watchEvents(r.events, 'A')).toEqual(['created /services/', 'put /services/b', 'put /services/c', 'delete /services/b']);
    // B's keep-alive on waking is told its lease is gone: it stops renewing (the client learns it lost the key).
    const late = runOk([FIVE, 'B put /services/b=up ttl=3s renew=1s\npause B 10s\nrun 12s']);
    const answers = [...late.events].filter((e) => e.k === 'deliver' && e.to === 'B' && e.msg.type === 'KeepAliveResponse').map((e) => (e.k === 'deliver' && e.msg.type === 'KeepAliveResponse' ? e.msg.result : ''));
    expect(answers[answers.length - 1]).toBe('expired');
  });

  it('etcd lessor promotion: a new leader gives the key a whole TTL again', () => {
    const r = runOk([FIVE, 'B put /services/b=up ttl=2s\nrun 1500ms\ncrash n1\nrun until leader within 5s\nrun 2500ms']);
    const events = [...r.events];
    const put = events.find((e) => e.k === 'apply' && e.entry.cmd.op === 'ephemeral')!;
    const expiry = events.find((e) => e.k === 'apply' && e.entry.cmd.op === 'expire');
    // Without the promotion it would be gone 2s after the put; the new leader counted from its election.
    expect(expiry === undefined || expiry.t - put.t > 2_500_000).toBe(true);
  });

  it('a plain put takes the key off its lease (etcd): it then outlives the TTL', () => {
    const r = runOk([FIVE, 'B put /services/b=up ttl=2s\nC put /services/b=static\nrun 5s\nexpect committed /services/b=static']);
    expect(applies(r.events, 'n1').some((e) => e.entry.cmd.op === 'expire')).toBe(false);
  });

  it("unlock of an ephemeral key's name is refused, and the key's keep-alives go on (it is not a lock)", () => {
    const r = runOk([FIVE, 'B put /s/b=up ttl=2s renew=500ms\nB unlock /s/b\nexpect B got "/s/b is an ephemeral key, not a lock"\nrun 5s\nexpect committed /s/b=up']);
    expect(applies(r.events, 'n1').some((e) => e.entry.cmd.op === 'expire')).toBe(false);
  });

  it('a lock and an ephemeral key cannot share a name (they share the lessor): each says so', () => {
    const r = runOk([FIVE, 'A lock r ttl=15s\nB put r=1 ttl=5s\nexpect B got "failed: r is a lock"']);
    expect(r.ok).toBe(true);
    const s = runOk([FIVE, 'B put r=1 ttl=5s\nA lock r ttl=15s\nexpect A got "failed: r is an ephemeral key, not a lock"']);
    expect(s.ok).toBe(true);
  });

  it('the state panel lists each ephemeral key with its lease and client, until it goes', () => {
    const r = runOk([FIVE, 'B put /services/b=up ttl=2s\nrun 1s']);
    const state = emptyState(r.nodes);
    for (const e of r.events) applyEvent(state, e);
    expect(describeState(state).split('\n')).toContain('ephemeral /services/b lease=2 of=B');
    const gone = runOk([FIVE, 'B put /services/b=up ttl=2s\nrun 3s']);
    const after = emptyState(gone.nodes);
    for (const e of gone.events) applyEvent(after, e);
    expect(after.locks).toEqual([]);
  });

  it('ttl is for Raft clusters, and renew needs ttl: positioned errors, nothing runs', () => {
    expect(lastProblems(['cluster multi-paxos nodes=3 seed=1', 'A put x=1 ttl=5s'])[0]).toMatchObject({ message: 'Ephemeral keys (`ttl`) are for raft clusters, not multi-paxos.', line: 1, column: 11 });
    expect(lastProblems([FIVE, 'A put x=1 renew=5s'])[0]).toMatchObject({ message: '`renew` keeps a lease alive, and only a key written with `ttl` has one: add `ttl=D`.', line: 1, column: 11 });
  });
});

describe('linearizability (Herlihy & Wing 1990) with ephemeral keys', () => {
  it("an ephemeral put is a write of its key, and its lease's expiry a delete at the leader's apply: reads on either side fit", () => {
    const r = runOk([FIVE, 'B put /s/b=up ttl=2s\nA get /s/b\nrun 3s\nA get /s/b\nexpect A got "(none)"\nexpect linearizable']);
    expect(r.ok).toBe(true);
  });

  it('a stale local read of an expired key is not linearizable', () => {
    const cells = [FIVE, 'set read=local\nB put /s/b=up ttl=2s\nrun 200ms\nisolate n3\nrun 3s\nA get /s/b via n3\nexpect A got up'];
    expect(runOk(cells).ok).toBe(true);
    expect(lastProblems([...cells, 'expect linearizable'])[0]!.message).toContain('not linearizable');
  });
});

describe("create: a write only if the key is absent (etcd's transaction on create_revision 0, ZooKeeper's create)", () => {
  it('the first create wins; a second fails as a compare-and-swap does, naming the value it found', () => {
    const r = runOk([FIVE, 'A create /t/1=A\nB create /t/1=B\nexpect A got OK\nexpect B got "failed: /t/1=A"\nexpect committed /t/1=A\nexpect linearizable']);
    expect(applies(r.events, 'n1').map((e) => e.entry.cmd.op)).toEqual(['noop', 'cas', 'cas']);
  });

  it('work queue: a worker claims a task with an ephemeral create; the claim of a stalled worker expires and another takes the task', () => {
    const r = runOk([
      FIVE,
      'W1 create /tasks/t1=W1 ttl=3s renew=1s\nW2 create /tasks/t1=W2 ttl=3s renew=1s\nexpect W2 got "failed: /tasks/t1=W1"',
      'pause W1 10s\nrun 5s\nW2 create /tasks/t1=W2 ttl=3s renew=1s\nexpect committed /tasks/t1=W2\nexpect linearizable',
    ]);
    const results = applies(r.events, 'n1').map((e) => e.result);
    expect(results).toEqual(['', 'lease 2', 'failed: /tasks/t1=W1', 'expired; key deleted', 'lease 5']);
  });
});

describe('barrier (the etcd/ZooKeeper recipe): participants register under a prefix, and go on once N are there', () => {
  it('`CLIENT saw N keys under PREFIX` holds once the watch shows at least N keys there, and says which it shows', () => {
    const r = runOk([
      FIVE,
      'A watch /barrier/\nB create /barrier/B=ready ttl=10s renew=3s\nC create /barrier/C=ready ttl=10s renew=3s\nrun 200ms\nexpect not A saw 3 keys under /barrier/',
      'D create /barrier/D=ready ttl=10s renew=3s\nrun until A saw 3 keys under /barrier/ within 2s',
    ]);
    expect(r.ok).toBe(true);
    const [miss] = lastProblems([FIVE, 'A watch /barrier/\nB create /barrier/B=ready\nrun 200ms\nexpect A saw 2 keys under /barrier/']);
    expect(miss!.message).toContain('found 1 key under /barrier/ (/barrier/B)');
  });

  it('the count form is positioned when it is incomplete', () => {
    const [e] = lastProblems([FIVE, 'expect A saw 3 keys /barrier/']);
    expect(e).toMatchObject({ message: 'Expected `under` and a key prefix, such as `under /barrier/`, found `/barrier/`.', line: 1, column: 21 });
  });
});
