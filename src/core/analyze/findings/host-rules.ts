/** Findings about the process's place on the host: I/O wait, hot user code, idle capacity, CPU contention. */
import { busyThreads, coresUsed, effectiveHostIdle } from '../facts';
import { coresOf, num, pct, rate } from '../format';
import { UNRESOLVED } from '../patterns';
import { THRESHOLDS as T } from '../thresholds';
import type { Rule } from './types';

export const ioWait: Rule = (f) => {
  const iowait = f.hostIowait;
  if (iowait === null || iowait < T.IO_WAIT_FINDING) return null;
  if (f.ioUringIowait !== null) {
    return {
      id: 'io-wait',
      severity: 'info',
      title: `I/O wait ${pct(iowait)}: probably io_uring waiting on sockets, not a disk`,
      evidence: [
        `Host iowait: ${pct(iowait)} of all CPUs (${f.hostSource}) — CPUs idle while a task is marked as waiting for I/O.`,
        ...f.ioUringIowait,
      ],
      fixes: [],
      verify:
        'Check the disks while the server runs: `iostat -x 1` with its devices near 0 %util and no r/s or w/s means this iowait is io_uring’s accounting, and those CPUs are free for work. Stopping the load makes it vanish with the waits.',
      symbols: [],
    };
  }
  const evidence = [
    `Host iowait: ${pct(iowait)} of all CPUs (${f.hostSource}) — CPUs idle while a task waits on block I/O.`,
    'iowait is host-wide and only counted on otherwise idle CPUs: it can hide on a busy host and include other processes.',
  ];
  return {
    id: 'io-wait',
    severity: iowait >= T.IO_BOUND_IOWAIT ? 'critical' : 'warning',
    title: `I/O wait: ${pct(iowait)} of CPU time`,
    evidence,
    fixes: [],
    verify:
      'Confirm it is this process: `pidstat -d -p PID 1` (iodelay) or /proc/PID/stat field 42 with delay accounting, and `iostat -x 1` for the device’s await and utilisation.',
    symbols: [],
  };
};

export const userCodeHot: Rule = (f, verdict) => {
  if (verdict.kind === 'idle' || !f.samples.present) return null;
  const named = f.samples.selfBySymbol((s, kernel) => !kernel && !UNRESOLVED.test(s));
  const total = named.reduce((s, n) => s + n.self, 0);
  const top = named[0];
  if (!top || top.self < T.USER_HOT_TOP_SELF || total < T.USER_HOT_TOTAL_SELF) return null;
  const list = named.slice(0, 5).filter((n) => n.self >= 1);
  return {
    id: 'user-code-hot',
    severity: verdict.kind === 'user-bound' ? 'warning' : 'info',
    title: `User code is hot: ${top.symbol} ${pct(top.self)} self`,
    evidence: [
      `Named user-space functions hold ${pct(total)} of samples by self time (${f.samplesSource}).`,
      `Hottest: ${list.map((n) => `${n.symbol} ${pct(n.self)}`).join(', ')} (${f.samplesSource}).`,
    ],
    fixes: [],
    verify:
      'Annotate the hottest function (perf annotate -s SYMBOL) to find the instructions that cost; an algorithmic change shows as a lower self share and higher throughput at the same CPU.',
    symbols: list.map((n) => n.symbol),
  };
};

/** How many cores the process could use: the host's cores, or fewer when it has fewer busy threads. */
function capacity(f: Parameters<Rule>[0]): number | null {
  const busy = busyThreads(f).length;
  if (f.coresAvailable === null) return busy > 0 ? busy : null;
  return busy > 0 ? Math.min(f.coresAvailable, busy) : f.coresAvailable;
}

export const notSaturated: Rule = (f, verdict) => {
  if (verdict.kind === 'idle' || verdict.kind === 'io-bound' || verdict.kind === 'unknown' || f.subject !== 'process')
    return null;
  const used = coresUsed(f);
  const cap = capacity(f);
  if (used === null || cap === null || cap <= 0) return null;
  const utilisation = (100 * used) / cap;
  if (utilisation >= T.NOT_SATURATED_MAX_UTILISATION) return null;
  const hottest = Math.max(0, ...f.threads.map((t) => t.cpu ?? 0));
  if (hottest >= T.NOT_SATURATED_MAX_THREAD_CPU) return null;
  const idle = effectiveHostIdle(f);
  if (idle !== null && idle < T.NOT_SATURATED_MIN_HOST_IDLE) return null;
  const evidence = [
    `The process uses ${coresOf(used, f.coresAvailable)}, ${pct(utilisation)} of the ${num(cap)} core${cap === 1 ? '' : 's'} its busy threads could use (${f.cpuSource}).`,
    `No thread is saturated: the busiest runs at ${pct(hottest)} of a core (${f.threadSource}).`,
  ];
  if (f.hostIdle !== null && idle !== null && idle !== f.hostIdle) {
    evidence.push(
      `The host keeps ${pct(idle)} idle: ${pct(f.hostIdle)} idle plus ${pct(idle - f.hostIdle)} counted as iowait while io_uring waits (${f.hostSource}).`,
    );
  } else if (f.hostIdle !== null) evidence.push(`The host keeps ${pct(f.hostIdle)} idle (${f.hostSource}).`);
  if (f.procUsr !== null && f.procSys !== null) {
    evidence.push(`Split: ${pct(f.procUsr)} user, ${pct(f.procSys)} system of one core (${f.cpuSource}).`);
  }
  if (f.requestsPerSecond) evidence.push(`Throughput: ${rate(f.requestsPerSecond)} (${f.throughputSource}).`);
  const kernelHeavy = f.sysShare !== null && f.sysShare >= T.KERNEL_BOUND_SYS_SHARE;
  evidence.push(
    kernelHeavy
      ? 'This is the usual shape of an I/O-bound "hello world" server: a small share in user code (20–30%), most in the kernel’s TCP/IP path (30–40%), and the rest of the time waiting on the network or the clients. Idle left means the server is not the bottleneck at this load.'
      : 'CPU is left over and no thread is saturated: the server waits on its clients, the network or another service rather than on CPU.',
  );
  return {
    id: 'not-saturated',
    severity: 'info',
    title: `Not saturated: ${pct(utilisation)} of available CPU with idle left`,
    evidence,
    fixes: ['tcp-nodelay'],
    verify:
      'Prove it: add artificial CPU work per request (e.g. a 20 µs spin in the handler) — if throughput holds while CPU rises into the idle, the server was waiting, not CPU-bound. Or raise the load (more connections): throughput that rises with CPU means it was not saturated; throughput that stays flat while CPU stays below 100% points at latency (Nagle/delayed ACK, the client, the network).',
    symbols: [],
  };
};

export const hostCpuContention: Rule = (f, verdict) => {
  const idle = effectiveHostIdle(f);
  if (verdict.kind === 'idle' || idle === null || idle >= T.RUN_QUEUE_MAX_HOST_IDLE) return null;
  const busy = busyThreads(f).filter((t) => t.wait !== null);
  if (busy.length === 0) return null;
  const wait = busy.reduce((s, t) => s + (t.wait ?? 0), 0) / busy.length;
  if (wait < T.RUN_QUEUE_WAIT) return null;
  return {
    id: 'host-cpu-contention',
    severity: 'warning',
    title: `Waiting for a CPU: busy threads are runnable but not running ${pct(wait)} of the time`,
    evidence: [
      `Busy threads spend on average ${pct(wait)} of the time runnable but waiting for a CPU — run-queue delay, not I/O wait (${f.threadSource}).`,
      `The host has ${pct(idle)} idle (${f.hostSource}): other processes compete for the CPUs${f.requestsPerSecond ? ' (a load generator on the same host counts)' : ''}.`,
    ],
    fixes: [],
    verify:
      'Run the load generator on another host or pin it to other cores (taskset), then re-profile: %wait should fall and the server’s CPU and throughput rise.',
    symbols: [],
  };
};
