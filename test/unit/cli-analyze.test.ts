/**
 * `perf-lens analyze` end to end on captured outputs (the CLI run as a child process), and the Profiles it
 * prints validated against docs/profile.schema.json with ajv.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020';
import type { Profile } from '../../src/core/profile';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const fx = (rel: string) => join(repoRoot, 'test', 'fixtures', rel);

function cli(args: string[]) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(repoRoot, 'src', 'cli', 'main.ts'), 'analyze', ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
}

function validator() {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
  return ajv.compile(JSON.parse(readFileSync(join(repoRoot, 'docs', 'profile.schema.json'), 'utf8')));
}
const validate = validator();

function assertValid(p: unknown): asserts p is Profile {
  const ok = validate(p);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
}

// One capture of every collector fixture family (each from its own run against the demo server).
const COLLECTOR_SET = [
  'pidstat/threads-load.txt',
  'mpstat/all-load.txt',
  'perf-report/no-children.txt',
  'perf-script/demo-g.txt',
  'perf-stat/tracepoints.txt',
  'perf-stat/eventfd-filter.txt',
  'eventfd/ls-l.txt',
  'nstat/a.txt',
  'nstat/b.txt',
  'softirqs/a.txt',
  'softirqs/b.txt',
  'ss/s.txt',
  'ss/tin.txt',
  'strace/c-f.txt',
  'perf-lock/contention.txt',
  'iplink/s-s-a.txt',
  'iplink/s-s-b.txt',
].map(fx);

test('analyze --json on every collector family: a schema-valid Profile with the numbers from the files', () => {
  const r = cli(['--json', ...COLLECTOR_SET, '--as', 'ethtool', fx('ethtool/S-nic.txt')]);
  assert.equal(r.status, 0, r.stderr);
  const p = JSON.parse(r.stdout) as unknown;
  assertValid(p);
  assert.equal(p.origin, 'analyze');
  assert.equal(p.target.transport, 'file');
  assert.equal(p.target.command, 'tcp_demo');
  assert.equal(p.target.cores, 2);
  // pidstat threads-load: w0 at 22, 14, 14 %CPU → 16.67 on average.
  const w0 = p.threads.find((t) => t.name === 'tcp_demo-w0')!;
  assert.equal(w0.cpu, 16.67);
  assert.equal(w0.cswch, Math.round(((4463 + 1238 + 1258) / 3) * 100) / 100);
  assert.equal(p.cpu.system?.sys, Math.round(((57.43 + 50.25) / 2) * 100) / 100);
  assert.equal(p.cpu.perCpu.length, 2);
  // perf stat tracepoints: 227992 io_uring_enter in 1.985871359 s.
  assert.equal(p.ioUring?.enterPerSecond, Math.round((227992 / 1.985871359) * 100) / 100);
  assert.deepEqual(p.eventfd?.fds, [5, 7]);
  assert.equal(p.eventfd?.writesPerSecond, Math.round((166697 / 2.401122197) * 100) / 100);
  // strace rows keep their times; perf stat adds what strace lacks (the total is kept from perf stat).
  assert.equal(p.syscalls.find((s) => s.name === 'io_uring_enter')?.seconds, 0.521744);
  assert.equal(p.syscalls.find((s) => s.name === 'total')?.calls, 417636);
  assert.equal(p.hotspots[0].symbol, 'finish_task_switch.isra.0');
  assert.ok(p.folded.length > 0 && p.folded.every((f) => f.stack.startsWith('tcp_demo-w')));
  assert.equal(p.sampleCount, 550);
  assert.equal(p.network?.kind, 'delta');
  assert.equal(p.network?.inSegs, 32584765 - 32407183);
  assert.equal(p.network?.softirqNetRx, 132547);
  assert.equal(p.network?.nicDrops.eth0, 0);
  assert.equal(p.lockContention?.kernelLockContended, 5);
  assert.notEqual(p.verdict.kind, 'unknown');
  assert.ok(p.findings.length > 0);
  assert.ok(p.dataQuality.some((d) => d.id === 'strace-was-attached'));
});

test('analyze on a full capture of the demo under load: eventfd wake-up storm with the coalescing fix', () => {
  const dir = fx('scenarios/demo-load');
  const r = cli([
    '--json',
    '--skip-unknown',
    ...[
      'pidstat.txt',
      'mpstat.txt',
      'perf-report.txt',
      'perf-script.txt.gz',
      'perf-stat.txt',
      'perf-stat-eventfd.txt',
      'fds.txt',
      'nstat.before.txt',
      'nstat.after.txt',
      'wrk.txt',
      'commands.txt',
    ].map((f) => join(dir, f)),
  ]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /skipping .*commands\.txt/);
  const p = JSON.parse(r.stdout) as unknown;
  assertValid(p);
  const storm = p.findings.find((f) => f.id === 'eventfd-wakeup-storm');
  assert.ok(storm, p.findings.map((f) => f.id).join(', '));
  assert.ok(storm.fixes.includes('coalesce-eventfd-wakeups'));
  assert.equal(p.throughput?.requestsPerSecond, 38031.69);
});

test('analyze prints a readable report: breakdown, threads, syscalls, hotspots, network, verdict, findings', () => {
  const r = cli(COLLECTOR_SET.slice(0, 8));
  assert.equal(r.status, 0, r.stderr);
  for (const heading of ['CPU', 'Threads', 'Syscalls', 'Hotspots', 'Network', 'Verdict:', 'Findings']) {
    assert.match(r.stdout, new RegExp(`^${heading}`, 'm'), heading);
  }
  assert.match(r.stdout, /tcp_demo-w0/);
  assert.match(r.stdout, /eventfd: descriptors 5, 7/);
});

test('analyze: bad flags, unknown tools, empty, binary and broken files → one line and a non-zero exit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-lens-analyze-'));
  try {
    const empty = join(dir, 'empty.txt');
    writeFileSync(empty, '');
    const binary = join(dir, 'garbage.bin');
    writeFileSync(binary, Buffer.from([0, 1, 2, 0xff, 0x1b, 0x5b, 0x32, 0x4a, 0, 0, 7, 8]));
    const broken = join(dir, 'pidstat.txt');
    writeFileSync(broken, readFileSync(fx('pidstat/threads-load.txt'), 'utf8').replace('4463.00', '44x3.00'));
    const cases: Array<[string[], RegExp]> = [
      [['--bogus', fx('pidstat/threads-load.txt')], /unknown option "--bogus"/],
      [['--as', 'nonsense', fx('pidstat/threads-load.txt')], /--as: unknown tool "nonsense"/],
      [['--pid', '12ab', fx('pidstat/threads-load.txt')], /--pid must be a process ID/],
      [[], /no input files/],
      [[join(dir, 'missing.txt')], /no such file/],
      [[empty], /is empty/],
      [[binary], /cannot tell which tool printed/],
      [['--as', 'pidstat', binary], /looks binary/],
      [[broken], /pidstat\.txt: pidstat: cannot parse line 6 .*cswch\/s/],
      [['--as', 'mpstat', fx('pidstat/threads-load.txt')], /mpstat: cannot parse line 3/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args);
      assert.notEqual(r.status, 0, args.join(' '));
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
      assert.equal(r.stdout, '');
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('analyze --html writes the self-contained report when the webview bundle is built', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perf-lens-analyze-'));
  try {
    const out = join(dir, 'report.html');
    const r = cli(['--html', out, fx('pidstat/threads-load.txt'), fx('perf-report/no-children.txt')]);
    if (existsSync(join(repoRoot, 'dist', 'webview', 'main.js'))) {
      assert.equal(r.status, 0, r.stderr);
      const html = readFileSync(out, 'utf8');
      assert.match(html, /finish_task_switch\.isra\.0/);
      assert.match(r.stderr, /wrote .*report\.html/);
    } else {
      assert.equal(r.status, 2);
      assert.match(r.stderr, /needs the webview bundle/);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the schema rejects what the Profile type does not allow', () => {
  const r = cli(['--json', fx('pidstat/threads-load.txt')]);
  const p = JSON.parse(r.stdout) as Record<string, unknown>;
  assertValid(p);
  assert.equal(validate({ ...p, schema: 'perf-lens/profile@2' }), false);
  assert.equal(
    validate({
      ...p,
      threads: [{ tid: 1, name: 'x', usr: '5', sys: null, wait: null, cpu: null, cswch: null, nvcswch: null }],
    }),
    false,
  );
  const { verdict: _verdict, ...noVerdict } = p;
  assert.equal(validate(noVerdict), false);
  assert.equal(validate({ ...p, unexpected: 1 }), false);
});
