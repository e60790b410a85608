import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

/** 0-based line of the first line containing `needle` in a source file (so tests follow edits of it). */
export function lineOf(file: string, needle: string): number {
  const i = readFileSync(file, 'utf8')
    .split('\n')
    .findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} not in ${file}`);
  return i;
}
