import { HostError, type Host } from '../host/types';
import type { Capabilities, DataQualityNote } from '../profile';
import { parseProbeOutput, type ProbeFacts } from './facts';
import { dataQualityNotes, toCapabilities } from './notes';
import { PROBE_SCRIPT } from './probe-script';

export { PROBE_SCRIPT } from './probe-script';
export { parseProbeOutput, PROBED_TOOLS, type ProbeFacts, type ProbedTool, type ToolFact } from './facts';
export { dataQualityNotes, toCapabilities } from './notes';

export interface ProbeResult {
  /** The host's description (`local (name)`, `ssh user@host`). */
  host: string;
  capabilities: Capabilities;
  notes: DataQualityNote[];
  /** Everything the probe learnt (kernel, CPUs, distro, tool versions, sysctls…), for display and sessions. */
  facts: ProbeFacts;
  durationMs: number;
}

/**
 * Finds out what `host` can do, in one round trip (a constant sh script). Rejects only when it could not
 * run at all (HostError: ssh failure, `sh` missing, cancelled); a probe cut short by its timeout still
 * resolves, with a `probe-incomplete` note.
 */
export async function probeHost(
  host: Host,
  signal?: AbortSignal,
  options: { timeoutMs?: number } = {},
): Promise<ProbeResult> {
  const r = await host.run(['sh', '-c', PROBE_SCRIPT, 'perf-lens-probe'], {
    signal,
    timeoutMs: options.timeoutMs ?? 30_000,
    maxOutputBytes: 256 * 1024,
  });
  if (r.cancelled) throw new HostError(`Probing ${host.description} was cancelled.`, 'CANCELLED');
  const facts = parseProbeOutput(r.stdout);
  if (!facts.complete && !r.timedOut && !r.truncated && r.exitCode !== 0) {
    throw new HostError(
      `The probe script failed on ${host.description} (exit ${r.exitCode}): ${r.stderr.trim().split('\n').pop() ?? ''}`,
      'UNKNOWN',
      'Perf Lens needs a POSIX sh on the host.',
    );
  }
  return {
    host: host.description,
    capabilities: toCapabilities(facts),
    notes: dataQualityNotes(facts),
    facts,
    durationMs: r.durationMs,
  };
}
