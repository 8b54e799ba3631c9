// `explore`: random scenarios on copies of the cluster, every invariant and linearizability checked,
// the first failure shrunk to lines that, run as the next cell, do it again.
import { describe, expect, it } from 'vitest';
import { Session } from '../../../src/lang/session';
import { lastProblems, runCells, runOk } from './helpers';

/** The lines a finding offers (after the message's first line), as a cell. */
function offered(message: string): string {
  const lines = message.split('\n');
  expect(lines[0]).toMatch(/run them as a cell right below this one to see it happen:$/);
  return lines.slice(1).join('\n');
}

describe('explore', () => {
  it('on a correct Raft cluster every run keeps every invariant and a linearizable history', () => {
    const r = runOk(['cluster raft nodes=5 seed=3\nrun until leader', 'explore seeds=25 faults=crash,partition,loss,pause ops=15 duration=5s']);
    expect(r.messages).toEqual([
      'explore: 25 runs, each 5s of virtual time, 15 client operations and faults (crash, partition, loss, pause): every invariant held, and every client history was linearizable.',
    ]);
  });

  it('changes nothing: the cluster, its time and its trace are as the cell above left them', () => {
    const [above, ex] = runCells(['cluster raft nodes=3 seed=2\nrun until leader\nA put x=1', 'explore seeds=10 ops=10 duration=2s']);
    expect(ex!.ok).toBe(true);
    expect(ex!.timeUs).toBe(above!.timeUs);
    expect(ex!.events.length).toBe(above!.events.length);
    expect(ex!.clients).toEqual(['A']);
  });

  it('finds a teaching bug (skip-up-to-date-check breaks Leader Completeness, §5.4.1), and the offered lines do it again as the next cell', () => {
    const cells = ['cluster raft nodes=5 seed=3 bug=skip-up-to-date-check\nrun until leader', 'explore seeds=50 faults=crash,partition,pause,loss ops=20 duration=10s'];
    const runs = runCells(cells);
    const ex = runs[1]!;
    expect(ex.ok).toBe(false);
    expect(ex.failures).toHaveLength(1);
    const message = ex.failures[0]!.message;
    expect(message).toMatch(/^explore: run \d+ of 50 \(10s of virtual time, 20 client operations and faults \(crash, partition, pause, loss\)\) broke Leader Completeness: /);
    expect(message).toMatch(/Shrunk from \d+ lines to \d+;/);
    // What explore found, replayed by the cells: the cluster, explore (which changes nothing), the lines.
    const replay = runCells([...cells, `${offered(message)}\nexpect violation leader-completeness`]);
    expect(replay[2]!.failures).toEqual([]);
    expect(replay[2]!.diagnostics).toEqual([]);
    expect(replay[2]!.violations).toBeGreaterThan(0);
  });

  it('finds stale reads (read=local): a history that is not linearizable, shrunk, and replayed by the offered lines', () => {
    const cells = ['cluster raft nodes=3 seed=3\nset read=local\nrun until leader', 'explore seeds=50 faults=partition ops=20 duration=5s'];
    const ex = runCells(cells)[1]!;
    expect(ex.ok).toBe(false);
    const message = ex.failures[0]!.message;
    expect(message).toMatch(/broke linearizability \(key k\d\): not linearizable: no order of the \d+ operations? on k\d respects both real time and their answers/);
    const lines = offered(message).split('\n');
    expect(lines.length).toBeLessThan(Number(/Shrunk from (\d+) lines/.exec(message)![1]));
    const replay = runCells([...cells, `${lines.join('\n')}\nexpect not linearizable`]);
    expect(replay[2]!.ok).toBe(true);
  });

  it('is deterministic: the same cells find the same thing', () => {
    const cells = ['cluster raft nodes=3 seed=8\nset read=local\nrun until leader', 'explore seeds=40 faults=partition,crash ops=15 duration=5s'];
    expect(runCells(cells)[1]!.failures).toEqual(runCells(cells)[1]!.failures);
  });

  it('explores Paxos (proposals) and bully (faults only) clusters too; bully splits its brain under partitions', () => {
    const paxos = runOk(['cluster paxos nodes=3 seed=2', 'explore seeds=10 faults=crash,partition ops=5 duration=3s']);
    expect(paxos.messages[0]).toMatch(/^explore: 10 runs, each 3s of virtual time, 5 client operations and faults \(crash, partition\): every invariant held\.$/);
    const bully = runCells(['cluster bully nodes=5 seed=2\nrun until leader', 'explore seeds=30 faults=partition ops=0 duration=5s'])[1]!;
    expect(bully.failures[0]?.message).toMatch(/broke Single Leader/);
  });

  it('stops with "Cancelled." when the run is cancelled', () => {
    const cells = ['cluster raft nodes=3 seed=1\nrun until leader', 'explore seeds=100000 ops=20 duration=10s'];
    const session = new Session();
    session.runUpTo(cells, 0);
    let asked = 0;
    const runs = session.runUpTo(cells, 1, () => ++asked > 3);
    expect(runs[1]!.messages).toEqual(['Cancelled.']);
  });

  it('needs a cluster, and checks its options', () => {
    expect(runCells(['explore seeds=10'])[0]!.diagnostics.map((d) => d.message)).toEqual(['No cluster yet: declare one first, for example `cluster raft nodes=5`.']);
    const bad = runCells(['cluster raft nodes=3\nexplore seeds=0'])[0]!;
    expect(bad.diagnostics).toHaveLength(1);
    expect(bad.diagnostics[0]!.message).toMatch(/seeds/);
  });
});

describe('explore workload=locks: mutual exclusion at the resource (Kleppmann)', () => {
  const cluster = 'cluster raft nodes=5 seed=3\nrun until leader';

  it('without fencing tokens a paused holder breaks it; the shrunk lines, run as the next cell, break it again', () => {
    const runs = runCells([cluster, 'explore seeds=300 faults=pause ops=30 duration=20s workload=locks']);
    const f = runs[1]!.failures[0]!;
    expect(f.message).toMatch(/^explore: run \d+ of 300 \(20s of virtual time, 30 lock operations and faults \(pause\)\) broke mutual exclusion \(storage\): storage took \w+'s write under L #\d+ at/);
    expect(f.offer).toMatch(/^pause \w+ /m);
    const replay = runCells([cluster, 'explore seeds=300 faults=pause ops=30 duration=20s workload=locks', `${f.offer!}\nexpect not exclusive`]);
    expect(replay[2]!.failures).toEqual([]);
    expect(replay[2]!.diagnostics).toEqual([]);
  });

  it('fencing without the locks workload is an error, before anything runs', () => {
    expect(lastProblems([cluster, 'explore seeds=5 fencing=on'])).toEqual([
      { message: '`fencing` is for `workload=locks`: only writes under a lock carry a token.', line: 1, column: 17, endColumn: 24 },
    ]);
  });

  it('with fencing tokens the same runs hold it', () => {
    const runs = runCells([cluster, 'explore seeds=300 faults=pause ops=30 duration=20s workload=locks fencing=on']);
    expect(runs[1]!.failures).toEqual([]);
    expect(runs[1]!.messages).toEqual([
      'explore: 300 runs, each 20s of virtual time, 30 lock operations (fenced) and faults (pause): every invariant held, and the storage never took a write under an older grant after one under a newer.',
    ]);
  });
});
