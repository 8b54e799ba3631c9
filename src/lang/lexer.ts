// The lexer works one line at a time (one command per line). It never throws: characters it cannot
// read become `bad` tokens that the parser reports with their position.

import type { Span } from './diagnostics';

export type TokenKind =
  | 'word' // n1, put, resource-x, /config/, election-timeout
  | 'number' // 5, 42, 150ms, 20%, +5s (text keeps the unit)
  | 'range' // 150ms..300ms, 1..5
  | 'string' // "v1"
  | 'sym' // { } | -> <-> = , >= <= > < * ..
  | 'bad';

export interface Token {
  kind: TokenKind;
  text: string;
  span: Span;
}

// Character classes by code unit (the lexer is the parser's hot loop: no regular expressions here).
const isLetter = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isDigitCode = (c: number): boolean => c >= 48 && c <= 57;
/** A word starts with a letter, `_` or `/`. */
const isWordStart = (c: number): boolean => isLetter(c) || c === 95 || c === 47;
/** A word goes on with letters, digits and `_ - / : . @`. */
const isWordChar = (c: number): boolean => isWordStart(c) || isDigitCode(c) || c === 45 || c === 58 || c === 46 || c === 64;
const SYMBOLS = ['<->', '->', '>=', '<=', '..', '{', '}', '|', '=', ',', '>', '<', '*', '(', ')'];

export function lexLine(text: string, line: number): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const span = (start: number, end: number): Span => ({ line, column: start + 1, endColumn: end + 1 });
  while (i < text.length) {
    const ch = text[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '#') break;
    const start = i;
    if (ch === '"') {
      i++;
      let value = '';
      let closed = false;
      while (i < text.length) {
        const c = text[i]!;
        if (c === '\\' && i + 1 < text.length) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        if (c === '"') {
          closed = true;
          i++;
          break;
        }
        value += c;
        i++;
      }
      tokens.push(closed ? { kind: 'string', text: value, span: span(start, i) } : { kind: 'bad', text: text.slice(start), span: span(start, i) });
      continue;
    }
    if (isDigit(ch) || ((ch === '+' || ch === '-') && isDigit(text[i + 1] ?? ''))) {
      i = readNumber(text, i);
      if (text.startsWith('..', i) && (isDigit(text[i + 2] ?? '') || text[i + 2] === '-')) {
        i = readNumber(text, i + 2);
        tokens.push({ kind: 'range', text: text.slice(start, i), span: span(start, i) });
      } else {
        tokens.push({ kind: 'number', text: text.slice(start, i), span: span(start, i) });
      }
      continue;
    }
    if (isWordStart(text.charCodeAt(i))) {
      i++;
      while (i < text.length && isWordChar(text.charCodeAt(i)) && !text.startsWith('..', i) && !text.startsWith('->', i)) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), span: span(start, i) });
      continue;
    }
    const sym = SYMBOLS.find((s) => text.startsWith(s, i));
    if (sym !== undefined) {
      i += sym.length;
      tokens.push({ kind: 'sym', text: sym, span: span(start, i) });
      continue;
    }
    // Anything else (including non-ASCII letters) is one bad token up to the next space.
    i++;
    while (i < text.length && !/\s/.test(text[i]!)) i++;
    tokens.push({ kind: 'bad', text: text.slice(start, i), span: span(start, i) });
  }
  return tokens;
}

function isDigit(c: string): boolean {
  return c.length === 1 && isDigitCode(c.charCodeAt(0));
}

function readNumber(text: string, i: number): number {
  if (text[i] === '+' || text[i] === '-') i++;
  while (i < text.length && isDigit(text[i]!)) i++;
  if (text[i] === '.' && isDigit(text[i + 1] ?? '')) {
    i++;
    while (i < text.length && isDigit(text[i]!)) i++;
  }
  for (;;) {
    const c = text.charCodeAt(i);
    if (!(isLetter(c) || c === 37 /* % */ || c === 181 /* µ */)) break;
    i++;
  }
  return i;
}
