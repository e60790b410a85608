/**
 * The demo io_uring HTTP server (examples/tcp-demo) and a wrk load against it, for integration tests.
 *
 * API
 *   startDemoServer({ threads?, port?, timeoutMs? }) → Promise<DemoServer>
 *     DemoServer = { pid, port, stop(): Promise<void>, output(): string }
 *     Builds the demo with `make` when needed (serialised across concurrent test processes), starts
 *     `build/tcp_demo --port P --threads N` on 127.0.0.1 and resolves once it printed its "listening" line.
 *     Without `port` the server binds port 0 and reports the kernel-chosen free port (no race with other
 *     engineers' tests). `stop()` sends SIGTERM, then SIGKILL after 2 s, and waits for the exit; idempotent.
 *   startLoad(port, { seconds, connections }) → LoadRun
 *     LoadRun = { pid, stop(): Promise<void>, done: Promise<{ requestsPerSecond: number; output: string }> }
 *     Runs `wrk` against http://127.0.0.1:PORT/ for a bounded time (1..60 s). `done` rejects when wrk fails
 *     or prints no Requests/sec (e.g. after stop()); a rejection is never unhandled.
 *   demoBinaryPath() → string, ensureDemoBuilt() → Promise<string>
 *
 * Every process started here is also killed synchronously when the test process exits.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const demoDir = join(repoRoot, 'examples', 'tcp-demo');

export interface DemoServer {
  pid: number;
  port: number;
  stop(): Promise<void>;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
}

export interface LoadRun {
  pid: number;
  stop(): Promise<void>;
  done: Promise<{ requestsPerSecond: number; output: string }>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});

export function demoBinaryPath(): string {
  return join(demoDir, 'build', 'tcp_demo');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Builds the demo unless `make -q` says it is up to date. Other test processes may build at the same time. */
export async function ensureDemoBuilt(): Promise<string> {
  const deadline = Date.now() + 180_000;
  while (!existsSync(join(demoDir, 'Makefile'))) {
    if (Date.now() > deadline) throw new Error(`demo-server: ${demoDir}/Makefile does not exist`);
    await sleep(1000);
  }
  if (upToDate()) return demoBinaryPath();
  // A lock file outside the repo serialises concurrent `make` runs of several test processes.
  const lock = join(tmpdir(), 'tcp-demo-make.lock');
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { force: true });
      } catch {
        // The holder removed it between our two calls.
      }
      if (Date.now() > deadline) throw new Error(`demo-server: timed out waiting for ${lock}`);
      await sleep(250);
    }
  }
  try {
    if (!upToDate()) {
      const r = spawnSync('make', ['-C', demoDir], { encoding: 'utf8', timeout: 170_000 });
      if (r.status !== 0) throw new Error(`demo-server: make failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  } finally {
    rmSync(lock, { force: true });
  }
  return demoBinaryPath();
}

function upToDate(): boolean {
  return existsSync(demoBinaryPath()) && spawnSync('make', ['-q', '-C', demoDir], { stdio: 'ignore' }).status === 0;
}

export async function startDemoServer(
  options: { threads?: number; port?: number; timeoutMs?: number; cpus?: string } = {},
): Promise<DemoServer> {
  const binary = await ensureDemoBuilt();
  const args = ['--port', String(options.port ?? 0), '--threads', String(options.threads ?? 2)];
  // `cpus` (a taskset list): benchmarks pin the server and the load generator apart, so their placement
  // by the scheduler does not swing the throughput they compare. taskset execs the binary: same PID.
  const child = options.cpus
    ? spawn('taskset', ['-c', checkCpuList(options.cpus), binary, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('close', () => live.delete(child));

  let stopping: Promise<void> | null = null;
  const stop = () => (stopping ??= killAndWait(child, exited));

  const ready = new Promise<{ port: number; pid: number }>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`demo-server: no "listening" line within ${options.timeoutMs ?? 10_000} ms:\n${output}`)),
      options.timeoutMs ?? 10_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const m = /tcp_demo listening on 127\.0\.0\.1:(\d+) with \d+ threads \(pid (\d+)\)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ port: Number(m[1]), pid: Number(m[2]) });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`demo-server: tcp_demo exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  try {
    const { port, pid } = await ready;
    return { pid, port, stop, output: () => output };
  } catch (e) {
    await stop();
    throw e;
  }
}

async function killAndWait(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
  await exited;
  clearTimeout(timer);
}

function checkCpuList(cpus: string): string {
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(cpus)) throw new Error(`bad CPU list ${JSON.stringify(cpus)}`);
  return cpus;
}

export function startLoad(port: number, options: { seconds: number; connections: number; cpus?: string }): LoadRun {
  for (const [name, value, max] of [
    ['port', port, 65535],
    ['seconds', options.seconds, 60],
    ['connections', options.connections, 1000],
  ] as const) {
    if (!Number.isInteger(value) || value < 1 || value > max) throw new Error(`startLoad: bad ${name} ${value}`);
  }
  const threads = Math.min(2, options.connections);
  const argv = [`-t${threads}`, `-c${options.connections}`, `-d${options.seconds}s`, `http://127.0.0.1:${port}/`];
  const child = options.cpus
    ? spawn('taskset', ['-c', checkCpuList(options.cpus), 'wrk', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] })
    : spawn('wrk', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  child.once('close', () => live.delete(child));
  const done = new Promise<{ requestsPerSecond: number; output: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const m = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
      if (code === 0 && m) resolve({ requestsPerSecond: Number(m[1]), output });
      else reject(new Error(`startLoad: wrk ended (${code ?? signal}) without Requests/sec:\n${output}`));
    });
  });
  done.catch(() => {}); // callers that only stop() must not get an unhandled rejection
  let stopping: Promise<void> | null = null;
  return { pid: child.pid ?? -1, done, stop: () => (stopping ??= killAndWait(child, exited)) };
}
