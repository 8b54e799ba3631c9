// Plain-text labels for commands, messages, roles and times, shared by every view. They are not
// escaped: each view escapes them for its own format (Mermaid, Markdown) at the point of output.

import { ballotLabel, valueLabel } from '../engine/paxos/ballot';
import type { Command, FaultKind, LogEntry, Message, Micros, PaxosAccepted, PaxosValue, Role } from '../engine/trace';

/** `put x=1`, `get x`, `delete x`, `cas x 1→2`, `noop`, `lock L ttl 15s`, `put k=v ttl 10s`, `write storage=v1 #34`. */
export function commandLabel(cmd: Command): string {
  switch (cmd.op) {
    case 'noop':
      return 'noop';
    case 'put':
      return `put ${cmd.key}=${cmd.value}`;
    case 'get':
      return `get ${cmd.key}`;
    case 'delete':
      return `delete ${cmd.key}`;
    case 'cas':
      return `cas ${cmd.key} ${cmd.expect ?? '(none)'}→${cmd.value}`;
    case 'lock':
      return `lock ${cmd.key} ttl ${formatMicros(cmd.ttlUs)}`;
    case 'ephemeral':
      return `${cmd.ifAbsent === true ? 'create' : 'put'} ${cmd.key}=${cmd.value} ttl ${formatMicros(cmd.ttlUs)}`;
    case 'unlock':
      return `unlock ${cmd.key} #${cmd.token}`;
    case 'expire':
      return `expire ${cmd.key} #${cmd.token}`;
    case 'write':
      return `write ${cmd.key}=${cmd.value}${cmd.token === null ? '' : ` #${cmd.token}`}`;
  }
}

/** `t2 put x=1`: a log entry as the log views show it. */
export function entryLabel(entry: LogEntry): string {
  return `t${entry.term} ${commandLabel(entry.cmd)}`;
}

/** `X`, `put x=1`, `noop`: a Paxos value (a plain value or a command). */
export function paxosValueLabel(value: PaxosValue): string {
  return typeof value === 'string' ? valueLabel(value) : commandLabel(value);
}

/**
 * A leader's keep-alive: an AppendEntries that carries no entries (Raft §5.2), a Multi-Paxos Heartbeat,
 * a bully coordinator's periodic re-announcement.
 */
export function isHeartbeat(msg: Message): boolean {
  return (
    (msg.type === 'AppendEntries' && msg.entries.length === 0) || msg.type === 'Heartbeat' || (msg.type === 'Coordinator' && msg.renew)
  );
}

/** Requests are drawn solid, responses dashed. */
export function isResponse(msg: Message): boolean {
  switch (msg.type) {
    case 'RequestVoteResponse':
    case 'AppendEntriesResponse':
    case 'ClientResponse':
    case 'KeepAliveResponse':
    case 'WatchEvent':
    case 'Promise':
    case 'Accepted':
    case 'Nack':
    case 'Chosen':
    case 'Alive':
      return true;
    default:
      return false;
  }
}

/** `#2.2=X at i3`: what an acceptor reports it accepted. */
function acceptedLabel(a: PaxosAccepted): string {
  return `${ballotLabel(a.ballot)}=${paxosValueLabel(a.value)}${instanceSuffix(a.instance)}`;
}

/** ` i3` (or ` at i3`) in Multi-Paxos; nothing in single-decree Paxos, whose one instance is 0. */
export function instanceSuffix(instance: number, preposition = ''): string {
  return instance === 0 ? '' : ` ${preposition === '' ? '' : `${preposition} `}i${instance}`;
}

/** At most this many accepted values are listed in a Promise label, then `+k more`. */
const PROMISE_LISTED_MAX = 3;

function withReason(text: string, reason: string): string {
  return reason === '' ? text : `${text} ${reason}`;
}

/**
 * What matters about a message, in one short line: `RequestVote t2 (last 3@t1)`, `Vote t2 ✓`,
 * `AppendEntries t3 i5..7 c4`, `AppendOK t3 m7`, `AppendReject t3 <reason>`, `put x=1`, `ok 1`.
 */
export function messageLabel(msg: Message): string {
  switch (msg.type) {
    case 'RequestVote':
      return `${msg.prevote ? 'PreVote' : 'RequestVote'} t${msg.term} (last ${msg.lastLogIndex}@t${msg.lastLogTerm})`;
    case 'RequestVoteResponse': {
      const name = msg.prevote ? 'PreVote' : 'Vote';
      return msg.granted ? `${name} t${msg.term} ✓` : withReason(`${name} t${msg.term} ✗`, msg.reason);
    }
    case 'AppendEntries': {
      if (msg.entries.length === 0) return `Heartbeat t${msg.term} c${msg.leaderCommit}`;
      const first = msg.prevLogIndex + 1;
      const last = msg.prevLogIndex + msg.entries.length;
      const range = first === last ? `i${first}` : `i${first}..${last}`;
      return `AppendEntries t${msg.term} ${range} c${msg.leaderCommit}`;
    }
    case 'AppendEntriesResponse':
      return msg.success
        ? `AppendOK t${msg.term} m${msg.matchIndex}`
        : withReason(`AppendReject t${msg.term}`, msg.reason) + ` (retry i${msg.conflictIndex})`;
    case 'ClientRequest':
      return commandLabel(msg.cmd);
    case 'ClientResponse':
      return clientResultLabel(msg.ok, msg.result, msg.leaderHint);
    case 'KeepAlive':
      return `KeepAlive ${msg.lock} #${msg.token}`;
    case 'KeepAliveResponse':
      return clientResultLabel(msg.ok, msg.result, msg.leaderHint);
    case 'Watch':
      return `Watch ${msg.prefix}${msg.requireLeader ? ' (require leader)' : ''}`;
    case 'WatchEvent':
      return watchEventLabel(msg);
    case 'Prepare':
      return `Prepare ${ballotLabel(msg.ballot)}${msg.instance === 0 ? '' : ` from i${msg.instance}`}`;
    case 'Promise': {
      const shown = msg.accepted.slice(0, PROMISE_LISTED_MAX).map(acceptedLabel);
      if (msg.accepted.length > shown.length) shown.push(`+${msg.accepted.length - shown.length} more`);
      return `Promise ${ballotLabel(msg.ballot)} (${shown.length === 0 ? 'nothing accepted' : `accepted ${shown.join(', ')}`})`;
    }
    case 'Accept':
      return `Accept ${ballotLabel(msg.ballot)}${instanceSuffix(msg.instance)} = ${paxosValueLabel(msg.value)}`;
    case 'Accepted':
      return `Accepted ${ballotLabel(msg.ballot)}${instanceSuffix(msg.instance)} = ${paxosValueLabel(msg.value)}`;
    case 'Nack':
      return `Nack ${ballotLabel(msg.ballot)} (promised ${ballotLabel(msg.promised)})`;
    case 'Heartbeat':
      return `Heartbeat ${ballotLabel(msg.ballot)} chosen≤i${msg.chosen}`;
    case 'CatchUp':
      return `CatchUp from i${msg.from}`;
    case 'Chosen': {
      const first = msg.entries[0];
      const last = msg.entries[msg.entries.length - 1];
      if (first === undefined || last === undefined) return 'Chosen (none)';
      return first === last ? `Chosen i${first.instance} = ${paxosValueLabel(first.value)}` : `Chosen i${first.instance}..${last.instance}`;
    }
    case 'Forward':
      return `Forward ${paxosValueLabel(msg.value)}`;
    case 'Election':
      return 'Election';
    case 'Alive':
      return 'Alive';
    case 'Coordinator':
      return msg.renew ? 'Coordinator (heartbeat)' : 'Coordinator';
  }
}

/** `watching /config/ (at i4: /config/x=1)`, `▸ /config/x=2 (i7)`, `▸ deleted /config/x (i9)`, `✗ watch canceled: no leader`. */
function watchEventLabel(msg: Extract<Message, { type: 'WatchEvent' }>): string {
  switch (msg.event) {
    case 'created':
      return `watching ${msg.prefix} (at i${msg.index}: ${(msg.snapshot ?? []).map(([k, v]) => `${k}=${v}`).join(', ') || 'no keys'})`;
    case 'canceled':
      return `✗ watch canceled: ${msg.value ?? ''}`;
    case 'put':
      return `▸ ${msg.key}=${msg.value ?? ''} (i${msg.index})`;
    case 'delete':
      return `▸ deleted ${msg.key} (i${msg.index})`;
  }
}

/** `ok 1`, `✗ not leader (try n3)`: the hint only on a failure whose text does not already name it. */
export function clientResultLabel(ok: boolean, result: string, leaderHint: string | null = null): string {
  const head = ok ? 'ok' : '✗';
  const text = result === '' || result.toLowerCase() === head ? head : `${head} ${result}`;
  return ok || leaderHint === null || result.includes(leaderHint) ? text : `${text} (try ${leaderHint})`;
}

const ROLE_NAMES: Record<Role, string> = {
  follower: 'Follower',
  candidate: 'Candidate',
  precandidate: 'PreCandidate',
  leader: 'Leader',
  down: 'Down',
};

/** `Follower`, `PreCandidate`, …: the role as the state diagram names it. */
export function roleName(role: Role): string {
  return ROLE_NAMES[role];
}

/** Virtual time for people: `0`, `750µs`, `12.5ms`, `2.25s`. */
export function formatMicros(t: Micros): string {
  if (t === 0) return '0';
  if (Math.abs(t) < 1000) return `${t}µs`;
  if (Math.abs(t) < 1_000_000) return `${trimDecimals(t / 1000)}ms`;
  return `${trimDecimals(t / 1_000_000)}s`;
}

function trimDecimals(value: number): string {
  return String(Math.round(value * 1000) / 1000);
}

/** A duration the cell language accepts (`show sequence from=… to=…`): whole milliseconds. */
export function languageMillis(t: Micros, round: 'down' | 'up'): string {
  const ms = round === 'down' ? Math.floor(t / 1000) : Math.ceil(t / 1000);
  return `${ms}ms`;
}

/** `pause 20s`, `loss 20%`: the fault with its detail, without repeating the fault's name. */
export function faultLabel(fault: FaultKind, detail: string): string {
  if (detail === '') return fault;
  return detail.startsWith(fault) ? detail : `${fault} ${detail}`;
}
