// Mutual exclusion at a fenced resource (Kleppmann, "How to do distributed locking", 2016): checked from
// the trace, by replaying the resource's answers and the grants the writers believed they held.
import { describe, expect, it } from 'vitest';
import { exclusionBreach } from '../../../src/engine/check/exclusion';
import { FIVE, runOk } from '../lang/helpers';

// P holds L and pauses past its TTL; Q takes L and writes under it; P wakes and writes under its old grant.
const PAUSED_HOLDER = (token: string): string =>
  `P lock L ttl=700ms renew=233ms within 1.4s\npause P 1500ms\nQ lock L ttl=700ms renew=233ms within 1.4s\nQ write storage v2 under L${token}\nP write storage v3 under L${token}\nrun 500ms`;

describe('mutual exclusion at a resource', () => {
  it('Kleppmann: without fencing, the paused holder\'s write under the old grant lands after the new holder\'s', () => {
    const r = runOk([FIVE, PAUSED_HOLDER('')]);
    const b = exclusionBreach(r.events);
    expect(b).toMatchObject({ resource: 'storage', lock: 'L', newer: { client: 'Q', token: 4 }, older: { client: 'P', token: 2 } });
    expect(b!.older.t).toBeGreaterThan(b!.newer.t);
  });

  it('with fencing tokens the resource refuses that write, and mutual exclusion holds', () => {
    const r = runOk([FIVE, `${PAUSED_HOLDER(' token')}\nexpect rejected P write`]);
    expect(exclusionBreach(r.events)).toBeNull();
  });

  it('a write under a lock the client no longer believes it holds is not made at all', () => {
    // P learns that its lock expired from a keep-alive's answer when it wakes from a pause past the TTL.
    const runs = runOk([FIVE, 'P lock L ttl=700ms renew=233ms\npause P 1500ms\nrun 2s\nP write storage v1 under L']);
    expect(runs.messages).toEqual(['P write storage under L: P does not hold L (as far as it knows), so it does not write.']);
  });

  it('writes in grant order are no breach, nor are writes without a lock', () => {
    const r = runOk([FIVE, 'P lock L ttl=1s\nP write storage v1 under L\nP unlock L\nQ lock L ttl=1s\nQ write storage v2 under L\nP write storage v3\nrun 200ms']);
    expect(exclusionBreach(r.events)).toBeNull();
  });
});
