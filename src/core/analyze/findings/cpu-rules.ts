/** Findings about where CPU goes: io_uring submission, eventfd wake-ups, kernel networking, locks, switches. */
import { coresUsed, sourceLabel } from '../facts';
import { num, pct, rate, ratio } from '../format';
import {
  EVENTFD_WRITE_KERNEL,
  IO_URING_SUBMIT,
  LOCK_SLOW_PATH,
  NET_STACK,
  SCHEDULE_FUNCTION,
  UNRESOLVED,
  WAKE_FUNCTION,
  WRITE_CALL,
} from '../patterns';
import { notArtifact } from '../samples';
import { THRESHOLDS as T } from '../thresholds';
import type { Rule, RuleFinding } from './types';

export const ioUringSubmitOverhead: Rule = (f, verdict) => {
  if (verdict.kind === 'idle') return null;
  const enter = f.ioUringEnter;
  const hot = f.samples.present ? f.samples.anywhere(notArtifact(/^(?:__)?io_uring_submit/)) : 0;
  const evidence: string[] = [];
  // The application functions that call submit come first: they are where an edit goes.
  const callers =
    hot > 0 ? f.samples.callersOf(/^(?:__)?io_uring_submit(?:_and_wait)?$/).filter((c) => !UNRESOLVED.test(c)) : [];
  const symbols = hot > 0 ? f.samples.selfBySymbol((s) => IO_URING_SUBMIT.test(s)).map((s) => s.symbol) : [];
  const hotText = `io_uring_submit is on ${pct(hot)} of sampled stacks (${f.samplesSource}).`;
  const finding = (severity: RuleFinding['severity'], title: string): RuleFinding => ({
    id: 'io-uring-submit-overhead',
    severity,
    title,
    evidence,
    fixes: severity === 'info' ? [] : ['batch-submissions', 'sqpoll'],
    verify:
      severity === 'info'
        ? 'Nothing to change; re-check after code changes that add submit calls.'
        : 'Compare io_uring_enter/s with io_uring submissions/s (perf stat -e syscalls:sys_enter_io_uring_enter,io_uring:io_uring_submit_req -p PID): after batching, SQEs per enter should rise well above 1 and io_uring_enter/s fall by as much.',
    symbols: [...new Set([...callers, 'io_uring_submit', ...symbols])],
  });

  if (enter === null) {
    if (hot < T.IO_URING_SUBMIT_HOT_SHARE) return null;
    evidence.push(hotText, 'io_uring_enter calls per second were not counted, so batching could not be measured.');
    return finding('warning', `io_uring_submit is hot (${pct(hot)} of samples)`);
  }
  if (enter <= 0) return null;
  evidence.push(`io_uring_enter: ${rate(enter)} (${f.ioUringSource}).`);
  const sqes = ratio(f.ioUringSubmit, enter);
  if (sqes !== null) {
    evidence.push(
      `${num(sqes)} SQEs submitted per io_uring_enter (${rate(f.ioUringSubmit as number)} submissions, ${f.ioUringSource}).`,
    );
  }
  const rps = f.requestsPerSecond;
  const perRequest = rps !== null && rps > 0 ? ratio(enter, rps) : null;
  if (perRequest !== null)
    evidence.push(
      `${num(perRequest)} io_uring_enter per request (${rate(rps as number)} requests, ${f.throughputSource}).`,
    );
  if (hot > 0) evidence.push(hotText);

  const poorBatching = sqes !== null && sqes < T.IO_URING_MIN_SQES_PER_ENTER;
  if (enter < T.IO_URING_ENTER_OK_MAX) {
    if (poorBatching) {
      // Cheap at this rate, but only because the rate is low: say so rather than "batching well".
      const low = finding(
        'info',
        `io_uring_enter at ${rate(enter)}: cheap at this load, but not batched (${num(sqes as number)} SQEs per call)`,
      );
      low.fixes = ['batch-submissions'];
      return low;
    }
    return finding(
      'info',
      `io_uring is batching well (${rate(enter)} io_uring_enter, under ${num(T.IO_URING_ENTER_OK_MAX)}/s)`,
    );
  }
  if (enter >= T.IO_URING_ENTER_WARN) {
    return finding(
      verdict.kind === 'syscall-bound' ? 'critical' : 'warning',
      `${rate(enter)} io_uring_enter calls: submissions are not batched`,
    );
  }
  const perRequestHigh = perRequest !== null && perRequest >= T.IO_URING_ENTERS_PER_REQUEST_WARN;
  const unknownBatching = sqes === null && perRequest === null;
  if (poorBatching || perRequestHigh || (unknownBatching && hot >= T.IO_URING_SUBMIT_HOT_SHARE)) {
    return finding(
      'warning',
      poorBatching
        ? `One io_uring_enter per operation (${num(sqes as number)} SQEs per enter, ${rate(enter)})`
        : `${rate(enter)} io_uring_enter calls, ${num(perRequest ?? 0)} per request`,
    );
  }
  return finding(
    'info',
    `io_uring_enter at ${rate(enter)}, batched${sqes !== null ? ` ${num(sqes)} SQEs per call` : ''}`,
  );
};

export const eventfdWakeupStorm: Rule = (f, verdict) => {
  if (verdict.kind === 'idle') return null;
  const evidence: string[] = [];
  let severity: RuleFinding['severity'] | null = null;
  const writes = f.eventfdWrites;
  // Rates that were measured and came out low: the wake-ups are already coalesced (e.g. after the fix).
  let ratesLow = false;
  const fds =
    f.eventfdFds.length > 0 ? ` on eventfd fd${f.eventfdFds.length > 1 ? 's' : ''} ${f.eventfdFds.join(', ')}` : '';
  if (writes !== null && writes >= T.EVENTFD_MIN_WRITES) {
    evidence.push(`Eventfd writes: ${rate(writes)}${fds} (${f.eventfdSource}).`);
    const rps = f.requestsPerSecond;
    const perRequest = rps !== null && rps > 0 ? ratio(writes, rps) : null;
    const perEnter = f.ioUringEnter !== null && f.ioUringEnter > 0 ? ratio(writes, f.ioUringEnter) : null;
    if (perRequest !== null) {
      evidence.push(
        `Requests: ${rate(rps as number)} (${f.throughputSource}), so ${num(perRequest)} eventfd writes per request.`,
      );
      if (perRequest >= T.EVENTFD_PER_REQUEST_CRITICAL) severity = 'critical';
      else if (perRequest >= T.EVENTFD_PER_REQUEST_WARN) severity = 'warning';
    } else if (perEnter !== null) {
      evidence.push(
        `Throughput unknown; against ${rate(f.ioUringEnter as number)} io_uring_enter calls (${f.ioUringSource}) that is ${num(perEnter)} eventfd writes per enter.`,
      );
      if (perEnter >= T.EVENTFD_PER_ENTER_WARN) severity = 'warning';
    }
    ratesLow = severity === null && (perRequest !== null || perEnter !== null);
  } else if (writes !== null && f.eventfdFds.length > 0) {
    // Counted on known eventfds and below the floor: not a storm, whatever the stacks say.
    ratesLow = true;
  }

  // From the stacks: a wake-up function calling write(), under a scheduleOn-like caller when there is one.
  // The whole write() counts, not just eventfd_write: the wake-up's cost includes the io_uring task work
  // the kernel runs on the way back to user space.
  const confirmed = f.samples.anywhere(EVENTFD_WRITE_KERNEL) > 0 || f.eventfdFds.length > 0;
  const wakePath = f.samples.path([WAKE_FUNCTION, WRITE_CALL]);
  const symbols: string[] = [];
  const stackShare = wakePath.share;
  if (stackShare >= T.EVENTFD_STACK_SHARE) {
    const scheduled = f.samples.path([SCHEDULE_FUNCTION, WAKE_FUNCTION, WRITE_CALL]);
    const frames = scheduled.share > 0 ? scheduled.frames : wakePath.frames;
    const inKernel = f.samples.anywhere(EVENTFD_WRITE_KERNEL);
    evidence.push(
      `${frames.join(' → ')} is on ${pct(stackShare)} of sampled stacks (${f.samplesSource})` +
        (inKernel > 0
          ? `; eventfd_write itself on ${pct(inKernel)}.`
          : confirmed
            ? '.'
            : '; no eventfd_write frame or eventfd descriptor confirms the target is an eventfd.'),
    );
    symbols.push(...frames.filter((s) => !WRITE_CALL.test(s)));
    if (inKernel > 0) symbols.push('eventfd_write');
    if (ratesLow) severity = 'info';
    else if (confirmed || severity !== null) severity ??= 'warning';
    else severity = 'info';
  }
  if (severity === null) return null;
  return {
    id: 'eventfd-wakeup-storm',
    severity,
    // Rates measured low with the write path still sampled: the coalesced remainder, nothing to fix again.
    title: ratesLow
      ? `Eventfd wake-ups are coalesced (${rate(writes as number)} writes), their write() path on ${pct(stackShare)} of samples`
      : writes !== null && f.requestsPerSecond
        ? `Eventfd wake-up per task: ${rate(writes)} eventfd writes at ${rate(f.requestsPerSecond)} requests`
        : writes !== null
          ? `Eventfd wake-up storm: ${rate(writes)} eventfd writes`
          : `Eventfd wake-ups are hot (${pct(stackShare)} of samples)`,
    evidence,
    fixes: ratesLow ? [] : ['coalesce-eventfd-wakeups'],
    verify: ratesLow
      ? 'Nothing to fix at this rate: each remaining write wakes a worker that was idle. Compare with the profile before the fix (perf-lens compare before.json after.json).'
      : 'Apply the coalescing fix, re-profile under the same load and compare: eventfd writes/s should fall by 90% or more and requests/s hold or rise (perf-lens compare before.json after.json).',
    symbols: [...new Set(symbols.length ? symbols : ['eventfd_write'])],
  };
};

/** Where the kernel's network work starts: sends, receives, and packet processing in softirq. */
const NET_ENTRY_POINTS = [
  'tcp_sendmsg',
  'tcp_recvmsg',
  'net_rx_action',
  'tcp_v4_rcv',
  'ip_finish_output2',
  'tcp_write_xmit',
];

export const kernelNetworkStack: Rule = (f, verdict) => {
  if (verdict.kind === 'idle' || !f.samples.present) return null;
  const share = f.samples.anywhere(f.samples.kernelOnly(notArtifact(NET_STACK)));
  if (share < T.NET_STACK_SHARE) return null;
  if (f.sysShare !== null && f.sysShare < T.NET_STACK_MIN_SYS_SHARE) return null;
  const top = f.samples.selfBySymbol((s, kernel) => kernel && NET_STACK.test(s)).slice(0, 4);
  const entries = NET_ENTRY_POINTS.map((name) => ({
    name,
    share: f.samples.anywhere(f.samples.kernelOnly(new RegExp(`^${name}$`))),
  }))
    .filter((e) => e.share >= 1)
    .sort((a, b) => b.share - a.share)
    .slice(0, 4);
  const evidence = [`Kernel TCP/IP functions are on ${pct(share)} of sampled stacks (${f.samplesSource}).`];
  if (entries.length > 0)
    evidence.push(
      `Entry points: ${entries.map((e) => `${e.name} on ${pct(e.share)}`).join(', ')} of stacks (${f.samplesSource}).`,
    );
  if (top.length > 0)
    evidence.push(
      `Hottest by self time: ${top.map((t) => `${t.symbol} ${pct(t.self)}`).join(', ')} (${f.samplesSource}).`,
    );
  if (f.sysShare !== null) {
    evidence.push(
      `System time is ${pct(f.sysShare)} of the process's CPU (${pct(f.procSys ?? 0)} system vs ${pct(f.procUsr ?? 0)} user, ${f.cpuSource}).`,
    );
  }
  const softirq = f.profile.cpu.system?.softirq ?? null;
  if (softirq !== null && softirq > 0)
    evidence.push(`Softirq (packet processing) takes ${pct(softirq)} of all CPUs (${f.hostSource}).`);
  const used = coresUsed(f);
  if (used !== null && f.requestsPerSecond) {
    evidence.push(
      `That is ${num((used * 1e6) / f.requestsPerSecond)} µs of CPU per request at ${rate(f.requestsPerSecond)} (${f.throughputSource}).`,
    );
  }
  return {
    id: 'kernel-network-stack',
    // Where a small-message server's time normally goes, so an explanation (info) unless the syscall
    // rate itself is the problem.
    severity: verdict.kind === 'syscall-bound' ? 'warning' : 'info',
    title: `Kernel TCP/IP stack on ${pct(share)} of samples`,
    evidence,
    fixes: ['send-zc', 'kernel-bypass'],
    verify:
      'Divide system time by requests/s: one recv and one send per request is the floor the kernel stack costs. If the per-request kernel time stays the same after batching and coalescing fixes, only fewer/larger writes, zero-copy for large payloads, or a user-space stack reduce it.',
    symbols: [...new Set([...entries.map((e) => e.name), ...top.map((t) => t.symbol)])],
  };
};

const LOCK_WRAPPER =
  /^(?:_raw_spin_lock\w*|raw_spin_lock\w*|spin_lock\w*|do_raw_spin_lock|__lll_\w+|___?pthread_mutex_\w+|pthread_mutex_\w+|futex\w*|do_futex|__x64_sys_futex|__se_sys_futex|do_syscall_64|entry_SYSCALL\w*|syscall)$/;

export const lockContention: Rule = (f, verdict) => {
  if (verdict.kind === 'idle') return null;
  const slow = notArtifact(LOCK_SLOW_PATH); // user (__lll_lock_wait) and kernel slow paths alike
  const share = f.samples.present ? f.samples.anywhere(slow) : 0;
  const futexRate = f.futexPerSecond;
  const futexTime = f.futexTime;
  const byShare = share >= T.LOCK_STACK_SHARE;
  const byRate = futexRate !== null && futexRate >= T.FUTEX_RATE;
  const byTime = futexTime !== null && futexTime >= T.FUTEX_TIME_PER_SECOND;
  const lc = f.profile.lockContention;
  const kernelWait = ratio(lc?.kernelLockWaitSeconds ?? null, f.profile.durationSeconds);
  const byKernelWait = kernelWait !== null && kernelWait >= T.KERNEL_LOCK_WAIT_PER_SECOND;
  if (!byShare && !byRate && !byTime && !byKernelWait) return null;
  const evidence: string[] = [];
  const symbols = f.samples
    .selfBySymbol((s) => LOCK_SLOW_PATH.test(s))
    .slice(0, 3)
    .map((s) => s.symbol);
  if (share > 0) {
    const chain = f.samples.callerChain(slow, LOCK_WRAPPER, 2);
    evidence.push(
      `Lock slow paths (${symbols.join(', ') || 'futex/spinlock'}) are on ${pct(share)} of sampled stacks (${f.samplesSource})${chain.length ? `, mostly under ${chain.join(' ← ')}` : ''}.`,
    );
    symbols.push(...chain);
  }
  if (futexRate !== null && futexRate > 0) evidence.push(`futex calls: ${rate(futexRate)} (${f.futexSource}).`);
  if (kernelWait !== null && kernelWait > 0) {
    const top = (lc?.topLocks ?? []).slice(0, 3).map((l) => `${l.name} ${num(l.totalWaitSeconds)} s`);
    evidence.push(
      `Kernel lock waits: ${num(kernelWait)} s per second of recording${lc?.kernelLockContended ? `, ${num(lc.kernelLockContended)} contended acquisitions` : ''}${top.length ? `; most: ${top.join(', ')}` : ''} (${f.futexSource}).`,
    );
  }
  if (futexTime !== null && futexTime > 0)
    evidence.push(`Time in futex: ${num(futexTime)} s per second of recording (${f.futexSource}).`);
  return {
    id: 'lock-contention',
    severity: 'warning',
    title: byShare
      ? `Lock contention: ${pct(share)} of samples in lock slow paths`
      : `Lock contention: ${rate(futexRate ?? 0)} futex calls`,
    evidence,
    fixes: ['reduce-lock-contention'],
    verify:
      'Find the lock from the callers above the slow path (perf report --no-children -S <slowpath> -G), shard or shorten it, then re-profile: futex calls/s and the slow-path share should fall and throughput per core rise.',
    symbols: [...new Set(symbols)],
  };
};

export const contextSwitchStorm: Rule = (f) => {
  let worst: { tid: number; name: string; perSecond: number } | null = null;
  for (const t of f.threads) {
    if (t.switches !== null && (!worst || t.switches > worst.perSecond))
      worst = { tid: t.tid, name: t.name, perSecond: t.switches };
  }
  let source = f.threadSource;
  const cs = f.profile.contextSwitches;
  const csSource = cs ? sourceLabel(f.profile, cs.source, f.threadSource) : f.threadSource;
  if (cs?.maxThread && (!worst || cs.maxThread.perSecond > worst.perSecond)) {
    worst = cs.maxThread;
    source = csSource;
  }
  if (!worst || worst.perSecond < T.CONTEXT_SWITCHES_PER_THREAD) return null;
  const thread = f.profile.threads.find((t) => t.tid === worst.tid);
  const split =
    thread && thread.cswch !== null && thread.nvcswch !== null
      ? ` (${rate(thread.cswch)} voluntary, ${rate(thread.nvcswch)} involuntary)`
      : '';
  const evidence = [`Thread ${worst.name} (TID ${worst.tid}) switches ${rate(worst.perSecond)}${split} (${source}).`];
  if (cs && cs.voluntaryPerSecond !== null) {
    evidence.push(
      `Process total: ${rate(cs.voluntaryPerSecond + (cs.involuntaryPerSecond ?? 0))} context switches (${cs.source}).`,
    );
  }
  const fixes: string[] = [];
  if (f.eventfdWrites !== null && f.eventfdWrites >= T.EVENTFD_MIN_WRITES) fixes.push('coalesce-eventfd-wakeups');
  if ((f.futexPerSecond ?? 0) >= T.FUTEX_RATE) fixes.push('reduce-lock-contention');
  // Otherwise the hand-off mechanism (pipes, condition variables, sockets) is the program's own: no
  // catalog fix applies as such; the verify text says what to batch.
  return {
    id: 'context-switch-storm',
    severity: 'warning',
    title: `Context-switch storm: ${rate(worst.perSecond)} in one thread`,
    evidence,
    fixes,
    verify:
      'Voluntary switches mean the thread blocks and is woken per item (hand-offs, wake-ups, locks): batch the hand-off and re-measure with pidstat -w -t 1; involuntary ones mean more runnable threads than cores.',
    symbols: [],
  };
};
