/**
 * Bad data through EVERY parser that reads tool output: random text, and real captured outputs
 * (test/fixtures/**) mutated — truncated, bytes flipped, lines duplicated/dropped/swapped, binary garbage
 * spliced in, CRLF, numbers made huge or negative. A parser may return something or throw its structured
 * error (ParseError, UserError, CollapseLimitError); any other exception is a crash, and every case must end
 * within a bounded time (no catastrophic regex backtracking, no loops on odd input).
 * Reproduce a failure with FC_SEED=<seed printed by fast-check>.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import { ParseError, UserError } from '../../src/core/errors';
import { detectTool } from '../../src/core/collect/detect';
import { parseFdListing } from '../../src/core/collect/eventfd';
import { MpstatParser, parseMpstat } from '../../src/core/collect/mpstat';
import { parseEthtoolStats, parseIpLinkStats } from '../../src/core/collect/nic';
import { parseNetstatS, parseNstat } from '../../src/core/collect/nstat';
import { parsePerfLock } from '../../src/core/collect/perf-lock';
import { hotspotsFromReport, parsePerfReport } from '../../src/core/collect/perf-report';
import { parsePerfStat, PerfStatParser } from '../../src/core/collect/perf-stat';
import { parsePerfTraceSummary } from '../../src/core/collect/perf-trace';
import { parsePidstat, PidstatParser } from '../../src/core/collect/pidstat';
import { parseProcSnapshot, parseProcStat, parseTaskStatLine } from '../../src/core/collect/proc';
import { parseSoftirqs } from '../../src/core/collect/softirqs';
import { parseSsSummary, parseSsTcpInfo } from '../../src/core/collect/ss';
import { CollapseLimitError, collapseText, StackCollapser } from '../../src/core/collect/stackcollapse';
import { parseStraceSummary } from '../../src/core/collect/strace';
import { parseSysstatBanner } from '../../src/core/collect/sysstat';
import { parseTop } from '../../src/core/collect/top';
import { parseWrk } from '../../src/core/collect/wrk';
import { parseReading } from '../../src/core/live/reading';
import { parseProbeOutput } from '../../src/core/probe/facts';
import { FoldDecoder } from '../../src/core/session/fold-decode';
import { parseNetSnapshot } from '../../src/core/session/net';
import { parsePrepareOutput } from '../../src/core/session/prepare';
import { FOLD_AWK } from '../../src/core/session/scripts';
import { splitSections } from '../../src/core/session/sections';
import { parseProcessListing } from '../../src/core/target/proc-list';
import { parseWrapperLine } from '../../src/core/host/remote-wrapper';

const FIXTURES = join(__dirname, '..', 'fixtures');
const RUNS = Number(process.env.PERF_LENS_FUZZ_RUNS ?? 150);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
/** Per parse of an input of at most a few hundred KB. Generous for a loaded 2-core machine; a backtracking regex or a loop blows far past it. */
const MAX_MS_PER_CASE = 1500;

/** Captured outputs of a tool (not the expected results or the .cmd files beside them). */
function captured(dir: string, filter: (name: string) => boolean = () => true): string[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => f.endsWith('.txt') && !f.includes('.collapsed-') && filter(f))
    .map((f) => readFileSync(join(FIXTURES, dir, f), 'latin1'));
}

/** One file of every real-capture scenario (test/fixtures/scenarios/NAME/FILE). */
function inScenarios(file: string): string[] {
  const root = join(FIXTURES, 'scenarios');
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, file)))
    .map((d) => readFileSync(join(root, d, file), 'latin1'));
}

function linesFeed<T>(parser: { push(line: string): unknown; end(): T }, text: string): T {
  for (const line of text.split('\n')) parser.push(line);
  return parser.end();
}

/** The sampler's output split into readings, as LiveSampler does. */
function readings(text: string): unknown[] {
  const out: unknown[] = [];
  let lines: string[] | null = null;
  for (const line of text.split('\n')) {
    if (line === '@s') lines = [];
    else if (line === '@e' && lines) {
      out.push(parseReading(lines, 19011, out.length * 1000));
      lines = null;
    } else if (lines) lines.push(line);
  }
  return out;
}

/** What FOLD_AWK makes of a real `perf script` capture, made by the real awk at test time. */
function foldOutput(perfScript: string): string {
  return execFileSync('awk', [FOLD_AWK], { input: perfScript, encoding: 'latin1', maxBuffer: 64 << 20 });
}

interface ParserCase {
  name: string;
  inputs: string[];
  parse(text: string): unknown;
}

const perfScripts = captured('perf-script').concat(captured('session', (f) => f.startsWith('perf-script')));

const CASES: ParserCase[] = [
  { name: 'mpstat', inputs: captured('mpstat'), parse: (t) => [parseMpstat(t), linesFeed(new MpstatParser(), t)] },
  { name: 'nstat', inputs: captured('nstat'), parse: parseNstat },
  { name: 'netstat -s', inputs: captured('netstat'), parse: parseNetstatS },
  { name: 'ethtool -S', inputs: captured('ethtool'), parse: parseEthtoolStats },
  { name: 'ip -s -s link', inputs: captured('iplink'), parse: parseIpLinkStats },
  { name: 'perf lock', inputs: captured('perf-lock'), parse: parsePerfLock },
  {
    name: 'perf report',
    inputs: captured('perf-report'),
    parse: (t) => hotspotsFromReport(parsePerfReport(t)),
  },
  {
    name: 'perf stat',
    inputs: captured('perf-stat'),
    parse: (t) => [parsePerfStat(t), linesFeed(new PerfStatParser(), t)],
  },
  { name: 'perf trace -s', inputs: captured('perf-trace'), parse: parsePerfTraceSummary },
  {
    name: 'pidstat',
    inputs: captured('pidstat'),
    parse: (t) => [parsePidstat(t), linesFeed(new PidstatParser(), t), parseSysstatBanner(t.split('\n')[0])],
  },
  { name: '/proc snapshots', inputs: captured('proc', (f) => f.startsWith('snapshot')), parse: parseProcSnapshot },
  {
    name: '/proc/stat and task stat lines',
    inputs: captured('proc', (f) => f === 'stat.txt'),
    parse: (t) => [
      parseProcStat(t),
      t.split('\n').map((l) => {
        try {
          return parseTaskStatLine(l);
        } catch (e) {
          if (e instanceof ParseError) return null;
          throw e;
        }
      }),
    ],
  },
  { name: '/proc/softirqs', inputs: captured('softirqs'), parse: parseSoftirqs },
  { name: 'ss -s', inputs: captured('ss'), parse: parseSsSummary },
  { name: 'ss -tin', inputs: captured('ss'), parse: (t) => parseSsTcpInfo(t) },
  { name: 'strace -c', inputs: captured('strace'), parse: parseStraceSummary },
  { name: 'top -b -H', inputs: captured('top'), parse: parseTop },
  { name: 'wrk', inputs: inScenarios('wrk.txt'), parse: parseWrk },
  {
    name: 'perf script → stackcollapse',
    inputs: perfScripts,
    parse: (t) => {
      const c = collapseText(t, { pid: true, tid: true, kernel: true, addrs: true });
      // line() is the per-line path the streaming readers use.
      const s = new StackCollapser({ maxStacks: 5000 });
      for (const line of t.split('\n')) s.line(line);
      s.end();
      return [c.text(), s.sorted()];
    },
  },
  {
    name: 'fold decoder (FOLD_AWK output)',
    inputs: perfScripts.slice(0, 3).map(foldOutput),
    parse: (t) => {
      const d = new FoldDecoder(10_000);
      for (const line of t.split('\n')) d.push(line);
      return [d.result(), [...d.scriptText()].length];
    },
  },
  { name: 'eventfd fd listing', inputs: captured('eventfd'), parse: parseFdListing },
  { name: 'process listing', inputs: captured('proc-list'), parse: parseProcessListing },
  { name: 'probe', inputs: captured('probe'), parse: parseProbeOutput },
  { name: 'live sampler readings', inputs: captured('live-sampler'), parse: readings },
  {
    name: 'session prepare / net snapshot',
    inputs: captured('session', (f) => f.startsWith('prepare')),
    parse: (t) => [parsePrepareOutput(t), parseNetSnapshot(splitSections(t).lines)],
  },
  {
    name: 'tool detection and ssh wrapper lines',
    inputs: [...captured('perf-stat'), ...captured('pidstat'), ...captured('strace')],
    parse: (t) => [detectTool(t.slice(0, 4096), 'x.txt'), t.split('\n').map(parseWrapperLine)],
  },
];

function isStructured(e: unknown): boolean {
  return e instanceof ParseError || e instanceof UserError || e instanceof CollapseLimitError;
}

// ── mutations of real outputs ──────────────────────────────────────────────────────────────────────────

type Mutation = (text: string, r: number, s: string) => string;
const lineOp = (f: (lines: string[], i: number) => void): Mutation => {
  return (text, r) => {
    const lines = text.split('\n');
    f(lines, Math.floor(r * lines.length));
    return lines.join('\n');
  };
};
const MUTATIONS: Record<string, Mutation> = {
  truncate: (t, r) => t.slice(0, Math.floor(r * t.length)),
  flipByte: (t, r, s) => {
    const i = Math.floor(r * t.length);
    return t.slice(0, i) + (s[0] ?? '\u0000') + t.slice(i + 1);
  },
  insert: (t, r, s) => {
    const i = Math.floor(r * t.length);
    return t.slice(0, i) + s + t.slice(i);
  },
  duplicateLine: lineOp((l, i) => l.splice(i, 0, l[i] ?? '')),
  duplicateLines: lineOp((l, i) => l.splice(i, 0, ...l.slice(i, i + 50))),
  dropLine: lineOp((l, i) => l.splice(i, 1)),
  swapLines: lineOp((l, i) => {
    const j = (i * 7 + 3) % Math.max(1, l.length);
    [l[i], l[j]] = [l[j], l[i]];
  }),
  blankLine: lineOp((l, i) => (l[i] = '')),
  hugeNumbers: (t, r) =>
    t.replace(/\d+/g, (d, off: number) => ((off * 31 + Math.floor(r * 97)) % 5 === 0 ? '9'.repeat(400) : d)),
  negative: (t, r) =>
    t.replace(/(\s)(\d)/g, (m, sp: string, d: string, off: number) =>
      (off + Math.floor(r * 13)) % 3 === 0 ? `${sp}-${d}` : m,
    ),
  nan: (t, r) => t.replace(/\d+(\.\d+)?/g, (m, _f, off: number) => ((off + Math.floor(r * 11)) % 4 === 0 ? 'NaN' : m)),
  crlf: (t) => t.replace(/\n/g, '\r\n'),
  longLine: (t, r, s) => {
    const i = Math.floor(r * t.length);
    return t.slice(0, i) + (s || 'x').repeat(Math.ceil(200_000 / Math.max(1, s.length))) + t.slice(i);
  },
  binary: (t, r) => {
    const i = Math.floor(r * t.length);
    const junk = Buffer.from(Array.from({ length: 2048 }, (_, k) => (k * 131 + i) % 256)).toString('latin1');
    return t.slice(0, i) + junk + t.slice(i);
  },
  repeatWhole: (t) => t + '\n' + t,
};

const mutation = fc.record({
  op: fc.constantFrom(...Object.keys(MUTATIONS)),
  r: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
  s: fc.string({ unit: 'binary', maxLength: 8 }),
});

function mutated(inputs: string[]): fc.Arbitrary<string> {
  return fc
    .record({ base: fc.constantFrom(...inputs), ops: fc.array(mutation, { minLength: 1, maxLength: 4 }) })
    .map(({ base, ops }) => ops.reduce((t, o) => MUTATIONS[o.op](t, o.r, o.s), base));
}

const randomText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 400 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 400 }),
  fc
    .array(
      fc.oneof(
        fc.string({ unit: 'grapheme-ascii', maxLength: 30 }),
        fc.constantFrom(
          '@s',
          '@e',
          '#',
          '@f 1 ',
          '@h 1 ',
          '@s 1 1 1',
          '%',
          ' ',
          '\t',
          '  ',
          'Average:',
          '-',
          ':',
          '[.]',
          '[k]',
        ),
      ),
      { maxLength: 60 },
    )
    .map((a) => a.join('\n')),
);

/** The property for one parser (runs inside a worker thread, so that a hang can be stopped and reported). */
function checkParser(c: ParserCase, runs: number, seed: number | undefined): number {
  assert.ok(c.inputs.length > 0, `${c.name} has captured fixtures to mutate`);
  // The unmutated captures must parse (else the mutations say nothing).
  let clean = 0;
  for (const input of c.inputs) {
    try {
      c.parse(input);
      clean++;
    } catch (e) {
      if (!isStructured(e)) throw e;
    }
  }
  assert.ok(clean > 0, `${c.name}: at least one capture parses cleanly`);
  let slowest = 0;
  fc.assert(
    fc.property(fc.oneof({ arbitrary: mutated(c.inputs), weight: 3 }, { arbitrary: randomText, weight: 1 }), (text) => {
      // PERF_LENS_FUZZ_TRACE=FILE: each input is written to FILE.<case> first, so a hang leaves it behind (one
      // file per case: the cases after a hung one must not overwrite its input).
      if (process.env.PERF_LENS_FUZZ_TRACE)
        writeFileSync(`${process.env.PERF_LENS_FUZZ_TRACE}.${c.name.replace(/[^A-Za-z0-9]+/g, '-')}`, text, 'latin1');
      const t0 = performance.now();
      try {
        c.parse(text);
      } catch (e) {
        if (!isStructured(e)) {
          throw new Error(`${c.name} crashed with ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, {
            cause: e,
          });
        }
        assert.ok(String((e as Error).message).length < 5000, 'error messages stay short');
      }
      const ms = performance.now() - t0;
      slowest = Math.max(slowest, ms);
      assert.ok(ms < MAX_MS_PER_CASE, `${c.name} took ${ms.toFixed(0)} ms on a ${text.length}-char input`);
    }),
    { numRuns: runs, seed },
  );
  return slowest;
}

/** A parser that loops forever blocks its thread: the worker is terminated after this long and the case fails. */
const HANG_MS = 90_000;

interface WorkerReply {
  ok: boolean;
  message?: string;
  slowest?: number;
}

if (!isMainThread) {
  const { runs, seed } = workerData as { runs: number; seed: number | undefined };
  parentPort!.on('message', (name: string) => {
    try {
      const slowest = checkParser(
        CASES.find((c) => c.name === name)!,
        runs,
        seed,
      );
      parentPort!.postMessage({ ok: true, slowest } satisfies WorkerReply);
    } catch (e) {
      const cause = e instanceof Error && e.cause instanceof Error ? `\ncause: ${e.cause.message.slice(0, 1500)}` : '';
      const full = (e instanceof Error ? e.message : String(e)) + cause;
      // fast-check prints the whole counterexample (it may be MBs): keep its start and the error at the end.
      const message =
        full.length > 4000 ? `${full.slice(0, 1000)}\n… (${full.length} chars) …\n${full.slice(-3000)}` : full;
      parentPort!.postMessage({ ok: false, message } satisfies WorkerReply);
    }
  });
} else {
  // One worker runs the cases one after the other; a hung one is terminated and the next case gets a new worker.
  let worker: Worker | null = null;
  const startWorker = () => {
    // The worker loads this file through tsx's CommonJS hook (a worker does not inherit --import hooks).
    const boot = `require(${JSON.stringify(require.resolve('tsx/cjs'))}); require(${JSON.stringify(__filename)});`;
    return new Worker(boot, { eval: true, workerData: { runs: RUNS, seed: SEED } });
  };
  after(() => worker?.terminate());
  for (const c of CASES) {
    test(`${c.name}: random and mutated real outputs give a result or a structured error, in bounded time`, async () => {
      const w = (worker ??= startWorker());
      let onMessage: (m: WorkerReply) => void = () => {};
      let onError: (e: Error) => void = () => {};
      let timer: NodeJS.Timeout | undefined;
      try {
        const r = await new Promise<WorkerReply>((resolve, reject) => {
          timer = setTimeout(
            () =>
              reject(
                new Error(
                  `${c.name} hung: no result after ${HANG_MS / 1000} s (find the input with PERF_LENS_FUZZ_TRACE=FILE)`,
                ),
              ),
            HANG_MS,
          );
          onMessage = resolve;
          onError = reject;
          w.on('message', onMessage);
          w.on('error', onError);
          w.postMessage(c.name);
        });
        assert.ok(r.ok, r.message);
      } catch (e) {
        worker = null;
        await w.terminate();
        throw e;
      } finally {
        clearTimeout(timer);
        w.off('message', onMessage);
        w.off('error', onError);
      }
    });
  }
}
