import { describe, expect, test } from 'vitest';
import { markdownCell, mermaidLabel, mermaidName, truncate } from '../../src/views';

describe('mermaidLabel', () => {
  test('keeps letters, digits, Unicode letters and plain punctuation readable', () => {
    expect(mermaidLabel('put x=1 (t2) n1-n2 ünï 名前')).toBe('put x=1 (t2) n1-n2 ünï 名前');
  });

  test('encodes statement separators, comments and directives as entity codes', () => {
    expect(mermaidLabel('a;b#c%%{init}%%')).toBe('a#59;b#35;c#37;#37;{init}#37;#37;');
  });

  test('encodes markup characters with named entity codes', () => {
    expect(mermaidLabel('<script>&"')).toBe('#lt;script#gt;#amp;#quot;');
  });

  test('encodes arrows, colons and line breaks so a label cannot start a new statement', () => {
    expect(mermaidLabel('x-->>y: hi\nNote over p0: z')).toBe('x--#gt;#gt;y#58; hi#10;Note over p0#58; z');
  });

  test('encodes emoji and Mermaid’s own entity markers numerically', () => {
    expect(mermaidLabel('🚀 ﬂ°lt¶ß')).toBe('#128640; #64258;°lt#182;ß');
  });

  test('cuts long text with an ellipsis before escaping, so no entity is split', () => {
    const label = mermaidLabel(';'.repeat(500), 10);
    expect(label).toBe('#59;'.repeat(9) + '…');
  });

  test('encodes spaces at either end, which Mermaid would otherwise trim away', () => {
    expect(mermaidLabel(' a b ')).toBe('#32;a b#32;');
  });

  test('names an empty name instead of leaving the label blank', () => {
    expect(mermaidName('')).toBe('(empty)');
  });
});

describe('truncate', () => {
  test('counts code points, never splitting a surrogate pair', () => {
    expect(truncate('🚀🚀🚀', 2)).toBe('🚀…');
    expect(truncate('abc', 3)).toBe('abc');
  });
});

describe('markdownCell', () => {
  test('escapes pipes, markup, emphasis and line breaks', () => {
    expect(markdownCell('a|b <b>*x*_y_ `c`\n[l](u) $m$')).toBe(
      'a\\|b &lt;b&gt;\\*x\\*\\_y\\_ \\`c\\` \\[l\\](u) \\$m\\$',
    );
  });
});
