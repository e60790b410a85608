/**
 * Kernel lock contention from `perf lock contention` (and `perf lock report`) on a `perf lock record`ing.
 * Needs the lock:contention_begin/end tracepoints (kernel 5.19+; present here). Where the kernel has none,
 * the futex time from a syscall summary is the fallback (see profile-builder).
 */
import { LineContext, linesOf, parseDecimal, tokens } from './lines';

export function perfLockRecordArgv(o: {
  pid: number;
  output: string;
  durationSeconds: number;
  toolPath?: string;
}): string[] {
  if (!o.output.startsWith('/')) throw new TypeError('perf lock output must be an absolute path');
  return [
    o.toolPath ?? 'perf',
    'lock',
    'record',
    '-p',
    String(o.pid),
    '-o',
    o.output,
    '--',
    'sleep',
    String(o.durationSeconds),
  ];
}

export function perfLockContentionArgv(o: { input: string; toolPath?: string }): string[] {
  if (!o.input.startsWith('/')) throw new TypeError('perf lock input must be an absolute path');
  return [o.toolPath ?? 'perf', 'lock', 'contention', '-i', o.input];
}

export interface LockRow {
  /** Caller (contention) or lock name (report), as printed (perf cuts long names with `...`). */
  name: string;
  type: string | null;
  contended: number;
  acquired: number | null;
  totalWaitSeconds: number;
  maxWaitSeconds: number | null;
  avgWaitSeconds: number | null;
}

export interface PerfLockResult {
  kind: 'contention' | 'report';
  rows: LockRow[];
  totalWaitSeconds: number;
  totalContended: number;
}

const UNIT: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1 };

export function parsePerfLock(text: string): PerfLockResult {
  const ctx = new LineContext('perf lock');
  let kind: PerfLockResult['kind'] | null = null;
  let cols: string[] = [];
  const rows: LockRow[] = [];
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    if (t === '') continue;
    if (/^contended\s+total wait/.test(t)) {
      kind = 'contention';
      cols = ['contended', 'total wait', 'max wait', 'avg wait', 'type', 'caller'];
      continue;
    }
    if (/^Name\s+acquired\s+contended/.test(t)) {
      kind = 'report';
      cols = ['name', 'acquired', 'contended', 'avg wait', 'total wait', 'max wait', 'min wait'];
      continue;
    }
    if (/^(Error|Failed|failed|Warning)/.test(t) || /^#/.test(t)) {
      if (/^#/.test(t)) continue;
      throw ctx.error(`perf lock output; perf said: ${t.slice(0, 160)}`);
    }
    if (!kind) throw ctx.error('the perf lock contention/report column header');
    // Times print as `56.71 us`: join number and unit into one token (token by token: linear time).
    const tk: string[] = [];
    for (const x of tokens(t)) {
      const prev = tk[tk.length - 1];
      if (UNIT[x] !== undefined && prev !== undefined && /^\d[\d.,]*$/.test(prev)) tk[tk.length - 1] = prev + x;
      else tk.push(x);
    }
    const time = (v: string | undefined, what: string): number => {
      const m = v === undefined ? null : /^([\d.,]+)(ns|us|ms|s)$/.exec(v);
      const n = m ? parseDecimal(m[1]) : null;
      if (!m || n === null) throw ctx.error(`a time with unit for ${what}, found ${JSON.stringify(v ?? '')}`);
      return n * UNIT[m[2]];
    };
    if (kind === 'contention') {
      if (tk.length < 6) throw ctx.error(`${cols.join(', ')}`);
      rows.push({
        contended: ctx.count(tk[0], 'contended'),
        totalWaitSeconds: time(tk[1], 'total wait'),
        maxWaitSeconds: time(tk[2], 'max wait'),
        avgWaitSeconds: time(tk[3], 'avg wait'),
        type: tk[4],
        name: tk.slice(5).join(' '),
        acquired: null,
      });
    } else {
      if (tk.length < 7) throw ctx.error(`${cols.join(', ')}`);
      const n = tk.length;
      rows.push({
        name: tk.slice(0, n - 6).join(' '),
        acquired: ctx.count(tk[n - 6], 'acquired'),
        contended: ctx.count(tk[n - 5], 'contended'),
        avgWaitSeconds: time(tk[n - 4], 'avg wait'),
        totalWaitSeconds: time(tk[n - 3], 'total wait'),
        maxWaitSeconds: time(tk[n - 2], 'max wait'),
        type: null,
      });
    }
  }
  if (!kind) throw ctx.inputError('perf lock contention or perf lock report output');
  return {
    kind,
    rows,
    totalWaitSeconds: rows.reduce((s, r) => s + r.totalWaitSeconds, 0),
    totalContended: rows.reduce((s, r) => s + r.contended, 0),
  };
}
