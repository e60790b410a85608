import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { chooseStatEvents, parsePrepareOutput, perfSupportsControl } from '../../../src/core/session/prepare';
import { nicDropDeltas, parseSnmpPairs } from '../../../src/core/session/net';
import { ParseError } from '../../../src/core/errors';
import { formatCpuList, parseCpuList, sampledCpus } from '../../../src/core/session/cpu-list';

const text = readFileSync(new URL('../../fixtures/session/prepare-demo.txt', import.meta.url), 'utf8');

test('the demo’s prepare output: executable, eventfds, tracepoints, paranoid, network counters', () => {
  const info = parsePrepareOutput(text);
  assert.equal(info.gone, false);
  assert.equal(info.exe, '/work/main/examples/tcp-demo/build/tcp_demo');
  assert.deepEqual(info.eventfds, [5, 7]);
  assert.ok(info.tracepoints.has('raw_syscalls/sys_enter'));
  assert.ok(info.tracepoints.has('io_uring/io_uring_submit_req'));
  assert.equal(info.paranoid, 2);
  assert.deepEqual(info.ports, [36693], 'its own listening port, from its own fds');
  assert.equal(info.netError, null);
  const net = info.net!;
  assert.ok((net.counters.get('TcpInSegs') ?? 0) > 0);
  assert.ok(net.counters.has('TcpExtListenOverflows'));
  assert.ok(net.softirqs && net.softirqs.cpus === 2 && net.softirqs.counts.has('NET_RX'));
  assert.ok(net.nicDrops.has('lo'));
});

test('stat events follow the kernel’s tracepoints; the missing ones are named', () => {
  const { events, missing } = chooseStatEvents(parsePrepareOutput(text).tracepoints);
  assert.deepEqual(events, [
    'raw_syscalls:sys_enter',
    'syscalls:sys_enter_io_uring_enter',
    'syscalls:sys_enter_futex',
    'io_uring:io_uring_submit_req',
    'io_uring:io_uring_complete',
  ]);
  assert.deepEqual(missing, []);
  const old = chooseStatEvents(new Set(['raw_syscalls/sys_enter', 'io_uring/io_uring_submit_sqe']));
  assert.deepEqual(old.events, ['raw_syscalls:sys_enter', 'io_uring:io_uring_submit_sqe']);
  assert.ok(old.missing.includes('io_uring/io_uring_complete'));
});

test('a process gone before preparing, and unreadable counters, are reported, not thrown', () => {
  assert.equal(parsePrepareOutput('@gone\n').gone, true);
  const noNet = parsePrepareOutput(text.replace(/@snmp[\s\S]*?@netstat/, '@snmp\nTcp: A B\nTcp: 1\n@netstat'));
  assert.equal(noNet.net, null);
  assert.match(noNet.netError ?? '', /\/proc\/net\/snmp/);
  // A tracepoint line that is not `group/name` is ignored, not passed to perf.
  assert.ok(!parsePrepareOutput('@tp\nsyscalls/x;reboot\n@paranoid 2\n').tracepoints.has('syscalls/x;reboot'));
});

test('snmp pairs and NIC drop deltas', () => {
  const c = parseSnmpPairs(['Tcp: InSegs OutSegs', 'Tcp: 10 20'], 'x');
  assert.deepEqual(
    [...c],
    [
      ['TcpInSegs', 10],
      ['TcpOutSegs', 20],
    ],
  );
  assert.throws(() => parseSnmpPairs(['Tcp: A B', 'Udp: 1 2'], 'x'), ParseError);
  const a = {
    counters: new Map(),
    softirqs: null,
    nicDrops: new Map([
      ['eth0', 5],
      ['lo', 0],
    ]),
  };
  const b = {
    counters: new Map(),
    softirqs: null,
    nicDrops: new Map([
      ['eth0', 9],
      ['lo', 0],
      ['new0', 3],
    ]),
  };
  assert.deepEqual(nicDropDeltas(a, b), { eth0: 4, lo: 0 });
});

test('perf --control support by version', () => {
  assert.equal(perfSupportsControl('6.1.192'), true);
  assert.equal(perfSupportsControl('5.10.0'), true);
  assert.equal(perfSupportsControl('5.4.233'), false);
  assert.equal(perfSupportsControl(null), false);
});

test('CPU affinity: a pinned demo is sampled on its CPU only, an unpinned one on all (-a)', () => {
  const fixture = (name: string) =>
    parsePrepareOutput(readFileSync(new URL(`../../fixtures/session/${name}.txt`, import.meta.url), 'utf8'));
  const pinned = fixture('prepare-demo-pinned');
  assert.deepEqual(pinned.allowedCpus, [0]);
  assert.deepEqual(pinned.onlineCpus, [0, 1]);
  assert.deepEqual(sampledCpus(pinned.allowedCpus, pinned.onlineCpus), [0]);
  const free = fixture('prepare-demo-unpinned');
  assert.deepEqual(free.allowedCpus, [0, 1]);
  assert.equal(sampledCpus(free.allowedCpus, free.onlineCpus), null);
  // Output of the script before it printed the affinity: nothing known, all CPUs.
  const old = parsePrepareOutput(text);
  assert.equal(old.allowedCpus, null);
  assert.equal(sampledCpus(old.allowedCpus, old.onlineCpus), null);
  // One unreadable thread line makes the union unknown rather than too small.
  const mangled = parsePrepareOutput(
    readFileSync(new URL('../../fixtures/session/prepare-demo-pinned.txt', import.meta.url), 'utf8').replace(
      'Cpus_allowed_list:\t0\n',
      'Cpus_allowed_list:\t<script>\n',
    ),
  );
  assert.equal(mangled.allowedCpus, null);
});

test('CPU lists: parse and format round-trip; junk and absurd ranges are refused', () => {
  assert.deepEqual(parseCpuList('0-3,8,10-11'), [0, 1, 2, 3, 8, 10, 11]);
  assert.equal(formatCpuList([11, 0, 1, 2, 3, 8, 10, 2]), '0-3,8,10-11');
  assert.equal(formatCpuList(parseCpuList('5')!), '5');
  for (const bad of ['', '-1', '3-1', '0-99999', '1,,2', '0-3;rm', '0 1']) assert.equal(parseCpuList(bad), null, bad);
  // Affinity outside the online CPUs (an offlined CPU) is dropped; all-online means -a.
  assert.deepEqual(sampledCpus([0, 5], [0, 1, 2, 3]), [0]);
  assert.equal(sampledCpus([0, 1, 2, 3], [0, 1, 2, 3]), null);
  assert.equal(sampledCpus([7], [0, 1]), null);
});
