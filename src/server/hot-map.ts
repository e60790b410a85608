/**
 * The current profile laid over the workspace: which definitions are hot, by how much, and which
 * findings concern them. Recomputed when the profile or the definition index changes.
 */
import type { Finding, Hotspot } from '../core/profile';
import type { ProfileNotificationParams } from '../core/protocol/lsp';
import type { FunctionDefinition } from '../core/symbols/cpp-definitions';
import type { DefinitionIndex } from '../core/symbols/definition-index';
import { findingConcerns, FindingsBySymbol, severityRank } from '../core/symbols/findings';
import type { NormalizedSymbol } from '../core/symbols/normalize';
import { placeHotspot, type Placement, type PlacementMethod } from '../core/symbols/placement';

export interface HotDefinition {
  file: string;
  def: FunctionDefinition | null;
  /** 0-based anchor. */
  line: number;
  character: number;
  hotspots: Hotspot[];
  /** Sum of the hotspots' self percentages (distinct symbols never share samples). */
  self: number;
  /** Largest total (children) percentage among them; null without call graphs. */
  total: number | null;
  findings: Finding[];
  method: PlacementMethod | null;
  /** Number of candidate definitions when the name was ambiguous (1 when placed). */
  candidates: number;
}

export interface HotMapOptions {
  /** Hotspots below this self AND total percentage get no lens (unless a finding names them). */
  minPercent: number;
  pathMap?: Array<{ from: string; to: string }>;
}

export class HotMap {
  readonly byFile = new Map<string, HotDefinition[]>();
  readonly placements: Placement[] = [];

  constructor(
    readonly profile: ProfileNotificationParams,
    index: DefinitionIndex,
    options: HotMapOptions,
  ) {
    const byFinding = new FindingsBySymbol(profile.findings);
    const findingsFor = (sym: NormalizedSymbol): Finding[] => byFinding.for(sym);

    const placedSymbols: NormalizedSymbol[] = [];
    const entries = new Map<string, HotDefinition>();
    const add = (placement: Placement, findings: Finding[]) => {
      for (const t of placement.targets) {
        const key = `${t.file}\0${t.line}\0${t.character}`;
        let e = entries.get(key);
        if (!e) {
          e = {
            file: t.file,
            def: t.def,
            line: t.line,
            character: t.character,
            hotspots: [],
            self: 0,
            total: null,
            findings: [],
            method: placement.method,
            candidates: placement.targets.length,
          };
          entries.set(key, e);
        }
        if (!e.hotspots.includes(placement.hotspot)) {
          e.hotspots.push(placement.hotspot);
          e.self += placement.hotspot.self;
          if (placement.hotspot.children !== null) e.total = Math.max(e.total ?? 0, placement.hotspot.children);
        }
        e.candidates = Math.max(e.candidates, placement.targets.length);
        for (const f of findings) if (!e.findings.includes(f)) e.findings.push(f);
      }
    };

    for (const h of profile.hotspots) {
      const p = placeHotspot(index, h, { pathMap: options.pathMap });
      this.placements.push(p);
      if (p.status === 'unplaced') continue;
      const findings = findingsFor(p.symbol);
      if (findings.length === 0 && h.self < options.minPercent && (h.children ?? 0) < options.minPercent) continue;
      placedSymbols.push(p.symbol);
      add(p, findings);
    }
    // Symbols a finding names that are not among the hotspots (e.g. a caller of a hot kernel path).
    for (const { finding, symbol: s } of byFinding.pairs()) {
      // Named by a hot symbol already (a lambda inside it does not count: the function gets its own lens).
      if (placedSymbols.some((p) => !p.lambda && findingConcerns(s, p))) continue;
      const pseudo: Hotspot = {
        symbol: s.raw,
        dso: '',
        kernel: false,
        self: 0,
        children: null,
        file: null,
        line: null,
        callers: [],
        threads: [],
      };
      const p = placeHotspot(index, pseudo, { pathMap: options.pathMap });
      if (p.status === 'unplaced') continue;
      this.placements.push(p);
      placedSymbols.push(p.symbol);
      add(p, [finding, ...findingsFor(p.symbol).filter((f) => f !== finding)]);
    }
    for (const e of entries.values()) {
      e.findings.sort((a, b) => severityRank(b.severity) - severityRank(a.severity));
      let list = this.byFile.get(e.file);
      if (!list) this.byFile.set(e.file, (list = []));
      list.push(e);
    }
    for (const list of this.byFile.values()) list.sort((a, b) => a.line - b.line || a.character - b.character);
  }

  /** Hot definitions of the finding, strongest first. */
  definitionsFor(findingId: string): HotDefinition[] {
    const out: HotDefinition[] = [];
    for (const list of this.byFile.values())
      for (const e of list) if (e.findings.some((f) => f.id === findingId)) out.push(e);
    return out.sort((a, b) => b.self - a.self || (b.total ?? 0) - (a.total ?? 0));
  }

  finding(findingId: string): Finding | null {
    return this.profile.findings.find((f) => f.id === findingId) ?? null;
  }
}
