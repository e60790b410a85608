/**
 * CodeLens above each hot function:
 *   🔥 18.2% self · 31.0% total · <finding title> → <fix title>     (opens the finding in the panel)
 *   Apply fix: <fix title>                                          (when the finding has an applicable fix)
 */
import type { CodeLens } from 'vscode-languageserver';
import { ApplyFixCommand, ShowFindingCommand } from '../core/protocol/lsp';
import { fixInfo, fixShortTitle } from './fix-info';
import type { HotDefinition } from './hot-map';
import type { Anchor } from './recipes/types';
import type { ServerState } from './state';

export function percent(n: number): string {
  return `${n.toFixed(1)}%`;
}

/** The fix a lens names: the finding's first fix that is not information-only. */
export function primaryFix(fixes: string[]): string | null {
  return fixes.find((f) => !fixInfo(f)?.informational) ?? fixes[0] ?? null;
}

export function lensTitle(h: HotDefinition): string {
  const parts: string[] = [];
  const measured = h.hotspots.some((s) => s.self > 0 || s.children !== null);
  if (measured) {
    parts.push(`${percent(h.self)} self`);
    if (h.total !== null) parts.push(`${percent(h.total)} total`);
  }
  const finding = h.findings[0];
  if (finding) {
    const fix = primaryFix(finding.fixes);
    parts.push(fix ? `${finding.title} → ${fixShortTitle(fix)}` : finding.title);
  }
  if (h.candidates > 1) parts.push(`ambiguous: ${h.candidates} definitions`);
  const symbols = new Set(h.hotspots.filter((s) => s.self > 0 || s.children !== null).map((s) => s.symbol));
  const suffix = symbols.size > 1 ? ` (${symbols.size} symbols)` : '';
  return `🔥 ${parts.join(' · ')}${suffix}`;
}

export function codeLenses(state: ServerState, path: string): CodeLens[] {
  const hot = state.hot();
  const defs = hot?.byFile.get(path);
  if (!hot || !defs || defs.length === 0) return [];
  // Lenses never wait for the fix locations: without them the Apply lens carries no place and the
  // client asks perfLens/findFixLocation when clicked; the server refreshes lenses once they are known.
  const anchors: Map<string, Anchor | null> | null = state.anchorsIfReady();
  const lenses: CodeLens[] = [];
  for (const h of defs) {
    const range = { start: { line: h.line, character: h.character }, end: { line: h.line, character: h.character } };
    const finding = h.findings[0];
    const symbol = h.hotspots[0]?.symbol ?? '';
    lenses.push({
      range,
      command: finding
        ? { title: lensTitle(h), command: ShowFindingCommand, arguments: [{ findingId: finding.id, symbol }] }
        : { title: lensTitle(h), command: 'perfLens.showPanel', arguments: [] },
    });
    if (!finding) continue;
    const fixId = primaryFix(finding.fixes);
    if (!fixId || fixInfo(fixId)?.informational) continue;
    const anchor = anchors ? anchors.get(fixId) : undefined;
    // Known to apply nowhere (and no hot function to put the snippet at): no Apply lens.
    if (anchor === null) continue;
    lenses.push({
      range,
      command: {
        title: `Apply fix: ${fixShortTitle(fixId)}`,
        command: ApplyFixCommand,
        arguments: [
          anchor
            ? { findingId: finding.id, fixId, uri: anchor.uri, line: anchor.line }
            : { findingId: finding.id, fixId },
        ],
      },
    });
  }
  return lenses;
}
