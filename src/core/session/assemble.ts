/**
 * Gathered → Profile (`origin: 'session'`) through the collectors' ProfileBuilder, which turns parsed tool
 * records into Profile fields (hotspots, folded stacks, syscall/io_uring/eventfd rates, network deltas).
 * The CPU breakdown, threads, timeline and context switches come from the session's own live sampler,
 * which reads the same /proc counters pidstat does, once a second for the whole session.
 * Verdict and findings are left for analyze().
 */
import type { Hotspot, Profile, SourceRecord } from '../profile';
import { ProfileBuilder, hotspotsFromFolded } from '../profile-builder';
import type { PerfStatResult } from '../collect/perf-stat';
import type { Gathered } from './gathered';
import { nicDropDeltas } from './net';

const MAX_FOLDED = 20_000;
const MAX_HOTSPOTS = 300;
const round1 = (v: number) => Math.round(v * 10) / 10;

function source(tool: string, command: string, g: Gathered): SourceRecord {
  return { tool, command, version: tool.startsWith('perf') ? (g.capabilities?.perfVersion ?? null) : null };
}

/** One perf stat run counted the eventfd writes (filtered) beside the other tracepoints: keep them apart. */
function splitEventfd(r: PerfStatResult): { plain: PerfStatResult; eventfd: PerfStatResult | null } {
  const isWrite = (e: string) => e === 'syscalls:sys_enter_write';
  const write = r.counts.filter((c) => isWrite(c.event));
  return {
    plain: { ...r, counts: r.counts.filter((c) => !isWrite(c.event)) },
    eventfd: write.length > 0 ? { ...r, counts: write } : null,
  };
}

/** `f(args)` and `f` are one function to the folded stacks (stackcollapse drops argument lists). */
function tidy(symbol: string): string {
  let from = 0;
  for (;;) {
    const p = symbol.indexOf('(', from);
    if (p < 0) return symbol;
    if (!symbol.startsWith('anonymous namespace)', p + 1)) return symbol.slice(0, p);
    from = p + 1;
  }
}

/** perf report (-g none) has no callers; the folded stacks know them, and which threads ran the function. */
function addCallers(hotspots: Hotspot[], folded: Profile['folded']): void {
  if (folded.length === 0) return;
  const fromFolded = new Map<string, Hotspot>();
  for (const h of hotspotsFromFolded(folded, 5000)) fromFolded.set(h.symbol, h);
  for (const h of hotspots) {
    const f = fromFolded.get(tidy(h.symbol)) ?? fromFolded.get(h.symbol);
    if (!f) continue;
    if (h.callers.length === 0) h.callers = f.callers.slice(0, 5);
    if (h.threads.length === 0) h.threads = f.threads.slice(0, 8);
  }
}

export function assemble(g: Gathered): Profile {
  const t = g.target;
  const b = new ProfileBuilder({
    origin: 'session',
    transport: g.transport,
    host: g.hostDescription,
    pid: t?.pid ?? null,
    command: t?.name ?? null,
    durationSeconds: g.recordedSeconds,
    maxFolded: MAX_FOLDED,
    maxHotspots: MAX_HOTSPOTS,
  });
  b.setTarget({
    cmdline: t?.cmdline ?? null,
    exe: t?.exe ?? null,
    kernel: g.kernel,
    cores: g.cores,
    threadCount: g.window?.threads.length || t?.threads || null,
    listeningPorts: t?.ports ?? [],
  });
  b.setCapabilities(g.capabilities);
  for (const n of g.notes) b.note(n);
  for (const r of g.partialReasons) b.markPartial(r);
  for (const s of g.sources) b.source(s);
  if (g.report) b.addPerfReport(g.report, source('perf report', g.reportCommand, g));
  if (g.collapser) b.addFolded(g.collapser, source('perf script', g.foldCommand, g));
  if (g.stat) {
    const { plain, eventfd } = splitEventfd(g.stat);
    if (plain.counts.length > 0) b.addPerfStat(plain, source('perf stat', g.statCommand, g));
    if (eventfd) b.addPerfStat(eventfd, source('perf stat', g.statCommand, g), { eventfdFilter: true });
  }
  if (g.strace) b.addStrace(g.strace, source('strace', g.straceCommand, g));
  const netSource = '/proc/PID/net/{snmp,netstat} before and after the window';
  if (g.netBefore && g.netAfter) {
    b.addNetCounters(g.netAfter.counters, g.netBefore.counters, source('proc', netSource, g), g.recordedSeconds);
    if (g.netBefore.softirqs && g.netAfter.softirqs) {
      b.addSoftirqs(g.netBefore.softirqs, g.netAfter.softirqs, source('proc', '/proc/softirqs before and after', g));
    }
  }
  if (g.ss) b.addSsSummary(g.ss, source('ss', 'ss -s', g));

  const p = b.build();

  // The live sampler's view of the window.
  const w = g.window;
  p.cpu = { process: w?.process ?? null, system: w?.system ?? null, perCpu: w?.perCpu ?? [] };
  p.threads = w?.threads ?? [];
  p.timeline = g.timeline;
  if (w) {
    let maxThread: { tid: number; name: string; perSecond: number } | null = null;
    for (const th of w.threads) {
      if (th.cswch === null) continue;
      const per = th.cswch + (th.nvcswch ?? 0);
      if (!maxThread || per > maxThread.perSecond) maxThread = { tid: th.tid, name: th.name, perSecond: round1(per) };
    }
    p.contextSwitches = {
      voluntaryPerSecond: w.voluntaryPerSecond,
      involuntaryPerSecond: w.involuntaryPerSecond,
      maxThread,
      source: '/proc/PID/task/*/status (voluntary/nonvoluntary_ctxt_switches, as pidstat -w reads them)',
    };
  }
  if (g.cores !== null) p.target.cores = g.cores;
  if (p.eventfd && g.eventfdFds.length > 0) p.eventfd.fds = g.eventfdFds;
  if (g.sampleCount !== null) p.sampleCount = g.sampleCount;
  if (p.network && g.netBefore && g.netAfter) p.network.nicDrops = nicDropDeltas(g.netBefore, g.netAfter);
  if (g.hotspots) {
    p.hotspots = g.hotspots;
    b.source(source('hotspots', g.hotspotsCommand, g));
    if (!p.sources.some((x) => x.tool === 'hotspots')) p.sources.push(source('hotspots', g.hotspotsCommand, g));
  } else {
    addCallers(p.hotspots, p.folded);
  }
  return p;
}
