// The views on Paxos, Multi-Paxos and bully traces: labels that say what a message means, notes that say
// why, heartbeats collapsed, and every diagram accepted by Mermaid's own parser.

import { describe, expect, it } from 'vitest';
import { bullyProtocol, defaultBullyOptions, type BullyOptions, type BullyState } from '../../../src/engine/bully/node';
import { bullyCheckCreate, bullyCheckEvent } from '../../../src/engine/check/bully';
import { paxosCheckCreate, paxosCheckEvent } from '../../../src/engine/check/paxos';
import { paxosPropose, paxosProtocol, type PaxosState } from '../../../src/engine/paxos/basic';
import { multiPaxosProtocol, type MultiPaxosState } from '../../../src/engine/paxos/multi';
import { defaultMultiPaxosOptions, defaultPaxosOptions, type MultiPaxosOptions, type PaxosOptions } from '../../../src/engine/paxos/options';
import type { Ballot, Message, TraceEvent } from '../../../src/engine/trace';
import { MERMAID_TEXT_MAX, sequenceDiagram, stateDiagram, topologyDiagram, type ViewInput } from '../../../src/views';
import { eventLabel } from '../../../src/views/eventLabel';
import { isHeartbeat, isResponse, messageLabel } from '../../../src/views/labels';
import { HOSTILE } from '../fixtures/views/arbitrary';
import { parseMermaid, parseSequence } from '../fixtures/views/mermaid';
import { Harness, MS, names, S } from './harness';

const b = (round: number, proposer: number): Ballot => ({ round, proposer });

describe('message labels', () => {
  const cases: [Message, string][] = [
    [{ type: 'Prepare', ballot: b(3, 1), instance: 0 }, 'Prepare #3.1'],
    [{ type: 'Prepare', ballot: b(3, 1), instance: 4 }, 'Prepare #3.1 from i4'],
    [{ type: 'Promise', ballot: b(3, 1), instance: 0, accepted: [] }, 'Promise #3.1 (nothing accepted)'],
    [{ type: 'Promise', ballot: b(3, 1), instance: 0, accepted: [{ instance: 0, ballot: b(2, 2), value: 'X' }] }, 'Promise #3.1 (accepted #2.2=X)'],
    [
      {
        type: 'Promise',
        ballot: b(3, 1),
        instance: 1,
        accepted: [1, 2, 3, 4, 5].map((i) => ({ instance: i, ballot: b(2, 2), value: { op: 'noop' } as const })),
      },
      'Promise #3.1 (accepted #2.2=noop i1, #2.2=noop i2, #2.2=noop i3, +2 more)',
    ],
    [{ type: 'Accept', ballot: b(3, 1), instance: 0, value: 'X', chosen: 0 }, 'Accept #3.1 = X'],
    [{ type: 'Accept', ballot: b(3, 1), instance: 7, value: { op: 'put', key: 'x', value: '1', client: 'A', seq: 1 }, chosen: 6 }, 'Accept #3.1 i7 = put x=1'],
    [{ type: 'Accepted', ballot: b(3, 1), instance: 0, value: 'X' }, 'Accepted #3.1 = X'],
    [{ type: 'Nack', ballot: b(3, 1), instance: 0, promised: b(4, 2), phase: 1 }, 'Nack #3.1 (promised #4.2)'],
    [{ type: 'Heartbeat', ballot: b(3, 1), chosen: 5 }, 'Heartbeat #3.1 chosen≤i5'],
    [{ type: 'CatchUp', from: 3 }, 'CatchUp from i3'],
    [{ type: 'Chosen', entries: [{ instance: 3, ballot: b(1, 1), value: 'X' }] }, 'Chosen i3 = X'],
    [{ type: 'Chosen', entries: [3, 4, 5].map((i) => ({ instance: i, ballot: b(1, 1), value: 'X' })) }, 'Chosen i3..5'],
    [{ type: 'Forward', value: 'X' }, 'Forward X'],
    [{ type: 'Election' }, 'Election'],
    [{ type: 'Alive' }, 'Alive'],
    [{ type: 'Coordinator', renew: false }, 'Coordinator'],
  ];
  for (const [msg, label] of cases) {
    it(label, () => expect(messageLabel(msg)).toBe(label));
  }

  it('answers are drawn as responses, keep-alives as heartbeats', () => {
    expect(isResponse({ type: 'Promise', ballot: b(1, 1), instance: 0, accepted: [] })).toBe(true);
    expect(isResponse({ type: 'Alive' })).toBe(true);
    expect(isResponse({ type: 'Prepare', ballot: b(1, 1), instance: 0 })).toBe(false);
    expect(isHeartbeat({ type: 'Heartbeat', ballot: b(1, 1), chosen: 0 })).toBe(true);
    expect(isHeartbeat({ type: 'Coordinator', renew: true })).toBe(true);
    expect(isHeartbeat({ type: 'Coordinator', renew: false })).toBe(false);
  });
});

function input<S, O>(h: Harness<S, O>, clients: string[] = []): ViewInput {
  return { nodes: h.nodes, clients, zones: [], events: h.trace, from: 0 };
}

async function expectMermaid(view: ViewInput): Promise<string[]> {
  const seq = sequenceDiagram(view).text;
  for (const text of [seq, sequenceDiagram(view, { hideHeartbeats: false, showTime: true }).text, stateDiagram(view), topologyDiagram(view)]) {
    expect(text.length).toBeLessThan(MERMAID_TEXT_MAX);
    expect(text).not.toContain('<');
    await parseMermaid(text);
  }
  return (await parseSequence(seq)).texts;
}

describe('sequence diagrams of real runs', () => {
  it('single-decree Paxos: phases as arrows, refusals and decisions as notes with the reason', async () => {
    const h = new Harness<PaxosState, PaxosOptions>(paxosProtocol, names(3), defaultPaxosOptions(), 1, { latencyUsMin: 5 * MS, latencyUsMax: 5 * MS });
    const check = paxosCheckCreate(h.nodes, false);
    h.addCheck((ev) => paxosCheckEvent(check, ev)).start();
    h.call('n1', (s, env) => paxosPropose(s, env, 'X'));
    h.run(7 * MS);
    h.call('n3', (s, env) => paxosPropose(s, env, 'Y'));
    h.run(1 * S);
    const texts = await expectMermaid(input(h));
    expect(texts).toContain('Prepare #1.1');
    expect(texts).toContain('Promise #1.1 (nothing accepted)');
    expect(texts).toContain('Accept #1.1 = X');
    expect(texts).toContain('#1.1 from n1 (accept refused: promised #2.3, above #1.1)');
    expect(texts).toContain('phase 2 #2.3 = X (promises 2/3, a majority; adopts X, the highest accepted (#1.1 reported by n1))');
    expect(texts.filter((t) => t.startsWith('Promise #2.3'))).toEqual(['Promise #2.3 (accepted #1.1=X)', 'Promise #2.3 (nothing accepted)']);
    expect(texts.some((t) => t.startsWith('learned X (chosen: '))).toBe(true);
    expect(texts.some((t) => t.startsWith('phase 2 #'))).toBe(true);
  });

  it('Multi-Paxos: heartbeats collapse into one note per run, named by the ballot', async () => {
    const h = new Harness<MultiPaxosState, MultiPaxosOptions>(multiPaxosProtocol, names(3), defaultMultiPaxosOptions(), 2);
    const check = paxosCheckCreate(h.nodes, true);
    h.addCheck((ev) => paxosCheckEvent(check, ev)).start();
    h.run(1 * S);
    h.put('A', 'x', '1');
    h.run(1 * S);
    const texts = await expectMermaid(input(h, ['A']));
    expect(texts.some((t) => /^×\d+ heartbeats #\d\.\d$/.test(t))).toBe(true);
    expect(texts.filter((t) => t.startsWith('Heartbeat '))).toEqual([]);
    expect(texts.some((t) => /^phase 2 #\d\.\d i1 = put x=1 \(client A's command/.test(t))).toBe(true);
  });

  it('bully: the split brain is drawn as a violation', async () => {
    const h = new Harness<BullyState, BullyOptions>(bullyProtocol, names(5), defaultBullyOptions(), 3);
    const check = bullyCheckCreate(h.nodes, 20 * MS);
    h.addCheck((ev) => bullyCheckEvent(check, ev)).start();
    h.run(1 * S);
    h.partition([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    h.run(1 * S);
    const texts = await expectMermaid(input(h));
    expect(texts.some((t) => t.startsWith('⚠ VIOLATION Single Leader: split brain: n2 and n5 both lead at once'))).toBe(true);
    expect(texts.some((t) => /^×\d+ heartbeats$/.test(t))).toBe(true);
  });

  it('hostile values and node names stay inert', async () => {
    const nodes = HOSTILE.filter((n) => n.trim() !== '').slice(0, 5);
    const evs: TraceEvent[] = [];
    let t = 0;
    for (const v of HOSTILE) {
      const [a, c] = [nodes[t % nodes.length]!, nodes[(t + 1) % nodes.length]!];
      const at = t++;
      evs.push({ k: 'propose', t: at, node: a, instance: 0, value: v, reason: v });
      evs.push({ k: 'deliver', t: at, id: at, from: a, to: c, msg: { type: 'Accept', ballot: b(at, 1), instance: at, value: v, chosen: 0 } });
      evs.push({ k: 'promise', t: at, node: c, proposer: a, instance: 0, ballot: b(at, 2), granted: false, reason: v });
      evs.push({ k: 'pick', t: at, node: a, instance: at, ballot: b(at, 1), value: v, reason: v });
      evs.push({ k: 'learn', t: at, node: c, instance: at, ballot: b(at, 1), value: v, reason: v });
    }
    await expectMermaid({ nodes, clients: [], zones: [], events: evs, from: 0 });
  });
});

describe('event labels (the scrubber line)', () => {
  it('say who decided what, and why', () => {
    const evs: TraceEvent[] = [
      { k: 'propose', t: 0, node: 'n1', instance: 0, value: 'X', reason: 'starts a ballot' },
      { k: 'ballot', t: 0, node: 'n1', instance: 0, ballot: b(1, 1), action: 'start', reason: 'to propose X' },
      { k: 'promise', t: 1000, node: 'n2', proposer: 'n1', instance: 0, ballot: b(1, 1), granted: false, reason: 'promise refused: already promised #7.3' },
      { k: 'pick', t: 2000, node: 'n1', instance: 0, ballot: b(1, 1), value: 'X', reason: 'promises 2/3, a majority' },
      { k: 'accept', t: 3000, node: 'n2', proposer: 'n1', instance: 0, ballot: b(1, 1), value: 'X', granted: true, reason: 'ok' },
      { k: 'learn', t: 4000, node: 'n3', instance: 2, ballot: b(1, 1), value: { op: 'noop' }, reason: 'chosen' },
    ];
    expect(evs.map(eventLabel)).toEqual([
      '0 n1 proposes X: starts a ballot',
      '0 n1 starts ballot #1.1: to propose X',
      '1ms n2 refuses to promise #1.1 to n1: promise refused: already promised #7.3',
      '2ms n1 proposes X in #1.1: promises 2/3, a majority',
      '3ms n2 accepts #1.1 = X from n1: ok',
      '4ms n3 learns noop at i2: chosen',
    ]);
  });
});
