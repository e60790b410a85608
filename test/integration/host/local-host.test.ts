import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LocalHost } from '../../../src/core/host/local-host';
import { HostError, type CommandLogEntry } from '../../../src/core/host/types';
import { assertNothingLeft, isolateTempDir, ourProcesses } from '../../helpers/processes';
import { startDemoServer } from '../../helpers/demo-server';

const tmp = isolateTempDir();
after(() => tmp.restore());

const TREE = ['sh', 'sleep', 'perf', 'yes', 'cat'];
/** A broken kill would leave pipes open and hang the run: fail instead. */
const T = { timeout: 30_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function withHost(fn: (h: LocalHost) => Promise<void>): Promise<void> {
  const h = new LocalHost();
  try {
    await fn(h);
  } finally {
    await h.dispose();
  }
  await assertNothingLeft(TREE);
}

test('streams stdout line by line while the command runs; fixed env; stderr kept; exit code', T, () =>
  withHost(async (h) => {
    const seen: Array<{ line: string; at: number }> = [];
    const t0 = Date.now();
    const r = await h.run(
      ['sh', '-c', 'echo first; sleep 0.6; echo "$LC_ALL $S_TIME_FORMAT $EXTRA"; echo oops >&2; printf tail; exit 4'],
      {
        env: { EXTRA: 'x y', LC_ALL: 'de_DE.UTF-8' },
        onStdoutLine: (line) => seen.push({ line, at: Date.now() - t0 }),
      },
    );
    assert.deepEqual(
      seen.map((s) => s.line),
      ['first', 'C ISO x y', 'tail'],
    );
    assert.ok(seen[0].at < 400, `first line arrived after ${seen[0].at} ms, not streamed`);
    assert.equal(r.exitCode, 4);
    assert.equal(r.stdout, 'first\nC ISO x y\ntail');
    assert.equal(r.stderr, 'oops\n');
    assert.equal(r.cancelled || r.timedOut || r.truncated, false);
  }),
);

test('stdin is written then closed', T, () =>
  withHost(async (h) => {
    const r = await h.run(['cat'], { stdin: 'secret\nline' });
    assert.equal(r.stdout, 'secret\nline');
  }),
);

test('output cap: stdout stops at the cap, the producer is killed, keepStdout=false keeps nothing', T, () =>
  withHost(async (h) => {
    const lines: string[] = [];
    const r = await h.run(['yes', 'abc'], { maxOutputBytes: 100_000, onStdoutLine: (l) => lines.push(l) });
    assert.equal(r.truncated, true);
    assert.equal(Buffer.byteLength(r.stdout), 100_000);
    assert.equal(lines.length, 25_000);
    const r2 = await h.run(['yes'], { maxOutputBytes: 1_000_000, keepStdout: false });
    assert.equal(r2.truncated, true);
    assert.equal(r2.stdout, '');
  }),
);

test('a line of many MB is cut at maxLineLength; the next lines still arrive', T, () =>
  withHost(async (h) => {
    const lines: string[] = [];
    const r = await h.run(['sh', '-c', 'head -c 5000000 /dev/zero | tr "\\0" x; echo; echo next; printf last'], {
      keepStdout: false,
      maxLineLength: 1000,
      onStdoutLine: (l) => lines.push(l),
    });
    assert.equal(r.exitCode, 0);
    assert.deepEqual(
      lines.map((l) => l.length),
      [1000, 4, 4],
    );
    assert.deepEqual(lines.slice(1), ['next', 'last']);
  }),
);

test('timeout kills the whole process tree, including children that ignore SIGTERM', T, () =>
  withHost(async (h) => {
    const r = await h.run(['sh', '-c', 'sleep 300 & (trap "" TERM; sleep 301) & sleep 302'], { timeoutMs: 300 });
    assert.equal(r.timedOut, true);
    assert.equal(r.exitCode, null);
  }),
);

test('cancel before start runs nothing; cancel right after start and mid-run kill the tree', T, () =>
  withHost(async (h) => {
    const marker = join(tmp.dir, 'ran');
    const ac = new AbortController();
    ac.abort();
    const r0 = await h.run(['sh', '-c', `touch ${marker}`], { signal: ac.signal });
    assert.equal(r0.cancelled, true);
    assert.equal(existsSync(marker), false);

    const ac1 = new AbortController();
    const p1 = h.run(['sh', '-c', 'sleep 300 & sleep 300'], { signal: ac1.signal });
    ac1.abort(); // same tick as the spawn
    assert.equal((await p1).cancelled, true);

    const ac2 = new AbortController();
    const p2 = h.run(['sh', '-c', 'trap "" TERM; sleep 300 & sleep 300 & wait'], { signal: ac2.signal });
    await sleep(300);
    assert.equal((await ourProcesses(['sleep'])).length, 2);
    ac2.abort();
    const r2 = await p2;
    assert.equal(r2.cancelled, true);
    assert.equal(r2.signal, 'SIGKILL'); // the shell ignored SIGTERM
  }),
);

test('cancelling a real perf record on the demo server leaves no perf behind', T, async () => {
  const demo = await startDemoServer({ threads: 2 });
  try {
    await withHost(async (h) => {
      const dir = await h.makeTempDir('record');
      const ac = new AbortController();
      const p = h.run(['perf', 'record', '-F', '99', '-g', '-p', String(demo.pid), '-o', join(dir, 'perf.data')], {
        signal: ac.signal,
      });
      await sleep(700);
      assert.equal((await ourProcesses(['perf'])).length, 1, 'perf record should be running');
      ac.abort();
      const r = await p;
      assert.equal(r.cancelled, true);
      assert.ok(existsSync(dir));
      await h.dispose();
      assert.equal(existsSync(dir), false, 'dispose removes the temp dir with perf.data');
    });
  } finally {
    await demo.stop();
  }
});

test('a missing tool is a HostError ENOENT with a hint; nothing is logged as stdin', T, () =>
  withHost(async (h) => {
    const log: CommandLogEntry[] = [];
    h.onCommand((e) => log.push(e));
    await assert.rejects(h.run(['perf-lens-no-such-tool'], { stdin: 'hunter2' }), (e: unknown) => {
      assert.ok(e instanceof HostError);
      assert.equal(e.code, 'ENOENT');
      assert.match(e.message, /perf-lens-no-such-tool was not found/);
      assert.ok(e.hint);
      return true;
    });
    await h.run(['cat'], { stdin: 'hunter2' });
    assert.equal(log.length, 2);
    assert.deepEqual(log[1].argv, ['cat']);
    assert.equal(log[1].exitCode, 0);
    assert.ok(log[1].durationMs > 0);
    assert.ok(!JSON.stringify(log).includes('hunter2'));
  }),
);

test('hostile argv is passed as data, never interpreted', T, () =>
  withHost(async (h) => {
    const marker = join(tmp.dir, 'pwned');
    const args = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `a; touch ${marker}`,
      `x\ntouch ${marker}`,
      `-oProxyCommand=touch ${marker}`,
    ];
    const r = await h.run(['printf', '%s\\0', ...args]);
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
    assert.equal(existsSync(marker), false);
    await assert.rejects(h.run(['-oProxyCommand=x']), (e: unknown) => e instanceof HostError && e.code === 'INVALID');
    await assert.rejects(h.run(['echo', 'a\0b']), (e: unknown) => e instanceof HostError && e.code === 'INVALID');
    await assert.rejects(
      h.run(['env'], { env: { 'A;B': 'x' } }),
      (e: unknown) => e instanceof HostError && e.code === 'INVALID',
    );
  }),
);

test('temp dirs: private 0700, perf-lens-*, only own dirs removed, dispose removes the rest', T, async () => {
  const h = new LocalHost();
  const a = await h.makeTempDir();
  const b = await h.makeTempDir('collect');
  assert.match(a, /\/perf-lens-[A-Za-z0-9]{6}$/);
  assert.match(b, /\/perf-lens-collect-[A-Za-z0-9]{6}$/);
  assert.equal(statSync(a).mode & 0o777, 0o700);
  writeFileSync(join(a, 'perf.data'), 'x');
  await h.removeTempDir(a);
  assert.equal(existsSync(a), false);
  await assert.rejects(h.removeTempDir(a), (e: unknown) => e instanceof HostError && e.code === 'INVALID');
  await assert.rejects(h.removeTempDir(tmp.dir), (e: unknown) => e instanceof HostError && e.code === 'INVALID');
  await h.dispose();
  assert.equal(existsSync(b), false);
  assert.equal(existsSync(tmp.dir), true);
  await assertNothingLeft(TREE);
});

test('readFile: /proc files, size limit, missing file', T, () =>
  withHost(async (h) => {
    const stat = await h.readFile('/proc/self/status');
    assert.match(stat, /^Name:/);
    await assert.rejects(
      h.readFile('/proc/cpuinfo', { maxBytes: 10 }),
      (e: unknown) => e instanceof HostError && e.code === 'TOO_LARGE',
    );
    await assert.rejects(
      h.readFile('/nonexistent/file'),
      (e: unknown) => e instanceof HostError && e.code === 'ENOENT',
    );
  }),
);

test('a throwing line callback stops the command and rejects with that error', T, () =>
  withHost(async (h) => {
    await assert.rejects(
      h.run(['sh', '-c', 'echo one; sleep 300'], {
        onStdoutLine: () => {
          throw new Error('parser broke');
        },
      }),
      /parser broke/,
    );
  }),
);

test('dispose kills commands still running and refuses new ones', T, async () => {
  const h = new LocalHost();
  const p = h.run(['sh', '-c', 'sleep 300 & sleep 300']);
  await sleep(200);
  await h.dispose();
  assert.equal((await p).cancelled, true);
  await assert.rejects(h.run(['true']), (e: unknown) => e instanceof HostError && e.code === 'CANCELLED');
  await assertNothingLeft(TREE);
});

test('cost of one command (reported, not asserted)', T, async (t) => {
  const h = new LocalHost();
  const n = 30;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await h.run(['true']);
  t.diagnostic(`LocalHost: ${((performance.now() - t0) / n).toFixed(1)} ms per \`true\``);
  await h.dispose();
});
