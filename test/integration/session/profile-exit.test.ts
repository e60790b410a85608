/**
 * The target exiting mid-recording, locally and over ssh: the session ends early and cleanly, post-processes
 * what perf recorded before the exit, says so in a partial Profile, and leaves nothing behind. The victim
 * runs under a light load of its own and is stopped 2 s into the window (the window starts once perf really samples).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Host } from '../../../src/core/host/types';
import { LocalHost } from '../../../src/core/host/local-host';
import { SshHost } from '../../../src/core/host/ssh-host';
import { startDemoServer, startLoad } from '../../helpers/demo-server';
import { assertNothingLeft, isolateTempDir } from '../../helpers/processes';
import { startSshd, type TestSshd } from '../../helpers/sshd';
import { assertSchemaValid, runProfile, SESSION_TREE } from './session-helpers';

const tmp = isolateTempDir();
let sshd: TestSshd;
const T = { timeout: 90_000 };

before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
  tmp.restore();
});

async function exitMidRecording(host: Host): Promise<void> {
  const victim = await startDemoServer({ threads: 2 });
  const load = startLoad(victim.port, { seconds: 40, connections: 10 });
  try {
    const r = await runProfile(
      host,
      { kind: 'pid', pid: victim.pid },
      { durationSeconds: 20 },
      {
        onEvent: (e) => {
          // The first progress 2 s or more into the window (a busy event loop can skip a count).
          if (
            e.type === 'progress' &&
            e.phase === 'record' &&
            Number(/^Recording (\d+)\//.exec(e.message)?.[1] ?? 0) >= 2
          )
            void victim.stop();
        },
      },
    );
    const p = r.profile;
    assert.equal(p.partial, true);
    assert.match(p.partialReason ?? '', /target process exited during record/);
    assert.ok(r.events.some((e) => e.type === 'warning' && /exited/.test(e.message)));
    // The window ended with the target, not after the 20 s asked for.
    assert.ok(p.durationSeconds !== null && p.durationSeconds < 10, `recorded ${p.durationSeconds} s`);
    assert.ok(p.timeline.length >= 2, 'live data before the exit is kept');
    assert.ok(
      p.hotspots.length > 0 && (p.sampleCount ?? 0) > 0,
      `what perf recorded before the exit was post-processed: ${p.partialReason}; samples ${p.sampleCount}`,
    );
    assert.equal(r.events.at(-1)?.type, 'done');
    assertSchemaValid(p);
  } finally {
    await load.stop();
    await victim.stop();
    await host.dispose();
  }
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
}

test('locally: the target exiting mid-recording ends the session with what was recorded', T, () =>
  exitMidRecording(new LocalHost()),
);

test('over ssh: the target exiting mid-recording ends the session with what was recorded', T, () =>
  exitMidRecording(new SshHost(sshd.target, sshd.sshHostOptions)),
);
