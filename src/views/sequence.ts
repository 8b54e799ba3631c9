// The sequence diagram of one cell: every delivered or dropped message as an arrow, and notes for what
// the nodes decided (roles, terms, votes, commits, applies), for faults and for invariant violations.
// Heartbeats are collapsed, partitions are shaded, and the text is kept within Mermaid's limits.

import { ballotLabel } from '../engine/paxos/ballot';
import type { DropReason, Message, Micros, TraceEvent, TraceView } from '../engine/trace';
import { mermaidLabel, nameCharsFor, truncate, NAME_CHARS_MAX, TEXT_CHARS_MAX } from './escape';
import { windowOf, type ViewInput } from './input';
import {
  clientResultLabel,
  commandLabel,
  entryLabel,
  faultLabel,
  formatMicros,
  instanceSuffix,
  isHeartbeat,
  isResponse,
  languageMillis,
  messageLabel,
  paxosValueLabel,
  roleName,
} from './labels';
import { applyEvent, foldState, formatGroups, type ClusterState } from './state';

export interface SequenceOptions {
  /** Collapse runs of heartbeats into one note (default true). */
  hideHeartbeats?: boolean;
  /** Show only events at or after this virtual time. */
  fromUs?: Micros;
  /** Show only events at or before this virtual time. */
  toUs?: Micros;
  /** Most arrows to draw (default 200, at most 500); later events are counted as omitted. */
  maxMessages?: number;
  /** Prefix every note with its virtual time, e.g. `[12.5ms]`. */
  showTime?: boolean;
}

export interface SequenceDiagram {
  /** Mermaid `sequenceDiagram` source. */
  text: string;
  /** Events of the window that were not drawn because of the size limits. */
  omitted: number;
  /** Arrows drawn. */
  messages: number;
}

/** Mermaid's default `maxTextSize`: longer sources are refused. */
export const MERMAID_TEXT_MAX = 50_000;
/** Mermaid's default `maxEdges`. */
export const MERMAID_EDGES_MAX = 500;
export const DEFAULT_MAX_MESSAGES = 200;

// Ordinary lines stop this far below the limit; violations (never hidden by the cut) may use the
// room, except the last part kept for the closing lines and the "omitted" note.
const TEXT_RESERVE = 10_000;
const TEXT_RESERVE_FINAL = 1_500;
// The longest label line in code points, before escaping.
const LINE_CHARS_MAX = 200;
// Violations are shown even past the size cut, up to this many.
const VIOLATIONS_AFTER_CUT_MAX = 20;
// The participant header may use at most this much of the text budget.
const HEADER_CHARS_MAX = 15_000;

const PARTITION_COLOUR = 'rgba(255, 170, 0, 0.08)';
const VIOLATION_COLOUR = 'rgba(220, 0, 0, 0.25)';

const DROP_WORDS: Record<DropReason, string> = {
  loss: 'lost',
  partition: 'partition',
  cut: 'cut link',
  crashed: 'receiver crashed',
  'held-drop': 'dropped while held',
  'paused-crash': 'receiver crashed while paused',
};

/** The Mermaid sequence diagram of the events in `input`'s window. */
export function sequenceDiagram(input: ViewInput, opts: SequenceOptions = {}): SequenceDiagram {
  return new SequenceWriter(input, opts).write();
}

type ShownEvent = { ev: TraceEvent; index: number };

/** A run of heartbeats from one leader, drawn as one note written where the run starts. */
interface HeartbeatRun {
  leader: string;
  t: Micros;
  /** The leader's term or ballot as the note names it (`t3`, `#3.1`), or '' (bully). */
  era: string;
  count: number;
  lost: number;
  /** Index of its note in the output lines, rewritten as the run grows. */
  line: number;
}

interface ApplyRun {
  node: string;
  t: Micros;
  first: number;
  last: number;
  label: string;
}

class SequenceWriter {
  private readonly lines: string[] = ['sequenceDiagram'];
  private chars = 'sequenceDiagram'.length;
  private arrows = 0;
  /** Whether drawing stopped at the arrow cap (rather than at the text budget). */
  private atArrowCap = false;
  private headerLines = 1;
  private readonly ids = new Map<string, string>();
  private nodeIds: string[] = [];
  private readonly hideHeartbeats: boolean;
  private readonly maxMessages: number;
  private budget = MERMAID_TEXT_MAX - TEXT_RESERVE;
  private partitionOpen = false;
  private heartbeats: HeartbeatRun | null = null;
  private applies: ApplyRun | null = null;
  /** Leader→follower links whose last AppendEntries was a heartbeat: what its response echoes. */
  private readonly lastHeartbeat = new Map<string, { round: number; matchIndex: number }>();
  /** Role changes of the window, `node \0 t \0 term`: a term change they imply needs no note of its own. */
  private readonly roleKeys = new Set<string>();
  private readonly clientEventsDrawn: boolean;

  constructor(
    private readonly input: ViewInput,
    private readonly opts: SequenceOptions,
  ) {
    this.hideHeartbeats = opts.hideHeartbeats ?? true;
    this.maxMessages = Math.min(Math.max(0, Math.trunc(opts.maxMessages ?? DEFAULT_MAX_MESSAGES)), MERMAID_EDGES_MAX);
    this.clientEventsDrawn = !carriesClientMessages(input.events);
  }

  write(): SequenceDiagram {
    const { from, to } = windowOf(this.input);
    const state = foldState(this.input, from);
    const shown: ShownEvent[] = [];
    for (let i = from; i < to; i++) {
      const ev = this.input.events.at(i)!;
      if (this.inTime(ev.t)) shown.push({ ev, index: i });
      if (ev.k === 'role') this.roleKeys.add(roleKey(ev.node, ev.t, ev.term));
    }
    this.declareParticipants(shown.map((s) => s.ev));

    // Events the time filter hides only build up state; each shown event is drawn with the state
    // after it (a partition note names the groups it made).
    let next = from;
    let cut = -1;
    for (let s = 0; s < shown.length; s++) {
      const { ev, index } = shown[s]!;
      for (; next < index; next++) applyEvent(state, this.input.events.at(next)!);
      if (s === 0) this.openPartitionIfHeld(state);
      applyEvent(state, ev);
      next = index + 1;
      if (!this.draw(ev, state)) {
        cut = s;
        break;
      }
    }
    this.flushApplies();

    let omitted = 0;
    if (cut >= 0) {
      const rest = shown.slice(cut).map((s) => s.ev);
      omitted = rest.filter((ev) => this.isDrawn(ev)).length;
      this.closePartition();
      this.drawViolationsAfterCut(rest);
      const first = rest[0]!.t;
      const last = this.opts.toUs ?? rest[rest.length - 1]!.t;
      const window = `from=${languageMillis(first, 'down')} to=${languageMillis(last, 'up')}`;
      // Below the hard cap, a larger `max=` draws more of them at once.
      const hint =
        this.atArrowCap && this.maxMessages < MERMAID_EDGES_MAX
          ? `use show sequence max=${MERMAID_EDGES_MAX} to draw more, or ${window} to see them`
          : `use show sequence ${window} to see them`;
      this.push(this.note(this.allNodes(), `${omitted} event${omitted === 1 ? '' : 's'} omitted (${hint})`, null));
    } else {
      this.closePartition();
    }
    if (this.lines.length === this.headerLines) {
      this.push(this.note(this.allNodes(), shown.length === 0 ? 'no events in this cell' : 'no messages in this cell', null));
    }
    return { text: this.lines.join('\n') + '\n', omitted, messages: this.arrows };
  }

  private inTime(t: Micros): boolean {
    return (this.opts.fromUs === undefined || t >= this.opts.fromUs) && (this.opts.toUs === undefined || t <= this.opts.toUs);
  }

  /** Clients first (those in this window, in first-use order), then every node, then any other name. */
  private declareParticipants(events: readonly TraceEvent[]): void {
    const nodes = new Set(this.input.nodes);
    const clients = new Set(this.input.clients);
    const usedClients = new Set<string>();
    const others: string[] = [];
    const notice = (name: string): void => {
      if (clients.has(name)) usedClients.add(name);
      else if (!nodes.has(name) && !others.includes(name)) others.push(name);
    };
    for (const ev of events) {
      for (const name of namesOf(ev)) notice(name);
    }
    const ordered = [
      ...this.input.clients.filter((c) => usedClients.has(c)),
      ...this.input.nodes,
      ...others,
    ].filter((name, i, all) => all.indexOf(name) === i);
    if (ordered.length === 0) ordered.push('cluster');
    // Many participants with long names share the header budget.
    const nameMax = nameCharsFor(ordered.length, HEADER_CHARS_MAX);
    ordered.forEach((name, i) => {
      const id = `p${i}`;
      this.ids.set(name, id);
      if (!clients.has(name) || nodes.has(name)) this.nodeIds.push(id);
      this.push(`participant ${id} as ${mermaidLabel(name === '' ? '(empty)' : name, nameMax)}`);
    });
    if (this.nodeIds.length === 0) this.nodeIds = [...this.ids.values()];
    this.headerLines = this.lines.length;
  }

  private id(name: string): string {
    return this.ids.get(name) ?? this.nodeIds[0]!;
  }

  private allNodes(): string[] {
    return this.nodeIds;
  }

  /** Draws one event, given the state after it; false when the size limits are reached and nothing more may be drawn. */
  private draw(ev: TraceEvent, state: ClusterState): boolean {
    if (!this.isDrawn(ev)) return true;
    switch (ev.k) {
      case 'deliver':
      case 'drop': {
        const dropped = ev.k === 'drop' ? ev.reason : null;
        if (this.hideHeartbeats && this.isHeartbeatTraffic(ev.from, ev.to, ev.msg)) {
          return this.countHeartbeat(ev.from, ev.to, ev.msg, ev.t, dropped !== null);
        }
        this.noteHeartbeatLink(ev.from, ev.to, ev.msg);
        const label = messageLabel(ev.msg) + (dropped === null ? '' : ` — ${DROP_WORDS[dropped]}`);
        return this.arrow(ev.from, ev.to, isResponse(ev.msg), dropped !== null, label);
      }
      case 'client-request':
        return this.arrow(ev.client, ev.node, false, false, commandLabel(ev.cmd));
      case 'client-response':
        return this.arrow(ev.node, ev.client, true, false, clientResultLabel(ev.ok, ev.result));
      case 'role':
        return this.nodeNote(
          ev.node,
          ev.t,
          `${roleName(ev.from)} → ${roleName(ev.to)} t${ev.term}${reasonSuffix(ev.reason)}`,
        );
      case 'term':
        return this.nodeNote(ev.node, ev.t, `term ${ev.from} → ${ev.to}${reasonSuffix(ev.reason)}`);
      case 'vote': {
        const what = ev.prevote ? 'pre-vote' : 'vote';
        return this.nodeNote(
          ev.node,
          ev.t,
          `${what} for ${name(ev.candidate)} t${ev.term} ${ev.granted ? '✓' : '✗'}${reasonSuffix(ev.reason)}`,
        );
      }
      case 'truncate':
        return this.nodeNote(ev.node, ev.t, `truncate log from i${ev.fromIndex}${reasonSuffix(ev.reason)}`);
      case 'commit':
        return this.nodeNote(ev.node, ev.t, `commit ${ev.from} → ${ev.to}${reasonSuffix(ev.reason)}`);
      case 'commit-refused':
        return this.nodeNote(ev.node, ev.t, `won't commit i${ev.index}${reasonSuffix(ev.reason)}`);
      case 'apply':
        return this.countApply(ev.node, ev.t, ev.index, entryLabel(ev.entry) + (ev.result === '' ? '' : ` → ${ev.result}`));
      case 'fault':
        return this.drawFault(ev, state);
      case 'violation':
        return this.drawViolation(ev);
      case 'note':
        return this.emit([this.note(this.allNodes(), text(ev.text), ev.t)]);
      case 'lease':
        return this.nodeNote(ev.client, ev.t, `${ev.leading ? '★ leads' : 'stops leading'} ${ev.lease}: ${ev.reason}`);
      case 'propose':
        return this.nodeNote(ev.node, ev.t, `propose ${paxosValueLabel(ev.value)}${reasonSuffix(ev.reason)}`);
      case 'ballot':
        return this.nodeNote(ev.node, ev.t, `${ev.action === 'start' ? 'ballot' : 'abandon'} ${ballotLabel(ev.ballot)}${reasonSuffix(ev.reason)}`);
      case 'promise':
      case 'accept':
        // Only refusals are drawn (see isDrawn); the reason says which ("promise refused: …").
        return this.nodeNote(ev.node, ev.t, `${ballotLabel(ev.ballot)}${instanceSuffix(ev.instance)} from ${name(ev.proposer)}${reasonSuffix(ev.reason)}`);
      case 'pick':
        return this.nodeNote(ev.node, ev.t, `phase 2 ${ballotLabel(ev.ballot)}${instanceSuffix(ev.instance)} = ${paxosValueLabel(ev.value)}${reasonSuffix(ev.reason)}`);
      case 'learn':
        return this.nodeNote(ev.node, ev.t, `learned ${paxosValueLabel(ev.value)}${instanceSuffix(ev.instance)}${reasonSuffix(ev.reason)}`);
      case 'send':
      case 'duplicate':
      case 'timer':
      case 'append':
        return true;
    }
  }

  /**
   * Whether an event becomes an arrow or a note (heartbeats then join a run). Client events are drawn
   * only when client traffic does not cross the network as messages; a term change implied by a role
   * change and a candidate's vote for itself (Raft §5.2) need no note of their own.
   */
  private isDrawn(ev: TraceEvent): boolean {
    switch (ev.k) {
      case 'send':
      case 'duplicate':
      case 'timer':
      case 'append':
        return false;
      case 'client-request':
      case 'client-response':
        return this.clientEventsDrawn;
      case 'term':
        return !this.roleKeys.has(roleKey(ev.node, ev.t, ev.to));
      case 'vote':
        return !(ev.candidate === ev.node && ev.granted && !ev.prevote);
      case 'promise':
      case 'accept':
        // A granted promise or acceptance is its Promise/Accepted arrow; a refusal says why.
        return !ev.granted;
      default:
        return true;
    }
  }

  private isHeartbeatTraffic(from: string, to: string, msg: Message): boolean {
    if (isHeartbeat(msg)) return true;
    if (msg.type !== 'AppendEntriesResponse' || !msg.success) return false;
    const sent = this.lastHeartbeat.get(linkKey(to, from));
    return sent !== undefined && sent.round === msg.round && sent.matchIndex === msg.matchIndex;
  }

  private noteHeartbeatLink(from: string, to: string, msg: Message): void {
    if (msg.type === 'AppendEntries') this.lastHeartbeat.delete(linkKey(from, to));
  }

  /**
   * Adds a heartbeat (or its response) to the current run, starting a new run when there is none or
   * it belongs to another leader. False when a new run's note does not fit.
   */
  private countHeartbeat(from: string, to: string, msg: Message, t: Micros, lost: boolean): boolean {
    if (msg.type === 'AppendEntriesResponse') {
      this.lastHeartbeat.delete(linkKey(to, from));
      const run = this.heartbeats;
      if (lost && run !== null && run.leader === to) {
        run.lost++;
        this.setLine(run.line, this.heartbeatNote(run));
      }
      return true;
    }
    if (msg.type === 'AppendEntries') this.lastHeartbeat.set(linkKey(from, to), { round: msg.round, matchIndex: msg.prevLogIndex });
    if (this.heartbeats !== null && this.heartbeats.leader !== from) this.heartbeats = null;
    if (this.heartbeats === null) {
      if (!this.flushApplies()) return false;
      const run: HeartbeatRun = { leader: from, t, era: heartbeatEra(msg), count: 1_000_000, lost: 1_000_000, line: this.lines.length };
      // Room for the longest the note can grow to.
      if (!this.pushAll([this.heartbeatNote(run)])) return false;
      this.heartbeats = { ...run, count: 0, lost: 0 };
    }
    const run = this.heartbeats;
    run.count++;
    if (lost) run.lost++;
    this.setLine(run.line, this.heartbeatNote(run));
    return true;
  }

  private heartbeatNote(run: HeartbeatRun): string {
    const lost = run.lost > 0 ? `, ${run.lost} lost` : '';
    const plural = run.count === 1 ? 'heartbeat' : 'heartbeats';
    return this.note([this.id(run.leader)], `×${run.count} ${plural}${run.era === '' ? '' : ` ${run.era}`}${lost}`, run.t);
  }

  /**
   * A heartbeat run goes on across notes about other nodes (followers learning the commit index) and
   * ends at anything else: an arrow, a note over its leader, a block or a note over several nodes.
   */
  private endHeartbeatsUnlessAbout(noteOn: string | null): void {
    const run = this.heartbeats;
    if (run !== null && (noteOn === null || noteOn === this.id(run.leader))) this.heartbeats = null;
  }

  private countApply(node: string, t: Micros, index: number, label: string): boolean {
    const run = this.applies;
    if (run !== null && run.node === node && run.last + 1 === index) {
      run.last = index;
      run.label = label;
      return true;
    }
    if (!this.flushApplies()) return false;
    this.applies = { node, t, first: index, last: index, label };
    return true;
  }

  private drawFault(ev: Extract<TraceEvent, { k: 'fault' }>, state: ClusterState): boolean {
    const names = ev.nodes.map(name);
    switch (ev.fault) {
      case 'partition': {
        const groups = formatGroups((state.partition ?? []).map((g) => g.map(name)));
        // The detail is often the command's own text: worth showing only when it names zones.
        const plain = [ev.fault, formatGroups(state.partition ?? []), formatGroups(ev.groups ?? [])];
        const detail = ev.detail === '' || plain.includes(ev.detail) ? '' : ` (${text(ev.detail)})`;
        const lines: string[] = [];
        if (this.partitionOpen) lines.push('end');
        lines.push(`rect ${PARTITION_COLOUR}`);
        lines.push(this.note(this.allNodes(), `partition ${groups}${detail}`, ev.t));
        if (!this.emit(lines)) return false;
        this.partitionOpen = true;
        return true;
      }
      case 'heal': {
        const closes = this.partitionOpen && ev.nodes.length === 0;
        const lines = [this.note(this.over(ev.nodes), [faultLabel('heal', text(ev.detail)), ...names].join(' '), ev.t)];
        if (closes) lines.unshift('end');
        if (!this.emit(lines)) return false;
        if (closes) this.partitionOpen = false;
        return true;
      }
      case 'cut':
      case 'hold':
      case 'release': {
        const [a = '?', b = '?'] = names;
        const detail = ev.detail === '' || ev.detail === ev.fault ? '' : ` (${text(ev.detail)})`;
        return this.emit([this.note(this.over(ev.nodes), `${ev.fault} ${a} → ${b}${detail}`, ev.t)]);
      }
      default: {
        const marker = ev.fault === 'crash' ? '✗ ' : '';
        return this.emit([this.note(this.over(ev.nodes), `${marker}${faultLabel(ev.fault, text(ev.detail))}`, ev.t)]);
      }
    }
  }

  private drawViolation(ev: Extract<TraceEvent, { k: 'violation' }>): boolean {
    return this.emit([
      `rect ${VIOLATION_COLOUR}`,
      this.note(this.over(ev.nodes), `⚠ VIOLATION ${text(ev.invariant)}: ${text(ev.detail)}`, ev.t),
      'end',
    ]);
  }

  private drawViolationsAfterCut(rest: readonly TraceEvent[]): void {
    this.budget = MERMAID_TEXT_MAX - TEXT_RESERVE_FINAL;
    let shown = 0;
    for (const ev of rest) {
      if (ev.k !== 'violation') continue;
      if (shown === VIOLATIONS_AFTER_CUT_MAX || !this.drawViolation(ev)) return;
      shown++;
    }
  }

  private openPartitionIfHeld(state: ClusterState): void {
    if (state.partition === null || this.partitionOpen) return;
    const groups = formatGroups(state.partition.map((g) => g.map(name)));
    this.push(`rect ${PARTITION_COLOUR}`);
    this.push(this.note(this.allNodes(), `partition ${groups} (holds from before)`, null));
    this.partitionOpen = true;
  }

  private closePartition(): void {
    this.flushApplies();
    this.heartbeats = null;
    if (this.partitionOpen) this.push('end');
    this.partitionOpen = false;
  }

  private nodeNote(node: string, t: Micros, label: string): boolean {
    const id = this.id(node);
    return this.emit([this.note([id], label, t)], id);
  }

  private arrow(from: string, to: string, response: boolean, dropped: boolean, label: string): boolean {
    if (this.arrows >= this.maxMessages) {
      this.atArrowCap = true;
      return false;
    }
    const head = dropped ? (response ? '--x' : '-x') : response ? '-->>' : '->>';
    if (!this.emit([`${this.id(from)}${head}${this.id(to)}: ${mermaidLabel(label, LINE_CHARS_MAX)}`])) return false;
    this.arrows++;
    return true;
  }

  /** `Note over pA,pB: …` spanning the participants of `names` (all nodes when empty). */
  private over(names: readonly string[]): string[] {
    const ids = names.map((n) => this.id(n));
    return ids.length === 0 ? this.allNodes() : ids;
  }

  private note(ids: readonly string[], label: string, t: Micros | null): string {
    const order = (id: string): number => Number(id.slice(1));
    const sorted = [...new Set(ids)].sort((a, b) => order(a) - order(b));
    const span = sorted.length <= 1 ? sorted.join('') : `${sorted[0]},${sorted[sorted.length - 1]}`;
    const prefix = this.opts.showTime && t !== null ? `[${formatMicros(t)}] ` : '';
    return `Note over ${span}: ${mermaidLabel(prefix + label, LINE_CHARS_MAX)}`;
  }

  /**
   * Adds `lines` after any pending apply note, or nothing if they would not fit. `noteOn` is the one
   * participant a note is about, if it is about one.
   */
  private emit(lines: readonly string[], noteOn: string | null = null): boolean {
    if (!this.flushApplies()) return false;
    this.endHeartbeatsUnlessAbout(noteOn);
    return this.pushAll(lines);
  }

  private flushApplies(): boolean {
    const run = this.applies;
    if (run === null) return true;
    this.applies = null;
    const id = this.id(run.node);
    this.endHeartbeatsUnlessAbout(id);
    const label = run.first === run.last ? `apply ${run.first} ${run.label}` : `apply ${run.first}..${run.last}`;
    return this.pushAll([this.note([id], label, run.t)]);
  }

  private pushAll(lines: readonly string[]): boolean {
    const size = lines.reduce((sum, line) => sum + line.length + 1, 0);
    if (this.chars + size > this.budget) return false;
    for (const line of lines) this.push(line);
    return true;
  }

  private push(line: string): void {
    this.lines.push(line);
    this.chars += line.length + 1;
  }

  private setLine(index: number, line: string): void {
    this.chars += line.length - this.lines[index]!.length;
    this.lines[index] = line;
  }
}

/** Whether the engine routes client traffic through the network (then `deliver`/`drop` draw it). */
function carriesClientMessages(events: TraceView): boolean {
  for (const ev of events) {
    if ((ev.k === 'deliver' || ev.k === 'drop') && (ev.msg.type === 'ClientRequest' || ev.msg.type === 'ClientResponse')) return true;
  }
  return false;
}

function namesOf(ev: TraceEvent): string[] {
  switch (ev.k) {
    case 'send':
    case 'deliver':
    case 'drop':
    case 'duplicate':
      return [ev.from, ev.to];
    case 'client-request':
    case 'client-response':
      return [ev.client, ev.node];
    case 'fault':
    case 'violation':
      return ev.nodes;
    case 'vote':
      return [ev.node, ev.candidate];
    case 'note':
      return [];
    case 'lease':
      return [ev.client];
    default:
      return [ev.node];
  }
}

/** The term or ballot a heartbeat run is drawn with. */
function heartbeatEra(msg: Message): string {
  switch (msg.type) {
    case 'AppendEntries':
      return `t${msg.term}`;
    case 'Heartbeat':
      return ballotLabel(msg.ballot);
    default:
      return '';
  }
}

function roleKey(node: string, t: Micros, term: number): string {
  return `${node}\u0000${t}\u0000${term}`;
}

function linkKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

function name(value: string): string {
  return truncate(value, NAME_CHARS_MAX);
}

function text(value: string): string {
  return truncate(value, TEXT_CHARS_MAX);
}

function reasonSuffix(reason: string): string {
  return reason === '' ? '' : ` (${text(reason)})`;
}
