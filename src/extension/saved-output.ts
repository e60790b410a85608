/**
 * "Analyze Saved Output…": a Profile from tool outputs a user has — files (perf report, pidstat, strace -c,
 * mpstat, ss, nstat …), or the active editor's selection or text ("paste your perf report here").
 */
import * as vscode from 'vscode';
import type { Profile } from '../core/profile';
import { analyzeOutputs } from './engine';

/** Inputs bigger than this are refused here; the CLI streams large files. */
const MAX_BYTES = 256 * 1024 * 1024;

export async function chooseSavedOutput(): Promise<Array<{ name: string; text: string }> | undefined> {
  const editor = vscode.window.activeTextEditor;
  type Choice = vscode.QuickPickItem & { id: 'files' | 'selection' | 'editor' };
  const choices: Choice[] = [
    {
      id: 'files',
      label: '$(files) Choose Files…',
      description: 'perf report, perf script, pidstat, mpstat, strace -c, ss, nstat …',
    },
  ];
  if (editor && !editor.selection.isEmpty)
    choices.unshift({
      id: 'selection',
      label: '$(selection) Selected Text',
      description: vscode.workspace.asRelativePath(editor.document.uri),
    });
  if (editor && editor.document.getText().trim() !== '')
    choices.unshift({
      id: 'editor',
      label: '$(file) Active Editor',
      description: editor.document.isUntitled ? 'pasted text' : vscode.workspace.asRelativePath(editor.document.uri),
    });
  const picked =
    choices.length === 1
      ? choices[0]
      : await vscode.window.showQuickPick(choices, { title: 'Analyze Saved Output', placeHolder: 'What to analyze?' });
  if (!picked) return undefined;
  if (picked.id === 'files') {
    const uris = await vscode.window.showOpenDialog({
      canSelectMany: true,
      openLabel: 'Analyze',
      title: 'Tool outputs to analyze',
    });
    if (!uris || uris.length === 0) return undefined;
    const inputs: Array<{ name: string; text: string }> = [];
    for (const uri of uris) {
      const stat = await vscode.workspace.fs.stat(uri);
      if (stat.size > MAX_BYTES)
        throw new Error(
          `${uri.fsPath} is ${Math.round(stat.size / 1048576)} MiB; use "perf-lens analyze" in a terminal for files this large`,
        );
      inputs.push({ name: uri.fsPath, text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) });
    }
    return inputs;
  }
  const doc = editor!.document;
  const text = picked.id === 'selection' ? doc.getText(editor!.selection) : doc.getText();
  return [{ name: doc.isUntitled ? 'pasted text' : doc.uri.fsPath, text }];
}

export async function analyzeSavedOutput(): Promise<Profile | undefined> {
  const inputs = await chooseSavedOutput();
  if (!inputs) return undefined;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Perf Lens: analyzing saved output' },
    () => analyzeOutputs(inputs),
  );
}
