import { chmod, mkdtemp, open, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandLog } from './command-log';
import { startProcess, type RunningProcess } from './process-runner';
import { checkRun, logEntry, notStarted, runEnv } from './run-checks';
import { missingToolHint } from './tool-packages';
import { HostError, type CommandLogEntry, type Host, type RunOptions, type RunResult } from './types';

export const TEMP_PREFIX = 'perf-lens-';
const DEFAULT_READ_LIMIT = 16 * 1024 * 1024;

/** `perf-lens-` + an optional caller tag; only inert characters, so the name is safe everywhere. */
export function tempDirPrefix(prefix: string | undefined): string {
  if (prefix === undefined || prefix === '' || prefix === TEMP_PREFIX) return TEMP_PREFIX;
  if (!/^[A-Za-z0-9._-]{1,40}$/.test(prefix)) {
    throw new HostError(
      `Temp dir prefix ${JSON.stringify(prefix)} may only hold letters, digits, '.', '_', '-'.`,
      'INVALID',
    );
  }
  const tag = prefix.startsWith(TEMP_PREFIX) ? prefix : `${TEMP_PREFIX}${prefix}`;
  return tag.endsWith('-') ? tag : `${tag}-`;
}

/**
 * The machine this process runs on (under Remote-SSH, that is the server). Commands run from argv, never
 * through a shell, each in its own process group so that cancel/timeout/cap stop the whole tree.
 */
export class LocalHost implements Host {
  readonly kind = 'local' as const;
  readonly description = `local (${hostname()})`;
  private readonly log = new CommandLog();
  private readonly running = new Set<RunningProcess>();
  private readonly tempDirs = new Set<string>();
  private disposed = false;

  async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
    checkRun(argv, options);
    if (this.disposed) throw new HostError('This host was disposed; no more commands run on it.', 'CANCELLED');
    if (options.signal?.aborted) {
      const r = notStarted(argv);
      this.log.emit(logEntry(this.description, r));
      return r;
    }
    const proc = startProcess({
      file: argv[0],
      args: argv.slice(1),
      env: runEnv(options),
      stdin: options.stdin,
      run: options,
    });
    this.running.add(proc);
    const raw = await proc.result.finally(() => this.running.delete(proc));
    const result: RunResult = {
      argv: [...argv],
      exitCode: raw.exitCode,
      signal: raw.signal,
      stdout: raw.stdout,
      stderr: raw.stderr,
      durationMs: raw.durationMs,
      truncated: raw.truncated,
      timedOut: raw.timedOut,
      cancelled: raw.cancelled,
    };
    this.log.emit(logEntry(this.description, result));
    if (raw.spawnError) throw spawnFailure(argv[0], raw.spawnError);
    if (raw.callbackError !== undefined) throw raw.callbackError;
    return result;
  }

  async readFile(path: string, options: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<string> {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      throw new HostError(`${JSON.stringify(path)} is not a file path.`, 'INVALID');
    }
    const maxBytes = options.maxBytes ?? DEFAULT_READ_LIMIT;
    let handle;
    try {
      handle = await open(path, 'r');
    } catch (e) {
      throw fileError(path, e);
    }
    try {
      // /proc files report size 0: read until EOF instead of trusting stat.
      const chunks: Buffer[] = [];
      let total = 0;
      for (;;) {
        if (options.signal?.aborted) throw new HostError(`Reading ${path} was cancelled.`, 'CANCELLED');
        const buf = Buffer.alloc(Math.min(64 * 1024, maxBytes + 1 - total));
        const { bytesRead } = await handle.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        chunks.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        if (total > maxBytes) {
          throw new HostError(
            `${path} is larger than ${maxBytes} bytes.`,
            'TOO_LARGE',
            'Read it with a command that streams.',
          );
        }
      }
      return Buffer.concat(chunks).toString('utf8');
    } catch (e) {
      throw e instanceof HostError ? e : fileError(path, e);
    } finally {
      await handle.close();
    }
  }

  async makeTempDir(prefix?: string): Promise<string> {
    if (this.disposed) throw new HostError('This host was disposed.', 'CANCELLED');
    const dir = await mkdtemp(join(tmpdir(), tempDirPrefix(prefix)));
    await chmod(dir, 0o700); // mkdtemp already uses 0700; be explicit against odd umask handling
    this.tempDirs.add(dir);
    return dir;
  }

  async removeTempDir(path: string): Promise<void> {
    if (!this.tempDirs.has(path)) {
      throw new HostError(`Refusing to remove ${JSON.stringify(path)}: this host did not make it.`, 'INVALID');
    }
    await rm(path, { recursive: true, force: true });
    this.tempDirs.delete(path);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    const pending = [...this.running].map((p) => {
      p.stop('dispose');
      return p.result.catch(() => undefined);
    });
    await Promise.all(pending);
    await Promise.all([...this.tempDirs].map((d) => this.removeTempDir(d).catch(() => undefined)));
  }

  onCommand(listener: (entry: CommandLogEntry) => void): () => void {
    return this.log.subscribe(listener);
  }
}

function spawnFailure(program: string, error: { code: string; message: string }): HostError {
  if (error.code === 'ENOENT') {
    return new HostError(`${program} was not found on this machine.`, 'ENOENT', missingToolHint(program));
  }
  if (error.code === 'EACCES') {
    return new HostError(
      `${program} could not be executed: permission denied.`,
      'EACCES',
      'Check that it is executable.',
    );
  }
  return new HostError(`${program} could not be started: ${error.message}`, 'UNKNOWN');
}

function fileError(path: string, e: unknown): HostError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new HostError(`${path} does not exist.`, 'ENOENT');
  if (code === 'EACCES' || code === 'EPERM')
    return new HostError(`${path} is not readable: permission denied.`, 'EACCES');
  return new HostError(`${path} could not be read: ${(e as Error).message}`, 'UNKNOWN');
}
