// The notebook renderer entry (runs in the notebook webview): a tiny fixed entry that mounts into its
// own root and turns every failure into inline text. Drawing lives in draw.ts.
import { draw, mark } from './draw';
import type { RunPayload } from '../views/payload';

interface OutputItem {
  readonly id: string;
  readonly mime: string;
  /** The output's metadata: `cell`, the URI of the cell it belongs to. */
  readonly metadata?: unknown;
  json(): unknown;
}

interface RendererContext {
  readonly postMessage?: (message: unknown) => void;
}

export function activate(ctx: RendererContext) {
  return {
    renderOutputItem(item: OutputItem, element: HTMLElement, signal?: AbortSignal): void {
      mark('cn:output', item.id);
      const root = document.createElement('div');
      root.className = 'cn-output';
      element.replaceChildren(root);
      const payload = item.json() as RunPayload;
      mark('cn:json', item.id);
      const cell = (item.metadata as { cell?: unknown } | undefined)?.cell;
      const host = { postMessage: ctx.postMessage ? (m: unknown) => ctx.postMessage!(m) : undefined, cell: typeof cell === 'string' ? cell : undefined };
      void draw(root, payload, item.id, host, signal).catch((e: unknown) => {
        const pre = document.createElement('pre');
        pre.className = 'cn-error';
        pre.textContent = `Could not draw this output: ${e instanceof Error ? e.message : String(e)}`;
        root.append(pre);
      });
    },
    disposeOutputItem(): void {},
  };
}
