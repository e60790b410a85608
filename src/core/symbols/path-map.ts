/**
 * Maps a source path from debug info (the build machine's path, e.g. /build/app/src/x.cpp) onto a file
 * in the workspace: first through explicit prefix rules (`pathMap`), then by the longest matching tail
 * of path components among the indexed files.
 */
import { posix } from 'node:path';

export interface PathMapEntry {
  from: string;
  to: string;
}

export interface MappedPath {
  path: string;
  how: 'identical' | 'path-map' | 'suffix';
  /** Other workspace files that matched equally well (the mapping is then a guess). */
  alternatives: string[];
}

function components(p: string): string[] {
  return p.split(/[\\/]+/).filter((c) => c !== '' && c !== '.');
}

function withSlash(p: string): string {
  return p.endsWith('/') ? p : p + '/';
}

/**
 * @param exists tells whether a workspace path is a known (indexed) file.
 * @param filesNamed lists known files with a given base name.
 */
export function mapBuildPath(
  buildPath: string,
  pathMap: readonly PathMapEntry[],
  exists: (path: string) => boolean,
  filesNamed: (base: string) => string[],
): MappedPath | null {
  if (!buildPath) return null;
  const normalized = posix.normalize(buildPath.replace(/\\/g, '/'));
  const rules = [...pathMap].filter((r) => r.from).sort((a, b) => b.from.length - a.from.length);
  for (const rule of rules) {
    const from = posix.normalize(rule.from.replace(/\\/g, '/'));
    if (normalized === from || normalized.startsWith(withSlash(from))) {
      const rest = normalized.slice(from.length).replace(/^\/+/, '');
      const candidate = posix.join(rule.to.replace(/\\/g, '/'), rest);
      if (exists(candidate)) return { path: candidate, how: 'path-map', alternatives: [] };
    }
  }
  if (exists(normalized)) return { path: normalized, how: 'identical', alternatives: [] };

  const want = components(normalized);
  const base = want[want.length - 1];
  if (!base) return null;
  let best: string[] = [];
  let bestLen = 0;
  for (const file of filesNamed(base)) {
    const have = components(file);
    let n = 0;
    while (n < want.length && n < have.length && want[want.length - 1 - n] === have[have.length - 1 - n]) n++;
    if (n > bestLen) {
      bestLen = n;
      best = [file];
    } else if (n === bestLen && n > 0) {
      best.push(file);
    }
  }
  if (best.length === 0) return null;
  best.sort();
  return { path: best[0], how: 'suffix', alternatives: best.slice(1) };
}
