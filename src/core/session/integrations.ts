/**
 * The seam between the session and the parts it builds on (probe, collectors, analysis), in the session's
 * terms. The benchmarks call `parseHotspots` and `foldStacks` too.
 */
import type { Host } from '../host/types';
import type { Capabilities, DataQualityNote, FoldedStack, Finding, Hotspot, Profile, Verdict } from '../profile';
import { probeHost } from '../probe';
import { installCommand } from '../host/tool-packages';
import { parsePerfReport, hotspotsFromReport, type PerfReport } from '../collect/perf-report';
import { StackCollapser } from '../collect/stackcollapse';
import { analyze } from '../analyze';

export interface ProbeOutcome {
  capabilities: Capabilities;
  notes: DataQualityNote[];
  kernel: string | null;
  cores: number | null;
  /** Install commands for missing tools, for notes. */
  installHint: { perf: string | null; strace: string | null };
}

export async function probeTarget(host: Host, signal: AbortSignal): Promise<ProbeOutcome> {
  const r = await probeHost(host, signal);
  const f = r.facts;
  return {
    capabilities: r.capabilities,
    notes: r.notes,
    kernel: f.kernel,
    cores: f.cpus,
    installHint: {
      perf: installCommand('perf', f.distro, f.distroId),
      strace: installCommand('strace', f.distro, f.distroId),
    },
  };
}

/** `perf report --stdio` text → the parsed report, its hotspots and its sample count. */
export function parseHotspots(report: string): {
  report: PerfReport | null;
  hotspots: Hotspot[];
  sampleCount: number | null;
} {
  // The session no longer runs perf report by default: no report, no hotspots from it.
  if (report.trim() === '') return { report: null, hotspots: [], sampleCount: null };
  const parsed = parsePerfReport(report);
  return { report: parsed, hotspots: hotspotsFromReport(parsed), sampleCount: parsed.samples };
}

/**
 * Folds perf-script-shaped text (one event per unique stack, its period = its sample count) with the
 * collectors' stackcollapse-perf port (default options: comm as the root frame), so the counts are
 * exactly those of folding the full `perf script` output.
 */
export function foldCollapser(events: Iterable<string>): StackCollapser {
  const c = new StackCollapser({ maxStacks: 1_000_000 });
  for (const ev of events) c.push(ev);
  c.end();
  return c;
}

export function foldStacks(events: Iterable<string>): FoldedStack[] {
  return [...foldCollapser(events).stacks()].map(([stack, count]) => ({ stack, count }));
}

export function analyzeProfile(p: Profile): { verdict: Verdict; findings: Finding[] } {
  return analyze(p);
}
