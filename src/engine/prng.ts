// One seeded PRNG for a whole simulation, passed explicitly (DESIGN.md principle 1).
// xoshiro128** (Blackman & Vigna): 32-bit integer arithmetic only, so the stream is identical on every
// JavaScript engine. The state is plain data so a snapshot is a structured clone.

export interface Prng {
  a: number;
  b: number;
  c: number;
  d: number;
}

/** splitmix32 spreads a small seed over the four state words (and never yields the all-zero state). */
export function prngCreate(seed: number): Prng {
  let s = seed >>> 0;
  const next = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  return { a: next(), b: next(), c: next(), d: next() | 1 };
}

export function nextU32(p: Prng): number {
  const result = Math.imul(rotl(Math.imul(p.b, 5), 7), 9) >>> 0;
  const t = p.b << 9;
  p.c ^= p.a;
  p.d ^= p.b;
  p.b ^= p.c;
  p.a ^= p.d;
  p.c ^= t;
  p.d = rotl(p.d, 11);
  return result;
}

/** A uniform integer in [lo, hi] (inclusive). Ranges wider than 2^32 are not needed by the engine. */
export function randInt(p: Prng, lo: number, hi: number): number {
  if (hi <= lo) return lo;
  const span = hi - lo + 1;
  // Multiply-shift (Lemire); the bias for spans far below 2^32 is negligible and, above all, deterministic.
  return lo + Math.floor((nextU32(p) * span) / 4294967296);
}

/** True with probability permille/1000. */
export function chance(p: Prng, permille: number): boolean {
  if (permille <= 0) return false;
  if (permille >= 1000) return true;
  return randInt(p, 0, 999) < permille;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
