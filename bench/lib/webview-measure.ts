/**
 * The webview bundle (dist/webview/main.js) in headless Chromium (Debian's, driven by playwright-core),
 * loaded in the same page the extension builds (src/core/report/webview-html.ts, with its CSP) from a
 * local HTTP server on 127.0.0.1, with a stub `acquireVsCodeApi` that answers the bundle's `ready` with the
 * Profile at once — the extension's side of the handshake, minus VS Code's IPC.
 *
 * Timings come from the page's own marks: `perf-lens:first-paint` (the frame after the profile's DOM
 * update), the flame graph's `perf-lens:flame-build` / `perf-lens:flame-draw` measures.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import type { FoldedStack, Profile } from '../../src/core/profile';
import { renderWebviewHtml } from '../../src/core/report/webview-html';
import type { BenchContext } from './context';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.ttf': 'font/ttf',
  '.svg': 'image/svg+xml',
  '.html': 'text/html',
  '.map': 'application/json',
};

export function chromiumPath(): string {
  for (const p of ['/usr/lib/chromium/chromium', '/usr/bin/chromium']) if (existsSync(p)) return p;
  throw new Error('chromium is not installed (apt-get install chromium)');
}

export interface PageServer {
  origin: string;
  /** Extra files served at /extra/NAME. */
  extra: Map<string, string>;
  close(): Promise<void>;
}

/** Serves dist/webview at /webview/, the panel page at /panel.html and registered extra files. */
export async function servePanel(repoRoot: string): Promise<PageServer> {
  const root = join(repoRoot, 'dist', 'webview');
  if (!existsSync(join(root, 'main.js'))) throw new Error('dist/webview/main.js is not built');
  const extra = new Map<string, string>();
  // The bundle's files are read once, when first asked for: VS Code serves a webview's resources from local
  // disk, while a readFileSync per request in this (busy) bench process made main.js arrive tens of ms late
  // under load. Extra files (the SVG baseline) are rewritten between runs, so they are read each time.
  const cache = new Map<string, Buffer>();
  const read = (file: string): Buffer => {
    if (!file.startsWith(root)) return readFileSync(file);
    let b = cache.get(file);
    if (!b) cache.set(file, (b = readFileSync(file)));
    return b;
  };
  let origin = '';
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let file: string | null = null;
    let body: string | Buffer | null = null;
    if (url.pathname === '/panel.html') {
      const styles = ['main.css', 'codicon.css', 'uPlot.min.css'].filter((f) => existsSync(join(root, f)));
      body = renderWebviewHtml({
        nonce: 'benchnonce' + Math.random().toString(36).slice(2),
        cspSource: origin,
        scriptUri: `${origin}/webview/main.js`,
        styleUris: styles.map((s) => `${origin}/webview/${s}`),
        mode: 'vscode',
      });
      file = 'panel.html';
    } else if (url.pathname.startsWith('/webview/')) {
      const rel = normalize(url.pathname.slice('/webview/'.length));
      if (!rel.startsWith('..')) file = join(root, rel);
    } else if (url.pathname.startsWith('/extra/')) {
      file = extra.get(url.pathname.slice('/extra/'.length)) ?? null;
    }
    try {
      body ??= file ? read(file) : null;
    } catch {
      body = null;
    }
    if (body === null || file === null) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': 'no-store',
    });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    origin,
    extra,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

export interface PanelTiming {
  /** Navigation start → the bundle posted `ready` (no data yet). */
  readyMs: number;
  /** Navigation start → first paint showing the profile. */
  firstPaintMs: number;
  /** `ready` (profile handed over) → first paint. */
  profileToPaintMs: number;
  /** Navigation start → the CPU tab's uPlot charts are made (the frame after the first paint); cpu tab only. */
  chartsMs: number | null;
  flame: { buildMs: number; drawMs: number; frames: number } | null;
  heapMiB: number | null;
}

/** Opens the panel in a fresh page (fresh context), hands it `profile`, waits for the first paint. */
export async function openPanel(
  browser: Browser,
  server: PageServer,
  profile: Profile,
  tab: 'cpu' | 'flame',
  viewport = { width: 1280, height: 900 },
): Promise<PanelTiming> {
  const context = await browser.newContext({ viewport });
  try {
    const page = await context.newPage();
    // In-page code is passed as strings: tsx's transform wraps named functions in a `__name()` helper that
    // does not exist in the page.
    await page.addInitScript({
      // The Profile travels as JSON text parsed with JSON.parse (about twice as fast as V8 evaluating the
      // same 300 KB as an object literal): it stands for the message VS Code deserializes, not for page code.
      content: `(() => {
        const profile = JSON.parse(${JSON.stringify(JSON.stringify(profile)).replace(/</g, '\\u003c')});
        const state = { v: 1, tab: ${JSON.stringify(tab)}, flameZoom: [], flameSearch: '', sort: {} };
        window.acquireVsCodeApi = () => ({
          postMessage(m) {
            if (m && m.type === 'ready') {
              performance.mark('bench:ready');
              window.postMessage({ type: 'profile', profile }, '*');
            }
          },
          getState: () => state,
          setState: () => undefined,
        });
      })();`,
    });
    const cdp = await context.newCDPSession(page);
    await cdp.send('Performance.enable');
    await page.goto(`${server.origin}/panel.html`, { waitUntil: 'load' });
    // Polled from here: page.waitForFunction with a string predicate needs eval, which the page's CSP forbids
    // once the predicate is not true at its first check. The marks carry their own times; polling only reads them.
    const done =
      `performance.getEntriesByName('perf-lens:first-paint').length > 0 && (${JSON.stringify(tab)} !== 'flame' || ` +
      `performance.getEntriesByName('perf-lens:flame-draw').length > 0) && (${JSON.stringify(tab)} !== 'cpu' || ` +
      `performance.getEntriesByName('perf-lens:charts-created').length > 0)`;
    for (const deadline = Date.now() + 60_000; !(await page.evaluate(done));) {
      if (Date.now() > deadline) throw new Error('the panel did not paint within 60 s');
      await new Promise((r) => setTimeout(r, 20));
    }
    const t = (await page.evaluate(`(() => {
      const at = (n) => performance.getEntriesByName(n)[0]?.startTime ?? null;
      const dur = (n) => performance.getEntriesByName(n)[0]?.duration ?? null;
      const stats = window.perfLens?.flameStats;
      return {
        ready: at('bench:ready'),
        paint: at('perf-lens:first-paint'),
        charts: at('perf-lens:charts-created'),
        build: dur('perf-lens:flame-build'),
        draw: dur('perf-lens:flame-draw'),
        frames: stats?.frames ?? null,
      };
    })()`)) as {
      ready: number | null;
      paint: number | null;
      charts: number | null;
      build: number | null;
      draw: number | null;
      frames: number | null;
    };
    const metrics = (await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> };
    const heap = metrics.metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? null;
    if (t.ready === null || t.paint === null) throw new Error('the panel never posted ready or never painted');
    return {
      readyMs: t.ready,
      firstPaintMs: t.paint,
      profileToPaintMs: t.paint - t.ready,
      chartsMs: t.charts,
      flame: t.build !== null && t.draw !== null ? { buildMs: t.build, drawMs: t.draw, frames: t.frames ?? 0 } : null,
      heapMiB: heap !== null ? heap / 1024 / 1024 : null,
    };
  } finally {
    await context.close();
  }
}

/** Navigation start → load event of a served file (e.g. FlameGraph's SVG), in a fresh page. */
export async function loadTime(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
    return (await page.evaluate(
      `(() => { const nav = performance.getEntriesByType('navigation')[0]; return nav ? nav.loadEventEnd : performance.now(); })()`,
    )) as number;
  } finally {
    await context.close();
  }
}

/** Distinct frames (prefix paths) of folded stacks: what the flame graph draws at most. */
export function frameCount(folded: readonly FoldedStack[]): number {
  const seen = new Set<string>();
  for (const { stack } of folded) {
    let prefix = '';
    for (const frame of stack.split(';')) {
      prefix += `;${frame}`;
      seen.add(prefix);
    }
  }
  return seen.size;
}

/** Real stacks repeated under renamed roots (`ROOT#k`) until they hold at least `frames` distinct frames. */
export function widenTo(folded: readonly FoldedStack[], frames: number): { folded: FoldedStack[]; copies: number } {
  const per = frameCount(folded);
  if (per === 0) throw new Error('the profile has no folded stacks');
  const copies = Math.ceil(frames / per);
  const out: FoldedStack[] = [];
  for (let k = 0; k < copies; k++) {
    for (const s of folded) {
      const i = s.stack.indexOf(';');
      const root = i < 0 ? s.stack : s.stack.slice(0, i);
      out.push({ stack: `${root}#${k}${i < 0 ? '' : s.stack.slice(i)}`, count: s.count });
    }
  }
  return { folded: out, copies };
}

/** For the scale benchmark: the flame graph of a Profile JSON file, first render in a fresh browser. */
export async function renderFlameGraphFile(
  ctx: BenchContext,
  profileJson: string,
): Promise<{ ms: number; heapMiB: number | null; frames: number }> {
  const profile = JSON.parse(readFileSync(profileJson, 'utf8')) as Profile;
  const server = await servePanel(ctx.repoRoot);
  const browser = await launchChromium();
  try {
    const t = await openPanel(browser, server, profile, 'flame');
    if (!t.flame) throw new Error('the flame graph did not render');
    return { ms: t.flame.buildMs + t.flame.drawMs, heapMiB: t.heapMiB, frames: t.flame.frames };
  } finally {
    await browser.close();
    await server.close();
  }
}
