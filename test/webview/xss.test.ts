/**
 * Hostile strings from a profile (process names, symbols, paths, messages) are shown as text: no element
 * is created from them, no script runs, no dialog fires — in the VS Code panel and in the HTML report.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import type { Profile } from '../../src/core/profile';
import { writeHtmlReport } from '../../src/core/report/html';
import { launchBrowser, loadFixtureProfile, openPanel, openReport, tempFile, type WebviewBrowser } from './harness';
import type { PageDocument, PageWindow } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;
declare const window: PageWindow;

const XSS = '<img src=x onerror=alert(1)>';
const XSS2 = '</template><script>alert(2)</script>';
const XSS3 = '</script><svg onload=alert(3)>';

/** The fixture with every kind of string a profile carries replaced by markup. */
function hostileProfile(): Profile {
  const p = structuredClone(loadFixtureProfile());
  p.target.command = XSS;
  p.target.host = XSS3;
  p.target.cmdline = XSS2;
  p.partial = true;
  p.partialReason = XSS;
  p.verdict.summary = XSS;
  p.verdict.evidence = [XSS2, XSS3];
  p.dataQuality = [{ id: 'x', severity: 'warning', message: XSS, fix: XSS2 }];
  p.threads[0].name = XSS;
  p.hotspots[0].symbol = XSS;
  p.hotspots[0].dso = XSS3;
  p.hotspots[0].file = XSS2;
  p.hotspots[0].line = 7;
  p.hotspots[0].callers = [XSS];
  p.syscalls[0].name = XSS;
  p.findings[0].title = XSS;
  p.findings[0].evidence = [XSS2];
  p.findings[0].verify = XSS3;
  p.findings[0].symbols = [XSS];
  p.findings[0].fixes = [XSS2];
  p.network!.other = { [XSS]: 1 };
  p.folded = [{ stack: `${XSS};${XSS2};${XSS3}`, count: 5000 }, ...p.folded];
  return p;
}

let browser: WebviewBrowser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function assertInert(page: Page, dialogs: string[]): Promise<void> {
  assert.deepEqual(dialogs, []);
  const counts = await page.evaluate(() => ({
    img: document.querySelectorAll('img').length,
    svg: document.querySelectorAll('svg').length,
    scripts: document.querySelectorAll('script').length,
    xss: window.alert1 === true,
  }));
  assert.deepEqual(counts, { img: 0, svg: 0, scripts: 1, xss: false });
}

async function assertShownAsText(page: Page): Promise<void> {
  assert.equal(await page.locator('.verdict-summary').textContent(), XSS);
  assert.match((await page.locator('.banner .target-line').textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
  assert.match((await page.locator('.partial').textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
  assert.deepEqual(await page.locator('.banner .evidence li').allTextContents(), [XSS2, XSS3]);
  assert.ok((await page.locator('.cpu-view .pl-table tbody td').allTextContents()).some((t) => t.endsWith(XSS)));
  await page.locator('vscode-tab-header', { hasText: /Hotspots/ }).click();
  assert.ok((await page.locator('.hotspots-view .symbol').allTextContents()).includes(XSS));
  assert.match(
    (await page.locator('.hotspots-view tbody').textContent()) ?? '',
    /<\/template><script>alert\(2\)<\/script>:7/,
  );
  await page.locator('vscode-tab-header', { hasText: /Findings/ }).click();
  assert.ok((await page.locator('.finding h3').allTextContents()).includes(XSS));
  await page.locator('vscode-tab-header', { hasText: /Flame graph/ }).click();
  await page.waitForFunction(() => document.querySelector('.flame-canvas')!.height > 18);
  const box = (await page.locator('.flame-canvas').boundingBox())!;
  // Row 1 is the hostile root frame (the heaviest, alphabetically first "<…"): its tooltip is text.
  await page.mouse.move(box.x + 3, box.y + 18 + 9);
  assert.equal(await page.locator('.flame-tooltip strong').textContent(), XSS);
}

describe('hostile strings', () => {
  it('are text in the VS Code panel', async () => {
    const p = await openPanel(browser, { theme: 'dark' });
    try {
      await p.send({ type: 'profile', profile: hostileProfile() });
      await p.page.waitForSelector('.verdict-summary');
      await assertShownAsText(p.page);
      await assertInert(p.page, p.dialogs);
      // The hostile source path travels to the extension as data only (it validates it there).
      await p.page.locator('vscode-tab-header', { hasText: /Hotspots/ }).click();
      await p.clearPosted();
      await p.page.locator('.hotspots-view .symbol').getByText(XSS, { exact: true }).click();
      assert.deepEqual(await p.posted(), [{ type: 'openSource', file: XSS2, line: 7, symbol: XSS }]);
      await p.send({ type: 'error', message: XSS });
      // The message renders on the webview's next frame: wait for its text (an empty banner may be there first).
      await p.page.locator('.banner-error', { hasText: XSS }).waitFor({ timeout: 10_000 });
      assert.match((await p.page.locator('.banner-error').textContent()) ?? '', /<img src=x onerror=alert\(1\)>/);
      await p.send({ type: 'status', phase: XSS, fraction: 0.5, message: XSS2 });
      await assertInert(p.page, p.dialogs);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('are text in the HTML report, whose data cannot break out of its <template>', async () => {
    const t = tempFile('hostile.html', '');
    try {
      await writeHtmlReport(t.file, { profile: hostileProfile() });
      const r = await openReport(browser, t.file);
      await assertShownAsText(r.page);
      await assertInert(r.page, r.dialogs);
      assert.deepEqual(r.errors, []);
      await r.page.close();
    } finally {
      t.remove();
    }
  });
});
