/**
 * The rules on real captures: each scenario in test/fixtures/scenarios was recorded from a real workload on
 * this kind of machine (make-scenario.sh; the README lists what ran). Each test names what must fire and
 * what must NOT fire.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { analyze } from '../../../src/core/analyze';
import type { Finding, Profile } from '../../../src/core/profile';
import { loadScenario } from './scenario';

const SCENARIOS = [
  'demo-load',
  'demo-light',
  'demo-fixed',
  'demo-idle',
  'demo-strace',
  'user-spin',
  'sha256',
  'short-sample',
  'kernel-copy',
  'syscall-storm',
  'contend',
  'batched-uring',
  'unprivileged',
  'io-wait',
  'io-wait-quiet',
  'demo-light-quiet',
  'pingpong',
  'listen-overflow',
  'nic-drops',
];
const cache = new Map<string, { profile: Profile; result: ReturnType<typeof analyze> }>();
before(async () => {
  for (const name of SCENARIOS) {
    const profile = await loadScenario(name);
    cache.set(name, { profile, result: analyze(profile) });
  }
});
function run(name: string) {
  const hit = cache.get(name);
  assert.ok(hit, `scenario ${name} not loaded`);
  return hit;
}
const ids = (name: string) => run(name).result.findings.map((f) => f.id);
function finding(name: string, id: string): Finding {
  const f = run(name).result.findings.find((x) => x.id === id);
  assert.ok(f, `${name}: expected finding ${id}, got ${ids(name).join(', ') || 'none'}`);
  return f;
}
function absent(name: string, ...wanted: string[]) {
  const present = ids(name).filter((id) => wanted.includes(id));
  assert.deepEqual(present, [], `${name}: must not fire ${present.join(', ')}`);
}
/** Every evidence sentence carries a number and names a tool in parentheses. */
function evidenceIsSourced(f: Finding) {
  for (const e of f.evidence.filter((x) => !/needs Linux|does not apply|CAP_SYS/.test(x))) {
    assert.match(e, /\d/, `evidence without a number: ${e}`);
    assert.match(
      e,
      /\((?:[^()]*\b(?:perf \w+|pidstat|mpstat|wrk|nstat|strace|probe)\b[^()]*)\)/,
      `evidence without its tool: ${e}`,
    );
  }
}

const PROBLEMS = [
  'eventfd-wakeup-storm',
  'lock-contention',
  'context-switch-storm',
  'user-code-hot',
  'tcp-retransmits',
  'socket-buffer-overflow',
  'nic-drops',
  'io-wait',
];

describe('scenario: demo server under wrk load (demo-load)', () => {
  it('is kernel-bound, with the cores normalised and the split in the summary', () => {
    const { verdict } = run('demo-load').result;
    assert.equal(verdict.kind, 'kernel-bound');
    assert.match(verdict.summary, /uses 0\.\d+ of 2 cores/);
    assert.match(verdict.summary, /system vs [\d.]+% user, pidstat/);
    assert.equal(verdict.coresAvailable, 2);
  });
  it('finds the eventfd wake-up storm from both the rate and the stacks, with the coalescing fix', () => {
    const f = finding('demo-load', 'eventfd-wakeup-storm');
    assert.equal(f.severity, 'critical');
    assert.ok(f.fixes.includes('coalesce-eventfd-wakeups'));
    assert.ok(f.evidence.some((e) => /^Eventfd writes: [\d,]+\/s on eventfd fds 5, 7 \(perf stat\)/.test(e)));
    assert.ok(f.evidence.some((e) => /eventfd writes per request/.test(e) && /\(wrk\)/.test(e)));
    assert.ok(
      f.evidence.some((e) =>
        /IoUringExecutor::scheduleOn → IoUringExecutor::wakeThread → __GI___libc_write is on [\d.]+% of sampled stacks/.test(
          e,
        ),
      ),
    );
    assert.ok(f.symbols.includes('IoUringExecutor::wakeThread') && f.symbols.includes('IoUringExecutor::scheduleOn'));
    evidenceIsSourced(f);
  });
  it('finds one io_uring_enter per operation', () => {
    const f = finding('demo-load', 'io-uring-submit-overhead');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.fixes, ['batch-submissions', 'sqpoll']);
    assert.ok(f.evidence.some((e) => /^0\.\d+ SQEs submitted per io_uring_enter/.test(e)));
    evidenceIsSourced(f);
  });
  it('explains the kernel TCP/IP share with entry points', () => {
    const f = finding('demo-load', 'kernel-network-stack');
    assert.ok(f.evidence.some((e) => /tcp_sendmsg on [\d.]+%/.test(e)));
    assert.ok(f.symbols.includes('tcp_sendmsg'));
  });
  it('does not report user code, switch storms or data-quality problems', () => {
    absent(
      'demo-load',
      'user-code-hot',
      'context-switch-storm',
      'missing-kernel-symbols',
      'missing-debug-info',
      'short-sample',
      'strace-overhead',
    );
  });
});

describe('scenario: the demo under one wrk connection (demo-light)', () => {
  it('still shows one eventfd write per request or more, and not a saturated host as a server problem', () => {
    const f = finding('demo-light', 'eventfd-wakeup-storm');
    assert.ok(f.evidence.some((e) => /so [\d.]+ eventfd writes per request/.test(e)));
    // The host had no idle CPU while this ran: the explanation is contention, not "normal idle".
    absent('demo-light', 'not-saturated');
    finding('demo-light', 'host-cpu-contention');
  });
});

describe('scenario: the same demo with the fixes applied, same load (demo-fixed) — busy but healthy', () => {
  it('has no problem findings and io_uring batching is only information', () => {
    absent('demo-fixed', ...PROBLEMS, 'missing-kernel-symbols', 'missing-debug-info', 'short-sample');
    assert.equal(finding('demo-fixed', 'io-uring-submit-overhead').severity, 'info');
    assert.deepEqual(finding('demo-fixed', 'io-uring-submit-overhead').fixes, []);
  });
});

describe('scenario: demo server with no clients (demo-idle)', () => {
  it('is idle and reports nothing', () => {
    const { verdict, findings } = run('demo-idle').result;
    assert.equal(verdict.kind, 'idle');
    assert.match(verdict.summary, /^Idle: tcp_demo uses 0 of 2 cores/);
    assert.deepEqual(findings, []);
  });
});

describe('scenario: demo under strace -c -f (demo-strace)', () => {
  it('warns that the numbers were taken under strace', () => {
    const f = finding('demo-strace', 'strace-overhead');
    assert.ok(
      f.evidence.some((e) => /^Syscall data came from strace(?: -c)? \(.*strace\.txt\)\.$/.test(e)),
      f.evidence.join('\n'),
    );
  });
  it('does not call io_uring "batching well" when the low rate comes with one SQE per call', () => {
    const f = finding('demo-strace', 'io-uring-submit-overhead');
    assert.match(f.title, /not batched/);
  });
});

describe('scenario: CPU loop in named functions (user-spin)', () => {
  it('is user-bound with the hot function named', () => {
    assert.equal(run('user-spin').result.verdict.kind, 'user-bound');
    const f = finding('user-spin', 'user-code-hot');
    assert.equal(f.symbols[0], 'mix_block');
    evidenceIsSourced(f);
    absent(
      'user-spin',
      'kernel-network-stack',
      'eventfd-wakeup-storm',
      'io-uring-submit-overhead',
      'lock-contention',
      'missing-debug-info',
    );
  });
});

describe('scenario: stripped binary (sha256)', () => {
  it('says symbols are missing instead of naming an address as hot code', () => {
    assert.equal(run('sha256').result.verdict.kind, 'user-bound');
    const f = finding('sha256', 'missing-debug-info');
    assert.match(f.evidence[0], /sha256sum/);
    absent('sha256', 'user-code-hot');
  });
});

describe('scenario: one-second recording (short-sample)', () => {
  it('flags the short recording', () => {
    assert.match(finding('short-sample', 'short-sample').evidence.join(' '), /lasted 1 s/);
  });
});

describe('scenario: kernel-heavy copy with few syscalls (kernel-copy)', () => {
  it('is kernel-bound, not syscall-bound, and nothing else fires', () => {
    assert.equal(run('kernel-copy').result.verdict.kind, 'kernel-bound');
    absent(
      'kernel-copy',
      ...PROBLEMS,
      'kernel-network-stack',
      'io-uring-submit-overhead',
      'missing-debug-info',
      'missing-kernel-symbols',
    );
  });
});

describe('scenario: one-byte reads and writes (syscall-storm)', () => {
  it('is syscall-bound with the rate in the summary', () => {
    const { verdict } = run('syscall-storm').result;
    assert.equal(verdict.kind, 'syscall-bound');
    assert.match(verdict.summary, /makes [\d,]+\/s syscalls \(perf stat\)/);
  });
});

describe('scenario: mutex contention (contend)', () => {
  it('finds lock contention from futex rate and lock slow paths', () => {
    const f = finding('contend', 'lock-contention');
    assert.deepEqual(f.fixes, ['reduce-lock-contention']);
    assert.ok(f.evidence.some((e) => /^futex calls: [\d,]+\/s \(perf stat/.test(e)));
    assert.ok(f.evidence.some((e) => /Lock slow paths .* on [\d.]+% of sampled stacks/.test(e)));
  });
});

describe('scenario: io_uring with 256 SQEs per call (batched-uring)', () => {
  it('says batching well, as information, with no fix', () => {
    const f = finding('batched-uring', 'io-uring-submit-overhead');
    assert.equal(f.severity, 'info');
    assert.match(f.title, /batching well/);
    assert.deepEqual(f.fixes, []);
  });
});

describe('scenario: perf run as an unprivileged user (unprivileged)', () => {
  it('says kernel frames are missing', () => {
    const f = finding('unprivileged', 'missing-kernel-symbols');
    assert.match(f.evidence[0], /perf recorded 0 samples/);
  });
});

describe('scenario: direct synchronous writes (io-wait)', () => {
  it('shows no iowait on this busy 2-core VM, so neither io-bound nor io-wait fires', () => {
    // iowait is only counted on idle CPUs; the host had none idle while other work ran (see README).
    assert.notEqual(run('io-wait').result.verdict.kind, 'io-bound');
    absent('io-wait', 'io-wait');
  });
});

describe('scenario: direct synchronous writes on an otherwise idle host (io-wait-quiet)', () => {
  it('is io-bound, with the iowait and where it was measured', () => {
    const { verdict } = run('io-wait-quiet').result;
    assert.equal(verdict.kind, 'io-bound');
    assert.match(
      verdict.summary,
      /^I\/O-bound: the host spends 1\d\.\d% of its CPU time waiting for I\/O \(mpstat\) while dd uses/,
    );
    const f = finding('io-wait-quiet', 'io-wait');
    assert.equal(f.severity, 'critical');
    assert.match(f.evidence[0], /block I\/O/);
    evidenceIsSourced({ ...f, evidence: f.evidence.slice(0, 1) });
    absent('io-wait-quiet', 'not-saturated', 'host-cpu-contention');
  });
});

describe('scenario: the demo under one wrk connection on an otherwise idle host (demo-light-quiet)', () => {
  it("reads the host's iowait as the server's own io_uring waits: not io-bound, idle left, not saturated", () => {
    const { verdict } = run('demo-light-quiet').result;
    // Measured: 48% iowait with no file I/O at all — Linux counts io_uring_enter waits with requests in flight.
    assert.notEqual(verdict.kind, 'io-bound');
    assert.ok(
      verdict.evidence.some((e) => /own io_uring waits/.test(e)),
      verdict.evidence.join('\n'),
    );
    const io = finding('demo-light-quiet', 'io-wait');
    assert.equal(io.severity, 'info');
    assert.match(io.title, /io_uring/);
    assert.ok(io.evidence.some((e) => /io_uring_enter calls \(perf stat\)/.test(e)));
    assert.ok(io.evidence.some((e) => /No block-layer .* 0% of samples \(perf script\)/.test(e)));
    const ns = finding('demo-light-quiet', 'not-saturated');
    assert.ok(
      ns.evidence.some((e) => /counted as iowait while io_uring waits \(mpstat\)/.test(e)),
      ns.evidence.join('\n'),
    );
    evidenceIsSourced({ ...ns, evidence: ns.evidence.slice(0, -1) }); // the last one explains, it measures nothing
    absent('demo-light-quiet', 'host-cpu-contention');
    // The wake-up storm is there at this rate too.
    finding('demo-light-quiet', 'eventfd-wakeup-storm');
  });
});

describe('scenario: two threads ping-ponging over pipes (pingpong)', () => {
  it('reports a context-switch storm with the thread and its voluntary/involuntary split', () => {
    const f = finding('pingpong', 'context-switch-storm');
    assert.match(
      f.evidence[0],
      /^Thread pingpong \(TID \d+\) switches [\d,]+\/s \([\d,]+\/s voluntary, [\d,.]+\/s involuntary\) \(pidstat\)\.$/,
    );
    // Pipes, not eventfds or futexes: no catalog fix claims to cure it.
    assert.deepEqual(f.fixes, []);
    absent('pingpong', 'eventfd-wakeup-storm', 'lock-contention');
  });
});

describe('scenario: a listener that never accepts, in its own network namespace (listen-overflow)', () => {
  it('reports the listen-queue overflows and the SYN retransmissions they cause, though the process is idle', () => {
    assert.equal(run('listen-overflow').result.verdict.kind, 'idle');
    const overflow = finding('listen-overflow', 'socket-buffer-overflow');
    assert.ok(
      overflow.evidence.some((e) => /^ListenOverflows: [\d,]+ over [\d.]+ s \(nstat\)\.$/.test(e)),
      overflow.evidence.join('\n'),
    );
    assert.deepEqual(overflow.fixes, ['tune-tcp-buffers']);
    const retrans = finding('listen-overflow', 'tcp-retransmits');
    assert.match(
      retrans.evidence[0],
      /^TcpRetransSegs: [\d,]+ segments retransmitted over [\d.]+ s, [\d.]+% of [\d,]+ segments sent \(nstat\)\.$/,
    );
    absent('listen-overflow', 'nic-drops', 'eventfd-wakeup-storm', 'lock-contention');
  });
});

describe('scenario: UDP through a veth whose peer is down (nic-drops)', () => {
  it('reports the interface drops with the interface name and the tool', () => {
    const f = finding('nic-drops', 'nic-drops');
    assert.match(f.title, /vx0/);
    assert.match(f.evidence[0], /^vx0: [\d,]+ packets dropped over [\d.]+ s \(ip -s -s link\)\.$/);
    absent('nic-drops', 'socket-buffer-overflow', 'tcp-retransmits');
  });
  it('a network finding never fires on the loopback-only demo captures from drops that did not happen', () => {
    for (const name of ['demo-load', 'demo-fixed', 'demo-idle']) absent(name, 'nic-drops');
  });
});

describe('unknown verdict: perf samples without a CPU-time breakdown', () => {
  it('says which data is missing', async () => {
    const p = await loadScenario('demo-load');
    p.cpu = { process: null, system: null, perCpu: [] };
    p.threads = [];
    const { verdict } = analyze(p);
    assert.equal(verdict.kind, 'unknown');
    assert.match(verdict.summary, /neither per-process times \(pidstat, \/proc\/PID\/stat\) nor host times/);
    assert.ok(
      verdict.evidence.some((e) => /of on-CPU time in the kernel \(perf (?:record|report|script)\)/.test(e)),
      verdict.evidence.join('\n'),
    );
  });
});
