/** Findings that say the evidence is too thin to trust, instead of guessing. */
import { num, pct } from '../format';
import { UNRESOLVED } from '../patterns';
import { THRESHOLDS as T } from '../thresholds';
import type { Rule, RuleFinding } from './types';

export const missingKernelSymbols: Rule = (f, verdict) => {
  const p = f.profile;
  if (verdict.kind === 'idle') return null;
  const evidence: string[] = [];
  const kernelHot = p.hotspots.filter((h) => h.kernel);
  const kernelSelf = kernelHot.reduce((s, h) => s + h.self, 0);
  const unresolved = kernelHot.filter((h) => UNRESOLVED.test(h.symbol)).reduce((s, h) => s + h.self, 0);
  if (kernelSelf > 0 && (100 * unresolved) / kernelSelf >= T.UNRESOLVED_KERNEL_SHARE) {
    evidence.push(
      `${pct((100 * unresolved) / kernelSelf)} of kernel samples have no symbol name, only addresses (${f.samplesSource}).`,
    );
  }
  const sampled = p.hotspots.length > 0 || p.folded.length > 0;
  const kernelHeavy = f.sysShare !== null && f.sysShare >= T.MISSING_KERNEL_MIN_SYS_SHARE;
  if (sampled && kernelSelf === 0 && kernelHeavy) {
    evidence.push(
      `System time is ${pct(f.sysShare as number)} of the process's CPU (${f.cpuSource}) but no perf sample landed in the kernel (${f.samplesSource}): kernel frames were not recorded.`,
    );
  } else if (!sampled && p.sampleCount === 0 && kernelHeavy && (f.procCpu ?? 0) >= T.IDLE_MAX_PROCESS_CPU) {
    evidence.push(
      `perf recorded 0 samples (${f.samplesSource}) while the process used ${pct(f.procCpu as number)} of a core, ${pct(f.sysShare as number)} of it system time (${f.cpuSource}): perf could only see user space.`,
    );
  }
  for (const note of p.dataQuality) {
    if (/kernel|kptr|paranoid/i.test(note.id)) evidence.push(note.message);
  }
  if (evidence.length === 0) return null;
  const caps = p.capabilities;
  if (caps?.perfEventParanoid !== null && caps?.perfEventParanoid !== undefined && caps.uid !== 0) {
    evidence.push(`perf_event_paranoid is ${caps.perfEventParanoid} and perf ran as uid ${caps.uid ?? '?'} (probe).`);
  }
  if (caps?.kptrRestrict && caps.uid !== 0)
    evidence.push(`kptr_restrict is ${caps.kptrRestrict}: kernel addresses are hidden from non-root users (probe).`);
  return finding(
    'missing-kernel-symbols',
    'warning',
    'Kernel symbols are missing: kernel-side findings are unreliable',
    evidence,
    'Profile as root, or run `sudo sysctl kernel.perf_event_paranoid=1` and `sudo sysctl kernel.kptr_restrict=0`, then re-profile: kernel functions (tcp_*, io_uring_*, eventfd_write) should appear by name.',
  );
};

export const missingDebugInfo: Rule = (f, verdict) => {
  if (verdict.kind === 'idle' || !f.samples.present) return null;
  const user = f.samples.selfBySymbol((_s, kernel) => !kernel);
  const userTotal = user.reduce((s, u) => s + u.self, 0);
  if (userTotal <= 0) return null;
  const unresolved = user.filter((u) => UNRESOLVED.test(u.symbol)).reduce((s, u) => s + u.self, 0);
  const share = (100 * unresolved) / userTotal;
  if (share < T.UNRESOLVED_USER_SHARE || unresolved < T.UNRESOLVED_USER_MIN_TOTAL) return null;
  const dsos = [
    ...new Set(f.profile.hotspots.filter((h) => !h.kernel && UNRESOLVED.test(h.symbol)).map((h) => h.dso)),
  ].slice(0, 3);
  return finding(
    'missing-debug-info',
    'warning',
    `User-space symbols are missing for ${pct(share)} of user samples`,
    [
      `${pct(share)} of user-space samples (${pct(unresolved)} of all samples) have only an address, no function name (${f.samplesSource})${dsos.length ? `, in ${dsos.join(', ')}` : ''}.`,
    ],
    'Install the debug symbols (e.g. the -dbgsym/-debuginfo package) or rebuild with -g and without stripping; keep frame pointers (-fno-omit-frame-pointer) or record with --call-graph dwarf, then re-profile.',
  );
};

export const straceOverhead: Rule = (f) => {
  const p = f.profile;
  const tools = p.sources.filter((s) => /^(?:\S*\/)?strace\b/.test(s.tool) || /^(?:\S*\/)?perf\s+trace\b/.test(s.tool));
  if (tools.length === 0) return null;
  const names = [...new Set(tools.map((t) => (/strace/.test(t.tool) ? 'strace' : 'perf trace')))];
  const live = p.origin === 'session';
  return finding(
    'strace-overhead',
    live ? 'warning' : 'info',
    `Measured under ${names.join(' and ')}: rates and CPU are distorted`,
    [
      `Syscall data came from ${names.join(' and ')} (${tools
        .map((t) => t.command)
        .join('; ')
        .slice(0, 200)}).`,
      `${names.includes('strace') ? 'strace stops the process at every syscall (ptrace)' : 'perf trace records every syscall'}, which slows a syscall-heavy server by an order of magnitude or more: per-second rates and CPU figures from the same run describe the traced process, not the normal one.`,
    ],
    'Count syscalls in the kernel instead: `perf stat -e raw_syscalls:sys_enter,syscalls:sys_enter_io_uring_enter -p PID -- sleep 5` costs next to nothing; compare requests/s with and without the tracer.',
  );
};

export const shortSample: Rule = (f, verdict) => {
  if (verdict.kind === 'idle') return null;
  const p = f.profile;
  const evidence: string[] = [];
  if (p.durationSeconds !== null && p.durationSeconds < T.MIN_DURATION_SECONDS) {
    evidence.push(
      `The recording lasted ${num(p.durationSeconds)} s (under ${T.MIN_DURATION_SECONDS} s): one-off events weigh too much.`,
    );
  }
  if (p.sampleCount !== null && p.sampleCount < T.MIN_SAMPLES && f.samples.present) {
    evidence.push(
      `perf took ${num(p.sampleCount)} samples (under ${T.MIN_SAMPLES}): a 2% hotspot is then ±1 percentage point or worse (${f.samplesSource}).`,
    );
  }
  if (p.partial) evidence.push(`The profile is partial: ${p.partialReason ?? 'reason not recorded'}.`);
  if (evidence.length === 0) return null;
  return finding(
    'short-sample',
    'warning',
    'Too little data to trust small differences',
    evidence,
    'Record longer (10–30 s) under steady load, at -F 999 or higher, and check the findings hold.',
  );
};

function finding(
  id: RuleFinding['id'],
  severity: RuleFinding['severity'],
  title: string,
  evidence: string[],
  verify: string,
): RuleFinding {
  return { id, severity, title, evidence, fixes: [], verify, symbols: [] };
}
