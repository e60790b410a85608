/**
 * "Profile Process…": a searchable QuickPick of the target host's processes, busiest first, like the
 * debugger's attach picker (name, PID, CPU, threads, user, ports). Typing a PID, `:port` or an executable
 * path and pressing Enter works too.
 */
import * as vscode from 'vscode';
import type { TargetSpec } from '../core/session/types';
import { listProcesses } from './engine';
import { errorMessage } from './format';
import type { Hosts } from './hosts';
import {
  describeProcess,
  filterProcesses,
  parsePort,
  parseTargetInput,
  resolveInList,
  type ProcessEntry,
} from './targets';

type Item = vscode.QuickPickItem & { process?: ProcessEntry };

export interface PickedTarget {
  target: TargetSpec;
  label: string;
}

export function pickProcess(hosts: Hosts): Promise<PickedTarget | undefined> {
  const qp = vscode.window.createQuickPick<Item>();
  qp.title = `Profile Process on ${hosts.describe()}`;
  qp.placeholder = 'Search by name, PID, user or port — or type a PID, :port or /path/to/executable';
  qp.matchOnDescription = true;
  qp.matchOnDetail = true;
  qp.busy = true;
  const refresh: vscode.QuickInputButton = { iconPath: new vscode.ThemeIcon('refresh'), tooltip: 'Refresh' };
  qp.buttons = [refresh];
  let processes: ProcessEntry[] = [];
  const abort = new AbortController();

  const load = async () => {
    qp.busy = true;
    try {
      processes = filterProcesses(await listProcesses(hosts.forView(), abort.signal), '');
      qp.items = processes.map((p) => ({ ...describeProcess(p), process: p }));
    } catch (e) {
      if (!abort.signal.aborted) qp.items = [{ label: `$(error) ${errorMessage(e)}`, alwaysShow: true }];
    } finally {
      qp.busy = false;
    }
  };

  return new Promise<PickedTarget | undefined>((resolve) => {
    let settled = false;
    const finish = (value: PickedTarget | undefined) => {
      if (settled) return;
      settled = true;
      abort.abort();
      resolve(value);
      qp.dispose();
    };
    qp.onDidTriggerButton((b) => b === refresh && void load());
    qp.onDidAccept(() => {
      const item = qp.selectedItems[0] ?? qp.activeItems[0];
      if (item?.process) {
        finish({ target: { kind: 'pid', pid: item.process.pid }, label: `${item.process.name} (${item.process.pid})` });
        return;
      }
      const typed = parseTargetInput(qp.value);
      if (!typed) return; // keep the picker open: nothing usable yet
      if (typed.kind === 'pid') {
        const r = resolveInList(typed, processes);
        finish({
          target: typed,
          label: r.kind === 'one' ? `${r.process.name} (${r.process.pid})` : `PID ${typed.pid}`,
        });
      } else if (typed.kind === 'port') finish({ target: typed, label: `port ${typed.port}` });
      else if (typed.kind === 'exe') finish({ target: typed, label: typed.path.split('/').pop() || typed.path });
    });
    qp.onDidHide(() => finish(undefined));
    qp.show();
    void load();
  });
}

/** "Profile Process Listening on Port…": ask the port, show who listens there, then profile it. */
export async function pickPort(hosts: Hosts): Promise<PickedTarget | undefined> {
  const value = await vscode.window.showInputBox({
    title: `Profile the process listening on a port (${hosts.describe()})`,
    prompt: 'TCP port, e.g. 8080',
    validateInput: (v) => (parsePort(v) === null ? 'A port number from 1 to 65535' : null),
  });
  if (value === undefined) return undefined;
  const port = parsePort(value)!;
  let processes: ProcessEntry[] = [];
  try {
    processes = await listProcesses(hosts.forView());
  } catch (e) {
    void vscode.window.showErrorMessage(`Perf Lens: ${errorMessage(e)}`);
    return undefined;
  }
  const r = resolveInList({ kind: 'port', port }, processes);
  if (r.kind === 'none') {
    void vscode.window.showWarningMessage(`Perf Lens: ${r.message}`);
    return undefined;
  }
  if (r.kind === 'one')
    return { target: { kind: 'pid', pid: r.process.pid }, label: `${r.process.name} (${r.process.pid})` };
  const picked = await vscode.window.showQuickPick(
    r.processes.map((p) => ({ ...describeProcess(p), process: p })),
    { title: r.message, placeHolder: 'Which one?' },
  );
  return picked
    ? { target: { kind: 'pid', pid: picked.process.pid }, label: `${picked.process.name} (${picked.process.pid})` }
    : undefined;
}
