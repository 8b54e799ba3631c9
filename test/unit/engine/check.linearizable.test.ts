// The linearizability checker (Herlihy & Wing 1990; Wing & Gong's search with Lowe's memoization, as
// Porcupine does it), fed hand-written histories, histories of real engine runs, and random histories
// judged against a brute-force oracle that tries every order.
//
// Reproduce a failing property with the seed and path fast-check prints:
//   FC_SEED=123 FC_PATH="4:1:0" npx vitest run test/unit/engine/check.linearizable.test.ts
// FC_RUNS overrides the number of generated histories per property (default 200).

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_STEP_BUDGET,
  type LinearizableResult,
  type Operation,
  type StoreCommand,
  checkLinearizable,
  clientHistory,
  registerStep,
} from '../../../src/engine/check/linearizable';
import { defaultClusterOptions } from '../../../src/engine/config';
import { prngCreate, randInt } from '../../../src/engine/prng';
import { applyCommand } from '../../../src/engine/kv/store';
import { Simulation, worldCreate } from '../../../src/engine/sim';
import { TraceLog } from '../../../src/engine/tracelog';
import { MS, S, names } from './helpers';

const RUNS = Number(process.env['FC_RUNS'] ?? 200);
const SEED = process.env['FC_SEED'] !== undefined ? Number(process.env['FC_SEED']) : undefined;
const PATH = process.env['FC_PATH'];
const FC = { numRuns: RUNS, seed: SEED, path: PATH };

// -------------------------------------------------------------------------------------------------
// Building histories by hand

/** A command without its client and sequence number (the helpers below fill them in). */
type Spec =
  | { op: 'put'; key: string; value: string }
  | { op: 'delete'; key: string }
  | { op: 'cas'; key: string; expect: string; value: string }
  | { op: 'get'; key: string };

const put = (key: string, value: string): Spec => ({ op: 'put', key, value });
const get = (key: string): Spec => ({ op: 'get', key });
const del = (key: string): Spec => ({ op: 'delete', key });
const cas = (key: string, expect: string, value: string): Spec => ({ op: 'cas', key, expect, value });

let nextSeq = 0;
function command(client: string, s: Spec): StoreCommand {
  return { ...s, client, seq: ++nextSeq } as StoreCommand;
}

/** An answered operation: invoked at trace position `call`, answered `result` at `ret`. */
function done(client: string, s: Spec, call: number, ret: number, result: string): Operation {
  return { client, cmd: command(client, s), call, ret, callUs: call * 1000, retUs: ret * 1000, result };
}

/** An operation never answered: it may have taken effect, or not. */
function pending(client: string, s: Spec, call: number): Operation {
  return { client, cmd: command(client, s), call, ret: Infinity, callUs: call * 1000, retUs: -1, result: null };
}

function expectViolation(r: LinearizableResult): Extract<LinearizableResult, { ok: false }> {
  expect(r.ok).toBe(false);
  if (r.ok !== false) throw new Error('unreachable');
  return r;
}

describe('linearizability: hand-written histories', () => {
  it('Herlihy & Wing §2: a read that begins after a write completed must see it (a stale read is a violation)', () => {
    const p1 = done('A', put('x', '1'), 0, 1, 'OK');
    const p2 = done('A', put('x', '2'), 2, 3, 'OK');
    const stale = done('B', get('x'), 4, 5, '1');
    const r = expectViolation(checkLinearizable([p1, p2, stale]));
    expect(r.key).toBe('x');
    expect(r.operations).toBe(3);
    expect(r.evidence).toEqual([p1, p2, stale]);
    // The same read answered with the newer value is fine.
    const fresh = done('B', get('x'), 4, 5, '2');
    expect(checkLinearizable([p1, p2, fresh])).toEqual({ ok: true, operations: 3, keys: 1 });
  });

  it('Herlihy & Wing §2: a read concurrent with a write may return the old or the new value, nothing else', () => {
    const p1 = done('A', put('x', '1'), 0, 1, 'OK');
    const p2 = (): Operation => done('A', put('x', '2'), 2, 5, 'OK');
    expect(checkLinearizable([p1, p2(), done('B', get('x'), 3, 4, '1')]).ok).toBe(true);
    expect(checkLinearizable([p1, p2(), done('B', get('x'), 3, 4, '2')]).ok).toBe(true);
    expect(checkLinearizable([p1, p2(), done('B', get('x'), 3, 4, '(none)')]).ok).toBe(false);
    expect(checkLinearizable([p1, p2(), done('B', get('x'), 3, 4, '3')]).ok).toBe(false);
  });

  it('Herlihy & Wing §2: once a concurrent read saw the new value, a later read may not see the old one', () => {
    const p1 = done('A', put('x', '1'), 0, 1, 'OK');
    const p2 = done('A', put('x', '2'), 2, 9, 'OK');
    const sawNew = done('B', get('x'), 3, 4, '2');
    const sawOld = done('C', get('x'), 5, 6, '1');
    const r = expectViolation(checkLinearizable([p1, p2, sawNew, sawOld]));
    expect(r.evidence).toEqual([p1, p2, sawNew, sawOld]);
    // Overlapping reads, though, may be ordered either way.
    const overlapping = done('C', get('x'), 3.5, 6, '1');
    expect(checkLinearizable([p1, p2, sawNew, overlapping]).ok).toBe(true);
  });

  it('an unanswered write may have taken effect (a later read sees it) or not (a later read does not)', () => {
    const p1 = done('A', put('x', '1'), 0, 1, 'OK');
    const lost = (): Operation => pending('A', put('x', '2'), 2);
    expect(checkLinearizable([p1, lost(), done('B', get('x'), 3, 4, '2')]).ok).toBe(true);
    expect(checkLinearizable([p1, lost(), done('B', get('x'), 3, 4, '1')]).ok).toBe(true);
    // It may even take effect long after: the read before sees the old value, the read after the new.
    expect(checkLinearizable([p1, lost(), done('B', get('x'), 3, 4, '1'), done('B', get('x'), 5, 6, '2')]).ok).toBe(true);
    // But it cannot produce a value nobody wrote, nor take effect twice (old, new, old again).
    expect(checkLinearizable([p1, lost(), done('B', get('x'), 3, 4, '3')]).ok).toBe(false);
    expect(checkLinearizable([p1, lost(), done('B', get('x'), 3, 4, '2'), done('B', get('x'), 5, 6, '1')]).ok).toBe(false);
  });

  it('an unanswered write cannot take effect before it was invoked', () => {
    const early = done('B', get('x'), 0, 1, '2');
    const lost = pending('A', put('x', '2'), 2);
    const r = expectViolation(checkLinearizable([early, lost]));
    expect(r.key).toBe('x');
    expect(r.evidence).toEqual([early, lost]);
  });

  it('an unanswered read constrains nothing', () => {
    const h = [done('A', put('x', '1'), 0, 1, 'OK'), pending('B', get('x'), 2), done('A', get('x'), 3, 4, '1')];
    expect(checkLinearizable(h)).toEqual({ ok: true, operations: 3, keys: 1 });
  });

  it('cas: OK only when the register held the expected value, otherwise "failed: KEY=CUR"', () => {
    const p1 = done('A', put('x', '1'), 0, 1, 'OK');
    const c1 = done('A', cas('x', '1', '2'), 2, 3, 'OK');
    const g = done('B', get('x'), 4, 5, '2');
    const c2 = done('B', cas('x', '1', '3'), 6, 7, 'failed: x=2');
    expect(checkLinearizable([p1, c1, g, c2]).ok).toBe(true);
    // A cas on a key never written fails with "(none)".
    expect(checkLinearizable([done('A', cas('y', '1', '2'), 0, 1, 'failed: y=(none)')]).ok).toBe(true);
    expect(checkLinearizable([done('A', cas('y', '1', '2'), 0, 1, 'OK')]).ok).toBe(false);
    // A cas answered OK when the value could not have matched is a violation.
    const wrongOk = done('C', cas('x', '1', '9'), 6, 7, 'OK');
    const r = expectViolation(checkLinearizable([p1, c1, g, wrongOk]));
    expect(r.key).toBe('x');
    expect(r.evidence).toContain(wrongOk);
    expect(r.evidence).toContain(c1);
    // So is a failure that reports a value the register could not have held.
    expect(checkLinearizable([p1, c1, done('C', cas('x', '2', '9'), 6, 7, 'failed: x=1')]).ok).toBe(false);
    // A successful cas concurrent with the put it depends on can be ordered after it.
    const slowPut = done('A', put('z', '1'), 0, 5, 'OK');
    expect(checkLinearizable([slowPut, done('B', cas('z', '1', '2'), 1, 2, 'OK'), done('B', get('z'), 6, 7, '2')]).ok).toBe(true);
  });

  it('delete: "deleted" when the key held a value, "not found" when it did not', () => {
    const p1 = done('A', put('x', '1'), 0, 1, 'OK');
    const d1 = done('A', del('x'), 2, 3, 'deleted');
    const g = done('B', get('x'), 4, 5, '(none)');
    const d2 = done('B', del('x'), 6, 7, 'not found');
    expect(checkLinearizable([p1, d1, g, d2]).ok).toBe(true);
    expect(checkLinearizable([done('A', del('y'), 0, 1, 'not found')]).ok).toBe(true);
    expect(checkLinearizable([done('A', del('y'), 0, 1, 'deleted')]).ok).toBe(false);
    expect(checkLinearizable([p1, done('A', del('x'), 2, 3, 'not found')]).ok).toBe(false);
    // Two concurrent deletes of one value: exactly one of them finds it.
    const both = [p1, done('A', del('x'), 2, 4, 'deleted'), done('B', del('x'), 3, 5, 'deleted')];
    expect(checkLinearizable(both).ok).toBe(false);
    const one = [p1, done('A', del('x'), 2, 4, 'deleted'), done('B', del('x'), 3, 5, 'not found')];
    expect(checkLinearizable(one).ok).toBe(true);
    // A read after a delete that completed cannot see the deleted value.
    expect(checkLinearizable([p1, d1, done('B', get('x'), 4, 5, '1')]).ok).toBe(false);
  });

  it('Herlihy & Wing §3.3 (locality): keys are checked alone, a violation on y is reported as key y while x is fine', () => {
    const h = [
      done('A', put('x', '1'), 0, 1, 'OK'),
      done('A', put('y', '1'), 2, 3, 'OK'),
      done('B', get('x'), 4, 5, '1'),
      done('A', put('y', '2'), 6, 7, 'OK'),
      done('B', get('y'), 8, 9, '1'),
      done('C', get('x'), 10, 11, '1'),
    ];
    const r = expectViolation(checkLinearizable(h));
    expect(r.key).toBe('y');
    expect(r.operations).toBe(3);
    expect(r.evidence.every((o) => o.cmd.key === 'y')).toBe(true);
    expect(r.evidence).toEqual([h[1], h[3], h[4]]);
    // Without the stale read of y everything is fine: 5 operations on 2 keys.
    expect(checkLinearizable(h.filter((_, i) => i !== 4))).toEqual({ ok: true, operations: 5, keys: 2 });
  });

  it('an initially absent key reads "(none)", and no other value', () => {
    expect(checkLinearizable([done('A', get('k'), 0, 1, '(none)')])).toEqual({ ok: true, operations: 1, keys: 1 });
    const r = expectViolation(checkLinearizable([done('A', get('k'), 0, 1, '1')]));
    expect(r.key).toBe('k');
  });

  it('the first key (by first invocation) with no valid order is the one reported', () => {
    const h = [
      done('A', get('b'), 0, 1, 'ghost-b'),
      done('A', get('a'), 2, 3, 'ghost-a'),
    ];
    expect(expectViolation(checkLinearizable(h)).key).toBe('b');
  });

  it('evidence shrinking: reads not needed for the violation are left out, while operations counts every op of the key', () => {
    const r0 = done('C', get('x'), 0, 1, '(none)');
    const p1 = done('A', put('x', '1'), 2, 3, 'OK');
    const r1 = done('C', get('x'), 4, 5, '1');
    const p2 = done('A', put('x', '2'), 6, 7, 'OK');
    const r2 = done('C', get('x'), 8, 9, '2');
    const stale = done('B', get('x'), 10, 11, '1');
    const r3 = done('C', get('x'), 12, 13, '2');
    const other = done('D', get('y'), 14, 15, '(none)');
    const failedCas = done('D', cas('x', '7', '8'), 16, 17, 'failed: x=2');
    const r = expectViolation(checkLinearizable([r0, p1, r1, p2, r2, stale, r3, other, failedCas]));
    expect(r.key).toBe('x');
    expect(r.operations).toBe(8);
    expect(r.evidence).toEqual([p1, p2, stale]);
    // The evidence is itself a violation, and each of its reads is needed.
    expect(checkLinearizable(r.evidence).ok).toBe(false);
    expect(checkLinearizable([p1, p2]).ok).toBe(true);
  });

  it('evidence shrinking keeps every write, even one the violation does not need', () => {
    const p1 = done('A', put('x', '1'), 0, 1, 'OK');
    const p2 = done('A', put('x', '2'), 2, 3, 'OK');
    const p3 = done('A', put('x', '3'), 4, 5, 'OK');
    // A read of 1 after 2 and 3 were written: p2 alone makes it stale, p3 is not needed, and stays.
    const stale = done('B', get('x'), 6, 7, '1');
    const r = expectViolation(checkLinearizable([p1, p2, p3, stale]));
    expect(r.evidence).toEqual([p1, p2, p3, stale]);
  });

  it('Lowe §4 memoization: a long history, mostly sequential with some overlap and unanswered writes, is decided fast', () => {
    /**
     * `n` operations on x, one every 10 positions: a write every third (lasting long enough to overlap
     * the read after it, which sees it), reads between, and every `lostEvery` (0: never) a write given
     * up on and never applied. `staleAt`: that read (one not overlapping any write) answers the value
     * before the last write instead.
     */
    const build = (n: number, staleAt = -1, lostEvery = 50): { h: Operation[]; stale: Operation | null } => {
      const h: Operation[] = [];
      const values: (string | null)[] = [null];
      let stale: Operation | null = null;
      for (let i = 0; i < n; i++) {
        const at = 10 * i;
        if (lostEvery > 0 && i % lostEvery === 7) h.push(pending('L', put('x', `lost${i}`), at));
        else if (i % 3 === 0) {
          values.push(String(i));
          h.push(done('W', put('x', String(i)), at, at + 15, 'OK'));
        } else {
          const v = i === staleAt ? values[values.length - 2]! : values[values.length - 1]!;
          const o = done('R', get('x'), at, at + 5, v ?? '(none)');
          if (i === staleAt) stale = o;
          h.push(o);
        }
      }
      return { h, stale };
    };
    expect(checkLinearizable(build(3000).h)).toEqual({ ok: true, operations: 3000, keys: 1 });
    // A stale read (i = 2 mod 3: after the write before it completed) is found in a long history, with
    // writes given up on too (their values are never read, so they are left out of the search)...
    for (const lostEvery of [0, 50]) {
      const long = build(3000, 2900, lostEvery);
      const r = expectViolation(checkLinearizable(long.h));
      expect(r.key).toBe('x');
      expect(r.operations).toBe(3000);
      expect(r.evidence).toContain(long.stale);
      expect(r.evidence.filter((o) => o.cmd.op === 'put' && o.result === 'OK')).toEqual(long.h.filter((o) => o.cmd.op === 'put' && o.result === 'OK'));
      expect(r.evidence.filter((o) => o.result === null)).toEqual([]);
    }
    // ...and in a shorter one the evidence is shrunk to the answered writes and that read alone.
    const short = build(300, 200);
    const s = expectViolation(checkLinearizable(short.h));
    expect(s.evidence.filter((o) => o.cmd.op === 'get')).toEqual([short.stale]);
    expect(s.evidence.filter((o) => o.cmd.op === 'put')).toEqual(short.h.filter((o) => o.cmd.op === 'put' && o.result !== null));
  });

  it('a step budget too small for the search gives "undecided", never a verdict or a hang', () => {
    const h = [
      done('A', put('x', '1'), 0, 10, 'OK'),
      done('B', put('x', '2'), 1, 11, 'OK'),
      done('C', get('x'), 2, 12, '1'),
      done('D', get('x'), 13, 14, '2'),
    ];
    expect(checkLinearizable(h, 1)).toEqual({ ok: 'undecided', key: 'x', steps: 1 });
    expect(checkLinearizable(h).ok).toBe(true);
    expect(checkLinearizable(h, DEFAULT_STEP_BUDGET)).toEqual(checkLinearizable(h));
  });

  it('an answer naming a value nobody wrote is the whole evidence, found without a search', () => {
    const n = 40;
    const h: Operation[] = [];
    for (let i = 0; i < n; i++) h.push(done(`c${i}`, put('x', String(i)), i, n + i, 'OK'));
    const read = done('r', get('x'), 2 * n, 2 * n + 1, 'never-written');
    const found = done('s', cas('x', '1', '2'), 2 * n + 2, 2 * n + 3, 'failed: x=also-never');
    expect(checkLinearizable([...h, read], 1)).toEqual({ ok: false, key: 'x', evidence: [read], operations: n + 1 });
    expect(checkLinearizable([...h, found], 1)).toEqual({ ok: false, key: 'x', evidence: [found], operations: n + 1 });
  });

  it('a search that would be exponential stops at its budget (40 concurrent writes, then two reads no order explains)', () => {
    const n = 40;
    const h: Operation[] = [];
    for (let i = 0; i < n; i++) h.push(done(`c${i}`, put('x', String(i)), i, n + i, 'OK'));
    // Every write has finished: the register holds one value, yet two reads in a row see two.
    h.push(done('r', get('x'), 2 * n, 2 * n + 1, '0'), done('r', get('x'), 2 * n + 2, 2 * n + 3, '1'));
    const r = checkLinearizable(h, 200_000);
    expect(r).toEqual({ ok: 'undecided', key: 'x', steps: 200_000 });
    // Fewer concurrent writes and a read of any one of them: decided within the default budget.
    const m = 12;
    const small: Operation[] = [];
    for (let i = 0; i < m; i++) small.push(done(`c${i}`, put('x', String(i)), i, m + i, 'OK'));
    small.push(done('r', get('x'), 2 * m, 2 * m + 1, '5'));
    expect(checkLinearizable(small)).toEqual({ ok: true, operations: m + 1, keys: 1 });
    small[m] = done('r', get('x'), 2 * m, 2 * m + 1, 'never-written');
    expect(checkLinearizable(small).ok).toBe(false);
  });
});

// -------------------------------------------------------------------------------------------------
// The register against the store's own code

describe('registerStep', () => {
  const keyArb = fc.constantFrom('x', 'y');
  const valArb = fc.constantFrom('1', '2', '3');
  const specArb: fc.Arbitrary<Spec> = fc.oneof(
    fc.record({ op: fc.constant('put' as const), key: keyArb, value: valArb }),
    fc.record({ op: fc.constant('get' as const), key: keyArb }),
    fc.record({ op: fc.constant('delete' as const), key: keyArb }),
    fc.record({ op: fc.constant('cas' as const), key: keyArb, expect: valArb, value: valArb }),
  );

  it('answers, and changes the register, exactly as applyCommand does (node.ts)', () => {
    fc.assert(
      fc.property(fc.option(valArb, { nil: null }), specArb, (value, s) => {
        const cmd = command('A', s);
        const kv = new Map<string, string>();
        if (value !== null) kv.set(cmd.key, value);
        const result = applyCommand(kv, new Map(), cmd);
        const step = registerStep(value, cmd);
        expect(step.result).toBe(result);
        expect(step.next).toBe(kv.get(cmd.key) ?? null);
      }),
      FC,
    );
  });
});

// -------------------------------------------------------------------------------------------------
// Histories of real engine runs

interface Submitted {
  client: string;
  cmd: StoreCommand;
}

/** A 5-node cluster, as `raftLoad` in src/bench/main.ts builds it. */
function cluster(seed: number): { sim: Simulation; trace: TraceLog; now: () => number } {
  const world = worldCreate(defaultClusterOptions(names(5), seed));
  const trace = new TraceLog();
  const sim = new Simulation(world, trace);
  sim.start();
  return { sim, trace, now: () => world.now };
}

/**
 * Clients that each keep one command in flight: puts, gets and cas on a few keys, every `gapUs` a
 * client with nothing in flight starts its next one. Whatever is still in flight at the end is given up.
 */
function load(seed: number, clients: number, keys: number, simUs: number, gapUs: number) {
  const { sim, trace } = cluster(seed);
  const rng = prngCreate(seed * 7919 + 1);
  const cs = Array.from({ length: clients }, (_, i) => `c${i + 1}`);
  const submitted: Submitted[] = [];
  let n = 0;
  for (let t = gapUs; t <= simUs; t += gapUs) {
    sim.run(t, Number.MAX_SAFE_INTEGER);
    for (const c of cs) {
      if (!sim.clientDone(c) || randInt(rng, 0, 2) === 0) continue;
      const key = `k${randInt(rng, 1, keys)}`;
      const value = String(++n);
      const kind = randInt(rng, 0, 3);
      sim.submit(
        c,
        (seq) => {
          const cmd: StoreCommand =
            kind === 0
              ? { op: 'put', key, value, client: c, seq }
              : kind === 1
                ? { op: 'get', key, client: c, seq }
                : kind === 2
                  ? { op: 'cas', key, expect: String(randInt(rng, Math.max(1, n - 6), n)), value, client: c, seq }
                  : { op: 'delete', key, client: c, seq };
          submitted.push({ client: c, cmd });
          return cmd;
        },
        null,
      );
    }
  }
  const abandoned: string[] = [];
  for (const c of cs) {
    if (!sim.clientDone(c)) {
      abandoned.push(c);
      sim.abandon(c, 'run bound reached');
    }
  }
  return { sim, trace, submitted, abandoned };
}

describe('clientHistory on a real engine run', () => {
  it('lists each submitted command once, in invocation order, with the answer its client got', () => {
    const { trace, submitted, abandoned } = load(3, 4, 3, 3 * S, 20 * MS);
    const h = clientHistory(trace);
    expect(submitted.length).toBeGreaterThan(50);
    expect(h.map((o) => o.cmd)).toEqual(submitted.map((s) => s.cmd));
    expect(h.map((o) => o.client)).toEqual(submitted.map((s) => s.client));
    for (let i = 1; i < h.length; i++) expect(h[i]!.call).toBeGreaterThan(h[i - 1]!.call);
    let answered = 0;
    for (const o of h) {
      const req = trace.at(o.call)!;
      expect(req).toMatchObject({ k: 'client-request', client: o.client, cmd: o.cmd, t: o.callUs });
      if (o.result === null) {
        expect(o.ret).toBe(Infinity);
        expect(o.retUs).toBe(-1);
        continue;
      }
      answered++;
      expect(o.ret).toBeGreaterThan(o.call);
      const res = trace.at(o.ret)!;
      expect(res).toMatchObject({ k: 'client-response', client: o.client, ok: true, seq: o.cmd.seq, result: o.result, t: o.retUs });
    }
    // Every answered command is answered once in the trace, and only the given-up ones are unanswered.
    let okResponses = 0;
    for (let i = 0; i < trace.length; i++) {
      const e = trace.at(i)!;
      if (e.k === 'client-response' && e.ok) okResponses++;
    }
    expect(answered).toBe(okResponses);
    expect(h.length - answered).toBe(abandoned.length);
    // A plain array of events is read the same way as the trace log.
    expect(clientHistory(trace.slice())).toEqual(h);
    // The answers are the store's: puts say OK, reads a value or (none).
    for (const o of h) {
      if (o.result === null) continue;
      if (o.cmd.op === 'put') expect(o.result).toBe('OK');
      if (o.cmd.op === 'delete') expect(['deleted', 'not found']).toContain(o.result);
      if (o.cmd.op === 'cas') expect(o.result === 'OK' || o.result.startsWith(`failed: ${o.cmd.key}=`)).toBe(true);
    }
  });

  it('a command given up on has no answer (result null, ret Infinity), and may still take effect', () => {
    const { sim, trace } = cluster(5);
    sim.run(2 * S, Number.MAX_SAFE_INTEGER);
    sim.submit('A', (seq) => ({ op: 'put', key: 'x', value: '1', client: 'A', seq }), null);
    sim.run(2 * S + 5 * MS, Number.MAX_SAFE_INTEGER);
    expect(sim.clientDone('A')).toBe(false);
    sim.abandon('A', 'given up');
    expect(sim.clientDone('A')).toBe(true);
    // The put was already on its way: a later read by another client may see it.
    sim.run(3 * S, Number.MAX_SAFE_INTEGER);
    sim.submit('B', (seq) => ({ op: 'get', key: 'x', client: 'B', seq }), null);
    sim.run(5 * S, Number.MAX_SAFE_INTEGER);
    expect(sim.clientDone('B')).toBe(true);
    const h = clientHistory(trace);
    expect(h).toHaveLength(2);
    const [p, g] = h as [Operation, Operation];
    expect(p).toMatchObject({ client: 'A', result: null, ret: Infinity, retUs: -1 });
    expect(p.cmd).toMatchObject({ op: 'put', key: 'x', value: '1' });
    expect(g).toMatchObject({ client: 'B', cmd: { op: 'get', key: 'x' } });
    expect(g.result === '1' || g.result === '(none)').toBe(true);
    expect(checkLinearizable(h)).toEqual({ ok: true, operations: 2, keys: 1 });
    // Were the given-up put left out of the history, a read seeing its value would be a violation.
    if (g.result === '1') expect(checkLinearizable([g]).ok).toBe(false);
  });

  it('a command given up at once is unanswered even if the cluster answers it later', () => {
    const { sim, trace } = cluster(8);
    sim.run(2 * S, Number.MAX_SAFE_INTEGER);
    sim.submit('A', (seq) => ({ op: 'put', key: 'x', value: '1', client: 'A', seq }), null);
    sim.abandon('A', 'given up');
    sim.submit('A', (seq) => ({ op: 'get', key: 'x', client: 'A', seq }), null);
    sim.run(4 * S, Number.MAX_SAFE_INTEGER);
    const h = clientHistory(trace);
    expect(h.map((o) => o.cmd.op)).toEqual(['put', 'get']);
    expect(h[0]).toMatchObject({ result: null, ret: Infinity, retUs: -1 });
    expect(h[1]!.result).not.toBeNull();
    expect(h[1]!.ret).toBeLessThan(Infinity);
    expect(checkLinearizable(h).ok).toBe(true);
  });

  it('Raft §8: a healthy cluster with concurrent clients doing put/get/cas/delete on a few keys is linearizable', () => {
    for (const seed of [1, 2, 3, 4]) {
      const { trace, submitted } = load(seed, 6, 3, 4 * S, 10 * MS);
      const h = clientHistory(trace);
      expect(h).toHaveLength(submitted.length);
      const answered = h.filter((o) => o.result !== null);
      expect(answered.length).toBeGreaterThan(100);
      // The clients really were concurrent: some operation overlaps another one.
      expect(h.some((a) => h.some((b) => a !== b && a.call < b.call && b.call < a.ret))).toBe(true);
      // Some cas succeeded and some failed, so the register's state mattered.
      expect(answered.some((o) => o.cmd.op === 'cas' && o.result === 'OK')).toBe(true);
      expect(answered.some((o) => o.cmd.op === 'cas' && o.result !== 'OK')).toBe(true);
      const r = checkLinearizable(h);
      expect(r).toEqual({ ok: true, operations: h.length, keys: 3 });
      // Sanity: the checker is not blind on these histories: a read made stale is caught.
      const i = h.findIndex((o, j) => j > h.length / 2 && o.cmd.op === 'get' && o.result !== null);
      expect(i).toBeGreaterThan(0);
      const broken = h.map((o, j) => (j === i ? { ...o, result: 'never-written' } : o));
      const b = expectViolation(checkLinearizable(broken));
      expect(b.key).toBe(h[i]!.cmd.key);
      expect(b.evidence).toContain(broken[i]);
    }
  });
});

// -------------------------------------------------------------------------------------------------
// Properties

/** Does some order of the operations (unanswered ones anywhere after their call, or nowhere) explain every answer? By brute force. */
function bruteForce(ops: readonly Operation[]): boolean {
  const answered = ops.filter((o) => o.result !== null);
  const optional = ops.filter((o) => o.result === null);
  for (let mask = 0; mask < 1 << optional.length; mask++) {
    const chosen = [...answered, ...optional.filter((_, i) => (mask >> i) & 1)];
    for (const order of permutations(chosen)) if (legal(order)) return true;
  }
  return false;
}

function* permutations<T>(xs: readonly T[]): Generator<T[]> {
  if (xs.length <= 1) {
    yield xs.slice();
    return;
  }
  for (let i = 0; i < xs.length; i++) {
    const rest = [...xs.slice(0, i), ...xs.slice(i + 1)];
    for (const p of permutations(rest)) yield [xs[i]!, ...p];
  }
}

/** Real-time order respected (a before b whenever a.ret < b.call) and every answer is the register's, keys apart. */
function legal(order: readonly Operation[]): boolean {
  for (let i = 0; i < order.length; i++) for (let j = i + 1; j < order.length; j++) if (order[j]!.ret < order[i]!.call) return false;
  const state = new Map<string, string | null>();
  for (const o of order) {
    const s = registerStep(state.get(o.cmd.key) ?? null, o.cmd);
    if (o.result !== null && o.result !== s.result) return false;
    state.set(o.cmd.key, s.next);
  }
  return true;
}

const VALUES = ['1', '2'] as const;
const ALL_RESULTS = ['1', '2', '(none)', 'OK', 'deleted', 'not found', 'failed: x=1', 'failed: x=2', 'failed: x=(none)'];
const PLAUSIBLE: Record<Spec['op'], string[]> = {
  put: ['OK'],
  get: ['1', '2', '(none)'],
  delete: ['deleted', 'not found'],
  cas: ['OK', 'failed: x=1', 'failed: x=2', 'failed: x=(none)'],
};

interface GenOp {
  spec: Spec;
  answered: boolean;
  result: string;
}

const genOpArb = (key: string): fc.Arbitrary<GenOp> => {
  const v = fc.constantFrom(...VALUES);
  const spec: fc.Arbitrary<Spec> = fc.oneof(
    v.map((value) => put(key, value)),
    fc.constant(get(key)),
    fc.constant(del(key)),
    fc.tuple(v, v).map(([e, value]) => cas(key, e, value)),
  );
  return spec.chain((s) =>
    fc.record({
      spec: fc.constant(s),
      answered: fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      result: fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...PLAUSIBLE[s.op]) }, { weight: 1, arbitrary: fc.constantFrom(...ALL_RESULTS) }),
    }),
  );
};

/** 1..6 operations on key x with random, possibly overlapping intervals at distinct trace positions. */
const smallHistoryArb: fc.Arbitrary<Operation[]> = fc
  .integer({ min: 1, max: 6 })
  .chain((n) =>
    fc.tuple(
      fc.array(genOpArb('x'), { minLength: n, maxLength: n }),
      fc.uniqueArray(fc.integer({ min: 0, max: 30 }), { minLength: 2 * n, maxLength: 2 * n }),
    ),
  )
  .map(([gs, pos]) => {
    const ops = gs.map((g, i) => {
      const a = pos[2 * i]!;
      const b = pos[2 * i + 1]!;
      const [call, ret] = a < b ? [a, b] : [b, a];
      return g.answered ? done(`c${i}`, g.spec, call, ret, g.result) : pending(`c${i}`, g.spec, call);
    });
    return ops.sort((p, q) => p.call - q.call);
  });

function showHistory(h: readonly Operation[]): string {
  return h
    .map((o) => {
      const c = o.cmd;
      const what = c.op === 'put' ? `put ${c.key}=${c.value}` : c.op === 'cas' ? `cas ${c.key} ${c.expect}->${c.value}` : `${c.op} ${c.key}`;
      return `${o.client} ${what} [${o.call}, ${o.ret}] -> ${o.result === null ? '?' : JSON.stringify(o.result)}`;
    })
    .join('\n');
}

/** Whether an operation's answer shows it did not change the register (what the checker may leave out of its evidence). */
/** Whether an answer in `ops` could show `value` was written: a read of it, a cas naming it, or a delete of something. */
function shown(ops: readonly Operation[], value: string): boolean {
  return ops.some(
    (o) =>
      (o.cmd.op === 'get' && o.result === value) ||
      (o.cmd.op === 'cas' && (o.cmd.expect === value || o.result === `failed: ${o.cmd.key}=${value}`)) ||
      (o.cmd.op === 'delete' && o.result === 'deleted'),
  );
}

function readOnly(o: Operation): boolean {
  if (o.result === null) return o.cmd.op === 'get';
  return o.cmd.op === 'get' || (o.cmd.op === 'cas' && o.result !== 'OK') || (o.cmd.op === 'delete' && o.result === 'not found');
}

describe('linearizability: properties (fast-check)', () => {
  it(`Wing & Gong / Lowe: the search agrees with a brute force over every order (${RUNS} histories of 1..6 operations)`, () => {
    const seen = { yes: 0, no: 0 };
    fc.assert(
      fc.property(smallHistoryArb, (h) => {
        const expected = bruteForce(h);
        const r = checkLinearizable(h);
        if (r.ok === 'undecided') throw new Error(`undecided on a tiny history:\n${showHistory(h)}`);
        if (r.ok !== expected) throw new Error(`checker says ${r.ok}, brute force ${expected}:\n${showHistory(h)}`);
        if (expected) seen.yes++;
        else seen.no++;
      }),
      FC,
    );
    // Both verdicts were exercised, not only one.
    if (RUNS >= 100) {
      expect(seen.yes).toBeGreaterThan(RUNS / 10);
      expect(seen.no).toBeGreaterThan(RUNS / 10);
    }
  });

  it('evidence is a true witness: a violation on its own, in invocation order, keeping every write whose effect an answer could show, and each read in it is needed', () => {
    fc.assert(
      fc.property(smallHistoryArb, (h) => {
        const r = checkLinearizable(h);
        if (r.ok !== false) return;
        const keyOps = h.filter((o) => !(o.result === null && o.cmd.op === 'get'));
        expect(r.key).toBe('x');
        expect(r.operations).toBe(keyOps.length);
        // A subsequence of the key's operations, in invocation order.
        let j = 0;
        for (const o of r.evidence) {
          while (j < keyOps.length && keyOps[j] !== o) j++;
          expect(j).toBeLessThan(keyOps.length);
          j++;
        }
        // An answer naming a value no operation wrote is evidence alone; otherwise only read-only
        // operations are left out, and unanswered puts of a value no answer shows.
        const unwritten = r.evidence.length === 1 && readOnly(r.evidence[0]!) && bruteForce(r.evidence) === false;
        if (!unwritten) for (const o of keyOps) if (!readOnly(o) && !(o.result === null && o.cmd.op === 'put' && !shown(keyOps, o.cmd.value))) expect(r.evidence).toContain(o);
        // No order explains the evidence alone...
        expect(bruteForce(r.evidence)).toBe(false);
        // ...and leaving out any one of its reads would explain it.
        for (const o of r.evidence) if (readOnly(o)) expect(bruteForce(r.evidence.filter((x) => x !== o)), `${showHistory(r.evidence)}\nwithout ${showHistory([o])}`).toBe(true);
      }),
      FC,
    );
  });

  it('a history whose answers come from executing each operation atomically inside its interval is linearizable (up to 40 ops, 3 keys)', () => {
    let runs = 0;
    let undecided = 0;
    const opArb = fc.record({
      key: fc.constantFrom('x', 'y', 'z'),
      kind: fc.constantFrom('put', 'get', 'delete', 'cas'),
      value: fc.constantFrom('1', '2', '3'),
      expect: fc.constantFrom('1', '2', '3'),
      answered: fc.oneof({ weight: 9, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
      tookEffect: fc.boolean(),
    });
    const arb = fc
      .integer({ min: 1, max: 40 })
      .chain((n) =>
        fc.tuple(
          fc.array(opArb, { minLength: n, maxLength: n }),
          fc.uniqueArray(fc.integer({ min: 0, max: 3 * n + 20 }), { minLength: 3 * n, maxLength: 3 * n }),
        ),
      );
    fc.assert(
      fc.property(arb, ([gs, pos]) => {
        const planned = gs.map((g, i) => {
          const [call, at, ret] = [pos[3 * i]!, pos[3 * i + 1]!, pos[3 * i + 2]!].sort((a, b) => a - b) as [number, number, number];
          const client = `c${i}`;
          const cmd: StoreCommand =
            g.kind === 'put'
              ? { op: 'put', key: g.key, value: g.value, client, seq: 1 }
              : g.kind === 'get'
                ? { op: 'get', key: g.key, client, seq: 1 }
                : g.kind === 'delete'
                  ? { op: 'delete', key: g.key, client, seq: 1 }
                  : { op: 'cas', key: g.key, expect: g.expect, value: g.value, client, seq: 1 };
          return { g, cmd, call, at, ret, result: null as string | null };
        });
        // The store executes the operations one at a time, each at its point; an unanswered one may not run at all.
        const kv = new Map<string, string>();
        const sessions = new Map();
        for (const p of [...planned].sort((a, b) => a.at - b.at)) {
          if (!p.g.answered && !p.g.tookEffect) continue;
          const result = applyCommand(kv, sessions, p.cmd);
          if (p.g.answered) p.result = result;
        }
        const h: Operation[] = planned
          .map((p): Operation => ({
            client: p.cmd.client,
            cmd: p.cmd,
            call: p.call,
            ret: p.g.answered ? p.ret : Infinity,
            callUs: p.call * 1000,
            retUs: p.g.answered ? p.ret * 1000 : -1,
            result: p.result,
          }))
          .sort((a, b) => a.call - b.call);
        runs++;
        const r = checkLinearizable(h);
        // Never a wrong verdict. Undecided is allowed (deciding is NP-complete; dozens of concurrent
        // writes of one value to one key, then a delete, can exhaust the budget), but must stay rare.
        if (r.ok === 'undecided') undecided++;
        else if (r.ok !== true) throw new Error(`${JSON.stringify({ key: r.key, evidence: showHistory(r.evidence) })}\n${showHistory(h)}`);
        else expect(r.operations).toBe(h.length);
        // And a read made to answer a value nobody wrote is caught on its key, with that read as the evidence.
        const i = h.findIndex((o) => o.cmd.op === 'get' && o.result !== null);
        if (i >= 0) {
          const broken = h.map((o, j) => (j === i ? { ...o, result: 'never-written' } : o));
          const b = checkLinearizable(broken, 100_000);
          expect(b).toEqual({ ok: false, key: h[i]!.cmd.key, evidence: [broken[i]], operations: h.filter((o) => o.cmd.key === h[i]!.cmd.key && !(o.result === null && o.cmd.op === 'get')).length });
        }
      }),
      FC,
    );
    expect(undecided).toBeLessThanOrEqual(Math.max(1, runs / 100));
  });
});
