/**
 * Faults during a real session against the demo server under wrk load: the target exits in each phase, the
 * ssh connection drops in each phase (the ControlMaster is SIGKILLed), a tool hangs (a stand-in perf),
 * perf is SIGKILLed, perf.data hits its size cap, the disk fills up (a 300 KB tmpfs as TMPDIR), and the
 * machine is overloaded (the demo pegs both cores). Each must end with a clear message, keep what was
 * gathered (marked partial), and leave nothing running and no temp dir behind.
 * (The target exiting mid-recording, locally and over ssh: test/integration/session/profile-exit.test.ts.)
 *
 * These runs take a few minutes, so they only run with PERF_LENS_LONG_FAULTS=1 — which `npm test`
 * (scripts/test.sh), and so CI, always sets.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, before, beforeEach, describe, test } from 'node:test';
import { HostError } from '../../src/core/host/types';
import { LocalHost } from '../../src/core/host/local-host';
import { SshHost } from '../../src/core/host/ssh-host';
import type { Host } from '../../src/core/host/types';
import { UserError } from '../../src/core/errors';
import type { Profile } from '../../src/core/profile';
import { profile } from '../../src/core/session/profile';
import type { SessionEvent, SessionOptions } from '../../src/core/session/types';
import { startDemoServer, startLoad, type DemoServer, type LoadRun } from '../helpers/demo-server';
import { assertNothingLeft, isolateTempDir, ourProcesses } from '../helpers/processes';
import { recordingAtLeast } from '../helpers/progress';
import { startSshd, type TestSshd } from '../helpers/sshd';

const LONG = process.env.PERF_LENS_LONG_FAULTS === '1';
const SESSION_TREE = ['perf', 'sleep', 'sh', 'grep', 'awk', 'cat', 'ls', 'ps', 'kill', 'ssh', 'dd', 'readlink'];
const T = { timeout: 120_000 };

interface Outcome {
  profile: Profile | null;
  error: unknown;
  events: SessionEvent[];
  ms: number;
}

/** Runs a session, calling `onEvent` with each event; never throws (the outcome says what happened). */
async function session(
  host: Host,
  pid: number,
  options: Partial<SessionOptions>,
  onEvent: (e: SessionEvent) => void = () => {},
): Promise<Outcome> {
  const events: SessionEvent[] = [];
  const t0 = performance.now();
  try {
    const p = await profile(host, { kind: 'pid', pid }, { durationSeconds: 3, ...options }, (e) => {
      events.push(e);
      onEvent(e);
    });
    return { profile: p, error: null, events, ms: performance.now() - t0 };
  } catch (error) {
    return { profile: null, error, events, ms: performance.now() - t0 };
  }
}

/** A partial profile whose reason matches, with the live data gathered before the fault. */
function assertPartial(o: Outcome, reason: RegExp, minTimeline = 1): Profile {
  assert.equal(o.error, null, `no exception: ${String(o.error)}`);
  const p = o.profile!;
  assert.equal(p.partial, true, 'marked partial');
  assert.match(p.partialReason ?? '', reason);
  assert.ok(p.timeline.length >= minTimeline, `live data kept: ${p.timeline.length} samples`);
  assert.equal(o.events.at(-1)?.type, 'done');
  return p;
}

/** A clear error (one a user can act on), never a crash. */
function assertClearError(o: Outcome, message: RegExp): void {
  assert.ok(o.error instanceof UserError || o.error instanceof HostError, `a UserError/HostError: ${String(o.error)}`);
  assert.match((o.error as Error).message, message);
  assert.ok((o.error as Error).message.length < 600);
}

const isProgress = (e: SessionEvent, phase: string, message?: RegExp) =>
  e.type === 'progress' && e.phase === phase && (!message || message.test(e.message));

if (!LONG) {
  process.stderr.write(
    '# faults.test.ts: long fault runs are off; PERF_LENS_LONG_FAULTS=1 runs them (npm test does)\n',
  );
} else {
  const tmp = isolateTempDir();
  let sshd: TestSshd;
  let demo: DemoServer;
  let load: LoadRun;

  before(async () => {
    sshd = await startSshd();
    demo = await startDemoServer({ threads: 2 });
  });
  beforeEach(() => {
    // Each test loads the shared demo afresh (wrk runs at most 60 s; the whole file takes longer).
    load = startLoad(demo.port, { seconds: 45, connections: 10 });
  });
  afterEach(async () => {
    await load?.stop();
  });
  after(async () => {
    await demo?.stop();
    await sshd?.stop();
    tmp.restore();
  });

  /** A demo server of its own (it gets killed), lightly loaded. */
  async function victim(): Promise<{ demo: DemoServer; load: LoadRun; stop(): Promise<void> }> {
    const d = await startDemoServer({ threads: 2 });
    const l = startLoad(d.port, { seconds: 30, connections: 4 });
    return { demo: d, load: l, stop: async () => (await l.stop(), await d.stop()) };
  }

  const killNow = (pid: number) => {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  };

  describe('the target exits', () => {
    test('during resolve: a clear "no process" refusal or a partial profile', T, async () => {
      const v = await victim();
      const host = new LocalHost();
      try {
        let killed = false;
        const o = await session(host, v.demo.pid, {}, (e) => {
          if (!killed && isProgress(e, 'resolve')) {
            killed = true;
            killNow(v.demo.pid);
          }
        });
        if (o.error) assertClearError(o, /no process matches PID|not running|exited/);
        else assertPartial(o, /target process exited/, 0);
      } finally {
        await host.dispose();
        await v.stop();
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    });

    test('during probe: the session ends at once, partial, saying the process exited', T, async () => {
      const v = await victim();
      const host = new LocalHost();
      try {
        let killed = false;
        const o = await session(host, v.demo.pid, { durationSeconds: 20 }, (e) => {
          if (!killed && isProgress(e, 'probe')) {
            killed = true;
            killNow(v.demo.pid);
          }
        });
        assert.ok(o.ms < 15_000, `did not wait for the 20 s window (${o.ms.toFixed(0)} ms)`);
        assertPartial(o, /target process exited/, 0);
        assert.ok(o.events.some((e) => e.type === 'warning' && /exited/.test(e.message)));
      } finally {
        await host.dispose();
        await v.stop();
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    });

    test('during post-processing: what perf recorded is still read (perf.data outlives the process)', T, async () => {
      const v = await victim();
      const host = new LocalHost();
      try {
        let killed = false;
        const o = await session(host, v.demo.pid, {}, (e) => {
          if (!killed && isProgress(e, 'postprocess')) {
            killed = true;
            killNow(v.demo.pid);
          }
        });
        assert.equal(o.error, null, String(o.error));
        const p = o.profile!;
        // Seen once under heavy load with no partial reason: say everything the Profile knows if it recurs.
        assert.ok(
          p.hotspots.length > 0,
          `hotspots kept: ${p.partialReason}; notes ${p.dataQuality.map((n) => `${n.id}: ${n.message}`).join(' | ')}; ` +
            `sources ${p.sources.map((s) => s.tool).join(', ')}; samples ${p.sampleCount}`,
        );
        assert.ok(o.profile!.timeline.length >= 2);
      } finally {
        await host.dispose();
        await v.stop();
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    });

    test('over ssh, during probe: the same', T, async () => {
      // The subject is the target exiting during the probe. An ssh connection that fails before the session
      // gets there (seen once in a CI-like run on a loaded machine) is a failed precondition, not this fault:
      // it is reported and the scenario runs once more with a fresh connection; a second such failure fails.
      for (let attempt = 1; ; attempt++) {
        const v = await victim();
        const host = new SshHost(sshd.target, sshd.sshHostOptions);
        try {
          let killedAt = 0;
          const o = await session(host, v.demo.pid, { durationSeconds: 20 }, (e) => {
            if (!killedAt && isProgress(e, 'probe')) {
              killedAt = performance.now();
              killNow(v.demo.pid);
            }
          });
          // Which phases the session went through, for a failure message that says what happened.
          const phases = [...new Set(o.events.filter((e) => e.type === 'progress').map((e) => e.phase))].join(' → ');
          const what = `phases: ${phases || 'none'}; after ${o.ms.toFixed(0)} ms: ${String(o.error)}`;
          if (killedAt === 0 && o.error !== null && attempt === 1) {
            process.stderr.write(
              `# over ssh, during probe: the session failed before its probe (${what}); once more\n`,
            );
            continue;
          }
          assert.ok(killedAt > 0, `the session never reached its probe (${what})`);
          // Counted from the kill: the ssh connection before it takes seconds on a loaded machine.
          const after = performance.now() - killedAt;
          assert.ok(after < 15_000, `did not wait for the 20 s window (${after.toFixed(0)} ms after the kill)`);
          assertPartial(o, /target process exited/, 0);
          break;
        } finally {
          await host.dispose();
          await v.stop();
        }
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    });
  });

  describe('the ssh connection drops (ControlMaster SIGKILLed while commands run)', () => {
    async function dropAt(
      match: (e: SessionEvent) => boolean,
      delayMs: number,
      options: Partial<SessionOptions> = {},
    ): Promise<Outcome> {
      const host = new SshHost(sshd.target, sshd.sshHostOptions);
      try {
        let dropped = false;
        const o = await session(host, demo.pid, options, (e) => {
          if (!dropped && match(e) && host.masterProcessId !== null) {
            dropped = true;
            const pid = host.masterProcessId;
            setTimeout(() => killNow(pid), delayMs);
          }
        });
        assert.ok(dropped, 'the connection was dropped');
        return o;
      } finally {
        await host.dispose();
        // The remote side (the same machine, marked by the test sshd) must have stopped with its channels.
        await assertNothingLeft(SESSION_TREE, { waitMs: 8000 });
      }
    }

    test('during probe: a clear "connection lost" error, or a partial profile saying so', T, async () => {
      const o = await dropAt((e) => isProgress(e, 'probe'), 0);
      if (o.error) assertClearError(o, /ssh connection to .* was lost/);
      else assertPartial(o, /ssh connection .* was lost/, 0);
    });

    test('during recording: partial, saying the connection was lost, live data kept', T, async () => {
      // The first count at 1 s or later (the 1 s progress timer can skip a count); dropAt drops once.
      const o = await dropAt((e) => recordingAtLeast(e, 1), 0);
      assertPartial(o, /ssh connection .* was lost/);
    });

    test('during post-processing: partial, saying so, live data kept', T, async () => {
      // Post-processing a 3 s recording takes a fraction of a second: a stand-in perf whose `script` starts
      // 3 s late (then is the real perf) keeps it running when the connection drops 1 s in.
      const dir = mkdtempSync(join(tmp.dir, 'stand-in-'));
      const standIn = join(dir, 'perf-slow-script-stand-in');
      writeFileSync(standIn, ['#!/bin/sh', 'if [ "$1" = script ]; then sleep 3; fi', 'exec perf "$@"', ''].join('\n'));
      chmodSync(standIn, 0o755);
      try {
        const o = await dropAt((e) => isProgress(e, 'postprocess'), 1000, { toolPaths: { perf: standIn } });
        assertPartial(o, /post-processing failed: .*ssh connection .* was lost/, 2);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  describe('tools', () => {
    test(
      'a hung perf (a stand-in that ignores SIGINT/SIGTERM) is stopped; the session ends with what it has',
      T,
      async () => {
        const dir = mkdtempSync(join(tmp.dir, 'stand-in-'));
        const standIn = join(dir, 'perf-hang-stand-in');
        // Stand-in for a broken perf: `record` runs the real perf under a shell that ignores INT and TERM (the
        // real perf never hears its SIGINT), `stat` just hangs; anything else is the real perf.
        writeFileSync(
          standIn,
          [
            '#!/bin/sh',
            `if [ "$1" = record ]; then trap '' INT TERM; perf "$@" & wait; wait; exit 0; fi`,
            `if [ "$1" = stat ]; then trap '' INT TERM; sleep 1000 & wait; wait; exit 0; fi`,
            'exec perf "$@"',
            '',
          ].join('\n'),
        );
        chmodSync(standIn, 0o755);
        const host = new LocalHost();
        try {
          const o = await session(host, demo.pid, { durationSeconds: 2, toolPaths: { perf: standIn } });
          assert.ok(o.ms < 70_000, `ended by the tool timeouts, not the host's: ${o.ms.toFixed(0)} ms`);
          const p = assertPartial(o, /perf record did not stop within 20 s of its SIGINT/, 2);
          assert.match(p.partialReason!, /perf stat failed \(timed out\)/);
        } finally {
          await host.dispose();
          rmSync(dir, { recursive: true, force: true });
        }
        await assertNothingLeft([...SESSION_TREE, 'perf-hang-stand'], { waitMs: 5000 });
      },
    );

    test('perf SIGKILLed mid-recording: partial, says so, the window and live data go on', T, async () => {
      const host = new LocalHost();
      try {
        let killed: number[] = [];
        let looking = false;
        // The perf record process (Debian's perf wrapper execs perf_VERSION): looked for until it shows up.
        const killPerfRecord = async () => {
          for (let i = 0; i < 50 && killed.length === 0; i++) {
            const ps = await ourProcesses();
            killed = ps.filter((p) => /^perf/.test(p.comm) && /^\S*perf\S* record /.test(p.cmdline)).map((p) => p.pid);
            if (killed.length === 0) await new Promise((r) => setTimeout(r, 100));
          }
          for (const pid of killed) killNow(pid);
        };
        const o = await session(host, demo.pid, { durationSeconds: 4 }, (e) => {
          // The first count at 1 s or later (the 1 s progress timer can skip a count); `looking` makes it once.
          if (!looking && recordingAtLeast(e, 1)) {
            looking = true;
            void killPerfRecord();
          }
        });
        assert.ok(killed.length > 0, 'perf record was found and killed');
        assertPartial(o, /perf record failed \(.*killed by SIGKILL\)/, 3);
      } finally {
        await host.dispose();
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    });

    test('perf.data hits its size cap: partial, noted, the hotspots recorded before the cap kept', T, async () => {
      const host = new LocalHost();
      try {
        // DWARF call graphs copy 8 KB of stack per sample: 1 MiB fills within a second under load.
        const o = await session(host, demo.pid, { durationSeconds: 4, perfDataMaxMiB: 1, callGraph: 'dwarf' });
        const p = assertPartial(o, /perf\.data reached its 1 MiB cap/, 2);
        assert.ok(p.dataQuality.some((n) => n.id === 'perf-data-capped'));
        assert.ok(p.hotspots.length > 0, 'what was recorded before the cap is analysed');
      } finally {
        await host.dispose();
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    });
  });

  test(
    'the disk is full (a 300 KB tmpfs as TMPDIR): partial, "No space left on device", live data kept',
    T,
    async () => {
      const small = join(tmp.dir, 'small');
      mkdirSync(small, { mode: 0o700 });
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=300k,mode=0700', 'perf-lens-test-tmpfs', small]);
      const previous = process.env.TMPDIR;
      process.env.TMPDIR = small; // the session's perf.data dir goes here
      const host = new LocalHost();
      try {
        const o = await session(host, demo.pid, {});
        assertPartial(o, /No space left on device/, 2);
      } finally {
        await host.dispose();
        process.env.TMPDIR = previous;
        try {
          execFileSync('umount', [small]);
        } catch {
          execFileSync('umount', ['-l', small]);
        }
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    },
  );

  test(
    'the machine is overloaded (the demo pegs both cores): the session completes, live data from the start',
    T,
    async () => {
      const heavy = startLoad(demo.port, { seconds: 40, connections: 200 });
      const host = new LocalHost();
      try {
        await new Promise((r) => setTimeout(r, 1500)); // let the load build up
        let firstLive: number | null = null;
        const t0 = performance.now();
        const o = await session(host, demo.pid, {}, (e) => {
          if (e.type === 'live' && firstLive === null) firstLive = performance.now() - t0;
        });
        assert.equal(o.error, null, String(o.error));
        const p = o.profile!;
        assert.ok(firstLive !== null && firstLive < 5000, `first live breakdown after ${firstLive} ms`);
        assert.ok((p.cpu.system?.idle ?? 100) < 20, `both cores were busy: ${JSON.stringify(p.cpu.system)}`);
        assert.ok(p.hotspots.length > 0 && (p.sampleCount ?? 0) > 0, `samples ${p.sampleCount}: ${p.partialReason}`);
        assert.ok(o.ms < 60_000, `took ${o.ms.toFixed(0)} ms`);
        process.stderr.write(
          `# overloaded: first live ${firstLive} ms, session ${o.ms.toFixed(0)} ms, demo ${p.cpu.process?.cpu}% CPU, ` +
            `system idle ${p.cpu.system?.idle}%, partial ${p.partial} (${p.partialReason ?? ''})\n`,
        );
      } finally {
        await heavy.stop();
        await host.dispose();
      }
      await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    },
  );
}
