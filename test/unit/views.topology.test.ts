import { describe, expect, test } from 'vitest';
import { topologyDiagram } from '../../src/views';
import { parseMermaid } from './fixtures/views/mermaid';
import { partitionTrace, TraceBuilder } from './fixtures/views/trace';

describe('topology', () => {
  test('a 2/3 split: each side with its quorum badge, the old leader stale on the minority (CURRICULUM)', async () => {
    const { trace, cell2 } = partitionTrace();
    const atHeal = trace.events.findIndex((e) => e.k === 'fault' && e.fault === 'heal');
    const text = topologyDiagram(trace.input(cell2, atHeal));
    expect(text).toMatchInlineSnapshot(`
      "flowchart LR
      subgraph g0["side 1 · no quorum (2/5)"]
      direction TB
      n0["n1 · ★ leader t1 · ⚠ stale leader"]
      n1["n2 · follower t1"]
      end
      subgraph g1["side 2 · has quorum (3/5)"]
      direction TB
      n2["n3 · ★ leader t2"]
      n3["n4 · follower t2"]
      n4["n5 · follower t2"]
      end
      g0 x-. "partitioned" .-x g1
      classDef leader stroke-width:3px,font-weight:bold
      classDef stale stroke-width:3px,stroke-dasharray:6 3
      classDef down stroke-dasharray:3 3,opacity:0.5
      classDef alarm stroke-width:3px,fill:#ffd6d6
      class n0 stale
      class n2 leader
      "
    `);
    await parseMermaid(text);
  });

  test('zones group the nodes on each side', async () => {
    const nodes = ['us1', 'us2', 'us3', 'eu1', 'eu2', 'ap1', 'ap2'];
    const b = new TraceBuilder(nodes).fault('partition', nodes, '', [['us1', 'us2', 'us3'], ['eu1', 'eu2', 'ap1', 'ap2']]);
    const zones = [
      { name: 'us-east', nodes: ['us1', 'us2', 'us3'] },
      { name: 'eu-west', nodes: ['eu1', 'eu2'] },
      { name: 'ap-south', nodes: ['ap1', 'ap2'] },
    ];
    const text = topologyDiagram({ ...b.input(), zones });
    expect(text).toContain('subgraph g0["side 1 · no quorum (3/7)"]\ndirection TB\nsubgraph g0z0["us-east"]');
    expect(text).toContain('subgraph g1["side 2 · has quorum (4/7)"]\ndirection TB\nsubgraph g1z1["eu-west"]');
    await parseMermaid(text);
  });

  test('down nodes do not count towards a quorum', () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']).fault('crash', ['n2']).fault('crash', ['n3']);
    expect(topologyDiagram(b.input())).toContain('subgraph g0["cluster · no quorum (1/3)"]');
  });

  test('two leaders of one term are flagged as split brain (Election Safety, Raft §5.2)', async () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']).role('n1', 'candidate', 'leader', 2, 'won').role('n3', 'candidate', 'leader', 2, 'bug');
    const text = topologyDiagram(b.input());
    expect(text).toContain('n0["n1 · ★ leader t2 · ⚠ split brain"]');
    expect(text).toContain('warning["⚠ split brain#58; two leaders in term 2"]');
    await parseMermaid(text);
  });

  test('cut and held links are drawn between their nodes', async () => {
    const b = new TraceBuilder(['n1', 'n2', 'n3']).fault('cut', ['n1', 'n2'], 'one way').fault('hold', ['n2', 'n3'], 'hold');
    const text = topologyDiagram(b.input());
    expect(text).toContain('n0 -. "cut one way" .-x n1');
    expect(text).toContain('n1 -. "hold" .-> n2');
    await parseMermaid(text);
  });
});
