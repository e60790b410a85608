/**
 * ProfileBuilder: parsed collector records in, one Profile out. `perf-lens analyze` feeds it saved outputs;
 * a live session can feed it the same records as they arrive (pidstat intervals, perf stat results, …).
 *
 * Each `add*` takes a parser's result and where it came from (a SourceRecord). `build()` picks, for every
 * Profile field, the best source that was added (e.g. process CPU: pidstat, else /proc deltas, else top),
 * computes rates over the measured duration, and leaves `null` wherever no input had the number.
 * Verdict and findings are left for `analyze()` (src/core/analyze).
 */
import {
  PROFILE_SCHEMA,
  type ContextSwitchStats,
  type CpuFields,
  type DataQualityNote,
  type FoldedStack,
  type Hotspot,
  type LockContention,
  type NetworkCounters,
  type Profile,
  type SourceRecord,
  type SyscallStat,
  type Target,
  type ThreadStat,
  type TimelineSample,
} from './profile';
import { VERSION } from './version';
import type { PidstatInterval, PidstatRow } from './collect/pidstat';
import type { SysstatHostInfo } from './collect/sysstat';
import type { MpstatCpuRow, MpstatInterval } from './collect/mpstat';
import { cpuPercent, type CpuPercent, type ProcDelta, type ProcStat } from './collect/proc';
import type { TopIteration } from './collect/top';
import { hotspotsFromReport, type PerfReport } from './collect/perf-report';
import type { StackCollapser } from './collect/stackcollapse';
import type { PerfStatResult } from './collect/perf-stat';
import type { FdListing } from './collect/eventfd';
import type { StraceSummary } from './collect/strace';
import type { PerfTraceSummary } from './collect/perf-trace';
import { addSoftirqs, emptyNetwork, networkFromCounters } from './collect/network';
import type { Counters } from './collect/nstat';
import type { Softirqs } from './collect/softirqs';
import type { SsSummary, SsTcpInfo } from './collect/ss';
import { ipLinkDrops, type EthtoolStats, type IpLinkStats } from './collect/nic';
import type { PerfLockResult } from './collect/perf-lock';

export interface ProfileBuilderInit {
  origin: 'session' | 'analyze';
  transport: Target['transport'];
  host: string;
  pid?: number | null;
  command?: string | null;
  /** Recording window, when the caller knows it (a session does). Otherwise derived from the inputs. */
  durationSeconds?: number | null;
  /** Folded stacks kept in the Profile (heaviest first). */
  maxFolded?: number;
  /** Hotspots kept in the Profile. */
  maxHotspots?: number;
}

const round2 = (v: number) => Math.round(v * 100) / 100;
const mean = (v: number[]) => (v.length === 0 ? null : v.reduce((s, x) => s + x, 0) / v.length);

function meanOf<T>(rows: T[], get: (r: T) => number | null): number | null {
  const vals = rows.map(get).filter((v): v is number => v !== null);
  const m = mean(vals);
  return m === null ? null : round2(m);
}

function cpuFromMpstat(r: MpstatCpuRow): CpuFields {
  return {
    usr: r.usr,
    nice: r.nice,
    sys: r.sys,
    iowait: r.iowait,
    irq: r.irq,
    softirq: r.soft,
    steal: r.steal,
    idle: r.idle,
  };
}

export class ProfileBuilder {
  private readonly sources: SourceRecord[] = [];
  private readonly notes: DataQualityNote[] = [];
  private readonly partialReasons: string[] = [];
  private hostInfo: SysstatHostInfo | null = null;
  private pidstat: PidstatInterval[] = [];
  private pidstatAverage: PidstatInterval | null = null;
  private pidstatInterval = 1;
  private mpstat: MpstatInterval[] = [];
  private mpstatAverage: MpstatInterval | null = null;
  private procDeltas: ProcDelta[] = [];
  private statDelta: { system: CpuPercent; perCpu: Array<CpuPercent & { cpu: number }>; seconds: number } | null = null;
  private top: TopIteration[] = [];
  private report: PerfReport | null = null;
  private folded: FoldedStack[] = [];
  private foldedTruncated = false;
  private foldedSamples: number | null = null;
  private readonly stats: Array<{ result: PerfStatResult; eventfdFilter: boolean; source: string }> = [];
  private fds: FdListing | null = null;
  private fdsSource = '';
  private strace: { summary: StraceSummary; source: string } | null = null;
  private perfTrace: { summary: PerfTraceSummary; source: string } | null = null;
  private counters: { before: Counters | null; after: Counters; seconds: number | null; source: string } | null = null;
  private softirqs: { before: Softirqs; after: Softirqs; source: string } | null = null;
  private readonly nicDrops: Record<string, number> = {};
  private nicSources: string[] = [];
  private ss: SsSummary | null = null;
  private ssInfo: SsTcpInfo | null = null;
  private lock: { result: PerfLockResult; source: string } | null = null;
  private throughput: Profile['throughput'] = null;
  private capabilities: Profile['capabilities'] = null;
  private target: Partial<Target> = {};

  constructor(private readonly init: ProfileBuilderInit) {}

  source(record: SourceRecord): this {
    this.sources.push(record);
    return this;
  }

  note(note: DataQualityNote): this {
    if (!this.notes.some((n) => n.id === note.id && n.message === note.message)) this.notes.push(note);
    return this;
  }

  markPartial(reason: string): this {
    this.partialReasons.push(reason);
    return this;
  }

  setTarget(target: Partial<Target>): this {
    this.target = { ...this.target, ...target };
    return this;
  }

  setThroughput(requestsPerSecond: number, source: string): this {
    this.throughput = { requestsPerSecond, source };
    return this;
  }

  setCapabilities(c: Profile['capabilities']): this {
    this.capabilities = c;
    return this;
  }

  /** pidstat reports (any number of calls; a live session adds them as they stream in). */
  addPidstat(
    intervals: PidstatInterval[],
    host: SysstatHostInfo | null,
    source: SourceRecord,
    intervalSeconds = 1,
  ): this {
    for (const i of intervals) {
      if (i.average) this.pidstatAverage = i;
      else this.pidstat.push(i);
    }
    this.hostInfo ??= host;
    this.pidstatInterval = intervalSeconds;
    return this.sourceOnce(source);
  }

  addMpstat(intervals: MpstatInterval[], host: SysstatHostInfo | null, source: SourceRecord): this {
    for (const i of intervals) {
      if (i.average) this.mpstatAverage = i;
      else this.mpstat.push(i);
    }
    this.hostInfo ??= host;
    return this.sourceOnce(source);
  }

  addProcDelta(delta: ProcDelta, source: SourceRecord): this {
    this.procDeltas.push(delta);
    return this.sourceOnce(source);
  }

  /** Two /proc/stat snapshots (a before b): the host breakdown without a per-process part. */
  addProcStatDelta(a: ProcStat, b: ProcStat, source: SourceRecord, clockTicks = 100): this {
    const cpus = b.perCpu.size || 1;
    const ticks = (t: ProcStat['total']) =>
      t.user + t.nice + t.system + t.idle + t.iowait + t.irq + t.softirq + t.steal;
    const seconds = (ticks(b.total) - ticks(a.total)) / cpus / clockTicks;
    const perCpu: Array<CpuPercent & { cpu: number }> = [];
    for (const [cpu, tb] of [...b.perCpu].sort((x, y) => x[0] - y[0])) {
      const ta = a.perCpu.get(cpu);
      if (ta) perCpu.push({ cpu, ...cpuPercent(ta, tb) });
    }
    this.statDelta = { system: cpuPercent(a.total, b.total), perCpu, seconds: round2(seconds * 1000) / 1000 };
    return this.sourceOnce(source);
  }

  addTop(iterations: TopIteration[], source: SourceRecord): this {
    this.top.push(...iterations);
    return this.sourceOnce(source);
  }

  addPerfReport(report: PerfReport, source: SourceRecord): this {
    this.report = report;
    if (report.lostSamples) {
      this.note({
        id: 'perf-lost-samples',
        severity: 'warning',
        message: `perf lost ${report.lostSamples} samples (the recording could not keep up)`,
        fix: null,
      });
    }
    return this.sourceOnce(source);
  }

  /** Folded stacks from the collapser; the heaviest `maxFolded` are kept. */
  addFolded(collapser: StackCollapser, source: SourceRecord): this {
    const max = this.init.maxFolded ?? 5000;
    const all = [...collapser.stacks()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    this.folded = all.slice(0, max).map(([stack, count]) => ({ stack, count }));
    this.foldedTruncated = all.length > max;
    this.foldedSamples = collapser.stats.samples;
    if (collapser.stats.unrecognizedLines > 0) {
      this.note({
        id: 'perf-script-unrecognized',
        severity: 'warning',
        message: `${collapser.stats.unrecognizedLines} line(s) of the perf script output were not recognised and were skipped`,
        fix: null,
      });
    }
    if (collapser.stats.droppedEvent) {
      this.note({
        id: 'perf-script-event-filter',
        severity: 'info',
        message: `only ${collapser.stats.event} samples were folded; ${collapser.stats.droppedEvent} samples were left out`,
        fix: null,
      });
    }
    return this.sourceOnce(source);
  }

  /** perf stat counts. `eventfdFilter`: its syscalls:sys_enter_write count is filtered to the eventfd descriptors. */
  addPerfStat(result: PerfStatResult, source: SourceRecord, options: { eventfdFilter?: boolean } = {}): this {
    this.stats.push({ result, eventfdFilter: !!options.eventfdFilter, source: source.command });
    const pid = /process id '(\d+)'/.exec(result.target ?? '');
    if (pid && this.target.pid === undefined) this.target.pid = Number(pid[1]);
    for (const c of result.counts) {
      if (c.status === 'not-supported') {
        this.note({
          id: 'perf-event-not-supported',
          severity: 'info',
          message: `perf stat: ${c.event} is not supported here`,
          fix: null,
        });
      }
    }
    return this.sourceOnce(source);
  }

  addFdListing(listing: FdListing, source: SourceRecord): this {
    this.fds = listing;
    this.fdsSource = source.command;
    return this.sourceOnce(source);
  }

  addStrace(summary: StraceSummary, source: SourceRecord): this {
    this.strace = { summary, source: source.command };
    return this.sourceOnce(source);
  }

  addPerfTrace(summary: PerfTraceSummary, source: SourceRecord): this {
    this.perfTrace = { summary, source: source.command };
    return this.sourceOnce(source);
  }

  /** Kernel counters (nstat / netstat -s); with `before`, deltas over `seconds`. */
  addNetCounters(after: Counters, before: Counters | null, source: SourceRecord, seconds: number | null = null): this {
    this.counters = { after, before, seconds, source: source.command };
    return this.sourceOnce(source);
  }

  addSoftirqs(before: Softirqs, after: Softirqs, source: SourceRecord): this {
    this.softirqs = { before, after, source: source.command };
    return this.sourceOnce(source);
  }

  addEthtool(iface: string, stats: EthtoolStats, source: SourceRecord, before?: EthtoolStats): this {
    this.nicDrops[iface] = Math.max(0, stats.drops - (before?.drops ?? 0));
    this.nicSources.push(source.command);
    return this.sourceOnce(source);
  }

  addIpLink(after: IpLinkStats[], source: SourceRecord, before?: IpLinkStats[]): this {
    for (const s of after) {
      const b = before?.find((x) => x.name === s.name);
      this.nicDrops[s.name] = Math.max(0, ipLinkDrops(s) - (b ? ipLinkDrops(b) : 0));
    }
    this.nicSources.push(source.command);
    return this.sourceOnce(source);
  }

  addSsSummary(summary: SsSummary, source: SourceRecord): this {
    this.ss = summary;
    return this.sourceOnce(source);
  }

  addSsTcpInfo(info: SsTcpInfo, source: SourceRecord): this {
    this.ssInfo = info;
    return this.sourceOnce(source);
  }

  addPerfLock(result: PerfLockResult, source: SourceRecord): this {
    this.lock = { result, source: source.command };
    return this.sourceOnce(source);
  }

  private sourceOnce(s: SourceRecord): this {
    if (!this.sources.some((x) => x.tool === s.tool && x.command === s.command)) this.sources.push(s);
    return this;
  }

  /** The recording window: given, else perf stat's elapsed time, else the monitors' report count. */
  durationSeconds(): number | null {
    if (this.init.durationSeconds) return this.init.durationSeconds;
    const elapsed = this.stats.map((s) => s.result.elapsedSeconds).find((s) => s !== null && s > 0);
    if (elapsed) return Math.round(elapsed * 1000) / 1000;
    if (this.pidstat.length > 0) return this.pidstat.length * this.pidstatInterval;
    const proc = this.procDeltas.reduce((s, d) => s + d.seconds, 0);
    if (proc > 0) return round2(proc);
    if (this.mpstat.length > 0) return this.mpstat.length;
    if (this.statDelta && this.statDelta.seconds > 0) return this.statDelta.seconds;
    if (this.counters?.seconds) return this.counters.seconds;
    return null;
  }

  build(): Profile {
    const duration = this.durationSeconds();
    const pidRows = this.pidstatRows();
    const threads = this.buildThreads(pidRows);
    const process = this.buildProcess(pidRows, threads);
    const { system, perCpu } = this.buildSystem();
    const statRate = (event: string, eventfd = false): { perSecond: number; count: number; source: string } | null => {
      for (const s of this.stats) {
        if (s.eventfdFilter !== eventfd) continue;
        const c = s.result.counts.find((x) => x.event === event);
        const seconds = s.result.elapsedSeconds ?? duration;
        if (c && c.count !== null && seconds)
          return { perSecond: round2(c.count / seconds), count: c.count, source: s.source };
      }
      return null;
    };
    const syscalls = this.buildSyscalls(duration, statRate);
    const enter = statRate('syscalls:sys_enter_io_uring_enter');
    const submit = statRate('io_uring:io_uring_submit_req') ?? statRate('io_uring:io_uring_submit_sqe');
    const complete = statRate('io_uring:io_uring_complete');
    const straceEnter = syscalls.find((s) => s.name === 'io_uring_enter' && s.perSecond !== null);
    const ioUring =
      enter || submit || complete
        ? {
            enterPerSecond: enter?.perSecond ?? null,
            submitPerSecond: submit?.perSecond ?? null,
            completePerSecond: complete?.perSecond ?? null,
            source: (enter ?? submit ?? complete)!.source,
          }
        : straceEnter
          ? {
              enterPerSecond: straceEnter.perSecond,
              submitPerSecond: null,
              completePerSecond: null,
              source: 'syscall summary',
            }
          : null;
    const eventfdWrites = statRate('syscalls:sys_enter_write', true);
    const eventfd =
      this.fds || eventfdWrites
        ? {
            fds: this.fds?.eventfds ?? [],
            writesPerSecond: eventfdWrites?.perSecond ?? null,
            source: eventfdWrites?.source ?? this.fdsSource,
          }
        : null;
    const hotspots = this.buildHotspots();
    const pid = this.init.pid ?? this.target.pid ?? pidRows.process?.tgid ?? null;
    const cores = this.hostInfo?.cores ?? (perCpu.length > 0 ? perCpu.length : null) ?? this.target.cores ?? null;
    const reasons = [...new Set(this.partialReasons)];
    return {
      schema: PROFILE_SCHEMA,
      createdAt: new Date().toISOString(),
      producer: { name: 'perf-lens', version: VERSION },
      origin: this.init.origin,
      partial: reasons.length > 0,
      partialReason: reasons.length > 0 ? reasons.join('; ') : null,
      target: {
        host: this.init.host,
        transport: this.init.transport,
        pid,
        command: this.init.command ?? this.target.command ?? pidRows.process?.command ?? threads[0]?.name ?? null,
        cmdline: this.target.cmdline ?? null,
        exe: this.target.exe ?? null,
        kernel: this.target.kernel ?? this.hostInfo?.kernel ?? null,
        cores,
        threadCount: this.target.threadCount ?? (threads.length > 0 ? threads.length : null),
        listeningPorts: this.target.listeningPorts ?? [],
      },
      durationSeconds: duration,
      capabilities: this.capabilities,
      dataQuality: [...this.notes],
      cpu: { process, system, perCpu },
      threads,
      timeline: this.buildTimeline(pidRows),
      syscalls,
      ioUring,
      eventfd,
      contextSwitches: this.buildContextSwitches(threads, statRate('context-switches')),
      network: this.buildNetwork(duration),
      lockContention: this.buildLock(syscalls, statRate('syscalls:sys_enter_futex'), duration),
      hotspots,
      folded: this.folded,
      foldedTruncated: this.foldedTruncated,
      sampleCount: this.report?.samples ?? this.foldedSamples,
      throughput: this.throughput,
      verdict: {
        kind: 'unknown',
        summary: 'not analysed yet',
        evidence: [],
        coresUsed: process?.cpu != null ? round2(process.cpu / 100) : null,
        coresAvailable: cores,
      },
      findings: [],
      sources: [...this.sources],
    };
  }

  /** The target's rows per pidstat report: its process row and its thread rows. */
  private pidstatRows(): {
    process: PidstatRow | null;
    perInterval: Array<{ process: PidstatRow | null; threads: PidstatRow[] }>;
  } {
    const all = this.pidstat;
    if (all.length === 0) return { process: null, perInterval: [] };
    const want = this.init.pid ?? this.target.pid ?? null;
    // Several processes in one output (pidstat without -p): the requested PID, else the busiest.
    const cpuByPid = new Map<number, number>();
    for (const i of all)
      for (const r of i.rows)
        if (!r.isThread && r.tgid !== null) cpuByPid.set(r.tgid, (cpuByPid.get(r.tgid) ?? 0) + (r.cpu ?? 0));
    let pid = want;
    if (pid === null || !cpuByPid.has(pid)) {
      pid = [...cpuByPid].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
      if (cpuByPid.size > 1) {
        this.note({
          id: 'pidstat-several-processes',
          severity: 'info',
          message: `pidstat listed ${cpuByPid.size} processes; using the busiest (PID ${pid})`,
          fix: null,
        });
      }
    }
    const perInterval = all.map((i) => ({
      process: i.rows.find((r) => !r.isThread && (pid === null || r.tgid === pid)) ?? null,
      threads: i.rows.filter((r) => r.isThread && (pid === null || r.tgid === pid)),
    }));
    const process = perInterval.find((p) => p.process)?.process ?? null;
    return { process, perInterval };
  }

  private buildThreads(rows: ReturnType<ProfileBuilder['pidstatRows']>): ThreadStat[] {
    if (rows.perInterval.some((p) => p.threads.length > 0)) {
      const byTid = new Map<number, PidstatRow[]>();
      for (const p of rows.perInterval) {
        for (const t of p.threads) {
          if (t.tid === null) continue;
          const list = byTid.get(t.tid) ?? [];
          list.push(t);
          byTid.set(t.tid, list);
        }
      }
      // Averages over the reports a thread appeared in (pidstat prints per-second figures each report).
      return [...byTid].map(([tid, list]) => ({
        tid,
        name: list[list.length - 1].command,
        usr: meanOf(list, (r) => r.usr),
        sys: meanOf(list, (r) => r.system),
        wait: meanOf(list, (r) => r.wait),
        cpu: meanOf(list, (r) => r.cpu),
        cswch: meanOf(list, (r) => r.cswch),
        nvcswch: meanOf(list, (r) => r.nvcswch),
      }));
    }
    if (this.procDeltas.length > 0) {
      const byTid = new Map<number, ProcDelta['threads']>();
      for (const d of this.procDeltas) for (const t of d.threads) byTid.set(t.tid, [...(byTid.get(t.tid) ?? []), t]);
      return [...byTid].map(([tid, list]) => ({
        tid,
        name: list[list.length - 1].name,
        usr: meanOf(list, (t) => t.usr),
        sys: meanOf(list, (t) => t.sys),
        wait: meanOf(list, (t) => t.wait),
        cpu: meanOf(list, (t) => t.cpu),
        cswch: null,
        nvcswch: null,
      }));
    }
    const last = this.top[this.top.length - 1];
    if (last && last.threadsMode) {
      return last.rows.map((r) => ({
        tid: r.pid,
        name: r.command,
        usr: null,
        sys: null,
        wait: null,
        cpu: r.cpu,
        cswch: null,
        nvcswch: null,
      }));
    }
    return [];
  }

  private buildProcess(
    rows: ReturnType<ProfileBuilder['pidstatRows']>,
    threads: ThreadStat[],
  ): Profile['cpu']['process'] {
    const procRows = rows.perInterval.map((p) => p.process).filter((p): p is PidstatRow => p !== null);
    if (procRows.length > 0) {
      // pidstat's process-row %wait is the main thread's only; the process waits as much as its threads do.
      const threadWait =
        threads.length > 0 && threads.every((t) => t.wait !== null)
          ? round2(threads.reduce((s, t) => s + t.wait!, 0))
          : null;
      return {
        usr: meanOf(procRows, (r) => r.usr),
        sys: meanOf(procRows, (r) => r.system),
        wait: threadWait ?? meanOf(procRows, (r) => r.wait),
        cpu: meanOf(procRows, (r) => r.cpu),
      };
    }
    if (this.procDeltas.length > 0) {
      const d = this.procDeltas;
      return {
        usr: meanOf(d, (x) => x.process.usr),
        sys: meanOf(d, (x) => x.process.sys),
        wait: meanOf(d, (x) => x.process.wait),
        cpu: meanOf(d, (x) => x.process.cpu),
      };
    }
    if (threads.length > 0 && threads.every((t) => t.cpu !== null)) {
      return { usr: null, sys: null, wait: null, cpu: round2(threads.reduce((s, t) => s + t.cpu!, 0)) };
    }
    return null;
  }

  private buildSystem(): { system: CpuFields | null; perCpu: Array<CpuFields & { cpu: number }> } {
    if (this.mpstat.length > 0 || this.mpstatAverage) {
      const src = this.mpstat.length > 0 ? this.mpstat : [this.mpstatAverage!];
      const alls = src.map((i) => i.all).filter((r): r is MpstatCpuRow => r !== null);
      const avg = (rows: MpstatCpuRow[]): CpuFields => ({
        usr: meanOf(rows, (r) => r.usr),
        nice: meanOf(rows, (r) => r.nice),
        sys: meanOf(rows, (r) => r.sys),
        iowait: meanOf(rows, (r) => r.iowait),
        irq: meanOf(rows, (r) => r.irq),
        softirq: meanOf(rows, (r) => r.soft),
        steal: meanOf(rows, (r) => r.steal),
        idle: meanOf(rows, (r) => r.idle),
      });
      const cpus = new Map<number, MpstatCpuRow[]>();
      for (const i of src) for (const c of i.cpus) cpus.set(c.cpu as number, [...(cpus.get(c.cpu as number) ?? []), c]);
      return {
        system: alls.length > 0 ? avg(alls) : null,
        perCpu: [...cpus].sort((a, b) => a[0] - b[0]).map(([cpu, rows]) => ({ cpu, ...avg(rows) })),
      };
    }
    if (this.procDeltas.length === 0 && this.statDelta) {
      const strip = ({ usr, nice, sys, iowait, irq, softirq, steal, idle }: CpuPercent): CpuFields => ({
        usr,
        nice,
        sys,
        iowait,
        irq,
        softirq,
        steal,
        idle,
      });
      return {
        system: strip(this.statDelta.system),
        perCpu: this.statDelta.perCpu.map((c) => ({ cpu: c.cpu, ...strip(c) })),
      };
    }
    if (this.procDeltas.length > 0) {
      const d = this.procDeltas;
      const fields = (get: (x: ProcDelta) => ProcDelta['system']): CpuFields => ({
        usr: meanOf(d, (x) => get(x).usr),
        nice: meanOf(d, (x) => get(x).nice),
        sys: meanOf(d, (x) => get(x).sys),
        iowait: meanOf(d, (x) => get(x).iowait),
        irq: meanOf(d, (x) => get(x).irq),
        softirq: meanOf(d, (x) => get(x).softirq),
        steal: meanOf(d, (x) => get(x).steal),
        idle: meanOf(d, (x) => get(x).idle),
      });
      const cpuIds = [...new Set(d.flatMap((x) => x.perCpu.map((c) => c.cpu)))].sort((a, b) => a - b);
      return {
        system: fields((x) => x.system),
        perCpu: cpuIds.map((cpu) => ({ cpu, ...fields((x) => x.perCpu.find((c) => c.cpu === cpu) ?? x.system) })),
      };
    }
    const tops = this.top.slice(this.top.length > 1 ? 1 : 0).filter((t) => t.cpu !== null);
    if (tops.length > 0) {
      const c = tops.map((t) => t.cpu!);
      return {
        system: {
          usr: meanOf(c, (x) => x.us),
          nice: meanOf(c, (x) => x.ni),
          sys: meanOf(c, (x) => x.sy),
          iowait: meanOf(c, (x) => x.wa),
          irq: meanOf(c, (x) => x.hi),
          softirq: meanOf(c, (x) => x.si),
          steal: meanOf(c, (x) => x.st),
          idle: meanOf(c, (x) => x.id),
        },
        perCpu: [],
      };
    }
    return { system: null, perCpu: [] };
  }

  private buildTimeline(rows: ReturnType<ProfileBuilder['pidstatRows']>): TimelineSample[] {
    const n = Math.max(rows.perInterval.length, this.mpstat.length);
    const out: TimelineSample[] = [];
    for (let i = 0; i < n; i++) {
      const p = rows.perInterval[i]?.process ?? null;
      const m = this.mpstat[i]?.all ?? null;
      out.push({
        t: (i + 1) * this.pidstatInterval,
        process: p ? { usr: p.usr, sys: p.system, wait: p.wait, cpu: p.cpu } : null,
        system: m ? cpuFromMpstat(m) : null,
      });
    }
    if (out.length === 0 && this.procDeltas.length > 0) {
      let t = 0;
      for (const d of this.procDeltas) {
        t += d.seconds;
        out.push({
          t: round2(t),
          process: { usr: d.process.usr, sys: d.process.sys, wait: d.process.wait, cpu: d.process.cpu },
          system: {
            usr: d.system.usr,
            nice: d.system.nice,
            sys: d.system.sys,
            iowait: d.system.iowait,
            irq: d.system.irq,
            softirq: d.system.softirq,
            steal: d.system.steal,
            idle: d.system.idle,
          },
        });
      }
    }
    return out;
  }

  private buildSyscalls(
    duration: number | null,
    statRate: (event: string) => { perSecond: number; count: number; source: string } | null,
  ): SyscallStat[] {
    const out = new Map<string, SyscallStat>();
    const summary = this.strace?.summary.syscalls ?? this.perfTrace?.summary.syscalls ?? [];
    for (const s of summary) {
      out.set(s.name, { ...s, perSecond: duration ? round2(s.calls / duration) : null });
    }
    // Kernel-counted tracepoints (perf stat): each syscalls:sys_enter_X as X, raw_syscalls:sys_enter as the total.
    for (const s of this.stats) {
      if (s.eventfdFilter) continue;
      const seconds = s.result.elapsedSeconds ?? duration;
      for (const c of s.result.counts) {
        const m = /^syscalls:sys_enter_(\w+)$/.exec(c.event);
        const name = m ? m[1] : c.event === 'raw_syscalls:sys_enter' ? 'total' : null;
        if (name === null || c.count === null || out.has(name)) continue;
        out.set(name, {
          name,
          calls: c.count,
          errors: null,
          seconds: null,
          usecsPerCall: null,
          percent: null,
          perSecond: seconds ? round2(c.count / seconds) : null,
        });
      }
    }
    const total = this.strace?.summary.total;
    if (total && !out.has('total'))
      out.set('total', { ...total, perSecond: duration ? round2(total.calls / duration) : null });
    void statRate;
    return [...out.values()].sort((a, b) => (a.name === 'total' ? 1 : b.name === 'total' ? -1 : b.calls - a.calls));
  }

  private buildContextSwitches(
    threads: ThreadStat[],
    perfStat: { perSecond: number; source: string } | null,
  ): ContextSwitchStats | null {
    const withCs = threads.filter((t) => t.cswch !== null || t.nvcswch !== null);
    if (withCs.length > 0) {
      const sum = (get: (t: ThreadStat) => number | null) => round2(withCs.reduce((s, t) => s + (get(t) ?? 0), 0));
      const max = [...withCs].sort(
        (a, b) => (b.cswch ?? 0) + (b.nvcswch ?? 0) - ((a.cswch ?? 0) + (a.nvcswch ?? 0)),
      )[0];
      const cs: ContextSwitchStats = {
        voluntaryPerSecond: sum((t) => t.cswch),
        involuntaryPerSecond: sum((t) => t.nvcswch),
        maxThread: { tid: max.tid, name: max.name, perSecond: round2((max.cswch ?? 0) + (max.nvcswch ?? 0)) },
        source: 'pidstat -w',
      };
      if (perfStat) cs.totalPerSecond = perfStat.perSecond;
      return cs;
    }
    if (perfStat) {
      return {
        voluntaryPerSecond: null,
        involuntaryPerSecond: null,
        maxThread: null,
        totalPerSecond: perfStat.perSecond,
        source: perfStat.source,
      };
    }
    return null;
  }

  private buildNetwork(duration: number | null): NetworkCounters | null {
    let net: NetworkCounters | null = null;
    if (this.counters) {
      const c = this.counters;
      net = networkFromCounters(c.after, c.before, c.before ? (c.seconds ?? duration) : null, c.source);
    }
    if (this.softirqs) {
      net ??= emptyNetwork('');
      addSoftirqs(net, this.softirqs.before, this.softirqs.after, this.softirqs.source);
    }
    if (Object.keys(this.nicDrops).length > 0) {
      net ??= emptyNetwork('');
      net.nicDrops = { ...this.nicDrops };
      net.source = [net.source, ...this.nicSources].filter((s) => s !== '').join('; ');
    }
    if (this.ss) {
      net ??= emptyNetwork('');
      net.other.ssTcpEstablished = this.ss.tcp.estab ?? 0;
      net.other.ssTcpTimeWait = this.ss.tcp.timewait ?? 0;
      net.other.ssTcpOrphaned = this.ss.tcp.orphaned ?? 0;
    }
    if (this.ssInfo) {
      net ??= emptyNetwork('');
      const t = this.ssInfo.totals;
      net.other.ssConnections = t.connections;
      net.other.ssRetransTotal = t.retransTotal;
      net.other.ssMaxRecvQ = t.maxRecvQ;
      net.other.ssMaxSendQ = t.maxSendQ;
      if (t.meanRttMs !== null) net.other.ssMeanRttMs = t.meanRttMs;
    }
    return net;
  }

  private buildLock(
    syscalls: SyscallStat[],
    futexStat: { perSecond: number; source: string } | null,
    duration: number | null,
  ): LockContention | null {
    const futexRow = syscalls.find((s) => s.name === 'futex');
    if (!this.lock && !futexStat && !futexRow) return null;
    const out: LockContention = {
      futexSeconds: futexRow?.seconds ?? null,
      futexPerSecond:
        futexStat?.perSecond ??
        futexRow?.perSecond ??
        (futexRow && duration ? round2(futexRow.calls / duration) : null),
      source:
        futexStat?.source ?? (futexRow ? (this.strace?.source ?? this.perfTrace?.source ?? 'syscall summary') : ''),
    };
    if (this.lock) {
      const r = this.lock.result;
      out.kernelLockWaitSeconds = r.totalWaitSeconds;
      out.kernelLockContended = r.totalContended;
      out.topLocks = [...r.rows]
        .sort((a, b) => b.totalWaitSeconds - a.totalWaitSeconds)
        .slice(0, 10)
        .map((x) => ({ name: x.name, type: x.type, contended: x.contended, totalWaitSeconds: x.totalWaitSeconds }));
      out.source = out.source ? `${out.source}; ${this.lock.source}` : this.lock.source;
    }
    return out;
  }

  private buildHotspots(): Hotspot[] {
    const max = this.init.maxHotspots ?? 200;
    if (this.report) return hotspotsFromReport(this.report, max);
    if (this.folded.length > 0) return hotspotsFromFolded(this.folded, max);
    return [];
  }
}

/**
 * Hotspots from folded stacks (when there is no perf report): self = share of samples with the frame as
 * leaf, children = share with it anywhere. Kernel frames are known by the collapser's `_[k]` annotation.
 */
export function hotspotsFromFolded(folded: FoldedStack[], max = 200): Hotspot[] {
  let total = 0;
  const self = new Map<string, number>();
  const incl = new Map<string, number>();
  const callers = new Map<string, Map<string, number>>();
  const threads = new Map<string, Set<string>>();
  for (const { stack, count } of folded) {
    total += count;
    const frames = stack.split(';');
    const root = frames[0];
    const body = frames.slice(1);
    if (body.length === 0) continue;
    const leaf = body[body.length - 1];
    self.set(leaf, (self.get(leaf) ?? 0) + count);
    const seen = new Set<string>();
    body.forEach((f, i) => {
      if (!seen.has(f)) {
        seen.add(f);
        incl.set(f, (incl.get(f) ?? 0) + count);
        const th = threads.get(f) ?? new Set();
        if (th.size < 16) th.add(root);
        threads.set(f, th);
      }
      if (i > 0) {
        const c = callers.get(f) ?? new Map<string, number>();
        c.set(body[i - 1], (c.get(body[i - 1]) ?? 0) + count);
        callers.set(f, c);
      }
    });
  }
  if (total === 0) return [];
  const pct = (v: number) => round2((v / total) * 100);
  return [...incl.keys()]
    .map((name) => {
      const kernel = name.endsWith('_[k]');
      return {
        symbol: kernel ? name.slice(0, -4) : name,
        dso: kernel ? '[kernel.kallsyms]' : '[unknown]',
        kernel,
        self: pct(self.get(name) ?? 0),
        children: pct(incl.get(name) ?? 0),
        file: null,
        line: null,
        callers: [...(callers.get(name) ?? new Map<string, number>())]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 8)
          .map(([c]) => (c.endsWith('_[k]') ? c.slice(0, -4) : c)),
        threads: [...(threads.get(name) ?? [])],
      };
    })
    .sort((a, b) => b.self - a.self || b.children - a.children || (a.symbol < b.symbol ? -1 : 1))
    .slice(0, max);
}
