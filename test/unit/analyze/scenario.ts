/**
 * Builds a Profile from one captured scenario (test/fixtures/scenarios/NAME, made by make-scenario.sh from
 * real workloads). pidstat, mpstat and perf script go through the collectors' parsers; the few plain
 * outputs the collectors have no parser for yet (perf stat totals, perf report's flat lines, nstat -a,
 * wrk's summary, capture.sh's host.txt) are read here with minimal, strict extraction that throws when a
 * file does not look as expected.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { PidstatParser, type PidstatInterval } from '../../../src/core/collect/pidstat';
import { parseMpstat } from '../../../src/core/collect/mpstat';
import { runLines } from '../../../src/core/collect/lines';
import { collapseText } from '../../../src/core/collect/stackcollapse';
import {
  PROFILE_SCHEMA,
  type CpuFields,
  type Hotspot,
  type NetworkCounters,
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

/** `perf stat` default output: "  <count>  <event>" lines and "<s> seconds time elapsed". */
function perfStat(text: string): { counts: Map<string, number>; seconds: number } {
  const counts = new Map<string, number>();
  let seconds: number | null = null;
  for (const line of text.split('\n')) {
    const c = /^\s+([\d,]+|<not counted>)\s+([\w:.-]+)\s*(?:#.*)?$/.exec(line);
    // "<not counted>": the task never ran while perf counted, i.e. zero events.
    if (c) counts.set(c[2], c[1] === '<not counted>' ? 0 : Number(c[1].replace(/,/g, '')));
    const s = /^\s+([\d.]+) seconds time elapsed/.exec(line);
    if (s) seconds = Number(s[1]);
  }
  if (seconds === null) throw new Error('scenario: perf stat output without "seconds time elapsed"');
  return { counts, seconds };
}

/** `perf report --stdio --no-children` flat lines: "  4.65%  comm  dso  [k] symbol". */
function perfReport(text: string): Hotspot[] {
  const bySymbol = new Map<string, Hotspot>();
  for (const line of text.split('\n')) {
    const m = /^\s+([\d.]+)%\s+(\S.*?)\s+(\S+)\s+\[([k.])\]\s+(.+?)\s*$/.exec(line);
    if (!m) continue;
    const key = `${m[3]}\0${m[5]}`;
    const h = bySymbol.get(key) ?? {
      symbol: m[5],
      dso: m[3],
      kernel: m[4] === 'k',
      self: 0,
      children: null,
      file: null,
      line: null,
      callers: [],
      threads: [],
    };
    h.self += Number(m[1]);
    if (!h.threads.includes(m[2])) h.threads.push(m[2]);
    bySymbol.set(key, h);
  }
  return [...bySymbol.values()].sort((a, b) => b.self - a.self);
}

/** `nstat -asz`: "Name  value  rate" lines. */
function nstat(text: string): Map<string, number> {
  const m = new Map<string, number>();
  for (const line of text.split('\n')) {
    const r = /^(\w+)\s+(\d+)\s/.exec(line);
    if (r) m.set(r[1], Number(r[2]));
  }
  if (m.size === 0) throw new Error('scenario: nstat output without counters');
  return m;
}

function network(before: Map<string, number>, after: Map<string, number>, seconds: number): NetworkCounters {
  const d = (name: string) =>
    after.has(name) && before.has(name) ? (after.get(name) as number) - (before.get(name) as number) : null;
  return {
    kind: 'delta',
    seconds,
    retransSegs: d('TcpRetransSegs'),
    listenOverflows: d('TcpExtListenOverflows'),
    listenDrops: d('TcpExtListenDrops'),
    tcpBacklogDrop: d('TcpExtTCPBacklogDrop'),
    rcvPruned: d('TcpExtRcvPruned'),
    tcpTimeouts: d('TcpExtTCPTimeouts'),
    activeOpens: d('TcpActiveOpens'),
    passiveOpens: d('TcpPassiveOpens'),
    inSegs: d('TcpInSegs'),
    outSegs: d('TcpOutSegs'),
    nicDrops: {},
    softirqNetRx: null,
    softirqNetTx: null,
    other: {},
    source: 'nstat -asz (before/after)',
  };
}

export function loadScenario(name: string): Profile {
  const dir = join(SCENARIOS_DIR, name);
  const host = hostInfo(must(read(dir, 'host.txt'), `${name}/host.txt missing`));
  const commands = must(read(dir, 'commands.txt'), `${name}/commands.txt missing`);
  const pid = Number(must(/target pid (\d+)/.exec(commands), 'no target pid in commands.txt')[1]);
  const sources: SourceRecord[] = [];
  const src = (tool: string, command: string) => sources.push({ tool, command, version: null });

  const ps = pidstat(must(read(dir, 'pidstat.txt'), 'pidstat.txt missing'), pid);
  src('pidstat', `pidstat -u -t -w -h -p ${pid} 1 N`);
  const mp = mpstat(must(read(dir, 'mpstat.txt'), 'mpstat.txt missing'));
  src('mpstat', 'mpstat -P ALL 1 N');

  const statText = read(dir, 'perf-stat.txt');
  const stat = statText && /seconds time elapsed/.test(statText) ? perfStat(statText) : null;
  if (stat) src('perf stat', 'perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter,… -p PID');
  const rate = (event: string) => {
    const c = stat?.counts.get(event);
    return c === undefined || !stat ? null : c / stat.seconds;
  };
  const syscalls: SyscallStat[] = [];
  for (const [event, label] of [
    ['raw_syscalls:sys_enter', 'total'],
    ['syscalls:sys_enter_io_uring_enter', 'io_uring_enter'],
    ['syscalls:sys_enter_futex', 'futex'],
    ['syscalls:sys_enter_write', 'write'],
  ] as const) {
    const c = stat?.counts.get(event);
    if (c !== undefined && stat) {
      syscalls.push({
        name: label,
        calls: c,
        errors: null,
        seconds: null,
        usecsPerCall: null,
        percent: null,
        perSecond: c / stat.seconds,
      });
    }
  }
  const usesUring = (stat?.counts.get('syscalls:sys_enter_io_uring_enter') ?? 0) > 0;

  const eventfdText = read(dir, 'perf-stat-eventfd.txt');
  const fdsText = read(dir, 'fds.txt') ?? '';
  const eventfdFds = [...fdsText.matchAll(/\s(\d+) -> anon_inode:\[eventfd\]/g)].map((m) => Number(m[1]));
  let eventfd: Profile['eventfd'] = null;
  if (eventfdText && /seconds time elapsed/.test(eventfdText)) {
    const e = perfStat(eventfdText);
    eventfd = {
      fds: eventfdFds,
      writesPerSecond: (e.counts.get('syscalls:sys_enter_write') ?? 0) / e.seconds,
      source: `perf stat -e syscalls:sys_enter_write --filter '${eventfdFds.map((f) => `fd == ${f}`).join(' || ')}'`,
    };
  }

  const scriptGz = join(dir, 'perf-script.txt.gz');
  const folded = existsSync(scriptGz)
    ? [...collapseText(gunzipSync(readFileSync(scriptGz)).toString('latin1'), { kernel: true }).stacks()].map(
        ([stack, count]) => ({ stack, count }),
      )
    : [];
  const reportText = read(dir, 'perf-report.txt');
  const hotspots = reportText ? perfReport(reportText) : [];
  if (reportText) src('perf record', 'perf record -F 999 -g -p PID -- sleep N');
  // perf record prints "(N samples)", or nothing at all when it took none.
  const samples =
    /\((\d+) samples\)/.exec(commands) ?? (/perf record: Captured and wrote/.test(commands) ? [null, '0'] : null);

  const nBefore = read(dir, 'nstat.before.txt');
  const nAfter = read(dir, 'nstat.after.txt');
  const seconds = stat?.seconds ?? null;
  const net = nBefore && nAfter ? network(nstat(nBefore), nstat(nAfter), seconds ?? 0) : null;
  if (net) src('nstat', 'nstat -asz');

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
    lockContention: stat?.counts.has('syscalls:sys_enter_futex')
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
