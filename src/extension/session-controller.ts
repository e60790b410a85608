/**
 * Runs one profiling session at a time: privileges, a cancellable progress notification with the phase,
 * the status-bar item, the panel with live data from the first second, then the profile — saved to the
 * Sessions history and sent to the language server. Everything a session registers lives in its own
 * disposable scope, disposed when it ends, is cancelled, or the extension deactivates; disposing the
 * session's host kills whatever is still running on the target.
 */
import * as vscode from 'vscode';
import type { Host } from '../core/host/types';
import type { Profile } from '../core/profile';
import type { SessionEvent, SessionOptions, TargetSpec } from '../core/session/types';
import type { ConfigService } from './config';
import { sessionOptionsFrom } from './config-schema';
import { profile as runProfile } from './engine';
import { errorMessage } from './format';
import { NOT_LINUX_MESSAGE, localHostUnsupported, type Hosts } from './hosts';
import type { Log } from './log';
import type { ReportPanel } from './panel';
import { decidePrivileges, gatherFacts } from './privileges';
import { confirmStrace } from './strace-consent';
import type { SessionStatusBar } from './status-bar';

export interface SessionRequest {
  target: TargetSpec;
  /** For titles before the session resolves the target, e.g. `tcp_demo (4242)`. */
  label: string;
  /** Force this machine (terminal targets), whatever `perfLens.sshTarget` says. */
  local?: boolean;
  /** Live breakdown only: no recording; runs until stopped. */
  liveOnly?: boolean;
}

class SessionScope implements vscode.Disposable {
  private readonly items: vscode.Disposable[] = [];
  add<T extends vscode.Disposable>(d: T): T {
    this.items.push(d);
    return d;
  }
  dispose(): void {
    for (const d of this.items.splice(0).reverse()) {
      try {
        d.dispose();
      } catch {
        // keep disposing the rest
      }
    }
  }
}

interface Running {
  abort: AbortController;
  label: string;
  done: Promise<Profile | null>;
}

export class SessionController implements vscode.Disposable {
  private running: Running | null = null;
  private readonly finished = new vscode.EventEmitter<Profile>();
  /** A session produced a profile (complete or partial). */
  readonly onDidFinish = this.finished.event;

  constructor(
    private readonly hosts: Hosts,
    private readonly config: ConfigService,
    private readonly log: Log,
    private readonly panel: ReportPanel,
    private readonly statusBar: SessionStatusBar,
  ) {}

  get isRunning(): boolean {
    return this.running !== null;
  }

  /** Cancel the running session; resolves when it has ended (with its partial profile saved). */
  async stop(): Promise<void> {
    const r = this.running;
    if (!r) return;
    this.log.info(`session: stop requested for ${r.label}`);
    r.abort.abort();
    await r.done;
  }

  async start(request: SessionRequest): Promise<Profile | null> {
    const config = this.config.get();
    if (!request.local && localHostUnsupported(config.sshTarget)) {
      const set = 'Set SSH Target…';
      if ((await vscode.window.showErrorMessage(NOT_LINUX_MESSAGE, set)) === set)
        await vscode.commands.executeCommand('perfLens.configureSshTarget');
      return null;
    }
    if (this.running) {
      const stop = 'Stop It and Start';
      const answer = await vscode.window.showWarningMessage(
        `Perf Lens is profiling ${this.running.label}. Stop that session and profile ${request.label}?`,
        { modal: true },
        stop,
      );
      if (answer !== stop) return null;
      await this.stop();
    }
    const abort = new AbortController();
    let resolveDone!: (p: Profile | null) => void;
    const done = new Promise<Profile | null>((resolve) => (resolveDone = resolve));
    this.running = { abort, label: request.label, done };
    const scope = new SessionScope();
    try {
      const result = await this.run(request, abort, scope);
      resolveDone(result);
      return result;
    } catch (e) {
      resolveDone(null);
      throw e;
    } finally {
      scope.dispose();
      this.running = null;
      void vscode.commands.executeCommand('setContext', 'perfLens.sessionRunning', false);
    }
  }

  private async run(request: SessionRequest, abort: AbortController, scope: SessionScope): Promise<Profile | null> {
    const config = this.config.get();
    const host: Host = this.hosts.forSession(request.local === true);
    scope.add(
      new vscode.Disposable(
        () =>
          void host.dispose().catch((e: unknown) => this.log.warn(`closing ${host.description}: ${errorMessage(e)}`)),
      ),
    );
    scope.add(this.log.attachHost(host));
    void vscode.commands.executeCommand('setContext', 'perfLens.sessionRunning', true);
    this.log.info(
      `session: ${request.liveOnly ? 'live breakdown of' : 'profiling'} ${request.label} on ${host.description}`,
    );

    let strace = config.strace && request.liveOnly !== true;
    if (strace) {
      const consent = await confirmStrace(request.label, config.duration);
      if (consent === null) {
        this.log.info('session: not started (strace question dismissed)');
        return null;
      }
      strace = consent;
      this.log.info(`session: strace ${strace ? 'accepted, with its cost' : 'declined; profiling without it'}`);
    }

    const pid = request.target.kind === 'pid' ? request.target.pid : null;
    const facts = await gatherFacts(host, pid, strace, config.sudo, abort.signal);
    const decision = request.liveOnly
      ? { sudo: 'never' as const, note: null }
      : await decidePrivileges(host, facts, config.sudo, request.label, this.log, abort.signal);
    if (!decision || abort.signal.aborted) {
      this.log.info('session: not started (privileges question dismissed)');
      return null;
    }
    let options: SessionOptions = sessionOptionsFrom(
      { ...config, strace },
      decision.sudo,
      'password' in decision ? decision.password : undefined,
    );
    if (request.liveOnly) options = { ...options, liveOnly: true };

    const title = `Perf Lens: ${request.label}`;
    this.panel.startSession(title);
    this.statusBar.start(request.label);
    scope.add(new vscode.Disposable(() => this.statusBar.stop()));

    return vscode.window.withProgress(
      {
        location: vscode.ProgressLocation.Notification,
        title: request.liveOnly
          ? `Perf Lens: live CPU breakdown of ${request.label}`
          : `Perf Lens: profiling ${request.label}`,
        cancellable: true,
      },
      async (progress, token) => {
        scope.add(token.onCancellationRequested(() => abort.abort()));
        let reported = 0;
        const onEvent = (event: SessionEvent) => {
          try {
            this.panel.sessionEvent(event);
            switch (event.type) {
              case 'progress': {
                const pct = Math.max(0, Math.min(100, Math.round(event.fraction * 100)));
                progress.report({
                  message: `${event.phase}: ${event.message}`,
                  increment: Math.max(0, pct - reported),
                });
                reported = Math.max(reported, pct);
                this.statusBar.update({ phase: event.phase });
                break;
              }
              case 'target':
                this.statusBar.update({ label: `${event.command} (${event.pid})` });
                this.log.info(
                  `session: target ${event.command} (PID ${event.pid}, ${event.threads} threads) on ${event.host}`,
                );
                break;
              case 'live':
                this.statusBar.update({ cpu: event.sample.process?.cpu ?? null });
                break;
              case 'notes':
                for (const n of event.notes)
                  this.log.info(`data quality (${n.severity}): ${n.message}${n.fix ? ` — fix: ${n.fix}` : ''}`);
                break;
              case 'warning':
                this.log.warn(`session: ${event.message}`);
                break;
              case 'done':
                break;
            }
          } catch (e) {
            this.log.error(`session event handling failed: ${errorMessage(e)}`);
          }
        };
        let result: Profile;
        try {
          result = await runProfile(host, request.target, options, onEvent, abort.signal);
        } catch (e) {
          const message = errorMessage(e);
          this.log.error(`session: ${message}`);
          if (e instanceof Error && e.stack) this.log.debug(e.stack);
          this.panel.sessionFailed(message);
          if (!abort.signal.aborted) {
            const showLog = 'Show Log';
            void vscode.window
              .showErrorMessage(`Perf Lens: ${message}`, showLog)
              .then((a) => a === showLog && this.log.show());
          }
          return null;
        } finally {
          options = { ...options, sudoPassword: undefined }; // drop our reference to the password
        }
        if (decision.note && !result.dataQuality.some((n) => n.id === 'privileges'))
          result.dataQuality.push(decision.note);
        // The panel already has it if the session sent `done`; send again in case it did not.
        this.panel.sessionEvent({ type: 'done', profile: result });
        this.log.info(
          `session: ${result.partial ? `partial profile (${result.partialReason ?? 'stopped'})` : 'profile complete'}: ${result.verdict.summary}`,
        );
        this.finished.fire(result);
        return result;
      },
    );
  }

  dispose(): void {
    this.running?.abort.abort();
    this.finished.dispose();
  }
}
