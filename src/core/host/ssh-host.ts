import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandLog } from './command-log';
import { tempDirPrefix } from './local-host';
import { startProcess, type RunningProcess, type StopReason } from './process-runner';
import { quoteCommandLine } from './posix-quote';
import { parseWrapperLine, remoteCommandLine, remoteKillCommandLine } from './remote-wrapper';
import { checkRun, logEntry, notStarted } from './run-checks';
import { parseSshTarget, sshCommonArgs, validateSshOptions, type SshHostOptions, type SshTarget } from './ssh-options';
import { missingToolHint } from './tool-packages';
import { HostError, type CommandLogEntry, type Host, type RunOptions, type RunResult } from './types';

export type { SshHostOptions } from './ssh-options';

const DEFAULT_READ_LIMIT = 16 * 1024 * 1024;
/** After ssh's stdin is closed, how long the remote side gets to clean up before the local client is killed. */
const REMOTE_GRACE_MS = 3000;
/** How long a new ControlMaster gets, over all tries, to answer `ssh -O check` (see queryMasterPid). */
const MASTER_CHECK_BUDGET_MS = 10_000;
/** One `ssh -O check` at most this long (a master that answers does so in ~10 ms, ~100 ms under load). */
const MASTER_CHECK_TIMEOUT_MS = 4000;
const MASTER_CHECK_TRIES = 6;
/** After a command's ssh failed before it started: how long a master that still looks alive may take to exit. */
const MASTER_EXIT_WAIT_MS = 1000;

interface WrapperState {
  pgid: number | null;
  exit: number | null;
  notFound: boolean;
}

/**
 * A host reached through the system OpenSSH client (the user's config, keys and agent). One ControlMaster
 * connection per SshHost, in a private 0700 local directory, shared by every command; each command runs
 * under REMOTE_WRAPPER so that it dies with its ssh channel.
 */
export class SshHost implements Host {
  readonly kind = 'ssh' as const;
  readonly description: string;
  readonly target: SshTarget;
  private readonly options: SshHostOptions;
  private readonly common: { args: string[]; destination: string };
  private readonly sshPath: string;
  private readonly log = new CommandLog();
  private readonly running = new Set<RunningProcess>();
  private readonly tempDirs = new Set<string>();
  private readonly pending = new Set<Promise<unknown>>();
  private controlDir: string | null = null;
  private masterPid: number | null = null;
  private connecting: Promise<void> | null = null;
  private disposed = false;

  /** Validates everything up front: a bad target or option throws HostError('INVALID') before ssh ever runs. */
  constructor(target: string, options: SshHostOptions = {}) {
    this.target = parseSshTarget(target);
    validateSshOptions(options);
    this.options = { ...options, extraOptions: [...(options.extraOptions ?? [])] };
    this.common = sshCommonArgs(this.target, this.options);
    this.sshPath = options.sshPath ?? 'ssh';
    const port = this.target.port ?? options.port;
    const host = this.target.host.includes(':') ? `[${this.target.host}]` : this.target.host;
    this.description = `ssh ${this.target.user ? `${this.target.user}@` : ''}${host}${port ? `:${port}` : ''}`;
  }

  /** The local path of the shared connection's socket (null before the first connection). */
  get controlPath(): string | null {
    return this.controlDir ? join(this.controlDir, 'm') : null;
  }

  /** PID of the local ssh ControlMaster process, while connected. */
  get masterProcessId(): number | null {
    return this.masterPid;
  }

  /**
   * Opens the shared connection (done by the first run anyway). Rejects with HostError('SSH') carrying
   * ssh's own error line and a hint when the host cannot be reached or refuses the login.
   */
  async connect(signal?: AbortSignal): Promise<void> {
    if (this.disposed) throw new HostError('This host was disposed; no more commands run on it.', 'CANCELLED');
    if (this.masterPid !== null && isAlive(this.masterPid)) return;
    this.masterPid = null;
    // Shared by concurrent callers, so not tied to one caller's signal; each caller stops waiting on its own.
    this.connecting ??= this.startMaster().finally(() => (this.connecting = null));
    await abortable(
      this.connecting,
      signal,
      () => new HostError(`Connecting to ${this.description} was cancelled.`, 'CANCELLED'),
    );
  }

  private async startMaster(): Promise<void> {
    if (this.controlDir === null) {
      this.controlDir = await makeControlDir();
    }
    const controlPath = this.controlPath!;
    // A master that died (killed, connection dropped) leaves its socket behind; a new master would then
    // run WITHOUT multiplexing ("already exists, disabling multiplexing"). The dir is ours alone.
    await rm(controlPath, { force: true });
    const args = [
      ...this.common.args,
      '-o',
      'ControlMaster=yes',
      '-o',
      `ControlPath=${controlPath}`,
      // If Perf Lens dies without closing it, the master still goes away once idle this long.
      '-o',
      `ControlPersist=${this.options.controlPersistSeconds ?? 60}`,
      '-f',
      '-N',
      '--',
      this.common.destination,
    ];
    const timeoutMs = ((this.options.connectTimeoutSeconds ?? 10) + 5) * 1000;
    const proc = startProcess({
      file: this.sshPath,
      args,
      env: {},
      run: { timeoutMs },
      killGroupOnExit: false, // ssh -f leaves the master running in this group
    });
    const raw = await proc.result;
    this.log.emit({
      host: this.description,
      argv: [this.sshPath, ...args],
      exitCode: raw.exitCode,
      signal: raw.signal,
      durationMs: raw.durationMs,
      timedOut: raw.timedOut,
      cancelled: raw.cancelled,
    });
    if (raw.spawnError) {
      throw raw.spawnError.code === 'ENOENT'
        ? new HostError(
            `The ssh client (${this.sshPath}) was not found.`,
            'ENOENT',
            'Install OpenSSH (openssh-client).',
          )
        : new HostError(`The ssh client could not be started: ${raw.spawnError.message}`, 'SSH');
    }
    if (raw.cancelled || this.disposed) {
      throw new HostError(`Connecting to ${this.description} was cancelled.`, 'CANCELLED');
    }
    if (raw.timedOut) {
      throw new HostError(
        `Connecting to ${this.description} timed out.`,
        'SSH',
        'Check the host name, network and port.',
      );
    }
    if (raw.exitCode !== 0) {
      throw sshFailure(
        this.description,
        raw.stderr || `ssh exited with ${raw.exitCode ?? raw.signal} and no message`,
        this.tryCommand(),
      );
    }
    const check = await this.queryMasterPid();
    if (typeof check !== 'number') {
      killProcessesUsing(`ControlPath=${controlPath}`);
      throw new HostError(
        `ssh connected to ${this.description} but the shared connection is not answering (ssh -O check: ${check.why}).`,
        'SSH',
        `Try again; if it keeps failing, run \`${this.tryCommand()} true\` in a terminal to see the problem.`,
      );
    }
    // Only here, once the master answered: from connect()'s return until the master dies or is closed,
    // masterProcessId is its PID (the fault tests read it mid-session to kill the master).
    this.masterPid = check;
  }

  /**
   * The new master's PID, from `ssh -O check` on its socket (which also proves multiplexing works).
   *
   * Several tries with a short back-off, within MASTER_CHECK_BUDGET_MS: on a saturated machine ssh itself
   * stalls for seconds (measured here at load 11–18: `ssh -f` taking 2–41 s, one check getting no answer for
   * 4 s right after a successful `ssh -f`), and a single check that missed lost a CI run's session for
   * nothing. The socket is not what is missing: ssh listens on it before `ssh -f` forks and returns, so
   * waiting for the file first would not help; another try once the stall passes can (no budget outlasts
   * every stall: in one run the second check hung for 17 s more). A master that really died costs a few
   * seconds more (at most MASTER_CHECK_TRIES tries), and the error carries ssh's own last line.
   * (An earlier retry loop was reverted because "ssh drops during recording" then failed twice. Not its
   * doing: that test fired only on the exact text "Recording 1/", which the 1 s progress timer can skip
   * (with a floor, "0" twice then "2"), so the session ran in full without the drop; the master's PID was
   * there, since it is set here before connect() returns and the session's first command runs.)
   */
  private async queryMasterPid(): Promise<number | { why: string }> {
    const deadline = performance.now() + MASTER_CHECK_BUDGET_MS;
    for (let attempt = 1; ; attempt++) {
      const left = deadline - performance.now();
      const proc = startProcess({
        file: this.sshPath,
        args: ['-o', `ControlPath=${this.controlPath}`, '-O', 'check', '--', this.common.destination],
        env: {},
        run: { timeoutMs: Math.max(500, Math.min(MASTER_CHECK_TIMEOUT_MS, left)) },
      });
      const raw = await proc.result;
      const m = /Master running \(pid=(\d+)\)/.exec(raw.stderr);
      if (m) return Number(m[1]);
      const pause = Math.min(100 * 2 ** attempt, 1000);
      if (this.disposed || attempt >= MASTER_CHECK_TRIES || performance.now() + pause >= deadline) {
        const last = raw.stderr.trim().split(/\r?\n/).pop()?.slice(0, 200);
        const why = raw.timedOut ? `no answer within ${Math.round(raw.durationMs)} ms` : last || 'no message';
        return { why: `${why}; ${attempt} ${attempt === 1 ? 'try' : 'tries'}` };
      }
      await new Promise((r) => setTimeout(r, pause));
    }
  }

  /** What the user can type to reproduce a connection problem (quoted for a shell). */
  private tryCommand(): string {
    const port = this.target.port ?? this.options.port;
    const parts = [this.sshPath, '-v'];
    if (this.options.configFile !== undefined) parts.push('-F', this.options.configFile);
    if (port) parts.push('-p', String(port));
    if (this.options.identityFile !== undefined) parts.push('-i', this.options.identityFile);
    parts.push(this.target.user ? `${this.target.user}@${this.target.host}` : this.target.host);
    return quoteCommandLine(parts);
  }

  private muxArgs(remoteCommand: string): string[] {
    return [
      ...this.common.args,
      '-o',
      'ControlMaster=no',
      '-o',
      `ControlPath=${this.controlPath}`,
      '-o',
      'LogLevel=ERROR',
      '-T',
      '--',
      this.common.destination,
      remoteCommand,
    ];
  }

  async run(argv: string[], options: RunOptions = {}): Promise<RunResult> {
    checkRun(argv, options);
    if (this.disposed) throw new HostError('This host was disposed; no more commands run on it.', 'CANCELLED');
    if (options.signal?.aborted) {
      const r = notStarted(argv);
      this.log.emit(logEntry(this.description, r));
      return r;
    }
    try {
      await this.connect(options.signal);
    } catch (e) {
      if (options.signal?.aborted && e instanceof HostError && e.code === 'CANCELLED') {
        const r = notStarted(argv);
        this.log.emit(logEntry(this.description, r));
        return r;
      }
      throw e;
    }
    const master = this.masterPid;
    const stdin = options.stdin ?? '';
    const remote = remoteCommandLine(argv, options.env ?? {}, Buffer.byteLength(stdin));
    const state: WrapperState = { pgid: null, exit: null, notFound: false };
    const proc = startProcess({
      file: this.sshPath,
      args: this.muxArgs(remote),
      env: {},
      stdin,
      keepStdinOpen: true,
      run: options,
      filterStderrLine: (line) => {
        const w = parseWrapperLine(line.replace(/\r$/, ''));
        if (!w) return false;
        if (w.kind === 'pgid') state.pgid = w.pgid;
        else if (w.kind === 'exit') state.exit = w.code;
        else state.notFound = true;
        return true;
      },
      onStop: (p, reason) => this.stopRemote(p, state, reason),
    });
    this.running.add(proc);
    const raw = await proc.result.finally(() => this.running.delete(proc));
    const stopped = raw.cancelled || raw.timedOut || raw.truncated;
    const result: RunResult = {
      argv: [...argv],
      exitCode: state.exit ?? (stopped ? null : raw.exitCode),
      signal: state.exit === null ? raw.signal : null,
      stdout: raw.stdout,
      stderr: raw.stderr,
      durationMs: raw.durationMs,
      truncated: raw.truncated,
      timedOut: raw.timedOut,
      cancelled: raw.cancelled,
    };
    this.log.emit(logEntry(this.description, result));
    if (raw.spawnError) {
      throw new HostError(`The ssh client (${this.sshPath}) could not be started: ${raw.spawnError.message}`, 'SSH');
    }
    if (raw.callbackError !== undefined) throw raw.callbackError;
    if (state.notFound) {
      throw new HostError(`${argv[0]} was not found on ${this.description}.`, 'ENOENT', missingToolHint(argv[0]));
    }
    if (state.exit === null && !stopped) {
      // No pgid line yet and the shared connection still up: ssh itself failed (login, host key…). When the
      // master died instead, the command may well have started (its pgid line can trail its stdout): the
      // connection was lost, which is not a login problem.
      if (state.pgid === null) {
        // A SIGKILLed master closes its socket (which ends this client) a moment before /proc shows it
        // exited, and a loaded machine can stretch that moment: seen once in the fault tests as a dropped
        // connection reported as "Could not connect". So a master that still looks alive gets a short while.
        const masterDied = master !== null && (await exitsWithin(master, MASTER_EXIT_WAIT_MS));
        if (!masterDied) throw sshFailure(this.description, raw.stderr, this.tryCommand());
      }
      // The command had started: its connection broke (network, master killed, sshd gone).
      throw new HostError(
        `The ssh connection to ${this.description} was lost while ${argv[0]} was running; its output so far was delivered.`,
        'SSH',
        'The remote command was stopped with the connection. Check the network and run it again.',
      );
    }
    return result;
  }

  /** Cancel/timeout/cap: close stdin (the remote watcher kills the group), kill the group explicitly too. */
  private stopRemote(proc: RunningProcess, state: WrapperState, _reason: StopReason): void {
    proc.closeStdin();
    if (state.pgid !== null) this.track(this.killRemoteGroup(state.pgid));
    // The local ssh client normally exits once the remote side reported; do not wait forever for it.
    const timer = setTimeout(() => {
      if (!proc.ended) proc.killGroup('SIGTERM', 1000);
    }, REMOTE_GRACE_MS);
    void proc.result.finally(() => clearTimeout(timer));
  }

  private async killRemoteGroup(pgid: number): Promise<void> {
    if (!Number.isInteger(pgid) || pgid <= 1 || this.masterPid === null || !isAlive(this.masterPid)) return;
    const proc = startProcess({
      file: this.sshPath,
      args: this.muxArgs(remoteKillCommandLine(pgid)),
      env: {},
      run: { timeoutMs: 10_000 },
    });
    await proc.result;
  }

  private track(p: Promise<unknown>): void {
    const q = p.catch(() => undefined);
    this.pending.add(q);
    void q.finally(() => this.pending.delete(q));
  }

  async readFile(path: string, options: { maxBytes?: number; signal?: AbortSignal } = {}): Promise<string> {
    if (typeof path !== 'string' || path === '' || path.includes('\0')) {
      throw new HostError(`${JSON.stringify(path)} is not a file path.`, 'INVALID');
    }
    const maxBytes = options.maxBytes ?? DEFAULT_READ_LIMIT;
    const r = await this.run(['cat', '--', path], { maxOutputBytes: maxBytes + 1, signal: options.signal });
    if (r.cancelled) throw new HostError(`Reading ${path} on ${this.description} was cancelled.`, 'CANCELLED');
    if (r.truncated) {
      throw new HostError(`${path} on ${this.description} is larger than ${maxBytes} bytes.`, 'TOO_LARGE');
    }
    if (r.exitCode !== 0) {
      const why = r.stderr.trim().split('\n').pop() ?? '';
      if (/No such file/i.test(why)) throw new HostError(`${path} does not exist on ${this.description}.`, 'ENOENT');
      if (/Permission denied/i.test(why)) {
        throw new HostError(`${path} is not readable on ${this.description}: permission denied.`, 'EACCES');
      }
      throw new HostError(`${path} could not be read on ${this.description}: ${why}`, 'UNKNOWN');
    }
    return r.stdout;
  }

  async makeTempDir(prefix?: string): Promise<string> {
    const tag = tempDirPrefix(prefix);
    const r = await this.run(['sh', '-c', 'umask 077 && mktemp -d "${TMPDIR:-/tmp}/$1XXXXXX"', 'perf-lens', tag], {
      timeoutMs: 30_000,
    });
    const dir = r.stdout.replace(/\n$/, '');
    if (r.exitCode !== 0 || !dir.startsWith('/') || dir.includes('\n') || !dir.includes(`/${tag}`)) {
      throw new HostError(
        `Could not make a temp directory on ${this.description}: ${r.stderr.trim() || 'mktemp printed no path'}`,
        'UNKNOWN',
      );
    }
    this.tempDirs.add(dir);
    return dir;
  }

  async removeTempDir(path: string): Promise<void> {
    if (!this.tempDirs.has(path)) {
      throw new HostError(`Refusing to remove ${JSON.stringify(path)}: this host did not make it.`, 'INVALID');
    }
    const r = await this.run(['rm', '-rf', '--', path], { timeoutMs: 30_000 });
    if (r.exitCode !== 0) {
      throw new HostError(`Could not remove ${path} on ${this.description}: ${r.stderr.trim()}`, 'UNKNOWN');
    }
    this.tempDirs.delete(path);
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    // A connection still being set up (its caller may have given up) must be up before it can be closed.
    await this.connecting?.catch(() => undefined);
    const stops = [...this.running].map((p) => {
      p.stop('dispose');
      return p.result.catch(() => undefined);
    });
    await Promise.all(stops);
    // Temp dirs need the connection (re-opened if it dropped, e.g. perf.data left by a broken run).
    if (this.tempDirs.size > 0) {
      const connected = await this.connect().then(
        () => true,
        () => false,
      );
      if (connected) for (const dir of [...this.tempDirs]) await this.removeTempDir(dir).catch(() => undefined);
    }
    this.disposed = true;
    await Promise.all([...this.pending]);
    await this.closeMaster();
    if (this.controlDir !== null) {
      await rm(this.controlDir, { recursive: true, force: true });
      this.controlDir = null;
    }
  }

  private async closeMaster(): Promise<void> {
    const pid = this.masterPid;
    this.masterPid = null;
    if (pid === null || !isAlive(pid)) return;
    const proc = startProcess({
      file: this.sshPath,
      args: ['-o', `ControlPath=${this.controlPath}`, '-O', 'exit', '--', this.common.destination],
      env: {},
      run: { timeoutMs: 5000 },
    });
    await proc.result;
    // `-O exit` returns before the master is gone; make sure it is.
    for (let i = 0; i < 50 && isAlive(pid); i++) await new Promise((r) => setTimeout(r, 20));
    if (isAlive(pid)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // exited meanwhile
      }
    }
  }

  onCommand(listener: (entry: CommandLogEntry) => void): () => void {
    return this.log.subscribe(listener);
  }
}

/**
 * Last resort when a master started but does not answer on its socket: it was forked by `ssh -f`, so its
 * PID is only known by its command line, which holds our private (unique) ControlPath. Linux only.
 */
function killProcessesUsing(uniqueArg: string): void {
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return;
  }
  for (const pid of entries) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(uniqueArg))
        process.kill(Number(pid), 'SIGKILL');
    } catch {
      // gone or not ours to read
    }
  }
}

/** Alive and not a zombie (a killed master may stay a zombie until init reaps it). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return process.platform !== 'linux'; // no /proc: trust kill(0)
  }
}

/** True once `pid` is gone or a zombie, polled for up to `ms`; false if it is still alive then. */
async function exitsWithin(pid: number, ms: number): Promise<boolean> {
  const deadline = performance.now() + ms;
  while (isAlive(pid)) {
    if (performance.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}

function abortable<T>(p: Promise<T>, signal: AbortSignal | undefined, error: () => Error): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(error());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(error());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A private 0700 dir for the ControlPath socket; short enough for the 108-byte unix socket path limit. */
async function makeControlDir(): Promise<string> {
  let base = tmpdir();
  // ssh appends ~17 bytes while creating the socket; keep the whole path well below 108.
  if (base.length > 60) base = '/tmp';
  return mkdtemp(join(base, 'perf-lens-ssh-'));
}

/** Turns ssh's own error output into a HostError('SSH') with the line that matters and a hint. */
export function sshFailure(description: string, stderr: string, tryCommand: string | null = null): HostError {
  const lines = stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !/^Warning: Permanently added/.test(l));
  const line =
    lines.find((l) =>
      /denied|refused|resolve|timed out|verification|unreachable|closed|reset|No route|Could not|Bad|error/i.test(l),
    ) ??
    lines[lines.length - 1] ??
    'ssh exited without a message';
  let hint = `Run \`${tryCommand ?? description.replace(/^ssh /, 'ssh -v ')} true\` in a terminal to see the problem.`;
  if (/Permission denied/i.test(line)) {
    hint =
      'Key-based login is required (Perf Lens runs ssh with BatchMode=yes, so it never prompts): add your key with ssh-copy-id or load it into ssh-agent.';
  } else if (/Host key verification failed|REMOTE HOST IDENTIFICATION/i.test(line)) {
    hint = 'The host key is unknown or changed: connect once with ssh in a terminal to verify and accept it.';
  } else if (/Connection refused/i.test(line)) {
    hint = 'Nothing accepts ssh connections on that port: check that sshd runs and the port is right.';
  } else if (/resolve hostname/i.test(line)) {
    hint = 'Check the host name (or add it to your ssh config).';
  } else if (/timed out|No route/i.test(line)) {
    hint = 'The host did not answer: check the network, VPN or firewall.';
  }
  return new HostError(`Could not connect to ${description}: ${line}`, 'SSH', hint);
}
