/**
 * The live sampler's in-process reading (local targets) against SAMPLER_SCRIPT (ssh targets): the same lines
 * from the same files, the same breakdowns, the same end when the target exits — and no process per reading.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { LocalHost } from '../../../src/core/host/local-host';
import { LiveSampler, type LiveUpdate, type SamplerEnd } from '../../../src/core/live/sampler';
import { readProcLines } from '../../../src/core/live/local-proc';
import { SAMPLER_SCRIPT } from '../../../src/core/live/sampler-script';
import { assertNothingLeft } from '../../helpers/processes';

let busy: ChildProcess;

before(() => {
  // Two threads' worth of work in one process tree is not needed: a shell spinning is a thread that burns CPU.
  busy = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
});
after(() => {
  busy.kill('SIGKILL');
});

test('one reading: the in-process lines are the script’s lines (target stopped, so nothing moves)', async () => {
  const host = new LocalHost();
  process.kill(busy.pid!, 'SIGSTOP');
  try {
    const r = await host.run(['sh', '-c', SAMPLER_SCRIPT, 'perf-lens-live', String(busy.pid), '0', '0', '1'], {
      timeoutMs: 10_000,
    });
    const script = r.stdout.split('\n');
    const body = script.slice(script.indexOf('@s') + 1, script.indexOf('@e'));
    const mine = await readProcLines(busy.pid!);
    assert.ok(mine);
    // /proc/stat's counters move between the two readings; everything about the stopped process must not.
    const steady = (lines: string[]) => lines.filter((l) => !l.startsWith('stat:'));
    assert.deepEqual(steady(mine), steady(body));
    assert.deepEqual(
      mine.filter((l) => l.startsWith('stat:')).map((l) => l.split(' ')[0]),
      body.filter((l) => l.startsWith('stat:')).map((l) => l.split(' ')[0]),
    );
    assert.ok(mine.some((l) => l.includes('/task/') && l.includes('voluntary_ctxt_switches')));
  } finally {
    process.kill(busy.pid!, 'SIGCONT');
    await host.dispose();
  }
});

async function sample(inProcess: boolean, ms: number): Promise<{ updates: LiveUpdate[]; commands: string[] }> {
  const host = new LocalHost();
  const commands: string[] = [];
  host.onCommand((e) => commands.push(e.argv.join(' ')));
  const updates: LiveUpdate[] = [];
  const s = new LiveSampler(host, busy.pid!, {
    maxSeconds: 30,
    firstIntervalMs: 300,
    intervalMs: 500,
    inProcess,
    onUpdate: (u) => updates.push(u),
  });
  await new Promise((r) => setTimeout(r, ms));
  const end = await s.stop();
  assert.equal(end.reason, 'stopped');
  await host.dispose();
  return { updates, commands };
}

test('in-process and script samplers give the same breakdowns; in-process runs no command per reading', async () => {
  const [mine, theirs] = await Promise.all([sample(true, 2400), sample(false, 2400)]);
  for (const { updates } of [mine, theirs]) {
    assert.ok(updates.length >= 3, `${updates.length} updates`);
    for (const u of updates.slice(1)) {
      assert.ok((u.breakdown.process?.cpu ?? 0) > 30, `the spinning shell is busy: ${u.breakdown.process?.cpu}`);
      assert.deepEqual(
        u.breakdown.threads.map((t) => t.tid),
        [busy.pid],
      );
    }
  }
  // The first update after ~0.3 s, then every 0.5 s: same schedule both ways.
  assert.ok(Math.abs(mine.updates[0].t - theirs.updates[0].t) < 0.3);
  assert.ok(mine.updates.length >= theirs.updates.length - 1);
  assert.deepEqual(mine.commands, ['getconf CLK_TCK'], 'one command at the start, none per reading');
  assert.equal(theirs.commands.length, 1);
  await assertNothingLeft(['sh', 'grep', 'sleep', 'getconf'], { waitMs: 3000, exceptPids: [busy.pid!] });
});

test('in-process: a target that exits ends the sampler with target-exited', async () => {
  const host = new LocalHost();
  const victim = spawn('sh', ['-c', 'while :; do :; done'], { stdio: 'ignore' });
  let exited = false;
  const s = new LiveSampler(host, victim.pid!, {
    maxSeconds: 30,
    intervalMs: 200,
    inProcess: true,
    onUpdate: () => undefined,
    onTargetExit: () => (exited = true),
  });
  await new Promise((r) => setTimeout(r, 700));
  victim.kill('SIGKILL');
  await new Promise((r) => victim.once('close', r));
  const end: SamplerEnd = await Promise.race([
    s.done,
    new Promise<SamplerEnd>((_, reject) => setTimeout(() => reject(new Error('sampler did not end')), 5000)),
  ]);
  assert.equal(end.reason, 'target-exited');
  assert.equal(exited, true);
  await host.dispose();
});
