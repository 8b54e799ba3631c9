// Shared by the programs of the end-to-end suite.

/** The extension-host suite logs this first; the code-server driver echoes its console from there on. */
export const SUITE_START = '[consensus-e2e] extension-host suite starting';

/** Without the networking flags Chromium stalls on a closed network (see E2E.md). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A file-name-safe form of a test name. */
export function slug(text: string): string {
  return text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 60);
}
