import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  grantCommand,
  planPrivileges,
  privilegeGaps,
  privilegeNote,
  type PrivilegeFacts,
} from '../../../src/extension/privilege-plan';

const facts = (f: Partial<PrivilegeFacts>): PrivilegeFacts => ({
  uid: 1000,
  perfEventParanoid: 2,
  ptraceScope: 1,
  targetUid: 1000,
  sudoPasswordless: false,
  sudoAvailable: true,
  strace: false,
  ...f,
});

test('root needs nothing', () => {
  assert.deepEqual(planPrivileges(facts({ uid: 0, targetUid: 33 }), 'ask'), {
    kind: 'none',
    reason: 'running as root',
  });
});

test('a permissive kernel and own process need nothing', () => {
  assert.equal(planPrivileges(facts({ perfEventParanoid: 1 }), 'ask').kind, 'none');
  assert.equal(planPrivileges(facts({ perfEventParanoid: -1 }), 'never').kind, 'none');
});

test('paranoid 2 in ask mode: ask, with the sysctl that grants it', () => {
  const plan = planPrivileges(facts({}), 'ask');
  assert.equal(plan.kind, 'ask');
  if (plan.kind === 'ask') {
    assert.equal(plan.grantCommand, 'sudo sysctl -w kernel.perf_event_paranoid=1');
    assert.equal(plan.canAskPassword, true);
    assert.match(plan.reasons[0], /perf_event_paranoid is 2/);
  }
});

test('passwordless mode uses sudo -n when it works, else continues unprivileged and says why', () => {
  assert.equal(planPrivileges(facts({ sudoPasswordless: true }), 'passwordless').kind, 'passwordless');
  const plan = planPrivileges(facts({}), 'passwordless');
  assert.equal(plan.kind, 'unprivileged');
  if (plan.kind === 'unprivileged') assert.ok(plan.reasons.some((r) => r.includes('sudo -n')));
});

test('never mode never asks', () => {
  assert.equal(planPrivileges(facts({ sudoPasswordless: true }), 'never').kind, 'unprivileged');
});

test("another user's process and strace under ptrace_scope are gaps", () => {
  assert.ok(privilegeGaps(facts({ perfEventParanoid: 1, targetUid: 33 }))[0].includes('another user'));
  const straceGaps = privilegeGaps(facts({ perfEventParanoid: 1, strace: true }));
  assert.equal(straceGaps.length, 1);
  assert.match(straceGaps[0], /ptrace_scope is 1/);
  assert.equal(
    grantCommand(facts({ strace: true })),
    'sudo sysctl -w kernel.perf_event_paranoid=1 kernel.yama.ptrace_scope=0',
  );
  assert.equal(grantCommand(facts({ perfEventParanoid: 1 })), null);
});

test('without sudo and nothing to grant, ask mode continues unprivileged', () => {
  const plan = planPrivileges(facts({ perfEventParanoid: 1, targetUid: 33, sudoAvailable: false }), 'ask');
  assert.equal(plan.kind, 'unprivileged');
});

test('the profile note says which choice was made and never holds a password', () => {
  assert.equal(privilegeNote('sudo-password', [], null).severity, 'info');
  const n = privilegeNote(
    'unprivileged',
    ['perf_event_paranoid is 2: x'],
    'sudo sysctl -w kernel.perf_event_paranoid=1',
  );
  assert.equal(n.id, 'privileges');
  assert.equal(n.severity, 'warning');
  assert.match(n.message, /user frames only/);
  assert.equal(n.fix, 'sudo sysctl -w kernel.perf_event_paranoid=1');
});
