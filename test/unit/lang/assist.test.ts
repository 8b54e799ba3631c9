// Completion and hover for the editor, from the parser's tables.
import { describe, expect, it } from 'vitest';
import { completions, hover } from '../../../src/lang/assist';
import { COMMANDS } from '../../../src/lang/parser';

const ctx = { nodes: ['n1', 'n2', 'n3'], clients: ['A'], zones: ['us-east'] };
/** Completions at the end of `text` (one line), as kind:label. */
const at = (text: string): string[] => completions(text, 1, text.length + 1, ctx).map((c) => `${c.kind}:${c.label}`);
const labels = (text: string): string[] => completions(text, 1, text.length + 1, ctx).map((c) => c.label);

describe('completions', () => {
  it('at the start of a line: every command, then the clients', () => {
    const items = completions('', 1, 1, ctx);
    expect(items.filter((i) => i.kind === 'command').map((i) => i.label)).toEqual(COMMANDS.filter((c) => c.form === 'command').map((c) => c.name));
    expect(items.find((i) => i.label === 'crash')).toEqual({ label: 'crash', kind: 'command', detail: 'crash SET …' });
    expect(at('')).toContain('client:A');
  });

  it('while typing a word, what may stand in its place', () => {
    expect(labels('cr')).toContain('crash');
    expect(labels('crash n')).toEqual(['n1', 'n2', 'n3', 'us-east']);
  });

  it('after a client name, its operations; after a node name, propose', () => {
    expect(labels('A ')).toEqual(['put', 'create', 'get', 'cas', 'delete', 'lock', 'unlock', 'write', 'watch', 'elect']);
    expect(labels('n1 ')).toEqual(['propose']);
  });

  it('client modifiers, and nodes after via', () => {
    expect(labels('A put x=1 ')).toEqual(['ttl', 'renew', 'via', 'within', 'nowait']);
    expect(labels('A get x ')).toEqual(['via', 'within', 'nowait']);
    expect(labels('A put x=')).toEqual([]);
    expect(at('A get x via ')).toEqual(['node:n1', 'node:n2', 'node:n3']);
  });

  it('protocols, options (with `=`) and option values', () => {
    expect(labels('cluster ')).toEqual(['raft', 'paxos', 'multi-paxos', 'bully']);
    const opts = completions('cluster raft nodes=5 ', 1, 22, ctx);
    expect(opts.map((o) => o.label)).not.toContain('nodes');
    expect(opts.find((o) => o.label === 'prevote')).toEqual({ label: 'prevote', kind: 'option', detail: 'pre-vote before elections (§9.6), default off', insertText: 'prevote=' });
    expect(labels('set read=')).toEqual(['index', 'lease', 'log', 'local']);
    expect(labels('set check-quorum=')).toEqual(['on', 'off']);
    expect(labels('set heartbeat=')).toEqual(['50ms']);
    expect(labels('show ')).toEqual(['sequence', 'states', 'log', 'topology']);
    expect(labels('show log ')).toEqual(['hide', 'from', 'to', 'max']);
    expect(labels('show sequence hide=none ')).toEqual(['from', 'to', 'max']);
    expect(labels('show sequence max=')).toEqual(['500']);
    expect(labels('A lock r ')).toEqual(['ttl', 'renew', 'retry']);
  });

  it('nodes and zones where sets go; nodes inside braces', () => {
    expect(at('partition ')).toEqual(['node:n1', 'node:n2', 'node:n3', 'value:us-east']);
    expect(labels('partition {n1} ')).toContain('|');
    expect(at('partition {n1 ')).toEqual(['node:n1', 'node:n2', 'node:n3']);
    expect(labels('isolate ')).toEqual(['n1', 'n2', 'n3']);
    expect(labels('isolate n1 ')).toEqual([]);
  });

  it('links: endpoints, then an arrow, then endpoints', () => {
    expect(labels('cut ')).toEqual(['n1', 'n2', 'n3', 'us-east', '*']);
    expect(labels('cut n1 ')).toEqual(['->', '<->']);
    expect(labels('hold n1 -> ')).toEqual(['n1', 'n2', 'n3', 'us-east', '*']);
  });

  it('facts for expect and run until', () => {
    expect(labels('expect ')).toEqual(['not', 'leader', 'no', 'term', 'committed', 'logs', 'safe', 'violation', 'decided', 'exclusive', 'linearizable', 'rejected', 'n1', 'n2', 'n3', 'A']);
    expect(labels('run ')).toEqual(['until']);
    expect(labels('run until ')).toContain('stable');
    expect(labels('run until leader ')).toEqual(['in', 'n1', 'n2', 'n3', 'within']);
    expect(labels('expect n1 ')).toEqual(['is', 'term', 'commit', 'log', 'has']);
    expect(labels('expect A ')).toEqual(['got', 'failed', 'took', 'token', 'leads', 'saw']);
    expect(labels('expect n2 is ')).toEqual(['leader', 'follower', 'candidate', 'precandidate', 'down', 'paused']);
    expect(labels('expect term ')).toEqual(['=', '>=', '<=', '>', '<']);
    expect(labels('expect committed x=1 ')).toEqual(['on']);
    expect(labels('expect committed x=1 on ')).toEqual(['majority', 'all', 'n1', 'n2', 'n3']);
    expect(labels('expect no ')).toEqual(['leader']);
    expect(labels('expect leader in ')).toEqual(['n1', 'n2', 'n3', 'us-east']);
    expect(labels('expect logs ')).toEqual(['equal']);
    expect(labels('expect n1 has x=1 ')).toEqual(['committed', 'uncommitted']);
  });

  it('after `at TIME`, only what can be scheduled', () => {
    const items = labels('at 2s ');
    expect(items).toContain('crash');
    expect(items).toContain('A');
    expect(items).not.toContain('run');
    expect(items).not.toContain('expect');
    expect(labels('after 1s crash ')).toEqual(['n1', 'n2', 'n3', 'us-east']);
  });

  it('nothing inside a comment, and lines other than the first', () => {
    expect(labels('# crash ')).toEqual([]);
    expect(completions('cluster raft nodes=3\ncrash ', 2, 7, ctx).map((c) => c.label)).toEqual(['n1', 'n2', 'n3', 'us-east']);
  });
});

describe('hover', () => {
  it('a command: summary, syntax, example', () => {
    expect(hover('crash n1', 1, 3)).toBe('**crash** — Stop nodes; they keep what Raft persists (term, vote, log).\n\n```consensus\ncrash SET …\n```\n\nExample: `crash n1`');
    expect(hover('  run 2s', 1, 3)).toMatch(/^\*\*run\*\* — Advance virtual time/);
    expect(hover('at 2s crash n1', 1, 8)).toMatch(/^\*\*crash\*\*/);
  });

  it('a client operation, with its options and availability', () => {
    expect(hover('A put x=1', 1, 3)).toMatch(/^\*\*put\*\* — A write through the leader/);
    expect(hover('A lock r ttl=1s', 1, 4)).toMatch(/^\*\*lock\*\* — Take a lock with a TTL[^]*For raft clusters\./);
    expect(hover('A watch /config/', 1, 4)).toMatch(/^\*\*watch\*\* — Watch the keys under a prefix, as etcd does[^]*- `require-leader=on` the member cancels the watch[^]*For raft clusters\./);
    expect(hover('n1 propose X', 1, 5)).toContain('For paxos, multi-paxos clusters.');
  });

  it('an option', () => {
    expect(hover('cluster raft nodes=5 prevote=on', 1, 23)).toBe('**prevote** (option of `cluster`) — pre-vote before elections (§9.6), default off. For raft clusters.\n\nExample: `prevote=on`');
    expect(hover('show sequence max=500', 1, 16)).toBe(
      '**max** (option of `show`) — the most message arrows the sequence diagram draws (default 200, at most 500); a note counts the events left out. A whole number from 1 to 500.\n\nExample: `max=500`',
    );
    expect(hover('set read=local', 1, 6)).toBe('**read** (option of `set`) — reads by ReadIndex (default), lease, through the log, or local (stale). One of `index`, `lease`, `log`, `local`. For raft clusters.\n\nExample: `read=index`');
  });

  it('a fact', () => {
    expect(hover('expect leader n1', 1, 9)).toMatch(/^\*\*leader \[NODE \| in SET\]\*\* — /);
    expect(hover('expect n1 is leader', 1, 11)).toBe("**NODE is ROLE** — the node's role: leader, follower, candidate, precandidate, down or paused.");
    expect(hover('run until stable', 1, 12)).toBe('**stable** — one leader and no role change for two election timeouts (for `run until` only).');
    expect(hover('expect linearizable', 1, 9)).toBe(
      "**linearizable** — every client operation so far fits one order that respects real time and the store's answers; a stale read breaks it (for `expect` only).",
    );
  });

  it('nothing elsewhere', () => {
    expect(hover('crash n1', 1, 7)).toBeNull();
    expect(hover('crash n1', 1, 6)).toBeNull();
    expect(hover('zzz', 1, 1)).toBeNull();
    expect(hover('crash n1', 5, 1)).toBeNull();
    expect(hover('A put x=1', 1, 1)).toBeNull();
  });
});

describe('completions of node facts', () => {
  it('comparisons after term, commit and log', () => {
    expect(labels('expect n1 commit ')).toEqual(['=', '>=', '<=', '>', '<']);
    expect(labels('expect n1 log ')).toEqual(['=', '>=', '<=', '>', '<']);
    expect(labels('expect n1 term ')).toEqual(['=', '>=', '<=', '>', '<']);
    expect(labels('expect n1 term >= ')).toEqual([]);
  });
});
