// Drawing one cell output: the verdict, tabs for the views, the event scrubber and the export buttons.
// Mermaid is initialised once per theme in strict security mode, a source that does not parse is an
// error (never Mermaid's error picture), a newer render cancels an older one, ids derive from the
// output id, the theme follows VS Code's body classes, and errors show as plain text (never as HTML).
import mermaid from 'mermaid';
import { type DiagramTheme, mermaidConfig } from './mermaidConfig';
import { type DiagramThemeSetting, type ScrubData, type RunPayload, stateFromJson } from '../views/payload';
import { sequenceDiagram } from '../views/sequence';
import { applyEvent, type ClusterState, watchedText } from '../views/state';
import { stepLabel } from '../views/eventLabel';
import { parseLease } from '../engine/kv/store';

export interface Host {
  postMessage?: (message: unknown) => void;
  /** The cell the output belongs to (its document URI, from the output's metadata), for `insertCell`. */
  cell?: string;
}

type Tab = 'sequence' | 'states' | 'log' | 'topology';
const TAB_TITLES: Record<Tab, string> = { sequence: 'Sequence', states: 'States', log: 'Log', topology: 'Topology' };

let initializedTheme: string | null = null;
let counter = 0;

function themeOf(setting: DiagramThemeSetting): DiagramTheme {
  if (setting !== 'auto') return setting;
  const c = document.body.classList;
  return c.contains('vscode-dark') || (c.contains('vscode-high-contrast') && !c.contains('vscode-high-contrast-light')) ? 'dark' : 'default';
}

function ensureMermaid(setting: DiagramThemeSetting): void {
  const theme = themeOf(setting);
  if (initializedTheme === theme) return;
  mermaid.initialize(mermaidConfig(theme));
  initializedTheme = theme;
}

/**
 * Renders a Mermaid source into `target`; a newer call for the same element wins (older results are
 * dropped). `fit` sizes the new svg once it is in place.
 */
async function renderMermaid(
  target: HTMLElement,
  source: string,
  idBase: string,
  theme: DiagramThemeSetting,
  signal?: AbortSignal,
  fit?: (svg: SVGSVGElement) => void,
): Promise<void> {
  ensureMermaid(theme);
  const ticket = String(++counter);
  target.dataset.ticket = ticket;
  try {
    mark('cn:start', idBase);
    // render() parses once and, with suppressErrorRendering (mermaidConfig), throws on a bad source
    // instead of drawing Mermaid's error picture: no separate parse() (it doubled the time).
    const { svg } = await mermaid.render(`cn-${idBase}-${ticket}`, source);
    mark('cn:rendered', idBase);
    if (signal?.aborted || target.dataset.ticket !== ticket) return;
    target.innerHTML = svg;
    const drawn = target.querySelector('svg');
    if (fit && drawn) fit(drawn);
    mark('cn:inserted', idBase);
  } catch (e) {
    if (target.dataset.ticket !== ticket) return;
    const pre = document.createElement('pre');
    pre.className = 'cn-error';
    pre.textContent = `Mermaid could not draw this diagram: ${e instanceof Error ? e.message : String(e)}`;
    target.replaceChildren(pre);
  }
}

/** A User Timing mark (performance.getEntriesByType('mark')): where a drawing spends its time. */
export function mark(name: string, what: string): void {
  try {
    performance.mark(name, { detail: what });
  } catch {
    // Timing is a diagnostic only.
  }
}

export async function draw(root: HTMLElement, payload: RunPayload, id: string, host: Host, signal?: AbortSignal): Promise<void> {
  injectStyle();
  const idBase = id.replace(/[^A-Za-z0-9_-]/g, '');
  const verdict = el('div', `cn-verdict ${payload.ok ? 'cn-ok' : 'cn-failed'}`, payload.verdict);
  root.append(verdict);
  for (const f of payload.failures) {
    root.append(el('div', 'cn-failure', `✗ line ${f.line}: ${f.message}`));
    const { offer } = f;
    const post = host.postMessage;
    if (offer === undefined || post === undefined) continue;
    // What `explore` found: one click puts the lines in a new cell below this one.
    const insert = el('button', 'cn-button cn-offer', 'Insert as a cell below');
    insert.title = 'Adds these lines as a new code cell right below this one; run it to see the failure happen.';
    insert.addEventListener('click', () => post({ type: 'insertCell', cell: host.cell ?? null, text: offer }));
    const bar = el('div', 'cn-toolbar');
    bar.append(insert);
    root.append(bar);
  }
  for (const m of payload.messages) root.append(el('div', 'cn-message', m));

  const tabs: Tab[] = (['sequence', 'states', 'log', 'topology'] as Tab[]).filter((t) => (t === 'log' ? payload.log !== undefined : Boolean(payload.mermaid[t as keyof RunPayload['mermaid']])));
  const bar = el('div', 'cn-tabs');
  bar.setAttribute('role', 'tablist');
  const panes = new Map<Tab, HTMLElement>();
  const drawn = new Set<Tab>();
  let current: Tab = tabs.includes(payload.tab as Tab) ? (payload.tab as Tab) : 'sequence';

  // The sequence pane keeps one scale: the whole diagram's, which fits the pane's width (as Mermaid's
  // useMaxWidth does) or is 1:1 when it is narrower. A scrubbed, partial diagram of another width is
  // drawn at that same scale, so its text does not change size as the scrubber moves.
  let sequenceWidth = 0;
  const fitSequence =
    (whole: boolean) =>
    (svg: SVGSVGElement): void => {
      const width = svg.viewBox.baseVal?.width ?? 0;
      if (whole && width > 0) sequenceWidth = width;
      if (width > 0 && sequenceWidth > 0) sizeToScale(svg, width, sequenceWidth);
    };
  const drawSequence = (source: string, whole: boolean, idTail: string): Promise<void> =>
    renderMermaid(panes.get('sequence')!, source, `${idBase}-${idTail}`, payload.theme, signal, fitSequence(whole));

  const toolbar = el('div', 'cn-toolbar');
  let shown: Promise<void> | null = null;
  const show = async (tab: Tab): Promise<void> => {
    current = tab;
    for (const [t, pane] of panes) pane.hidden = t !== tab;
    for (const b of bar.querySelectorAll('button')) b.setAttribute('aria-selected', String(b.dataset.tab === tab));
    if (!drawn.has(tab)) {
      drawn.add(tab);
      const pane = panes.get(tab)!;
      if (tab === 'log') pane.append(logTable(payload));
      else if (tab === 'sequence') await (shown = drawSequence(payload.mermaid.sequence, true, 'sequence'));
      else await renderMermaid(pane, payload.mermaid[tab]!, `${idBase}-${tab}`, payload.theme, signal);
    } else if (tab === 'sequence' && shown) {
      await shown;
    }
  };
  for (const t of tabs) {
    const b = el('button', 'cn-tab', TAB_TITLES[t]);
    b.dataset.tab = t;
    b.setAttribute('role', 'tab');
    b.addEventListener('click', () => void show(t));
    bar.append(b);
    const pane = el('div', `cn-diagram cn-pane-${t}`);
    pane.hidden = true;
    panes.set(t, pane);
  }
  root.append(bar, toolbar, ...panes.values());

  // Export: the diagram as the user sees it (same theme, same filters).
  const currentSvg = (): SVGSVGElement | null => panes.get(current)?.querySelector('svg') ?? null;
  const post = (message: unknown): void => {
    if (host.postMessage) host.postMessage(message);
    else toolbarNote(toolbar, 'Export needs the Consensus Notebook extension host.');
  };
  toolbar.append(
    button('Copy Mermaid', 'cn-copy', () => post({ type: 'copy', text: sourceOf(payload, current) })),
    button('Save SVG', 'cn-save-svg', () => {
      const svg = currentSvg();
      if (svg) post({ type: 'save', format: 'svg', name: `${payload.name}-${current}.svg`, data: svgText(svg) });
    }),
    button('Save PNG', 'cn-save-png', () => {
      const svg = currentSvg();
      if (svg) void svgToPng(svg).then((data) => post({ type: 'save', format: 'png', name: `${payload.name}-${current}.png`, data }));
    }),
  );

  await show(current);
  // A cell without events has nothing to step through.
  if (payload.scrub && payload.scrub.events.length > 0) {
    root.append(
      scrubber(payload.scrub, async (source) => {
        // The whole diagram is drawn first if it never was: it sets the scale (and the tab).
        await show('sequence');
        await drawSequence(source ?? payload.mermaid.sequence, source === null, 'scrub');
      }),
    );
  }
  mark('cn:drawn', idBase);
}

// ---------------------------------------------------------------------------------------------------
// The event scrubber: reveal the diagram up to event i and show the cluster at that moment.

/**
 * The scrubber: a slider and ◀ ▶ over the cell's events (also ←, →, Home, End when focused), the
 * cluster's state at that moment, and `redraw(source)` for the diagram up to it (null: the whole one).
 */
function scrubber(data: ScrubData, redraw: (source: string | null) => Promise<void>): HTMLElement {
  const box = el('div', 'cn-scrubber');
  const n = data.events.length;
  const slider = document.createElement('input');
  slider.type = 'range';
  slider.min = '0';
  slider.max = String(n);
  slider.value = String(n);
  slider.className = 'cn-slider';
  slider.setAttribute('aria-label', 'Event');
  const label = el('span', 'cn-step-label', '');
  const panel = el('pre', 'cn-state', '');
  const back = button('◀', 'cn-step-back', () => go(pos - 1));
  const fwd = button('▶', 'cn-step-fwd', () => go(pos + 1));
  back.title = 'Previous event (←)';
  fwd.title = 'Next event (→)';
  const controls = el('div', 'cn-scrub-controls');
  // The label has a line of its own: the slider keeps its width whatever the label's length.
  controls.append(back, slider, fwd);
  box.append(controls, label, panel);
  if (data.truncated) box.append(el('div', 'cn-message', `The scrubber covers the first ${n} events of this cell.`));

  let pos = n;
  let state: ClusterState = stateFromJson(data.base);
  let folded = 0;
  let pending: ReturnType<typeof setTimeout> | null = null;

  const stateAt = (i: number): ClusterState => {
    if (i < folded) {
      state = stateFromJson(data.base);
      folded = 0;
    }
    for (; folded < i; folded++) applyEvent(state, data.events[folded]!);
    return state;
  };

  /** The label and the state panel for position `pos` (the same text however it was reached). */
  const describe = (): void => {
    label.textContent = stepLabel(pos, n, pos > 0 ? data.events[pos - 1]! : null);
    label.title = label.textContent;
    panel.textContent = stateTable(stateAt(pos));
  };

  const go = (i: number): void => {
    pos = Math.max(0, Math.min(n, i));
    slider.value = String(pos);
    describe();
    if (pending) clearTimeout(pending);
    // Redraw at most every 60 ms while the slider moves; the newest position wins.
    pending = setTimeout(() => {
      pending = null;
      if (pos === n) {
        void redraw(null);
        return;
      }
      const seq = sequenceDiagram(
        { nodes: data.nodes, clients: data.clients, zones: data.zones, events: data.events, from: 0, to: pos },
        {
          hideHeartbeats: data.hideHeartbeats,
          ...(data.fromUs !== undefined ? { fromUs: data.fromUs } : {}),
          ...(data.toUs !== undefined ? { toUs: data.toUs } : {}),
          ...(data.maxMessages !== undefined ? { maxMessages: data.maxMessages } : {}),
        },
      );
      void redraw(seq.text);
    }, 60);
  };

  slider.addEventListener('input', () => go(Number(slider.value)));
  box.tabIndex = 0;
  box.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowLeft') go(pos - 1);
    else if (e.key === 'ArrowRight') go(pos + 1);
    else if (e.key === 'Home') go(0);
    else if (e.key === 'End') go(n);
    else return;
    e.preventDefault();
  });
  describe();
  return box;
}

/**
 * Sizes a sequence diagram `width` units wide at the scale of the whole diagram (`wholeWidth` units):
 * the whole one fills the pane up to its natural width, and a narrower one gets the same share of
 * every unit. (Mermaid's useMaxWidth would fit each to the pane on its own, so their text sizes differ.)
 */
function sizeToScale(svg: SVGSVGElement, width: number, wholeWidth: number): void {
  svg.style.maxWidth = `${width}px`;
  svg.style.width = `${((100 * width) / wholeWidth).toFixed(4)}%`;
}

function stateTable(s: ClusterState): string {
  const rows = [['node', 'role', 'term', 'vote', 'last', 'commit', 'applied']];
  for (const node of s.nodes) {
    const last = node.log.length;
    const lastTerm = last > 0 ? node.log[last - 1]!.term : 0;
    rows.push([node.name, node.status === 'up' ? node.role : node.status, String(node.term), node.votedFor ?? '-', `${last}@t${lastTerm}`, String(node.commitIndex), String(node.appliedIndex)]);
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  const lines = rows.map((r) => r.map((x, c) => x.padEnd(widths[c]!)).join('  ').trimEnd());
  if (s.partition) lines.push(`partition ${s.partition.map((g) => `{${g.join(' ')}}`).join(' | ')}`);
  for (const l of s.locks) lines.push(l.ephemeral ? `ephemeral ${l.name}: lease ${l.token} of ${l.holder}` : `lock ${l.name}: held by ${l.holder}, fencing token ${l.token}`);
  for (const w of s.watches) lines.push(`watch of ${w.client} on ${w.node}: ${watchedText(w)}`);
  // Lease elections' records (keys `lease/NAME`), as the node that has applied the most holds them.
  const newest = s.nodes.reduce<ClusterState['nodes'][number] | null>((best, n) => (best === null || n.appliedIndex > best.appliedIndex ? n : best), null);
  for (const [key, record] of newest?.kv ?? []) {
    const lease = key.startsWith('lease/') ? parseLease(record) : null;
    if (lease !== null) lines.push(`Lease ${key.slice('lease/'.length)}: held by ${lease.holder}, renewed at ${lease.renew}, ${lease.transitions} transition${lease.transitions === 1 ? '' : 's'}`);
  }
  for (const v of s.violations) lines.push(`⚠ ${v.invariant}: ${v.detail}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------------

function logTable(payload: RunPayload): HTMLElement {
  const grid = payload.log!;
  const table = document.createElement('table');
  table.className = 'cn-log';
  const maxIndex = Math.max(0, ...grid.nodes.map((n) => n.entries.length ? n.entries[n.entries.length - 1]!.index : 0));
  const first = Math.max(1, maxIndex - 29);
  const head = document.createElement('tr');
  head.append(el('th', '', 'node'), el('th', '', 'role'), el('th', '', 'commit'), el('th', '', 'applied'));
  for (let i = first; i <= maxIndex; i++) head.append(el('th', '', String(i)));
  table.append(head);
  for (const n of grid.nodes) {
    const tr = document.createElement('tr');
    tr.append(el('td', 'cn-node', n.name), el('td', '', `${n.role} t${n.term}`), el('td', '', String(n.commitIndex)), el('td', '', String(n.appliedIndex)));
    for (let i = first; i <= maxIndex; i++) {
      const e = n.entries.find((x) => x.index === i);
      const td = el('td', e ? `cn-entry${e.committed ? ' cn-committed' : ''}${e.divergent ? ' cn-divergent' : ''}` : 'cn-empty', e ? e.label : '');
      if (e) td.title = `index ${i}, term ${e.term}${e.committed ? ', committed' : ''}${e.divergent ? ', differs from the majority' : ''}`;
      tr.append(td);
    }
    table.append(tr);
  }
  if (first > 1) table.caption = Object.assign(document.createElement('caption'), { textContent: `indexes ${first}..${maxIndex} (earlier entries hidden)` });
  return table;
}

function sourceOf(payload: RunPayload, tab: Tab): string {
  if (tab === 'log') return payload.logMarkdown ?? '';
  return payload.mermaid[tab] ?? '';
}

function svgText(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  // The share of the pane (sizeToScale) means nothing outside it: the file keeps Mermaid's own sizing.
  clone.style.removeProperty('width');
  return `<?xml version="1.0" encoding="UTF-8"?>\n${new XMLSerializer().serializeToString(clone)}\n`;
}

async function svgToPng(svg: SVGSVGElement): Promise<string> {
  const box = svg.getBoundingClientRect();
  const scale = 2;
  const width = Math.max(1, Math.ceil(box.width));
  const height = Math.max(1, Math.ceil(box.height));
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  const url = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svgText(clone))}`;
  const img = new Image();
  await new Promise<void>((resolve, reject) => {
    img.onload = () => resolve();
    img.onerror = () => reject(new Error('the SVG could not be loaded as an image'));
    img.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = width * scale;
  canvas.height = height * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.fillStyle = getComputedStyle(document.body).getPropertyValue('--vscode-editor-background') || '#ffffff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.scale(scale, scale);
  ctx.drawImage(img, 0, 0, width, height);
  return canvas.toDataURL('image/png').replace(/^data:image\/png;base64,/, '');
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, className: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

function button(text: string, className: string, onClick: () => void): HTMLButtonElement {
  const b = el('button', `cn-button ${className}`, text);
  b.addEventListener('click', onClick);
  return b;
}

function toolbarNote(toolbar: HTMLElement, text: string): void {
  toolbar.append(el('span', 'cn-message', text));
}

let styled = false;
function injectStyle(): void {
  if (styled) return;
  styled = true;
  const style = document.createElement('style');
  style.textContent = `
.cn-output { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
.cn-verdict { font-family: var(--vscode-editor-font-family, monospace); padding: 4px 0 6px; }
.cn-verdict.cn-failed, .cn-failure { color: var(--vscode-errorForeground); }
.cn-failure { white-space: pre-wrap; }
.cn-message { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.cn-tabs { display: flex; gap: 2px; border-bottom: 1px solid var(--vscode-panel-border, #8884); margin-top: 4px; }
.cn-tab { background: none; color: var(--vscode-foreground); border: none; border-bottom: 2px solid transparent; padding: 4px 10px; cursor: pointer; font: inherit; }
.cn-tab[aria-selected="true"] { border-bottom-color: var(--vscode-focusBorder); font-weight: 600; }
.cn-toolbar { display: flex; gap: 6px; margin: 6px 0; }
.cn-button { background: var(--vscode-button-secondaryBackground); color: var(--vscode-button-secondaryForeground); border: 1px solid var(--vscode-button-border, transparent); padding: 2px 8px; cursor: pointer; font: inherit; font-size: 0.9em; }
.cn-button:hover { background: var(--vscode-button-secondaryHoverBackground); }
.cn-diagram { overflow-x: auto; padding: 4px 0; }
.cn-error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
.cn-scrubber { margin-top: 8px; border-top: 1px solid var(--vscode-panel-border, #8884); padding-top: 6px; outline: none; }
.cn-scrubber:focus-visible { outline: 1px solid var(--vscode-focusBorder); }
.cn-scrub-controls { display: flex; align-items: center; gap: 6px; }
.cn-slider { flex: 1; accent-color: var(--vscode-focusBorder); }
.cn-step-label { display: block; font-family: var(--vscode-editor-font-family, monospace); font-size: 0.85em; margin-top: 4px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.cn-state { font-family: var(--vscode-editor-font-family, monospace); font-size: 0.85em; background: var(--vscode-textCodeBlock-background); padding: 6px; margin: 6px 0 0; overflow-x: auto; }
.cn-log { border-collapse: collapse; font-family: var(--vscode-editor-font-family, monospace); font-size: 0.85em; }
.cn-log th, .cn-log td { border: 1px solid var(--vscode-panel-border, #8884); padding: 2px 6px; text-align: left; white-space: nowrap; }
.cn-log .cn-committed { background: color-mix(in srgb, var(--vscode-testing-iconPassed, #3a3) 18%, transparent); }
.cn-log .cn-divergent { background: color-mix(in srgb, var(--vscode-errorForeground, #d33) 22%, transparent); font-weight: 600; }
`;
  document.head.append(style);
}
