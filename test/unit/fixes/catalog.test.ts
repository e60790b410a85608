import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FIXES, getFix, isFixId, fixApplicability } from '../../../src/core/fixes';
import { analyze } from '../../../src/core/analyze';
import { profileWith } from '../analyze/profiles';

const REQUIRED = [
  'coalesce-eventfd-wakeups',
  'batch-submissions',
  'sqpoll',
  'send-zc',
  'tcp-nodelay',
  'tune-tcp-buffers',
  'kernel-bypass',
  'reduce-lock-contention',
];

describe('fix catalog', () => {
  it('has every required fix, once, with all fields filled', () => {
    assert.deepEqual(FIXES.map((f) => f.id).sort(), [...REQUIRED].sort());
    for (const f of FIXES) {
      for (const field of ['title', 'mechanism', 'appliesWhen', 'expectedEffect', 'measure', 'snippet'] as const) {
        assert.ok(f[field].trim().length > 20, `${f.id}.${field}`);
      }
      assert.equal(f.recipe, f.informational ? null : f.id, `${f.id}: recipe id`);
    }
  });
  it('snippets are written for the demo’s shape of code', () => {
    assert.match(getFix('coalesce-eventfd-wakeups')?.snippet ?? '', /scheduleOn[\s\S]*wakeThread/);
    assert.match(getFix('batch-submissions')?.snippet ?? '', /io_uring_submit_and_wait/);
    assert.match(getFix('sqpoll')?.snippet ?? '', /IORING_SETUP_SQPOLL/);
    assert.match(getFix('send-zc')?.snippet ?? '', /io_uring_prep_send_zc[\s\S]*IORING_CQE_F_NOTIF/);
    assert.match(getFix('tcp-nodelay')?.snippet ?? '', /TCP_NODELAY/);
  });
  it('states the documented preconditions', () => {
    assert.deepEqual(getFix('send-zc')?.minKernel, [6, 0]);
    assert.match(getFix('sqpoll')?.appliesWhen ?? '', /5\.11/);
    assert.match(getFix('sqpoll')?.appliesWhen ?? '', /core/);
    assert.equal(getFix('kernel-bypass')?.informational, true);
  });
  it('getFix/isFixId reject unknown ids', () => {
    assert.equal(getFix('no-such-fix'), undefined);
    assert.equal(isFixId('sqpoll'), true);
    assert.equal(isFixId('__proto__'), false);
  });
});

describe('fix preconditions against the profiled host', () => {
  const host = {
    kernel: [5, 15] as [number, number],
    kernelText: '5.15.0-91-generic',
    cores: 4,
    uid: 1000,
    sudo: 'none' as const,
  };
  it('send-zc does not apply before Linux 6.0', () => {
    const r = fixApplicability(getFix('send-zc')!, host);
    assert.equal(r.applicable, false);
    assert.match(r.reason, /needs Linux 6\.0 or newer; this host runs 5\.15\.0-91-generic/);
    assert.equal(fixApplicability(getFix('send-zc')!, { ...host, kernel: [6, 0] }).applicable, true);
  });
  it('sqpoll needs privileges before 5.11 and a spare core', () => {
    const old = fixApplicability(getFix('sqpoll')!, { ...host, kernel: [5, 10] });
    assert.equal(old.applicable, false);
    assert.match(old.reason, /CAP_SYS_ADMIN/);
    assert.equal(fixApplicability(getFix('sqpoll')!, { ...host, kernel: [5, 10], uid: 0 }).applicable, true);
    assert.equal(fixApplicability(getFix('sqpoll')!, { ...host, kernel: [5, 11] }).applicable, true);
    assert.equal(fixApplicability(getFix('sqpoll')!, { ...host, cores: 1 }).applicable, false);
  });
  it('an unknown kernel is said, not guessed', () => {
    const r = fixApplicability(getFix('send-zc')!, { ...host, kernel: null, kernelText: null });
    assert.equal(r.applicable, null);
    assert.match(r.reason, /uname -r/);
  });
  it('a finding drops a fix that cannot apply and says why in its evidence', () => {
    const p = profileWith({
      target: { kernel: '5.10.0-28-amd64', cores: 1 },
      cpu: { process: { usr: 5, sys: 60, wait: 0, cpu: 65 } },
      ioUring: { enterPerSecond: 150_000, submitPerSecond: 150_000, completePerSecond: null, source: 'perf stat' },
      capabilities: null,
    });
    const f = analyze(p).findings.find((x) => x.id === 'io-uring-submit-overhead');
    assert.ok(f);
    assert.deepEqual(f.fixes, ['batch-submissions']);
    assert.ok(f.evidence.some((e) => /sqpoll's kernel thread needs a core of its own; this host has 1 CPU/.test(e)));
  });
});
