/**
 * `perf-lens profile` as a user runs it: against the loaded demo server, with --json/--html, --strace (its
 * cost said first), Ctrl-C in the middle (partial result, exit 130, nothing left running), and bad flags
 * (one line, exit 2, no stack trace).
 */
import { after, afterEach, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDemoServer, startLoad, type DemoServer, type LoadRun } from '../helpers/demo-server';
import { assertNothingLeft, isolateTempDir } from '../helpers/processes';
import { cliRecordingSecond } from '../helpers/progress';
import { SESSION_TREE } from './session/session-helpers';

const tmp = isolateTempDir();
const root = fileURLToPath(new URL('../../', import.meta.url));
let demo: DemoServer;
let load: LoadRun | null = null;
const T = { timeout: 120_000 };

before(async () => {
  // The HTML report embeds the built webview bundle.
  if (!existsSync(join(root, 'dist/webview/main.js'))) {
    const b = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  }
  demo = await startDemoServer({ threads: 2 });
});
// Each test gets its own bounded wrk run, so the demo is busy however long the tests before took.
beforeEach(() => {
  load = startLoad(demo.port, { seconds: 60, connections: 50 });
});
afterEach(async () => {
  await load?.stop();
  load = null;
});
after(async () => {
  await demo?.stop();
  tmp.restore();
});

interface Run {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI (from source, through tsx); `onStderr` sees stderr as it comes and may signal the process. */
function cli(args: string[], onStderr?: (text: string, child: ReturnType<typeof spawn>) => void): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'profile', ...args], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 100_000);
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
      onStderr?.(stderr, child);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('profiles the demo: progress lines, the report, --json and --html files', T, async () => {
  const json = join(tmp.dir, 'p.json');
  const html = join(tmp.dir, 'r.html');
  const r = await cli(['--pid', String(demo.pid), '--duration', '2', '--json', json, '--html', html]);
  assert.equal(r.code, 0, r.stderr);
  // Not a TTY: plain progress lines, one per message, and a live line per second.
  assert.match(r.stderr, /^\[resolve\] Looking for PID \d+/m);
  // A count line from the 1 s timer ("1/2" or, when a count was skipped, "2/2"), beyond the "0/2" at the start.
  assert.match(r.stderr, /^\[record\] Recording [12]\/2 s/m);
  assert.match(r.stderr, /^ {2}t=\d+\.\ds process [\d.]+% \(usr/m);
  // eslint-disable-next-line no-control-regex -- looking for terminal escapes is the point
  assert.doesNotMatch(r.stderr, /\x1b\[/, 'no terminal control sequences when not on a terminal');
  assert.match(r.stdout, /^Verdict: \S+/m);
  assert.match(r.stdout, /eventfd-wakeup-storm/);
  assert.match(r.stdout, /IoUringExecutor::wakeThread/);
  const p = JSON.parse(readFileSync(json, 'utf8')) as {
    schema: string;
    origin: string;
    target: { pid: number; listeningPorts: number[] };
  };
  assert.equal(p.schema, 'perf-lens/profile@1');
  assert.equal(p.origin, 'session');
  assert.equal(p.target.pid, demo.pid);
  assert.deepEqual(p.target.listeningPorts, [demo.port], 'found from the process’s own sockets when given a PID');
  const page = readFileSync(html, 'utf8');
  assert.match(page, /^<!DOCTYPE html>/i);
  assert.ok(page.length > 10_000);
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
});

test('Ctrl-C during recording stops everything, prints the partial result and exits 130', T, async () => {
  let sent = false;
  const r = await cli(['--pid', String(demo.pid), '--duration', '30'], (text, child) => {
    // The first count at 1 s or later (the 1 s progress timer can skip a count); `sent` makes it once.
    if (!sent && (cliRecordingSecond(text) ?? 0) >= 1) {
      sent = true;
      child.kill('SIGINT');
    }
  });
  assert.ok(sent, `reached the recording: ${r.stderr.slice(-500)}`);
  assert.equal(r.code, 130, r.stderr);
  assert.match(r.stderr, /Ctrl-C: stopping everything on the target/);
  assert.match(r.stdout, /cancelled during record/, 'the partial result says why it is partial');
  assert.match(r.stdout, /tcp_demo-w0/, 'the threads gathered so far are printed');
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
});

test('a reader that goes away (| head) stops the session cleanly: nothing left running or on disk', T, async () => {
  let closed = false;
  const r = await cli(['--pid', String(demo.pid), '--duration', '30'], (text, child) => {
    // The first count at 1 s or later (the 1 s progress timer can skip a count); `closed` makes it once.
    if (!closed && (cliRecordingSecond(text) ?? 0) >= 1) {
      closed = true;
      child.stderr?.destroy(); // like `2>&1 | head`: the next progress line meets a closed pipe
      child.stdout?.destroy();
    }
  });
  assert.ok(closed, 'reached the recording');
  assert.notEqual(r.signal, 'SIGKILL', 'ended by itself, not by the test timeout');
  await assertNothingLeft(SESSION_TREE, { waitMs: 8000 });
});

test('--strace says what it costs before anything runs, and its summary lands in the profile', T, async () => {
  const json = join(tmp.dir, 's.json');
  const r = await cli(['--pid', String(demo.pid), '--duration', '2', '--strace', '--json', json, '-q']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr.split('\n')[0], /--strace: strace stops the target at every system call.*95–98%/);
  const p = JSON.parse(readFileSync(json, 'utf8')) as {
    syscalls: Array<{ name: string; seconds: number | null }>;
    dataQuality: Array<{ id: string }>;
    partialReason: string | null;
  };
  assert.ok(p.dataQuality.some((n) => n.id === 'strace-overhead'));
  assert.ok(
    p.syscalls.some((s) => s.name === 'io_uring_enter' && s.seconds !== null),
    'strace timings in the syscalls',
  );
  await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
});

test('bad flags and values: one line on stderr, exit 2, no stack trace', T, async () => {
  for (const args of [
    ['--frob'],
    ['--pid', 'x'],
    ['--pid', '1', '--duration', '-3'],
    ['--ssh=-oProxyCommand=x', '--pid', '1'],
    [],
  ]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${JSON.stringify(args)}: ${r.stderr}`);
    assert.match(r.stderr, /^perf-lens: /);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
  }
  const none = await cli(['--port', '1', '-q']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /no process matches listening port 1/);
});
