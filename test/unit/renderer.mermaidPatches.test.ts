// The build-time patches to Mermaid's sequence diagram (scripts/mermaid-patches.js): each applies to
// the installed Mermaid exactly once, so a Mermaid upgrade that moves the code fails here and in the
// build rather than silently dropping a patch.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { describe, expect, test } from 'vitest';

interface Patch {
  name: string;
  find: string;
  replace: string;
}
const require = createRequire(import.meta.url);
const { MERMAID_PATCHES, SEQUENCE_CHUNK, patchSequenceChunk } = require('../../scripts/mermaid-patches.js') as {
  MERMAID_PATCHES: Patch[];
  SEQUENCE_CHUNK: RegExp;
  patchSequenceChunk: (source: string, file?: string) => string;
};

const chunkDir = path.join(path.dirname(require.resolve('mermaid/package.json')), 'dist', 'chunks', 'mermaid.core');
const chunks = readdirSync(chunkDir)
  .map((f) => path.join(chunkDir, f))
  .filter((f) => SEQUENCE_CHUNK.test(f));

describe('Mermaid patches', () => {
  test('the sequence diagram chunk of the installed Mermaid is found', () => {
    expect(chunks).toHaveLength(1);
  });

  test('every patch matches exactly once and is applied', () => {
    const source = readFileSync(chunks[0]!, 'utf8');
    const patched = patchSequenceChunk(source);
    for (const p of MERMAID_PATCHES) {
      expect(source.split(p.find), p.name).toHaveLength(2);
      expect(patched.split(p.replace), p.name).toHaveLength(2);
      expect(patched.includes(p.find), p.name).toBe(false);
    }
  });

  test('a patch that does not match fails loudly', () => {
    expect(() => patchSequenceChunk('var unrelated = 1;', 'x.mjs')).toThrow(/does not match x\.mjs exactly once: was Mermaid upgraded\?/);
  });
});
