/**
 * `perf trace -s` summaries (per-thread syscall tables). Like strace, perf trace slows a busy server a lot
 * (~95% of its throughput here), so live sessions only run it on request; this reads pasted output.
 */
import type { SyscallStat } from '../profile';
import { checkPid, checkSeconds, checkToolPath } from './argv';
import { LineContext, linesOf, parseDecimal, tokens } from './lines';

export function perfTraceSummaryArgv(o: { pid: number; durationSeconds: number; toolPath?: string }): string[] {
  return [
    checkToolPath(o.toolPath, 'perf'),
    'trace',
    '-s',
    '-p',
    checkPid(o.pid),
    '--',
    'sleep',
    checkSeconds(o.durationSeconds, 'duration'),
  ];
}

export interface PerfTraceThread {
  comm: string;
  tid: number;
  events: number;
  syscalls: SyscallStat[];
}

export interface PerfTraceSummary {
  threads: PerfTraceThread[];
  /** Per syscall over all threads: calls, errors, total seconds, mean µs per call. */
  syscalls: SyscallStat[];
}

export function parsePerfTraceSummary(text: string): PerfTraceSummary {
  const ctx = new LineContext('perf trace -s');
  const threads: PerfTraceThread[] = [];
  let cur: PerfTraceThread | null = null;
  let inTable = false;
  let sawSummary = false;
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    if (t === '') {
      inTable = false;
      continue;
    }
    if (t === 'Summary of events:') {
      sawSummary = true;
      continue;
    }
    let m: RegExpExecArray | null;
    if ((m = /^(.*) \((\d+)\), (\d+) events, [\d.,]+%$/.exec(t))) {
      cur = { comm: m[1], tid: Number(m[2]), events: Number(m[3]), syscalls: [] };
      threads.push(cur);
      inTable = false;
      continue;
    }
    if (/^syscall\s+calls\s+errors\s+total/.test(t) || /^\(msec\)/.test(t)) continue;
    if (/^-{3,}/.test(t)) {
      inTable = true;
      continue;
    }
    if (inTable && cur) {
      const f = tokens(t);
      if (f.length < 4) throw ctx.error('`syscall calls errors total-msec …` in a perf trace -s table');
      const calls = ctx.count(f[1], 'calls');
      const errors = ctx.count(f[2], 'errors');
      const msec = parseDecimal(f[3]);
      if (msec === null) throw ctx.error(`a total in msec, found ${JSON.stringify(f[3])}`);
      cur.syscalls.push({
        name: f[0],
        calls,
        errors,
        seconds: msec / 1000,
        usecsPerCall: calls > 0 ? (msec * 1000) / calls : null,
        percent: null,
        perSecond: null,
      });
      continue;
    }
    if (!sawSummary) continue; // the traced command's own output before the summary
    throw ctx.error('a thread line (`comm (tid), N events, P%`) or a syscall table row');
  }
  if (!sawSummary) throw ctx.inputError('a perf trace -s summary (`Summary of events:`)');
  const byName = new Map<string, SyscallStat>();
  for (const th of threads) {
    for (const s of th.syscalls) {
      const a = byName.get(s.name);
      if (!a) byName.set(s.name, { ...s });
      else {
        a.calls += s.calls;
        a.errors = (a.errors ?? 0) + (s.errors ?? 0);
        a.seconds = (a.seconds ?? 0) + (s.seconds ?? 0);
        a.usecsPerCall = a.calls > 0 ? ((a.seconds ?? 0) * 1e6) / a.calls : null;
      }
    }
  }
  const syscalls = [...byName.values()].sort((a, b) => (b.seconds ?? 0) - (a.seconds ?? 0));
  const totalSeconds = syscalls.reduce((s, x) => s + (x.seconds ?? 0), 0);
  for (const s of syscalls)
    s.percent = totalSeconds > 0 ? Math.round(((s.seconds ?? 0) / totalSeconds) * 10000) / 100 : null;
  return { threads, syscalls };
}
