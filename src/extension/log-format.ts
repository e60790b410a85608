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

/** Like formatArgv, but an inline script (e.g. the `sh -c` body) is shortened to its size and first line. */
export function formatArgvShort(argv: readonly string[], max = 160): string {
  return argv
    .map((arg) => {
      if (arg.length <= max && !arg.includes('\n')) return shellQuote(arg);
      const lines = arg.split('\n');
      const first = lines.find((l) => l.trim() !== '')?.trim() ?? '';
      return `<script: ${lines.length} lines, ${arg.length} chars: ${JSON.stringify(first.slice(0, 60))}…>`;
    })
    .join(' ');
}

export function formatCommandEntry(entry: CommandLogEntry, full = true): string {
  const outcome = entry.cancelled
    ? 'cancelled'
    : entry.timedOut
      ? 'timed out'
      : entry.signal
        ? `killed by ${entry.signal}`
        : `exit ${entry.exitCode ?? '?'}`;
  const argv = full ? formatArgv(entry.argv) : formatArgvShort(entry.argv);
  return `[${entry.host}] $ ${argv} → ${outcome} in ${Math.round(entry.durationMs)} ms`;
}
