import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  describeProcess,
  filterProcesses,
  isKernelThread,
  parsePort,
  parseTargetInput,
  resolveInList,
  sortByCpu,
  type ProcessEntry,
} from '../../../src/extension/targets';

const proc = (p: Partial<ProcessEntry> & { pid: number; name: string }): ProcessEntry => ({
  ppid: 1,
  cmdline: p.name,
  user: 'root',
  cpu: 0,
  threads: 1,
  ports: [],
  ...p,
});

const list = [
  proc({ pid: 10, name: 'sshd', cpu: 0.1, ports: [22], cmdline: '/usr/sbin/sshd -D' }),
  proc({
    pid: 4242,
    name: 'tcp_demo',
    cpu: 143.5,
    threads: 3,
    ports: [38081],
    cmdline: '/w/build/tcp_demo --port 0 --threads 2',
  }),
  proc({ pid: 4300, name: 'wrk', cpu: 61, threads: 2, user: 'bench', cmdline: 'wrk -t2 -c50 http://127.0.0.1:38081/' }),
  proc({ pid: 5000, name: 'tcp_demo', cpu: 0, ports: [9000], cmdline: '/w/old/tcp_demo --port 9000' }),
];

test('sorted by CPU, busiest first, ties by PID', () => {
  assert.deepEqual(
    sortByCpu(list).map((p) => p.pid),
    [4242, 4300, 10, 5000],
  );
  assert.deepEqual(
    sortByCpu([proc({ pid: 3, name: 'a' }), proc({ pid: 2, name: 'b' })]).map((p) => p.pid),
    [2, 3],
  );
});

test('the filter matches name, user, PID, port and command line', () => {
  assert.deepEqual(
    filterProcesses(list, 'tcp').map((p) => p.pid),
    [4242, 5000],
  );
  assert.deepEqual(
    filterProcesses(list, 'BENCH').map((p) => p.pid),
    [4300],
  );
  assert.deepEqual(
    filterProcesses(list, ':22').map((p) => p.pid),
    [10],
  );
  assert.deepEqual(
    filterProcesses(list, '38081').map((p) => p.pid),
    [4242, 4300],
    'the port, and wrk whose command line names it',
  );
  assert.deepEqual(
    filterProcesses(list, '42').map((p) => p.pid),
    [4242],
  );
  assert.equal(filterProcesses(list, '  ').length, 4);
});

test('kernel threads are left out of the lists', () => {
  const withKernel = [
    ...list,
    proc({ pid: 2, ppid: 0, name: 'kthreadd', cmdline: '[kthreadd]' }),
    proc({ pid: 77, ppid: 2, name: 'kworker/0:1', cmdline: '[kworker/0:1]', cpu: 5 }),
  ];
  assert.deepEqual(
    filterProcesses(withKernel, '').map((p) => p.pid),
    [4242, 4300, 10, 5000],
  );
  assert.equal(isKernelThread(withKernel[4]), true);
  assert.equal(isKernelThread(proc({ pid: 900, ppid: 1, name: 'sshd', cmdline: '' })), false);
});

test('picker rows say name, PID, CPU, threads, user and ports', () => {
  const d = describeProcess(list[1]);
  assert.equal(d.label, 'tcp_demo');
  assert.equal(d.description, '4242 · 144% CPU · 3 threads · root · :38081');
  assert.equal(d.detail, '/w/build/tcp_demo --port 0 --threads 2');
  assert.equal(describeProcess(list[0]).description, '10 · 0.1% CPU · 1 thread · root · :22');
  const many = describeProcess(proc({ pid: 1, name: 'x', ports: [1, 2, 3, 4, 5], cmdline: 'y'.repeat(400) }));
  assert.match(many.description, /:1, :2, :3, :4 …$/);
  assert.equal(many.detail.length, 301);
});

test('typed targets: PID, port, executable path; names and junk are not targets by themselves', () => {
  assert.deepEqual(parseTargetInput('4242'), { kind: 'pid', pid: 4242 });
  assert.deepEqual(parseTargetInput(' pid 17 '), { kind: 'pid', pid: 17 });
  assert.deepEqual(parseTargetInput(':8080'), { kind: 'port', port: 8080 });
  assert.deepEqual(parseTargetInput('port 443'), { kind: 'port', port: 443 });
  assert.deepEqual(parseTargetInput('/usr/sbin/nginx'), { kind: 'exe', path: '/usr/sbin/nginx' });
  for (const bad of ['0', ':0', ':70000', '99999999999', 'nginx', '4242; rm -rf /', '/bin/x\n-y', '', '-1']) {
    assert.equal(parseTargetInput(bad), null, JSON.stringify(bad));
  }
  assert.equal(parsePort('8080'), 8080);
  assert.equal(parsePort(':443'), 443);
  assert.equal(parsePort('0'), null);
  assert.equal(parsePort('65536'), null);
  assert.equal(parsePort('80 81'), null);
});

test('resolution in the list: one, none (with a message), several (listed)', () => {
  assert.deepEqual(resolveInList({ kind: 'port', port: 38081 }, list), { kind: 'one', process: list[1] });
  assert.deepEqual(resolveInList({ kind: 'pid', pid: 5000 }, list), { kind: 'one', process: list[3] });
  assert.deepEqual(resolveInList({ kind: 'exe', path: '/w/old/tcp_demo' }, list), { kind: 'one', process: list[3] });
  assert.deepEqual(resolveInList({ kind: 'port', port: 1 }, list), {
    kind: 'none',
    message: 'No process is listening on port 1.',
  });
  assert.equal((resolveInList({ kind: 'pid', pid: 1 }, list) as { message: string }).message, 'No process with PID 1.');
  const several = resolveInList({ kind: 'name', name: 'tcp_demo' }, list);
  assert.equal(several.kind, 'several');
  if (several.kind === 'several') {
    assert.deepEqual(
      several.processes.map((p) => p.pid),
      [4242, 5000],
    );
    assert.equal(several.message, '2 processes match the name "tcp_demo": tcp_demo (4242), tcp_demo (5000)');
  }
});
