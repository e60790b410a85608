/**
 * The definitions of a set of files, looked up by function name. Incremental: replacing or removing a
 * file touches only that file's entries.
 */
import { basename } from 'node:path';
import type { FunctionDefinition } from './cpp-definitions';

export interface DefinitionRef {
  /** Absolute file-system path. */
  file: string;
  def: FunctionDefinition;
  /** Index of `def` in its file's definition list (lambda `parent` fields refer to these). */
  index: number;
}

export class DefinitionIndex {
  private readonly files = new Map<string, FunctionDefinition[]>();
  private readonly byName = new Map<string, DefinitionRef[]>();
  private readonly byBasename = new Map<string, Set<string>>();

  get fileCount(): number {
    return this.files.size;
  }

  get definitionCount(): number {
    let n = 0;
    for (const defs of this.files.values()) n += defs.length;
    return n;
  }

  filePaths(): IterableIterator<string> {
    return this.files.keys();
  }

  has(file: string): boolean {
    return this.files.has(file);
  }

  definitions(file: string): FunctionDefinition[] {
    return this.files.get(file) ?? [];
  }

  setFile(file: string, defs: FunctionDefinition[]): void {
    this.removeFile(file);
    this.files.set(file, defs);
    const base = basename(file);
    let set = this.byBasename.get(base);
    if (!set) this.byBasename.set(base, (set = new Set()));
    set.add(file);
    defs.forEach((def, index) => {
      if (def.kind === 'lambda') return; // found through their enclosing function
      let list = this.byName.get(def.name);
      if (!list) this.byName.set(def.name, (list = []));
      list.push({ file, def, index });
    });
  }

  removeFile(file: string): void {
    const old = this.files.get(file);
    if (!old) return;
    this.files.delete(file);
    this.byBasename.get(basename(file))?.delete(file);
    const names = new Set(old.filter((d) => d.kind !== 'lambda').map((d) => d.name));
    for (const name of names) {
      const list = this.byName.get(name);
      if (!list) continue;
      const kept = list.filter((r) => r.file !== file);
      if (kept.length > 0) this.byName.set(name, kept);
      else this.byName.delete(name);
    }
  }

  /** Non-lambda definitions with this (canonical) name. */
  lookup(name: string): DefinitionRef[] {
    return this.byName.get(name) ?? [];
  }

  /** Indexed files with this base name. */
  filesNamed(base: string): string[] {
    return [...(this.byBasename.get(base) ?? [])];
  }

  /** The innermost definition (lambdas included) whose range contains the 0-based line. */
  definitionAt(file: string, line: number): DefinitionRef | null {
    const defs = this.files.get(file);
    if (!defs) return null;
    let best: DefinitionRef | null = null;
    defs.forEach((def, index) => {
      if (line < def.range.startLine || line > def.range.endLine) return;
      if (!best) {
        best = { file, def, index };
        return;
      }
      const b: FunctionDefinition = best.def;
      const span = def.range.endLine - def.range.startLine;
      const bestSpan = b.range.endLine - b.range.startLine;
      if (span < bestSpan || (span === bestSpan && def.range.startCharacter >= b.range.startCharacter)) {
        best = { file, def, index };
      }
    });
    return best;
  }
}
