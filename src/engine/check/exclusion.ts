// Mutual exclusion as a fenced resource sees it: the property a lock is for, checked from the trace.
// Each write made under a lock (`CLIENT write RESOURCE VALUE under LOCK`) names the grant its client
// believed it held. If the resource takes a write made under an older grant after one made under a
// newer grant of the same lock, two clients acted as the lock's holder at once, and the older one's
// write landed last (Kleppmann's GC pause). Fencing tokens prevent it; a TTL alone does not.

import { type Resource, resourceWrite } from '../kv/store';
import type { Micros } from '../trace';
import type { HistorySource } from './linearizable';

export interface ExclusionBreach {
  resource: string;
  lock: string;
  /** The write under the newer grant the resource took first, and the one under an older grant it took after. */
  newer: { client: string; token: number; t: Micros };
  older: { client: string; token: number; t: Micros };
}

/** The first breach of mutual exclusion at a resource in `trace`, replaying each resource's answers; null when none. */
export function exclusionBreach(trace: HistorySource): ExclusionBreach | null {
  const resources = new Map<string, Resource>();
  /** Per resource and lock: the write taken under the newest grant so far. */
  const newest = new Map<string, { client: string; token: number; t: Micros }>();
  const kindAt = 'kindAt' in trace ? (i: number) => trace.kindAt(i) : (i: number) => trace.at(i)!.k;
  for (let i = 0; i < trace.length; i++) {
    if (kindAt(i) !== 'deliver') continue;
    const ev = trace.at(i)!;
    if (ev.k !== 'deliver' || ev.msg.type !== 'ClientRequest' || ev.msg.cmd.op !== 'write') continue;
    const cmd = ev.msg.cmd;
    let r = resources.get(ev.to);
    if (r === undefined) {
      r = { value: null, token: null };
      resources.set(ev.to, r);
    }
    if (!resourceWrite(r, cmd.value, cmd.token).ok || cmd.under === undefined) continue;
    const key = `${ev.to}\u0000${cmd.under.lock}`;
    const write = { client: cmd.client, token: cmd.under.token, t: ev.t };
    const before = newest.get(key);
    if (before !== undefined && write.token < before.token) return { resource: ev.to, lock: cmd.under.lock, newer: before, older: write };
    if (before === undefined || write.token > before.token) newest.set(key, write);
  }
  return null;
}
