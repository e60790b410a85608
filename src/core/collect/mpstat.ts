/**
 * mpstat (sysstat) `-P ALL`: the per-CPU breakdown each second (usr, nice, sys, iowait, irq, soft, steal,
 * guest, gnice, idle), in 24-hour or 12-hour times and with decimal points or commas.
 */
import { checkPositiveInt, checkToolPath } from './argv';
import { LineContext, runLines, tokens } from './lines';
import { parseSysstatBanner, splitTime, type SysstatHostInfo } from './sysstat';

export interface MpstatArgvOptions {
  intervalSeconds?: number;
  count?: number;
  toolPath?: string;
}

/** `mpstat -P ALL 1 [COUNT]` (run with LC_ALL=C S_TIME_FORMAT=ISO). */
export function mpstatArgv(o: MpstatArgvOptions = {}): string[] {
  const argv = [
    checkToolPath(o.toolPath, 'mpstat'),
    '-P',
    'ALL',
    checkPositiveInt(o.intervalSeconds ?? 1, 'mpstat interval', 3600),
  ];
  if (o.count !== undefined) argv.push(checkPositiveInt(o.count, 'mpstat count'));
  return argv;
}

export interface MpstatCpuRow {
  /** CPU number, or 'all' for the whole-host row. */
  cpu: number | 'all';
  usr: number | null;
  nice: number | null;
  sys: number | null;
  iowait: number | null;
  irq: number | null;
  soft: number | null;
  steal: number | null;
  guest: number | null;
  gnice: number | null;
  idle: number | null;
}

export interface MpstatInterval {
  index: number;
  time: string;
  average: boolean;
  all: MpstatCpuRow | null;
  cpus: MpstatCpuRow[];
}

const COLUMN_FIELDS: Record<string, keyof Omit<MpstatCpuRow, 'cpu'>> = {
  '%usr': 'usr',
  '%user': 'usr',
  '%nice': 'nice',
  '%sys': 'sys',
  '%system': 'sys',
  '%iowait': 'iowait',
  '%irq': 'irq',
  '%soft': 'soft',
  '%steal': 'steal',
  '%guest': 'guest',
  '%gnice': 'gnice',
  '%idle': 'idle',
};

/** Incremental: `push` returns intervals completed by a line; call `flush()` when output pauses (see pidstat.ts). */
export class MpstatParser {
  readonly ctx = new LineContext('mpstat');
  host: SysstatHostInfo | null = null;
  private columns: string[] | null = null;
  private pending: MpstatInterval | null = null;
  private index = 0;
  private emitted = 0;
  private sawHeader = false;

  push(line: string): MpstatInterval[] {
    const ctx = this.ctx;
    ctx.next(line);
    const out: MpstatInterval[] = [];
    const trimmed = line.trim();
    if (trimmed === '') {
      this.emit(out);
      this.columns = null;
      return out;
    }
    if (this.host === null && ctx.lineNumber <= 3) {
      const banner = parseSysstatBanner(trimmed);
      if (banner) {
        this.host = banner;
        return out;
      }
    }
    const t = tokens(line);
    const cpuAt = t.indexOf('CPU');
    if (cpuAt !== -1 && t.slice(cpuAt + 1).every((c) => c.startsWith('%'))) {
      const cols = t.slice(cpuAt + 1);
      if (!cols.every((c) => c in COLUMN_FIELDS)) {
        throw ctx.error(`mpstat -P ALL CPU-utilisation columns (%usr … %idle), found ${cols.join(' ')}`);
      }
      this.emit(out);
      this.columns = cols;
      this.sawHeader = true;
      return out;
    }
    if (!this.columns) throw ctx.error('an mpstat header (`HH:MM:SS CPU %usr %nice %sys … %idle`) before data rows');
    const { time, rest } = splitTime(t, (tok) => tok === 'all');
    if (time === null) throw ctx.error('a time (HH:MM:SS) or `Average:` at the start of an mpstat row');
    if (rest.length !== this.columns.length + 1) {
      throw ctx.error(`a CPU number or "all" followed by ${this.columns.length} percentages`);
    }
    const average = !/\d/.test(time);
    if (this.pending && this.pending.time !== time) this.emit(out);
    const cpuToken = rest[0];
    const row: MpstatCpuRow = {
      cpu: cpuToken === 'all' ? 'all' : ctx.count(cpuToken, 'CPU'),
      usr: null,
      nice: null,
      sys: null,
      iowait: null,
      irq: null,
      soft: null,
      steal: null,
      guest: null,
      gnice: null,
      idle: null,
    };
    this.columns.forEach((c, i) => {
      const v = ctx.decimal(rest[i + 1], c);
      if (v < 0 || v > 100.5) throw ctx.error(`a percentage between 0 and 100 for ${c}, found ${rest[i + 1]}`);
      row[COLUMN_FIELDS[c]] = v;
    });
    this.pending ??= { index: this.index, time, average, all: null, cpus: [] };
    if (row.cpu === 'all') this.pending.all = row;
    else this.pending.cpus.push(row);
    return out;
  }

  flush(): MpstatInterval[] {
    const out: MpstatInterval[] = [];
    this.emit(out);
    return out;
  }

  end(): MpstatInterval[] {
    const out = this.flush();
    if (this.emitted === 0) {
      throw this.ctx.inputError(
        this.sawHeader
          ? 'at least one mpstat report after the header'
          : 'mpstat -P ALL output (a `CPU %usr … %idle` header and rows)',
      );
    }
    return out;
  }

  private emit(out: MpstatInterval[]): void {
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    p.index = this.index;
    if (!p.average) this.index++;
    this.emitted++;
    out.push(p);
  }
}

export interface MpstatResult {
  host: SysstatHostInfo | null;
  intervals: MpstatInterval[];
  average: MpstatInterval | null;
}

export function parseMpstat(text: string): MpstatResult {
  const parser = new MpstatParser();
  const all = runLines(parser, text);
  return { host: parser.host, intervals: all.filter((i) => !i.average), average: all.find((i) => i.average) ?? null };
}
