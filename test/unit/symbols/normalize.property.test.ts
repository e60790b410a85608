/**
 * Property tests: symbol normalisation never throws and never hangs, whatever perf (or a hostile
 * profile) hands it — random strings, bracket soup, real names mutated, templates nested very deep,
 * clone suffixes stacked, Rust and Go names mixed in.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  normalizeSymbol,
  splitTopLevel,
  stripTemplateArgs,
  type NormalizedSymbol,
} from '../../../src/core/symbols/normalize';
import { FIXTURES, readChildrenReport } from './perf-report-fixture';

function wellFormed(n: NormalizedSymbol, raw: string): void {
  assert.equal(n.raw, raw);
  // normalizeSymbol catches as a last resort; reaching it means a scanner threw — a bug.
  assert.notEqual(n.unmappable, 'unparsable symbol name', `internal error on ${JSON.stringify(raw.slice(0, 200))}`);
  assert.ok(Array.isArray(n.path));
  assert.ok(n.path.every((p) => typeof p === 'string'));
  assert.equal(n.templateArgs.length === 0 || n.templateArgs.length === n.path.length, true);
  assert.equal(n.name, n.path[n.path.length - 1] ?? '');
  assert.ok(['cpp', 'c', 'rust', 'go', 'unknown'].includes(n.language));
}

const realNames = [
  ...readChildrenReport(join(FIXTURES, 'tricky', 'perf-report-children.txt')),
  ...readChildrenReport(join(FIXTURES, 'tcp-demo', 'perf-report-children.txt')),
].map((h) => h.symbol);

const piece = fc.constantFrom(
  '::',
  '<',
  '>',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ' ',
  ',',
  '&',
  '*',
  '~',
  '#',
  '.',
  'operator',
  'operator<<',
  'operator()',
  '{lambda(',
  ')#1}',
  '(anonymous namespace)',
  ' [clone .cold]',
  ' [clone .actor]',
  '.isra.0',
  '.part.1',
  ' const',
  '[abi:cxx11]',
  'std',
  'Foo',
  'bar',
  '{{closure}}',
  '::h0123456789abcdef',
  'main.',
  '(*T)',
  '_Z',
  '@plt',
  '\u0000',
  '\u202e',
  '<script>',
);

describe('normalizeSymbol properties', () => {
  test('never throws on arbitrary strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => wellFormed(normalizeSymbol(s), s)),
      { numRuns: 2000 },
    );
  });

  test('never throws on bracket and keyword soup', () => {
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 120 }).map((a) => a.join('')),
        (s) => wellFormed(normalizeSymbol(s), s),
      ),
      { numRuns: 3000 },
    );
  });

  test('never throws on real captured names with characters inserted, deleted or swapped', () => {
    const mutated = fc
      .tuple(fc.constantFrom(...realNames), fc.array(fc.tuple(fc.nat(), fc.nat(), piece), { maxLength: 6 }))
      .map(([name, edits]) => {
        let s = name;
        for (const [at, len, ins] of edits) {
          const i = at % (s.length + 1);
          s = s.slice(0, i) + ins + s.slice(i + (len % 4));
        }
        return s;
      });
    fc.assert(
      fc.property(mutated, (s) => wellFormed(normalizeSymbol(s), s)),
      { numRuns: 3000 },
    );
  });

  test('templates nested 20 (and 2000) deep normalise to the plain path, in linear time', () => {
    for (const depth of [20, 200, 2000]) {
      const nested = 'Box<'.repeat(depth) + 'int' + ' >'.repeat(depth);
      const raw = `ns::${nested}::touch(unsigned long) const [clone .cold]`;
      const n = normalizeSymbol(raw);
      assert.deepEqual(n.path, ['ns', 'Box', 'touch']);
      assert.deepEqual(n.params, ['unsigned long']);
    }
  });

  test('unbalanced brackets of every kind are tolerated', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom('<', '>', '(', ')', '[', ']', '{', '}', 'a', '::'), { maxLength: 400 })
          .map((a) => a.join('')),
        (s) => {
          wellFormed(normalizeSymbol(s), s);
          assert.ok(Array.isArray(splitTopLevel(s)));
          assert.equal(typeof stripTemplateArgs(s), 'string');
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('long adversarial inputs finish (no exponential backtracking)', () => {
    // Shapes that make naive regular expressions backtrack: repeated clone-like suffixes, long runs of
    // dots and digits, huge parameter lists, thousands of `::`.
    const inputs = [
      'f' + '.isra.0'.repeat(3000),
      'f' + '.1'.repeat(5000) + '!',
      'f(' + 'int, '.repeat(3000) + 'int)',
      'a::'.repeat(5000) + 'b',
      ' [clone .cold]'.repeat(1000),
      '('.repeat(8000),
      '<'.repeat(8000) + '>'.repeat(7999),
      'operator'.repeat(2000),
      '{lambda('.repeat(2000),
    ];
    for (const raw of inputs) wellFormed(normalizeSymbol(raw), raw);
  });

  test('Rust and Go symbols mixed into a C++ profile are left alone', () => {
    const rust = fc
      .array(fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/), { minLength: 1, maxLength: 6 })
      .map((parts) => `${parts.join('::')}::h${'0123456789abcdef'}`);
    const go = fc
      .tuple(fc.stringMatching(/^[a-z]{1,8}$/), fc.stringMatching(/^[A-Za-z][A-Za-z0-9]{0,8}$/))
      .map(([pkg, fn]) => `${pkg}.${fn}`);
    fc.assert(
      fc.property(rust, (s) => {
        const n = normalizeSymbol(s);
        assert.equal(n.language, 'rust');
        assert.ok(n.unmappable);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(go, (s) => {
        const n = normalizeSymbol(s);
        if (
          !/\.(cold|part|isra|constprop|lto_priv|llvm|resume|destroy|cleanup|actor|localalias|specialized|clone)$/.test(
            s,
          )
        ) {
          assert.equal(n.language, 'go', s);
        }
      }),
      { numRuns: 300 },
    );
  });
});
