import { HostError, type CommandLogEntry, type RunOptions, type RunResult } from './types';

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The environment every command gets, so tool output is parseable whatever the user's locale. */
export const FIXED_ENV: Readonly<Record<string, string>> = { LC_ALL: 'C', S_TIME_FORMAT: 'ISO' };

/** Refuses argv and env that no command should receive, before anything runs. */
export function checkRun(argv: unknown, options: RunOptions): asserts argv is string[] {
  if (!Array.isArray(argv) || argv.length === 0)
    throw new HostError('A command needs at least a program name.', 'INVALID');
  for (const a of argv) {
    if (typeof a !== 'string') throw new HostError('Every command argument must be a string.', 'INVALID');
    if (a.includes('\0')) throw new HostError('A command argument contains a NUL byte.', 'INVALID');
  }
  const program = argv[0] as string;
  if (program === '' || program.startsWith('-')) {
    throw new HostError(`${JSON.stringify(program)} is not a program name.`, 'INVALID');
  }
  for (const [name, value] of Object.entries(options.env ?? {})) {
    if (!ENV_NAME.test(name))
      throw new HostError(`${JSON.stringify(name)} is not an environment variable name.`, 'INVALID');
    if (typeof value !== 'string' || value.includes('\0')) {
      throw new HostError(`The value of ${name} is not a string without NUL bytes.`, 'INVALID');
    }
  }
  for (const [name, value] of [
    ['timeoutMs', options.timeoutMs],
    ['maxOutputBytes', options.maxOutputBytes],
  ] as const) {
    if (value !== undefined && (typeof value !== 'number' || Number.isNaN(value) || value < 0)) {
      throw new HostError(`${name} must be a non-negative number.`, 'INVALID');
    }
  }
}

export function runEnv(options: RunOptions): Record<string, string> {
  return { ...(options.env ?? {}), ...FIXED_ENV };
}

/** The result of a run that was cancelled before it started: nothing ran. */
export function notStarted(argv: string[]): RunResult {
  return {
    argv: [...argv],
    exitCode: null,
    signal: null,
    stdout: '',
    stderr: '',
    durationMs: 0,
    truncated: false,
    timedOut: false,
    cancelled: true,
  };
}

export function logEntry(host: string, r: RunResult): CommandLogEntry {
  return {
    host,
    argv: [...r.argv],
    exitCode: r.exitCode,
    signal: r.signal,
    durationMs: r.durationMs,
    timedOut: r.timedOut,
    cancelled: r.cancelled,
  };
}
