import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixturesDir, repoRoot } from './fixtures';

function cli(args: string[], input?: Buffer) {
  return spawnSync(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'collapse', ...args],
    {
      cwd: repoRoot,
      input,
      maxBuffer: 64 << 20,
    },
  );
}

test('perf-lens collapse FILE --tid prints what stackcollapse-perf.pl prints', () => {
  const r = cli(['--tid', join(fixturesDir, 'perf-script', 'demo-pidtid.txt')]);
  assert.equal(r.status, 0, r.stderr.toString());
  assert.deepEqual(r.stdout, readFileSync(join(fixturesDir, 'perf-script', 'demo-pidtid.collapsed-tid.txt')));
});

test('perf-lens collapse reads stdin (no FILE or -) and keeps non-UTF-8 bytes as they were', () => {
  const input = Buffer.concat([
    readFileSync(join(fixturesDir, 'perf-script', 'demo-g.txt')),
    Buffer.from('caf\xe9 7 1.0: 3 cpu-clock:ppp: \n\tffff sym\xff<script>x (/bin/\xe9)\n\n', 'latin1'),
  ]);
  const r = cli(['--all', '-'], input);
  assert.equal(r.status, 0, r.stderr.toString());
  const expected = Buffer.concat([readFileSync(join(fixturesDir, 'perf-script', 'demo-g.collapsed-all.txt'))]);
  const lines = r.stdout.toString('latin1').split('\n');
  assert.ok(lines.includes('caf\xe9;sym\xff<script>x 3'));
  assert.equal(lines.filter((l) => !l.startsWith('caf')).join('\n'), expected.toString('latin1'));
});

test('perf-lens collapse: unsupported and unknown flags, missing files → one line, exit 2', () => {
  for (const [args, message] of [
    [['--inline'], /--inline is not supported/],
    [['--context'], /--context is not supported/],
    [['--bogus'], /unknown option "--bogus"/],
    [['/nonexistent/perf.txt'], /cannot read "\/nonexistent\/perf.txt": no such file/],
    [[fixturesDir], /is a directory/],
  ] as const) {
    const r = cli([...args], Buffer.alloc(0));
    assert.equal(r.status, 2);
    assert.match(r.stderr.toString(), message);
    assert.equal(r.stderr.toString().trimEnd().split('\n').length, 1, r.stderr.toString());
    assert.equal(r.stdout.length, 0);
  }
});
