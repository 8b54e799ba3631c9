// SVG and PNG export through a system Chromium (CHROME_PATH, or found on PATH) driven by
// playwright-core, with the renderer's own Mermaid build and configuration.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

const BROWSERS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'chrome'];

export function findChrome(): string | null {
  const env = process.env.CHROME_PATH;
  if (env) return existsSync(env) ? env : null;
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of BROWSERS) {
      const p = join(dir, name);
      if (existsSync(p)) return p;
    }
  }
  return null;
}

export interface Drawer {
  svg(id: string, source: string): Promise<string>;
  png(svg: string): Promise<Buffer>;
  close(): Promise<void>;
}

export async function openDrawer(chrome: string, pageScript: string, theme: 'default' | 'dark'): Promise<Drawer> {
  let playwright: typeof import('playwright-core');
  try {
    playwright = require('playwright-core') as typeof import('playwright-core');
  } catch {
    throw new Error('SVG/PNG export needs the npm package playwright-core (npm install playwright-core).');
  }
  // Chromium's profile, crash reports and caches go to a temporary folder, not the user's home.
  const scratch = mkdtempSync(join(tmpdir(), 'consensus-notebook-chromium-'));
  const browser = await playwright.chromium.launch({
    executablePath: chrome,
    env: { ...process.env, HOME: scratch, XDG_CONFIG_HOME: scratch, XDG_CACHE_HOME: scratch },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  const page = await browser.newPage({ deviceScaleFactor: 2 });
  await page.setContent('<!doctype html><html><head><meta charset="utf-8"></head><body style="margin:0;background:#fff"></body></html>');
  await page.addScriptTag({ path: pageScript });
  return {
    svg: (id, source) => page.evaluate(({ i, s, t }) => (globalThis as unknown as PageGlobals).cnRender(i, s, t), { i: id, s: source, t: theme }),
    async png(svg) {
      await page.evaluate((s) => {
        (globalThis as unknown as PageGlobals).document.body.innerHTML = s;
      }, svg);
      const el = await page.$('svg');
      if (el === null) throw new Error('the SVG did not load');
      return el.screenshot({ omitBackground: false });
    },
    async close() {
      await browser.close();
      rmSync(scratch, { recursive: true, force: true });
    },
  };
}

/** What the export page defines (src/renderer/exportPage.ts), seen from Node without DOM types. */
interface PageGlobals {
  cnRender: (id: string, source: string, theme: 'default' | 'dark') => Promise<string>;
  document: { body: { innerHTML: string } };
}
