/**
 * The Processes view: the target host's processes sorted by CPU, refreshed about every 2 s while the view
 * is visible (never while hidden), filterable. Items carry `perfLens.process` for their context menu.
 */
import * as vscode from 'vscode';
import type { Hosts } from './hosts';
import { NOT_LINUX_MESSAGE, localHostUnsupported } from './hosts';
import type { ConfigService } from './config';
import { listProcesses } from './engine';
import { errorMessage } from './format';
import type { Log } from './log';
import { describeProcess, filterProcesses, type ProcessEntry } from './targets';

const REFRESH_MS = 2000;
/** Rows shown at most; the filter finds the rest. */
const MAX_ROWS = 200;

export class ProcessItem extends vscode.TreeItem {
  constructor(readonly process: ProcessEntry) {
    const d = describeProcess(process);
    super(d.label, vscode.TreeItemCollapsibleState.None);
    this.id = `pid-${process.pid}`;
    this.description = d.description;
    this.tooltip = new vscode.MarkdownString().appendText(
      `${d.label} — PID ${process.pid}\n${d.description}\n\n${d.detail}`,
    );
    this.contextValue = 'perfLens.process';
    this.iconPath = new vscode.ThemeIcon((process.cpu ?? 0) >= 50 ? 'flame' : 'server-process');
    this.accessibilityInformation = { label: `${d.label}, PID ${process.pid}, ${d.description}` };
  }
}

export class ProcessView implements vscode.TreeDataProvider<ProcessItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<ProcessItem>;
  private processes: ProcessEntry[] = [];
  private filter = '';
  private timer: NodeJS.Timeout | null = null;
  private inFlight: AbortController | null = null;
  private readonly disposables: vscode.Disposable[] = [];
  private lastError: string | null = null;
  private listedHost: string | null;

  constructor(
    private readonly hosts: Hosts,
    private readonly config: ConfigService,
    private readonly log: Log,
  ) {
    this.listedHost = config.get().sshTarget;
    this.view = vscode.window.createTreeView('perfLens.processes', { treeDataProvider: this, showCollapseAll: false });
    this.disposables.push(
      this.view,
      this.changed,
      this.view.onDidChangeVisibility((e) => (e.visible ? this.start() : this.pause())),
      config.onDidChange((c) => {
        // Only a different host makes the list stale; other settings leave it (and open menus) alone.
        if (c.sshTarget === this.listedHost) return;
        this.listedHost = c.sshTarget;
        this.processes = [];
        this.updateDescription();
        this.changed.fire();
        if (this.view.visible) void this.refresh();
      }),
    );
    if (this.view.visible) this.start();
  }

  getTreeItem(item: ProcessItem): vscode.TreeItem {
    return item;
  }

  getChildren(element?: ProcessItem): ProcessItem[] {
    if (element) return [];
    return filterProcesses(this.processes, this.filter)
      .slice(0, MAX_ROWS)
      .map((p) => new ProcessItem(p));
  }

  /** The current list (for the picker, which avoids a second listing when it is fresh). */
  snapshot(): ProcessEntry[] {
    return this.processes;
  }

  async setFilter(): Promise<void> {
    const value = await vscode.window.showInputBox({
      title: 'Filter processes',
      prompt: 'Name, PID, user, :port or part of the command line',
      value: this.filter,
    });
    if (value === undefined) return;
    this.applyFilter(value);
  }

  applyFilter(value: string): void {
    this.filter = value.trim();
    void vscode.commands.executeCommand('setContext', 'perfLens.processFilterActive', this.filter !== '');
    this.updateDescription();
    this.changed.fire();
  }

  private updateDescription(): void {
    this.view.description = this.filter ? `${this.hosts.describe()} · filter "${this.filter}"` : this.hosts.describe();
  }

  private start(): void {
    this.updateDescription();
    if (this.timer) return;
    void this.refresh();
  }

  private pause(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    this.inFlight = null;
  }

  /** List now; then again REFRESH_MS after this listing ends, while visible. */
  async refresh(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.inFlight?.abort();
    const abort = new AbortController();
    this.inFlight = abort;
    try {
      if (localHostUnsupported(this.config.get().sshTarget)) {
        this.view.message = NOT_LINUX_MESSAGE;
        this.processes = [];
        return;
      }
      const host = this.hosts.forView();
      this.processes = await listProcesses(host, abort.signal);
      this.view.message = undefined;
      if (this.lastError) this.log.info('processes: listing works again');
      this.lastError = null;
    } catch (e) {
      if (abort.signal.aborted) return;
      const message = errorMessage(e);
      if (message !== this.lastError) this.log.warn(`processes: ${message}`);
      this.lastError = message;
      this.view.message = `Cannot list processes on ${this.hosts.describe()}: ${message}`;
    } finally {
      if (this.inFlight === abort) {
        this.inFlight = null;
        this.changed.fire();
        if (this.view.visible) this.timer = setTimeout(() => void this.refresh(), REFRESH_MS);
      }
    }
  }

  dispose(): void {
    this.pause();
    for (const d of this.disposables) d.dispose();
  }
}
