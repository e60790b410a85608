import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { ProfileBuilder, hotspotsFromFolded } from '../../../src/core/profile-builder';
import { parseProcSnapshot, parseProcStat, procDelta } from '../../../src/core/collect/proc';
import { parseTop } from '../../../src/core/collect/top';
import { parsePidstat } from '../../../src/core/collect/pidstat';
import { parsePerfStat } from '../../../src/core/collect/perf-stat';
import { parsePerfTraceSummary } from '../../../src/core/collect/perf-trace';
import { collapseText } from '../../../src/core/collect/stackcollapse';
import { fixture, fixturesDir } from './fixtures';

const src = (tool: string) => ({ tool, command: `${tool} (fixture)`, version: null });

test('every collector fixture has the .cmd that says how it was captured', () => {
  const dirs = [
    'pidstat',
    'mpstat',
    'proc',
    'top',
    'perf-report',
    'perf-script',
    'perf-stat',
    'eventfd',
    'strace',
    'perf-trace',
    'nstat',
    'netstat',
    'ss',
    'softirqs',
    'ethtool',
    'iplink',
    'perf-lock',
  ];
  for (const d of dirs) {
    const txt = readdirSync(join(fixturesDir, d)).filter((f) => f.endsWith('.txt'));
    assert.ok(txt.length > 0, d);
    for (const f of txt) assert.ok(existsSync(join(fixturesDir, d, f.replace(/\.txt$/, '.cmd'))), `${d}/${f}`);
  }
});

test('/proc sampler deltas → process, threads (with run-queue wait), system and timeline', () => {
  const a = parseProcSnapshot(fixture('proc/snapshot-a.txt'));
  const b = parseProcSnapshot(fixture('proc/snapshot-b.txt'));
  const d = procDelta(a, b);
  const p = new ProfileBuilder({ origin: 'session', transport: 'local', host: 'local (test)' })
    .addProcDelta(d, src('proc'))
    .build();
  assert.equal(p.durationSeconds, 1.08);
  assert.deepEqual(p.cpu.process, { usr: d.process.usr, sys: d.process.sys, wait: d.process.wait, cpu: d.process.cpu });
  assert.equal(
    p.threads.find((t) => t.name === 'tcp_demo-w0')?.wait,
    d.threads.find((t) => t.name === 'tcp_demo-w0')?.wait,
  );
  assert.equal(p.cpu.system?.usr, d.system.usr);
  assert.equal(p.cpu.perCpu.length, 2);
  assert.equal(p.timeline.length, 1);
  assert.equal(p.contextSwitches, null, 'no per-thread switches from /proc/PID/task/*/stat');
});

test('two bare /proc/stat snapshots give the host breakdown and the duration', () => {
  const a = parseProcSnapshot(fixture('proc/snapshot-a.txt')).stat;
  const b = parseProcSnapshot(fixture('proc/snapshot-b.txt')).stat;
  const p = new ProfileBuilder({ origin: 'analyze', transport: 'file', host: 'x' })
    .addProcStatDelta(a, b, src('/proc/stat'))
    .build();
  assert.equal(p.durationSeconds, 1.075);
  assert.equal(p.cpu.system?.sys, Math.round(((38864 - 38777) / 215) * 10000) / 100);
  assert.equal(p.cpu.process, null);
  assert.ok(parseProcStat(fixture('proc/stat.txt')).total.user > 0);
});

test('top alone: threads with %CPU only (usr/sys unknown, not zero), system from the later iterations', () => {
  const p = new ProfileBuilder({ origin: 'analyze', transport: 'file', host: 'x' })
    .addTop(parseTop(fixture('top/threads-load.txt')), src('top'))
    .build();
  assert.deepEqual(
    p.threads.map((t) => [t.tid, t.cpu, t.usr, t.cswch]),
    [
      [22048, 61, null, null],
      [22051, 31, null, null],
      [22050, 30, null, null],
    ],
  );
  assert.equal(p.cpu.system?.usr, 34.9);
  assert.equal(p.cpu.system?.iowait, 3.5);
});

test('pidstat without -t: process breakdown, no threads; context switches unknown', () => {
  const r = parsePidstat(fixture('pidstat/process-load.txt'));
  const p = new ProfileBuilder({ origin: 'analyze', transport: 'file', host: 'x' })
    .addPidstat(r.intervals, r.host, src('pidstat'))
    .build();
  assert.deepEqual(p.cpu.process, { usr: 1.99, sys: 32.7, wait: 0, cpu: 34.69 });
  assert.deepEqual(p.threads, []);
  assert.equal(p.target.pid, 19338);
  assert.equal(p.timeline.length, 2);
  assert.equal(p.timeline[1].process?.cpu, 31.37);
});

test('perf stat alone: kernel-counted syscall rates, io_uring rates, context switches; <not supported> noted', () => {
  const p = new ProfileBuilder({ origin: 'analyze', transport: 'file', host: 'x' })
    .addPerfStat(parsePerfStat(fixture('perf-stat/not-supported.txt')), src('perf stat'))
    .addPerfStat(parsePerfStat(fixture('perf-stat/tracepoints.txt')), src('perf stat 2'))
    .build();
  assert.equal(p.durationSeconds, 1.003);
  assert.equal(p.contextSwitches?.totalPerSecond, Math.round((19374 / 1.002969749) * 100) / 100);
  assert.equal(p.ioUring?.submitPerSecond, Math.round((206364 / 1.985871359) * 100) / 100);
  assert.equal(p.syscalls.find((s) => s.name === 'total')?.calls, 269032, 'the first perf stat with a total wins');
  assert.equal(p.lockContention?.futexPerSecond, 0);
  assert.ok(p.dataQuality.some((n) => n.id === 'perf-event-not-supported' && /cycles/.test(n.message)));
});

test('perf trace summary as the syscall source when there is no strace', () => {
  const p = new ProfileBuilder({ origin: 'analyze', transport: 'file', host: 'x', durationSeconds: 2 })
    .addPerfTrace(parsePerfTraceSummary(fixture('perf-trace/summary.txt')), src('perf trace'))
    .build();
  const w = p.syscalls.find((s) => s.name === 'write')!;
  assert.equal(w.calls, 18806 + 18826);
  assert.equal(w.perSecond, (18806 + 18826) / 2);
  assert.equal(p.ioUring?.enterPerSecond, (20863 + 20965) / 2);
});

test('hotspots from folded stacks when there is no perf report', () => {
  const c = collapseText(fixture('perf-script/demo-g.txt'), { kernel: true });
  const p = new ProfileBuilder({ origin: 'analyze', transport: 'file', host: 'x' })
    .addFolded(c, src('perf script'))
    .build();
  assert.equal(p.sampleCount, 50);
  assert.equal(
    p.folded.reduce((s, f) => s + f.count, 0),
    50 * 10101010,
  );
  const h = hotspotsFromFolded(p.folded);
  assert.deepEqual(p.hotspots, h.slice(0, 200));
  const entry = h.find((x) => x.symbol === 'entry_SYSCALL_64_after_hwframe')!;
  assert.equal(entry.kernel, true);
  assert.ok((entry.children ?? 0) > entry.self);
  const selfSum = h.reduce((s, x) => s + x.self, 0);
  assert.ok(Math.abs(selfSum - 100) < 1, String(selfSum));
  const run = h.find((x) => x.symbol === 'IoUringExecutor::Context::run')!;
  assert.equal(run.kernel, false);
  assert.deepEqual(run.threads.sort(), ['tcp_demo-w0', 'tcp_demo-w1']);
});
