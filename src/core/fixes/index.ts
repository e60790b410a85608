/** The fix catalog and what the analysis asks of it. */
import { FIXES } from './catalog';
import type { FixDefinition, FixId } from './types';

export { FIXES } from './catalog';
export type { FixDefinition, FixId } from './types';
export { fixApplicability, type FixApplicability, type HostFacts } from './applicability';

const byId = new Map<string, FixDefinition>(FIXES.map((f) => [f.id, f]));

/** The fix with this id, or undefined for an unknown id. */
export function getFix(id: string): FixDefinition | undefined {
  return byId.get(id);
}

export function isFixId(id: string): id is FixId {
  return byId.has(id);
}
