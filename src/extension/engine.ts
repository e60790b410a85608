/**
 * The seam between the VS Code glue and the engine in `src/core`: every engine call the extension makes
 * goes through here, so the glue stays independent of how the engine is organised.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compare } from '../core/analyze';
import { getFix } from '../core/fixes';
import { createHost as coreCreateHost, type Host } from '../core/host';
import type { Profile } from '../core/profile';
import type { Comparison } from '../core/analyze/compare-types';
import { profile as coreProfile } from '../core/session/profile';
import type { SessionEvent, SessionOptions, TargetSpec } from '../core/session/types';
import { listProcesses as coreListProcesses, resolveTerminalProcesses as coreTerminal } from '../core/target';
import type { PerfLensConfig } from './config-schema';
import type { ProcessEntry } from './targets';

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

/**
 * A Profile from saved tool outputs (perf report, perf script, pidstat, mpstat, strace -c, ss, nstat …):
 * each file's tool is detected from its content, exactly as `perf-lens analyze` does.
 */
export async function analyzeFiles(paths: string[]): Promise<Profile> {
  // Loaded on first use: the parsers are most of the bundle and activation does not need them.
  const { buildFromFiles, parseAnalyzeArgs } = await import('../cli/commands/analyze');
  // `--` so a file name starting with "-" is never read as an option.
  return buildFromFiles(parseAnalyzeArgs(['--', ...paths]));
}

/** The same for text (the active editor's selection or content), through a private temp file. */
export async function analyzeText(text: string): Promise<Profile> {
  const dir = await mkdtemp(join(tmpdir(), 'perf-lens-paste-'));
  try {
    const file = join(dir, 'pasted-output.txt');
    await writeFile(file, text, { mode: 0o600 });
    return await analyzeFiles([file]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export function compareProfiles(before: Profile, after: Profile): Comparison {
  return compare(before, after);
}

/** The catalog's title and snippet for a fix id, or null. */
export function fixSnippet(fixId: string): { title: string; snippet: string } | null {
  const fix = getFix(fixId);
  return fix ? { title: fix.title, snippet: fix.snippet } : null;
}

/** The panel's HTML page (CSP with a nonce, script and styles by webview URI; data only by postMessage). */
export { renderWebviewHtml } from '../core/report/webview-html';
