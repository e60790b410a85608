import { existsSync } from 'node:fs';
import { HostError } from './types';

/** How to reach a host through the system OpenSSH client. Every field is validated before ssh runs. */
export interface SshHostOptions {
  /** TCP port (also accepted as `host:port` in the target; both given and different is refused). */
  port?: number;
  /** `ssh -i FILE`. */
  identityFile?: string;
  /** `ssh -F FILE` (e.g. `/dev/null` to ignore ~/.ssh/config). */
  configFile?: string;
  /** `-o UserKnownHostsFile=FILE`. */
  knownHostsFile?: string;
  /** More `-o Key=Value` options. Options that run local commands or that Perf Lens manages are refused. */
  extraOptions?: string[];
  /** `-o ConnectTimeout=`; default 10. */
  connectTimeoutSeconds?: number;
  /** How long the shared connection stays up after the last command if Perf Lens dies without closing it. */
  controlPersistSeconds?: number;
  /** The ssh client to run; default `ssh` from PATH. */
  sshPath?: string;
}

export interface SshTarget {
  user: string | null;
  host: string;
  port: number | null;
}

// eslint-disable-next-line no-control-regex -- finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;
const USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/;
// Host names, IPv4 and ssh_config aliases. A leading '-' or '.' is refused separately for a clear message.
const HOSTNAME = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,252}$/;
const IPV6 = /^[0-9A-Fa-f:.]+(%[A-Za-z0-9]+)?$/;

/**
 * Options a user may not pass with `-o`: they run local commands (the classic `-oProxyCommand=…`
 * injection), or they would break what Perf Lens relies on (connection sharing, no prompts, no tty).
 * Users who need ProxyCommand put it in their own ssh config, which they control.
 */
const FORBIDDEN_OPTIONS = new Set(
  [
    'ProxyCommand',
    'LocalCommand',
    'PermitLocalCommand',
    'KnownHostsCommand',
    'RemoteCommand',
    'ControlMaster',
    'ControlPath',
    'ControlPersist',
    'BatchMode',
    'SessionType',
    'StdinNull',
    'ForkAfterAuthentication',
    'RequestTTY',
    'Include',
    'Match',
    'Host',
    'SecurityKeyProvider',
    'PKCS11Provider',
  ].map((o) => o.toLowerCase()),
);

function invalid(message: string, hint: string | null = null): HostError {
  return new HostError(message, 'INVALID', hint);
}

function describe(value: string): string {
  return JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value);
}

/** Parses `[user@]host[:port]` (IPv6 as `[addr]` or `[addr]:port`), refusing anything ssh could read as an option. */
export function parseSshTarget(target: string): SshTarget {
  if (typeof target !== 'string' || target.length === 0) throw invalid('The ssh target is empty.');
  if (CONTROL.test(target) || /\s/.test(target)) {
    throw invalid(`The ssh target ${describe(target)} contains whitespace or control characters.`);
  }
  if (target.startsWith('-')) {
    throw invalid(
      `The ssh target ${describe(target)} starts with '-', so ssh would read it as an option; refused.`,
      'Give a host name, optionally as user@host or user@host:port.',
    );
  }
  let rest = target;
  let user: string | null = null;
  const at = rest.lastIndexOf('@');
  if (at >= 0) {
    user = rest.slice(0, at);
    rest = rest.slice(at + 1);
    if (!USER.test(user)) {
      throw invalid(
        `The ssh user ${describe(user)} is not a valid user name (letters, digits, '.', '_', '-'; not starting with '-').`,
      );
    }
  }
  let host: string;
  let portText: string | null = null;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) throw invalid(`The ssh target ${describe(target)} has an unclosed '['.`);
    host = rest.slice(1, close);
    const after = rest.slice(close + 1);
    if (after !== '') {
      if (!after.startsWith(':')) throw invalid(`Unexpected text after ']' in the ssh target ${describe(target)}.`);
      portText = after.slice(1);
    }
    if (!IPV6.test(host) || !host.includes(':')) throw invalid(`${describe(host)} is not an IPv6 address.`);
  } else {
    const colon = rest.indexOf(':');
    if (colon >= 0) {
      if (rest.indexOf(':', colon + 1) >= 0) {
        throw invalid(
          `The ssh target ${describe(target)} looks like an IPv6 address: write it as [addr] or [addr]:port.`,
        );
      }
      host = rest.slice(0, colon);
      portText = rest.slice(colon + 1);
    } else {
      host = rest;
    }
    if (host.startsWith('-')) throw invalid(`The ssh host ${describe(host)} starts with '-'; refused.`);
    if (!HOSTNAME.test(host)) {
      throw invalid(
        `The ssh host ${describe(host)} is not a valid host name (letters, digits, '.', '_', '-').`,
        'Shell metacharacters, quotes and spaces are never part of a host name.',
      );
    }
  }
  return { user, host, port: portText === null ? null : parsePort(portText, target) };
}

function parsePort(text: string, context: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
    throw invalid(`The ssh port ${describe(text)} in ${describe(context)} is not a number from 1 to 65535.`);
  }
  return Number(text);
}

function checkPath(name: string, path: string, opts: { mustExist: boolean; noSpaces: boolean }): void {
  if (typeof path !== 'string' || path.length === 0) throw invalid(`The ${name} path is empty.`);
  if (CONTROL.test(path)) throw invalid(`The ${name} path ${describe(path)} contains control characters.`);
  if (path.startsWith('-')) throw invalid(`The ${name} path ${describe(path)} starts with '-'; refused.`);
  // ssh expands %-tokens in these paths; a literal '%' would silently point elsewhere.
  if (path.includes('%')) throw invalid(`The ${name} path ${describe(path)} contains '%', which ssh would expand.`);
  if (opts.noSpaces && /\s/.test(path)) {
    throw invalid(`The ${name} path ${describe(path)} contains whitespace, which ssh's -o parsing would split.`);
  }
  if (opts.mustExist && !existsSync(path)) throw invalid(`The ${name} ${describe(path)} does not exist.`);
}

/** Validates one `-o` value: `Key=Value`, a plain option name, nothing that runs a command. */
export function checkSshOption(option: string): void {
  if (typeof option !== 'string' || CONTROL.test(option)) {
    throw invalid(`The ssh option ${describe(String(option))} contains control characters.`);
  }
  const m = /^([A-Za-z][A-Za-z0-9]*)=(\S.*)$/.exec(option);
  if (!m) {
    throw invalid(
      `The ssh option ${describe(option)} is not of the form Key=Value.`,
      'Write options as e.g. ServerAliveInterval=15, without a leading -o.',
    );
  }
  const key = m[1];
  if (FORBIDDEN_OPTIONS.has(key.toLowerCase())) {
    throw invalid(
      `The ssh option ${key} is not allowed here: it runs local commands or conflicts with how Perf Lens uses ssh.`,
      'Put it in your ssh config file (~/.ssh/config) for that host instead.',
    );
  }
  if (key.toLowerCase() === 'proxyjump' && m[2] !== 'none') {
    for (const hop of m[2].split(',')) parseSshTarget(hop);
  }
}

export function validateSshOptions(options: SshHostOptions): void {
  if (options.port !== undefined && (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535)) {
    throw invalid(`The ssh port ${describe(String(options.port))} is not a number from 1 to 65535.`);
  }
  if (options.identityFile !== undefined) {
    checkPath('identity file', options.identityFile, { mustExist: true, noSpaces: false });
  }
  if (options.configFile !== undefined) {
    checkPath('ssh config file', options.configFile, { mustExist: true, noSpaces: false });
  }
  if (options.knownHostsFile !== undefined) {
    checkPath('known hosts file', options.knownHostsFile, { mustExist: false, noSpaces: true });
  }
  if (options.sshPath !== undefined) checkPath('ssh client', options.sshPath, { mustExist: false, noSpaces: false });
  for (const [name, value, max] of [
    ['connect timeout', options.connectTimeoutSeconds, 600],
    ['ControlPersist', options.controlPersistSeconds, 86_400],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 1 || value > max)) {
      throw invalid(`The ${name} ${describe(String(value))} must be a whole number of seconds from 1 to ${max}.`);
    }
  }
  if (options.extraOptions !== undefined) {
    if (!Array.isArray(options.extraOptions)) throw invalid('extraOptions must be a list of Key=Value strings.');
    for (const o of options.extraOptions) checkSshOption(o);
  }
}

/** Resolves target + options into the destination and the `ssh` options every invocation shares. */
export function sshCommonArgs(target: SshTarget, options: SshHostOptions): { args: string[]; destination: string } {
  if (options.port !== undefined && target.port !== null && options.port !== target.port) {
    throw invalid(`Two different ssh ports were given: ${target.port} in the target and ${options.port} as an option.`);
  }
  const port = target.port ?? options.port ?? null;
  const args: string[] = [];
  if (options.configFile !== undefined) args.push('-F', options.configFile);
  if (port !== null) args.push('-p', String(port));
  if (target.user !== null) args.push('-l', target.user);
  if (options.identityFile !== undefined) args.push('-i', options.identityFile);
  if (options.knownHostsFile !== undefined) args.push('-o', `UserKnownHostsFile=${options.knownHostsFile}`);
  for (const o of options.extraOptions ?? []) args.push('-o', o);
  // ssh keeps the FIRST value it sees for an option: ours go first so the user's cannot turn them off.
  const ours = [
    'BatchMode=yes',
    `ConnectTimeout=${options.connectTimeoutSeconds ?? 10}`,
    'ServerAliveInterval=5',
    'ServerAliveCountMax=3',
  ].flatMap((o) => ['-o', o]);
  return { args: [...ours, ...args], destination: target.host };
}
