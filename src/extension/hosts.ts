/**
 * Which host Perf Lens works on, and the host objects for it: a long-lived one for the Processes view
 * (for ssh, its connection is reused) and a fresh one per session, disposed when the session ends, which
 * kills whatever the session left running on the target.
 */
import * as vscode from 'vscode';
import type { Host } from '../core/host/types';
import type { ConfigService } from './config';
import { createHost } from './engine';
import type { Log } from './log';

/** Profiling needs Linux; on another OS locally only an ssh target works. */
export function localHostUnsupported(sshTarget: string | null): boolean {
  return sshTarget === null && process.platform !== 'linux';
}

export const NOT_LINUX_MESSAGE = `Perf Lens profiles Linux processes, and this machine runs ${process.platform}. Open the folder through Remote-SSH on the Linux server, or set "perfLens.sshTarget" to profile a Linux host over ssh.`;

export class Hosts implements vscode.Disposable {
  private viewHost: Host | null = null;
  private viewHostKey: string | null = null;
  private logSubscription: vscode.Disposable | null = null;

  constructor(
    private readonly config: ConfigService,
    private readonly log: Log,
  ) {}

  /** A short name of the target host for view titles. */
  describe(): string {
    const ssh = this.config.get().sshTarget;
    return ssh ? `ssh ${ssh}` : 'this machine';
  }

  /** The host the Processes view lists (recreated when the ssh target changes). */
  forView(): Host {
    const key = this.config.get().sshTarget ?? '';
    if (this.viewHost && this.viewHostKey === key) return this.viewHost;
    this.disposeViewHost();
    this.viewHost = createHost({ sshTarget: this.config.get().sshTarget });
    this.viewHostKey = key;
    this.logSubscription = this.log.attachHost(this.viewHost);
    return this.viewHost;
  }

  /** A new host for one session; the caller disposes it. `local` forces this machine (terminal targets). */
  forSession(local = false): Host {
    return createHost({ sshTarget: local ? null : this.config.get().sshTarget });
  }

  private disposeViewHost(): void {
    this.logSubscription?.dispose();
    this.logSubscription = null;
    const host = this.viewHost;
    this.viewHost = null;
    if (host) host.dispose().catch((e: unknown) => this.log.warn(`closing ${host.description}: ${String(e)}`));
  }

  dispose(): void {
    this.disposeViewHost();
  }
}
