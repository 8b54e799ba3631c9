// Rule family: availability. Commands whose engine is not built yet (the coordination service) parse, and then fail before anything runs with "… is not
// available yet: it needs …". Commands and facts of another protocol say so, before anything runs.
import { describe, expect, it } from 'vitest';
import { FIVE, lastProblems, runCells } from '../helpers';

const COORD = 'the coordination service (locks, fencing tokens, watches, leases)';

describe('not available yet', () => {
  it.each([
    ['A lock resource-x ttl=15s renew=5s', `\`lock\` is not available yet: it needs ${COORD}, which is not built yet.`, 3, 7],
    ['A unlock resource-x', `\`unlock\` is not available yet: it needs ${COORD}, which is not built yet.`, 3, 9],
    ['A write storage "v1" token', `\`write\` is not available yet: it needs ${COORD}, which is not built yet.`, 3, 8],
    ['A watch /config/', `\`watch\` is not available yet: it needs ${COORD}, which is not built yet.`, 3, 8],
    ['A elect controller lease=15s', `\`elect\` is not available yet: it needs ${COORD}, which is not built yet.`, 3, 8],
    ['A put x=1\nexpect A token 34', `\`expect token\` is not available yet: it needs ${COORD}, which is not built yet.`, 8, 18],
    ['A put x=1\nexpect rejected A write', `\`expect rejected\` is not available yet: it needs ${COORD}, which is not built yet.`, 8, 24],
  ])('on a Raft cluster: %s', (cell, message, column, endColumn) => {
    const problems = lastProblems([FIVE, cell]);
    expect(problems).toEqual([{ message, line: cell.split('\n').length, column, endColumn }]);
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
    const runs = runCells([FIVE, 'crash n1\nA lock r ttl=1s\nrun 5s', 'expect n1 is leader']);
    expect(runs[1]!.ok).toBe(false);
    expect(runs[1]!.events.length - runs[1]!.from).toBe(0);
    expect(runs[2]!.ok).toBe(true);
  });

  it('a scheduled command is checked too', () => {
    expect(lastProblems([FIVE, 'at 5s A lock r ttl=1s'])).toEqual([{ message: `\`lock\` is not available yet: it needs ${COORD}, which is not built yet.`, line: 1, column: 9, endColumn: 13 }]);
  });
});
