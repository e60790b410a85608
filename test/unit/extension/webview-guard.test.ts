import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  checkEditTarget,
  checkFixRequest,
  checkMessage,
  isInside,
  resolveSourcePath,
} from '../../../src/extension/webview-guard';
import type { Profile } from '../../../src/core/profile';

let root: string;
let ws: string;
let outside: string;

before(() => {
  root = mkdtempSync(join(tmpdir(), 'pl-guard-'));
  ws = join(root, 'ws');
  outside = join(root, 'outside');
  mkdirSync(join(ws, 'src'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(ws, 'src', 'executor.cpp'), '// x\n');
  writeFileSync(join(outside, 'secret.txt'), 'x');
  symlinkSync(outside, join(ws, 'link-out'));
});
after(() => rmSync(root, { recursive: true, force: true }));

test('valid messages pass; malformed and unknown ones are refused with a reason', () => {
  assert.deepEqual(checkMessage({ type: 'ready' }), { ok: true, value: { type: 'ready' } });
  assert.deepEqual(
    checkMessage({ type: 'applyFix', findingId: 'eventfd-wakeup-storm', fixId: 'coalesce-eventfd-wakeups' }),
    {
      ok: true,
      value: { type: 'applyFix', findingId: 'eventfd-wakeup-storm', fixId: 'coalesce-eventfd-wakeups' },
    },
  );
  for (const bad of [
    null,
    'ready',
    { type: 'runCommand', argv: ['rm'] },
    { type: 'openSource', file: 5, line: 1, symbol: null },
    { type: 'openSource', file: '/x', line: -3, symbol: null },
    { type: 'applyFix', findingId: 'x'.repeat(500), fixId: 'y' },
  ]) {
    const r = checkMessage(bad);
    assert.equal(r.ok, false, JSON.stringify(bad));
    if (!r.ok) assert.match(r.reason, /malformed or unknown webview message/);
  }
});

test('openSource: a workspace file opens, a path outside (directly, by .., or through a symlink) is refused', () => {
  const file = join(ws, 'src', 'executor.cpp');
  assert.deepEqual(resolveSourcePath(file, [ws], existsSync), { ok: true, value: file });
  assert.deepEqual(resolveSourcePath('src/executor.cpp', [ws], existsSync), { ok: true, value: file });
  for (const bad of [
    join(outside, 'secret.txt'),
    '/etc/passwd',
    join(ws, '..', 'outside', 'secret.txt'),
    '../outside/secret.txt',
    join(ws, 'link-out', 'secret.txt'),
    'link-out/secret.txt',
  ]) {
    const r = resolveSourcePath(bad, [ws], existsSync);
    assert.equal(r.ok, false, bad);
  }
  assert.equal(resolveSourcePath(file, [], existsSync).ok, false);
  assert.equal(resolveSourcePath('src/\u0000x', [ws], existsSync).ok, false);
  const missing = resolveSourcePath(join(ws, 'src', 'gone.cpp'), [ws], existsSync);
  assert.equal(missing.ok, false);
  if (!missing.ok) assert.match(missing.reason, /does not exist/);
});

test('isInside does not confuse a sibling with a common prefix', () => {
  assert.equal(isInside('/a/ws', '/a/ws2/file'), false);
  assert.equal(isInside('/a/ws', '/a/ws/file'), true);
  assert.equal(isInside('/a/ws', '/a/ws'), true);
});

test('applyFix must name a finding and fix of the profile on show', () => {
  const profile = {
    findings: [{ id: 'eventfd-wakeup-storm', fixes: ['coalesce-eventfd-wakeups'] }],
  } as unknown as Profile;
  assert.equal(checkFixRequest(profile, 'eventfd-wakeup-storm', 'coalesce-eventfd-wakeups').ok, true);
  assert.equal(checkFixRequest(profile, 'eventfd-wakeup-storm', 'sqpoll').ok, false);
  assert.equal(checkFixRequest(profile, 'forged', 'coalesce-eventfd-wakeups').ok, false);
  assert.equal(checkFixRequest(null, 'eventfd-wakeup-storm', 'coalesce-eventfd-wakeups').ok, false);
});

test('an edit proposed for a file outside the workspace is refused', () => {
  assert.equal(checkEditTarget(join(ws, 'src', 'executor.cpp'), [ws]).ok, true);
  assert.equal(checkEditTarget('/etc/hosts', [ws]).ok, false);
  assert.equal(checkEditTarget(join(ws, 'link-out', 'secret.txt'), [ws]).ok, false);
});
