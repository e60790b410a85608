/**
 * The host's process list (pid, name, %CPU, threads, user, listening ports, command line) from one run of
 * PROC_LIST_SCRIPT, and the parser for what it prints. Used by target resolution, the extension's
 * Processes view and its picker.
 */
import type { Host } from '../host/types';
import { HostError } from '../host/types';
import { ParseError } from '../errors';
import { PROC_LIST_SCRIPT } from './proc-list-script';

export interface ProcessInfo {
  pid: number;
  ppid: number;
  /** The kernel's name for it (`comm`, at most 15 bytes). */
  name: string;
  /** One-letter state from /proc/PID/stat (R, S, D, Z, …). */
  state: string;
  /** Percent of one core over the sampling interval; null when the list was taken without one. */
  cpu: number | null;
  threads: number;
  user: string | null;
  /** Listening TCP ports (only when asked for; otherwise empty). */
  ports: number[];
  /** Command line with arguments joined by spaces, as `ps` prints it; '' for kernel threads. */
  cmdline: string;
  /** /proc/PID/exe target, when asked for and readable. */
  exe: string | null;
  /** Process start time in clock ticks after boot (tells a reused PID apart). */
  startTicks: number;
}

export interface ProcessListing {
  processes: ProcessInfo[];
  /** PID of the listing script's own shell; it and its children are left out of `processes`. */
  selfPid: number;
  clockTicks: number;
  /** `readlink -f` of the path asked for, when one was. */
  realpath: string | null;
}

export interface ListOptions {
  /** Measure %CPU over this many milliseconds inside the same round trip (0: no %CPU). Default 300. */
  sampleMs?: number;
  /** Find listening TCP ports (default true). */
  ports?: boolean;
  /** Also read /proc/PID/exe links and resolve this path on the host. */
  exePath?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Run the script through this prefix (e.g. sudo), so other users' fds and exe links are readable. */
  wrap?: (argv: string[]) => { argv: string[]; stdin?: string };
}

interface StatLine {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
  ticks: number;
  threads: number;
  start: number;
}

/** Parses the text after `PID (` … `)` robustly: the name ends at the LAST ')' (names may hold ')'). */
export function parseStat(content: string): StatLine | null {
  const open = content.indexOf(' (');
  const close = content.lastIndexOf(')');
  if (open < 0 || close < open) return null;
  const pid = Number(content.slice(0, open));
  const f = content.slice(close + 2).split(' ');
  if (!Number.isInteger(pid) || f.length < 20) return null;
  const num = (i: number) => Number(f[i]);
  const stat = {
    pid,
    comm: content.slice(open + 2, close),
    state: f[0],
    ppid: num(1),
    ticks: num(11) + num(12),
    threads: num(17),
    start: num(19),
  };
  if (![stat.ppid, stat.ticks, stat.threads, stat.start].every(Number.isFinite)) return null;
  return stat;
}

/**
 * `grep '' FILES` output → file name → content. Lines of one file are consecutive and each carries the
 * file's name, so a line break inside a process name is joined back instead of starting a fake entry.
 */
export function joinGrepLines(lines: string[], filePattern: RegExp): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of lines) {
    const m = filePattern.exec(line);
    if (!m) continue;
    const file = m[1];
    const text = line.slice(m[0].length);
    const prev = out.get(file);
    out.set(file, prev === undefined ? text : prev + '\n' + text);
  }
  return out;
}

/** Sum of the first 8 fields of /proc/stat's `cpu` line: elapsed ticks times the CPU count. */
function cpuTotal(line: string): number | null {
  const f = line.trim().split(/\s+/);
  if (f[0] !== 'cpu' || f.length < 5) return null;
  const total = f.slice(1, 9).reduce((a, b) => a + Number(b), 0);
  return Number.isFinite(total) ? total : null;
}

interface Snap {
  cpuTotal: number;
  stats: Map<number, StatLine>;
}

export function parseProcessListing(text: string): ProcessListing {
  const lines = text.split('\n');
  let section = '';
  let selfPid = -1;
  let clockTicks = 100;
  let ncpu = 1;
  let realpath: string | null = null;
  let ended = false;
  const snaps: Snap[] = [];
  let snapLines: string[] = [];
  const ps = new Map<number, { user: string; args: string }>();
  const ports = new Map<number, Set<number>>();
  const exes = new Map<number, string>();

  const finishSnap = () => {
    if (section !== 'snap') return;
    const files = joinGrepLines(snapLines, /^(\d+)\/stat:/);
    const stats = new Map<number, StatLine>();
    for (const [file, content] of files) {
      const st = parseStat(content);
      // The file name is the truth: a stat line must describe the process whose file it came from.
      if (st && String(st.pid) === file) stats.set(st.pid, st);
    }
    snaps[snaps.length - 1].stats = stats;
    snapLines = [];
  };

  lines.forEach((line, index) => {
    if (line.startsWith('@')) {
      const [tag, ...rest] = line.split(' ');
      const arg = rest.join(' ');
      if (tag === '@cpu' && section === 'snap') {
        const c = cpuTotal(arg);
        if (c === null) throw new ParseError('process list', index + 1, line, 'the cpu line of /proc/stat');
        snaps[snaps.length - 1].cpuTotal = c;
        return;
      }
      finishSnap();
      section = tag.slice(1);
      if (tag === '@self') selfPid = Number(arg);
      else if (tag === '@clk') clockTicks = Number(arg) || 100;
      else if (tag === '@ncpu') ncpu = Number(arg) || 1;
      else if (tag === '@snap') snaps.push({ cpuTotal: NaN, stats: new Map() });
      else if (tag === '@end') ended = true;
      return;
    }
    switch (section) {
      case 'snap':
        snapLines.push(line);
        break;
      case 'ps': {
        const m = /^\s*(\d+)\s+(\S+)\s?(.*)$/.exec(line);
        if (m) ps.set(Number(m[1]), { user: m[2], args: m[3].trim() });
        break;
      }
      case 'ports': {
        const m = /^(\d+) ([0-9A-Fa-f]{1,4})$/.exec(line.trim());
        if (m) {
          const pid = Number(m[1]);
          const set = ports.get(pid) ?? new Set<number>();
          set.add(parseInt(m[2], 16));
          ports.set(pid, set);
        }
        break;
      }
      case 'realpath':
        if (realpath === null && line !== '') realpath = line;
        break;
      case 'exe': {
        // "PID TARGET" (the script matches links itself); `ls -l` lines from older captures are read too.
        const m = /^(\d+) (\/.*)$/.exec(line) ?? /(?:^|\s)(\d+)\/exe -> (.*)$/.exec(line);
        if (m) exes.set(Number(m[1]), m[2]);
        break;
      }
    }
  });
  finishSnap();
  if (!ended || selfPid < 0 || snaps.length === 0) {
    throw new ParseError('process list', null, null, 'the listing script to run to its end (@self … @end)');
  }

  const last = snaps[snaps.length - 1];
  const first = snaps.length > 1 ? snaps[0] : null;
  // Ticks per CPU over the interval = elapsed time in ticks.
  const cpus = Math.max(1, ncpu);
  const elapsed = first ? (last.cpuTotal - first.cpuTotal) / cpus : 0;

  const processes: ProcessInfo[] = [];
  for (const st of last.stats.values()) {
    if (st.pid === selfPid || st.ppid === selfPid) continue;
    const before = first?.stats.get(st.pid);
    let cpu: number | null = null;
    if (first && elapsed > 0) {
      const dt = before && before.start === st.start ? st.ticks - before.ticks : st.ticks;
      cpu = Math.max(0, Math.round((dt / elapsed) * 1000) / 10);
    }
    const p = ps.get(st.pid);
    processes.push({
      pid: st.pid,
      ppid: st.ppid,
      name: st.comm,
      state: st.state,
      cpu,
      threads: st.threads,
      user: p?.user ?? null,
      ports: [...(ports.get(st.pid) ?? [])].sort((a, b) => a - b),
      cmdline: p?.args ?? '',
      exe: exes.get(st.pid) ?? null,
      startTicks: st.start,
    });
  }
  processes.sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0) || a.pid - b.pid);
  return { processes, selfPid, clockTicks, realpath };
}

export async function runProcessListing(host: Host, options: ListOptions = {}): Promise<ProcessListing> {
  const sampleMs = options.sampleMs ?? 300;
  const seconds = sampleMs > 0 ? (sampleMs / 1000).toFixed(3) : '0';
  const base = ['sh', '-c', PROC_LIST_SCRIPT, 'perf-lens-ps', seconds, options.ports === false ? '0' : '1'];
  base.push(options.exePath ?? '');
  const wrapped = options.wrap ? options.wrap(base) : { argv: base };
  const result = await host.run(wrapped.argv, {
    signal: options.signal,
    timeoutMs: options.timeoutMs ?? 20_000,
    maxOutputBytes: 32 * 1024 * 1024,
    stdin: wrapped.stdin,
  });
  if (result.cancelled) throw new HostError('listing processes was cancelled', 'CANCELLED');
  if (result.timedOut) throw new HostError(`listing processes on ${host.description} timed out`, 'TIMEOUT');
  if (result.exitCode !== 0) {
    throw new HostError(
      `listing processes on ${host.description} failed (exit ${result.exitCode ?? result.signal}): ${result.stderr.trim().slice(-300)}`,
      'UNKNOWN',
    );
  }
  return parseProcessListing(result.stdout);
}

/** The host's processes, busiest first (%CPU measured over ~300 ms inside one round trip). */
export async function listProcesses(host: Host, options: Omit<ListOptions, 'exePath'> = {}): Promise<ProcessInfo[]> {
  return (await runProcessListing(host, options)).processes;
}
