/**
 * Small text helpers every collector parser shares: line splitting, whitespace tokens, and numbers as the
 * tools print them in any locale we can recognise (decimal point or decimal comma).
 */
import { ParseError } from '../errors';

/** A line longer than this is cut (the parsers look at the start of lines; symbols of several KB still fit). */
export const MAX_LINE_CHARS = 1 << 20;

/** Every line of a text (without the `\n` / `\r\n`); a last line without newline counts too. */
export function* linesOf(text: string): Generator<string> {
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    let line = text.slice(start, end);
    if (line.endsWith('\r')) line = line.slice(0, -1);
    yield line.length > MAX_LINE_CHARS ? line.slice(0, MAX_LINE_CHARS) : line;
    start = end + 1;
  }
}

/**
 * Turns chunks (as a process or a file stream delivers them) into lines, without ever holding more than one
 * line plus one chunk. A line longer than `maxLineChars` is delivered cut to that length (`truncated` set).
 */
export class LineSplitter {
  private carry = '';
  private skipping = false;
  constructor(
    private readonly onLine: (line: string, truncated: boolean) => void,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {}

  push(chunk: string): void {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl === -1) break;
      if (this.skipping) {
        this.skipping = false;
      } else {
        let line = this.carry + chunk.slice(start, nl);
        this.carry = '';
        if (line.endsWith('\r')) line = line.slice(0, -1);
        if (line.length > this.maxLineChars) this.onLine(line.slice(0, this.maxLineChars), true);
        else this.onLine(line, false);
      }
      start = nl + 1;
    }
    if (start < chunk.length && !this.skipping) {
      this.carry += chunk.slice(start);
      if (this.carry.length > this.maxLineChars) {
        this.onLine(this.carry.slice(0, this.maxLineChars), true);
        this.carry = '';
        this.skipping = true;
      }
    }
  }

  end(): void {
    if (this.carry.length > 0 && !this.skipping) {
      const line = this.carry.endsWith('\r') ? this.carry.slice(0, -1) : this.carry;
      this.onLine(line, false);
    }
    this.carry = '';
    this.skipping = false;
  }
}

/** Whitespace-separated tokens. */
export function tokens(line: string): string[] {
  const t = line.trim();
  return t === '' ? [] : t.split(/\s+/);
}

const PLAIN_NUMBER = /^[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?$/;
const COMMA_DECIMAL = /^[-+]?\d+,\d+$/;

/**
 * A number as sysstat/perf/strace print it: `12.34`, or `12,34` in locales with a decimal comma.
 * Returns null when the token is not a number (the caller decides whether that is an error).
 */
export function parseDecimal(token: string): number | null {
  if (PLAIN_NUMBER.test(token)) return Number(token);
  if (COMMA_DECIMAL.test(token)) return Number(token.replace(',', '.'));
  return null;
}

/** A non-negative integer token (`123`), else null. */
export function parseCount(token: string): number | null {
  return /^\d+$/.test(token) ? Number(token) : null;
}

/**
 * A count printed with thousands grouping as perf stat does in other locales: `1,234,567` (en_US),
 * `1.234.567` (de_DE), `1 234 567` / `1'234'567`. `decimalComma` tells which separator is the decimal one.
 */
export function parseGroupedCount(token: string, decimalComma: boolean): number | null {
  if (/^\d+$/.test(token)) return Number(token);
  const group = decimalComma ? /^\d{1,3}(?:[.\u00a0\u202f' ]\d{3})+$/ : /^\d{1,3}(?:[,\u00a0\u202f' ]\d{3})+$/;
  if (group.test(token)) return Number(token.replace(/[^\d]/g, ''));
  return null;
}

/** A parse helper that knows the tool and the current line, so every error names both. */
export class LineContext {
  lineNumber = 0;
  line = '';
  constructor(readonly tool: string) {}

  next(line: string): void {
    this.lineNumber++;
    this.line = line;
  }

  error(expected: string): ParseError {
    return new ParseError(this.tool, this.lineNumber, this.line, expected);
  }

  /** An error about the input as a whole (e.g. it ended without data). */
  inputError(expected: string): ParseError {
    return new ParseError(this.tool, null, null, expected);
  }

  decimal(token: string | undefined, what: string): number {
    const v = token === undefined ? null : parseDecimal(token);
    if (v === null || !Number.isFinite(v))
      throw this.error(`a number for ${what}, found ${JSON.stringify(token ?? '')}`);
    return v;
  }

  count(token: string | undefined, what: string): number {
    const v = token === undefined ? null : parseCount(token);
    if (v === null || !Number.isSafeInteger(v))
      throw this.error(`a whole number for ${what}, found ${JSON.stringify(token ?? '')}`);
    return v;
  }
}

/** Feed a whole text through a streaming parser and collect what it emits. */
export function runLines<R>(parser: { push(line: string): R[]; end(): R[] }, text: string): R[] {
  const out: R[] = [];
  for (const line of linesOf(text)) for (const r of parser.push(line)) out.push(r);
  for (const r of parser.end()) out.push(r);
  return out;
}

/** True when a text looks like binary data rather than a tool's output (NUL bytes or mostly control characters). */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 4096);
  if (sample.includes('\u0000')) return true;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if (c < 32 && c !== 9 && c !== 10 && c !== 13) control++;
  }
  return sample.length > 0 && control / sample.length > 0.1;
}
