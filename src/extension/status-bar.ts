/** The status-bar item during a session: elapsed time and live %CPU; a click opens the panel. */
import * as vscode from 'vscode';
import { formatElapsed } from './format';

export class SessionStatusBar implements vscode.Disposable {
  private readonly item: vscode.StatusBarItem;
  private timer: NodeJS.Timeout | null = null;
  private startedAt = 0;
  private label = '';
  private cpu: number | null = null;
  private phase = '';

  constructor(showPanelCommand: string) {
    this.item = vscode.window.createStatusBarItem('perfLens.session', vscode.StatusBarAlignment.Left, 50);
    this.item.name = 'Perf Lens session';
    this.item.command = showPanelCommand;
  }

  start(label: string): void {
    this.startedAt = Date.now();
    this.label = label;
    this.cpu = null;
    this.phase = 'starting';
    this.render();
    this.item.show();
    this.timer ??= setInterval(() => this.render(), 1000);
  }

  update(values: { cpu?: number | null; phase?: string; label?: string }): void {
    if (values.cpu !== undefined) this.cpu = values.cpu;
    if (values.phase !== undefined) this.phase = values.phase;
    if (values.label !== undefined) this.label = values.label;
    this.render();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.item.hide();
  }

  private render(): void {
    const elapsed = formatElapsed(Date.now() - this.startedAt);
    const cpu = this.cpu === null ? '' : ` · ${this.cpu.toFixed(0)}% CPU`;
    this.item.text = `$(pulse) ${this.label} ${elapsed}${cpu}`;
    this.item.tooltip = new vscode.MarkdownString(
      `**Perf Lens** is profiling ${this.label.replace(/[\\`*_{}[\]()#+\-.!<>]/g, '\\$&')}\n\nPhase: ${this.phase} — click to open the panel`,
    );
  }

  dispose(): void {
    this.stop();
    this.item.dispose();
  }
}
