/** Hover on a hot function: self/total, callers, threads and the findings, from the profile. */
import type { Hover, Position } from 'vscode-languageserver';
import { MarkupKind } from 'vscode-languageserver';
import { fixShortTitle } from './fix-info';
import type { HotDefinition } from './hot-map';
import { percent } from './lenses';
import type { ServerState } from './state';

/** Markdown-safe plain text (symbols and thread names come from the profiled process). */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+\-.!|~]/g, (c) => '\\' + c)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** A code span that cannot be broken out of, whatever backticks the text holds. */
export function codeSpan(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ').slice(0, 400);
  let fence = '`';
  while (clean.includes(fence)) fence += '`';
  return `${fence} ${clean} ${fence}`;
}

const METHOD_LABEL: Record<string, string> = {
  'debug-info': 'perf’s source line (debug info)',
  exact: 'exact qualified name',
  suffix: 'qualified-name suffix',
  name: 'function name only',
};

function contains(h: HotDefinition, pos: Position): boolean {
  const d = h.def;
  if (!d) return pos.line === h.line;
  // The signature lines (from the definition's start to the opening brace), not the whole body.
  const last = d.bodyRange ? d.bodyRange.startLine : d.range.endLine;
  return pos.line >= d.range.startLine && pos.line <= last;
}

export function hoverAt(state: ServerState, path: string, pos: Position): Hover | null {
  const hot = state.hot();
  const defs = hot?.byFile.get(path) ?? [];
  // Innermost first (a lambda's line is inside its function's range).
  const h = defs.filter((d) => contains(d, pos)).sort((a, b) => b.line - a.line)[0];
  if (!h || !hot) return null;
  const lines: string[] = [];
  const label = hot.profile.label ? ` — ${escapeMarkdown(hot.profile.label)}` : '';
  lines.push(`**🔥 Perf Lens**${label}`, '');
  for (const s of h.hotspots.slice(0, 8)) {
    const total = s.children !== null ? ` · ${percent(s.children)} total` : '';
    const measured = s.self > 0 || s.children !== null;
    lines.push(`- ${codeSpan(s.symbol)}${measured ? `: ${percent(s.self)} self${total}` : ''}`);
  }
  if (h.hotspots.length > 8) lines.push(`- … and ${h.hotspots.length - 8} more symbols`);
  const callers = [...new Set(h.hotspots.flatMap((s) => s.callers))].slice(0, 8);
  if (callers.length > 0) lines.push('', `**Callers:** ${callers.map(codeSpan).join(', ')}`);
  const threads = [...new Set(h.hotspots.flatMap((s) => s.threads))].slice(0, 12);
  if (threads.length > 0) lines.push('', `**Threads:** ${threads.map(escapeMarkdown).join(', ')}`);
  for (const f of h.findings.slice(0, 4)) {
    const fixes = f.fixes.length > 0 ? ` → ${f.fixes.map((x) => escapeMarkdown(fixShortTitle(x))).join(', ')}` : '';
    lines.push('', `**${escapeMarkdown(f.title)}** (${escapeMarkdown(f.severity)})${fixes}`);
    for (const e of f.evidence.slice(0, 3)) lines.push(`- ${escapeMarkdown(e)}`);
  }
  const how = h.method ? METHOD_LABEL[h.method] : null;
  const ambiguity = h.candidates > 1 ? ` — ambiguous: ${h.candidates} definitions match` : '';
  if (how) lines.push('', `_Mapped by ${how}${ambiguity}._`);
  return {
    contents: { kind: MarkupKind.Markdown, value: lines.join('\n') },
    range: { start: { line: h.line, character: h.character }, end: { line: h.line, character: h.character } },
  };
}
