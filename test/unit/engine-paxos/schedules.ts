// Random fault schedules, each drawn from one seed (TigerBeetle's "swarm": the seed also picks the
// cluster size, latency, loss, duplication, the retry or election timing and how many faults of each
// kind happen, each kind often not at all). A schedule is a list of actions at random instants of
// virtual time — proposals (or client writes), crashes, restarts, reboots (a crash and an immediate
// restart), partitions, cut links, partial partitions, heals — run in time order, plus a reactive
// nemesis that reboots some acceptors right after they promise. Then the network heals, every node
// restarts and the cluster gets time to settle, so late learners and new leaders act too. The result
// lists every violation the checkers found. Faults aim where the protocol is exposed (the leader, an
// acceptor with a promise above what it accepted), as Jepsen's targeted nemeses do.

import { paxosCheckCreate, paxosCheckEvent } from '../../../src/engine/check/paxos';
import { NO_BALLOT, compareBallots, isNoBallot } from '../../../src/engine/paxos/ballot';
import { paxosDecided, paxosPropose, paxosProtocol, type PaxosState } from '../../../src/engine/paxos/basic';
import { multiPaxosPropose, multiPaxosProtocol, type MultiPaxosState } from '../../../src/engine/paxos/multi';
import { defaultMultiPaxosOptions, defaultPaxosOptions, noPaxosBugs, type PaxosBugs } from '../../../src/engine/paxos/options';
import { chance, prngCreate, randInt, type Prng } from '../../../src/engine/prng';
import { Harness, MS, names } from './harness';

export interface ScheduleResult {
  violations: string[];
  /** Some node learned a value (single-decree) or some instance was chosen (Multi-Paxos). */
  decided: boolean;
  events: number;
}

export type BugName = keyof PaxosBugs;

const VALUES = ['A', 'B', 'C', 'D', 'E'];

function bugs(on: BugName | null): PaxosBugs {
  const b = noPaxosBugs();
  if (on !== null) b[on] = true;
  return b;
}

function pick<T>(rng: Prng, items: readonly T[]): T {
  return items[randInt(rng, 0, items.length - 1)]!;
}

/** A random split of `nodes` into two non-empty groups. */
function split(rng: Prng, nodes: string[]): string[][] {
  const a: string[] = [];
  const b: string[] = [];
  for (const n of nodes) (chance(rng, 500) ? a : b).push(n);
  if (a.length === 0) a.push(b.pop()!);
  if (b.length === 0) b.push(a.pop()!);
  return [a, b];
}

interface Swarm {
  nodes: string[];
  latencyUsMin: number;
  latencyUsMax: number;
  lossPermille: number;
  duplicatePermille: number;
  /** Virtual time over which the actions are spread. */
  horizonUs: number;
  proposals: number;
  crashes: number;
  reboots: number;
  partitions: number;
  cuts: number;
  /** Partial partitions: the leader (or a node) loses its link to one node, both ways; all else connects. */
  bridges: number;
  /** Chance (per mille) that an acceptor promising another proposer reboots soon after. */
  rebootAfterPromisePermille: number;
}

function swarm(rng: Prng): Swarm {
  const latencyUsMin = randInt(rng, 1, 5) * MS;
  return {
    nodes: names(pick(rng, [3, 3, 3, 5, 5, 7])),
    latencyUsMin,
    latencyUsMax: latencyUsMin + randInt(rng, 0, 10) * MS,
    lossPermille: pick(rng, [0, 0, 50, 200]),
    duplicatePermille: pick(rng, [0, 0, 50, 200]),
    horizonUs: randInt(rng, 50, 600) * MS,
    proposals: randInt(rng, 2, 12),
    crashes: pick(rng, [0, 0, 2, 6]),
    reboots: pick(rng, [0, 3, 10, 30]),
    partitions: pick(rng, [0, 0, 2, 5]),
    cuts: pick(rng, [0, 0, 3, 8]),
    bridges: pick(rng, [0, 1, 2]),
    rebootAfterPromisePermille: pick(rng, [0, 0, 300, 1000]),
  };
}

type Action = { at: number; run: () => void };

/** The reactive part of the nemesis: some acceptors reboot within two message flights of promising. */
function rebootAfterPromise<S, O>(h: Harness<S, O>, rng: Prng, w: Swarm): void {
  if (w.rebootAfterPromisePermille === 0) return;
  h.watch((ev) => {
    if (ev.k !== 'promise' || !ev.granted || ev.proposer === ev.node || !chance(rng, w.rebootAfterPromisePermille)) return;
    h.after(randInt(rng, 0, 2 * w.latencyUsMax), () => {
      h.crash(ev.node);
      h.restart(ev.node);
    });
  });
}

/**
 * Fault actions at random instants: crashes (and later restarts), reboots, partitions, cut links, heals.
 * Most reboots fall in `busyUs`, where the protocol is busiest (proposers duel, a leader changes): a
 * reboot between a promise and an Accept is what a non-durable promise gets wrong.
 */
function faults<S, O>(h: Harness<S, O>, rng: Prng, w: Swarm, target: () => string, busyUs: number, exposed: () => string[]): Action[] {
  const at = (): number => randInt(rng, 0, w.horizonUs);
  const out: Action[] = [];
  for (let i = 0; i < w.crashes; i++) {
    const t = at();
    const down = randInt(rng, 0, w.horizonUs / 4);
    let who: string | null = null;
    out.push({
      at: t,
      run: () => {
        who = chance(rng, 500) ? target() : pick(rng, w.nodes);
        h.crash(who);
      },
    });
    out.push({ at: t + down, run: () => who !== null && h.restart(who) });
  }
  for (let i = 0; i < w.reboots; i++) {
    out.push({
      at: chance(rng, 700) ? randInt(rng, 0, busyUs) : at(),
      run: () => {
        const most = exposed();
        const n = most.length > 0 && chance(rng, 800) ? pick(rng, most) : pick(rng, w.nodes);
        h.crash(n);
        h.restart(n);
      },
    });
  }
  for (let i = 0; i < w.partitions; i++) {
    out.push({ at: at(), run: () => h.partition(split(rng, w.nodes)) });
    out.push({ at: at(), run: () => h.heal() });
  }
  for (let i = 0; i < w.cuts; i++) {
    out.push({
      at: at(),
      run: () => {
        const a = pick(rng, w.nodes);
        const b = pick(rng, w.nodes.filter((n) => n !== a));
        h.cut(a, b);
        if (chance(rng, 700)) h.cut(b, a);
      },
    });
  }
  for (let i = 0; i < w.bridges; i++) {
    out.push({
      at: at(),
      run: () => {
        const a = target();
        const b = pick(rng, w.nodes.filter((n) => n !== a));
        h.cut(a, b);
        h.cut(b, a);
      },
    });
  }
  return out;
}

function play<S, O>(h: Harness<S, O>, actions: Action[]): void {
  // Stable sort: equal instants keep their drawing order.
  actions.sort((a, b) => a.at - b.at);
  for (const a of actions) {
    h.run(a.at - h.now);
    a.run();
  }
}

function settle<S, O>(h: Harness<S, O>, w: Swarm, us: number): void {
  h.heal();
  h.lossPermille = 0;
  for (const n of w.nodes) h.restart(n);
  h.run(us);
}

/** Single-decree Paxos under a random fault schedule drawn from `seed`. */
export function runPaxosSchedule(seed: number, bug: BugName | null = null): ScheduleResult {
  const rng = prngCreate(seed ^ 0x5eed);
  const w = swarm(rng);
  const o = defaultPaxosOptions();
  o.bugs = bugs(bug);
  o.retryUsMin = randInt(rng, 3, 8) * w.latencyUsMax;
  o.retryUsMax = chance(rng, 200) ? o.retryUsMin : o.retryUsMin * randInt(rng, 2, 5);
  const h = new Harness<PaxosState, typeof o>(paxosProtocol, w.nodes, o, seed, w);
  const check = paxosCheckCreate(w.nodes, false);
  h.addCheck((ev) => paxosCheckEvent(check, ev)).start();
  rebootAfterPromise(h, rng, w);
  // Proposals cluster near the start, where proposers duel; each node proposes its own value.
  const busyUs = 6 * w.latencyUsMax;
  // Acceptors that promised another proposer more than they accepted: a reboot there loses the most.
  const exposed = (): string[] =>
    w.nodes.filter((n) => {
      const s = h.state(n);
      return s.promised.proposer !== s.rank && compareBallots(s.promised, s.accepted?.ballot ?? NO_BALLOT) > 0;
    });
  const actions = faults(h, rng, w, () => pick(rng, w.nodes), busyUs, exposed);
  for (let i = 0; i < w.proposals; i++) {
    const n = pick(rng, w.nodes);
    const value = VALUES[w.nodes.indexOf(n) % VALUES.length]!;
    actions.push({ at: randInt(rng, 0, chance(rng, 700) ? busyUs / 2 : w.horizonUs), run: () => h.call(n, (s, env) => paxosPropose(s, env, value)) });
  }
  play(h, actions);
  settle(h, w, 1_000 * MS);
  // Late proposals after healing: every proposer must end up with what was chosen.
  for (const n of w.nodes) h.call(n, (s, env) => paxosPropose(s, env, pick(rng, VALUES)));
  h.run(1_000 * MS);
  return { violations: h.violations(), decided: w.nodes.some((n) => paxosDecided(h.state(n)) !== null), events: h.events };
}

/** Multi-Paxos with clients writing through the leader, under a random fault schedule drawn from `seed`. */
export function runMultiPaxosSchedule(seed: number, bug: BugName | null = null): ScheduleResult {
  const rng = prngCreate(seed ^ 0x3a11);
  const w = swarm(rng);
  const o = defaultMultiPaxosOptions();
  o.bugs = bugs(bug);
  o.heartbeatUs = randInt(rng, 2, 5) * w.latencyUsMax;
  o.electionTimeoutUsMin = o.heartbeatUs * randInt(rng, 3, 5);
  // A narrow range makes candidates collide after a leader fails (dueling candidates).
  o.electionTimeoutUsMax = o.electionTimeoutUsMin + pick(rng, [0, 1, 1, 2, 4]) * w.latencyUsMax;
  const h = new Harness<MultiPaxosState, typeof o>(multiPaxosProtocol, w.nodes, o, seed, { ...w, clientRetryUs: o.electionTimeoutUsMax });
  const check = paxosCheckCreate(w.nodes, true);
  h.addCheck((ev) => paxosCheckEvent(check, ev)).start();
  rebootAfterPromise(h, rng, w);
  const leader = (): string => w.nodes.find((n) => h.slot(n).up && h.state(n).role === 'leader') ?? pick(rng, w.nodes);
  // Let a first leader emerge, then write steadily while the faults happen.
  h.run(o.electionTimeoutUsMax * 2);
  const exposed = (): string[] =>
    w.nodes.filter((n) => {
      const s = h.state(n);
      return s.promised.proposer !== s.rank && !isNoBallot(s.promised) && Object.values(s.accepted).every((a) => compareBallots(s.promised, a.ballot) > 0);
    });
  const actions = faults(h, rng, w, leader, w.horizonUs, exposed);
  const clients = ['A', 'B', 'C'];
  let writes = 0;
  const writeEveryUs = Math.max(1, randInt(rng, 1, 4) * w.latencyUsMin);
  for (let t = 0; t < w.horizonUs; t += writeEveryUs) {
    actions.push({
      at: t,
      run: () => {
        const c = pick(rng, clients);
        if (!h.done(c)) return;
        // Clients do not agree on who leads: some write to whichever node they last used.
        const k = pick(rng, ['x', 'y']);
        const v = String(++writes);
        h.submit(c, (client, seq) => ({ op: 'put', key: k, value: v, client, seq }), chance(rng, 300) ? pick(rng, w.nodes) : null);
      },
    });
  }
  for (let i = 0; i < w.proposals; i++) {
    actions.push({ at: randInt(rng, 0, w.horizonUs), run: () => h.call(pick(rng, w.nodes), (s, env) => multiPaxosPropose(s, env, pick(rng, VALUES))) });
  }
  const base = h.now;
  for (const a of actions) a.at += base;
  play(h, actions);
  settle(h, w, 1_000 * MS);
  return { violations: h.violations(), decided: w.nodes.some((n) => h.state(n).chosenThrough > 0), events: h.events };
}
