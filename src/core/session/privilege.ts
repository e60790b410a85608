/**
 * How privileged commands run: as they are (root, or permitted), through `sudo -n` (passwordless), or
 * through `sudo -S -p ''` with the password written to stdin — never to argv, environment or a log.
 * Whole scripts are wrapped (not each tool inside them), so one password on stdin covers one script.
 */
import { UserError } from '../errors';
import type { SessionOptions } from './types';

export type PrivilegeMode = 'root' | 'sudo-n' | 'sudo-S' | 'none';

export interface Privilege {
  mode: PrivilegeMode;
  /** The argv to run and the stdin to give it. */
  wrap(argv: string[]): { argv: string[]; stdin?: string };
  /** For the Profile's data-quality notes: how privileged tools ran. */
  describe(): string;
}

export function choosePrivilege(
  uid: number | null,
  sudoAvailable: 'root' | 'passwordless' | 'password' | 'none',
  options: Pick<SessionOptions, 'sudo' | 'sudoPassword'>,
): Privilege {
  if (uid === 0) return plain('root', 'tools ran as root');
  if (options.sudo === 'passwordless') {
    if (sudoAvailable !== 'passwordless' && sudoAvailable !== 'root') {
      throw new UserError(
        'sudo was asked for without a password, but `sudo -n true` fails on the target',
        'allow it in sudoers (NOPASSWD for perf), choose sudo mode "password", or use "never" to profile what the user may',
      );
    }
    return {
      mode: 'sudo-n',
      wrap: (argv) => ({ argv: ['sudo', '-n', '--', ...argv] }),
      describe: () => 'privileged tools ran through `sudo -n`',
    };
  }
  if (options.sudo === 'password') {
    const password = options.sudoPassword ?? '';
    return {
      mode: 'sudo-S',
      wrap: (argv) => ({ argv: ['sudo', '-S', '-p', '', '--', ...argv], stdin: password + '\n' }),
      describe: () => 'privileged tools ran through `sudo -S` (password given on stdin)',
    };
  }
  return plain('none', 'tools ran without privileges (sudo mode "never")');
}

function plain(mode: PrivilegeMode, description: string): Privilege {
  return { mode, wrap: (argv) => ({ argv }), describe: () => description };
}

/** sudo's own refusals, recognised in a command's stderr. */
export function sudoRefused(stderr: string): string | null {
  if (/sudo: (a password is required|\d+ incorrect password attempts?|no password was provided)/.test(stderr)) {
    return 'sudo refused: the password is required or was wrong';
  }
  if (/is not in the sudoers file|is not allowed to execute/.test(stderr))
    return 'sudo refused: the user may not run this';
  return null;
}
