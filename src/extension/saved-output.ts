/**
 * "Analyze Saved Output…": a Profile from tool outputs a user has — files (perf report, pidstat, strace -c,
 * mpstat, ss, nstat …), or the active editor's selection or text ("paste your perf report here").
 */
import * as vscode from 'vscode';
import type { Profile } from '../core/profile';
import { analyzeFiles, analyzeText } from './engine';

type Input = { kind: 'files'; paths: string[] } | { kind: 'text'; text: string; name: string };

export async function chooseSavedOutput(): Promise<Input | undefined> {
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
    const nonFile = uris.find((u) => u.scheme !== 'file');
    if (nonFile) throw new Error(`${nonFile.toString()} is not a local file`);
    return { kind: 'files', paths: uris.map((u) => u.fsPath) };
  }
  const doc = editor!.document;
  const text = picked.id === 'selection' ? doc.getText(editor!.selection) : doc.getText();
  return { kind: 'text', text, name: doc.isUntitled ? 'pasted text' : vscode.workspace.asRelativePath(doc.uri) };
}

export async function analyzeSavedOutput(): Promise<Profile | undefined> {
  const input = await chooseSavedOutput();
  if (!input) return undefined;
  return vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'Perf Lens: analyzing saved output' },
    () => (input.kind === 'files' ? analyzeFiles(input.paths) : analyzeText(input.text)),
  );
}
