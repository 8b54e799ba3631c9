// docs/language.md is generated from the parser's own tables (src/lang/reference.ts). This test keeps
// the file equal to the generator's output; regenerate it with
//   UPDATE_DOCS=1 npx vitest run test/unit/lang/reference.test.ts
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS, FACTS } from '../../../src/lang/parser';
import { languageReference } from '../../../src/lang/reference';

const file = join(__dirname, '..', '..', '..', 'docs', 'language.md');

describe('the language reference', () => {
  const text = languageReference();

  it('docs/language.md equals the generated reference', () => {
    if (process.env.UPDATE_DOCS) writeFileSync(file, text);
    expect(existsSync(file), 'docs/language.md is missing: run UPDATE_DOCS=1 npx vitest run test/unit/lang/reference.test.ts').toBe(true);
    expect(readFileSync(file, 'utf8'), 'docs/language.md is stale: run UPDATE_DOCS=1 npx vitest run test/unit/lang/reference.test.ts').toBe(text);
  });

  it('shows every command with its syntax and first example', () => {
    for (const c of COMMANDS) {
      const alone = COMMANDS.filter((x) => x.group === c.group).length === 1;
      const esc = (s: string): string => (alone ? s : s.replace(/\|/g, '\\|'));
      expect(text).toContain(esc(c.syntax));
      expect(text).toContain(esc(c.examples[0]!));
    }
  });

  it('shows every option and every fact', () => {
    for (const c of COMMANDS) for (const o of c.options ?? []) expect(text).toContain(`\`${o.name}=${o.placeholder}\``);
    for (const f of FACTS) expect(text).toContain(f.syntax.replace(/\|/g, '\\|'));
  });

  it('every command and fact it lists runs: none is marked as not built', () => {
    expect(text).not.toContain('†');
    expect(text).not.toMatch(/not (available|built) yet/);
  });

  it('fits on about one page', () => {
    expect(text.split('\n').length).toBeLessThanOrEqual(120);
  });
});
