/**
 * A real LSP client for tests: bundles the language server the way esbuild.mjs does (entry
 * src/server/server.ts → server.js with tree-sitter wasm beside it) into a private temp dir — so
 * concurrent `npm run build`s of other engineers never hand us a half-written dist/server.js — starts it
 * with `node server.js --stdio`, and talks JSON-RPC over the child's stdio with vscode-languageserver-
 * protocol. No mocks: every answer comes from the bundled server.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import {
  createProtocolConnection,
  InitializeRequest,
  InitializedNotification,
  PublishDiagnosticsNotification,
  ShutdownRequest,
  ExitNotification,
  StreamMessageReader,
  StreamMessageWriter,
  DidOpenTextDocumentNotification,
  CodeLensRefreshRequest,
  RegistrationRequest,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type InitializeResult,
} from 'vscode-languageserver-protocol/node';

const repoRoot = join(__dirname, '..', '..', '..');

const bundles = new Map<string, Promise<string>>();
let bundleDir: string | null = null;

/** Bundles an entry point like esbuild.mjs does (node, cjs, wasm copied beside it), once per test process. */
function bundle(entry: string, name: string): Promise<string> {
  let b = bundles.get(name);
  if (!b) {
    b = (async () => {
      bundleDir ??= mkdtempSync(join(tmpdir(), 'pl-lsp-bundle-'));
      const outfile = join(bundleDir, name);
      await esbuild.build({
        entryPoints: [join(repoRoot, entry)],
        outfile,
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node20',
        mainFields: ['module', 'main'],
        sourcemap: 'linked',
        logLevel: 'silent',
      });
      for (const wasm of ['web-tree-sitter/tree-sitter.wasm', 'tree-sitter-cpp/tree-sitter-cpp.wasm']) {
        copyFileSync(join(repoRoot, 'node_modules', wasm), join(bundleDir, wasm.split('/')[1]));
      }
      return outfile;
    })();
    bundles.set(name, b);
  }
  return b;
}

/** The language server bundle (src/server/server.ts → server.js). */
export function bundleServer(): Promise<string> {
  return bundle('src/server/server.ts', 'server.js');
}

/** The CLI bundle (src/cli/main.ts → cli.js). */
export function bundleCli(): Promise<string> {
  return bundle('src/cli/main.ts', 'cli.js');
}

export function removeBundle(): void {
  if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  bundleDir = null;
  bundles.clear();
}

export interface TestClient {
  connection: ProtocolConnection;
  child: ChildProcess;
  initializeResult: InitializeResult;
  /** Latest diagnostics per URI. */
  diagnostics: Map<string, PublishDiagnosticsParams>;
  /** Resolves when diagnostics for `uri` satisfy `pred` (or rejects after timeoutMs). */
  waitForDiagnostics(
    uri: string,
    pred: (d: PublishDiagnosticsParams) => boolean,
    timeoutMs?: number,
  ): Promise<PublishDiagnosticsParams>;
  codeLensRefreshes: number;
  stderr(): string;
  open(path: string, text: string, languageId?: string): Promise<void>;
  stop(): Promise<void>;
}

export function fileUri(path: string): string {
  return pathToFileURL(path).toString();
}

export async function startClient(
  roots: string[],
  initializationOptions: Record<string, unknown> = {},
  capabilities: Record<string, unknown> = {},
): Promise<TestClient> {
  const serverJs = await bundleServer();
  const child = spawn(process.execPath, [serverJs, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
  const connection = createProtocolConnection(
    new StreamMessageReader(child.stdout!),
    new StreamMessageWriter(child.stdin!),
  );
  const diagnostics = new Map<string, PublishDiagnosticsParams>();
  const waiters: Array<{
    uri: string;
    pred: (d: PublishDiagnosticsParams) => boolean;
    resolve: (d: PublishDiagnosticsParams) => void;
  }> = [];
  connection.onNotification(PublishDiagnosticsNotification.type, (p) => {
    diagnostics.set(p.uri, p);
    for (const w of [...waiters]) {
      if (w.uri === p.uri && w.pred(p)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(p);
      }
    }
  });
  const client = {
    codeLensRefreshes: 0,
  } as TestClient;
  connection.onRequest(CodeLensRefreshRequest.type, () => {
    client.codeLensRefreshes++;
  });
  connection.onRequest(RegistrationRequest.type, () => {});
  connection.onNotification('window/logMessage', () => {});
  connection.listen();
  const initializeResult = await connection.sendRequest(InitializeRequest.type, {
    processId: process.pid,
    rootUri: roots[0] ? fileUri(roots[0]) : null,
    workspaceFolders: roots.map((r) => ({ uri: fileUri(r), name: r })),
    capabilities: {
      workspace: {
        codeLens: { refreshSupport: true },
        workspaceEdit: { documentChanges: true, snippetEditSupport: false },
        ...capabilities,
      },
      textDocument: { codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } } },
    },
    initializationOptions,
  });
  await connection.sendNotification(InitializedNotification.type, {});
  Object.assign(client, {
    connection,
    child,
    initializeResult,
    diagnostics,
    stderr: () => stderr,
    waitForDiagnostics(uri: string, pred: (d: PublishDiagnosticsParams) => boolean, timeoutMs = 10_000) {
      const have = diagnostics.get(uri);
      if (have && pred(have)) return Promise.resolve(have);
      return new Promise<PublishDiagnosticsParams>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `no matching diagnostics for ${uri} within ${timeoutMs} ms (have: ${JSON.stringify(diagnostics.get(uri) ?? null).slice(0, 2000)})`,
              ),
            ),
          timeoutMs,
        );
        waiters.push({ uri, pred, resolve: (d) => (clearTimeout(timer), resolve(d)) });
      });
    },
    async open(path: string, text: string, languageId = 'cpp') {
      await connection.sendNotification(DidOpenTextDocumentNotification.type, {
        textDocument: { uri: fileUri(path), languageId, version: 1, text },
      });
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      try {
        await Promise.race([connection.sendRequest(ShutdownRequest.type), new Promise((r) => setTimeout(r, 2000))]);
        await connection.sendNotification(ExitNotification.type);
      } catch {
        // the server may already be gone
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
      connection.dispose();
    },
  });
  return client;
}
