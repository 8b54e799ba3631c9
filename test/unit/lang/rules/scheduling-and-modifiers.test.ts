// Rule family: structure. What may be scheduled, how client modifiers combine, and well-formed sets.
import { describe, expect, it } from 'vitest';
import { parseError } from '../helpers';

describe('structure', () => {
  it.each([
    ['at 2s run 1s', '`run` cannot be scheduled: `at` takes a fault, a client command, `set`, `timeout`, `hold`, `release` or `drop`.', 7, 10],
    ['after 1s expect leader', '`expect` cannot be scheduled: `after` takes a fault, a client command, `set`, `timeout`, `hold`, `release` or `drop`.', 10, 16],
    ['at 1s at 2s crash n1', '`at` cannot be scheduled: `at` takes a fault, a client command, `set`, `timeout`, `hold`, `release` or `drop`.', 7, 9],
    ['at 1s cluster raft nodes=3', '`cluster` cannot be scheduled: `at` takes a fault, a client command, `set`, `timeout`, `hold`, `release` or `drop`.', 7, 14],
    ['A put x=1 via n1 via n2', '`via` is given twice.', 18, 21],
    ['A put x=1 nowait nowait', '`nowait` is given twice.', 18, 24],
    ['A put x=1 within 1s nowait', '`within` bounds the wait for an answer, and `nowait` does not wait: use one of them.', 21, 27],
    ['crash {}', 'A node set needs at least one node, such as `{n1 n2}`.', 7, 9],
    ['partition {} | {n1}', 'A node set needs at least one node, such as `{n1 n2}`.', 11, 13],
    [`cluster raft nodes=${Array.from({ length: 52 }, (_, i) => `a${i}`).join(',')}`, 'A cluster has at most 51 nodes; found 52.', 20, 20 + Array.from({ length: 52 }, (_, i) => `a${i}`).join(',').length],
  ])('%s', (src, message, column, endColumn) => {
    expect(parseError(src)).toEqual({ message, line: 1, column, endColumn });
  });

  it('a set may separate its nodes with commas', () => {
    expect(() => parseError('crash {n1, n2}')).toThrow(/expected one diagnostic/);
  });
});
