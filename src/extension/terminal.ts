/**
 * "Profile Process Running in This Terminal": the terminal's shell PID → the processes it runs (on this
 * machine, where the terminal's shell lives — under Remote-SSH that is the server) → one to profile.
 */
import * as vscode from 'vscode';
import { terminalProcesses } from './engine';
import { errorMessage } from './format';
import type { Hosts } from './hosts';
import type { Log } from './log';
import { describeProcess, type ProcessEntry } from './targets';
import { terminalCandidates } from './terminal-processes';

function asTerminal(arg: unknown): vscode.Terminal | undefined {
  if (arg && typeof arg === 'object' && 'processId' in arg && 'sendText' in arg) return arg as vscode.Terminal;
  return undefined;
}

/** Returns the process to profile, or undefined (after telling the user why). */
export async function pickTerminalProcess(arg: unknown, hosts: Hosts, log: Log): Promise<ProcessEntry | undefined> {
  const terminal = asTerminal(arg) ?? vscode.window.activeTerminal;
  if (!terminal) {
    void vscode.window.showInformationMessage('Perf Lens: open a terminal running the server first.');
    return undefined;
  }
  const shellPid = await terminal.processId;
  if (shellPid === undefined) {
    void vscode.window.showWarningMessage(
      `Perf Lens: the terminal "${terminal.name}" has no process (it may be a pseudo-terminal of an extension).`,
    );
    return undefined;
  }
  const host = hosts.forSession(true);
  const off = log.attachHost(host);
  let descendants: ProcessEntry[];
  try {
    descendants = await terminalProcesses(host, shellPid);
  } catch (e) {
    void vscode.window.showErrorMessage(`Perf Lens: ${errorMessage(e)}`);
    return undefined;
  } finally {
    off.dispose();
    void host.dispose();
  }
  const result = terminalCandidates(descendants);
  if (result.kind === 'none') {
    void vscode.window.showInformationMessage(`Perf Lens: ${result.message}`);
    return undefined;
  }
  if (result.kind === 'one') return result.process;
  const picked = await vscode.window.showQuickPick(
    result.processes.map((p) => ({ ...describeProcess(p), process: p })),
    {
      title: `Processes running in "${terminal.name}"`,
      placeHolder: 'Which one to profile?',
      matchOnDescription: true,
      matchOnDetail: true,
    },
  );
  return picked?.process;
}
