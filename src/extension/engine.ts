/**
 * The seam between the VS Code glue and the engine in `src/core`: every engine call the extension makes
 * goes through here, so the glue stays independent of how the engine is organised.
 */
import { createHost as coreCreateHost, type Host } from '../core/host';
import { UserError } from '../core/errors';
import type { Profile } from '../core/profile';
import type { Comparison } from '../core/analyze/compare-types';
import { profile as coreProfile } from '../core/session/profile';
import type { SessionEvent, SessionOptions, TargetSpec } from '../core/session/types';
import { listProcesses as coreListProcesses, resolveTerminalProcesses as coreTerminal } from '../core/target';
import type { PerfLensConfig } from './config-schema';
import type { ProcessEntry } from './targets';

const notYet = (what: string) =>
  new UserError(
    `${what} is not available in this build of Perf Lens.`,
    'Update the extension to a build that includes it.',
  );

/** The host profiling commands run on: the ssh target when one is set, otherwise this machine. */
export function createHost(config: Pick<PerfLensConfig, 'sshTarget'>): Host {
  return coreCreateHost(config.sshTarget ? `ssh:${config.sshTarget}` : 'local');
}

export function listProcesses(host: Host, signal?: AbortSignal): Promise<ProcessEntry[]> {
  return coreListProcesses(host, { sampleMs: 300, ports: true, signal });
}

export function terminalProcesses(host: Host, shellPid: number, signal?: AbortSignal): Promise<ProcessEntry[]> {
  return coreTerminal(host, shellPid, { signal });
}

export function profile(
  host: Host,
  target: TargetSpec,
  options: SessionOptions,
  onEvent: (event: SessionEvent) => void,
  signal: AbortSignal,
): Promise<Profile> {
  return coreProfile(host, target, options, onEvent, signal);
}

/** A Profile from saved tool outputs (perf report, pidstat, strace -c … as text). */
export function analyzeOutputs(inputs: Array<{ name: string; text: string }>): Promise<Profile> {
  void inputs;
  return Promise.reject(notYet('Analyzing saved output'));
}

export function compareProfiles(before: Profile, after: Profile): Comparison {
  void before;
  void after;
  throw notYet('Comparing profiles');
}

/** The catalog's snippet for a fix id, or null. */
export function fixSnippet(fixId: string): { title: string; snippet: string } | null {
  void fixId;
  return null;
}

/** The panel's HTML page (CSP with a nonce, script and styles by webview URI; data only by postMessage). */
export { renderWebviewHtml } from '../core/report/webview-html';
