// The two primitives under every run: the PRNG (its stream is part of every trace, so it is pinned to
// golden values) and the event queue (checked against a naive sorted list, etcd-style).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chance, nextU32, prngCreate, randInt } from '../../../src/engine/prng';
import { queueClear, queueCreate, queuePeek, queuePeekAt, queuePop, queuePush, queueSize } from '../../../src/engine/queue';

describe('prng (xoshiro128**, seeded by splitmix32)', () => {
  it('gives the same stream on every machine (golden values)', () => {
    const p = prngCreate(1);
    expect(Array.from({ length: 6 }, () => nextU32(p))).toEqual([2442144158, 3238099751, 3819917871, 2104621829, 2021136066, 4223536128]);
    const q = prngCreate(42);
    expect(Array.from({ length: 6 }, () => randInt(q, 150_000, 300_000))).toEqual([249093, 169032, 166755, 272241, 161865, 153952]);
  });

  it('seed 0 is fine (the state is never all zero), and a snapshot of the state continues the stream', () => {
    const z = prngCreate(0);
    expect(z.a | z.b | z.c | z.d).not.toBe(0);
    nextU32(z);
    const copy = structuredClone(z);
    expect(Array.from({ length: 5 }, () => nextU32(copy))).toEqual(Array.from({ length: 5 }, () => nextU32(z)));
  });

  it('randInt stays within [lo, hi] and reaches both ends', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: -1000, max: 1000 }), fc.nat(50), (seed, lo, span) => {
        const p = prngCreate(seed);
        let min = Infinity;
        let max = -Infinity;
        for (let i = 0; i < 40 * (span + 1); i++) {
          const x = randInt(p, lo, lo + span);
          if (x < min) min = x;
          if (x > max) max = x;
        }
        return min === lo && max === lo + span;
      }),
      { numRuns: 50 },
    );
    expect(randInt(prngCreate(1), 5, 5)).toBe(5);
    expect(randInt(prngCreate(1), 5, 3)).toBe(5);
  });

  it('chance: never at 0‰, always at 1000‰, about right in between', () => {
    const p = prngCreate(9);
    let hits = 0;
    let never = 0;
    let always = 0;
    for (let i = 0; i < 10_000; i++) {
      if (chance(p, 0)) never++;
      if (chance(p, 1000)) always++;
      if (chance(p, 200)) hits++;
    }
    expect([never, always]).toEqual([0, 10_000]);
    expect(hits).toBeGreaterThan(1800);
    expect(hits).toBeLessThan(2200);
  });
});

describe('event queue', () => {
  type Op = { push: number } | { pop: true };
  const ops = fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 20 }) }), fc.constant({ pop: true as const })), { maxLength: 300 });

  it('pops in (time, insertion) order, exactly like a naive sorted list', () => {
    fc.assert(
      fc.property(ops, (list: Op[]) => {
        const q = queueCreate<number>();
        const naive: { at: number; seq: number; item: number }[] = [];
        let seq = 0;
        for (const op of list) {
          if ('push' in op) {
            queuePush(q, op.push, seq);
            naive.push({ at: op.push, seq, item: seq });
            seq++;
          } else {
            naive.sort((a, b) => a.at - b.at || a.seq - b.seq);
            const want = naive.shift();
            expect(queuePeek(q)).toBe(want?.item);
            if (want !== undefined) expect(queuePeekAt(q)).toBe(want.at);
            expect(queuePop(q)).toBe(want?.item);
          }
        }
        expect(queueSize(q)).toBe(naive.length);
      }),
      { numRuns: 300 },
    );
  });

  it('keeps that order past 2^31 µs (35 minutes) and for an item pushed again after it was popped', () => {
    const big = fc.array(fc.oneof(fc.record({ push: fc.integer({ min: 0, max: 40 }) }), fc.constant({ pop: true as const })), { maxLength: 300 });
    fc.assert(
      fc.property(big, fc.constantFrom(0, 2 ** 31 - 20, 2 ** 40), (list: Op[], base: number) => {
        const q = queueCreate<{ name: string }>();
        const naive: { at: number; seq: number; item: { name: string } }[] = [];
        // Few distinct items, so the same one is often queued again (as a timer re-queues itself).
        const items = [{ name: 'a' }, { name: 'b' }, { name: 'c' }];
        let seq = 0;
        for (const op of list) {
          if ('push' in op) {
            const item = items[op.push % items.length]!;
            queuePush(q, base + op.push, item);
            naive.push({ at: base + op.push, seq, item });
            seq++;
          } else {
            naive.sort((a, b) => a.at - b.at || a.seq - b.seq);
            const want = naive.shift();
            if (want !== undefined) expect(queuePeekAt(q)).toBe(want.at);
            expect(queuePop(q)).toBe(want?.item);
          }
        }
        expect(queueSize(q)).toBe(naive.length);
        queueClear(q);
        expect(queueSize(q)).toBe(0);
        expect(queuePeekAt(q)).toBe(Infinity);
        expect(queuePop(q)).toBeUndefined();
      }),
      { numRuns: 300 },
    );
  });
});
