import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../src/core/errors';
import { parseStraceSummary, straceArgv } from '../../../src/core/collect/strace';
import { parsePerfTraceSummary, perfTraceSummaryArgv } from '../../../src/core/collect/perf-trace';
import { parseTop, topThreadsArgv } from '../../../src/core/collect/top';
import { parsePerfLock } from '../../../src/core/collect/perf-lock';
import { fixture, fixtureCommand } from './fixtures';

test('strace / perf trace / top argv', () => {
  assert.deepEqual(straceArgv({ pid: 19338, durationSeconds: 2 }), [
    'timeout',
    '-s',
    'INT',
    '2',
    'strace',
    '-c',
    '-f',
    '-p',
    '19338',
  ]);
  assert.equal(fixtureCommand('strace/c-f.txt'), 'timeout -s INT 2 strace -c -f -p 19338');
  assert.deepEqual(perfTraceSummaryArgv({ pid: 5, durationSeconds: 2 }), [
    'perf',
    'trace',
    '-s',
    '-p',
    '5',
    '--',
    'sleep',
    '2',
  ]);
  assert.deepEqual(topThreadsArgv({ pid: 22048 }), ['top', '-b', '-H', '-n', '2', '-d', '1', '-p', '22048']);
  assert.throws(() => straceArgv({ pid: 1, durationSeconds: -1 }), /invalid strace duration/);
});

test('strace -c -f: the demo server under load makes io_uring_enter and write calls', () => {
  const r = parseStraceSummary(fixture('strace/c-f.txt'));
  assert.deepEqual(r.columns, ['% time', 'seconds', 'usecs/call', 'calls', 'errors', 'syscall']);
  assert.deepEqual(r.syscalls[0], {
    name: 'io_uring_enter',
    calls: 33545,
    errors: 0,
    seconds: 0.521744,
    usecsPerCall: 15,
    percent: 62.79,
    perSecond: null,
  });
  assert.equal(r.syscalls[1].name, 'write');
  assert.equal(r.total?.calls, 63849);
  assert.equal(parseStraceSummary(fixture('strace/c-f-w.txt')).syscalls[0].seconds, 1.410456);
});

test('strace -U columns, errors column, and the older layout without usecs/call on the total line', () => {
  const u = parseStraceSummary(fixture('strace/c-f-columns.txt'));
  assert.equal(u.columns[0], 'syscall');
  assert.deepEqual(
    [u.syscalls[1].name, u.syscalls[1].calls, u.syscalls[1].seconds, u.syscalls[1].usecsPerCall],
    ['write', 17152, 0.318754, 18],
  );
  const e = parseStraceSummary(fixture('strace/c-errors.txt'));
  assert.equal(e.syscalls.find((s) => s.name === 'ioctl')?.errors, 2);
  assert.equal(e.syscalls.find((s) => s.name === 'statx')?.errors, 1);
  assert.equal(e.total?.errors, 7);
  // strace 4.x printed no usecs/call on the total line: blank out that field of the captured total line.
  const old = fixture('strace/c-f.txt').replace(
    /^(100\.00 +[\d.]+ +)(\d+)/m,
    (_m, a: string, b: string) => a + ' '.repeat(b.length),
  );
  const o = parseStraceSummary(old);
  assert.equal(o.total?.usecsPerCall, null);
  assert.equal(o.total?.calls, 63849);
});

test('perf trace -s: per-thread tables summed per syscall', () => {
  const r = parsePerfTraceSummary(fixture('perf-trace/summary.txt'));
  assert.deepEqual(
    r.threads.map((t) => [t.comm, t.tid, t.events]),
    [
      ['tcp_demo-w0', 19340, 79337],
      ['tcp_demo-w1', 19341, 79577],
    ],
  );
  const enter = r.syscalls.find((s) => s.name === 'io_uring_enter')!;
  assert.equal(enter.calls, 20863 + 20965);
  assert.equal(Math.round(enter.seconds! * 1e6), Math.round((816.814 + 797.025) * 1000));
  assert.equal(r.syscalls[0].name, 'io_uring_enter');
});

test('top -b -H: CPU summary and threads per iteration, also under de_DE', () => {
  const r = parseTop(fixture('top/threads-load.txt'));
  assert.equal(r.length, 2);
  assert.deepEqual(r[1].cpu, { us: 34.9, sy: 47.6, ni: 0, id: 0, wa: 3.5, hi: 0, si: 14, st: 0 });
  assert.deepEqual(
    r[1].rows.map((x) => [x.pid, x.cpu, x.command]),
    [
      [22048, 61, 'tcp_demo'],
      [22051, 31, 'tcp_demo-+'],
      [22050, 30, 'tcp_demo-+'],
    ],
  );
  const de = parseTop(fixture('top/de_DE.txt'));
  assert.equal(de[0].cpu?.id, 100);
  assert.equal(de[0].rows[0].cpu, 93.3);
});

test('perf lock contention and report', () => {
  const c = parsePerfLock(fixture('perf-lock/contention.txt'));
  assert.equal(c.kind, 'contention');
  assert.deepEqual(
    [c.rows[0].contended, c.rows[0].type, c.rows[0].name],
    [2, 'spinlock', 'exit_to_user_mode_loop+0x51'],
  );
  assert.equal(Math.round(c.rows[0].totalWaitSeconds * 1e8), 5671);
  assert.equal(c.totalContended, 5);
  const r = parsePerfLock(fixture('perf-lock/report.txt'));
  assert.equal(r.kind, 'report');
  assert.deepEqual([r.rows[0].name, r.rows[0].acquired, r.rows[0].contended], ['exit_to_user_mod...', 3, 3]);
});

test('these parsers refuse foreign text', () => {
  for (const parse of [parseStraceSummary, parsePerfTraceSummary, parseTop, parsePerfLock]) {
    assert.throws(() => parse(fixture('mpstat/all-load.txt')), ParseError, parse.name);
    assert.throws(() => parse(''), ParseError, parse.name);
  }
});
