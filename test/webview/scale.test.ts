/**
 * The flame graph with 100k+ frames (GENERATED stacks, see generated-stacks.ts): it draws only what is
 * visible and stays interactive. Speed is measured by the benchmark (bench/webview.ts), not asserted here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { waitForCanvasPixels, launchBrowser, loadFixtureProfile, openPanel, type WebviewBrowser } from './harness';
import { generateFoldedStacks } from './generated-stacks';
import type { PageDocument, PageWindow } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;
declare const window: PageWindow;

let browser: WebviewBrowser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe('flame graph at scale', () => {
  it('builds 100k+ frames once and draws a bounded number of boxes', async () => {
    const gen = generateFoldedStacks({ frames: 100_000, seed: 11 });
    const profile = { ...loadFixtureProfile(), folded: gen.folded };
    const p = await openPanel(browser, { theme: 'dark' });
    try {
      await p.send({ type: 'profile', profile });
      await p.page.waitForSelector('.verdict-summary');
      await p.page.locator('vscode-tab-header', { hasText: /Flame graph/ }).click();
      // A canvas not yet drawn is already 150 px high (the HTML default): wait for the drawn graph itself.
      await p.page.waitForFunction(() => window.perfLens.flameStats.drawn > 0);
      const stats = () => p.page.evaluate(() => window.perfLens.flameStats);
      const s = await stats();
      assert.equal(s.frames, gen.frames);
      assert.ok(s.frames >= 100_000);
      const width = await p.page.evaluate(() => document.querySelector('.flame-scroll')!.clientWidth);
      // At most one box per half pixel per row; in practice far fewer than the frames.
      assert.ok(s.drawn < s.frames / 5, `drew ${s.drawn} of ${s.frames} frames`);
      assert.ok(s.drawn <= width * 2 * 400);
      assert.ok((await waitForCanvasPixels(p.page, '.flame-canvas', 50_000)) >= 50_000);
      assert.match((await p.page.locator('.flame-match').textContent()) ?? '', /100,\d{3} frames|\d{3},\d{3} frames/);

      // Search and zoom work on the big tree, and zooming does not rebuild it.
      await p.page.fill('.flame-search input', 'handler12');
      await p.page.keyboard.press('Enter');
      await p.page.waitForFunction(() =>
        /Matched [\d.]+%/.test(document.querySelector('.flame-match')?.textContent ?? ''),
      );
      await p.page.focus('.flame-canvas');
      await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('Enter');
      assert.equal(await p.page.locator('.flame-crumbs .crumb').count(), 3);
      assert.equal((await stats()).buildMs, s.buildMs, 'the tree was built once');
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });
});
