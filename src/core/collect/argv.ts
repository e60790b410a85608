/**
 * Checks shared by the argv builders. The builders return argv arrays (never shell strings), but a value that
 * starts with `-` could still be read as an option by the tool, and a NaN would print as "NaN": refuse both.
 */
import { UserError } from '../errors';

/** Linux PIDs are 1..2^22 (pid_max can be at most 4194304). */
export function checkPid(pid: number): string {
  if (!Number.isSafeInteger(pid) || pid < 1 || pid > 4_194_304) {
    throw new UserError(`invalid PID ${JSON.stringify(pid)}`, 'a PID is a whole number between 1 and 4194304');
  }
  return String(pid);
}

export function checkPositiveInt(value: number, what: string, max = 1_000_000): string {
  if (!Number.isSafeInteger(value) || value < 1 || value > max) {
    throw new UserError(`invalid ${what} ${JSON.stringify(value)}`, `expected a whole number from 1 to ${max}`);
  }
  return String(value);
}

/** Seconds as a decimal string perf/sleep accept (`2`, `0.5`). */
export function checkSeconds(value: number, what: string, max = 86_400): string {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > max) {
    throw new UserError(`invalid ${what} ${JSON.stringify(value)}`, `expected seconds between 0 and ${max}`);
  }
  return String(Math.round(value * 1000) / 1000);
}

/**
 * A tool binary: a bare command name looked up on PATH, or an absolute path. No leading `-`, no whitespace or
 * control characters (it goes through ssh's remote shell as one quoted word, but must still be a sane path).
 */
export function checkToolPath(path: string | undefined, fallback: string): string {
  const tool = path ?? fallback;
  if (
    typeof tool !== 'string' ||
    tool === '' ||
    tool.startsWith('-') ||
    // eslint-disable-next-line no-control-regex
    /[\s\u0000-\u001f\u007f]/.test(tool) ||
    (!tool.startsWith('/') && tool.includes('/'))
  ) {
    throw new UserError(
      `invalid path for ${fallback}: ${JSON.stringify(tool)}`,
      'give a command name on PATH or an absolute path without spaces',
    );
  }
  return tool;
}
