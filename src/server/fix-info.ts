/**
 * What the server needs from the fix catalog (src/core/fixes): titles, snippets, and whether a fix has
 * an edit recipe. Unknown ids yield null; the server then shows the id and offers no edit.
 */
import type { FixDefinition, FixId } from '../core/fixes/types';

export type FixInfo = Pick<FixDefinition, 'id' | 'title' | 'snippet' | 'recipe' | 'informational'>;

const RECIPE_IDS: readonly FixId[] = [
  'coalesce-eventfd-wakeups',
  'batch-submissions',
  'sqpoll',
  'send-zc',
  'tcp-nodelay',
];

let catalog: (id: string) => FixInfo | null = () => null;

/** Installs the catalog lookup (done once by the server and the CLI at start-up). */
export function useFixCatalog(lookup: (id: string) => FixInfo | null): void {
  catalog = lookup;
}

export function fixInfo(id: string): FixInfo | null {
  try {
    return catalog(id);
  } catch {
    return null;
  }
}

export function fixTitle(id: string): string {
  return fixInfo(id)?.title ?? id;
}

/**
 * The title's head for tight places like a lens: `Coalesce wake-ups: write the eventfd only when…` →
 * `Coalesce wake-ups`, `Kernel bypass (DPDK, AF_XDP) — information only` → `Kernel bypass (DPDK, AF_XDP)`.
 */
export function fixShortTitle(id: string): string {
  const title = fixTitle(id);
  const cut = title.search(/: | — /);
  return cut > 0 ? title.slice(0, cut) : title;
}

/** True when the server has an edit recipe for this fix id (whatever the catalog says about it). */
export function hasRecipe(id: string): id is FixId {
  return (RECIPE_IDS as readonly string[]).includes(id);
}
