import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../src/core/errors';
import { MpstatParser, mpstatArgv, parseMpstat } from '../../../src/core/collect/mpstat';
import { linesOf } from '../../../src/core/collect/lines';
import { fixture, fixtureCommand } from './fixtures';

test('mpstat argv', () => {
  assert.deepEqual(mpstatArgv(), ['mpstat', '-P', 'ALL', '1']);
  assert.deepEqual(mpstatArgv({ count: 2 }), ['mpstat', '-P', 'ALL', '1', '2']);
  assert.equal(fixtureCommand('mpstat/all-load.txt'), 'mpstat -P ALL 1 2');
  assert.throws(() => mpstatArgv({ count: 0 }), /invalid mpstat count/);
});

test('mpstat -P ALL: the all row and each CPU per report, then the average', () => {
  const r = parseMpstat(fixture('mpstat/all-load.txt'));
  assert.equal(r.host?.cores, 2);
  assert.equal(r.intervals.length, 2);
  const [first] = r.intervals;
  assert.equal(first.time, '11:23:31');
  assert.deepEqual(first.all, {
    cpu: 'all',
    usr: 22.28,
    nice: 0,
    sys: 57.43,
    iowait: 0.5,
    irq: 0,
    soft: 19.8,
    steal: 0,
    guest: 0,
    gnice: 0,
    idle: 0,
  });
  assert.deepEqual(
    first.cpus.map((c) => [c.cpu, c.usr, c.sys, c.soft]),
    [
      [0, 27.72, 56.44, 14.85],
      [1, 16.83, 58.42, 24.75],
    ],
  );
  assert.equal(r.average?.all?.sys, 53.85);
  assert.equal(r.average?.cpus[1].soft, 21.39);
});

test('mpstat in de_DE (decimal commas, "Durchschn.:") and en_US (AM/PM)', () => {
  const de = parseMpstat(fixture('mpstat/de_DE.txt'));
  assert.equal(de.intervals[0].all?.usr, 30.85);
  assert.equal(de.intervals[0].all?.idle, 0.5);
  assert.equal(de.average?.all?.usr, 34.58);
  const us = parseMpstat(fixture('mpstat/en_US-12h.txt'));
  assert.equal(us.intervals.length, 1);
  assert.equal(us.intervals[0].time, '11:23:35 AM');
  assert.equal(us.intervals[0].cpus[0].sys, 65.66);
});

test('mpstat streaming: each report is emitted at the next blank line or by flush()', () => {
  const p = new MpstatParser();
  let emitted = 0;
  const lines = [...linesOf(fixture('mpstat/all-load.txt'))];
  for (const line of lines.slice(0, 6)) emitted += p.push(line).length; // banner, blank, header, 3 rows
  assert.equal(emitted, 0);
  const flushed = p.flush();
  assert.equal(flushed.length, 1);
  assert.equal(flushed[0].all?.usr, 22.28);
});

test('mpstat: bad input is a ParseError', () => {
  assert.throws(() => parseMpstat(fixture('pidstat/threads-load.txt')), ParseError);
  const bad = fixture('mpstat/all-load.txt').replace('57.43', '5x.43');
  assert.throws(() => parseMpstat(bad), /mpstat: cannot parse line 4 .*expected a number for %sys/);
  const short = fixture('mpstat/all-load.txt').replace(/\n11:23:31 {7}1 .*\n/, '\n11:23:31       1   16.83\n');
  assert.throws(() => parseMpstat(short), /followed by 10 percentages/);
  assert.throws(() => parseMpstat('Linux 6.1 (h) \t2026-01-01 \t_x86_64_\t(2 CPU)\n\n'), /mpstat -P ALL output/);
});
