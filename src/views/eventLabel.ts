// One line per trace event, for the scrubber's "event i/N" label.
import type { TraceEvent } from '../engine/trace';
import { ballotLabel } from '../engine/paxos/ballot';
import { commandLabel, formatMicros, instanceSuffix, messageLabel, paxosValueLabel } from './labels';

export function eventLabel(ev: TraceEvent): string {
  const at = formatMicros(ev.t);
  switch (ev.k) {
    case 'send':
      return `${at} ${ev.from} sends ${messageLabel(ev.msg)} to ${ev.to}`;
    case 'deliver':
      return `${at} ${ev.to} receives ${messageLabel(ev.msg)} from ${ev.from}`;
    case 'drop':
      return `${at} ${ev.from} → ${ev.to} lost (${ev.reason}): ${messageLabel(ev.msg)}`;
    case 'duplicate':
      return `${at} ${ev.from} → ${ev.to} duplicated`;
    case 'timer':
      return `${at} ${ev.node}: ${ev.timer} timer fires`;
    case 'role':
      return `${at} ${ev.node}: ${ev.from} → ${ev.to} in term ${ev.term} (${ev.reason})`;
    case 'term':
      return `${at} ${ev.node}: term ${ev.from} → ${ev.to} (${ev.reason})`;
    case 'vote':
      return `${at} ${ev.node} ${ev.granted ? 'grants' : 'refuses'} ${ev.prevote ? 'pre-vote' : 'vote'} to ${ev.candidate} in term ${ev.term}: ${ev.reason}`;
    case 'append':
      return `${at} ${ev.node} appends ${ev.index}: t${ev.entry.term} ${commandLabel(ev.entry.cmd)}`;
    case 'truncate':
      return `${at} ${ev.node} deletes entries from ${ev.fromIndex} (${ev.reason})`;
    case 'commit':
      return `${at} ${ev.node} commits ${ev.from} → ${ev.to}: ${ev.reason}`;
    case 'commit-refused':
      return `${at} ${ev.node}: ${ev.reason}`;
    case 'apply':
      return `${at} ${ev.node} applies ${ev.index}: ${commandLabel(ev.entry.cmd)} → ${ev.result || 'ok'}`;
    case 'client-request':
      return `${at} ${ev.client} sends ${commandLabel(ev.cmd)} to ${ev.node}`;
    case 'client-response':
      return `${at} ${ev.client} gets ${ev.ok ? 'ok' : 'failure'} from ${ev.node}: ${ev.result}`;
    case 'fault':
      return `${at} fault: ${ev.fault} ${ev.nodes.join(' ')} ${ev.detail}`.trimEnd();
    case 'propose':
      return `${at} ${ev.node} proposes ${paxosValueLabel(ev.value)}: ${ev.reason}`;
    case 'ballot':
      return `${at} ${ev.node} ${ev.action === 'start' ? 'starts' : 'abandons'} ballot ${ballotLabel(ev.ballot)}: ${ev.reason}`;
    case 'promise':
      return `${at} ${ev.node} ${ev.granted ? 'promises' : 'refuses to promise'} ${ballotLabel(ev.ballot)} to ${ev.proposer}: ${ev.reason}`;
    case 'pick':
      return `${at} ${ev.node} proposes ${paxosValueLabel(ev.value)} in ${ballotLabel(ev.ballot)}${instanceSuffix(ev.instance, 'at')}: ${ev.reason}`;
    case 'accept':
      return `${at} ${ev.node} ${ev.granted ? 'accepts' : 'refuses'} ${ballotLabel(ev.ballot)} = ${paxosValueLabel(ev.value)} from ${ev.proposer}: ${ev.reason}`;
    case 'learn':
      return `${at} ${ev.node} learns ${paxosValueLabel(ev.value)}${instanceSuffix(ev.instance, 'at')}: ${ev.reason}`;
    case 'violation':
      return `${at} ⚠ ${ev.invariant}: ${ev.detail}`;
    case 'note':
      return `${at} ${ev.text}`;
    case 'lease':
      return `${at} ${ev.client} ${ev.leading ? 'leads' : 'stops leading'} ${ev.lease}: ${ev.reason}`;
  }
}

/**
 * The scrubber's label at position `pos` of `n` events, `ev` being the event just before it: the same
 * text whichever way the position was reached. `event 0/41 · start of cell`, `event 3/41 · 12.5ms n1
 * receives …`, and the last one ends `· end of cell`.
 */
export function stepLabel(pos: number, n: number, ev: TraceEvent | null): string {
  if (pos === 0 || ev === null) return `event 0/${n} · start of cell`;
  return `event ${pos}/${n} · ${eventLabel(ev)}${pos === n ? ' · end of cell' : ''}`;
}
