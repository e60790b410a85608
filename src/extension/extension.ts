/**
 * Perf Lens in VS Code: a thin `activate()` composing the feature modules. Every registration is owned by
 * a disposable (the extension's subscriptions); each profiling session has its own scope inside
 * `SessionController`.
 */
import * as vscode from 'vscode';
import type { Profile } from '../core/profile';
import { registerCommands } from './commands';
import { ConfigService } from './config';
import { FixActions } from './fix-actions';
import { History } from './history';
import { Hosts } from './hosts';
import { PerfLensLanguageClient } from './language-client';
import { Log } from './log';
import { ReportPanel } from './panel';
import { ProcessView } from './process-view';
import { SessionController } from './session-controller';
import { SessionsView } from './sessions-view';
import { SessionStatusBar } from './status-bar';

export function activate(context: vscode.ExtensionContext): void {
  const started = Date.now();
  const log = new Log();
  const subs = context.subscriptions;
  subs.push(log);
  const config = new ConfigService((message) => {
    log.warn(`settings: ${message}`);
    void vscode.window.showWarningMessage(`Perf Lens: ${message}`);
  });
  subs.push(config);
  const hosts = new Hosts(config, log);
  const client = new PerfLensLanguageClient(context, log);
  const fixes = new FixActions(client, log);
  let current: Profile | null = null;
  const panel: ReportPanel = new ReportPanel(context.extensionUri, log, {
    handle: async (message, p): Promise<void> => {
      switch (message.type) {
        case 'openSource':
          return fixes.openSource(message.file, message.line);
        case 'showInSource':
          return fixes.showInSource(p.profile, message);
        case 'applyFix':
          await fixes.applyFix(p.profile, message);
          return;
        case 'copySnippet':
          return fixes.copySnippet(message.fixId);
        case 'cancel':
          return sessions.stop();
        default:
          log.warn(`panel: unhandled message ${(message as { type: string }).type}`);
      }
    },
  });
  const statusBar = new SessionStatusBar('perfLens.showPanel');
  const sessions: SessionController = new SessionController(hosts, config, log, panel, statusBar);
  const history = new History(context, config);
  const sessionsView = new SessionsView(history.store);
  const processView = new ProcessView(hosts, config, log);
  subs.push(hosts, client, panel, statusBar, sessions, history, sessionsView, processView);
  subs.push(history.onDidChange(() => sessionsView.refresh()));
  // After a window reload VS Code restores the panel: show the last saved profile in it.
  subs.push(
    vscode.window.registerWebviewPanelSerializer(ReportPanel.viewType, {
      deserializeWebviewPanel: async (restored) => {
        const [last] = await history.list();
        const profile = last ? await history.load(last.id).catch(() => null) : null;
        panel.restore(restored, profile);
      },
    }),
  );

  subs.push(
    ...registerCommands({
      log,
      hosts,
      panel,
      sessions,
      processView,
      history,
      fixes,
      client,
      current: () => current,
      setCurrent: (profile, id) => {
        current = profile;
        client.sendProfile(profile, id).catch((e: unknown) => log.warn(`language server: ${String(e)}`));
      },
    }),
  );
  log.info(
    `activated in ${Date.now() - started} ms (VS Code ${vscode.version}, ${process.platform}, trusted: ${vscode.workspace.isTrusted})`,
  );
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
