import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { perfRecordArgv, perfScriptArgv } from '../../../src/core/collect/perf-record';
import { collapseText } from '../../../src/core/collect/stackcollapse';
import { fixtureCommand } from './fixtures';

test('perf record / script argv', () => {
  assert.deepEqual(perfRecordArgv({ pid: 42, output: '/tmp/d/perf.data', durationSeconds: 2 }), [
    'perf',
    'record',
    '--no-buildid-cache',
    '-F',
    '999',
    '-g',
    '-p',
    '42',
    '-o',
    '/tmp/d/perf.data',
    '--max-size',
    '256M',
    '--',
    'sleep',
    '2',
  ]);
  assert.deepEqual(perfRecordArgv({ pid: 42, output: '/x/p.data', callGraph: 'dwarf', frequency: 99 }).slice(3, 7), [
    '-F',
    '99',
    '--call-graph',
    'dwarf',
  ]);
  assert.ok(!perfRecordArgv({ pid: 42, output: '/x/p.data', callGraph: 'none' }).includes('-g'));
  assert.throws(() => perfRecordArgv({ pid: 42, output: 'relative.data' }), /absolute path/);
  assert.throws(() => perfRecordArgv({ pid: 42, output: '/x/p.data', frequency: 0 }), /invalid sampling frequency/);
  // The pid/tid fixture was made with the same field list.
  const fields = perfScriptArgv({ input: '/x', withPidTid: true }).slice(4).join(' ');
  assert.ok(fixtureCommand('perf-script/demo-pidtid.txt').replaceAll('\\', '').endsWith(fields));
});

test('record a real busy process for half a second, perf script it, fold it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-lens-record-'));
  // A process that burns CPU in user space until killed.
  const busy = spawn(process.execPath, ['-e', 'for(;;){Math.sqrt(Math.random())}'], { stdio: 'ignore' });
  try {
    const data = join(dir, 'perf.data');
    const rec = perfRecordArgv({ pid: busy.pid!, output: data, durationSeconds: 0.5, frequency: 199 });
    const r = spawnSync(rec[0], rec.slice(1), { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const script = perfScriptArgv({ input: data, withPidTid: true });
    const s = spawnSync(script[0], script.slice(1), { encoding: 'latin1', timeout: 30_000, maxBuffer: 64 << 20 });
    assert.equal(s.status, 0, s.stderr);
    const c = collapseText(s.stdout, { tid: true });
    assert.ok(c.stats.samples >= 10, `only ${c.stats.samples} samples`);
    assert.ok(c.sorted().every(([stack]) => stack.startsWith(`node-${busy.pid}/`)));
  } finally {
    busy.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
