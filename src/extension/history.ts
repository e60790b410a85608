/** The Sessions history in the extension's global storage, kept within the configured limits. */
import * as vscode from 'vscode';
import type { Profile } from '../core/profile';
import type { ConfigService } from './config';
import { DEFAULT_MAX_TOTAL_BYTES, SessionStore, type SessionEntry } from './session-store';

export class History implements vscode.Disposable {
  readonly store: SessionStore;
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChange = this.changed.event;
  private readonly subscription: vscode.Disposable;

  constructor(context: vscode.ExtensionContext, config: ConfigService) {
    const limits = () => ({ maxCount: config.get().historySize, maxTotalBytes: DEFAULT_MAX_TOTAL_BYTES });
    this.store = new SessionStore(vscode.Uri.joinPath(context.globalStorageUri, 'sessions').fsPath, limits());
    this.subscription = config.onDidChange(() => {
      this.store.setLimits(limits());
      void this.store.prune().then(() => this.changed.fire());
    });
  }

  async add(profile: Profile): Promise<SessionEntry> {
    const entry = await this.store.add(profile);
    this.changed.fire();
    return entry;
  }

  async remove(id: string): Promise<void> {
    await this.store.remove(id);
    this.changed.fire();
  }

  list(): Promise<SessionEntry[]> {
    return this.store.list();
  }

  load(id: string): Promise<Profile> {
    return this.store.load(id);
  }

  dispose(): void {
    this.subscription.dispose();
    this.changed.dispose();
  }
}
