/**
 * `perf stat` on tracepoints and software events: counts in the kernel, next to no overhead. Parses the
 * human layout (any locale: `612611`, `281,085` under en_US, `279.987` under de_DE), `-x,` CSV, and `-I`
 * interval output of both (incrementally, for live rates). Used for raw_syscalls:sys_enter (all syscalls),
 * syscalls:sys_enter_io_uring_enter, io_uring:io_uring_submit_req / io_uring_complete, futex, and writes to
 * eventfd descriptors (syscalls:sys_enter_write with a `--filter 'fd == N || …'`).
 */
import { checkPid, checkPositiveInt, checkSeconds, checkToolPath } from './argv';
import { LineContext, linesOf, parseDecimal, parseGroupedCount } from './lines';

export interface PerfStatEventSpec {
  /** e.g. `raw_syscalls:sys_enter`, `io_uring:io_uring_submit_req`, `context-switches`. */
  name: string;
  /** Tracepoint filter, e.g. `fd == 5 || fd == 7` (applies to this event only). */
  filter?: string;
}

export interface PerfStatArgvOptions {
  pid: number;
  events: PerfStatEventSpec[];
  /** Count for this long (`-- sleep N`); omit to count until the command is stopped (SIGINT). */
  durationSeconds?: number;
  /** `-I MS`: print counts every MS milliseconds (perf's minimum is 10). */
  intervalMs?: number;
  /** `-x,` CSV output. */
  csv?: boolean;
  /** `--log-fd 1`: write the counts to stdout instead of stderr. */
  toStdout?: boolean;
  toolPath?: string;
}

const EVENT_NAME = /^[A-Za-z0-9_][\w.:-]*$/;
// Tracepoint filters are small expressions over field names and numbers; nothing a shell could interpret
// matters (argv), but keep them to what the kernel's filter grammar uses.
const FILTER = /^[\w\s=!<>&|()~*".-]+$/;

export function perfStatArgv(o: PerfStatArgvOptions): string[] {
  const argv = [checkToolPath(o.toolPath, 'perf'), 'stat'];
  if (o.toStdout) argv.push('--log-fd', '1');
  if (o.csv) argv.push('-x', ',');
  if (o.intervalMs !== undefined) argv.push('-I', checkPositiveInt(o.intervalMs, 'perf stat interval', 3_600_000));
  if (o.events.length === 0) throw new TypeError('perf stat needs at least one event');
  for (const e of o.events) {
    if (!EVENT_NAME.test(e.name)) throw new TypeError(`bad perf event name: ${JSON.stringify(e.name)}`);
    argv.push('-e', e.name);
    if (e.filter !== undefined) {
      if (!FILTER.test(e.filter)) throw new TypeError(`bad tracepoint filter: ${JSON.stringify(e.filter)}`);
      argv.push('--filter', e.filter);
    }
  }
  argv.push('-p', checkPid(o.pid));
  if (o.durationSeconds !== undefined) argv.push('--', 'sleep', checkSeconds(o.durationSeconds, 'duration'));
  return argv;
}

/** The filter that counts writes to these descriptors: `fd == 5 || fd == 7`. */
export function eventfdWriteFilter(fds: number[]): string {
  if (fds.length === 0) throw new TypeError('no eventfd descriptors to filter on');
  for (const fd of fds) if (!Number.isSafeInteger(fd) || fd < 0) throw new TypeError(`bad descriptor ${fd}`);
  return fds.map((fd) => `fd == ${fd}`).join(' || ');
}

export interface PerfStatCount {
  event: string;
  /** Null when perf printed `<not counted>` or `<not supported>`. */
  count: number | null;
  status: 'counted' | 'not-counted' | 'not-supported';
  /** Unit column (e.g. `msec` for task-clock), when printed. */
  unit: string | null;
  /** Percent of the time the counter ran (multiplexing), when printed. */
  runningPercent: number | null;
}

export interface PerfStatInterval {
  /** Seconds since perf stat started (the interval's end). */
  time: number;
  counts: PerfStatCount[];
}

export interface PerfStatResult {
  /** `process id '19338'`, `'sleep 2'` …, as perf printed it (human layout only). */
  target: string | null;
  /** Totals per event (summed over intervals in -I mode; `<not counted>` intervals count as 0). */
  counts: PerfStatCount[];
  /** Wall seconds: `seconds time elapsed`, or the last interval's time. Null in plain CSV output. */
  elapsedSeconds: number | null;
  intervals: PerfStatInterval[];
  csv: boolean;
}

const TOOL = 'perf stat';
const HUMAN =
  /^(?:(\d+[.,]\d+)\s+)?(<not counted>|<not supported>|\d[\d.,'\u00a0\u202f]*)\s+(?:(msec|usec|nsec|Joules|MiB|ns|us|ms)\s+)?([A-Za-z_][\w.:/=,-]*?)(?:\s+#.*?)?(?:\s+\(\s*[\d.,]+%\))?\s*$/;

/** `1.999,12` (decimal comma, dot grouping) or `1,999.12` / `1999.12`. */
function localeDecimal(text: string, decimalComma: boolean): number | null {
  const plain = decimalComma
    ? text.replace(/[.'\u00a0\u202f]/g, '').replace(',', '.')
    : text.replace(/[,'\u00a0\u202f]/g, '');
  return parseDecimal(plain);
}

/**
 * Incremental parser. `push` returns completed intervals in -I mode (an interval completes when a line with
 * a later time arrives; `flush()` completes the pending one). In plain mode it returns nothing; call `end()`.
 */
export class PerfStatParser {
  readonly ctx = new LineContext(TOOL);
  private readonly totals = new Map<string, PerfStatCount>();
  private readonly order: string[] = [];
  private readonly intervals: PerfStatInterval[] = [];
  private pending: PerfStatInterval | null = null;
  private target: string | null = null;
  private elapsed: number | null = null;
  private csv = false;
  private decimalComma: boolean | null = null;
  /** Human-layout count lines waiting for the locale to be known (it shows in the `seconds` lines). */
  private deferred: Array<{ countText: string; unit: string | null; event: string; lineNumber: number; line: string }> =
    [];
  private sawAnything = false;
  private perfError: string | null = null;
  /** Keep at most this many intervals (older ones only feed the totals). */
  constructor(private readonly maxIntervals = 3600) {}

  push(line: string): PerfStatInterval[] {
    const ctx = this.ctx;
    ctx.next(line);
    const out: PerfStatInterval[] = [];
    const t = line.trim();
    if (t === '' || t.startsWith('#')) return out;
    if (this.perfError !== null) return out;
    let m: RegExpExecArray | null;
    if ((m = /^Performance counter stats for (.*?):?$/.exec(t))) {
      this.target = m[1];
      this.sawAnything = true;
      return out;
    }
    if ((m = /^(\d+(?:[.,]\d+)?) seconds (time elapsed|user|sys)$/.exec(t))) {
      this.decimalComma ??= m[1].includes(',');
      if (m[2] === 'time elapsed') this.elapsed = parseDecimal(m[1]);
      this.sawAnything = true;
      return out;
    }
    if (/^(Error|event syntax error|Problems finding threads|Usage:|Invalid|Cannot|Failed|failed)/.test(t)) {
      this.perfError = t;
      return out;
    }
    if (/^(Some events weren't counted|\\___|Hint:)/.test(t)) return out;
    const f = t.split(',');
    if (f.length >= 4 && !/\s{2}/.test(t)) {
      // -x, CSV: `COUNT,UNIT,EVENT,RUNTIME,PCT,…`, with -I a leading `TIME,`.
      const interval = /^\d+\.\d+$/.test(f[0]) && f.length >= 5 && EVENT_NAME.test(f[3]) && !/^\d+$/.test(f[3]);
      const time = interval ? Number(f.shift()) : null;
      const [countText, unit, event, , pctText] = f;
      if (EVENT_NAME.test(event ?? '') && /^(<not (counted|supported)>|\d+(\.\d+)?)$/.test(countText)) {
        this.csv = true;
        this.sawAnything = true;
        const count = this.count(countText, event, false);
        count.unit = unit || null;
        count.runningPercent = pctText ? parseDecimal(pctText) : null;
        this.add(count, time, out);
        return out;
      }
    }
    // Human layout: `  612611      raw_syscalls:sys_enter   [# metric] [(pct%)]`, with -I a leading time.
    m = HUMAN.exec(t);
    if (!m) throw ctx.error('a perf stat count line (`COUNT  EVENT`), `seconds time elapsed`, or -x, CSV');
    this.sawAnything = true;
    const [, timeText, countText, unit, event] = m;
    if (timeText !== undefined) {
      this.decimalComma ??= timeText.includes(',');
      const count = this.count(countText, event, this.decimalComma);
      count.unit = unit ?? null;
      this.add(count, parseDecimal(timeText), out);
    } else {
      // The locale shows in the `seconds time elapsed` line, after the counts: read counts at the end.
      this.deferred.push({ countText, unit: unit ?? null, event, lineNumber: ctx.lineNumber, line });
    }
    return out;
  }

  flush(): PerfStatInterval[] {
    const out: PerfStatInterval[] = [];
    this.emitPending(out);
    return out;
  }

  /** Ends the input and returns everything. Throws ParseError for perf's own errors or input with no counts. */
  end(): PerfStatResult {
    this.flush();
    if (this.perfError !== null) {
      throw this.ctx.inputError(`perf stat counts; perf reported: ${this.perfError.slice(0, 200)}`);
    }
    for (const d of this.deferred) {
      this.ctx.lineNumber = d.lineNumber;
      this.ctx.line = d.line;
      const count = this.count(d.countText, d.event, this.decimalComma ?? false);
      count.unit = d.unit;
      this.add(count, null, []);
    }
    this.deferred = [];
    if (!this.sawAnything || this.order.length === 0) {
      throw this.ctx.inputError('perf stat output with at least one event count');
    }
    const last = this.intervals[this.intervals.length - 1];
    return {
      target: this.target,
      counts: this.order.map((e) => this.totals.get(e)!),
      elapsedSeconds: this.elapsed ?? (last ? last.time : null),
      intervals: this.intervals,
      csv: this.csv,
    };
  }

  private count(text: string, event: string, decimalComma: boolean): PerfStatCount {
    const c: PerfStatCount = { event, count: null, status: 'counted', unit: null, runningPercent: null };
    if (text === '<not counted>') c.status = 'not-counted';
    else if (text === '<not supported>') c.status = 'not-supported';
    else {
      const n = parseGroupedCount(text, decimalComma) ?? localeDecimal(text, decimalComma);
      if (n === null || !Number.isFinite(n))
        throw this.ctx.error(`a count for ${event}, found ${JSON.stringify(text)}`);
      c.count = n;
    }
    return c;
  }

  private add(c: PerfStatCount, time: number | null, out: PerfStatInterval[]): void {
    if (time !== null) {
      if (this.pending && this.pending.time !== time) this.emitPending(out);
      this.pending ??= { time, counts: [] };
      this.pending.counts.push(c);
    }
    const prev = this.totals.get(c.event);
    if (!prev) {
      this.order.push(c.event);
      this.totals.set(c.event, { ...c });
    } else if (time !== null) {
      // Interval mode: sum; an interval the task did not run in (`<not counted>`) adds nothing.
      if (c.count !== null) {
        prev.count = (prev.count ?? 0) + c.count;
        prev.status = 'counted';
      }
    } else {
      // The same event twice (e.g. with and without a filter): keep them apart.
      let k = 2;
      while (this.totals.has(`${c.event}#${k}`)) k++;
      const key = `${c.event}#${k}`;
      this.order.push(key);
      this.totals.set(key, { ...c, event: key });
    }
  }

  private emitPending(out: PerfStatInterval[]): void {
    if (!this.pending) return;
    out.push(this.pending);
    this.intervals.push(this.pending);
    if (this.intervals.length > this.maxIntervals) this.intervals.shift();
    this.pending = null;
  }
}

export function parsePerfStat(text: string): PerfStatResult {
  const p = new PerfStatParser();
  for (const line of linesOf(text)) p.push(line);
  return p.end();
}

/** Events per second from a result: count / elapsed seconds (or the given duration). */
export function ratePerSecond(result: PerfStatResult, event: string, seconds?: number | null): number | null {
  const c = result.counts.find((x) => x.event === event);
  const s = seconds ?? result.elapsedSeconds;
  if (!c || c.count === null || !s || s <= 0) return null;
  return c.count / s;
}
