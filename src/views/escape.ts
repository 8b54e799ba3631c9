// Escaping of user strings (node and client names, keys, values, and any engine text that may carry
// them) for the text formats the views produce. Nothing a user types may break a diagram's syntax,
// inject a Mermaid directive (`%%{init}%%`) or inject HTML.
//
// Mermaid text accepts entity codes: before parsing it rewrites `#59;` to a private marker and after
// rendering turns it into the HTML entity `&#59;`, so an encoded character is shown literally and never
// read as syntax. We keep a small set of characters that are safe in every label position we emit
// (participant aliases, message and note text, state-transition labels, quoted flowchart labels) and
// encode everything else as `#<code point>;`.

/** Longest user string (in code points) shown inside a label before it is cut with an ellipsis. */
export const NAME_CHARS_MAX = 40;
/** Longest free text (reasons, details, results) shown inside a label. */
export const TEXT_CHARS_MAX = 120;

const ELLIPSIS = '…';

/** Cuts `text` to at most `max` code points, ending with an ellipsis when something was cut. */
export function truncate(text: string, max: number): string {
  const points = Array.from(text);
  if (points.length <= max) return text;
  return points.slice(0, Math.max(0, max - 1)).join('') + ELLIPSIS;
}

// ASCII punctuation that no Mermaid grammar we emit treats as syntax inside a label.
const SAFE_ASCII = new Set(Array.from(" _.,@!?()[]{}|=+*/'-~^$"));
// Named entities read better than numeric ones in exported Mermaid source.
const NAMED: Record<string, string> = { '<': 'lt', '>': 'gt', '&': 'amp', '"': 'quot' };
// U+FB02 and U+00B6 are letters/symbols that Mermaid itself uses as entity markers ("ﬂ°", "¶ß").
const MERMAID_MARKERS = new Set(['\uFB02', '\u00B6']);
const LETTER_OR_DIGIT = /^[\p{L}\p{N}\p{M}]$/u;
// Symbols our own labels use; they are plain text to every Mermaid grammar.
const SAFE_SYMBOLS = new Set(Array.from('✓✗⚠★×…→←↔≠·§°−–—∶；％‹›＆”＃'));
/**
 * Lookalikes for the ASCII punctuation `mermaidLabel` would encode: a state diagram's labels show
 * entity codes literally (`&#58;`), so its labels use these instead.
 */
const LOOKALIKE: Record<string, string> = { ':': '∶', ';': '；', '%': '％', '<': '‹', '>': '›', '&': '＆', '"': '”', '#': '＃' };

function isSafe(ch: string): boolean {
  if (ch.length === 1 && ch.charCodeAt(0) < 0x80) return /[A-Za-z0-9]/.test(ch) || SAFE_ASCII.has(ch);
  if (MERMAID_MARKERS.has(ch)) return false;
  return LETTER_OR_DIGIT.test(ch) || SAFE_SYMBOLS.has(ch);
}

/**
 * Escapes `text` for any Mermaid label position, after cutting it to `max` code points. The result
 * contains no `#` except as the start of an entity code, no `;`, `:`, `%`, `<`, `>`, `"`,
 * backtick, backslash or line break, so it cannot end a statement, open a comment or
 * directive, form an arrow with its neighbours, or carry markup.
 */
export function mermaidLabel(text: string, max: number = TEXT_CHARS_MAX): string {
  const points = Array.from(truncate(text, max));
  let out = '';
  points.forEach((ch, i) => {
    // Mermaid trims labels; an encoded space at either end survives, so " " stays visible.
    const edgeSpace = ch === ' ' && (i === 0 || i === points.length - 1);
    if (isSafe(ch) && !edgeSpace) out += ch;
    else out += `#${NAMED[ch] ?? ch.codePointAt(0)};`;
  });
  return out;
}

/** `mermaidLabel` for a state diagram (a state's description, a transition's label): lookalikes, not entity codes, for `:;%<>&"#`. */
export function mermaidStateLabel(text: string, max: number = TEXT_CHARS_MAX): string {
  return mermaidLabel(Array.from(text, (ch) => LOOKALIKE[ch] ?? ch).join(''), max);
}

/**
 * How many code points each of `count` names may keep so that, escaped (up to ten characters per code
 * point), together they stay within `chars`: never more than NAME_CHARS_MAX, never fewer than 4.
 */
export function nameCharsFor(count: number, chars: number): number {
  return Math.max(4, Math.min(NAME_CHARS_MAX, Math.floor(chars / (Math.max(1, count) * 10))));
}

/** Escapes a user-chosen name (node, client, zone, key) for a Mermaid label. */
export function mermaidName(name: string): string {
  return mermaidLabel(name === '' ? '(empty)' : name, NAME_CHARS_MAX);
}

/**
 * Escapes `text` for a GitHub-flavoured Markdown table cell (inline content only): no pipes, no line
 * breaks, no HTML, no emphasis, code, link or math syntax.
 */
export function markdownCell(text: string, max: number = TEXT_CHARS_MAX): string {
  return truncate(text, max)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~$]/g, (ch) => `\\${ch}`)
    .replace(/\r\n|[\r\n\u2028\u2029]/g, ' ');
}
