/**
 * One reading of /proc as the sampler script prints it, and the CPU breakdown between two readings.
 * Counters are cumulative, so the breakdown over any window is the difference of two readings: the same
 * function serves the per-second live events and the averages over the whole recording.
 */
import type { CpuFields, ThreadStat } from '../profile';
import { ParseError } from '../errors';
import { joinGrepLines, parseStat } from '../target/proc-list';

export interface ThreadCounters {
  tid: number;
  name: string;
  state: string;
  /** Clock ticks. */
  utime: number;
  stime: number;
  /** Nanoseconds on the CPU and waiting on a run queue (schedstat), when the kernel has them. */
  runNs: number | null;
  waitNs: number | null;
  voluntary: number | null;
  involuntary: number | null;
}

export interface Reading {
  /** Local monotonic time the reading was complete, ms. */
  atMs: number;
  /** /proc/stat lines: `cpu` (all) and `cpu0`… → user nice system idle iowait irq softirq steal. */
  cpu: Map<string, number[]>;
  process: { utime: number; stime: number; state: string; startTicks: number; threads: number } | null;
  threads: Map<number, ThreadCounters>;
}

const STAT_FILE = /^(?:(\d+)\/task\/(\d+)\/(stat|schedstat|status)|(\d+)\/stat|(stat)):/;

/** Parses the lines between `@s` and `@e`. `pid` is the target: lines about other PIDs are ignored. */
export function parseReading(lines: string[], pid: number, atMs: number): Reading {
  const cpu = new Map<string, number[]>();
  const files = joinGrepLines(
    lines.filter((l) => !l.startsWith('stat:')),
    /^(\d+(?:\/task\/\d+)?\/(?:stat|schedstat|status)):/,
  );
  for (const line of lines) {
    if (!line.startsWith('stat:cpu')) continue;
    const f = line.slice(5).trim().split(/\s+/);
    const values = f.slice(1, 9).map(Number);
    while (values.length < 8) values.push(0);
    if (values.some((v) => !Number.isFinite(v))) {
      throw new ParseError('/proc/stat', null, line, 'a cpu line with numeric counters');
    }
    cpu.set(f[0], values);
  }
  if (!cpu.has('cpu')) throw new ParseError('/proc/stat', null, null, 'the aggregate `cpu` line');

  let processCounters: Reading['process'] = null;
  const threads = new Map<number, ThreadCounters>();
  const thread = (tid: number): ThreadCounters => {
    let t = threads.get(tid);
    if (!t) {
      t = {
        tid,
        name: '',
        state: '?',
        utime: NaN,
        stime: NaN,
        runNs: null,
        waitNs: null,
        voluntary: null,
        involuntary: null,
      };
      threads.set(tid, t);
    }
    return t;
  };
  for (const [file, content] of files) {
    const m = STAT_FILE.exec(file + ':');
    if (!m) continue;
    if (m[4] !== undefined) {
      if (Number(m[4]) !== pid) continue;
      const st = parseStat(content);
      const f = statFields(content);
      if (!st || st.pid !== pid || !f) continue;
      processCounters = { utime: f.utime, stime: f.stime, state: st.state, startTicks: st.start, threads: st.threads };
      continue;
    }
    if (Number(m[1]) !== pid) continue;
    const tid = Number(m[2]);
    if (m[3] === 'stat') {
      const st = parseStat(content);
      const f = statFields(content);
      if (!st || st.pid !== tid || !f) continue;
      const t = thread(tid);
      t.name = st.comm;
      t.state = st.state;
      t.utime = f.utime;
      t.stime = f.stime;
    } else if (m[3] === 'schedstat') {
      const [run, wait] = content.trim().split(/\s+/).map(Number);
      if (Number.isFinite(run) && Number.isFinite(wait)) {
        const t = thread(tid);
        t.runNs = run;
        t.waitNs = wait;
      }
    } else {
      for (const l of content.split('\n')) {
        const c = /^(nonvoluntary|voluntary)_ctxt_switches:\s*(\d+)/.exec(l);
        if (!c) continue;
        const t = thread(tid);
        if (c[1] === 'voluntary') t.voluntary = Number(c[2]);
        else t.involuntary = Number(c[2]);
      }
    }
  }
  // A thread whose stat line vanished (exited between the two greps) is not a thread of this reading.
  for (const [tid, t] of threads) if (!Number.isFinite(t.utime)) threads.delete(tid);
  return { atMs, cpu, process: processCounters, threads };
}

function statFields(content: string): { utime: number; stime: number } | null {
  const close = content.lastIndexOf(')');
  const f = content.slice(close + 2).split(' ');
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? { utime, stime } : null;
}

export interface Breakdown {
  /** Seconds between the two readings (from the kernel's own tick counts). */
  seconds: number;
  process: { usr: number | null; sys: number | null; wait: number | null; cpu: number | null } | null;
  system: CpuFields;
  perCpu: Array<CpuFields & { cpu: number }>;
  threads: ThreadStat[];
  /** Context switches per second summed over threads present in both readings. */
  voluntaryPerSecond: number | null;
  involuntaryPerSecond: number | null;
}

const round = (v: number, digits = 2) => {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
};

function cpuFields(a: number[], b: number[]): CpuFields {
  const d = b.map((v, i) => Math.max(0, v - (a[i] ?? 0)));
  const total = d.reduce((x, y) => x + y, 0);
  const pct = (v: number) => (total > 0 ? round((v / total) * 100) : 0);
  return {
    usr: pct(d[0]),
    nice: pct(d[1]),
    sys: pct(d[2]),
    idle: pct(d[3]),
    iowait: pct(d[4]),
    irq: pct(d[5]),
    softirq: pct(d[6]),
    steal: pct(d[7]),
  };
}

/**
 * The breakdown between readings a (earlier) and b. Percentages of one core for the process and threads
 * (pidstat style), of all CPUs for the system. Null when the interval is empty.
 */
export function breakdown(a: Reading, b: Reading, clockTicks: number, cpuCount: number): Breakdown | null {
  const ca = a.cpu.get('cpu');
  const cb = b.cpu.get('cpu');
  if (!ca || !cb) return null;
  const totalTicks = cb.reduce((x, y) => x + y, 0) - ca.reduce((x, y) => x + y, 0);
  const ncpu = Math.max(1, cpuCount || [...b.cpu.keys()].filter((k) => k !== 'cpu').length);
  // Elapsed time as the kernel counted it: total ticks over all CPUs / CPU count.
  const ticks = totalTicks / ncpu;
  if (!(ticks > 0)) return null;
  const seconds = ticks / clockTicks;
  const pct = (dTicks: number) => round(Math.max(0, (dTicks / ticks) * 100));

  const perCpu: Breakdown['perCpu'] = [];
  for (const [name, vb] of b.cpu) {
    if (name === 'cpu') continue;
    const va = a.cpu.get(name);
    if (va) perCpu.push({ cpu: Number(name.slice(3)), ...cpuFields(va, vb) });
  }
  perCpu.sort((x, y) => x.cpu - y.cpu);

  const threads: ThreadStat[] = [];
  let waitNs = 0;
  let haveWait = false;
  let vol = 0;
  let invol = 0;
  let haveCs = false;
  for (const [tid, tb] of b.threads) {
    const ta = a.threads.get(tid);
    if (!ta) continue;
    const usr = pct(tb.utime - ta.utime);
    const sys = pct(tb.stime - ta.stime);
    let wait: number | null = null;
    if (tb.waitNs !== null && ta.waitNs !== null) {
      const dw = Math.max(0, tb.waitNs - ta.waitNs);
      waitNs += dw;
      haveWait = true;
      wait = round((dw / (seconds * 1e9)) * 100);
    }
    const rate = (x: number | null, y: number | null) =>
      x !== null && y !== null ? round(Math.max(0, y - x) / seconds) : null;
    const cswch = rate(ta.voluntary, tb.voluntary);
    const nvcswch = rate(ta.involuntary, tb.involuntary);
    if (cswch !== null && nvcswch !== null) {
      vol += cswch;
      invol += nvcswch;
      haveCs = true;
    }
    threads.push({ tid, name: tb.name, usr, sys, wait, cpu: round(usr + sys), cswch, nvcswch });
  }
  threads.sort((x, y) => (y.cpu ?? 0) - (x.cpu ?? 0) || x.tid - y.tid);

  let processStats: Breakdown['process'] = null;
  if (a.process && b.process && a.process.startTicks === b.process.startTicks) {
    const usr = pct(b.process.utime - a.process.utime);
    const sys = pct(b.process.stime - a.process.stime);
    processStats = {
      usr,
      sys,
      wait: haveWait ? round((waitNs / (seconds * 1e9)) * 100) : null,
      cpu: round(usr + sys),
    };
  }
  return {
    seconds: round(seconds, 3),
    process: processStats,
    system: cpuFields(ca, cb),
    perCpu,
    threads,
    voluntaryPerSecond: haveCs ? round(vol) : null,
    involuntaryPerSecond: haveCs ? round(invol) : null,
  };
}
