// The rules of the Raft paper (Ongaro & Ousterhout, 2014), §5.1–§5.4, one test per rule and named after
// it. Like etcd-io/raft's raft_paper_test.go, each drives a node by hand: put it in a state, step a
// message in, and check what it sends and what it becomes.

import { describe, expect, it } from 'vitest';
import { raftCheckAppend } from '../../../src/engine/check/raft';
import { type RaftState, quorum, raftForceTimeout, raftReceive, raftTimer } from '../../../src/engine/raft/node';
import type { Message } from '../../../src/engine/trace';
import { type Hand, MS, S, ae, aer, cluster, entries, hand, leaderOf, node, request, runFor, runUntil, rv, rvr, submit, terms } from './helpers';

const P3 = ['n1', 'n2', 'n3'];
const P5 = ['n1', 'n2', 'n3', 'n4', 'n5'];

/** n1 as a candidate in term 1 (its election timer fired). */
function candidate(peers = P3): Hand {
  const h = hand('n1', peers);
  raftForceTimeout(h.s, h.env);
  h.take();
  return h;
}

/** n1 as the leader of term 1 of `peers`; `out` holds its first AppendEntries (its no-op at index 1). */
function leader(peers = P3): Hand {
  const h = candidate(peers);
  for (const p of peers.slice(1, quorum(peers.length))) raftReceive(h.s, h.env, p, rvr(1, true));
  expect(h.s.role).toBe('leader');
  return h;
}

/** Acknowledge every AppendEntries in `out` as a follower that accepts it. */
function acceptAll(h: Hand, only?: (to: string) => boolean): void {
  for (const { to, msg } of h.take()) {
    if (msg.type !== 'AppendEntries' || (only && !only(to))) continue;
    raftReceive(h.s, h.env, to, aer(msg.term, true, msg.prevLogIndex + msg.entries.length, 0, msg.round));
  }
}

function clientPut(h: Hand, key: string, value: string, seq = 1): void {
  raftReceive(h.s, h.env, 'A', { type: 'ClientRequest', cmd: { op: 'put', key, value, client: 'A', seq } });
}

/** A node whose persistent state is `term` and `log` (as if it had restarted with them). */
function withLog(id: string, peers: string[], term: number, log: number[]): Hand {
  const h = hand(id, peers);
  h.s.term = term;
  h.s.log = entries(...log);
  return h;
}

const sent = (h: Hand, type: Message['type']) => h.out.filter((x) => x.msg.type === type);

describe('§5.1 terms', () => {
  for (const role of ['follower', 'candidate', 'leader'] as const) {
    it(`a ${role} that sees a larger term adopts it and becomes a follower`, () => {
      const h = role === 'follower' ? hand('n1', P3) : role === 'candidate' ? candidate() : leader();
      raftReceive(h.s, h.env, 'n2', ae(5, 0, 0, [], 0));
      expect(h.s.term).toBe(5);
      expect(h.s.role).toBe('follower');
    });
  }

  it('a request with a stale term is rejected, and the reply carries the current term', () => {
    const h = withLog('n1', P3, 3, [1, 2]);
    raftReceive(h.s, h.env, 'n2', ae(2, 0, 0, entries(1), 0));
    raftReceive(h.s, h.env, 'n3', rv(2, 9, 2));
    expect(h.out.map((x) => x.msg)).toMatchObject([
      { type: 'AppendEntriesResponse', term: 3, success: false },
      { type: 'RequestVoteResponse', term: 3, granted: false },
    ]);
    expect(h.s.log.length).toBe(2);
    expect(h.s.votedFor).toBeNull();
  });

  it('a leader that learns of a larger term from a response steps down', () => {
    const h = leader();
    raftReceive(h.s, h.env, 'n2', aer(4, false, 0));
    expect([h.s.role, h.s.term]).toEqual(['follower', 4]);
    expect(h.timers.heartbeat).toBeNull();
  });
});

describe('§5.2 leader election', () => {
  it('servers start as followers', () => {
    const c = cluster(3);
    for (const n of c.world.nodes) expect(n.raft.role).toBe('follower');
    expect(c.trace).toEqual([]);
  });

  it('a leader sends heartbeats (AppendEntries without entries) to every follower on each heartbeat tick', () => {
    const h = leader();
    acceptAll(h);
    acceptAll(h); // the commit index update
    raftTimer(h.s, h.env, 'heartbeat');
    expect(h.out.map((x) => [x.to, x.msg.type, x.msg.type === 'AppendEntries' && x.msg.entries.length])).toEqual([
      ['n2', 'AppendEntries', 0],
      ['n3', 'AppendEntries', 0],
    ]);
    expect(h.timers.heartbeat).toBe(h.env.now + h.opts.raft.heartbeatUs);
  });

  for (const role of ['follower', 'candidate'] as const) {
    it(`a ${role} whose election timeout elapses increments its term, votes for itself and asks everyone for votes`, () => {
      const h = role === 'follower' ? withLog('n1', P3, 1, [1]) : candidate();
      const before = h.s.term;
      raftTimer(h.s, h.env, 'election');
      expect(h.s.role).toBe('candidate');
      expect(h.s.term).toBe(before + 1);
      expect(h.s.votedFor).toBe('n1');
      const last = h.s.log.length;
      expect(h.take().map((x) => [x.to, x.msg])).toEqual([
        ['n2', rv(before + 1, last, last === 0 ? 0 : 1)],
        ['n3', rv(before + 1, last, last === 0 ? 0 : 1)],
      ]);
    });
  }

  // etcd's TestLeaderElectionInOneRoundRPC: win with a majority, lose to a majority of refusals, else wait.
  const rounds: [number, Record<string, boolean>, string][] = [
    [1, {}, 'leader'],
    [3, { n2: true, n3: true }, 'leader'],
    [3, { n2: true }, 'leader'],
    [5, { n2: true, n3: true, n4: true, n5: true }, 'leader'],
    [5, { n2: true, n3: true }, 'leader'],
    [3, { n2: false, n3: false }, 'follower'],
    [5, { n2: false, n3: false, n4: false, n5: false }, 'follower'],
    [5, { n2: true, n3: false, n4: false, n5: false }, 'follower'],
    [3, {}, 'candidate'],
    [5, { n2: true }, 'candidate'],
    [5, { n2: false, n3: false }, 'candidate'],
  ];
  for (const [size, votes, role] of rounds) {
    it(`a candidate of a ${size}-node cluster with votes ${JSON.stringify(votes)} becomes ${role} (majority wins)`, () => {
      const h = hand('n1', P5.slice(0, size));
      raftForceTimeout(h.s, h.env);
      for (const [p, g] of Object.entries(votes)) raftReceive(h.s, h.env, p, rvr(1, g));
      expect(h.s.role).toBe(role);
      expect(h.s.term).toBe(1);
    });
  }

  // etcd's TestFollowerVote: at most one vote per term, first come first served.
  const votes: [string | null, string, boolean][] = [
    [null, 'n2', true],
    [null, 'n3', true],
    ['n2', 'n2', true],
    ['n3', 'n3', true],
    ['n2', 'n3', false],
    ['n3', 'n2', false],
  ];
  for (const [votedFor, asker, granted] of votes) {
    it(`a follower that voted for ${votedFor ?? 'nobody'} in the term ${granted ? 'grants' : 'refuses'} ${asker} (one vote per term)`, () => {
      const h = hand('n1', P3);
      h.s.term = 1;
      h.s.votedFor = votedFor;
      raftReceive(h.s, h.env, asker, rv(1, 0, 0));
      expect(h.out).toEqual([{ to: asker, msg: expect.objectContaining({ type: 'RequestVoteResponse', term: 1, granted }) }]);
    });
  }

  it('votedFor survives a crash and restart, so a restarted node cannot vote twice in a term (Figure 2)', () => {
    const c = cluster(3, 1, (o) => {
      o.raft.electionTimeoutUsMin = 10 * S;
      o.raft.electionTimeoutUsMax = 20 * S;
      o.raft.heartbeatUs = 5 * S;
    });
    c.sim.hold('n1', 'n3');
    c.sim.forceTimeout('n1');
    runFor(c, 50 * MS);
    expect(node(c.world, 'n1').role).toBe('leader');
    expect(node(c.world, 'n2').votedFor).toBe('n1');
    c.sim.crash('n2');
    c.sim.restart('n2');
    expect(node(c.world, 'n2').votedFor).toBe('n1');
  });

  for (const term of [1, 2]) {
    it(`a candidate that hears from a leader of term ${term} (not below its own) returns to follower`, () => {
      const h = candidate();
      raftReceive(h.s, h.env, 'n2', ae(term, 0, 0, [], 0));
      expect([h.s.role, h.s.term, h.s.leader]).toEqual(['follower', term, 'n2']);
    });
  }

  it('election timeouts are randomized over [min, max]', () => {
    const h = hand('n1', P3);
    const seen = new Set<number>();
    for (let i = 0; i < 500; i++) {
      raftTimer(h.s, h.env, 'election');
      const d = h.timers.election! - h.env.now;
      expect(d).toBeGreaterThanOrEqual(h.opts.raft.electionTimeoutUsMin);
      expect(d).toBeLessThanOrEqual(h.opts.raft.electionTimeoutUsMax);
      seen.add(Math.floor(((d - h.opts.raft.electionTimeoutUsMin) * 10) / (h.opts.raft.electionTimeoutUsMax - h.opts.raft.electionTimeoutUsMin + 1)));
    }
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('a follower resets its election timer on AppendEntries from the leader and on granting a vote, not on refusing one (Figure 2)', () => {
    const h = withLog('n1', P3, 1, [1, 1]);
    h.env.now = 100 * MS;
    raftReceive(h.s, h.env, 'n2', ae(1, 2, 1, [], 0));
    expect(h.timers.election).toBeGreaterThanOrEqual(h.env.now + h.opts.raft.electionTimeoutUsMin);
    const armed = h.timers.election;
    h.env.now = 150 * MS;
    raftReceive(h.s, h.env, 'n3', rv(2, 1, 1)); // a higher term, but a log that is behind: refused
    expect(h.s.term).toBe(2);
    expect(h.timers.election).toBe(armed);
    raftReceive(h.s, h.env, 'n2', rv(2, 2, 1)); // granted
    expect(h.timers.election).toBeGreaterThanOrEqual(150 * MS + h.opts.raft.electionTimeoutUsMin);
  });

  it('with randomized timeouts a 5-node cluster elects one leader (and keeps it) within a second', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const c = cluster(5, seed);
      expect(runUntil(c, () => leaderOf(c.world) !== null, 1 * S)).toBe(true);
      const l = leaderOf(c.world);
      runFor(c, 2 * S);
      expect(leaderOf(c.world)).toBe(l);
    }
  });

  it('with a fixed timeout on every node, the vote splits again and again (the misconfiguration)', () => {
    // Latency fixed too, so nothing breaks the symmetry: every node times out together, votes for itself.
    const c = cluster(5, 1, (o) => {
      o.raft.electionTimeoutUsMin = o.raft.electionTimeoutUsMax = 200 * MS;
      o.net.latencyUsMin = o.net.latencyUsMax = 5 * MS;
    });
    runFor(c, 60 * S);
    expect(leaderOf(c.world)).toBeNull();
    expect(node(c.world, 'n1').term).toBeGreaterThan(250);
  });
});

describe('§5.3 log replication', () => {
  it('a leader appends a client command to its log and sends it to every follower, with the index and term before it', () => {
    const h = leader();
    acceptAll(h);
    acceptAll(h);
    clientPut(h, 'x', '1');
    expect(h.s.log.map((e) => e.term)).toEqual([1, 1]);
    expect(h.out.map((x) => [x.to, x.msg])).toEqual([
      ['n2', ae(1, 1, 1, [h.s.log[1]!], 1, h.s.round)],
      ['n3', ae(1, 1, 1, [h.s.log[1]!], 1, h.s.round)],
    ]);
  });

  // etcd's TestLeaderAcknowledgeCommit.
  const acks: [number, string[], boolean][] = [
    [1, [], true],
    [3, [], false],
    [3, ['n2'], true],
    [3, ['n2', 'n3'], true],
    [5, [], false],
    [5, ['n2'], false],
    [5, ['n2', 'n3'], true],
    [5, ['n2', 'n3', 'n4', 'n5'], true],
  ];
  for (const [size, acceptors, committed] of acks) {
    it(`a ${size}-node leader whose entry is acknowledged by {${acceptors.join(' ')}} ${committed ? 'commits' : 'does not commit'} it (committed once on a majority)`, () => {
      const peers = P5.slice(0, size);
      const h = leader(peers);
      acceptAll(h);
      acceptAll(h);
      const before = h.s.commitIndex;
      clientPut(h, 'x', '1');
      acceptAll(h, (to) => acceptors.includes(to));
      expect(h.s.commitIndex > before).toBe(committed);
    });
  }

  it('a follower answers each AppendEntries with its term, the round, and the match it now has (prevLogIndex + entries), also where one answer object serves several followers', () => {
    const c = cluster(5, 3);
    runUntil(c, () => leaderOf(c.world) !== null, 5 * S);
    for (let i = 0; i < 20; i++) {
      submit(c, `c${(i % 3) + 1}`, { op: 'put', key: `k${i % 4}`, value: String(i) });
      runFor(c, 15 * MS);
    }
    runFor(c, 200 * MS);
    // The AppendEntries each node took last, and each node's term, as the trace tells them.
    const took = new Map<string, Extract<Message, { type: 'AppendEntries' }>>();
    const term = new Map<string, number>();
    const objects = new Set<Message>();
    let answers = 0;
    for (const e of c.trace) {
      if (e.k === 'term') term.set(e.node, e.to);
      if (e.k === 'deliver' && e.msg.type === 'AppendEntries') took.set(e.to, e.msg);
      if (e.k !== 'send' || e.msg.type !== 'AppendEntriesResponse' || !e.msg.success) continue;
      const m = took.get(e.from)!;
      expect([e.msg.term, e.msg.round, e.msg.matchIndex, e.msg.conflictIndex, e.msg.reason]).toEqual([term.get(e.from), m.round, m.prevLogIndex + m.entries.length, 0, 'ok']);
      objects.add(e.msg);
      answers++;
    }
    expect(answers).toBeGreaterThan(80);
    expect(objects.size).toBeLessThan(answers);
  });

  it('committing an entry commits every entry before it, also those of earlier leaders, and applies them in order', () => {
    const h = withLog('n1', P3, 2, [1, 2]);
    raftForceTimeout(h.s, h.env);
    raftReceive(h.s, h.env, 'n2', rvr(3, true));
    clientPut(h, 'x', '1');
    for (let i = 0; i < 3; i++) {
      // Probe back until the follower matches, then acknowledge.
      for (const { to, msg } of h.take()) {
        if (msg.type === 'AppendEntries' && to === 'n2') raftReceive(h.s, h.env, to, aer(3, true, msg.prevLogIndex + msg.entries.length, 0, msg.round));
      }
    }
    expect(h.s.commitIndex).toBe(4);
    expect(h.trace.filter((e) => e.k === 'apply').map((e) => e.k === 'apply' && [e.index, e.entry.term])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
      [4, 3],
    ]);
  });

  it('the leader tells followers its commit index, and a follower commits up to it, but not beyond the entries it has from this leader', () => {
    const h = hand('n2', P3);
    raftReceive(h.s, h.env, 'n1', ae(1, 0, 0, entries(1, 1, 1), 1));
    expect(h.s.commitIndex).toBe(1);
    raftReceive(h.s, h.env, 'n1', ae(1, 0, 0, entries(1), 3)); // an old, shorter message: leaderCommit 3
    expect(h.s.commitIndex).toBe(1); // min(leaderCommit, index of last new entry)
    raftReceive(h.s, h.env, 'n1', ae(1, 3, 1, [], 3));
    expect(h.s.commitIndex).toBe(3);
    expect(h.s.lastApplied).toBe(3);
  });

  // etcd's TestFollowerCheckMsgApp: the consistency check.
  const checks: [number, number, boolean, number][] = [
    [0, 0, true, 0],
    [1, 1, true, 0],
    [2, 2, true, 0],
    [2, 1, false, 2], // mismatch at index 2 (have t2): retry from the first index of term 2
    [3, 3, false, 3], // no entry at 3: retry from 3
  ];
  for (const [index, term, ok, hint] of checks) {
    it(`a follower with log [1 2] ${ok ? 'accepts' : 'rejects'} AppendEntries after (index ${index}, term ${term})${ok ? '' : `, hinting ${hint}`}`, () => {
      const h = withLog('n2', P3, 2, [1, 2]);
      raftReceive(h.s, h.env, 'n1', ae(2, index, term, [], 0));
      expect(h.out[0]!.msg).toMatchObject(ok ? { success: true, matchIndex: index } : { success: false, conflictIndex: hint });
    });
  }

  // etcd's TestFollowerAppendEntries: delete the conflicting entry and all that follow, append the new.
  const appends: [number, number, number[], number[]][] = [
    [2, 2, [3], [1, 2, 3]],
    [1, 1, [3, 4], [1, 3, 4]],
    [0, 0, [1], [1, 2]],
    [0, 0, [3], [3]],
  ];
  for (const [index, term, ents, want] of appends) {
    it(`a follower with log [1 2] given ${JSON.stringify(ents)} after (${index}, ${term}) ends with ${JSON.stringify(want)}`, () => {
      const h = withLog('n2', P3, 2, [1, 2]);
      const e = ents.map((t, i) => entries(...Array(index + i).fill(0), t)[index + i]!);
      raftReceive(h.s, h.env, 'n1', ae(4, index, term, e, 0));
      expect(h.s.log.map((x) => x.term)).toEqual(want);
    });
  }

  it('a follower does not truncate its log for an old AppendEntries whose entries it already has (§5.3, duplicates)', () => {
    const h = hand('n2', P3);
    raftReceive(h.s, h.env, 'n1', ae(1, 0, 0, entries(1, 1, 1), 0));
    raftReceive(h.s, h.env, 'n1', ae(1, 0, 0, entries(1), 0));
    expect(h.s.log.length).toBe(3);
    expect(h.trace.some((e) => e.k === 'truncate')).toBe(false);
  });

  it('after a rejection the leader retries from the follower\'s hint, never below what the follower acknowledged', () => {
    const h = withLog('n1', P3, 1, [1, 1, 1, 1, 1]);
    raftForceTimeout(h.s, h.env);
    raftReceive(h.s, h.env, 'n2', rvr(2, true));
    expect(h.s.nextIndex[h.s.peers.indexOf('n2')]).toBe(6); // its no-op is at 6
    h.take();
    raftReceive(h.s, h.env, 'n2', aer(2, false, 0, 3));
    expect(h.take().map((x) => x.msg)).toMatchObject([{ type: 'AppendEntries', prevLogIndex: 2, entries: [{}, {}, {}, {}] }]);
    raftReceive(h.s, h.env, 'n2', aer(2, false, 0, 3)); // the same rejection again (duplicated): nothing new
    expect(h.take()).toEqual([]);
    raftReceive(h.s, h.env, 'n2', aer(2, true, 6));
    raftReceive(h.s, h.env, 'n2', aer(2, false, 0, 1)); // a stale rejection from before
    expect(h.s.nextIndex[h.s.peers.indexOf('n2')]).toBe(7);
    expect(h.take()).toEqual([]);
  });
});

describe('§5.3 Figure 7: the leader brings every follower log in line with its own', () => {
  // Figure 7: a leader of term 8 may find any of logs (a)-(f) on its followers. Log terms by index.
  const leaderLog = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
  const followers: Record<string, number[]> = {
    a: [1, 1, 1, 4, 4, 5, 5, 6, 6],
    b: [1, 1, 1, 4],
    c: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
    d: [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
    e: [1, 1, 1, 4, 4, 4, 4],
    f: [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
  };
  const all = ['L', 'a', 'b', 'c', 'd', 'e', 'f'];

  /** The seven servers of Figure 7, with the logs of the figure and terms as they stood before term 8. */
  function figure7() {
    const c = cluster(all, 7, (o) => {
      o.raft.electionTimeoutUsMin = 10 * S;
      o.raft.electionTimeoutUsMax = 20 * S;
      o.raft.heartbeatUs = 5 * S;
    });
    const logs: Record<string, number[]> = { L: leaderLog, ...followers };
    for (const n of all) {
      const s = node(c.world, n);
      s.log = entries(...logs[n]!);
      s.term = n === 'd' ? 7 : n === 'L' ? 7 : Math.max(...logs[n]!);
      // The checker learns each log as the trace would have shown it, entry by entry.
      s.log.forEach((e, i) => raftCheckAppend(c.world.check, c.world.index.get(n)!, i + 1, e));
    }
    return c;
  }

  it('the leader of term 8 wins with the votes of a, b, e, f (c and d have logs more up to date than its own)', () => {
    const c = figure7();
    c.sim.forceTimeout('L');
    runFor(c, 50 * MS);
    expect(node(c.world, 'L').role).toBe('leader');
    expect(node(c.world, 'L').term).toBe(8);
    const granted = c.trace.flatMap((e) => (e.k === 'vote' && e.candidate === 'L' && e.node !== 'L' && e.granted ? [e.node] : []));
    const refused = c.trace.flatMap((e) => (e.k === 'vote' && e.candidate === 'L' && !e.granted ? [e.node] : []));
    expect(granted.sort()).toEqual(['a', 'b', 'e', 'f']);
    expect(refused.sort()).toEqual(['c', 'd']);
  });

  it('every follower ends with exactly the leader\'s log: missing entries added, extraneous and conflicting ones deleted', () => {
    const c = figure7();
    c.sim.forceTimeout('L');
    runFor(c, 200 * MS);
    for (const n of all) expect(terms(c.world, n)).toEqual([...leaderLog, 8]);
    // The leader's no-op of term 8 (index 11) is on a majority: it commits everything before it too.
    expect(node(c.world, 'L').commitIndex).toBe(11);
    const cut = Object.fromEntries(c.trace.flatMap((e) => (e.k === 'truncate' ? [[e.node, e.fromIndex]] : [])));
    expect(cut).toEqual({ c: 11, d: 11, e: 6, f: 4 });
    // Followers that caught up before the commit learn it from the next heartbeat.
    runFor(c, 5 * S);
    for (const n of all) expect([n, node(c.world, n).commitIndex]).toEqual([n, 11]);
    expect(c.trace.filter((e) => e.k === 'violation')).toEqual([]);
  });

  it('fast backtracking: a rejection skips a whole conflicting term, so (f) is repaired after 2 rejections, not 7', () => {
    const c = figure7();
    c.sim.forceTimeout('L');
    runFor(c, 200 * MS);
    const rejections = (n: string) => c.trace.filter((e) => e.k === 'send' && e.from === n && e.msg.type === 'AppendEntriesResponse' && !e.msg.success).length;
    // (f) holds t2 at 4..6 and t3 at 7..11: a mismatch at 10 points back to 7, one at 6 points back to 4.
    expect(rejections('f')).toBe(2);
    expect(rejections('b')).toBe(1);
    expect(rejections('a')).toBe(1);
  });
});

describe('§5.4.1 election restriction', () => {
  it('a vote request carries the candidate\'s last log index and term', () => {
    const h = withLog('n1', P3, 2, [1, 2]);
    raftTimer(h.s, h.env, 'election');
    expect(sent(h, 'RequestVote').map((x) => x.msg)).toEqual([rv(3, 2, 2), rv(3, 2, 2)]);
  });

  // etcd's TestVoter: a voter refuses a candidate whose log is less up to date than its own.
  const voter: [number[], number, number, boolean][] = [
    [[1], 1, 1, true],
    [[1], 2, 1, true],
    [[1, 1], 1, 1, false], // same last term, shorter log
    [[1], 1, 2, true],
    [[1], 2, 2, true],
    [[1, 1], 1, 2, true], // higher last term wins over a longer log
    [[2], 1, 1, false], // lower last term loses
    [[2], 2, 1, false],
    [[2, 2], 1, 1, false],
    [[1, 1], 1, 1, false],
  ];
  for (const [log, index, term, granted] of voter) {
    it(`a voter with log ${JSON.stringify(log)} ${granted ? 'grants' : 'refuses'} a candidate whose last entry is ${index}@t${term}`, () => {
      const h = withLog('n1', ['n1', 'n2'], 2, log);
      raftReceive(h.s, h.env, 'n2', rv(3, index, term));
      expect(h.out).toEqual([{ to: 'n2', msg: expect.objectContaining({ type: 'RequestVoteResponse', granted }) }]);
    });
  }
});

describe('§5.4.2 committing entries from previous terms', () => {
  // etcd's TestLeaderOnlyCommitsLogFromCurrentTerm: a leader of term 3 with [1 2] and its no-op at 3.
  for (const [acked, commit] of [
    [1, 0],
    [2, 0],
    [3, 3],
  ] as const) {
    it(`a leader whose follower acknowledges up to index ${acked} commits ${commit === 0 ? 'nothing' : `through ${commit}`} (only current-term entries are committed by counting)`, () => {
      const h = withLog('n1', ['n1', 'n2'], 2, [1, 2]);
      raftForceTimeout(h.s, h.env);
      raftReceive(h.s, h.env, 'n2', rvr(3, true));
      expect(h.s.role).toBe('leader');
      raftReceive(h.s, h.env, 'n2', aer(3, true, acked));
      expect(h.s.commitIndex).toBe(commit);
      if (commit === 0 && acked === 2) {
        expect(h.trace.find((e) => e.k === 'commit-refused')).toMatchObject({ index: 2 });
      }
    });
  }
});

describe('clients (§8): a leader answers once the command is applied; others redirect', () => {
  it('a write through the cluster is acknowledged after it commits, and a read sees it', () => {
    const c = cluster(3, 4);
    expect(runUntil(c, () => leaderOf(c.world) !== null, 5 * S)).toBe(true);
    expect(request(c, 'A', { op: 'put', key: 'x', value: '1' })).toEqual({ ok: true, result: 'OK' });
    expect(request(c, 'B', { op: 'get', key: 'x' })).toEqual({ ok: true, result: '1' });
  });

  it('a follower answers with a hint of the leader', () => {
    const h = hand('n2', P3);
    raftReceive(h.s, h.env, 'n1', ae(1, 0, 0, [], 0));
    clientPut(h, 'x', '1');
    expect(h.out.at(-1)).toEqual({ to: 'A', msg: { type: 'ClientResponse', ok: false, seq: 1, result: 'not leader; try n1', leaderHint: 'n1' } });
  });
});

export type { RaftState };
