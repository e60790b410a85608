import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { quoteCommandLine, quoteForPosixShell } from '../../../src/core/host/posix-quote';
import { HostError } from '../../../src/core/host/types';
import { hostileString } from './hostile-strings';

test('inert words stay as they are, everything else is single-quoted', () => {
  assert.equal(quoteForPosixShell('perf'), 'perf');
  assert.equal(quoteForPosixShell('-F'), '-F');
  assert.equal(quoteForPosixShell('/usr/bin/perf'), '/usr/bin/perf');
  assert.equal(quoteForPosixShell(''), "''");
  assert.equal(quoteForPosixShell('a b'), "'a b'");
  assert.equal(quoteForPosixShell("it's"), `'it'\\''s'`);
  assert.equal(quoteForPosixShell('$(id)'), "'$(id)'");
  assert.equal(quoteForPosixShell('`id`'), "'`id`'");
  assert.equal(quoteForPosixShell('a;b'), "'a;b'");
  assert.equal(quoteForPosixShell('~root'), "'~root'");
  // zsh expands a leading '=' to a command path; bash brace-expands {a,b}; both are quoted
  assert.equal(quoteForPosixShell('=ls'), "'=ls'");
  assert.equal(quoteForPosixShell('{a,b}'), "'{a,b}'");
  assert.equal(quoteCommandLine(['echo', 'a b', "'"]), `echo 'a b' ''\\'''`);
});

test('a NUL byte is refused: no argv element can hold it', () => {
  assert.throws(
    () => quoteForPosixShell('a\0b'),
    (e: unknown) => e instanceof HostError && e.code === 'INVALID',
  );
});

for (const shell of ['sh', 'bash']) {
  test(`${shell} -c reads the quoted command line back as exactly the original argv`, () => {
    fc.assert(
      fc.property(fc.array(hostileString, { minLength: 1, maxLength: 6 }), (args) => {
        const line = `printf '%s\\0' ${quoteCommandLine(args)}`;
        const r = spawnSync(shell, ['-c', line], { encoding: 'utf8' });
        assert.equal(r.status, 0, r.stderr);
        assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
      }),
      { numRuns: 150 },
    );
  });
}
