/**
 * `perf-lens collapse`: a drop-in for FlameGraph's stackcollapse-perf.pl. Reads `perf script` text from
 * files or stdin as bytes (latin1 in, latin1 out, so every byte survives) and prints folded stacks sorted
 * exactly like the Perl script.
 */
import { createReadStream, statSync } from 'node:fs';
import { UserError } from '../../core/errors';
import { CollapseLimitError, StackCollapser, type CollapseOptions } from '../../core/collect/stackcollapse';

export const help = `Usage: perf-lens collapse [FILE...|-] [options]

Folds \`perf script\` output into stacks, one "frame;frame;leaf count" line per distinct stack, like
FlameGraph's stackcollapse-perf.pl (same output, byte for byte). Reads stdin without FILE or with -.

Options:
  --pid                 root frame is comm-PID
  --tid                 root frame is comm-PID/TID
  --kernel              annotate kernel frames with _[k]
  --jit                 annotate JIT frames (/tmp/perf-PID.map) with _[j]
  --all                 --kernel and --jit
  --addrs               keep raw addresses of unresolved frames: [module <addr>]
  --event-filter EVENT  fold only this event (default: the first event type seen)
  --legacy-java         tidy Java names only when the process is exactly "java" (upstream before 2023)

Not supported (they run addr2line on the recording machine's binaries): --inline, --context, --srcline.

Example:
  perf script -i perf.data | perf-lens collapse --all > out.folded`;

const FLAGS: Record<string, keyof CollapseOptions> = {
  pid: 'pid',
  tid: 'tid',
  kernel: 'kernel',
  jit: 'jit',
  all: 'all',
  addrs: 'addrs',
  'legacy-java': 'legacyJavaTidy',
};
const UNSUPPORTED = new Set(['inline', 'context', 'srcline']);

export interface CollapseArgs {
  files: string[];
  options: CollapseOptions;
}

/** Flags as Getopt::Long takes them: `--flag` or `-flag`, `--event-filter=X` or `--event-filter X`. */
export function parseCollapseArgs(argv: string[]): CollapseArgs {
  const files: string[] = [];
  const options: CollapseOptions = {};
  let onlyFiles = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyFiles || arg === '-' || !arg.startsWith('-')) {
      files.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyFiles = true;
      continue;
    }
    const m = /^--?([a-z-]+)(?:=(.*))?$/s.exec(arg);
    const name = m?.[1] ?? '';
    if (name === 'event-filter') {
      const value = m?.[2] ?? argv[++i];
      if (value === undefined || value === '')
        throw new UserError('--event-filter needs an event name (see perf-lens collapse --help)');
      options.eventFilter = value;
      continue;
    }
    if (UNSUPPORTED.has(name)) {
      throw new UserError(
        `--${name} is not supported (it runs addr2line on the recording machine's binaries; fold without it there)`,
      );
    }
    if (m && m[2] === undefined && Object.hasOwn(FLAGS, name)) {
      (options as Record<string, boolean>)[FLAGS[name]] = true;
      continue;
    }
    throw new UserError(`unknown option ${JSON.stringify(arg)} (see perf-lens collapse --help)`);
  }
  return { files: files.length === 0 ? ['-'] : files, options };
}

export async function run(argv: string[]): Promise<number> {
  const { files, options } = parseCollapseArgs(argv);
  for (const f of files) {
    if (f === '-') continue;
    let isDir = false;
    try {
      isDir = statSync(f).isDirectory();
    } catch {
      throw new UserError(`cannot read ${JSON.stringify(f)}: no such file`);
    }
    if (isDir) throw new UserError(`cannot read ${JSON.stringify(f)}: it is a directory`);
  }
  const collapser = new StackCollapser(options);
  try {
    for (const f of files) {
      const input = f === '-' ? process.stdin : createReadStream(f, { highWaterMark: 1 << 20 });
      for await (const chunk of input) {
        collapser.push(typeof chunk === 'string' ? chunk : (chunk as Buffer).toString('latin1'));
      }
    }
    collapser.end();
  } catch (e) {
    if (e instanceof CollapseLimitError) {
      throw new UserError(e.message, 'is this really `perf script` output? Fold a shorter recording');
    }
    if (e instanceof Error && 'code' in e && (e.code === 'EACCES' || e.code === 'EISDIR')) {
      throw new UserError(`cannot read input: ${e.message}`);
    }
    throw e;
  }
  const { stats } = collapser;
  if (stats.droppedEvent !== null) process.stderr.write(`Filtering for events of type: ${stats.droppedEvent}\n`);
  if (stats.unrecognizedLines > 0) {
    process.stderr.write(
      `perf-lens collapse: ${stats.unrecognizedLines} unrecognized line(s), e.g. ${JSON.stringify(stats.unrecognizedExamples[0])}\n`,
    );
  }
  if (stats.truncatedLines > 0)
    process.stderr.write(`perf-lens collapse: ${stats.truncatedLines} over-long line(s) cut\n`);
  await writeFolded(collapser.sorted());
  return 0;
}

/** Writes in ~1 MB latin1 chunks, waiting for the pipe; a closed pipe (`| head`) ends quietly. */
async function writeFolded(entries: Array<[string, number]>): Promise<void> {
  const out = process.stdout;
  let closed = false;
  out.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') closed = true;
  });
  let buf = '';
  const flush = async () => {
    if (closed || buf === '') return;
    const ok = out.write(Buffer.from(buf, 'latin1'));
    buf = '';
    if (!ok) {
      await new Promise<void>((resolve) => {
        out.once('drain', resolve);
        out.once('error', resolve);
        out.once('close', resolve);
      });
    }
  };
  for (const [stack, count] of entries) {
    buf += `${stack} ${count}\n`;
    if (buf.length > 1 << 20) await flush();
    if (closed) return;
  }
  await flush();
}
