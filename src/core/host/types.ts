/**
 * Where profiling commands run. `LocalHost` is the machine the engine runs on (under Remote-SSH that is
 * the server); `SshHost` reaches another machine through the system OpenSSH client.
 *
 * Commands are argv arrays, never shell strings built from data.
 */
export interface RunOptions {
  /** Kill the command (and its whole process tree) after this many milliseconds. */
  timeoutMs?: number;
  /** Aborting kills the command's whole process tree on the host. */
  signal?: AbortSignal;
  /** Stop collecting (and kill the command) past this many bytes of stdout; `truncated` is set. */
  maxOutputBytes?: number;
  /** Extra environment; LC_ALL=C and S_TIME_FORMAT=ISO are always set. */
  env?: Record<string, string>;
  /** Written to the command's stdin, then stdin is closed. Never logged. */
  stdin?: string;
  /** Called for every complete stdout line as it arrives (the line has no trailing newline). */
  onStdoutLine?: (line: string) => void;
  /** Keep stdout in the result (default true). Streaming callers that need bounded memory pass false. */
  keepStdout?: boolean;
  /**
   * Longest line (in UTF-16 units) handed to onStdoutLine; a longer line is cut there and the rest of it,
   * up to its newline, is dropped, so a line of many MB cannot grow memory without bound. Default 4 Mi.
   */
  maxLineLength?: number;
}

export interface RunResult {
  argv: string[];
  exitCode: number | null;
  /** Signal that ended the command, e.g. SIGTERM. */
  signal: string | null;
  stdout: string;
  /** Last 64 KiB of stderr, for error messages. */
  stderr: string;
  durationMs: number;
  truncated: boolean;
  timedOut: boolean;
  cancelled: boolean;
}

/** What every command run reports, for logs (argv, exit code, duration); never stdin. */
export interface CommandLogEntry {
  host: string;
  argv: string[];
  exitCode: number | null;
  signal: string | null;
  durationMs: number;
  timedOut: boolean;
  cancelled: boolean;
}

export interface Host {
  readonly kind: 'local' | 'ssh';
  /** Human description: `local (hostname)` or `ssh user@host`. */
  readonly description: string;
  /**
   * Run argv to completion (or timeout / abort / output cap). Resolves with the result; rejects only for
   * failures to start (tool missing: a HostError with code 'ENOENT'; ssh unreachable: code 'SSH').
   */
  run(argv: string[], options?: RunOptions): Promise<RunResult>;
  /** Read a (small) file on the host, bounded by maxBytes (default 16 MiB). */
  readFile(path: string, options?: { maxBytes?: number; signal?: AbortSignal }): Promise<string>;
  /** Make a private (0700, unpredictable name) temp directory on the host. */
  makeTempDir(prefix?: string): Promise<string>;
  /** Remove a directory made by makeTempDir (refuses any other path). */
  removeTempDir(path: string): Promise<void>;
  /** Kill everything still running that this host started, remove its temp dirs, close connections. */
  dispose(): Promise<void>;
  /** Subscribe to the command log. Returns an unsubscribe function. */
  onCommand(listener: (entry: CommandLogEntry) => void): () => void;
}

export type HostErrorCode =
  | 'ENOENT'
  | 'EACCES'
  | 'SSH'
  | 'INVALID'
  | 'TIMEOUT'
  | 'CANCELLED'
  | 'EXITED'
  /** readFile: the file is larger than maxBytes. */
  | 'TOO_LARGE'
  | 'UNKNOWN';

export class HostError extends Error {
  constructor(
    message: string,
    readonly code: HostErrorCode,
    readonly hint: string | null = null,
  ) {
    super(message);
    this.name = 'HostError';
  }
}
