/**
 * 3. Post-processing after recording: the session's own post-processing — `postprocessRecording()`, the function
 * the session's postprocessPhase calls (`perf script` → fold on the target, then hotspots and folded stacks from
 * those samples) — against `perf report --stdio` alone on the same perf.data.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../src/core/host';
import { postprocessRecording } from '../../src/core/session/postprocess';
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
    let recordCommand = 'perf record';
    let pid = 0;
    try {
      await sleep(1000);
      const argv = perfRecordArgv({
        pid: server.pid,
        dir,
        seconds,
        scope: 'system',
        countSeconds: 2,
        perf: 'perf',
        frequency: 999,
        callGraph: 'fp',
        maxMiB: 256,
        statEvents: [],
        eventfdFilter: null,
        strace: null,
        privilege,
      });
      recordCommand = argv.slice(argv.indexOf('perf')).join(' ').replace(dir, 'DIR');
      pid = server.pid;
      ctx.log(`${recordCommand} for ${seconds} s`);
      const rec = background(argv);
      const end = await rec.exited;
      if (end.code !== 0) throw new Error(`perf record failed: ${rec.output().slice(-300)}`);
    } finally {
      await load.stop();
      await server.stop();
    }

    const sessionReport = [
      'perf',
      'report',
      '-i',
      data,
      `--pid=${pid}`,
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
    // The session's perf script reads the recording's copy of /proc/kallsyms when there is one: so does the reference.
    const kallsyms = existsSync(join(dir, 'kallsyms')) ? [`--kallsyms=${join(dir, 'kallsyms')}`] : [];
    const ours: number[] = [];
    const plain: number[] = [];
    const same: number[] = [];
    const onTarget: number[] = [];
    const script: number[] = [];
    const parse: number[] = [];
    const fold: number[] = [];
    let stacks = 0;
    let hotspots = 0;
    for (let i = 0; i < runs; i++) {
      const host = new LocalHost();
      const t0 = performance.now();
      const r = await postprocessRecording(host, {
        dir,
        perf: 'perf',
        children: true,
        pid,
        privilege,
        signal: new AbortController().signal,
        timeoutMs: 300_000,
      });
      samples = r.sampleCount?.toLocaleString('en-US') ?? '?';
      ours.push(performance.now() - t0);
      const out = r.outcome;
      if (out.failure) throw new Error(out.failure);
      if (out.foldError) throw new Error(`the folded stacks could not be read: ${out.foldError}`);
      hotspots = r.hotspots?.length ?? 0;
      if (hotspots === 0 || !r.collapser) throw new Error('the post-processing produced no hotspots');
      stacks = r.collapser.stacks().size;
      onTarget.push(r.timings.onTargetMs);
      parse.push(r.timings.hotspotsMs);
      fold.push(r.timings.foldMs);
      await host.dispose();
      const a = await measure(['perf', 'report', '--stdio', `--pid=${pid}`, '-i', data], {
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
      const c = await measure(
        [
          'perf',
          'script',
          '-i',
          data,
          ...kallsyms,
          `--pid=${pid}`,
          '-F',
          'comm,pid,tid,time,event,ip,sym,dso',
          '--no-inline',
        ],
        { stdoutFile: join(dir, 'script.txt'), timeoutMs: 300_000, scratch: dir },
      );
      if (c.exitCode === 0) script.push(c.wallMs);
      ctx.log(`run ${i + 1}: ${fmt(ours[i])} ms vs perf report ${fmt(plain[i])} ms / ${fmt(same[i])} ms`);
    }
    const o = stat(ours);
    const p = stat(plain);
    const s = stat(same);
    const ratio = o.median / p.median;
    section.method.push(
      `perf.data: \`${recordCommand}\` for ${seconds} s (the session's own \`perfRecordArgv\`) ` +
        `on the demo server under wrk load (all CPUs sampled, as the session does as root; ${samples} samples of the ` +
        "demo kept by `--pid`). Perf Lens: the session's post-processing as it runs " +
        'after a recording: `postprocessRecording()` on a LocalHost, the function `postprocessPhase` in ' +
        'src/core/session/profile.ts calls (one pass over perf.data: `perf script` — with the copy of /proc/kallsyms ' +
        'the recording made — streams through the fold on the target and only the unique stacks come back; then the ' +
        `hotspots and the folded stacks are computed from those samples: ${hotspots} hotspots, ${stacks} unique ` +
        `stacks). ${runs} runs, interleaved with the baselines.`,
      'Baselines, each a child process writing to a file: `perf report --stdio --pid=PID -i perf.data` with its ' +
        'defaults (what a user would run for this process; with call graphs) — the target is against this one — and `perf report --children ' +
        '-g none --sort dso,sym --percent-limit 0.05 --no-inline`, the same aggregate (self and children per ' +
        'function and object) that the session now computes from the samples instead.',
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
            ? `on the target (perf script → fold, ${fmt(stat(onTarget).median)} ms), \`perf script\` symbolises and ` +
              `prints every sample (alone, to a file, it takes ${script.length ? fmt(stat(script).median) : '?'} ms: ` +
              `reference row); then, in Node, the hotspots take ${fmt(stat(parse).median)} ms and folding the stacks ` +
              `${fmt(stat(fold).median)} ms`
            : undefined,
      },
    });
    section.rows.push({ name: 'of which: on the target (postprocess())', unit: 'ms', value: stat(onTarget) });
    if (script.length) {
      section.rows.push({
        name: 'reference: the session’s `perf script` alone, to a file',
        unit: 'ms',
        value: stat(script),
        note: `perf script ${kallsyms.length ? '--kallsyms=DIR/kallsyms ' : ''}-F comm,pid,tid,time,event,ip,sym,dso --no-inline`,
      });
    }
    section.rows.push({
      name: 'of which: hotspots from the folded samples (hotspotsFromFold)',
      unit: 'ms',
      value: stat(parse),
    });
    section.rows.push({ name: 'of which: folding the stacks (foldCollapser)', unit: 'ms', value: stat(fold) });
    section.rows.push({
      name: 'post-processing vs `perf report --children -g none --sort dso,sym`',
      unit: 'ms',
      value: o,
      baseline: { name: '`perf report` for the same hotspots', value: s },
      ratio: { value: o.median / s.median, text: '× that perf report' },
    });
  },
};
