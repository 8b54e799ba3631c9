import { describe, expect, test } from 'vitest';
import { sequenceDiagram, MERMAID_TEXT_MAX } from '../../src/views';
import { countArrows, parseMermaid } from './fixtures/views/mermaid';
import {
  appendEntries,
  appendOk,
  electionTrace,
  heartbeat,
  partitionTrace,
  put,
  requestVote,
  TraceBuilder,
} from './fixtures/views/trace';

describe('sequence diagram of an election (Raft §5.2)', () => {
  test('draws requests solid, responses dashed, lost messages crossed, and notes for every decision', async () => {
    const diagram = sequenceDiagram(electionTrace().input());
    expect(diagram.text).toMatchInlineSnapshot(`
      "sequenceDiagram
      participant p0 as A
      participant p1 as n1
      participant p2 as n2
      participant p3 as n3
      Note over p1: Follower → Candidate t1 (election timeout)
      p1->>p2: RequestVote t1 (last 0@t0)
      p1-xp3: RequestVote t1 (last 0@t0) — lost
      Note over p2: vote for n1 t1 ✓ (log at least as up to date (§5.4.1))
      p2-->>p1: Vote t1 ✓
      Note over p1: Candidate → Leader t1 (won 2/3 votes)
      p1->>p2: AppendEntries t1 i1 c0
      p2-->>p1: AppendOK t1 m1
      Note over p1: commit 0 → 1 (replicated on 2/3)
      Note over p1: apply 1 t1 noop
      Note over p1: ×4 heartbeats t1
      Note over p2: commit 0 → 1 (leader commit 1)
      Note over p2: apply 1 t1 noop
      p0->>p1: put x=1
      p1->>p2: AppendEntries t1 i2 c1
      p2-->>p1: AppendOK t1 m2
      Note over p1: commit 1 → 2 (replicated on 2/3)
      Note over p1: apply 2 t1 put x=1 → ok
      p1-->>p0: ok
      "
    `);
    expect(diagram.messages).toBe(9);
    expect(diagram.omitted).toBe(0);
    await parseMermaid(diagram.text);
  });

  test('with the time prefix, every note starts with its virtual time', () => {
    const { text } = sequenceDiagram(electionTrace().input(), { showTime: true });
    const notes = text.split('\n').filter((line) => line.startsWith('Note over'));
    expect(notes.length).toBeGreaterThan(0);
    for (const note of notes) expect(note).toMatch(/^Note over [p0-9,]+: \[\d+(\.\d+)?(ms|s|µs)\] /);
  });
});

describe('heartbeats (AppendEntries with no entries, Raft §5.2)', () => {
  const trace = (): TraceBuilder => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']);
    b.role('n1', 'candidate', 'leader', 3, 'won 2/3 votes').heartbeats('n1', 3, 4, 4, 6);
    b.note('between runs').heartbeats('n1', 3, 4, 4, 2);
    b.commit('n2', 3, 4, 'leader commit 4').heartbeats('n1', 3, 4, 4, 1);
    return b;
  };

  test('collapse by default into one note per run, responses included', () => {
    const { text, messages } = sequenceDiagram(trace().input());
    expect(messages).toBe(0);
    expect(text).toContain('Note over p0: ×12 heartbeats t3');
    expect(text).toContain('Note over p0: ×6 heartbeats t3\nNote over p1: commit 3 → 4 (leader commit 4)');
  });

  test('are drawn one by one when not hidden', () => {
    const { text, messages } = sequenceDiagram(trace().input(), { hideHeartbeats: false });
    expect(messages).toBe(36);
    expect(text).toContain('p0->>p1: Heartbeat t3 c4');
    expect(text).toContain('p1-->>p0: AppendOK t3 m4');
  });

  test('a lost heartbeat is counted in its run', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.deliver('n1', 'n2', heartbeat(2, 0, 0)).deliver('n2', 'n1', appendOk(2, 0)).drop('n1', 'n2', heartbeat(2, 0, 0), 'loss');
    expect(sequenceDiagram(b.input()).text).toContain('×2 heartbeats t2, 1 lost');
  });

  test('an AppendEntries that carries entries is never collapsed', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.deliver('n1', 'n2', appendEntries(2, 0, 0, [{ term: 2, cmd: { op: 'noop' } }], 0)).deliver('n2', 'n1', appendOk(2, 1));
    const { text, messages } = sequenceDiagram(b.input());
    expect(messages).toBe(2);
    expect(text).not.toContain('heartbeat');
  });
});

describe('notes', () => {
  test('a term change implied by a role change at the same instant gets no note of its own', () => {
    const { text } = sequenceDiagram(electionTrace().input());
    expect(text).toContain('Follower → Candidate t1 (election timeout)');
    expect(text).not.toContain('term 0 → 1');
  });

  test('a candidate’s vote for itself is implied by its role change and gets no note (Raft §5.2)', () => {
    const b = new TraceBuilder(['n1', 'n2']).campaign('n1', 0, 1).vote('n1', 'n1', 1, true, 'votes for itself');
    expect(sequenceDiagram(b.input()).text).not.toContain('votes for itself');
  });

  test('a term change without a role change is noted with its reason', () => {
    const b = new TraceBuilder(['n1', 'n2']).term('n2', 1, 2, 'RequestVote from n1 in term 2');
    expect(sequenceDiagram(b.input()).text).toContain('Note over p1: term 1 → 2 (RequestVote from n1 in term 2)');
  });

  test('a refused commit shows the rule that refused it (Raft §5.4.2)', () => {
    const b = new TraceBuilder(['n1']).commitRefused('n1', 2, 'entry from term 2, current term 4 (§5.4.2)');
    expect(sequenceDiagram(b.input()).text).toContain("Note over p0: won't commit i2 (entry from term 2, current term 4 (§5.4.2))");
  });

  test('an invariant violation is a prominent note in a red block over the nodes involved', async () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']).violation('Election Safety', ['n1', 'n3'], 'two leaders in term 2');
    const { text } = sequenceDiagram(b.input());
    expect(text).toContain('rect rgba(220, 0, 0, 0.25)\nNote over p0,p2: ⚠ VIOLATION Election Safety#58; two leaders in term 2\nend');
    await parseMermaid(text);
  });

  test('consecutive applies on one node are merged', () => {
    const b = new TraceBuilder(['n1']);
    b.apply('n1', 1, { term: 1, cmd: put('a', '1') }).apply('n1', 2, { term: 1, cmd: put('b', '2') }).apply('n1', 3, { term: 1, cmd: put('c', '3') });
    expect(sequenceDiagram(b.input()).text).toContain('Note over p0: apply 1..3');
  });
});

describe('faults', () => {
  test('are noted over the nodes they touch, without repeating the fault’s name', async () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']);
    b.fault('crash', ['n2'], 'crash').fault('pause', ['n3'], '20s').fault('loss', [], 'loss 20%').fault('cut', ['n1', 'n3'], 'one way');
    const { text } = sequenceDiagram(b.input());
    expect(text.split('\n').filter((l) => l.startsWith('Note'))).toEqual([
      'Note over p1: ✗ crash',
      'Note over p2: pause 20s',
      'Note over p0,p2: loss 20#37;',
      'Note over p0,p2: cut n1 → n3 (one way)',
    ]);
    await parseMermaid(text);
  });
});

describe('partitions', () => {
  test('the partition is shaded from the fault to the heal, with the groups named', async () => {
    const { trace, cell2 } = partitionTrace();
    const diagram = sequenceDiagram(trace.input(cell2));
    expect(diagram.text).toMatchInlineSnapshot(`
      "sequenceDiagram
      participant p0 as A
      participant p1 as B
      participant p2 as n1
      participant p3 as n2
      participant p4 as n3
      participant p5 as n4
      participant p6 as n5
      rect rgba(255, 170, 0, 0.08)
      Note over p2,p6: partition {n1 n2} | {n3 n4 n5}
      Note over p2: ×4 heartbeats t1
      p0->>p2: put x=1
      p2-xp4: AppendEntries t1 i2 c1 — partition
      p2->>p3: AppendEntries t1 i2 c1
      p3-->>p2: AppendOK t1 m2
      Note over p2: won't commit i2 (on 2/5, no majority)
      Note over p4: Follower → Candidate t2 (election timeout)
      p4->>p5: RequestVote t2 (last 1@t1)
      Note over p5: vote for n3 t2 ✓ (log at least as up to date (§5.4.1))
      p5-->>p4: Vote t2 ✓
      p4->>p6: RequestVote t2 (last 1@t1)
      Note over p6: vote for n3 t2 ✓ (log at least as up to date (§5.4.1))
      p6-->>p4: Vote t2 ✓
      Note over p4: Candidate → Leader t2 (won 3/5 votes)
      p1->>p4: put x=2
      p2-->>p0: ✗ timeout
      end
      Note over p2,p6: heal
      p4->>p2: AppendEntries t2 i2 c1
      Note over p2: Leader → Follower t2 (AppendEntries from n3 in higher term 2)
      Note over p2: truncate log from i2 (conflicts with leader at i2 (§5.3))
      p2-->>p4: AppendOK t2 m2
      "
    `);
    await parseMermaid(diagram.text);
  });

  test('a partition that holds when the window starts is shaded from the start', async () => {
    const { trace, cell2 } = partitionTrace();
    const { text } = sequenceDiagram(trace.input(cell2 + 3));
    expect(text.split('\n').slice(8, 10)).toEqual([
      'rect rgba(255, 170, 0, 0.08)',
      'Note over p2,p6: partition {n1 n2} | {n3 n4 n5} (holds from before)',
    ]);
    await parseMermaid(text);
  });

  test('a dropped message is crossed and says why', () => {
    const { trace, cell2 } = partitionTrace();
    expect(sequenceDiagram(trace.input(cell2)).text).toContain('p2-xp4: AppendEntries t1 i2 c1 — partition');
  });
});

describe('windows', () => {
  test('events before `from` only build up state: the cell shows its own events', () => {
    const { trace, cell2 } = partitionTrace();
    const { text } = sequenceDiagram(trace.input(cell2));
    expect(text).not.toContain('won 4/5 votes');
    expect(text).toContain('won 3/5 votes');
  });

  test('`to` ends the window (the scrubber shows the cell up to one event)', () => {
    const b = electionTrace();
    const full = sequenceDiagram(b.input()).messages;
    expect(sequenceDiagram(b.input(0, 7)).messages).toBe(2);
    expect(full).toBeGreaterThan(2);
  });

  test('fromUs and toUs keep only the events in that span of virtual time', () => {
    const b = new TraceBuilder(['n1', 'n2']);
    b.at(1_000).deliver('n1', 'n2', requestVote(1)).at(5_000).deliver('n1', 'n2', requestVote(2)).at(9_000).deliver('n1', 'n2', requestVote(3));
    const { text } = sequenceDiagram(b.input(), { fromUs: 4_000, toUs: 8_000 });
    expect(text).toContain('RequestVote t2');
    expect(text).not.toContain('RequestVote t1');
    expect(text).not.toContain('RequestVote t3');
  });

  test('an empty window is still a diagram Mermaid accepts', async () => {
    const b = electionTrace();
    const { text } = sequenceDiagram(b.input(b.length));
    expect(text).toContain('Note over p0,p2: no events in this cell');
    await parseMermaid(text);
  });

  test('a window with events but no messages says so', async () => {
    const b = new TraceBuilder(['n1']).timeout('n1');
    const { text } = sequenceDiagram(b.input());
    expect(text).toContain('Note over p0: no messages in this cell');
    await parseMermaid(text);
  });

  test('an empty cluster still yields a valid diagram', async () => {
    const { text } = sequenceDiagram({ nodes: [], clients: [], zones: [], events: [], from: 0 });
    await parseMermaid(text);
  });
});

describe('size control (Mermaid maxTextSize 50,000, maxEdges 500)', () => {
  const busy = (rounds: number): TraceBuilder => {
    const b = new TraceBuilder(['n1', 'n2', 'n3', 'n4', 'n5']);
    for (let i = 1; i <= rounds; i++) {
      for (const n of ['n2', 'n3', 'n4', 'n5']) b.deliver('n1', n, requestVote(i, i, i));
    }
    return b;
  };

  test('caps arrows at maxMessages and says how many events were left out and how to see them', async () => {
    const { text, messages, omitted } = sequenceDiagram(busy(100).input(), { maxMessages: 50 });
    expect(messages).toBe(50);
    expect(countArrows(text)).toBe(50);
    expect(omitted).toBe(350);
    // Below the hard cap of 500, a larger `max=` draws more of them.
    expect(text).toMatch(/Note over p0,p4: 350 events omitted \(use show sequence max=500 to draw more, or from=\d+ms to=\d+ms to see them\)\n$/);
    await parseMermaid(text);
  });

  test('at the hard cap of 500 arrows the note offers a time window only', async () => {
    const { text, messages, omitted } = sequenceDiagram(busy(150).input(), { maxMessages: 500 });
    expect(messages).toBe(500);
    expect(countArrows(text)).toBe(500);
    expect(omitted).toBe(100);
    expect(text).toMatch(/Note over p0,p4: 100 events omitted \(use show sequence from=\d+ms to=\d+ms to see them\)\n$/);
    await parseMermaid(text);
  });

  test('defaults to 200 arrows and never exceeds 500 however many are asked for', () => {
    expect(sequenceDiagram(busy(200).input()).messages).toBe(200);
    expect(sequenceDiagram(busy(200).input(), { maxMessages: 10_000 }).messages).toBe(500);
  });

  test('long hostile labels cannot push the text past 50,000 characters', async () => {
    const huge = '🚀;'.repeat(2_000);
    const b = new TraceBuilder(['n1', 'n2']);
    for (let i = 0; i < 400; i++) b.clientRequest('n1', 'n2', put(huge, huge));
    b.violation('Election Safety', ['n1'], huge);
    const { text, omitted } = sequenceDiagram(b.input(), { maxMessages: 500 });
    expect(text.length).toBeLessThan(MERMAID_TEXT_MAX);
    expect(omitted).toBeGreaterThan(0);
    expect(text).toContain('⚠ VIOLATION Election Safety');
    await parseMermaid(text);
  });
});

describe('client traffic', () => {
  test('client requests and responses are drawn from the client events', () => {
    const { text } = sequenceDiagram(electionTrace().input());
    expect(text).toContain('p0->>p1: put x=1');
    expect(text).toContain('p1-->>p0: ok');
  });

  test('when the engine routes client messages through the network, they are drawn once', () => {
    const b = new TraceBuilder(['n1'], ['A']);
    b.clientRequest('A', 'n1', put('x', '1')).deliver('A', 'n1', { type: 'ClientRequest', cmd: put('x', '1') });
    b.deliver('n1', 'A', { type: 'ClientResponse', ok: false, seq: 1, result: 'not leader', leaderHint: 'n2' });
    b.clientResponse('A', 'n1', false, 'not leader');
    const { text, messages } = sequenceDiagram(b.input());
    expect(messages).toBe(2);
    expect(text).toContain('p1-->>p0: ✗ not leader (try n2)');
  });

  test('only clients active in the window are participants, before the nodes', () => {
    const { trace, cell2 } = partitionTrace();
    const lines = sequenceDiagram(trace.input(cell2)).text.split('\n');
    expect(lines.slice(1, 3)).toEqual(['participant p0 as A', 'participant p1 as B']);
    expect(sequenceDiagram(trace.input(0, cell2)).text).not.toContain('as A');
  });
});
