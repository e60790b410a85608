/**
 * Where a line ends up after a workspace edit: a quick fix may insert helpers far above the line it was
 * offered on (coalesce-eventfd-wakeups adds ~35 lines above the loop), and the editor should then show the
 * changed hot spot, not whatever slid into its old line number.
 */
export interface LineEdit {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}

function newlines(text: string): number {
  let n = 0;
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) n++;
  return n;
}

/** The 0-based line `line` moves to once `edits` (non-overlapping, in the original coordinates) apply. */
export function lineAfterEdits(edits: readonly LineEdit[], line: number): number {
  let shift = 0;
  for (const e of edits) {
    // Only edits that end before the line's first character move it; one within the line keeps it.
    const ends = e.range.end;
    if (ends.line < line || (ends.line === line && ends.character === 0)) {
      shift += newlines(e.newText) - (e.range.end.line - e.range.start.line);
    }
  }
  return Math.max(0, line + shift);
}
