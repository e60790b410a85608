import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../src/core/errors';
import { PidstatParser, parsePidstat, pidstatArgv } from '../../../src/core/collect/pidstat';
import { linesOf } from '../../../src/core/collect/lines';
import { fixture, fixtureCommand } from './fixtures';

test('pidstat argv: per-thread CPU and context switches, one report a second', () => {
  assert.deepEqual(pidstatArgv({ pid: 19338 }), ['pidstat', '-u', '-t', '-w', '-h', '-p', '19338', '1']);
  assert.deepEqual(pidstatArgv({ pid: 7, count: 3, toolPath: '/usr/bin/pidstat' }).slice(-3), ['7', '1', '3']);
  // The fixture was captured with the same argv (PID and count aside).
  assert.match(fixtureCommand('pidstat/threads-load.txt'), /^pidstat -u -t -w -h -p \d+ 1 3$/);
  for (const pid of [0, -1, 1.5, NaN, 2 ** 40]) assert.throws(() => pidstatArgv({ pid }), /invalid PID/);
  assert.throws(() => pidstatArgv({ pid: 1, toolPath: '-oProxyCommand=x' }), /invalid path/);
  assert.throws(() => pidstatArgv({ pid: 1, toolPath: 'bin/pidstat; rm' }), /invalid path/);
});

test('pidstat -h with threads: every report, process row and thread rows', () => {
  const r = parsePidstat(fixture('pidstat/threads-load.txt'));
  assert.deepEqual(r.host, { kernel: '6.18.44-fc-v669', hostname: 'vm', cores: 2 });
  assert.equal(r.intervals.length, 3);
  assert.equal(r.average, null);
  const first = r.intervals[0];
  assert.equal(first.time, '11:23:17');
  assert.equal(first.rows.length, 4);
  const proc = first.rows[0];
  assert.equal(proc.isThread, false);
  assert.equal(proc.tgid, 19338);
  assert.equal(proc.tid, null);
  assert.equal(proc.usr, 2);
  assert.equal(proc.system, 40);
  assert.equal(proc.cpu, 42);
  const w0 = first.rows.find((row) => row.command === 'tcp_demo-w0')!;
  assert.deepEqual(
    {
      tgid: w0.tgid,
      tid: w0.tid,
      usr: w0.usr,
      sys: w0.system,
      wait: w0.wait,
      cpu: w0.cpu,
      cs: w0.cswch,
      ncs: w0.nvcswch,
    },
    { tgid: 19338, tid: 19340, usr: 2, sys: 20, wait: 36, cpu: 22, cs: 4463, ncs: 1748 },
  );
  assert.equal(r.intervals[2].rows.find((row) => row.tid === 19341)!.cswch, 1200);
});

test('pidstat default layout: -u and -w blocks merged by time, then the Average block', () => {
  const r = parsePidstat(fixture('pidstat/threads-sections.txt'));
  assert.equal(r.intervals.length, 2);
  const w1 = r.intervals[1].rows.find((row) => row.tid === 19341)!;
  assert.deepEqual(
    [w1.usr, w1.system, w1.wait, w1.cpu, w1.cswch, w1.nvcswch],
    [1.9, 16.19, 49.52, 18.1, 2334.29, 1195.24],
  );
  assert.ok(r.average);
  const avg = r.average.rows.find((row) => row.tid === 19340)!;
  assert.deepEqual([avg.cpu, avg.cswch, avg.cpuNumber], [20, 3929.27, null]);
});

test('pidstat in other locales: decimal commas (de_DE) and 12-hour times (en_US)', () => {
  const de = parsePidstat(fixture('pidstat/de_DE.txt'));
  assert.equal(de.intervals.length, 2);
  const w0 = de.intervals[0].rows.find((row) => row.tid === 19340)!;
  assert.deepEqual([w0.system, w0.wait, w0.cswch, w0.nvcswch], [21.7, 49.06, 4522.64, 1664.15]);
  const us = parsePidstat(fixture('pidstat/en_US-12h.txt'));
  assert.equal(us.intervals[0].time, '11:23:27 AM');
  assert.equal(us.intervals.length, 2);
  assert.equal(us.intervals[0].rows.find((row) => row.tid === 19340)!.cswch, 814);
  assert.equal(us.average!.rows.find((row) => row.tid === 19341)!.nvcswch, 168.5);
  const h12 = parsePidstat(fixture('pidstat/en_US-12h-h.txt'));
  assert.equal(h12.intervals[0].time, '12:55:40 PM');
  assert.deepEqual(
    h12.intervals[0].rows.map((row) => [row.tid, row.cpu, row.cswch]),
    [
      [null, 32, 0],
      [8181, 0, 0],
      [8183, 15, 3795],
      [8185, 15, 3582],
    ],
  );
});

test('pidstat without -t: one PID row per report', () => {
  const r = parsePidstat(fixture('pidstat/process-load.txt'));
  assert.equal(r.intervals.length, 2);
  assert.deepEqual(
    r.intervals[1].rows.map((row) => [row.tgid, row.tid, row.cpu, row.isThread]),
    [[19338, null, 31.37, false]],
  );
});

test('pidstat of a PID that does not exist: a ParseError, not an empty result', () => {
  assert.throws(
    () => parsePidstat(fixture('pidstat/no-such-pid.txt')),
    (e: unknown) => e instanceof ParseError && e.tool === 'pidstat' && /process may have exited/.test(e.message),
  );
});

test('pidstat streaming: -h reports are emitted at the blank line, flush() emits the last one', () => {
  const p = new PidstatParser();
  const emitted: number[] = [];
  const lines = [...linesOf(fixture('pidstat/threads-load.txt'))];
  lines.forEach((line, i) => {
    if (p.push(line).length > 0) emitted.push(i);
  });
  // Reports 1 and 2 complete at the blank line before the next header; the last needs flush() or end().
  assert.equal(emitted.length, 2);
  assert.equal(p.flush().length, 1);
  assert.deepEqual(p.end(), []);
});

test('pidstat streaming in the default layout: flush() waits until both blocks of a report are in', () => {
  const p = new PidstatParser();
  const lines = [...linesOf(fixture('pidstat/threads-sections.txt'))];
  const out = [];
  for (const line of lines.slice(0, 19)) out.push(...p.push(line)); // first -u and -w blocks, second -u block
  assert.equal(out.length, 1, 'first report completes when the second starts');
  assert.equal(out[0].rows[2].cswch, 5471);
  assert.equal(p.flush().length, 0, 'second report still lacks its -w block');
  for (const line of lines.slice(19, 25)) out.push(...p.push(line));
  const flushed = p.flush();
  assert.equal(flushed.length, 1);
  assert.equal(flushed[0].rows.find((row) => row.tid === 19340)!.cswch, 2460.95);
});

test('pidstat: unknown lines give a ParseError naming the line and what was expected', () => {
  const text = fixture('pidstat/threads-load.txt').replace(
    '11:23:18        0         -     19340',
    '11:23:18        0         -     19x40',
  );
  assert.throws(
    () => parsePidstat(text),
    (e: unknown) => e instanceof ParseError && e.lineNumber === 12 && /whole number for TID/.test(e.message),
  );
  assert.throws(() => parsePidstat('hello\n'), /pidstat: cannot parse line 1 "hello": expected a pidstat header/);
  assert.throws(() => parsePidstat(''), ParseError);
  assert.throws(() => parsePidstat(fixture('mpstat/all-load.txt')), ParseError);
});
