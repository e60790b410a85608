/**
 * The eventfd wake-up storm from each kind of evidence alone, on the real demo-load capture with the other
 * kinds removed: rates only, folded stacks only, perf report's hotspot table only.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/core/analyze';
import type { Profile } from '../../../src/core/profile';
import { loadScenario } from './scenario';

let full: Profile;
before(async () => {
  full = await loadScenario('demo-load');
});
const storm = (p: Profile) => analyze(p).findings.find((f) => f.id === 'eventfd-wakeup-storm');

describe('eventfd-wakeup-storm from one kind of evidence at a time (demo-load capture)', () => {
  it('from rates alone (no samples): eventfd writes against requests', () => {
    const f = storm({ ...full, folded: [], hotspots: [] });
    assert.ok(f);
    assert.equal(f.severity, 'critical');
    assert.ok(!f.evidence.some((e) => /sampled stacks/.test(e)));
  });
  it('from rates alone without throughput: eventfd writes against io_uring_enter', () => {
    const f = storm({ ...full, folded: [], hotspots: [], throughput: null });
    assert.ok(f);
    assert.ok(
      f.evidence.some((e) =>
        /Throughput unknown; against [\d,]+\/s io_uring_enter calls \(perf stat\) that is [\d.]+ eventfd writes per enter\./.test(
          e,
        ),
      ),
    );
  });
  it('from folded stacks alone: wakeThread → write under scheduleOn', () => {
    const f = storm({ ...full, eventfd: null, throughput: null, ioUring: null, hotspots: [] });
    assert.ok(f);
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.symbols.slice(0, 2), ['IoUringExecutor::scheduleOn', 'IoUringExecutor::wakeThread']);
  });
  it("from perf report's hotspot table alone (callers, no folded stacks)", () => {
    const f = storm({ ...full, eventfd: null, throughput: null, ioUring: null, folded: [] });
    assert.ok(f, JSON.stringify(full.hotspots.filter((h) => /write/.test(h.symbol)).slice(0, 3)));
    assert.ok(f.symbols.includes('IoUringExecutor::wakeThread'));
  });
  it('not from a write under a wake-like name when it is rare', () => {
    const p = { ...full, eventfd: null, throughput: null, ioUring: null, hotspots: [] };
    p.folded = [
      { stack: 'app;main;notifyAll;__GI___libc_write', count: 1 },
      { stack: 'app;main;compute', count: 999 },
    ];
    assert.equal(storm(p), undefined);
  });
});

describe('eventfd-wakeup-storm after the coalescing fix (rates measured low, the write path still sampled)', () => {
  it('is an info that says the wake-ups are coalesced, with no fix to apply again', () => {
    // The demo-load capture's stacks, with the rates the e2e measured after the fix: 5,103 eventfd writes/s
    // against 147,913 io_uring_enter/s (0.03 per enter), no throughput.
    const enter = full.ioUring!.enterPerSecond!;
    const f = storm({
      ...full,
      throughput: null,
      eventfd: { ...full.eventfd!, writesPerSecond: enter * 0.0345 },
    });
    assert.ok(f);
    assert.equal(f.severity, 'info');
    assert.deepEqual(f.fixes, []);
    assert.match(
      f.title,
      /^Eventfd wake-ups are coalesced \([\d,.K]+\/s writes\), their write\(\) path on [\d.]+% of samples$/,
    );
    // The same stacks with the rates the naive demo had: still the warning or worse, with the fix.
    const before = storm({ ...full, throughput: null });
    assert.ok(before && before.severity !== 'info');
    assert.deepEqual(before.fixes, ['coalesce-eventfd-wakeups']);
  });
});
