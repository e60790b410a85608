/**
 * Quick fixes (kind `quickfix`): from a Perf Lens diagnostic, from a hot function whose finding has a
 * fix, or at the place a recipe applies. Each is an ordinary WorkspaceEdit built on the syntax tree
 * (or the catalog snippet to adapt, marked so in the title).
 */
import {
  CodeActionKind,
  type CodeAction,
  type CodeActionParams,
  type Diagnostic,
  type Range,
} from 'vscode-languageserver';
import { DIAGNOSTIC_SOURCE, type DiagnosticData } from './diagnostics';
import { fixInfo } from './fix-info';
import { buildFix, type FixEdit } from './recipes';
import type { Anchor } from './recipes/types';
import type { ServerState } from './state';
import { uriToPath } from './workspace';

function intersects(r: Range, startLine: number, endLine: number): boolean {
  return r.start.line <= endLine && r.end.line >= startLine;
}

function isOurDiagnostic(d: Diagnostic): d is Diagnostic & { data: DiagnosticData } {
  const data = d.data as Partial<DiagnosticData> | undefined;
  return d.source === DIAGNOSTIC_SOURCE && typeof data?.findingId === 'string' && Array.isArray(data.fixIds);
}

export function actionTitle(fix: FixEdit): string {
  return fix.safe
    ? `Perf Lens: ${fix.title} (${fix.fixId})`
    : `Perf Lens: insert the ${fix.title} snippet (${fix.fixId}) — needs manual adaptation`;
}

export async function codeActions(state: ServerState, params: CodeActionParams): Promise<CodeAction[]> {
  const only = params.context.only;
  if (
    only &&
    !only.some((k) => k === CodeActionKind.QuickFix || CodeActionKind.QuickFix.startsWith(k + '.') || k === '')
  )
    return [];
  const profile = state.profile;
  const path = uriToPath(params.textDocument.uri);
  if (!profile || !path) return [];
  const wanted = new Map<string, { findingId: string; diagnostics: Diagnostic[] }>();
  const want = (fixId: string, findingId: string, d?: Diagnostic) => {
    if (fixInfo(fixId)?.informational) return;
    let w = wanted.get(fixId);
    if (!w) wanted.set(fixId, (w = { findingId, diagnostics: [] }));
    if (d) w.diagnostics.push(d);
  };
  for (const d of params.context.diagnostics) {
    if (!isOurDiagnostic(d)) continue;
    for (const fixId of d.data.fixIds.filter((x: unknown): x is string => typeof x === 'string').slice(0, 8))
      want(fixId, d.data.findingId, d);
  }
  const hot = state.hot();
  for (const h of hot?.byFile.get(path) ?? []) {
    const end = h.def ? h.def.range.endLine : h.line;
    if (!intersects(params.range, h.line, end)) continue;
    for (const f of h.findings) for (const fixId of f.fixes) want(fixId, f.id);
  }
  const anchors = await state.anchors();
  for (const [fixId, anchor] of anchors) {
    if (!anchor || anchor.file !== path || !intersects(params.range, anchor.line, anchor.endLine)) continue;
    const finding = profile.findings.find((f) => f.fixes.includes(fixId));
    if (finding) want(fixId, finding.id);
  }
  const actions: CodeAction[] = [];
  const ctx = state.recipeContext();
  for (const [fixId, w] of wanted) {
    const fallback: Anchor | null = state.findingAnchor(w.findingId);
    const fix = await buildFix(ctx, fixId, fallback);
    if (!fix) continue;
    actions.push({
      title: actionTitle(fix),
      kind: CodeActionKind.QuickFix,
      diagnostics: w.diagnostics.length > 0 ? w.diagnostics : undefined,
      isPreferred: fix.safe && w.diagnostics.length > 0,
      edit: fix.edits.toWorkspaceEdit(state.options.snippetSupport),
      data: { findingId: w.findingId, fixId, safe: fix.safe, note: fix.note },
    });
  }
  return actions;
}
