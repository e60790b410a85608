/** The Sessions view: past profiles (process, time, verdict, duration), newest first. */
import * as vscode from 'vscode';
import type { SessionEntry, SessionStore } from './session-store';

export class SessionItem extends vscode.TreeItem {
  constructor(readonly entry: SessionEntry) {
    super(entry.label, vscode.TreeItemCollapsibleState.None);
    this.id = entry.id;
    const when = new Date(entry.createdAt);
    const time = Number.isNaN(when.getTime()) ? entry.createdAt : when.toLocaleString();
    const duration = entry.durationSeconds !== null ? ` · ${Math.round(entry.durationSeconds)} s` : '';
    this.description = `${time} · ${entry.verdictKind}${duration}${entry.partial ? ' · partial' : ''}`;
    this.tooltip = new vscode.MarkdownString()
      .appendText(
        `${entry.label} on ${entry.host}\n${time}${entry.origin === 'analyze' ? ' (from saved output)' : ''}\n\n`,
      )
      .appendText(entry.verdictSummary);
    this.contextValue = 'perfLens.session';
    this.iconPath = new vscode.ThemeIcon(
      entry.partial ? 'warning' : entry.origin === 'analyze' ? 'file-text' : 'pulse',
    );
    this.command = { command: 'perfLens.sessions.open', title: 'Open Report', arguments: [this] };
  }
}

export class SessionsView implements vscode.TreeDataProvider<SessionItem>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeTreeData = this.changed.event;
  readonly view: vscode.TreeView<SessionItem>;

  constructor(private readonly store: SessionStore) {
    this.view = vscode.window.createTreeView('perfLens.sessions', { treeDataProvider: this, canSelectMany: true });
  }

  refresh(): void {
    this.changed.fire();
  }

  getTreeItem(item: SessionItem): vscode.TreeItem {
    return item;
  }

  async getChildren(element?: SessionItem): Promise<SessionItem[]> {
    if (element) return [];
    return (await this.store.list()).map((e) => new SessionItem(e));
  }

  dispose(): void {
    this.view.dispose();
    this.changed.dispose();
  }
}
