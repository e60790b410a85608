import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveOptions, DEFAULT_OPTIONS } from '../../../src/core/session/options';
import { choosePrivilege, sudoRefused } from '../../../src/core/session/privilege';
import { UserError } from '../../../src/core/errors';

test('defaults: 10 s at 999 Hz with frame-pointer call graphs, no strace, no sudo', () => {
  assert.deepEqual(resolveOptions({}), DEFAULT_OPTIONS);
  assert.equal(resolveOptions({ durationSeconds: 2, frequency: undefined }).frequency, 999);
});

test('bad option values are refused before anything runs', () => {
  for (const bad of [
    { durationSeconds: 0 },
    { durationSeconds: Number.NaN },
    { durationSeconds: 1e9 },
    { frequency: 99.5 },
    { frequency: -1 },
    { callGraph: 'lbr' as never },
    { sudo: 'always' as never },
    { sudo: 'password' as const },
    { sudo: 'password' as const, sudoPassword: 'a\nb' },
    { toolPaths: { perf: 'relative/perf' } },
    { toolPaths: { perf: '/usr/bin/perf\n' } },
    { perfDataMaxMiB: 0 },
  ]) {
    assert.throws(() => resolveOptions(bad), UserError, JSON.stringify(bad));
  }
});

test('root runs tools as they are; sudo -n and sudo -S wrap the whole command', () => {
  assert.deepEqual(choosePrivilege(0, 'root', { sudo: 'password', sudoPassword: 'x' }).wrap(['perf', 'stat']), {
    argv: ['perf', 'stat'],
  });
  assert.deepEqual(choosePrivilege(1000, 'passwordless', { sudo: 'passwordless' }).wrap(['perf']), {
    argv: ['sudo', '-n', '--', 'perf'],
  });
  assert.equal(choosePrivilege(1000, 'passwordless', { sudo: 'never' }).mode, 'none');
  assert.throws(() => choosePrivilege(1000, 'password', { sudo: 'passwordless' }), UserError);
});

test('a sudo password goes to stdin only, never into argv', () => {
  const secret = 'hunter2 $(reboot)';
  const w = choosePrivilege(1000, 'password', { sudo: 'password', sudoPassword: secret }).wrap(['sh', '-c', 'x']);
  assert.deepEqual(w.argv, ['sudo', '-S', '-p', '', '--', 'sh', '-c', 'x']);
  assert.ok(!w.argv.some((a) => a.includes('hunter2')));
  assert.equal(w.stdin, `${secret}\n`);
  const p = choosePrivilege(1000, 'password', { sudo: 'password', sudoPassword: secret });
  assert.ok(!p.describe().includes('hunter2') && !JSON.stringify(p).includes('hunter2'));
});

test('sudo refusals are recognised in stderr', () => {
  assert.match(sudoRefused('sudo: a password is required\n') ?? '', /password/);
  assert.match(sudoRefused('sudo: 1 incorrect password attempt\n') ?? '', /password/);
  assert.match(sudoRefused('bob is not in the sudoers file.\n') ?? '', /may not/);
  assert.equal(sudoRefused('perf: some other error'), null);
});
