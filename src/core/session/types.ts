import type { DataQualityNote, Profile, ThreadStat, TimelineSample, CpuFields } from '../profile';

/** How the user names the process to profile. */
export type TargetSpec =
  | { kind: 'pid'; pid: number }
  | { kind: 'name'; name: string }
  | { kind: 'port'; port: number }
  | { kind: 'exe'; path: string };

export interface SessionOptions {
  /** Recording window, seconds (default 10). */
  durationSeconds: number;
  /** perf sampling frequency, Hz (default 999). */
  frequency: number;
  callGraph: 'fp' | 'dwarf' | 'none';
  /** Opt-in: run `strace -c -f` (costs ~95–98% of a server's throughput). */
  strace: boolean;
  /** perf.data size cap, MiB. */
  perfDataMaxMiB: number;
  /** Whether to prefix privileged tools with `sudo -n` (or `sudo -S` with a password on stdin). */
  sudo: 'never' | 'passwordless' | 'password';
  /** Only for sudo = 'password'; goes to `sudo -S` on stdin and nowhere else. */
  sudoPassword?: string;
  /** Tool binaries, when not on PATH. */
  toolPaths?: Partial<Record<'perf' | 'pidstat' | 'mpstat' | 'strace' | 'ss' | 'nstat' | 'ethtool', string>>;
  /**
   * Where perf samples: "system" samples every CPU and keeps the target's samples (cheap for the target),
   * "process" attaches to the target's threads (no privileges needed, but costs a server that switches
   * threads often much more), "auto" (default) takes "system" when allowed and the host is not too large.
   */
  recordScope?: 'auto' | 'process' | 'system';
  /** Seconds of live-only monitoring before recording starts (default 0). */
  liveOnly?: boolean;
}

export type SessionPhase = 'resolve' | 'probe' | 'live' | 'record' | 'postprocess' | 'analyze' | 'done';

export type SessionEvent =
  | { type: 'progress'; phase: SessionPhase; fraction: number; message: string }
  | { type: 'target'; pid: number; command: string; threads: number; host: string }
  | { type: 'notes'; notes: DataQualityNote[] }
  | {
      type: 'live';
      sample: TimelineSample;
      threads: ThreadStat[];
      perCpu: Array<CpuFields & { cpu: number }>;
    }
  | { type: 'warning'; message: string }
  | { type: 'done'; profile: Profile };
