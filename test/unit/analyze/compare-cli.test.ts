/** `perf-lens compare` as a user runs it: real saved profiles, bad inputs, exit codes. */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyze } from '../../../src/core/analyze';
import { loadScenario } from './scenario';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
let dir = '';
const cli = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', join(repo, 'src/cli/main.ts'), 'compare', ...args], {
    cwd: repo,
    encoding: 'utf8',
    timeout: 60_000,
  });

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perf-lens-compare-'));
  for (const name of ['demo-load', 'demo-fixed']) {
    const p = await loadScenario(name);
    writeFileSync(join(dir, `${name}.json`), JSON.stringify({ ...p, ...analyze(p) }));
  }
  writeFileSync(join(dir, 'not-json.json'), '{"schema": "perf-lens/profile@1", ');
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ schema: 'something/else@2' }));
  const broken = JSON.parse(readFileSync(join(dir, 'demo-load.json'), 'utf8')) as Record<string, unknown>;
  broken.hotspots = 'nope';
  writeFileSync(join(dir, 'broken.json'), JSON.stringify(broken));
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('perf-lens compare', () => {
  it('prints the summary, the metric table and the symbols on real profiles', () => {
    const r = cli(join(dir, 'demo-load.json'), join(dir, 'demo-fixed.json'));
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^Eventfd writes\/s fell (9\d|100)%/m);
    assert.match(r.stdout, /^eventfd writes\/s\s+[\d,]+\s+[\d,]+\s+−(9\d|100)\.\d%\s+better$/m);
    assert.match(r.stdout, /^verdict: kernel-bound → /m);
    assert.match(r.stdout, /^hot symbols lost:/m);
  });
  it('--json prints the Comparison', () => {
    const r = cli('--json', join(dir, 'demo-load.json'), join(dir, 'demo-fixed.json'));
    assert.equal(r.status, 0, r.stderr);
    const c = JSON.parse(r.stdout) as { summary: string; metrics: Array<{ id: string }> };
    assert.ok(c.metrics.some((m) => m.id === 'eventfdWritesPerSecond'));
  });
  for (const [name, file, message] of [
    ['a file that is not JSON', 'not-json.json', /not-json\.json is not JSON \(/],
    [
      'another schema',
      'other.json',
      /other\.json is not a Perf Lens profile \(schema "something\/else@2"; expected "perf-lens\/profile@1"\)/,
    ],
    [
      'a profile with a wrong field type',
      'broken.json',
      /broken\.json is not a valid Perf Lens profile: "hotspots" is not an array/,
    ],
    ['a missing file', 'missing.json', /cannot read .*missing\.json: no such file/],
  ] as const) {
    it(`refuses ${name} with one line and exit 2`, () => {
      const r = cli(join(dir, 'demo-load.json'), join(dir, file));
      assert.equal(r.status, 2);
      assert.match(r.stderr.split('\n')[0], message);
      assert.equal(r.stdout, '');
      assert.ok(!/at .*\.ts:\d+/.test(r.stderr), 'no stack trace');
    });
  }
  it('refuses a wrong number of files', () => {
    const r = cli(join(dir, 'demo-load.json'));
    assert.equal(r.status, 2);
    assert.match(r.stderr, /expected two profile files \(before and after\), got 1/);
  });
  it('--html writes a report (or says the webview bundle is missing)', () => {
    const out = join(dir, 'report.html');
    const r = cli('--html', out, join(dir, 'demo-load.json'), join(dir, 'demo-fixed.json'));
    if (existsSync(join(repo, 'dist/webview/main.js'))) {
      assert.equal(r.status, 0, r.stderr);
      const html = readFileSync(out, 'utf8');
      assert.match(html, /<html/i);
      assert.ok(html.includes('coalesce-eventfd-wakeups'));
    } else {
      assert.equal(r.status, 2);
      assert.match(r.stderr, /needs the webview bundle/);
    }
  });
});
