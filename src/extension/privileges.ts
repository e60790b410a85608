/**
 * The privileges flow before a session: find out whether perf/strace are permitted for this target, and
 * when they are not, ask once — use sudo (passwordless, or a password that goes only to `sudo -S` on
 * stdin), show the command that grants it, or continue with what is permitted. The choice is recorded
 * in the Profile as the data-quality note `privileges`.
 */
import * as vscode from 'vscode';
import type { Host } from '../core/host/types';
import type { DataQualityNote } from '../core/profile';
import type { SessionOptions } from '../core/session/types';
import type { SudoMode } from './config-schema';
import type { Log } from './log';
import { planPrivileges, privilegeGaps, privilegeNote, type PrivilegeFacts } from './privilege-plan';

export interface PrivilegeDecision {
  sudo: SessionOptions['sudo'];
  /** Only for sudo = 'password'. The caller passes it to the session and drops it. */
  password?: string;
  note: DataQualityNote;
}

async function readInt(host: Host, path: string, signal: AbortSignal): Promise<number | null> {
  try {
    const n = Number.parseInt((await host.readFile(path, { maxBytes: 64, signal })).trim(), 10);
    return Number.isFinite(n) ? n : null;
  } catch {
    return null;
  }
}

/**
 * What the privileges decision needs, read on the target. `sudo -n true` runs only when something is not
 * permitted and the sudo setting allows asking: for a user outside sudoers every failed sudo is an
 * "incident" mailed to the administrator.
 */
export async function gatherFacts(
  host: Host,
  pid: number | null,
  strace: boolean,
  mode: SudoMode,
  signal: AbortSignal,
): Promise<PrivilegeFacts> {
  const idRun = await host.run(['id', '-u'], { timeoutMs: 5000, signal }).catch(() => null);
  const uidRaw = idRun?.exitCode === 0 ? Number.parseInt(idRun.stdout.trim(), 10) : NaN;
  let targetUid: number | null = null;
  if (pid !== null) {
    try {
      const status = await host.readFile(`/proc/${pid}/status`, { maxBytes: 16384, signal });
      const m = /^Uid:\s+(\d+)/m.exec(status);
      targetUid = m ? Number(m[1]) : null;
    } catch {
      targetUid = null; // gone or unreadable: the session reports it
    }
  }
  const facts: PrivilegeFacts = {
    uid: Number.isFinite(uidRaw) ? uidRaw : null,
    perfEventParanoid: await readInt(host, '/proc/sys/kernel/perf_event_paranoid', signal),
    ptraceScope: await readInt(host, '/proc/sys/kernel/yama/ptrace_scope', signal),
    targetUid,
    sudoAvailable: false,
    sudoPasswordless: false,
    strace,
  };
  if (mode !== 'never' && privilegeGaps(facts).length > 0) {
    try {
      const r = await host.run(['sudo', '-n', 'true'], { timeoutMs: 5000, signal });
      facts.sudoAvailable = true;
      facts.sudoPasswordless = r.exitCode === 0;
    } catch {
      facts.sudoAvailable = false; // ENOENT: no sudo
    }
  }
  return facts;
}

/** Returns the decision, or null when the user dismissed the question (no session). */
export async function decidePrivileges(
  host: Host,
  facts: PrivilegeFacts,
  mode: SudoMode,
  targetLabel: string,
  log: Log,
  signal: AbortSignal,
): Promise<PrivilegeDecision | null> {
  const plan = planPrivileges(facts, mode);
  switch (plan.kind) {
    case 'none':
      log.info(`privileges: none needed (${plan.reason})`);
      return { sudo: 'never', note: privilegeNote(facts.uid === 0 ? 'root' : 'not-needed', [], null) };
    case 'passwordless':
      log.info(`privileges: using sudo -n (${plan.reasons.join('; ')})`);
      return { sudo: 'passwordless', note: privilegeNote('sudo-passwordless', plan.reasons, null) };
    case 'unprivileged':
      log.warn(`privileges: continuing without (${plan.reasons.join('; ')})`);
      void vscode.window.showWarningMessage(
        `Perf Lens: profiling ${targetLabel} without privileges — user frames only. ${plan.reasons.join('; ')}.${plan.grantCommand ? ` To allow it: ${plan.grantCommand}` : ''}`,
      );
      return { sudo: 'never', note: privilegeNote('unprivileged', plan.reasons, plan.grantCommand) };
    case 'ask':
      break;
  }
  const useSudo = plan.sudoPasswordless ? 'Use sudo (no password needed)' : plan.canAskPassword ? 'Use sudo…' : null;
  const showGrant = plan.grantCommand ? 'Show Command That Grants It' : null;
  const cont = 'Continue with User Frames Only';
  const choice = await vscode.window.showWarningMessage(
    `Perf Lens needs more privileges to profile ${targetLabel} fully.`,
    { modal: true, detail: `${plan.reasons.map((r) => `• ${r}`).join('\n')}` },
    ...[useSudo, showGrant, cont].filter((x): x is string => x !== null),
  );
  if (choice === undefined || signal.aborted) return null;
  if (choice === cont) {
    log.info('privileges: the user chose to continue without');
    return { sudo: 'never', note: privilegeNote('unprivileged', plan.reasons, plan.grantCommand) };
  }
  if (choice === showGrant && plan.grantCommand) {
    const copy = 'Copy Command';
    const picked = await vscode.window.showInformationMessage(
      `Run this once on ${host.description} (as an administrator), then profile again:\n${plan.grantCommand}`,
      { modal: true },
      copy,
    );
    if (picked === copy) await vscode.env.clipboard.writeText(plan.grantCommand);
    return null;
  }
  if (plan.sudoPasswordless) {
    log.info('privileges: using sudo -n');
    return { sudo: 'passwordless', note: privilegeNote('sudo-passwordless', plan.reasons, null) };
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const password = await vscode.window.showInputBox({
      title: `sudo password on ${host.description}`,
      prompt: 'Used once for perf and strace (given to sudo on standard input only; never stored or logged).',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (/[\n\r\0]/.test(v) ? 'The password cannot contain line breaks' : null),
    });
    if (password === undefined || signal.aborted) return null;
    // Check it before the session: `sudo -S -k` reads the password from stdin; `-p ''` keeps the prompt out of stderr.
    const check = await host.run(['sudo', '-S', '-k', '-p', '', 'true'], {
      stdin: `${password}\n`,
      timeoutMs: 10_000,
      signal,
    });
    if (check.exitCode === 0) {
      log.info('privileges: sudo with a password (checked; not kept)');
      return { sudo: 'password', password, note: privilegeNote('sudo-password', plan.reasons, null) };
    }
    log.warn('privileges: sudo refused the password');
    if (attempt < 2) void vscode.window.showWarningMessage('sudo refused that password. Try again.');
  }
  return null;
}
