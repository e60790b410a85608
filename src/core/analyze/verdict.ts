/** What bounds the process, in one sentence with its numbers. Rules in docs/diagnosis.md#verdict. */
import type { Verdict, VerdictKind } from '../profile';
import { coresUsed, kernelSampleShare, type Facts } from './facts';
import { coresOf, pct, rate } from './format';
import { THRESHOLDS as T } from './thresholds';

export function decideVerdict(f: Facts): Verdict {
  const used = coresUsed(f);
  const base = { coresUsed: used, coresAvailable: f.coresAvailable };
  const evidence: string[] = [];

  if (f.subject === null) {
    const missing =
      'no CPU-time breakdown: neither per-process times (pidstat, /proc/PID/stat) nor host times (mpstat, /proc/stat) were measured';
    const kernel = kernelSampleShare(f.profile);
    if (kernel !== null) {
      evidence.push(
        `perf samples alone put ${pct(kernel)} of on-CPU time in the kernel (${f.samplesSource}), but say nothing about how busy the process is.`,
      );
    }
    return {
      kind: 'unknown',
      summary: `Unknown: ${missing}. Add pidstat (or /proc sampling) to decide what bounds the process.`,
      evidence,
      ...base,
    };
  }

  if (f.subject === 'host') return hostVerdict(f, evidence);

  const cpu = f.procCpu as number;
  const usage = `${f.name} uses ${coresOf(cpu / 100, f.coresAvailable)}`;
  const machine =
    f.coresAvailable !== null && f.coresAvailable > 1 ? ` (${pct(cpu / f.coresAvailable)} of the machine)` : '';
  const share =
    f.coresAvailable !== null && f.coresAvailable > 1 ? `, ${pct(cpu / f.coresAvailable)} of the machine` : '';
  evidence.push(`Process CPU: ${pct(cpu)} of one core${share} (${f.cpuSource}).`);
  if (f.procUsr !== null && f.procSys !== null) {
    evidence.push(`User ${pct(f.procUsr)} + system ${pct(f.procSys)} of one core (${f.cpuSource}).`);
  }
  if (f.hostIdle !== null) evidence.push(`Host idle: ${pct(f.hostIdle)} of all CPUs (${f.hostSource}).`);

  if (cpu < T.IDLE_MAX_PROCESS_CPU) {
    return {
      kind: 'idle',
      summary: `Idle: ${usage} — under ${T.IDLE_MAX_PROCESS_CPU}% of one core, nothing to optimise until it has work.`,
      evidence,
      ...base,
    };
  }

  const split =
    f.procUsr !== null && f.procSys !== null
      ? `${pct(f.procSys)} system vs ${pct(f.procUsr)} user, ${f.cpuSource}`
      : `${f.cpuSource}`;

  if (f.hostIowait !== null && f.hostIowait >= T.IO_WAIT_FINDING && f.ioUringIowait !== null) {
    evidence.push(
      `Host iowait: ${pct(f.hostIowait)} of all CPUs (${f.hostSource}), most likely ${f.name}'s own io_uring waits, which the kernel counts as iowait: idle CPU, not a disk.`,
    );
  } else if (f.hostIowait !== null && f.hostIowait >= T.IO_BOUND_IOWAIT) {
    evidence.push(
      `Host iowait: ${pct(f.hostIowait)} of all CPUs (${f.hostSource}); iowait is host-wide, not per process.`,
    );
    return verdict(
      'io-bound',
      `I/O-bound: the host spends ${pct(f.hostIowait)} of its CPU time waiting for I/O (${f.hostSource}) while ${usage}${machine} (${split}).`,
    );
  }

  if (f.sysShare === null) {
    return {
      kind: 'unknown',
      summary: `Unknown: ${usage}${machine}, but the user/system split is missing (${f.cpuSource} gave only the total) and there are no perf samples to split it.`,
      evidence,
      ...base,
    };
  }

  const enter = f.ioUringEnter;
  const total = f.syscallsTotal;
  const syscallHeavy =
    (enter !== null && enter >= T.SYSCALL_BOUND_IO_URING_ENTER) || (total !== null && total >= T.SYSCALL_BOUND_TOTAL);
  if (enter !== null) evidence.push(`io_uring_enter: ${rate(enter)} (${f.ioUringSource}).`);
  if (total !== null) evidence.push(`All syscalls: ${rate(total)} (${f.syscallsSource}).`);

  if (syscallHeavy && f.sysShare >= T.KERNEL_BOUND_SYS_SHARE) {
    const which =
      enter !== null && enter >= T.SYSCALL_BOUND_IO_URING_ENTER
        ? `${rate(enter)} io_uring_enter calls (${f.ioUringSource})`
        : `${rate(total as number)} syscalls (${f.syscallsSource})`;
    return verdict(
      'syscall-bound',
      `Syscall-bound: ${f.name} makes ${which}; ${pct(f.sysShare)} of its CPU is in the kernel (${split}), and it uses ${coresOf(cpu / 100, f.coresAvailable)}${machine}.`,
    );
  }
  if (f.sysShare >= T.KERNEL_BOUND_SYS_SHARE) {
    return verdict(
      'kernel-bound',
      `Kernel-bound: ${usage}${machine}, ${pct(f.sysShare)} of it in the kernel (${split}).`,
    );
  }
  return verdict(
    'user-bound',
    `User-bound: ${usage}${machine}, ${pct(100 - f.sysShare)} of it in user code (${f.procUsr !== null ? `${pct(f.procUsr)} user vs ${pct(f.procSys ?? 0)} system, ` : ''}${f.cpuSource}).`,
  );

  function verdict(kind: VerdictKind, summary: string): Verdict {
    return { kind, summary, evidence, ...base };
  }
}

function hostVerdict(f: Facts, evidence: string[]): Verdict {
  const idle = f.hostIdle as number;
  const busy = 100 - idle;
  const cores = f.coresAvailable;
  const used = cores !== null ? (busy / 100) * cores : null;
  const base = { coresUsed: used, coresAvailable: cores };
  const scope = `the host (no per-process data${f.profile.target.pid !== null ? ` for PID ${f.profile.target.pid}` : ''})`;
  evidence.push(
    `Host: ${pct(f.hostUsr ?? 0)} user, ${pct(f.hostSys ?? 0)} system, ${pct(f.hostIowait ?? 0)} iowait, ${pct(idle)} idle of all CPUs (${f.hostSource}).`,
  );
  const load = used !== null ? `${coresOf(used, cores)} busy` : `${pct(busy)} busy`;
  if (busy < T.IDLE_MAX_HOST_BUSY) {
    return { kind: 'idle', summary: `Idle: ${scope} is ${pct(busy)} busy (${f.hostSource}).`, evidence, ...base };
  }
  if (f.hostIowait !== null && f.hostIowait >= T.IO_BOUND_IOWAIT && f.ioUringIowait === null) {
    return {
      kind: 'io-bound',
      summary: `I/O-bound: ${scope} spends ${pct(f.hostIowait)} of its CPU time waiting for I/O with ${load} (${f.hostSource}).`,
      evidence,
      ...base,
    };
  }
  if (f.sysShare !== null && f.sysShare >= T.KERNEL_BOUND_SYS_SHARE) {
    return {
      kind: 'kernel-bound',
      summary: `Kernel-bound: ${scope} has ${load}, ${pct(f.sysShare)} of it in the kernel (system + softirq, ${f.hostSource}).`,
      evidence,
      ...base,
    };
  }
  return {
    kind: 'user-bound',
    summary: `User-bound: ${scope} has ${load}, mostly in user code (${pct(f.hostUsr ?? 0)} user vs ${pct(f.hostSys ?? 0)} system, ${f.hostSource}).`,
    evidence,
    ...base,
  };
}
