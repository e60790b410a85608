import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEdits } from '../../../src/server/recipes/edit-builder';
import { lineAfterEdits, type LineEdit } from '../../../src/extension/line-after-edits';

const at = (line: number, character = 0) => ({ line, character });

/** Checks the computed line against the text the edits really produce. */
function check(text: string, edits: LineEdit[], marker: string, markerAfter = marker): void {
  const line = text.split('\n').findIndex((l) => l.includes(marker));
  assert.ok(line >= 0);
  const after = applyEdits(text, edits).split('\n');
  const moved = lineAfterEdits(edits, line);
  assert.ok(after[moved].includes(markerAfter), `${markerAfter} expected at ${moved}:\n${after.join('\n')}`);
}

const TEXT = ['#include <a>', 'int x;', 'void f() {', '    g();', '    wake(id);', '}', ''].join('\n');

test('lines inserted above move the line down; edits below or on it do not', () => {
  check(TEXT, [{ range: { start: at(1), end: at(1) }, newText: 'int y;\nint z;\n' }], 'wake(id)');
  check(TEXT, [{ range: { start: at(5), end: at(5) }, newText: '// below\n' }], 'wake(id)');
  check(
    TEXT,
    [{ range: { start: at(4, 4), end: at(4, 13) }, newText: 'if (e) {\n        wake(id);\n    }' }],
    'wake(id)',
    'if (e)',
  );
});

test('a replacement above that grows or shrinks counts its net lines', () => {
  check(
    TEXT,
    [
      { range: { start: at(3, 4), end: at(3, 8) }, newText: '// one\n    // two\n    g2();' },
      { range: { start: at(0), end: at(2) }, newText: 'int x;\n' },
    ],
    'wake(id)',
  );
});

test('an insertion at the very start of the line itself moves it', () => {
  check(TEXT, [{ range: { start: at(4), end: at(4) }, newText: '    // before\n' }], 'wake(id)');
});
