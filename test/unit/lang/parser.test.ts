// The parser, command by command: every command of the table, every option, every fact, and the
// shapes they produce. Error messages are tested per rule family in rules/*.test.ts.
import { describe, expect, it } from 'vitest';
import { CLUSTER_OPTIONS, COMMANDS, ELECT_OPTIONS, EXPLORE_OPTIONS, FACTS, LOCK_OPTIONS, SET_OPTIONS, SHOW_OPTIONS, parseCell } from '../../../src/lang/parser';
import { stmt } from './helpers';

const names = (refs: { name: string }[]): string[] => refs.map((r) => r.name);

describe('the command table', () => {
  it.each(COMMANDS.flatMap((c) => c.examples.map((e) => [c.name, e])))('%s: example `%s` parses', (_name, example) => {
    expect(parseCell(example).diagnostics).toEqual([]);
  });

  it('has unique names, a summary, a syntax and an example for every command', () => {
    expect(new Set(COMMANDS.map((c) => c.name)).size).toBe(COMMANDS.length);
    for (const c of COMMANDS) {
      expect(c.summary.length, c.name).toBeGreaterThan(5);
      expect(c.syntax, c.name).toContain(c.name);
      expect(c.examples.length, c.name).toBeGreaterThan(0);
    }
  });

  it('covers every capability of LANGUAGE.md', () => {
    const wanted = ['cluster', 'zone', 'latency', 'set', 'crash', 'restart', 'pause', 'partition', 'isolate', 'heal', 'cut', 'loss', 'delay', 'duplicate', 'skew', 'run', 'step', 'timeout', 'hold', 'release', 'drop', 'at', 'after', 'put', 'create', 'get', 'cas', 'delete', 'lock', 'unlock', 'write', 'watch', 'elect', 'propose', 'expect', 'show', 'explore'];
    expect(COMMANDS.map((c) => c.name).sort()).toEqual([...wanted].sort());
  });
});

describe('cluster', () => {
  it('takes a count of nodes', () => {
    const s = stmt('cluster raft nodes=5 seed=42');
    expect(s).toMatchObject({ kind: 'cluster', protocol: 'raft' });
    if (s.kind !== 'cluster') throw new Error();
    expect(names(s.nodes)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5']);
    expect(s.options.map((o) => [o.key, o.value])).toEqual([['nodes', '5'], ['seed', '42']]);
  });

  it('takes node names, with positions for each', () => {
    const s = stmt('cluster raft nodes=us1,us2,eu1');
    if (s.kind !== 'cluster') throw new Error();
    expect(s.nodes).toEqual([
      { name: 'us1', span: { line: 1, column: 20, endColumn: 23 } },
      { name: 'us2', span: { line: 1, column: 24, endColumn: 27 } },
      { name: 'eu1', span: { line: 1, column: 28, endColumn: 31 } },
    ]);
  });

  it.each(['raft', 'paxos', 'multi-paxos', 'bully'])('parses protocol %s', (p) => {
    expect(stmt(`cluster ${p} nodes=3`)).toMatchObject({ kind: 'cluster', protocol: p, protocolSpan: { column: 9, endColumn: 9 + p.length } });
  });

  it.each([
    ['seed=7', 'seed', '7'],
    ['election-timeout=150ms..300ms', 'election-timeout', '150ms..300ms'],
    ['election-timeout=200ms', 'election-timeout', '200ms'],
    ['heartbeat=50ms', 'heartbeat', '50ms'],
    ['latency=2ms..10ms', 'latency', '2ms..10ms'],
    ['prevote=on', 'prevote', 'on'],
    ['check-quorum=off', 'check-quorum', 'off'],
    ['read=index', 'read', 'index'],
    ['read=lease', 'read', 'lease'],
    ['read=log', 'read', 'log'],
    ['read=local', 'read', 'local'],
    ['bug=commit-old-term,skip-up-to-date-check', 'bug', 'commit-old-term,skip-up-to-date-check'],
    ['bug=forget-vote-on-restart', 'bug', 'forget-vote-on-restart'],
    ['client-retry=1s', 'client-retry', '1s'],
    ['max-batch=1', 'max-batch', '1'],
    ['bug=quorum-off-by-one,skip-log-match-check', 'bug', 'quorum-off-by-one,skip-log-match-check'],
  ])('takes option %s', (text, key, value) => {
    const s = stmt(`cluster raft nodes=3 ${text}`);
    if (s.kind !== 'cluster') throw new Error();
    expect(s.options[1]).toMatchObject({ key, value, keySpan: { column: 22 } });
  });

  it.each([
    ['paxos', 'retry=12ms', 'retry', '12ms'],
    ['paxos', 'retry=50ms..150ms', 'retry', '50ms..150ms'],
    ['paxos', 'bug=quorum-from-reachable,forget-promise-on-restart', 'bug', 'quorum-from-reachable,forget-promise-on-restart'],
    ['paxos', 'bug=ignore-accepted-values', 'bug', 'ignore-accepted-values'],
    ['multi-paxos', 'election-timeout=200ms..400ms', 'election-timeout', '200ms..400ms'],
    ['multi-paxos', 'heartbeat=20ms', 'heartbeat', '20ms'],
    ['multi-paxos', 'max-batch=4', 'max-batch', '4'],
    ['multi-paxos', 'bug=quorum-from-reachable', 'bug', 'quorum-from-reachable'],
    ['bully', 'election-timeout=100ms..200ms', 'election-timeout', '100ms..200ms'],
    ['bully', 'heartbeat=30ms', 'heartbeat', '30ms'],
  ])('a %s cluster takes option %s', (protocol, text, key, value) => {
    const s = stmt(`cluster ${protocol} nodes=3 ${text}`);
    if (s.kind !== 'cluster') throw new Error();
    expect(s.options[1]).toMatchObject({ key, value, keySpan: { column: 18 + protocol.length } });
  });

  it('has a test above for every cluster option', () => {
    expect(CLUSTER_OPTIONS.map((o) => o.name)).toEqual(['nodes', 'seed', 'election-timeout', 'heartbeat', 'retry', 'latency', 'prevote', 'check-quorum', 'read', 'bug', 'client-retry', 'max-batch']);
  });
});

describe('zone, latency, set', () => {
  it('zone names a set of nodes', () => {
    const s = stmt('zone us-east {us1 us2, us3}');
    if (s.kind !== 'zone') throw new Error();
    expect(s.name.name).toBe('us-east');
    expect(names(s.nodes)).toEqual(['us1', 'us2', 'us3']);
  });

  it('latency takes a link and a range', () => {
    expect(stmt('latency us-east <-> eu-west 40ms..60ms')).toMatchObject({ kind: 'latency', link: { from: [{ name: 'us-east' }], to: [{ name: 'eu-west' }], bothWays: true }, loUs: 40_000, hiUs: 60_000 });
    expect(stmt('latency n1 -> n2 5ms')).toMatchObject({ link: { bothWays: false }, loUs: 5_000, hiUs: 5_000 });
  });

  it.each(SET_OPTIONS.map((o) => [o.name, `${o.name}=${o.placeholder.split('|')[0]}`]))('set takes %s', (_name, text) => {
    expect(stmt(`set ${text}`)).toMatchObject({ kind: 'set', options: [{ key: _name }] });
  });

  it('set takes several options', () => {
    const s = stmt('set prevote=on check-quorum=on read=local');
    expect(s.kind === 'set' && s.options.map((o) => o.key)).toEqual(['prevote', 'check-quorum', 'read']);
  });
});

describe('faults', () => {
  it('crash and restart take nodes, sets and zones', () => {
    const s = stmt('crash n1 {n2 n3} us-east');
    expect(s.kind === 'crash' && names(s.nodes)).toEqual(['n1', 'n2', 'n3', 'us-east']);
    expect(stmt('restart n1')).toMatchObject({ kind: 'restart', nodes: [{ name: 'n1' }] });
  });

  it('pause takes a set and a duration', () => {
    expect(stmt('pause n1 20s')).toMatchObject({ kind: 'pause', nodes: [{ name: 'n1' }], durationUs: 20_000_000 });
    expect(stmt('pause {n1 n2} 1.5s')).toMatchObject({ nodes: [{ name: 'n1' }, { name: 'n2' }], durationUs: 1_500_000 });
  });

  it('partition takes groups separated by |', () => {
    const s = stmt('partition {n1 n2} | {n3 n4 n5}');
    expect(s.kind === 'partition' && s.groups.map(names)).toEqual([['n1', 'n2'], ['n3', 'n4', 'n5']]);
    const z = stmt('partition us-east | eu-west ap-south');
    expect(z.kind === 'partition' && z.groups.map(names)).toEqual([['us-east'], ['eu-west', 'ap-south']]);
    const three = stmt('partition a | b | c');
    expect(three.kind === 'partition' && three.groups.length).toBe(3);
  });

  it('partition with one group leaves the rest as the other side', () => {
    const s = stmt('partition {n1 n2}');
    expect(s.kind === 'partition' && s.groups.map(names)).toEqual([['n1', 'n2']]);
  });

  it('isolate, heal', () => {
    expect(stmt('isolate n3')).toMatchObject({ kind: 'isolate', node: { name: 'n3' } });
    expect(stmt('heal')).toMatchObject({ kind: 'heal' });
  });

  it('cut is one way with -> and both ways with <->', () => {
    expect(stmt('cut n1 -> n2')).toMatchObject({ kind: 'cut', link: { from: [{ name: 'n1' }], to: [{ name: 'n2' }], bothWays: false } });
    expect(stmt('cut n1 <-> n2')).toMatchObject({ link: { bothWays: true } });
    expect(stmt('cut us-east <-> *')).toMatchObject({ link: { from: [{ name: 'us-east' }], to: [{ name: '*' }] } });
    expect(stmt('cut {n1 n2} -> {n3}')).toMatchObject({ link: { from: [{ name: 'n1' }, { name: 'n2' }], to: [{ name: 'n3' }] } });
  });

  it('loss everywhere or on a link, in per mille', () => {
    expect(stmt('loss 20%')).toMatchObject({ kind: 'loss', permille: 200, link: null });
    expect(stmt('loss 0.5%')).toMatchObject({ permille: 5 });
    expect(stmt('loss n1 -> n2 50%')).toMatchObject({ permille: 500, link: { from: [{ name: 'n1' }], to: [{ name: 'n2' }] } });
    expect(stmt('loss * -> n2 100%')).toMatchObject({ permille: 1000, link: { from: [{ name: '*' }] } });
  });

  it('delay takes a link and a range (or one value)', () => {
    expect(stmt('delay n1 -> * 100ms..200ms')).toMatchObject({ kind: 'delay', link: { to: [{ name: '*' }] }, loUs: 100_000, hiUs: 200_000 });
    expect(stmt('delay n1 <-> n2 150..300ms')).toMatchObject({ loUs: 150_000, hiUs: 300_000 });
    expect(stmt('delay n1 -> n2 1s')).toMatchObject({ loUs: 1_000_000, hiUs: 1_000_000 });
  });

  it('duplicate, skew', () => {
    expect(stmt('duplicate 5%')).toMatchObject({ kind: 'duplicate', permille: 50 });
    expect(stmt('skew n2 +5s')).toMatchObject({ kind: 'skew', node: { name: 'n2' }, offsetUs: 5_000_000 });
    expect(stmt('skew n2 -250ms')).toMatchObject({ offsetUs: -250_000 });
  });
});

describe('time', () => {
  it('run takes a duration in any unit', () => {
    expect(stmt('run 2s')).toMatchObject({ kind: 'run', durationUs: 2_000_000, until: null });
    expect(stmt('run 150ms')).toMatchObject({ durationUs: 150_000 });
    expect(stmt('run 10us')).toMatchObject({ durationUs: 10 });
    expect(stmt('run 1m')).toMatchObject({ durationUs: 60_000_000 });
    expect(stmt('run 2h')).toMatchObject({ durationUs: 7_200_000_000 });
    expect(stmt('run 0s')).toMatchObject({ durationUs: 0 });
  });

  it('run until a fact, within a bound', () => {
    expect(stmt('run until leader')).toMatchObject({ until: { fact: { kind: 'leader', node: null, in: null }, negated: false }, withinUs: null });
    expect(stmt('run until leader n3 within 10s')).toMatchObject({ until: { fact: { kind: 'leader', node: { name: 'n3' } } }, withinUs: 10_000_000 });
    expect(stmt('run until leader in {n3 n4} within 2s')).toMatchObject({ until: { fact: { kind: 'leader', in: [{ name: 'n3' }, { name: 'n4' }] } } });
    expect(stmt('run until committed x')).toMatchObject({ until: { fact: { kind: 'committed', key: 'x', value: null, on: 'majority' } } });
    expect(stmt('run until committed x=1')).toMatchObject({ until: { fact: { kind: 'committed', value: '1' } } });
    expect(stmt('run until stable')).toMatchObject({ until: { fact: { kind: 'stable' } } });
    expect(stmt('run until decided')).toMatchObject({ until: { fact: { kind: 'decided', value: null } } });
    expect(stmt('run until no leader within 1s')).toMatchObject({ until: { fact: { kind: 'leader' }, negated: true } });
    expect(stmt('run until n1 is follower')).toMatchObject({ until: { fact: { kind: 'role', node: { name: 'n1' }, role: 'follower' } } });
    expect(stmt('run until A got OK within 5s')).toMatchObject({ until: { fact: { kind: 'client-got', client: { name: 'A' }, value: 'OK' } } });
  });

  it('step takes a count', () => {
    expect(stmt('step')).toMatchObject({ kind: 'step', count: 1 });
    expect(stmt('step 10')).toMatchObject({ count: 10 });
  });

  it('timeout, hold, release, drop', () => {
    expect(stmt('timeout n2')).toMatchObject({ kind: 'timeout', node: { name: 'n2' } });
    expect(stmt('hold n1 -> {n3 n4 n5}')).toMatchObject({ kind: 'hold', link: { to: [{ name: 'n3' }, { name: 'n4' }, { name: 'n5' }] } });
    expect(stmt('release n1 -> n3')).toMatchObject({ kind: 'release' });
    expect(stmt('drop n1 <-> n3')).toMatchObject({ kind: 'drop', link: { bothWays: true } });
  });

  it('at and after schedule a command, with its own span', () => {
    expect(stmt('at 16s B put x=2')).toMatchObject({ kind: 'at', timeUs: 16_000_000, relative: false, stmt: { kind: 'client', op: 'put', span: { column: 8 } } });
    expect(stmt('after 2s crash n1')).toMatchObject({ kind: 'at', timeUs: 2_000_000, relative: true, stmt: { kind: 'crash' } });
    expect(stmt('after 0s partition {n1} | {n2 n3}')).toMatchObject({ stmt: { kind: 'partition' } });
    expect(stmt('at 1s set prevote=on')).toMatchObject({ stmt: { kind: 'set' } });
    expect(stmt('at 3s A lock r ttl=1s')).toMatchObject({ stmt: { kind: 'coordination', op: 'lock' } });
  });
});

describe('clients', () => {
  it('put, get, cas, delete', () => {
    expect(stmt('A put x=1')).toMatchObject({ kind: 'client', client: { name: 'A' }, op: 'put', key: 'x', value: '1', via: null, withinUs: null, wait: true, opSpan: { column: 3, endColumn: 6 } });
    expect(stmt('B get x')).toMatchObject({ op: 'get', key: 'x' });
    expect(stmt('A cas x 1 -> 2')).toMatchObject({ op: 'cas', key: 'x', expect: '1', value: '2' });
    expect(stmt('A delete x')).toMatchObject({ op: 'delete', key: 'x' });
    expect(stmt('A put msg="hello world"')).toMatchObject({ key: 'msg', value: 'hello world' });
    expect(stmt('A put /config/a=v-1')).toMatchObject({ key: '/config/a', value: 'v-1' });
  });

  it('via, within and nowait, in any order', () => {
    expect(stmt('A put x=1 via n1')).toMatchObject({ via: { name: 'n1' } });
    expect(stmt('A get x within 2s via n3')).toMatchObject({ via: { name: 'n3' }, withinUs: 2_000_000 });
    expect(stmt('A put x=1 nowait')).toMatchObject({ wait: false });
  });

  it('the coordination commands parse fully', () => {
    expect(stmt('A lock resource-x ttl=15s renew=5s')).toMatchObject({ kind: 'coordination', op: 'lock', target: 'resource-x', options: [{ key: 'ttl' }, { key: 'renew' }] });
    expect(stmt('A unlock resource-x')).toMatchObject({ op: 'unlock', target: 'resource-x' });
    expect(stmt('A write storage "v1" token')).toMatchObject({ op: 'write', target: 'storage', value: 'v1', token: true, wait: true });
    expect(stmt('A write storage "v1"')).toMatchObject({ op: 'write', value: 'v1', token: false });
    expect(stmt('A lock r ttl=2s within 40s')).toMatchObject({ op: 'lock', options: [{ key: 'ttl' }], withinUs: 40_000_000, wait: true });
    expect(stmt('A unlock r nowait')).toMatchObject({ op: 'unlock', withinUs: null, wait: false });
    expect(stmt('A watch /config/')).toMatchObject({ op: 'watch', target: '/config/' });
    expect(stmt('A elect controller lease=15s renew-deadline=10s retry=2s')).toMatchObject({ op: 'elect', options: [{ key: 'lease' }, { key: 'renew-deadline' }, { key: 'retry' }] });
    expect(LOCK_OPTIONS.map((o) => o.name)).toEqual(['ttl', 'renew', 'retry']);
    expect(ELECT_OPTIONS.map((o) => o.name)).toEqual(['lease', 'renew-deadline', 'retry']);
  });

  it('propose takes a node and a value', () => {
    expect(stmt('n1 propose X')).toMatchObject({ kind: 'propose', node: { name: 'n1' }, value: 'X', opSpan: { column: 4 } });
  });
});

describe('expect', () => {
  const fact = (text: string): unknown => {
    const s = stmt(`expect ${text}`);
    if (s.kind !== 'expect') throw new Error();
    return s.expectation;
  };

  it.each([
    ['leader', { kind: 'leader', node: null, in: null }, false],
    ['leader n3', { kind: 'leader', node: { name: 'n3' } }, false],
    ['leader in {n3 n4 n5}', { kind: 'leader', in: [{ name: 'n3' }, { name: 'n4' }, { name: 'n5' }] }, false],
    ['leader in us-east', { kind: 'leader', in: [{ name: 'us-east' }] }, false],
    ['no leader', { kind: 'leader', node: null, in: null }, true],
    ['no leader in {n1 n2}', { kind: 'leader', in: [{ name: 'n1' }, { name: 'n2' }] }, true],
    ['term >= 2', { kind: 'term', node: null, op: '>=', value: 2 }, false],
    ['term = 1', { kind: 'term', op: '=', value: 1 }, false],
    ['term < 3', { kind: 'term', op: '<', value: 3 }, false],
    ['term <= 3', { kind: 'term', op: '<=', value: 3 }, false],
    ['term > 3', { kind: 'term', op: '>', value: 3 }, false],
    ['committed x=1 on majority', { kind: 'committed', key: 'x', value: '1', on: 'majority' }, false],
    ['committed x=1', { kind: 'committed', on: 'majority' }, false],
    ['committed x=1 on all', { kind: 'committed', on: 'all' }, false],
    ['committed x=1 on n2', { kind: 'committed', on: { name: 'n2' } }, false],
    ['committed x', { kind: 'committed', key: 'x', value: null }, false],
    ['logs equal', { kind: 'logs-equal' }, false],
    ['safe', { kind: 'safe' }, false],
    ['violation', { kind: 'violation', invariant: null }, false],
    ['violation election-safety', { kind: 'violation', invariant: { name: 'election-safety' } }, false],
    ['n1 is leader', { kind: 'role', node: { name: 'n1' }, role: 'leader' }, false],
    ['n1 is paused', { kind: 'role', role: 'paused' }, false],
    ['n1 term = 1', { kind: 'term', node: { name: 'n1' }, op: '=', value: 1 }, false],
    ['n1 commit >= 2', { kind: 'commit-index', node: { name: 'n1' }, op: '>=', value: 2 }, false],
    ['n3 log = 0', { kind: 'log-length', node: { name: 'n3' }, op: '=', value: 0 }, false],
    ['n1 has x=2', { kind: 'has', node: { name: 'n1' }, key: 'x', value: '2', state: 'any' }, false],
    ['n1 has x uncommitted', { kind: 'has', key: 'x', value: null, state: 'uncommitted' }, false],
    ['n1 has x=2 committed', { kind: 'has', state: 'committed' }, false],
    ['A got OK', { kind: 'client-got', client: { name: 'A' }, value: 'OK' }, false],
    ['A got "(none)"', { kind: 'client-got', value: '(none)' }, false],
    ['A failed', { kind: 'client-failed', client: { name: 'A' } }, false],
    ['not n1 has x=2', { kind: 'has' }, true],
    ['not leader n1', { kind: 'leader', node: { name: 'n1' } }, true],
    ['decided X', { kind: 'decided', value: 'X' }, false],
    ['linearizable', { kind: 'linearizable' }, false],
    ['A token 34', { kind: 'token', client: { name: 'A' }, value: 34 }, false],
    ['rejected A write', { kind: 'rejected', client: { name: 'A' }, op: 'write' }, false],
    ['A leads controller', { kind: 'leads', client: { name: 'A' }, lease: 'controller' }, false],
    ['not exclusive', { kind: 'exclusive' }, true],
    ['not A saw /config/x=1', { kind: 'saw', client: { name: 'A' }, key: '/config/x', value: '1' }, true],
  ])('expect %s', (text, shape, negated) => {
    expect(fact(text)).toMatchObject({ fact: shape, negated });
  });

  it('has a row above for every fact of the table', () => {
    expect(FACTS.map((f) => f.kind).sort()).toEqual(
      ['leader', 'leader', 'term', 'committed', 'logs-equal', 'safe', 'violation', 'stable', 'role', 'term', 'commit-index', 'log-length', 'has', 'client-got', 'client-failed', 'took', 'decided', 'linearizable', 'exclusive', 'token', 'rejected', 'leads', 'saw'].sort(),
    );
  });

  it('the span of an expectation covers the fact', () => {
    expect(fact('leader n3')).toMatchObject({ span: { line: 1, column: 8, endColumn: 17 } });
  });
});

describe('show and explore', () => {
  it.each(['sequence', 'states', 'log', 'topology'])('show %s', (v) => {
    expect(stmt(`show ${v}`)).toMatchObject({ kind: 'show', view: v, options: [] });
  });

  it('show options', () => {
    const s = stmt('show sequence hide=none from=2s to=5s');
    expect(s.kind === 'show' && s.options.map((o) => [o.key, o.value])).toEqual([['hide', 'none'], ['from', '2s'], ['to', '5s']]);
    expect(SHOW_OPTIONS.map((o) => o.name)).toEqual(['hide', 'from', 'to', 'max']);
  });

  it.each([['1'], ['200'], ['500']])('show sequence max=%s (1 to 500 arrows)', (n) => {
    const s = stmt(`show sequence hide=none max=${n}`);
    expect(s.kind === 'show' && s.options.map((o) => [o.key, o.value])).toEqual([['hide', 'none'], ['max', n]]);
  });

  it('explore options', () => {
    const s = stmt('explore seeds=1000 faults=crash,partition,loss ops=50 duration=10s');
    expect(s.kind === 'explore' && s.options.map((o) => [o.key, o.value])).toEqual([['seeds', '1000'], ['faults', 'crash,partition,loss'], ['ops', '50'], ['duration', '10s']]);
    expect(EXPLORE_OPTIONS.map((o) => o.name)).toEqual(['seeds', 'faults', 'ops', 'duration', 'workload', 'fencing']);
    const locks = stmt('explore seeds=10 faults=pause workload=locks fencing=on');
    expect(locks.kind === 'explore' && locks.options.map((o) => [o.key, o.value])).toEqual([['seeds', '10'], ['faults', 'pause'], ['workload', 'locks'], ['fencing', 'on']]);
  });
});

describe('cells', () => {
  it('one statement per line; comments and blank lines are skipped', () => {
    const r = parseCell('# a comment\ncluster raft nodes=3   # trailing\n\n  run 1s\r\nheal');
    expect(r.diagnostics).toEqual([]);
    expect(r.stmts.map((s) => [s.kind, s.span.line])).toEqual([['cluster', 2], ['run', 4], ['heal', 5]]);
  });

  it('reports one diagnostic per bad line and still parses the others', () => {
    const r = parseCell('crash\nheal\nrun');
    expect(r.stmts.map((s) => s.kind)).toEqual(['heal']);
    expect(r.diagnostics.map((d) => d.span.line)).toEqual([1, 3]);
  });

  it('an empty cell has nothing in it', () => {
    expect(parseCell('')).toEqual({ stmts: [], diagnostics: [] });
  });

  it('a statement span covers the line from its first to its last token', () => {
    expect(stmt('  crash n1  ').span).toEqual({ line: 1, column: 3, endColumn: 11 });
  });
});
