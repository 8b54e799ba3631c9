// Every diagram the views generate must be accepted by Mermaid's own parser, whatever the names and
// values in the trace, and must stay within Mermaid's size limits.

import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  describeState,
  foldState,
  logTable,
  MERMAID_TEXT_MAX,
  sequenceDiagram,
  stateDiagram,
  topologyDiagram,
  truncate,
  verdict,
  type ViewInput,
} from '../../src/views';
import { HOSTILE, viewInputArb } from './fixtures/views/arbitrary';
import { countArrows, parseMermaid, parseSequence } from './fixtures/views/mermaid';
import { electionTrace, entry, partitionTrace, put, requestVote, TraceBuilder, voteResponse } from './fixtures/views/trace';

/** Every Mermaid view of `input`, by name. */
function diagrams(input: ViewInput): Record<string, string> {
  return {
    sequence: sequenceDiagram(input).text,
    'sequence (all heartbeats, timed)': sequenceDiagram(input, { hideHeartbeats: false, showTime: true }).text,
    states: stateDiagram(input),
    topology: topologyDiagram(input),
  };
}

function expectSafe(text: string): void {
  expect(text.length).toBeLessThan(MERMAID_TEXT_MAX);
  expect(text).not.toMatch(/<script/i);
  expect(text).not.toContain('%%');
  expect(text).not.toContain('<');
}

describe('Mermaid accepts every view', () => {
  const cases: Record<string, () => ViewInput> = {
    election: () => electionTrace().input(),
    'partition cell': () => partitionTrace().trace.input(partitionTrace().cell2),
    'whole partition story': () => partitionTrace().trace.input(),
    'empty trace': () => new TraceBuilder(['n1', 'n2', 'n3']).input(),
    'no nodes at all': () => new TraceBuilder([]).input(),
    'zones and split brain': () => {
      const b = new TraceBuilder(['a1', 'a2', 'b1', 'b2', 'c1']);
      b.role('a1', 'candidate', 'leader', 2, 'won').role('b1', 'candidate', 'leader', 2, 'quorum bug').fault('cut', ['a1', 'b1'], 'one way');
      b.fault('hold', ['b2', 'c1'], 'hold').fault('crash', ['c1']);
      return { ...b.input(), zones: [{ name: 'zone a', nodes: ['a1', 'a2'] }, { name: 'zone b', nodes: ['b1', 'b2'] }] };
    },
  };
  for (const [name, make] of Object.entries(cases)) {
    test(name, async () => {
      for (const text of Object.values(diagrams(make()))) {
        expectSafe(text);
        await parseMermaid(text);
      }
    });
  }
});

describe('hostile names, keys and values', () => {
  const hostileTrace = (): TraceBuilder => {
    const nodes = HOSTILE.slice(0, 16);
    const clients = HOSTILE.slice(16);
    const b = new TraceBuilder(nodes, clients);
    nodes.forEach((node, i) => {
      const peer = nodes[(i + 1) % nodes.length]!;
      const value = HOSTILE[(i + 5) % HOSTILE.length]!;
      b.campaign(node, i, i + 1)
        .deliver(node, peer, requestVote(i + 1))
        .vote(peer, node, i + 1, i % 2 === 0, value)
        .deliver(peer, node, voteResponse(i + 1, i % 2 === 0, value))
        .append(node, 1, entry(i + 1, put(value, value, clients[i % clients.length]!)))
        .apply(node, 1, entry(i + 1, put(value, value)), value)
        .commitRefused(node, 1, value);
    });
    clients.forEach((client, i) => b.clientRequest(client, nodes[i]!, put(client, client, client)).clientResponse(client, nodes[i]!, false, client));
    b.fault('partition', nodes, HOSTILE[5]!, [nodes.slice(0, 3), nodes.slice(3)]).fault('cut', [nodes[0]!, nodes[1]!], HOSTILE[0]!);
    b.violation(HOSTILE[0]!, nodes.slice(0, 2), HOSTILE[5]!).note(HOSTILE[11]!);
    nodes.forEach((node, i) => b.role(node, 'leader', 'follower', i + 2, HOSTILE[(i + 9) % HOSTILE.length]!));
    return b;
  };

  test('produce diagrams Mermaid parses, with no markup, comment or directive left raw', async () => {
    const input = { ...hostileTrace().input(), zones: [{ name: HOSTILE[0]!, nodes: HOSTILE.slice(0, 4) }, { name: HOSTILE[5]!, nodes: HOSTILE.slice(4, 9) }] };
    for (const text of Object.values(diagrams(input))) {
      expectSafe(text);
      await parseMermaid(text);
    }
  });

  test('appear literally as participant names once Mermaid has read them', async () => {
    const b = hostileTrace();
    const { actors } = await parseSequence(sequenceDiagram(b.input()).text);
    const expected = [...b.clients, ...b.nodes].map((name) => (name === '' ? '(empty)' : truncate(name, 40)));
    expect(actors).toEqual(expected);
  });

  test('appear literally in message and note texts', async () => {
    const b = new TraceBuilder(['n1', 'n2']);
    const value = 'a;b#c "d" <e> %%{f}%% g:h\nNote over p0: i';
    b.deliver('n1', 'n2', voteResponse(2, false, value)).commitRefused('n1', 2, value);
    const { texts } = await parseSequence(sequenceDiagram(b.input()).text);
    expect(texts).toContain(`Vote t2 ✗ ${value}`);
    expect(texts).toContain(`won't commit i2 (${value})`);
  });

  test('leave the Markdown log table without raw markup, pipes or line breaks inside cells', () => {
    const table = logTable(hostileTrace().input());
    expect(table).not.toMatch(/<(script|img|br)/i);
    const rows = table.trimEnd().split('\n');
    const columns = rows[0]!.split(/(?<!\\)\|/).length;
    for (const row of rows) expect(row.split(/(?<!\\)\|/).length).toBe(columns);
  });

  test('state descriptions and verdicts stay plain text for their consumers to escape', () => {
    const b = hostileTrace();
    expect(describeState(foldState(b.input()))).toContain(HOSTILE[0]);
    expect(verdict(b.input()).violations[0]).toBe(`${HOSTILE[0]}: ${HOSTILE[5]}`);
  });
});

describe('random traces (property)', () => {
  test('every view parses and stays under 50,000 characters and 500 arrows', async () => {
    await fc.assert(
      fc.asyncProperty(
        viewInputArb(150),
        fc.record({
          hideHeartbeats: fc.boolean(),
          showTime: fc.boolean(),
          maxMessages: fc.option(fc.integer({ min: 0, max: 2_000 }), { nil: undefined }),
        }),
        async (input, opts) => {
          const seq = sequenceDiagram(input, opts);
          expectSafe(seq.text);
          expect(countArrows(seq.text)).toBe(seq.messages);
          expect(seq.messages).toBeLessThanOrEqual(Math.min(opts.maxMessages ?? 200, 500));
          await parseMermaid(seq.text);
          for (const text of Object.values(diagrams(input))) {
            expectSafe(text);
            await parseMermaid(text);
          }
          describeState(foldState(input));
          verdict(input);
          expect(logTable(input)).not.toMatch(/<script/i);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('long traces with long hostile labels are cut to size and still parse', async () => {
    await fc.assert(
      fc.asyncProperty(viewInputArb(1_500, 1_000), fc.integer({ min: 100, max: 2_000 }), async (input, maxMessages) => {
        const seq = sequenceDiagram({ ...input, from: 0, to: undefined }, { maxMessages, hideHeartbeats: false });
        expectSafe(seq.text);
        expect(seq.messages).toBeLessThanOrEqual(500);
        await parseMermaid(seq.text);
      }),
      { numRuns: 8 },
    );
  });
});
