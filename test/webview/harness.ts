/**
 * Renders the built webview bundle (dist/webview) in headless Chromium (Debian's /usr/bin/chromium driven by
 * playwright-core), in two ways:
 *  - a harness page standing in for VS Code: the page renderWebviewHtml() makes for the extension, served
 *    from a fake origin by request interception (no port), with an emulated acquireVsCodeApi() that records
 *    posted messages and keeps setState() across reloads (sessionStorage), and a theme applied like VS Code
 *    does (variables on <html>, class on <body>);
 *  - the self-contained HTML report, opened from a file:// URL.
 * Used by the webview tests and by the benchmark (measureWebview).
 *
 * API
 *   launchBrowser() → WebviewBrowser { context, close() }      fresh user-data-dir in a temp folder, removed on close
 *   openPanel(browser, { theme?, width?, height? }) → PanelPage   resolves once the page posted {type:'ready'}
 *   openReport(browser, file, { colorScheme?, forcedColors?, width?, height? }) → ReportPage
 *   PanelPage: page, send(msg), posted(), clearPosted(), reload(), dialogs, errors, requests
 *   loadFixtureProfile() → Profile                                test/fixtures/profiles/demo-session.json
 *   profileWithSourceLocations(p?) → Profile                       …with file:line on the demo's own functions
 *   countCanvasPixels(page, sel, rgb?) / waitForCanvasPixels(page, sel, min)
 *   measureWebview({ frames?, runs? }) → WebviewBench             first render of a generated 100k-frame flame
 *                                                                 graph, and the panel's/report's first paint
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import type { Profile } from '../../src/core/profile';
import type { FromWebview, ToWebview } from '../../src/core/protocol/webview';
import { writeHtmlReport } from '../../src/core/report/html';
import { renderWebviewHtml } from '../../src/core/report/webview-html';
import { generateFoldedStacks } from './generated-stacks';
import { THEMES, type HarnessTheme } from './themes';
import type { PageDocument, PageWindow } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;
declare const window: PageWindow;

const repoRoot = join(__dirname, '..', '..');
export const DIST_WEBVIEW = join(repoRoot, 'dist', 'webview');
export const FIXTURE_PROFILE = join(repoRoot, 'test', 'fixtures', 'profiles', 'demo-session.json');
export const HARNESS_ORIGIN = 'https://perf-lens.test';
const CHROMIUM = process.env.PERF_LENS_CHROMIUM ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function assertBundleBuilt(): void {
  for (const f of ['main.js', 'main.css', 'codicon.css', 'codicon.ttf', 'uPlot.min.css'])
    if (!existsSync(join(DIST_WEBVIEW, f)))
      throw new Error(
        `webview tests need the built bundle: ${join(DIST_WEBVIEW, f)} is missing; run \`npm run build\``,
      );
}

export function loadFixtureProfile(): Profile {
  return JSON.parse(readFileSync(FIXTURE_PROFILE, 'utf8')) as Profile;
}

/**
 * The fixture with source locations on the demo's own hot functions, found in the demo's sources the way
 * the language server's symbol mapping places them (`Class::method(` at the start of a definition line).
 * The session's Profile has none (perf 6.1 gives no source lines cheaply); the panel links rows that have one.
 */
export function profileWithSourceLocations(p: Profile = loadFixtureProfile()): Profile {
  const copy = structuredClone(p);
  const srcDir = join(repoRoot, 'examples', 'tcp-demo', 'src');
  const files = readdirSync(srcDir).filter((f) => f.endsWith('.cpp'));
  for (const h of copy.hotspots) {
    if (h.kernel || !h.dso.startsWith('tcp_demo') || !/^[\w:]+$/.test(h.symbol)) continue;
    for (const f of files) {
      const lines = readFileSync(join(srcDir, f), 'utf8').split('\n');
      const i = lines.findIndex((l) => new RegExp(`^\\S.*\\b${h.symbol}\\(`).test(l));
      if (i >= 0) {
        h.file = `examples/tcp-demo/src/${f}`;
        h.line = i + 1;
        break;
      }
    }
  }
  if (!copy.hotspots.some((h) => h.file !== null))
    throw new Error('no demo function of the fixture found in examples/tcp-demo/src');
  return copy;
}

export interface WebviewBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<WebviewBrowser> {
  assertBundleBuilt();
  const userDataDir = mkdtempSync(join(tmpdir(), 'perf-lens-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 900 },
      deviceScaleFactor: 1,
      timeout: 60_000,
    });
  } catch (e) {
    rmSync(userDataDir, { recursive: true, force: true });
    throw e;
  }
  // The harness origin is served from disk; nothing else may be fetched.
  await context.route('**/*', async (route) => {
    const url = new URL(route.request().url());
    // The report is opened from disk; whatever else it asks for is recorded by the test (and fails here).
    if (url.protocol === 'file:' && route.request().resourceType() === 'document') return route.continue();
    if (url.origin !== HARNESS_ORIGIN) return route.abort('blockedbyclient');
    if (url.pathname === '/panel.html') {
      return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: harnessHtml() });
    }
    const m = /^\/dist\/([\w.-]+)$/.exec(url.pathname);
    const file = m ? join(DIST_WEBVIEW, m[1]) : '';
    if (!m || !existsSync(file)) return route.fulfill({ status: 404, body: 'not found' });
    const types: Record<string, string> = {
      '.js': 'text/javascript',
      '.css': 'text/css',
      '.ttf': 'font/ttf',
      '.map': 'application/json',
    };
    return route.fulfill({
      status: 200,
      contentType: types[extname(file)] ?? 'application/octet-stream',
      body: readFileSync(file),
    });
  });
  let closed = false;
  return {
    context,
    async close() {
      if (closed) return;
      closed = true;
      try {
        await context.close();
      } finally {
        rmSync(userDataDir, { recursive: true, force: true });
      }
    },
  };
}

/** The page the extension's panel gets (renderWebviewHtml in vscode mode), with a fresh nonce. */
function harnessHtml(): string {
  const base = `${HARNESS_ORIGIN}/dist`;
  return renderWebviewHtml({
    nonce: randomBytes(18).toString('base64'),
    cspSource: HARNESS_ORIGIN,
    scriptUri: `${base}/main.js`,
    styleUris: ['main.css', 'codicon.css', 'uPlot.min.css'].map((f) => `${base}/${f}`),
    mode: 'vscode',
  });
}

/**
 * Runs in the page before its scripts: the VS Code webview API and theme, emulated. Kept as plain JS text:
 * a TypeScript function would be rewritten by the test runner's compiler with helpers the page lacks.
 */
const EMULATE_VSCODE = `(theme) => {
  const posted = [];
  window.__posted = posted;
  let acquired = false;
  window.acquireVsCodeApi = () => {
    if (acquired) throw new Error('An instance of the VS Code API has already been acquired');
    acquired = true;
    return Object.freeze({
      postMessage: (m) => { posted.push(JSON.parse(JSON.stringify(m))); },
      getState: () => {
        const s = sessionStorage.getItem('vscode-state');
        return s === null ? undefined : JSON.parse(s);
      },
      setState: (s) => { sessionStorage.setItem('vscode-state', JSON.stringify(s)); return s; },
    });
  };
  const apply = () => {
    for (const [k, v] of Object.entries(theme.vars)) document.documentElement.style.setProperty(k, v);
    document.body.classList.add(theme.bodyClass);
    document.body.dataset.vscodeThemeKind = theme.bodyClass;
  };
  if (document.body) apply();
  else {
    const mo = new MutationObserver(() => {
      if (document.body) { mo.disconnect(); apply(); }
    });
    mo.observe(document, { childList: true, subtree: true });
  }
}`;

export interface WatchedPage {
  page: Page;
  /** Messages of window.alert/confirm/prompt dialogs (an XSS would fire one). */
  dialogs: string[];
  /** Uncaught exceptions and console errors (CSP violations are console errors). */
  errors: string[];
  /** Console warnings (dropped messages are logged as warnings). */
  warnings: string[];
  /** Requests the page made (besides the harness page and bundle). */
  requests: string[];
}

async function watch(page: Page): Promise<WatchedPage> {
  const w: WatchedPage = { page, dialogs: [], errors: [], warnings: [], requests: [] };
  page.on('dialog', (d) => {
    w.dialogs.push(d.message());
    void d.dismiss().catch(() => {});
  });
  page.on('pageerror', (e) => w.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') w.errors.push(`console: ${m.text()}`);
    if (m.type() === 'warning') w.warnings.push(m.text());
  });
  page.on('request', (r) => w.requests.push(r.url()));
  return w;
}

export interface PanelPage extends WatchedPage {
  send(message: ToWebview | Record<string, unknown> | unknown): Promise<void>;
  posted(): Promise<FromWebview[]>;
  clearPosted(): Promise<void>;
  /** Reload like VS Code does when a hidden panel is shown again; resolves on the new `ready`. */
  reload(): Promise<void>;
}

export async function openPanel(
  b: WebviewBrowser,
  opts: { theme?: HarnessTheme; width?: number; height?: number } = {},
): Promise<PanelPage> {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 900 });
  const w = await watch(page);
  await page.addInitScript({ content: `(${EMULATE_VSCODE})(${JSON.stringify(THEMES[opts.theme ?? 'dark'])});` });
  const waitReady = () =>
    page.waitForFunction(() => (window.__posted ?? []).some((m) => m.type === 'ready'), null, {
      timeout: 20_000,
    });
  await page.goto(`${HARNESS_ORIGIN}/panel.html`);
  await waitReady();
  return {
    ...w,
    send: async (message) => {
      await page.evaluate((m) => window.postMessage(m, '*'), message as object);
    },
    posted: () => page.evaluate(() => window.__posted.slice()) as Promise<FromWebview[]>,
    clearPosted: () => page.evaluate(() => void (window.__posted.length = 0)),
    reload: async () => {
      await page.reload();
      await waitReady();
    },
  };
}

export async function openReport(
  b: WebviewBrowser,
  file: string,
  opts: { colorScheme?: 'light' | 'dark'; forcedColors?: 'active' | 'none'; width?: number; height?: number } = {},
): Promise<WatchedPage> {
  const page = await b.context.newPage();
  await page.setViewportSize({ width: opts.width ?? 1280, height: opts.height ?? 900 });
  await page.emulateMedia({ colorScheme: opts.colorScheme ?? 'light', forcedColors: opts.forcedColors ?? 'none' });
  const w = await watch(page);
  await page.goto(pathToFileURL(file).href);
  await page.waitForFunction(
    () =>
      performance.getEntriesByName('perf-lens:first-paint').length > 0 ||
      document.querySelector('.banner-error:not([hidden])') !== null,
    null,
    {
      timeout: 20_000,
    },
  );
  return w;
}

/** Pixels of a canvas that are not transparent (a drawn flame graph has many). */
export function countCanvasPixels(
  page: Page,
  selector: string,
  rgb?: [number, number, number],
  tolerance = 24,
): Promise<number> {
  return page.evaluate(
    ([sel, color, tol]) => {
      const c = document.querySelector(sel);
      if (!c || c.width === 0 || c.height === 0) return 0;
      const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < data.length; i += 4) {
        if (data[i + 3] < 200) continue;
        if (!color) n++;
        else if (
          Math.abs(data[i] - color[0]) <= tol &&
          Math.abs(data[i + 1] - color[1]) <= tol &&
          Math.abs(data[i + 2] - color[2]) <= tol
        )
          n++;
      }
      return n;
    },
    [selector, rgb ?? null, tolerance] as const,
  );
}

/** Polls until a canvas has at least `min` drawn pixels (a redraw may be in flight); returns the last count. */
export async function waitForCanvasPixels(
  page: Page,
  selector: string,
  min: number,
  timeoutMs = 5000,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const n = await countCanvasPixels(page, selector);
    if (n >= min || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 50));
  }
}

// ---- benchmark -------------------------------------------------------------------------------------------

export interface WebviewBench {
  frames: number;
  stacks: number;
  /** Flame graph first render (build the tree, lay out, draw) in Chromium; median of runs. */
  flameFirstRenderMs: number;
  flameBuildMs: number;
  flameDrawMs: number;
  /** Redraw after a zoom (tree already built), median. */
  flameZoomDrawMs: number;
  /** HTML report with the full fixture Profile: navigation start → first paint with the profile, median. */
  reportFirstPaintMs: number;
  /** VS Code panel: profile message posted → first paint with the profile, median. */
  panelFirstPaintMs: number;
  runs: number;
  chromium: string;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Measures the webview in Chromium. Benchmark-only: not used by tests (tests assert behaviour, not time). */
export async function measureWebview(opts: { frames?: number; runs?: number } = {}): Promise<WebviewBench> {
  const frames = opts.frames ?? 100_000;
  const runs = opts.runs ?? 5;
  const fixture = loadFixtureProfile();
  const generated = generateFoldedStacks({ frames, seed: 7 });
  const big: Profile = { ...fixture, folded: generated.folded };
  const b = await launchBrowser();
  const tmp = mkdtempSync(join(tmpdir(), 'perf-lens-bench-'));
  try {
    const version = b.context.browser()?.version() ?? 'unknown';
    const render: Array<{ total: number; build: number; draw: number; zoom: number; frames: number }> = [];
    const panelPaint: number[] = [];
    for (let i = 0; i < runs; i++) {
      const p = await openPanel(b, { theme: 'dark' });
      // In-page code as a string: the test compiler wraps named arrow functions in a helper the page lacks.
      await p.page.evaluate(
        `window.__t0 = performance.now(); window.postMessage(${JSON.stringify({ type: 'profile', profile: fixture }).replace(/</g, '\\u003c')}, '*')`,
      );
      await p.page.waitForFunction(() => performance.getEntriesByName('perf-lens:first-paint').length > 0);
      const t = (await p.page.evaluate(
        "performance.getEntriesByName('perf-lens:first-paint')[0].startTime - window.__t0",
      )) as number;
      panelPaint.push(t);
      await p.send({ type: 'profile', profile: big });
      await p.page.waitForFunction(() => document.querySelector('.cpu-view') !== null);
      // The flame tab draws on its first show: tree build + layout + draw, timed inside the page.
      await p.page.evaluate(() => window.perfLens.selectTab('flame'));
      await p.page.waitForFunction(() => performance.getEntriesByName('perf-lens:flame-draw').length > 0);
      const stats = await p.page.evaluate(() => window.perfLens.flameStats);
      const r = { total: stats.buildMs + stats.drawMs, build: stats.buildMs, draw: stats.drawMs, frames: stats.frames };
      // Zoom into the heaviest child of the root by keyboard (Down, Enter) and time the redraw.
      await p.page.focus('.flame-canvas');
      await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('Enter');
      const zoom = await p.page.evaluate(() => window.perfLens.flameStats.drawMs);
      render.push({ ...r, zoom });
      await p.page.close();
    }
    const reportFile = join(tmp, 'report.html');
    await writeHtmlReport(reportFile, { profile: fixture });
    const reportPaint: number[] = [];
    for (let i = 0; i < runs; i++) {
      const r = await openReport(b, reportFile);
      reportPaint.push(await r.page.evaluate(() => performance.getEntriesByName('perf-lens:first-paint')[0].startTime));
      await r.page.close();
    }
    return {
      frames: render[0].frames,
      stacks: generated.folded.length,
      flameFirstRenderMs: median(render.map((r) => r.total)),
      flameBuildMs: median(render.map((r) => r.build)),
      flameDrawMs: median(render.map((r) => r.draw)),
      flameZoomDrawMs: median(render.map((r) => r.zoom)),
      reportFirstPaintMs: median(reportPaint),
      panelFirstPaintMs: median(panelPaint),
      runs,
      chromium: version,
    };
  } finally {
    await b.close();
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Write a file in a fresh temp dir; returns the path and a remover. */
export function tempFile(name: string, content: string): { file: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'perf-lens-webview-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return { file, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
