import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { RunOptions } from './types';

/**
 * Runs one local process (a tool, or the `ssh` client) in its own process group, streaming stdout by line,
 * keeping a stderr tail, and enforcing timeout / abort / output cap by stopping the WHOLE group.
 * Both hosts build on this; SshHost adds the remote side's clean-up through `onStop`.
 */

export type StopReason = 'cancel' | 'timeout' | 'cap' | 'dispose' | 'callback';

export interface ProcessSpec {
  file: string;
  args: string[];
  /** Complete extra environment (merged over process.env). */
  env: Record<string, string>;
  /** Written to stdin; stdin is then closed unless keepStdinOpen. */
  stdin?: string;
  /** Keep stdin open until the process ends or is stopped (ssh: EOF tells the remote side to stop). */
  keepStdinOpen?: boolean;
  run: RunOptions;
  /** Sees each stderr line first; returning true hides it from the stderr tail (wrapper control lines). */
  filterStderrLine?: (line: string) => boolean;
  /** Replaces the default stop (SIGTERM to the group, SIGKILL after graceMs). */
  onStop?: (proc: RunningProcess, reason: StopReason) => void;
  graceMs?: number;
  /**
   * Default true: when the leader exits, SIGKILL what is left in its group. False for `ssh -f` starting a
   * ControlMaster, which forks the master into the same group and must outlive the starter.
   */
  killGroupOnExit?: boolean;
}

export interface RawResult {
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  durationMs: number;
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
  /** Why the process could not start (ENOENT, EACCES…), or null. */
  spawnError: { code: string; message: string } | null;
  /** The first error thrown by onStdoutLine, if any (the command was stopped because of it). */
  callbackError: unknown;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  readonly result: Promise<RawResult>;
  /** Stop for this reason (first reason wins); resolves `result` as cancelled/timedOut/truncated. */
  stop(reason: StopReason): void;
  /** SIGTERM (or the given signal) to the whole group; SIGKILL follows after graceMs unless it ended. */
  killGroup(signal?: NodeJS.Signals, graceMs?: number): void;
  /** Close stdin (when it was kept open). */
  closeStdin(): void;
  readonly ended: boolean;
}

const STDERR_TAIL = 64 * 1024;
const liveGroups = new Set<number>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Detached groups do not die with us; make sure a crash or process.exit() does not leave them behind.
  process.on('exit', () => {
    for (const pgid of liveGroups) signalGroup(pgid, 'SIGKILL');
  });
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false; // ESRCH: nothing left in the group
  }
}

/** Kill every process group still running (used by dispose of all hosts in this process). */
export function liveProcessGroups(): number[] {
  return [...liveGroups];
}

/*
 * node:child_process rather than execa: execa 9 is ESM-only, and loading it from the CommonJS that tsx makes
 * of these files fails depending on who imports them first; we need none of its extras here.
 */
export function startProcess(spec: ProcessSpec): RunningProcess {
  installExitHook();
  const started = performance.now();
  const opts = spec.run;
  const keepStdout = opts.keepStdout ?? true;
  const maxBytes = opts.maxOutputBytes ?? Infinity;
  const graceMs = spec.graceMs ?? 1000;

  let stopReason: StopReason | null = null;
  let ended = false;
  let stdoutBytes = 0;
  let truncated = false;
  let stdout = '';
  let lineBuffer = '';
  let stderrTail = '';
  let stderrLineBuffer = '';
  let callbackError: unknown = undefined;
  const timers: NodeJS.Timeout[] = [];

  // detached: the command leads its own process group, so the whole tree can be signalled at once.
  const child = spawn(spec.file, spec.args, {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...spec.env },
  });
  const pid = child.pid;
  let spawnError: { code: string; message: string } | null = null;
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (e: NodeJS.ErrnoException) => {
      if (pid === undefined) {
        spawnError = { code: e.code ?? 'UNKNOWN', message: e.message };
        resolve({ code: null, signal: null });
      }
    });
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  if (pid !== undefined) liveGroups.add(pid);

  const killGroup = (signal: NodeJS.Signals = 'SIGTERM', grace = graceMs) => {
    if (pid === undefined) return;
    signalGroup(pid, signal);
    if (signal !== 'SIGKILL') {
      timers.push(
        setTimeout(() => {
          if (!ended) signalGroup(pid, 'SIGKILL');
        }, grace),
      );
    }
  };
  let stdinClosed = false;
  const closeStdin = () => {
    if (stdinClosed) return;
    stdinClosed = true;
    child.stdin?.end();
  };

  const handle: RunningProcess = {
    pid,
    result: undefined as unknown as Promise<RawResult>,
    stop(reason) {
      if (stopReason !== null || ended) return;
      stopReason = reason;
      if (spec.onStop) spec.onStop(handle, reason);
      else {
        closeStdin();
        killGroup('SIGTERM');
      }
    },
    killGroup,
    closeStdin,
    get ended() {
      return ended;
    },
  };

  const emitLine = (line: string) => {
    if (!opts.onStdoutLine || callbackError !== undefined) return;
    try {
      opts.onStdoutLine(line);
    } catch (e) {
      callbackError = e;
      handle.stop('callback');
    }
  };
  const maxLine = opts.maxLineLength ?? 4 * 1024 * 1024;
  let skippingRestOfLine = false;
  const takeText = (text: string) => {
    if (keepStdout) stdout += text;
    if (!opts.onStdoutLine) return;
    let start = 0;
    let nl: number;
    while ((nl = text.indexOf('\n', start)) >= 0) {
      if (skippingRestOfLine) skippingRestOfLine = false;
      else emitLine(lineBuffer + text.slice(start, nl));
      lineBuffer = '';
      start = nl + 1;
    }
    if (skippingRestOfLine) return;
    lineBuffer += text.slice(start);
    if (lineBuffer.length > maxLine) {
      emitLine(lineBuffer.slice(0, maxLine));
      lineBuffer = '';
      skippingRestOfLine = true;
    }
  };

  const decoder = new StringDecoder('utf8');
  child.stdout?.on('data', (chunk: Buffer) => {
    if (truncated) return;
    if (stdoutBytes + chunk.length > maxBytes) {
      chunk = chunk.subarray(0, maxBytes - stdoutBytes);
      truncated = true;
    }
    stdoutBytes += chunk.length;
    takeText(decoder.write(chunk));
    if (truncated) handle.stop('cap');
  });

  const stderrDecoder = new StringDecoder('utf8');
  const keepStderr = (text: string) => {
    stderrTail += text;
    if (stderrTail.length > STDERR_TAIL) stderrTail = stderrTail.slice(-STDERR_TAIL);
  };
  const takeStderrLine = (line: string, complete: boolean) => {
    if (spec.filterStderrLine?.(line)) return;
    keepStderr(complete ? `${line}\n` : line);
  };
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrLineBuffer += stderrDecoder.write(chunk);
    let nl: number;
    while ((nl = stderrLineBuffer.indexOf('\n')) >= 0) {
      takeStderrLine(stderrLineBuffer.slice(0, nl), true);
      stderrLineBuffer = stderrLineBuffer.slice(nl + 1);
    }
    // A very long stderr line without newline: keep only its tail.
    if (stderrLineBuffer.length > STDERR_TAIL) stderrLineBuffer = stderrLineBuffer.slice(-STDERR_TAIL);
  });

  child.stdin?.on('error', () => {
    // EPIPE when the command exits without reading its stdin: not an error of the run.
  });
  if (spec.stdin !== undefined && spec.stdin.length > 0) child.stdin?.write(spec.stdin);
  if (!spec.keepStdinOpen) closeStdin();

  // The leader's exit does not end the group: kill what it left behind, or pipes it holds never close.
  child.on('exit', () => {
    if (pid !== undefined && spec.killGroupOnExit !== false) signalGroup(pid, 'SIGKILL');
  });

  let onAbort: (() => void) | null = null;
  if (opts.signal) {
    onAbort = () => handle.stop('cancel');
    if (opts.signal.aborted) queueMicrotask(onAbort);
    else opts.signal.addEventListener('abort', onAbort, { once: true });
  }
  if (opts.timeoutMs !== undefined && Number.isFinite(opts.timeoutMs)) {
    timers.push(setTimeout(() => handle.stop('timeout'), Math.max(0, opts.timeoutMs)));
  }

  (handle as { result: Promise<RawResult> }).result = (async () => {
    const r = await closed;
    ended = true;
    if (pid !== undefined) liveGroups.delete(pid);
    for (const t of timers) clearTimeout(t);
    if (onAbort) opts.signal?.removeEventListener('abort', onAbort);
    const rest = decoder.end();
    if (!truncated && rest) takeText(rest);
    if (!truncated && !skippingRestOfLine && lineBuffer.length > 0 && opts.onStdoutLine) {
      emitLine(lineBuffer);
      lineBuffer = '';
    }
    stderrLineBuffer += stderrDecoder.end();
    if (stderrLineBuffer.length > 0) takeStderrLine(stderrLineBuffer, false);
    return {
      exitCode: r.code,
      signal: r.signal,
      stdout,
      stderr: stderrTail,
      durationMs: Math.round((performance.now() - started) * 10) / 10,
      truncated,
      timedOut: stopReason === 'timeout',
      cancelled: stopReason === 'cancel' || stopReason === 'dispose' || stopReason === 'callback',
      spawnError,
      callbackError,
    };
  })();
  return handle;
}
