import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parseProcessListing } from '../../../src/core/target/proc-list';
import { descendants, pickTarget, validateSpec, printable } from '../../../src/core/target/resolve';
import { UserError, ParseError } from '../../../src/core/errors';

const fixture = (name: string) => readFileSync(new URL(`../../fixtures/${name}`, import.meta.url), 'utf8');
const listing = parseProcessListing(fixture('proc-list/demo-loaded.txt'));
const host = { hostDescription: 'local (test)' };

test('the listing has the demo with its threads, port, user, command line and a measured %CPU', () => {
  const demo = listing.processes.find((p) => p.pid === 19011);
  assert.ok(demo);
  assert.equal(demo.name, 'tcp_demo');
  assert.equal(demo.threads, 3);
  assert.deepEqual(demo.ports, [0xadc7]);
  assert.equal(demo.user, 'root');
  assert.equal(demo.cmdline, 'examples/tcp-demo/build/tcp_demo --port 0 --threads 2');
  assert.equal(demo.exe, '/work/main/examples/tcp-demo/build/tcp_demo (deleted)');
  assert.ok(demo.cpu !== null && demo.cpu > 10, `demo was under load: ${demo.cpu}`);
  assert.equal(listing.realpath, '/work/main/examples/tcp-demo/build/tcp_demo');
  assert.equal(listing.clockTicks, 100);
});

test('the listing script itself (and its children) is not a candidate', () => {
  assert.equal(listing.selfPid, 23238);
  assert.ok(!listing.processes.some((p) => p.pid === 23238 || p.ppid === 23238));
});

test('a process name holding a newline and parentheses cannot forge another PID', () => {
  const hostile = listing.processes.find((p) => p.pid === 23085);
  assert.ok(hostile);
  assert.equal(hostile.name, 'x)\n1 (evil');
  assert.equal(hostile.ppid, 1);
  assert.ok(!listing.processes.some((p) => p.name === 'evil'));
  // A hostile name is printable only in escaped form.
  assert.equal(printable(hostile.name), 'x)\\x0a1 (evil');
});

test('resolve by port, PID, name, argv[0] and executable path (also when the file was replaced)', () => {
  assert.equal(pickTarget({ kind: 'port', port: 0xadc7 }, listing.processes, host).pid, 19011);
  assert.equal(pickTarget({ kind: 'pid', pid: 19011 }, listing.processes, host).name, 'tcp_demo');
  const exe = pickTarget({ kind: 'exe', path: '/work/main/examples/tcp-demo/build/./tcp_demo' }, listing.processes, {
    ...host,
    realpath: listing.realpath,
  });
  assert.equal(exe.pid, 19011);
  const python = pickTarget({ kind: 'name', name: 'python3' }, listing.processes, host);
  assert.equal(python.pid, 23085);
});

test('several matches are refused with a list of PIDs, names and command lines', () => {
  assert.throws(
    () => pickTarget({ kind: 'name', name: 'tcp_demo' }, listing.processes, host),
    (e: unknown) =>
      e instanceof UserError &&
      /2 processes match name 'tcp_demo'/.test(e.message) &&
      /13351 +tcp_demo +\[:37811\] +\/tmp\/plw\/demo\/build\/tcp_demo --port 37811/.test(e.message) &&
      /19011 +tcp_demo/.test(e.message),
  );
});

test('no match is refused with a hint, and a hostile name is shown escaped', () => {
  assert.throws(
    () => pickTarget({ kind: 'port', port: 1 }, listing.processes, host),
    (e: unknown) =>
      e instanceof UserError &&
      /no process matches listening port 1 on local \(test\)/.test(e.message) &&
      e.hint !== null,
  );
  assert.throws(
    () => pickTarget({ kind: 'name', name: 'a\tb$(reboot)' }, listing.processes, host),
    (e: unknown) => e instanceof UserError && e.message.includes("'a\\x09b$(reboot)'"),
  );
  assert.throws(() => pickTarget({ kind: 'pid', pid: 4_000_000 }, listing.processes, host), UserError);
});

test('excluded PIDs (the profiler itself) and zombies are never picked', () => {
  assert.throws(
    () => pickTarget({ kind: 'port', port: 0xadc7 }, listing.processes, { ...host, excludePids: [19011] }),
    UserError,
  );
  const zombie = listing.processes.map((p) => (p.pid === 19011 ? { ...p, state: 'Z' } : p));
  assert.throws(() => pickTarget({ kind: 'pid', pid: 19011 }, zombie, host), UserError);
});

test('kernel threads do not match by name', () => {
  const kthread = listing.processes.find((p) => p.pid === 2);
  assert.ok(kthread);
  assert.throws(() => pickTarget({ kind: 'name', name: kthread.name }, listing.processes, host), UserError);
});

test('bad specs are refused before anything runs', () => {
  for (const spec of [
    { kind: 'pid', pid: 0 },
    { kind: 'pid', pid: -5 },
    { kind: 'pid', pid: 1.5 },
    { kind: 'port', port: 70000 },
    { kind: 'name', name: '' },
    { kind: 'name', name: 'a\nb' },
    { kind: 'exe', path: 'relative/path' },
    { kind: 'exe', path: '/bin/x\0y' },
  ] as const) {
    assert.throws(() => validateSpec(spec), UserError, JSON.stringify(spec));
  }
});

test('a long name matches the 15-byte comm the kernel keeps', () => {
  const p = { ...listing.processes[0], name: 'a-very-long-ser', cmdline: '', ppid: 1, pid: 99999 };
  assert.equal(pickTarget({ kind: 'name', name: 'a-very-long-server' }, [p], host).pid, 99999);
});

test('terminal descendants: children before grandchildren, the shell itself excluded', () => {
  const base = listing.processes[0];
  const procs = [
    { ...base, pid: 100, ppid: 1, name: 'bash' },
    { ...base, pid: 101, ppid: 100, name: 'make' },
    { ...base, pid: 102, ppid: 101, name: 'server' },
    { ...base, pid: 103, ppid: 100, name: 'vim' },
    { ...base, pid: 104, ppid: 1, name: 'other' },
  ];
  assert.deepEqual(
    descendants(procs, 100).map((p) => p.pid),
    [101, 103, 102],
  );
  assert.deepEqual(descendants(procs, 104), []);
  assert.throws(() => descendants(procs, 555), UserError);
});

test('a truncated listing is a ParseError, not an empty list', () => {
  const text = fixture('proc-list/demo-loaded.txt');
  assert.throws(() => parseProcessListing(text.slice(0, text.indexOf('@ps'))), ParseError);
  assert.throws(() => parseProcessListing(''), ParseError);
  assert.throws(() => parseProcessListing('\x00\x01garbage\n@self x\n'), ParseError);
});
