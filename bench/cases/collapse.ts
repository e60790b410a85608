/**
 * 1. Folding `perf script` text into stacks: Perf Lens's `perf-lens collapse FILE` against FlameGraph's
 * `stackcollapse-perf.pl FILE` (perl), each run as a child process on the same file, interleaved.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark, BenchContext } from '../lib/context';
import { measure, type Measured } from '../lib/exec';
import { freeBytes, recordDemo, replicateToSize } from '../lib/perf-input';
import type { Row, Section } from '../lib/report';
import { fmt, MiB, stat, type Stat } from '../lib/stats';
import { perfLensCli } from '../lib/tools';

const THROUGHPUT_TARGET = 20;
const MEMORY_TARGET = 1.25;
const MB = 1_000_000;
const PERL_BUDGET_MS = 150_000;

export const collapseBenchmark: Benchmark = {
  id: 'collapse',
  title: 'Folding perf script text',
  targets: [`≥ ${THROUGHPUT_TARGET}× the Perl script's throughput`, `peak memory independent of input size`],
  async run(ctx, section) {
    const sizes = ctx.quick ? [10 * MB] : [10 * MB, 100 * MB, 1000 * MB];
    const runs = ctx.quick ? 1 : 3;
    const perlScript = ctx.flamegraphDir ? join(ctx.flamegraphDir, 'stackcollapse-perf.pl') : null;
    const perlAvailable = perlScript !== null && existsSync(perlScript);
    const cli = perfLensCli(ctx.repoRoot, 'collapse');

    const rec = await recordDemo(ctx.tmp, ctx.quick ? 2 : 4, ctx.log);
    section.method.push(
      `Input: ${rec.how}: ${rec.samples.toLocaleString('en-US')} samples, ${fmt(rec.bytes / MB)} MB of text. ` +
        'Larger inputs repeat that real text sample by sample (timestamps unchanged) up to 10 MB, 100 MB and 1 GB ' +
        '(decimal MB) in a temp folder that is removed afterwards.',
      `Each tool runs as its own child process on the same file, output to a file: ` +
        `\`node dist/cli.js collapse FILE\` (Perf Lens) and \`perl $FLAMEGRAPH_DIR/stackcollapse-perf.pl FILE\` ` +
        `(FlameGraph, baseline). ${runs} run(s) per tool and size, interleaved (A B A B …). Throughput = input bytes / ` +
        "wall time of the whole process (start-up included). Peak memory = the process's own RSS high-water mark " +
        '(`/usr/bin/time -f %M`, i.e. wait4 ru_maxrss; VmHWM polling when GNU time is missing). The input file is in ' +
        'the page cache for every run (the machine has enough RAM), so disk speed does not count.',
    );
    if (!perlAvailable) {
      section.notes.push(
        ctx.flamegraphDir
          ? `FLAMEGRAPH_DIR has no stackcollapse-perf.pl: baseline not available.`
          : 'FLAMEGRAPH_DIR is not set (a local checkout of brendangregg/FlameGraph): baseline not available.',
      );
    }

    const rowBytes = new Map<Row, number>();
    const cpuRatios = new Map<Row, number>();
    const pl: Record<number, { thr: Stat; rss: Stat; hash: string } | null> = {};
    for (const size of sizes) {
      const need = size * 1.1 + 512 * MiB;
      if (freeBytes(ctx.tmp) < need) {
        section.notes.push(
          `${fmt(size / MB)} MB input skipped: only ${fmt(freeBytes(ctx.tmp) / MiB)} MiB free in the temp folder.`,
        );
        continue;
      }
      const input = join(ctx.tmp, `input-${size / MB}MB.txt`);
      const made = replicateToSize(rec.scriptFile, input, size);
      ctx.log(`${fmt(made.bytes / MB)} MB input (${made.samples.toLocaleString('en-US')} samples)`);
      const ours: Measured[] = [];
      const perl: Measured[] = [];
      const outOurs = join(ctx.tmp, 'out-perf-lens.txt');
      const outPerl = join(ctx.tmp, 'out-perl.txt');
      let hashOurs = '';
      let hashPerl = '';
      let oursError: string | null = cli.missing;
      let budgetNoted = false;
      for (let i = 0; i < runs; i++) {
        const order = i % 2 === 0 ? ['perl', 'ours'] : ['ours', 'perl'];
        for (const which of order) {
          // A slow baseline on a busy machine must not eat the whole run: past the budget, keep the runs made.
          const perlSpent = perl.reduce((sum, m) => sum + m.wallMs, 0);
          const overBudget = perl.length > 0 && perlSpent + perl[perl.length - 1].wallMs > PERL_BUDGET_MS;
          if (which === 'perl' && perlAvailable && overBudget && !budgetNoted) {
            budgetNoted = true;
            section.notes.push(
              `${fmt(made.bytes / MB)} MB: stackcollapse-perf.pl ran ${perl.length} time(s) only (a run takes ` +
                `${fmt(perl[perl.length - 1].wallMs / 1000)} s; the baseline's budget per size is ${PERL_BUDGET_MS / 1000} s).`,
            );
          }
          if (which === 'perl' && perlAvailable && !overBudget) {
            const m = await measure(['perl', perlScript!, input], {
              stdoutFile: outPerl,
              timeoutMs: 900_000,
              scratch: ctx.tmp,
            });
            if (m.exitCode !== 0) throw new Error(`stackcollapse-perf.pl failed: ${m.stderr.slice(-300)}`);
            perl.push(m);
            if (i === 0) hashPerl = await sha256(outPerl);
          }
          if (which === 'ours' && oursError === null) {
            const m = await measure([...cli.argv, input], {
              stdoutFile: outOurs,
              timeoutMs: 900_000,
              scratch: ctx.tmp,
            });
            if (m.exitCode !== 0) {
              oursError = `perf-lens collapse failed (${m.exitCode ?? m.signal}): ${m.stderr.trim().split('\n').slice(-2).join(' / ')}`;
            } else {
              ours.push(m);
              if (i === 0) hashOurs = await sha256(outOurs);
            }
          }
        }
      }
      const label = `${fmt(made.bytes / MB)} MB`;
      const thr = (ms: Measured[]) => stat(ms.map((m) => made.bytes / MB / (m.wallMs / 1000)));
      const rss = (ms: Measured[]) =>
        ms.every((m) => m.peakRssKiB !== null) && ms.length ? stat(ms.map((m) => m.peakRssKiB! / 1024)) : null;
      const oursThr = ours.length ? thr(ours) : null;
      const perlThr = perl.length ? thr(perl) : null;
      const baselineMissing = 'baseline not available';
      const ratio = oursThr && perlThr ? oursThr.median / perlThr.median : null;
      const row: Row = {
        name: `${label}: throughput`,
        unit: 'MB/s',
        value: oursThr,
        missing: oursError ?? undefined,
        baseline: {
          name: 'stackcollapse-perf.pl',
          value: perlThr,
          missing: perlAvailable ? undefined : baselineMissing,
        },
        ratio: ratio !== null ? { value: ratio, text: '× Perl' } : undefined,
        target: {
          text: `≥ ${THROUGHPUT_TARGET}× the Perl script's throughput`,
          met: ratio === null ? null : ratio >= THROUGHPUT_TARGET,
          gap:
            ratio !== null && ratio < THROUGHPUT_TARGET
              ? `${fmt(ratio)}× instead of ≥ ${THROUGHPUT_TARGET}×`
              : undefined,
          limits: ratio === null ? (oursError ?? baselineMissing) : undefined,
        },
      };
      section.rows.push(row);
      rowBytes.set(row, made.bytes);
      // CPU seconds are less sensitive than wall time to other work on the machine.
      const cpu = (ms: Measured[]) =>
        ms.length && ms.every((m) => m.cpuMs !== null && m.cpuMs > 0)
          ? stat(ms.map((m) => made.bytes / MB / (m.cpuMs! / 1000)))
          : null;
      const oursCpu = cpu(ours);
      const perlCpu = cpu(perl);
      if (oursCpu && perlCpu) cpuRatios.set(row, oursCpu.median / perlCpu.median);
      if (oursCpu || perlCpu) {
        section.rows.push({
          name: `${label}: MB per CPU second (user + sys)`,
          unit: 'MB/s',
          value: oursCpu,
          missing: oursError ?? undefined,
          baseline: {
            name: 'stackcollapse-perf.pl',
            value: perlCpu,
            missing: perlAvailable ? undefined : baselineMissing,
          },
          ratio: oursCpu && perlCpu ? { value: oursCpu.median / perlCpu.median, text: '× Perl' } : undefined,
        });
      }
      const oursRss = rss(ours);
      const perlRss = rss(perl);
      section.rows.push({
        name: `${label}: peak RSS`,
        unit: 'MiB',
        value: oursRss,
        missing: oursError ?? undefined,
        baseline: {
          name: 'stackcollapse-perf.pl',
          value: perlRss,
          missing: perlAvailable ? undefined : baselineMissing,
        },
        ratio: oursRss && perlRss ? { value: oursRss.median / perlRss.median, text: '× Perl' } : undefined,
      });
      if (hashOurs && hashPerl) {
        const same = hashOurs === hashPerl;
        section.notes.push(
          `${label}: output ${same ? 'identical to' : '**differs from**'} stackcollapse-perf.pl's (sha256 ${hashOurs.slice(0, 16)}…${same ? '' : ` vs ${hashPerl.slice(0, 16)}…`}).`,
        );
        if (!same) row.note = 'output differs from Perl';
      }
      pl[size] = oursThr && oursRss ? { thr: oursThr, rss: oursRss, hash: hashOurs } : null;
      rmSync(input, { force: true });
      rmSync(outOurs, { force: true });
      rmSync(outPerl, { force: true });
    }

    // Memory independence. V8 sizes its heap during the first tens of MB, so the check is the largest input
    // against the middle one (10× more text); the smallest input is shown too.
    const measured = sizes.filter((s) => pl[s]);
    const rssOf = (size: number) => pl[size]!.rss.median;
    if (measured.length >= 2) {
      const last = measured[measured.length - 1];
      const from = measured.length >= 3 ? measured[measured.length - 2] : measured[0];
      if (measured.length >= 3) {
        section.rows.push({
          name: `peak RSS growth ${fmt(measured[0] / MB)} MB → ${fmt(last / MB)} MB input`,
          unit: '×',
          value: stat([rssOf(last) / rssOf(measured[0])]),
          note: `${fmt(last / measured[0])}× the input; includes V8 growing its heap to its working size`,
        });
      }
      const growth = rssOf(last) / rssOf(from);
      section.rows.push({
        name: `peak RSS growth ${fmt(from / MB)} MB → ${fmt(last / MB)} MB input`,
        unit: '×',
        value: stat([growth]),
        note: `${fmt(last / from)}× the input`,
        target: {
          text: 'peak memory independent of input size',
          met: growth <= MEMORY_TARGET,
          gap:
            growth > MEMORY_TARGET
              ? `${fmt(growth)}× more memory for ${fmt(last / from)}× the input (≤ ${MEMORY_TARGET}× counts as independent)`
              : undefined,
        },
      });
    } else {
      section.rows.push({
        name: 'peak RSS growth with input size',
        unit: '×',
        value: null,
        missing: cli.missing ?? 'needs two input sizes (run without --quick)',
        target: {
          text: 'peak memory independent of input size',
          met: null,
          limits: cli.missing ?? 'needs two input sizes (run without --quick)',
        },
      });
    }

    // What the JavaScript side cannot beat: reading the same bytes and finding line ends, nothing else.
    const startup = await startupRow(ctx, section, runs);
    const floor = await floorRow(ctx, section, rec.scriptFile, sizes.includes(100 * MB) ? 100 * MB : sizes[0], runs);
    // Say what limits a missed throughput target, with this run's numbers.
    for (const row of section.rows) {
      if (row.target?.met !== false || !row.value || !row.baseline?.value || !floor) continue;
      const perlMBs = row.baseline.value.median;
      const ceiling = floor.median / perlMBs;
      const bytes = rowBytes.get(row);
      const runMs = bytes ? (bytes / MB / row.value.median) * 1000 : null;
      const startShare = startup && runMs ? startup.median / runMs : 0;
      const cpuRatio = cpuRatios.get(row);
      const byCpu =
        cpuRatio !== undefined
          ? `; counted in CPU seconds, which other load on the machine disturbs less, it is ${fmt(cpuRatio)}× Perl`
          : '';
      row.target.limits =
        (startShare > 0.25
          ? `Node's own start-up (\`node -e 0\`: ${fmt(startup!.median)} ms, reference row) is ` +
            `${fmt(startShare * 100)}% of this run; Perl starts in a few ms`
          : ceiling < THROUGHPUT_TARGET
            ? `in this run Node itself read and split this text into lines at only ${fmt(floor.median)} MB/s ` +
              `(reference row), ${fmt(ceiling)}× the Perl script's folding speed, so ${THROUGHPUT_TARGET}× was out of ` +
              'reach of any collapser written in JavaScript here; the collapser ran at ' +
              `${fmt((row.value.median / floor.median) * 100)}% of that floor`
            : `the collapser runs at ${fmt((row.value.median / floor.median) * 100)}% of Node's bare line-scan speed ` +
              `(${fmt(floor.median)} MB/s, reference row): the per-line parsing and per-frame work in JavaScript`) +
        byCpu;
    }
    rmSync(rec.perfData, { force: true });
  },
};

async function floorRow(
  ctx: BenchContext,
  section: Section,
  source: string,
  size: number,
  runs: number,
): Promise<Stat | null> {
  if (freeBytes(ctx.tmp) < size + 512 * MiB) return null;
  const input = join(ctx.tmp, 'floor-input.txt');
  const made = replicateToSize(source, input, size);
  const script =
    'const fs=require("fs");let n=0;const s=fs.createReadStream(process.argv[1],{highWaterMark:1<<20});' +
    's.on("data",b=>{let i=-1;while((i=b.indexOf(10,i+1))!==-1)n++});s.on("end",()=>console.log(n))';
  const perlScript = 'my $n=0; while(<>){$n++} print "$n\\n"';
  const node: number[] = [];
  const perl: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = await measure([process.execPath, '-e', script, input], { timeoutMs: 300_000, scratch: ctx.tmp });
    const b = await measure(['perl', '-e', perlScript, input], { timeoutMs: 300_000, scratch: ctx.tmp });
    if (a.exitCode === 0) node.push(made.bytes / MB / (a.wallMs / 1000));
    if (b.exitCode === 0) perl.push(made.bytes / MB / (b.wallMs / 1000));
  }
  rmSync(input, { force: true });
  if (!node.length) return null;
  const n = stat(node);
  const p = perl.length ? stat(perl) : null;
  section.rows.push({
    name: `reference: read + count lines only, ${fmt(made.bytes / MB)} MB (no parsing)`,
    unit: 'MB/s',
    value: n,
    baseline: { name: 'perl `while(<>)`', value: p },
    ratio: p ? { value: n.median / p.median, text: '× Perl' } : undefined,
    note: 'Node stream + indexOf(\\n); the ceiling for any collapser written in JavaScript',
  });
  return n;
}

function sha256(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });
}

/** Node's bare start-up, which every `node dist/cli.js` run pays before reading a byte. */
async function startupRow(ctx: BenchContext, section: Section, runs: number): Promise<Stat | null> {
  const node: number[] = [];
  const perl: number[] = [];
  for (let i = 0; i < Math.max(3, runs); i++) {
    const a = await measure([process.execPath, '-e', '0'], { timeoutMs: 60_000, scratch: ctx.tmp });
    const b = await measure(['perl', '-e', '0'], { timeoutMs: 60_000, scratch: ctx.tmp });
    if (a.exitCode === 0) node.push(a.wallMs);
    if (b.exitCode === 0) perl.push(b.wallMs);
  }
  if (!node.length) return null;
  const n = stat(node);
  section.rows.push({
    name: 'reference: process start-up (`node -e 0`)',
    unit: 'ms',
    value: n,
    baseline: { name: '`perl -e 0`', value: perl.length ? stat(perl) : null },
  });
  return n;
}
