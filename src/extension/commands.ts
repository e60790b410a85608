/** Every Perf Lens command, registered in one place against the feature modules. */
import * as vscode from 'vscode';
import type { Profile } from '../core/profile';
import { compareProfiles } from './engine';
import { parseFindingArg, parseFixArgs } from './command-args';
import type { FixActions } from './fix-actions';
import { errorMessage } from './format';
import type { History } from './history';
import type { Hosts } from './hosts';
import type { PerfLensLanguageClient } from './language-client';
import type { Log } from './log';
import type { ReportPanel } from './panel';
import { pickPort, pickProcess } from './picker';
import type { ProcessItem, ProcessView } from './process-view';
import { analyzeSavedOutput } from './saved-output';
import type { SessionController, SessionRequest } from './session-controller';
import type { SessionEntry } from './session-store';
import type { SessionItem } from './sessions-view';
import { pickTerminalProcess } from './terminal';

export interface CommandDeps {
  log: Log;
  hosts: Hosts;
  panel: ReportPanel;
  sessions: SessionController;
  processView: ProcessView;
  history: History;
  fixes: FixActions;
  client: PerfLensLanguageClient;
  /** The profile the language server annotates (the last one shown or finished). */
  current(): Profile | null;
  setCurrent(profile: Profile, id: string): void;
}

/** Wraps a handler so a failure becomes one readable error message and a log entry, never an unhandled rejection. */
function guarded<A extends unknown[]>(
  log: Log,
  name: string,
  fn: (...args: A) => unknown,
): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      log.error(`${name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      const showLog = 'Show Log';
      if ((await vscode.window.showErrorMessage(`Perf Lens: ${errorMessage(e)}`, showLog)) === showLog) log.show();
    }
  };
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const profileAndRecord = async (request: SessionRequest) => {
    const profile = await d.sessions.start(request);
    if (profile && !request.liveOnly) await record(profile);
  };
  const record = async (profile: Profile) => {
    const entry = await d.history.add(profile);
    d.setCurrent(profile, entry.id);
  };
  const entryOf = (arg: unknown): SessionEntry | undefined =>
    arg && typeof arg === 'object' && 'entry' in arg ? (arg as SessionItem).entry : undefined;
  const processOf = (arg: unknown) =>
    arg && typeof arg === 'object' && 'process' in arg ? (arg as ProcessItem).process : undefined;
  const pickSession = async (title: string, exclude?: string): Promise<SessionEntry | undefined> => {
    const entries = (await d.history.list()).filter((e) => e.id !== exclude);
    if (entries.length === 0) {
      void vscode.window.showInformationMessage('Perf Lens: no saved profiles yet.');
      return undefined;
    }
    const picked = await vscode.window.showQuickPick(
      entries.map((e) => ({
        label: e.label,
        description: `${new Date(e.createdAt).toLocaleString()} · ${e.verdictKind}`,
        detail: e.verdictSummary,
        entry: e,
      })),
      { title, matchOnDescription: true },
    );
    return picked?.entry;
  };
  const compare = async (a: SessionEntry, b: SessionEntry) => {
    // Older first: "before" and "after".
    const [older, newer] = a.createdAt <= b.createdAt ? [a, b] : [b, a];
    const before = await d.history.load(older.id);
    const after = await d.history.load(newer.id);
    d.panel.showCompare(before, after, compareProfiles(before, after));
  };
  const reg = (id: string, fn: (...args: never[]) => unknown) =>
    vscode.commands.registerCommand(id, guarded(d.log, id, fn as (...args: unknown[]) => unknown));

  return [
    reg('perfLens.profileProcess', async () => {
      const picked = await pickProcess(d.hosts);
      if (picked) await profileAndRecord({ target: picked.target, label: picked.label });
    }),
    reg('perfLens.profilePort', async () => {
      const picked = await pickPort(d.hosts);
      if (picked) await profileAndRecord({ target: picked.target, label: picked.label });
    }),
    reg('perfLens.processes.profile', async (item: unknown) => {
      const p = processOf(item) ?? d.processView.view.selection[0]?.process;
      d.log.info(`Profile this process: ${p ? `${p.name} (PID ${p.pid})` : 'no process given; opening the picker'}`);
      if (!p) return vscode.commands.executeCommand('perfLens.profileProcess');
      await profileAndRecord({ target: { kind: 'pid', pid: p.pid }, label: `${p.name} (${p.pid})` });
    }),
    reg('perfLens.processes.liveBreakdown', async (item: unknown) => {
      const p = processOf(item) ?? d.processView.view.selection[0]?.process;
      if (!p) return;
      await profileAndRecord({ target: { kind: 'pid', pid: p.pid }, label: `${p.name} (${p.pid})`, liveOnly: true });
    }),
    reg('perfLens.processes.copyPid', async (item: unknown) => {
      const p = processOf(item) ?? d.processView.view.selection[0]?.process;
      if (p) await vscode.env.clipboard.writeText(String(p.pid));
    }),
    reg('perfLens.processes.refresh', () => d.processView.refresh()),
    reg('perfLens.processes.filter', () => d.processView.setFilter()),
    reg('perfLens.processes.clearFilter', () => d.processView.applyFilter('')),
    reg('perfLens.profileTerminalProcess', async (terminal: unknown) => {
      const p = await pickTerminalProcess(terminal, d.hosts, d.log);
      if (p)
        await profileAndRecord({ target: { kind: 'pid', pid: p.pid }, label: `${p.name} (${p.pid})`, local: true });
    }),
    reg('perfLens.stopProfiling', async () => {
      if (!d.sessions.isRunning) {
        void vscode.window.showInformationMessage('Perf Lens: no session is running.');
        return;
      }
      await d.sessions.stop();
    }),
    reg('perfLens.analyzeSavedOutput', async () => {
      const profile = await analyzeSavedOutput();
      if (!profile) return;
      await record(profile);
      d.panel.showProfile(profile);
    }),
    reg('perfLens.compareProfiles', async (item: unknown, selected: unknown) => {
      const chosen = Array.isArray(selected)
        ? selected.map(entryOf).filter((e): e is SessionEntry => e !== undefined)
        : [];
      if (chosen.length === 2) return compare(chosen[0], chosen[1]);
      const first = entryOf(item) ?? (await pickSession('Compare: the first profile (e.g. before the fix)'));
      if (!first) return;
      const second = await pickSession(`Compare ${first.label} with…`, first.id);
      if (second) await compare(first, second);
    }),
    reg('perfLens.sessions.compare', async (item: unknown, selected: unknown) =>
      vscode.commands.executeCommand('perfLens.compareProfiles', item, selected),
    ),
    reg('perfLens.sessions.open', async (item: unknown) => {
      const entry = entryOf(item) ?? (await pickSession('Open a saved profile'));
      if (!entry) return;
      const profile = await d.history.load(entry.id);
      d.setCurrent(profile, entry.id);
      d.panel.showProfile(profile);
    }),
    reg('perfLens.sessions.exportJson', async (item: unknown) => {
      const entry = entryOf(item) ?? (await pickSession('Export a saved profile'));
      if (!entry) return;
      const profile = await d.history.load(entry.id);
      const base = vscode.workspace.workspaceFolders?.[0]?.uri;
      const name = `perf-lens-${entry.label.replace(/[^A-Za-z0-9_.-]+/g, '-')}-${entry.id}.json`;
      const uri = await vscode.window.showSaveDialog({
        title: 'Export profile as JSON',
        defaultUri: base ? vscode.Uri.joinPath(base, name) : undefined,
        filters: { 'Perf Lens profile': ['json'] },
      });
      if (!uri) return;
      await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(`${JSON.stringify(profile, null, 2)}\n`));
      void vscode.window.showInformationMessage(
        `Perf Lens: exported ${entry.label} to ${vscode.workspace.asRelativePath(uri)}.`,
      );
    }),
    reg('perfLens.sessions.delete', async (item: unknown, selected: unknown) => {
      const chosen = Array.isArray(selected) && selected.length > 0 ? selected.map(entryOf) : [entryOf(item)];
      const entries = chosen.filter((e): e is SessionEntry => e !== undefined);
      if (entries.length === 0) return;
      const del = 'Delete';
      const what = entries.length === 1 ? entries[0].label : `${entries.length} profiles`;
      if (
        (await vscode.window.showWarningMessage(`Delete the saved profile of ${what}?`, { modal: true }, del)) !== del
      )
        return;
      for (const e of entries) await d.history.remove(e.id);
    }),
    reg('perfLens.openLastReport', async () => {
      const [last] = await d.history.list();
      if (!last) {
        void vscode.window.showInformationMessage('Perf Lens: no saved profiles yet. Profile a process first.');
        return;
      }
      const profile = await d.history.load(last.id);
      d.setCurrent(profile, last.id);
      d.panel.showProfile(profile);
    }),
    reg('perfLens.showPanel', () => d.panel.reveal()),
    reg('perfLens.showLog', () => d.log.show()),
    reg('perfLens.configureSshTarget', () =>
      vscode.commands.executeCommand('workbench.action.openSettings', 'perfLens.sshTarget'),
    ),
    reg('perfLens.showFinding', async (...args: unknown[]) => {
      const findingId = parseFindingArg(args);
      const profile = d.current();
      if (!findingId || !profile || !profile.findings.some((f) => f.id === findingId)) {
        d.log.warn(`showFinding refused: ${JSON.stringify(findingId ?? null)} is not a finding of the current profile`);
        return;
      }
      if (d.panel.profile !== profile) d.panel.showProfile(profile, findingId);
      d.panel.showFinding(findingId);
    }),
    reg('perfLens.applyFix', async (...args: unknown[]) => {
      const request = parseFixArgs(args);
      if (!request) {
        d.log.warn('applyFix refused: malformed arguments');
        return;
      }
      await d.fixes.applyFix(d.current(), request);
    }),
  ];
}
