// Rule family: unknown words. "Unknown command `x`." and the like, with "Did you mean …?" ranked by
// edit distance, and a quick fix that replaces the word with the best suggestion.
import { describe, expect, it } from 'vitest';
import { parseError } from '../helpers';

describe('unknown words and did-you-mean', () => {
  it.each([
    ['clustr raft nodes=5', 'Unknown command `clustr`. Did you mean `cluster`?', 1, 7, 'cluster'],
    ['partiton {n1} | {n2}', 'Unknown command `partiton`. Did you mean `partition`?', 1, 9, 'partition'],
    ['expct leader', 'Unknown command `expct`. Did you mean `expect`?', 1, 6, 'expect'],
    ['A pt x=1', 'Unknown client operation `pt`. Did you mean `put`?', 3, 5, 'put'],
    ['A delet x', 'Unknown client operation `delet`. Did you mean `delete`?', 3, 8, 'delete'],
    ['cluster rafy nodes=3', 'Unknown protocol `rafy`; use raft, paxos, multi-paxos or bully. Did you mean `raft`?', 9, 13, 'raft'],
    ['cluster Raft nodes=3', 'Unknown protocol `Raft`; use raft, paxos, multi-paxos or bully. Did you mean `raft`?', 9, 13, 'raft'],
    ['show seqence', 'Unknown view `seqence`; use sequence, states, log or topology. Did you mean `sequence`?', 6, 13, 'sequence'],
    ['run until leadr', 'Unknown fact `leadr`. Did you mean `leader`?', 11, 16, 'leader'],
    ['expect leadr n3', 'Unknown fact `leadr`. Did you mean `leader`?', 8, 13, 'leader'],
    ['expect comitted x=1', 'Unknown fact `comitted`. Did you mean `committed`?', 8, 16, 'committed'],
    ['expect n1 iss leader', 'Expected `is`, `term`, `commit`, `log`, `has`, `got`, `failed`, `took`, `token`, `leads` or `saw` after `n1`, found `iss`. Did you mean `is`?', 11, 14, 'is'],
    ['expect n1 is folower', 'Unknown role `folower`; use leader, follower, candidate, precandidate, down or paused. Did you mean `follower`?', 14, 21, 'follower'],
  ])('%s', (src, message, column, endColumn, fix) => {
    expect(parseError(src)).toEqual({ message, line: 1, column, endColumn, fix });
  });

  it.each([
    ['frobnicate n1', 'Unknown command `frobnicate`. A line starts with a command such as `cluster`, `run`, `crash` or `expect`, or with a client name and an operation such as `A put x=1`.', 1, 11],
    ['A', 'Unknown command `A`. A line starts with a command such as `cluster`, `run`, `crash` or `expect`, or with a client name and an operation such as `A put x=1`.', 1, 2],
    ['expect foo', 'Unknown fact `foo`. A fact starts with `leader`, `no`, `term`, `committed`, `logs`, `safe`, `violation`, `stable`, `decided`, `exclusive`, `linearizable`, `rejected` or `not`, or with a node or client name.', 8, 11],
    ['expect n1 is boss', 'Unknown role `boss`; use leader, follower, candidate, precandidate, down or paused.', 14, 18],
    ['expect stable', '`stable` is something to wait for (`run until stable`), not to expect; expect `leader` or `logs equal` instead.', 8, 14],
    ['run until linearizable', '`linearizable` is a property of the whole history so far, something to expect (`expect linearizable`), not to wait for.', 11, 23],
  ])('%s (no suggestion)', (src, message, column, endColumn) => {
    expect(parseError(src)).toEqual({ message, line: 1, column, endColumn });
  });

  it('offers up to three suggestions, closest first', () => {
    expect(parseError('sep prevote=on').message).toBe('Unknown command `sep`. Did you mean `set` or `step`?');
  });

  it('does not suggest for a one-letter word', () => {
    expect(parseError('run 7d').message).toBe('Unknown time unit `d`; use us, ms, s, m or h.');
  });
});
