/**
 * The extension's settings as one typed, validated value. Pure (no `vscode` import) so it is unit-tested;
 * `config.ts` feeds it what VS Code's configuration API returns.
 *
 * Invalid values never reach a session: each falls back to its default and yields a problem the UI shows.
 */
import { isAbsolute } from 'node:path';
import type { SessionOptions } from '../core/session/types';

export const TOOL_NAMES = ['perf', 'pidstat', 'mpstat', 'strace', 'ss', 'nstat', 'ethtool'] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

export type SudoMode = 'never' | 'ask' | 'passwordless';
export type CallGraphMode = 'fp' | 'dwarf' | 'none';
export type RecordScope = 'auto' | 'process' | 'system';

export interface PerfLensConfig {
  /** Recording window, seconds. */
  duration: number;
  /** perf sampling frequency, Hz. */
  frequency: number;
  callGraph: CallGraphMode;
  /** Where perf samples (see SessionOptions.recordScope). */
  recordScope: RecordScope;
  strace: boolean;
  sudo: SudoMode;
  toolPaths: Partial<Record<ToolName, string>>;
  /** `[user@]host[:port]` or null for the local host. */
  sshTarget: string | null;
  /** Saved sessions kept. */
  historySize: number;
  perfDataMaxMiB: number;
}

export const DEFAULT_CONFIG: Readonly<PerfLensConfig> = Object.freeze({
  duration: 10,
  frequency: 999,
  callGraph: 'fp',
  recordScope: 'auto',
  strace: false,
  sudo: 'ask',
  toolPaths: {},
  sshTarget: null,
  historySize: 20,
  perfDataMaxMiB: 256,
});

/** Bounds shared with package.json's schema (kept in step by a unit test). */
export const LIMITS = {
  duration: { min: 1, max: 600 },
  frequency: { min: 1, max: 20000 },
  historySize: { min: 1, max: 200 },
  perfDataMaxMiB: { min: 8, max: 8192 },
} as const;

export interface ConfigProblem {
  /** Setting name without the `perfLens.` prefix. */
  key: keyof PerfLensConfig;
  message: string;
}

/** One setting as VS Code's `inspect()` reports it (only the parts that matter here). */
export interface InspectedValue {
  defaultValue?: unknown;
  globalValue?: unknown;
  workspaceValue?: unknown;
  workspaceFolderValue?: unknown;
}

export type RawConfig = Partial<Record<keyof PerfLensConfig, InspectedValue>>;

/**
 * Never taken from a workspace that is not trusted: settings that name something to execute or connect to,
 * and those that make a session heavier or privileged (strace costs a busy server 95–98% of its throughput;
 * `sudo: passwordless` runs perf as root without asking). A cloned repository must not choose any of them.
 */
export const RESTRICTED_KEYS: ReadonlyArray<keyof PerfLensConfig> = ['toolPaths', 'sshTarget', 'strace', 'sudo'];

/**
 * The effective value of one setting. Restricted settings (tool paths, ssh target, strace, sudo) are `machine`-scoped, so
 * VS Code should never apply a workspace value; we still ignore workspace values for them unless the
 * workspace is trusted, so a cloned repository can never choose what Perf Lens executes.
 */
export function effectiveValue(key: keyof PerfLensConfig, v: InspectedValue | undefined, trusted: boolean): unknown {
  if (!v) return undefined;
  const allowWorkspace = trusted || !RESTRICTED_KEYS.includes(key);
  if (allowWorkspace && v.workspaceFolderValue !== undefined) return v.workspaceFolderValue;
  if (allowWorkspace && v.workspaceValue !== undefined) return v.workspaceValue;
  if (v.globalValue !== undefined) return v.globalValue;
  return v.defaultValue;
}

// `[user@]host[:port]` where host is a DNS name, IPv4 or a bracketed IPv6 address. Anything starting with
// `-` would be read by ssh as an option (e.g. `-oProxyCommand=…`), so the first character must not be one.
const SSH_USER = '[A-Za-z0-9._][A-Za-z0-9._-]{0,63}';
const SSH_HOST = '(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252})|\\[[0-9A-Fa-f:.]{2,45}\\])';
const SSH_TARGET_RE = new RegExp(`^(?:${SSH_USER}@)?${SSH_HOST}(?::([0-9]{1,5}))?$`);

export function validateSshTarget(value: string): string | null {
  if (value.length > 300) return 'is too long';
  if (value.startsWith('-')) return 'must not start with "-" (ssh would read it as an option)';
  if (/[\s\p{Cc}]/u.test(value)) return 'must not contain spaces or control characters';
  const m = SSH_TARGET_RE.exec(value);
  if (!m) return 'must look like host, user@host or user@host:port';
  if (m[1] !== undefined) {
    const port = Number(m[1]);
    if (port < 1 || port > 65535) return 'has a port outside 1–65535';
  }
  return null;
}

export function validateToolPath(value: string): string | null {
  if (value.length === 0) return 'is empty';
  if (value.length > 4096) return 'is too long';
  if (/\p{Cc}/u.test(value)) return 'must not contain control characters';
  if (!isAbsolute(value)) return 'must be an absolute path';
  return null;
}

function intInRange(
  key: 'duration' | 'frequency' | 'historySize' | 'perfDataMaxMiB',
  value: unknown,
  problems: ConfigProblem[],
): number {
  const { min, max } = LIMITS[key];
  if (value === undefined || value === null) return DEFAULT_CONFIG[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || !Number.isInteger(value) || value < min || value > max) {
    problems.push({ key, message: `perfLens.${key} must be a whole number from ${min} to ${max}` });
    return DEFAULT_CONFIG[key];
  }
  return value;
}

function oneOf<T extends string>(
  key: keyof PerfLensConfig,
  value: unknown,
  allowed: readonly T[],
  fallback: T,
  problems: ConfigProblem[],
): T {
  if (value === undefined || value === null) return fallback;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  problems.push({ key, message: `perfLens.${key} must be one of ${allowed.join(', ')}` });
  return fallback;
}

/** Validate the raw settings; every invalid value falls back to its default and yields a problem. */
export function validateConfig(
  raw: RawConfig,
  trusted: boolean,
): { config: PerfLensConfig; problems: ConfigProblem[] } {
  const problems: ConfigProblem[] = [];
  const get = (key: keyof PerfLensConfig) => effectiveValue(key, raw[key], trusted);

  const strace = get('strace');
  if (strace !== undefined && strace !== null && typeof strace !== 'boolean')
    problems.push({ key: 'strace', message: 'perfLens.strace must be true or false' });

  const toolPaths: Partial<Record<ToolName, string>> = {};
  const rawPaths = get('toolPaths');
  if (rawPaths !== undefined && rawPaths !== null) {
    if (typeof rawPaths !== 'object' || Array.isArray(rawPaths)) {
      problems.push({
        key: 'toolPaths',
        message: 'perfLens.toolPaths must be an object like {"perf": "/usr/bin/perf"}',
      });
    } else {
      for (const [tool, path] of Object.entries(rawPaths as Record<string, unknown>)) {
        if (!(TOOL_NAMES as readonly string[]).includes(tool)) {
          problems.push({
            key: 'toolPaths',
            message: `perfLens.toolPaths: unknown tool "${tool}" (known: ${TOOL_NAMES.join(', ')})`,
          });
          continue;
        }
        if (path === '' || path === null) continue;
        const why = typeof path === 'string' ? validateToolPath(path) : 'must be a string';
        if (why) problems.push({ key: 'toolPaths', message: `perfLens.toolPaths.${tool} ${why}` });
        else toolPaths[tool as ToolName] = path as string;
      }
    }
  }

  let sshTarget: string | null = null;
  const rawSsh = get('sshTarget');
  if (typeof rawSsh === 'string' && rawSsh.trim() !== '') {
    const why = validateSshTarget(rawSsh.trim());
    if (why) problems.push({ key: 'sshTarget', message: `perfLens.sshTarget ${why}` });
    else sshTarget = rawSsh.trim();
  } else if (rawSsh !== undefined && rawSsh !== null && rawSsh !== '') {
    problems.push({ key: 'sshTarget', message: 'perfLens.sshTarget must be a string' });
  }

  const config: PerfLensConfig = {
    duration: intInRange('duration', get('duration'), problems),
    frequency: intInRange('frequency', get('frequency'), problems),
    callGraph: oneOf(
      'callGraph',
      get('callGraph'),
      ['fp', 'dwarf', 'none'] as const,
      DEFAULT_CONFIG.callGraph,
      problems,
    ),
    recordScope: oneOf(
      'recordScope',
      get('recordScope'),
      ['auto', 'process', 'system'] as const,
      DEFAULT_CONFIG.recordScope,
      problems,
    ),
    strace: typeof strace === 'boolean' ? strace : DEFAULT_CONFIG.strace,
    sudo: oneOf('sudo', get('sudo'), ['never', 'ask', 'passwordless'] as const, DEFAULT_CONFIG.sudo, problems),
    toolPaths,
    sshTarget,
    historySize: intInRange('historySize', get('historySize'), problems),
    perfDataMaxMiB: intInRange('perfDataMaxMiB', get('perfDataMaxMiB'), problems),
  };
  return { config, problems };
}

/**
 * Session options for one run. `sudo` is decided by the privileges flow (never/passwordless/password), not
 * taken from the setting directly: `ask` only means "ask when needed".
 */
export function sessionOptionsFrom(
  config: PerfLensConfig,
  sudo: SessionOptions['sudo'],
  sudoPassword?: string,
): SessionOptions {
  const options: SessionOptions = {
    durationSeconds: config.duration,
    frequency: config.frequency,
    callGraph: config.callGraph,
    recordScope: config.recordScope,
    strace: config.strace,
    perfDataMaxMiB: config.perfDataMaxMiB,
    sudo,
    toolPaths: { ...config.toolPaths },
  };
  if (sudo === 'password' && sudoPassword !== undefined) options.sudoPassword = sudoPassword;
  return options;
}
