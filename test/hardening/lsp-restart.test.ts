/**
 * The language server crashing, at the process level (no VS Code here): vscode-languageclient restarts a
 * crashed server, and src/extension/language-client.ts re-sends the last profile when the new one is
 * running. Shown here: a SIGKILLed server, replaced by a new process that gets the same profile again,
 * gives back exactly the same lenses and diagnostics (it keeps no state a restart loses). And a server
 * whose client (the extension host) dies exits by itself — no orphan servers.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CodeLensRequest,
  createProtocolConnection,
  InitializedNotification,
  InitializeRequest,
  StreamMessageReader,
  StreamMessageWriter,
  type CodeLens,
} from 'vscode-languageserver-protocol/node';
import { demoProfile } from '../integration/server/demo-profile';
import { bundleServer, fileUri, removeBundle, startClient, type TestClient } from '../integration/server/lsp-client';

let dir: string;
let source: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'pl-lsp-restart-'));
  cpSync(join(__dirname, '..', '..', 'examples', 'tcp-demo', 'src'), join(dir, 'src'), { recursive: true });
  source = join(dir, 'src', 'executor.cpp');
});
after(() => {
  removeBundle();
  rmSync(dir, { recursive: true, force: true });
});

async function lensesOnceProfiled(client: TestClient): Promise<CodeLens[]> {
  await client.open(source, readFileSync(source, 'utf8'));
  await client.connection.sendNotification('perfLens/profile', demoProfile());
  await client.waitForDiagnostics(fileUri(source), (d) => d.diagnostics.length > 0, 30_000);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const l = (await client.connection.sendRequest(CodeLensRequest.type, {
      textDocument: { uri: fileUri(source) },
    })) as CodeLens[];
    if (l.length > 0 || Date.now() > deadline) return l;
    await new Promise((r) => setTimeout(r, 100));
  }
}

const shape = (lenses: CodeLens[]) =>
  lenses.map((l) => `${l.range.start.line}:${l.command?.title}:${l.command?.command}`).sort();

test('a crashed server, restarted and sent the profile again, shows the same lenses and diagnostics', async () => {
  const first = await startClient([dir]);
  let second: TestClient | null = null;
  try {
    const before = await lensesOnceProfiled(first);
    assert.ok(before.length > 0, 'lenses before the crash');
    const diagnosticsBefore = first.diagnostics.get(fileUri(source))!.diagnostics;

    // The crash.
    const exited = new Promise<string | null>((r) => first.child.once('exit', (_code, signal) => r(signal)));
    first.child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    // What the client does: a new server process, then the last profile again.
    second = await startClient([dir]);
    const afterRestart = await lensesOnceProfiled(second);
    assert.deepEqual(shape(afterRestart), shape(before), 'the annotations come back');
    const diagnosticsAfter = second.diagnostics.get(fileUri(source))!.diagnostics;
    assert.deepEqual(
      diagnosticsAfter.map((d) => `${d.range.start.line}:${d.message}`).sort(),
      diagnosticsBefore.map((d) => `${d.range.start.line}:${d.message}`).sort(),
    );
  } finally {
    await first.stop().catch(() => undefined);
    await second?.stop();
  }
});

test('a server whose client process dies exits by itself (no orphan language servers)', async () => {
  const serverJs = await bundleServer();
  // The "extension host": a process the server is told is its client, killed below.
  const host = spawn('sleep', ['120'], { stdio: 'ignore' });
  const server = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const exited = new Promise<number>((r) => server.once('exit', () => r(performance.now())));
  const connection = createProtocolConnection(
    new StreamMessageReader(server.stdout!),
    new StreamMessageWriter(server.stdin!),
  );
  connection.listen();
  try {
    await connection.sendRequest(InitializeRequest.type, {
      processId: host.pid!,
      rootUri: fileUri(dir),
      workspaceFolders: [{ uri: fileUri(dir), name: 'ws' }],
      capabilities: {},
    });
    await connection.sendNotification(InitializedNotification.type, {});
    const killedAt = performance.now();
    host.kill('SIGKILL');
    const exitAt = await Promise.race([exited, new Promise<number>((r) => setTimeout(() => r(-1), 15_000))]);
    assert.notEqual(exitAt, -1, 'the server exited after its client died');
    process.stderr.write(`# server exited ${((exitAt - killedAt) / 1000).toFixed(1)} s after its client died\n`);
  } finally {
    connection.dispose();
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGKILL');
    host.kill('SIGKILL');
  }
});
