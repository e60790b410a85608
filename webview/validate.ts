/**
 * Deep check of a Profile (and Comparison) received by postMessage or read from the report page.
 * `parseToWebview` checks the envelope; this copies only known fields with the right types, so a forged
 * or truncated document renders as "not measured" instead of throwing halfway through a view.
 * Returns null when the document is not a Profile at all.
 */
import type {
  CpuFields,
  DataQualityNote,
  Finding,
  FoldedStack,
  Hotspot,
  Profile,
  SyscallStat,
  ThreadStat,
  TimelineSample,
} from '../src/core/profile';
import type { Comparison, MetricDelta, SymbolDelta } from '../src/core/analyze/compare-types';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const MAX_STR = 100_000;
const s = (v: unknown, fallback = ''): string => (typeof v === 'string' ? v.slice(0, MAX_STR) : fallback);
const sn = (v: unknown): string | null => (typeof v === 'string' ? v.slice(0, MAX_STR) : null);
const n = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const n0 = (v: unknown): number => n(v) ?? 0;
const b = (v: unknown): boolean => v === true;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');
const nums = (v: unknown): number[] => arr(v).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
const oneOf = <T extends string>(v: unknown, options: readonly T[], fallback: T): T =>
  options.includes(v as T) ? (v as T) : fallback;
const objs = <T>(v: unknown, map: (o: Obj) => T | null): T[] =>
  arr(v)
    .filter(isObj)
    .map(map)
    .filter((x): x is T => x !== null);
const record = (v: unknown): Record<string, number> => {
  const out: Record<string, number> = {};
  if (isObj(v)) for (const [k, x] of Object.entries(v)) if (n(x) !== null) out[k] = x as number;
  return out;
};
const SEVERITIES = ['info', 'warning', 'critical'] as const;

function cpuFields(o: Obj): CpuFields {
  return {
    usr: n(o.usr),
    nice: n(o.nice),
    sys: n(o.sys),
    iowait: n(o.iowait),
    irq: n(o.irq),
    softirq: n(o.softirq),
    steal: n(o.steal),
    idle: n(o.idle),
  };
}
const procCpu = (v: unknown) => (isObj(v) ? { usr: n(v.usr), sys: n(v.sys), wait: n(v.wait), cpu: n(v.cpu) } : null);

export function sanitizeThreads(v: unknown): ThreadStat[] {
  return objs(v, (t) => ({
    tid: n0(t.tid),
    name: s(t.name),
    usr: n(t.usr),
    sys: n(t.sys),
    wait: n(t.wait),
    cpu: n(t.cpu),
    cswch: n(t.cswch),
    nvcswch: n(t.nvcswch),
  }));
}

export function sanitizePerCpu(v: unknown): Array<CpuFields & { cpu: number }> {
  return objs(v, (c) => ({ cpu: n0(c.cpu), ...cpuFields(c) }));
}

export function sanitizeSample(v: unknown): TimelineSample | null {
  if (!isObj(v) || n(v.t) === null) return null;
  return { t: v.t as number, process: procCpu(v.process), system: isObj(v.system) ? cpuFields(v.system) : null };
}

export function sanitizeProfile(raw: unknown): Profile | null {
  if (!isObj(raw) || raw.schema !== 'perf-lens/profile@1') return null;
  const t = isObj(raw.target) ? raw.target : {};
  const cpu = isObj(raw.cpu) ? raw.cpu : {};
  const verdict = isObj(raw.verdict) ? raw.verdict : {};
  const io = raw.ioUring;
  const efd = raw.eventfd;
  const cs = raw.contextSwitches;
  const net = raw.network;
  const lock = raw.lockContention;
  const caps = raw.capabilities;
  return {
    schema: 'perf-lens/profile@1',
    createdAt: s(raw.createdAt),
    producer: { name: 'perf-lens', version: isObj(raw.producer) ? s(raw.producer.version) : '' },
    origin: oneOf(raw.origin, ['session', 'analyze'] as const, 'session'),
    partial: b(raw.partial),
    partialReason: sn(raw.partialReason),
    target: {
      host: s(t.host),
      transport: oneOf(t.transport, ['local', 'ssh', 'file'] as const, 'local'),
      pid: n(t.pid),
      command: sn(t.command),
      cmdline: sn(t.cmdline),
      exe: sn(t.exe),
      kernel: sn(t.kernel),
      cores: n(t.cores),
      threadCount: n(t.threadCount),
      listeningPorts: nums(t.listeningPorts),
    },
    durationSeconds: n(raw.durationSeconds),
    // Only shown as a list of tool availability; kept as received when it is an object.
    capabilities: isObj(caps) ? (caps as unknown as Profile['capabilities']) : null,
    dataQuality: objs(raw.dataQuality, (d): DataQualityNote => ({
      id: s(d.id),
      severity: oneOf(d.severity, SEVERITIES, 'info'),
      message: s(d.message),
      fix: sn(d.fix),
    })),
    cpu: {
      process: procCpu(cpu.process),
      system: isObj(cpu.system) ? cpuFields(cpu.system) : null,
      perCpu: sanitizePerCpu(cpu.perCpu),
    },
    threads: sanitizeThreads(raw.threads),
    timeline: arr(raw.timeline)
      .map(sanitizeSample)
      .filter((x): x is TimelineSample => x !== null),
    syscalls: objs(raw.syscalls, (c): SyscallStat => ({
      name: s(c.name),
      calls: n0(c.calls),
      errors: n(c.errors),
      seconds: n(c.seconds),
      usecsPerCall: n(c.usecsPerCall),
      percent: n(c.percent),
      perSecond: n(c.perSecond),
    })),
    ioUring: isObj(io)
      ? {
          enterPerSecond: n(io.enterPerSecond),
          submitPerSecond: n(io.submitPerSecond),
          completePerSecond: n(io.completePerSecond),
          source: s(io.source),
        }
      : null,
    eventfd: isObj(efd) ? { fds: nums(efd.fds), writesPerSecond: n(efd.writesPerSecond), source: s(efd.source) } : null,
    contextSwitches: isObj(cs)
      ? {
          voluntaryPerSecond: n(cs.voluntaryPerSecond),
          involuntaryPerSecond: n(cs.involuntaryPerSecond),
          maxThread: isObj(cs.maxThread)
            ? { tid: n0(cs.maxThread.tid), name: s(cs.maxThread.name), perSecond: n0(cs.maxThread.perSecond) }
            : null,
          source: s(cs.source),
        }
      : null,
    network: isObj(net)
      ? {
          kind: oneOf(net.kind, ['delta', 'snapshot'] as const, 'delta'),
          seconds: n(net.seconds),
          retransSegs: n(net.retransSegs),
          listenOverflows: n(net.listenOverflows),
          listenDrops: n(net.listenDrops),
          tcpBacklogDrop: n(net.tcpBacklogDrop),
          rcvPruned: n(net.rcvPruned),
          tcpTimeouts: n(net.tcpTimeouts),
          activeOpens: n(net.activeOpens),
          passiveOpens: n(net.passiveOpens),
          inSegs: n(net.inSegs),
          outSegs: n(net.outSegs),
          nicDrops: record(net.nicDrops),
          softirqNetRx: n(net.softirqNetRx),
          softirqNetTx: n(net.softirqNetTx),
          other: record(net.other),
          source: s(net.source),
        }
      : null,
    lockContention: isObj(lock)
      ? { futexSeconds: n(lock.futexSeconds), futexPerSecond: n(lock.futexPerSecond), source: s(lock.source) }
      : null,
    hotspots: objs(raw.hotspots, (x): Hotspot => ({
      symbol: s(x.symbol),
      dso: s(x.dso),
      kernel: b(x.kernel),
      self: n0(x.self),
      children: n(x.children),
      file: sn(x.file),
      line: n(x.line),
      callers: strs(x.callers),
      threads: strs(x.threads),
    })),
    folded: objs(raw.folded, (f): FoldedStack | null =>
      typeof f.stack === 'string' && n(f.count) !== null && (f.count as number) > 0
        ? { stack: f.stack, count: f.count as number }
        : null,
    ),
    foldedTruncated: b(raw.foldedTruncated),
    sampleCount: n(raw.sampleCount),
    throughput:
      isObj(raw.throughput) && n(raw.throughput.requestsPerSecond) !== null
        ? { requestsPerSecond: raw.throughput.requestsPerSecond as number, source: s(raw.throughput.source) }
        : null,
    verdict: {
      kind: oneOf(
        verdict.kind,
        ['user-bound', 'kernel-bound', 'io-bound', 'syscall-bound', 'idle', 'unknown'] as const,
        'unknown',
      ),
      summary: s(verdict.summary),
      evidence: strs(verdict.evidence),
      coresUsed: n(verdict.coresUsed),
      coresAvailable: n(verdict.coresAvailable),
    },
    findings: objs(raw.findings, (f): Finding => ({
      id: s(f.id),
      severity: oneOf(f.severity, SEVERITIES, 'info'),
      title: s(f.title),
      evidence: strs(f.evidence),
      fixes: strs(f.fixes),
      verify: s(f.verify),
      symbols: strs(f.symbols),
    })),
    sources: objs(raw.sources, (x) => ({ tool: s(x.tool), command: s(x.command), version: sn(x.version) })),
  };
}

export function sanitizeComparison(raw: unknown): Comparison | null {
  if (!isObj(raw)) return null;
  const sym = (o: Obj): SymbolDelta => ({ symbol: s(o.symbol), before: n(o.before), after: n(o.after) });
  return {
    summary: s(raw.summary),
    metrics: objs(raw.metrics, (m): MetricDelta => ({
      id: s(m.id),
      label: s(m.label),
      unit: s(m.unit),
      before: n(m.before),
      after: n(m.after),
      delta: n(m.delta),
      percent: n(m.percent),
      better: typeof m.better === 'boolean' ? m.better : null,
    })),
    gained: objs(raw.gained, sym),
    lost: objs(raw.lost, sym),
    verdictBefore: s(raw.verdictBefore),
    verdictAfter: s(raw.verdictAfter),
  };
}

/** Fix titles and snippets (the report carries them; in VS Code the extension copies snippets itself). */
export interface FixInfo {
  id: string;
  title: string;
  snippet: string | null;
}

export function sanitizeFixes(raw: unknown): Map<string, FixInfo> {
  const out = new Map<string, FixInfo>();
  for (const f of objs(raw, (o) =>
    typeof o.id === 'string' ? { id: o.id, title: s(o.title), snippet: sn(o.snippet) } : null,
  ))
    out.set(f.id, f);
  return out;
}
