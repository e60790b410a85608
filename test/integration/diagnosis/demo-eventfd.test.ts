/**
 * The diagnosis end to end on a real process: the demo io_uring server under wrk load, profiled for 3 s
 * by the real tools (pidstat, mpstat, perf stat on syscall/io_uring tracepoints, perf stat on writes to
 * its eventfds, perf record + report + script, nstat), run through the collectors' argv builders on a
 * LocalHost, then built into a Profile the way `perf-lens analyze` does (collectors' parsers +
 * ProfileBuilder) and analysed. The eventfd wake-up per task must be found, with the
 * coalescing fix, and the verdict must name what bounds the server with its numbers.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { availableParallelism, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isolateTempDir, assertNothingLeft } from '../../helpers/processes';
import { startDemoServer, startLoad, type DemoServer, type LoadRun } from '../../helpers/demo-server';
import { createHost } from '../../../src/core/host/index';
import type { Host } from '../../../src/core/host/types';
import { pidstatArgv } from '../../../src/core/collect/pidstat';
import { mpstatArgv } from '../../../src/core/collect/mpstat';
import { eventfdWriteFilter, perfStatArgv } from '../../../src/core/collect/perf-stat';
import { fdListArgv, parseFdListing } from '../../../src/core/collect/eventfd';
import { perfReportArgv } from '../../../src/core/collect/perf-report';
import { nstatArgv } from '../../../src/core/collect/nstat';
import { analyze } from '../../../src/core/analyze';
import type { Profile } from '../../../src/core/profile';
import { loadCapture } from '../../unit/analyze/scenario';

const SECONDS = 3;
const EVENTS = [
  'raw_syscalls:sys_enter',
  'syscalls:sys_enter_io_uring_enter',
  'syscalls:sys_enter_futex',
  'syscalls:sys_enter_write',
  'io_uring:io_uring_submit_req',
  'io_uring:io_uring_complete',
  'context-switches',
];

let temp: { dir: string; restore(): void };
let server: DemoServer | null = null;
let load: LoadRun | null = null;
let host: Host | null = null;
let out = '';
let profile: Profile;
let result: ReturnType<typeof analyze>;

async function capture(h: Host, pid: number, dir: string): Promise<void> {
  const ok = async (argv: string[], timeoutMs = 30_000) => {
    const r = await h.run(argv, { timeoutMs });
    if (r.exitCode !== 0)
      throw new Error(`${argv.join(' ')} failed (${r.exitCode ?? r.signal}): ${r.stderr.slice(-500)}`);
    return r;
  };
  const fds = await ok(fdListArgv({ pid }));
  const eventfds = parseFdListing(fds.stdout).eventfds;
  assert.ok(eventfds.length > 0, `the demo has eventfds: ${fds.stdout}`);
  const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  writeFileSync(join(dir, 'fds.txt'), fds.stdout);
  writeFileSync(
    join(dir, 'host.txt'),
    `kernel: ${release()}\ncores: ${availableParallelism()}\ncomm: ${comm}\nthreads: 3\n`,
  );
  writeFileSync(join(dir, 'nstat.before.txt'), (await ok(nstatArgv())).stdout);

  const perfData = join(await h.makeTempDir('perf-lens-diag-'), 'perf.data');
  const [pidstat, mpstat, stat, eventfdStat, record] = await Promise.all([
    ok(pidstatArgv({ pid, count: SECONDS })),
    ok(mpstatArgv({ count: SECONDS })),
    ok(perfStatArgv({ pid, events: EVENTS.map((name) => ({ name })), durationSeconds: SECONDS, toStdout: true })),
    ok(
      perfStatArgv({
        pid,
        events: [{ name: 'syscalls:sys_enter_write', filter: eventfdWriteFilter(eventfds) }],
        durationSeconds: SECONDS,
        toStdout: true,
      }),
    ),
    ok(['perf', 'record', '-F', '999', '-g', '-p', String(pid), '-o', perfData, '--', 'sleep', String(SECONDS)]),
  ]);
  writeFileSync(join(dir, 'nstat.after.txt'), (await ok(nstatArgv())).stdout);
  writeFileSync(join(dir, 'pidstat.txt'), pidstat.stdout);
  writeFileSync(join(dir, 'mpstat.txt'), mpstat.stdout);
  writeFileSync(join(dir, 'perf-stat.txt'), stat.stdout);
  writeFileSync(join(dir, 'perf-stat-eventfd.txt'), eventfdStat.stdout);
  const report = await ok(perfReportArgv({ input: perfData }), 120_000);
  writeFileSync(join(dir, 'perf-report.txt'), report.stdout);
  const script = await ok(['perf', 'script', '-i', perfData], 120_000);
  writeFileSync(join(dir, 'perf-script.txt.gz'), gzipSync(script.stdout));
  writeFileSync(join(dir, 'commands.txt'), `# target pid ${pid} (${comm}), ${SECONDS} s\n${record.stderr.trim()}\n`);
}

before(async () => {
  temp = isolateTempDir();
  out = mkdtempSync(join(tmpdir(), 'diagnosis-capture-'));
  server = await startDemoServer({ threads: 2 });
  load = startLoad(server.port, { seconds: SECONDS + 5, connections: 50 });
  await new Promise((r) => setTimeout(r, 1500));
  host = createHost('local');
  await capture(host, server.pid, out);
  writeFileSync(join(out, 'wrk.txt'), (await load.done).output);
  profile = await loadCapture(out);
  result = analyze(profile);
});

after(async () => {
  await load?.stop();
  await server?.stop();
  await host?.dispose();
  rmSync(out, { recursive: true, force: true });
  try {
    await assertNothingLeft(['perf', 'pidstat', 'mpstat', 'wrk', 'tcp_demo', 'sleep', 'nstat']);
  } finally {
    temp.restore();
  }
});

describe('diagnosis of the demo server under load, from real tool outputs', () => {
  it('finds the eventfd wake-up storm with coalesce-eventfd-wakeups among its fixes', () => {
    const f = result.findings.find((x) => x.id === 'eventfd-wakeup-storm');
    assert.ok(f, `findings: ${result.findings.map((x) => x.id).join(', ')}`);
    assert.ok(f.fixes.includes('coalesce-eventfd-wakeups'));
    assert.notEqual(f.severity, 'info');
    const writes = profile.eventfd?.writesPerSecond ?? 0;
    const rps = profile.throughput?.requestsPerSecond ?? 0;
    assert.ok(writes > 1000 && rps > 1000, `eventfd writes ${writes}/s at ${rps} requests/s`);
    assert.ok(
      f.evidence.some((e) => /^Eventfd writes: [\d,]+\/s on eventfd fds [\d, ]+ \(perf stat\)\.$/.test(e)),
      f.evidence.join('\n'),
    );
    assert.ok(
      f.evidence.some((e) => /IoUringExecutor::wakeThread → __GI___libc_write is on [\d.]+% of sampled stacks/.test(e)),
      f.evidence.join('\n'),
    );
    assert.ok(f.symbols.includes('IoUringExecutor::wakeThread'));
  });
  it('names the bound with numbers: cores used of the cores there are, and the kernel/user split', (t) => {
    const v = result.verdict;
    t.diagnostic(v.summary);
    for (const f of result.findings) t.diagnostic(`[${f.severity}] ${f.id}: ${f.title}`);
    const usr = profile.cpu.process?.usr ?? 0;
    const sys = profile.cpu.process?.sys ?? 0;
    // The demo's work is io_uring + TCP in the kernel: system time dominates its CPU.
    assert.ok(sys > usr, `sys ${sys} usr ${usr}`);
    assert.ok(['kernel-bound', 'syscall-bound'].includes(v.kind), v.summary);
    assert.match(v.summary, new RegExp(`of ${availableParallelism()} cores`));
    assert.match(v.summary, /[\d.]+% of it in the kernel|[\d.]+% of its CPU is in the kernel/);
    assert.match(v.summary, /\b(?:pidstat|perf stat)\)/);
    assert.equal(v.coresAvailable, availableParallelism());
    assert.ok(v.coresUsed !== null && v.coresUsed > 0.05);
  });
  it('also finds per-operation io_uring submits', () => {
    const f = result.findings.find((x) => x.id === 'io-uring-submit-overhead');
    assert.ok(f && f.fixes.includes('batch-submissions'), JSON.stringify(f));
  });
});
