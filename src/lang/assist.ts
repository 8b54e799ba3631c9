// Editor assistance for the VS Code adapter: completion and hover, from the same tables the parser
// uses (COMMANDS, their options, FACTS). Pure functions of the cell text and a position; no vscode.
//
// Positions are 1-based, like Diagnostic spans: `line` is the cell line, `column` the cursor column
// (the cursor sits just before the character at `column`; from a vscode.Position pass line + 1 and
// character + 1).

import {
  CLIENT_VERBS,
  COMPARE_OPS,
  type CommandSpec,
  FACTS,
  type FactSpec,
  type OptionSpec,
  PROTOCOLS,
  ROLES,
  SCHEDULABLE,
  TOP_LEVEL,
  VIEWS,
  commandSpec,
} from './parser';
import { type Token, lexLine } from './lexer';

export interface CompletionContext {
  nodes: string[];
  clients: string[];
  zones: string[];
}

export type CompletionKind = 'command' | 'option' | 'node' | 'client' | 'value' | 'keyword';

export interface CompletionItem {
  label: string;
  kind: CompletionKind;
  detail: string;
  /** What to insert when it differs from the label (`nodes=` for the option `nodes`). */
  insertText?: string;
}

/** What may come at (line, column): the editor filters the list by the word being typed. */
export function completions(cellText: string, line: number, column: number, context: CompletionContext): CompletionItem[] {
  const text = cellText.split(/\r?\n|\r/)[line - 1] ?? '';
  const before = text.slice(0, Math.max(0, column - 1));
  if (before.includes('#')) return [];
  const tokens = lexLine(before, line);
  // The word under the cursor is being typed: complete what may stand in its place.
  const last = tokens[tokens.length - 1];
  const typing = last !== undefined && last.kind !== 'sym' && last.span.endColumn === before.length + 1;
  const ctx = typing ? tokens.slice(0, -1) : tokens;
  const stmt = statementStart(ctx);
  const items = new Slot(stmt, context).items();
  // After `at TIME`, only what can be scheduled.
  return dedupe(stmt.length === 0 && stmt !== ctx ? items.filter((i) => i.kind !== 'command' || SCHEDULABLE.has(i.label)) : items);
}

/** Markdown for the word at (line, column): a command, a client operation, an option or a fact. */
export function hover(cellText: string, line: number, column: number): string | null {
  const text = cellText.split(/\r?\n|\r/)[line - 1] ?? '';
  const tokens = lexLine(text, line);
  const at = tokens.findIndex((t) => t.span.column <= column && column < t.span.endColumn);
  if (at < 0) return null;
  const tok = tokens[at]!;
  if (tok.kind !== 'word') return null;
  const stmt = statementStart(tokens.slice(0, at));
  const head = stmt[0];
  if (stmt.length === 0) {
    const spec = commandSpec(tok.text);
    return spec && spec.form === 'command' ? commandHover(spec) : null;
  }
  if (stmt.length === 1 && head!.kind === 'word' && commandSpec(head!.text)?.form !== 'command') {
    const spec = commandSpec(tok.text);
    return spec && spec.form !== 'command' ? commandHover(spec) : null;
  }
  const spec = head?.kind === 'word' ? commandSpec(head.text) ?? (stmt.length > 1 && stmt[1]!.kind === 'word' ? commandSpec(stmt[1]!.text) : undefined) : undefined;
  const next = tokens[at + 1];
  if (spec?.options && next?.kind === 'sym' && next.text === '=') {
    const o = spec.options.find((x) => x.name === tok.text);
    if (o) return optionHover(spec, o);
  }
  if (spec?.name === 'expect' || (spec?.name === 'run' && stmt.some((t) => t.text === 'until'))) {
    const prev = tokens[at - 1];
    const subject = prev?.kind === 'word' && !['expect', 'until', 'not'].includes(prev.text);
    const fact = FACTS.find((f) => f.word === tok.text && (f.subject !== undefined) === subject);
    if (fact) return factHover(fact);
  }
  return null;
}

// ---------------------------------------------------------------------------------------------------

/** The tokens of the statement the cursor is in: what follows `at TIME` / `after D` is a statement. */
function statementStart(tokens: Token[]): Token[] {
  let t = tokens;
  while (t.length >= 2 && t[0]!.kind === 'word' && (t[0]!.text === 'at' || t[0]!.text === 'after') && t[1]!.kind === 'number') t = t.slice(2);
  return t;
}

function commandHover(c: CommandSpec): string {
  const lines = [`**${c.name}** — ${c.summary}`, '', '```consensus', c.syntax, '```'];
  if (c.options && c.options.length > 0) lines.push('', ...c.options.map((o) => `- \`${o.name}=${o.placeholder}\` ${o.summary}`));
  if (c.protocols) lines.push('', `For ${c.protocols.join(', ')} clusters.`);
  lines.push('', `Example: \`${c.examples[0]}\``);
  return lines.join('\n');
}

function optionHover(c: CommandSpec, o: OptionSpec): string {
  const values = o.values ? ` One of ${o.values.map((v) => `\`${v}\``).join(', ')}${o.list ? ', comma-separated' : ''}.` : '';
  const range = o.min !== undefined && o.max !== undefined ? ` A whole number from ${o.min.toLocaleString('en-US')} to ${o.max.toLocaleString('en-US')}.` : '';
  const only = o.protocols ? ` For ${o.protocols.join(', ')} clusters.` : '';
  return `**${o.name}** (option of \`${c.name}\`) — ${o.summary}.${values}${range}${only}\n\nExample: \`${o.name}=${o.placeholder.split('|')[0]}\``;
}

function factHover(f: FactSpec): string {
  return `**${f.syntax}** — ${f.summary}${f.untilOnly ? ' (for `run until` only)' : f.expectOnly ? ' (for `expect` only)' : ''}.`;
}

function dedupe(items: CompletionItem[]): CompletionItem[] {
  const seen = new Set<string>();
  return items.filter((i) => {
    const key = `${i.kind}\u0000${i.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const word = (t: Token | undefined, text?: string): boolean => t !== undefined && t.kind === 'word' && (text === undefined || t.text === text);
const sym = (t: Token | undefined, text: string): boolean => t !== undefined && t.kind === 'sym' && t.text === text;

/** Completion of the slot after `tokens` (the start of a statement, already past `at TIME`). */
class Slot {
  constructor(
    private readonly tokens: Token[],
    private readonly ctx: CompletionContext,
  ) {}

  items(): CompletionItem[] {
    const t = this.tokens;
    if (t.length === 0) return [...this.commands(), ...this.clients()];
    const head = t[0]!;
    if (head.kind !== 'word') return [];
    const spec = commandSpec(head.text);
    if (spec?.form === 'command') return this.after(spec, t.slice(1));
    // A client (or node) name, then its operation.
    if (t.length === 1) return this.verbs(this.ctx.nodes.includes(head.text));
    const verb = commandSpec(t[1]!.text);
    return verb ? this.after(verb, t.slice(2)) : [];
  }

  private after(spec: CommandSpec, args: Token[]): CompletionItem[] {
    const last = args[args.length - 1];
    // `key=` → the option's values.
    if (sym(last, '=') && spec.options) {
      const key = args[args.length - 2];
      const o = spec.options.find((x) => word(key, x.name));
      return o ? optionValues(o) : [];
    }
    // Inside `{…}`: nodes.
    const open = args.map((a) => a.text).lastIndexOf('{');
    if (open >= 0 && !args.slice(open).some((a) => sym(a, '}'))) return this.nodes();
    switch (spec.name) {
      case 'cluster':
        return args.length === 0 ? PROTOCOLS.map((p) => ({ label: p, kind: 'value', detail: 'protocol' })) : this.options(spec.options!);
      case 'set':
      case 'explore':
        return this.options(spec.options!);
      case 'show':
        return args.length === 0 ? VIEWS.map((v) => ({ label: v, kind: 'value', detail: 'view' })) : this.options(spec.options!);
      case 'zone':
        return args.length === 0 ? [] : this.nodes();
      case 'crash':
      case 'restart':
      case 'partition':
        return [...this.nodes(), ...this.zones(), ...(spec.name === 'partition' && args.length > 0 ? [keyword('|', 'next group')] : [])];
      case 'pause':
        return args.length === 0 ? [...this.nodes(), ...this.zones(), ...this.clients()] : [];
      case 'isolate':
      case 'timeout':
      case 'skew':
        return args.length === 0 ? this.nodes() : [];
      case 'latency':
      case 'cut':
      case 'loss':
      case 'delay':
      case 'hold':
      case 'release':
      case 'drop':
        return this.link(args);
      case 'run':
        if (args.length === 0) return [keyword('until', 'run until a fact holds')];
        if (!word(args[0], 'until')) return [];
        return this.fact(args.slice(1), true);
      case 'at':
      case 'after':
        return [];
      case 'expect':
        return this.fact(args, false);
      case 'put':
      case 'create':
      case 'get':
      case 'cas':
      case 'delete': {
        if (word(last, 'via')) return this.nodes();
        if (word(last, 'within')) return [];
        const writes = spec.name === 'put' || spec.name === 'create';
        if (!(writes ? args.length >= 3 : spec.name === 'cas' ? args.length >= 4 : args.length >= 1)) return [];
        const tail = [keyword('via', 'send to one node only'), keyword('within', 'how long to wait for the answer'), keyword('nowait', 'do not wait for the answer')];
        return writes ? [...this.options(spec.options!), ...tail] : tail;
      }
      case 'lock':
      case 'elect':
        return args.length === 0 ? [] : this.options(spec.options!);
      default:
        return [];
    }
  }

  private link(args: Token[]): CompletionItem[] {
    const arrow = args.findIndex((a) => sym(a, '->') || sym(a, '<->'));
    const endpoints = [...this.nodes(), ...this.zones(), { label: '*', kind: 'value' as const, detail: 'every node' }];
    if (arrow < 0) return args.length === 0 ? endpoints : [keyword('->', 'one way'), keyword('<->', 'both ways')];
    return args.length === arrow + 1 ? endpoints : [];
  }

  private fact(args: Token[], until: boolean): CompletionItem[] {
    const a = word(args[0], 'not') ? args.slice(1) : args;
    const last = a[a.length - 1];
    if (word(last, 'within')) return [];
    if (a.length === 0) {
      const facts = FACTS.filter((f) => f.subject === undefined && (until ? !f.expectOnly : !f.untilOnly));
      return [
        ...(args.length === 0 ? [keyword('not', 'the fact does not hold')] : []),
        ...facts.map((f) => keyword(f.word, f.syntax)),
        ...this.nodes(),
        ...this.clients(),
      ];
    }
    return [...this.factArgs(a), ...(until ? [keyword('within', 'give up after this long')] : [])];
  }

  private factArgs(a: Token[]): CompletionItem[] {
    const first = a[0]!;
    const last = a[a.length - 1]!;
    if (word(first, 'leader') || (word(first, 'no') && a.length >= 2)) {
      if (word(last, 'in')) return [...this.nodes(), ...this.zones()];
      return a.length === 1 || (word(first, 'no') && a.length === 2) ? [keyword('in', 'a set or zone'), ...(word(first, 'leader') ? this.nodes() : [])] : [];
    }
    if (word(first, 'no') && a.length === 1) return [keyword('leader', 'no node acts as leader')];
    // `term OP N`, `NODE term|commit|log OP N`: the comparison.
    const compared = word(first, 'term') ? 1 : ['term', 'commit', 'log'].some((v) => word(a[1], v)) ? 2 : 0;
    if (compared > 0) return a.length === compared ? COMPARE_OPS.map((o) => keyword(o, 'comparison')) : [];
    if (word(first, 'committed')) {
      if (word(last, 'on')) return [keyword('majority', 'stored on a majority'), keyword('all', 'stored on every node'), ...this.nodes()];
      return a.length >= 2 ? [keyword('on', 'where the write is stored')] : [];
    }
    if (word(first, 'logs')) return a.length === 1 ? [keyword('equal', 'every node holds the same log')] : [];
    if (word(first, 'violation')) return [];
    if (first.kind === 'word' && a.length === 1) {
      const subject = this.ctx.nodes.includes(first.text) ? 'node' : this.ctx.clients.includes(first.text) ? 'client' : null;
      return FACTS.filter((f) => subject !== null && f.subject === subject).map((f) => keyword(f.word, f.syntax));
    }
    if (word(a[1], 'is') && a.length === 2) return ROLES.map((r) => ({ label: r, kind: 'value' as const, detail: 'role' }));
    if (word(a[1], 'has') && a.length >= 3) {
      return [keyword('committed', 'committed as far as the node knows'), keyword('uncommitted', 'not committed as far as the node knows')];
    }
    return [];
  }

  private commands(): CompletionItem[] {
    return TOP_LEVEL.map((name) => {
      const c = commandSpec(name)!;
      return { label: name, kind: 'command', detail: c.syntax };
    });
  }

  private verbs(isNode: boolean): CompletionItem[] {
    return CLIENT_VERBS.map((v) => commandSpec(v)!)
      .filter((c) => (c.form === 'node') === isNode)
      .map((c) => ({ label: c.name, kind: 'command', detail: c.syntax }));
  }

  private options(specs: readonly OptionSpec[]): CompletionItem[] {
    const used = new Set(this.tokens.filter((t, i) => word(t) && sym(this.tokens[i + 1], '=')).map((t) => t.text));
    return specs.filter((o) => !used.has(o.name)).map((o) => ({ label: o.name, kind: 'option', detail: o.summary, insertText: `${o.name}=` }));
  }

  private nodes(): CompletionItem[] {
    return this.ctx.nodes.map((n) => ({ label: n, kind: 'node', detail: 'node' }));
  }

  private zones(): CompletionItem[] {
    return this.ctx.zones.map((z) => ({ label: z, kind: 'value', detail: 'zone' }));
  }

  private clients(): CompletionItem[] {
    return this.ctx.clients.map((c) => ({ label: c, kind: 'client', detail: 'client' }));
  }
}

function keyword(label: string, detail: string): CompletionItem {
  return { label, kind: 'keyword', detail };
}

function optionValues(o: OptionSpec): CompletionItem[] {
  if (o.value === 'on-off') return ['on', 'off'].map((v) => ({ label: v, kind: 'value', detail: o.name }));
  if (o.values) return o.values.map((v) => ({ label: v, kind: 'value', detail: o.name }));
  return o.placeholder.split('|').map((v) => ({ label: v, kind: 'value', detail: `example for ${o.name}` }));
}
