/**
 * Whether a session needs privileges, why, and what to offer. Pure (no `vscode` import): unit-tested.
 * `privileges.ts` asks the host the facts and the user the question.
 */
import type { SudoMode } from './config-schema';

export interface PrivilegeFacts {
  /** Effective uid of the user the commands run as on the target host. */
  uid: number | null;
  /** /proc/sys/kernel/perf_event_paranoid. */
  perfEventParanoid: number | null;
  /** /proc/sys/kernel/yama/ptrace_scope (null when Yama is absent). */
  ptraceScope: number | null;
  /** Owner uid of the target process, when known. */
  targetUid: number | null;
  /** Whether `sudo -n true` succeeded. */
  sudoPasswordless: boolean;
  /** Whether sudo exists at all. */
  sudoAvailable: boolean;
  /** Whether the session will run strace (opt-in). */
  strace: boolean;
}

export type PrivilegePlan =
  /** Nothing to ask: run as is. */
  | { kind: 'none'; reason: string }
  /** Use `sudo -n` without asking (setting `passwordless`, or `ask` when it works without a password). */
  | { kind: 'passwordless'; reasons: string[] }
  /** Ask the user: sudo with a password, the command that grants it, or continue with what is permitted. */
  | { kind: 'ask'; reasons: string[]; grantCommand: string | null; sudoPasswordless: boolean; canAskPassword: boolean }
  /** Setting `never` (or nothing can help): continue with what is permitted and say what is missing. */
  | { kind: 'unprivileged'; reasons: string[]; grantCommand: string | null };

/** Why privileges are needed for this target, one sentence each; empty when they are not. */
export function privilegeGaps(f: PrivilegeFacts): string[] {
  if (f.uid === 0) return [];
  const gaps: string[] = [];
  if (f.perfEventParanoid !== null && f.perfEventParanoid >= 2)
    gaps.push(
      `perf_event_paranoid is ${f.perfEventParanoid}: perf may sample only user-space frames, so kernel time (TCP/IP, syscalls) stays invisible`,
    );
  if (f.targetUid !== null && f.uid !== null && f.targetUid !== f.uid)
    gaps.push(
      `the process belongs to another user (uid ${f.targetUid}): perf and strace may not attach to it as uid ${f.uid}`,
    );
  if (f.strace && f.ptraceScope !== null && f.ptraceScope >= 1 && !gaps.some((g) => g.includes('another user')))
    gaps.push(`ptrace_scope is ${f.ptraceScope}: strace may not attach to a process it did not start`);
  return gaps;
}

/** The one-line command that grants what is missing without sudo at each run. */
export function grantCommand(f: PrivilegeFacts): string | null {
  const parts: string[] = [];
  if (f.perfEventParanoid !== null && f.perfEventParanoid >= 2) parts.push('kernel.perf_event_paranoid=1');
  if (f.strace && f.ptraceScope !== null && f.ptraceScope >= 1) parts.push('kernel.yama.ptrace_scope=0');
  return parts.length > 0 ? `sudo sysctl -w ${parts.join(' ')}` : null;
}

export function planPrivileges(f: PrivilegeFacts, mode: SudoMode): PrivilegePlan {
  if (f.uid === 0) return { kind: 'none', reason: 'running as root' };
  const reasons = privilegeGaps(f);
  if (reasons.length === 0) return { kind: 'none', reason: 'perf and the other tools are permitted as this user' };
  const grant = grantCommand(f);
  if (mode === 'never') return { kind: 'unprivileged', reasons, grantCommand: grant };
  if (mode === 'passwordless') {
    if (f.sudoPasswordless) return { kind: 'passwordless', reasons };
    return {
      kind: 'unprivileged',
      reasons: [...reasons, 'passwordless sudo (sudo -n) is not allowed for this user'],
      grantCommand: grant,
    };
  }
  if (!f.sudoAvailable && !grant)
    return { kind: 'unprivileged', reasons: [...reasons, 'sudo is not installed'], grantCommand: null };
  return {
    kind: 'ask',
    reasons,
    grantCommand: grant,
    sudoPasswordless: f.sudoPasswordless,
    canAskPassword: f.sudoAvailable,
  };
}

/** The note the Profile carries about the choice (data-quality note id `privileges`). */
export function privilegeNote(
  choice: 'root' | 'not-needed' | 'sudo-passwordless' | 'sudo-password' | 'unprivileged',
  reasons: string[],
  grant: string | null,
): { id: string; severity: 'info' | 'warning'; message: string; fix: string | null } {
  switch (choice) {
    case 'root':
      return { id: 'privileges', severity: 'info', message: 'Profiled as root.', fix: null };
    case 'not-needed':
      return {
        id: 'privileges',
        severity: 'info',
        message: 'Profiled without sudo: the tools were permitted as this user.',
        fix: null,
      };
    case 'sudo-passwordless':
      return {
        id: 'privileges',
        severity: 'info',
        message: 'Profiled with passwordless sudo (sudo -n) for perf and strace.',
        fix: null,
      };
    case 'sudo-password':
      return {
        id: 'privileges',
        severity: 'info',
        message: 'Profiled with sudo; the password was given to sudo on standard input only and not kept.',
        fix: null,
      };
    case 'unprivileged':
      return {
        id: 'privileges',
        severity: 'warning',
        message: `Profiled without privileges (user frames only): ${reasons.join('; ')}.`,
        fix: grant,
      };
  }
}
