/**
 * Every threshold in src/core/analyze/thresholds.ts, just below, at and just above its value: a rule
 * fires at its threshold (>=) unless the threshold is a maximum.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, FINDING_IDS, THRESHOLDS as T } from '../../../src/core/analyze';
import type { Profile } from '../../../src/core/profile';
import { network, profileWith, stacksWith } from './profiles';

type Result = ReturnType<typeof analyze>;
const has = (id: string) => (r: Result) => r.findings.some((f) => f.id === id);
const severity = (id: string) => (r: Result) => r.findings.find((f) => f.id === id)?.severity ?? 'none';
const verdict = (r: Result) => r.verdict.kind;

interface Case {
  name: keyof typeof T;
  /** The three values tried: just below, at, just above. Default: value ± a small step. */
  values?: [number, number, number];
  build: (v: number) => Profile;
  observe: (r: Result) => unknown;
  expect: [unknown, unknown, unknown];
}

const around = (v: number, step: number): [number, number, number] => [v - step, v, v + step];

const sysProfile = (usr: number, sys: number) =>
  profileWith({
    cpu: { process: { usr, sys, wait: 0, cpu: usr + sys } },
    threads: [{ tid: 1, name: 'server', usr, sys, wait: 0, cpu: usr + sys, cswch: 1, nvcswch: 1 }],
  });

const uring = (enter: number, submit: number | null, rps: number | null = null) =>
  profileWith({
    ioUring: { enterPerSecond: enter, submitPerSecond: submit, completePerSecond: null, source: 'perf stat' },
    throughput: rps === null ? null : { requestsPerSecond: rps, source: 'wrk' },
  });

const eventfd = (writes: number, rps: number | null, enter: number | null = null) =>
  profileWith({
    eventfd: {
      fds: [5, 7],
      writesPerSecond: writes,
      source: "perf stat -e syscalls:sys_enter_write --filter 'fd == 5 || fd == 7'",
    },
    throughput: rps === null ? null : { requestsPerSecond: rps, source: 'wrk' },
    ioUring:
      enter === null
        ? null
        : { enterPerSecond: enter, submitPerSecond: enter * 4, completePerSecond: null, source: 'perf stat' },
  });

const WAKE_STACK =
  'server;IoUringExecutor::Context::run;IoUringExecutor::scheduleOn;IoUringExecutor::wakeThread;__GI___libc_write;entry_SYSCALL_64_after_hwframe_[k];ksys_write_[k];eventfd_write_[k]';
const NET_STACK =
  'server;handle;__GI___libc_write;entry_SYSCALL_64_[k];tcp_sendmsg_[k];tcp_write_xmit_[k];__tcp_transmit_skb_[k]';
const LOCK_STACK =
  'server;handle;entry_SYSCALL_64_[k];tcp_recvmsg_[k];lock_sock_nested_[k];_raw_spin_lock_bh_[k];native_queued_spin_lock_slowpath_[k]';

const cases: Case[] = [
  // verdict
  {
    name: 'IDLE_MAX_PROCESS_CPU',
    values: around(T.IDLE_MAX_PROCESS_CPU, 0.01),
    build: (v) => sysProfile(v * 0.8, v * 0.2),
    observe: verdict,
    expect: ['idle', 'user-bound', 'user-bound'],
  },
  {
    name: 'IDLE_MAX_HOST_BUSY',
    values: around(T.IDLE_MAX_HOST_BUSY, 0.01),
    build: (busy) =>
      profileWith({
        cpu: {
          process: null,
          system: { usr: busy, nice: 0, sys: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, idle: 100 - busy },
        },
        threads: [],
      }),
    observe: verdict,
    expect: ['idle', 'user-bound', 'user-bound'],
  },
  {
    name: 'IO_BOUND_IOWAIT',
    values: around(T.IO_BOUND_IOWAIT, 0.01),
    build: (w) =>
      profileWith({
        cpu: { system: { usr: 40, nice: 0, sys: 5, iowait: w, irq: 0, softirq: 0, steal: 0, idle: 55 - w } },
      }),
    observe: verdict,
    expect: ['user-bound', 'io-bound', 'io-bound'],
  },
  {
    name: 'KERNEL_BOUND_SYS_SHARE',
    values: around(T.KERNEL_BOUND_SYS_SHARE, 0.01),
    build: (share) => sysProfile(100 - share, share),
    observe: verdict,
    expect: ['user-bound', 'kernel-bound', 'kernel-bound'],
  },
  {
    name: 'SYSCALL_BOUND_IO_URING_ENTER',
    values: around(T.SYSCALL_BOUND_IO_URING_ENTER, 1),
    build: (e) => ({
      ...sysProfile(30, 30),
      ioUring: { enterPerSecond: e, submitPerSecond: e, completePerSecond: null, source: 'perf stat' },
    }),
    observe: verdict,
    expect: ['kernel-bound', 'syscall-bound', 'syscall-bound'],
  },
  {
    name: 'SYSCALL_BOUND_TOTAL',
    values: around(T.SYSCALL_BOUND_TOTAL, 1),
    build: (n) => ({
      ...sysProfile(30, 30),
      syscalls: [
        { name: 'total', calls: n * 10, errors: null, seconds: null, usecsPerCall: null, percent: null, perSecond: n },
      ],
    }),
    observe: verdict,
    expect: ['kernel-bound', 'syscall-bound', 'syscall-bound'],
  },
  // io-uring-submit-overhead
  {
    name: 'IO_URING_ENTER_OK_MAX',
    values: around(T.IO_URING_ENTER_OK_MAX, 1),
    build: (e) => uring(e, e),
    observe: severity('io-uring-submit-overhead'),
    expect: ['info', 'warning', 'warning'],
  },
  {
    name: 'IO_URING_ENTER_WARN',
    values: around(T.IO_URING_ENTER_WARN, 1),
    build: (e) => uring(e, e * 8),
    observe: severity('io-uring-submit-overhead'),
    expect: ['info', 'warning', 'warning'],
  },
  {
    name: 'IO_URING_MIN_SQES_PER_ENTER',
    values: around(T.IO_URING_MIN_SQES_PER_ENTER, 0.01),
    build: (sqes) => uring(50_000, 50_000 * sqes),
    observe: severity('io-uring-submit-overhead'),
    expect: ['warning', 'info', 'info'],
  },
  {
    name: 'IO_URING_ENTERS_PER_REQUEST_WARN',
    values: around(T.IO_URING_ENTERS_PER_REQUEST_WARN, 0.01),
    build: (ratio) => uring(50_000, 400_000, 50_000 / ratio),
    observe: severity('io-uring-submit-overhead'),
    expect: ['info', 'warning', 'warning'],
  },
  {
    name: 'IO_URING_SUBMIT_HOT_SHARE',
    values: around(T.IO_URING_SUBMIT_HOT_SHARE, 0.01),
    build: (share) =>
      profileWith({
        folded: stacksWith('server;handle;io_uring_submit;__io_uring_submit;entry_SYSCALL_64_[k]', share),
      }),
    observe: severity('io-uring-submit-overhead'),
    expect: ['none', 'warning', 'warning'],
  },
  // eventfd-wakeup-storm
  {
    name: 'EVENTFD_MIN_WRITES',
    values: around(T.EVENTFD_MIN_WRITES, 1),
    build: (w) => eventfd(w, w),
    observe: has('eventfd-wakeup-storm'),
    expect: [false, true, true],
  },
  {
    name: 'EVENTFD_PER_REQUEST_WARN',
    values: around(T.EVENTFD_PER_REQUEST_WARN, 0.001),
    build: (ratio) => eventfd(10_000, 10_000 / ratio),
    observe: severity('eventfd-wakeup-storm'),
    expect: ['none', 'warning', 'warning'],
  },
  {
    name: 'EVENTFD_PER_REQUEST_CRITICAL',
    values: around(T.EVENTFD_PER_REQUEST_CRITICAL, 0.001),
    build: (ratio) => eventfd(10_000, 10_000 / ratio),
    observe: severity('eventfd-wakeup-storm'),
    expect: ['warning', 'critical', 'critical'],
  },
  {
    name: 'EVENTFD_PER_ENTER_WARN',
    values: around(T.EVENTFD_PER_ENTER_WARN, 0.001),
    build: (ratio) => eventfd(10_000, null, 10_000 / ratio),
    observe: severity('eventfd-wakeup-storm'),
    expect: ['none', 'warning', 'warning'],
  },
  {
    name: 'EVENTFD_STACK_SHARE',
    values: around(T.EVENTFD_STACK_SHARE, 0.01),
    build: (share) => profileWith({ folded: stacksWith(WAKE_STACK, share) }),
    observe: severity('eventfd-wakeup-storm'),
    expect: ['none', 'warning', 'warning'],
  },
  // kernel-network-stack
  {
    name: 'NET_STACK_SHARE',
    values: around(T.NET_STACK_SHARE, 0.01),
    build: (share) => ({ ...sysProfile(10, 40), folded: stacksWith(NET_STACK, share) }),
    observe: has('kernel-network-stack'),
    expect: [false, true, true],
  },
  {
    name: 'NET_STACK_MIN_SYS_SHARE',
    values: around(T.NET_STACK_MIN_SYS_SHARE, 0.01),
    build: (share) => ({ ...sysProfile(100 - share, share), folded: stacksWith(NET_STACK, 50) }),
    observe: has('kernel-network-stack'),
    expect: [false, true, true],
  },
  // lock-contention
  {
    name: 'LOCK_STACK_SHARE',
    values: around(T.LOCK_STACK_SHARE, 0.01),
    build: (share) => profileWith({ folded: stacksWith(LOCK_STACK, share) }),
    observe: has('lock-contention'),
    expect: [false, true, true],
  },
  {
    name: 'FUTEX_RATE',
    values: around(T.FUTEX_RATE, 1),
    build: (r) =>
      profileWith({
        lockContention: { futexSeconds: null, futexPerSecond: r, source: 'perf stat (syscalls:sys_enter_futex)' },
      }),
    observe: has('lock-contention'),
    expect: [false, true, true],
  },
  {
    name: 'FUTEX_TIME_PER_SECOND',
    values: around(T.FUTEX_TIME_PER_SECOND, 0.001),
    build: (t) => profileWith({ lockContention: { futexSeconds: t * 10, futexPerSecond: 10, source: 'strace -c -f' } }),
    observe: has('lock-contention'),
    expect: [false, true, true],
  },
  {
    name: 'KERNEL_LOCK_WAIT_PER_SECOND',
    values: around(T.KERNEL_LOCK_WAIT_PER_SECOND, 0.001),
    build: (w) =>
      profileWith({
        lockContention: {
          futexSeconds: null,
          futexPerSecond: null,
          kernelLockWaitSeconds: w * 10,
          kernelLockContended: 1234,
          topLocks: [{ name: 'tcp_recvmsg', type: 'spinlock', contended: 1000, totalWaitSeconds: w * 8 }],
          source: 'perf lock contention',
        },
      }),
    observe: has('lock-contention'),
    expect: [false, true, true],
  },
  // context-switch-storm
  {
    name: 'CONTEXT_SWITCHES_PER_THREAD',
    values: around(T.CONTEXT_SWITCHES_PER_THREAD, 1),
    build: (n) =>
      profileWith({
        threads: [{ tid: 7, name: 'worker', usr: 20, sys: 30, wait: 0, cpu: 50, cswch: n - 1000, nvcswch: 1000 }],
      }),
    observe: has('context-switch-storm'),
    expect: [false, true, true],
  },
  // network counters
  {
    name: 'RETRANS_PERCENT_WARN',
    values: around(T.RETRANS_PERCENT_WARN, 0.01),
    build: (pct) => profileWith({ network: network({ outSegs: 100_000, retransSegs: pct * 1000 }) }),
    observe: severity('tcp-retransmits'),
    expect: ['none', 'warning', 'warning'],
  },
  {
    name: 'RETRANS_PERCENT_CRITICAL',
    values: around(T.RETRANS_PERCENT_CRITICAL, 0.01),
    build: (pct) => profileWith({ network: network({ outSegs: 100_000, retransSegs: pct * 1000 }) }),
    observe: severity('tcp-retransmits'),
    expect: ['warning', 'critical', 'critical'],
  },
  {
    name: 'RETRANS_MIN_SEGMENTS',
    values: around(T.RETRANS_MIN_SEGMENTS, 1),
    build: (n) => profileWith({ network: network({ outSegs: 100, retransSegs: n }) }),
    observe: has('tcp-retransmits'),
    expect: [false, true, true],
  },
  {
    name: 'SOCKET_OVERFLOW_MIN',
    values: around(T.SOCKET_OVERFLOW_MIN, 1),
    build: (n) => profileWith({ network: network({ listenOverflows: n, listenDrops: n }) }),
    observe: has('socket-buffer-overflow'),
    expect: [false, true, true],
  },
  {
    name: 'NIC_DROPS_MIN',
    values: around(T.NIC_DROPS_MIN, 1),
    build: (n) => profileWith({ network: network({ nicDrops: { eth0: n } }) }),
    observe: has('nic-drops'),
    expect: [false, true, true],
  },
  // io-wait
  {
    name: 'IO_WAIT_FINDING',
    values: around(T.IO_WAIT_FINDING, 0.01),
    build: (w) =>
      profileWith({
        cpu: { system: { usr: 40, nice: 0, sys: 5, iowait: w, irq: 0, softirq: 0, steal: 0, idle: 55 - w } },
      }),
    observe: has('io-wait'),
    expect: [false, true, true],
  },
  {
    // The process's io_uring waits explain the iowait: 20% iowait is no longer io-bound, the finding is info.
    name: 'IO_URING_IOWAIT_MIN_ENTER',
    values: around(T.IO_URING_IOWAIT_MIN_ENTER, 1),
    build: (enter) =>
      profileWith({
        cpu: { system: { usr: 40, nice: 0, sys: 5, iowait: 20, irq: 0, softirq: 0, steal: 0, idle: 35 } },
        ioUring: { enterPerSecond: enter, submitPerSecond: enter, completePerSecond: null, source: 'perf stat' },
      }),
    observe: (r) => `${r.verdict.kind}/${severity('io-wait')(r)}`,
    expect: ['io-bound/critical', 'user-bound/info', 'user-bound/info'],
  },
  {
    // ... unless the process's own stacks show block I/O: then the iowait is (also) its disk.
    name: 'BLOCK_IO_MIN_STACK_SHARE',
    values: around(T.BLOCK_IO_MIN_STACK_SHARE, 0.1),
    build: (share) =>
      profileWith({
        cpu: { system: { usr: 40, nice: 0, sys: 5, iowait: 20, irq: 0, softirq: 0, steal: 0, idle: 35 } },
        ioUring: { enterPerSecond: 5000, submitPerSecond: 5000, completePerSecond: null, source: 'perf stat' },
        folded: stacksWith(
          'server;main;io_uring_submit;entry_SYSCALL_64_[k];io_submit_sqes_[k];ext4_file_write_iter_[k];iomap_dio_rw_[k];submit_bio_[k]',
          share,
        ),
      }),
    observe: (r) => `${r.verdict.kind}/${severity('io-wait')(r)}`,
    expect: ['user-bound/info', 'io-bound/critical', 'io-bound/critical'],
  },
  // user-code-hot
  {
    name: 'USER_HOT_TOP_SELF',
    values: around(T.USER_HOT_TOP_SELF, 0.01),
    build: (top) =>
      profileWith({
        folded: [
          { stack: 'server;main;parse_request', count: Math.round(top * 1000) },
          ...Array.from({ length: 10 }, (_, i) => ({
            stack: `server;main;helper_${i}`,
            count: Math.round((60 - top) * 100),
          })),
          { stack: 'server;main;entry_SYSCALL_64_[k];do_idle_[k]', count: 40_000 },
        ],
      }),
    observe: has('user-code-hot'),
    expect: [false, true, true],
  },
  {
    name: 'USER_HOT_TOTAL_SELF',
    values: around(T.USER_HOT_TOTAL_SELF, 0.01),
    build: (total) =>
      profileWith({
        folded: [
          { stack: 'server;main;parse_request', count: Math.round(total * 1000) },
          { stack: 'server;main;entry_SYSCALL_64_[k];vfs_read_[k]', count: 100_000 - Math.round(total * 1000) },
        ],
      }),
    observe: has('user-code-hot'),
    expect: [false, true, true],
  },
  // not-saturated (a maximum: fires below)
  {
    name: 'NOT_SATURATED_MAX_UTILISATION',
    values: around(T.NOT_SATURATED_MAX_UTILISATION, 0.01),
    build: (u) => {
      const cpu = u * 2; // two busy threads on four cores: capacity is 2 cores
      return profileWith({
        cpu: { process: { usr: cpu * 0.3, sys: cpu * 0.7, wait: 0, cpu } },
        threads: [
          { tid: 1, name: 'w0', usr: null, sys: null, wait: 0, cpu: cpu / 2, cswch: 1, nvcswch: 1 },
          { tid: 2, name: 'w1', usr: null, sys: null, wait: 0, cpu: cpu / 2, cswch: 1, nvcswch: 1 },
        ],
      });
    },
    observe: has('not-saturated'),
    expect: [true, false, false],
  },
  {
    name: 'NOT_SATURATED_MAX_THREAD_CPU',
    values: around(T.NOT_SATURATED_MAX_THREAD_CPU, 0.01),
    build: (hot) =>
      profileWith({
        target: { cores: 8 },
        cpu: { process: { usr: 30, sys: 70, wait: 0, cpu: hot + 10 } },
        threads: [
          { tid: 1, name: 'w0', usr: null, sys: null, wait: 0, cpu: hot, cswch: 1, nvcswch: 1 },
          { tid: 2, name: 'w1', usr: null, sys: null, wait: 0, cpu: 10, cswch: 1, nvcswch: 1 },
        ],
      }),
    observe: has('not-saturated'),
    expect: [true, false, false],
  },
  {
    name: 'NOT_SATURATED_MIN_HOST_IDLE',
    values: around(T.NOT_SATURATED_MIN_HOST_IDLE, 0.01),
    build: (idle) =>
      profileWith({
        cpu: { system: { usr: 100 - idle, nice: 0, sys: 0, iowait: 0, irq: 0, softirq: 0, steal: 0, idle } },
      }),
    observe: has('not-saturated'),
    expect: [false, true, true],
  },
  {
    name: 'BUSY_THREAD_CPU',
    values: around(T.BUSY_THREAD_CPU, 0.01),
    // A busy thread at 60% plus a second thread at the boundary: counted as busy, capacity becomes 2 cores
    // and utilisation (60+v)/200 stays under 80%; not counted, capacity is 1 core and 60+v is 65% of it.
    build: (v) =>
      profileWith({
        cpu: { process: { usr: 20, sys: 45, wait: 0, cpu: 60 + v } },
        threads: [
          { tid: 1, name: 'w0', usr: null, sys: null, wait: 0, cpu: 60, cswch: 1, nvcswch: 1 },
          { tid: 2, name: 'w1', usr: null, sys: null, wait: 0, cpu: v, cswch: 1, nvcswch: 1 },
        ],
      }),
    observe: (r) => r.findings.find((f) => f.id === 'not-saturated')?.evidence[0].includes('of the 2 cores') ?? null,
    expect: [false, true, true],
  },
  // host-cpu-contention
  {
    name: 'RUN_QUEUE_WAIT',
    values: around(T.RUN_QUEUE_WAIT, 0.01),
    build: (w) =>
      profileWith({
        cpu: { system: { usr: 90, nice: 0, sys: 5, iowait: 0, irq: 0, softirq: 0, steal: 0, idle: 5 } },
        threads: [{ tid: 1, name: 'server', usr: 40, sys: 10, wait: w, cpu: 50, cswch: 1, nvcswch: 1 }],
      }),
    observe: has('host-cpu-contention'),
    expect: [false, true, true],
  },
  {
    name: 'RUN_QUEUE_MAX_HOST_IDLE',
    values: around(T.RUN_QUEUE_MAX_HOST_IDLE, 0.01),
    build: (idle) =>
      profileWith({
        cpu: { system: { usr: 95 - idle, nice: 0, sys: 5, iowait: 0, irq: 0, softirq: 0, steal: 0, idle } },
        threads: [{ tid: 1, name: 'server', usr: 40, sys: 10, wait: 50, cpu: 50, cswch: 1, nvcswch: 1 }],
      }),
    observe: has('host-cpu-contention'),
    expect: [true, false, false],
  },
  // data quality
  {
    name: 'MIN_SAMPLES',
    values: around(T.MIN_SAMPLES, 1),
    build: (n) => profileWith({ sampleCount: n, folded: stacksWith('server;main;x', 50) }),
    observe: has('short-sample'),
    expect: [true, false, false],
  },
  {
    name: 'MIN_DURATION_SECONDS',
    values: around(T.MIN_DURATION_SECONDS, 0.01),
    build: (s) => profileWith({ durationSeconds: s }),
    observe: has('short-sample'),
    expect: [true, false, false],
  },
  {
    name: 'MISSING_KERNEL_MIN_SYS_SHARE',
    values: around(T.MISSING_KERNEL_MIN_SYS_SHARE, 0.01),
    build: (share) => ({
      ...sysProfile(100 - share, share),
      hotspots: [
        {
          symbol: 'main',
          dso: 'server',
          kernel: false,
          self: 100,
          children: null,
          file: null,
          line: null,
          callers: [],
          threads: [],
        },
      ],
    }),
    observe: has('missing-kernel-symbols'),
    expect: [false, true, true],
  },
  {
    name: 'UNRESOLVED_KERNEL_SHARE',
    values: around(T.UNRESOLVED_KERNEL_SHARE, 0.01),
    build: (share) =>
      profileWith({
        hotspots: [
          {
            symbol: '0xffffffff81234567',
            dso: '[kernel.kallsyms]',
            kernel: true,
            self: share,
            children: null,
            file: null,
            line: null,
            callers: [],
            threads: [],
          },
          {
            symbol: 'tcp_sendmsg',
            dso: '[kernel.kallsyms]',
            kernel: true,
            self: 100 - share,
            children: null,
            file: null,
            line: null,
            callers: [],
            threads: [],
          },
        ],
      }),
    observe: has('missing-kernel-symbols'),
    expect: [false, true, true],
  },
  {
    name: 'UNRESOLVED_USER_SHARE',
    values: around(T.UNRESOLVED_USER_SHARE, 0.01),
    build: (share) =>
      profileWith({
        folded: [
          { stack: 'server;[server]', count: Math.round(share * 1000) },
          { stack: 'server;main;work', count: 100_000 - Math.round(share * 1000) },
        ],
      }),
    observe: has('missing-debug-info'),
    expect: [false, true, true],
  },
  {
    name: 'UNRESOLVED_USER_MIN_TOTAL',
    values: around(T.UNRESOLVED_USER_MIN_TOTAL, 0.01),
    // All user samples unresolved; the rest of the samples are in the kernel.
    build: (share) =>
      profileWith({
        folded: [
          { stack: 'server;[server]', count: Math.round(share * 1000) },
          { stack: 'server;entry_SYSCALL_64_[k];vfs_read_[k]', count: 100_000 - Math.round(share * 1000) },
        ],
      }),
    observe: has('missing-debug-info'),
    expect: [false, true, true],
  },
];

describe('docs/diagnosis.md', () => {
  const doc = readFileSync(new URL('../../../docs/diagnosis.md', import.meta.url), 'utf8');
  it('documents every threshold with its value', () => {
    for (const [name, value] of Object.entries(T)) {
      assert.ok(doc.includes(`\`${name}\``), `${name} is not documented`);
      const shown = value >= 1000 ? value.toLocaleString('en-US') : String(value);
      assert.ok(doc.includes(shown), `${name}'s value ${shown} is not in the doc`);
    }
  });
  it('documents every finding id and verdict', () => {
    for (const id of FINDING_IDS) assert.ok(doc.includes(id), `${id} is not documented`);
    for (const kind of ['idle', 'io-bound', 'syscall-bound', 'kernel-bound', 'user-bound', 'unknown']) {
      assert.ok(doc.includes(`\`${kind}\``), kind);
    }
  });
});

describe('thresholds: each rule just below, at and just above its threshold', () => {
  it('covers every threshold exactly once', () => {
    const covered = cases.map((c) => c.name).sort();
    assert.deepEqual(covered, Object.keys(T).sort());
  });
  for (const c of cases) {
    it(`${c.name} = ${T[c.name]}`, () => {
      const values = c.values ?? around(T[c.name], 1);
      const seen = values.map((v) => c.observe(analyze(c.build(v))));
      assert.deepEqual(seen, c.expect, `${c.name} at ${values.join(' / ')}`);
    });
  }
});
