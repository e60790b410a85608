/**
 * Gathered → Profile (`origin: 'session'`), before analysis fills `verdict` and `findings`.
 */
import { PROFILE_SCHEMA, type Profile, type SyscallStat } from '../profile';
import { VERSION } from '../version';
import type { Gathered } from './gathered';

const round1 = (v: number) => Math.round(v * 10) / 10;

/** perf stat events → the Profile's syscall list (calls counted in the kernel; no times or errors). */
function syscallsFrom(g: Gathered): SyscallStat[] {
  const stat = g.stat;
  if (!stat || stat.seconds <= 0) return [];
  const total = stat.counts.get('raw_syscalls:sys_enter') ?? null;
  const out: SyscallStat[] = [];
  const add = (name: string, calls: number | undefined) => {
    if (calls === undefined) return;
    out.push({
      name,
      calls,
      errors: null,
      seconds: null,
      usecsPerCall: null,
      percent: total && total > 0 && name !== 'total' ? round1((calls / total) * 100) : null,
      perSecond: round1(calls / stat.seconds),
    });
  };
  add('io_uring_enter', stat.counts.get('syscalls:sys_enter_io_uring_enter'));
  add('futex', stat.counts.get('syscalls:sys_enter_futex'));
  if (total !== null) add('total', total);
  return out.sort((a, b) => b.calls - a.calls);
}

export function assemble(g: Gathered, partial: { reasons: string[] }, origin: 'session' = 'session'): Profile {
  const w = g.window;
  const stat = g.stat;
  const rate = (event: string) => {
    const c = stat?.counts.get(event);
    return c === undefined || !stat || stat.seconds <= 0 ? null : round1(c / stat.seconds);
  };
  const submitEvent = stat?.counts.has('io_uring:io_uring_submit_req')
    ? 'io_uring:io_uring_submit_req'
    : 'io_uring:io_uring_submit_sqe';
  const haveUring =
    stat !== null && (stat.counts.has('syscalls:sys_enter_io_uring_enter') || stat.counts.has(submitEvent));
  let maxThread: { tid: number; name: string; perSecond: number } | null = null;
  for (const t of w?.threads ?? []) {
    const per = (t.cswch ?? 0) + (t.nvcswch ?? 0);
    if (t.cswch !== null && (!maxThread || per > maxThread.perSecond))
      maxThread = { tid: t.tid, name: t.name, perSecond: round1(per) };
  }
  const reasons = [...new Set(partial.reasons)];
  return {
    schema: PROFILE_SCHEMA,
    createdAt: new Date().toISOString(),
    producer: { name: 'perf-lens', version: VERSION },
    origin,
    partial: reasons.length > 0,
    partialReason: reasons.length > 0 ? reasons.join('; ') : null,
    target: {
      host: g.hostDescription,
      transport: g.transport,
      pid: g.target?.pid ?? null,
      command: g.target?.name ?? null,
      cmdline: g.target?.cmdline ?? null,
      exe: g.target?.exe ?? null,
      kernel: g.kernel,
      cores: g.cores,
      threadCount: w ? w.threads.length || (g.target?.threads ?? null) : (g.target?.threads ?? null),
      listeningPorts: g.target?.ports ?? [],
    },
    durationSeconds: g.recordedSeconds,
    capabilities: g.capabilities,
    dataQuality: g.notes,
    cpu: {
      process: w?.process ?? null,
      system: w?.system ?? null,
      perCpu: w?.perCpu ?? [],
    },
    threads: w?.threads ?? [],
    timeline: g.timeline,
    syscalls: syscallsFrom(g),
    ioUring: haveUring
      ? {
          enterPerSecond: rate('syscalls:sys_enter_io_uring_enter'),
          submitPerSecond: rate(submitEvent),
          completePerSecond: rate('io_uring:io_uring_complete'),
          source: 'perf stat -I 1000 (tracepoints, counted in the kernel)',
        }
      : null,
    eventfd:
      g.eventfdFds.length > 0
        ? {
            fds: g.eventfdFds,
            writesPerSecond: rate('syscalls:sys_enter_write'),
            source: `perf stat -e syscalls:sys_enter_write --filter '${g.eventfdFds.map((f) => `fd == ${f}`).join(' || ')}'`,
          }
        : null,
    contextSwitches: w
      ? {
          voluntaryPerSecond: w.voluntaryPerSecond,
          involuntaryPerSecond: w.involuntaryPerSecond,
          maxThread,
          source: '/proc/PID/task/*/status (voluntary/nonvoluntary_ctxt_switches, as pidstat -w reads them)',
        }
      : null,
    network: g.network,
    lockContention:
      stat && stat.counts.has('syscalls:sys_enter_futex')
        ? {
            futexSeconds: null,
            futexPerSecond: rate('syscalls:sys_enter_futex'),
            source: 'perf stat (syscalls:sys_enter_futex)',
          }
        : null,
    hotspots: g.hotspots,
    folded: g.folded,
    foldedTruncated: g.foldedTruncated,
    sampleCount: g.sampleCount,
    throughput: null,
    verdict: { kind: 'unknown', summary: 'not analysed yet', evidence: [], coresUsed: null, coresAvailable: g.cores },
    findings: [],
    sources: g.sources,
  };
}
