import { HostError } from './types';

/** Characters that no POSIX shell (nor bash or zsh) treats specially anywhere in a word. */
const SAFE = /^[A-Za-z0-9_./:,@+-]+$/;

/**
 * Quotes one argv element so that a POSIX shell (sh, dash, bash, zsh, ksh) reading it back yields exactly
 * the original string, whatever it holds: quotes, `$()`, backticks, newlines, `;`, globs, `~`, `=`.
 * Everything but a short list of inert characters goes inside single quotes, where nothing is special;
 * a single quote itself becomes `'\''` (close, escaped quote, reopen).
 * A NUL byte cannot be part of any argv element, so it is refused.
 */
export function quoteForPosixShell(arg: string): string {
  if (arg.includes('\0'))
    throw new HostError('An argument contains a NUL byte, which no command can receive.', 'INVALID');
  if (SAFE.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/** Quotes each element and joins them with spaces: one command line for a remote POSIX shell. */
export function quoteCommandLine(argv: readonly string[]): string {
  return argv.map(quoteForPosixShell).join(' ');
}
