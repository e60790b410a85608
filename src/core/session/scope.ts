/**
 * Where perf samples. Attached to the target's threads (`-p`), perf's events are switched out and in at every
 * context switch of those threads (a timer reprogrammed each time): a server switching ~10K times/s per thread
 * loses ~30–37% of its requests/s, whatever the frequency. Sampling every CPU (`-a`) and keeping the target's
 * samples afterwards (`perf script --pid`) costs it ~4–11% on the same 2-vCPU VM (docs/BENCHMARKS.md, "Observer
 * overhead"), but needs root (or perf_event_paranoid ≤ 0), and its volume grows with the busy CPUs of the whole
 * host. So: CPU-wide when allowed and not too large; each fallback said, with what to change.
 */
import type { DataQualityNote } from '../profile';

export type RecordScope = 'process' | 'system';

/** CPU-wide sampling above this rate (busy CPUs × frequency) would make perf.data and its reading heavy. */
export const SYSTEM_WIDE_MAX_SAMPLES_PER_SECOND = 40_000;

export interface ScopeInput {
  asked: 'auto' | 'process' | 'system';
  /** perf runs as root or through sudo. */
  privileged: boolean;
  paranoid: number;
  /** Busy CPUs of the host (by the live breakdown; all of them when unknown). */
  busyCpus: number;
  frequency: number;
}

const COST = 'per-thread sampling costs a server that switches threads often ~30% of its throughput';

export function chooseRecordScope(i: ScopeInput): { scope: RecordScope; note: DataQualityNote | null } {
  if (i.asked === 'process') return { scope: 'process', note: null };
  if (!i.privileged && i.paranoid > 0) {
    return {
      scope: 'process',
      note: {
        id: 'per-process-sampling',
        severity: i.asked === 'system' ? 'warning' : 'info',
        message:
          `perf samples the process's own threads (-p): sampling all CPUs needs root or perf_event_paranoid ≤ 0 ` +
          `(it is ${i.paranoid}); ${COST}`,
        fix: 'run with sudo (mode "passwordless" or "password"), or: sudo sysctl kernel.perf_event_paranoid=0',
      },
    };
  }
  if (i.asked === 'system') return { scope: 'system', note: null };
  const rate = i.busyCpus * i.frequency;
  if (rate > SYSTEM_WIDE_MAX_SAMPLES_PER_SECOND) {
    return {
      scope: 'process',
      note: {
        id: 'per-process-sampling',
        severity: 'info',
        message:
          `perf samples the process's own threads (-p): ~${Math.round(i.busyCpus)} busy CPUs at ${i.frequency} Hz ` +
          `would record ~${Math.round(rate / 1000)}K samples/s of every process; ${COST}`,
        fix: 'choose the record scope "system" to sample all CPUs anyway, or lower the frequency',
      },
    };
  }
  return { scope: 'system', note: null };
}
