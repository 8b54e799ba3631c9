// The engine's trace store. The trace is still a sequence of `TraceEvent`s (the contract of trace.ts);
// this is how the engine keeps it. The kinds that make up almost every event of a running cluster
// (messages sent and delivered, appends, commits, applies, timers, client requests and answers) are
// kept in columns: a kind code, the time, three integers (ids, indexes, node names as numbers, a code for
// the commonest results) and one reference (the message, the entry, the reason, the result). Every other
// kind, and an apply with a less common result, is kept as the event object itself. An event costs
// about 30 bytes here, against 60 to 90 as an object, and the engine allocates nothing per event but what
// the event refers to.
//
// `at(i)` makes the event object on demand: a fresh object each call, equal field by field (and in key
// order) to the literal the engine would have written. Columns grow in chunks of 4,096 events (the
// first starts at 256 and doubles, so a short trace stays small); a long trace never copies what it
// holds, and at most one chunk is partly unused. A fork shares the full chunks of its log.

import type { Command, LogEntry, Message, TimerKind, TraceEvent, TraceView } from './trace';

export type { TraceView };

/** Kind codes of the column-stored kinds; OBJ: the event object is in `r`. */
const OBJ = 0;
const SEND = 1;
const DELIVER = 2;
const APPEND = 3;
const APPLY = 4;
const COMMIT = 5;
const TIMER = 6;
const CLIENT_REQUEST = 7;
/** A client's answer, ok or not (the kind says which, so no column is spent on it). */
const CLIENT_RESPONSE_OK = 8;
const CLIENT_RESPONSE_FAIL = 9;

/** The results an apply keeps as a code in its third integer; any other result keeps the event object. */
const APPLY_RESULTS = ['', 'OK'];

// 4,096 events a chunk: its reference column is then 32 KB, a regular object of V8's heap. At 16,384 it
// was 131,088 bytes with the array's header, over V8's limit of 128 KB for a regular object: each column
// went into the large-object space, on pages mapped for it alone and unmapped when it died, and every
// page of them was a fresh page fault (costly on a virtual machine). docs/engine-speed.md has the
// measurements.
const CHUNK_BITS = 12;
/** Events per chunk (exported for the tests of chunk boundaries). */
export const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

/** A chunk starts this small and doubles as it fills, up to CHUNK (a short trace stays small). */
const FIRST_CAP = 256;

interface Chunk {
  /** Events it has room for (FIRST_CAP, doubling, up to CHUNK). */
  cap: number;
  k: Uint8Array;
  t: Float64Array;
  a: Int32Array;
  b: Int32Array;
  c: Int32Array;
  r: unknown[];
}

/** A new chunk holding the first `len` events of `from`, with room for `cap` (at least len). */
function chunkCopy(from: Chunk, len: number, cap = capFor(len)): Chunk {
  const ch = chunkCreate(cap);
  ch.k.set(from.k.subarray(0, len));
  ch.t.set(from.t.subarray(0, len));
  ch.a.set(from.a.subarray(0, len));
  ch.b.set(from.b.subarray(0, len));
  ch.c.set(from.c.subarray(0, len));
  for (let i = 0; i < len; i++) ch.r[i] = from.r[i];
  return ch;
}

/** The smallest capacity (FIRST_CAP doubled) that holds `len` events. */
function capFor(len: number): number {
  let cap = FIRST_CAP;
  while (cap < len) cap *= 2;
  return Math.min(cap, CHUNK);
}

function chunkCreate(cap: number): Chunk {
  return {
    cap,
    k: new Uint8Array(cap),
    t: new Float64Array(cap),
    a: new Int32Array(cap),
    b: new Int32Array(cap),
    c: new Int32Array(cap),
    r: nulls(new Array<unknown>(cap), 0),
  };
}

/**
 * Sets `column[from..]` to null and returns it. A plain loop: `Array.prototype.fill` goes through the
 * runtime's generic path and cost about 30 instructions per element, a measurable share of a run.
 */
function nulls(column: unknown[], from: number): unknown[] {
  for (let i = from; i < column.length; i++) column[i] = null;
  return column;
}

/** What a log with no chunk yet writes through: nothing (its room is 0, so `slot` runs first). */
const EMPTY: Chunk = chunkCreate(0);

export class TraceLog implements TraceView {
  private chunks: Chunk[] = [];
  private cur: Chunk | null = null;
  private n = 0;
  /** Node and client names, by number; `ids` is the reverse. */
  private readonly names: string[] = [];
  private readonly ids = new Map<string, number>();

  get length(): number {
    return this.n;
  }

  /** Chunks given back by `clear`, reused before new ones are made. */
  private spare: Chunk[] = [];
  /**
   * How many leading chunks this log may share with a fork of it (or with the log it was forked from).
   * A full chunk is never written again by appending; only `clear` and `truncate` could change one, and
   * they leave shared chunks alone.
   */
  private shared = 0;

  /** Forget every event (names stay numbered); the memory is kept for the events to come. */
  clear(): void {
    for (let c = this.shared; c < this.chunks.length; c++) {
      const ch = this.chunks[c]!;
      nulls(ch.r, 0);
      this.spare.push(ch);
    }
    this.chunks = [];
    this.cur = null;
    this.n = 0;
    this.shared = 0;
    this.sync();
  }

  /** Forget the events from `length` on. */
  truncate(length: number): void {
    if (length >= this.n) return;
    const keep = length === 0 ? 0 : ((length - 1) >>> CHUNK_BITS) + 1;
    this.chunks.length = keep;
    const part = length & MASK; // events kept in the last kept chunk, when it is not kept whole
    if (part !== 0 && keep - 1 < this.shared) {
      // Events are about to be appended into a chunk another log reads: write into a copy of it.
      this.chunks[keep - 1] = chunkCopy(this.chunks[keep - 1]!, part);
    }
    this.shared = Math.min(this.shared, part !== 0 ? keep - 1 : keep);
    this.cur = keep === 0 ? null : this.chunks[keep - 1]!;
    // Drop the references the forgotten events held in the last kept chunk.
    if (this.cur !== null && part !== 0) {
      nulls(this.cur.r, part);
    }
    this.n = length;
    this.sync();
  }

  // The last two names numbered, and their numbers: a message's two ends, mostly.
  // null (no name yet) equals no name, the empty one included.
  private n0: string | null = null;
  private i0 = -1;
  private n1: string | null = null;
  private i1 = -1;

  /** The number of a name, numbered on first sight. */
  id(name: string): number {
    if (name === this.n0) return this.i0;
    if (name === this.n1) return this.i1;
    const i = this.lookup(name);
    this.n1 = this.n0;
    this.i1 = this.i0;
    this.n0 = name;
    this.i0 = i;
    return i;
  }

  private lookup(name: string): number {
    let i = this.ids.get(name);
    if (i === undefined) {
      i = this.names.length;
      this.names.push(name);
      this.ids.set(name, i);
    }
    return i;
  }

  private slot(): Chunk {
    const off = this.n & MASK;
    if (off === 0) {
      // A new chunk: a spare one, or one as large as the last (a long trace goes on in whole chunks).
      this.cur = this.spare.pop() ?? chunkCreate(this.chunks.length === 0 ? FIRST_CAP : CHUNK);
      this.chunks.push(this.cur);
    } else if (off === this.cur!.cap) {
      // Full below CHUNK: twice the room (only the first chunk of a log, or a copied one, grows).
      this.cur = chunkCopy(this.cur!, off, off * 2);
      this.chunks[this.chunks.length - 1] = this.cur;
    }
    return this.cur!;
  }

  // The chunk being written, its columns and where the next event goes in it (`off`): `room` events fit
  // before `slot` must find a new chunk or a larger one. `sync` sets them after anything moved `n` or
  // `cur`. An event then costs six stores, without looking the chunk up.
  private room = 0;
  private off = 0;
  private ck: Uint8Array = EMPTY.k;
  private ct: Float64Array = EMPTY.t;
  private ca: Int32Array = EMPTY.a;
  private cb: Int32Array = EMPTY.b;
  private cc: Int32Array = EMPTY.c;
  private cr: unknown[] = EMPTY.r;

  private sync(): void {
    const ch = this.cur;
    // The chunk that holds event `n` may not exist yet (then `slot` makes it when an event comes).
    if (ch === null || this.chunks.length - 1 !== this.n >>> CHUNK_BITS) {
      this.room = 0;
      return;
    }
    const off = this.n & MASK;
    this.off = off;
    this.room = ch.cap - off;
    this.ck = ch.k;
    this.ct = ch.t;
    this.ca = ch.a;
    this.cb = ch.b;
    this.cc = ch.c;
    this.cr = ch.r;
  }

  private put(kind: number, t: number, a: number, b: number, c: number, r: unknown): void {
    if (this.room === 0) {
      this.slot();
      this.sync();
    }
    const o = this.off;
    this.ck[o] = kind;
    this.ct[o] = t;
    this.ca[o] = a;
    this.cb[o] = b;
    this.cc[o] = c;
    this.cr[o] = r;
    this.off = o + 1;
    this.room--;
    this.n++;
  }

  /** Any event, kept as the object itself (its `t` must be set). */
  push(ev: TraceEvent): void {
    this.put(OBJ, ev.t, 0, 0, 0, ev);
  }

  // The kinds kept in columns. Names are given by number (`id`).

  send(t: number, id: number, from: number, to: number, msg: Message): void {
    this.put(SEND, t, id, from, to, msg);
  }

  deliver(t: number, id: number, from: number, to: number, msg: Message): void {
    this.put(DELIVER, t, id, from, to, msg);
  }

  append(t: number, node: number, index: number, entry: LogEntry): void {
    this.put(APPEND, t, node, index, 0, entry);
  }

  apply(t: number, node: number, index: number, entry: LogEntry, result: string): void {
    const code = result === 'OK' ? 1 : result === '' ? 0 : -1; // its index in APPLY_RESULTS
    if (code >= 0) this.put(APPLY, t, node, index, code, entry);
    else this.push({ k: 'apply', t, node: this.names[node]!, index, entry, result });
  }

  commit(t: number, node: number, from: number, to: number, reason: string): void {
    this.put(COMMIT, t, node, from, to, reason);
  }

  timer(t: number, node: number, timer: TimerKind): void {
    this.put(TIMER, t, node, 0, 0, timer);
  }

  clientRequest(t: number, client: string, node: string, cmd: Command): void {
    this.put(CLIENT_REQUEST, t, this.id(client), this.id(node), 0, cmd);
  }

  clientResponse(t: number, client: string, node: string, ok: boolean, seq: number, result: string): void {
    this.put(ok ? CLIENT_RESPONSE_OK : CLIENT_RESPONSE_FAIL, t, this.id(client), this.id(node), seq, result);
  }

  /** The event at `index` (a negative index counts from the end, as for arrays), made afresh. */
  at(index: number): TraceEvent | undefined {
    const i = index < 0 ? this.n + index : index;
    if (i < 0 || i >= this.n || !Number.isInteger(i)) return undefined;
    const ch = this.chunks[i >>> CHUNK_BITS]!;
    const o = i & MASK;
    const t = ch.t[o]!;
    const a = ch.a[o]!;
    const b = ch.b[o]!;
    const c = ch.c[o]!;
    const r = ch.r[o];
    const names = this.names;
    switch (ch.k[o]) {
      case SEND:
        return { k: 'send', t, id: a, from: names[b]!, to: names[c]!, msg: r as Message };
      case DELIVER:
        return { k: 'deliver', t, id: a, from: names[b]!, to: names[c]!, msg: r as Message };
      case APPEND:
        return { k: 'append', t, node: names[a]!, index: b, entry: r as LogEntry };
      case APPLY:
        return { k: 'apply', t, node: names[a]!, index: b, entry: r as LogEntry, result: APPLY_RESULTS[c]! };
      case COMMIT:
        return { k: 'commit', t, node: names[a]!, from: b, to: c, reason: r as string };
      case TIMER:
        return { k: 'timer', t, node: names[a]!, timer: r as TimerKind };
      case CLIENT_REQUEST:
        return { k: 'client-request', t, client: names[a]!, node: names[b]!, cmd: r as Command };
      case CLIENT_RESPONSE_OK:
      case CLIENT_RESPONSE_FAIL:
        return { k: 'client-response', t, client: names[a]!, node: names[b]!, ok: ch.k[o] === CLIENT_RESPONSE_OK, seq: c, result: r as string };
      default:
        return r as TraceEvent;
    }
  }

  /** The kind of the event at `index` (0 <= index < length) without making the event. */
  kindAt(index: number): TraceEvent['k'] {
    const ch = this.chunks[index >>> CHUNK_BITS]!;
    const o = index & MASK;
    const k = ch.k[o]!;
    return k === OBJ ? (ch.r[o] as TraceEvent).k : KIND_NAMES[k]!;
  }

  /** The time of the event at `index` (0 <= index < length). */
  timeAt(index: number): number {
    return this.chunks[index >>> CHUNK_BITS]!.t[index & MASK]!;
  }

  /** Events [from, to) as an array of objects, like Array.prototype.slice. */
  slice(from = 0, to = this.n): TraceEvent[] {
    const lo = clampIndex(from, this.n);
    const hi = clampIndex(to, this.n);
    const out: TraceEvent[] = [];
    for (let i = lo; i < hi; i++) out.push(this.at(i)!);
    return out;
  }

  *[Symbol.iterator](): Iterator<TraceEvent> {
    for (let i = 0; i < this.n; i++) yield this.at(i)!;
  }

  /** As JSON, a trace is its events (as an array of them would be). */
  toJSON(): TraceEvent[] {
    return this.slice();
  }

  /**
   * A new log holding events [0, end) of this one, to go on from there while this one stays as it is.
   * The two share the full chunks (no copy); only a partly filled last chunk is copied.
   */
  fork(end = this.n): TraceLog {
    const out = new TraceLog();
    for (const name of this.names) out.id(name);
    const n = Math.max(0, Math.min(end, this.n));
    const full = n >>> CHUNK_BITS;
    out.chunks = this.chunks.slice(0, full);
    const part = n & MASK;
    if (part !== 0) out.chunks.push(chunkCopy(this.chunks[full]!, part));
    out.cur = out.chunks.length === 0 ? null : out.chunks[out.chunks.length - 1]!;
    out.n = n;
    out.shared = full;
    out.sync();
    this.shared = Math.max(this.shared, full);
    return out;
  }
}

/**
 * Events [0, end) of a log: what one notebook cell's views read (the whole trace up to the end of that
 * cell). Logs only grow, or are forked, while a window of them is kept, so a window never changes.
 */
export class TraceWindow implements TraceView {
  constructor(
    readonly log: TraceLog,
    readonly end: number,
  ) {}

  get length(): number {
    return this.end;
  }

  at(index: number): TraceEvent | undefined {
    const i = index < 0 ? this.end + index : index;
    return i >= 0 && i < this.end ? this.log.at(i) : undefined;
  }

  slice(from = 0, to = this.end): TraceEvent[] {
    return this.log.slice(clampIndex(from, this.end), clampIndex(to, this.end));
  }

  *[Symbol.iterator](): Iterator<TraceEvent> {
    for (let i = 0; i < this.end; i++) yield this.log.at(i)!;
  }

  toJSON(): TraceEvent[] {
    return this.slice();
  }
}

const KIND_NAMES: (TraceEvent['k'] | undefined)[] = [undefined, 'send', 'deliver', 'append', 'apply', 'commit', 'timer', 'client-request', 'client-response', 'client-response'];

/** A slice bound as Array.prototype.slice takes it: truncated (NaN is 0), negative from the end, clamped. */
function clampIndex(i: number, n: number): number {
  const j = Math.trunc(i) || 0;
  return Math.max(0, Math.min(n, j < 0 ? n + j : j));
}
