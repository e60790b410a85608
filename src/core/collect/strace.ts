/**
 * `strace -c -f` summaries (users paste them; live sessions never run strace by default: it slows a server
 * to a few percent of its throughput). Columns are found from the dashed ruler, so the default layout, `-w`,
 * custom `-U` column sets and the older layout (no usecs/call on the total line) all read the same way.
 */
import type { SyscallStat } from '../profile';
import { checkPid, checkSeconds, checkToolPath } from './argv';
import { LineContext, linesOf, parseDecimal } from './lines';

/**
 * `timeout -s INT SECONDS strace -c -f -p PID`: strace prints its summary when interrupted. The summary goes
 * to stderr (or use `outputFile` for `-o FILE`).
 */
export function straceArgv(o: {
  pid: number;
  durationSeconds: number;
  toolPath?: string;
  outputFile?: string;
}): string[] {
  const argv = [
    'timeout',
    '-s',
    'INT',
    checkSeconds(o.durationSeconds, 'strace duration'),
    checkToolPath(o.toolPath, 'strace'),
    '-c',
    '-f',
  ];
  if (o.outputFile !== undefined) {
    if (!o.outputFile.startsWith('/')) throw new TypeError('strace output file must be an absolute path');
    argv.push('-o', o.outputFile);
  }
  argv.push('-p', checkPid(o.pid));
  return argv;
}

export interface StraceSummary {
  syscalls: SyscallStat[];
  total: SyscallStat | null;
  /** Column names as strace printed them. */
  columns: string[];
}

const COLUMN: Record<string, 'percent' | 'seconds' | 'usecs' | 'calls' | 'errors' | 'name' | 'min' | 'max'> = {
  '% time': 'percent',
  seconds: 'seconds',
  'usecs/call': 'usecs',
  calls: 'calls',
  errors: 'errors',
  syscall: 'name',
  shortest: 'min',
  longest: 'max',
};

export function parseStraceSummary(text: string): StraceSummary {
  const ctx = new LineContext('strace -c');
  let header: string | null = null;
  let spans: Array<{ start: number; end: number; key: string | undefined }> | null = null;
  let rulers = 0;
  const syscalls: SyscallStat[] = [];
  let total: SyscallStat | null = null;
  let columns: string[] = [];
  for (const line of linesOf(text)) {
    ctx.next(line);
    if (spans === null) {
      if (/^-{3,}( +-{3,})+ *$/.test(line) && header !== null) {
        spans = [];
        const re = /-+/g;
        let m: RegExpExecArray | null;
        while ((m = re.exec(line))) spans.push({ start: m.index, end: m.index + m[0].length, key: undefined });
        spans.forEach((s, i) => {
          const to = i === spans!.length - 1 ? header!.length : spans![i + 1].start;
          const name = header!.slice(i === 0 ? 0 : s.start, to).trim();
          s.key = COLUMN[name];
        });
        columns = spans.map((s, i) =>
          header!.slice(i === 0 ? 0 : s.start, i === spans!.length - 1 ? header!.length : spans![i + 1].start).trim(),
        );
        if (!spans.some((s) => s.key === 'name') || !spans.some((s) => s.key === 'calls')) {
          throw ctx.error(`strace -c columns including syscall and calls, found ${columns.join(' | ')}`);
        }
        rulers = 1;
        continue;
      }
      // Before the table: strace's own messages and the traced program's output.
      header = /(syscall|calls)/.test(line) && /(calls)/.test(line) ? line : null;
      continue;
    }
    if (/^-{3,}( +-{3,})+ *$/.test(line)) {
      rulers++;
      continue;
    }
    if (line.trim() === '') {
      if (total) break;
      continue;
    }
    const row = parseRow(line, spans, ctx);
    if (row.name === 'total' && rulers >= 2) {
      total = row;
      continue;
    }
    syscalls.push(row);
  }
  if (spans === null)
    throw ctx.inputError('an strace -c summary table (`% time  seconds  usecs/call  calls  errors syscall`)');
  if (syscalls.length === 0 && total === null) throw ctx.inputError('syscall rows in the strace -c table');
  return { syscalls, total, columns };
}

function parseRow(
  line: string,
  spans: Array<{ start: number; end: number; key: string | undefined }>,
  ctx: LineContext,
): SyscallStat {
  const row: SyscallStat = {
    name: '',
    calls: 0,
    errors: null,
    seconds: null,
    usecsPerCall: null,
    percent: null,
    perSecond: null,
  };
  let sawCalls = false;
  spans.forEach((s, i) => {
    const from = i === 0 ? 0 : spans[i - 1].end;
    const to = i === spans.length - 1 ? line.length : s.end;
    const v = line.slice(from, to).trim();
    const num = () => {
      if (v === '') return null;
      const n = parseDecimal(v);
      if (n === null) throw ctx.error(`a number in the ${s.key} column, found ${JSON.stringify(v)}`);
      return n;
    };
    switch (s.key) {
      case 'name':
        if (!/^[\w?.()-]+$/.test(v)) throw ctx.error(`a syscall name, found ${JSON.stringify(v)}`);
        row.name = v;
        break;
      case 'calls': {
        const n = num();
        if (n === null) throw ctx.error('a call count');
        row.calls = n;
        sawCalls = true;
        break;
      }
      case 'errors':
        row.errors = num() ?? 0;
        break;
      case 'seconds':
        row.seconds = num();
        break;
      case 'usecs':
        row.usecsPerCall = num();
        break;
      case 'percent':
        row.percent = num();
        break;
      default:
        break;
    }
  });
  if (!sawCalls || row.name === '') throw ctx.error('an strace -c row');
  return row;
}
