/**
 * matchHeader (by matchHeaderLinear for long lines)/matchFrame replace HEADER_RE/STACK_RE (quadratic backtracking on hostile lines) and must give
 * exactly the regexes' captures: on every line of the captured perf script outputs, and on random lines
 * built from the characters that steer the regexes (blanks, digits, slashes, parentheses, word characters).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  HEADER_RE,
  STACK_RE,
  matchFrame,
  matchHeader,
  matchHeaderLinear,
} from '../../../src/core/collect/stackcollapse';

const regexHeader = (l: string) => {
  const m = HEADER_RE.exec(l);
  return m ? [m[0], m[1], m[2], m[3]] : null;
};
const regexFrame = (l: string) => {
  const m = STACK_RE.exec(l);
  return m ? [m[0], m[1], m[2], m[3]] : null;
};

const dir = join(__dirname, '..', '..', 'fixtures', 'perf-script');
const lines = readdirSync(dir)
  .filter((f) => f.endsWith('.txt'))
  .flatMap((f) => readFileSync(join(dir, f), 'latin1').split('\n'));

test('the captured perf script lines: the same captures as the regexes', () => {
  assert.ok(lines.length > 1000, `${lines.length} lines`);
  let headers = 0;
  let frames = 0;
  for (const l of lines) {
    const h = matchHeaderLinear(l);
    assert.deepEqual(h, regexHeader(l), l);
    if (h) headers++;
    const f = matchFrame(l);
    assert.deepEqual(f, regexFrame(l), l);
    if (f) frames++;
  }
  assert.ok(headers >= 50 && frames > 1000, `${headers} headers, ${frames} frames`);
});

const steer = fc.constantFrom(
  ' ',
  ' ',
  '\t',
  '\r',
  '\v',
  '1',
  '2',
  '0',
  '/',
  '(',
  ')',
  ' (',
  'a',
  'x',
  '_',
  ':',
  '-',
  '.',
  '[',
  ']',
);
const randomLine = fc.array(steer, { maxLength: 40 }).map((a) => a.join(''));
const realish = fc
  .tuple(fc.constantFrom(...lines.filter((l) => l.length > 0 && l.length < 300)), fc.nat(), randomLine)
  .map(([l, at, ins]) => {
    const k = at % (l.length + 1);
    return l.slice(0, k) + ins + l.slice(k);
  });

test('random and mutated lines: the same captures as the regexes', () => {
  fc.assert(
    fc.property(fc.oneof(randomLine, realish), (l) => {
      assert.deepEqual(matchHeaderLinear(l), regexHeader(l));
      assert.deepEqual(matchFrame(l), regexFrame(l));
    }),
    { numRuns: 20_000 },
  );
});

test('hostile lines that made the regexes backtrack for seconds stay linear', () => {
  for (const l of [
    'x'.repeat(200_000),
    `x${' '.repeat(200_000)}y`,
    `  abc${' ('.repeat(100_000)}`,
    ` ${'x'.repeat(200_000)}`,
  ]) {
    // No timing assertion (speed is for benchmarks): these lines hung the old code for minutes, so
    // finishing at all is the check; the results are what the regexes give on short versions.
    assert.equal(matchHeader(l), null);
    assert.equal(matchFrame(l), null);
  }
});
