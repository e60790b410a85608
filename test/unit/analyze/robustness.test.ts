/**
 * analyze() and compare() on arbitrary numbers: zeros, nulls, huge and negative values, empty and hostile
 * symbol names. They must never throw, never print NaN/Infinity, and never call a missing number zero.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { analyze, compare } from '../../../src/core/analyze';
import type { Profile } from '../../../src/core/profile';
import { profileWith } from './profiles';

const num = fc.oneof(
  fc.constant(null),
  fc.constant(0),
  fc.double({ min: -1e3, max: 1e9, noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: 0, max: 5_000_000 }),
);
const pct = fc.oneof(fc.constant(null), fc.double({ min: 0, max: 400, noNaN: true, noDefaultInfinity: true }));
const symbol = fc.oneof(
  fc.constantFrom(
    'tcp_sendmsg',
    'IoUringExecutor::wakeThread',
    '__GI___libc_write',
    '[unknown]',
    '0xffffffff81000000',
    '',
  ),
  fc.string({ maxLength: 40 }),
  fc.constant('<img src=x onerror=alert(1)>'),
);

const profileArb = fc
  .record({
    usr: pct,
    sys: pct,
    cpu: pct,
    idle: pct,
    iowait: pct,
    cores: fc.oneof(fc.constant(null), fc.integer({ min: 0, max: 512 })),
    enter: num,
    submit: num,
    writes: num,
    rps: fc.oneof(fc.constant(null), fc.double({ min: 0, max: 1e7, noNaN: true, noDefaultInfinity: true })),
    futex: num,
    duration: num,
    samples: num,
    kernel: fc.oneof(fc.constant(null), fc.constantFrom('4.19.0', '5.10.0', '6.1.0', 'garbage', '')),
    stacks: fc.array(
      fc.record({ frames: fc.array(symbol, { minLength: 0, maxLength: 6 }), count: fc.integer({ min: 0, max: 1000 }) }),
      {
        maxLength: 8,
      },
    ),
    hot: fc.array(fc.record({ symbol, self: fc.double({ min: 0, max: 100, noNaN: true }), kernel: fc.boolean() }), {
      maxLength: 6,
    }),
    cswch: num,
    retrans: num,
    out: num,
  })
  .map((r): Profile =>
    profileWith({
      target: { cores: r.cores, kernel: r.kernel },
      durationSeconds: r.duration,
      sampleCount: r.samples,
      cpu: {
        process: r.cpu === null && r.usr === null ? null : { usr: r.usr, sys: r.sys, wait: null, cpu: r.cpu },
        system:
          r.idle === null
            ? null
            : { usr: r.usr, nice: 0, sys: r.sys, iowait: r.iowait, irq: 0, softirq: 0, steal: 0, idle: r.idle },
      },
      threads: [
        { tid: 1, name: 'w', usr: r.usr, sys: r.sys, wait: r.iowait, cpu: r.cpu, cswch: r.cswch, nvcswch: null },
      ],
      ioUring: { enterPerSecond: r.enter, submitPerSecond: r.submit, completePerSecond: null, source: 'perf stat' },
      eventfd: { fds: [5], writesPerSecond: r.writes, source: 'perf stat' },
      throughput: r.rps === null ? null : { requestsPerSecond: r.rps, source: 'wrk' },
      lockContention: { futexSeconds: r.futex, futexPerSecond: r.futex, source: 'strace -c' },
      folded: r.stacks.map((s) => ({ stack: ['w', ...s.frames].join(';'), count: s.count })),
      hotspots: r.hot.map((h) => ({
        ...h,
        dso: 'x',
        children: null,
        file: null,
        line: null,
        callers: [],
        threads: [],
      })),
      network: {
        kind: 'delta',
        seconds: r.duration,
        retransSegs: r.retrans,
        listenOverflows: r.retrans,
        listenDrops: null,
        tcpBacklogDrop: null,
        rcvPruned: null,
        tcpTimeouts: null,
        activeOpens: null,
        passiveOpens: null,
        inSegs: null,
        outSegs: r.out,
        nicDrops: { eth0: 3 },
        softirqNetRx: null,
        softirqNetTx: null,
        other: {},
        source: 'nstat',
      },
    }),
  );

describe('analyze/compare robustness', () => {
  it('never throws and never prints NaN or Infinity', () => {
    fc.assert(
      fc.property(profileArb, profileArb, (a, b) => {
        const ra = analyze(a);
        const text = JSON.stringify(ra);
        assert.ok(!/NaN|Infinity/.test(text), text.slice(0, 2000));
        for (const f of ra.findings) {
          assert.ok(f.evidence.length > 0 && f.title.length > 0 && f.verify.length > 0, f.id);
        }
        const c = compare({ ...a, ...ra }, { ...b, ...analyze(b) });
        assert.ok(!/NaN|Infinity/.test(JSON.stringify(c)));
        for (const m of c.metrics) if (m.before === null || m.after === null) assert.equal(m.delta, null);
      }),
      { numRuns: 150, seed: 20261126 },
    );
  });
});
