// Paxos, Multi-Paxos and bully clusters through the language: protocol selection, options reaching the
// right engine, `propose`, `decided`, protocol-checked commands and facts, and the per-protocol checker.
import { describe, expect, it } from 'vitest';
import { Session, DEFAULT_EXEC } from '../../../src/lang/session';
import { emptyScenario, execCell } from '../../../src/lang/interpreter';
import { parseCell } from '../../../src/lang/parser';
import { verdict } from '../../../src/views/verdict';
import { lastProblems, runCells, runOk } from './helpers';
import { raftCheckCommitted } from '../../../src/engine/check/raft';

function scenario(cells: string[]) {
  const state = emptyScenario();
  for (const c of cells) {
    const r = execCell(state, parseCell(c).stmts, DEFAULT_EXEC);
    if (r.diagnostics.length > 0 || r.failures.length > 0) throw new Error(JSON.stringify([r.diagnostics, r.failures]));
  }
  return state;
}

describe('cluster selects the protocol', () => {
  it.each([
    ['paxos', 'paxos'],
    ['multi-paxos', 'multi-paxos'],
    ['bully', 'bully'],
  ] as const)('cluster %s runs that engine, with its own checker', (p, kind) => {
    const w = scenario([`cluster ${p} nodes=3 seed=1`]).world!;
    expect(w.opts.protocol).toBe(p);
    expect(w.nodes.every((n) => n.proto?.kind === kind)).toBe(true);
    expect(w.protoCheck?.kind).toBe(p === 'bully' ? 'bully' : 'paxos');
  });

  it('a Raft cluster keeps Raft nodes and the Raft checker', () => {
    const w = scenario(['cluster raft nodes=3 seed=1', 'run until leader']).world!;
    expect(w.nodes.every((n) => n.proto === null && n.raft.role !== undefined)).toBe(true);
    expect(w.protoCheck).toBeNull();
  });

  it('options reach the protocol that runs', () => {
    const paxos = scenario(['cluster paxos nodes=3 retry=12ms bug=quorum-from-reachable']).world!.opts;
    expect([paxos.paxos.retryUsMin, paxos.paxos.retryUsMax, paxos.paxos.bugs.quorumFromReachable]).toEqual([12_000, 12_000, true]);
    const multi = scenario(['cluster multi-paxos nodes=3 election-timeout=200ms..400ms heartbeat=20ms max-batch=2', 'set bug=ignore-accepted-values']).world!.opts;
    expect([multi.multiPaxos.electionTimeoutUsMin, multi.multiPaxos.electionTimeoutUsMax, multi.multiPaxos.heartbeatUs, multi.multiPaxos.maxBatchEntries]).toEqual([200_000, 400_000, 20_000, 2]);
    expect(multi.multiPaxos.bugs.ignoreAcceptedValues).toBe(true);
    expect(multi.raft.heartbeatUs).toBe(50_000);
    const bully = scenario(['cluster bully nodes=3 heartbeat=30ms', 'set election-timeout=100ms..120ms']).world!.opts;
    expect([bully.bully.heartbeatUs, bully.bully.electionTimeoutUsMin, bully.bully.electionTimeoutUsMax]).toEqual([30_000, 100_000, 120_000]);
  });

  it("a protocol's own validation applies", () => {
    expect(lastProblems(['cluster multi-paxos nodes=3 heartbeat=200ms'])[0]!.message).toMatch(/^The heartbeat \(200ms\) must be shorter than the election timeout \(150ms\), or nodes start ballots/);
  });
});

describe('propose and decided', () => {
  it('single-decree Paxos decides and every node learns', () => {
    const run = runOk(['cluster paxos nodes=3 seed=1 latency=5ms', 'n1 propose X\nrun until decided within 1s\nrun 50ms\nexpect decided X\nexpect not decided Y\nexpect safe']);
    expect(verdict({ nodes: run.nodes, clients: [], zones: [], events: run.events, from: run.from }).text).toBe('decided X · chosen by n1 n2 n3 (3/3) · learned by n1 n2 n3 · invariants held');
  });

  it('a down node proposes nothing, and says so', () => {
    const runs = runCells(['cluster paxos nodes=3 seed=1', 'crash n1\nn1 propose X\nrun 1s\nexpect not decided']);
    expect(runs[1]!.ok).toBe(true);
    expect(runs[1]!.messages).toEqual(['n1 propose X: n1 is down, so it proposes nothing.']);
  });

  it('Multi-Paxos: decided X when some instance chose X', () => {
    runOk(['cluster multi-paxos nodes=3 seed=1', 'timeout n2\nrun until leader n2 within 1s\nn1 propose X\nrun until decided X within 1s\nexpect decided\nexpect safe']);
  });

  it('`expect decided` failure shows what was chosen and learned', () => {
    const p = lastProblems(['cluster paxos nodes=3 seed=1 latency=5ms', 'n1 propose X\nrun 1s\nexpect decided Y']);
    expect(p[0]!.message).toBe('Expected decided Y, found X chosen (#1.1, accepted by n1 n2); learned by n1 n2 n3 (at 1s).');
  });
});

describe('commands and facts of another protocol are errors before anything runs', () => {
  it.each([
    ['cluster paxos nodes=3', 'timeout n1', '`timeout` is for raft, multi-paxos or bully clusters; this cluster runs paxos.', 1, 11],
    ['cluster paxos nodes=3', 'A put x=1', '`put` is for raft or multi-paxos clusters; this cluster runs paxos.', 3, 6],
    ['cluster bully nodes=3', 'n1 propose X', '`propose` is for paxos or multi-paxos clusters; this cluster runs bully.', 4, 11],
    ['cluster bully nodes=3', 'expect committed x=1', '`expect committed` is for raft or multi-paxos clusters; this cluster runs bully.', 8, 21],
    ['cluster paxos nodes=3', 'run until leader', '`until leader` is for raft, multi-paxos or bully clusters; this cluster runs paxos.', 11, 17],
    ['cluster multi-paxos nodes=3', 'expect n1 term = 1', '`expect NODE term` is for raft clusters; this cluster runs multi-paxos.', 8, 19],
    ['cluster multi-paxos nodes=3', 'expect n1 has x', '`expect NODE has` is for raft clusters; this cluster runs multi-paxos.', 8, 16],
    ['cluster bully nodes=3', 'expect violation election-safety', 'Unknown invariant `election-safety`; the invariants of bully are single-leader.', 18, 33],
  ])('%s: %s', (cluster, cell, message, column, endColumn) => {
    const runs = runCells([cluster, cell]);
    expect(lastProblems([cluster, cell])).toEqual([{ message, line: 1, column, endColumn }]);
    expect(runs[1]!.events.length - runs[1]!.from).toBe(0);
  });

  it('Raft facts stay Raft-only where they make no sense, and work on Multi-Paxos where they do', () => {
    runOk(['cluster multi-paxos nodes=3 seed=1', 'timeout n1\nrun until leader n1 within 1s\nA put x=1\nexpect A got OK\nrun 200ms\nexpect committed x=1 on all\nexpect logs equal\nexpect n2 commit >= 1\nexpect n1 is leader']);
  });
});

describe('the checker follows the protocol', () => {
  it('bully: split brain under a partition is a Single Leader violation, never a Raft one', () => {
    const w = scenario(['cluster bully nodes=5 seed=1', 'run until leader n5 within 2s\npartition {n1 n2 n3} | {n4 n5}\nrun 2s\nexpect violation single-leader']).world!;
    expect(Object.keys(w.violationsBy)).toEqual(['Single Leader']);
    expect(raftCheckCommitted(w.check)).toEqual([]);
  });

  it('Multi-Paxos events never reach the Raft checker', () => {
    const w = scenario(['cluster multi-paxos nodes=3 seed=1', 'timeout n1\nrun until leader n1 within 1s\nA put x=1\nexpect A got OK']).world!;
    expect(raftCheckCommitted(w.check)).toEqual([]);
    expect(w.violations).toBe(0);
  });

  it('a snapshot of a Paxos world runs exactly like the original', () => {
    const s = new Session();
    const cells = ['cluster paxos nodes=3 seed=4 retry=12ms..60ms', 'n1 propose X\nrun 4ms\nn3 propose Y', 'run 2s'];
    const a = s.runUpTo(cells, 2);
    const b = new Session().runUpTo(cells, 2);
    expect(JSON.stringify(a[2]!.events)).toBe(JSON.stringify(b[2]!.events));
  });
});
