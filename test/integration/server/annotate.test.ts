/**
 * `perf-lens annotate` end to end through the CLI dispatcher (src/cli/main.ts run by tsx, as a
 * separate process): real perf captures of the demo and of the tricky fixture, saved as Profile
 * documents, mapped onto the sources.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { FIXTURES, readChildrenReport, readSrclineReport } from '../../unit/symbols/perf-report-fixture';
import { lineOf } from '../../unit/symbols/source-lines';
import { demoFindings } from './demo-profile';

const repoRoot = join(__dirname, '..', '..', '..');
const demoDir = join(repoRoot, 'examples', 'tcp-demo');

function cli(args: string[], cwd: string) {
  // tsx by absolute URL: the working directory (a temp dir) has no node_modules.
  const tsx = pathToFileURL(join(repoRoot, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
  const r = spawnSync(process.execPath, ['--import', tsx, join(repoRoot, 'src', 'cli', 'main.ts'), ...args], {
    cwd,
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function profileDoc(hotspots: unknown[], findings: unknown[] = []) {
  return {
    schema: 'perf-lens/profile@1',
    target: { command: 'tcp_demo', pid: 4242 },
    verdict: { kind: 'syscall-bound' },
    hotspots,
    findings,
  };
}

const ROW =
  /^(\S+):(\d+):(\d+)\s+([\d.]+)%\s+([\d.]+%|-)\s+(.+?)(?: {2}→ (\S+) \(([^)]*)\))?(?: {2}\[ambiguous: (\d+) definitions\])?$/;

describe('perf-lens annotate', { timeout: 120_000 }, () => {
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(join(tmpdir(), 'pl-annotate-'));
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  test('demo: one line per placed hot symbol with its finding, then what could not be placed and why', () => {
    const file = join(tmp, 'demo.json');
    writeFileSync(
      file,
      JSON.stringify(
        profileDoc(readChildrenReport(join(FIXTURES, 'tcp-demo', 'perf-report-children.txt')), demoFindings()),
      ),
    );
    const r = cli(['annotate', file], demoDir);
    assert.equal(r.code, 0, r.stderr);
    const [placedText, unplacedText] = r.stdout.split('\nNot placed:\n');
    const rows = placedText
      .trim()
      .split('\n')
      .map((l) => {
        const m = ROW.exec(l);
        assert.ok(m, `unexpected row ${JSON.stringify(l)}`);
        return { path: m[1], line: Number(m[2]), symbol: m[6], finding: m[7], fixes: m[8] };
      });
    const schedule = rows.find((x) => x.symbol === 'IoUringExecutor::scheduleOn');
    assert.deepEqual(schedule, {
      path: 'src/executor.cpp',
      line: lineOf(join(demoDir, 'src', 'executor.cpp'), 'bool IoUringExecutor::scheduleOn(') + 1,
      symbol: 'IoUringExecutor::scheduleOn',
      finding: 'eventfd-wakeup-storm',
      fixes: 'coalesce-eventfd-wakeups',
    });
    assert.ok(rows.some((x) => x.symbol === 'IoUringExecutor::wakeThread' && x.finding === 'eventfd-wakeup-storm'));
    assert.ok(rows.some((x) => x.symbol === 'handleClient' && x.path === 'src/server.cpp'));
    assert.match(
      unplacedText,
      /__io_uring_submit \[tcp_demo\] {2}— no definition of __io_uring_submit in the workspace/,
    );
    assert.match(unplacedText, /\d+ kernel symbols \(not in the workspace; --kernel lists them\)/);
  });

  test('tricky fixture: debug-info lines from another build path, mapped with --path-map or by suffix', () => {
    const hotspots = readSrclineReport(join(FIXTURES, 'tricky', 'perf-report-srcline.txt'));
    const file = join(tmp, 'tricky.json');
    writeFileSync(file, JSON.stringify(profileDoc(hotspots)));
    const buildRoot = /^(.*)\/src\/tricky\.cpp$/.exec(hotspots.find((h) => h.file?.endsWith('tricky.cpp'))!.file!)![1];
    const src = join(FIXTURES, 'tricky');
    for (const extra of [[], ['--path-map', `${buildRoot}=${src}`]]) {
      const r = cli(['annotate', file, src, '--json', ...extra], repoRoot);
      assert.equal(r.code, 0, r.stderr);
      const json = JSON.parse(r.stdout) as {
        placed: Array<{ symbol: string; line: number; method: string; path: string }>;
      };
      const adds = json.placed.filter((p) => p.symbol === 'Accumulator::add');
      assert.ok(adds.length > 0);
      for (const a of adds) {
        assert.equal(a.method, 'debug-info');
        assert.equal(a.path, join(src, 'src', 'tricky.cpp'));
      }
    }
  });

  test('overloads without parameters are listed at every candidate, marked ambiguous', () => {
    const file = join(tmp, 'children.json');
    writeFileSync(
      file,
      JSON.stringify(profileDoc(readChildrenReport(join(FIXTURES, 'tricky', 'perf-report-children.txt')))),
    );
    const r = cli(['annotate', file, join(FIXTURES, 'tricky'), '--min-percent', '0.1'], repoRoot);
    assert.equal(r.code, 0, r.stderr);
    const adds = r.stdout.split('\n').filter((l) => / Accumulator::add {2}\[ambiguous: 3 definitions\]$/.test(l));
    assert.equal(new Set(adds.map((l) => l.split(/\s+/)[0])).size, 3, r.stdout);
    assert.match(
      r.stdout,
      /tricky\.cpp:\d+:\d+ .* workloads::runLambdas\(int\)::\{lambda\(unsigned long\)#3\}::operator\(\)/,
    );
  });

  test('hostile symbol text cannot drive the terminal', () => {
    const file = join(tmp, 'hostile.json');
    const h = readChildrenReport(join(FIXTURES, 'tcp-demo', 'perf-report-children.txt'))[0];
    writeFileSync(
      file,
      JSON.stringify(
        profileDoc([{ ...h, kernel: false, symbol: '\u001b[2J\u001b]0;pwned\u0007evil::fn', self: 50, children: 50 }]),
      ),
    );
    const r = cli(['annotate', file], demoDir);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('\u001b'), JSON.stringify(r.stdout));
    assert.match(r.stdout, /\?\[2J\?\]0;pwned\?evil::fn/);
  });

  test('bad input: a clear message and exit status 2', () => {
    const notProfile = join(tmp, 'not-profile.json');
    writeFileSync(notProfile, JSON.stringify({ hello: 'world' }));
    const notJson = join(tmp, 'not-json.json');
    writeFileSync(notJson, 'perf report output, not JSON');
    const cases: Array<[string[], RegExp]> = [
      [['annotate'], /annotate needs a profile file/],
      [['annotate', join(tmp, 'missing.json')], /cannot read .*missing\.json: ENOENT/],
      [['annotate', notJson], /is not JSON/],
      [['annotate', notProfile], /not a Perf Lens profile/],
      [['annotate', notProfile, '--bogus'], /unknown option --bogus/],
      [['annotate', notProfile, '--path-map', 'nothing'], /--path-map expects FROM=TO/],
      [['annotate', notProfile, '--min-percent', 'x'], /--min-percent expects a number/],
    ];
    for (const [args, message] of cases) {
      const r = cli(args, tmp);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.match(r.stderr, message);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
    }
  });
});
