/** Which findings concern a hot symbol (findings name symbols briefly, e.g. `IoUringExecutor::wakeThread`). */
import type { Finding, Severity } from '../profile';
import { normalizeSymbol, type NormalizedSymbol } from './normalize';

const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

export function severityRank(s: string): number {
  return SEVERITY_RANK[s as Severity] ?? 0;
}

/** Does a finding's symbol name this hot symbol (same name, or a qualified suffix of it)? */
export function findingConcerns(findingSymbol: NormalizedSymbol, hot: NormalizedSymbol): boolean {
  if (findingSymbol.raw.trim() === hot.raw.trim()) return true;
  const f = findingSymbol.path;
  const h = hot.path;
  if (f.length === 0 || h.length < f.length) return false;
  for (let i = 1; i <= f.length; i++) if (f[f.length - i] !== h[h.length - i]) return false;
  return true;
}

/** Index of findings by their symbols; `for(sym)` lists the findings concerning a symbol, most severe first. */
export class FindingsBySymbol {
  private readonly entries: Array<{ finding: Finding; symbols: NormalizedSymbol[] }>;

  constructor(findings: readonly Finding[]) {
    this.entries = findings.map((finding) => ({ finding, symbols: finding.symbols.map(normalizeSymbol) }));
  }

  for(sym: NormalizedSymbol): Finding[] {
    return this.entries
      .filter((e) => e.symbols.some((s) => findingConcerns(s, sym)))
      .map((e) => e.finding)
      .sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
  }

  /** Every (finding, symbol) pair, for symbols a finding names that are not hotspots themselves. */
  pairs(): Array<{ finding: Finding; symbol: NormalizedSymbol }> {
    return this.entries.flatMap((e) => e.symbols.map((symbol) => ({ finding: e.finding, symbol })));
  }
}
