/**
 * The "Perf Lens" LogOutputChannel: what the extension did and every command it ran on the target
 * (argv, exit code, duration). Standard input — where a sudo password travels — is never logged.
 */
import * as vscode from 'vscode';
import type { CommandLogEntry, Host } from '../core/host/types';
import { formatCommandEntry } from './log-format';

export class Log implements vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Perf Lens', { log: true });
  }

  info(message: string): void {
    this.channel.info(message);
  }
  warn(message: string): void {
    this.channel.warn(message);
  }
  error(message: string | Error): void {
    this.channel.error(message instanceof Error ? (message.stack ?? message.message) : message);
  }
  debug(message: string): void {
    this.channel.debug(message);
  }

  /** Log every command the host runs until the returned disposable is disposed. */
  attachHost(host: Host): vscode.Disposable {
    const off = host.onCommand((entry: CommandLogEntry) => {
      // Inline scripts are long: the info line shows their size and first line, the debug level all of it.
      const line = formatCommandEntry(entry, false);
      if (entry.exitCode === 0 || entry.cancelled) this.channel.info(line);
      else this.channel.warn(line);
      if (this.channel.logLevel <= vscode.LogLevel.Debug) this.channel.debug(formatCommandEntry(entry, true));
    });
    return new vscode.Disposable(off);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
