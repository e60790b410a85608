/**
 * FlameGraph conformance: every input × option of upstream's test suite (78 cases, copied unchanged into
 * ../shared/conformance/flamegraph), folded by our collapser and compared byte for byte with upstream's
 * expected output. For the 8 java --pid/--tid cases the expected files predate upstream PR #147 (see the
 * README there): our default (current upstream) behaviour must equal them after that PR's change, and the
 * legacy mode must equal them exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { collapseText, type CollapseOptions } from '../../../src/core/collect/stackcollapse';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const suite = resolve(repoRoot, '..', 'shared', 'conformance', 'flamegraph', 'test');
const OPTIONS = ['pid', 'tid', 'kernel', 'jit', 'all', 'addrs'] as const;

const inputs = readdirSync(suite)
  .filter((f) => f.endsWith('.txt'))
  .map((f) => f.slice(0, -4))
  .sort();

test('the conformance suite is all there (13 inputs × 6 options)', () => {
  assert.equal(inputs.length, 13);
  assert.equal(readdirSync(join(suite, 'results')).filter((f) => f.endsWith('.txt')).length, 78);
});

/**
 * What PR #147 changed: with --pid/--tid the root `java-…` frame now also gets `Lpkg/Class` → `pkg/Class`.
 * Renamed stacks can coincide, so counts are summed again and the lines re-sorted, as the script would.
 */
function applyPr147(expected: string): string {
  const sums = new Map<string, number>();
  for (const line of expected.split('\n')) {
    if (line === '') continue;
    const space = line.lastIndexOf(' ');
    let stack = line.slice(0, space);
    if (stack.startsWith('java')) {
      stack = stack
        .split(';')
        .map((f, i) => (i > 0 && f.startsWith('L') && f.includes('/') ? f.slice(1) : f))
        .join(';');
    }
    sums.set(stack, (sums.get(stack) ?? 0) + Number(line.slice(space + 1)));
  }
  return [...sums]
    .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .map(([stack, count]) => `${stack} ${count}\n`)
    .join('');
}

for (const name of inputs) {
  for (const opt of OPTIONS) {
    test(`${name} --${opt}`, () => {
      // latin1: one char per byte, so the comparison is byte for byte.
      const input = readFileSync(join(suite, `${name}.txt`), 'latin1');
      const expected = readFileSync(join(suite, 'results', `${name}-collapsed-${opt}.txt`), 'latin1');
      const options: CollapseOptions = { [opt]: true };
      const actual = collapseText(input, options).text();
      const javaPidTid = (opt === 'pid' || opt === 'tid') && /java|vertx/.test(name);
      if (javaPidTid) {
        assert.equal(collapseText(input, { ...options, legacyJavaTidy: true }).text(), expected);
        assert.equal(actual, applyPr147(expected));
        assert.notEqual(actual, expected, 'the java case differs between the two upstream versions');
      } else {
        assert.equal(actual, expected);
      }
    });
  }
}
