import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, compare } from '../../../src/core/analyze';
import type { Profile } from '../../../src/core/profile';
import { loadScenario } from './scenario';
import { profileWith } from './profiles';

function analysed(p: Profile): Profile {
  return { ...p, ...analyze(p) };
}

describe('compare() on real captures: the demo before and after its fixes, same wrk load', () => {
  let beforeFix: Profile;
  let afterFix: Profile;
  let c: ReturnType<typeof compare>;
  before(async () => {
    beforeFix = analysed(await loadScenario('demo-load'));
    afterFix = analysed(await loadScenario('demo-fixed'));
    c = compare(beforeFix, afterFix);
  });
  const metric = (id: string) => {
    const m = c.metrics.find((x) => x.id === id);
    assert.ok(m, `metric ${id}`);
    return m;
  };

  it('reports eventfd writes/s falling by more than 90% and io_uring_enter/s falling', () => {
    const e = metric('eventfdWritesPerSecond');
    assert.ok(e.before !== null && e.before > 10_000, `before ${e.before}`);
    assert.ok(e.percent !== null && e.percent <= -90, `eventfd writes/s changed ${e.percent}%`);
    assert.equal(e.better, true);
    const u = metric('ioUringEnterPerSecond');
    assert.ok(u.percent !== null && u.percent < -50);
    assert.equal(u.better, true);
  });
  it('carries throughput, CPU split and per-request CPU from both sides', () => {
    for (const id of [
      'requestsPerSecond',
      'cpuPerRequest',
      'usr',
      'sys',
      'syscallsPerSecond',
      'contextSwitchesPerSecond',
    ]) {
      const m = metric(id);
      assert.notEqual(m.before, null, id);
      assert.notEqual(m.after, null, id);
      assert.equal(m.delta, (m.after as number) - (m.before as number), id);
    }
  });
  it('summarises in one line, biggest rate change first', () => {
    assert.match(c.summary, /^Eventfd writes\/s fell (9\d|100)%/);
    assert.ok(!c.summary.includes('\n'));
  });
  it('lists the wake-up path among the symbols lost', () => {
    const lost = c.lost.map((s) => s.symbol);
    assert.ok(c.lost.length > 0 && c.gained.length > 0);
    for (const s of c.lost) assert.ok((s.before ?? 0) > (s.after ?? 0), s.symbol);
    for (const s of c.gained) assert.ok((s.after ?? 0) > (s.before ?? 0), s.symbol);
    assert.ok(lost.length <= 5);
  });
  it('records both verdicts', () => {
    assert.equal(c.verdictBefore, beforeFix.verdict.kind);
    assert.equal(c.verdictAfter, afterFix.verdict.kind);
  });
});

describe('compare() on built profiles', () => {
  it('formats system time in points and names a verdict change', () => {
    const a = profileWith({
      cpu: { process: { usr: 20, sys: 40, wait: 0, cpu: 60 } },
      eventfd: { fds: [5], writesPerSecond: 40_000, source: 'perf stat' },
    });
    const b = profileWith({
      cpu: { process: { usr: 20, sys: 31, wait: 0, cpu: 51 } },
      eventfd: { fds: [5], writesPerSecond: 1_200, source: 'perf stat' },
    });
    a.verdict = { ...a.verdict, kind: 'kernel-bound' };
    b.verdict = { ...b.verdict, kind: 'user-bound' };
    const c = compare(a, b);
    assert.equal(c.summary, 'Eventfd writes/s fell 97%, system time −9 points, verdict kernel-bound → user-bound');
  });
  it('gives null deltas (not zeros) when a side lacks a number', () => {
    const a = profileWith({ throughput: { requestsPerSecond: 1000, source: 'wrk' } });
    const b = profileWith({ throughput: null });
    const m = compare(a, b).metrics.find((x) => x.id === 'requestsPerSecond');
    assert.deepEqual([m?.before, m?.after, m?.delta, m?.percent, m?.better], [1000, null, null, null, null]);
  });
  it('says when nothing changed', () => {
    const p = profileWith({});
    assert.equal(compare(p, p).summary, 'No significant change in the measured numbers.');
  });
  it('treats a rise in throughput as better and a rise in syscalls as worse', () => {
    const row = (n: number) => [
      { name: 'total', calls: n, errors: null, seconds: null, usecsPerCall: null, percent: null, perSecond: n },
    ];
    const a = profileWith({ throughput: { requestsPerSecond: 1000, source: 'wrk' }, syscalls: row(5000) });
    const b = profileWith({ throughput: { requestsPerSecond: 1500, source: 'wrk' }, syscalls: row(9000) });
    const c = compare(a, b);
    assert.equal(c.metrics.find((m) => m.id === 'requestsPerSecond')?.better, true);
    assert.equal(c.metrics.find((m) => m.id === 'syscallsPerSecond')?.better, false);
    assert.equal(c.summary, 'Syscalls/s rose 80%, requests/s rose 50%');
  });
});
