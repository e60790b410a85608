/** Session defaults and validation: a bad value is a UserError before anything runs on the target. */
import { UserError } from '../errors';
import type { SessionOptions } from './types';

export const DEFAULT_OPTIONS: SessionOptions = {
  durationSeconds: 10,
  frequency: 999,
  callGraph: 'fp',
  strace: false,
  perfDataMaxMiB: 256,
  sudo: 'never',
};

export const LIMITS = {
  durationSeconds: { min: 1, max: 3600 },
  frequency: { min: 1, max: 100_000 },
  perfDataMaxMiB: { min: 1, max: 64 * 1024 },
} as const;

/** What strace costs, said before it runs (measured on nginx under wrk; see issue 3). */
export const STRACE_COST_WARNING =
  'strace stops the target at every system call: expect the server to lose ~95–98% of its throughput while it runs ' +
  '(perf stat counts the same calls in the kernel at almost no cost; strace adds per-call times and errors).';

export function resolveOptions(partial: Partial<SessionOptions>): SessionOptions {
  const o: SessionOptions = { ...DEFAULT_OPTIONS, ...stripUndefined(partial) };
  for (const key of ['durationSeconds', 'frequency', 'perfDataMaxMiB'] as const) {
    const { min, max } = LIMITS[key];
    const v = o[key];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
      throw new UserError(`${key} must be a number from ${min} to ${max} (got ${String(v)})`, null);
    }
  }
  if (!Number.isInteger(o.frequency))
    throw new UserError(`frequency must be a whole number of Hz (got ${o.frequency})`, null);
  if (!['fp', 'dwarf', 'none'].includes(o.callGraph)) {
    throw new UserError(`callGraph must be fp, dwarf or none (got ${String(o.callGraph)})`, null);
  }
  if (o.recordScope !== undefined && !['auto', 'process', 'system'].includes(o.recordScope)) {
    throw new UserError(`recordScope must be auto, process or system (got ${String(o.recordScope)})`, null);
  }
  if (!['never', 'passwordless', 'password'].includes(o.sudo)) {
    throw new UserError(`sudo must be never, passwordless or password (got ${String(o.sudo)})`, null);
  }
  if (o.sudo === 'password' && (typeof o.sudoPassword !== 'string' || o.sudoPassword === '')) {
    throw new UserError('sudo mode "password" needs the password', 'enter it when asked, or use sudo "passwordless"');
  }
  if (o.sudoPassword !== undefined && /[\n\r\0]/.test(o.sudoPassword)) {
    throw new UserError('the sudo password cannot contain line breaks', null);
  }
  for (const [tool, path] of Object.entries(o.toolPaths ?? {})) {
    if (path === undefined) continue;
    // eslint-disable-next-line no-control-regex
    if (typeof path !== 'string' || !path.startsWith('/') || /[\x00-\x1f]/.test(path)) {
      throw new UserError(`the path for ${tool} must be absolute (got ${JSON.stringify(path)})`, null);
    }
  }
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
