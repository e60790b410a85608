/**
 * Finds and indexes the C/C++ files under some folders, bounded (file count, file size, depth) and
 * polite (yields to the event loop between files, so a language server keeps answering).
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Parser } from 'web-tree-sitter';
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
  const tree = parser.parse(prepareSource(text, macros));
  if (!tree) return [];
  try {
    return extractDefinitions(tree);
  } finally {
    tree.delete();
  }
}

/** The text the parser should see: same length and lines, macro uses neutralised (see macros.ts). */
export function prepareSource(text: string, macros?: MacroTable): string {
  const own = collectMacros(text);
  let table = macros;
  if (own.length > 0) table = buildMacroTable([...(macros?.defs.values() ?? []), ...own]);
  return neutralizeMacros(text, table ?? EMPTY_TABLE);
}

const EMPTY_TABLE: MacroTable = { kinds: new Map(), defs: new Map() };

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
export async function indexWorkspace(
  parser: Parser,
  index: DefinitionIndex,
  roots: readonly string[],
  options: ScanOptions & { skip?: (path: string) => boolean } = {},
): Promise<IndexStats> {
  const t0 = performance.now();
  const scan = await listCppFiles(roots, options);
  const macros = await collectWorkspaceMacros(scan.files, options.signal);
  const unreadable: string[] = [];
  let definitions = 0;
  let files = 0;
  for (const path of scan.files) {
    if (options.signal?.aborted) break;
    if (options.skip?.(path)) continue;
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch {
      unreadable.push(path);
      continue;
    }
    if (options.skip?.(path)) continue; // opened while we were reading
    const defs = definitionsOf(parser, text, macros);
    index.setFile(path, defs);
    definitions += defs.length;
    files++;
    await yieldToEventLoop();
  }
  return {
    files,
    definitions,
    tooLarge: scan.tooLarge,
    truncated: scan.truncated,
    unreadable,
    milliseconds: performance.now() - t0,
    macros,
  };
}
