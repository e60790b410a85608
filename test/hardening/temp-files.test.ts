/**
 * Temp files on the target: the session's perf.data dir (and the ssh wrapper's stdin FIFO dir, and the
 * local ssh ControlPath dir) are private (0700, owned by the user), have unpredictable names, and are removed
 * on every path — success, cancel, failure — locally and over ssh. (Target exit and faults: faults.test.ts.)
 */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { after, before, test } from 'node:test';
import { LocalHost } from '../../src/core/host/local-host';
import { SshHost } from '../../src/core/host/ssh-host';
import type { Host } from '../../src/core/host/types';
import { profile } from '../../src/core/session/profile';
import type { SessionOptions } from '../../src/core/session/types';
import { startDemoServer, startLoad, type DemoServer, type LoadRun } from '../helpers/demo-server';
import { assertNothingLeft, isolateTempDir } from '../helpers/processes';
import { startSshd, type TestSshd } from '../helpers/sshd';

const SESSION_TREE = ['perf', 'sleep', 'sh', 'grep', 'awk', 'cat', 'ls', 'ssh', 'kill', 'dd'];
const tmp = isolateTempDir();
let sshd: TestSshd;
let demo: DemoServer;
let load: LoadRun;

before(async () => {
  sshd = await startSshd();
  demo = await startDemoServer({ threads: 2 });
  load = startLoad(demo.port, { seconds: 60, connections: 8 });
});
after(async () => {
  await load?.stop();
  await demo?.stop();
  await sshd?.stop();
  tmp.restore();
});

interface Seen {
  path: string;
  mode: number;
  uid: number;
}

/**
 * The session's temp dirs as they are while it records (the remote TMPDIR is this test's, through sshd);
 * not the local ssh ControlPath dir, which lives there too and is checked on its own.
 */
function look(): Seen[] {
  return readdirSync(tmp.dir)
    .filter((e) => e.startsWith('perf-lens-') && !e.startsWith('perf-lens-ssh-'))
    .map((e) => {
      const st = statSync(join(tmp.dir, e));
      return { path: join(tmp.dir, e), mode: st.mode & 0o777, uid: st.uid };
    });
}

async function session(
  host: Host,
  options: Partial<SessionOptions>,
  cancelAt: 'never' | 'record' = 'never',
): Promise<{ seen: Seen[]; partial: boolean; reason: string | null; timeline: number }> {
  const controller = new AbortController();
  let seen: Seen[] = [];
  const p = await profile(
    host,
    { kind: 'pid', pid: demo.pid },
    { durationSeconds: 2, ...options },
    (e) => {
      if (e.type === 'progress' && e.phase === 'record' && seen.length === 0) {
        seen = look();
        if (cancelAt === 'record') controller.abort();
      }
    },
    controller.signal,
  );
  return { seen, partial: p.partial, reason: p.partialReason, timeline: p.timeline.length };
}

function assertPrivate(seen: Seen[], what: string): void {
  assert.ok(seen.length > 0, `${what}: the session had its temp dir while recording`);
  for (const s of seen) {
    assert.equal(s.mode, 0o700, `${s.path} is 0700`);
    assert.equal(s.uid, process.getuid!(), `${s.path} belongs to the user`);
    // mkdtemp/mktemp add 6 random characters from [A-Za-z0-9] (~36 bits): not guessable in advance.
    assert.match(basename(s.path), /^perf-lens-[A-Za-z0-9._-]*[A-Za-z0-9]{6}$/);
  }
}

test('locally: private and removed after success, after a cancel and after perf fails', async () => {
  const host = new LocalHost();
  try {
    const ok = await session(host, {});
    assertPrivate(ok.seen, 'success');
    assert.deepEqual(look(), [], 'removed after success');

    const cancelled = await session(host, {}, 'record');
    assertPrivate(cancelled.seen, 'cancel');
    assert.equal(cancelled.partial, true);
    assert.deepEqual(look(), [], 'removed after cancel');

    // A perf that fails at once (a real binary that is not perf): the session goes on with live data.
    const failed = await session(host, { toolPaths: { perf: '/bin/false' } });
    assertPrivate(failed.seen, 'failure');
    assert.equal(failed.partial, true);
    assert.match(failed.reason ?? '', /perf record failed/);
    assert.ok(failed.timeline >= 2, `the window still ran with live data (${failed.timeline} samples)`);
    assert.deepEqual(look(), [], 'removed after failure');

    // Names never repeat: 20 dirs, 20 different random parts.
    const dirs = await Promise.all(Array.from({ length: 20 }, () => host.makeTempDir('perf-lens-rec')));
    assert.equal(new Set(dirs).size, 20);
    for (const d of dirs) await host.removeTempDir(d);
  } finally {
    await host.dispose();
  }
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
});

/** perf writes the vDSO it finds in samples to /tmp/perf-vdso.so-XXXXXX (a fixed folder, not TMPDIR). */
function vdsoCopies(): string[] {
  return readdirSync('/tmp').filter((e) => e.startsWith('perf-vdso.so-'));
}

test('a cancel in the middle of the sampling window leaves no copy of the vDSO in /tmp', async () => {
  // perf record killed during its exit-time build-id pass used to leave one (the session now skips that pass).
  const before = new Set(vdsoCopies());
  const host = new LocalHost();
  try {
    for (let i = 0; i < 3; i++) {
      const controller = new AbortController();
      const p = await profile(
        host,
        { kind: 'pid', pid: demo.pid },
        { durationSeconds: 20 },
        (e) => {
          const n = e.type === 'progress' && e.phase === 'record' ? /^Recording (\d+)\//.exec(e.message) : null;
          if (n && Number(n[1]) >= 1 + i) controller.abort();
        },
        controller.signal,
      );
      assert.equal(p.partial, true);
      assert.match(p.partialReason ?? '', /cancelled during record/);
    }
  } finally {
    await host.dispose();
  }
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
  assert.deepEqual(
    vdsoCopies().filter((e) => !before.has(e)),
    [],
    'no /tmp/perf-vdso.so-* left by the cancelled sessions',
  );
});

test('over ssh: the same for the remote perf.data dir, the stdin FIFO dir and the local ControlPath dir', async () => {
  const host = new SshHost(sshd.target, sshd.sshHostOptions);
  let control: string | null = null;
  try {
    await host.connect();
    control = host.controlPath;
    assert.ok(control);
    const st = statSync(join(control, '..'));
    assert.equal(st.mode & 0o777, 0o700, 'the ControlPath dir is private');
    assert.match(basename(join(control, '..')), /^perf-lens-ssh-[A-Za-z0-9]{6}$/);

    const ok = await session(host, {});
    assertPrivate(ok.seen, 'ssh success');
    assert.deepEqual(look(), [], 'removed after success');
    const cancelled = await session(host, {}, 'record');
    assertPrivate(cancelled.seen, 'ssh cancel');
    assert.equal(cancelled.partial, true);
    assert.deepEqual(look(), [], 'removed after cancel');

    // The wrapper's FIFO dir for a command with stdin: private while the command runs, gone after.
    const r = await host.run(['sh', '-c', 'cat >/dev/null; ls -ld "$TMPDIR"/perf-lens-*'], { stdin: 'x\n' });
    assert.match(r.stdout, /^drwx------ /m, r.stdout);
    assert.deepEqual(look(), [], 'the FIFO dir is removed');
  } finally {
    await host.dispose();
  }
  assert.throws(() => statSync(control!), 'the ControlPath dir is removed on dispose');
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
});
