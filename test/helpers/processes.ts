/**
 * "Nothing left behind" checks that stay correct while other engineers run the same tools concurrently.
 *
 * How a process is recognised as ours: importing this module puts a random marker into this test process's
 * environment (`PERF_LENS_TEST_MARKER`). Everything the test starts locally inherits it, and the test sshd
 * (test/helpers/sshd.ts) sets it in every ssh session with sshd's `SetEnv`, so remote commands carry it too,
 * even after they were re-parented to init because something leaked. A process is "ours" when its
 * /proc/PID/environ holds the marker. Other engineers' perf/pidstat/sleep never match.
 *
 * How a temp dir is recognised as ours: `isolateTempDir()` points TMPDIR (and so os.tmpdir(), `mktemp -d`
 * locally and — through the test sshd's SetEnv — remotely) at a private folder; leftovers are looked for there.
 *
 * API
 *   TEST_MARKER: string                      the marker value of this test process
 *   MARKER_ENV = 'PERF_LENS_TEST_MARKER'
 *   ourProcesses(names?) → Promise<ProcInfo[]>   live processes with our marker (pgrep -x NAME for each
 *                                              name, then the environ check); all names when omitted;
 *                                              never includes this test process itself
 *   assertNothingLeft(names?, { waitMs?, tempRoot?, exceptPids? }) → Promise<void>
 *                                              polls up to waitMs (default 3000) until none of our processes
 *                                              named `names` (default DEFAULT_TOOL_NAMES) is alive and no
 *                                              `perf-lens-*` entry is in tempRoot (default: isolated TMPDIR
 *                                              if isolateTempDir() was called); then throws with the list
 *   isolateTempDir() → { dir, restore() }      private TMPDIR for this test process (0700, removed by restore()
 *                                              and at process exit)
 *   leftoverTempDirs(root?) → string[]         `perf-lens-*` entries in root
 *   snapshotPids(names) / newPidsSince(snapshot, names)   fallback by before/after process lists, for
 *                                              processes that cannot carry the marker
 *   descendantsOf(pid) → number[]              all live descendants (from /proc/PID/task/TID/children walk)
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MARKER_ENV = 'PERF_LENS_TEST_MARKER';
export const TEST_MARKER: string = (process.env[MARKER_ENV] ??= `t${process.pid}-${randomBytes(8).toString('hex')}`);

export const DEFAULT_TOOL_NAMES = [
  'perf',
  'pidstat',
  'mpstat',
  'strace',
  'bpftrace',
  'ss',
  'nstat',
  'netstat',
  'ethtool',
  'top',
  'sleep',
  'wrk',
  'tcp_demo',
  'ssh',
];

export interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

function readProc(pid: number): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm may hold spaces and parentheses: it ends at the LAST ')'.
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    if (fields[0] === 'Z') return null; // a zombie is no longer running anything
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0+$/, '').replace(/\0/g, ' ');
    return { pid, ppid: Number(fields[1]), comm, cmdline };
  } catch {
    return null; // gone meanwhile
  }
}

function hasMarker(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`).includes(`${MARKER_ENV}=${TEST_MARKER}\0`);
  } catch {
    return false;
  }
}

function pgrepExact(name: string): number[] {
  try {
    return execFileSync('pgrep', ['-x', '--', name], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  } catch {
    return []; // pgrep exits 1 when nothing matches
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

export async function ourProcesses(names?: string[]): Promise<ProcInfo[]> {
  const pids = names ? [...new Set(names.flatMap(pgrepExact))] : allPids();
  const result: ProcInfo[] = [];
  for (const pid of pids) {
    if (pid === process.pid || !hasMarker(pid)) continue;
    const info = readProc(pid);
    if (info) result.push(info);
  }
  return result;
}

export function leftoverTempDirs(root: string = tmpdir()): string[] {
  try {
    return readdirSync(root)
      .filter((e) => e.startsWith('perf-lens-'))
      .map((e) => join(root, e));
  } catch {
    return [];
  }
}

let isolated: string | null = null;

export function isolateTempDir(): { dir: string; restore(): void } {
  const previous = process.env.TMPDIR;
  const dir = mkdtempSync(join(tmpdir(), 'pltest-'));
  isolated = dir;
  process.env.TMPDIR = dir;
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', cleanup);
  return {
    dir,
    restore() {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
      if (isolated === dir) isolated = null;
      cleanup();
    },
  };
}

export async function assertNothingLeft(
  names: string[] = DEFAULT_TOOL_NAMES,
  options: { waitMs?: number; tempRoot?: string | null; exceptPids?: number[] } = {},
): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? 3000);
  const tempRoot = options.tempRoot === undefined ? isolated : options.tempRoot;
  const except = new Set(options.exceptPids ?? []);
  for (;;) {
    const procs = (await ourProcesses(names)).filter((p) => !except.has(p.pid));
    const dirs = tempRoot ? leftoverTempDirs(tempRoot) : [];
    if (procs.length === 0 && dirs.length === 0) return;
    if (Date.now() > deadline) {
      const lines = [
        ...procs.map((p) => `process ${p.pid} (${p.comm}, parent ${p.ppid}): ${p.cmdline}`),
        ...dirs.map((d) => `temp dir ${d}`),
      ];
      throw new Error(`left behind by this test:\n  ${lines.join('\n  ')}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function snapshotPids(names: string[]): Set<number> {
  return new Set(names.flatMap(pgrepExact));
}

export function newPidsSince(snapshot: Set<number>, names: string[]): ProcInfo[] {
  return names
    .flatMap(pgrepExact)
    .filter((pid) => !snapshot.has(pid))
    .map(readProc)
    .filter((p): p is ProcInfo => p !== null);
}

export function descendantsOf(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${p}/task`);
    } catch {
      return;
    }
    for (const tid of tids) {
      let kids: string[] = [];
      try {
        kids = readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean);
      } catch {
        // thread exited
      }
      for (const k of kids) {
        out.push(Number(k));
        walk(Number(k));
      }
    }
  };
  walk(pid);
  return out;
}
