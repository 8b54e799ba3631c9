// The event queue: a binary min-heap ordered by (time, seq). `seq` is assigned at insertion, so two
// events at the same virtual time run in the order they were scheduled — a stable, total tie-break.
// Plain data (arrays of numbers and of items) so a snapshot is a structured clone. An item can be pushed
// again after it was popped (a timer re-queues itself).
//
// The heap is three parallel arrays of numbers (time, seq, and the slot of the item in `items`), so an
// entry costs no object of its own and moving it up or down the heap moves only numbers: no allocation
// per event, and times past 2^31 µs (35 minutes) stay unboxed. Items keep their slot until popped; the
// slots of popped items are reused.

export interface Queue<T> {
  /** Heap order: entry i is due at at[i], was queued seq[i]-th, and its item is items[slot[i]]. */
  at: number[];
  seq: number[];
  slot: number[];
  items: (T | undefined)[];
  /** Slots of `items` free for reuse. */
  free: number[];
  /** The seq of the next entry. */
  next: number;
}

export function queueCreate<T>(): Queue<T> {
  return { at: [], seq: [], slot: [], items: [], free: [], next: 0 };
}

export function queueSize<T>(q: Queue<T>): number {
  return q.at.length;
}

/** Drops every entry. */
export function queueClear<T>(q: Queue<T>): void {
  q.at.length = 0;
  q.seq.length = 0;
  q.slot.length = 0;
  q.items.length = 0;
  q.free.length = 0;
}

export function queuePush<T>(q: Queue<T>, at: number, item: T): void {
  const A = q.at;
  const S = q.seq;
  const L = q.slot;
  const seq = q.next++;
  let k: number;
  if (q.free.length > 0) {
    k = q.free.pop()!;
    q.items[k] = item;
  } else {
    k = q.items.length;
    q.items.push(item);
  }
  let i = A.length;
  A.push(at);
  S.push(seq);
  L.push(k);
  while (i > 0) {
    const p = (i - 1) >> 1;
    const pa = A[p]!;
    if (pa < at || (pa === at && S[p]! < seq)) break;
    A[i] = pa;
    S[i] = S[p]!;
    L[i] = L[p]!;
    i = p;
  }
  A[i] = at;
  S[i] = seq;
  L[i] = k;
}

/** The item at the head, or undefined when the queue is empty. */
export function queuePeek<T>(q: Queue<T>): T | undefined {
  return q.at.length === 0 ? undefined : q.items[q.slot[0]!];
}

/** The time of the item at the head, or Infinity when the queue is empty. */
export function queuePeekAt<T>(q: Queue<T>): number {
  return q.at.length === 0 ? Infinity : q.at[0]!;
}

/** Removes and returns the item at the head (read its time with `queuePeekAt` first). */
export function queuePop<T>(q: Queue<T>): T | undefined {
  const A = q.at;
  const S = q.seq;
  const L = q.slot;
  const n = A.length - 1;
  if (n < 0) return undefined;
  const k = L[0]!;
  const item = q.items[k];
  q.items[k] = undefined;
  q.free.push(k);
  // The last entry moves down from the root to its place.
  const la = A.pop()!;
  const ls = S.pop()!;
  const ll = L.pop()!;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      const r = l + 1;
      if (r < n && (A[r]! < A[l]! || (A[r] === A[l] && S[r]! < S[l]!))) c = r;
      const ca = A[c]!;
      if (!(ca < la || (ca === la && S[c]! < ls))) break;
      A[i] = ca;
      S[i] = S[c]!;
      L[i] = L[c]!;
      i = c;
    }
    A[i] = la;
    S[i] = ls;
    L[i] = ll;
  }
  return item;
}
