/**
 * Inputs of hundreds of MB and lines of several MB through the streaming paths, made by replaying REAL
 * captures (test/fixtures) many times: the collapser (collapseStream, as `perf-lens collapse`/`analyze` read
 * perf script), a pidstat stream through a LocalHost (as the collectors stream it), and the session's
 * post-processing (perf script folded by FOLD_AWK on the target and decoded here). Memory stays bounded
 * (RSS growth measured against the input size), progress is reported while it runs, cancel stops it
 * within a moment and leaves nothing running, and the results are exact (N replays = N × one capture).
 *
 * Size: 256 MB per path with PERF_LENS_LONG_FAULTS=1 (npm test and CI), 48 MB otherwise.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { LocalHost } from '../../src/core/host/local-host';
import { collapseStream, collapseText } from '../../src/core/collect/stackcollapse';
import { PidstatParser } from '../../src/core/collect/pidstat';
import { choosePrivilege } from '../../src/core/session/privilege';
import { postprocess } from '../../src/core/session/postprocess';
import { assertNothingLeft, isolateTempDir } from '../helpers/processes';

const MB = 1024 * 1024;
const TOTAL = (process.env.PERF_LENS_LONG_FAULTS === '1' ? 256 : 48) * MB;
/** Allowed RSS growth while streaming TOTAL bytes: far below the input, whatever its size. */
const MAX_GROWTH = 160 * MB;
const FIXTURES = join(__dirname, '..', 'fixtures');
const T = { timeout: 300_000 };
const tmp = isolateTempDir();
const scratch = mkdtempSync(join(tmp.dir, 'huge-'));
after(() => {
  rmSync(scratch, { recursive: true, force: true });
  tmp.restore();
});

/** Peak RSS growth over a baseline, sampled while the event loop turns (every chunk awaits). */
function memoryWatch(): { peak(): number; stop(): number } {
  globalThis.gc?.();
  const base = process.memoryUsage().rss;
  let peak = 0;
  const sample = () => (peak = Math.max(peak, process.memoryUsage().rss - base));
  const timer = setInterval(sample, 20);
  return {
    peak: () => (sample(), peak),
    stop: () => (clearInterval(timer), sample(), peak),
  };
}

/** A stand-in for a tool that prints a real capture over and over (a perf or pidstat with a huge output). */
function replayTool(name: string, head: string, body: string, totalBytes: number): string {
  const file = join(scratch, name);
  const bodyFile = join(scratch, `${name}.body`);
  writeFileSync(bodyFile, body, 'latin1');
  writeFileSync(
    file,
    `#!${process.execPath}
// Stand-in for ${name}: prints the head once, then a real capture's body until ${totalBytes} bytes.
const fs = require('fs');
const body = fs.readFileSync(${JSON.stringify(bodyFile)});
let left = ${totalBytes};
process.stdout.write(${JSON.stringify(head)});
function more() {
  while (left > 0) {
    left -= body.length;
    if (!process.stdout.write(body)) return process.stdout.once('drain', more);
  }
}
more();
`,
  );
  chmodSync(file, 0o755);
  return file;
}

test(
  `collapser: ${TOTAL / MB} MB of perf script (and a 6 MB line) in bounded memory, with progress, exact, cancellable`,
  T,
  async () => {
    const capture = readFileSync(join(FIXTURES, 'perf-script', 'demo-g.txt'), 'latin1');
    const one = collapseText(capture, { kernel: true }).sorted();
    const chunk = Buffer.from(capture + '\n', 'latin1');
    const reps = Math.ceil(TOTAL / chunk.length);
    async function* input(): AsyncGenerator<Buffer> {
      for (let i = 0; i < reps; i++) {
        yield chunk;
        // A frame line of 6 MB, once, in the middle of a sample: cut, never buffered whole.
        if (i === Math.floor(reps / 2)) yield Buffer.from(`\t  ffff ${'x'.repeat(6 * MB)} (/x)\n`, 'latin1');
      }
    }

    const mem = memoryWatch();
    const progress: number[] = [];
    const c = await collapseStream(input(), { kernel: true }, undefined, (p) => progress.push(p.bytes));
    const growth = mem.stop();
    assert.ok(progress.length >= reps && progress.every((b, i) => i === 0 || b > progress[i - 1]), 'progress grows');
    assert.ok(progress.at(-1)! >= TOTAL);
    // Exact: every stack of the capture, reps times (the long frame line only adds its own, cut, frame).
    const folded = new Map(c.sorted());
    for (const [stack, count] of one) {
      const got = folded.get(stack) ?? 0;
      assert.ok(got === count * reps || got === count * reps + 1, `${stack}: ${got} vs ${count} × ${reps}`);
    }
    assert.ok(c.stats.truncatedLines >= 1, 'the 6 MB line was cut');
    assert.ok(growth < MAX_GROWTH, `RSS grew ${(growth / MB).toFixed(0)} MB for ${TOTAL / MB} MB of input`);
    process.stderr.write(
      `# collapser: ${TOTAL / MB} MB, RSS +${(growth / MB).toFixed(0)} MB, ${progress.length} progress reports\n`,
    );

    // Cancel a third of the way in: it stops at the next chunk.
    const controller = new AbortController();
    let seen = 0;
    await assert.rejects(
      collapseStream(input(), {}, controller.signal, (p) => {
        seen = p.bytes;
        if (p.bytes > TOTAL / 3) controller.abort(new Error('cancelled by the test'));
      }),
      /cancelled by the test/,
    );
    assert.ok(seen < TOTAL / 3 + 2 * chunk.length, `stopped right after the cancel (${seen} bytes)`);
  },
);

test(
  `pidstat stream: ${TOTAL / MB} MB through a LocalHost, parsed as it arrives, bounded, cancellable`,
  T,
  async () => {
    const capture = readFileSync(join(FIXTURES, 'pidstat', 'threads-load.txt'), 'latin1');
    const banner = capture.slice(0, capture.indexOf('\n') + 1);
    const body = capture.slice(banner.length).replace(/^\n+/, '\n');
    const oneIntervals = body.split('\n# Time').length - 1;
    const tool = replayTool('pidstat-replay-stand-in', banner, body, TOTAL);
    const host = new LocalHost();
    try {
      const parser = new PidstatParser();
      let intervals = 0;
      let threadsSeen = 0;
      const mem = memoryWatch();
      const progressAt: number[] = [];
      const t0 = performance.now();
      const r = await host.run([tool], {
        keepStdout: false,
        timeoutMs: 240_000,
        onStdoutLine: (line) => {
          for (const iv of parser.push(line)) {
            intervals++;
            threadsSeen = Math.max(threadsSeen, iv.rows.length);
            if (intervals % 20_000 === 0) progressAt.push(performance.now() - t0);
          }
        },
      });
      intervals += parser.end().length;
      const growth = mem.stop();
      assert.equal(r.exitCode, 0, r.stderr);
      const reps = Math.ceil(TOTAL / Buffer.byteLength(body, 'latin1'));
      assert.equal(intervals, reps * oneIntervals, 'every interval of every replay was parsed');
      assert.equal(threadsSeen, 4, 'the process row and its three threads');
      assert.ok(progressAt.length >= 2, 'intervals arrive while the tool still runs');
      assert.ok(growth < MAX_GROWTH, `RSS grew ${(growth / MB).toFixed(0)} MB for ${TOTAL / MB} MB`);
      process.stderr.write(
        `# pidstat stream: ${TOTAL / MB} MB, ${intervals} intervals, RSS +${(growth / MB).toFixed(0)} MB\n`,
      );

      // Cancel after a few thousand intervals: the run ends at once and the tool is gone.
      const controller = new AbortController();
      const p2 = new PidstatParser();
      let n = 0;
      const t1 = performance.now();
      let cancelledAt = 0;
      const c = await host.run([tool], {
        keepStdout: false,
        signal: controller.signal,
        onStdoutLine: (line) => {
          n += p2.push(line).length;
          if (n >= 3000 && !controller.signal.aborted) {
            cancelledAt = performance.now();
            controller.abort();
          }
        },
      });
      assert.equal(c.cancelled, true);
      assert.ok(performance.now() - cancelledAt < 3000, 'stopped within a moment');
      assert.ok(performance.now() - t1 < 60_000);
    } finally {
      await host.dispose();
    }
    await assertNothingLeft(['pidstat-replay-', 'node'], { waitMs: 3000 });
  },
);

test(
  `post-processing: ${TOTAL / MB} MB of perf script folded on the target, decoded here; cancellable`,
  T,
  async () => {
    const capture = readFileSync(join(FIXTURES, 'session', 'perf-script-demo.txt'), 'latin1');
    const body = capture.endsWith('\n\n') ? capture : capture.replace(/\n*$/, '\n\n');
    const samplesPerCapture = collapseText(body).stats.samples;
    // Stand-in perf: `script` replays the capture; `report` is not asked for.
    const tool = replayTool('perf-script-replay-stand-in', '', body, TOTAL);
    const host = new LocalHost();
    const privilege = choosePrivilege(0, 'root', { sudo: 'never' });
    try {
      const workDir = await host.makeTempDir('perf-lens-rec');
      const wrapper = join(scratch, 'perf-wrap');
      // The post-processing script calls "$@" script …: route that to the replay, anything else fails.
      writeFileSync(wrapper, `#!/bin/sh\nif [ "$1" = script ]; then exec ${JSON.stringify(tool)}; fi\nexit 1\n`);
      chmodSync(wrapper, 0o755);
      const mem = memoryWatch();
      const out = await postprocess(host, {
        dir: workDir,
        perf: wrapper,
        children: true,
        privilege,
        signal: new AbortController().signal,
        timeoutMs: 240_000,
      });
      const growth = mem.stop();
      const reps = Math.ceil(TOTAL / Buffer.byteLength(body, 'latin1'));
      const fr = out.fold.result();
      assert.equal(out.failure, null, `${out.failure} ${out.scriptErr}`);
      assert.equal(fr.complete, true);
      assert.equal(fr.samples, reps * samplesPerCapture, 'every sample of every replay was counted on the target');
      assert.ok(fr.uniqueStacks > 0 && fr.uniqueStacks <= samplesPerCapture, 'only unique stacks travel');
      assert.ok(growth < MAX_GROWTH, `RSS grew ${(growth / MB).toFixed(0)} MB`);
      process.stderr.write(
        `# post-processing: ${TOTAL / MB} MB folded on the target into ${fr.uniqueStacks} stacks in ${(out.durationMs / 1000).toFixed(1)} s, RSS +${(growth / MB).toFixed(0)} MB\n`,
      );

      // Cancel mid-way: the fold stops on the target at once.
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), Math.min(1500, out.durationMs / 3));
      const t0 = performance.now();
      const cancelled = await postprocess(host, {
        dir: workDir,
        perf: wrapper,
        children: true,
        privilege,
        signal: controller.signal,
        timeoutMs: 240_000,
      });
      clearTimeout(timer);
      assert.equal(cancelled.cancelled, true);
      assert.ok(performance.now() - t0 < Math.min(1500, out.durationMs / 3) + 5000, 'stopped within a moment');
      await host.removeTempDir(workDir);
    } finally {
      await host.dispose();
    }
    await assertNothingLeft(['perf-script-rep', 'perf-wrap', 'awk', 'sh', 'node'], { waitMs: 3000 });
  },
);
