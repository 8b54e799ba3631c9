// Drawing one cell output: the verdict line and the Mermaid diagram. Mermaid is initialised once in
// strict security mode, every source is parsed before it is rendered, ids derive from the output id,
// the theme follows VS Code's body classes, and errors show as plain text (never as HTML).
import mermaid from 'mermaid';
import type { RunPayload } from '../views/payload';

let initializedTheme: string | null = null;

function themeOf(): 'dark' | 'default' {
  const c = document.body.classList;
  return c.contains('vscode-dark') || c.contains('vscode-high-contrast') ? 'dark' : 'default';
}

function ensureMermaid(): void {
  const theme = themeOf();
  if (initializedTheme === theme) return;
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: 'strict',
    theme,
    maxTextSize: 50_000,
    maxEdges: 500,
    sequence: { useMaxWidth: false, showSequenceNumbers: false },
    fontFamily: 'var(--vscode-font-family, sans-serif)',
  });
  initializedTheme = theme;
}

let counter = 0;

export async function draw(root: HTMLElement, payload: RunPayload, id: string, signal?: AbortSignal): Promise<void> {
  injectStyle();
  const verdict = document.createElement('div');
  verdict.className = `cn-verdict ${payload.ok ? 'cn-ok' : 'cn-failed'}`;
  verdict.textContent = payload.verdict;
  root.append(verdict);
  for (const m of payload.messages) {
    const note = document.createElement('div');
    note.className = 'cn-message';
    note.textContent = m;
    root.append(note);
  }
  const diagram = document.createElement('div');
  diagram.className = 'cn-diagram';
  root.append(diagram);
  ensureMermaid();
  const source = payload.mermaid.sequence;
  await mermaid.parse(source);
  if (signal?.aborted) return;
  const { svg } = await mermaid.render(`cn-${safeId(id)}-${++counter}`, source);
  if (signal?.aborted) return;
  diagram.innerHTML = svg;
}

function safeId(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '');
}

let styled = false;
function injectStyle(): void {
  if (styled) return;
  styled = true;
  const style = document.createElement('style');
  style.textContent = `
.cn-output { font-family: var(--vscode-font-family); color: var(--vscode-foreground); }
.cn-verdict { font-family: var(--vscode-editor-font-family, monospace); padding: 4px 0 8px; }
.cn-verdict.cn-failed { color: var(--vscode-errorForeground); }
.cn-message { color: var(--vscode-descriptionForeground); font-size: 0.9em; }
.cn-diagram { overflow-x: auto; }
.cn-error { color: var(--vscode-errorForeground); white-space: pre-wrap; }
`;
  document.head.append(style);
}
