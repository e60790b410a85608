/** Text helpers for recipes: indentation-aware statement insertion and replacement. */
import type { SyntaxNode } from '../../core/symbols/cpp-parser';
import { eol, indentationAt, indentUnit, nodeRange } from '../syntax';
import type { SourceFile } from '../workspace';
import type { EditBuilder } from './edit-builder';

export function lineIndent(src: SourceFile, node: SyntaxNode): string {
  return indentationAt(src.lines, node.startPosition.row);
}

/** Inserts whole lines (without indentation) before the line where `node` starts, indented like it. */
export function insertLinesBefore(edits: EditBuilder, src: SourceFile, node: SyntaxNode, lines: string[]): void {
  const indent = lineIndent(src, node);
  const nl = eol(src.text);
  edits.insert(
    src,
    { line: node.startPosition.row, character: 0 },
    lines.map((l) => (l ? indent + l : l) + nl).join(''),
  );
}

/** Inserts whole lines after the line where `node` ends, indented like the line `node` starts on. */
export function insertLinesAfter(
  edits: EditBuilder,
  src: SourceFile,
  node: SyntaxNode,
  lines: string[],
  indent?: string,
): void {
  const ind = indent ?? lineIndent(src, node);
  const nl = eol(src.text);
  const line = node.endPosition.row;
  const end = src.lines[line]?.length ?? 0;
  edits.insert(src, { line, character: end }, lines.map((l) => nl + (l ? ind + l : l)).join(''));
}

/** Replaces a node's text. */
export function replaceNode(edits: EditBuilder, src: SourceFile, node: SyntaxNode, text: string): void {
  edits.replace(src, nodeRange(node), text);
}

/** Original source text of a node (the parsed text may have macros blanked out). */
export function textOf(src: SourceFile, node: SyntaxNode): string {
  const r = nodeRange(node);
  if (r.start.line === r.end.line) return (src.lines[r.start.line] ?? '').slice(r.start.character, r.end.character);
  const parts = [(src.lines[r.start.line] ?? '').slice(r.start.character)];
  for (let l = r.start.line + 1; l < r.end.line; l++) parts.push(src.lines[l] ?? '');
  parts.push((src.lines[r.end.line] ?? '').slice(0, r.end.character));
  return parts.join('\n');
}

export function unit(src: SourceFile): string {
  return indentUnit(src.lines);
}

/** A variable name not used in `scopeText` (`base`, `base2`, …). */
export function freshName(scopeText: string, base: string): string {
  let name = base;
  for (let i = 2; new RegExp(`\\b${name}\\b`).test(scopeText); i++) name = `${base}${i}`;
  return name;
}
