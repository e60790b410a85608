/**
 * A Profile as readable terminal text: what ran and for how long, the CPU breakdown, threads, syscalls,
 * io_uring/eventfd rates, hotspots, network, then the verdict and findings. Used by `perf-lens analyze`
 * and `perf-lens profile`. Every string from the profile is printed with control characters escaped, so
 * a symbol or process name cannot move the cursor or recolour the terminal.
 */
import type { CpuFields, Finding, Profile } from '../profile';

export interface TextReportOptions {
  /** Rows per table (threads, syscalls, hotspots). Default 15. */
  maxRows?: number;
}

/** Escapes C0/C1 control characters and DEL (terminal escape sequences) as \xNN. */
export function safe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

const num = (v: number | null | undefined, digits = 1): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);

function rate(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  if (v >= 1e6) return `${(v / 1e6).toFixed(2)}M`;
  if (v >= 1e4) return `${(v / 1e3).toFixed(1)}K`;
  return v >= 100 ? v.toFixed(0) : v.toFixed(1);
}

function table(header: string[], rows: string[][], align: Array<'l' | 'r'>): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    '  ' +
    r
      .map((c, i) => (align[i] === 'r' ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), ...rows.map(fmt)];
}

function cpuLine(c: CpuFields): string {
  return (
    `usr ${num(c.usr)}  nice ${num(c.nice)}  sys ${num(c.sys)}  iowait ${num(c.iowait)}  irq ${num(c.irq)}  ` +
    `softirq ${num(c.softirq)}  steal ${num(c.steal)}  idle ${num(c.idle)}`
  );
}

export function renderTextReport(p: Profile, options: TextReportOptions = {}): string {
  const max = options.maxRows ?? 15;
  const out: string[] = [];
  const t = p.target;
  const who = `${safe(t.command ?? 'unknown process')}${t.pid !== null ? ` (PID ${t.pid})` : ''}`;
  const where = [
    t.transport === 'file' ? 'from saved outputs' : safe(t.host),
    t.cores !== null ? `${t.cores} CPUs` : null,
    t.kernel ? `kernel ${safe(t.kernel)}` : null,
    p.durationSeconds !== null ? `${num(p.durationSeconds, p.durationSeconds < 10 ? 2 : 0)} s` : null,
  ].filter((x) => x !== null);
  out.push(`Perf Lens — ${who}, ${where.join(', ')}`);
  if (p.partial) out.push(`PARTIAL: ${safe(p.partialReason ?? 'incomplete data')}`);
  if (p.sources.length > 0) {
    out.push('Sources:');
    for (const s of p.sources)
      out.push(`  ${safe(s.tool)}: ${safe(s.command)}${s.version ? ` (${safe(s.version)})` : ''}`);
  }

  out.push('', 'CPU');
  const proc = p.cpu.process;
  if (proc) {
    const cores = t.cores ? ` = ${num((proc.cpu ?? 0) / 100, 2)} of ${t.cores} cores` : '';
    out.push(
      `  process: ${num(proc.cpu)}% of one core${proc.cpu !== null ? cores : ''}  (usr ${num(proc.usr)}, sys ${num(proc.sys)}, run-queue wait ${num(proc.wait)})`,
    );
  } else out.push('  process: no per-process CPU data (add pidstat, /proc snapshots or top output)');
  if (p.cpu.system) out.push(`  system (% of all CPUs): ${cpuLine(p.cpu.system)}`);
  for (const c of p.cpu.perCpu) out.push(`  cpu${c.cpu}: ${cpuLine(c)}`);

  if (p.threads.length > 0) {
    out.push('', `Threads (${p.threads.length}, busiest first; wait = run-queue wait, not I/O)`);
    const rows = [...p.threads]
      .sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0))
      .slice(0, max)
      .map((th) => [
        String(th.tid),
        safe(th.name),
        num(th.cpu),
        num(th.usr),
        num(th.sys),
        num(th.wait),
        rate(th.cswch),
        rate(th.nvcswch),
      ]);
    out.push(
      ...table(['TID', 'name', '%CPU', 'usr', 'sys', 'wait', 'cswch/s', 'nvcswch/s'], rows, [
        'r',
        'l',
        'r',
        'r',
        'r',
        'r',
        'r',
        'r',
      ]),
    );
  }

  if (p.syscalls.length > 0) {
    out.push('', 'Syscalls');
    const rows = p.syscalls
      .slice(0, max)
      .map((s) => [
        safe(s.name),
        String(s.calls),
        rate(s.perSecond),
        s.errors === null ? '–' : String(s.errors),
        num(s.seconds, 3),
        num(s.usecsPerCall, 1),
        num(s.percent),
      ]);
    out.push(
      ...table(['syscall', 'calls', 'per s', 'errors', 'seconds', 'µs/call', '%time'], rows, [
        'l',
        'r',
        'r',
        'r',
        'r',
        'r',
        'r',
      ]),
    );
  }
  if (p.ioUring) {
    out.push(
      '',
      `io_uring: io_uring_enter ${rate(p.ioUring.enterPerSecond)}/s, submissions ${rate(p.ioUring.submitPerSecond)}/s, completions ${rate(p.ioUring.completePerSecond)}/s  (${safe(p.ioUring.source)})`,
    );
  }
  if (p.eventfd) {
    out.push(
      `eventfd: descriptors ${p.eventfd.fds.length > 0 ? p.eventfd.fds.join(', ') : 'none found'}; writes ${rate(p.eventfd.writesPerSecond)}/s${p.eventfd.source ? `  (${safe(p.eventfd.source)})` : ''}`,
    );
  }
  if (p.contextSwitches) {
    const cs = p.contextSwitches;
    const maxT = cs.maxThread
      ? `; most: ${safe(cs.maxThread.name)} (${cs.maxThread.tid}) ${rate(cs.maxThread.perSecond)}/s`
      : '';
    const total = cs.totalPerSecond != null ? `, all ${rate(cs.totalPerSecond)}/s` : '';
    out.push(
      `context switches: voluntary ${rate(cs.voluntaryPerSecond)}/s, involuntary ${rate(cs.involuntaryPerSecond)}/s${total}${maxT}`,
    );
  }
  if (p.lockContention) {
    const l = p.lockContention;
    const kernel =
      l.kernelLockWaitSeconds != null
        ? `; kernel locks waited ${num(l.kernelLockWaitSeconds * 1000, 2)} ms over ${l.kernelLockContended ?? '–'} contentions`
        : '';
    out.push(`locks: futex ${rate(l.futexPerSecond)}/s, futex time ${num(l.futexSeconds, 3)} s${kernel}`);
  }

  if (p.hotspots.length > 0) {
    out.push('', `Hotspots (${p.sampleCount !== null ? `${p.sampleCount} samples; ` : ''}self % / children %)`);
    const rows = p.hotspots.slice(0, max).map((h) => {
      const callers = h.callers.length > 0 ? `← ${h.callers.slice(0, 3).map(safe).join(' ← ')}` : '';
      return [
        num(h.self, 2),
        h.children === null ? '–' : num(h.children, 2),
        h.kernel ? '[k]' : '[.]',
        safe(h.symbol),
        safe(h.dso),
        callers,
      ];
    });
    out.push(...table(['self', 'child', '', 'symbol', 'dso', 'callers'], rows, ['r', 'r', 'l', 'l', 'l', 'l']));
  } else if (p.folded.length > 0) {
    out.push('', `Folded stacks: ${p.folded.length}${p.foldedTruncated ? ' (truncated)' : ''}`);
  }

  if (p.network) {
    const n = p.network;
    out.push(
      '',
      `Network (${n.kind === 'delta' ? `change over ${n.seconds !== null ? `${num(n.seconds, 1)} s` : 'the run'}` : 'totals since boot'})`,
    );
    const pairs: Array<[string, number | null]> = [
      ['TCP retransmits', n.retransSegs],
      ['listen overflows', n.listenOverflows],
      ['listen drops', n.listenDrops],
      ['backlog drops', n.tcpBacklogDrop],
      ['receive-queue pruned', n.rcvPruned],
      ['TCP timeouts', n.tcpTimeouts],
      ['segments in', n.inSegs],
      ['segments out', n.outSegs],
      ['softirq NET_RX', n.softirqNetRx],
      ['softirq NET_TX', n.softirqNetTx],
    ];
    const shown = pairs.filter(([, v]) => v !== null).map(([k, v]) => `${k} ${v}`);
    if (shown.length > 0) out.push(`  ${shown.join(', ')}`);
    const drops = Object.entries(n.nicDrops);
    if (drops.length > 0) out.push(`  NIC drops: ${drops.map(([k, v]) => `${safe(k)} ${v}`).join(', ')}`);
    const other = Object.entries(n.other).filter(([, v]) => v !== 0);
    if (other.length > 0) out.push(`  other: ${other.map(([k, v]) => `${safe(k)} ${v}`).join(', ')}`);
  }
  if (p.throughput)
    out.push('', `Throughput: ${rate(p.throughput.requestsPerSecond)} requests/s (${safe(p.throughput.source)})`);

  out.push('', `Verdict: ${p.verdict.kind} — ${safe(p.verdict.summary)}`);
  for (const e of p.verdict.evidence) out.push(`  - ${safe(e)}`);
  if (p.findings.length > 0) {
    out.push('', 'Findings');
    for (const f of p.findings) out.push(...finding(f));
  }
  if (p.dataQuality.length > 0) {
    out.push('', 'Data quality');
    for (const d of p.dataQuality)
      out.push(`  [${d.severity}] ${safe(d.message)}${d.fix ? `  fix: ${safe(d.fix)}` : ''}`);
  }
  return out.join('\n') + '\n';
}

function finding(f: Finding): string[] {
  const out = [`  [${f.severity}] ${safe(f.title)} (${safe(f.id)})`];
  for (const e of f.evidence) out.push(`      - ${safe(e)}`);
  if (f.symbols.length > 0) out.push(`      symbols: ${f.symbols.slice(0, 5).map(safe).join(', ')}`);
  if (f.fixes.length > 0) out.push(`      fixes: ${f.fixes.map(safe).join(', ')}`);
  if (f.verify) out.push(`      verify: ${safe(f.verify)}`);
  return out;
}
