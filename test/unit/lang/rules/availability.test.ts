// Rule family: availability. Commands and facts of another protocol say so, before anything runs.
import { describe, expect, it } from 'vitest';
import { FIVE, lastProblems, runCells } from '../helpers';

describe('commands of another protocol', () => {
  it.each([
    ['A lock r ttl=15s', '`lock` is for raft clusters; this cluster runs multi-paxos.', 3, 7],
    ['A unlock r', '`unlock` is for raft clusters; this cluster runs multi-paxos.', 3, 9],
    ['A write storage v1', '`write` is for raft clusters; this cluster runs multi-paxos.', 3, 8],
    ['A elect controller lease=15s', '`elect` is for raft clusters; this cluster runs multi-paxos.', 3, 8],
    ['A put x=1\nexpect A leads controller', '`expect leads` is for raft clusters; this cluster runs multi-paxos.', 8, 26],
    ['A put x=1\nexpect A token 3', '`expect token` is for raft clusters; this cluster runs multi-paxos.', 8, 17],
    ['A put x=1\nexpect rejected A write', '`expect rejected` is for raft clusters; this cluster runs multi-paxos.', 8, 24],
    ['A watch /config/', '`watch` is for raft clusters; this cluster runs multi-paxos.', 3, 8],
    ['A put x=1\nexpect A saw /config/x=1', '`expect saw` is for raft clusters; this cluster runs multi-paxos.', 8, 25],
  ])('the coordination service runs on Raft (it needs its lessor): %s', (cell, message, column, endColumn) => {
    expect(lastProblems(['cluster multi-paxos nodes=3', cell])).toEqual([{ message, line: cell.split('\n').length, column, endColumn }]);
  });

  it.each([
    ['n1 propose X', '`propose` is for paxos or multi-paxos clusters; this cluster runs raft.', 4, 11],
    ['expect decided X', '`expect decided` is for paxos or multi-paxos clusters; this cluster runs raft.', 8, 17],
    ['run until decided', '`until decided` is for paxos or multi-paxos clusters; this cluster runs raft.', 11, 18],
  ])('Paxos commands on a Raft cluster: %s', (cell, message, column, endColumn) => {
    expect(lastProblems([FIVE, cell])).toEqual([{ message, line: 1, column, endColumn }]);
  });

  it.each([
    ['cluster paxos nodes=3', 'paxos'],
    ['cluster bully nodes=3', 'bully'],
  ])('expect linearizable needs clients with a replicated store: %s', (cluster, protocol) => {
    expect(lastProblems([cluster, 'expect linearizable'])).toEqual([
      { message: `\`expect linearizable\` is for raft or multi-paxos clusters; this cluster runs ${protocol}.`, line: 1, column: 8, endColumn: 20 },
    ]);
  });

  it('the rest of such a cell does not run, and the cluster is as it was', () => {
    const runs = runCells([FIVE, 'crash n1\nn1 propose X\nrun 5s', 'expect n1 is leader']);
    expect(runs[1]!.ok).toBe(false);
    expect(runs[1]!.events.length - runs[1]!.from).toBe(0);
    expect(runs[2]!.ok).toBe(true);
  });

  it('a scheduled command is checked too', () => {
    expect(lastProblems([FIVE, 'at 5s n1 propose X'])).toEqual([{ message: '`propose` is for paxos or multi-paxos clusters; this cluster runs raft.', line: 1, column: 10, endColumn: 17 }]);
  });
});
