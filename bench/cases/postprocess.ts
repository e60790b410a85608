/**
 * 3. Post-processing after recording: the session's own post-processing (perf report ∥ perf script → fold on
 * the target, then parsing the report and the folded stacks) against `perf report --stdio` alone on the
 * same perf.data.
 */
import { join } from 'node:path';
import { LocalHost } from '../../src/core/host';
import { foldStacks, parseHotspots } from '../../src/core/session/integrations';
import { postprocess } from '../../src/core/session/postprocess';
import { choosePrivilege } from '../../src/core/session/privilege';
import { perfRecordArgv, PERF_DATA } from '../../src/core/session/record';
import { startDemoServer, startLoad } from '../../test/helpers/demo-server';
import type { Benchmark } from '../lib/context';
import { background, measure, sleep } from '../lib/exec';
import { fmt, stat } from '../lib/stats';

const TARGET = 1.2;

export const postprocessBenchmark: Benchmark = {
  id: 'postprocess',
  title: 'Post-processing after recording',
  targets: [`≤ ${TARGET}× the time of \`perf report --stdio\` alone`],
  async run(ctx, section) {
    const seconds = ctx.quick ? 3 : 10;
    const runs = ctx.quick ? 1 : 3;
    const privilege = choosePrivilege(process.getuid?.() ?? null, 'none', { sudo: 'never' });
    const dir = ctx.tmp;
    const data = join(dir, PERF_DATA);

    const server = await startDemoServer({ threads: 2 });
    const load = startLoad(server.port, { seconds: seconds + 4, connections: 50 });
    let samples = '?';
    try {
      await sleep(1000);
      const argv = perfRecordArgv({
        pid: server.pid,
        dir,
        seconds,
        perf: 'perf',
        frequency: 999,
        callGraph: 'fp',
        maxMiB: 256,
        statEvents: [],
        eventfdFilter: null,
        strace: null,
        privilege,
      });
      ctx.log(argv.join(' '));
      const rec = background(argv);
      const end = await rec.exited;
      if (end.code !== 0) throw new Error(`perf record failed: ${rec.output().slice(-300)}`);
      samples = /\((\d+) samples\)/.exec(rec.output())?.[1] ?? '?';
    } finally {
      await load.stop();
      await server.stop();
    }

    const sessionReport = [
      'perf',
      'report',
      '-i',
      data,
      '--stdio',
      '--children',
      '-g',
      'none',
      '--sort',
      'dso,sym',
      '--percent-limit',
      '0.05',
      '--no-inline',
    ];
    const ours: number[] = [];
    const plain: number[] = [];
    const same: number[] = [];
    let stacks = 0;
    let hotspots = 0;
    for (let i = 0; i < runs; i++) {
      const host = new LocalHost();
      const t0 = performance.now();
      const out = await postprocess(host, {
        dir,
        perf: 'perf',
        children: true,
        privilege,
        signal: new AbortController().signal,
        timeoutMs: 300_000,
      });
      if (out.failure) throw new Error(out.failure);
      hotspots = parseHotspots(out.report).hotspots.length;
      stacks = foldStacks(out.fold.scriptText()).length;
      ours.push(performance.now() - t0);
      await host.dispose();
      const a = await measure(['perf', 'report', '--stdio', '-i', data], {
        stdoutFile: join(dir, 'plain-report.txt'),
        timeoutMs: 300_000,
        scratch: dir,
      });
      if (a.exitCode !== 0) throw new Error(`perf report --stdio failed: ${a.stderr.slice(-300)}`);
      plain.push(a.wallMs);
      const b = await measure(sessionReport, {
        stdoutFile: join(dir, 'session-report.txt'),
        timeoutMs: 300_000,
        scratch: dir,
      });
      if (b.exitCode !== 0) throw new Error(`perf report (session options) failed: ${b.stderr.slice(-300)}`);
      same.push(b.wallMs);
      ctx.log(`run ${i + 1}: ${fmt(ours[i])} ms vs perf report ${fmt(plain[i])} ms / ${fmt(same[i])} ms`);
    }
    const o = stat(ours);
    const p = stat(plain);
    const s = stat(same);
    const ratio = o.median / p.median;
    section.method.push(
      `perf.data: \`${'perf record --no-buildid-cache -F 999 -g -p PID -- sleep ' + seconds}\` (the session's own argv) ` +
        `on the demo server under wrk load: ${samples} samples. Perf Lens: the session's post-processing as it runs ` +
        'after a recording: `postprocess()` on a LocalHost (`perf report` in the background while `perf script` ' +
        'streams through the fold on the target, then the report comes back) plus parsing the report into hotspots ' +
        `and decoding the folded stacks (${hotspots} hotspots, ${stacks} unique stacks). ${runs} runs, interleaved with ` +
        'the baselines.',
      'Baselines, each a child process writing to a file: `perf report --stdio -i perf.data` with its defaults ' +
        '(what a user would run; with call graphs) — the target is against this one — and the exact `perf report` ' +
        'invocation the session uses (`--children -g none --sort dso,sym --percent-limit 0.05 --no-inline`), to show ' +
        'what the added `perf script` fold costs.',
    );
    section.rows.push({
      name: 'post-processing vs `perf report --stdio`',
      unit: 'ms',
      value: o,
      baseline: { name: '`perf report --stdio`', value: p },
      ratio: { value: ratio, text: '× perf report' },
      target: {
        text: `≤ ${TARGET}× the time of \`perf report --stdio\` alone`,
        met: ratio <= TARGET,
        gap: ratio > TARGET ? `${fmt(ratio)}× instead of ≤ ${TARGET}×` : undefined,
        limits:
          ratio > TARGET
            ? `\`perf script\` (symbolising every sample again) runs beside \`perf report\` on ${'a 2-core machine'}; ` +
              `the session's perf report alone takes ${fmt(s.median)} ms`
            : undefined,
      },
    });
    section.rows.push({
      name: 'post-processing vs the session’s own `perf report` invocation',
      unit: 'ms',
      value: o,
      baseline: { name: '`perf report … -g none --sort dso,sym`', value: s },
      ratio: { value: o.median / s.median, text: '× that perf report' },
    });
  },
};
