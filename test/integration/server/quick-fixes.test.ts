/**
 * Quick-fix proof: each quick fix the bundled language server offers on the demo server is applied to a
 * COPY of the demo source (temp dir), built with g++ (make), run under wrk load on a random loopback
 * port — and after coalesce-eventfd-wakeups, the eventfd writes per second under the same load must
 * fall by at least 90% (counted in the kernel by perf stat's syscalls:sys_enter_write tracepoint,
 * filtered to the process's eventfd descriptors), with requests/s holding.
 *
 * The demo hops every request across both workers. Waking only when nothing was pending still left
 * 0.21–0.29 writes per request (from ~1.95, −85–88% on a quiet 2-core machine): the consumer drains
 * each task faster than the producer queues the next and parks between them. The recipe therefore also
 * defers an event-loop thread's wake-ups to the end of its loop iteration; measured here on the demo:
 * 0.03 writes per request (−98%), requests/s 10–30% higher, wrk's latency no worse.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import {
  CodeActionRequest,
  type CodeAction,
  type TextDocumentEdit,
  type TextEdit,
} from 'vscode-languageserver-protocol/node';
import { startLoad } from '../../helpers/demo-server';
import { assertNothingLeft } from '../../helpers/processes';
import { demoProfile } from './demo-profile';
import { fileUri, removeBundle, startClient, type TestClient } from './lsp-client';

const repoRoot = join(__dirname, '..', '..', '..');
const demoDir = join(repoRoot, 'examples', 'tcp-demo');

const FIXES: Array<{ findingId: string; fixId: string; safe: boolean }> = [
  { findingId: 'eventfd-wakeup-storm', fixId: 'coalesce-eventfd-wakeups', safe: true },
  { findingId: 'io-uring-submit-overhead', fixId: 'batch-submissions', safe: true },
  { findingId: 'io-uring-submit-overhead', fixId: 'sqpoll', safe: true },
  { findingId: 'kernel-network-stack', fixId: 'tcp-nodelay', safe: true },
  { findingId: 'kernel-network-stack', fixId: 'send-zc', safe: false },
];

/** Applies LSP text edits to a text, independently of the server's own helpers. */
function applyTextEdits(text: string, edits: TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const at = (l: number, c: number) => starts[l] + c;
  // From the end; inserts at one position keep their array order in the result (LSP semantics).
  const sorted = edits
    .map((e, order) => ({ e, order, start: at(e.range.start.line, e.range.start.character) }))
    .sort((a, b) => b.start - a.start || b.order - a.order)
    .map((x) => x.e);
  let out = text;
  for (const e of sorted) {
    out =
      out.slice(0, at(e.range.start.line, e.range.start.character)) +
      e.newText +
      out.slice(at(e.range.end.line, e.range.end.character));
  }
  return out;
}

interface Running {
  pid: number;
  port: number;
  stop(): Promise<void>;
  output(): string;
}

function startServer(binary: string): Promise<Running> {
  const child = spawn(binary, ['--port', '0', '--threads', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(t);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`no listening line from ${binary}:\n${output}`));
    }, 10_000);
    const onData = (c: Buffer) => {
      output += c.toString('utf8');
      const m = /listening on 127\.0\.0\.1:(\d+) .*\(pid (\d+)\)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ pid: Number(m[2]), port: Number(m[1]), stop, output: () => output });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`${binary} exited (${code}) before listening:\n${output}`));
    });
  });
}

function eventfdDescriptors(pid: number): number[] {
  return readdirSync(`/proc/${pid}/fd`)
    .filter((fd) => {
      try {
        return readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[eventfd]';
      } catch {
        return false;
      }
    })
    .map(Number)
    .sort((a, b) => a - b);
}

/** perf stat -e EVENT [--filter] -p PID -- sleep SECONDS; returns the count. */
function perfStatCount(pid: number, event: string, filter: string | null, seconds: number): Promise<number> {
  const argv = [
    'stat',
    '-x',
    ',',
    '-e',
    event,
    ...(filter ? ['--filter', filter] : []),
    '-p',
    String(pid),
    '--',
    'sleep',
    String(seconds),
  ];
  return new Promise((resolve, reject) => {
    const child = spawn('perf', argv, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c.toString('utf8')));
    child.once('close', (code) => {
      const line = err.split('\n').find((l) => l.includes(event));
      const n = line ? Number(line.split(',')[0]) : NaN;
      if (code === 0 && Number.isFinite(n)) resolve(n);
      else reject(new Error(`perf ${argv.join(' ')} failed (${code}):\n${err}`));
    });
  });
}

interface LoadMeasure {
  requestsPerSecond: number;
  eventfdWritesPerSecond: number;
  fds: number[];
  wrk: string;
}

/**
 * wrk (2 threads, `connections`) for `seconds`; perf stat counts the eventfd writes from 1 s into the
 * load until 1 s before its end (at least 1 s).
 */
async function measure(binary: string, seconds: number, connections: number): Promise<LoadMeasure> {
  const server = await startServer(binary);
  try {
    const fds = eventfdDescriptors(server.pid);
    assert.ok(fds.length > 0, `no eventfd in /proc/${server.pid}/fd`);
    const load = startLoad(server.port, { seconds, connections });
    try {
      await new Promise((r) => setTimeout(r, 1000));
      const window = Math.max(1, seconds - 2);
      const writes = await perfStatCount(
        server.pid,
        'syscalls:sys_enter_write',
        fds.map((fd) => `fd == ${fd}`).join(' || '),
        window,
      );
      const { requestsPerSecond, output } = await load.done;
      return { requestsPerSecond, eventfdWritesPerSecond: writes / window, fds, wrk: output };
    } finally {
      await load.stop();
    }
  } finally {
    await server.stop();
  }
}

describe('quick fixes applied to a copy of the demo server', { timeout: 600_000 }, () => {
  let tmp: string;
  let base: string;
  let client: TestClient;
  const results: string[] = [];

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pl-quickfix-'));
    base = join(tmp, 'base');
    cpSync(join(demoDir, 'Makefile'), join(base, 'Makefile'));
    cpSync(join(demoDir, 'src'), join(base, 'src'), { recursive: true });
    const make = spawnSync('make', ['-C', base], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(make.status, 0, `baseline build failed:\n${make.stdout}\n${make.stderr}`);
    client = await startClient([base]);
    await client.connection.sendNotification('perfLens/profile', demoProfile());
    await client.waitForDiagnostics(
      fileUri(join(base, 'src', 'executor.cpp')),
      (d) => d.diagnostics.length > 0,
      20_000,
    );
  });

  after(async () => {
    await client?.stop();
    removeBundle();
    if (results.length > 0) console.log(results.join('\n'));
    rmSync(tmp, { recursive: true, force: true });
    await assertNothingLeft(['tcp_demo', 'wrk', 'perf']);
  });

  async function actionFor(findingId: string, fixId: string): Promise<CodeAction> {
    const loc = await client.connection.sendRequest<{ uri: string; line: number; character: number } | null>(
      'perfLens/findFixLocation',
      {
        findingId,
        fixId,
      },
    );
    assert.ok(loc, `findFixLocation found no place for ${fixId}`);
    assert.ok(loc.uri.startsWith(fileUri(base)), `location outside the copy: ${loc.uri}`);
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: loc.uri },
      range: { start: { line: loc.line, character: 0 }, end: { line: loc.line, character: 0 } },
      context: { diagnostics: [] },
    })) as CodeAction[];
    const action = actions.find((a) => (a.data as { fixId?: string } | undefined)?.fixId === fixId);
    assert.ok(
      action,
      `no ${fixId} action at ${loc.uri}:${loc.line + 1}; got ${actions.map((a) => a.title).join(' | ')}`,
    );
    assert.equal(action.kind, 'quickfix');
    return action;
  }

  /** Copies the built baseline (timestamps kept, so make rebuilds only edited files) and applies the edit. */
  function applyToCopy(fixId: string, action: CodeAction): { dir: string; changed: string[] } {
    const dir = join(tmp, fixId);
    cpSync(base, dir, { recursive: true, preserveTimestamps: true });
    const changed: string[] = [];
    for (const change of action.edit?.documentChanges ?? []) {
      const docEdit = change as TextDocumentEdit;
      const rel = relative(base, fileURLToPath(docEdit.textDocument.uri));
      assert.ok(!rel.startsWith('..'), `edit outside the workspace copy: ${docEdit.textDocument.uri}`);
      const path = join(dir, rel);
      const before = readFileSync(path, 'utf8');
      const afterText = applyTextEdits(before, docEdit.edits as TextEdit[]);
      assert.notEqual(afterText, before, `${fixId}: edit changes nothing in ${rel}`);
      writeFileSync(path, afterText);
      changed.push(rel);
    }
    assert.ok(changed.length > 0, `${fixId}: empty edit`);
    return { dir, changed };
  }

  function build(dir: string): string {
    const make = spawnSync('make', ['-C', dir], { encoding: 'utf8', timeout: 180_000 });
    assert.equal(make.status, 0, `build of ${dir} failed:\n${make.stdout}\n${make.stderr}`);
    return join(dir, 'build', 'tcp_demo');
  }

  for (const { findingId, fixId, safe } of FIXES) {
    test(`${fixId}: the edit compiles and the server still serves wrk load`, async () => {
      const action = await actionFor(findingId, fixId);
      assert.equal((action.data as { safe: boolean }).safe, safe, `${fixId}: ${action.title}`);
      const { dir, changed } = applyToCopy(fixId, action);
      const binary = build(dir);
      const m = await measure(binary, 3, 50);
      assert.ok(m.requestsPerSecond > 100, `${fixId}: only ${m.requestsPerSecond} requests/s:\n${m.wrk}`);
      assert.doesNotMatch(m.wrk, /Socket errors:.*(read|write) [1-9]/, `${fixId}: wrk saw socket errors:\n${m.wrk}`);
      results.push(
        `${fixId}: changed ${changed.join(', ')}; serves ${m.requestsPerSecond.toFixed(0)} requests/s (wrk, 50 connections)`,
      );
      if (fixId === 'tcp-nodelay') {
        const text = readFileSync(join(dir, 'src', 'server.cpp'), 'utf8');
        assert.match(text, /#include <netinet\/tcp\.h>/);
        assert.match(text, /setsockopt\(client_fd, IPPROTO_TCP, TCP_NODELAY/);
      }
      if (fixId === 'coalesce-eventfd-wakeups') {
        // Before/after under the same load: two alternating pairs (other tests share these two cores, so
        // one pair alone is at the mercy of whatever else runs at that moment), summed.
        const before: LoadMeasure[] = [];
        const afterFix: LoadMeasure[] = [];
        for (let pair = 0; pair < 2; pair++) {
          before.push(await measure(join(base, 'build', 'tcp_demo'), 5, 200));
          afterFix.push(await measure(binary, 5, 200));
        }
        const sum = (xs: LoadMeasure[], f: (x: LoadMeasure) => number) => xs.reduce((a, x) => a + f(x), 0);
        const writesBefore = sum(before, (x) => x.eventfdWritesPerSecond) / before.length;
        const writesAfter = sum(afterFix, (x) => x.eventfdWritesPerSecond) / afterFix.length;
        const rpsBefore = sum(before, (x) => x.requestsPerSecond) / before.length;
        const rpsAfter = sum(afterFix, (x) => x.requestsPerSecond) / afterFix.length;
        const fall = 1 - writesAfter / writesBefore;
        results.push(
          `coalesce-eventfd-wakeups (wrk 2 threads, 200 connections, 5 s; perf stat over 3 s; mean of 2 alternating runs): ` +
            `eventfd writes/s ${writesBefore.toFixed(0)} → ${writesAfter.toFixed(0)} (−${(fall * 100).toFixed(1)}%); ` +
            `requests/s ${rpsBefore.toFixed(0)} → ${rpsAfter.toFixed(0)}; writes per request ` +
            `${(writesBefore / rpsBefore).toFixed(2)} → ${(writesAfter / rpsAfter).toFixed(3)}; runs: ` +
            before
              .map((b, i) => `${b.eventfdWritesPerSecond.toFixed(0)}→${afterFix[i].eventfdWritesPerSecond.toFixed(0)}`)
              .join(', '),
        );
        assert.ok(writesBefore > 1000, `baseline has too few eventfd writes to compare: ${writesBefore}/s`);
        // Fewer syscalls must not cost throughput (a deferral that stalled workers would show here).
        assert.ok(rpsAfter >= rpsBefore * 0.9, `requests/s fell: ${rpsBefore.toFixed(0)} → ${rpsAfter.toFixed(0)}`);
        assert.ok(
          fall >= 0.9,
          `eventfd writes/s fell only ${(fall * 100).toFixed(1)}% (${writesBefore.toFixed(0)} → ${writesAfter.toFixed(0)})`,
        );
      }
    });
  }
});
