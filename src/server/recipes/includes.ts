/** Adds a system `#include <…>` to a file when it is missing, next to the file's other system includes. */
import type { SourceFile } from '../workspace';
import { eol } from '../syntax';
import type { EditBuilder } from './edit-builder';

export function ensureInclude(edits: EditBuilder, src: SourceFile, header: string): boolean {
  const already = new RegExp(`^\\s*#\\s*include\\s*[<"]${header.replace(/[.+]/g, (c) => '\\' + c)}[>"]`, 'm');
  if (already.test(src.text)) return false;
  const nl = eol(src.text);
  const system: Array<{ line: number; name: string }> = [];
  let lastInclude = -1;
  src.lines.forEach((l, i) => {
    const m = /^\s*#\s*include\s*<([^>]+)>/.exec(l);
    if (m) system.push({ line: i, name: m[1] });
    if (/^\s*#\s*include\b/.test(l)) lastInclude = i;
  });
  // Keep the run of its kind sorted: C headers (<netinet/in.h>, <sys/socket.h>) with C headers, C++
  // headers (<functional>, <vector>) with C++ headers, when the file has such a run.
  const isC = (name: string) => name.endsWith('.h');
  const sameKind = system.filter((s) => isC(s.name) === isC(header));
  const group = sameKind.length > 0 ? sameKind : system;
  if (group.length > 0) {
    const after = group.filter((s) => s.name < header).pop();
    const line = after ? after.line + 1 : group[0].line;
    edits.insert(src, { line, character: 0 }, `#include <${header}>${nl}`);
    return true;
  }
  const line = lastInclude >= 0 ? lastInclude + 1 : firstCodeLine(src);
  edits.insert(src, { line, character: 0 }, `#include <${header}>${nl}`);
  return true;
}

function firstCodeLine(src: SourceFile): number {
  let i = 0;
  while (i < src.lines.length && /^\s*(\/\/|#\s*pragma|$)/.test(src.lines[i])) i++;
  return i;
}
