// Names and keys are the user's words: one that is also a JavaScript property name (toString,
// constructor, __proto__, hasOwnProperty) is a name like any other. Before this was so, `A get toString`
// answered with a function and crashed the run, a client named `constructor` crashed it, and a Paxos
// cluster with nodes named so reported violations that did not happen.
import { describe, expect, it } from 'vitest';
import type { TraceEvent } from '../../../src/engine/trace';
import type { CellRun } from '../../../src/lang/session';
import { runOk } from './helpers';

const ODD = ['toString', 'constructor', '__proto__', 'hasOwnProperty'];

function answers(run: CellRun): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i < run.events.length; i++) {
    const e = run.events.at(i) as TraceEvent;
    if (e.k === 'client-response') out.push([e.client, e.result]);
  }
  return out;
}

describe('names and keys that are also JavaScript property names', () => {
  it('are ordinary keys of the replicated key-value store (Raft)', () => {
    const cells = ['cluster raft nodes=3 seed=1\ntimeout n1\nrun until leader n1 within 1s'];
    const ops = ODD.flatMap((k, i) => [`A get ${k}`, 'run 100ms', `A put ${k}=${i}`, 'run 100ms', `A get ${k}`, 'run 100ms', `A delete ${k}`, 'run 100ms', `A get ${k}`, 'run 100ms']);
    cells.push([...ops, ...ODD.map((k) => `expect committed ${k} on all`)].join('\n'));
    const run = runOk(cells);
    expect(answers(run)).toEqual(ODD.flatMap((_, i) => [['A', '(none)'], ['A', 'OK'], ['A', String(i)], ['A', 'deleted'], ['A', '(none)']]));
  });

  it('are ordinary client names: each has its own session', () => {
    const cells = ['cluster raft nodes=3 seed=1\ntimeout n1\nrun until leader n1 within 1s'];
    cells.push([...ODD.map((c, i) => `${c} put x=${i}`), 'run 300ms', ...ODD.map((c) => `expect ${c} got OK`), 'expect committed x on all'].join('\n'));
    const run = runOk(cells);
    expect(answers(run).map(([c]) => c).sort()).toEqual([...ODD].sort());
  });

  it.each(['raft', 'paxos', 'multi-paxos', 'bully'])('are ordinary node names (%s): the same run, the same verdict as with plain names', (protocol) => {
    const script = (names: string[]): string[] => {
      const first = names[0]!;
      const cells = [`cluster ${protocol} nodes=${names.join(',')} seed=3`];
      if (protocol === 'paxos' || protocol === 'multi-paxos') cells.push(`${first} propose X\nrun 2s`);
      else cells.push(`run 2s\ncrash ${names[names.length - 1]}\nrun 2s`);
      return cells;
    };
    // Plain names sorted as ODD is (names are sorted in places: reasons, violations).
    const plain = ['x4', 'x2', 'x1', 'x3'];
    const odd = runOk(script(ODD));
    const ref = runOk(script(plain));
    const text = (run: CellRun, rename: boolean): string[] => {
      const out: string[] = [];
      for (let i = 0; i < run.events.length; i++) {
        let line = JSON.stringify(run.events.at(i));
        if (rename) ODD.forEach((name, j) => (line = line.split(name).join(plain[j]!)));
        out.push(line);
      }
      return out;
    };
    expect(odd.violations).toBe(0);
    expect(text(odd, true)).toEqual(text(ref, false));
  });
});
