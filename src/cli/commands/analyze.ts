/**
 * `perf-lens analyze FILE... [--as TOOL] [--json] [--html FILE]`: saved tool outputs → one Profile,
 * analysed. Each file's tool is detected from its content (or given with --as); two snapshots of the
 * same counters (nstat, /proc/stat, softirqs, …) become deltas. `perf script` output is streamed into the
 * collapser, so a recording of hundreds of MB needs no more memory than its distinct stacks.
 */
import { createReadStream, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { basename } from 'node:path';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { ParseError, UserError } from '../../core/errors';
import type { Profile, SourceRecord } from '../../core/profile';
import { ProfileBuilder } from '../../core/profile-builder';
import { detectTool, isToolKind, TOOL_KINDS, type ToolKind } from '../../core/collect/detect';
import { looksBinary } from '../../core/collect/lines';
import { parsePidstat } from '../../core/collect/pidstat';
import { parseMpstat } from '../../core/collect/mpstat';
import { parseProcSnapshot, parseProcStat, procDelta, type ProcSnapshot, type ProcStat } from '../../core/collect/proc';
import { parseTop } from '../../core/collect/top';
import { parsePerfReport } from '../../core/collect/perf-report';
import { CollapseLimitError, StackCollapser } from '../../core/collect/stackcollapse';
import { parsePerfStat } from '../../core/collect/perf-stat';
import { parseFdListing } from '../../core/collect/eventfd';
import { parseStraceSummary } from '../../core/collect/strace';
import { parsePerfTraceSummary } from '../../core/collect/perf-trace';
import { parseNetstatS, parseNstat, type Counters } from '../../core/collect/nstat';
import { parseSsSummary, parseSsTcpInfo } from '../../core/collect/ss';
import { parseSoftirqs, softirqTotal, type Softirqs } from '../../core/collect/softirqs';
import {
  ipLinkDrops,
  parseEthtoolStats,
  parseIpLinkStats,
  type EthtoolStats,
  type IpLinkStats,
} from '../../core/collect/nic';
import { parsePerfLock } from '../../core/collect/perf-lock';
import { parseWrk } from '../../core/collect/wrk';
import { countersTotal, orderSnapshots } from '../../core/collect/network';
import { renderTextReport } from '../../core/report/text';

export const help = `Usage: perf-lens analyze FILE... [--as TOOL] [--json] [--html FILE] [--pid PID] [--skip-unknown]

Reads saved outputs of profiling tools, detects which tool printed each file, builds one profile and
says what bounds the process (verdict) and what to look at (findings).

Options:
  --as TOOL      the tool that printed the FILEs after it (when detection cannot tell); one of
                 ${TOOL_KINDS.join(', ')}
  --json         print the profile as JSON (perf-lens/profile@1, docs/profile.schema.json)
  --html FILE    also write a self-contained HTML report (needs \`npm run build\`)
  --pid PID      the process to report when an output lists several (pidstat without -p)
  --skip-unknown skip files whose tool cannot be detected (instead of stopping)

Two files of the same counters (nstat, netstat -s, /proc/stat, /proc/softirqs, ip -s -s link,
ethtool -S, proc snapshots) are read as before/after and give deltas. Files may be gzip-compressed.

Example:
  perf-lens analyze pidstat.txt mpstat.txt perf-report.txt perf-stat.txt nstat.before.txt nstat.after.txt`;

/** Whole-text inputs larger than this are refused (perf script is streamed and has no limit). */
const MAX_TEXT_BYTES = 64 * 1024 * 1024;

interface Args {
  files: Array<{ path: string; as: ToolKind | null }>;
  skipUnknown: boolean;
  json: boolean;
  html: string | null;
  pid: number | null;
}

export function parseAnalyzeArgs(argv: string[]): Args {
  const args: Args = { files: [], skipUnknown: false, json: false, html: null, pid: null };
  let as: ToolKind | null = null;
  let onlyFiles = false;
  const value = (i: number, flag: string): string => {
    const v = argv[i];
    if (v === undefined || v === '') throw new UserError(`${flag} needs a value (see perf-lens analyze --help)`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (onlyFiles || !a.startsWith('-') || a === '-') {
      args.files.push({ path: a, as });
      continue;
    }
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    switch (flag) {
      case '--':
        onlyFiles = true;
        break;
      case '--json':
        if (inline !== undefined) throw new UserError('--json takes no value');
        args.json = true;
        break;
      case '--skip-unknown':
        if (inline !== undefined) throw new UserError('--skip-unknown takes no value');
        args.skipUnknown = true;
        break;
      case '--as': {
        const v = inline ?? value(++i, '--as');
        if (!isToolKind(v))
          throw new UserError(`--as: unknown tool ${JSON.stringify(v)} (one of: ${TOOL_KINDS.join(', ')})`);
        as = v;
        break;
      }
      case '--html': {
        const v = inline ?? value(++i, '--html');
        if (v.startsWith('-')) throw new UserError(`--html needs a file name, not ${JSON.stringify(v)}`);
        args.html = v;
        break;
      }
      case '--pid': {
        const v = inline ?? value(++i, '--pid');
        if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 4_194_304)
          throw new UserError(`--pid must be a process ID, not ${JSON.stringify(v)}`);
        args.pid = Number(v);
        break;
      }
      default:
        throw new UserError(`unknown option ${JSON.stringify(a)} (see perf-lens analyze --help)`);
    }
  }
  if (args.files.length === 0) throw new UserError('no input files (see perf-lens analyze --help)');
  return args;
}

/** A file's bytes as a stream, gunzipped when it starts with the gzip magic. */
async function openInput(path: string): Promise<{ stream: Readable; gzip: boolean }> {
  const fh = await open(path, 'r');
  const magic = Buffer.alloc(2);
  try {
    await fh.read(magic, 0, 2, 0);
  } finally {
    await fh.close();
  }
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
  return { stream: gzip ? raw.pipe(createGunzip()) : raw, gzip };
}

async function readHead(path: string, bytes = 65536): Promise<string> {
  const { stream } = await openInput(path);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    parts.push(chunk as Buffer);
    n += (chunk as Buffer).length;
    if (n >= bytes) break;
  }
  stream.destroy();
  return Buffer.concat(parts).subarray(0, bytes).toString('utf8');
}

async function readText(path: string, tool: ToolKind): Promise<string> {
  const { stream } = await openInput(path);
  const parts: Buffer[] = [];
  let n = 0;
  for await (const chunk of stream) {
    n += (chunk as Buffer).length;
    if (n > MAX_TEXT_BYTES) {
      stream.destroy();
      throw new UserError(`${path}: more than ${MAX_TEXT_BYTES >> 20} MB is too much for ${tool} output`);
    }
    parts.push(chunk as Buffer);
  }
  return Buffer.concat(parts).toString('utf8');
}

interface Inputs {
  builder: ProfileBuilder;
  snapshots: {
    procStat: Array<{ v: ProcStat; src: SourceRecord }>;
    proc: Array<{ v: ProcSnapshot; src: SourceRecord }>;
    nstat: Array<{ v: Counters; src: SourceRecord }>;
    netstat: Array<{ v: Counters; src: SourceRecord }>;
    softirqs: Array<{ v: Softirqs; src: SourceRecord }>;
    ipLink: Array<{ v: IpLinkStats[]; src: SourceRecord }>;
    ethtool: Array<{ v: EthtoolStats; src: SourceRecord; iface: string }>;
  };
}

/** Tool names as people write them (the analysis matches sources by these). */
const TOOL_NAMES: Record<ToolKind, string> = {
  pidstat: 'pidstat',
  mpstat: 'mpstat',
  'proc-snapshot': '/proc snapshot',
  'proc-stat': '/proc/stat',
  top: 'top',
  'perf-report': 'perf report',
  'perf-script': 'perf script',
  'perf-stat': 'perf stat',
  'perf-stat-eventfd': 'perf stat (eventfd writes)',
  fds: '/proc/PID/fd',
  strace: 'strace -c',
  'perf-trace': 'perf trace -s',
  nstat: 'nstat',
  netstat: 'netstat -s',
  'ss-summary': 'ss -s',
  'ss-tcp': 'ss -tin',
  softirqs: '/proc/softirqs',
  ethtool: 'ethtool -S',
  'ip-link': 'ip -s -s link',
  'perf-lock': 'perf lock',
  wrk: 'wrk',
};

async function addFile(inputs: Inputs, path: string, tool: ToolKind): Promise<void> {
  const { builder, snapshots } = inputs;
  const src: SourceRecord = { tool: TOOL_NAMES[tool], command: path, version: null };
  if (tool === 'perf-script') {
    const { stream } = await openInput(path);
    const c = new StackCollapser({ kernel: true });
    try {
      for await (const chunk of stream) c.push((chunk as Buffer).toString('latin1'));
    } catch (e) {
      stream.destroy();
      if (e instanceof CollapseLimitError) throw new UserError(`${path}: ${e.message}`);
      throw e;
    }
    c.end();
    if (c.stats.samples === 0) {
      throw new ParseError(
        'perf script',
        null,
        null,
        'samples with call chains (record with perf record -g; this file has none)',
      );
    }
    builder.addFolded(c, src);
    return;
  }
  const text = await readText(path, tool);
  if (looksBinary(text)) throw new ParseError(tool, null, null, `${tool} text output (this file looks binary)`);
  switch (tool) {
    case 'pidstat': {
      const r = parsePidstat(text);
      builder.addPidstat([...r.intervals, ...(r.average ? [r.average] : [])], r.host, src);
      break;
    }
    case 'mpstat': {
      const r = parseMpstat(text);
      builder.addMpstat([...r.intervals, ...(r.average ? [r.average] : [])], r.host, src);
      break;
    }
    case 'proc-snapshot':
      snapshots.proc.push({ v: parseProcSnapshot(text), src });
      break;
    case 'proc-stat':
      snapshots.procStat.push({ v: parseProcStat(text), src });
      break;
    case 'top':
      builder.addTop(parseTop(text), src);
      break;
    case 'perf-report': {
      const r = parsePerfReport(text);
      if (r.samples === 0) {
        builder.note({
          id: 'perf-no-samples',
          severity: 'warning',
          message: `${basename(path)}: perf recorded no samples`,
          fix: null,
        });
      }
      builder.addPerfReport(r, src);
      break;
    }
    case 'perf-stat':
    case 'perf-stat-eventfd':
      builder.addPerfStat(parsePerfStat(text), src, { eventfdFilter: tool === 'perf-stat-eventfd' });
      break;
    case 'fds':
      builder.addFdListing(parseFdListing(text), src);
      break;
    case 'strace':
      builder.addStrace(parseStraceSummary(text), src);
      builder.note({
        id: 'strace-was-attached',
        severity: 'info',
        message:
          'strace slows a traced process severely; rates measured while it was attached are not normal throughput',
        fix: null,
      });
      break;
    case 'perf-trace':
      builder.addPerfTrace(parsePerfTraceSummary(text), src);
      break;
    case 'nstat':
      snapshots.nstat.push({ v: parseNstat(text), src });
      break;
    case 'netstat':
      snapshots.netstat.push({ v: parseNetstatS(text), src });
      break;
    case 'ss-summary':
      builder.addSsSummary(parseSsSummary(text), src);
      break;
    case 'ss-tcp':
      builder.addSsTcpInfo(parseSsTcpInfo(text), src);
      break;
    case 'softirqs':
      snapshots.softirqs.push({ v: parseSoftirqs(text), src });
      break;
    case 'ethtool':
      snapshots.ethtool.push({
        v: parseEthtoolStats(text),
        src,
        iface: basename(path).replace(/\.(txt|gz|out|log)$/g, ''),
      });
      break;
    case 'ip-link':
      snapshots.ipLink.push({ v: parseIpLinkStats(text), src });
      break;
    case 'perf-lock':
      builder.addPerfLock(parsePerfLock(text), src);
      break;
    case 'wrk':
      builder.setThroughput(parseWrk(text).requestsPerSecond, `wrk (${basename(path)})`);
      builder.source(src);
      break;
  }
}

/** Pairs of snapshots → deltas (older first by their monotonic totals); a single one → absolute values. */
function addSnapshots(inputs: Inputs): void {
  const { builder, snapshots: s } = inputs;
  const pair = <T>(list: Array<{ v: T; src: SourceRecord }>, total: (x: T) => number) => {
    if (list.length < 2) return null;
    const sorted = [...list].sort((a, b) => total(a.v) - total(b.v));
    return orderSnapshots(sorted[0], sorted[sorted.length - 1], (x) => total(x.v));
  };
  const ticks = (p: ProcStat) =>
    p.total.user +
    p.total.nice +
    p.total.system +
    p.total.idle +
    p.total.iowait +
    p.total.irq +
    p.total.softirq +
    p.total.steal;
  const procPair = pair(s.proc, (x) => ticks(x.stat));
  if (procPair) builder.addProcDelta(procDelta(procPair[0].v, procPair[1].v), procPair[1].src);
  else if (s.proc.length === 1) {
    builder.note({
      id: 'one-proc-snapshot',
      severity: 'warning',
      message: 'one /proc snapshot: two are needed for CPU percentages',
      fix: null,
    });
  }
  const statPair = pair(s.procStat, ticks);
  if (statPair) builder.addProcStatDelta(statPair[0].v, statPair[1].v, statPair[1].src);
  else if (s.procStat.length === 1) {
    builder.note({
      id: 'one-proc-stat',
      severity: 'warning',
      message: 'one /proc/stat snapshot: two are needed for a CPU breakdown',
      fix: null,
    });
  }
  const counters = s.nstat.length > 0 ? s.nstat : s.netstat;
  const cPair = pair(counters, countersTotal);
  if (cPair) builder.addNetCounters(cPair[1].v, cPair[0].v, cPair[1].src);
  else if (counters.length === 1) builder.addNetCounters(counters[0].v, null, counters[0].src);
  const sPair = pair(s.softirqs, softirqTotal);
  if (sPair) builder.addSoftirqs(sPair[0].v, sPair[1].v, sPair[1].src);
  const lPair = pair(s.ipLink, (v) => v.reduce((t, l) => t + l.rxPackets + l.txPackets + ipLinkDrops(l), 0));
  if (lPair) builder.addIpLink(lPair[1].v, lPair[1].src, lPair[0].v);
  else if (s.ipLink.length === 1) builder.addIpLink(s.ipLink[0].v, s.ipLink[0].src);
  const byIface = new Map<string, typeof s.ethtool>();
  for (const e of s.ethtool) {
    // `eth0.before.txt` / `eth0.after.txt` are one interface.
    const key = e.iface.replace(/[.-]?(before|after|a|b|\d)$/i, '') || e.iface;
    byIface.set(key, [...(byIface.get(key) ?? []), e]);
  }
  for (const [iface, list] of byIface) {
    const sorted = [...list].sort((a, b) => a.v.drops - b.v.drops);
    const last = sorted[sorted.length - 1];
    builder.addEthtool(iface, last.v, last.src, sorted.length > 1 ? sorted[0].v : undefined);
  }
}

export async function buildFromFiles(args: Args): Promise<Profile> {
  const builder = new ProfileBuilder({ origin: 'analyze', transport: 'file', host: 'saved outputs', pid: args.pid });
  const inputs: Inputs = {
    builder,
    snapshots: { procStat: [], proc: [], nstat: [], netstat: [], softirqs: [], ipLink: [], ethtool: [] },
  };
  for (const f of args.files) {
    let size: number;
    try {
      const st = statSync(f.path);
      if (st.isDirectory()) throw new UserError(`${f.path} is a directory (give the files in it)`);
      size = st.size;
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`cannot read ${JSON.stringify(f.path)}: no such file`);
    }
    if (size === 0) throw new UserError(`${f.path} is empty`);
    const tool = f.as ?? detectTool(await readHead(f.path), f.path);
    if (tool === null && args.skipUnknown) {
      process.stderr.write(`perf-lens: skipping ${f.path} (not the output of a tool perf-lens reads)\n`);
      continue;
    }
    if (tool === null) {
      throw new UserError(
        `cannot tell which tool printed ${f.path}; name it with --as TOOL (one of: ${TOOL_KINDS.join(', ')})`,
      );
    }
    try {
      await addFile(inputs, f.path, tool);
    } catch (e) {
      if (e instanceof ParseError) throw new UserError(`${f.path}: ${e.message}`);
      throw e;
    }
  }
  try {
    addSnapshots(inputs);
  } catch (e) {
    if (e instanceof ParseError) throw new UserError(e.message);
    throw e;
  }
  const profile = builder.build();
  const { analyze } = await import('../../core/analyze');
  const result = analyze(profile);
  profile.verdict = result.verdict;
  profile.findings = result.findings;
  return profile;
}

export async function run(argv: string[]): Promise<number> {
  const args = parseAnalyzeArgs(argv);
  const profile = await buildFromFiles(args);
  if (args.html) {
    const [{ writeHtmlReport }, { FIXES }] = await Promise.all([
      import('../../core/report/html'),
      import('../../core/fixes'),
    ]);
    const fixes = FIXES.map((f) => ({ id: f.id, title: f.title, snippet: f.snippet }));
    await writeHtmlReport(args.html, { profile }, { fixes });
  }
  await write(args.json ? JSON.stringify(profile, null, 2) + '\n' : renderTextReport(profile));
  if (args.html) process.stderr.write(`perf-lens: wrote ${args.html}\n`);
  return 0;
}

/** Writes to stdout; a reader that went away (`| head`) ends the output quietly. */
function write(text: string): Promise<void> {
  return new Promise((resolve) => {
    process.stdout.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') resolve();
    });
    process.stdout.write(text, () => resolve());
  });
}
