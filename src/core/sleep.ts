import { setTimeout as wait } from 'node:timers/promises';

/** Waits `ms`, or less if `signal` aborts first; never rejects (an abort just ends the wait). */
export function sleepUnless(ms: number, signal: AbortSignal): Promise<void> {
  return wait(ms, undefined, { signal }).catch(() => undefined);
}
