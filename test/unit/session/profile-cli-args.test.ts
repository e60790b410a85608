import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseProfileArgs } from '../../../src/cli/commands/profile-args';
import { UserError } from '../../../src/core/errors';

test('targets: one of --pid, --name, --port, --exe', () => {
  assert.deepEqual(parseProfileArgs(['--pid', '42']).target, { kind: 'pid', pid: 42 });
  assert.deepEqual(parseProfileArgs(['--port', '8080']).target, { kind: 'port', port: 8080 });
  assert.deepEqual(parseProfileArgs(['--name', 'nginx: worker']).target, { kind: 'name', name: 'nginx: worker' });
  assert.deepEqual(parseProfileArgs(['--exe=/usr/sbin/nginx']).target, { kind: 'exe', path: '/usr/sbin/nginx' });
});

test('options map onto the session options; defaults are left to the session', () => {
  const a = parseProfileArgs([
    '--pid',
    '1',
    '--duration',
    '2.5',
    '--frequency',
    '499',
    '--call-graph',
    'dwarf',
    '--scope',
    'process',
    '--strace',
    '--sudo',
    'passwordless',
    '-q',
  ]);
  assert.deepEqual(a.options, {
    durationSeconds: 2.5,
    frequency: 499,
    callGraph: 'dwarf',
    recordScope: 'process',
    strace: true,
    sudo: 'passwordless',
  });
  assert.equal(a.quiet, true);
  assert.equal(a.ssh, null);
  assert.deepEqual(parseProfileArgs(['--pid', '1']).options, {});
});

test('ssh flags', () => {
  const a = parseProfileArgs([
    '--pid',
    '1',
    '--ssh',
    'me@db1',
    '--ssh-port',
    '2222',
    '--ssh-identity',
    '/k',
    '--ssh-config',
    '/dev/null',
    '--ssh-option',
    'ConnectTimeout=5',
    '--ssh-option',
    'User=x',
  ]);
  assert.deepEqual(a.ssh, {
    target: 'me@db1',
    port: 2222,
    identityFile: '/k',
    configFile: '/dev/null',
    extraOptions: ['ConnectTimeout=5', 'User=x'],
  });
});

test('output files: resolved, and their folder must exist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pl-args-'));
  try {
    const a = parseProfileArgs(['--pid', '1', '--json', join(dir, 'p.json'), '--html', join(dir, 'r.html')]);
    assert.equal(a.json, join(dir, 'p.json'));
    assert.equal(a.html, join(dir, 'r.html'));
    assert.throws(() => parseProfileArgs(['--pid', '1', '--json', join(dir, 'missing', 'p.json')]), /does not exist/);
    assert.throws(() => parseProfileArgs(['--pid', '1', '--html', dir]), /is a folder/);
  } finally {
    rmSync(dir, { recursive: true });
  }
});

test('unknown flags and bad values: a one-line UserError each', () => {
  const cases: Array<[string[], RegExp]> = [
    [[], /say which process/],
    [['--pid', '1', '--port', '2'], /choose one of/],
    [['--frob'], /Unknown option '--frob'/],
    [['--pid'], /argument missing|--pid/],
    [['--pid', 'abc'], /whole number/],
    [['--pid', '0'], /between 1 and/],
    [['--pid', '1;reboot'], /whole number/],
    [['--port', '70000'], /between 1 and 65535/],
    [['--exe', 'nginx'], /absolute path/],
    [['--name', ''], /needs a process name/],
    [['--pid', '1', '--duration', '0'], /--duration/],
    [['--pid', '1', '--duration', '10s'], /--duration/],
    [['--pid', '1', '--frequency', '1e3'], /whole number/],
    [['--pid', '1', '--call-graph', 'lbr'], /fp, dwarf or none/],
    [['--pid', '1', '--scope', 'cpu'], /auto, process or system/],
    [['--pid', '1', '--sudo', 'yes'], /never or passwordless/],
    [['--pid', '1', '--ssh=-oProxyCommand=touch /tmp/x'], /--ssh needs/],
    [['--pid', '1', '--ssh-port', '22'], /needs --ssh/],
    [['--pid', '1', '--ssh', 'h', '--ssh-option', 'NoEquals'], /Key=Value/],
    [['--pid', '1', 'extra'], /unexpected argument/],
  ];
  for (const [argv, re] of cases) {
    assert.throws(
      () => parseProfileArgs(argv),
      (e: unknown) => e instanceof UserError && re.test(e.message) && !e.message.includes('\n'),
      JSON.stringify(argv),
    );
  }
});
