// The event queue: a binary min-heap ordered by (time, seq). `seq` is assigned at insertion, so two
// events at the same virtual time run in the order they were scheduled — a stable, total tie-break.
// Plain data (an array of entries) so a snapshot is a structured clone. An item can be pushed again
// after it was popped (a timer re-queues itself).

export interface Queued<T> {
  at: number;
  seq: number;
  item: T;
}

export interface Queue<T> {
  heap: Queued<T>[];
  seq: number;
}

export function queueCreate<T>(): Queue<T> {
  return { heap: [], seq: 0 };
}

export function queueSize<T>(q: Queue<T>): number {
  return q.heap.length;
}

/** Drops every entry. */
export function queueClear<T>(q: Queue<T>): void {
  q.heap.length = 0;
}

export function queuePush<T>(q: Queue<T>, at: number, item: T): void {
  const h = q.heap;
  const node: Queued<T> = { at, seq: q.seq++, item };
  let i = h.length;
  h.push(node);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = h[parent]!;
    if (p.at < at || (p.at === at && p.seq < node.seq)) break;
    h[i] = p;
    i = parent;
  }
  h[i] = node;
}

/** The item at the head, or undefined when the queue is empty. */
export function queuePeek<T>(q: Queue<T>): T | undefined {
  return q.heap[0]?.item;
}

/** The time of the item at the head, or Infinity when the queue is empty. */
export function queuePeekAt<T>(q: Queue<T>): number {
  const top = q.heap[0];
  return top === undefined ? Infinity : top.at;
}

/** Removes and returns the item at the head (read its time with `queuePeekAt` first). */
export function queuePop<T>(q: Queue<T>): T | undefined {
  const h = q.heap;
  const top = h[0];
  if (top === undefined) return undefined;
  const last = h.pop()!;
  const n = h.length;
  if (n > 0) {
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      let c = l;
      if (r < n && before(h[r]!, h[l]!)) c = r;
      if (!before(h[c]!, last)) break;
      h[i] = h[c]!;
      i = c;
    }
    h[i] = last;
  }
  return top.item;
}

function before<T>(x: Queued<T>, y: Queued<T>): boolean {
  return x.at < y.at || (x.at === y.at && x.seq < y.seq);
}
