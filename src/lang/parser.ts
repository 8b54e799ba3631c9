// The parser: one command per line, verb first (or a client name then its verb), then arguments, then
// key=value options. The command table below is the single source for parsing, completion, hover and
// the language reference (docs/language.md is generated from it and a test keeps them equal).

import type { ClientOpKind, CompareOp, Condition, Expectation, OptionValue, Protocol, Ref, Stmt } from './ast';
import { type Diagnostic, LangError, type Span, didYouMean, diag } from './diagnostics';
import { type Token, lexLine } from './lexer';

export type ValueKind = 'count-or-names' | 'int' | 'duration' | 'duration-range' | 'on-off' | 'enum' | 'bug' | 'percent';

export interface OptionSpec {
  name: string;
  value: ValueKind;
  values?: readonly string[];
  summary: string;
}

export interface CommandSpec {
  name: string;
  syntax: string;
  summary: string;
  group: 'Cluster' | 'Faults' | 'Time' | 'Clients' | 'Expectations' | 'Views' | 'Exploration';
  options?: readonly OptionSpec[];
  examples: readonly string[];
}

export const BUG_NAMES = ['commit-old-term', 'skip-up-to-date-check', 'forget-vote-on-restart'] as const;

export const CLUSTER_OPTIONS: readonly OptionSpec[] = [
  { name: 'nodes', value: 'count-or-names', summary: 'a count (`5` gives n1..n5) or names (`us1,us2,eu1`)' },
  { name: 'seed', value: 'int', summary: 'the seed of the run; same cells + same seed = same run' },
  { name: 'election-timeout', value: 'duration-range', summary: 'randomized election timeout range (default 150ms..300ms); a single value fixes it' },
  { name: 'heartbeat', value: 'duration', summary: 'leader heartbeat interval (default 50ms)' },
  { name: 'latency', value: 'duration-range', summary: 'one-way message latency range (default 2ms..10ms)' },
  { name: 'prevote', value: 'on-off', summary: 'pre-vote phase before elections (§9.6), default off' },
  { name: 'check-quorum', value: 'on-off', summary: 'a leader without a quorum steps down; followers ignore disruptive candidates; default off' },
  { name: 'read', value: 'enum', values: ['index', 'lease', 'log', 'local'], summary: 'how reads are served: ReadIndex (default), lease, through the log, or locally (stale)' },
  { name: 'bug', value: 'bug', values: BUG_NAMES, summary: 'turn on a deliberate protocol bug for teaching (never on by default)' },
  { name: 'client-retry', value: 'duration', summary: 'how long a client waits before retrying elsewhere (default 500ms)' },
];

const SET_OPTIONS = CLUSTER_OPTIONS.filter((o) => o.name !== 'nodes' && o.name !== 'seed');

const SHOW_OPTIONS: readonly OptionSpec[] = [
  { name: 'hide', value: 'enum', values: ['heartbeats', 'none'], summary: 'collapse heartbeats (default) or show every message' },
  { name: 'from', value: 'duration', summary: 'start of the time window (virtual time)' },
  { name: 'to', value: 'duration', summary: 'end of the time window (virtual time)' },
];

export const COMMANDS: readonly CommandSpec[] = [
  { name: 'cluster', group: 'Cluster', syntax: 'cluster raft|paxos|multi-paxos|bully nodes=N|a,b,c [option=value …]', summary: 'Declare a cluster and start a new simulation; later cells act on it.', options: CLUSTER_OPTIONS, examples: ['cluster raft nodes=5 seed=42', 'cluster raft nodes=us1,us2,us3,eu1,eu2 election-timeout=200ms'] },
  { name: 'zone', group: 'Cluster', syntax: 'zone NAME {n1 n2 …}', summary: 'Name a group of nodes (a site); zones shape latency and partitions.', examples: ['zone us-east {us1 us2 us3}'] },
  { name: 'latency', group: 'Cluster', syntax: 'latency A <->|-> B MIN..MAX', summary: 'Message latency between two zones or nodes.', examples: ['latency us-east <-> eu-west 40ms..60ms'] },
  { name: 'set', group: 'Cluster', syntax: 'set option=value …', summary: 'Change options of the running cluster (timeouts, heartbeat, latency, pre-vote, check-quorum, read mode, bugs).', options: SET_OPTIONS, examples: ['set election-timeout=200ms', 'set prevote=on check-quorum=on'] },
  { name: 'crash', group: 'Faults', syntax: 'crash NODE …', summary: 'Stop nodes; they keep what Raft persists (term, vote, log).', examples: ['crash n1'] },
  { name: 'restart', group: 'Faults', syntax: 'restart NODE …', summary: 'Restart crashed nodes as followers with their persistent state.', examples: ['restart n1'] },
  { name: 'pause', group: 'Faults', syntax: 'pause NODE DURATION', summary: 'A GC pause: the node is frozen (timers and inbox wait) while the world goes on.', examples: ['pause n1 20s'] },
  { name: 'partition', group: 'Faults', syntax: 'partition {a b} | {c d e}', summary: 'Split the network into groups (node sets or zone names) that cannot talk to each other.', examples: ['partition {n1 n2} | {n3 n4 n5}', 'partition us-east | eu-west ap-south'] },
  { name: 'isolate', group: 'Faults', syntax: 'isolate NODE', summary: 'Cut one node off from all others.', examples: ['isolate n3'] },
  { name: 'heal', group: 'Faults', syntax: 'heal', summary: 'Remove partitions, cuts and per-link loss.', examples: ['heal'] },
  { name: 'cut', group: 'Faults', syntax: 'cut A -> B | cut A <-> B', summary: 'A one-way (->) or two-way (<->) link failure.', examples: ['cut n1 -> n2', 'cut n1 <-> n2'] },
  { name: 'loss', group: 'Faults', syntax: 'loss P% | loss A -> B P%', summary: 'Random message loss, everywhere or on one link.', examples: ['loss 20%', 'loss n1 -> n2 50%'] },
  { name: 'delay', group: 'Faults', syntax: 'delay A -> B|* MIN..MAX', summary: 'Slow a link (or all links from a node) down.', examples: ['delay n1 -> * 100ms..200ms'] },
  { name: 'duplicate', group: 'Faults', syntax: 'duplicate P%', summary: 'Deliver some messages twice.', examples: ['duplicate 5%'] },
  { name: 'skew', group: 'Faults', syntax: 'skew NODE ±DURATION', summary: "Offset a node's clock (matters for leases and lock TTLs).", examples: ['skew n2 +5s'] },
  { name: 'run', group: 'Time', syntax: 'run DURATION | run until leader [NODE]|committed KEY[=VALUE]|stable [within DURATION]', summary: 'Advance virtual time; `until` stops as soon as the condition holds and fails clearly at its bound (default 60s).', examples: ['run 2s', 'run until leader', 'run until leader n3 within 10s'] },
  { name: 'step', group: 'Time', syntax: 'step [N]', summary: 'Process the next N events (default 1).', examples: ['step', 'step 10'] },
  { name: 'timeout', group: 'Time', syntax: 'timeout NODE', summary: "Fire a node's election timer now (for precise scenarios).", examples: ['timeout n2'] },
  { name: 'hold', group: 'Time', syntax: 'hold A -> B', summary: 'Keep messages on a link in flight until released or dropped.', examples: ['hold n1 -> n3'] },
  { name: 'release', group: 'Time', syntax: 'release A -> B', summary: 'Deliver the held messages of a link, oldest first, and stop holding it.', examples: ['release n1 -> n3'] },
  { name: 'drop', group: 'Time', syntax: 'drop A -> B', summary: 'Drop the held messages of a link and stop holding it.', examples: ['drop n1 -> n3'] },
  { name: 'at', group: 'Time', syntax: 'at TIME COMMAND', summary: 'Run a command when virtual time reaches TIME (client commands then run in the background).', examples: ['at 16s B put x=2'] },
  { name: 'after', group: 'Time', syntax: 'after DURATION COMMAND', summary: 'Run a command DURATION from now.', examples: ['after 2s crash n1'] },
  { name: 'put', group: 'Clients', syntax: 'CLIENT put KEY=VALUE [via NODE]', summary: 'A client write through the leader (the client finds it and retries, like a real client); `via` pins it to one node.', examples: ['A put x=1', 'A put x=1 via n1'] },
  { name: 'get', group: 'Clients', syntax: 'CLIENT get KEY [via NODE]', summary: 'A client read, served as the cluster\'s read mode says.', examples: ['A get x'] },
  { name: 'cas', group: 'Clients', syntax: 'CLIENT cas KEY OLD -> NEW [via NODE]', summary: 'Compare-and-swap.', examples: ['A cas x 1 -> 2'] },
  { name: 'delete', group: 'Clients', syntax: 'CLIENT delete KEY [via NODE]', summary: 'Delete a key.', examples: ['A delete x'] },
  { name: 'lock', group: 'Clients', syntax: 'CLIENT lock NAME ttl=DURATION [renew=DURATION]', summary: 'Take a lock with a TTL; grants a fencing token.', examples: ['A lock resource-x ttl=15s renew=5s'] },
  { name: 'unlock', group: 'Clients', syntax: 'CLIENT unlock NAME', summary: 'Release a lock.', examples: ['A unlock resource-x'] },
  { name: 'write', group: 'Clients', syntax: 'CLIENT write RESOURCE "VALUE" token', summary: 'A write to a fenced resource that rejects old tokens.', examples: ['A write storage "v1" token'] },
  { name: 'watch', group: 'Clients', syntax: 'CLIENT watch PREFIX', summary: 'Watch keys under a prefix.', examples: ['A watch /config/'] },
  { name: 'elect', group: 'Clients', syntax: 'CLIENT elect NAME lease=DURATION renew-deadline=DURATION retry=DURATION', summary: 'Kubernetes-style Lease election.', examples: ['A elect controller lease=15s renew-deadline=10s retry=2s'] },
  { name: 'propose', group: 'Clients', syntax: 'NODE propose VALUE', summary: 'A Paxos proposal.', examples: ['n1 propose X'] },
  { name: 'expect', group: 'Expectations', syntax: 'expect leader [NODE | in {…}] | no leader [in {…}] | term OP N | committed KEY=VALUE [on majority|all|NODE] | logs equal | safe | violation [NAME] | NODE is ROLE | CLIENT got VALUE | CLIENT failed', summary: 'An assertion; a failed one fails the cell and shows the evidence.', examples: ['expect leader n3', 'expect no leader in {n1 n2}', 'expect term >= 2', 'expect committed x=1 on majority', 'expect logs equal', 'expect safe'] },
  { name: 'show', group: 'Views', syntax: 'show sequence|states|log|topology [hide=heartbeats|none] [from=T] [to=T]', summary: 'Choose the views of this cell (default: the sequence diagram).', options: SHOW_OPTIONS, examples: ['show sequence hide=none from=2s to=5s', 'show log'] },
  { name: 'explore', group: 'Exploration', syntax: 'explore seeds=N faults=crash,partition,loss ops=N duration=D', summary: 'Run many seeds with random faults, check every invariant, and shrink a failure to a minimal run.', examples: ['explore seeds=1000 faults=crash,partition,loss ops=50 duration=10s'] },
];

const CLIENT_VERBS = ['put', 'get', 'cas', 'delete', 'lock', 'unlock', 'write', 'watch', 'elect'];
const TOP_LEVEL = COMMANDS.filter((c) => c.group !== 'Clients').map((c) => c.name);
const PROTOCOLS: readonly Protocol[] = ['raft', 'paxos', 'multi-paxos', 'bully'];

export interface ParsedCell {
  stmts: Stmt[];
  diagnostics: Diagnostic[];
}

/** Parse a whole cell. Never throws; every problem is a positioned diagnostic. */
export function parseCell(source: string): ParsedCell {
  const stmts: Stmt[] = [];
  const diagnostics: Diagnostic[] = [];
  const lines = source.split(/\r?\n/);
  lines.forEach((text, i) => {
    const tokens = lexLine(text, i + 1);
    if (tokens.length === 0) return;
    try {
      stmts.push(parseStatement(new Cursor(tokens, i + 1, text.length)));
    } catch (e) {
      if (e instanceof LangError) diagnostics.push(diag(e.message, e.span, e.fix));
      else throw e;
    }
  });
  return { stmts, diagnostics };
}

export class Cursor {
  private i = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly line: number,
    private readonly lineLength: number,
  ) {}

  peek(offset = 0): Token | undefined {
    return this.tokens[this.i + offset];
  }
  next(): Token | undefined {
    return this.tokens[this.i++];
  }
  atEnd(): boolean {
    return this.i >= this.tokens.length;
  }
  /** Span of the whole line's tokens. */
  lineSpan(): Span {
    const first = this.tokens[0]!;
    const last = this.tokens[this.tokens.length - 1]!;
    return { line: this.line, column: first.span.column, endColumn: last.span.endColumn };
  }
  endSpan(): Span {
    const last = this.tokens[this.tokens.length - 1];
    const col = last ? last.span.endColumn : this.lineLength + 1;
    return { line: this.line, column: col, endColumn: col + 1 };
  }
  fail(expected: string, tok = this.peek()): never {
    if (tok === undefined) throw new LangError(`Expected ${expected}, found end of line.`, this.endSpan());
    throw new LangError(`Expected ${expected}, found ${describe(tok)}.`, tok.span);
  }
  isSym(text: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'sym' && t.text === text;
  }
  isWord(text?: string): boolean {
    const t = this.peek();
    return t !== undefined && t.kind === 'word' && (text === undefined || t.text === text);
  }
  sym(text: string): Token {
    if (!this.isSym(text)) this.fail(`\`${text}\``);
    return this.next()!;
  }
  word(expected: string): Token {
    const t = this.peek();
    if (t === undefined || t.kind !== 'word') this.fail(expected);
    return this.next()!;
  }
  keyword(text: string): Token {
    if (!this.isWord(text)) this.fail(`\`${text}\``);
    return this.next()!;
  }
  /** A key or a value: a word, a number or a quoted string. */
  value(expected: string): Token {
    const t = this.peek();
    if (t === undefined || (t.kind !== 'word' && t.kind !== 'number' && t.kind !== 'string')) this.fail(expected);
    return this.next()!;
  }
  end(): void {
    const t = this.peek();
    if (t !== undefined) throw new LangError(`Expected end of line, found ${describe(t)}.`, t.span);
  }
  ref(expected: string): Ref {
    const t = this.word(expected);
    return { name: t.text, span: t.span };
  }
  /** `{a b c}` or a single name. */
  set(expected: string): Ref[] {
    if (!this.isSym('{')) return [this.ref(expected)];
    this.next();
    const out: Ref[] = [];
    while (!this.isSym('}')) {
      if (this.atEnd()) this.fail('`}`');
      if (this.isSym(',')) {
        this.next();
        continue;
      }
      out.push(this.ref('a node name'));
    }
    this.next();
    return out;
  }
  duration(expected = 'a duration such as `2s` or `150ms`'): { us: number; span: Span } {
    const t = this.peek();
    if (t === undefined || t.kind !== 'number') this.fail(expected);
    this.next();
    return { us: parseDuration(t), span: t.span };
  }
  durationRange(): { lo: number; hi: number; span: Span } {
    const t = this.peek();
    if (t === undefined || (t.kind !== 'range' && t.kind !== 'number')) this.fail('a duration range such as `150ms..300ms`');
    this.next();
    const [lo, hi] = parseDurationRange(t);
    return { lo, hi, span: t.span };
  }
  percent(): number {
    const t = this.peek();
    if (t === undefined || t.kind !== 'number') this.fail('a percentage such as `20%`');
    this.next();
    return parsePercent(t);
  }
  options(specs: readonly OptionSpec[], command: string): OptionValue[] {
    const out: OptionValue[] = [];
    while (!this.atEnd()) {
      const key = this.peek()!;
      if (key.kind !== 'word') this.fail('an option such as `name=value`');
      const spec = specs.find((s) => s.name === key.text);
      if (spec === undefined) {
        const names = specs.map((s) => s.name);
        const dym = didYouMean(key.text, names);
        throw new LangError(
          `Unknown option \`${key.text}\` for \`${command}\`.${dym.text || ` Options: ${names.join(', ')}.`}`,
          key.span,
          dym.best ? { title: `Change to \`${dym.best}\``, span: key.span, replacement: dym.best } : undefined,
        );
      }
      this.next();
      if (!this.isSym('=')) this.fail(`\`=\` after \`${key.text}\``);
      this.next();
      const v = this.peek();
      if (v === undefined || v.kind === 'sym' || v.kind === 'bad') this.fail(`a value for \`${key.text}\``);
      this.next();
      let value = v.text;
      let end = v.span.endColumn;
      // Comma lists (nodes=a,b,c; faults=crash,loss) are one value.
      while (this.isSym(',')) {
        this.next();
        const more = this.value(`another value after \`,\` in \`${key.text}\``);
        value += `,${more.text}`;
        end = more.span.endColumn;
      }
      const valueSpan: Span = { line: v.span.line, column: v.span.column, endColumn: end };
      validateOptionValue(spec, value, valueSpan);
      out.push({ key: key.text, value, span: { ...key.span, endColumn: end }, keySpan: key.span, valueSpan });
    }
    return out;
  }
}

function describe(t: Token): string {
  if (t.kind === 'string') return `"${t.text}"`;
  if (t.kind === 'bad') return `unexpected character \`${t.text.slice(0, 20)}\``;
  return `\`${t.text}\``;
}

const UNITS: Record<string, number> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000, m: 60_000_000, h: 3_600_000_000 };
/** The longest virtual time a scenario may name: one week. */
export const MAX_DURATION_US = 7 * 24 * 3_600_000_000;

export function parseDuration(t: Token): number {
  const m = /^([+-]?)(\d+(?:\.\d+)?)([a-zµ]*)$/i.exec(t.text);
  if (!m) throw new LangError(`Expected a duration such as \`2s\` or \`150ms\`, found \`${t.text}\`.`, t.span);
  const unit = m[3]!;
  if (unit === '') {
    throw new LangError(`A duration needs a unit: \`${t.text}ms\` or \`${t.text}s\`.`, t.span, {
      title: `Add unit \`ms\``,
      span: t.span,
      replacement: `${t.text}ms`,
    });
  }
  const mult = UNITS[unit];
  if (mult === undefined) {
    const dym = didYouMean(unit, Object.keys(UNITS));
    throw new LangError(`Unknown time unit \`${unit}\`; use us, ms, s, m or h.${dym.text}`, t.span);
  }
  const us = Math.round(Number(m[2]) * mult) * (m[1] === '-' ? -1 : 1);
  if (Math.abs(us) > MAX_DURATION_US) throw new LangError(`\`${t.text}\` is longer than the 7-day limit of a scenario.`, t.span);
  return us;
}

function parseDurationRange(t: Token): [number, number] {
  if (t.kind === 'number') {
    const v = parseDuration(t);
    return [v, v];
  }
  const [a, b] = t.text.split('..') as [string, string];
  const lo = parseDuration({ ...t, text: a });
  const hi = parseDuration({ ...t, text: /[a-zµ]$/i.test(b) ? b : b + (/[a-zµ]+$/i.exec(a)?.[0] ?? '') });
  if (lo < 0 || hi < lo) throw new LangError(`The range \`${t.text}\` must go from low to high.`, t.span);
  return [lo, hi];
}

function parsePercent(t: Token): number {
  const m = /^(\d+(?:\.\d+)?)%$/.exec(t.text);
  if (!m) throw new LangError(`Expected a percentage such as \`20%\`, found \`${t.text}\`.`, t.span);
  const p = Number(m[1]);
  if (p > 100) throw new LangError(`A percentage is at most 100%, found \`${t.text}\`.`, t.span);
  return Math.round(p * 10);
}

function validateOptionValue(spec: OptionSpec, value: string, span: Span): void {
  const tok: Token = { kind: 'number', text: value, span };
  switch (spec.value) {
    case 'int':
      if (!/^\d+$/.test(value)) throw new LangError(`Expected a whole number for \`${spec.name}\`, found \`${value}\`.`, span);
      return;
    case 'count-or-names':
      if (/^\d+$/.test(value)) return;
      if (/^[+-]?\d/.test(value)) throw new LangError(`Expected a node count or names for \`nodes\`, found \`${value}\`.`, span);
      return;
    case 'duration':
      parseDuration(tok);
      return;
    case 'duration-range':
      parseDurationRange(value.includes('..') ? { ...tok, kind: 'range' } : tok);
      return;
    case 'percent':
      parsePercent(tok);
      return;
    case 'on-off':
      if (value !== 'on' && value !== 'off') throw badChoice(spec, value, span, ['on', 'off']);
      return;
    case 'enum':
    case 'bug':
      for (const v of value.split(',')) if (!spec.values!.includes(v)) throw badChoice(spec, v, span, spec.values!);
      return;
  }
}

function badChoice(spec: OptionSpec, value: string, span: Span, choices: readonly string[]): LangError {
  const dym = didYouMean(value, choices);
  return new LangError(
    `Expected ${choices.map((c) => `\`${c}\``).join(', ')} for \`${spec.name}\`, found \`${value}\`.${dym.text}`,
    span,
    dym.best ? { title: `Change to \`${dym.best}\``, span, replacement: dym.best } : undefined,
  );
}

export function optionDuration(o: OptionValue): number {
  return parseDuration({ kind: 'number', text: o.value, span: o.valueSpan });
}

export function optionDurationRange(o: OptionValue): [number, number] {
  return parseDurationRange({ kind: o.value.includes('..') ? 'range' : 'number', text: o.value, span: o.valueSpan });
}

// ---------------------------------------------------------------------------------------------------

function parseStatement(c: Cursor): Stmt {
  const first = c.peek()!;
  const span = c.lineSpan();
  if (first.kind !== 'word') c.fail('a command');
  const second = c.peek(1);
  if (second?.kind === 'word' && (CLIENT_VERBS.includes(second.text) || second.text === 'propose') && !TOP_LEVEL.includes(first.text)) {
    return parseClient(c, span);
  }
  const name = first.text;
  if (!TOP_LEVEL.includes(name)) {
    if (second?.kind === 'word' && !TOP_LEVEL.includes(name)) {
      const verbs = [...CLIENT_VERBS, 'propose'];
      const dym = didYouMean(second.text, verbs);
      if (dym.best !== null && didYouMean(name, TOP_LEVEL).best === null) {
        throw new LangError(`Unknown client operation \`${second.text}\`.${dym.text}`, second.span, {
          title: `Change to \`${dym.best}\``,
          span: second.span,
          replacement: dym.best,
        });
      }
    }
    const dym = didYouMean(name, TOP_LEVEL);
    throw new LangError(
      `Unknown command \`${name}\`.${dym.text || ' Commands start with a verb such as `cluster`, `run`, `crash` or `expect`, or a client name and an operation such as `A put x=1`.'}`,
      first.span,
      dym.best ? { title: `Change to \`${dym.best}\``, span: first.span, replacement: dym.best } : undefined,
    );
  }
  c.next();
  const stmt = parseCommand(c, name, span);
  c.end();
  return stmt;
}

function parseCommand(c: Cursor, name: string, span: Span): Stmt {
  switch (name) {
    case 'cluster': {
      const p = c.word('a protocol: raft, paxos, multi-paxos or bully');
      if (!PROTOCOLS.includes(p.text as Protocol)) {
        const dym = didYouMean(p.text, PROTOCOLS);
        throw new LangError(`Unknown protocol \`${p.text}\`; use raft, paxos, multi-paxos or bully.${dym.text}`, p.span, dym.best ? { title: `Change to \`${dym.best}\``, span: p.span, replacement: dym.best } : undefined);
      }
      const options = c.options(CLUSTER_OPTIONS, 'cluster');
      const nodesOpt = options.find((o) => o.key === 'nodes');
      if (nodesOpt === undefined) throw new LangError('Expected `nodes=N` or `nodes=a,b,c` in `cluster`.', c.endSpan());
      return { kind: 'cluster', span, protocol: p.text as Protocol, nodes: nodeList(nodesOpt), options };
    }
    case 'zone': {
      const zone = c.ref('a zone name');
      const nodes = c.set('a set of nodes such as `{n1 n2}`');
      return { kind: 'zone', span, name: zone, nodes };
    }
    case 'latency': {
      const a = c.ref('a zone or node');
      const bothWays = c.isSym('<->');
      if (!bothWays) c.sym('->');
      else c.next();
      const b = c.ref('a zone or node');
      const r = c.durationRange();
      return { kind: 'latency', span, a, b, bothWays, loUs: r.lo, hiUs: r.hi };
    }
    case 'set':
      if (c.atEnd()) c.fail('an option such as `election-timeout=200ms`');
      return { kind: 'set', span, options: c.options(SET_OPTIONS, 'set') };
    case 'crash':
    case 'restart': {
      const nodes: Ref[] = [];
      while (!c.atEnd()) nodes.push(...c.set('a node'));
      if (nodes.length === 0) c.fail('a node');
      return { kind: name, span, nodes };
    }
    case 'pause': {
      const node = c.ref('a node');
      const d = c.duration();
      if (d.us <= 0) throw new LangError('A pause must last longer than 0.', d.span);
      return { kind: 'pause', span, node, durationUs: d.us };
    }
    case 'partition': {
      const groups: Ref[][] = [[]];
      while (!c.atEnd()) {
        if (c.isSym('|')) {
          c.next();
          groups.push([]);
          continue;
        }
        groups[groups.length - 1]!.push(...c.set('a node set `{…}` or a zone'));
      }
      if (groups.length < 2 || groups.some((g) => g.length === 0)) {
        throw new LangError('Expected groups separated by `|`, such as `partition {n1 n2} | {n3 n4 n5}`.', span);
      }
      return { kind: 'partition', span, groups };
    }
    case 'isolate':
      return { kind: 'isolate', span, node: c.ref('a node') };
    case 'heal':
      return { kind: 'heal', span };
    case 'cut': {
      const from = c.ref('a node');
      const bothWays = c.isSym('<->');
      if (!bothWays) c.sym('->');
      else c.next();
      return { kind: 'cut', span, from, to: c.ref('a node'), bothWays };
    }
    case 'loss': {
      if (c.isWord()) {
        const from = c.ref('a node');
        c.sym('->');
        const to = c.ref('a node');
        return { kind: 'loss', span, from, to, permille: c.percent() };
      }
      return { kind: 'loss', span, from: null, to: null, permille: c.percent() };
    }
    case 'delay': {
      const from = c.ref('a node');
      c.sym('->');
      let to: Ref;
      if (c.isSym('*')) {
        const t = c.next()!;
        to = { name: '*', span: t.span };
      } else to = c.ref('a node or `*`');
      const r = c.durationRange();
      return { kind: 'delay', span, from, to, loUs: r.lo, hiUs: r.hi };
    }
    case 'duplicate':
      return { kind: 'duplicate', span, permille: c.percent() };
    case 'skew': {
      const node = c.ref('a node');
      return { kind: 'skew', span, node, offsetUs: c.duration('a clock offset such as `+5s`').us };
    }
    case 'run':
      return parseRun(c, span);
    case 'step': {
      if (c.atEnd()) return { kind: 'step', span, count: 1 };
      const t = c.next()!;
      if (t.kind !== 'number' || !/^\d+$/.test(t.text) || Number(t.text) < 1) c.fail('a number of events such as `10`', t);
      return { kind: 'step', span, count: Number(t.text) };
    }
    case 'timeout':
      return { kind: 'timeout', span, node: c.ref('a node') };
    case 'hold':
    case 'release':
    case 'drop': {
      const from = c.ref('a node');
      c.sym('->');
      return { kind: name, span, from, to: c.ref('a node') };
    }
    case 'at':
    case 'after': {
      const d = c.duration(name === 'at' ? 'a virtual time such as `16s`' : 'a duration such as `2s`');
      if (d.us < 0) throw new LangError('A time must not be negative.', d.span);
      if (c.atEnd()) c.fail('a command');
      const inner = parseStatement(c);
      if (inner.kind === 'at' || inner.kind === 'expect' || inner.kind === 'show' || inner.kind === 'cluster') {
        throw new LangError(`\`${inner.kind}\` cannot be scheduled with \`${name}\`.`, inner.span);
      }
      return { kind: 'at', span, timeUs: d.us, relative: name === 'after', stmt: inner };
    }
    case 'expect':
      return { kind: 'expect', span, expectation: parseExpectation(c) };
    case 'show': {
      const v = c.word('a view: sequence, states, log or topology');
      const views = ['sequence', 'states', 'log', 'topology'] as const;
      if (!(views as readonly string[]).includes(v.text)) {
        const dym = didYouMean(v.text, views);
        throw new LangError(`Unknown view \`${v.text}\`; use sequence, states, log or topology.${dym.text}`, v.span, dym.best ? { title: `Change to \`${dym.best}\``, span: v.span, replacement: dym.best } : undefined);
      }
      return { kind: 'show', span, view: v.text as (typeof views)[number], options: c.options(SHOW_OPTIONS, 'show') };
    }
    case 'explore':
      while (!c.atEnd()) c.next();
      return { kind: 'unavailable', span, what: 'explore', missing: 'the exploration runner (swarm over seeds with shrinking)' };
    default:
      throw new LangError(`Unknown command \`${name}\`.`, span);
  }
}

function nodeList(o: OptionValue): Ref[] {
  if (/^\d+$/.test(o.value)) {
    const n = Number(o.value);
    if (n < 1) throw new LangError('A cluster needs at least 1 node.', o.valueSpan);
    if (n > 51) throw new LangError(`A cluster has at most 51 nodes; found ${n}.`, o.valueSpan);
    return Array.from({ length: n }, (_, i) => ({ name: `n${i + 1}`, span: o.valueSpan }));
  }
  const refs: Ref[] = [];
  let col = o.valueSpan.column;
  for (const name of o.value.split(',')) {
    const span: Span = { line: o.valueSpan.line, column: col, endColumn: col + name.length };
    if (!/^[A-Za-z_][A-Za-z0-9_\-]*$/.test(name)) throw new LangError(`\`${name}\` is not a valid node name (letters, digits, - and _; starting with a letter).`, span);
    if (refs.some((r) => r.name === name)) throw new LangError(`Node \`${name}\` is declared twice.`, span);
    refs.push({ name, span });
    col += name.length + 1;
  }
  if (refs.length > 51) throw new LangError(`A cluster has at most 51 nodes; found ${refs.length}.`, o.valueSpan);
  return refs;
}

function parseRun(c: Cursor, span: Span): Stmt {
  if (c.isWord('until')) {
    c.next();
    const what = c.word('a condition: leader, committed, stable or decided');
    let until: Condition;
    switch (what.text) {
      case 'leader':
        until = { kind: 'leader', node: c.isWord() && !c.isWord('within') ? c.ref('a node') : null };
        break;
      case 'committed': {
        const key = c.value('a key');
        let value: string | null = null;
        if (c.isSym('=')) {
          c.next();
          value = c.value('a value').text;
        }
        until = { kind: 'committed', key: key.text, value };
        break;
      }
      case 'stable':
        until = { kind: 'stable' };
        break;
      case 'decided':
        until = { kind: 'decided' };
        break;
      default: {
        const dym = didYouMean(what.text, ['leader', 'committed', 'stable', 'decided']);
        throw new LangError(`Unknown condition \`${what.text}\`; use leader, committed, stable or decided.${dym.text}`, what.span, dym.best ? { title: `Change to \`${dym.best}\``, span: what.span, replacement: dym.best } : undefined);
      }
    }
    let withinUs: number | null = null;
    if (c.isWord('within')) {
      c.next();
      const d = c.duration();
      if (d.us <= 0) throw new LangError('`within` needs a positive duration.', d.span);
      withinUs = d.us;
    }
    return { kind: 'run', span, durationUs: null, until, withinUs };
  }
  const d = c.duration('a duration such as `2s`, or `until leader`');
  if (d.us < 0) throw new LangError('Time only runs forward: the duration must not be negative.', d.span);
  return { kind: 'run', span, durationUs: d.us, until: null, withinUs: null };
}

function parseClient(c: Cursor, span: Span): Stmt {
  const client = c.ref('a client name');
  const verb = c.next()!;
  if (verb.text === 'propose') {
    while (!c.atEnd()) c.next();
    return { kind: 'unavailable', span, what: 'propose', missing: 'the Paxos engine' };
  }
  const op = verb.text;
  if (op === 'lock' || op === 'unlock' || op === 'write' || op === 'watch' || op === 'elect') {
    while (!c.atEnd()) c.next();
    return { kind: 'unavailable', span, what: `${op}`, missing: 'the coordination service (locks, fencing tokens, watches, leases) on top of the replicated KV' };
  }
  const key = c.value('a key');
  let value = '';
  let expect = '';
  if (op === 'put') {
    c.sym('=');
    value = c.value('a value').text;
  } else if (op === 'cas') {
    expect = c.value('the expected old value').text;
    c.sym('->');
    value = c.value('the new value').text;
  }
  let via: Ref | null = null;
  if (c.isWord('via')) {
    c.next();
    via = c.ref('a node');
  }
  c.end();
  return { kind: 'client', span, client, op: op as ClientOpKind, key: key.text, value, expect, via };
}

function parseExpectation(c: Cursor): Expectation {
  const t = c.peek();
  if (t === undefined) c.fail('an expectation such as `leader n3`, `term >= 2` or `safe`');
  if (c.isWord('no')) {
    c.next();
    c.keyword('leader');
    return { kind: 'leader', in: c.isWord('in') ? (c.next(), c.set('a node set')) : null, negated: true };
  }
  if (c.isWord('leader')) {
    c.next();
    if (c.atEnd()) return { kind: 'leader', in: null, negated: false };
    if (c.isWord('in')) {
      c.next();
      return { kind: 'leader', in: c.set('a node set'), negated: false };
    }
    return { kind: 'leader', in: [c.ref('a node')], negated: false };
  }
  if (c.isWord('term')) {
    c.next();
    const opTok = c.peek();
    const ops: CompareOp[] = ['=', '>=', '<=', '>', '<'];
    if (opTok === undefined || opTok.kind !== 'sym' || !ops.includes(opTok.text as CompareOp)) c.fail('a comparison: =, >=, <=, > or <');
    c.next();
    const n = c.peek();
    if (n === undefined || n.kind !== 'number' || !/^\d+$/.test(n.text)) c.fail('a term number');
    c.next();
    return { kind: 'term', op: opTok.text as CompareOp, value: Number(n.text) };
  }
  if (c.isWord('committed')) {
    c.next();
    const key = c.value('a key');
    c.sym('=');
    const value = c.value('a value').text;
    let on: 'majority' | 'all' | Ref = 'majority';
    if (c.isWord('on')) {
      c.next();
      if (c.isWord('majority') || c.isWord('all')) on = c.next()!.text as 'majority' | 'all';
      else on = c.ref('`majority`, `all` or a node');
    }
    return { kind: 'committed', key: key.text, value, on };
  }
  if (c.isWord('logs')) {
    c.next();
    c.keyword('equal');
    return { kind: 'logs-equal' };
  }
  if (c.isWord('safe')) {
    c.next();
    return { kind: 'safe' };
  }
  if (c.isWord('violation')) {
    c.next();
    let name: string | null = null;
    if (!c.atEnd()) {
      const v = c.value('an invariant name');
      name = v.text;
    }
    return { kind: 'violation', invariant: name };
  }
  if (c.isWord('decided') || c.isWord('linearizable') || c.isWord('rejected')) {
    const w = c.next()!;
    throw new LangError(`\`expect ${w.text}\` is not available yet: it needs ${w.text === 'decided' ? 'the Paxos engine' : w.text === 'linearizable' ? 'the linearizability checker' : 'fenced resources'}.`, w.span);
  }
  const who = c.ref('an expectation such as `leader n3`, `term >= 2`, `committed x=1`, `logs equal` or `safe`');
  if (c.isWord('is')) {
    c.next();
    const role = c.word('a role: leader, follower, candidate or down');
    const roles = ['leader', 'follower', 'candidate', 'precandidate', 'down'];
    if (!roles.includes(role.text)) {
      const dym = didYouMean(role.text, roles);
      throw new LangError(`Unknown role \`${role.text}\`.${dym.text}`, role.span);
    }
    return { kind: 'role', node: who, role: role.text };
  }
  if (c.isWord('got')) {
    c.next();
    return { kind: 'client-got', client: who, value: c.value('a value').text };
  }
  if (c.isWord('failed')) {
    c.next();
    return { kind: 'client-failed', client: who };
  }
  const dym = didYouMean(who.name, ['leader', 'no', 'term', 'committed', 'logs', 'safe', 'violation']);
  throw new LangError(`Unknown expectation \`${who.name}\`.${dym.text || ' Expected `leader`, `no leader`, `term`, `committed`, `logs equal`, `safe`, `violation`, `NODE is ROLE`, or `CLIENT got VALUE`.'}`, who.span, dym.best ? { title: `Change to \`${dym.best}\``, span: who.span, replacement: dym.best } : undefined);
}
