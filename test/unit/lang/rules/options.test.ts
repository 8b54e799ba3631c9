// Rule family: options (`key=value`). Unknown options with did-you-mean, values of the wrong kind,
// options given twice or missing, and options of another protocol, each pointing at the key or value.
import { describe, expect, it } from 'vitest';
import { lastProblems, parseError } from '../helpers';

describe('options', () => {
  it.each([
    ['cluster raft nodez=5', 'Unknown option `nodez` for `cluster`. Did you mean `nodes`?', 14, 19, 'nodes'],
    ['cluster raft nodes=3 electon-timeout=1s', 'Unknown option `electon-timeout` for `cluster`. Did you mean `election-timeout`?', 22, 37, 'election-timeout'],
    ['cluster raft nodes=3 read=indx', 'Expected `index`, `lease`, `log` or `local` for `read`, found `indx`. Did you mean `index`?', 27, 31, 'index'],
    ['set prevote=onn', 'Expected `on` or `off` for `prevote`, found `onn`. Did you mean `on`?', 13, 16, 'on'],
    ['show log hide=heartbeat', 'Expected `heartbeats` or `none` for `hide`, found `heartbeat`. Did you mean `heartbeats`?', 15, 24, 'heartbeats'],
  ])('%s', (src, message, column, endColumn, fix) => {
    expect(parseError(src)).toEqual({ message, line: 1, column, endColumn, fix });
  });

  it.each([
    ['cluster raft nodes=3 colour=red', 'Unknown option `colour` for `cluster`. Options: nodes, seed, election-timeout, heartbeat, retry, latency, prevote, check-quorum, read, bug, client-retry, max-batch.', 22, 28],
    ['set nodes=5', 'Unknown option `nodes` for `set`. Options: election-timeout, heartbeat, retry, latency, prevote, check-quorum, read, bug, client-retry, max-batch.', 5, 10],
    ['A lock r ttl=1s bogus=2', 'Unknown option `bogus` for `lock`. Options: ttl, renew, retry.', 17, 22],
    ['cluster raft nodes=3 read=stale', 'Expected `index`, `lease`, `log` or `local` for `read`, found `stale`.', 27, 32],
    ['cluster raft nodes=3 prevote=yes', 'Expected `on` or `off` for `prevote`, found `yes`.', 30, 33],
    ['cluster raft nodes=3 read=index,log', 'Option `read` takes one value, found `index,log`.', 27, 36],
    ['cluster raft nodes=3 bug=commit-old-term,foo', 'Expected `commit-old-term`, `skip-up-to-date-check`, `forget-vote-on-restart`, `quorum-off-by-one` or `skip-log-match-check` for `bug`, found `foo`.', 42, 45],
    ['explore seeds=10 faults=crash,fire', 'Expected `crash`, `restart`, `pause`, `partition`, `loss`, `delay`, `duplicate` or `skew` for `faults`, found `fire`.', 31, 35],
    ['cluster raft nodes=3 seed=x', 'Expected a whole number for `seed`, found `x`.', 27, 28],
    ['cluster raft nodes=3 seed=-1', 'Expected a whole number for `seed`, found `-1`.', 27, 29],
    ['explore seeds=x', 'Expected a whole number for `seeds`, found `x`.', 15, 16],
    ['cluster raft nodes=3 heartbeat=10ms..20ms', 'Expected one duration for `heartbeat`, found the range `10ms..20ms`.', 32, 42],
    ['cluster raft nodes=3 seed=1 seed=2', 'Option `seed` is given twice.', 29, 33],
    ['cluster raft nodes=5 nodes=3', 'Option `nodes` is given twice.', 22, 27],
    ['A lock r', 'Expected `ttl=15s`, found end of line.', 9, 10],
    ['A elect c retry=2s', 'Expected `lease=15s`, found end of line.', 19, 20],
    ['explore', 'Expected `seeds=1000`, found end of line.', 8, 9],
    ['A unlock r ttl=1s', 'Unknown option `ttl` for `unlock`. `unlock` takes no options.', 12, 15],
    ['show sequence max=0', 'Expected `max` from 1 to 500, found `0`.', 19, 20],
    ['show sequence max=501', 'Expected `max` from 1 to 500, found `501`.', 19, 22],
    ['show sequence hide=none max=100000', 'Expected `max` from 1 to 500, found `100000`.', 29, 35],
    ['show sequence max=-5', 'Expected a whole number for `max`, found `-5`.', 19, 21],
    ['show sequence max=lots', 'Expected a whole number for `max`, found `lots`.', 19, 23],
    ['show sequence max=2.5', 'Expected a whole number for `max`, found `2.5`.', 19, 22],
  ])('%s', (src, message, column, endColumn) => {
    expect(parseError(src)).toEqual({ message, line: 1, column, endColumn });
  });

  describe('of another protocol', () => {
    it.each([
      ['cluster paxos nodes=3 prevote=on', 'Option `prevote` is for raft clusters, not paxos.', 23, 30],
      ['cluster bully nodes=3 read=local', 'Option `read` is for raft clusters, not bully.', 23, 27],
      ['cluster paxos nodes=3 election-timeout=1s', 'Option `election-timeout` is for raft, multi-paxos or bully clusters, not paxos.', 23, 39],
      ['cluster raft nodes=3 retry=12ms', 'Option `retry` is for paxos clusters, not raft.', 22, 27],
      ['cluster bully nodes=3 retry=12ms..60ms', 'Option `retry` is for paxos clusters, not bully.', 23, 28],
      ['cluster bully nodes=3 bug=quorum-from-reachable', 'Option `bug` is for raft, paxos or multi-paxos clusters, not bully.', 23, 26],
      ['cluster raft nodes=3 bug=quorum-from-reachable', 'Expected `commit-old-term`, `skip-up-to-date-check`, `forget-vote-on-restart`, `quorum-off-by-one` or `skip-log-match-check` for `bug`, found `quorum-from-reachable`.', 26, 47],
      ['cluster paxos nodes=3 bug=ignore-accepted-values,commit-old-term', 'Expected `quorum-from-reachable`, `forget-promise-on-restart` or `ignore-accepted-values` for `bug`, found `commit-old-term`.', 50, 65],
      ['cluster multi-paxos nodes=3 prevote=on', 'Option `prevote` is for raft clusters, not multi-paxos.', 29, 36],
      ['cluster multi-paxos nodes=3 check-quorum=on', 'Option `check-quorum` is for raft clusters, not multi-paxos.', 29, 41],
    ])('%s', (src, message, column, endColumn) => {
      expect(parseError(src)).toEqual({ message, line: 1, column, endColumn });
    });

    it('`set` on a cluster of another protocol, checked before anything runs', () => {
      expect(lastProblems(['cluster paxos nodes=3\nset prevote=on'])).toEqual([{ message: 'Option `prevote` is for raft clusters, not paxos.', line: 2, column: 5, endColumn: 12 }]);
      expect(lastProblems(['cluster bully nodes=3', 'set retry=10ms'])).toEqual([{ message: 'Option `retry` is for paxos clusters, not bully.', line: 1, column: 5, endColumn: 10 }]);
      expect(lastProblems(['cluster multi-paxos nodes=3', 'set bug=commit-old-term'])).toEqual([
        { message: 'Bug `commit-old-term` is not a bug of multi-paxos; multi-paxos has `quorum-from-reachable`, `forget-promise-on-restart` or `ignore-accepted-values`.', line: 1, column: 9, endColumn: 24 },
      ]);
    });

    it('the options every protocol shares are accepted', () => {
      expect(lastProblems(['cluster paxos nodes=3 seed=1 latency=1ms..2ms client-retry=1s']).map((p) => p.message)).toEqual([]);
    });
  });

  it('values are checked against the cluster when they are applied', () => {
    expect(lastProblems(['cluster raft nodes=3 heartbeat=200ms'])).toEqual([
      { message: 'The heartbeat (200ms) must be shorter than the election timeout (150ms), or followers start elections against a live leader.', line: 1, column: 1, endColumn: 37 },
    ]);
  });
});
