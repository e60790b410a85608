/**
 * The numbers the rules reason about, derived once from a Profile, each with the tool it came from so
 * evidence sentences can name it. Missing inputs stay `null`: a rule that needs them does not fire.
 */
import type { Profile } from '../profile';
import { pct, rate, ratio } from './format';
import { BLOCK_IO } from './patterns';
import { Samples } from './samples';
import { THRESHOLDS } from './thresholds';

export interface Facts {
  profile: Profile;
  /** What the CPU numbers describe: the target process, only the host, or nothing. */
  subject: 'process' | 'host' | null;
  name: string;
  coresAvailable: number | null;
  /** Process CPU, percent of one core. */
  procCpu: number | null;
  procUsr: number | null;
  procSys: number | null;
  /** Where the usr/sys split came from ('pidstat', or 'perf samples' when only perf had it). */
  cpuSource: string;
  /** System time as a percent of usr+sys (of the process, or of the host when subject is host). */
  sysShare: number | null;
  /** Host, percent of all CPUs. */
  hostUsr: number | null;
  hostSys: number | null;
  hostIowait: number | null;
  hostIdle: number | null;
  hostSource: string;
  /**
   * Why the host's iowait is probably not disk I/O: the process sleeps in io_uring_enter with requests in
   * flight (counted as iowait) and does no block I/O itself; null when that does not hold. Its evidence.
   */
  ioUringIowait: string[] | null;
  /** Threads with their total context switches per second. */
  threads: Array<{ tid: number; name: string; cpu: number | null; wait: number | null; switches: number | null }>;
  threadSource: string;
  requestsPerSecond: number | null;
  throughputSource: string;
  ioUringEnter: number | null;
  ioUringSubmit: number | null;
  ioUringSource: string;
  eventfdWrites: number | null;
  eventfdFds: number[];
  eventfdSource: string;
  syscallsTotal: number | null;
  syscallsSource: string;
  futexPerSecond: number | null;
  /** Seconds in futex per second of recording. */
  futexTime: number | null;
  futexSource: string;
  samples: Samples;
  samplesSource: string;
  kernel: [number, number] | null;
  kernelText: string | null;
}

/** A short tool name for evidence: "perf stat -e … -p 12" → "perf stat". */
export function toolLabel(source: string | null | undefined, fallback: string): string {
  if (!source) return fallback;
  const s = source.trim();
  const perf = /^(?:\S*\/)?perf\s+(stat|record|report|script|trace|lock)\b/.exec(s);
  if (perf) return `perf ${perf[1]}`;
  if (s.startsWith('/proc')) return s.split(/[\s,]/)[0];
  if (/^live sampler\b/.test(s)) return '/proc sampler';
  if (/^(?:\S*\/)?ip\s.*\blink\b/.test(s)) return 'ip -s -s link';
  if (/^(?:\S*\/)?ethtool\b/.test(s)) return 'ethtool -S';
  const word = /^(?:\S*\/)?([\w.-]+)/.exec(s);
  if (word) return word[1];
  return s.length > 40 ? s.slice(0, 40) + '…' : s;
}

/**
 * The tool behind a data source string. Sources may be command lines ("perf stat -e …") or the files a
 * profile was built from ("/x/perf-stat.txt", several joined with "; "): files are looked up in the
 * profile's source records to name the tool that printed them.
 */
export function sourceLabel(profile: Profile, source: string | null | undefined, fallback: string): string {
  if (!source) return fallback;
  const labels = source
    .split(/;\s*/)
    .map((part) => {
      const record = profile.sources.find((r) => r.command === part.trim());
      return record ? toolLabel(record.tool, fallback) : toolLabel(part, fallback);
    })
    .filter((l) => l.length > 0);
  return [...new Set(labels)].join(', ') || fallback;
}

/** The first source whose tool matches one of the names, as a short label. */
function sourceFor(profile: Profile, names: string[], fallback: string): string {
  for (const name of names) {
    const hit = profile.sources.find((s) => s.tool.toLowerCase().includes(name));
    if (hit) return toolLabel(hit.tool, fallback);
  }
  return fallback;
}

function parseKernel(text: string | null | undefined): [number, number] | null {
  const m = /^(\d+)\.(\d+)/.exec(text ?? '');
  return m ? [Number(m[1]), Number(m[2])] : null;
}

const syscallName = (name: string) => name.replace(/^syscalls:sys_enter_/, '').replace(/^sys_/, '');
const isTotalRow = (name: string) => /^(?:raw_syscalls:sys_enter|total|\(total\)|all|syscalls)$/i.test(name);

export function deriveFacts(profile: Profile): Facts {
  const p = profile;
  const cores = p.target.cores ?? (p.cpu.perCpu.length > 0 ? p.cpu.perCpu.length : null);
  const samples = new Samples(p.folded, p.hotspots);
  const samplesSource = sourceFor(p, ['perf record', 'perf script', 'perf report', 'perf'], 'perf record');

  // Process CPU: the process row, else the sum of its threads.
  let procCpu = p.cpu.process?.cpu ?? null;
  let procUsr = p.cpu.process?.usr ?? null;
  let procSys = p.cpu.process?.sys ?? null;
  if (procCpu === null && p.threads.length > 0 && p.threads.some((t) => t.cpu !== null)) {
    procCpu = p.threads.reduce((s, t) => s + (t.cpu ?? 0), 0);
    if (p.threads.every((t) => t.usr !== null && t.sys !== null)) {
      procUsr = p.threads.reduce((s, t) => s + (t.usr ?? 0), 0);
      procSys = p.threads.reduce((s, t) => s + (t.sys ?? 0), 0);
    }
  }
  if (procCpu === null && procUsr !== null && procSys !== null) procCpu = procUsr + procSys;
  let cpuSource = sourceFor(p, ['pidstat', 'live sampler', '/proc', 'top'], 'pidstat');

  const sys = p.cpu.system;
  const hostSource = sourceFor(p, ['mpstat', 'live sampler', '/proc/stat', 'top'], 'mpstat');
  const subject = procCpu !== null ? 'process' : sys && sys.idle !== null ? 'host' : null;

  let sysShare: number | null = null;
  if (subject === 'process' && procUsr !== null && procSys !== null && procUsr + procSys > 0) {
    sysShare = (100 * procSys) / (procUsr + procSys);
  } else if (subject === 'host' && sys && sys.usr !== null && sys.sys !== null && sys.usr + sys.sys > 0) {
    sysShare = (100 * (sys.sys + (sys.softirq ?? 0))) / (sys.usr + sys.sys + (sys.softirq ?? 0));
  } else if (subject === 'process' && samples.present && procCpu !== null && procCpu > 0) {
    // pidstat-less inputs (top): split by where perf's samples landed.
    const kernelShare = kernelSampleShare(p);
    if (kernelShare !== null) {
      sysShare = kernelShare;
      procSys = (procCpu * kernelShare) / 100;
      procUsr = procCpu - procSys;
      cpuSource = `${cpuSource} with the user/kernel split from ${samplesSource}`;
    }
  }

  const threads = p.threads.map((t) => ({
    tid: t.tid,
    name: t.name,
    cpu: t.cpu,
    wait: t.wait,
    switches: t.cswch === null && t.nvcswch === null ? null : (t.cswch ?? 0) + (t.nvcswch ?? 0),
  }));

  // Syscall rates: a total row (perf stat raw_syscalls:sys_enter), else the sum of a per-syscall summary.
  const perSecond = (entry: { perSecond: number | null; calls: number }) =>
    entry.perSecond ?? ratio(entry.calls, p.durationSeconds);
  const totalRow = p.syscalls.find((s) => isTotalRow(s.name));
  const rows = p.syscalls.filter((s) => !isTotalRow(s.name));
  let syscallsTotal: number | null = totalRow ? perSecond(totalRow) : null;
  if (syscallsTotal === null && rows.length > 0 && rows.every((r) => perSecond(r) !== null)) {
    syscallsTotal = rows.reduce((s, r) => s + (perSecond(r) ?? 0), 0);
  }
  const syscallsSource = sourceFor(p, ['perf stat', 'strace', 'perf trace', 'perf'], 'perf stat');
  const byName = (name: string) => rows.find((r) => syscallName(r.name) === name) ?? null;

  const enterRow = byName('io_uring_enter');
  const ioUringEnter = p.ioUring?.enterPerSecond ?? (enterRow ? perSecond(enterRow) : null);
  const futexRow = byName('futex');

  let futexTime = p.lockContention?.futexSeconds ?? futexRow?.seconds ?? null;
  if (futexTime !== null) futexTime = ratio(futexTime, p.durationSeconds);

  return {
    profile: p,
    subject,
    name: p.target.command ?? (p.target.pid !== null ? `PID ${p.target.pid}` : 'the process'),
    coresAvailable: cores,
    procCpu,
    procUsr,
    procSys,
    cpuSource,
    sysShare,
    hostUsr: sys?.usr ?? null,
    hostSys: sys?.sys ?? null,
    hostIowait: sys?.iowait ?? null,
    hostIdle: sys?.idle ?? null,
    hostSource,
    ioUringIowait: ioUringIowait(
      sys?.iowait ?? null,
      ioUringEnter,
      p.ioUring ? sourceLabel(p, p.ioUring.source, 'perf stat') : syscallsSource,
      samples,
      samplesSource,
    ),
    threads,
    threadSource: sourceFor(p, ['pidstat', 'live sampler', '/proc', 'top'], 'pidstat'),
    requestsPerSecond: p.throughput?.requestsPerSecond ?? null,
    throughputSource: sourceLabel(p, p.throughput?.source, 'the load generator'),
    ioUringEnter,
    ioUringSubmit: p.ioUring?.submitPerSecond ?? null,
    ioUringSource: p.ioUring ? sourceLabel(p, p.ioUring.source, 'perf stat') : syscallsSource,
    eventfdWrites: p.eventfd?.writesPerSecond ?? null,
    eventfdFds: p.eventfd?.fds ?? [],
    eventfdSource: sourceLabel(p, p.eventfd?.source, 'perf stat'),
    syscallsTotal,
    syscallsSource,
    futexPerSecond: p.lockContention?.futexPerSecond ?? (futexRow ? perSecond(futexRow) : null),
    futexTime,
    futexSource: p.lockContention ? sourceLabel(p, p.lockContention.source, syscallsSource) : syscallsSource,
    samples,
    samplesSource,
    kernel: parseKernel(p.target.kernel),
    kernelText: p.target.kernel,
  };
}

/** Percent of perf samples whose leaf is in the kernel, or null without samples. */
export function kernelSampleShare(p: Profile): number | null {
  if (p.hotspots.length === 0) return null;
  const total = p.hotspots.reduce((s, h) => s + h.self, 0);
  if (total <= 0) return null;
  return (100 * p.hotspots.filter((h) => h.kernel).reduce((s, h) => s + h.self, 0)) / total;
}

/** Cores the process uses on average (1.0 = one full core). */
export function coresUsed(f: Facts): number | null {
  return f.procCpu === null ? null : f.procCpu / 100;
}

/** Threads busy enough to count as places the process runs work. */
export function busyThreads(f: Facts): Facts['threads'] {
  return f.threads.filter((t) => (t.cpu ?? 0) >= THRESHOLDS.BUSY_THREAD_CPU);
}

/** Host idle, counting the iowait that is the process's own io_uring waits as the idle CPU it is. */
export function effectiveHostIdle(f: Facts): number | null {
  if (f.hostIdle === null) return null;
  return f.hostIdle + (f.ioUringIowait !== null && f.hostIowait !== null ? f.hostIowait : 0);
}

/**
 * A task that sleeps in io_uring_enter(2) waiting for completions while requests are in flight is counted
 * as iowait on this kind of kernel (measured here, Linux 6.18: the demo server under one wrk connection,
 * which touches no file, showed 48% iowait on an otherwise idle host). For an io_uring server waiting on
 * its sockets that iowait is idle CPU, not a disk. Attributed only when the process makes io_uring_enter
 * calls and its samples show no block-layer frames (with samples to look at).
 */
function ioUringIowait(
  iowait: number | null,
  enter: number | null,
  enterSource: string,
  samples: Samples,
  samplesSource: string,
): string[] | null {
  if (
    iowait === null ||
    iowait < THRESHOLDS.IO_WAIT_FINDING ||
    enter === null ||
    enter < THRESHOLDS.IO_URING_IOWAIT_MIN_ENTER
  )
    return null;
  const evidence = [
    `The process makes ${rate(enter)} io_uring_enter calls (${enterSource}); a task sleeping in io_uring_enter with requests in flight is counted as iowait, even when those requests are socket reads.`,
  ];
  if (samples.present) {
    const block = samples.kernelOnly(BLOCK_IO);
    const share = samples.anywhere(block);
    if (share >= THRESHOLDS.BLOCK_IO_MIN_STACK_SHARE) return null;
    evidence.push(
      `No block-layer or file I/O functions (submit_bio, blk_mq_*, iomap_dio_*) on its sampled stacks: ${pct(share)} of samples (${samplesSource}).`,
    );
  }
  return evidence;
}
