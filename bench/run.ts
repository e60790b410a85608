/**
 * `npm run bench [-- [--quick] [--write|--no-write] [NAME...]]`: runs the benchmarks (all, or the named
 * ones), prints a table and writes docs/BENCHMARKS.md. A full, non-quick run writes the document; a subset
 * or quick run only prints unless `--write` is given (so a development run never replaces the committed
 * numbers by accident). Exit code 0 whatever the numbers: benchmarks never fail CI. Exit 2 for bad
 * arguments, 130 when interrupted.
 */
import { mkdtempSync, rmSync, writeFileSync, existsSync, statfsSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchContext } from './lib/context';
import { killAll } from './lib/exec';
import { machineInfo } from './lib/machine';
import { markdown, missedTargets, terminalTable, type Section } from './lib/report';
import { collapseBenchmark } from './cases/collapse';
import { firstLiveBenchmark } from './cases/first-live';
import { postprocessBenchmark } from './cases/postprocess';
import { observerBenchmark } from './cases/observer';
import { lspBenchmark } from './cases/lsp';
import { webviewBenchmark } from './cases/webview';
import { extensionBenchmark } from './cases/extension';
import { scaleBenchmark } from './cases/scale';

const repoRoot = resolve(fileURLToPath(new URL('..', import.meta.url)));

const ALL: Benchmark[] = [
  collapseBenchmark,
  firstLiveBenchmark,
  postprocessBenchmark,
  observerBenchmark,
  lspBenchmark,
  webviewBenchmark,
  extensionBenchmark,
  scaleBenchmark,
];

/**
 * Run order: the observer case first, on a machine nothing else in this run has disturbed yet; it compares
 * requests/s a fraction of a percent apart, and the collapse case before it churns through 1 GB of input, which
 * leaves the page cache and memory busy for a while after. The document keeps ALL's order.
 */
const RUN_FIRST: Benchmark[] = [observerBenchmark];
const runOrder = (selected: Benchmark[]) => [
  ...RUN_FIRST.filter((b) => selected.includes(b)),
  ...selected.filter((b) => !RUN_FIRST.includes(b)),
];

const USAGE = `usage: npm run bench -- [--quick] [--write|--no-write] [${ALL.map((b) => b.id).join('|')}]...`;

interface Args {
  quick: boolean;
  write: boolean | null;
  names: string[];
}

function parseArgs(argv: string[]): Args | string {
  const args: Args = { quick: false, write: null, names: [] };
  for (const a of argv) {
    if (a === '--quick') args.quick = true;
    else if (a === '--write') args.write = true;
    else if (a === '--no-write') args.write = false;
    else if (a === '--help' || a === '-h') return USAGE;
    else if (ALL.some((b) => b.id === a)) args.names.push(a);
    else return `bench: unknown benchmark or option '${a}'\n${USAGE}`;
  }
  return args;
}

let tempRoot: string | null = null;
function cleanup(): void {
  killAll();
  if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
  tempRoot = null;
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === 'string') {
    const isHelp = parsed === USAGE;
    (isHelp ? process.stdout : process.stderr).write(parsed + '\n');
    return isHelp ? 0 : 2;
  }
  const selected = parsed.names.length ? ALL.filter((b) => parsed.names.includes(b.id)) : ALL;
  const write = parsed.write ?? (!parsed.quick && selected.length === ALL.length);
  const flamegraphDir = process.env.FLAMEGRAPH_DIR ? resolve(process.env.FLAMEGRAPH_DIR) : null;

  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}, stopping everything started\n`);
      cleanup();
      process.exit(130);
    });
  }

  const started = new Date();
  const t0 = performance.now();
  tempRoot = mkdtempSync(join(tmpdir(), 'perf-lens-bench-'));
  const free = statfsSync(tempRoot);
  process.stderr.write(
    `bench: temp folder ${tempRoot} (${((free.bavail * free.bsize) / 1024 ** 3).toFixed(1)} GiB free)\n`,
  );
  const machine = machineInfo(repoRoot);
  const sections: Section[] = [];
  try {
    for (const b of runOrder(selected)) {
      const section: Section = {
        id: b.id,
        title: b.title,
        method: [],
        rows: [],
        notes: [],
        targets: b.targets,
        seconds: 0,
      };
      sections.push(section);
      const tmp = mkdtempSync(join(tempRoot, `${b.id}-`));
      const ctx: BenchContext = {
        quick: parsed.quick,
        repoRoot,
        tmp,
        flamegraphDir: flamegraphDir && existsSync(flamegraphDir) ? flamegraphDir : null,
        log: (m) => process.stderr.write(`[${b.id}] ${m}\n`),
      };
      const s0 = performance.now();
      const loadBefore = loadavg()[0];
      ctx.log('start');
      try {
        await b.run(ctx, section);
      } catch (e) {
        section.error = e instanceof Error ? e.message.split('\n')[0] : String(e);
        ctx.log(`failed: ${section.error}`);
        if (process.env.PERF_LENS_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
      } finally {
        killAll();
        rmSync(tmp, { recursive: true, force: true });
      }
      section.seconds = (performance.now() - s0) / 1000;
      // Other work on the machine slows whatever is measured: say how busy it was.
      section.load = { before: loadBefore, after: loadavg()[0], cores: machine.cores };
      section.notes.push(
        `1-minute load average before / after this benchmark: ${loadBefore.toFixed(2)} / ${loadavg()[0].toFixed(2)} ` +
          `(${machine.cores} cores).`,
      );
      ctx.log(`done in ${section.seconds.toFixed(0)} s`);
    }
  } finally {
    cleanup();
  }
  const totalSeconds = (performance.now() - t0) / 1000;
  sections.sort((a, b) => ALL.findIndex((x) => x.id === a.id) - ALL.findIndex((x) => x.id === b.id));
  process.stdout.write('\n' + terminalTable(sections) + '\n');
  const misses = missedTargets(sections);
  process.stdout.write(
    `\n${misses.length} target(s) missed or not measured; total ${(totalSeconds / 60).toFixed(1)} min on ` +
      `${machine.cpuModel}, ${machine.cores} cores\n`,
  );
  const argvText = ['npm run bench', ...(process.argv.length > 2 ? ['--', ...process.argv.slice(2)] : [])].join(' ');
  const doc = markdown(sections, {
    machine,
    startedAt: started,
    totalSeconds,
    commandLine: argvText,
    quick: parsed.quick,
    selected: selected.map((b) => b.id),
  });
  if (write) {
    const path = join(repoRoot, 'docs', 'BENCHMARKS.md');
    writeFileSync(path, doc);
    process.stdout.write(`wrote ${path}\n`);
  } else {
    process.stdout.write('docs/BENCHMARKS.md not written (subset or quick run; pass --write to write it anyway)\n');
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    cleanup();
    process.stderr.write(`bench: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(1);
  },
);
