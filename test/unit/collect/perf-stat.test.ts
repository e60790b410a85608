import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../src/core/errors';
import {
  PerfStatParser,
  eventfdWriteFilter,
  parsePerfStat,
  perfStatArgv,
  ratePerSecond,
} from '../../../src/core/collect/perf-stat';
import { linesOf } from '../../../src/core/collect/lines';
import { fixture, fixtureCommand } from './fixtures';

const stat = (name: string) => parsePerfStat(fixture(`perf-stat/${name}.txt`));
const counts = (name: string) => Object.fromEntries(stat(name).counts.map((c) => [c.event, c.count]));

test('perf stat argv: events with their filters, the PID, a duration; refuses odd names', () => {
  const argv = perfStatArgv({
    pid: 30853,
    events: [{ name: 'syscalls:sys_enter_write', filter: eventfdWriteFilter([5, 7]) }],
    durationSeconds: 2,
  });
  assert.deepEqual(argv, [
    'perf',
    'stat',
    '-e',
    'syscalls:sys_enter_write',
    '--filter',
    'fd == 5 || fd == 7',
    '-p',
    '30853',
    '--',
    'sleep',
    '2',
  ]);
  // The fixture ran exactly this argv (the shell-quoted form is in its .cmd).
  assert.equal(
    fixtureCommand('perf-stat/eventfd-filter.txt'),
    String.raw`perf stat -e syscalls:sys_enter_write --filter fd\ ==\ 5\ \|\|\ fd\ ==\ 7 -p 30853 -- sleep 2`,
  );
  assert.deepEqual(
    perfStatArgv({ pid: 1, events: [{ name: 'raw_syscalls:sys_enter' }], intervalMs: 1000, csv: true, toStdout: true }),
    ['perf', 'stat', '--log-fd', '1', '-x', ',', '-I', '1000', '-e', 'raw_syscalls:sys_enter', '-p', '1'],
  );
  assert.throws(() => perfStatArgv({ pid: 1, events: [{ name: '-o/etc/passwd' }] }), /bad perf event name/);
  assert.throws(
    () => perfStatArgv({ pid: 1, events: [{ name: 'x', filter: 'fd == 1; rm -rf /' }] }),
    /bad tracepoint filter/,
  );
  assert.throws(() => perfStatArgv({ pid: 1, events: [] }));
  assert.throws(() => eventfdWriteFilter([]));
});

test('tracepoint counts and elapsed time (human layout)', () => {
  const r = stat('tracepoints');
  assert.equal(r.target, "process id '30853'");
  assert.equal(r.elapsedSeconds, 1.985871359);
  assert.deepEqual(counts('tracepoints'), {
    'raw_syscalls:sys_enter': 417636,
    'syscalls:sys_enter_io_uring_enter': 227992,
    'syscalls:sys_enter_futex': 0,
    'io_uring:io_uring_submit_req': 206364,
    'io_uring:io_uring_complete': 206373,
  });
  assert.equal(ratePerSecond(r, 'syscalls:sys_enter_io_uring_enter'), 227992 / 1.985871359);
  assert.equal(ratePerSecond(r, 'nope'), null);
});

test('eventfd writes counted through a tracepoint filter', () => {
  const r = stat('eventfd-filter');
  assert.deepEqual(counts('eventfd-filter'), { 'syscalls:sys_enter_write': 166697 });
  assert.equal(r.elapsedSeconds, 2.401122197);
});

test('locales: en_US thousands commas and de_DE thousands dots / decimal comma', () => {
  assert.equal(counts('en_US')['raw_syscalls:sys_enter'], 128613);
  assert.equal(stat('en_US').elapsedSeconds, 1.007050251);
  assert.equal(counts('de_DE')['raw_syscalls:sys_enter'], 245459);
  assert.equal(counts('de_DE')['io_uring:io_uring_complete'], 122257);
  assert.equal(stat('de_DE').elapsedSeconds, 0.982965836);
});

test('-x, CSV, with and without -I', () => {
  const csv = stat('csv');
  assert.equal(csv.csv, true);
  assert.equal(csv.elapsedSeconds, null);
  assert.equal(counts('csv')['io_uring:io_uring_submit_req'], 97167);
  assert.equal(csv.counts[0].runningPercent, 100);
  const icsv = stat('interval-csv');
  assert.equal(icsv.intervals.length, 2);
  assert.equal(icsv.elapsedSeconds, 2.003448789);
  assert.equal(counts('interval-csv')['raw_syscalls:sys_enter'], 296815);
});

test('-I intervals: summed totals, <not counted> adds nothing, streamed one interval at a time', () => {
  const r = stat('interval');
  assert.equal(r.intervals.length, 3);
  assert.deepEqual(counts('interval'), {
    'raw_syscalls:sys_enter': 81544 + 100726,
    'syscalls:sys_enter_io_uring_enter': 43050 + 52480,
  });
  assert.equal(r.intervals[2].counts[0].status, 'not-counted');
  const p = new PerfStatParser();
  const emitted = [];
  for (const line of linesOf(fixture('perf-stat/interval.txt'))) emitted.push(...p.push(line));
  assert.equal(emitted.length, 2, 'the first two intervals complete when the next one starts');
  assert.equal(emitted[1].counts[1].count, 52480);
  assert.equal(p.flush().length, 1);
});

test('<not supported> events are reported as such, not as zero', () => {
  const r = stat('not-supported');
  assert.deepEqual(r.counts[0], {
    event: 'cycles',
    count: null,
    status: 'not-supported',
    unit: null,
    runningPercent: null,
  });
  assert.equal(counts('not-supported')['context-switches'], 19374);
});

test("perf's own errors become ParseErrors quoting perf", () => {
  assert.throws(
    () => stat('error-unknown-event'),
    (e: unknown) => e instanceof ParseError && /event syntax error/.test(e.message),
  );
  assert.throws(() => stat('error-no-process'), /Problems finding threads of monitor/);
  assert.throws(() => parsePerfStat(''), /at least one event count/);
  assert.throws(() => parsePerfStat(fixture('pidstat/threads-load.txt')), ParseError);
});
