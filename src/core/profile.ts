/**
 * The Profile: the one document every part of Perf Lens exchanges (CLI, extension, webview,
 * language server, saved sessions). Versioned; `docs/profile.schema.json` is its JSON Schema.
 *
 * Conventions:
 * - percentages are numbers in percent of ONE core (pidstat style: a process using two full cores
 *   has cpu = 200) unless a field says otherwise; `null` means "the input did not have it",
 *   never "zero";
 * - rates are per second over the measured duration;
 * - every number that came from a tool can be traced through `sources`.
 */
export const PROFILE_SCHEMA = 'perf-lens/profile@1' as const;

export interface Profile {
  schema: typeof PROFILE_SCHEMA;
  /** ISO-8601 time the profile was finished. */
  createdAt: string;
  producer: { name: 'perf-lens'; version: string };
  /** `session`: a live profiling session; `analyze`: built from saved tool outputs. */
  origin: 'session' | 'analyze';
  /** True when the data is incomplete (cancelled, target exited, a tool failed); see `partialReason`. */
  partial: boolean;
  partialReason: string | null;
  target: Target;
  /** Length of the recording window in seconds, when known. */
  durationSeconds: number | null;
  capabilities: Capabilities | null;
  dataQuality: DataQualityNote[];
  cpu: CpuBreakdown;
  threads: ThreadStat[];
  /** One entry per live sample (about one a second). */
  timeline: TimelineSample[];
  syscalls: SyscallStat[];
  ioUring: IoUringStats | null;
  eventfd: EventfdStats | null;
  contextSwitches: ContextSwitchStats | null;
  network: NetworkCounters | null;
  lockContention: LockContention | null;
  hotspots: Hotspot[];
  /** Folded stacks, `frame;frame;leaf` root first, like stackcollapse-perf.pl (bounded: see `foldedTruncated`). */
  folded: FoldedStack[];
  foldedTruncated: boolean;
  /** Samples in the perf recording (before truncation), when known. */
  sampleCount: number | null;
  throughput: Throughput | null;
  verdict: Verdict;
  findings: Finding[];
  /** Which tool produced which data (command line or file, tool version). */
  sources: SourceRecord[];
}

export interface Target {
  host: string;
  /** `local` or `ssh`; `file` for profiles built from saved outputs. */
  transport: 'local' | 'ssh' | 'file';
  pid: number | null;
  command: string | null;
  /** Full command line when known (may be long; rendered as text only). */
  cmdline: string | null;
  exe: string | null;
  kernel: string | null;
  /** Online CPUs on the host. */
  cores: number | null;
  threadCount: number | null;
  listeningPorts: number[];
}

export interface Capabilities {
  perf: boolean;
  perfVersion: string | null;
  pidstat: boolean;
  mpstat: boolean;
  strace: boolean;
  ss: boolean;
  nstat: boolean;
  ethtool: boolean;
  bpftrace: boolean;
  perfEventParanoid: number | null;
  kptrRestrict: number | null;
  ptraceScope: number | null;
  uid: number | null;
  sudo: 'root' | 'passwordless' | 'password' | 'none';
  ioUringTracepoints: boolean;
  hardwarePmu: boolean;
  container: string | null;
  distro: DistroFamily;
}

export type DistroFamily = 'debian' | 'rhel' | 'suse' | 'alpine' | 'arch' | 'unknown';

export interface DataQualityNote {
  id: string;
  severity: 'info' | 'warning' | 'critical';
  message: string;
  /** The exact command that removes the gap, when there is one. */
  fix: string | null;
}

export interface CpuFields {
  usr: number | null;
  nice: number | null;
  sys: number | null;
  iowait: number | null;
  irq: number | null;
  softirq: number | null;
  steal: number | null;
  idle: number | null;
}

export interface CpuBreakdown {
  /** The target process, percent of one core (200 = two full cores). `wait` is run-queue wait (pidstat %wait), NOT I/O wait. */
  process: { usr: number | null; sys: number | null; wait: number | null; cpu: number | null } | null;
  /** Whole host, percent of all CPUs (sums to ~100). */
  system: CpuFields | null;
  perCpu: Array<CpuFields & { cpu: number }>;
}

export interface ThreadStat {
  tid: number;
  name: string;
  usr: number | null;
  sys: number | null;
  /** Run-queue wait (pidstat %wait): time runnable but not running. */
  wait: number | null;
  cpu: number | null;
  /** Voluntary context switches per second. */
  cswch: number | null;
  /** Involuntary context switches per second. */
  nvcswch: number | null;
}

export interface TimelineSample {
  /** Seconds since the session started. */
  t: number;
  process: { usr: number | null; sys: number | null; wait: number | null; cpu: number | null } | null;
  system: CpuFields | null;
}

export interface SyscallStat {
  name: string;
  calls: number;
  errors: number | null;
  seconds: number | null;
  usecsPerCall: number | null;
  percent: number | null;
  perSecond: number | null;
}

export interface IoUringStats {
  enterPerSecond: number | null;
  submitPerSecond: number | null;
  completePerSecond: number | null;
  source: string;
}

export interface EventfdStats {
  /** The eventfd descriptors found in /proc/PID/fd. */
  fds: number[];
  writesPerSecond: number | null;
  source: string;
}

export interface ContextSwitchStats {
  /** Process total, per second. */
  voluntaryPerSecond: number | null;
  involuntaryPerSecond: number | null;
  /** The thread with the most switches per second. */
  maxThread: { tid: number; name: string; perSecond: number } | null;
  /** All switches per second (perf stat context-switches), when counted. */
  totalPerSecond?: number | null;
  source: string;
}

/** Counters as deltas over the session (or absolute values when only one snapshot exists; see `kind`). */
export interface NetworkCounters {
  kind: 'delta' | 'snapshot';
  seconds: number | null;
  retransSegs: number | null;
  listenOverflows: number | null;
  listenDrops: number | null;
  tcpBacklogDrop: number | null;
  rcvPruned: number | null;
  tcpTimeouts: number | null;
  activeOpens: number | null;
  passiveOpens: number | null;
  inSegs: number | null;
  outSegs: number | null;
  /** Interface name → drop counters summed from `ethtool -S` / sysfs. */
  nicDrops: Record<string, number>;
  softirqNetRx: number | null;
  softirqNetTx: number | null;
  /** Other counters parsed, by their tool's name. */
  other: Record<string, number>;
  source: string;
}

export interface LockContention {
  futexSeconds: number | null;
  futexPerSecond: number | null;
  /** Kernel lock contention (`perf lock contention`): total wait, seconds, and contended acquisitions. */
  kernelLockWaitSeconds?: number | null;
  kernelLockContended?: number | null;
  /** The most-waited-on kernel locks (caller or lock name as perf printed it). */
  topLocks?: Array<{ name: string; type: string | null; contended: number; totalWaitSeconds: number }>;
  source: string;
}

export interface Hotspot {
  /** Demangled symbol as perf prints it. */
  symbol: string;
  dso: string;
  kernel: boolean;
  /** Percent of samples with this symbol as the leaf. */
  self: number;
  /** Percent of samples with this symbol anywhere on the stack (null without call graphs). */
  children: number | null;
  /** Source location from debug info, when perf gave one. */
  file: string | null;
  line: number | null;
  /** Top callers (symbol names), when known. */
  callers: string[];
  /** Thread names it ran on, when known. */
  threads: string[];
}

export interface FoldedStack {
  stack: string;
  count: number;
}

export interface Throughput {
  requestsPerSecond: number;
  source: string;
}

export type VerdictKind = 'user-bound' | 'kernel-bound' | 'io-bound' | 'syscall-bound' | 'idle' | 'unknown';

export interface Verdict {
  kind: VerdictKind;
  /** One sentence with the numbers. */
  summary: string;
  evidence: string[];
  /** Cores busy on average (1.0 = one full core) and cores available. */
  coresUsed: number | null;
  coresAvailable: number | null;
}

export type Severity = 'info' | 'warning' | 'critical';

export interface Finding {
  id: string;
  severity: Severity;
  title: string;
  /** Each a sentence with the number, its unit and the tool it came from. */
  evidence: string[];
  fixes: string[];
  verify: string;
  symbols: string[];
}

export interface SourceRecord {
  tool: string;
  /** The argv that ran, or the file that was read. */
  command: string;
  version: string | null;
}
