/**
 * The /proc sampler, for hosts without sysstat: one snapshot = the process's /proc/PID/stat, every thread's
 * /proc/PID/task/TID/stat (+ schedstat: run-queue delay) and /proc/stat, read by one small POSIX sh script
 * (the PID is passed as `$1`, never spliced into the script). Two snapshots give per-thread and per-CPU
 * percentages through `procDelta` (a pure function).
 */
import { checkPid } from './argv';
import { LineContext, linesOf, tokens } from './lines';

/**
 * The snapshot script. `read` is a shell builtin, so a snapshot forks one `cat` per file that can be long,
 * not one per thread. A thread that exits mid-snapshot is skipped.
 */
export const PROC_SNAPSHOT_SCRIPT = [
  `cd "/proc/$1" 2>/dev/null || { echo '@gone'; exit 0; }`,
  `read -r up < /proc/uptime && printf '@uptime %s\\n' "$up"`,
  `printf '@process\\n'; cat stat`,
  'for t in task/*; do',
  `  { read -r s < "$t/stat"; } 2>/dev/null || continue`,
  `  w=-; { read -r w < "$t/schedstat"; } 2>/dev/null`,
  `  printf '@task %s\\n%s\\n' "$w" "$s"`,
  'done',
  `printf '@stat\\n'; cat /proc/stat`,
].join('\n');

export function procSnapshotArgv(o: { pid: number; shell?: string }): string[] {
  return [o.shell ?? 'sh', '-c', PROC_SNAPSHOT_SCRIPT, 'sh', checkPid(o.pid)];
}

/** One line of /proc/PID/stat or /proc/PID/task/TID/stat (fields as proc(5) numbers them). */
export interface TaskStat {
  id: number;
  comm: string;
  state: string;
  /** Field 14/15, clock ticks. */
  utime: number;
  stime: number;
  numThreads: number;
  /** Field 22, ticks after boot. */
  starttime: number;
  /** Field 39, CPU last run on. */
  processor: number | null;
  /** Field 42 (delay accounting; 0 when disabled), ticks spent waiting for block I/O. */
  delayacctBlkioTicks: number | null;
  /** Field 43, ticks. */
  guestTime: number | null;
}

/** Parses a stat line; the comm is between the first `(` and the LAST `)` (a comm may hold `)` and spaces). */
export function parseTaskStatLine(line: string, ctx = new LineContext('/proc/PID/stat')): TaskStat {
  const open = line.indexOf(' (');
  const close = line.lastIndexOf(') ');
  if (open === -1 || close === -1 || close < open) throw ctx.error('`PID (comm) STATE …` as in /proc/PID/stat');
  const id = ctx.count(line.slice(0, open).trim(), 'the PID');
  const comm = line.slice(open + 2, close);
  const f = tokens(line.slice(close + 2));
  // f[0] is field 3 (state): field N is f[N - 3].
  if (f.length < 20) throw ctx.error('at least 22 fields in a /proc/PID/stat line');
  const num = (n: number): number | null => {
    const v = f[n - 3];
    return v === undefined ? null : /^-?\d+$/.test(v) ? Number(v) : null;
  };
  const need = (n: number, what: string): number => {
    const v = num(n);
    if (v === null) throw ctx.error(`a number in field ${n} (${what}), found ${JSON.stringify(f[n - 3] ?? '')}`);
    return v;
  };
  if (!/^[A-Za-z]$/.test(f[0])) throw ctx.error(`a one-letter state in field 3, found ${JSON.stringify(f[0])}`);
  return {
    id,
    comm,
    state: f[0],
    utime: need(14, 'utime'),
    stime: need(15, 'stime'),
    numThreads: need(20, 'num_threads'),
    starttime: need(22, 'starttime'),
    processor: num(39),
    delayacctBlkioTicks: num(42),
    guestTime: num(43),
  };
}

/** /proc/stat `cpu` line, in clock ticks. `user` includes guest and `nice` includes guest_nice, as the kernel counts. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

export interface ProcStat {
  total: CpuTimes;
  /** By CPU number. */
  perCpu: Map<number, CpuTimes>;
  ctxt: number | null;
  procsRunning: number | null;
  procsBlocked: number | null;
}

/** Parses /proc/stat. Only the `cpu*` lines are required. */
export function parseProcStat(text: string, ctx = new LineContext('/proc/stat')): ProcStat {
  let total: CpuTimes | null = null;
  const perCpu = new Map<number, CpuTimes>();
  const out: ProcStat = {
    total: null as unknown as CpuTimes,
    perCpu,
    ctxt: null,
    procsRunning: null,
    procsBlocked: null,
  };
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = tokens(line);
    if (t.length === 0) continue;
    const key = t[0];
    if (key.startsWith('cpu')) {
      const times = cpuTimes(t.slice(1), ctx);
      if (key === 'cpu') total = times;
      else if (/^cpu\d+$/.test(key)) perCpu.set(Number(key.slice(3)), times);
      else throw ctx.error('`cpu` or `cpuN` followed by tick counts');
    } else if (key === 'ctxt') out.ctxt = ctx.count(t[1], 'ctxt');
    else if (key === 'procs_running') out.procsRunning = ctx.count(t[1], 'procs_running');
    else if (key === 'procs_blocked') out.procsBlocked = ctx.count(t[1], 'procs_blocked');
    else if (!/^[a-z_]+$/.test(key)) throw ctx.error('a /proc/stat line (`cpu …`, `intr …`, `ctxt N`, …)');
  }
  if (!total) throw ctx.inputError('a `cpu` line as in /proc/stat');
  out.total = total;
  return out;
}

function cpuTimes(t: string[], ctx: LineContext): CpuTimes {
  if (t.length < 4) throw ctx.error('at least 4 tick counts (user nice system idle) after `cpu`');
  const v = t.map((x, i) => ctx.count(x, `cpu tick field ${i + 1}`));
  return {
    user: v[0],
    nice: v[1],
    system: v[2],
    idle: v[3],
    iowait: v[4] ?? 0,
    irq: v[5] ?? 0,
    softirq: v[6] ?? 0,
    steal: v[7] ?? 0,
    guest: v[8] ?? 0,
    guestNice: v[9] ?? 0,
  };
}

export interface ThreadSnapshot extends TaskStat {
  /** /proc/…/schedstat: ns on CPU, ns waiting on a run queue, timeslices; null when not available. */
  schedRunNs: number | null;
  schedWaitNs: number | null;
}

export interface ProcSnapshot {
  /** /proc/uptime, seconds (two decimals). */
  uptime: number | null;
  process: TaskStat;
  threads: ThreadSnapshot[];
  stat: ProcStat;
}

/** Parses the output of `procSnapshotArgv`. Throws a ParseError when the process is gone (`@gone`). */
export function parseProcSnapshot(text: string): ProcSnapshot {
  const ctx = new LineContext('proc snapshot');
  let uptime: number | null = null;
  let process: TaskStat | null = null;
  const threads: ThreadSnapshot[] = [];
  let section: 'start' | 'process' | 'task' | 'stat' = 'start';
  let sched: { run: number | null; wait: number | null } = { run: null, wait: null };
  const statLines: string[] = [];
  const statCtx = new LineContext('proc snapshot');
  for (const line of linesOf(text)) {
    ctx.next(line);
    if (section === 'stat') {
      statLines.push(line);
      if (statLines.length > 100_000) throw ctx.error('a /proc/stat section of reasonable size');
      continue;
    }
    if (line === '@gone')
      throw ctx.error('a running process (the process has exited or its /proc entry is not readable)');
    if (line.startsWith('@uptime ')) {
      uptime = ctx.decimal(tokens(line)[1], 'uptime');
      continue;
    }
    if (line === '@process') {
      section = 'process';
      continue;
    }
    if (line.startsWith('@task ')) {
      const w = tokens(line.slice(6));
      section = 'task';
      sched =
        w.length >= 2 && /^\d+$/.test(w[0]) && /^\d+$/.test(w[1])
          ? { run: Number(w[0]), wait: Number(w[1]) }
          : { run: null, wait: null };
      continue;
    }
    if (line === '@stat') {
      section = 'stat';
      statCtx.lineNumber = ctx.lineNumber;
      continue;
    }
    if (section === 'process' && process === null) {
      process = parseTaskStatLine(line, ctx);
      continue;
    }
    if (section === 'task') {
      // Exactly one stat line follows each `@task` marker.
      threads.push({ ...parseTaskStatLine(line, ctx), schedRunNs: sched.run, schedWaitNs: sched.wait });
      section = 'start';
      continue;
    }
    if (line.trim() === '') continue;
    throw ctx.error('the perf-lens proc snapshot sections (@uptime, @process, @task, @stat)');
  }
  if (!process) throw ctx.inputError('a `@process` section with the /proc/PID/stat line');
  if (section !== 'stat') throw ctx.inputError('a `@stat` section with /proc/stat (the output looks truncated)');
  return { uptime, process, threads, stat: parseProcStat(statLines.join('\n'), statCtx) };
}

export interface CpuPercent {
  usr: number;
  nice: number;
  sys: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  idle: number;
}

export interface ProcThreadDelta {
  tid: number;
  name: string;
  /** Percent of one CPU over the interval. */
  usr: number;
  sys: number;
  cpu: number;
  /** Run-queue wait, percent of the interval (from schedstat), like pidstat's %wait. */
  wait: number | null;
  /** Block-I/O delay (delay accounting), percent of the interval; null when not known. */
  blkio: number | null;
}

export interface ProcDelta {
  /** Wall seconds between the snapshots (from /proc/stat ticks, else /proc/uptime). */
  seconds: number;
  cpus: number;
  system: CpuPercent;
  perCpu: Array<CpuPercent & { cpu: number }>;
  process: { usr: number; sys: number; cpu: number; wait: number | null; blkio: number | null };
  threads: ProcThreadDelta[];
  /** Context switches per second, whole host. */
  contextSwitchesPerSecond: number | null;
}

/**
 * Percentages between two snapshots (a taken before b). `clockTicks` is sysconf(_SC_CLK_TCK), 100 on every
 * mainstream Linux. Threads that exist only in one snapshot are left out (new ones have no baseline).
 */
export function procDelta(a: ProcSnapshot, b: ProcSnapshot, clockTicks = 100): ProcDelta {
  const ctx = new LineContext('proc delta');
  const cpus = b.stat.perCpu.size || 1;
  const totalTicks = sumTicks(b.stat.total) - sumTicks(a.stat.total);
  let seconds = totalTicks / cpus / clockTicks;
  if (!(seconds > 0) && a.uptime !== null && b.uptime !== null) seconds = b.uptime - a.uptime;
  if (!(seconds > 0)) throw ctx.inputError('two snapshots taken at different times, the first one earlier');
  const perCpuTicks = seconds * clockTicks;
  const pct = (ticks: number) => Math.max(0, (ticks / perCpuTicks) * 100);
  const threadsA = new Map(a.threads.map((t) => [t.id, t]));
  const threads: ProcThreadDelta[] = [];
  for (const t of b.threads) {
    const p = threadsA.get(t.id);
    if (!p || p.starttime !== t.starttime) continue;
    const usr = pct(t.utime - p.utime);
    const sys = pct(t.stime - p.stime);
    threads.push({
      tid: t.id,
      name: t.comm,
      usr: round2(usr),
      sys: round2(sys),
      cpu: round2(usr + sys),
      wait:
        t.schedWaitNs !== null && p.schedWaitNs !== null
          ? round2(Math.max(0, ((t.schedWaitNs - p.schedWaitNs) / 1e9 / seconds) * 100))
          : null,
      blkio: blkio(p, t, pct),
    });
  }
  const pu = pct(b.process.utime - a.process.utime);
  const ps = pct(b.process.stime - a.process.stime);
  const waits = threads.map((t) => t.wait);
  const perCpu: Array<CpuPercent & { cpu: number }> = [];
  for (const [cpu, tb] of [...b.stat.perCpu].sort((x, y) => x[0] - y[0])) {
    const ta = a.stat.perCpu.get(cpu);
    if (ta) perCpu.push({ cpu, ...cpuPercent(ta, tb) });
  }
  return {
    seconds: round2(seconds * 1000) / 1000,
    cpus,
    system: cpuPercent(a.stat.total, b.stat.total),
    perCpu,
    process: {
      usr: round2(pu),
      sys: round2(ps),
      cpu: round2(pu + ps),
      wait: waits.length > 0 && waits.every((w) => w !== null) ? round2(waits.reduce((s, w) => s + w!, 0)) : null,
      blkio: blkio(a.process, b.process, pct),
    },
    threads,
    contextSwitchesPerSecond:
      a.stat.ctxt !== null && b.stat.ctxt !== null ? round2((b.stat.ctxt - a.stat.ctxt) / seconds) : null,
  };
}

function blkio(a: TaskStat, b: TaskStat, pct: (ticks: number) => number): number | null {
  return a.delayacctBlkioTicks !== null && b.delayacctBlkioTicks !== null
    ? round2(pct(b.delayacctBlkioTicks - a.delayacctBlkioTicks))
    : null;
}

function sumTicks(t: CpuTimes): number {
  // guest and guest_nice are already inside user and nice.
  return t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
}

/** Percent of the CPU(s) over the interval, like mpstat: usr excludes guest, nice excludes guest_nice. */
export function cpuPercent(a: CpuTimes, b: CpuTimes): CpuPercent {
  const d = (k: keyof CpuTimes) => Math.max(0, b[k] - a[k]);
  const total = sumTicks(b) - sumTicks(a);
  const p = (v: number) => (total > 0 ? round2((v / total) * 100) : 0);
  return {
    usr: p(Math.max(0, d('user') - d('guest'))),
    nice: p(Math.max(0, d('nice') - d('guestNice'))),
    sys: p(d('system')),
    iowait: p(d('iowait')),
    irq: p(d('irq')),
    softirq: p(d('softirq')),
    steal: p(d('steal')),
    guest: p(d('guest') + d('guestNice')),
    idle: p(d('idle')),
  };
}

function round2(v: number): number {
  return Math.round(v * 100) / 100;
}
