import { test } from 'node:test';
import assert from 'node:assert/strict';
import { descendants, terminalTargets } from '../../../src/extension/terminal-processes';
import type { ProcessEntry } from '../../../src/extension/targets';

const p = (pid: number, ppid: number, name: string, cpu = 0): ProcessEntry => ({
  pid,
  ppid,
  name,
  cmdline: name,
  user: 'dev',
  cpu,
  threads: 1,
  ports: [],
});

// A terminal's shell (100) that ran `make run` → sh → the server, plus an unrelated tree.
const table = [
  p(1, 0, 'systemd'),
  p(100, 1, 'bash'),
  p(101, 100, 'make'),
  p(102, 101, 'sh'),
  p(103, 102, 'tcp_demo', 150),
  p(200, 1, 'bash'),
  p(201, 200, 'wrk', 60),
];

test('descendants are found through launchers, not across trees', () => {
  assert.deepEqual(
    descendants(table, 100).map((x) => x.pid),
    [101, 102, 103],
  );
  assert.deepEqual(
    descendants(table, 200).map((x) => x.pid),
    [201],
  );
  assert.deepEqual(descendants(table, 103), []);
});

test('a PID cycle in a broken table does not loop', () => {
  const cyclic = [p(100, 1, 'bash'), p(5, 6, 'a'), p(6, 5, 'b'), p(7, 100, 'c')];
  assert.deepEqual(
    descendants(cyclic, 100).map((x) => x.pid),
    [7],
  );
  assert.deepEqual(
    descendants([p(5, 6, 'a'), p(6, 5, 'b')], 5).map((x) => x.pid),
    [6],
  );
});

test('the server behind make/sh is the one target; launchers are skipped', () => {
  assert.deepEqual(terminalTargets(table, 100), { kind: 'one', process: table[4] });
});

test('several real processes: all offered, busiest first', () => {
  const t = [...table, p(104, 100, 'python3', 3), p(105, 104, 'tail', 0)];
  const r = terminalTargets(t, 100);
  assert.equal(r.kind, 'several');
  if (r.kind === 'several')
    assert.deepEqual(
      r.processes.map((x) => x.pid),
      [103, 104, 105],
    );
});

test('only a launcher running (e.g. sudo waiting for a password): it is offered rather than nothing', () => {
  const r = terminalTargets([p(100, 1, 'bash'), p(101, 100, 'sudo')], 100);
  assert.equal(r.kind, 'one');
});

test('an idle terminal or a gone shell gives a message, not a guess', () => {
  const idle = terminalTargets([p(100, 1, 'bash')], 100);
  assert.equal(idle.kind, 'none');
  assert.match((idle as { message: string }).message, /Nothing is running in this terminal/);
  const gone = terminalTargets(table, 999);
  assert.equal(gone.kind, 'none');
  assert.match((gone as { message: string }).message, /PID 999\) is no longer running/);
});
