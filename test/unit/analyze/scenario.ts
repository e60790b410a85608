/**
 * Builds a Profile from one capture: a folder of real tool outputs as capture.sh writes them
 * (test/fixtures/scenarios/NAME, or a temp folder in the integration test). Every tool output goes through
 * the collectors' parsers (src/core/collect); only capture.sh's own host.txt/commands.txt and wrk's
 * summary line are read here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { PidstatParser, type PidstatInterval } from '../../../src/core/collect/pidstat';
import { parseMpstat } from '../../../src/core/collect/mpstat';
import { runLines } from '../../../src/core/collect/lines';
import { collapseText } from '../../../src/core/collect/stackcollapse';
import { parsePerfStat, ratePerSecond, type PerfStatResult } from '../../../src/core/collect/perf-stat';
import { hotspotsFromReport, parsePerfReport } from '../../../src/core/collect/perf-report';
import { parseNstat } from '../../../src/core/collect/nstat';
import { networkFromCounters } from '../../../src/core/collect/network';
import { parseFdListing } from '../../../src/core/collect/eventfd';
import { ipLinkDrops, parseIpLinkStats } from '../../../src/core/collect/nic';
import {
  PROFILE_SCHEMA,
  type CpuFields,
  type Profile,
  type SourceRecord,
  type SyscallStat,
  type ThreadStat,
} from '../../../src/core/profile';

export const SCENARIOS_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));

function read(dir: string, file: string): string | null {
  const path = join(dir, file);
  return existsSync(path) ? readFileSync(path, 'utf8') : null;
}

function must<T>(value: T | null | undefined, what: string): T {
  if (value === null || value === undefined) throw new Error(`scenario: ${what}`);
  return value;
}

function hostInfo(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) m.set(line.slice(0, i), line.slice(i + 2).trim());
  }
  return m;
}

const mean = (values: Array<number | null>): number | null => {
  const known = values.filter((v): v is number => v !== null);
  return known.length === 0 ? null : known.reduce((s, v) => s + v, 0) / known.length;
};

function pidstat(text: string, pid: number): { process: Profile['cpu']['process']; threads: ThreadStat[] } {
  const intervals: PidstatInterval[] = runLines(new PidstatParser(), text).filter((i) => !i.average);
  if (intervals.length === 0) throw new Error('scenario: pidstat.txt has no intervals');
  const proc = intervals.flatMap((i) => i.rows.filter((r) => !r.isThread && r.tgid === pid));
  const byTid = new Map<number, typeof proc>();
  for (const r of intervals.flatMap((i) => i.rows.filter((x) => x.isThread && x.tid !== null))) {
    byTid.set(r.tid as number, [...(byTid.get(r.tid as number) ?? []), r]);
  }
  const threads: ThreadStat[] = [...byTid.entries()].map(([tid, rows]) => ({
    tid,
    name: rows[0].command,
    usr: mean(rows.map((r) => r.usr)),
    sys: mean(rows.map((r) => r.system)),
    wait: mean(rows.map((r) => r.wait)),
    cpu: mean(rows.map((r) => r.cpu)),
    cswch: mean(rows.map((r) => r.cswch)),
    nvcswch: mean(rows.map((r) => r.nvcswch)),
  }));
  return {
    process: proc.length
      ? {
          usr: mean(proc.map((r) => r.usr)),
          sys: mean(proc.map((r) => r.system)),
          wait: mean(proc.map((r) => r.wait)),
          cpu: mean(proc.map((r) => r.cpu)),
        }
      : null,
    threads,
  };
}

function mpstat(text: string): { system: CpuFields; perCpu: Array<CpuFields & { cpu: number }> } {
  const avg = must(parseMpstat(text).average, 'mpstat.txt has no Average block');
  const fields = (r: NonNullable<typeof avg.all>): CpuFields => ({
    usr: r.usr,
    nice: r.nice,
    sys: r.sys,
    iowait: r.iowait,
    irq: r.irq,
    softirq: r.soft,
    steal: r.steal,
    idle: r.idle,
  });
  return {
    system: fields(must(avg.all, 'mpstat.txt has no "all" row')),
    perCpu: avg.cpus.map((r) => ({ cpu: r.cpu as number, ...fields(r) })),
  };
}

export function loadScenario(name: string): Profile {
  return loadCapture(join(SCENARIOS_DIR, name));
}

/** perf stat output, or null when perf could not count (e.g. no permission for the tracepoints). */
function perfStat(text: string | null): PerfStatResult | null {
  if (text === null || !/seconds time elapsed/.test(text)) return null;
  return parsePerfStat(text);
}

export function loadCapture(dir: string): Profile {
  const host = hostInfo(must(read(dir, 'host.txt'), `${dir}/host.txt missing`));
  const commands = must(read(dir, 'commands.txt'), `${dir}/commands.txt missing`);
  const pid = Number(must(/target pid (\d+)/.exec(commands), 'no target pid in commands.txt')[1]);
  const sources: SourceRecord[] = [];
  const src = (tool: string, command: string) => sources.push({ tool, command, version: null });

  const ps = pidstat(must(read(dir, 'pidstat.txt'), 'pidstat.txt missing'), pid);
  src('pidstat', `pidstat -u -t -w -h -p ${pid} 1 N`);
  const mp = mpstat(must(read(dir, 'mpstat.txt'), 'mpstat.txt missing'));
  src('mpstat', 'mpstat -P ALL 1 N');

  const stat = perfStat(read(dir, 'perf-stat.txt'));
  if (stat) src('perf stat', 'perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter,… -p PID');
  const countOf = (event: string) => stat?.counts.find((c) => c.event === event)?.count ?? null;
  const rate = (event: string) => (stat ? ratePerSecond(stat, event) : null);
  const syscalls: SyscallStat[] = [];
  for (const [event, label] of [
    ['raw_syscalls:sys_enter', 'total'],
    ['syscalls:sys_enter_io_uring_enter', 'io_uring_enter'],
    ['syscalls:sys_enter_futex', 'futex'],
    ['syscalls:sys_enter_write', 'write'],
  ] as const) {
    // `<not counted>`: the task never ran while perf counted, i.e. zero events.
    const c = stat?.counts.find((x) => x.event === event);
    if (c && stat?.elapsedSeconds) {
      const calls = c.count ?? 0;
      syscalls.push({
        name: label,
        calls,
        errors: null,
        seconds: null,
        usecsPerCall: null,
        percent: null,
        perSecond: calls / stat.elapsedSeconds,
      });
    }
  }
  const usesUring = (countOf('syscalls:sys_enter_io_uring_enter') ?? 0) > 0;

  const eventfdStat = perfStat(read(dir, 'perf-stat-eventfd.txt'));
  const eventfdFds = parseFdListing(must(read(dir, 'fds.txt'), 'fds.txt missing')).eventfds;
  const eventfd: Profile['eventfd'] = eventfdStat
    ? {
        fds: eventfdFds,
        writesPerSecond: ratePerSecond(eventfdStat, 'syscalls:sys_enter_write') ?? 0,
        source: `perf stat -e syscalls:sys_enter_write --filter '${eventfdFds.map((f) => `fd == ${f}`).join(' || ')}'`,
      }
    : null;

  const scriptGz = join(dir, 'perf-script.txt.gz');
  const folded = existsSync(scriptGz)
    ? [...collapseText(gunzipSync(readFileSync(scriptGz)).toString('latin1'), { kernel: true }).stacks()].map(
        ([stack, count]) => ({ stack, count }),
      )
    : [];
  const reportText = read(dir, 'perf-report.txt');
  const hotspots = reportText ? hotspotsFromReport(parsePerfReport(reportText)) : [];
  if (reportText) src('perf record', 'perf record -F 999 -g -p PID -- sleep N');
  // perf record prints "(N samples)", or nothing at all when it took none.
  const samples =
    /\((\d+) samples\)/.exec(commands) ?? (/perf record: Captured and wrote/.test(commands) ? [null, '0'] : null);

  const nBefore = read(dir, 'nstat.before.txt');
  const nAfter = read(dir, 'nstat.after.txt');
  const seconds = stat?.elapsedSeconds ?? null;
  const net =
    nBefore && nAfter
      ? networkFromCounters(parseNstat(nAfter), parseNstat(nBefore), seconds, 'nstat -asz (before/after)')
      : null;
  if (net) src('nstat', 'nstat -asz');
  const linkBefore = read(dir, 'ip-link.before.txt');
  const linkAfter = read(dir, 'ip-link.after.txt');
  if (net && linkBefore && linkAfter) {
    const before = parseIpLinkStats(linkBefore);
    for (const s of parseIpLinkStats(linkAfter)) {
      const b = before.find((x) => x.name === s.name);
      net.nicDrops[s.name] = Math.max(0, ipLinkDrops(s) - (b ? ipLinkDrops(b) : 0));
    }
    net.source = 'nstat -asz, ip -s -s link (before/after)';
  }

  const wrk = read(dir, 'wrk.txt');
  const rps = wrk ? /^Requests\/sec:\s+([\d.]+)/m.exec(wrk) : null;
  if (rps) src('wrk', 'wrk --latency http://127.0.0.1:PORT/');
  const strace = read(dir, 'strace.txt');
  if (strace) src('strace', 'strace -c -f -p PID');

  const cswch = ps.threads.reduce((s, t) => s + (t.cswch ?? 0), 0);
  const nvcswch = ps.threads.reduce((s, t) => s + (t.nvcswch ?? 0), 0);
  let maxThread: { tid: number; name: string; perSecond: number } | null = null;
  for (const t of ps.threads) {
    const per = (t.cswch ?? 0) + (t.nvcswch ?? 0);
    if (!maxThread || per > maxThread.perSecond) maxThread = { tid: t.tid, name: t.name, perSecond: per };
  }

  return {
    schema: PROFILE_SCHEMA,
    createdAt: '2026-01-01T00:00:00.000Z',
    producer: { name: 'perf-lens', version: 'test' },
    origin: 'analyze',
    partial: false,
    partialReason: null,
    target: {
      host: 'localhost',
      transport: 'file',
      pid,
      command: host.get('comm') ?? null,
      cmdline: host.get('cmdline') ?? null,
      exe: null,
      kernel: host.get('kernel') ?? null,
      cores: host.has('cores') ? Number(host.get('cores')) : null,
      threadCount: host.has('threads') ? Number(host.get('threads')) : null,
      listeningPorts: [],
    },
    durationSeconds: seconds,
    capabilities: null,
    dataQuality: [],
    cpu: { process: ps.process, system: mp.system, perCpu: mp.perCpu },
    threads: ps.threads,
    timeline: [],
    syscalls,
    ioUring:
      stat && usesUring
        ? {
            enterPerSecond: rate('syscalls:sys_enter_io_uring_enter'),
            submitPerSecond: rate('io_uring:io_uring_submit_req'),
            completePerSecond: rate('io_uring:io_uring_complete'),
            source: 'perf stat (tracepoints)',
          }
        : null,
    eventfd,
    contextSwitches: ps.threads.length
      ? { voluntaryPerSecond: cswch, involuntaryPerSecond: nvcswch, maxThread, source: 'pidstat -w -t' }
      : null,
    network: net,
    lockContention:
      countOf('syscalls:sys_enter_futex') !== null || stat?.counts.some((c) => c.event === 'syscalls:sys_enter_futex')
        ? {
            futexSeconds: null,
            futexPerSecond: rate('syscalls:sys_enter_futex'),
            source: 'perf stat (syscalls:sys_enter_futex)',
          }
        : null,
    hotspots,
    folded,
    foldedTruncated: false,
    sampleCount: samples ? Number(samples[1]) : null,
    throughput: rps ? { requestsPerSecond: Number(rps[1]), source: 'wrk' } : null,
    verdict: { kind: 'unknown', summary: '', evidence: [], coresUsed: null, coresAvailable: null },
    findings: [],
    sources,
  };
}
