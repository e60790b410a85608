/**
 * From a finding to the source: open a location the webview names, show where a fix applies, and apply
 * a fix as the language server's own code action — an ordinary, undoable WorkspaceEdit on a workspace
 * file. Requests are checked first: the finding and fix must belong to the profile on show, and every
 * file touched must be inside the workspace.
 */
import { existsSync } from 'node:fs';
import * as vscode from 'vscode';
import { lineAfterEdits } from './line-after-edits';
import type { Profile } from '../core/profile';
import type { FixLocation } from '../core/protocol/lsp';
import { fixSnippet } from './engine';
import type { PerfLensLanguageClient } from './language-client';
import type { Log } from './log';
import type { FixRequest } from './command-args';
import { checkEditTarget, checkFixRequest, resolveSourcePath } from './webview-guard';

function workspaceFolders(): string[] {
  return (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
}

export class FixActions {
  constructor(
    private readonly client: PerfLensLanguageClient,
    private readonly log: Log,
  ) {}

  async openSource(file: string, line: number | null): Promise<void> {
    const checked = resolveSourcePath(file, workspaceFolders(), existsSync);
    if (!checked.ok) {
      this.log.warn(`openSource refused: ${checked.reason}`);
      void vscode.window.showWarningMessage(`Perf Lens: cannot open ${file}: ${checked.reason}.`);
      return;
    }
    const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(checked.value));
    const pos = new vscode.Position(Math.max(0, (line ?? 1) - 1), 0);
    await vscode.window.showTextDocument(doc, {
      selection: new vscode.Range(pos, pos),
      viewColumn: vscode.ViewColumn.One,
    });
  }

  private async locate(request: FixRequest): Promise<{ uri: vscode.Uri; position: vscode.Position } | string> {
    let location: FixLocation | null = null;
    if (request.uri !== undefined && request.line !== undefined)
      location = { uri: request.uri, line: request.line, character: 0 };
    else location = await this.client.findFixLocation({ findingId: request.findingId, fixId: request.fixId });
    if (!location) return `no place in the workspace's source matches "${request.fixId}" for this profile`;
    let uri: vscode.Uri;
    try {
      uri = vscode.Uri.parse(location.uri, true);
    } catch {
      return `the language server gave an invalid location ${JSON.stringify(location.uri.slice(0, 200))}`;
    }
    if (uri.scheme !== 'file') return `${uri.toString()} is not a workspace file`;
    const inside = checkEditTarget(uri.fsPath, workspaceFolders());
    if (!inside.ok) return inside.reason;
    return { uri, position: new vscode.Position(Math.max(0, location.line), Math.max(0, location.character)) };
  }

  async showInSource(profile: Profile | null, request: FixRequest): Promise<void> {
    const ok = checkFixRequest(profile, request.findingId, request.fixId);
    if (!ok.ok) return this.refuse('show in source', ok.reason);
    const where = await this.locate(request);
    if (typeof where === 'string') return this.refuse('show in source', where);
    const doc = await vscode.workspace.openTextDocument(where.uri);
    await vscode.window.showTextDocument(doc, {
      selection: new vscode.Range(where.position, where.position),
      viewColumn: vscode.ViewColumn.One,
    });
  }

  /**
   * Apply a fix: ask the language server for its code actions at the fix's location and apply the one for
   * this fix. The edit goes through `workspace.applyEdit`, so it is undoable and touches only open buffers.
   */
  async applyFix(profile: Profile | null, request: FixRequest): Promise<boolean> {
    const ok = checkFixRequest(profile, request.findingId, request.fixId);
    if (!ok.ok) {
      this.refuse('apply fix', ok.reason);
      return false;
    }
    const where = await this.locate(request);
    if (typeof where === 'string') {
      this.refuse('apply fix', where);
      return false;
    }
    const doc = await vscode.workspace.openTextDocument(where.uri);
    const editor = await vscode.window.showTextDocument(doc, { viewColumn: vscode.ViewColumn.One });
    const range = doc.lineAt(Math.min(where.position.line, doc.lineCount - 1)).range;
    const actions =
      (await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>(
        'vscode.executeCodeActionProvider',
        where.uri,
        range,
        vscode.CodeActionKind.QuickFix.value,
      )) ?? [];
    const title = fixSnippet(request.fixId)?.title;
    const candidates = actions.filter(
      (a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof a.command === 'string'),
    );
    const matchesFix = (a: vscode.CodeAction) =>
      (title !== undefined && a.title.includes(title)) ||
      a.title.includes(request.fixId) ||
      (a.diagnostics ?? []).some((d) => {
        const code = typeof d.code === 'object' && d.code !== null ? d.code.value : d.code;
        return code === request.fixId || code === request.findingId;
      });
    const action = candidates.find(matchesFix);
    if (!action) {
      this.log.warn(
        `applyFix: code actions at ${where.uri.fsPath}:${where.position.line + 1}: ${candidates.map((a) => JSON.stringify(a.title)).join(', ') || 'none'}`,
      );
      this.refuse(
        'apply fix',
        `the language server offers no "${title ?? request.fixId}" action at ${vscode.workspace.asRelativePath(where.uri)}:${where.position.line + 1}`,
      );
      return false;
    }
    if (action.edit) {
      for (const [uri] of action.edit.entries()) {
        const inside = checkEditTarget(uri.fsPath, workspaceFolders());
        if (uri.scheme !== 'file' || !inside.ok) {
          this.refuse('apply fix', `its edit would change ${uri.toString()}, outside the workspace`);
          return false;
        }
      }
      if (!(await vscode.workspace.applyEdit(action.edit))) {
        this.refuse('apply fix', 'the editor rejected the edit (the file changed meanwhile?)');
        return false;
      }
    }
    if (action.command)
      await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
    this.log.info(
      `applied fix ${request.fixId} for ${request.findingId} in ${where.uri.fsPath} (undo with Ctrl+Z; not saved)`,
    );
    // Show the fixed hot spot: lines the edit inserted above it have moved it down.
    const moved = lineAfterEdits(action.edit?.get(where.uri) ?? [], where.position.line);
    const at = doc.lineAt(Math.min(moved, doc.lineCount - 1)).range;
    editor.selection = new vscode.Selection(at.start, at.start);
    editor.revealRange(at, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return true;
  }

  async copySnippet(fixId: string): Promise<void> {
    const fix = fixSnippet(fixId);
    if (!fix) return this.refuse('copy snippet', `unknown fix "${fixId}"`);
    await vscode.env.clipboard.writeText(fix.snippet);
    void vscode.window.showInformationMessage(`Perf Lens: copied the "${fix.title}" snippet.`);
  }

  private refuse(what: string, reason: string): void {
    this.log.warn(`${what} refused: ${reason}`);
    void vscode.window.showWarningMessage(`Perf Lens: cannot ${what}: ${reason}.`);
  }
}
