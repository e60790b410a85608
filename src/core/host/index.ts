import { LocalHost } from './local-host';
import { SshHost, type SshHostOptions } from './ssh-host';
import { HostError, type Host } from './types';

export { LocalHost } from './local-host';
export { SshHost, sshFailure } from './ssh-host';
export type { SshHostOptions, SshTarget } from './ssh-options';
export { parseSshTarget, checkSshOption } from './ssh-options';
export { quoteForPosixShell, quoteCommandLine } from './posix-quote';
export { installCommand, missingToolHint } from './tool-packages';
export * from './types';

/**
 * `local`, or `ssh:[user@]host[:port]` (IPv6 as `ssh:[addr]:port`). Invalid specs throw HostError('INVALID')
 * before anything runs.
 */
export function createHost(spec: string, sshOptions: SshHostOptions = {}): Host {
  if (spec === 'local') return new LocalHost();
  if (typeof spec === 'string' && spec.startsWith('ssh:')) return new SshHost(spec.slice(4), sshOptions);
  throw new HostError(`${JSON.stringify(spec)} is not a host: use "local" or "ssh:[user@]host[:port]".`, 'INVALID');
}
