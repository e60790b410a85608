import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { ParseError } from '../../../src/core/errors';
import { eventfdArgv, fdListArgv, parseFdListing } from '../../../src/core/collect/eventfd';
import { fixture, fixtureCommand } from './fixtures';

test('eventfd argv is the one the fixture ran', () => {
  const argv = eventfdArgv({ pid: 32551 });
  assert.equal(
    fixtureCommand('eventfd/find-lname.txt'),
    String.raw`find /proc/32551/fd -mindepth 1 -maxdepth 1 -lname anon_inode:\\\[eventfd\\\] -printf %f\\n`,
  );
  assert.deepEqual(argv.slice(0, 2), ['find', '/proc/32551/fd']);
  assert.throws(() => eventfdArgv({ pid: -5 }), /invalid PID/);
});

test('the demo server has two eventfds (5, 7) next to its two io_uring instances, in all three listings', () => {
  assert.deepEqual(parseFdListing(fixture('eventfd/find-lname.txt')).eventfds, [5, 7]);
  for (const name of ['ls-l', 'find-links']) {
    const r = parseFdListing(fixture(`eventfd/${name}.txt`));
    assert.deepEqual([r.eventfds, r.ioUrings, r.sockets], [[5, 7], [4, 6], 1]);
    assert.equal(r.targets.get(3)?.startsWith('socket:['), true);
  }
});

test('this test process: find with the module argv, for real', () => {
  const argv = fdListArgv({ pid: process.pid });
  const r = spawnSync(argv[0], argv.slice(1), { encoding: 'utf8' });
  const listing = parseFdListing(r.stdout);
  assert.ok(listing.targets.size >= 3);
  const e = eventfdArgv({ pid: process.pid });
  const fds = parseFdListing(spawnSync(e[0], e.slice(1), { encoding: 'utf8' }).stdout).eventfds;
  assert.deepEqual(fds, listing.eventfds);
});

test('a process that is gone, and garbage, are ParseErrors; no eventfds is an empty list', () => {
  assert.throws(
    () => parseFdListing(fixture('eventfd/find-gone.txt')),
    (e: unknown) => e instanceof ParseError && /process exited/.test(e.message),
  );
  assert.throws(() => parseFdListing('hello world\n'), ParseError);
  assert.throws(() => parseFdListing('5\n3 socket:[1]\n'), /one listing format/);
  assert.deepEqual(parseFdListing('').eventfds, []);
});
