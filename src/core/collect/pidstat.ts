/**
 * pidstat (sysstat): per-process and per-thread CPU (`-u`) and context switches (`-w`), streamed each second.
 *
 * Handles both layouts pidstat prints: `-h` (one `# Time …` block per interval with every column) and the
 * default one (a `-u` block and a `-w` block per interval, merged here by timestamp, then `Average:` blocks),
 * 24-hour and 12-hour (`11:23:27 AM`) times, and decimal commas (`2,83` under de_DE).
 *
 * Note: pidstat's `%wait` is the time the task was runnable but waiting for a CPU (run-queue delay, from
 * schedstat), NOT I/O wait. I/O wait comes from /proc/stat (system) or delay accounting (see proc.ts).
 */
import { checkPid, checkPositiveInt, checkToolPath } from './argv';
import { LineContext, parseDecimal, runLines, tokens } from './lines';
import { parseSysstatBanner, splitTime, type SysstatHostInfo } from './sysstat';

export interface PidstatArgvOptions {
  pid: number;
  /** Seconds between reports (default 1). */
  intervalSeconds?: number;
  /** Number of reports; omit to run until stopped. */
  count?: number;
  /** Per-thread rows (`-t`, default true). */
  threads?: boolean;
  toolPath?: string;
}

/** `pidstat -u -t -w -h -p PID 1 [COUNT]`; run with LC_ALL=C and S_TIME_FORMAT=ISO (the Host sets both). */
export function pidstatArgv(o: PidstatArgvOptions): string[] {
  const argv = [checkToolPath(o.toolPath, 'pidstat'), '-u'];
  if (o.threads ?? true) argv.push('-t');
  argv.push('-w', '-h', '-p', checkPid(o.pid), checkPositiveInt(o.intervalSeconds ?? 1, 'pidstat interval', 3600));
  if (o.count !== undefined) argv.push(checkPositiveInt(o.count, 'pidstat count'));
  return argv;
}

export interface PidstatRow {
  /** Process id (TGID with -t, PID without). Null on thread rows of the `-t` layout (pidstat prints `-`). */
  tgid: number | null;
  /** Thread id; null on process rows. */
  tid: number | null;
  uid: number | null;
  /** Command (comm), without the `|__` thread prefix. */
  command: string;
  isThread: boolean;
  usr: number | null;
  system: number | null;
  guest: number | null;
  /** Run-queue wait (%), not I/O wait. */
  wait: number | null;
  cpu: number | null;
  /** CPU number the task last ran on. */
  cpuNumber: number | null;
  cswch: number | null;
  nvcswch: number | null;
}

export interface PidstatInterval {
  /** 0-based report number (the Average block gets the number after the last report). */
  index: number;
  /** Time as printed (`11:23:22`, `11:23:27 AM`), or `Average`. */
  time: string;
  average: boolean;
  rows: PidstatRow[];
}

const KNOWN_VALUE_COLUMNS = new Set([
  'UID',
  'USER',
  'TGID',
  'TID',
  'PID',
  '%usr',
  '%system',
  '%guest',
  '%wait',
  '%CPU',
  'CPU',
  'cswch/s',
  'nvcswch/s',
]);

interface Header {
  /** Value columns between the time and `Command`. */
  columns: string[];
  hFormat: boolean;
  kind: string;
}

const TOOL = 'pidstat';

/**
 * Incremental parser: `push(line)` returns the intervals completed by that line. In the default layout an
 * interval is only known complete when the next one starts, so a live caller should call `flush()` when the
 * output pauses (e.g. 200 ms without a line): it returns the pending interval once every block is in.
 */
export class PidstatParser {
  readonly ctx = new LineContext(TOOL);
  host: SysstatHostInfo | null = null;
  private header: Header | null = null;
  private pending: { time: string; average: boolean; rows: Map<string, PidstatRow>; kinds: Set<string> } | null = null;
  /** Block kinds in one interval, learnt from the first complete interval of the default layout. */
  private kindsPerInterval: Set<string> | null = null;
  private index = 0;
  private emittedAny = false;
  private sawHeader = false;
  private lastTgid: number | null = null;

  push(line: string): PidstatInterval[] {
    const ctx = this.ctx;
    ctx.next(line);
    const out: PidstatInterval[] = [];
    const trimmed = line.trim();
    if (trimmed === '') {
      if (this.header?.hFormat) this.emitPending(out);
      this.header = null;
      return out;
    }
    if (ctx.lineNumber <= 3 && this.host === null) {
      const banner = parseSysstatBanner(trimmed);
      if (banner) {
        this.host = banner;
        return out;
      }
    }
    const t = tokens(line);
    const header = this.parseHeader(t);
    if (header) {
      this.header = header;
      this.sawHeader = true;
      return out;
    }
    if (!this.header) {
      throw ctx.error('a pidstat header line (`# Time UID … Command` or `HH:MM:SS UID … Command`) before data rows');
    }
    const { time, rest } = splitTime(t, () => this.header!.columns[0] === 'USER');
    if (time === null) throw ctx.error('a time (HH:MM:SS) or `Average:` at the start of a pidstat row');
    const row = this.parseRow(rest);
    const average = /^[^\d\s]+:$/.test(time) && !/\d/.test(time);
    const key = average ? 'Average' : time;
    if (this.pending && this.pending.time !== key) this.emitPending(out);
    if (!this.pending) this.pending = { time: key, average, rows: new Map(), kinds: new Set() };
    this.pending.kinds.add(this.header.kind);
    // In the -t layout thread rows print `-` for TGID: they belong to the process row above them.
    if (row.isThread && row.tgid === null) row.tgid = this.lastTgid;
    else if (!row.isThread) this.lastTgid = row.tgid;
    const id = `${row.tgid ?? ''}/${row.tid ?? ''}/${row.command}`;
    const prev = this.pending.rows.get(id);
    this.pending.rows.set(id, prev ? mergeRows(prev, row) : row);
    return out;
  }

  /** Emits the pending interval if it is complete (see class comment). */
  flush(): PidstatInterval[] {
    const out: PidstatInterval[] = [];
    const p = this.pending;
    if (!p) return out;
    const complete =
      this.header?.hFormat === true ||
      (this.kindsPerInterval !== null && [...this.kindsPerInterval].every((k) => p.kinds.has(k)));
    if (complete) this.emitPending(out);
    return out;
  }

  end(): PidstatInterval[] {
    const out: PidstatInterval[] = [];
    this.emitPending(out);
    if (!this.emittedAny) {
      throw this.ctx.inputError(
        this.sawHeader
          ? 'at least one pidstat report row after the header (the process may have exited or the PID may not exist)'
          : 'pidstat output (a `# Time UID … Command` header and per-process rows)',
      );
    }
    return out;
  }

  private emitPending(out: PidstatInterval[]): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    if (this.kindsPerInterval === null && !p.average) this.kindsPerInterval = new Set(p.kinds);
    out.push({ index: this.index, time: p.time, average: p.average, rows: [...p.rows.values()] });
    if (!p.average) this.index++;
    this.emittedAny = true;
  }

  private parseHeader(t: string[]): Header | null {
    const cmd = t.lastIndexOf('Command');
    if (cmd === -1 || cmd !== t.length - 1) return null;
    const first = t.findIndex((x) => KNOWN_VALUE_COLUMNS.has(x));
    if (first === -1) return null;
    const hFormat = t[0] === '#';
    const columns = t.slice(first, cmd);
    if (!columns.some((c) => c === 'PID' || c === 'TGID' || c === 'TID')) return null;
    return { columns, hFormat, kind: columns.join(' ') };
  }

  private parseRow(values: string[]): PidstatRow {
    const ctx = this.ctx;
    const cols = this.header!.columns;
    if (values.length < cols.length + 1) {
      throw ctx.error(`${cols.length} values and a command name (columns: ${cols.join(' ')} Command)`);
    }
    const row: PidstatRow = {
      tgid: null,
      tid: null,
      uid: null,
      command: '',
      isThread: false,
      usr: null,
      system: null,
      guest: null,
      wait: null,
      cpu: null,
      cpuNumber: null,
      cswch: null,
      nvcswch: null,
    };
    for (let i = 0; i < cols.length; i++) {
      const v = values[i];
      const c = cols[i];
      switch (c) {
        case 'UID':
          row.uid = ctx.count(v, 'UID');
          break;
        case 'USER':
          break;
        case 'PID':
        case 'TGID':
          row.tgid = v === '-' ? null : ctx.count(v, c);
          break;
        case 'TID':
          row.tid = v === '-' ? null : ctx.count(v, 'TID');
          break;
        case 'CPU':
          row.cpuNumber = v === '-' ? null : ctx.count(v, 'CPU');
          break;
        case '%usr':
          row.usr = percent(ctx, v, c);
          break;
        case '%system':
          row.system = percent(ctx, v, c);
          break;
        case '%guest':
          row.guest = percent(ctx, v, c);
          break;
        case '%wait':
          row.wait = percent(ctx, v, c);
          break;
        case '%CPU':
          row.cpu = percent(ctx, v, c);
          break;
        case 'cswch/s':
          row.cswch = rate(ctx, v, c);
          break;
        case 'nvcswch/s':
          row.nvcswch = rate(ctx, v, c);
          break;
        default:
          // Columns of other pidstat reports (-r, -d, …) are skipped, but must still look like values.
          if (v !== '-' && parseDecimal(v) === null && !/^[\w.:/-]+$/.test(v)) {
            throw ctx.error(`a value for column ${c}, found ${JSON.stringify(v)}`);
          }
      }
    }
    if (row.tgid === null && row.tid === null) throw ctx.error('a PID/TGID or TID in a pidstat row');
    let command = values.slice(cols.length).join(' ');
    if (command.startsWith('|__')) {
      command = command.slice(3);
      row.isThread = true;
    } else if (row.tid !== null && row.tgid === null) {
      row.isThread = true;
    }
    row.command = command;
    return row;
  }
}

function percent(ctx: LineContext, v: string, what: string): number {
  const n = ctx.decimal(v, what);
  if (n < 0) throw ctx.error(`a non-negative percentage for ${what}, found ${JSON.stringify(v)}`);
  return n;
}

function rate(ctx: LineContext, v: string, what: string): number {
  const n = ctx.decimal(v, what);
  if (n < 0) throw ctx.error(`a non-negative rate for ${what}, found ${JSON.stringify(v)}`);
  return n;
}

function mergeRows(a: PidstatRow, b: PidstatRow): PidstatRow {
  const out = { ...a };
  for (const k of ['uid', 'usr', 'system', 'guest', 'wait', 'cpu', 'cpuNumber', 'cswch', 'nvcswch'] as const) {
    if (out[k] === null) out[k] = b[k];
  }
  return out;
}

export interface PidstatResult {
  host: SysstatHostInfo | null;
  /** Reports in order (without the Average block). */
  intervals: PidstatInterval[];
  /** pidstat's own Average block, when it printed one (not with -h). */
  average: PidstatInterval | null;
}

/** Parses a whole saved pidstat output. Throws ParseError on anything it does not recognise. */
export function parsePidstat(text: string): PidstatResult {
  const parser = new PidstatParser();
  const all = runLines(parser, text);
  return {
    host: parser.host,
    intervals: all.filter((i) => !i.average),
    average: all.find((i) => i.average) ?? null,
  };
}
