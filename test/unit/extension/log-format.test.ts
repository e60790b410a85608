import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatArgv, formatArgvShort, formatCommandEntry, shellQuote } from '../../../src/extension/log-format';

test('argv is shown quoted so it can be pasted back into a shell', () => {
  assert.equal(shellQuote('perf'), 'perf');
  assert.equal(shellQuote(''), "''");
  assert.equal(shellQuote("it's"), `'it'\\''s'`);
  assert.equal(shellQuote('$(id)'), "'$(id)'");
  assert.equal(
    formatArgv(['perf', 'stat', '-e', 'syscalls:sys_enter_write', '--filter', 'fd == 3']),
    "perf stat -e syscalls:sys_enter_write --filter 'fd == 3'",
  );
});

test('a log line has host, argv, outcome and duration', () => {
  const base = { host: 'local (box)', argv: ['pidstat', '-p', '42'], signal: null, timedOut: false, cancelled: false };
  assert.equal(
    formatCommandEntry({ ...base, exitCode: 0, durationMs: 12.4 }),
    '[local (box)] $ pidstat -p 42 → exit 0 in 12 ms',
  );
  assert.equal(
    formatCommandEntry({ ...base, exitCode: null, durationMs: 5, cancelled: true }),
    '[local (box)] $ pidstat -p 42 → cancelled in 5 ms',
  );
  assert.equal(
    formatCommandEntry({ ...base, exitCode: null, durationMs: 5, timedOut: true }),
    '[local (box)] $ pidstat -p 42 → timed out in 5 ms',
  );
  assert.equal(
    formatCommandEntry({ ...base, exitCode: null, durationMs: 5, signal: 'SIGKILL' }),
    '[local (box)] $ pidstat -p 42 → killed by SIGKILL in 5 ms',
  );
});

test('inline scripts are shortened in the info line, with their size and first line', () => {
  const script = '\ncd /proc || exit 1\necho "@self $$"\n';
  assert.equal(
    formatArgvShort(['sh', '-c', script, 'perf-lens-ps', '0.300']),
    'sh -c <script: 4 lines, 36 chars: "cd /proc || exit 1"…> perf-lens-ps 0.300',
  );
  assert.equal(formatArgvShort(['perf', 'record', '-p', '42']), 'perf record -p 42');
  const entry = {
    host: 'h',
    argv: ['sh', '-c', script],
    exitCode: 0,
    signal: null,
    durationMs: 1,
    timedOut: false,
    cancelled: false,
  };
  assert.match(formatCommandEntry(entry, false), /<script: 4 lines/);
  assert.match(formatCommandEntry(entry, true), /cd \/proc/);
});
