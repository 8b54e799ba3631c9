// Rule family: names. Every node, zone and client a cell names is checked against the scenario before
// anything runs: a cell with an unknown name fails whole, and no event happens.
import { describe, expect, it } from 'vitest';
import { INVARIANT_SLUGS } from '../../../../src/lang/facts';
import { FIVE, lastProblems, runCells } from '../helpers';

const NAMED = 'cluster raft nodes=us1,us2,eu1 seed=1';
const ZONED = 'cluster raft nodes=5 seed=1\nzone us-east {n1 n2}\nzone eu-west {n3 n4 n5}';

describe('names', () => {
  it.each([
    [FIVE, 'crash n7', 'Unknown node n7; this cluster has n1..n5.', 7, 9, undefined],
    [FIVE, 'crash nn1', 'Unknown node nn1; this cluster has n1..n5. Did you mean `n1`?', 7, 10, 'n1'],
    [NAMED, 'crash us4', 'Unknown node us4; this cluster has us1, us2, eu1.', 7, 10, undefined],
    [NAMED, 'timeout eu', 'Unknown node eu; this cluster has us1, us2, eu1. Did you mean `eu1`?', 9, 11, 'eu1'],
    [FIVE, 'A put x=1 via n9', 'Unknown node n9; this cluster has n1..n5.', 15, 17, undefined],
    [FIVE, 'expect leader n6', 'Unknown node n6; this cluster has n1..n5.', 15, 17, undefined],
    [FIVE, 'expect n6 is leader', 'Unknown node n6; this cluster has n1..n5.', 8, 10, undefined],
    [FIVE, 'run until n6 is leader', 'Unknown node n6; this cluster has n1..n5.', 11, 13, undefined],
    [FIVE, 'expect committed x=1 on n0', 'Unknown node n0; this cluster has n1..n5.', 25, 27, undefined],
    [FIVE, 'hold n1 -> n8', 'Unknown node n8; this cluster has n1..n5.', 12, 14, undefined],
    [ZONED, 'partition us-east | eu-wst', 'Unknown node or zone eu-wst; this cluster has n1..n5 and zones us-east, eu-west. Did you mean `eu-west`?', 21, 27, 'eu-west'],
    [ZONED, 'isolate us-east', 'Unknown node us-east; this cluster has n1..n5. us-east is a zone; this command takes one node.', 9, 16, undefined],
    [FIVE, 'expect violation election-safty', `Unknown invariant \`election-safty\`; the invariants are ${INVARIANT_SLUGS.join(', ')}. Did you mean \`election-safety\`?`, 18, 32, 'election-safety'],
  ])('%s / %s', (setup, cell, message, column, endColumn, fix) => {
    const problems = runCells([setup, cell]);
    const d = problems[1]!.diagnostics;
    expect(d.map((x) => ({ message: x.message, column: x.span.column, endColumn: x.span.endColumn, fix: x.fix?.replacement }))).toEqual([{ message, column, endColumn, fix }]);
  });

  it('clients are known once a command used them', () => {
    expect(lastProblems([FIVE, 'expect A failed'])).toEqual([{ message: 'Unknown client A; no command of this scenario used a client yet.', line: 1, column: 8, endColumn: 9 }]);
    expect(lastProblems([FIVE, 'A put x=1', 'expect B got 1'])).toEqual([{ message: 'Unknown client B; the clients so far are A.', line: 1, column: 8, endColumn: 9 }]);
    expect(lastProblems([FIVE, 'A put x=1', 'expect a got OK'])).toEqual([{ message: 'Unknown client a; the clients so far are A. Did you mean `A`?', line: 1, column: 8, endColumn: 9, fix: 'A' }]);
    expect(lastProblems([FIVE, 'A put x=1\nexpect A got OK'])).toEqual([]);
  });

  it('a client cannot have the name of a node or a zone', () => {
    expect(lastProblems([FIVE, 'n1 put x=1'])).toEqual([{ message: 'n1 is a node; a client needs its own name, such as `A put …`.', line: 1, column: 1, endColumn: 3 }]);
    expect(lastProblems([ZONED, 'us-east get x'])).toEqual([{ message: 'us-east is a zone; a client needs its own name, such as `A get …`.', line: 1, column: 1, endColumn: 8 }]);
  });

  it('a zone cannot have the name of a node', () => {
    expect(lastProblems([FIVE, 'zone n1 {n2 n3}'])).toEqual([{ message: 'Zone n1 has the name of a node; give the zone its own name.', line: 1, column: 6, endColumn: 8 }]);
  });

  it('words of the language cannot name nodes, zones or clients', () => {
    expect(lastProblems(['cluster raft nodes=a,leader'])).toEqual([{ message: '`leader` is a word of the language and cannot name a node.', line: 1, column: 22, endColumn: 28 }]);
    expect(lastProblems([FIVE, 'zone all {n1}'])).toEqual([{ message: '`all` is a word of the language and cannot name a zone.', line: 1, column: 6, endColumn: 9 }]);
    expect(lastProblems([FIVE, 'via put x=1'])).toEqual([{ message: '`via` is a word of the language and cannot name a client.', line: 1, column: 1, endColumn: 4 }]);
  });

  it('a node in two groups of a partition', () => {
    expect(lastProblems([FIVE, 'partition {n1 n2} | {n2 n3}'])).toEqual([{ message: 'Node n2 is in two groups of the partition (groups 1 and 2).', line: 1, column: 22, endColumn: 24 }]);
    expect(lastProblems([ZONED, 'partition us-east | {n1 n3}'])).toEqual([{ message: 'Node n1 is in two groups of the partition (groups 1 and 2).', line: 1, column: 22, endColumn: 24 }]);
  });

  it('without a cluster, says so once per cell', () => {
    expect(lastProblems(['crash n1\nrun 1s\nexpect leader'])).toEqual([{ message: 'No cluster yet: declare one first, for example `cluster raft nodes=5`.', line: 1, column: 7, endColumn: 9 }]);
  });

  it('names declared earlier in the same cell are known', () => {
    expect(lastProblems(['cluster raft nodes=3\nzone a {n1}\ncrash a\nA put x=1 within 1s\nexpect A got OK'])).toEqual([]);
  });

  it('a cell with an unknown name does nothing at all, and reports every unknown name', () => {
    const runs = runCells([FIVE, 'crash n1\nrun 2s\ncrash n9\nexpect n8 is leader', 'expect n1 is leader\nexpect n1 term = 1']);
    expect(runs[1]!.diagnostics.map((d) => [d.span.line, d.message])).toEqual([
      [3, 'Unknown node n9; this cluster has n1..n5.'],
      [4, 'Unknown node n8; this cluster has n1..n5.'],
    ]);
    expect(runs[1]!.events.length).toBe(runs[1]!.from);
    expect(runs[1]!.timeUs).toBe(runs[0]!.timeUs);
    expect(runs[2]!.ok).toBe(true);
  });
});
