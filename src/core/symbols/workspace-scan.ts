/**
 * Finds and indexes the C/C++ files under some folders, bounded (file count, file size, depth) and
 * polite (yields to the event loop between files, so a language server keeps answering).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Parser } from 'web-tree-sitter';
import type { SyntaxTree } from './cpp-parser';
import { extractDefinitions, type FunctionDefinition } from './cpp-definitions';
import type { DefinitionIndex } from './definition-index';
import { buildMacroTable, collectMacros, neutralizeMacros, type MacroDefinition, type MacroTable } from './macros';

export const CPP_EXTENSIONS = new Set([
  '.c',
  '.cc',
  '.cpp',
  '.cxx',
  '.c++',
  '.cp',
  '.h',
  '.hh',
  '.hpp',
  '.hxx',
  '.h++',
  '.ipp',
  '.tpp',
  '.inl',
  '.ixx',
  '.cppm',
]);

/** Folder names never descended into: build outputs, dependencies, VCS and editor caches. */
export const DEFAULT_EXCLUDED_DIRS = [
  'node_modules',
  '.git',
  '.hg',
  '.svn',
  'build',
  'builds',
  'out',
  'dist',
  'target',
  'CMakeFiles',
  '.cache',
  '.ccls-cache',
  '.clangd',
  '.vscode',
  '.idea',
  '.run',
];

export interface ScanOptions {
  maxFiles?: number;
  maxFileBytes?: number;
  maxDepth?: number;
  /** Extra folder names (exact) to skip; `cmake-build-*` and `bazel-*` are always skipped. */
  excludeDirs?: readonly string[];
  signal?: AbortSignal;
}

export const DEFAULT_MAX_FILES = 10_000;
export const DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024;

export function isCppFile(path: string): boolean {
  return CPP_EXTENSIONS.has(extname(path).toLowerCase());
}

function excluded(name: string, extra: ReadonlySet<string>): boolean {
  return (
    extra.has(name) ||
    DEFAULT_EXCLUDED_DIRS.includes(name) ||
    name.startsWith('cmake-build-') ||
    name.startsWith('bazel-')
  );
}

export interface ScanResult {
  files: string[];
  /** Files over `maxFileBytes`, not indexed. */
  tooLarge: string[];
  /** True when `maxFiles` stopped the scan. */
  truncated: boolean;
}

/** Lists C/C++ files under the roots (breadth-first, symlinked folders not followed). */
export async function listCppFiles(roots: readonly string[], options: ScanOptions = {}): Promise<ScanResult> {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const maxDepth = options.maxDepth ?? 32;
  const extra = new Set(options.excludeDirs ?? []);
  const result: ScanResult = { files: [], tooLarge: [], truncated: false };
  const queue: Array<{ dir: string; depth: number }> = roots.map((dir) => ({ dir, depth: 0 }));
  while (queue.length > 0) {
    if (options.signal?.aborted) break;
    const { dir, depth } = queue.shift()!;
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue; // unreadable folder: skip, never fail the scan
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < maxDepth && !excluded(e.name, extra)) queue.push({ dir: path, depth: depth + 1 });
        continue;
      }
      if (!e.isFile() || !isCppFile(e.name)) continue;
      if (result.files.length >= maxFiles) {
        result.truncated = true;
        return result;
      }
      try {
        const s = await stat(path);
        if (s.size > maxBytes) result.tooLarge.push(path);
        else result.files.push(path);
      } catch {
        // vanished between readdir and stat
      }
    }
  }
  return result;
}

/**
 * Parses one file's text and extracts its definitions (the tree is freed before returning). Macro uses
 * known from `macros` (plus the file's own `#define`s) are neutralised first; positions are unchanged.
 */
export function definitionsOf(parser: Parser, text: string, macros?: MacroTable): FunctionDefinition[] {
  const tree = parseText(parser, prepareSource(text, macros));
  if (!tree) return [];
  try {
    return extractDefinitions(tree);
  } finally {
    tree.delete();
  }
}

/**
 * Parses a string in chunks: web-tree-sitter's own string input slices the whole remainder for every
 * 10 KB it copies, quadratic in the file size.
 */
export function parseText(parser: Parser, text: string): SyntaxTree | null {
  return parser.parse((index) => (index < text.length ? text.slice(index, index + 4096) : ''));
}

/** The text the parser should see: same length and lines, macro uses neutralised (see macros.ts). */
export function prepareSource(text: string, macros?: MacroTable): string {
  const own = collectMacros(text);
  let table = macros;
  if (own.length > 0) table = buildMacroTable([...(macros?.defs.values() ?? []), ...own]);
  return neutralizeMacros(text, table ?? EMPTY_TABLE);
}

const EMPTY_TABLE: MacroTable = { kinds: new Map(), defs: new Map() };

/** Characters of source kept in memory between the two indexing passes. */
const TEXT_BUDGET = 64 * 1024 * 1024;

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export interface IndexStats {
  files: number;
  definitions: number;
  tooLarge: string[];
  truncated: boolean;
  unreadable: string[];
  milliseconds: number;
  /** Macros defined in the workspace (attribute/structural ones are neutralised before parsing). */
  macros: MacroTable;
}

/** Collects the `#define`s of all files (a cheap first pass, so a header's API macro is known everywhere). */
export async function collectWorkspaceMacros(files: readonly string[], signal?: AbortSignal): Promise<MacroTable> {
  const defs: MacroDefinition[] = [];
  for (const path of files) {
    if (signal?.aborted) break;
    try {
      defs.push(...collectMacros(await readFile(path, 'utf8')));
    } catch {
      // unreadable: the second pass reports it
    }
  }
  return buildMacroTable(defs);
}

/**
 * Indexes every C/C++ file under the roots into `index`. `skip(path)` lets a caller keep its own
 * (newer) version of a file, e.g. an editor buffer.
 */
/** Parses off the main thread (the language server's worker pool). */
export interface ParallelParser {
  readonly size: number;
  setMacros(defs: MacroDefinition[]): void;
  parse(text: string): Promise<FunctionDefinition[]>;
}

export interface IndexOptions extends ScanOptions {
  /** Files the caller has a newer version of (e.g. an editor buffer): not indexed from disk. */
  skip?: (path: string) => boolean;
  parallel?: ParallelParser;
  /** Sees each file's text once, as it is read (e.g. to note which rules may apply to it). */
  onText?: (path: string, text: string) => void;
}

export async function indexWorkspace(
  parser: Parser,
  index: DefinitionIndex,
  roots: readonly string[],
  options: IndexOptions = {},
): Promise<IndexStats> {
  const t0 = performance.now();
  const scan = await listCppFiles(roots, options);
  // Read every file once, up to a memory budget: the macro pass needs all texts before the first parse
  // (a header's API macro is used everywhere); past the budget the parse pass reads again.
  const texts = new Map<string, string>();
  const defines: MacroDefinition[] = [];
  let kept = 0;
  const unreadable = new Set<string>();
  for (const path of scan.files) {
    if (options.signal?.aborted) break;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      unreadable.add(path);
      continue;
    }
    if (text.includes('define')) defines.push(...collectMacros(text));
    options.onText?.(path, text);
    if (kept + text.length <= TEXT_BUDGET) {
      texts.set(path, text);
      kept += text.length;
    }
  }
  const macros = buildMacroTable(defines);
  const parallel = options.parallel && options.parallel.size > 0 ? options.parallel : null;
  parallel?.setMacros(defines);
  let definitions = 0;
  let files = 0;

  const parseOne = async (text: string): Promise<FunctionDefinition[]> => {
    if (parallel && parallel.size > 0) {
      try {
        return await parallel.parse(text);
      } catch {
        // a worker failed: parse here instead
      }
    }
    const defs = definitionsOf(parser, text, macros);
    await yieldToEventLoop();
    return defs;
  };
  const indexOne = async (path: string): Promise<void> => {
    let text = texts.get(path);
    texts.delete(path);
    if (text === undefined) {
      try {
        text = await readFile(path, 'utf8');
      } catch {
        unreadable.add(path);
        return;
      }
    }
    if (options.skip?.(path)) return; // opened while we were reading
    const defs = await parseOne(text);
    if (options.skip?.(path)) return; // opened while it was parsed: the editor's version wins
    index.setFile(path, defs);
    definitions += defs.length;
    files++;
  };

  // A few jobs in flight per worker keeps every worker busy; without workers, one file at a time.
  const window = parallel ? parallel.size * 3 : 1;
  const inFlight = new Set<Promise<void>>();
  for (const path of scan.files) {
    if (options.signal?.aborted) break;
    if (options.skip?.(path) || unreadable.has(path)) continue;
    const job = indexOne(path).finally(() => inFlight.delete(job));
    inFlight.add(job);
    if (inFlight.size >= window) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return {
    files,
    definitions,
    tooLarge: scan.tooLarge,
    truncated: scan.truncated,
    unreadable: [...unreadable],
    milliseconds: performance.now() - t0,
    macros,
  };
}
