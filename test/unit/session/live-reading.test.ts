import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { breakdown, parseReading, type Reading } from '../../../src/core/live/reading';
import { ParseError } from '../../../src/core/errors';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');

/** Splits the sampler's output into readings, the way LiveSampler does. */
function readings(text: string, pid: number): { clk: number; ncpu: number; readings: Reading[] } {
  let clk = 0;
  let ncpu = 0;
  const out: Reading[] = [];
  let lines: string[] | null = null;
  for (const line of text.split('\n')) {
    if (line.startsWith('@clk ')) clk = Number(line.slice(5));
    else if (line.startsWith('@ncpu ')) ncpu = Number(line.slice(6));
    else if (line === '@s') lines = [];
    else if (line === '@e' && lines) {
      out.push(parseReading(lines, pid, out.length * 1000));
      lines = null;
    } else if (lines) lines.push(line);
  }
  return { clk, ncpu, readings: out };
}

test('a reading of the loaded demo has its three threads, process counters and per-CPU lines', () => {
  const { clk, ncpu, readings: r } = readings(fixture('live-sampler/demo-loaded.txt'), 19011);
  assert.equal(clk, 100);
  assert.equal(ncpu, 2);
  assert.equal(r.length, 3);
  const first = r[0];
  assert.deepEqual([...first.threads.keys()].sort(), [19011, 19012, 19014]);
  assert.equal(first.threads.get(19012)?.name, 'tcp_demo-w0');
  assert.ok(first.threads.get(19012)!.waitNs! > 0);
  assert.ok(first.threads.get(19012)!.voluntary! > 0);
  assert.deepEqual([...first.cpu.keys()], ['cpu', 'cpu0', 'cpu1']);
  assert.equal(first.process?.threads, 3);
});

test('the breakdown between readings: busy workers, idle main thread, system fields sum to ~100', () => {
  const { clk, ncpu, readings: r } = readings(fixture('live-sampler/demo-loaded.txt'), 19011);
  const b = breakdown(r[1], r[2], clk, ncpu);
  assert.ok(b);
  assert.ok(b.seconds > 0.8 && b.seconds < 1.5, `${b.seconds}`);
  const byTid = new Map(b.threads.map((t) => [t.tid, t]));
  assert.equal(byTid.get(19011)?.cpu, 0);
  const workers = [byTid.get(19012)!, byTid.get(19014)!];
  for (const w of workers) {
    assert.ok(w.cpu! > 5, `worker ${w.tid} busy: ${w.cpu}`);
    assert.ok(w.sys! > w.usr!, 'the demo spends its time in the kernel');
    assert.ok(w.cswch! > 100, `context switches/s ${w.cswch}`);
    assert.equal(w.cpu, Math.round((w.usr! + w.sys!) * 100) / 100);
  }
  // Process totals include every thread.
  assert.ok(Math.abs(b.process!.cpu! - workers.reduce((s, w) => s + w.cpu!, 0)) < 3);
  const sys = b.system;
  const sum = sys.usr! + sys.nice! + sys.sys! + sys.idle! + sys.iowait! + sys.irq! + sys.softirq! + sys.steal!;
  assert.ok(Math.abs(sum - 100) < 0.1, `${sum}`);
  assert.equal(b.perCpu.length, 2);
  assert.ok(b.voluntaryPerSecond! > 0);
});

test('the whole window is the difference of its first and last reading', () => {
  const { clk, ncpu, readings: r } = readings(fixture('live-sampler/demo-loaded.txt'), 19011);
  const whole = breakdown(r[0], r[2], clk, ncpu)!;
  const a = breakdown(r[0], r[1], clk, ncpu)!;
  const b = breakdown(r[1], r[2], clk, ncpu)!;
  const weighted = (a.process!.cpu! * a.seconds + b.process!.cpu! * b.seconds) / (a.seconds + b.seconds);
  assert.ok(Math.abs(whole.process!.cpu! - weighted) < 1.5, `${whole.process!.cpu} vs ${weighted}`);
});

test('thread names with newlines and parentheses stay with their own thread', () => {
  const { readings: r } = readings(fixture('live-sampler/hostile-name.txt'), 23085);
  assert.equal(r.length, 2);
  assert.deepEqual([...r[0].threads.keys()].sort(), [23085, 23127]);
  assert.equal(r[0].threads.get(23085)?.name, 'x)\n1 (evil');
  assert.equal(r[0].threads.get(23127)?.name, 'w\n2 (fake) R');
  assert.equal(r[0].threads.get(23127)?.state, 'S');
  assert.equal(r[0].process?.startTicks, 71075);
  assert.ok(!r[0].threads.has(1) && !r[0].threads.has(2));
});

test('lines about other PIDs are ignored; a reading without /proc/stat is a ParseError', () => {
  const lines = fixture('live-sampler/demo-loaded.txt').split('\n');
  const body = lines.slice(lines.indexOf('@s') + 1, lines.indexOf('@e'));
  const other = parseReading(body, 4242, 0);
  assert.equal(other.threads.size, 0);
  assert.equal(other.process, null);
  assert.throws(
    () =>
      parseReading(
        body.filter((l) => !l.startsWith('stat:')),
        19011,
        0,
      ),
    ParseError,
  );
  assert.throws(() => parseReading(['stat:cpu  1 2 x 4'], 19011, 0), ParseError);
});

test('a PID whose start time changed is another process: no process breakdown across it', () => {
  const { clk, ncpu, readings: r } = readings(fixture('live-sampler/demo-loaded.txt'), 19011);
  const reused: Reading = { ...r[2], process: { ...r[2].process!, startTicks: r[2].process!.startTicks + 1 } };
  assert.equal(breakdown(r[1], reused, clk, ncpu)?.process, null);
  assert.equal(breakdown(r[1], r[1], clk, ncpu), null, 'an empty interval has no breakdown');
});
