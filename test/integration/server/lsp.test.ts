/**
 * The bundled language server over stdio with a real LSP client connection: CodeLens, diagnostics,
 * hover, code actions and the custom requests — on a copy of the demo server's source (profile from a
 * real perf capture of it) and on the tricky C++ fixture (profile from a real perf capture of it).
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CodeActionRequest,
  CodeLensRequest,
  DidChangeTextDocumentNotification,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  HoverRequest,
  type CodeAction,
  type CodeLens,
  type Diagnostic,
  type MarkupContent,
  type TextDocumentEdit,
} from 'vscode-languageserver-protocol/node';
import { FIXTURES, readChildrenReport, readSrclineReport } from '../../unit/symbols/perf-report-fixture';
import { lineOf } from '../../unit/symbols/source-lines';
import { profileToParams } from '../../../src/core/symbols/profile-input';
import { demoHotspots, demoProfile } from './demo-profile';
import { fileUri, removeBundle, startClient, type TestClient } from './lsp-client';

const repoRoot = join(__dirname, '..', '..', '..');
const TRICKY = join(FIXTURES, 'tricky');

function messageText(m: string | MarkupContent | undefined): string {
  return typeof m === 'string' ? m : (m?.value ?? '');
}

function lensesAt(lenses: CodeLens[], line: number): string[] {
  return lenses.filter((l) => l.range.start.line === line).map((l) => l.command?.title ?? '');
}

async function codeLenses(client: TestClient, path: string): Promise<CodeLens[]> {
  return client.connection.sendRequest(CodeLensRequest.type, { textDocument: { uri: fileUri(path) } }) as Promise<
    CodeLens[]
  >;
}

async function waitFor<T>(what: string, fn: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (ok(v)) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v).slice(0, 1500)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('language server on the demo source (real perf capture)', { timeout: 120_000 }, () => {
  let tmp: string;
  let src: string;
  let client: TestClient;
  const exec = () => join(src, 'executor.cpp');
  const hot = demoHotspots();
  const pct = (symbol: string, field: 'self' | 'children') => {
    const h = hot.find((x) => x.symbol === symbol);
    assert.ok(h, symbol);
    return h[field]!.toFixed(1) + '%';
  };

  before(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'pl-lsp-demo-'));
    src = join(tmp, 'src');
    cpSync(join(repoRoot, 'examples', 'tcp-demo', 'src'), src, { recursive: true });
    client = await startClient([tmp]);
    await client.connection.sendNotification('perfLens/profile', demoProfile());
    await client.waitForDiagnostics(fileUri(exec()), (d) => d.diagnostics.length > 0, 20_000);
  });

  after(async () => {
    await client?.stop();
    removeBundle();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('advertises CodeLens, hover and quick fixes', () => {
    const caps = client.initializeResult.capabilities;
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
    assert.equal(caps.hoverProvider, true);
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix'] });
  });

  test('CodeLens above scheduleOn: self · total · finding → fix, and an Apply fix lens', async () => {
    const lenses = await codeLenses(client, exec());
    const line = lineOf(exec(), 'bool IoUringExecutor::scheduleOn(');
    const titles = lensesAt(lenses, line);
    assert.equal(titles.length, 2, JSON.stringify(lenses.map((l) => [l.range.start.line, l.command?.title])));
    assert.match(
      titles[0],
      new RegExp(
        `^🔥 ${pct('IoUringExecutor::scheduleOn', 'self').replace('.', '\\.')} self · ${pct('IoUringExecutor::scheduleOn', 'children').replace('.', '\\.')} total · eventfd write per enqueue → `,
      ),
    );
    assert.match(titles[0], / → Coalesce wake-ups$/);
    assert.equal(titles[1], 'Apply fix: Coalesce wake-ups');
    const show = lenses.find((l) => l.range.start.line === line && l.command?.command === 'perfLens.showFinding');
    assert.deepEqual(show?.command?.arguments, [
      { findingId: 'eventfd-wakeup-storm', symbol: 'IoUringExecutor::scheduleOn' },
    ]);
    const apply = lenses.find((l) => l.range.start.line === line && l.command?.command === 'perfLens.applyFix');
    assert.deepEqual(apply?.command?.arguments, [
      {
        findingId: 'eventfd-wakeup-storm',
        fixId: 'coalesce-eventfd-wakeups',
        uri: fileUri(exec()),
        line: lineOf(exec(), '    wakeThread(context_id);'),
      },
    ]);
  });

  test('CodeLens above wakeThread and on the awaitables and handleClient', async () => {
    const lenses = await codeLenses(client, exec());
    const wake = lensesAt(lenses, lineOf(exec(), 'void IoUringExecutor::wakeThread('));
    assert.match(
      wake[0] ?? '',
      new RegExp(
        `^🔥 .*${pct('IoUringExecutor::wakeThread', 'children').replace('.', '\\.')} total · eventfd write per enqueue`,
      ),
    );
    const io = await codeLenses(client, join(src, 'io_ops.cpp'));
    for (const op of ['recv', 'send', 'accept']) {
      const titles = lensesAt(io, lineOf(join(src, 'io_ops.cpp'), `bool ${op}::await_suspend(`));
      assert.match(titles[0] ?? '', /io_uring_enter for every operation → /, op);
      assert.match(titles[1] ?? '', /^Apply fix: /, op);
    }
    const server = await codeLenses(client, join(src, 'server.cpp'));
    assert.match(
      lensesAt(server, lineOf(join(src, 'server.cpp'), 'Lazy<void> handleClient('))[0] ?? '',
      new RegExp(`^🔥 ${pct('handleClient', 'self').replace('.', '\\.')} self`),
    );
  });

  test('diagnostics on the exact lines: eventfd write, per-operation submits, accept, ring set-up', async () => {
    const byLine = (path: string) =>
      new Map((client.diagnostics.get(fileUri(path))?.diagnostics ?? []).map((d) => [d.range.start.line, d]));
    const e = byLine(exec());
    const write = e.get(lineOf(exec(), '::write('));
    assert.ok(write, 'eventfd write diagnostic');
    assert.equal(write.source, 'Perf Lens');
    assert.equal(write.severity, 2);
    assert.equal(write.code, 'eventfd-wakeup-storm');
    assert.match(
      messageText(write.message),
      /eventfd write on every wake-up — eventfd write per enqueue\. IoUringExecutor::wakeThread is on [\d.]+% of samples/,
    );
    const setup = e.get(lineOf(exec(), 'io_uring_queue_init('));
    assert.match(messageText(setup?.message), /without SQPOLL while the process is syscall-bound/);
    const io = join(src, 'io_ops.cpp');
    const submits = [...byLine(io).values()]
      .filter((d) => d.code === 'io-uring-submit-overhead')
      .map((d) => d.range.start.line);
    const expected = readFileSync(io, 'utf8')
      .split('\n')
      .map((l, i) => (l.includes('io_uring_submit(ctx->ring())') ? i : -1))
      .filter((i) => i >= 0);
    assert.deepEqual(submits, expected);
    const srv = join(src, 'server.cpp');
    const accept = byLine(srv).get(lineOf(srv, 'co_await io::v1::accept('));
    assert.match(messageText(accept?.message), /no TCP_NODELAY/);
    // The armWakeRead submit also follows a prep in the same block; the batched cancel loop does not.
    const executorSubmits = [...e.values()]
      .filter((d) => d.code === 'io-uring-submit-overhead')
      .map((d) => d.range.start.line);
    const lines = readFileSync(exec(), 'utf8').split('\n');
    const cancel = lineOf(exec(), 'io_uring_prep_cancel64(');
    const batchedSubmit = lines.findIndex((l, i) => i > cancel && l.includes('io_uring_submit(&ring_)'));
    const armSubmit = lines.findIndex(
      (l, i) => i > lineOf(exec(), 'io_uring_prep_read(') && l.includes('io_uring_submit(&ring_)'),
    );
    assert.ok(!executorSubmits.includes(batchedSubmit), 'the submit after the cancel loop is already batched');
    assert.ok(executorSubmits.includes(armSubmit), 'armWakeRead submits its single read');
  });

  test('hover on a hot function shows self/total, threads or callers when known, the finding, how it was mapped', async () => {
    const line = lineOf(exec(), 'bool IoUringExecutor::scheduleOn(');
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: fileUri(exec()) },
      position: { line, character: 10 },
    });
    const value = (hover?.contents as MarkupContent).value;
    assert.match(value, /IoUringExecutor::scheduleOn/);
    assert.ok(
      value.includes(
        `${pct('IoUringExecutor::scheduleOn', 'self')} self · ${pct('IoUringExecutor::scheduleOn', 'children')} total`,
      ),
    );
    assert.match(value, /\*\*eventfd write per enqueue\*\* \(warning\)/);
    assert.match(value, /_Mapped by exact qualified name\._/);
    const none = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: fileUri(exec()) },
      position: { line: 0, character: 0 },
    });
    assert.equal(none, null);
  });

  test('quick fix from the eventfd diagnostic: a preferred quickfix with a versioned WorkspaceEdit', async () => {
    const diag = client.diagnostics.get(fileUri(exec()))!.diagnostics.find((d) => d.code === 'eventfd-wakeup-storm')!;
    const actions = (await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: fileUri(exec()) },
      range: diag.range,
      context: { diagnostics: [diag] },
    })) as CodeAction[];
    const coalesce = actions.find((a) => (a.data as { fixId: string }).fixId === 'coalesce-eventfd-wakeups');
    assert.ok(coalesce, actions.map((a) => a.title).join(' | '));
    assert.equal(coalesce.kind, 'quickfix');
    assert.equal(coalesce.isPreferred, true);
    assert.match(coalesce.title, /\(coalesce-eventfd-wakeups\)$/);
    assert.deepEqual(coalesce.diagnostics, [diag]);
    const edits = coalesce.edit!.documentChanges as TextDocumentEdit[];
    assert.equal(edits.length, 1);
    assert.equal(edits[0].textDocument.uri, fileUri(exec()));
    const text = edits[0].edits.map((e) => ('newText' in e ? e.newText : '')).join('\n');
    assert.match(text, /const bool was_empty = ctx\.accepted_tasks_\.fetch_add\(1\) == 0;/);
    // A worker thread defers the wake to the end of its loop iteration; any other thread wakes at once.
    assert.match(
      text,
      /if \(was_empty\) \{\n\s+if \(perf_lens_defer_wakes\) \{\n.*\n\s+perf_lens_owed_wakes\.emplace_back\(\[this, context_id\] \{ wakeThread\(context_id\); \}\);\n\s+\} else \{\n\s+wakeThread\(context_id\);\n\s+\}\n\s+\}/,
    );
    assert.match(text, /perfLensPayOwedWakes\(\);/);
    assert.match(text, /const PerfLensWakeBatch perf_lens_wake_batch;/);
    assert.match(text, /if \(accepted_tasks_\.load\(\) > 0 && io_uring_cq_ready\(&ring_\) == 0\) \{\n\s+continue;/);
    // Only quick fixes when the client asks only for refactorings.
    const none = await client.connection.sendRequest(CodeActionRequest.type, {
      textDocument: { uri: fileUri(exec()) },
      range: diag.range,
      context: { diagnostics: [diag], only: ['refactor'] },
    });
    assert.deepEqual(none, []);
  });

  test('perfLens/findFixLocation answers every recommended fix, and null for unknown ones', async () => {
    const find = (findingId: string, fixId: string) =>
      client.connection.sendRequest<{ uri: string; line: number } | null>('perfLens/findFixLocation', {
        findingId,
        fixId,
      });
    assert.deepEqual(await find('eventfd-wakeup-storm', 'coalesce-eventfd-wakeups'), {
      uri: fileUri(exec()),
      line: lineOf(exec(), '    wakeThread(context_id);'),
      character: 4,
    });
    assert.equal(
      (await find('kernel-network-stack', 'tcp-nodelay'))?.line,
      lineOf(join(src, 'server.cpp'), 'co_await io::v1::accept('),
    );
    assert.equal((await find('io-uring-submit-overhead', 'sqpoll'))?.line, lineOf(exec(), 'io_uring_queue_init('));
    assert.equal(
      (await find('kernel-network-stack', 'send-zc'))?.line,
      lineOf(join(src, 'io_ops.cpp'), 'io_uring_prep_send('),
    );
    assert.equal(await find('no-such-finding', 'sqpoll'), null);
  });

  test('editing a file past recognition removes its lens; a new profile replaces, clearProfile clears', async () => {
    const srv = join(src, 'server.cpp');
    const original = readFileSync(srv, 'utf8');
    await client.open(srv, original);
    const line = lineOf(srv, 'Lazy<void> handleClient(');
    assert.ok(lensesAt(await codeLenses(client, srv), line).length >= 1);
    await client.connection.sendNotification(DidChangeTextDocumentNotification.type, {
      textDocument: { uri: fileUri(srv), version: 2 },
      contentChanges: [{ text: original.replace('Lazy<void> handleClient(', 'Lazy<void> serveConnection(') }],
    });
    await waitFor(
      'the handleClient lens to go',
      () => codeLenses(client, srv),
      (l) => lensesAt(l, line).length === 0,
    );

    await client.connection.sendNotification('perfLens/profile', demoProfile({ findings: [], profileId: 'second' }));
    await client.waitForDiagnostics(fileUri(exec()), (d) => d.diagnostics.length === 0);
    const lenses = await codeLenses(client, exec());
    assert.ok(
      lenses.length > 0 &&
        lenses.every((l) => !/→/.test(l.command?.title ?? '') && l.command?.command === 'perfLens.showPanel'),
    );
    await client.connection.sendNotification('perfLens/clearProfile', {});
    await waitFor(
      'lenses to clear',
      () => codeLenses(client, exec()),
      (l) => l.length === 0,
    );
    await client.connection.sendNotification('perfLens/profile', demoProfile());
    await client.waitForDiagnostics(fileUri(exec()), (d) => d.diagnostics.length > 0);
  });

  test('a large unsaved buffer (parsed on an index worker) is indexed from the editor, not the disk', async () => {
    const execText = readFileSync(exec(), 'utf8');
    const parts: string[] = [];
    for (let k = 0; parts.join('\n').length < 300_000; k++)
      parts.push(`namespace copy${k} {\n${execText.replace(/^#.*$/gm, '')}\n}`);
    parts.push('namespace big {\nint onlyInBuffer(int x) {\n  return x + 1;\n}\n}  // namespace big');
    const text = parts.join('\n');
    const big = join(src, 'big.cpp');
    await client.open(big, text);
    const profile = demoProfile();
    profile.hotspots = [
      ...profile.hotspots,
      { ...profile.hotspots[0], symbol: 'big::onlyInBuffer', kernel: false, self: 7.5, children: 7.5 },
    ];
    await client.connection.sendNotification('perfLens/profile', profile);
    const lenses = await waitFor(
      'the lens in the unsaved buffer',
      () => codeLenses(client, big),
      (l) => l.some((x) => /7\.5% self/.test(x.command?.title ?? '')),
    );
    const line = text.split('\n').findIndex((l) => l.startsWith('int onlyInBuffer('));
    assert.deepEqual(lensesAt(lenses, line), ['🔥 7.5% self · 7.5% total']);
    await client.connection.sendNotification('perfLens/profile', demoProfile());
  });

  test('a C++ file created on disk is indexed through watched-file events', async () => {
    const extra = join(src, 'extra.cpp');
    writeFileSync(extra, 'namespace extra {\nint hotHelper(int x) {\n  return x * 2;\n}\n}  // namespace extra\n');
    await client.connection.sendNotification(DidChangeWatchedFilesNotification.type, {
      changes: [{ uri: fileUri(extra), type: FileChangeType.Created }],
    });
    const profile = demoProfile();
    profile.hotspots = [
      ...profile.hotspots,
      { ...profile.hotspots[0], symbol: 'extra::hotHelper', kernel: false, self: 4.2, children: 4.2, dso: 'tcp_demo' },
    ];
    await client.connection.sendNotification('perfLens/profile', profile);
    const lenses = await waitFor(
      'a lens in the new file',
      () => codeLenses(client, extra),
      (l) => l.length > 0,
    );
    assert.deepEqual(lensesAt(lenses, 1), ['🔥 4.2% self · 4.2% total']);
  });

  test('hostile or malformed profiles never take the server down; symbol text is escaped in hovers', async () => {
    await client.connection.sendNotification('perfLens/profile', 'not a profile');
    await client.connection.sendNotification('perfLens/profile', { hotspots: 'x', findings: [] });
    await client.connection.sendNotification('perfLens/profile', null);
    const nasty = [
      '<script>alert(1)</script>',
      '`]` **x** [link](http://example.invalid)',
      'Box<' + 'Box<'.repeat(19) + 'int' + '>'.repeat(20) + '::touch',
      'core::ptr::drop_in_place<alloc::vec::Vec<u8>>::h0123456789abcdef',
      'main.(*Server).handle',
      '((((((((((<<<<<<<<',
      '\u0000\u202e',
      'x'.repeat(100_000),
    ];
    const profile = demoProfile();
    profile.hotspots = [
      ...nasty.map((symbol) => ({ ...profile.hotspots[0], symbol, kernel: false })),
      {
        ...profile.hotspots[0],
        symbol: 'IoUringExecutor::scheduleOn',
        kernel: false,
        callers: ['<script>alert(2)</script>'],
        threads: ['w`0` <b>'],
      },
    ];
    await client.connection.sendNotification('perfLens/profile', profile);
    const line = lineOf(exec(), 'bool IoUringExecutor::scheduleOn(');
    const hover = await waitFor(
      'the hover of the hostile profile',
      () =>
        client.connection.sendRequest(HoverRequest.type, {
          textDocument: { uri: fileUri(exec()) },
          position: { line, character: 5 },
        }),
      (h) => (h?.contents as MarkupContent | undefined)?.value.includes('alert(2)') === true,
    );
    const value = (hover!.contents as MarkupContent).value;
    // Markup from the profile only ever appears inside code spans (rendered as literal text) or escaped.
    const outsideCode = value.replace(/(`+) [^\n]*? \1/g, '');
    assert.ok(!outsideCode.includes('<'), value);
    assert.ok(value.includes('` <script>alert(2)</script> `'), value);
    assert.ok(value.includes('w\\`0\\` &lt;b&gt;'), value);
    assert.ok(client.child.exitCode === null, 'server still running');
    await client.connection.sendNotification('perfLens/profile', demoProfile());
  });
});

describe(
  'language server with a Profile recorded by a real session (test/fixtures/profiles/demo-session.json)',
  { timeout: 120_000 },
  () => {
    let client: TestClient;
    const src = join(repoRoot, 'examples', 'tcp-demo', 'src');
    const exec = join(src, 'executor.cpp');

    before(async () => {
      client = await startClient([src]);
      const doc: unknown = JSON.parse(readFileSync(join(FIXTURES, '..', 'profiles', 'demo-session.json'), 'utf8'));
      const params = profileToParams(doc, 'demo-session');
      assert.ok(typeof params !== 'string', String(params));
      await client.connection.sendNotification('perfLens/profile', params);
    });

    after(async () => {
      await client?.stop();
      removeBundle();
    });

    test('lenses above scheduleOn and wakeThread with their percentages, the diagnostic on the eventfd write', async () => {
      const lenses = await waitFor(
        'lenses',
        () => codeLenses(client, exec),
        (l) => l.length > 0,
      );
      for (const fn of ['bool IoUringExecutor::scheduleOn(', 'void IoUringExecutor::wakeThread(']) {
        const titles = lensesAt(lenses, lineOf(exec, fn));
        assert.match(titles[0] ?? '', /^🔥 [\d.]+% self · [\d.]+% total · .+ → Coalesce wake-ups$/, fn);
        assert.equal(titles[1], 'Apply fix: Coalesce wake-ups', fn);
      }
      const d = await client.waitForDiagnostics(
        fileUri(exec),
        (p) => p.diagnostics.some((x) => x.code === 'eventfd-wakeup-storm'),
        20_000,
      );
      const write = d.diagnostics.find((x) => x.code === 'eventfd-wakeup-storm')!;
      assert.equal(write.range.start.line, lineOf(exec, '::write('));
    });
  },
);

describe('language server on the tricky C++ fixture (real perf capture)', { timeout: 120_000 }, () => {
  let client: TestClient;
  const cpp = join(TRICKY, 'src', 'tricky.cpp');
  const hpp = join(TRICKY, 'src', 'tricky.hpp');

  before(async () => {
    // A lower lens threshold than the default 0.5%: the capture's lambdas run at ~0.3%.
    client = await startClient(
      [TRICKY],
      { minPercent: 0.1 },
      { workspaceEdit: { documentChanges: true, snippetEditSupport: true } },
    );
  });

  after(async () => {
    await client?.stop();
    removeBundle();
  });

  async function sendProfile(hotspots: ReturnType<typeof readChildrenReport>, findings: unknown[] = []) {
    await client.connection.sendNotification('perfLens/profile', {
      profileId: 't',
      label: 'tricky',
      verdictKind: 'user-bound',
      hotspots,
      findings,
    });
  }

  test('templates, overloads, namespaces, operators, lambdas and macro-wrapped definitions get lenses', async () => {
    const hotspots = readChildrenReport(join(TRICKY, 'perf-report-children.txt'));
    await sendProfile(hotspots);
    const lenses = await waitFor(
      'tricky.cpp lenses',
      () => codeLenses(client, cpp),
      (l) => l.length > 0,
    );
    const all = (needle: string, file = cpp) => lensesAt(lenses, lineOf(file, needle));
    // Overloads (perf report prints no parameters): every candidate, marked ambiguous.
    for (const needle of [
      'std::uint64_t Accumulator::add(std::uint64_t',
      'std::uint64_t Accumulator::add(double',
      'std::uint64_t Accumulator::add(const std::string&',
    ]) {
      assert.match(all(needle)[0] ?? '', /· ambiguous: 3 definitions/, needle);
    }
    assert.match(all('PL_NOINLINE std::uint64_t mix(')[0] ?? '', /^🔥 [\d.]+% self · [\d.]+% total$/);
    assert.match(all('PL_API std::uint64_t macroDefined(')[0] ?? '', /^🔥 /);
    assert.match(all('auto square')[0] ?? '', /^🔥 [\d.]+% self/);
    assert.match(all('Generator collatzLengths(')[0] ?? '', /^🔥 /);
    assert.match(all('PL_API bool Accumulator::operator()(int value)')[0] ?? '', /^🔥 /);
    const hlenses = await codeLenses(client, hpp);
    const boxLine = lineOf(hpp, 'std::uint64_t Box<T>::touch(') - 1;
    assert.match(lensesAt(hlenses, boxLine)[0] ?? '', /^🔥 [\d.]+% self · [\d.]+% total \(\d+ symbols\)$/);
    assert.match(lensesAt(hlenses, lineOf(hpp, 'Matrix<T, N> Matrix<T, N>::operator*') - 1)[0] ?? '', /^🔥 /);
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: fileUri(cpp) },
      position: { line: lineOf(cpp, 'std::uint64_t Accumulator::add(double'), character: 30 },
    });
    assert.match((hover?.contents as MarkupContent).value, /ambiguous: 3 definitions match/);
  });

  test('perf’s debug-info lines (built elsewhere) place each overload on its own definition', async () => {
    const hotspots = readSrclineReport(join(TRICKY, 'perf-report-srcline.txt'));
    await sendProfile(hotspots);
    const lenses = await waitFor(
      'srcline lenses',
      () => codeLenses(client, cpp),
      (l) => l.length > 0,
    );
    const lines = new Set(lenses.map((l) => l.range.start.line));
    for (const h of hotspots.filter((x) => x.symbol === 'Accumulator::add')) {
      const defLine = [
        lineOf(cpp, 'Accumulator::add(std::uint64_t'),
        lineOf(cpp, 'Accumulator::add(double'),
        lineOf(cpp, 'Accumulator::add(const std::string&'),
      ]
        .filter((l) => l <= h.line! - 1)
        .pop()!;
      assert.ok(lines.has(defLine), `Accumulator::add at line ${h.line} → lens at ${defLine + 1}`);
    }
    assert.ok(lenses.every((l) => !/ambiguous/.test(l.command?.title ?? '')));
  });

  test('indexing on the main thread (indexWorkers: 0) and on worker threads give the same lenses', async () => {
    const hotspots = readChildrenReport(join(TRICKY, 'perf-report-children.txt'));
    await sendProfile(hotspots);
    const withWorkers = await waitFor(
      'lenses',
      () => codeLenses(client, cpp),
      (l) => l.length > 0,
    );
    const single = await startClient([TRICKY], { minPercent: 0.1, indexWorkers: 0 });
    try {
      await single.connection.sendNotification('perfLens/profile', {
        profileId: 't',
        label: 'tricky',
        verdictKind: 'user-bound',
        hotspots,
        findings: [],
      });
      const inline = await waitFor(
        'lenses',
        () => codeLenses(single, cpp),
        (l) => l.length > 0,
      );
      assert.deepEqual(
        inline.map((l) => [l.range.start.line, l.command?.title]),
        withWorkers.map((l) => [l.range.start.line, l.command?.title]),
      );
    } finally {
      await single.stop();
    }
  });

  test('with snippet support, a fix that cannot be applied safely inserts the catalog snippet with placeholders', async () => {
    const demoSrc = join(repoRoot, 'examples', 'tcp-demo', 'src');
    const demo = await startClient(
      [demoSrc],
      {},
      { workspaceEdit: { documentChanges: true, snippetEditSupport: true } },
    );
    try {
      await demo.connection.sendNotification('perfLens/profile', demoProfile());
      const io = join(demoSrc, 'io_ops.cpp');
      await demo.waitForDiagnostics(fileUri(io), (d) => d.diagnostics.length > 0, 20_000);
      const line = lineOf(io, 'io_uring_prep_send(');
      const actions = (await demo.connection.sendRequest(CodeActionRequest.type, {
        textDocument: { uri: fileUri(io) },
        range: { start: { line, character: 0 }, end: { line, character: 0 } },
        context: { diagnostics: [] as Diagnostic[] },
      })) as CodeAction[];
      const zc = actions.find((a) => (a.data as { fixId: string }).fixId === 'send-zc');
      assert.ok(zc, actions.map((a) => a.title).join(' | '));
      assert.match(zc.title, /snippet .*needs manual adaptation/);
      assert.equal(zc.isPreferred, false);
      const edit = (zc.edit!.documentChanges as TextDocumentEdit[])[0].edits[0] as unknown as {
        snippet: { kind: string; value: string };
      };
      assert.equal(edit.snippet.kind, 'snippet');
      assert.match(edit.snippet.value, /^\s*\/\/ TODO\(perf-lens\): \$\{1:/);
      assert.match(edit.snippet.value, /\$\{2:/);
      // Every inserted line is a comment: the file still compiles until the user adapts it.
      assert.ok(
        edit.snippet.value
          .split('\n')
          .filter((l) => l.trim())
          .every((l) => l.trim().startsWith('//')),
      );
    } finally {
      await demo.stop();
    }
  });
});
