/**
 * Everything the request handlers share: the workspace, the current profile laid over it (hot map),
 * and where each recommended fix applies — recomputed when either side changes, never per request.
 */
import type { ProfileNotificationParams } from '../core/protocol/lsp';
import { fixInfo } from './fix-info';
import { HotMap, type HotDefinition } from './hot-map';
import { locateFix } from './recipes';
import type { Anchor, RecipeContext } from './recipes/types';
import { pathToUri, type Workspace } from './workspace';

export interface ServerOptions {
  minPercent: number;
  pathMap: Array<{ from: string; to: string }>;
  snippetSupport: boolean;
}

export function hotAnchor(h: HotDefinition): Anchor {
  const r = h.def?.range;
  return {
    file: h.file,
    uri: pathToUri(h.file),
    line: h.line,
    character: h.character,
    endLine: r ? r.endLine : h.line,
    endCharacter: r ? r.endCharacter : h.character,
  };
}

export class ServerState {
  private profileParams: ProfileNotificationParams | null = null;
  private hotCache: { version: number; map: HotMap } | null = null;
  private anchorCache: {
    version: number;
    profile: ProfileNotificationParams;
    anchors: Promise<Map<string, Anchor | null>>;
    done: Map<string, Anchor | null> | null;
  } | null = null;

  constructor(
    readonly workspace: Workspace,
    readonly options: ServerOptions,
  ) {}

  get profile(): ProfileNotificationParams | null {
    return this.profileParams;
  }

  setProfile(p: ProfileNotificationParams | null): void {
    this.profileParams = p;
    this.hotCache = null;
    this.anchorCache = null;
  }

  /** The hot map for the current profile and index (cached until either changes). */
  hot(): HotMap | null {
    const p = this.profileParams;
    if (!p) return null;
    const version = this.workspace.version;
    if (this.hotCache?.version !== version || this.hotCache.map.profile !== p) {
      this.hotCache = {
        version,
        map: new HotMap(p, this.workspace.index, {
          minPercent: this.options.minPercent,
          pathMap: p.pathMap ?? this.options.pathMap,
        }),
      };
    }
    return this.hotCache.map;
  }

  recipeContext(): RecipeContext {
    return { workspace: this.workspace, hot: this.hot() };
  }

  /** Fix ids recommended by the profile's findings that are not information-only. */
  applicableFixIds(): string[] {
    const p = this.profileParams;
    if (!p) return [];
    const ids = new Set<string>();
    for (const f of p.findings) for (const id of f.fixes) if (!fixInfo(id)?.informational) ids.add(id);
    return [...ids];
  }

  /** Where a finding's hot function is (the fallback place for a fix's snippet). */
  findingAnchor(findingId: string): Anchor | null {
    const hot = this.hot();
    const defs = hot?.definitionsFor(findingId) ?? [];
    return defs.length > 0 ? hotAnchor(defs[0]) : null;
  }

  /** The anchors when already computed for this profile and index, else null (never waits). */
  anchorsIfReady(): Map<string, Anchor | null> | null {
    const c = this.anchorCache;
    if (!c || c.version !== this.workspace.version || c.profile !== this.profileParams || !c.done) return null;
    return c.done;
  }

  /** Anchors of all applicable fixes (fix id → anchor), cached per profile and index version. */
  anchors(): Promise<Map<string, Anchor | null>> {
    const p = this.profileParams;
    if (!p) return Promise.resolve(new Map());
    const version = this.workspace.version;
    if (this.anchorCache && this.anchorCache.version === version && this.anchorCache.profile === p)
      return this.anchorCache.anchors;
    const ctx = this.recipeContext();
    const anchors = (async () => {
      const out = new Map<string, Anchor | null>();
      for (const fixId of this.applicableFixIds()) {
        const finding = p.findings.find((f) => f.fixes.includes(fixId));
        out.set(fixId, await locateFix(ctx, fixId, finding ? this.findingAnchor(finding.id) : null));
      }
      return out;
    })();
    const entry: NonNullable<typeof this.anchorCache> = { version, profile: p, anchors, done: null };
    void anchors.then((m) => (entry.done = m));
    this.anchorCache = entry;
    return anchors;
  }
}
