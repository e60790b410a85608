/** `top -b -H` (batch, threads) as users paste it: the CPU summary and per-thread %CPU of each iteration. */
import { checkPid, checkPositiveInt, checkToolPath } from './argv';
import { LineContext, linesOf, parseDecimal, tokens } from './lines';

export function topThreadsArgv(o: { pid: number; iterations?: number; toolPath?: string }): string[] {
  return [
    checkToolPath(o.toolPath, 'top'),
    '-b',
    '-H',
    '-n',
    checkPositiveInt(o.iterations ?? 2, 'top iterations', 3600),
    '-d',
    '1',
    '-p',
    checkPid(o.pid),
  ];
}

export interface TopCpuSummary {
  us: number | null;
  sy: number | null;
  ni: number | null;
  id: number | null;
  wa: number | null;
  hi: number | null;
  si: number | null;
  st: number | null;
}

export interface TopRow {
  pid: number;
  user: string | null;
  state: string | null;
  cpu: number;
  mem: number | null;
  command: string;
}

export interface TopIteration {
  /** `top - 11:24:56 …` time as printed. */
  time: string | null;
  threadsMode: boolean;
  cpu: TopCpuSummary | null;
  perCpu: Array<TopCpuSummary & { cpu: number }>;
  rows: TopRow[];
}

const CPU_KEYS = ['us', 'sy', 'ni', 'id', 'wa', 'hi', 'si', 'st'] as const;

/** `%Cpu(s): 34.9 us, 47.6 sy, …` — the decimal comma of other locales can touch the separator: `ni,100,0 id`. */
function parseCpuLine(rest: string): TopCpuSummary {
  const out: TopCpuSummary = { us: null, sy: null, ni: null, id: null, wa: null, hi: null, si: null, st: null };
  const re = /(\d+[.,]\d)\s*(us|sy|ni|id|wa|hi|si|st)\b/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(rest))) out[m[2] as (typeof CPU_KEYS)[number]] = parseDecimal(m[1]);
  return out;
}

export function parseTop(text: string): TopIteration[] {
  const ctx = new LineContext('top');
  const out: TopIteration[] = [];
  let cur: TopIteration | null = null;
  let cols: { pid: number; user: number; s: number; cpu: number; mem: number; count: number } | null = null;
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    if (t === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^top - (\S+)/.exec(t))) {
      cur = { time: m[1], threadsMode: false, cpu: null, perCpu: [], rows: [] };
      out.push(cur);
      cols = null;
      continue;
    }
    if (!cur) throw ctx.error('a `top - HH:MM:SS up …` line first (top -b output)');
    if (/^(Threads|Tasks):/.test(t)) {
      cur.threadsMode = t.startsWith('Threads');
      continue;
    }
    if ((m = /^%Cpu(?:\(s\)|(\d+))\s*:(.*)$/i.exec(t))) {
      const c = parseCpuLine(m[2]);
      if (CPU_KEYS.every((k) => c[k] === null)) throw ctx.error('CPU percentages (`34.9 us, 47.6 sy, …`)');
      if (m[1] === undefined) cur.cpu = c;
      else cur.perCpu.push({ cpu: Number(m[1]), ...c });
      continue;
    }
    if (/^\S*\s*(Mem|Swap|Spch)\b/.test(t) || /^(KiB|MiB|GiB|TiB|PiB|EiB)\b/.test(t)) continue;
    const tk = tokens(t);
    if (tk[0] === 'PID' && tk.includes('%CPU')) {
      cols = {
        pid: 0,
        user: tk.indexOf('USER'),
        s: tk.indexOf('S'),
        cpu: tk.indexOf('%CPU'),
        mem: tk.indexOf('%MEM'),
        count: tk.length,
      };
      continue;
    }
    if (!cols) throw ctx.error('the `PID USER … %CPU … COMMAND` column header before rows');
    if (tk.length < cols.count) throw ctx.error(`${cols.count} columns in a top row`);
    const cpu = parseDecimal(tk[cols.cpu]);
    if (cpu === null) throw ctx.error(`a %CPU value, found ${JSON.stringify(tk[cols.cpu])}`);
    cur.rows.push({
      pid: ctx.count(tk[cols.pid], 'PID'),
      user: cols.user === -1 ? null : tk[cols.user],
      state: cols.s === -1 ? null : tk[cols.s],
      cpu,
      mem: cols.mem === -1 ? null : parseDecimal(tk[cols.mem]),
      command: tk.slice(cols.count - 1).join(' '),
    });
  }
  if (out.length === 0) throw ctx.inputError('top -b output (`top - …` header lines and a task table)');
  return out;
}
