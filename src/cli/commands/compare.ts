/**
 * `perf-lens compare BEFORE.json AFTER.json [--json] [--html FILE]`: what changed between two saved
 * profiles — the before/after view of a fix, or "my server vs a peer's".
 */
import { readFile, stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { compare } from '../../core/analyze/compare';
import type { Comparison, MetricDelta } from '../../core/analyze/compare-types';
import { UserError } from '../../core/errors';
import { FIXES } from '../../core/fixes';
import { PROFILE_SCHEMA, type Profile } from '../../core/profile';

export const help = `Usage: perf-lens compare BEFORE.json AFTER.json [--json] [--html FILE]

Compares two profiles saved by \`perf-lens profile --json\` or \`perf-lens analyze --json\`: throughput when
known, CPU per request, user/system time, host iowait, syscalls/s, io_uring_enter/s, eventfd writes/s,
context switches/s, the hot symbols gained and lost, and the verdict on each side, with a one-line
summary such as "Eventfd writes/s fell 97%, system time −9 points".

Options:
  --json       print the comparison as JSON
  --html FILE  also write a self-contained HTML report with both profiles side by side
`;

const usageHint = 'see perf-lens compare --help';
/** A profile is a few hundred KB; refuse files that cannot be one before reading them into memory. */
const MAX_PROFILE_BYTES = 256 * 1024 * 1024;

function parse(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, html: { type: 'string' } },
      allowPositionals: true,
      strict: true,
    });
    if (positionals.length !== 2) {
      throw new UserError(`expected two profile files (before and after), got ${positionals.length}`, usageHint);
    }
    if (values.html === '') throw new UserError('--html needs a file name', usageHint);
    return { before: positionals[0], after: positionals[1], json: values.json === true, html: values.html };
  } catch (e) {
    if (e instanceof UserError) throw e;
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/\. To specify .*$/, '');
    throw new UserError(message, usageHint);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The fields compare() reads, with the type each must have; anything else may be missing or extra. */
function shapeProblem(v: Record<string, unknown>): string | null {
  if (!isObject(v.target)) return '"target" is not an object';
  if (!isObject(v.cpu)) return '"cpu" is not an object';
  const cpu = v.cpu;
  if (cpu.process !== null && cpu.process !== undefined && !isObject(cpu.process))
    return '"cpu.process" is not an object';
  if (cpu.system !== null && cpu.system !== undefined && !isObject(cpu.system)) return '"cpu.system" is not an object';
  for (const key of ['threads', 'syscalls', 'hotspots', 'folded', 'sources', 'findings']) {
    if (!Array.isArray(v[key])) return `"${key}" is not an array`;
  }
  for (const key of ['ioUring', 'eventfd', 'contextSwitches', 'throughput', 'lockContention', 'network']) {
    if (v[key] !== null && v[key] !== undefined && !isObject(v[key])) return `"${key}" is not an object or null`;
  }
  if (!isObject(v.verdict) || typeof v.verdict.kind !== 'string') return '"verdict.kind" is missing';
  if (
    (v.hotspots as unknown[]).some((h) => !isObject(h) || typeof h.symbol !== 'string' || typeof h.self !== 'number')
  ) {
    return 'a hotspot lacks "symbol" or "self"';
  }
  if ((v.folded as unknown[]).some((s) => !isObject(s) || typeof s.stack !== 'string' || typeof s.count !== 'number')) {
    return 'a folded stack lacks "stack" or "count"';
  }
  if ((v.threads as unknown[]).some((t) => !isObject(t))) return 'a thread entry is not an object';
  return null;
}

export async function readProfile(file: string): Promise<Profile> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new UserError(`${file} is not a file`, 'give the path of a profile saved with --json');
    if (info.size > MAX_PROFILE_BYTES) {
      throw new UserError(`${file} is ${Math.round(info.size / 1048576)} MB, too large for a profile`, usageHint);
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : String((e as Error).message);
    throw new UserError(`cannot read ${file}: ${why}`, null);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserError(
      `${file} is not JSON (${(e as Error).message.split('\n')[0]})`,
      'save profiles with `perf-lens profile --json` or `perf-lens analyze --json`',
    );
  }
  if (!isObject(value) || value.schema !== PROFILE_SCHEMA) {
    const found =
      isObject(value) && typeof value.schema === 'string'
        ? `schema ${JSON.stringify(value.schema.slice(0, 60))}`
        : 'no "schema" field';
    throw new UserError(`${file} is not a Perf Lens profile (${found}; expected "${PROFILE_SCHEMA}")`, null);
  }
  const problem = shapeProblem(value);
  if (problem) throw new UserError(`${file} is not a valid Perf Lens profile: ${problem}`, null);
  return value as unknown as Profile;
}

function show(m: MetricDelta, side: 'before' | 'after'): string {
  const v = m[side];
  if (v === null) return '—';
  if (m.unit.startsWith('%')) return `${v.toFixed(1)}%`;
  if (m.unit === 'µs') return `${v.toFixed(1)} µs`;
  return Math.round(v).toLocaleString('en-US');
}

function change(m: MetricDelta): string {
  if (m.delta === null) return '';
  if (m.unit.startsWith('%')) return `${m.delta >= 0 ? '+' : '−'}${Math.abs(m.delta).toFixed(1)} pts`;
  if (m.percent === null) return m.delta === 0 ? '±0' : 'new';
  return `${m.percent >= 0 ? '+' : '−'}${Math.abs(m.percent).toFixed(1)}%`;
}

/** One line of plain text for a string from a profile (symbol names may hold anything). */
const safe = (s: string) =>
  [...s]
    .map((ch) => {
      const code = ch.codePointAt(0) ?? 0;
      return code < 0x20 || (code >= 0x7f && code < 0xa0) ? '?' : ch;
    })
    .join('')
    .slice(0, 160);

function label(p: Profile, file: string): string {
  const who = p.target.command ? safe(p.target.command) : 'process';
  return `${file} (${who}${p.target.pid !== null ? ` PID ${p.target.pid}` : ''}, ${safe(p.createdAt)})`;
}

export function formatComparison(c: Comparison, before: Profile, after: Profile, files: [string, string]): string {
  const lines = [`before: ${label(before, files[0])}`, `after:  ${label(after, files[1])}`, '', c.summary, ''];
  const rows = c.metrics
    .filter((m) => m.before !== null || m.after !== null)
    .map((m) => [
      m.label,
      show(m, 'before'),
      show(m, 'after'),
      change(m),
      m.better === null ? '' : m.better ? 'better' : 'worse',
    ]);
  const header = ['', 'before', 'after', 'change', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (r: string[]) =>
    r
      .map((cell, i) => (i === 0 || i === 4 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(fmt(header), ...rows.map(fmt), '', `verdict: ${c.verdictBefore} → ${c.verdictAfter}`);
  const sym = (s: { symbol: string; before: number | null; after: number | null }) =>
    `  ${safe(s.symbol)}  ${(s.before ?? 0).toFixed(1)}% → ${(s.after ?? 0).toFixed(1)}% self`;
  if (c.gained.length) lines.push('hot symbols gained:', ...c.gained.map(sym));
  if (c.lost.length) lines.push('hot symbols lost:', ...c.lost.map(sym));
  return lines.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const args = parse(argv);
  const [before, after] = await Promise.all([readProfile(args.before), readProfile(args.after)]);
  const comparison = compare(before, after);
  if (args.html) {
    const { writeHtmlReport } = await import('../../core/report/html');
    const fixes = FIXES.map((f) => ({ id: f.id, title: f.title, snippet: f.snippet }));
    await writeHtmlReport(args.html, { before, after, comparison }, { fixes });
  }
  if (args.json) process.stdout.write(JSON.stringify(comparison, null, 2) + '\n');
  else process.stdout.write(formatComparison(comparison, before, after, [args.before, args.after]) + '\n');
  if (args.html) process.stderr.write(`perf-lens: wrote ${args.html}\n`);
  return 0;
}
