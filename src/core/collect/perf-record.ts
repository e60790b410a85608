/**
 * `perf record` and `perf script` argv. The recording goes to a perf.data in a private temp dir the caller
 * made (Host.makeTempDir) and removes; `--max-size` caps it; `--no-buildid-cache` leaves nothing in
 * ~/.debug. (A live session wraps this in its own stop-and-cleanup script, see session/record.ts.)
 */
import { checkPid, checkPositiveInt, checkSeconds, checkToolPath } from './argv';

export interface PerfRecordArgvOptions {
  pid: number;
  /** Absolute path of the perf.data to write (inside a private temp dir). */
  output: string;
  /** Sampling frequency, Hz (default 999: not a multiple of common timer rates). */
  frequency?: number;
  /** `fp` (frame pointers, `-g`, default), `dwarf` (`--call-graph dwarf`), `none`. */
  callGraph?: 'fp' | 'dwarf' | 'none';
  /** Record for this long (`-- sleep N`); omit to record until stopped with SIGINT. */
  durationSeconds?: number;
  /** Stop writing past this many MiB (default 256). */
  maxSizeMiB?: number;
  toolPath?: string;
}

function checkDataPath(path: string, what: string): string {
  // eslint-disable-next-line no-control-regex
  if (!path.startsWith('/') || /[\s\u0000-\u001f]/.test(path))
    throw new TypeError(`${what} must be an absolute path without spaces`);
  return path;
}

export function perfRecordArgv(o: PerfRecordArgvOptions): string[] {
  const argv = [
    checkToolPath(o.toolPath, 'perf'),
    'record',
    '--no-buildid-cache',
    '-F',
    checkPositiveInt(o.frequency ?? 999, 'sampling frequency', 100_000),
  ];
  const cg = o.callGraph ?? 'fp';
  if (cg === 'fp') argv.push('-g');
  else if (cg === 'dwarf') argv.push('--call-graph', 'dwarf');
  argv.push('-p', checkPid(o.pid), '-o', checkDataPath(o.output, 'perf.data path'));
  argv.push('--max-size', `${checkPositiveInt(o.maxSizeMiB ?? 256, 'perf.data size cap (MiB)', 1_048_576)}M`);
  if (o.durationSeconds !== undefined) argv.push('--', 'sleep', checkSeconds(o.durationSeconds, 'recording duration'));
  return argv;
}

/** `perf script -i FILE` with the default fields (what stackcollapse-perf.pl reads). */
export function perfScriptArgv(o: { input: string; toolPath?: string; withPidTid?: boolean }): string[] {
  const argv = [checkToolPath(o.toolPath, 'perf'), 'script', '-i', checkDataPath(o.input, 'perf.data path')];
  // comm,pid,tid,time,period,event,ip,sym,dso: the root frame can then carry PID/TID (--pid/--tid).
  if (o.withPidTid) argv.push('-F', 'comm,pid,tid,time,period,event,ip,sym,dso');
  return argv;
}
