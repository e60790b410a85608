/**
 * Perf Lens language server (started by server.ts; stdio, IPC or socket — vscode-languageserver picks
 * the transport from its command line: --stdio, --node-ipc, --socket=N).
 *
 * Standard LSP: CodeLens, hover, code actions (quickfix), published diagnostics, for C and C++.
 * Custom (src/core/protocol/lsp.ts): `perfLens/profile` (notification, replaces the profile),
 * `perfLens/clearProfile` (notification), `perfLens/findFixLocation` (request).
 * initializationOptions (all optional): { extensionPath | wasmDir, maxFiles, maxFileBytes, excludeDirs,
 * minPercent, pathMap, indexWorkers }.
 */
import { join } from 'node:path';
import {
  CodeActionKind,
  CodeLensRefreshRequest,
  createConnection,
  DidChangeWatchedFilesNotification,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ClearProfileNotification,
  FindFixLocationRequest,
  ProfileNotification,
  type FindFixParams,
  type FixLocation,
} from '../core/protocol/lsp';
import { getFix } from '../core/fixes';
import { createCppParser } from '../core/symbols/cpp-parser';
import { validateProfileParams } from '../core/symbols/profile-input';
import { codeActions } from './code-actions';
import { computeDiagnostics } from './diagnostics';
import { useFixCatalog } from './fix-info';
import { hoverAt } from './hover';
import { IndexPool } from './index-pool';
import { codeLenses } from './lenses';
import { locateFix } from './recipes';
import { ServerState } from './state';
import { uriToPath, Workspace } from './workspace';

/**
 * After asking the editor to re-request lenses, how long the diagnostics wait for that request. A client
 * that asks at once (the LSP test client, the benchmark) is answered before the diagnostics work starts;
 * VS Code debounces its re-request (≥ 250 ms), so the diagnostics go first there and its lens request waits
 * at most for the part still running.
 */
const LENS_REQUEST_WAIT_MS = 100;

interface InitOptions {
  extensionPath?: string;
  wasmDir?: string;
  maxFiles?: number;
  maxFileBytes?: number;
  excludeDirs?: string[];
  minPercent?: number;
  pathMap?: Array<{ from: string; to: string }>;
  /** Worker threads for the initial index (0: parse on the main thread; default: one per core, max 4). */
  indexWorkers?: number;
}

/** Runs `fn` after `hops` rounds of setImmediate (behind whatever the current round queues). */
function afterImmediates(hops: number, fn: () => void): void {
  setImmediate(() => (hops > 1 ? afterImmediates(hops - 1, fn) : fn()));
}

function positiveNumber(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Starts the server on this process's transport. `entry` is the bundle file (index workers re-enter it). */
export function startLanguageServer(entry: string): void {
  useFixCatalog((id) => getFix(id) ?? null);

  const connection = createConnection(ProposedFeatures.all);
  const documents = new TextDocuments(TextDocument);
  let state: ServerState | null = null;
  let pool: IndexPool | null = null;
  let refreshSupport = false;
  let watchedFilesDynamic = false;
  const published = new Set<string>();

  function log(message: string): void {
    connection.console.log(`[perf-lens] ${message}`);
  }

  connection.onInitialize(async (params: InitializeParams): Promise<InitializeResult> => {
    const opts = (params.initializationOptions ?? {}) as InitOptions;
    const roots = (params.workspaceFolders ?? []).map((f) => uriToPath(f.uri)).filter((p): p is string => p !== null);
    if (roots.length === 0 && params.rootUri) {
      const root = uriToPath(params.rootUri);
      if (root) roots.push(root);
    }
    const wasmDir =
      typeof opts.wasmDir === 'string'
        ? opts.wasmDir
        : typeof opts.extensionPath === 'string'
          ? join(opts.extensionPath, 'dist')
          : undefined;
    const parser = await createCppParser(wasmDir);
    const workers =
      typeof opts.indexWorkers === 'number' && Number.isInteger(opts.indexWorkers) && opts.indexWorkers >= 0
        ? Math.min(opts.indexWorkers, 8)
        : IndexPool.defaultSize();
    if (workers > 0 && roots.length > 0) {
      try {
        pool = new IndexPool(workers, entry, wasmDir);
      } catch (e) {
        log(`index workers unavailable (${e instanceof Error ? e.message : String(e)}); indexing on the main thread`);
      }
    }
    const workspace = new Workspace(
      parser,
      roots,
      {
        maxFiles: positiveNumber(opts.maxFiles),
        maxFileBytes: positiveNumber(opts.maxFileBytes),
        excludeDirs: Array.isArray(opts.excludeDirs)
          ? opts.excludeDirs.filter((d) => typeof d === 'string')
          : undefined,
      },
      pool ?? undefined,
    );
    const ws = params.capabilities.workspace as
      | (NonNullable<InitializeParams['capabilities']['workspace']> & {
          workspaceEdit?: { snippetEditSupport?: boolean };
        })
      | undefined;
    state = new ServerState(workspace, {
      minPercent: positiveNumber(opts.minPercent) ?? 0.5,
      pathMap: Array.isArray(opts.pathMap)
        ? opts.pathMap.filter((e) => typeof e?.from === 'string' && typeof e?.to === 'string')
        : [],
      snippetSupport: ws?.workspaceEdit?.snippetEditSupport === true,
    });
    refreshSupport = ws?.codeLens?.refreshSupport === true;
    watchedFilesDynamic = ws?.didChangeWatchedFiles?.dynamicRegistration === true;
    workspace.onDidChange(() => scheduleRefresh());
    return {
      capabilities: {
        textDocumentSync: TextDocumentSyncKind.Incremental,
        codeLensProvider: { resolveProvider: false },
        hoverProvider: true,
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'perf-lens' },
    };
  });

  connection.onInitialized(() => {
    if (!state) return;
    if (watchedFilesDynamic) {
      void connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/*.{c,cc,cpp,cxx,c++,h,hh,hpp,hxx,h++,ipp,tpp,inl}' }],
      });
    }
    const started = Date.now();
    state.workspace.indexAll().then(
      (stats) => {
        if (!stats) return log('no workspace folder: only open files are indexed');
        const capped = stats.truncated ? ' (file cap reached: raise perfLens maxFiles)' : '';
        const large = stats.tooLarge.length > 0 ? `; skipped ${stats.tooLarge.length} files over the size cap` : '';
        log(
          `indexed ${stats.files} C/C++ files, ${stats.definitions} definitions in ${Date.now() - started} ms${capped}${large}`,
        );
      },
      (e: unknown) => log(`indexing failed: ${e instanceof Error ? e.message : String(e)}`),
    );
  });

  // --- refresh: lenses and diagnostics follow the profile and the source ------------------------------

  let refreshTimer: NodeJS.Timeout | null = null;
  let refreshing: Promise<void> = Promise.resolve();

  function scheduleRefresh(delayMs = 120): void {
    if (refreshTimer) clearTimeout(refreshTimer);
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      refreshing = refreshing.then(refreshNow, refreshNow);
    }, delayMs);
  }

  async function refreshNow(): Promise<void> {
    if (!state) return;
    try {
      // Nothing is published from a half-built index (it would flicker, and fix locations would move).
      await state.workspace.ready;
      const profile = state.profile;
      // Lenses first: they come from the hot map alone and are what the user waits for. The editor re-requests
      // them on this refresh; the diagnostics and fix locations (parsing, queries over the workspace: far
      // slower) are computed once that request has been answered, or after a short while if none comes.
      const anchorsKnown = state.anchorsIfReady() !== null;
      if (refreshSupport) {
        const served = nextLensRequest(LENS_REQUEST_WAIT_MS);
        await connection.sendRequest(CodeLensRefreshRequest.type);
        await served;
        if (state.profile !== profile) return; // replaced meanwhile; its own refresh follows
      }
      const next = profile
        ? await computeDiagnostics(state.workspace, profile)
        : new Map<string, { uri: string; diagnostics: Diagnostic[] }>();
      if (profile) await state.anchors();
      if (state.profile !== profile) return;
      const uris = new Set<string>();
      for (const { uri, diagnostics } of next.values()) {
        uris.add(uri);
        await connection.sendDiagnostics({ uri, diagnostics });
      }
      for (const uri of published) if (!uris.has(uri)) await connection.sendDiagnostics({ uri, diagnostics: [] });
      published.clear();
      for (const uri of uris) published.add(uri);
      // Apply lenses answered before the fix locations were known carry none (see lenses.ts): bring them in.
      if (refreshSupport && profile && !anchorsKnown && state.applicableFixIds().length > 0)
        await connection.sendRequest(CodeLensRefreshRequest.type);
    } catch (e) {
      log(`refresh failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** Resolves when the next codeLens request has been answered, or after `ms`. */
  const lensWaiters = new Set<() => void>();
  function nextLensRequest(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        lensWaiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      lensWaiters.add(done);
    });
  }

  // --- documents and files ---------------------------------------------------------------------------

  const changeTimers = new Map<string, NodeJS.Timeout>();
  documents.onDidOpen((e) =>
    state?.workspace.setOpenDocument(e.document.uri, e.document.getText(), e.document.version),
  );
  documents.onDidChangeContent((e) => {
    // Re-parse after a short pause in typing, not on every keystroke.
    const uri = e.document.uri;
    const old = changeTimers.get(uri);
    if (old) clearTimeout(old);
    changeTimers.set(
      uri,
      setTimeout(() => {
        changeTimers.delete(uri);
        const doc = documents.get(uri);
        if (doc) state?.workspace.setOpenDocument(uri, doc.getText(), doc.version);
      }, 150),
    );
  });
  documents.onDidClose((e) => {
    const t = changeTimers.get(e.document.uri);
    if (t) clearTimeout(t);
    changeTimers.delete(e.document.uri);
    void state?.workspace.closeDocument(e.document.uri);
  });

  connection.onDidChangeWatchedFiles(async (params) => {
    for (const change of params.changes.slice(0, 10_000)) {
      const kind =
        change.type === FileChangeType.Created
          ? 'created'
          : change.type === FileChangeType.Deleted
            ? 'deleted'
            : 'changed';
      await state?.workspace.fileEvent(change.uri, kind);
    }
  });

  // --- the profile -----------------------------------------------------------------------------------

  connection.onNotification(ProfileNotification, (raw: unknown) => {
    if (!state) return;
    const params = validateProfileParams(raw);
    if (typeof params === 'string') {
      log(params);
      return;
    }
    state.setProfile(params);
    scheduleRefresh(0);
  });

  connection.onNotification(ClearProfileNotification, () => {
    if (!state) return;
    state.setProfile(null);
    scheduleRefresh(0);
  });

  connection.onRequest(FindFixLocationRequest, async (params: FindFixParams): Promise<FixLocation | null> => {
    if (!state?.profile || typeof params?.findingId !== 'string' || typeof params?.fixId !== 'string') return null;
    const finding = state.profile.findings.find((f) => f.id === params.findingId);
    if (!finding) return null;
    await state.workspace.ready;
    const fallback = state.findingAnchor(finding.id);
    const anchor = finding.fixes.includes(params.fixId)
      ? await locateFix(state.recipeContext(), params.fixId, fallback)
      : fallback;
    return anchor ? { uri: anchor.uri, line: anchor.line, character: anchor.character } : null;
  });

  // --- standard features -----------------------------------------------------------------------------

  connection.onCodeLens(async (params) => {
    const path = uriToPath(params.textDocument.uri);
    if (!state || !path) return [];
    try {
      return codeLenses(state, path);
    } finally {
      // A refresh waiting for this request goes on with the diagnostics once the response is written:
      // vscode-jsonrpc writes it from a setImmediate queued after this handler returns, so a few hops later.
      if (lensWaiters.size > 0) afterImmediates(3, () => [...lensWaiters].forEach((w) => w()));
    }
  });

  connection.onHover((params) => {
    const path = uriToPath(params.textDocument.uri);
    if (!state || !path) return null;
    return hoverAt(state, path, params.position);
  });

  connection.onCodeAction(async (params) => (state ? codeActions(state, params) : []));

  connection.onShutdown(async () => {
    state?.workspace.dispose();
    await pool?.dispose();
  });

  documents.listen(connection);
  connection.listen();
}
