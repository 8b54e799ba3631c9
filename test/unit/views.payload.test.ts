// The notebook output of a cell run: `show sequence max=N` reaches the sequence view and the scrubber,
// and the largest diagram the language allows (500 arrows) is one Mermaid accepts.

import { describe, expect, test } from 'vitest';
import { stepLabel } from '../../src/views/eventLabel';
import { buildPayload } from '../../src/views/payload';
import { DEFAULT_MAX_MESSAGES, MERMAID_EDGES_MAX, MERMAID_TEXT_MAX, sequenceDiagram } from '../../src/views/sequence';
import { runOk } from './lang/helpers';
import { countArrows, parseMermaid } from './fixtures/views/mermaid';

/** A Raft cell with far more than 500 messages when every message is drawn. */
const BUSY = 'cluster raft nodes=5 seed=3\nrun until leader';
const busyCell = (show: string): string => `${show}\nA put x=1\nrun 5s`;

describe('show sequence max=N', () => {
  test('max=500 draws exactly 500 arrows of a long trace, and Mermaid accepts the diagram', async () => {
    const run = runOk([BUSY, busyCell('show sequence hide=none max=500')]);
    const payload = buildPayload(run);
    const text = payload.mermaid.sequence;
    expect(countArrows(text)).toBe(MERMAID_EDGES_MAX);
    expect(text.length).toBeLessThan(MERMAID_TEXT_MAX);
    expect(payload.omitted).toBeGreaterThan(0);
    // At the hard cap a larger max would not help: the note points at a time window only.
    const note = text.trimEnd().split('\n').pop()!;
    expect(note).toMatch(new RegExp(`^Note over p\\d+,p\\d+: ${payload.omitted} events omitted \\(use show sequence from=\\d+ms to=\\d+ms to see them\\)$`));
    await parseMermaid(text);
  });

  test('without max the diagram stops at the default of 200 arrows and says max=500 draws more', async () => {
    const run = runOk([BUSY, busyCell('show sequence hide=none')]);
    const text = buildPayload(run).mermaid.sequence;
    expect(countArrows(text)).toBe(DEFAULT_MAX_MESSAGES);
    expect(text.trimEnd().split('\n').pop()).toMatch(/: \d+ events omitted \(use show sequence max=500 to draw more, or from=\d+ms to=\d+ms to see them\)$/);
    await parseMermaid(text);
  });

  test('a small max draws that many arrows', () => {
    const run = runOk([BUSY, busyCell('show sequence hide=none max=7')]);
    expect(countArrows(buildPayload(run).mermaid.sequence)).toBe(7);
  });

  test('the scrubber draws with the same window and cap as the diagram', () => {
    const run = runOk([BUSY, busyCell('show sequence hide=none from=1s to=4s max=300')]);
    const payload = buildPayload(run);
    const scrub = payload.scrub!;
    expect(scrub).toMatchObject({ hideHeartbeats: false, fromUs: 1_000_000, toUs: 4_000_000, maxMessages: 300 });
    // The scrubber at its last event redraws exactly the cell's diagram.
    const redrawn = sequenceDiagram(
      { nodes: scrub.nodes, clients: scrub.clients, zones: scrub.zones, events: scrub.events, from: 0, to: scrub.events.length },
      { hideHeartbeats: scrub.hideHeartbeats, fromUs: scrub.fromUs!, toUs: scrub.toUs!, maxMessages: scrub.maxMessages! },
    );
    expect(countArrows(redrawn.text)).toBe(300);
    expect(redrawn.text).toBe(payload.mermaid.sequence);
  });

  test('a cell without show options leaves the scrubber on the defaults', () => {
    const run = runOk([BUSY, 'A put x=1\nrun 1s']);
    const scrub = buildPayload(run).scrub!;
    expect(scrub.hideHeartbeats).toBe(true);
    expect(scrub).not.toHaveProperty('maxMessages');
    expect(scrub).not.toHaveProperty('fromUs');
  });
});

describe('the scrubber', () => {
  test('a cell without events carries no scrubber (no "event 0/0")', () => {
    const run = runOk([BUSY, 'expect leader']);
    expect(run.events.length).toBe(run.from);
    const payload = buildPayload(run);
    expect(payload.events).toBe(0);
    expect(payload).not.toHaveProperty('scrub');
    // The cell still has its views.
    expect(payload.mermaid.sequence).toContain('no events in this cell');
  });

  test('its label reads the same however a position is reached, and names the ends', () => {
    const run = runOk([BUSY, 'A put x=1\nrun 100ms']);
    const events = buildPayload(run).scrub!.events;
    const n = events.length;
    expect(stepLabel(0, n, null)).toBe(`event 0/${n} · start of cell`);
    expect(stepLabel(1, n, events[0]!)).toMatch(new RegExp(`^event 1/${n} · \\d`));
    expect(stepLabel(1, n, events[0]!)).not.toContain('end of cell');
    expect(stepLabel(n, n, events[n - 1]!)).toMatch(new RegExp(`^event ${n}/${n} · .+ · end of cell$`));
  });
});
