/**
 * 8. Scale: a `perf script` of 16 busy threads × 30 s × 999 Hz (~480K samples) through Perf Lens end to end
 * (collapse, analyze, render), time and memory; baseline: FlameGraph's stackcollapse-perf.pl + flamegraph.pl.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Benchmark, BenchContext } from '../lib/context';
import { background, measure, run, type Measured } from '../lib/exec';
import { replicateInterleaved, splitSamples } from '../lib/perf-input';
import type { Row } from '../lib/report';
import { fmt, stat, type Stat } from '../lib/stats';
import { perfLensCli } from '../lib/tools';
import { renderFlameGraphFile } from '../lib/webview-measure';

const THREADS = 16;
const TARGET_SAMPLES = THREADS * 30 * 999;
const PERIOD_NS = 1e9 / 999;
const MB = 1_000_000;
const PERL_BUDGET_MS = 100_000;

interface Input {
  file: string;
  bytes: number;
  samples: number;
  recorded: number;
  factor: number;
  seconds: number;
}

async function makeInput(ctx: BenchContext): Promise<Input> {
  const seconds = ctx.quick ? 5 : 30;
  const exe = join(ctx.tmp, 'busy-threads');
  await run(
    [
      'cc',
      '-O1',
      '-g',
      '-fno-omit-frame-pointer',
      '-fno-inline',
      '-pthread',
      '-o',
      exe,
      join(ctx.repoRoot, 'bench', 'busy-threads.c'),
    ],
    { scratch: ctx.tmp },
  );
  const busy = background([exe, String(THREADS)]);
  const data = join(ctx.tmp, 'busy.perf.data');
  try {
    const m = await busy.waitFor(/\(pid (\d+)\)/, 10_000);
    ctx.log(`perf record -F 999 -g on ${THREADS} busy threads for ${seconds} s`);
    const rec = background([
      'perf',
      'record',
      '-F',
      '999',
      '-g',
      '-p',
      m[1],
      '-o',
      data,
      '--',
      'sleep',
      String(seconds),
    ]);
    const end = await rec.exited;
    if (end.code !== 0) throw new Error(`perf record failed: ${rec.output().slice(-300)}`);
  } finally {
    await busy.stop('SIGKILL');
  }
  const recorded = join(ctx.tmp, 'busy.perf-script.txt');
  await run(['perf', 'script', '-i', data], { stdoutFile: recorded, timeoutMs: 600_000, scratch: ctx.tmp });
  const samples = splitSamples(readFileSync(recorded, 'utf8')).length;
  const factor = Math.max(1, Math.round(TARGET_SAMPLES / Math.max(1, samples)));
  const file = join(ctx.tmp, 'scale.perf-script.txt');
  const made = replicateInterleaved(recorded, file, factor, PERIOD_NS);
  return { file, bytes: made.bytes, samples: made.samples, recorded: samples, factor, seconds };
}

function stage(ms: Measured[]): { time: Stat; rss: Stat | null } {
  return {
    time: stat(ms.map((m) => m.wallMs)),
    rss: ms.every((m) => m.peakRssKiB !== null) ? stat(ms.map((m) => m.peakRssKiB! / 1024)) : null,
  };
}

export const scaleBenchmark: Benchmark = {
  id: 'scale',
  title: 'Scale: 16 threads × 30 s × 999 Hz',
  targets: [],
  async run(ctx, section) {
    const runs = ctx.quick ? 1 : 3;
    const input = await makeInput(ctx);
    ctx.log(`${input.samples.toLocaleString('en-US')} samples, ${fmt(input.bytes / MB)} MB`);
    section.method.push(
      `Input, made by the benchmark: \`bench/busy-threads.c\` (compiled with \`cc -O1 -g -fno-omit-frame-pointer ` +
        `-fno-inline\`) runs ${THREADS} CPU-bound threads named busy-00…busy-15, each with its own call chain ` +
        '(recursion 2–7 deep into hash/CRC/matrix/sort leaves, and a write to /dev/null every 512 iterations for ' +
        `kernel frames). \`perf record -F 999 -g -p PID -- sleep ${input.seconds}\` on this ${'machine'} caught ` +
        `${input.recorded.toLocaleString('en-US')} samples (the threads share the cores, so each got only part of a ` +
        `CPU). To reach 16 threads × 30 s × 999 Hz, every recorded sample is written ${input.factor} times, copy k ` +
        `with its timestamp moved by k/${input.factor} of the 1.001 ms sampling period and the same thread name ` +
        'and TID, so each of the 16 threads gets the sample rate of a thread with a CPU to itself, spread evenly ' +
        'between its real samples (renaming copies into new threads would instead have made 128 threads). ' +
        `Result: ${input.samples.toLocaleString('en-US')} samples, ${fmt(input.bytes / MB)} MB of \`perf script\` text.`,
      `Stages, each a child process (time = wall time, memory = that process's peak RSS), ${runs} run(s): ` +
        '**collapse** `perf-lens collapse FILE`; **analyze** `perf-lens analyze FILE --json` (the Profile: hotspots, ' +
        'folded stacks…); **render** the flame graph of that Profile in headless Chromium. Baseline: FlameGraph, ' +
        '`stackcollapse-perf.pl FILE` then `flamegraph.pl` on its output (SVG).',
    );

    const collapse = perfLensCli(ctx.repoRoot, 'collapse');
    const analyze = perfLensCli(ctx.repoRoot, 'analyze');
    const perlDir = ctx.flamegraphDir;
    const folded = join(ctx.tmp, 'folded.txt');
    const foldedPerl = join(ctx.tmp, 'folded-perl.txt');
    const profileJson = join(ctx.tmp, 'profile.json');
    const svg = join(ctx.tmp, 'flame.svg');
    const c: Measured[] = [];
    const a: Measured[] = [];
    const r: Array<{ ms: number; heapMiB: number | null; frames: number }> = [];
    const pc: Measured[] = [];
    const pf: Measured[] = [];
    let analyzeError = analyze.missing;
    let renderError: string | null = null;
    let budgetNoted = false;
    for (let i = 0; i < runs; i++) {
      if (!collapse.missing) {
        const m = await measure([...collapse.argv, input.file], {
          stdoutFile: folded,
          timeoutMs: 900_000,
          scratch: ctx.tmp,
        });
        if (m.exitCode !== 0) throw new Error(`perf-lens collapse failed: ${m.stderr.slice(-300)}`);
        c.push(m);
      }
      if (!analyzeError) {
        const m = await measure([...analyze.argv, input.file, '--json'], {
          stdoutFile: profileJson,
          timeoutMs: 900_000,
          scratch: ctx.tmp,
        });
        if (m.exitCode !== 0)
          analyzeError = `perf-lens analyze failed: ${m.stderr.trim().split('\n').slice(-2).join(' / ')}`;
        else a.push(m);
      }
      if (!analyzeError && !renderError) {
        try {
          r.push(await renderFlameGraphFile(ctx, profileJson));
        } catch (e) {
          renderError = e instanceof Error ? e.message.split('\n')[0] : String(e);
        }
      }
      const perlSpent = pc.reduce((sum, m) => sum + m.wallMs, 0);
      if (perlDir && pc.length > 0 && perlSpent + pc[pc.length - 1].wallMs > PERL_BUDGET_MS && !budgetNoted) {
        budgetNoted = true;
        section.notes.push(
          `The FlameGraph baseline ran ${pc.length} time(s) only (a run takes ${fmt(pc[pc.length - 1].wallMs / 1000)} s; ` +
            `its budget is ${PERL_BUDGET_MS / 1000} s).`,
        );
      }
      if (perlDir && !budgetNoted) {
        const m1 = await measure(['perl', join(perlDir, 'stackcollapse-perf.pl'), input.file], {
          stdoutFile: foldedPerl,
          timeoutMs: 900_000,
          scratch: ctx.tmp,
        });
        if (m1.exitCode !== 0) throw new Error(`stackcollapse-perf.pl failed: ${m1.stderr.slice(-300)}`);
        pc.push(m1);
        const m2 = await measure(['perl', join(perlDir, 'flamegraph.pl'), foldedPerl], {
          stdoutFile: svg,
          timeoutMs: 900_000,
          scratch: ctx.tmp,
        });
        if (m2.exitCode !== 0) throw new Error(`flamegraph.pl failed: ${m2.stderr.slice(-300)}`);
        pf.push(m2);
      }
      ctx.log(`run ${i + 1} done`);
    }
    const missingPerl = 'baseline not available';
    const rows: Row[] = [];
    const cs = c.length ? stage(c) : null;
    const as = a.length ? stage(a) : null;
    const pcs = pc.length ? stage(pc) : null;
    const pfs = pf.length ? stage(pf) : null;
    rows.push({
      name: 'collapse: time',
      unit: 'ms',
      value: cs?.time ?? null,
      missing: collapse.missing ?? undefined,
      baseline: { name: 'stackcollapse-perf.pl', value: pcs?.time ?? null, missing: pcs ? undefined : missingPerl },
      ratio: cs && pcs ? { value: pcs.time.median / cs.time.median, text: '× faster than Perl' } : undefined,
    });
    rows.push({
      name: 'collapse: peak RSS',
      unit: 'MiB',
      value: cs?.rss ?? null,
      missing: collapse.missing ?? undefined,
      baseline: { name: 'stackcollapse-perf.pl', value: pcs?.rss ?? null, missing: pcs ? undefined : missingPerl },
    });
    rows.push({
      name: 'analyze → Profile: time',
      unit: 'ms',
      value: as?.time ?? null,
      missing: analyzeError ?? undefined,
    });
    rows.push({
      name: 'analyze → Profile: peak RSS',
      unit: 'MiB',
      value: as?.rss ?? null,
      missing: analyzeError ?? undefined,
    });
    const rs = r.length ? stat(r.map((x) => x.ms)) : null;
    rows.push({
      name: `render flame graph (Chromium${r.length ? `, ${r[0].frames.toLocaleString('en-US')} frames` : ''})`,
      unit: 'ms',
      value: rs,
      missing: analyzeError ?? renderError ?? undefined,
      baseline: { name: 'flamegraph.pl → SVG', value: pfs?.time ?? null, missing: pfs ? undefined : missingPerl },
    });
    const heaps = r.map((x) => x.heapMiB).filter((x): x is number => x !== null);
    if (heaps.length) rows.push({ name: 'render: page JS heap used', unit: 'MiB', value: stat(heaps) });
    if (cs && as && rs) {
      const total = cs.time.median + as.time.median + rs.median;
      const base = pcs && pfs ? pcs.time.median + pfs.time.median : null;
      rows.push({
        name: 'end to end (sum of stage medians)',
        unit: 'ms',
        value: stat([total]),
        baseline: {
          name: 'stackcollapse-perf.pl + flamegraph.pl',
          value: base !== null ? stat([base]) : null,
          missing: base === null ? missingPerl : undefined,
        },
        ratio: base !== null ? { value: base / total, text: '× faster than FlameGraph' } : undefined,
      });
    }
    section.rows.push(...rows);
    try {
      section.notes.push(
        `Folded output: ${c.length ? `${fmt(statSync(folded).size / 1024)} KiB` : '—'} (Perf Lens)` +
          `${pc.length ? `, ${fmt(statSync(foldedPerl).size / 1024)} KiB (Perl)` : ''}; Profile JSON: ` +
          `${a.length ? `${fmt(statSync(profileJson).size / 1024)} KiB` : '—'}.`,
      );
    } catch {
      // a stage did not run
    }
  },
};
