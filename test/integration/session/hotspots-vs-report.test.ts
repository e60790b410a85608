/**
 * The session computes hotspots from the perf script samples instead of running perf report as well (one
 * pass over perf.data). On a real recording of the loaded demo, they must agree with `perf report
 * --children --sort dso,sym` on the same perf.data.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../../src/core/host/local-host';
import { postprocess, postprocessRecording } from '../../../src/core/session/postprocess';
import { hotspotsFromFold } from '../../../src/core/session/hotspots';
import { parseHotspots } from '../../../src/core/session/integrations';
import { choosePrivilege } from '../../../src/core/session/privilege';
import { perfRecordArgv } from '../../../src/core/session/record';
import { startDemoServer, startLoad, type DemoServer } from '../../helpers/demo-server';
import { assertNothingLeft, isolateTempDir } from '../../helpers/processes';
import { SESSION_TREE } from './session-helpers';

const tmp = isolateTempDir();
const options = () => ({
  perf: 'perf',
  children: true,
  signal: new AbortController().signal,
  timeoutMs: 120_000,
});
let demo: DemoServer;
before(async () => {
  demo = await startDemoServer({ threads: 2 });
});
after(async () => {
  await demo?.stop();
  tmp.restore();
});

test('hotspots from the samples match perf report on the same perf.data', { timeout: 120_000 }, async () => {
  const host = new LocalHost();
  const load = startLoad(demo.port, { seconds: 40, connections: 50 });
  try {
    const dir = await host.makeTempDir('perf-lens-rec');
    const privilege = choosePrivilege(process.getuid?.() ?? null, 'root', { sudo: 'never' });
    const plan = {
      pid: demo.pid,
      dir,
      seconds: 3,
      // CPU-wide, as the session records when it may: the comparison then also checks the --pid filtering.
      scope: 'system' as const,
      countSeconds: 2,
      perf: 'perf',
      frequency: 999,
      callGraph: 'fp' as const,
      maxMiB: 64,
      statEvents: [],
      eventfdFilter: null,
      strace: null,
      privilege,
      control: true,
    };
    const argv = perfRecordArgv(plan);
    const rec = await host.run(argv, { timeoutMs: 60_000 });
    assert.equal(rec.exitCode, 0, rec.stderr);
    // The recording leaves a complete copy of /proc/kallsyms for perf script, and no partial one.
    assert.ok(statSync(join(dir, 'kallsyms')).size > 1000, 'kallsyms copy');
    assert.equal(existsSync(join(dir, 'kallsyms.part')), false);
    const out = await postprocess(host, {
      dir,
      perf: 'perf',
      children: true,
      privilege,
      signal: new AbortController().signal,
      timeoutMs: 120_000,
      withReport: true,
    });
    assert.equal(out.failure, null);
    const ours = hotspotsFromFold(out.fold, 5000);
    const theirs = parseHotspots(out.report);
    assert.ok(theirs.report && theirs.hotspots.length > 20);
    assert.equal(ours.samples, out.fold.result().samples);
    assert.ok(ours.samples > 100, `samples ${ours.samples}`);
    // perf report names unresolved addresses; perf script calls them [unknown]: compare resolved symbols.
    const top = theirs.hotspots.filter((h) => !h.symbol.startsWith('0x')).slice(0, 25);
    for (const h of top) {
      const mine = ours.hotspots.find((x) => x.symbol === h.symbol && x.dso === h.dso);
      assert.ok(mine, `${h.symbol} (${h.dso}) among the computed hotspots`);
      assert.equal(mine.kernel, h.kernel, h.symbol);
      assert.ok(Math.abs(mine.self - h.self) <= 0.3, `${h.symbol} self ${mine.self} vs perf report ${h.self}`);
      assert.ok(
        Math.abs((mine.children ?? 0) - (h.children ?? 0)) <= 0.5,
        `${h.symbol} children ${mine.children} vs perf report ${h.children}`,
      );
    }

    // perf script with the recording's kallsyms copy folds exactly what it folds reading /proc/kallsyms itself;
    // a copy without addresses (what an unprivileged reader gets) is not used.
    // The recording holds every process's samples; --pid keeps the demo's, and only the demo's.
    const demoOnly = await postprocessRecording(host, { ...options(), dir, privilege, pid: demo.pid });
    const demoStacks = [...(demoOnly.collapser?.stacks().keys() ?? [])];
    assert.ok(demoStacks.length > 10);
    assert.deepEqual(
      demoStacks.filter((k) => !k.startsWith('tcp_demo')),
      [],
    );
    const withCopy = await postprocessRecording(host, { ...options(), dir, privilege });
    const stacks = withCopy.collapser?.stacks();
    assert.ok(stacks && stacks.size > 10);
    assert.ok(
      [...stacks.keys()].some((k) => k.startsWith('wrk')),
      'without --pid, the load generator sampled on the other CPU is there',
    );
    assert.ok(
      [...stacks.keys()].some((k) => k.includes('do_syscall_64')),
      'kernel frames are symbolised',
    );
    const text = readFileSync(join(dir, 'kallsyms'), 'utf8');
    writeFileSync(
      join(dir, 'kallsyms'),
      text.replace(/^[0-9a-f]+ /gm, (a) => '0'.repeat(a.length - 1) + ' '),
    );
    const zeroed = await postprocessRecording(host, { ...options(), dir, privilege });
    rmSync(join(dir, 'kallsyms'));
    const without = await postprocessRecording(host, { ...options(), dir, privilege });
    assert.deepEqual(new Map(without.collapser?.stacks()), new Map(stacks));
    assert.deepEqual(new Map(zeroed.collapser?.stacks()), new Map(stacks));
    assert.deepEqual(without.hotspots, withCopy.hotspots);
    await host.removeTempDir(dir);
  } finally {
    await load.stop();
    await host.dispose();
  }
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
});
