/**
 * Where does a hot symbol live in the workspace? The one mapping used by the language server and by
 * `perf-lens annotate`.
 *
 * Order of evidence:
 *  1. perf's source line (debug info), mapped onto the workspace — unless it points into another
 *     function whose name disagrees with the symbol (inlined code) while the name itself can be placed;
 *  2. the exact qualified name (`io::v1::recv::await_suspend`);
 *  3. a suffix match (`Foo::bar` for a symbol `ns::Foo::bar`, e.g. definitions under `using namespace`);
 *  4. the bare name — shown with every candidate when it is ambiguous, never silently picked.
 * Overloads, coroutine parts and anonymous namespaces narrow the candidates when they can.
 */
import type { Hotspot } from '../profile';
import type { FunctionDefinition } from './cpp-definitions';
import type { DefinitionIndex, DefinitionRef } from './definition-index';
import { normalizeSymbol, paramKey, type NormalizedSymbol } from './normalize';
import { mapBuildPath, type PathMapEntry } from './path-map';

export type PlacementMethod = 'debug-info' | 'exact' | 'suffix' | 'name';

export interface PlacementTarget {
  file: string;
  /** Null when perf's line is outside every definition (the line itself is then the target). */
  def: FunctionDefinition | null;
  /** 0-based position of the anchor (definition start, or perf's line). */
  line: number;
  character: number;
}

export interface Placement {
  hotspot: Hotspot;
  symbol: NormalizedSymbol;
  status: 'placed' | 'ambiguous' | 'unplaced';
  method: PlacementMethod | null;
  /** One target when placed, all candidates when ambiguous, none when unplaced. */
  targets: PlacementTarget[];
  /** Why it is unplaced, or a note about the placement (e.g. the debug-info path was guessed). */
  reason: string | null;
}

export interface PlacementOptions {
  pathMap?: readonly PathMapEntry[];
}

function target(ref: DefinitionRef): PlacementTarget {
  return { file: ref.file, def: ref.def, line: ref.def.range.startLine, character: ref.def.range.startCharacter };
}

function sameArray(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** Number of equal trailing elements. */
function commonTail(a: readonly string[], b: readonly string[]): number {
  let n = 0;
  while (n < a.length && n < b.length && a[a.length - 1 - n] === b[b.length - 1 - n]) n++;
  return n;
}

function requiredParams(def: FunctionDefinition): number {
  return def.params.filter((p) => !p.includes('=') && p !== '...').length;
}

function acceptsCount(def: FunctionDefinition, n: number): boolean {
  if (def.params.includes('...')) return n >= requiredParams(def);
  return n >= requiredParams(def) && n <= def.params.length;
}

function paramScore(def: FunctionDefinition, keys: string[]): number {
  let score = 0;
  keys.forEach((k, i) => {
    const d = def.params[i];
    if (d !== undefined && paramKey(d.replace(/=.*$/, '')) === k) score++;
  });
  return score;
}

/** Keeps the subset satisfying `pred` when it is non-empty (narrowing never empties a candidate list). */
function narrow<T>(items: T[], pred: (x: T) => boolean): T[] {
  const kept = items.filter(pred);
  return kept.length > 0 ? kept : items;
}

function disambiguate(sym: NormalizedSymbol, refs: DefinitionRef[]): DefinitionRef[] {
  let c = refs;
  if (c.length > 1) c = narrow(c, (r) => r.def.anonymousNamespace === sym.anonymousNamespace);
  if (c.length > 1 && sym.coroutinePart) c = narrow(c, (r) => r.def.isCoroutine);
  if (c.length > 1 && c.some((r) => r.def.specialization.owner !== null || r.def.specialization.name !== null)) {
    // Explicit specialisations win for their own arguments; everything else is the primary template.
    const owner = sym.templateArgs[sym.path.length - 2] ?? null;
    const own = sym.templateArgs[sym.path.length - 1] ?? null;
    const exact = c.filter(
      (r) =>
        (r.def.specialization.owner !== null && r.def.specialization.owner === owner) ||
        (r.def.specialization.name !== null && r.def.specialization.name === own),
    );
    c =
      exact.length > 0
        ? exact
        : narrow(c, (r) => r.def.specialization.owner === null && r.def.specialization.name === null);
  }
  // A coroutine's actor/destroy parts take the frame, not the function's parameters.
  const params = sym.coroutinePart ? null : sym.params;
  if (c.length > 1 && params) {
    c = narrow(c, (r) => acceptsCount(r.def, params.length));
    if (c.length > 1) {
      const keys = params.map(paramKey);
      const scores = new Map(c.map((r) => [r, paramScore(r.def, keys)]));
      const best = Math.max(...scores.values());
      c = narrow(c, (r) => scores.get(r) === best);
    }
  }
  // A definition seen twice (same file and line) is one definition.
  const seen = new Set<string>();
  return c.filter((r) => {
    const key = `${r.file}:${r.def.range.startLine}:${r.def.range.startCharacter}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Descends from a function to the lambda the symbol names, as far as the source agrees. */
function resolveLambda(index: DefinitionIndex, ref: DefinitionRef, sym: NormalizedSymbol): DefinitionRef {
  if (!sym.lambda) return ref;
  const defs = index.definitions(ref.file);
  let cur = ref;
  for (let level = 0; level < sym.lambda.indices.length; level++) {
    const n = sym.lambda.indices[level];
    const sig = sym.lambda.signatures[level];
    const children = defs
      .map((def, i) => ({ def, i }))
      .filter((x) => x.def.kind === 'lambda' && x.def.parent === cur.index);
    const sameSig = children.filter((x) => x.def.lambdaSignature === sig);
    // GCC numbers all lambdas of a function in order; Clang numbers per signature.
    const pick =
      sameSig.find((x) => x.def.lambdaIndex === n) ??
      sameSig.find((x) => x.def.lambdaSignatureIndex === n) ??
      (sameSig.length === 1 ? sameSig[0] : undefined) ??
      children.find((x) => x.def.lambdaIndex === n) ??
      (children.length === 1 ? children[0] : undefined);
    if (!pick) break;
    cur = { file: ref.file, def: pick.def, index: pick.i };
  }
  return cur;
}

export interface NameMatch {
  method: 'exact' | 'suffix' | 'name';
  refs: DefinitionRef[];
}

/** Finds definitions for a normalised symbol by name alone. */
export function matchByName(index: DefinitionIndex, sym: NormalizedSymbol): NameMatch | null {
  if (sym.unmappable || sym.path.length === 0 || (sym.language !== 'cpp' && sym.language !== 'c')) return null;
  const all = index.lookup(sym.name);
  if (all.length === 0) return null;
  let method: NameMatch['method'] = 'name';
  let refs = all.filter((r) => sameArray(r.def.path, sym.path));
  if (refs.length > 0) method = 'exact';
  else {
    const best = Math.max(...all.map((r) => commonTail(r.def.path, sym.path)));
    if (best >= 2) {
      // Suffix: one path ends with the other (a definition written under `using namespace`, or a
      // symbol whose scope perf shortened).
      refs = all.filter((r) => {
        const n = commonTail(r.def.path, sym.path);
        return n === best && (n === r.def.path.length || n === sym.path.length);
      });
      if (refs.length > 0) method = 'suffix';
    }
    if (refs.length === 0) {
      // Bare name. A free function must not match a method of the same name and vice versa when the
      // symbol says which it is.
      refs = sym.path.length === 1 ? narrow(all, (r) => r.def.path.length === 1) : all;
      method = 'name';
    }
  }
  refs = disambiguate(sym, refs).map((r) => resolveLambda(index, r, sym));
  return refs.length > 0 ? { method, refs } : null;
}

function nameAgrees(ref: DefinitionRef, sym: NormalizedSymbol): boolean {
  if (sym.path.length === 0) return true;
  return ref.def.name === sym.name || commonTail(ref.def.path, sym.path) >= 1;
}

/** Places one hotspot. */
export function placeHotspot(index: DefinitionIndex, hotspot: Hotspot, options: PlacementOptions = {}): Placement {
  const symbol = normalizeSymbol(hotspot.symbol);
  const base = { hotspot, symbol };
  if (hotspot.kernel) {
    return { ...base, status: 'unplaced', method: null, targets: [], reason: 'kernel symbol (not in the workspace)' };
  }
  const byName = matchByName(index, symbol);

  if (hotspot.file && hotspot.line !== null && hotspot.line > 0) {
    const mapped = mapBuildPath(
      hotspot.file,
      options.pathMap ?? [],
      (p) => index.has(p),
      (b) => index.filesNamed(b),
    );
    if (mapped) {
      const line = hotspot.line - 1;
      const at = index.definitionAt(mapped.path, line);
      const note =
        mapped.alternatives.length > 0
          ? `debug-info path ${hotspot.file} also matches ${mapped.alternatives.join(', ')}`
          : null;
      if (at && (nameAgrees(at, symbol) || !byName)) {
        return { ...base, status: 'placed', method: 'debug-info', targets: [target(at)], reason: note };
      }
      if (!at && !byName) {
        return {
          ...base,
          status: 'placed',
          method: 'debug-info',
          targets: [{ file: mapped.path, def: null, line, character: 0 }],
          reason: note,
        };
      }
      // perf's line is inlined code of another function: the symbol's own definition is the better anchor.
    }
  }

  if (!byName) {
    let reason = symbol.unmappable;
    if (!reason) {
      reason =
        symbol.language === 'cpp' || symbol.language === 'c'
          ? `no definition of ${symbol.qualifiedName || symbol.raw} in the workspace`
          : 'not a C/C++ symbol';
    }
    return { ...base, status: 'unplaced', method: null, targets: [], reason };
  }
  if (byName.refs.length === 1) {
    return { ...base, status: 'placed', method: byName.method, targets: byName.refs.map(target), reason: null };
  }
  return {
    ...base,
    status: 'ambiguous',
    method: byName.method,
    targets: byName.refs.map(target),
    reason: `ambiguous: ${byName.refs.length} definitions`,
  };
}

export function placeHotspots(
  index: DefinitionIndex,
  hotspots: readonly Hotspot[],
  options: PlacementOptions = {},
): Placement[] {
  return hotspots.map((h) => placeHotspot(index, h, options));
}
