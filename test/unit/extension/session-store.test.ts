import { test, beforeEach, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionStore, profileLabel } from '../../../src/extension/session-store';
import { PROFILE_SCHEMA, type Profile } from '../../../src/core/profile';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'pl-store-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A minimal Profile: the store only reads target, verdict and a few top-level fields. */
function profile(createdAt: string, pid: number, padding = 0): Profile {
  return {
    schema: PROFILE_SCHEMA,
    createdAt,
    origin: 'session',
    partial: false,
    partialReason: null,
    durationSeconds: 3,
    target: { host: 'local (box)', transport: 'local', pid, command: 'tcp_demo' },
    verdict: { kind: 'kernel-bound', summary: `summary ${pid}`, evidence: [], coresUsed: 1.4, coresAvailable: 2 },
    findings: [],
    padding: 'x'.repeat(padding),
  } as unknown as Profile;
}

test('saved profiles are listed newest first and load back unchanged', async () => {
  const store = new SessionStore(dir, { maxCount: 10, maxTotalBytes: 1 << 20 });
  const a = await store.add(profile('2026-11-26T10:00:00.000Z', 1));
  const b = await store.add(profile('2026-11-26T11:00:00.000Z', 2));
  const list = await store.list();
  assert.deepEqual(
    list.map((e) => e.id),
    [b.id, a.id],
  );
  assert.equal(list[0].label, 'tcp_demo (2)');
  assert.equal(list[0].verdictKind, 'kernel-bound');
  assert.equal(list[0].verdictSummary, 'summary 2');
  assert.deepEqual(await store.load(a.id), profile('2026-11-26T10:00:00.000Z', 1));
  assert.match(a.id, /^20261126T100000-[0-9a-f]{8}$/);
});

test('the history is bounded in count: the oldest go first, files included', async () => {
  const store = new SessionStore(dir, { maxCount: 2, maxTotalBytes: 1 << 20 });
  const first = await store.add(profile('2026-11-26T10:00:00Z', 1));
  await store.add(profile('2026-11-26T10:01:00Z', 2));
  await store.add(profile('2026-11-26T10:02:00Z', 3));
  const list = await store.list();
  assert.deepEqual(
    list.map((e) => e.label),
    ['tcp_demo (3)', 'tcp_demo (2)'],
  );
  assert.equal(readdirSync(dir).filter((f) => f !== 'index.json').length, 2);
  await assert.rejects(store.load(first.id), /ENOENT/);
});

test('the history is bounded in size; a lowered limit applies on prune', async () => {
  const store = new SessionStore(dir, { maxCount: 100, maxTotalBytes: 25_000 });
  for (let i = 0; i < 4; i++) await store.add(profile(`2026-11-26T10:0${i}:00Z`, i, 10_000));
  assert.equal((await store.list()).length, 2);
  store.setLimits({ maxCount: 1, maxTotalBytes: 25_000 });
  await store.prune();
  assert.deepEqual(
    (await store.list()).map((e) => e.label),
    ['tcp_demo (3)'],
  );
  await assert.rejects(
    new SessionStore(dir, { maxCount: 5, maxTotalBytes: 100 }).add(profile('2026-11-26T11:00:00Z', 9, 1000)),
    /more than the history's cap/,
  );
});

test('delete removes the entry and its file; ids that are paths are refused', async () => {
  const store = new SessionStore(dir, { maxCount: 5, maxTotalBytes: 1 << 20 });
  const a = await store.add(profile('2026-11-26T10:00:00Z', 1));
  await store.remove(a.id);
  assert.deepEqual(await store.list(), []);
  assert.deepEqual(readdirSync(dir), ['index.json']);
  await assert.rejects(store.load('../../etc/passwd'), /invalid session id/);
  await assert.rejects(store.remove('20261126T100000-zzzzzzzz'), /invalid session id/);
});

test('a damaged index does not lose new sessions', async () => {
  writeFileSync(join(dir, 'index.json'), '{not json');
  const store = new SessionStore(dir, { maxCount: 5, maxTotalBytes: 1 << 20 });
  assert.deepEqual(await store.list(), []);
  await store.add(profile('2026-11-26T10:00:00Z', 1));
  assert.equal((await store.list()).length, 1);
});

test('concurrent adds keep every entry (operations are serialised)', async () => {
  const store = new SessionStore(dir, { maxCount: 50, maxTotalBytes: 1 << 20 });
  await Promise.all(Array.from({ length: 10 }, (_, i) => store.add(profile(`2026-11-26T10:00:0${i}Z`, i))));
  assert.equal((await store.list()).length, 10);
});

test('labels: process and PID, or what the profile came from', () => {
  assert.equal(profileLabel(profile('2026-11-26T10:00:00Z', 7)), 'tcp_demo (7)');
  const analyzed = {
    ...profile('2026-11-26T10:00:00Z', 7),
    origin: 'analyze',
    target: { host: 'file', transport: 'file', pid: null, command: null },
  } as unknown as Profile;
  assert.equal(profileLabel(analyzed), 'saved output');
});
