/**
 * 2. Time to the first live breakdown: from calling `profile()` to its first `live` event, locally and over
 * ssh to a real sshd on 127.0.0.1; baseline: `pidstat -u -t -p PID 1 1`'s first data line, same way.
 */
import { LocalHost, SshHost } from '../../src/core/host';
import type { Host } from '../../src/core/host/types';
import { profile } from '../../src/core/session/profile';
import { startDemoServer, startLoad } from '../../test/helpers/demo-server';
import { startSshd, type TestSshd } from '../../test/helpers/sshd';
import type { Benchmark } from '../lib/context';
import { background } from '../lib/exec';
import { fmt, stat } from '../lib/stats';

const LOCAL_TARGET_MS = 1000;
const SSH_TARGET_MS = 1500;

/** ms from calling profile() to the first `live` event; the session is then cancelled and awaited. */
async function timeToFirstLive(host: Host, pid: number): Promise<number> {
  const controller = new AbortController();
  let first: number | null = null;
  let resolveFirst!: () => void;
  const gotFirst = new Promise<void>((r) => (resolveFirst = r));
  const t0 = performance.now();
  const session = profile(
    host,
    { kind: 'pid', pid },
    { liveOnly: true, durationSeconds: 5 },
    (e) => {
      if (e.type === 'live' && first === null) {
        first = performance.now() - t0;
        resolveFirst();
      }
    },
    controller.signal,
  );
  const timeout = setTimeout(() => controller.abort(), 15_000);
  try {
    await Promise.race([gotFirst, session.then(() => undefined)]);
  } finally {
    clearTimeout(timeout);
    controller.abort();
    await session.catch(() => undefined);
    await host.dispose();
  }
  if (first === null) throw new Error('profile() ended without a live event');
  return first;
}

/** ms from starting `argv` to pidstat's first data line (the one with the PID). */
async function timeToFirstPidstatLine(argv: string[], pid: number): Promise<number> {
  const t0 = performance.now();
  const p = background(argv, { env: { ...process.env, LC_ALL: 'C' } });
  try {
    await p.waitFor(new RegExp(`^\\S+\\s+(?:\\d+\\s+)?${pid}\\s`, 'm'), 15_000);
    return performance.now() - t0;
  } finally {
    await p.stop('SIGTERM', 2000);
  }
}

export const firstLiveBenchmark: Benchmark = {
  id: 'first-live',
  title: 'Time to first live breakdown',
  targets: [`≤ ${LOCAL_TARGET_MS} ms locally`, `≤ ${SSH_TARGET_MS} ms over ssh to 127.0.0.1`],
  async run(ctx, section) {
    const runs = ctx.quick ? 2 : 5;
    const server = await startDemoServer({ threads: 2 });
    const load = startLoad(server.port, { seconds: 60, connections: 20 });
    let sshd: TestSshd | null = null;
    try {
      const pidstat = ['pidstat', '-u', '-t', '-p', String(server.pid), '1', '1'];
      const local: number[] = [];
      const localBase: number[] = [];
      for (let i = 0; i < runs; i++) {
        local.push(await timeToFirstLive(new LocalHost(), server.pid));
        localBase.push(await timeToFirstPidstatLine(pidstat, server.pid));
        ctx.log(`local run ${i + 1}: ${fmt(local[i])} ms (pidstat ${fmt(localBase[i])} ms)`);
      }
      pushRow(section, 'local', stat(local), stat(localBase), LOCAL_TARGET_MS, `≤ ${LOCAL_TARGET_MS} ms locally`);

      sshd = await startSshd();
      const remote: number[] = [];
      const remoteBase: number[] = [];
      for (let i = 0; i < runs; i++) {
        remote.push(await timeToFirstLive(new SshHost(sshd.target, sshd.sshHostOptions), server.pid));
        remoteBase.push(await timeToFirstPidstatLine(sshd.sshArgv(...pidstat), server.pid));
        ctx.log(`ssh run ${i + 1}: ${fmt(remote[i])} ms (ssh pidstat ${fmt(remoteBase[i])} ms)`);
      }
      const connect: number[] = [];
      for (let i = 0; i < runs; i++) {
        const t0 = performance.now();
        const p = background(sshd.sshArgv('true'));
        const end = await p.exited;
        if (end.code !== 0) throw new Error(`ssh … true failed: ${p.output().slice(-300)}`);
        connect.push(performance.now() - t0);
      }
      const connectStat = stat(connect);
      section.rows.push({
        name: 'reference: `ssh … true` (connect, run nothing)',
        unit: 'ms',
        value: connectStat,
        note: 'the floor for anything over a fresh ssh connection',
      });
      pushRow(
        section,
        'ssh to 127.0.0.1',
        stat(remote),
        stat(remoteBase),
        SSH_TARGET_MS,
        `≤ ${SSH_TARGET_MS} ms over ssh to 127.0.0.1`,
        `a fresh ssh connection alone (\`ssh … true\`) takes ${fmt(connectStat.median)} ms here; the session connects ` +
          '(ControlMaster) before the sampler can start and then needs two /proc readings',
      );
    } finally {
      await sshd?.stop();
      await load.stop();
      await server.stop();
    }
    section.method.push(
      `The demo server under light wrk load (20 connections). Perf Lens: \`profile(host, {kind: 'pid'}, {liveOnly: true})\` ` +
        'with a fresh host each time (LocalHost; SshHost to a throwaway sshd on 127.0.0.1 started by the benchmark, so ' +
        'each ssh run includes connecting and the ControlMaster set-up), timed from the call to the first `live` ' +
        `event, then cancelled. ${runs} runs each, alternating with the baseline.`,
      'Baseline: `pidstat -u -t -p PID 1 1` (the usual way to see per-thread CPU), timed from spawn to its first ' +
        'data line (the line with the PID, after its 1 s interval); over ssh the same command through a plain ' +
        '`ssh` to the same sshd (a fresh connection each time).',
    );
  },
};

function pushRow(
  section: Parameters<typeof firstLiveBenchmark.run>[1],
  where: string,
  ours: ReturnType<typeof stat>,
  base: ReturnType<typeof stat>,
  targetMs: number,
  text: string,
  limits?: string,
): void {
  section.rows.push({
    name: where,
    unit: 'ms',
    value: ours,
    baseline: { name: 'pidstat 1 1, first data line', value: base },
    ratio: { value: ours.median / base.median, text: '× pidstat' },
    target: {
      text,
      met: ours.median <= targetMs,
      gap: ours.median > targetMs ? `${fmt(ours.median - targetMs)} ms over` : undefined,
      limits: ours.median > targetMs ? limits : undefined,
    },
  });
}
