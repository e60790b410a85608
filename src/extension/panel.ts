/**
 * The Perf Lens panel: one webview showing the running session (live), a finished profile, or a
 * comparison. Data reaches the webview only by postMessage after its `ready` handshake; when the webview
 * is reloaded (hidden and shown again, or reloaded by the user) it says `ready` again and the panel
 * replays the state, so `retainContextWhenHidden` is not needed.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import type { Profile } from '../core/profile';
import type { Comparison } from '../core/analyze/compare-types';
import type { FromWebview, ToWebview } from '../core/protocol/webview';
import type { SessionEvent } from '../core/session/types';
import { renderWebviewHtml } from './engine';
import { profileLabel } from './session-store';
import type { Log } from './log';
import { checkMessage } from './webview-guard';

type LiveMessage = Extract<ToWebview, { type: 'live' }>;
type StatusMessage = Extract<ToWebview, { type: 'status' }>;

type Content =
  | { kind: 'empty' }
  | {
      kind: 'session';
      title: string;
      live: LiveMessage[];
      status: StatusMessage | null;
      profile: Profile | null;
      error: string | null;
    }
  | { kind: 'profile'; profile: Profile; finding: string | null }
  | { kind: 'compare'; before: Profile; after: Profile; comparison: Comparison };

/** Live samples kept for replay after a webview reload (one a second: 15 minutes). */
const MAX_LIVE = 900;

export interface PanelActions {
  /** A validated message that needs the extension (open a file, apply a fix, cancel …). */
  handle(message: FromWebview, panel: ReportPanel): Promise<void>;
}

export class ReportPanel implements vscode.Disposable {
  static readonly viewType = 'perfLens.report';
  private panel: vscode.WebviewPanel | null = null;
  private ready = false;
  private content: Content = { kind: 'empty' };

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly log: Log,
    private readonly actions: PanelActions,
  ) {}

  /** The profile on show (for validating fix requests), if any. */
  get profile(): Profile | null {
    switch (this.content.kind) {
      case 'session':
        return this.content.profile;
      case 'profile':
        return this.content.profile;
      case 'compare':
        return this.content.after;
      default:
        return null;
    }
  }

  get visible(): boolean {
    return this.panel?.visible ?? false;
  }

  reveal(): void {
    this.ensurePanel(this.title()).reveal(undefined, false);
  }

  /** A new session starts: the panel opens at once and fills as events arrive. */
  startSession(title: string): void {
    this.content = { kind: 'session', title, live: [], status: null, profile: null, error: null };
    this.resetWebview(title);
  }

  /** Forward one session event (live breakdown, progress, the final profile). */
  sessionEvent(event: SessionEvent): void {
    if (this.content.kind !== 'session') return;
    switch (event.type) {
      case 'live': {
        const msg: LiveMessage = { type: 'live', sample: event.sample, threads: event.threads, perCpu: event.perCpu };
        this.content.live.push(msg);
        if (this.content.live.length > MAX_LIVE) this.content.live.splice(0, this.content.live.length - MAX_LIVE);
        this.post(msg);
        break;
      }
      case 'progress': {
        const msg: StatusMessage = {
          type: 'status',
          phase: event.phase,
          fraction: event.fraction,
          message: event.message,
        };
        this.content.status = msg;
        this.post(msg);
        break;
      }
      case 'done':
        this.content.profile = event.profile;
        this.post({ type: 'profile', profile: event.profile });
        break;
      default:
        break;
    }
  }

  sessionFailed(message: string): void {
    if (this.content.kind !== 'session') return;
    this.content.error = message;
    this.post({ type: 'error', message });
  }

  showProfile(profile: Profile, finding: string | null = null): void {
    this.content = { kind: 'profile', profile, finding };
    this.resetWebview(this.title());
  }

  showCompare(before: Profile, after: Profile, comparison: Comparison): void {
    this.content = { kind: 'compare', before, after, comparison };
    this.resetWebview(this.title());
  }

  /** Bring the panel up at a finding of the profile on show. */
  showFinding(findingId: string): void {
    if (this.content.kind === 'profile') this.content.finding = findingId;
    this.reveal();
    this.post({ type: 'showFinding', findingId });
  }

  private title(): string {
    switch (this.content.kind) {
      case 'session':
        return this.content.title;
      case 'profile':
        return `Perf Lens: ${profileLabel(this.content.profile)}`;
      case 'compare':
        return 'Perf Lens: compare';
      default:
        return 'Perf Lens';
    }
  }

  private resetWebview(title: string): void {
    const panel = this.ensurePanel(title);
    panel.title = title;
    if (this.ready) this.replay();
    panel.reveal(undefined, true);
  }

  private webviewOptions(): vscode.WebviewOptions & vscode.WebviewPanelOptions {
    return {
      enableScripts: true,
      enableFindWidget: true,
      localResourceRoots: [
        vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'),
        vscode.Uri.joinPath(this.extensionUri, 'media'),
      ],
    };
  }

  private ensurePanel(title: string): vscode.WebviewPanel {
    if (this.panel) return this.panel;
    const panel = vscode.window.createWebviewPanel(
      ReportPanel.viewType,
      title,
      { viewColumn: vscode.ViewColumn.Active, preserveFocus: true },
      this.webviewOptions(),
    );
    this.attach(panel);
    return panel;
  }

  /**
   * A panel VS Code restored after a window reload: show `profile` in it (the last saved one), or close it
   * when there is none.
   */
  restore(panel: vscode.WebviewPanel, profile: Profile | null): void {
    if (!profile || this.panel) {
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.content = { kind: 'profile', profile, finding: null };
    this.attach(panel);
    panel.title = this.title();
  }

  private attach(panel: vscode.WebviewPanel): void {
    const webviewRoot = vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview');
    panel.iconPath = vscode.Uri.joinPath(this.extensionUri, 'media', 'perf-lens.svg');
    this.panel = panel;
    this.ready = false;
    const webview = panel.webview;
    webview.html = renderWebviewHtml({
      nonce: randomBytes(18).toString('base64'),
      cspSource: webview.cspSource,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'main.js')).toString(),
      styleUris: ['main.css', 'codicon.css', 'uPlot.min.css']
        .map((f) => vscode.Uri.joinPath(webviewRoot, f))
        .filter((uri) => existsSync(uri.fsPath))
        .map((uri) => webview.asWebviewUri(uri).toString()),
      mode: 'vscode',
    });
    const listeners = [webview.onDidReceiveMessage((raw: unknown) => this.receive(raw))];
    listeners.push(
      panel.onDidDispose(() => {
        for (const l of listeners) l.dispose();
        if (this.panel === panel) {
          this.panel = null;
          this.ready = false;
        }
      }),
    );
  }

  private receive(raw: unknown): void {
    const checked = checkMessage(raw);
    if (!checked.ok) {
      this.log.warn(`panel: ${checked.reason}`);
      return;
    }
    const message = checked.value;
    switch (message.type) {
      case 'ready':
        this.ready = true;
        this.replay();
        return;
      case 'log':
        this.log[message.level === 'error' ? 'error' : message.level === 'warn' ? 'warn' : 'info'](
          `webview: ${message.message}`,
        );
        return;
      default:
        this.actions.handle(message, this).catch((e: unknown) => {
          this.log.error(e instanceof Error ? e : String(e));
          void vscode.window.showErrorMessage(`Perf Lens: ${e instanceof Error ? e.message : String(e)}`);
        });
    }
  }

  /** Send everything the webview needs to show the current content (after `ready`). */
  private replay(): void {
    const kind = vscode.window.activeColorTheme.kind;
    const theme =
      kind === vscode.ColorThemeKind.Light || kind === vscode.ColorThemeKind.HighContrastLight
        ? 'light'
        : kind === vscode.ColorThemeKind.HighContrast
          ? 'high-contrast'
          : 'dark';
    this.post({ type: 'init', mode: 'vscode', theme });
    const c = this.content;
    switch (c.kind) {
      case 'session':
        for (const live of c.live) this.post(live);
        if (c.status) this.post(c.status);
        if (c.profile) this.post({ type: 'profile', profile: c.profile });
        if (c.error) this.post({ type: 'error', message: c.error });
        break;
      case 'profile':
        this.post({ type: 'profile', profile: c.profile });
        if (c.finding) this.post({ type: 'showFinding', findingId: c.finding });
        break;
      case 'compare':
        this.post({ type: 'compare', before: c.before, after: c.after, comparison: c.comparison });
        break;
      default:
        break;
    }
  }

  private post(message: ToWebview): void {
    if (!this.panel || !this.ready) return; // replayed on `ready`
    void this.panel.webview.postMessage(message);
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
