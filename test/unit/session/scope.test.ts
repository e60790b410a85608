import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseRecordScope, SYSTEM_WIDE_MAX_SAMPLES_PER_SECOND } from '../../../src/core/session/scope';

const base = { asked: 'auto' as const, privileged: true, paranoid: 2, busyCpus: 2, frequency: 999 };

test('auto: all CPUs when privileged, or unprivileged with perf_event_paranoid at 0 or below', () => {
  assert.deepEqual(chooseRecordScope(base), { scope: 'system', note: null });
  assert.equal(chooseRecordScope({ ...base, privileged: false, paranoid: 0 }).scope, 'system');
  assert.equal(chooseRecordScope({ ...base, privileged: false, paranoid: -1 }).scope, 'system');
});

test('auto without the right to sample all CPUs: the threads, and a note that says what to change', () => {
  const r = chooseRecordScope({ ...base, privileged: false, paranoid: 1 });
  assert.equal(r.scope, 'process');
  assert.equal(r.note?.severity, 'info');
  assert.match(r.note!.message, /perf_event_paranoid ≤ 0 \(it is 1\)/);
  assert.match(r.note!.fix!, /perf_event_paranoid=0/);
  // Asked for explicitly, the same fallback is a warning.
  assert.equal(
    chooseRecordScope({ ...base, asked: 'system', privileged: false, paranoid: 2 }).note?.severity,
    'warning',
  );
});

test('auto on a host too busy to record whole: the threads; asking for system overrides it', () => {
  const limitCpus = SYSTEM_WIDE_MAX_SAMPLES_PER_SECOND / 999;
  assert.equal(chooseRecordScope({ ...base, busyCpus: Math.floor(limitCpus) }).scope, 'system');
  const big = chooseRecordScope({ ...base, busyCpus: Math.ceil(limitCpus) + 1 });
  assert.equal(big.scope, 'process');
  assert.match(big.note!.message, /K samples\/s of every process/);
  // A lower frequency brings it back under the bound.
  assert.equal(chooseRecordScope({ ...base, busyCpus: 60, frequency: 99 }).scope, 'system');
  assert.deepEqual(chooseRecordScope({ ...base, asked: 'system', busyCpus: 500 }), { scope: 'system', note: null });
});

test('process asked: always the threads, no note', () => {
  assert.deepEqual(chooseRecordScope({ ...base, asked: 'process' }), { scope: 'process', note: null });
});
