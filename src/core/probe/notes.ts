import { installCommand } from '../host/tool-packages';
import type { Capabilities, DataQualityNote } from '../profile';
import type { ProbeFacts } from './facts';

export function toCapabilities(f: ProbeFacts): Capabilities {
  return {
    perf: f.tools.perf.works,
    perfVersion: f.tools.perf.version,
    pidstat: f.tools.pidstat.works,
    mpstat: f.tools.mpstat.works,
    strace: f.tools.strace.works,
    ss: f.tools.ss.works,
    // nstat and netstat -s give the same counters; either will do.
    nstat: f.tools.nstat.works || f.tools.netstat.works,
    ethtool: f.tools.ethtool.works,
    bpftrace: f.tools.bpftrace.works,
    perfEventParanoid: f.perfEventParanoid,
    kptrRestrict: f.kptrRestrict,
    ptraceScope: f.ptraceScope,
    uid: f.uid,
    sudo: f.sudo,
    ioUringTracepoints: f.ioUringTracepoints,
    hardwarePmu: f.hardwarePmu,
    container: f.container,
    distro: f.distro,
  };
}

const OR_SUDO = ' or allow passwordless sudo for perf';

/**
 * One note per gap: what will be missing or skewed (one line), and the exact command that fixes it on this
 * host's distro family when there is one.
 */
export function dataQualityNotes(f: ProbeFacts): DataQualityNote[] {
  const notes: DataQualityNote[] = [];
  const add = (id: string, severity: DataQualityNote['severity'], message: string, fix: string | null = null) =>
    notes.push({ id, severity, message, fix });
  const install = (tool: string) => installCommand(tool, f.distro, f.distroId);
  const root = f.uid === 0;
  const elevated = root || f.sudo === 'passwordless';

  if (!f.complete) {
    add(
      'probe-incomplete',
      'warning',
      'The host probe was cut short: some capabilities below may be reported as missing.',
    );
  }

  const perf = f.tools.perf;
  if (!perf.path) {
    add(
      'perf-missing',
      'critical',
      'No CPU sampling, hotspots or syscall counts: perf is not installed.',
      install('perf'),
    );
  } else if (!perf.works) {
    add(
      'perf-broken',
      'critical',
      `No CPU sampling, hotspots or syscall counts: perf does not run (${perf.versionLine ?? 'no output'}).`,
      install('perf'),
    );
  }
  if (!f.tools.pidstat.works) {
    add(
      'sysstat-missing',
      'info',
      'Per-thread CPU comes from sampling /proc instead of pidstat (same numbers, no run-queue %wait): sysstat is not installed.',
      install('pidstat'),
    );
  }
  if (!f.tools.strace.works) {
    add(
      'strace-missing',
      'info',
      'strace-based syscall timing (only on request) is unavailable: strace is not installed.',
      install('strace'),
    );
  }
  if (!f.tools.ss.works) {
    add(
      'ss-missing',
      'warning',
      'Per-connection TCP details (retransmits, rtt, queues) will be missing: ss is not installed.',
      install('ss'),
    );
  }
  if (!f.tools.nstat.works && !f.tools.netstat.works) {
    add(
      'nstat-missing',
      'warning',
      'TCP counters (retransmits, listen drops) will be missing: neither nstat nor netstat is installed.',
      install('nstat'),
    );
  }
  if (!f.tools.ethtool.works) {
    add('ethtool-missing', 'info', 'NIC drop counters will be missing: ethtool is not installed.', install('ethtool'));
  }

  const paranoid = f.perfEventParanoid;
  if (perf.path && !root && paranoid !== null) {
    if (paranoid >= 3) {
      add(
        'perf-paranoid',
        f.sudo === 'passwordless' ? 'warning' : 'critical',
        `perf cannot sample at all as uid ${f.uid}: perf_event_paranoid is ${paranoid} — run \`sudo sysctl kernel.perf_event_paranoid=1\`${OR_SUDO}.`,
        'sudo sysctl kernel.perf_event_paranoid=1',
      );
    } else if (paranoid >= 2) {
      add(
        'perf-paranoid',
        f.sudo === 'passwordless' ? 'info' : 'warning',
        `Kernel frames will be missing: perf_event_paranoid is ${paranoid} — run \`sudo sysctl kernel.perf_event_paranoid=1\`${OR_SUDO}.`,
        'sudo sysctl kernel.perf_event_paranoid=1',
      );
    }
    if (paranoid >= 0 && f.sudo !== 'passwordless') {
      add(
        'tracepoints-need-root',
        'warning',
        `Syscall, io_uring and eventfd counts need tracepoints, which perf_event_paranoid ${paranoid} forbids for uid ${f.uid} — run as root${OR_SUDO}.`,
        null,
      );
    }
  }

  if (f.kptrRestrict !== null && (f.kptrRestrict >= 2 || (f.kptrRestrict >= 1 && !root))) {
    add(
      'kptr-restrict',
      'warning',
      `Kernel functions will show as unknown addresses: kptr_restrict is ${f.kptrRestrict} — run \`sudo sysctl kernel.kptr_restrict=0\`.`,
      'sudo sysctl kernel.kptr_restrict=0',
    );
  }

  if (f.ptraceScope !== null) {
    if (f.ptraceScope >= 3) {
      add(
        'ptrace-scope',
        'warning',
        'strace cannot attach to any process: ptrace_scope is 3 and can only be lowered by a reboot.',
      );
    } else if (f.ptraceScope >= 1 && !elevated) {
      add(
        'ptrace-scope',
        'info',
        `strace (only on request) cannot attach to other processes: ptrace_scope is ${f.ptraceScope} — run \`sudo sysctl kernel.yama.ptrace_scope=0\`.`,
        'sudo sysctl kernel.yama.ptrace_scope=0',
      );
    }
  }

  if (!root && f.sudo === 'password') {
    add(
      'sudo-password',
      'info',
      'sudo asks for a password here: privileged collectors will ask for it (it is never stored).',
    );
  }

  if (elevated && !f.tracefs) {
    add(
      'tracefs-missing',
      'warning',
      'Syscall, io_uring and eventfd counts will be missing: tracefs is not mounted.',
      'sudo mount -t tracefs nodev /sys/kernel/tracing',
    );
  } else if (f.tracefs && !f.ioUringTracepoints) {
    add(
      'io-uring-tracepoints',
      'warning',
      'io_uring submissions/completions cannot be counted: this kernel has no io_uring tracepoints (added in 5.5).',
    );
  }
  if (f.tracefs && !f.syscallTracepoints) {
    add(
      'syscall-tracepoints',
      'warning',
      'Per-syscall counts (eventfd writes, io_uring_enter, futex) cannot be taken: the kernel has no syscall tracepoints (CONFIG_FTRACE_SYSCALLS).',
    );
  }

  if (!f.hardwarePmu) {
    add(
      'no-hardware-pmu',
      'info',
      'No hardware PMU' +
        (f.virtualization ? ` (virtual machine: ${f.virtualization})` : '') +
        ': perf samples with the cpu-clock timer, which over-weights functions that re-enable interrupts, such as finish_task_switch and _raw_spin_unlock_irqrestore; no cycles/instructions counts.',
    );
  }

  if (f.perfMaxSampleRate !== null && f.perfMaxSampleRate < 999) {
    add(
      'perf-max-sample-rate',
      'warning',
      `perf cannot sample at 999 Hz: perf_event_max_sample_rate is ${f.perfMaxSampleRate} — run \`sudo sysctl kernel.perf_event_max_sample_rate=1000\`.`,
      'sudo sysctl kernel.perf_event_max_sample_rate=1000',
    );
  }

  if (f.ioUringDisabled !== null && f.ioUringDisabled > 0) {
    add(
      'io-uring-disabled',
      'info',
      `io_uring is restricted on this host (io_uring_disabled is ${f.ioUringDisabled}).`,
    );
  }

  if (f.container) {
    add(
      'container',
      'info',
      `Running in a container (${f.container}; ${f.containerEvidence.join(', ')}): system-wide CPU and network counters may describe the whole machine, and perf may be limited by seccomp.`,
    );
  }
  return notes;
}
