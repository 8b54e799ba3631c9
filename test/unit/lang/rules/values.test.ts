// Rule family: values. Durations need units and stay within a week, ranges go from low to high,
// percentages stop at 100%, counts and node names are checked, each pointing at the value.
import { describe, expect, it } from 'vitest';
import { parseError } from '../helpers';

describe('values', () => {
  it('a duration without a unit offers to add `ms`', () => {
    expect(parseError('run 2')).toEqual({ message: 'A duration needs a unit: `2ms` or `2s`.', line: 1, column: 5, endColumn: 6, fix: '2ms' });
    expect(parseError('cluster raft nodes=5 election-timeout=150')).toEqual({ message: 'A duration needs a unit: `150ms` or `150s`.', line: 1, column: 39, endColumn: 42, fix: '150ms' });
  });

  it('an unknown unit gets did-you-mean and a fix for the whole token', () => {
    expect(parseError('run 2mss')).toEqual({ message: 'Unknown time unit `mss`; use us, ms, s, m or h. Did you mean `ms`?', line: 1, column: 5, endColumn: 9, fix: '2ms' });
    expect(parseError('pause n1 20x')).toEqual({ message: 'Unknown time unit `x`; use us, ms, s, m or h.', line: 1, column: 10, endColumn: 13 });
    // Units named like JavaScript properties are unknown units too (not a lookup on an object's prototype).
    for (const unit of ['toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
      expect(parseError(`run 5${unit}`).message).toBe(`Unknown time unit \`${unit}\`; use us, ms, s, m or h.`);
    }
  });

  it.each([
    ['run -2s', 'Time only runs forward: the duration must not be negative.', 5, 8],
    ['run 8000h', '`8000h` is longer than the 7-day limit of a scenario.', 5, 10],
    ['run until leader within 0s', '`within` needs a positive duration.', 25, 27],
    ['A put x=1 within 0ms', '`within` needs a positive duration.', 18, 21],
    ['pause n1 0s', 'A pause must last longer than 0.', 10, 12],
    ['after -1s crash n1', 'A time must not be negative.', 7, 10],
    ['delay n1 -> n2 300ms..150ms', 'The range `300ms..150ms` must go from low to high.', 16, 28],
    ['delay n1 -> n2 150ms..3', 'The range `150ms..3` must go from low to high.', 16, 24],
    ['delay n1 -> n2 -5ms', 'Expected a duration that is not negative, found `-5ms`.', 16, 20],
    ['cluster raft nodes=3 heartbeat=-5ms', 'Expected a duration that is not negative for `heartbeat`, found `-5ms`.', 32, 36],
    ['loss 120%', 'A percentage is at most 100%, found `120%`.', 6, 10],
    ['loss 20', 'Expected a percentage such as `20%`, found `20`.', 6, 8],
    ['duplicate x', 'Expected a percentage such as `20%`, found `x`.', 11, 12],
    ['step 10000000', 'Expected a number of events from 1 to 1,000,000, found `10000000`.', 6, 14],
    ['expect A token x', 'Expected a token number, found `x`.', 16, 17],
    ['cluster raft nodes=0', 'A cluster needs at least 1 node.', 20, 21],
    ['cluster raft nodes=52', 'A cluster has at most 51 nodes; found 52.', 20, 22],
    ['cluster raft nodes=1a', 'Expected a node count or names for `nodes`, found `1a`.', 20, 22],
    ['cluster raft nodes=a,b,a', 'Node `a` is declared twice.', 24, 25],
    ['cluster raft nodes=a,_b,c.d', '`c.d` is not a valid node name (letters, digits, - and _, starting with a letter).', 25, 28],
  ])('%s', (src, message, column, endColumn) => {
    expect(parseError(src)).toEqual({ message, line: 1, column, endColumn });
  });

  it('accepts the unit on either side of a range, and fractions', () => {
    expect(parseError.bind(null, 'delay n1 -> n2 150..300ms')).toThrow(/expected one diagnostic/);
    expect(parseError.bind(null, 'run 1.5s')).toThrow(/expected one diagnostic/);
  });
});
