/**
 * 4. Observer overhead: the demo server's requests/s under wrk with nothing attached and with each observer.
 * Each round brackets every observer run between two nothing-attached runs (N A N B N C … N), the observers'
 * order changing from round to round (a Williams design), and compares each observer run with the mean of its
 * two neighbours. An A/A control (a nothing-attached run in an observer's slot) gives the noise floor, and each
 * observer's own CPU time is measured directly.
 */
import { existsSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { startDemoServer, startLoad } from '../../test/helpers/demo-server';
import { LocalHost } from '../../src/core/host';
import { choosePrivilege } from '../../src/core/session/privilege';
import { profile } from '../../src/core/session/profile';
import { allowedCpusOf, formatCpuList, parseCpuList, sampledCpus } from '../../src/core/session/cpu-list';
import { COUNT_SECONDS, PERF_DATA, perfRecordArgv, perfStatArgv, type RecordPlan } from '../../src/core/session/record';
import { DEFAULT_OPTIONS } from '../../src/core/session/options';
import type { Benchmark } from '../lib/context';
import { background, sleep, type Background } from '../lib/exec';
import { fmt, median, stat } from '../lib/stats';

const LIVE_TARGET = 0.99;
const RECORD_TARGET = 0.95;
/**
 * Largest max/min of the nothing-attached runs for which the ratios still mean something (paired within a
 * round, they stand a wider spread than medians of unpaired runs would).
 */
const MAX_SPREAD = 1.25;
/** CPU per second (ms) that other processes may use during a run before it counts as disturbed. */
const OTHERS_BUSY_MS = 50;
/** A default session's window: what the derived recording-phase row weighs the counting against. */
const SESSION_SECONDS = DEFAULT_OPTIONS.durationSeconds;
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

interface Attached {
  stop(): Promise<string>;
  /**
   * CPU seconds (utime + stime, reaped children included) used so far by the observer's own processes; absent
   * for an observer that runs inside this process (its cost is this process's CPU minus the neighbouring runs').
   */
  cpuSeconds?(): number;
}

interface Observer {
  id: string;
  name: string;
  target?: { text: string; min: number };
  attach(pid: number, seconds: number, tmp: string): Promise<Attached>;
}

const NOTHING: Attached = { stop: () => Promise.resolve('') };

/** The tracepoints the session counts (src/core/session/profile.ts prepare()). */
const STAT_EVENTS = [
  'raw_syscalls:sys_enter',
  'syscalls:sys_enter_io_uring_enter',
  'syscalls:sys_enter_futex',
  'io_uring:io_uring_submit_req',
  'io_uring:io_uring_complete',
];

function tracepointExists(event: string): boolean {
  const path = event.replace(':', '/');
  return ['/sys/kernel/tracing/events', '/sys/kernel/debug/tracing/events'].some((root) =>
    existsSync(`${root}/${path}`),
  );
}

/** The CPUs the session samples for this process (src/core/session/profile.ts, prepare): its threads' affinity. */
function sessionCpus(pid: number): string | null {
  const read = (path: string) => {
    try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  };
  const allowed = allowedCpusOf(
    readdirSync(`/proc/${pid}/task`).map(
      (tid) => (/^Cpus_allowed_list:.*$/m.exec(read(`/proc/${pid}/task/${tid}/status`)) ?? [''])[0],
    ),
  );
  const cpus = sampledCpus(allowed, parseCpuList(read('/sys/devices/system/cpu/online')));
  return cpus ? formatCpuList(cpus) : null;
}

/** A recording plan as the session makes it, with the observer's own window and temp folder. */
function plan(pid: number, seconds: number, dir: string, scope: RecordPlan['scope'] = 'system'): RecordPlan {
  return {
    pid,
    dir,
    // The observer is stopped by SIGINT right after wrk ends; the `sleep` is only an upper bound.
    seconds: seconds + 30,
    scope,
    // Counting through the whole wrk run here (the session counts COUNT_SECONDS, before sampling starts).
    countSeconds: seconds + 30,
    control: true,
    perf: 'perf',
    frequency: 999,
    callGraph: 'fp',
    maxMiB: 256,
    statEvents: [],
    eventfdFilter: null,
    strace: null,
    privilege: choosePrivilege(process.getuid?.() ?? null, 'none', { sudo: 'never' }),
  };
}

/** utime + stime of a process (all its threads), in seconds. */
function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5) (utime, stime) are at 11 and 12 after the command name, in clock ticks.
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
}

/** utime + stime of this process, plus cutime + cstime of the children it has reaped (wrk, once it ended). */
function selfCpuSeconds(): number {
  const text = readFileSync('/proc/self/stat', 'utf8');
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

/**
 * The whole machine's CPU time in seconds from /proc/stat's `cpu` line: `busy` is user + nice + system + irq +
 * softirq (a tick that lands in an interrupt or softirq goes to those columns here but to the interrupted
 * process's stime in /proc/PID/stat, so leaving them out would count the loopback traffic's softirq work of the
 * server and wrk twice), `steal` the time the hypervisor gave this VM's CPUs to others.
 */
function machineCpuSeconds(): { busy: number; steal: number } {
  const line = /^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1].trim().split(/\s+/).map(Number) ?? [];
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line;
  return { busy: (user + nice + system + irq + softirq) / CLOCK_TICKS, steal: steal / CLOCK_TICKS };
}

/**
 * CPU seconds of every process in process group `pgid` (an observer started by `background()` leads its own
 * group): utime + stime of each, plus cutime + cstime for the children each has already reaped (the wrapper's
 * `sleep`s and `cat /proc/kallsyms`), so a process that ran and ended between two readings is counted too.
 */
function groupCpuSeconds(pgid: number): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command name: state, ppid, pgrp, … utime (11), stime (12), cutime (13), cstime (14).
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14]);
  }
  return ticks / CLOCK_TICKS;
}

/** The eventfd descriptors of a process (what the session's eventfd-write counter filters on). */
function eventfds(pid: number): number[] {
  const fds: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[eventfd]') fds.push(Number(fd));
    } catch {
      // closed meanwhile
    }
  }
  return fds.sort((a, b) => a - b);
}

async function stopTool(proc: Background, what: string, check: (out: string) => string): Promise<string> {
  const end = await proc.stop('SIGINT', 10_000);
  const out = proc.output();
  if (end.code !== 0 && end.signal !== 'SIGINT' && end.code !== 130) {
    throw new Error(`${what} ended with ${end.code ?? end.signal}: ${out.slice(-300)}`);
  }
  return check(out);
}

/** perf record as the session runs it: in its wrapper, measured from when sampling is enabled (`@recording`). */
async function attachRecord(p: RecordPlan, tmp: string): Promise<Attached> {
  const rec = background(perfRecordArgv(p));
  try {
    await rec.waitFor(/^@recording$/m, 60_000);
  } catch (e) {
    await rec.stop('SIGKILL');
    throw e;
  }
  return {
    cpuSeconds: () => groupCpuSeconds(rec.pid),
    stop: async () => {
      // SIGINT to the wrapper's group: perf writes perf.data and exits, as when its window ends.
      const end = await rec.stop('SIGINT', 20_000);
      const size = existsSync(join(tmp, PERF_DATA)) ? statSync(join(tmp, PERF_DATA)).size : 0;
      rmSync(join(tmp, PERF_DATA), { force: true });
      for (const f of ['kallsyms', 'kallsyms.part', 'ctl.fifo', 'ack.fifo', 'acked'])
        rmSync(join(tmp, f), { force: true });
      if (end.code !== 0 && end.code !== 130 && end.signal !== 'SIGINT')
        throw new Error(`perf record ended with ${end.code ?? end.signal}: ${rec.output().slice(-300)}`);
      return `${fmt(size / 1024 / 1024)} MiB of perf.data`;
    },
  };
}

const AA_NAME = 'A/A control: nothing attached, in an observer’s slot';

const OBSERVERS: Observer[] = [
  // Measured exactly like an observer, so its spread over the rounds is the method's own noise floor.
  { id: 'aa', name: AA_NAME, attach: () => Promise.resolve(NOTHING) },
  {
    id: 'live',
    name: 'Perf Lens live monitor',
    target: { text: `≥ ${LIVE_TARGET * 100}% of requests/s with nothing attached`, min: LIVE_TARGET },
    async attach(pid) {
      // The session in live-only mode: what runs while the panel shows the live breakdown.
      const host = new LocalHost();
      const controller = new AbortController();
      let updates = 0;
      let resolveFirst!: () => void;
      let live = false;
      const first = new Promise<void>((r) => (resolveFirst = r));
      const session = profile(
        host,
        { kind: 'pid', pid },
        { liveOnly: true },
        (e) => {
          if (e.type === 'live') updates++;
          // Steady state: the probe at the start (tool versions, permissions: a second of short commands) is
          // done once the session says it is only monitoring, and a breakdown has arrived.
          if (e.type === 'progress' && e.phase === 'live') live = true;
          if (live && updates > 0) resolveFirst();
        },
        controller.signal,
      );
      await Promise.race([first, session]);
      return {
        async stop() {
          controller.abort();
          await session;
          await host.dispose();
          return `${updates} live breakdowns`;
        },
      };
    },
  },
  {
    id: 'record',
    name: '`perf record -F 999 -g`, CPU-wide on the CPUs the server may run on (the session’s argv: `-C 0` for the pinned server, `-a` if not pinned)',
    target: { text: `≥ ${RECORD_TARGET * 100}% of requests/s with nothing attached`, min: RECORD_TARGET },
    attach: (pid, seconds, tmp) => attachRecord({ ...plan(pid, seconds, tmp, 'system'), cpus: sessionCpus(pid) }, tmp),
  },
  {
    id: 'record-process',
    name: '`perf record -F 999 -g -p PID` (the session’s fallback without privileges)',
    attach: (pid, seconds, tmp) => attachRecord(plan(pid, seconds, tmp, 'process'), tmp),
  },
  {
    id: 'stat',
    name: 'in-kernel `perf stat` tracepoint counters (the session’s argv)',
    async attach(pid, seconds, tmp) {
      const fds = eventfds(pid);
      const p = background(
        perfStatArgv({
          ...plan(pid, seconds, tmp),
          statEvents: STAT_EVENTS.filter(tracepointExists),
          eventfdFilter:
            fds.length && tracepointExists('syscalls:sys_enter_write')
              ? fds.map((fd) => `fd == ${fd}`).join(' || ')
              : null,
        }),
      );
      await sleep(300);
      return {
        cpuSeconds: () => groupCpuSeconds(p.pid),
        stop: () =>
          stopTool(p, 'perf stat', (out) => {
            let total = 0;
            for (const m of out.matchAll(/^\s*[\d.]+,(\d+),,raw_syscalls:sys_enter/gm)) total += Number(m[1]);
            return `${total.toLocaleString('en-US')} syscalls counted`;
          }),
      };
    },
  },
  {
    id: 'strace',
    name: '`strace -c -f` (opt-in)',
    async attach(pid, _seconds, tmp) {
      const out = join(tmp, 'strace.txt');
      const p = background(['strace', '-c', '-f', '-o', out, '-p', String(pid)]);
      await sleep(300);
      return {
        cpuSeconds: () => groupCpuSeconds(p.pid),
        stop: async () => {
          const r = await stopTool(p, 'strace', () => 'detached');
          rmSync(out, { force: true });
          return r;
        },
      };
    },
  },
];

/**
 * The observers' order in each round: a Williams design (rows of a Latin square whose neighbours are balanced):
 * over n rounds every observer takes every position once, and runs right after each other observer once, so
 * neither an early or late slot nor what an earlier observer leaves behind favours any one of them.
 */
export function williamsOrders(n: number): number[][] {
  const first = [0];
  for (let i = 1, lo = 1, hi = n - 1; i < n; i++) first.push(i % 2 === 1 ? lo++ : hi--);
  const rows = Array.from({ length: n }, (_, r) => first.map((x) => (x + r) % n));
  // For an odd n the rotations alone balance the positions but not the neighbours; their mirror images do.
  return n % 2 === 0 ? rows : [...rows, ...rows.map((row) => [...row].reverse())];
}

interface RunResult {
  rps: number;
  /** Requests per CPU-second of the server process. */
  perServerCpu: number;
  /** CPU of this (the bench) process per second of the run, in ms. */
  benchCpuMs: number;
  /** CPU of the observer's own processes per second of the run, in ms (null: in-process or nothing). */
  ownCpuMs: number | null;
  /**
   * CPU per second of the run used by everything else on the machine: its busy time minus the server's, this
   * process's (wrk included, reaped when it ended) and the observer's processes'. Other people's work here takes
   * CPU from the server or wrk and moves the throughput; this says when that happened.
   */
  othersMs: number;
  /** CPU per second of the run the hypervisor gave to other VMs. */
  stealMs: number;
}

const mean2 = (a: number, b: number) => (a + b) / 2;
const pct = (r: number) => `${fmt(r * 100)}%`;

export const observerBenchmark: Benchmark = {
  id: 'observer',
  title: 'Observer overhead',
  targets: OBSERVERS.filter((o) => o.target).map((o) => o.target!.text),
  async run(ctx, section) {
    const orders = williamsOrders(OBSERVERS.length);
    // One full design (every observer in every slot once): 6 rounds of 13 runs of 4 s, ~6.5 min in all.
    const rounds = ctx.quick ? 1 : orders.length;
    const seconds = ctx.quick ? 2 : 4;
    const connections = 50;
    // Server on CPU 0, wrk on CPU 1 (when there are two): left to the scheduler, the four threads' placement
    // swung the unobserved throughput by ±10% from run to run, more than the effects measured here.
    const pin = cpus().length >= 2;
    const server = await startDemoServer({ threads: 2, cpus: pin ? '0' : undefined });
    const ids = OBSERVERS.map((o) => o.id);
    const series = () => Object.fromEntries(ids.map((id) => [id, [] as number[]]));
    const noneRps: number[] = [];
    const noneBenchCpu: number[] = [];
    const nonePerCpu: number[] = [];
    const rps = series();
    // Per round, each observer run against the mean of the nothing-attached runs just before and after it.
    const ratio = series();
    // Requests per CPU-second of the server itself: less sensitive to other load on the machine (which takes
    // CPU away from the server) while still charging what observers cost inside it (sampling interrupts,
    // ptrace stops, tracepoint handlers run in the server's context).
    const perCpu = series();
    const perCpuRatio = series();
    const ownCpu = series();
    const evidence = Object.fromEntries(ids.map((id) => [id, [] as string[]]));
    const others: number[] = [];
    const steal: number[] = [];

    const measureRun = async (o: Observer | null): Promise<RunResult> => {
      const attached = o ? await o.attach(server.pid, seconds, ctx.tmp) : NOTHING;
      let result: RunResult;
      try {
        const machine0 = machineCpuSeconds();
        const self0 = selfCpuSeconds();
        const server0 = cpuSeconds(server.pid);
        const own0 = attached.cpuSeconds?.();
        const bench0 = process.cpuUsage();
        const t0 = performance.now();
        const load = startLoad(server.port, { seconds, connections, cpus: pin ? '1' : undefined });
        const r = (await load.done).requestsPerSecond;
        const wall = (performance.now() - t0) / 1000;
        const bench = process.cpuUsage(bench0);
        const own1 = attached.cpuSeconds?.();
        const serverSeconds = cpuSeconds(server.pid) - server0;
        const self = selfCpuSeconds() - self0;
        const machine1 = machineCpuSeconds();
        const serverCpu = serverSeconds / wall;
        const ownSeconds = own0 !== undefined && own1 !== undefined ? own1 - own0 : null;
        result = {
          rps: r,
          perServerCpu: serverCpu > 0 ? r / serverCpu : 0,
          benchCpuMs: (bench.user + bench.system) / 1000 / wall,
          ownCpuMs: ownSeconds === null ? null : (ownSeconds * 1000) / wall,
          othersMs: ((machine1.busy - machine0.busy - serverSeconds - self - (ownSeconds ?? 0)) * 1000) / wall,
          stealMs: ((machine1.steal - machine0.steal) * 1000) / wall,
        };
      } finally {
        const what = await attached.stop();
        if (what && o) evidence[o.id].push(what);
      }
      return result;
    };

    try {
      // Warm-up until this process is 12 s old: V8's memory reducer runs a round of GCs ~8-10 s after start-up
      // (~90 ms of CPU here), which would otherwise land in round 1 and in the in-process own-CPU measure.
      const warmSeconds = Math.min(12, Math.max(2, Math.ceil(12 - process.uptime())));
      const warm = startLoad(server.port, { seconds: warmSeconds, connections, cpus: pin ? '1' : undefined });
      await warm.done;
      for (let round = 1; round <= rounds; round++) {
        const order = orders[(round - 1) % orders.length].map((i) => OBSERVERS[i]);
        // N A N B N … N: a nothing-attached run before and after every observer run (each serves both neighbours).
        const slots: Array<Observer | null> = [null];
        for (const o of order) slots.push(o, null);
        const results: RunResult[] = [];
        for (const o of slots) {
          const r = await measureRun(o);
          results.push(r);
          // Only where nothing of ours but the server, wrk and this process runs: under strace or perf the
          // per-process times (exact) and /proc/stat's (sampled by ticks) part by up to a few hundred ms per s.
          if (!o || o.id === 'aa') {
            others.push(r.othersMs);
            steal.push(r.stealMs);
          }
          ctx.log(
            `round ${round}/${rounds}: ${o?.id ?? 'none'} ${fmt(r.rps)} req/s, this process ${fmt(r.benchCpuMs)} ms ` +
              `CPU per s${r.ownCpuMs === null ? '' : `, the observer's processes ${fmt(r.ownCpuMs)} ms per s`}, ` +
              `everything else ${fmt(r.othersMs)} ms per s, steal ${fmt(r.stealMs)} ms per s`,
          );
          await sleep(500); // let the server settle after a detach
        }
        for (let k = 0; k < slots.length; k++) {
          const o = slots[k];
          const r = results[k];
          if (!o) {
            noneRps.push(r.rps);
            noneBenchCpu.push(r.benchCpuMs);
            nonePerCpu.push(r.perServerCpu);
            continue;
          }
          const [before, after] = [results[k - 1], results[k + 1]];
          rps[o.id].push(r.rps);
          perCpu[o.id].push(r.perServerCpu);
          ratio[o.id].push(r.rps / mean2(before.rps, after.rps));
          perCpuRatio[o.id].push(r.perServerCpu / mean2(before.perServerCpu, after.perServerCpu));
          // An observer inside this process (the live monitor; and the A/A slot, as the floor of that measure):
          // this process's CPU in its run minus in its neighbours'. Otherwise its own processes' CPU.
          ownCpu[o.id].push(r.ownCpuMs ?? r.benchCpuMs - mean2(before.benchCpuMs, after.benchCpuMs));
        }
      }
    } finally {
      await server.stop();
    }

    const ratioOf = (id: string) => stat(ratio[id]).median;
    const effRatio = (id: string) => stat(perCpuRatio[id]).median;
    const aa = ratio.aa;
    const aaMedian = stat(aa).median;
    // The noise floor: the largest difference between two identical configurations seen in any round.
    const noise = Math.max(...aa.map((r) => Math.abs(r - 1)));
    const aaText = `A/A ${pct(aaMedian)} (per-round ${pct(Math.min(...aa))} to ${pct(Math.max(...aa))})`;
    const statShare = (COUNT_SECONDS / (COUNT_SECONDS + SESSION_SECONDS)) * 100;
    const slotCount = 2 * OBSERVERS.length + 1;
    section.method.push(
      `The demo server (\`tcp_demo --threads 2\`, loopback${pin ? ', pinned to CPU 0' : ''}) under ` +
        `\`wrk -t2 -c${connections} -d${seconds}s\`${pin ? ' (pinned to CPU 1)' : ''}. ` +
        `${rounds} round(s) of ${slotCount} runs: a nothing-attached run before and after every observer run ` +
        `(N A N B N … N, each N serving both its neighbours), the observers' order changing from round to round ` +
        `(a Williams design over the ${OBSERVERS.length} observers, the A/A slot included: over ${orders.length} rounds every observer takes every position once and ` +
        `follows every other observer once), so no observer always comes first or last, or after the same one. ` +
        `Round 1's order: ${orders[0].map((i) => OBSERVERS[i].id).join(' → ')}. In a full \`npm run bench\` this ` +
        'case runs first, before the cases that churn through 1 GB of input disturb the page cache and memory.',
      'Each observer attaches to the running server before wrk starts and is stopped after wrk ends: perf record in ' +
        "the session's wrapper with the argv the session builds (`perfRecordArgv`; wrk starts once perf says it samples), " +
        "perf stat with the session's tracepoints and eventfd write filter (`perfStatArgv`, counting through the run), " +
        'strace ~0.3 s before, the live monitor (`profile()` in live-only mode, as the panel runs it, reading /proc ' +
        'in this process) once its start-up probe is done and its first breakdown has arrived.',
      'Each ratio is the median over the rounds of (requests/s with the observer) / (mean requests/s of the two ' +
        'nothing-attached runs just before and after it): a steady drift within a round (the server warming, ' +
        'TIME_WAIT sockets, memory) cancels, and so does any drift between rounds, whichever slot the observer had.',
      `A/A control: a nothing-attached run in an observer's slot, measured and compared the same way. Its spread ` +
        "over the rounds is the method's noise floor. A target counts as met only when the observer's median " +
        'clears it by more than the largest A/A deviation from 100% in any round, and as missed only when the ' +
        'median falls short of it by more than that; otherwise it is reported as not conclusive.',
      'Own CPU: the CPU time the observer itself used per second of the wrk run (1000 ms per s is one core). For ' +
        'perf and strace, utime + stime (in clock ticks of ' +
        `${fmt(1000 / CLOCK_TICKS)} ms: ${fmt(1000 / CLOCK_TICKS / seconds)} ms per s in one run) ` +
        "from /proc/PID/stat of every process in the observer's process group (the wrapper shell and what it starts " +
        'included, children already reaped counted through cutime + cstime), read when wrk starts and when it ends. ' +
        "For the live monitor, which runs inside the benchmark's own Node process, that process's CPU " +
        '(`process.cpuUsage()`) in the run minus the mean of its two nothing-attached neighbours; the A/A row, ' +
        'measured the same way, is the floor of that difference. What an observer makes the kernel do in the ' +
        "observed processes' context (sampling interrupts, tracepoint handlers, ptrace stops) is not in its own CPU; " +
        "it shows in the server's requests per CPU-second below.",
      "Other work: for each run, the machine's busy CPU time (user + nice + system + irq + softirq from /proc/stat) minus the " +
        "server's, the observer's and this process's (wrk included: this process has reaped it when the run ends), " +
        'and the VM steal time, per second of the run, in the nothing-attached runs (where the per-process times and ' +
        "/proc/stat's, sampled by clock ticks, agree to a few tens of ms per s; under strace or perf they do not); " +
        'it says whether other processes were competing with the ' +
        'measured ones (a wide A/A spread with other work near zero would point at the method instead).',
      'Server and wrk each keep one core busy and the observers run wherever the scheduler puts them, so any CPU ' +
        'an observer takes is CPU the server or the load generator does not get: a pessimistic setting for overhead.',
      'Second view, less sensitive to other work on the machine: requests per CPU-second of the server process ' +
        '(its utime + stime from /proc/PID/stat over the wrk run), bracketed and paired the same way. What an ' +
        'observer costs inside the server (sampling interrupts, tracepoint handlers, ptrace stops) shows there; ' +
        'CPU it takes in its own process does not.',
      `The session's recording phase is both: perf stat counts for ${COUNT_SECONDS} s while perf record starts ` +
        `(before sampling is enabled), then perf record samples for the window (${SESSION_SECONDS} s by default); ` +
        `so over a default session the counting is ${fmt(statShare)}% of the time (the derived row below).`,
    );
    // When the machine's other work swings the unobserved throughput, the ratios say nothing about the
    // observers: then the targets are reported as not measured, with the spread that made them so.
    const busyRuns = others.filter((ms) => ms > OTHERS_BUSY_MS).length;
    const othersText =
      `everything else on the machine used ${fmt(median(others))} ms of CPU per s in the median run, up to ` +
      `${fmt(Math.max(...others))} (more than ${OTHERS_BUSY_MS} in ${busyRuns} of the ${others.length} nothing-attached runs); VM steal ` +
      `${fmt(median(steal))} ms per s in the median run, up to ${fmt(Math.max(...steal))}`;
    section.notes.push(`Other work during the runs: ${othersText}.`);
    const spread = Math.max(...noneRps) / Math.min(...noneRps);
    const unreliable =
      spread > MAX_SPREAD
        ? `the nothing-attached runs alone ranged from ${fmt(Math.min(...noneRps))} to ${fmt(Math.max(...noneRps))} ` +
          `req/s (${fmt(spread)}×, more than the ${MAX_SPREAD}× allowed)` +
          (busyRuns > 0
            ? `, while ${othersText}: other load drowned the observers' effect; rerun on a quiet machine`
            : ': the unobserved throughput itself swung more than the effects measured; rerun')
        : null;
    if (unreliable) section.notes.push(`Not conclusive in this run: ${unreliable}.`);
    section.notes.push(
      `${AA_NAME}: ${aaText}; the largest A/A deviation from 100% in a round, ${fmt(noise * 100)} points, is the ` +
        'margin a target must be cleared or missed by to count.',
    );
    const targetOf = (o: Observer) => {
      if (!o.target) return undefined;
      const r = ratioOf(o.id);
      const gap = r - o.target.min;
      const within = Math.abs(gap) <= noise;
      const limits = unreliable
        ? `${unreliable}; requests per server CPU-second, which other load disturbs less, were ` +
          `${pct(effRatio(o.id))} of nothing attached`
        : within
          ? `not conclusive: ${pct(r)} is ${fmt(Math.abs(gap) * 100)} points from the target, within the noise floor ` +
            `(${aaText}, up to ${fmt(noise * 100)} points off in a round); requests per server CPU-second were ` +
            `${pct(effRatio(o.id))}${busyRuns > 0 ? `; ${othersText}` : ''}`
          : undefined;
      return {
        text: o.target.text,
        met: unreliable || within ? null : gap >= 0,
        limits,
        gap:
          !unreliable && !within && gap < 0
            ? `${pct(r)} instead of ≥ ${o.target.min * 100}% (${fmt(-gap * 100)} points short)`
            : undefined,
      };
    };
    const base = stat(noneRps);
    section.rows.push({ name: 'nothing attached (every bracketing run)', unit: 'req/s', value: base });
    for (const o of OBSERVERS) {
      section.rows.push({
        name: o.name,
        unit: 'req/s',
        value: stat(rps[o.id]),
        baseline: { name: 'nothing attached', value: base },
        ratio: { value: ratioOf(o.id) * 100, text: '% of the neighbouring nothing-attached runs (median)' },
        target: targetOf(o),
        // The direct evidence beside the noisy ratio: the live monitor's row also carries the noise floor.
        note: `own CPU ${fmt(stat(ownCpu[o.id]).median)} ms per s${o.id === 'live' ? `; ${aaText}` : ''}`,
      });
      section.notes.push(`${o.name}: per-round ratios ${ratio[o.id].map(pct).join(', ')}.`);
      if (evidence[o.id].length) section.notes.push(`${o.name}: it observed ${evidence[o.id].join('; ')} (per round).`);
    }
    // Derived, not measured as one run: a default session's recording phase, counting then sampling.
    const phase =
      (COUNT_SECONDS * ratioOf('stat') + SESSION_SECONDS * ratioOf('record')) / (COUNT_SECONDS + SESSION_SECONDS);
    section.rows.push({
      name: `the session's recording phase (${COUNT_SECONDS} s perf stat, then ${SESSION_SECONDS} s perf record), time-weighted`,
      unit: '%',
      value: stat([phase * 100]),
      ratio: { value: phase * 100, text: '% of nothing attached (derived from the two rows above)' },
    });
    for (const o of OBSERVERS) {
      section.rows.push({
        name: `${o.name}: own CPU`,
        unit: 'ms per s',
        value: stat(ownCpu[o.id]),
        note:
          o.id === 'aa'
            ? "floor of the in-process measure: this process's CPU in the slot minus its neighbours'"
            : o.id === 'live'
              ? "this process's CPU in the run minus its neighbours'"
              : "the observer's process group, utime + stime",
      });
    }
    section.rows.push({
      name: 'nothing attached: requests per server CPU-second',
      unit: 'req/CPU-s',
      value: stat(nonePerCpu),
    });
    for (const o of OBSERVERS) {
      section.rows.push({
        name: `${o.name}: requests per server CPU-second`,
        unit: 'req/CPU-s',
        value: stat(perCpu[o.id]),
        ratio: { value: effRatio(o.id) * 100, text: '% of the neighbouring nothing-attached runs (median)' },
      });
    }
    section.notes.push(
      `The bench process itself used ${fmt(stat(noneBenchCpu).median)} ms of CPU per s in the nothing-attached runs (median).`,
    );
  },
};
