/**
 * Child processes for benchmarks: measured runs (wall time and peak RSS of the child, the tool's own memory
 * high-water mark, not Node's), background observers, and a registry so that everything started here is
 * stopped when the run ends, fails or is interrupted.
 */
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';
const groups = new Set<number>();

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Kills every process group still registered (children are started detached, each leading a group). */
export function killAll(): void {
  for (const pid of groups) killGroup(pid, 'SIGKILL');
  groups.clear();
}
process.on('exit', killAll);

export interface Measured {
  wallMs: number;
  /** VmHWM of the measured process itself (KiB), from GNU time's wait4 rusage or /proc polling. */
  peakRssKiB: number | null;
  /** User + system CPU time of the process and its waited-for children (GNU time only). */
  cpuMs: number | null;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  stdout: string;
}

export interface MeasureOptions {
  /** Send stdout to this file (otherwise it is kept in memory up to 1 MiB). */
  stdoutFile?: string;
  stdinFile?: string;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Scratch folder for GNU time's output file. */
  scratch: string;
}

let counter = 0;

/** Runs argv to completion and reports its wall time and peak resident memory. */
export async function measure(argv: string[], options: MeasureOptions): Promise<Measured> {
  const useTime = existsSync(GNU_TIME);
  const rssFile = join(options.scratch, `rss-${process.pid}-${++counter}.txt`);
  const full = useTime ? [GNU_TIME, '-f', '%M %U %S', '-o', rssFile, '--', ...argv] : argv;
  const stdoutFd = options.stdoutFile ? openSync(options.stdoutFile, 'w') : null;
  const stdinFd = options.stdinFile ? openSync(options.stdinFile, 'r') : null;
  const stdio: StdioOptions = [stdinFd ?? 'ignore', stdoutFd ?? 'pipe', 'pipe'];
  const started = performance.now();
  let child: ChildProcess;
  try {
    child = spawn(full[0], full.slice(1), { stdio, cwd: options.cwd, env: options.env, detached: true });
  } finally {
    if (stdoutFd !== null) closeSync(stdoutFd);
    if (stdinFd !== null) closeSync(stdinFd);
  }
  const pid = child.pid;
  if (pid !== undefined) groups.add(pid);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => {
    if (stdout.length < 1024 * 1024) stdout += c.toString('utf8');
  });
  child.stderr?.on('data', (c: Buffer) => {
    if (stderr.length < 256 * 1024) stderr += c.toString('utf8');
  });
  // Without GNU time, poll the high-water mark; it only grows, so the last reading before exit is close.
  let polled: number | null = null;
  const poll =
    !useTime && pid !== undefined
      ? setInterval(() => {
          const hwm = readHwm(pid);
          if (hwm !== null) polled = Math.max(polled ?? 0, hwm);
        }, 10)
      : null;
  const timer = setTimeout(() => pid !== undefined && killGroup(pid, 'SIGKILL'), options.timeoutMs);
  const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, sig) => resolve([code, sig]));
  }).finally(() => {
    clearTimeout(timer);
    if (poll) clearInterval(poll);
    if (pid !== undefined) groups.delete(pid);
  });
  const wallMs = performance.now() - started;
  let peakRssKiB: number | null = polled;
  let cpuMs: number | null = null;
  if (useTime) {
    try {
      // GNU time prints "Command exited with non-zero status N" first when it did.
      const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
      const [rss, user, sys] = lines[lines.length - 1].split(' ').map(Number);
      peakRssKiB = Number.isFinite(rss) && rss > 0 ? rss : null;
      cpuMs = Number.isFinite(user) && Number.isFinite(sys) ? (user + sys) * 1000 : null;
    } catch {
      peakRssKiB = null;
    }
    rmSync(rssFile, { force: true });
  }
  return { wallMs, peakRssKiB, cpuMs, exitCode, signal, stderr, stdout };
}

function readHwm(pid: number): number | null {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Runs argv and returns its output; rejects on a non-zero exit with what it printed. */
export async function run(
  argv: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number; stdoutFile?: string; scratch?: string } = {},
): Promise<{ stdout: string; stderr: string; wallMs: number }> {
  const r = await measure(argv, {
    cwd: options.cwd,
    env: options.env,
    timeoutMs: options.timeoutMs ?? 120_000,
    stdoutFile: options.stdoutFile,
    scratch: options.scratch ?? '/tmp',
  });
  if (r.exitCode !== 0) {
    throw new Error(
      `${argv.join(' ')} failed (${r.exitCode ?? r.signal}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join(' / ')}`,
    );
  }
  return { stdout: r.stdout, stderr: r.stderr, wallMs: r.wallMs };
}

export interface Background {
  pid: number;
  /** Everything printed so far (stdout then stderr interleaved as it came), capped at 4 MiB. */
  output(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends `signal` to the group, then SIGKILL after `graceMs`; resolves on exit. Idempotent. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resolves with the first output line matching `re` (rejects after timeoutMs or on exit). */
  waitFor(re: RegExp, timeoutMs: number): Promise<RegExpExecArray>;
}

export function background(argv: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Background {
  const child = spawn(argv[0], argv.slice(1), {
    stdio: ['ignore', 'pipe', 'pipe'],
    cwd: options.cwd,
    env: options.env,
    detached: true,
  });
  const pid = child.pid ?? -1;
  if (pid > 0) groups.add(pid);
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (c: Buffer) => {
    if (out.length < 4 * 1024 * 1024) out += c.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (e) => {
      out += `\n${String(e)}`;
      resolve({ code: null, signal: null });
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  }).finally(() => {
    groups.delete(pid);
    for (const l of listeners) l();
  });
  let done = false;
  void exited.then(() => (done = true));
  let stopping: ReturnType<Background['stop']> | null = null;
  return {
    pid,
    output: () => out,
    exited,
    stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 3000) {
      stopping ??= (async () => {
        if (!done && pid > 0) {
          killGroup(pid, signal);
          const t = setTimeout(() => killGroup(pid, 'SIGKILL'), graceMs);
          await exited;
          clearTimeout(t);
        }
        return exited;
      })();
      return stopping;
    },
    waitFor(re: RegExp, timeoutMs: number) {
      return new Promise<RegExpExecArray>((resolve, reject) => {
        const check = () => {
          const m = re.exec(out);
          if (m) finish(() => resolve(m));
          else if (done) finish(() => reject(new Error(`${argv[0]} exited before printing ${re}: ${out.slice(-500)}`)));
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`${argv[0]}: no ${re} within ${timeoutMs} ms: ${out.slice(-500)}`))),
          timeoutMs,
        );
        const finish = (f: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          f();
        };
        listeners.add(check);
        check();
      });
    },
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
