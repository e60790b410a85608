/**
 * Collects text edits per document and produces a WorkspaceEdit with versioned document edits (the
 * editor refuses it if the buffer changed since) — ordinary edits, undoable in the editor.
 */
import type { Position, Range, TextDocumentEdit, WorkspaceEdit } from 'vscode-languageserver';
import type { SourceFile } from '../workspace';

interface PendingEdit {
  range: Range;
  newText: string;
  /** Insert as a snippet (placeholders) when the client supports snippet edits. */
  snippet: boolean;
}

export class EditBuilder {
  private readonly docs = new Map<string, { src: SourceFile; edits: PendingEdit[] }>();

  private entry(src: SourceFile) {
    let e = this.docs.get(src.uri);
    if (!e) this.docs.set(src.uri, (e = { src, edits: [] }));
    return e;
  }

  replace(src: SourceFile, range: Range, newText: string): this {
    this.entry(src).edits.push({ range, newText, snippet: false });
    return this;
  }

  insert(src: SourceFile, at: Position, newText: string): this {
    return this.replace(src, { start: at, end: at }, newText);
  }

  insertSnippet(src: SourceFile, at: Position, snippet: string): this {
    this.entry(src).edits.push({ range: { start: at, end: at }, newText: snippet, snippet: true });
    return this;
  }

  get isEmpty(): boolean {
    return this.docs.size === 0;
  }

  files(): SourceFile[] {
    return [...this.docs.values()].map((d) => d.src);
  }

  /** The edits as plain text edits applied to each file's text (for tests and the CLI). */
  applyToText(): Map<string, string> {
    const out = new Map<string, string>();
    for (const { src, edits } of this.docs.values())
      out.set(
        src.path,
        applyEdits(
          src.text,
          edits.map((e) => ({ range: e.range, newText: e.snippet ? snippetToText(e.newText) : e.newText })),
        ),
      );
    return out;
  }

  toWorkspaceEdit(snippetSupport: boolean): WorkspaceEdit {
    const documentChanges: TextDocumentEdit[] = [];
    for (const { src, edits } of this.docs.values()) {
      documentChanges.push({
        textDocument: { uri: src.uri, version: src.version },
        edits: edits.map((e) =>
          e.snippet && snippetSupport
            ? { range: e.range, snippet: { kind: 'snippet', value: e.newText } }
            : { range: e.range, newText: e.snippet ? snippetToText(e.newText) : e.newText },
        ),
      } as TextDocumentEdit);
    }
    return { documentChanges };
  }
}

/** Resolves `${1:default}` / `${1}` / `$1` / `$0` placeholders to their default text, unescaping `\\$ \\} \\\\`. */
export function snippetToText(snippet: string): string {
  let i = 0;
  // Reads until an unescaped `}` (when nested) or the end; returns the plain text.
  const read = (nested: boolean): string => {
    let out = '';
    while (i < snippet.length) {
      const c = snippet[i];
      if (c === '\\' && i + 1 < snippet.length && '$}\\'.includes(snippet[i + 1])) {
        out += snippet[i + 1];
        i += 2;
        continue;
      }
      if (nested && c === '}') {
        i++;
        return out;
      }
      if (c === '$') {
        let j = i + 1;
        if (snippet[j] === '{') {
          j++;
          const digits = j;
          while (j < snippet.length && snippet[j] >= '0' && snippet[j] <= '9') j++;
          if (j > digits && (snippet[j] === ':' || snippet[j] === '}')) {
            i = j + 1;
            if (snippet[j] === ':') out += read(true);
            continue;
          }
        } else {
          while (j < snippet.length && snippet[j] >= '0' && snippet[j] <= '9') j++;
          if (j > i + 1) {
            i = j;
            continue;
          }
        }
      }
      out += c;
      i++;
    }
    return out;
  };
  return read(false);
}

/** Escapes text for use inside a snippet. */
export function escapeSnippet(text: string): string {
  return text.replace(/[\\$}]/g, (c) => '\\' + c);
}

function offsetAt(lineStarts: number[], text: string, p: Position): number {
  const start = lineStarts[Math.min(p.line, lineStarts.length - 1)] ?? text.length;
  return Math.min(start + p.character, text.length);
}

/** Applies non-overlapping edits to a text (positions in UTF-16 units, like LSP). */
export function applyEdits(text: string, edits: Array<{ range: Range; newText: string }>): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  // Applied from the end so earlier offsets stay valid; inserts at one position keep their array order
  // in the result (LSP semantics), so the later one is applied first.
  const sorted = edits
    .map((e, order) => ({
      start: offsetAt(lineStarts, text, e.range.start),
      end: offsetAt(lineStarts, text, e.range.end),
      newText: e.newText,
      order,
    }))
    .sort((a, b) => b.start - a.start || b.end - a.end || b.order - a.order);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}
