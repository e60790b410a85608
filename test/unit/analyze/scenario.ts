/**
 * Builds a Profile from one capture — a folder of real tool outputs as capture.sh writes them
 * (test/fixtures/scenarios/NAME, or a temp folder in the integration test) — through the same path a user
 * takes: `perf-lens analyze`'s buildFromFiles (tool detection, the collectors' parsers, ProfileBuilder).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildFromFiles, parseAnalyzeArgs } from '../../../src/cli/commands/analyze';
import type { Profile } from '../../../src/core/profile';

export const SCENARIOS_DIR = fileURLToPath(new URL('../../fixtures/scenarios/', import.meta.url));

/** capture.sh's file names → the tool that printed them (detection cannot name an empty recording). */
const TOOL_BY_FILE: Array<[RegExp, string]> = [
  [/^pidstat\.txt$/, 'pidstat'],
  [/^mpstat\.txt$/, 'mpstat'],
  [/^perf-report(?:-children)?\.txt(?:\.gz)?$/, 'perf-report'],
  [/^perf-script\.txt\.gz$/, 'perf-script'],
  [/^perf-stat\.txt$/, 'perf-stat'],
  [/^perf-stat-eventfd\.txt$/, 'perf-stat-eventfd'],
  [/^fds\.txt$/, 'fds'],
  [/^nstat\.(?:before|after)\.txt$/, 'nstat'],
  [/^proc-stat\.(?:before|after)\.txt$/, 'proc-stat'],
  [/^softirqs\.(?:before|after)\.txt$/, 'softirqs'],
  [/^ss-s\.txt$/, 'ss-summary'],
  [/^ss-tin\.txt\.gz$/, 'ss-tcp'],
  [/^ip-link\.(?:before|after)\.txt$/, 'ip-link'],
  [/^wrk\.txt$/, 'wrk'],
  [/^strace\.txt$/, 'strace'],
];

/** perf stat that could not count (e.g. no permission for tracepoints) printed an error, not counts. */
function failedPerfStat(path: string): boolean {
  return /perf-stat[\w-]*\.txt$/.test(path) && !/seconds time elapsed/.test(readFileSync(path, 'utf8'));
}

/** perf recorded nothing: its script output is empty (the report still says "no samples"). */
function emptyRecording(dir: string, file: string): boolean {
  if (!/^perf-script/.test(file)) return false;
  return !/\(\d+ samples\)/.test(readFileSync(join(dir, 'commands.txt'), 'utf8'));
}

export async function loadCapture(dir: string): Promise<Profile> {
  const argv: string[] = [];
  const commands = readFileSync(join(dir, 'commands.txt'), 'utf8');
  const pid = /target pid (\d+)/.exec(commands)?.[1];
  if (pid) argv.push('--pid', pid);
  for (const file of readdirSync(dir).sort()) {
    const tool = TOOL_BY_FILE.find(([re]) => re.test(file))?.[1];
    if (!tool || emptyRecording(dir, file) || failedPerfStat(join(dir, file))) continue;
    argv.push('--as', tool, join(dir, file));
  }
  return buildFromFiles(parseAnalyzeArgs(argv));
}

export function loadScenario(name: string): Promise<Profile> {
  return loadCapture(join(SCENARIOS_DIR, name));
}
