/**
 * Profiling sessions on this machine: the demo server under wrk load, a complete session, cancels at several
 * phases, the target exiting mid-recording, and refusals — each time nothing may be left running or on disk.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { LocalHost } from '../../../src/core/host/local-host';
import { UserError } from '../../../src/core/errors';
import { listProcesses, resolveTerminalProcesses } from '../../../src/core/session/profile';
import { startDemoServer, startLoad, type DemoServer } from '../../helpers/demo-server';
import { assertNothingLeft, isolateTempDir, leftoverTempDirs } from '../../helpers/processes';
import { assertDemoProfile, assertSchemaValid, runProfile, SESSION_TREE } from './session-helpers';

const tmp = isolateTempDir();
let demo: DemoServer;
const T = { timeout: 90_000 };

before(async () => {
  demo = await startDemoServer({ threads: 2 });
});
after(async () => {
  await demo?.stop();
  tmp.restore();
});

/** Each test gets its own bounded wrk run, so the demo is busy however long the tests before took. */
async function withHost<T>(fn: (h: LocalHost) => Promise<T>): Promise<T> {
  const h = new LocalHost();
  const load = startLoad(demo.port, { seconds: 60, connections: 50 });
  try {
    return await fn(h);
  } finally {
    await load.stop();
    await h.dispose();
    await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
  }
}

test('profiles the loaded demo server by port: threads, hot path, eventfd writes, live data', T, () =>
  withHost(async (host) => {
    const r = await runProfile(host, { kind: 'port', port: demo.port }, { durationSeconds: 2 });
    assertDemoProfile(r, demo.pid);
    assert.deepEqual(r.profile.target.listeningPorts, [demo.port]);
    assert.equal(r.profile.target.transport, 'local');
    process.stderr.write(`# local: first live event after ${r.firstLiveMs} ms\n`);
    assert.deepEqual(leftoverTempDirs(tmp.dir), [], 'perf.data and its temp dir are gone');
    // As root, perf sampled every CPU and only the demo's samples were kept; the counts came before sampling.
    const record = r.profile.sources.find((s) => s.tool === 'perf record');
    assert.match(record?.command ?? '', / -a /);
    assert.match(record?.command ?? '', /PID \d+'s samples kept by perf script --pid/);
    assert.match(
      r.profile.sources.find((s) => s.tool === 'perf stat')?.command ?? '',
      /\(2 s, while perf record started\)$/,
    );
    const others = r.profile.folded.filter((f) => !f.stack.startsWith('tcp_demo'));
    assert.deepEqual(others.slice(0, 3), [], 'no stack of another process (wrk runs on the other CPU)');
  }),
);

test('a pinned server: perf samples only the CPU it may run on (-C), and says so', T, async () => {
  const online = cpus().length;
  const pinned = await startDemoServer({ threads: 2, cpus: '0' });
  const load = startLoad(pinned.port, { seconds: 60, connections: 50 });
  const h = new LocalHost();
  try {
    const r = await runProfile(h, { kind: 'pid', pid: pinned.pid }, { durationSeconds: 2 });
    assertDemoProfile(r, pinned.pid);
    const record = r.profile.sources.find((s) => s.tool === 'perf record')?.command ?? '';
    const note = r.profile.dataQuality.find((n) => n.id === 'sampled-cpus');
    if (online > 1) {
      assert.match(record, / -C 0 /);
      assert.doesNotMatch(record, / -a /);
      assert.match(record, /CPUs 0 sampled/);
      assert.match(note?.message ?? '', /perf samples CPUs 0 only \(-C\)/);
    } else {
      assert.match(record, / -a /);
      assert.equal(note, undefined);
    }
  } finally {
    await load.stop();
    await h.dispose();
    await pinned.stop();
    await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
  }
});

test('per-thread sampling (scope "process") gives the same demo profile', T, () =>
  withHost(async (host) => {
    const r = await runProfile(host, { kind: 'pid', pid: demo.pid }, { durationSeconds: 2, recordScope: 'process' });
    assertDemoProfile(r, demo.pid);
    const record = r.profile.sources.find((s) => s.tool === 'perf record');
    assert.match(record?.command ?? '', new RegExp(` -p ${demo.pid} `));
    assert.doesNotMatch(record?.command ?? '', / -a /);
  }),
);

test('cancel before anything ran returns an empty partial profile at once', T, () =>
  withHost(async (host) => {
    const controller = new AbortController();
    controller.abort();
    const r = await runProfile(host, { kind: 'pid', pid: demo.pid }, { durationSeconds: 2 }, { controller });
    assert.equal(r.profile.partial, true);
    assert.match(r.profile.partialReason ?? '', /^cancelled during resolve/);
    assert.equal(r.events.at(-1)?.type, 'done');
    assertSchemaValid(r.profile);
  }),
);

test('cancel during recording keeps the live data gathered so far', T, () =>
  withHost(async (host) => {
    const r = await runProfile(
      host,
      { kind: 'pid', pid: demo.pid },
      { durationSeconds: 20 },
      {
        onEvent: (e, c) => {
          // The first progress 2 s or more into the window (a busy event loop can skip a count).
          if (
            e.type === 'progress' &&
            e.phase === 'record' &&
            Number(/^Recording (\d+)\//.exec(e.message)?.[1] ?? 0) >= 2
          )
            c.abort();
        },
      },
    );
    const p = r.profile;
    assert.equal(p.partial, true);
    assert.match(p.partialReason ?? '', /^cancelled during record/);
    assert.ok(p.timeline.length >= 2, `timeline kept: ${p.timeline.length}`);
    assert.ok(
      p.threads.some((t) => t.name.startsWith('tcp_demo-w')),
      'thread breakdown kept',
    );
    assert.equal(p.hotspots.length, 0, 'no post-processing after a cancel');
    assertSchemaValid(p);
  }),
);

test('cancel during post-processing stops perf script and the fold on the target', T, () =>
  withHost(async (host) => {
    const r = await runProfile(
      host,
      { kind: 'pid', pid: demo.pid },
      { durationSeconds: 2 },
      {
        onEvent: (e, c) => {
          if (e.type === 'progress' && e.phase === 'postprocess' && e.fraction < 0.9) c.abort();
        },
      },
    );
    assert.equal(r.profile.partial, true);
    assert.match(r.profile.partialReason ?? '', /^cancelled during postprocess/);
    assert.ok(r.profile.eventfd && (r.profile.eventfd.writesPerSecond ?? 0) > 0, 'in-kernel counts kept');
  }),
);

test('no match and several matches are refused with a clear UserError, nothing left behind', T, () =>
  withHost(async (host) => {
    await assert.rejects(
      runProfile(host, { kind: 'port', port: 1 }, { durationSeconds: 2 }),
      (e: unknown) => e instanceof UserError && /no process matches listening port 1/.test(e.message),
    );
    const second = await startDemoServer({ threads: 1 });
    try {
      await assert.rejects(
        runProfile(host, { kind: 'exe', path: demoExe() }, { durationSeconds: 2 }),
        (e: unknown) =>
          e instanceof UserError &&
          /processes match executable/.test(e.message) &&
          e.message.includes(String(demo.pid)) &&
          e.message.includes(String(second.pid)),
      );
    } finally {
      await second.stop();
    }
  }),
);

test('listProcesses and resolveTerminalProcesses see the demo with its port and threads', T, () =>
  withHost(async (host) => {
    // wrk needs a moment to connect: until then the demo is rightly at 0% CPU. Poll the listing (as the
    // Processes view does every 2 s) until the load shows, for at most 15 s.
    let d: Awaited<ReturnType<typeof listProcesses>>[number] | undefined;
    for (const deadline = Date.now() + 15_000; ;) {
      d = (await listProcesses(host)).find((p) => p.pid === demo.pid);
      if (!d || (d.cpu !== null && d.cpu > 0) || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(d, 'demo listed');
    assert.deepEqual(d.ports, [demo.port]);
    assert.equal(d.threads, 3);
    assert.ok(d.cpu !== null && d.cpu > 0, `loaded demo has %CPU: ${d.cpu}`);
    const underTest = await resolveTerminalProcesses(host, process.pid);
    assert.ok(
      underTest.some((p) => p.pid === demo.pid),
      'the demo is a child of this test process',
    );
  }),
);

function demoExe(): string {
  return new URL('../../../examples/tcp-demo/build/tcp_demo', import.meta.url).pathname;
}

test('live-only monitoring streams breakdowns until stopped, runs nothing but the sampler, ends not partial', T, () =>
  withHost(async (host) => {
    let lives = 0;
    const r = await runProfile(
      host,
      { kind: 'pid', pid: demo.pid },
      { liveOnly: true },
      {
        onEvent: (e, c) => {
          if (e.type === 'live' && ++lives === 3) c.abort();
        },
      },
    );
    const p = r.profile;
    assert.equal(p.partial, false, `${p.partialReason}`);
    assert.ok(p.timeline.length >= 3);
    assert.ok(p.dataQuality.some((n) => n.id === 'live-only'));
    assert.equal(p.hotspots.length, 0);
    assert.ok(p.threads.some((t) => t.name.startsWith('tcp_demo-w') && (t.cpu ?? 0) > 0));
    assert.ok(!r.events.some((e) => e.type === 'progress' && e.phase === 'record'));
  }),
);
