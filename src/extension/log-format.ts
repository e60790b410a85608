/** Formatting of command-log lines. Pure (no `vscode` import). */
import type { CommandLogEntry } from '../core/host/types';

/** Quote one argv element for display the way a POSIX shell would read it back. */
export function shellQuote(arg: string): string {
  if (arg !== '' && /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

export function formatArgv(argv: readonly string[]): string {
  return argv.map(shellQuote).join(' ');
}

export function formatCommandEntry(entry: CommandLogEntry): string {
  const outcome = entry.cancelled
    ? 'cancelled'
    : entry.timedOut
      ? 'timed out'
      : entry.signal
        ? `killed by ${entry.signal}`
        : `exit ${entry.exitCode ?? '?'}`;
  return `[${entry.host}] $ ${formatArgv(entry.argv)} → ${outcome} in ${Math.round(entry.durationMs)} ms`;
}
