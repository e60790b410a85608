/**
 * `perf-lens profile` flags → what the session and the host need. Every refusal is a UserError with one
 * line (the CLI prints it and exits 2), never a stack trace.
 */
import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { existsSync, statSync } from 'node:fs';
import { UserError } from '../../core/errors';
import type { SessionOptions, TargetSpec } from '../../core/session/types';
import { LIMITS } from '../../core/session/options';

export interface ProfileArgs {
  target: TargetSpec;
  ssh: {
    target: string;
    port?: number;
    identityFile?: string;
    configFile?: string;
    extraOptions: string[];
  } | null;
  options: Partial<SessionOptions>;
  json: string | null;
  html: string | null;
  quiet: boolean;
}

const OPTIONS = {
  pid: { type: 'string' },
  name: { type: 'string' },
  port: { type: 'string' },
  exe: { type: 'string' },
  ssh: { type: 'string' },
  'ssh-port': { type: 'string' },
  'ssh-identity': { type: 'string' },
  'ssh-config': { type: 'string' },
  'ssh-option': { type: 'string', multiple: true },
  duration: { type: 'string' },
  frequency: { type: 'string' },
  'call-graph': { type: 'string' },
  scope: { type: 'string' },
  strace: { type: 'boolean' },
  sudo: { type: 'string' },
  json: { type: 'string' },
  html: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
} as const;

const usageHint = 'see perf-lens profile --help';

function intArg(flag: string, text: string, min: number, max: number): number {
  if (!/^\d+$/.test(text))
    throw new UserError(`--${flag} must be a whole number, not ${JSON.stringify(text)}`, usageHint);
  const n = Number(text);
  if (n < min || n > max) throw new UserError(`--${flag} must be between ${min} and ${max} (got ${n})`, usageHint);
  return n;
}

function outputFile(flag: string, path: string): string {
  if (path === '' || path.startsWith('-'))
    throw new UserError(`--${flag} needs a file name, not ${JSON.stringify(path)}`, usageHint);
  const full = resolve(path);
  const dir = dirname(full);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new UserError(
      `--${flag}: the folder ${JSON.stringify(dir)} does not exist`,
      'create it first, or write the file elsewhere',
    );
  }
  if (existsSync(full) && statSync(full).isDirectory())
    throw new UserError(`--${flag}: ${JSON.stringify(full)} is a folder`, usageHint);
  return full;
}

export function parseProfileArgs(argv: string[]): ProfileArgs {
  let values: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true; strict: true }>>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (e) {
    // node:util's messages are already one line ("Unknown option '--frob'"); drop its advice about '--'.
    const message = (e instanceof Error ? e.message : String(e))
      .split('\n')[0]
      .replace(/\. To specify a positional.*$/, '');
    throw new UserError(message, usageHint);
  }
  if (positionals.length > 0) throw new UserError(`unexpected argument ${JSON.stringify(positionals[0])}`, usageHint);

  const given = (['pid', 'name', 'port', 'exe'] as const).filter((k) => values[k] !== undefined);
  if (given.length === 0)
    throw new UserError('say which process: --pid N, --name NAME, --port P or --exe PATH', usageHint);
  if (given.length > 1)
    throw new UserError(`choose one of --pid, --name, --port, --exe (got --${given.join(' and --')})`, usageHint);
  let target: TargetSpec;
  switch (given[0]) {
    case 'pid':
      target = { kind: 'pid', pid: intArg('pid', values.pid!, 1, 4_194_304) };
      break;
    case 'port':
      target = { kind: 'port', port: intArg('port', values.port!, 1, 65535) };
      break;
    case 'name':
      if (values.name === '') throw new UserError('--name needs a process name', usageHint);
      target = { kind: 'name', name: values.name! };
      break;
    case 'exe':
      if (!values.exe!.startsWith('/'))
        throw new UserError(`--exe needs an absolute path, not ${JSON.stringify(values.exe)}`, usageHint);
      target = { kind: 'exe', path: values.exe! };
      break;
  }

  const options: Partial<SessionOptions> = {};
  if (values.duration !== undefined) {
    const d = Number(values.duration);
    const { min, max } = LIMITS.durationSeconds;
    if (!/^\d+(\.\d+)?$/.test(values.duration) || d < min || d > max) {
      throw new UserError(
        `--duration must be seconds from ${min} to ${max}, not ${JSON.stringify(values.duration)}`,
        usageHint,
      );
    }
    options.durationSeconds = d;
  }
  if (values.frequency !== undefined) {
    options.frequency = intArg('frequency', values.frequency, LIMITS.frequency.min, LIMITS.frequency.max);
  }
  if (values['call-graph'] !== undefined) {
    const cg = values['call-graph'];
    if (cg !== 'fp' && cg !== 'dwarf' && cg !== 'none') {
      throw new UserError(`--call-graph must be fp, dwarf or none, not ${JSON.stringify(cg)}`, usageHint);
    }
    options.callGraph = cg;
  }
  if (values.scope !== undefined) {
    const sc = values.scope;
    if (sc !== 'auto' && sc !== 'process' && sc !== 'system') {
      throw new UserError(`--scope must be auto, process or system, not ${JSON.stringify(sc)}`, usageHint);
    }
    options.recordScope = sc;
  }
  if (values.strace) options.strace = true;
  if (values.sudo !== undefined) {
    if (values.sudo !== 'never' && values.sudo !== 'passwordless') {
      throw new UserError(`--sudo must be never or passwordless, not ${JSON.stringify(values.sudo)}`, usageHint);
    }
    options.sudo = values.sudo;
  }

  const sshOnly = (['ssh-port', 'ssh-identity', 'ssh-config', 'ssh-option'] as const).filter(
    (k) => values[k] !== undefined,
  );
  if (values.ssh === undefined && sshOnly.length > 0) throw new UserError(`--${sshOnly[0]} needs --ssh`, usageHint);
  let ssh: ProfileArgs['ssh'] = null;
  if (values.ssh !== undefined) {
    if (values.ssh === '' || values.ssh.startsWith('-')) {
      throw new UserError(
        `--ssh needs [user@]host, not ${JSON.stringify(values.ssh)}`,
        'a host starting with - would be read by ssh as an option',
      );
    }
    ssh = { target: values.ssh, extraOptions: [] };
    if (values['ssh-port'] !== undefined) ssh.port = intArg('ssh-port', values['ssh-port'], 1, 65535);
    if (values['ssh-identity'] !== undefined) ssh.identityFile = values['ssh-identity'];
    if (values['ssh-config'] !== undefined) ssh.configFile = values['ssh-config'];
    for (const o of values['ssh-option'] ?? []) {
      if (!/^[A-Za-z][A-Za-z0-9]*=\S.*$/.test(o))
        throw new UserError(`--ssh-option must be Key=Value, not ${JSON.stringify(o)}`, usageHint);
      ssh.extraOptions.push(o);
    }
  }
  return {
    target,
    ssh,
    options,
    json: values.json !== undefined ? outputFile('json', values.json) : null,
    html: values.html !== undefined ? outputFile('html', values.html) : null,
    quiet: values.quiet === true,
  };
}
