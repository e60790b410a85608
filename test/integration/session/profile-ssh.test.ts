/**
 * The same sessions over ssh to a real sshd on 127.0.0.1: every command runs through the system ssh client,
 * only aggregates come back, and a cancel or a target exit leaves nothing running on the "remote" side.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { SshHost } from '../../../src/core/host/ssh-host';
import { startDemoServer, startLoad, type DemoServer } from '../../helpers/demo-server';
import { assertNothingLeft, isolateTempDir } from '../../helpers/processes';
import { recordingAtLeast } from '../../helpers/progress';
import { startSshd, type TestSshd } from '../../helpers/sshd';
import { assertDemoProfile, runProfile, SESSION_TREE } from './session-helpers';

const tmp = isolateTempDir();
let sshd: TestSshd;
let demo: DemoServer;
const T = { timeout: 90_000 };

before(async () => {
  sshd = await startSshd();
  demo = await startDemoServer({ threads: 2 });
});
after(async () => {
  await demo?.stop();
  await sshd?.stop();
  tmp.restore();
});

/** Each test gets its own bounded wrk run, so the demo is busy however long the tests before took. */
async function withHost<T>(fn: (h: SshHost) => Promise<T>): Promise<T> {
  const h = new SshHost(sshd.target, sshd.sshHostOptions);
  const load = startLoad(demo.port, { seconds: 60, connections: 50 });
  try {
    return await fn(h);
  } finally {
    await load.stop();
    await h.dispose();
    await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
  }
}

test('profiles the loaded demo server over ssh: same contents as locally', T, () =>
  withHost(async (host) => {
    const r = await runProfile(host, { kind: 'port', port: demo.port }, { durationSeconds: 2 });
    assertDemoProfile(r, demo.pid);
    assert.equal(r.profile.target.transport, 'ssh');
    process.stderr.write(`# ssh: first live event after ${r.firstLiveMs} ms\n`);
  }),
);

test('cancel over ssh during recording stops perf on the remote side and keeps the live data', T, () =>
  withHost(async (host) => {
    const r = await runProfile(
      host,
      { kind: 'pid', pid: demo.pid },
      { durationSeconds: 20 },
      {
        onEvent: (e, c) => {
          // The first count at 1 s or later (the 1 s progress timer can skip a count); a second abort is a no-op.
          if (recordingAtLeast(e, 1) && !c.signal.aborted) c.abort();
        },
      },
    );
    assert.equal(r.profile.partial, true);
    assert.match(r.profile.partialReason ?? '', /^cancelled during record/);
    assert.ok(r.profile.timeline.length >= 1);
  }),
);

test('cancel over ssh during probing returns at once', T, () =>
  withHost(async (host) => {
    const r = await runProfile(
      host,
      { kind: 'name', name: 'tcp_demo-never-matches' },
      { durationSeconds: 2 },
      {
        onEvent: (e, c) => {
          if (e.type === 'progress' && e.phase === 'resolve') setTimeout(() => c.abort(), 50);
        },
      },
    );
    assert.equal(r.profile.partial, true);
    assert.match(r.profile.partialReason ?? '', /^cancelled during (resolve|probe)/);
  }),
);
