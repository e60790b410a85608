/**
 * The seam between the session and the parts written alongside it (probe, collectors, analysis). Each
 * function here is what the session needs, in the session's terms.
 */
import type { Host } from '../host/types';
import type { Capabilities, DataQualityNote, FoldedStack, Finding, Hotspot, Profile, Verdict } from '../profile';
import type { SessionOptions } from './types';
import { StackCollapser } from '../collect/stackcollapse';

export interface ProbeOutcome {
  capabilities: Capabilities;
  notes: DataQualityNote[];
  kernel: string | null;
  cores: number | null;
  /** Install commands for missing tools, for notes. */
  installHint: { perf: string | null; strace: string | null };
}

const PROBE_SCRIPT = String.raw`
echo "@uid $(id -u)"
echo "@kernel $(uname -r)"
echo "@cores $(grep -c '^cpu[0-9]' /proc/stat)"
echo "@paranoid $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)"
echo "@perf $(perf --version 2>/dev/null)"
for t in pidstat mpstat strace ss nstat ethtool bpftrace; do command -v "$t" >/dev/null 2>&1 && echo "@tool $t"; done
if sudo -n true >/dev/null 2>&1; then echo "@sudo passwordless"; elif command -v sudo >/dev/null 2>&1; then echo "@sudo password"; fi
[ -d /sys/kernel/tracing/events/io_uring ] || [ -d /sys/kernel/debug/tracing/events/io_uring ] && echo "@uring"
[ -d /sys/bus/event_source/devices/cpu ] && echo "@pmu"
echo "@end"
`;

export async function probeTarget(host: Host, options: SessionOptions, signal: AbortSignal): Promise<ProbeOutcome> {
  void options;
  const r = await host.run(['sh', '-c', PROBE_SCRIPT], { signal, timeoutMs: 20_000 });
  const values = new Map<string, string[]>();
  for (const line of r.stdout.split('\n')) {
    const m = /^@(\w+)(?: (.*))?$/.exec(line);
    if (m) values.set(m[1], [...(values.get(m[1]) ?? []), m[2] ?? '']);
  }
  const one = (k: string) => values.get(k)?.[0] ?? null;
  const tools = new Set(values.get('tool') ?? []);
  const uid = one('uid') === null ? null : Number(one('uid'));
  const perfVersion = one('perf')?.trim() || null;
  const sudo = uid === 0 ? 'root' : ((one('sudo') as 'passwordless' | 'password' | null) ?? 'none');
  const capabilities: Capabilities = {
    perf: perfVersion !== null,
    perfVersion,
    pidstat: tools.has('pidstat'),
    mpstat: tools.has('mpstat'),
    strace: tools.has('strace'),
    ss: tools.has('ss'),
    nstat: tools.has('nstat'),
    ethtool: tools.has('ethtool'),
    bpftrace: tools.has('bpftrace'),
    perfEventParanoid: one('paranoid') === null ? null : Number(one('paranoid')),
    kptrRestrict: null,
    ptraceScope: null,
    uid,
    sudo,
    ioUringTracepoints: values.has('uring'),
    hardwarePmu: values.has('pmu'),
    container: null,
    distro: 'unknown',
  };
  const notes: DataQualityNote[] = [];
  if (!capabilities.hardwarePmu) {
    notes.push({
      id: 'no-hardware-pmu',
      severity: 'info',
      message:
        'no hardware PMU (a VM): perf samples with the cpu-clock timer, which over-weights functions that re-enable interrupts (finish_task_switch, _raw_spin_unlock_irqrestore)',
      fix: null,
    });
  }
  return {
    capabilities,
    notes,
    kernel: one('kernel'),
    cores: one('cores') === null ? null : Number(one('cores')),
    installHint: { perf: 'apt-get install linux-perf', strace: 'apt-get install strace' },
  };
}

/** perf report --stdio (children or not, -g none, --sort dso,sym) → hotspots. */
export function parseHotspots(report: string): { hotspots: Hotspot[]; sampleCount: number | null } {
  const hotspots: Hotspot[] = [];
  let sampleCount: number | null = null;
  let children = false;
  for (const line of report.split('\n')) {
    const s = /^# Samples: (\d+)([KM]?) of event/.exec(line);
    if (s) sampleCount = Number(s[1]) * (s[2] === 'K' ? 1000 : s[2] === 'M' ? 1e6 : 1);
    if (/^# Children\s+Self/.test(line)) children = true;
    if (line.startsWith('#') || line.trim() === '') continue;
    const m = children
      ? /^\s+([\d.]+)%\s+([\d.]+)%\s+(\S+)\s+\[([k.])\]\s+(.*?)\s*$/.exec(line)
      : /^\s+([\d.]+)%\s+(\S+)\s+\[([k.])\]\s+(.*?)\s*$/.exec(line);
    if (!m) continue;
    const [self, childrenPct, dso, kind, symbol] = children
      ? [Number(m[2]), Number(m[1]), m[3], m[4], m[5]]
      : [Number(m[1]), null, m[2], m[3], m[4]];
    hotspots.push({
      symbol,
      dso,
      kernel: kind === 'k',
      self,
      children: childrenPct,
      file: null,
      line: null,
      callers: [],
      threads: [],
    });
  }
  return { hotspots, sampleCount };
}

/**
 * Folds perf-script-shaped text (one event per unique stack, its period = its sample count) with the
 * collectors' stackcollapse-perf port (default options: comm as the root frame), so the counts are
 * exactly those of folding the full `perf script` output.
 */
export function foldStacks(events: Iterable<string>): FoldedStack[] {
  const c = new StackCollapser({ maxStacks: 1_000_000 });
  for (const ev of events) c.push(ev);
  c.end();
  return [...c.stacks()].map(([stack, count]) => ({ stack, count }));
}

export function analyzeProfile(p: Profile): { verdict: Verdict; findings: Finding[] } {
  return { verdict: p.verdict, findings: [] };
}
