/**
 * What the session learns just before recording, from one run of PREPARE_SCRIPT: the target's executable,
 * its eventfd descriptors (the filter for counting wake-ups in the kernel), which tracepoints exist, and the
 * network counters at the start of the window.
 */
import { allowedCpusOf, parseCpuList } from './cpu-list';
import { parseNetSnapshot, type NetSnapshot } from './net';
import { splitSections } from './sections';

export interface PrepareInfo {
  /** The process was gone by the time the script ran. */
  gone: boolean;
  exe: string | null;
  /** eventfd descriptor numbers, ascending (at most 64). */
  eventfds: number[];
  /** `group/name` of the tracepoints that exist. */
  tracepoints: Set<string>;
  paranoid: number | null;
  /** The CPUs any of the target's threads may run on (the union of their affinities); null if unreadable. */
  allowedCpus: number[] | null;
  /** The host's online CPUs; null if unreadable. */
  onlineCpus: number[] | null;
  /** Listening TCP ports of the process, ascending. */
  ports: number[];
  net: NetSnapshot | null;
  netError: string | null;
}

export function parsePrepareOutput(text: string): PrepareInfo {
  const s = splitSections(text);
  const info: PrepareInfo = {
    gone: s.lines.has('gone'),
    exe: null,
    eventfds: [],
    tracepoints: new Set(),
    paranoid: null,
    allowedCpus: null,
    onlineCpus: null,
    ports: [],
    net: null,
    netError: null,
  };
  if (info.gone) return info;
  info.exe = (s.lines.get('exe') ?? [])[0]?.trim() || null;
  info.eventfds = [
    ...new Set(
      (s.lines.get('fds') ?? [])
        .map((l) => /\s(\d+) -> anon_inode:\[eventfd\]$/.exec(l)?.[1])
        .filter((x): x is string => x !== undefined)
        .map(Number),
    ),
  ]
    .sort((a, b) => a - b)
    .slice(0, 64);
  info.tracepoints = new Set((s.lines.get('tp') ?? []).map((l) => l.trim()).filter((l) => /^[a-z_]+\/\w+$/.test(l)));
  const paranoid = s.values.get('paranoid');
  info.paranoid = paranoid !== undefined && /^-?\d+$/.test(paranoid.trim()) ? Number(paranoid) : null;
  info.allowedCpus = allowedCpusOf(s.lines.get('cpus') ?? []);
  info.onlineCpus = parseCpuList(s.values.get('online') ?? '');
  info.ports = [
    ...new Set(
      (s.lines.get('ports') ?? [])
        .filter((l) => /^[0-9A-Fa-f]{1,4}$/.test(l.trim()))
        .map((l) => parseInt(l.trim(), 16)),
    ),
  ].sort((a, b) => a - b);
  try {
    info.net = parseNetSnapshot(s.lines);
  } catch (e) {
    info.netError = e instanceof Error ? e.message : String(e);
  }
  return info;
}

/** Tracepoints for perf stat, in the order the Profile wants them, and the ones this kernel lacks. */
export function chooseStatEvents(tracepoints: Set<string>): { events: string[]; missing: string[] } {
  const submit = tracepoints.has('io_uring/io_uring_submit_req')
    ? 'io_uring/io_uring_submit_req'
    : 'io_uring/io_uring_submit_sqe';
  const wanted = [
    'raw_syscalls/sys_enter',
    'syscalls/sys_enter_io_uring_enter',
    'syscalls/sys_enter_futex',
    submit,
    'io_uring/io_uring_complete',
  ];
  return {
    events: wanted.filter((e) => tracepoints.has(e)).map((e) => e.replace('/', ':')),
    missing: wanted.filter((e) => !tracepoints.has(e)),
  };
}

/** perf record's `--control` FIFO and `-D -1` (start disabled) exist since perf 5.10. */
export function perfSupportsControl(version: string | null): boolean {
  const m = /(\d+)\.(\d+)/.exec(version ?? '');
  if (!m) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 5 || (major === 5 && minor >= 10);
}
