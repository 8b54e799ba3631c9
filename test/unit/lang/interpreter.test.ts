// What the commands do to the simulation, seen through the trace and the facts.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/engine/trace';
import type { CellRun } from '../../../src/lang/session';
import { fmtTime } from '../../../src/lang/interpreter';
import { FIVE, lastProblems, runCells, runOk } from './helpers';

const own = (r: CellRun): TraceEvent[] => r.events.slice(r.from);
const faults = (r: CellRun): string[] =>
  own(r)
    .filter((e): e is Extract<TraceEvent, { k: 'fault' }> => e.k === 'fault')
    .map((e) => `${e.fault} ${e.nodes.join(',')} ${e.detail}`.trim());

describe('faults', () => {
  it('crash and restart expand zones', () => {
    const r = runOk([FIVE, 'zone a {n2 n3}\ncrash a n4\nexpect n2 is down\nexpect n3 is down\nexpect n4 is down\nrestart n2', 'expect n2 is follower']);
    expect(r.ok).toBe(true);
  });

  it('partition expands zones and names the groups', () => {
    const r = runOk([FIVE, 'zone a {n1 n2}\npartition a | {n3 n4}']);
    const ev = own(r).find((e) => e.k === 'fault' && e.fault === 'partition');
    expect(ev).toMatchObject({ detail: '{n1 n2} | {n3 n4}', groups: [['n1', 'n2'], ['n3', 'n4'], ['n5']] });
  });

  it('isolate puts one node alone', () => {
    const r = runOk([FIVE, 'isolate n3']);
    expect(own(r).find((e) => e.k === 'fault')).toMatchObject({ fault: 'partition', detail: 'isolate n3', groups: [['n3'], ['n1', 'n2', 'n4', 'n5']] });
  });

  it('links expand sets, zones and `*`, without self-links', () => {
    expect(faults(runOk([FIVE, 'cut n1 -> {n2 n3}']))).toEqual(['cut n1,n2 one way', 'cut n1,n3 one way']);
    expect(faults(runOk([FIVE, 'cut n1 <-> *']))).toEqual(['cut n1,n2 both ways', 'cut n1,n3 both ways', 'cut n1,n4 both ways', 'cut n1,n5 both ways']);
    expect(faults(runOk([FIVE, 'hold n1 <-> n2']))).toEqual(['hold n1,n2 hold', 'hold n2,n1 hold']);
    expect(faults(runOk([FIVE, 'loss n1 -> n2 50%']))).toEqual(['loss n1,n2 loss n1 -> n2 50%']);
    expect(faults(runOk([FIVE, 'loss 20%']))).toEqual(['loss  loss 20%']);
    expect(faults(runOk([FIVE, 'delay n1 -> * 100ms..200ms']))).toEqual(['delay n1,n2,n3,n4,n5 delay n1 -> * 100ms..200ms']);
    expect(faults(runOk([FIVE, 'latency n1 <-> n2 5ms']))).toEqual([]);
  });

  it('a one-way cut keeps the other direction', () => {
    runOk([FIVE, 'run 100ms\ncut n1 -> n2\nrun 1s\nexpect n2 term >= 2\ncut n2 -> n1\nheal\nrun 1s\nexpect safe']);
  });

  it('delay slows every message of the link', () => {
    const r = runCells([FIVE, 'run 100ms\ndelay n1 -> * 300ms\nA put x=1 within 250ms\nexpect A failed\ndelay n1 -> * 1ms\nA put x=2\nexpect A got OK']);
    expect(r[1]!.ok).toBe(true);
  });

  it('duplicate and loss apply to messages, and heal restores the declared loss', () => {
    runOk([FIVE, 'duplicate 100%\nA put x=1\nexpect A got OK\nexpect committed x=1\nexpect safe']);
    runOk([FIVE, 'loss 100%\nrun 1s\nexpect n2 term >= 2\nheal\nloss 0%\nrun until leader within 5s']);
  });

  it('pause freezes a node and it resumes by itself', () => {
    runOk([FIVE, 'run 100ms\npause n1 1s\nrun 500ms\nexpect n1 is paused\nexpect leader in {n2 n3 n4 n5}\nrun 600ms\nexpect n1 is follower']);
  });

  it('skew is recorded', () => {
    expect(faults(runOk([FIVE, 'skew n2 -250ms']))).toEqual(['skew n2 -250ms']);
  });

  it('restarting a running node and timing out a leader say that nothing happens', () => {
    expect(runOk([FIVE, 'restart n2\ntimeout n1']).messages).toEqual(['restart n2: it is not down, so nothing happens.', 'timeout n1: it is the leader, so its election timer does nothing.']);
  });
});

describe('time', () => {
  it('run advances virtual time exactly', () => {
    const runs = runCells([FIVE, 'run 2s', 'run 150ms']);
    expect(runs[1]!.timeUs - runs[0]!.timeUs).toBe(2_000_000);
    expect(runs[2]!.timeUs - runs[1]!.timeUs).toBe(150_000);
  });

  it('step processes one event at a time', () => {
    const runs = runCells(['cluster raft nodes=3 seed=1 election-timeout=1s..2s\nhold n1 -> *\ntimeout n1\nrelease n1 -> n2', 'step', 'step', 'step 3']);
    // An event is a delivery, a drop at delivery time, or a timer.
    expect(runs.slice(1).map((r) => own(r).filter((e) => e.k === 'deliver' || e.k === 'timer' || (e.k === 'drop' && e.reason !== 'held-drop')).length)).toEqual([1, 1, 3]);
  });

  it('step says so when nothing is left to happen', () => {
    expect(runCells(['cluster raft nodes=1 seed=1\ncrash n1\nstep 3'])[0]!.messages).toEqual(['step: nothing left to happen after 0 event(s).']);
  });

  it('at runs a command at a virtual time, across cells; after counts from now', () => {
    const runs = runCells([FIVE, 'at 2s crash n2\nafter 500ms crash n3', 'run 600ms\nexpect n3 is down\nexpect n2 is follower', 'run 2s\nexpect n2 is down']);
    expect(runs.map((r) => r.ok)).toEqual([true, true, true, true]);
  });

  it('a scheduled client command runs in the background', () => {
    runOk([FIVE, 'at 1s B put y=1\nrun 900ms\nexpect not committed y\nrun until B got OK within 2s\nexpect committed y=1']);
  });

  it('at in the past is an error at run time', () => {
    const r = runCells([FIVE, 'run 2s', 'at 1s crash n1'])[2]!;
    expect(r.diagnostics.map((d) => [d.message, d.span.column])).toEqual([[`Virtual time is already ${fmtTime(runCells([FIVE, 'run 2s'])[1]!.timeUs)}, so \`at 1s\` is in the past; use \`after\` for a time from now.`, 1]]);
  });

  it('run until stable waits for two quiet election timeouts', () => {
    const runs = runCells(['cluster raft nodes=5 seed=1', 'run until stable within 5s']);
    expect(runs[1]!.ok).toBe(true);
    const lastRole = Math.max(...own(runs[1]!).filter((e) => e.k === 'role').map((e) => e.t));
    expect(runs[1]!.timeUs - lastRole).toBeGreaterThanOrEqual(600_000);
  });

  it('run until a negated fact', () => {
    runOk([FIVE, 'crash n1\nrun until not n2 term = 1 within 1s\nexpect n2 term >= 2']);
  });
});

describe('clients', () => {
  it('a client finds the leader and its write commits', () => {
    runOk([FIVE, 'A put x=1\nexpect A got OK\nA get x\nexpect A got 1\nA cas x 1 -> 2\nexpect A got OK\nA cas x 1 -> 3\nexpect A got "failed: x=2"\nA delete x\nexpect A got deleted\nA get x\nexpect A got "(none)"']);
  });

  it('nowait goes on at once; the client keeps trying in later cells', () => {
    const runs = runCells([FIVE, 'A put x=1 nowait\nexpect not committed x', 'run 200ms\nexpect committed x=1\nexpect A got OK']);
    expect(runs[1]!.timeUs).toBe(runs[0]!.timeUs);
    expect(runs.map((r) => r.ok)).toEqual([true, true, true]);
  });

  it('a new command supersedes one still waiting', () => {
    runOk([FIVE, 'crash n2 n3 n4\nA put x=1 nowait\nrestart n2 n3\nA put x=2\nexpect A got OK\nrun 200ms\nexpect committed x=2\nexpect not committed x=1']);
  });

  it('the cost of consensus: a write waits for the nearest majority, so across sites it takes the inter-site round trip (took)', () => {
    const sites = 'cluster raft nodes=us1,us2,us3,eu1,eu2 seed=2 election-timeout=500ms..1s heartbeat=100ms\nzone us {us1 us2 us3}\nzone eu {eu1 eu2}\nlatency us <-> eu 40ms\ntimeout us1\nrun until leader us1 within 1s\nrun 500ms';
    // 3 of 5 is a majority inside us: no inter-site round trip.
    runOk([sites, 'A put x=1 via us1\nexpect A took < 40ms\nexpect A got OK']);
    // With us3 down, the leader needs one of eu: 80ms of round trip, plus the client's own hops.
    runOk([sites, 'crash us3\nA put x=1 via us1\nexpect A took >= 80ms\nexpect A took < 110ms']);
    const [e] = lastProblems([sites, 'A put x=1 via us1\nexpect A took >= 1s']);
    expect(e!.message).toMatch(/^Expected A took >= 1s, found A took [0-9.]+ms \(OK\)/);
  });

  it('clients are remembered by the session and listed in the run', () => {
    const runs = runCells([FIVE, 'A put x=1\nB get x', 'cluster raft nodes=3']);
    expect(runs[1]!.clients).toEqual(['A', 'B']);
    expect(runs[2]!.clients).toEqual([]);
  });
});

describe('expectations', () => {
  it('not negates any fact', () => {
    runOk([FIVE, 'expect not leader n2\nexpect not term >= 2\nexpect not n1 is follower\nexpect not violation\nexpect not logs equal']);
  });

  it('leader facts: the newest acting leader, and stale leaders count as acting', () => {
    runOk([FIVE, 'run 100ms\npartition {n1 n2} | {n3 n4 n5}\ntimeout n3\nrun until leader n3 within 1s\nexpect leader n3\nexpect leader in {n1}\nexpect no leader in {n2 n4 n5}\nexpect n1 is leader']);
  });

  it('committed facts survive crashes of every node that knew the commit', () => {
    runOk([FIVE, 'A put x=1\nrun 200ms\ncrash n1 n2 n3 n4 n5\nexpect committed x=1 on all']);
  });
});

describe('views and clusters', () => {
  it('show records the views of the cell', () => {
    expect(runOk([FIVE, 'show sequence hide=none from=1s to=2s max=500\nshow log']).views).toEqual([
      { view: 'sequence', hideHeartbeats: false, fromUs: 1_000_000, toUs: 2_000_000, maxMessages: 500 },
      { view: 'log', hideHeartbeats: true, fromUs: null, toUs: null, maxMessages: null },
    ]);
  });

  it('a new cluster starts a new trace', () => {
    const runs = runCells([FIVE, 'run 1s', 'cluster raft nodes=3 seed=2\nrun 1s']);
    expect(runs[2]!.from).toBe(0);
    expect(runs[2]!.nodes).toEqual(['n1', 'n2', 'n3']);
    expect(runs[2]!.events.slice().every((e) => !('node' in e) || ['n1', 'n2', 'n3'].includes(e.node as string))).toBe(true);
  });

  it('two clusters in one cell: the trace is the second one', () => {
    const r = runCells(['cluster raft nodes=5 seed=1\nrun 1s\ncluster raft nodes=3 seed=2\nrun 10ms'])[0]!;
    expect(r.nodes).toEqual(['n1', 'n2', 'n3']);
    expect(r.timeUs).toBe(10_000);
    expect(r.events.slice().every((e) => e.t <= 10_000)).toBe(true);
  });

  it('the seed is the declared one, or the session default', () => {
    expect(runCells(['cluster raft nodes=3 seed=9'])[0]!.seed).toBe(9);
    expect(runCells(['cluster raft nodes=3'], { defaultSeed: 4 })[0]!.seed).toBe(4);
  });

  it('runs are deterministic: same cells, same trace', () => {
    const cells = ['cluster raft nodes=5 seed=3', 'run until leader\nA put x=1\nloss 10%\nrun 2s', 'crash n1 n2\nrun 2s'];
    expect(JSON.stringify(runCells(cells).map((r) => r.events))).toBe(JSON.stringify(runCells(cells).map((r) => r.events)));
  });
});

describe('scheduled clients', () => {
  it('a client named by a scheduled command is known to later cells', () => {
    const runs = runCells([FIVE, 'at 5s B put y=1', 'run until B got OK within 10s\nexpect committed y=1']);
    expect(runs.map((r) => r.ok)).toEqual([true, true, true]);
  });
});

describe('fmtTime', () => {
  it('prints virtual time to the millisecond, with the largest units first', () => {
    expect([0, 999, 1_000, 37_442, 1_000_000, 62_041_374, 60_000_000, 3_600_000_000, 3_660_000_000, 11_111_235_556].map(fmtTime)).toEqual([
      '0us', '999us', '1ms', '37.442ms', '1s', '1m2.041s', '1m', '1h', '1h1m', '3h5m11.236s',
    ]);
  });
});

describe('set', () => {
  it('a rejected `set` changes nothing: the options are validated before they are adopted', () => {
    const runs = runCells([FIVE, 'set heartbeat=400ms', 'run 3s\nexpect n1 is leader\nexpect term = 1']);
    expect(runs[1]!.ok).toBe(false);
    expect(runs[1]!.diagnostics[0]!.message).toContain('must be shorter than the election timeout');
    // Had the 400ms heartbeat been adopted, followers would time out between heartbeats and depose n1.
    expect(runs[2]!.failures).toEqual([]);
  });

  it('`max-batch=1` sends one entry per AppendEntries', () => {
    const r = runOk([FIVE + '\nset max-batch=1', 'timeout n1\nrun until leader n1 within 1s\nA put x=1\nB put y=2 nowait\nC put z=3\nrun 300ms']);
    const sizes = r.events
      .slice(r.from)
      .flatMap((e) => (e.k === 'send' && e.msg.type === 'AppendEntries' ? [e.msg.entries.length] : []));
    expect(Math.max(...sizes)).toBe(1);
  });
});
