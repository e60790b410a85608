/**
 * The result of `perf-lens profile` as text and as an HTML report. Stand-in until the shared text report
 * (src/core/report/text.ts) and the HTML writer (src/core/report/html.ts) land.
 */
import type { Profile } from '../../core/profile';
import { printable } from '../../core/target/resolve';
import { UserError } from '../../core/errors';

const pct = (v: number | null | undefined) => (v === null || v === undefined ? '–' : `${v.toFixed(1)}%`);

export function renderProfileText(p: Profile): string {
  const out: string[] = [];
  const t = p.target;
  out.push(`Perf Lens profile of PID ${t.pid ?? '?'} (${printable(t.command ?? '?', 40)}) on ${t.host}`);
  if (p.partial) out.push(`PARTIAL: ${p.partialReason}`);
  out.push(`window ${p.durationSeconds ?? '?'} s, ${t.cores ?? '?'} CPUs, kernel ${t.kernel ?? '?'}`);
  const c = p.cpu.process;
  if (c)
    out.push(
      `process: cpu ${pct(c.cpu)} of one core (usr ${pct(c.usr)}, sys ${pct(c.sys)}, run-queue wait ${pct(c.wait)})`,
    );
  for (const th of p.threads.slice(0, 8)) {
    out.push(
      `  ${String(th.tid).padStart(7)} ${printable(th.name, 16).padEnd(16)} cpu ${pct(th.cpu)} usr ${pct(th.usr)} sys ${pct(th.sys)} cs/s ${th.cswch ?? '–'}/${th.nvcswch ?? '–'}`,
    );
  }
  const s = p.cpu.system;
  if (s)
    out.push(
      `host: usr ${pct(s.usr)} sys ${pct(s.sys)} softirq ${pct(s.softirq)} iowait ${pct(s.iowait)} idle ${pct(s.idle)}`,
    );
  for (const sc of p.syscalls) out.push(`syscall ${sc.name}: ${sc.perSecond ?? '–'}/s`);
  if (p.eventfd) out.push(`eventfd writes: ${p.eventfd.writesPerSecond ?? '–'}/s (fds ${p.eventfd.fds.join(', ')})`);
  out.push('hotspots (self):');
  for (const h of [...p.hotspots].sort((a, b) => b.self - a.self).slice(0, 12)) {
    out.push(
      `  ${pct(h.self).padStart(6)} ${h.children === null ? '' : `(total ${pct(h.children)}) `}${printable(h.symbol, 90)} [${printable(h.dso, 30)}]`,
    );
  }
  out.push(`verdict: ${p.verdict.kind} — ${p.verdict.summary}`);
  for (const f of p.findings) out.push(`finding [${f.severity}] ${f.id}: ${f.title}`);
  for (const n of p.dataQuality) out.push(`note: ${n.message}`);
  return out.join('\n') + '\n';
}

export function writeHtml(file: string, p: Profile): void {
  void file;
  void p;
  throw new UserError('--html is not available in this build yet', 'use --json');
}
