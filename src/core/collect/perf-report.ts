/**
 * `perf report --stdio` in its common shapes → entries (and hotspots): with and without `--children`,
 * `-g none`, `--sort` variants (`dso,sym`, `comm,dso,sym`, `sym`, `pid`, `srcline` …), `-n`, call-graph
 * text in graph form (callee or caller order) and `-g folded`.
 *
 * Columns are located with the dotted ruler line perf prints under the column names, so command names and
 * DSOs with single spaces stay intact; the symbol column runs to the end of the line.
 */
import type { Hotspot } from '../profile';
import { LineContext, linesOf, parseDecimal } from './lines';

export interface PerfReportArgvOptions {
  input: string;
  children?: boolean;
  /** `graph` (default when recorded with -g), `none`, `folded`, `caller`, `callee`. */
  callGraph?: 'graph' | 'none' | 'folded' | 'caller' | 'callee';
  sort?: string;
  percentLimit?: number;
  toolPath?: string;
}

export function perfReportArgv(o: PerfReportArgvOptions): string[] {
  if (o.input.startsWith('-') || o.input === '') throw new TypeError(`perf report input must be a path: ${o.input}`);
  const argv = [o.toolPath ?? 'perf', 'report', '-i', o.input, '--stdio', o.children ? '--children' : '--no-children'];
  if (o.callGraph === 'none') argv.push('-g', 'none');
  else if (o.callGraph === 'folded') argv.push('-g', 'folded');
  else if (o.callGraph === 'caller' || o.callGraph === 'callee') argv.push('-g', o.callGraph);
  if (o.sort) {
    if (!/^[a-z_,:]+$/.test(o.sort)) throw new TypeError(`bad perf report sort keys: ${o.sort}`);
    argv.push('--sort', o.sort);
  }
  if (o.percentLimit !== undefined) argv.push('--percent-limit', String(o.percentLimit));
  return argv;
}

export interface CallPath {
  /** Percent of all samples (perf's branch percentage), or the entry's own when the chain does not branch. */
  percent: number | null;
  /** Frames as printed, in the order printed. */
  frames: string[];
}

export interface PerfReportEntry {
  event: string | null;
  /** Percent with this symbol anywhere on the stack (`Children`); null without --children. */
  children: number | null;
  /** Percent with this symbol as the leaf (`Self`, or `Overhead` without --children). */
  self: number;
  samples: number | null;
  period: number | null;
  command: string | null;
  pid: number | null;
  dso: string | null;
  /** Symbol as perf prints it (demangled), without the `[k] ` tag; null without a Symbol column. */
  symbol: string | null;
  /** From the `[k]`/`[.]` tag: true for kernel (`k`, guest kernel `g`). Null without a symbol column. */
  kernel: boolean | null;
  srcFile: string | null;
  srcLine: number | null;
  /** Call paths under the entry (empty with -g none). */
  paths: CallPath[];
  /** Symbols that called this one, nearest first, from its heaviest paths; empty when unknown. */
  callers: string[];
}

export interface PerfReport {
  event: string | null;
  /** `# Samples: N of event …` of the first event (K/M suffixes expanded). */
  samples: number | null;
  eventCount: number | null;
  lostSamples: number | null;
  /** Column names, in order. */
  columns: string[];
  hasChildren: boolean;
  /** How the call-graph text is ordered, when there is any. */
  callGraphOrder: 'callee' | 'caller' | null;
  entries: PerfReportEntry[];
}

const TOOL = 'perf report';
const PERCENT = /^(\d+(?:[.,]\d+)?)%$/;

interface Column {
  name: string;
  start: number;
  end: number;
}

/** Parses `perf report --stdio` text. Throws ParseError on text it cannot read. */
export function parsePerfReport(text: string): PerfReport {
  const ctx = new LineContext(TOOL);
  const report: PerfReport = {
    event: null,
    samples: null,
    eventCount: null,
    lostSamples: null,
    columns: [],
    hasChildren: false,
    callGraphOrder: null,
    entries: [],
  };
  let columns: Column[] | null = null;
  let prevComment: string | null = null;
  let event: string | null = null;
  let entry: PerfReportEntry | null = null;
  let graph: GraphBuilder | null = null;
  let sawHeader = false;
  const finishEntry = () => {
    if (entry && graph) entry.paths.push(...graph.finish());
    graph = null;
    entry = null;
  };
  for (const line of linesOf(text)) {
    ctx.next(line);
    if (line.startsWith('#')) {
      finishEntry();
      const body = line.slice(1).trim();
      let m: RegExpExecArray | null;
      if ((m = /^Samples: (\d+(?:\.\d+)?)([KMG]?)\s+of event '([^']*)'/.exec(body))) {
        event = m[3];
        if (report.event === null) {
          report.event = event;
          report.samples = Math.round(Number(m[1]) * ({ K: 1e3, M: 1e6, G: 1e9 }[m[2]] ?? 1));
        }
        sawHeader = true;
      } else if ((m = /^Event count \(approx\.\): (\d+)/.exec(body)) && report.eventCount === null) {
        report.eventCount = Number(m[1]);
      } else if ((m = /^Total Lost Samples: (\d+)/.exec(body))) {
        report.lostSamples = Number(m[1]);
      } else if (/^\.{2,}( +\.{2,})*$/.test(body) && prevComment !== null) {
        columns = columnsFrom(prevComment, line, ctx);
        report.columns = columns.map((c) => c.name);
        report.hasChildren = report.columns.includes('Children');
        sawHeader = true;
      }
      prevComment = line;
      continue;
    }
    prevComment = null;
    if (line.trim() === '') {
      finishEntry();
      continue;
    }
    if (!columns) {
      if (/^(Error|Warning|Failed|failed|  *Warning)/i.test(line.trim()) && report.entries.length === 0) {
        throw ctx.error(`perf report --stdio output; perf said: ${line.trim()}`);
      }
      throw ctx.error('the perf report column header (`# Overhead  Command  Shared Object  Symbol`) first');
    }
    const first = line.search(/\S/);
    // Entry lines start with the first column's percentage; everything else under an entry is call graph.
    if (entry === null || !isGraphLine(line, first)) {
      if (entry !== null && /^\d+(?:\.\d+)?% \S/.test(line)) {
        // `-g folded`: `P% frame;frame;…` under its entry.
        (entry as PerfReportEntry).paths.push(foldedPath(line));
        continue;
      }
      finishEntry();
      entry = parseEntry(line, columns, event, ctx);
      report.entries.push(entry);
      graph = new GraphBuilder();
      continue;
    }
    graph!.push(line, ctx);
  }
  finishEntry();
  // perf report of a recording without samples prints only its header hint (and "no samples" on stderr).
  if (columns === null && !sawHeader && /^# To display the perf\.data header/m.test(text) && !/^[^#\s]/m.test(text)) {
    report.samples = 0;
    return report;
  }
  if (!sawHeader || columns === null) {
    throw ctx.inputError('perf report --stdio output (a `# Samples: … of event` header and the column header)');
  }
  if (report.entries.length === 0 && (report.samples ?? 0) > 0) {
    throw ctx.inputError('report entries after the column header (truncated output, or --percent-limit hid them all)');
  }
  report.callGraphOrder = detectOrder(report);
  for (const e of report.entries) e.callers = callersOf(e, report.callGraphOrder);
  return report;
}

function columnsFrom(header: string, ruler: string, ctx: LineContext): Column[] {
  const cols: Column[] = [];
  const re = /\.{2,}/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(ruler))) cols.push({ name: '', start: m.index, end: m.index + m[0].length });
  if (cols.length === 0) throw ctx.error('a dotted column ruler');
  for (let i = 0; i < cols.length; i++) {
    const from = i === 0 ? 1 : cols[i].start;
    const to = i === cols.length - 1 ? header.length : cols[i + 1].start;
    cols[i].name = header.slice(from, to).trim();
  }
  if (cols.some((c) => c.name === '')) throw ctx.error('a column name above each dotted ruler segment');
  return cols;
}

function isGraphLine(line: string, first: number): boolean {
  const c = line[first];
  if (c === '|' || c === '-') return true;
  // A plain frame line inside a graph is indented further than entry lines' first column.
  return first >= 8 && !PERCENT.test(line.slice(first).split(/\s+/)[0]);
}

function parseEntry(line: string, columns: Column[], event: string | null, ctx: LineContext): PerfReportEntry {
  let values = columns.map((c, i) =>
    (i === columns.length - 1 ? line.slice(c.start) : line.slice(c.start, columns[i + 1].start)).trim(),
  );
  const ok = (vals: string[]) =>
    columns.every((c, i) => !/^(Children|Self|Overhead)$/.test(c.name) || PERCENT.test(vals[i] ?? ''));
  if (!ok(values)) {
    // A value wider than its column shifts the rest: split on the two-space separators instead.
    const parts = line.trim().split(/ {2,}/);
    const last = parts.slice(columns.length - 1).join('  ');
    values = [...parts.slice(0, columns.length - 1), last];
    if (!ok(values)) throw ctx.error(`a perf report entry with columns ${columns.map((c) => c.name).join(', ')}`);
  }
  const e: PerfReportEntry = {
    event,
    children: null,
    self: 0,
    samples: null,
    period: null,
    command: null,
    pid: null,
    dso: null,
    symbol: null,
    kernel: null,
    srcFile: null,
    srcLine: null,
    paths: [],
    callers: [],
  };
  columns.forEach((c, i) => {
    const v = values[i] ?? '';
    switch (c.name) {
      case 'Children':
        e.children = pct(v, c.name, ctx);
        break;
      case 'Self':
      case 'Overhead':
        e.self = pct(v, c.name, ctx);
        break;
      case 'Samples':
        e.samples = ctx.count(v, 'Samples');
        break;
      case 'Period':
        e.period = ctx.count(v, 'Period');
        break;
      case 'Command':
        e.command = v;
        break;
      case 'Pid:Command': {
        const m = /^(\d+):(.*)$/.exec(v);
        if (!m) throw ctx.error(`PID:command in the Pid:Command column, found ${JSON.stringify(v)}`);
        e.pid = Number(m[1]);
        e.command = m[2];
        break;
      }
      case 'Shared Object':
        e.dso = v;
        break;
      case 'Symbol': {
        const m = /^\[(.)\] (.*)$/.exec(v);
        if (!m) throw ctx.error(`a symbol tagged [k] or [.], found ${JSON.stringify(v.slice(0, 80))}`);
        e.kernel = m[1] === 'k' || m[1] === 'g';
        e.symbol = m[2].trimEnd();
        break;
      }
      case 'Source:Line': {
        const m = /^(.*):(\d+)$/.exec(v);
        if (m) {
          e.srcFile = m[1];
          e.srcLine = Number(m[2]);
        }
        break;
      }
      default:
        break;
    }
  });
  return e;
}

function pct(v: string, what: string, ctx: LineContext): number {
  const m = PERCENT.exec(v);
  const n = m ? parseDecimal(m[1]) : null;
  if (n === null || n > 100.5) throw ctx.error(`a percentage for ${what}, found ${JSON.stringify(v)}`);
  return n;
}

function foldedPath(line: string): CallPath {
  const sp = line.indexOf(' ');
  return { percent: parseDecimal(line.slice(0, sp - 1)), frames: line.slice(sp + 1).split(';') };
}

/**
 * Rebuilds the paths of perf's call-graph drawing. Frames of one segment share a column; `--P%--name`
 * starts a child segment at a deeper column; `---name` starts the root segment.
 */
class GraphBuilder {
  private readonly stack: Array<{ col: number; frames: string[]; percent: number | null; children: number }> = [];
  private readonly paths: CallPath[] = [];

  push(line: string, ctx: LineContext): void {
    let m = /^([ |]*)(?:---|([ |])--(\d+(?:\.\d+)?)%--)(.*)$/.exec(line);
    if (m) {
      const col = line.length - m[4].length;
      const percent = m[3] === undefined ? null : Number(m[3]);
      this.popTo(col, true);
      const parent = this.stack[this.stack.length - 1];
      if (parent) parent.children++;
      this.stack.push({ col, frames: [m[4].trim()], percent: percent ?? parent?.percent ?? null, children: 0 });
      return;
    }
    m = /^([ |]*)(\S.*)$/.exec(line);
    if (!m) throw ctx.error('a call-graph line');
    const text = m[2].trimEnd();
    if (/^[|\s]*$/.test(text)) return; // connector lines: `|`, `|          |`
    const col = m[1].length;
    this.popTo(col, false);
    const top = this.stack[this.stack.length - 1];
    if (!top || top.col !== col) {
      // A frame with no segment at its column: start one (perf prints these after `---` with no percent).
      this.stack.push({ col, frames: [text], percent: top?.percent ?? null, children: 0 });
      return;
    }
    top.frames.push(text);
  }

  finish(): CallPath[] {
    this.popTo(-1, true);
    return this.paths;
  }

  /** Closes segments at or beyond `col` (beyond only, when `inclusive` is false); childless ones are paths. */
  private popTo(col: number, inclusive: boolean): void {
    while (this.stack.length > 0) {
      const top = this.stack[this.stack.length - 1];
      if (inclusive ? top.col < col : top.col <= col) break;
      this.stack.pop();
      if (top.children === 0) {
        const frames = [...this.stack.flatMap((s) => s.frames), ...top.frames];
        if (this.paths.length < 256) this.paths.push({ percent: top.percent, frames });
      }
    }
  }
}

function sameSymbol(frame: string, symbol: string): boolean {
  if (frame === symbol) return true;
  // Unresolved addresses print as 0x00007f… in the entry and 0x7f… in the graph.
  if (/^0x[0-9a-f]+$/i.test(frame) && /^0x[0-9a-f]+$/i.test(symbol)) return BigInt(frame) === BigInt(symbol);
  return false;
}

/**
 * Callee order (callers after the symbol) or caller order (callers before it). Without --children, perf's
 * chains end at the entry in caller order and start with it in callee order. With --children both orders
 * start with the entry; a pure leaf (self = children) has more frames only in callee order.
 */
function detectOrder(report: PerfReport): 'callee' | 'caller' | null {
  let callee = 0;
  let caller = 0;
  for (const e of report.entries) {
    if (e.symbol === null) continue;
    for (const p of e.paths) {
      if (p.frames.length < 2) continue;
      const startsWith = sameSymbol(p.frames[0], e.symbol);
      const endsWith = sameSymbol(p.frames[p.frames.length - 1], e.symbol);
      if (!report.hasChildren) {
        if (startsWith && !endsWith) callee++;
        else if (endsWith && !startsWith) caller++;
      } else if (startsWith && e.children !== null && Math.abs(e.children - e.self) < 0.005 && e.self > 0) {
        callee++;
      }
    }
  }
  if (callee === 0 && caller === 0) {
    if (!report.entries.some((e) => e.paths.length > 0)) return null;
    return report.hasChildren ? 'caller' : null;
  }
  return callee >= caller ? 'callee' : 'caller';
}

function callersOf(e: PerfReportEntry, order: 'callee' | 'caller' | null): string[] {
  if (e.symbol === null || order === null || e.paths.length === 0) return [];
  const out: string[] = [];
  const paths = [...e.paths].sort((a, b) => (b.percent ?? 0) - (a.percent ?? 0));
  for (const p of paths) {
    let frames = order === 'callee' ? p.frames : [...p.frames].reverse();
    if (!sameSymbol(frames[0], e.symbol)) continue;
    frames = frames.slice(1);
    for (const f of frames) {
      if (!out.includes(f)) out.push(f);
      if (out.length >= 16) return out;
    }
  }
  return out;
}

/**
 * Hotspots from a report: entries of the first event merged by (symbol, DSO) across commands/threads,
 * heaviest first (self, then children), at most `max`.
 */
export function hotspotsFromReport(report: PerfReport, max = 200): Hotspot[] {
  const byKey = new Map<string, Hotspot & { childrenKnown: boolean }>();
  for (const e of report.entries) {
    if (e.symbol === null || (report.event !== null && e.event !== report.event)) continue;
    const key = `${e.dso ?? ''}\u0000${e.symbol}`;
    let h = byKey.get(key);
    if (!h) {
      h = {
        symbol: e.symbol,
        dso: e.dso ?? '[unknown]',
        kernel: e.kernel ?? false,
        self: 0,
        children: null,
        file: e.srcFile,
        line: e.srcLine,
        callers: [],
        threads: [],
        childrenKnown: e.children !== null,
      };
      byKey.set(key, h);
    }
    h.self += e.self;
    if (e.children !== null) h.children = (h.children ?? 0) + e.children;
    else h.childrenKnown = false;
    if (e.command !== null && !h.threads.includes(e.command)) h.threads.push(e.command);
    for (const c of e.callers) if (!h.callers.includes(c) && h.callers.length < 16) h.callers.push(c);
  }
  return [...byKey.values()]
    .map(({ childrenKnown, ...h }) => ({
      ...h,
      self: Math.round(h.self * 100) / 100,
      children: childrenKnown && h.children !== null ? Math.round(Math.min(100, h.children) * 100) / 100 : null,
    }))
    .sort((a, b) => b.self - a.self || (b.children ?? 0) - (a.children ?? 0) || (a.symbol < b.symbol ? -1 : 1))
    .slice(0, max);
}
