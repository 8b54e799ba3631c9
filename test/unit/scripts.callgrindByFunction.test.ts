// scripts/callgrind-by-function.js: the attribution behind scripts/profile-engine.sh. Callgrind names
// V8's builtins but not the code the JIT made; the perf map names that code by address range. These
// tests hold the reading of callgrind's compressed format (relative addresses, `calls=` lines whose
// next cost line belongs to the callee) and the charging of costs to the right function.
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';

const require = createRequire(import.meta.url);
type Costs = Map<string, number[]>;
const { profile, minus } = require('../../scripts/callgrind-by-function.js') as {
  profile: (outText: string, mapText: string, callees?: string[]) => { costs: Costs; callers: Map<string, Map<string, number>> };
  minus: <V>(a: Map<string, V>, b: Map<string, V>) => Map<string, V>;
};

// Two optimized functions: onAppendEntries at 0x1000..0x1100, sendPeer at 0x2000..0x2080.
const MAP = ['1000 100 JS:*onAppendEntries x.js:1:1', '2000 80 JS:*sendPeer x.js:9:1', ''].join('\n');

// events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw (positions: instr line)
const OUT = [
  'version: 1',
  'positions: instr line',
  'events: Ir Dr Dw I1mr D1mr D1mw ILmr DLmr DLmw',
  'fn=(1) 0x0000000000001000',
  '0x1000 0 10 2 1 1 0 0 0 0 0',
  '+16 0 5 0 0 0 1',
  'cfn=(2) Builtins_RecordWriteSaveFP',
  'calls=3 0x5000',
  '+4 0 300 90 40 0 0 0 0 0 0',
  '* 0 1',
  'fn=(3) 0x0000000000002010',
  '0x2010 0 7 0 0 2',
  '-8 0 3',
  'cfn=(2)',
  'calls=2 0x5000',
  '+2 0 200 60 30 0 0 0 0 0 0',
  'fn=(2)',
  '0x5000 0 50 10 10',
  'fn=(4) 0x0000000000009000',
  '0x9000 0 4',
  '',
].join('\n');

describe('callgrind-by-function', () => {
  test('charges JIT code to the optimized function the perf map names, and builtins to their symbol', () => {
    const { costs } = profile(OUT, MAP);
    // 10 + 5 + 1 at 0x1000, 0x1010 and 0x1014 (after the call: '*' repeats the address).
    expect(costs.get('JS *onAppendEntries x.js:1:1')).toEqual([16, 2, 1, 1, 1, 0, 0, 0, 0]);
    expect(costs.get('JS *sendPeer x.js:9:1')).toEqual([10, 0, 0, 2, 0, 0, 0, 0, 0]);
    expect(costs.get('Builtins_RecordWriteSaveFP')).toEqual([50, 10, 10, 0, 0, 0, 0, 0, 0]);
    expect(costs.get('JIT code without a name')).toEqual([4, 0, 0, 0, 0, 0, 0, 0, 0]);
  });

  test("a call's inclusive cost is not charged to the caller; its count goes to the write barrier's callers", () => {
    const { costs, callers } = profile(OUT, MAP);
    const barrier = callers.get('Builtins_RecordWriteSaveFP')!;
    const total = [...costs.values()].reduce((s, v) => s + v[0]!, 0);
    expect(total).toBe(16 + 10 + 50 + 4);
    expect(barrier.get('JS *onAppendEntries x.js:1:1')).toBe(3);
    expect(barrier.get('JS *sendPeer x.js:9:1')).toBe(2);
  });

  test('the callers of any function named (CALLERS_OF) are counted like the write barrier\'s', () => {
    // sendPeer also calls a Map lookup once; onAppendEntries never does.
    const out = OUT.replace("fn=(2)\n0x5000 0 50 10 10", "cfn=(5) Builtins_FindOrderedHashMapEntry\ncalls=1 0x6000\n+2 0 40 8 8 0 0 0 0 0 0\nfn=(2)\n0x5000 0 50 10 10");
    const { callers, costs } = profile(out, MAP, ['Builtins_RecordWriteSaveFP', 'Builtins_FindOrderedHashMapEntry']);
    const barrier = callers.get('Builtins_RecordWriteSaveFP')!;
    expect(callers.get('Builtins_FindOrderedHashMapEntry')).toEqual(new Map([['JS *sendPeer x.js:9:1', 1]]));
    expect(barrier.get('JS *sendPeer x.js:9:1')).toBe(2);
    // The lookup's inclusive cost is not the caller's either.
    expect(costs.get('JS *sendPeer x.js:9:1')).toEqual([10, 0, 0, 2, 0, 0, 0, 0, 0]);
  });

  test('minus: the steady part is the longer profile less the warm-up, a key missing on one side counting as zero', () => {
    const a = new Map([
      ['f', [10, 1]],
      ['g', [5, 0]],
    ]);
    const b = new Map([
      ['f', [4, 1]],
      ['h', [2, 2]],
    ]);
    expect(minus(a, b)).toEqual(
      new Map([
        ['f', [6, 0]],
        ['g', [5, 0]],
        ['h', [-2, -2]],
      ]),
    );
  });
});
