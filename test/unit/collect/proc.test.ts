import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ParseError } from '../../../src/core/errors';
import {
  PROC_SNAPSHOT_SCRIPT,
  parseProcSnapshot,
  parseProcStat,
  parseTaskStatLine,
  procDelta,
  procSnapshotArgv,
} from '../../../src/core/collect/proc';
import { fixture } from './fixtures';

test('proc snapshot argv passes the PID as $1, never inside the script', () => {
  const argv = procSnapshotArgv({ pid: 28082 });
  assert.deepEqual(argv, ['sh', '-c', PROC_SNAPSHOT_SCRIPT, 'sh', '28082']);
  assert.throws(() => procSnapshotArgv({ pid: Number('1;rm') }), /invalid PID/);
});

test('proc snapshot of this test process, run for real', () => {
  const argv = procSnapshotArgv({ pid: process.pid });
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  assert.equal(r.status, 0);
  const snap = parseProcSnapshot(r.stdout);
  assert.equal(snap.process.id, process.pid);
  assert.ok(snap.threads.length >= 1);
  assert.ok(snap.threads.some((t) => t.id === process.pid));
  assert.ok(snap.stat.perCpu.size >= 1);
});

test('proc snapshot fixtures: process, threads with schedstat, /proc/stat', () => {
  const a = parseProcSnapshot(fixture('proc/snapshot-a.txt'));
  assert.equal(a.uptime, 864.28);
  assert.equal(a.process.id, 28082);
  assert.equal(a.process.comm, 'tcp_demo');
  assert.deepEqual([a.process.utime, a.process.stime, a.process.numThreads], [4, 48, 3]);
  assert.deepEqual(
    a.threads.map((t) => [t.id, t.comm, t.schedWaitNs]),
    [
      [28082, 'tcp_demo', 3617805],
      [28086, 'tcp_demo-w0', 495868880],
      [28087, 'tcp_demo-w1', 484295881],
    ],
  );
  assert.deepEqual(a.stat.total, {
    user: 43020,
    nice: 0,
    system: 38777,
    idle: 57930,
    iowait: 21612,
    irq: 0,
    softirq: 10110,
    steal: 199,
    guest: 0,
    guestNice: 0,
  });
  assert.equal(a.stat.ctxt, 10248575);
});

test('procDelta: per-CPU and per-thread percentages between two snapshots', () => {
  const a = parseProcSnapshot(fixture('proc/snapshot-a.txt'));
  const b = parseProcSnapshot(fixture('proc/snapshot-b.txt'));
  const d = procDelta(a, b);
  // cpu totals in the fixtures: 171648 then 171863 ticks over 2 CPUs at 100 Hz.
  const total = 171863 - 171648;
  assert.equal(d.seconds, total / 2 / 100);
  assert.equal(d.cpus, 2);
  assert.equal(d.system.usr, Math.round(((43118 - 43020) / total) * 10000) / 100);
  assert.equal(d.system.sys, Math.round(((38864 - 38777) / total) * 10000) / 100);
  assert.equal(d.system.idle, 0);
  assert.equal(d.perCpu.length, 2);
  // Process: utime 4 -> 8, stime 48 -> 106 ticks over 107.5 ticks of one CPU.
  assert.equal(d.process.usr, Math.round((4 / 107.5) * 10000) / 100);
  assert.equal(d.process.sys, Math.round((58 / 107.5) * 10000) / 100);
  const w0 = d.threads.find((t) => t.name === 'tcp_demo-w0')!;
  assert.equal(w0.tid, 28086);
  assert.equal(w0.wait, Math.round(((1001190802 - 495868880) / 1e9 / 1.075) * 10000) / 100);
  assert.equal(d.contextSwitchesPerSecond, Math.round(((10271385 - 10248575) / 1.075) * 100) / 100);
  assert.throws(() => procDelta(b, a), /first one earlier/);
});

test('a comm with spaces and parentheses is read between the first ( and the last )', () => {
  const line = fixture('proc/snapshot-a.txt').split('\n')[2].replace('(tcp_demo)', '(a) b (c)');
  const t = parseTaskStatLine(line);
  assert.equal(t.comm, 'a) b (c');
  assert.equal(t.stime, 48);
});

test('proc: gone process, truncated snapshot and foreign text are ParseErrors', () => {
  assert.throws(() => parseProcSnapshot(fixture('proc/snapshot-gone.txt')), /process has exited/);
  const text = fixture('proc/snapshot-a.txt');
  assert.throws(() => parseProcSnapshot(text.slice(0, text.indexOf('@stat'))), /output looks truncated/);
  assert.throws(() => parseProcSnapshot('x\n'), ParseError);
  assert.throws(() => parseProcStat(fixture('mpstat/all-load.txt')), ParseError);
  assert.equal(parseProcStat(fixture('proc/stat.txt')).perCpu.size, 2);
});
