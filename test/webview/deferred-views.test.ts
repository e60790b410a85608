/**
 * The panel renders the shown tab's view with the profile and the hidden tabs' views right after the first
 * paint (or at once when their tab is selected first): checked in Chromium with the captured demo Profile,
 * handing the profile to the app synchronously so that "before the next frame" is observable.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Profile } from '../../src/core/profile';
import { launchBrowser, loadFixtureProfile, openPanel, type WebviewBrowser } from './harness';
import type { PageDocument, PageWindow } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;
declare const window: PageWindow;

let browser: WebviewBrowser;
const profile: Profile = loadFixtureProfile();

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

describe('panel: hidden views render after the shown one', () => {
  it('shows the CPU tab with the profile at once and fills the hidden tabs right after', async () => {
    const p = await openPanel(browser, { theme: 'dark' });
    try {
      const counts = await p.page.evaluate((prof) => {
        window.perfLens.handle({ type: 'profile', profile: prof });
        return {
          threads: document.querySelectorAll('.cpu-view .pl-table tbody tr').length,
          hotspots: document.querySelectorAll('.hotspots-view tbody tr').length,
          findings: document.querySelectorAll('.finding').length,
        };
      }, profile);
      assert.equal(counts.threads, profile.threads.length, 'the shown tab is rendered with the profile');
      assert.deepEqual([counts.hotspots, counts.findings], [0, 0], 'hidden tabs wait for the first paint');
      // Without selecting their tabs, the hidden views fill in right after.
      await p.page.waitForFunction(
        (n) => document.querySelectorAll('.hotspots-view tbody tr').length === n,
        profile.hotspots.length,
      );
      assert.equal(await p.page.locator('.finding').count(), profile.findings.length);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('renders a hidden view at once when its tab is selected before that', async () => {
    const p = await openPanel(browser, { theme: 'dark' });
    try {
      const rows = await p.page.evaluate((prof) => {
        window.perfLens.handle({ type: 'profile', profile: prof });
        window.perfLens.selectTab('hotspots');
        return document.querySelectorAll('.hotspots-view tbody tr').length;
      }, profile);
      assert.equal(rows, profile.hotspots.length);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });
});
