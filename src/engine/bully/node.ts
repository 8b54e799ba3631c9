// The bully election (Garcia-Molina, "Elections in a Distributed Computing System", 1982), in the shape
// of raft/node.ts: no I/O, plain data. Ids rank by the cluster's declared order: the last declared node
// is the highest. The highest live node a node can reach wins, so the algorithm needs no votes and no
// terms — and has no quorum either: cut the cluster in two and each side elects its own coordinator
// (two leaders at once, which engine/check/bully reports). When the partition heals, the higher one's
// heartbeat makes the lower one step down.
//
//   A node that hears no coordinator for a random election timeout sends Election to every higher node.
//   A higher node answers Alive and starts its own election. A node that gets no Alive in time
//   declares itself Coordinator to everyone; one that got an Alive waits for the Coordinator message
//   and starts over if it does not come. A restarted node starts an election at once (it may outrank
//   the coordinator: it "bullies" it out). The coordinator re-announces itself every heartbeat.

import type { Protocol, ProtocolEnv } from '../protocol';
import type { Message, Role } from '../trace';

export interface BullyOptions {
  /** A follower that hears no coordinator for a random time in this range starts an election. */
  electionTimeoutUsMin: number;
  electionTimeoutUsMax: number;
  /** The coordinator re-announces itself this often (its heartbeat). */
  heartbeatUs: number;
  /** How long a node that sent Election waits for an Alive before it declares itself coordinator. */
  answerTimeoutUs: number;
  /** How long a node that got an Alive waits for a Coordinator message before starting over. */
  coordinatorTimeoutUs: number;
}

export function defaultBullyOptions(): BullyOptions {
  return { electionTimeoutUsMin: 150_000, electionTimeoutUsMax: 300_000, heartbeatUs: 50_000, answerTimeoutUs: 30_000, coordinatorTimeoutUs: 100_000 };
}

/** Returns a list of problems (empty when the options are usable). Each message is a full sentence. */
export function validateBullyOptions(o: BullyOptions): string[] {
  const problems: string[] = [];
  if (o.electionTimeoutUsMin <= 0) problems.push('The election timeout must be positive.');
  if (o.electionTimeoutUsMax < o.electionTimeoutUsMin) problems.push('The election timeout range must not end before it starts.');
  if (o.heartbeatUs <= 0 || o.heartbeatUs >= o.electionTimeoutUsMin) problems.push('The heartbeat must be positive and shorter than the election timeout.');
  if (o.answerTimeoutUs <= 0 || o.coordinatorTimeoutUs <= 0) problems.push('The answer and coordinator timeouts must be positive.');
  return problems;
}

export type BullyEnv = ProtocolEnv<BullyOptions>;

/** One timer serves every wait: for the coordinator's heartbeat, for an Alive, for a Coordinator. */
export type BullyTimer = 'election' | 'heartbeat';

export interface BullyState {
  id: string;
  peers: string[];
  /** Position in the declared order: a higher rank wins. */
  rank: number;
  role: Role;
  /** The coordinator as far as this node knows. */
  leader: string | null;
  /** `electing`: sent Election, waiting for an Alive; `waiting`: got one, waiting for a Coordinator. */
  phase: 'idle' | 'electing' | 'waiting';
}

export function bullyCreate(id: string, peers: string[]): BullyState {
  const rank = peers.indexOf(id);
  if (rank < 0) throw new Error(`bully: ${id} is not among its peers`);
  return { id, peers, rank, role: 'follower', leader: null, phase: 'idle' };
}

export function bullyStart(s: BullyState, env: BullyEnv): void {
  resetElectionTimer(s, env);
}

function rankOf(s: BullyState, node: string): number {
  return s.peers.indexOf(node);
}

export function bullyCrash(s: BullyState, env: BullyEnv): void {
  const from = s.role;
  env.cancelTimer(s.id, 'election');
  env.cancelTimer(s.id, 'heartbeat');
  s.role = 'down';
  s.leader = null;
  s.phase = 'idle';
  env.emit({ k: 'role', t: undefined, node: s.id, from, to: 'down', term: 0, reason: 'crashed' });
}

/** A recovering node holds an election at once: it may outrank the coordinator. */
export function bullyRestart(s: BullyState, env: BullyEnv): void {
  s.role = 'follower';
  env.emit({ k: 'role', t: undefined, node: s.id, from: 'down', to: 'follower', term: 0, reason: 'restarted' });
  startElection(s, env, 'restarted');
}

export function bullyTimer(s: BullyState, env: BullyEnv, kind: string): void {
  if (s.role === 'down' || (kind !== 'election' && kind !== 'heartbeat')) return;
  env.emit({ k: 'timer', t: undefined, node: s.id, timer: kind });
  if (kind === 'heartbeat') {
    if (s.role === 'leader') announce(s, env, true);
    return;
  }
  if (s.role === 'leader') return;
  switch (s.phase) {
    case 'idle':
      return startElection(s, env, s.leader === null ? 'no coordinator known' : `coordinator ${s.leader} silent for an election timeout`);
    case 'electing':
      return becomeLeader(s, env, `no Alive from a higher node within ${env.opts.answerTimeoutUs / 1000}ms`);
    case 'waiting':
      return startElection(s, env, `an Alive came, but no Coordinator within ${env.opts.coordinatorTimeoutUs / 1000}ms`);
  }
}

/** Fire the election timer now (the `timeout n2` command), whatever its deadline. */
export function bullyForceTimeout(s: BullyState, env: BullyEnv): void {
  if (s.role === 'down' || s.role === 'leader') return;
  bullyTimer(s, env, 'election');
}

function resetElectionTimer(s: BullyState, env: BullyEnv): void {
  env.setTimer(s.id, 'election', env.randInt(env.opts.electionTimeoutUsMin, env.opts.electionTimeoutUsMax));
}

function setRole(s: BullyState, env: BullyEnv, to: Role, reason: string): void {
  if (s.role === 'down') throw new Error(`bully: ${s.id} cannot become ${to} while down`);
  const from = s.role;
  s.role = to;
  if (from !== to) env.emit({ k: 'role', t: undefined, node: s.id, from, to, term: 0, reason });
}

function startElection(s: BullyState, env: BullyEnv, reason: string): void {
  const higher = s.peers.filter((p) => rankOf(s, p) > s.rank);
  if (higher.length === 0) return becomeLeader(s, env, `${reason}; no node ranks higher`);
  s.leader = null;
  s.phase = 'electing';
  setRole(s, env, 'candidate', `${reason}: asks ${higher.join(' ')}`);
  for (const p of higher) env.send(s.id, p, { type: 'Election' });
  env.setTimer(s.id, 'election', env.opts.answerTimeoutUs);
}

function becomeLeader(s: BullyState, env: BullyEnv, reason: string): void {
  s.leader = s.id;
  s.phase = 'idle';
  setRole(s, env, 'leader', reason);
  env.cancelTimer(s.id, 'election');
  announce(s, env, false);
}

function announce(s: BullyState, env: BullyEnv, renew: boolean): void {
  for (const p of s.peers) if (p !== s.id) env.send(s.id, p, { type: 'Coordinator', renew });
  env.setTimer(s.id, 'heartbeat', env.opts.heartbeatUs);
}

function follow(s: BullyState, env: BullyEnv, leader: string): void {
  const was = s.role;
  s.leader = leader;
  s.phase = 'idle';
  if (was === 'leader') env.cancelTimer(s.id, 'heartbeat');
  setRole(s, env, 'follower', `${leader} outranks ${s.id} and leads`);
  resetElectionTimer(s, env);
}

export function bullyReceive(s: BullyState, env: BullyEnv, from: string, m: Message): void {
  if (s.role === 'down') return;
  const higher = rankOf(s, from) > s.rank;
  switch (m.type) {
    case 'Election':
      if (higher) return;
      env.send(s.id, from, { type: 'Alive' });
      if (s.role === 'leader') env.send(s.id, from, { type: 'Coordinator', renew: false });
      else if (s.phase === 'idle') startElection(s, env, `${from} called an election and ${s.id} outranks it`);
      return;
    case 'Alive':
      if (!higher || s.phase !== 'electing') return;
      s.phase = 'waiting';
      env.setTimer(s.id, 'election', env.opts.coordinatorTimeoutUs);
      return;
    case 'Coordinator':
      if (higher) {
        if (s.role !== 'follower' || s.leader !== from) follow(s, env, from);
        else resetElectionTimer(s, env);
        return;
      }
      // A lower node claims to lead: bully it out.
      if (s.role === 'leader') env.send(s.id, from, { type: 'Coordinator', renew: false });
      else if (s.phase === 'idle') startElection(s, env, `${from} claims to lead but ${s.id} outranks it`);
      return;
    default:
      return; // not a bully message
  }
}

export const bullyProtocol: Protocol<BullyState, BullyOptions> = {
  create: bullyCreate,
  start: bullyStart,
  timer: bullyTimer,
  receive: bullyReceive,
  crash: bullyCrash,
  restart: bullyRestart,
};
