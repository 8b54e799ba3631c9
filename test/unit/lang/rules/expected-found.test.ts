// Rule family: syntax. One constructor for every syntax error, "Expected X, found Y.", pointing at
// the token found (or just past the end of the line).
import { describe, expect, it } from 'vitest';
import { parseError } from '../helpers';

describe('Expected X, found Y.', () => {
  it.each([
    ['crash', 'Expected a node, found end of line.', 6, 7],
    ['cut n1 n2', 'Expected `->` or `<->`, found `n2`.', 8, 10],
    ['heal now', 'Expected end of line, found `now`.', 6, 9],
    ['run', 'Expected a duration such as `2s`, or `until leader`, found end of line.', 4, 5],
    ['run 2s 3s', 'Expected end of line, found `3s`.', 8, 10],
    ['run until', 'Expected a fact such as `leader`, `committed x=1` or `stable`, found end of line.', 10, 11],
    ['run until leader n3 n4', 'Expected `within` or end of line, found `n4`.', 21, 23],
    ['run until leader within', 'Expected a duration such as `2s` or `150ms`, found end of line.', 24, 25],
    ['5 crash', 'Expected a command, found `5`.', 1, 2],
    ['{n1}', 'Expected a command, found `{`.', 1, 2],
    ['"open', 'Expected a command, found an unterminated string (a `"` without its closing `"`).', 1, 6],
    ['crash n1 é', 'Expected a node or end of line, found unexpected character `é`.', 10, 11],
    ['crash {', 'Expected a node name, found end of line.', 8, 9],
    ['crash {n1', 'Expected a node name or `}`, found end of line.', 10, 11],
    ['cluster raft', 'Expected `nodes=5` or `nodes=a,b,c`, found end of line.', 13, 14],
    ['cluster raft nodes 5', 'Expected `=` after `nodes`, found `5`.', 20, 21],
    ['cluster raft nodes=', 'Expected a value for `nodes`, such as `nodes=5`, found end of line.', 20, 21],
    ['cluster', 'Expected a protocol: raft, paxos, multi-paxos or bully, found end of line.', 8, 9],
    ['set', 'Expected an option such as `election-timeout=200ms`, found end of line.', 4, 5],
    ['zone us {', 'Expected a node name, found end of line.', 10, 11],
    ['partition', 'Expected a node set such as `{n1 n2}` or a zone, found end of line.', 10, 11],
    ['partition {n1} |', 'Expected a node set `{…}` or a zone after `|`, found end of line.', 17, 18],
    ['partition | {n1}', 'Expected a node set such as `{n1 n2}` or a zone, found `|`.', 11, 12],
    ['pause n1', 'Expected a duration such as `20s`, found end of line.', 9, 10],
    ['loss', 'Expected a percentage such as `20%`, found end of line.', 5, 6],
    ['loss n1 -> n2', 'Expected a percentage such as `20%`, found end of line.', 14, 15],
    ['delay n1 -> n2', 'Expected a duration range such as `150ms..300ms`, found end of line.', 15, 16],
    ['latency a b 1ms', 'Expected `->` or `<->`, found `b`.', 11, 12],
    ['cut n1 -> ', 'Expected a node, a set `{…}`, a zone or `*`, found end of line.', 10, 11],
    ['skew n2', 'Expected a clock offset such as `+5s`, found end of line.', 8, 9],
    ['step x', 'Expected a number of events, found `x`.', 6, 7],
    ['step 0', 'Expected a number of events from 1 to 1,000,000, found `0`.', 6, 7],
    ['at', 'Expected a virtual time such as `16s`, found end of line.', 3, 4],
    ['at 2s', 'Expected a command to schedule, such as `crash n1` or `A put x=1`, found end of line.', 6, 7],
    ['A put', 'Expected a key, found end of line.', 6, 7],
    ['A put x', 'Expected `=` and a value, such as `x=1`, found end of line.', 8, 9],
    ['A put x=', 'Expected a value, found end of line.', 9, 10],
    ['A put x=1 via', 'Expected a node after `via`, found end of line.', 14, 15],
    ['A put x=1 foo', 'Expected `via`, `within`, `nowait` or end of line, found `foo`.', 11, 14],
    ['A cas x 1', 'Expected `->`, found end of line.', 10, 11],
    ['A cas x 1 ->', 'Expected the new value, found end of line.', 13, 14],
    ['n1 propose', 'Expected a value to propose, found end of line.', 11, 12],
    ['expect', 'Expected a fact such as `leader n3`, `term >= 2` or `safe`, found end of line.', 7, 8],
    ['expect term', 'Expected a comparison: =, >=, <=, > or <, found end of line.', 12, 13],
    ['expect term >= x', 'Expected a term number, found `x`.', 16, 17],
    ['expect logs same', 'Expected `equal`, found `same`.', 13, 17],
    ['expect no', 'Expected `leader`, found end of line.', 10, 11],
    ['expect leader in', 'Expected a node set or a zone, found end of line.', 17, 18],
    ['expect leader n1 extra', 'Expected end of line, found `extra`.', 18, 23],
    ['expect committed', 'Expected a key, found end of line.', 17, 18],
    ['expect n1', 'Expected `is`, `term`, `commit`, `log`, `has`, `got`, `failed`, `took`, `token`, `leads` or `saw` after `n1`, found end of line.', 10, 11],
    ['expect A got', 'Expected a value, found end of line.', 13, 14],
    ['expect rejected A', 'Expected `write`, found end of line.', 18, 19],
    ['show', 'Expected a view: sequence, states, log or topology, found end of line.', 5, 6],
  ])('%s', (src, message, column, endColumn) => {
    expect(parseError(src)).toEqual({ message, line: 1, column, endColumn });
  });

  it('reports the line within the cell', () => {
    expect(parseError('cluster raft nodes=3\n\n  crash')).toEqual({ message: 'Expected a node, found end of line.', line: 3, column: 8, endColumn: 9 });
  });

  it('shortens a very long token it quotes', () => {
    expect(parseError(`heal ${'x'.repeat(60)}`).message).toBe(`Expected end of line, found \`${'x'.repeat(40)}…\`.`);
  });
});
