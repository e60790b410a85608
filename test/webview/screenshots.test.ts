/**
 * The panel in VS Code's light, dark and high-contrast themes and the report in light and dark: each page
 * takes the theme's colours (checked on the page), and the screenshots are what docs/screenshots shows.
 * They are written to docs/screenshots/ only with UPDATE_SCREENSHOTS=1 (otherwise to a temp dir).
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { writeHtmlReport } from '../../src/core/report/html';
import { launchBrowser, loadFixtureProfile, openPanel, openReport, type WebviewBrowser } from './harness';
import { THEMES, type HarnessTheme } from './themes';
import type { PageDocument, PageElement, PageStyle } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;
declare const getComputedStyle: (el: PageElement) => PageStyle;

const update = process.env.UPDATE_SCREENSHOTS === '1';
let outDir: string;
let tmp: string;
let browser: WebviewBrowser;
const profile = loadFixtureProfile();

before(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'perf-lens-shots-'));
  outDir = update ? join(__dirname, '..', '..', 'docs', 'screenshots') : tmp;
  mkdirSync(outDir, { recursive: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  rmSync(tmp, { recursive: true, force: true });
});

const rgb = (hex: string) => {
  const n = parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
};

async function shot(page: Page, name: string): Promise<void> {
  await page.mouse.move(0, 0);
  const file = join(outDir, `${name}.png`);
  await page.screenshot({ path: file, animations: 'disabled' });
  assert.ok(statSync(file).size > 20_000, `${name}.png looks empty`);
}

async function tab(page: Page, label: RegExp): Promise<void> {
  await page.locator('vscode-tab-header', { hasText: label }).click();
  await page.waitForTimeout(150);
}

/** The flame graph with a search and a tooltip showing, as a user would see it. */
async function flameWithSearch(page: Page): Promise<void> {
  await tab(page, /Flame graph/);
  await page.waitForFunction(() => document.querySelector('.flame-canvas')!.height > 18);
  await page.fill('.flame-search input', 'wakeThread');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Matched/.test(document.querySelector('.flame-match')?.textContent ?? ''));
}

describe('themes and screenshots', () => {
  for (const theme of ['light', 'dark', 'high-contrast'] as HarnessTheme[]) {
    it(`panel in the ${theme} theme`, async () => {
      const p = await openPanel(browser, { theme, width: 1280, height: 860 });
      try {
        await p.send({ type: 'profile', profile });
        await p.page.waitForSelector('.verdict-summary');
        const colors = await p.page.evaluate(() => ({
          bg: getComputedStyle(document.body).backgroundColor,
          fg: getComputedStyle(document.body).color,
        }));
        assert.deepEqual(colors, {
          bg: rgb(THEMES[theme].vars['--vscode-editor-background']),
          fg: rgb(THEMES[theme].vars['--vscode-foreground']),
        });
        const short = theme === 'high-contrast' ? 'hc' : theme;
        await p.page.waitForTimeout(200);
        await shot(p.page, `webview-${short}-breakdown`);
        await flameWithSearch(p.page);
        await shot(p.page, `webview-${short}-flamegraph`);
        if (theme !== 'high-contrast') {
          await tab(p.page, /Findings/);
          await shot(p.page, `webview-${short}-findings`);
        }
        if (theme === 'dark') {
          await tab(p.page, /Hotspots/);
          await shot(p.page, 'webview-dark-hotspots');
          await tab(p.page, /Syscalls/);
          await shot(p.page, 'webview-dark-syscalls');
        }
        assert.deepEqual(p.errors, []);
      } finally {
        await p.page.close();
      }
    });
  }

  for (const scheme of ['light', 'dark'] as const) {
    it(`HTML report with a ${scheme} colour scheme`, async () => {
      const file = join(tmp, `report-${scheme}.html`);
      await writeHtmlReport(file, { profile });
      const r = await openReport(browser, file, { colorScheme: scheme, width: 1280, height: 860 });
      try {
        const bg = await r.page.evaluate(() => getComputedStyle(document.body).backgroundColor);
        assert.equal(bg, scheme === 'light' ? 'rgb(255, 255, 255)' : 'rgb(31, 31, 31)');
        await r.page.waitForTimeout(200);
        await shot(r.page, `webview-report-${scheme}`);
        assert.deepEqual(r.errors, []);
      } finally {
        await r.page.close();
      }
    });
  }

  it('HTML report under forced colours (Windows high contrast) uses system colours', async () => {
    const file = join(tmp, 'report-forced.html');
    await writeHtmlReport(file, { profile });
    const r = await openReport(browser, file, { forcedColors: 'active', colorScheme: 'dark' });
    try {
      const vars = await r.page.evaluate(() =>
        getComputedStyle(document.documentElement).getPropertyValue('--vscode-foreground').trim(),
      );
      assert.equal(vars, 'CanvasText');
      await flameWithSearch(r.page);
      assert.deepEqual(r.errors, []);
    } finally {
      await r.page.close();
    }
  });
});
