/**
 * The self-contained HTML report: one file, opened from disk, that shows the same views as the panel
 * without the VS Code actions, fetches nothing, and keeps its data out of scripts.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { Comparison } from '../../src/core/analyze/compare-types';
import { UserError } from '../../src/core/errors';
import type { Profile } from '../../src/core/profile';
import { renderHtmlReport, writeHtmlReport } from '../../src/core/report/html';
import { waitForCanvasPixels, launchBrowser, loadFixtureProfile, openReport, type WebviewBrowser } from './harness';
import type { PageDocument, PageElement, PageStyle } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;
declare const getComputedStyle: (el: PageElement) => PageStyle;

let browser: WebviewBrowser;
let dir: string;
const profile: Profile = loadFixtureProfile();
const fixes = profile.findings
  .flatMap((f) => f.fixes)
  .map((id) => ({ id, title: `Fix ${id}`, snippet: `// snippet for ${id}\nring.submit();` }));

before(async () => {
  browser = await launchBrowser();
  dir = mkdtempSync(join(tmpdir(), 'perf-lens-report-test-'));
});
after(async () => {
  await browser?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('HTML report', () => {
  it('is one file with the bundle inlined under a hash CSP and the data in a <template>, not a script', async () => {
    const html = await renderHtmlReport({ profile }, { fixes });
    // Assertions on booleans: a failing regex assertion would print the whole megabyte file.
    const script = /<script type="module">([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const outside = html.replace(script, '');
    assert.equal((outside.match(/<script/g) ?? []).length, 1, 'one script element');
    assert.ok(!/<script[^>]*\ssrc=/.test(outside), 'no script loaded by URL');
    assert.ok(!/<link\s/.test(outside), 'no stylesheet loaded by URL');
    const styles = [...outside.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]).join('\n');
    assert.ok(styles.length > 10_000, 'styles inlined');
    assert.ok(!/url\((?!["']?data:)/.test(styles), 'every url() in the styles is a data: URI');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(outside)?.[1] ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'sha256-[A-Za-z0-9+/=]+'/);
    assert.ok(!/unsafe-inline|unsafe-eval/.test(csp), csp);
    assert.ok(!script.includes('"schema":"perf-lens/profile@1"'), 'no profile data inside the script');
    const template = /<template id="perf-lens-data">([\s\S]*?)<\/template>/.exec(outside)?.[1] ?? '';
    assert.ok(!/[<>]/.test(template), 'the data is HTML-escaped');
    assert.ok(template.includes('perf-lens/profile@1'), 'the data is in the template');
  });

  it('opens offline from disk and shows the profile without the VS Code-only actions', async () => {
    const file = join(dir, 'sub', 'report.html');
    await writeHtmlReport(file, { profile }, { fixes });
    const r = await openReport(browser, file);
    try {
      const page = r.page;
      assert.equal(await page.locator('.verdict-summary').textContent(), profile.verdict.summary);
      assert.equal(await page.locator('.cpu-view .pl-table tbody tr').count(), profile.threads.length);
      // The charts are made the frame after the first paint.
      assert.ok((await waitForCanvasPixels(page, '.cpu-view .chart canvas', 501)) > 500);
      await page.locator('vscode-tab-header', { hasText: /Hotspots/ }).click();
      assert.equal(await page.locator('.hotspots-view tbody tr').count(), profile.hotspots.length);
      assert.equal(await page.locator('.hotspots-view .source-link').count(), 0, 'no source links without VS Code');
      await page.locator('vscode-tab-header', { hasText: /Findings/ }).click();
      assert.equal(await page.locator('.finding').count(), profile.findings.length);
      assert.equal(await page.locator('vscode-button', { hasText: 'Apply fix' }).count(), 0);
      assert.equal(await page.locator('vscode-button', { hasText: 'Show in source' }).count(), 0);
      const fixCount = profile.findings.reduce((a, f) => a + f.fixes.length, 0);
      assert.equal(await page.locator('vscode-button', { hasText: 'Copy snippet' }).count(), fixCount);
      assert.equal(
        await page.locator('.fix-title').first().textContent(),
        `Fix ${profile.findings.find((f) => f.fixes.length)!.fixes[0]}`,
      );
      await page.locator('.snippet summary').first().click();
      assert.match((await page.locator('.snippet pre').first().textContent()) ?? '', /ring\.submit\(\);/);
      await page.locator('vscode-tab-header', { hasText: /Flame graph/ }).click();
      await page.waitForFunction(() => document.querySelector('.flame-canvas')!.height > 18);
      assert.ok((await waitForCanvasPixels(page, '.flame-canvas', 20_000)) >= 20_000);
      // Nothing but the file itself was requested, and nothing broke the CSP.
      assert.deepEqual(r.requests, [pathToFileURL(file).href]);
      assert.deepEqual(r.errors, []);
      assert.deepEqual(r.dialogs, []);
    } finally {
      await r.page.close();
    }
  });

  it('shows a comparison', async () => {
    const after: Profile = { ...profile, createdAt: new Date(Date.parse(profile.createdAt) + 1000).toISOString() };
    const comparison: Comparison = {
      summary: 'The same capture compared with itself.',
      metrics: [
        {
          id: 'cpu',
          label: 'Process CPU',
          unit: '%',
          before: profile.cpu.process?.cpu ?? null,
          after: after.cpu.process?.cpu ?? null,
          delta: 0,
          percent: 0,
          better: null,
        },
      ],
      gained: [],
      lost: [],
      verdictBefore: profile.verdict.summary,
      verdictAfter: after.verdict.summary,
    };
    const file = join(dir, 'compare.html');
    await writeHtmlReport(file, { before: profile, after, comparison });
    const r = await openReport(browser, file, { colorScheme: 'dark' });
    try {
      await r.page.waitForSelector('.compare-view .side');
      assert.match((await r.page.locator('vscode-tab-header[active]').textContent()) ?? '', /Compare/);
      assert.equal(await r.page.locator('.compare-view .side').count(), 2);
      assert.match((await r.page.locator('.compare-summary').textContent()) ?? '', /compared with itself/);
      // prefers-color-scheme: dark gives the dark stand-in theme.
      assert.equal(await r.page.evaluate(() => getComputedStyle(document.body).backgroundColor), 'rgb(31, 31, 31)');
      assert.deepEqual(r.errors, []);
    } finally {
      await r.page.close();
    }
  });

  it('says how to build the bundle when it is missing', async () => {
    const empty = join(dir, 'no-bundle');
    await assert.rejects(
      renderHtmlReport({ profile }, { assetsDir: empty }),
      (e: unknown) =>
        e instanceof UserError && /main\.js does not exist/.test(e.message) && /npm run build/.test(e.hint ?? ''),
    );
  });

  it('reports a page whose data is not a profile instead of rendering garbage', async () => {
    const html = (await renderHtmlReport({ profile })).replace(
      /<template id="perf-lens-data">[\s\S]*?<\/template>/,
      '<template id="perf-lens-data">{&quot;kind&quot;:&quot;profile&quot;,&quot;profile&quot;:{&quot;schema&quot;:&quot;x&quot;}}</template>',
    );
    const file = join(dir, 'bad-data.html');
    writeFileSync(file, html);
    const r = await openReport(browser, file);
    try {
      assert.match((await r.page.locator('.banner-error').textContent()) ?? '', /not a perf-lens\/profile@1 document/);
      assert.deepEqual(r.errors, []);
    } finally {
      await r.page.close();
    }
    assert.ok(readFileSync(file, 'utf8').length > 100_000);
  });
});
