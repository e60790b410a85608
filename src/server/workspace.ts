/**
 * The server's view of the workspace's C/C++ sources: the definition index (built in the background,
 * bounded, yielding between files), open editor buffers (which win over disk), and parsed trees on
 * demand for the rules and recipes.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Parser } from 'web-tree-sitter';
import type { FunctionDefinition } from '../core/symbols/cpp-definitions';
import type { SyntaxTree } from '../core/symbols/cpp-parser';
import { DefinitionIndex } from '../core/symbols/definition-index';
import { buildMacroTable, collectMacros, type MacroTable } from '../core/symbols/macros';
import {
  definitionsOf,
  indexWorkspace,
  isCppFile,
  parseText,
  prepareSource,
  type IndexStats,
  type ParallelParser,
  type ScanOptions,
} from '../core/symbols/workspace-scan';

export function uriToPath(uri: string): string | null {
  if (!uri.startsWith('file:')) return null;
  try {
    return fileURLToPath(uri);
  } catch {
    return null;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).toString();
}

/** Words whose presence in a file makes it a candidate for a rule or recipe (checked without parsing). */
export const FEATURE_WORDS = [
  'eventfd',
  'write',
  /** Not a word: a name that looks like an eventfd (see EVENTFD_NAME). */
  'eventfd-ish',
  'io_uring_submit',
  'io_uring_prep_',
  'io_uring_wait_cqe',
  'accept',
  'io_uring_queue_init',
  'io_uring_setup',
  'TCP_NODELAY',
  'enqueue',
  'push',
  'fetch_add',
  'fetch_sub',
  'io_uring_prep_send',
  'setsockopt',
] as const;
export type FeatureWord = (typeof FEATURE_WORDS)[number];

export interface SourceFile {
  path: string;
  uri: string;
  text: string;
  /** Editor version for open documents, null for files read from disk. */
  version: number | null;
  lines: string[];
  /** The parse tree (cached; the same object while the text is unchanged). */
  tree(): SyntaxTree;
}

interface OpenDocument {
  uri: string;
  text: string;
  version: number;
}

const TREE_CACHE_SIZE = 24;
/** Buffers at least this long are re-parsed on an index worker (a 10k-line file takes ~100 ms). */
const OFF_THREAD_CHARS = 64 * 1024;

export class Workspace {
  readonly index = new DefinitionIndex();
  private macros: MacroTable = buildMacroTable([]);
  private readonly features = new Map<string, Set<FeatureWord>>();
  private readonly open = new Map<string, OpenDocument>();
  private readonly trees = new Map<string, { text: string; tree: SyntaxTree }>();
  private readonly listeners = new Set<(paths: string[]) => void>();
  private generation = 0;
  private readonly sequence = new Map<string, number>();
  private indexing: Promise<IndexStats | null> = Promise.resolve(null);
  private readonly abort = new AbortController();

  constructor(
    private readonly parser: Parser,
    readonly roots: string[],
    private readonly options: ScanOptions = {},
    /** Worker threads for the initial index (edits of open files are parsed here, they are small). */
    private readonly parallel?: ParallelParser,
  ) {}

  /** Changes whenever any file's definitions change (placements must be recomputed). */
  get version(): number {
    return this.generation;
  }

  /** Resolves when the initial background indexing has finished. */
  get ready(): Promise<IndexStats | null> {
    return this.indexing;
  }

  onDidChange(listener: (paths: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(paths: string[]): void {
    this.generation++;
    for (const l of this.listeners) l(paths);
  }

  /** Starts (or restarts) the background index of all roots. */
  indexAll(): Promise<IndexStats | null> {
    this.indexing = (async () => {
      if (this.roots.length === 0) return null;
      const stats = await indexWorkspace(this.parser, this.index, this.roots, {
        ...this.options,
        signal: this.abort.signal,
        skip: (p) => this.open.has(p),
        parallel: this.parallel,
        onText: (path, text) => this.features.set(path, featuresOf(text)),
      });
      this.macros = stats.macros;
      // Feature words are recorded lazily (see `filesWith`); open documents were indexed on open.
      this.changed([]);
      return stats;
    })();
    return this.indexing;
  }

  dispose(): void {
    this.abort.abort();
    for (const { tree } of this.trees.values()) tree.delete();
    this.trees.clear();
  }

  isOpen(path: string): boolean {
    return this.open.has(path);
  }

  /** An editor opened or changed a document: re-index it from the buffer. */
  setOpenDocument(uri: string, text: string, version: number): void {
    const path = uriToPath(uri);
    if (!path || !isCppFile(path)) return;
    this.open.set(path, { uri, text, version });
    this.reindex(path, text);
  }

  /** An editor closed a document: fall back to the file on disk. */
  async closeDocument(uri: string): Promise<void> {
    const path = uriToPath(uri);
    if (!path || !this.open.delete(path)) return;
    await this.refreshFromDisk(path);
  }

  /** A watched file was created, changed or deleted on disk. */
  async fileEvent(uri: string, kind: 'created' | 'changed' | 'deleted'): Promise<void> {
    const path = uriToPath(uri);
    if (!path || !isCppFile(path) || this.open.has(path)) return;
    if (kind === 'deleted') {
      this.forget(path);
      return;
    }
    if (!this.insideRoots(path)) return;
    await this.refreshFromDisk(path);
  }

  private insideRoots(path: string): boolean {
    return this.roots.some((r) => path === r || path.startsWith(r.endsWith('/') ? r : r + '/'));
  }

  private async refreshFromDisk(path: string): Promise<void> {
    try {
      const text = await readFile(path, 'utf8');
      if (this.open.has(path)) return;
      this.reindex(path, text);
    } catch {
      this.forget(path);
    }
  }

  private forget(path: string): void {
    this.sequence.set(path, (this.sequence.get(path) ?? 0) + 1); // a parse still in flight must not land
    this.index.removeFile(path);
    this.features.delete(path);
    this.dropTree(path);
    this.changed([path]);
  }

  private reindex(path: string, text: string): void {
    const own = collectMacros(text);
    if (own.some((d) => !this.macros.defs.has(d.name) || this.macros.defs.get(d.name)!.body !== d.body)) {
      this.macros = buildMacroTable([...this.macros.defs.values(), ...own]);
      this.parallel?.setMacros([...this.macros.defs.values()]);
    }
    // Edits can arrive faster than big files parse: only the latest text of a file may land.
    const seq = (this.sequence.get(path) ?? 0) + 1;
    this.sequence.set(path, seq);
    const land = (defs: FunctionDefinition[]) => {
      if (this.sequence.get(path) !== seq) return;
      this.index.setFile(path, defs);
      this.features.set(path, featuresOf(text));
      this.dropTree(path);
      this.changed([path]);
    };
    const inline = () => definitionsOf(this.parser, text, this.macros);
    if (this.parallel && this.parallel.size > 0 && text.length >= OFF_THREAD_CHARS) {
      this.parallel.parse(text).then(land, () => land(inline()));
    } else {
      land(inline());
    }
  }

  private dropTree(path: string): void {
    const cached = this.trees.get(path);
    if (cached) {
      cached.tree.delete();
      this.trees.delete(path);
    }
  }

  /** The current text of a file: the editor buffer when open, else the disk. */
  async source(path: string): Promise<SourceFile | null> {
    const doc = this.open.get(path);
    let text: string;
    let version: number | null = null;
    let uri: string;
    if (doc) {
      text = doc.text;
      version = doc.version;
      uri = doc.uri;
    } else {
      try {
        text = await readFile(path, 'utf8');
      } catch {
        return null;
      }
      uri = pathToUri(path);
    }
    if (!this.features.has(path)) this.features.set(path, featuresOf(text));
    const lines = text.split(/\r?\n/);
    return { path, uri, text, version, lines, tree: () => this.treeFor(path, text) };
  }

  private treeFor(path: string, text: string): SyntaxTree {
    const cached = this.trees.get(path);
    if (cached && cached.text === text) {
      // LRU: move to the end.
      this.trees.delete(path);
      this.trees.set(path, cached);
      return cached.tree;
    }
    this.dropTree(path);
    const tree = parseText(this.parser, prepareSource(text, this.macros));
    if (!tree) throw new Error(`tree-sitter could not parse ${path}`);
    this.trees.set(path, { text, tree });
    while (this.trees.size > TREE_CACHE_SIZE) {
      const [oldest, entry] = this.trees.entries().next().value as [string, { text: string; tree: SyntaxTree }];
      entry.tree.delete();
      this.trees.delete(oldest);
    }
    return tree;
  }

  /**
   * Indexed files whose text contains every word (checked without parsing; files not seen yet are
   * read once).
   */
  async filesWith(...words: FeatureWord[]): Promise<string[]> {
    const out: string[] = [];
    for (const path of [...this.index.filePaths()].sort()) {
      let f = this.features.get(path);
      if (!f) {
        const src = await this.source(path);
        if (!src) continue;
        f = this.features.get(path)!;
      }
      if (words.every((w) => f!.has(w))) out.push(path);
    }
    return out;
  }
}

/** Names the eventfd rules accept as an eventfd descriptor (kept in step with detect.ts). */
export const EVENTFD_NAME = /event_?fd|efd|evfd|wake_?fd|notify_?fd|wakeup_?fd/i;

function featuresOf(text: string): Set<FeatureWord> {
  const s = new Set<FeatureWord>();
  for (const w of FEATURE_WORDS) if (text.includes(w)) s.add(w);
  if (s.has('write') && EVENTFD_NAME.test(text)) s.add('eventfd-ish');
  return s;
}
