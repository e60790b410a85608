/**
 * The panel as VS Code hosts it: the page from renderWebviewHtml() with an emulated acquireVsCodeApi(),
 * messages sent by window.postMessage, posted messages recorded. Fixture: a Profile captured from the demo.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Profile } from '../../src/core/profile';
import {
  countCanvasPixels,
  waitForCanvasPixels,
  launchBrowser,
  profileWithSourceLocations,
  openPanel,
  type PanelPage,
  type WebviewBrowser,
} from './harness';
import type { PageDocument, PageWindow } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;
declare const window: PageWindow;

let browser: WebviewBrowser;
// The captured session Profile, with the source locations the extension would know for the demo's functions.
const profile: Profile = profileWithSourceLocations();

before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function panelWithProfile(): Promise<PanelPage> {
  const p = await openPanel(browser, { theme: 'dark' });
  await p.send({ type: 'init', mode: 'vscode', theme: 'dark' });
  await p.send({ type: 'profile', profile });
  await p.page.waitForSelector('.verdict-summary');
  return p;
}

const texts = (p: PanelPage, sel: string) => p.page.locator(sel).allTextContents();
const selectTab = (p: PanelPage, label: RegExp) => p.page.locator('vscode-tab-header', { hasText: label }).click();

describe('panel (VS Code webview)', () => {
  it('posts ready first and renders the verdict, threads, hotspots and findings of the profile', async () => {
    const p = await panelWithProfile();
    try {
      const posted = await p.posted();
      assert.deepEqual(posted[0], { type: 'ready' });
      assert.equal(await p.page.locator('.verdict-summary').textContent(), profile.verdict.summary);
      const evidence = await texts(p, '.banner .evidence li');
      assert.deepEqual(evidence, profile.verdict.evidence);
      const target = await p.page.locator('.banner .target-line').textContent();
      assert.match(target ?? '', new RegExp(`PID ${profile.target.pid}`));
      assert.match(
        (await p.page.locator('.banner .facts').textContent()) ?? '',
        new RegExp(`cores used of ${profile.verdict.coresAvailable}`),
      );
      for (const dq of profile.dataQuality)
        assert.ok((await texts(p, '.data-quality li')).some((t) => t.includes(dq.message)));

      // Threads: one row per thread, the busiest first, hot ones marked.
      const rows = p.page.locator('.cpu-view .pl-table tbody tr');
      assert.equal(await rows.count(), profile.threads.length);
      const busiest = [...profile.threads].sort((a, b) => (b.cpu ?? 0) - (a.cpu ?? 0))[0];
      assert.match((await rows.first().textContent()) ?? '', new RegExp(busiest.name));
      assert.equal(await rows.first().getAttribute('class'), 'hot');
      // Per-CPU bars: one for "all" and one per CPU.
      assert.equal(await p.page.locator('.percpu .bar').count(), profile.cpu.perCpu.length + 1);
      // The uPlot charts are made the frame after the first paint: wait for them (canvas with pixels).
      assert.ok((await waitForCanvasPixels(p.page, '.cpu-view .chart canvas', 501)) > 500);

      await selectTab(p, /Hotspots/);
      const hot = p.page.locator('.hotspots-view tbody tr');
      assert.equal(await hot.count(), profile.hotspots.length);
      const top = [...profile.hotspots].sort((a, b) => b.self - a.self)[0];
      assert.match(
        (await hot.first().locator('.symbol').textContent()) ?? '',
        new RegExp(top.symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
      // Kernel filter leaves only kernel rows.
      await p.page.getByRole('button', { name: 'Kernel', exact: true }).click();
      assert.equal(await hot.count(), profile.hotspots.filter((x) => x.kernel).length);
      assert.equal(await p.page.locator('.hotspots-view tbody .where-user').count(), 0);

      await selectTab(p, /Findings/);
      const cards = p.page.locator('.finding');
      assert.equal(await cards.count(), profile.findings.length);
      for (const f of profile.findings) {
        const card = p.page.locator('.finding', { hasText: f.title });
        assert.equal(await card.count(), 1, f.title);
        assert.match((await card.getAttribute('class')) ?? '', new RegExp(`sev-${f.severity}`));
        assert.equal(await card.locator('.fix').count(), f.fixes.length);
      }
      assert.equal(
        await p.page.locator('vscode-tab-header.tab-findings vscode-badge').textContent(),
        String(profile.findings.length),
      );
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('sorts the thread table by a header click', async () => {
    const p = await panelWithProfile();
    try {
      await p.page.locator('.cpu-view th button', { hasText: 'Thread' }).click();
      const names = await texts(p, '.cpu-view .pl-table tbody tr td:first-child');
      const expected = profile.threads.map((t) => t.name).sort((a, b) => a.localeCompare(b));
      assert.deepEqual(
        names.map((n) => n.replace(/^hot: /, '')),
        expected,
      );
      assert.equal(await p.page.locator('.cpu-view th[aria-sort="ascending"]').count(), 1);
    } finally {
      await p.page.close();
    }
  });

  it('draws the flame graph on canvas and highlights search matches', async () => {
    const p = await panelWithProfile();
    try {
      await selectTab(p, /Flame graph/);
      await p.page.waitForFunction(() => document.querySelector('.flame-canvas')!.height > 18);
      const drawn = await waitForCanvasPixels(p.page, '.flame-canvas', 20_000);
      assert.ok(drawn > 20_000, `flame graph pixels: ${drawn}; errors: ${p.errors.join('; ')}`);
      // Search: the match colour hsl(300, 75%, 62%) = rgb(230, 86, 230) appears, and the share is reported.
      const magenta: [number, number, number] = [230, 86, 230];
      assert.equal(await countCanvasPixels(p.page, '.flame-canvas', magenta), 0);
      await p.page.fill('.flame-search input', 'wakeThread');
      await p.page.keyboard.press('Enter');
      await p.page.waitForFunction(() => /Matched/.test(document.querySelector('.flame-match')?.textContent ?? ''));
      assert.ok((await countCanvasPixels(p.page, '.flame-canvas', magenta)) > 50);
      const matched = Number(/Matched ([\d.]+)%/.exec((await p.page.locator('.flame-match').textContent()) ?? '')?.[1]);
      const expected =
        (profile.folded.filter((f) => f.stack.includes('wakeThread')).reduce((a, f) => a + f.count, 0) /
          profile.folded.reduce((a, f) => a + f.count, 0)) *
        100;
      assert.ok(Math.abs(matched - expected) < 0.1, `matched ${matched}% vs ${expected}%`);
      // Tooltip with percentages on hover.
      const box = (await p.page.locator('.flame-canvas').boundingBox())!;
      await p.page.mouse.move(box.x + box.width / 2, box.y + 5);
      assert.match((await p.page.locator('.flame-tooltip').textContent()) ?? '', /% of all samples/);
      // Click zooms: the breadcrumb gains the clicked frame.
      await p.page.mouse.click(box.x + box.width / 4, box.y + 18 + 5);
      assert.equal(await p.page.locator('.flame-crumbs .crumb').count(), 2);
      await p.page.locator('.flame-reset').click();
      assert.equal(await p.page.locator('.flame-crumbs .crumb').count(), 1);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('posts the protocol messages for the fix buttons, source links and Stop', async () => {
    const p = await panelWithProfile();
    try {
      await selectTab(p, /Findings/);
      const f = profile.findings.find((x) => x.fixes.length > 0)!;
      const fix = p.page.locator('.finding', { hasText: f.title }).locator('.fix').first();
      await p.clearPosted();
      await fix.locator('vscode-button', { hasText: 'Show in source' }).click();
      await fix.locator('vscode-button', { hasText: 'Apply fix' }).click();
      await fix.locator('vscode-button', { hasText: 'Copy snippet' }).click();
      assert.deepEqual(await p.posted(), [
        { type: 'showInSource', findingId: f.id, fixId: f.fixes[0] },
        { type: 'applyFix', findingId: f.id, fixId: f.fixes[0] },
        { type: 'copySnippet', fixId: f.fixes[0] },
      ]);

      await selectTab(p, /Hotspots/);
      const withFile = profile.hotspots.find((x) => x.file !== null)!;
      await p.clearPosted();
      await p.page.locator('.hotspots-view .symbol').getByText(withFile.symbol, { exact: true }).click();
      // A row without a source location posts nothing.
      const noFile = profile.hotspots.find((x) => x.file === null)!;
      await p.page.locator('.hotspots-view .symbol').getByText(noFile.symbol, { exact: true }).click();
      assert.deepEqual(await p.posted(), [
        { type: 'openSource', file: withFile.file, line: withFile.line, symbol: withFile.symbol },
      ]);

      // Live session: a Stop button posts cancel.
      await p.send({ type: 'status', phase: 'recording', fraction: 0.4, message: 'perf record 4 of 10 s' });
      await p.clearPosted();
      await p.page.locator('.status-cancel').click();
      assert.deepEqual(await p.posted(), [{ type: 'cancel' }]);
      assert.match(
        (await p.page.locator('.status-text').textContent()) ?? '',
        /recording: perf record 4 of 10 s \(40%\)/,
      );
    } finally {
      await p.page.close();
    }
  });

  it('shows live samples before the profile, then the profile', async () => {
    const p = await openPanel(browser, { theme: 'light' });
    try {
      for (const [i, s] of profile.timeline.entries()) {
        await p.send({ type: 'live', sample: s, threads: profile.threads, perCpu: profile.cpu.perCpu });
        if (i === 0) await p.page.waitForSelector('.kind-live');
      }
      assert.match((await p.page.locator('.verdict-summary').textContent()) ?? '', /the verdict follows the recording/);
      assert.equal(await p.page.locator('.cpu-view .pl-table tbody tr').count(), profile.threads.length);
      const points = await p.page.evaluate(() => document.querySelectorAll('.cpu-view .u-legend').length);
      assert.equal(points, 2);
      await p.send({ type: 'profile', profile });
      await p.page.waitForFunction(
        (s) => document.querySelector('.verdict-summary')?.textContent === s,
        profile.verdict.summary,
      );
      await p.send({ type: 'error', message: 'perf exited with status 1' });
      assert.match((await p.page.locator('.banner-error').textContent()) ?? '', /perf exited with status 1/);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('shows only the banner until data arrives, and starts afresh when the extension replays (init)', async () => {
    const p = await openPanel(browser, { theme: 'dark' });
    try {
      assert.equal(await p.page.locator('vscode-tabs').isVisible(), false);
      assert.match((await p.page.locator('.banner').textContent()) ?? '', /Waiting for data/);
      await p.send({ type: 'init', mode: 'vscode', theme: 'dark' });
      await p.send({ type: 'profile', profile });
      await p.page.waitForSelector('.verdict-summary');
      assert.equal(await p.page.locator('vscode-tabs').isVisible(), true);
      // A new session in the same panel: the old verdict and findings go, the live view comes.
      await p.send({ type: 'init', mode: 'vscode', theme: 'dark' });
      await p.send({ type: 'status', phase: 'live', fraction: 0, message: 'sampling' });
      await p.send({ type: 'live', sample: profile.timeline[0], threads: profile.threads, perCpu: profile.cpu.perCpu });
      await p.page.waitForSelector('.kind-live');
      assert.equal(await p.page.locator('.finding').count(), 0);
      assert.notEqual(await p.page.locator('.verdict-summary').textContent(), profile.verdict.summary);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('drops forged and malformed messages, logging each, and keeps working', async () => {
    const p = await panelWithProfile();
    try {
      await p.clearPosted();
      const bad: unknown[] = [
        { type: 'bogus' },
        'profile',
        null,
        42,
        [{ type: 'profile' }],
        { type: 'profile', profile: { schema: 'someone-else@1', verdict: { summary: 'FORGED' } } },
        { type: 'profile' },
        { type: 'live', sample: 5, threads: [], perCpu: [] },
        { type: 'status', phase: 1, fraction: 'x', message: null },
        { type: 'showFinding', findingId: 42 },
        { type: 'init', mode: 'hacker' },
        { type: 'compare', before: {}, after: {} },
        { type: 'compare', before: { schema: 'x' }, after: { schema: 'y' }, comparison: {} },
      ];
      for (const m of bad) await p.send(m);
      await p.page.waitForFunction((n) => window.__posted.length >= n, bad.length);
      const posted = await p.posted();
      assert.equal(posted.length, bad.length);
      for (const m of posted) {
        assert.equal(m.type, 'log');
        assert.match((m as { message: string }).message, /dropped/);
      }
      // Nothing changed: same verdict, no compare tab, no error.
      assert.equal(await p.page.locator('.verdict-summary').textContent(), profile.verdict.summary);
      assert.equal(await p.page.locator('vscode-tab-header.tab-compare').count(), 0);
      assert.deepEqual(p.errors, []);
      // A profile with wrong field types renders as "not measured" instead of breaking the page.
      const mangled = {
        ...profile,
        threads: [{ tid: 'x', name: 5 }],
        hotspots: 'nope',
        cpu: { process: 'high' },
        findings: [{ title: 7 }],
      };
      await p.send({ type: 'profile', profile: mangled });
      await p.page.waitForFunction(() => document.querySelectorAll('.finding').length === 1);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('shows a finding on request: switches tab, scrolls to and highlights the card', async () => {
    const p = await panelWithProfile();
    try {
      const f = profile.findings[profile.findings.length - 1];
      await p.send({ type: 'showFinding', findingId: f.id });
      await p.page.waitForSelector('.finding.flash');
      assert.equal(
        await p.page
          .locator('vscode-tab-header[active]')
          .textContent()
          .then((t) => t?.trim().startsWith('Findings')),
        true,
      );
      assert.equal(await p.page.locator('.finding.flash h3').textContent(), f.title);
      assert.equal(await p.page.evaluate(() => document.activeElement?.classList.contains('flash')), true);
    } finally {
      await p.page.close();
    }
  });

  it('restores tab, sort and flame graph zoom and search after a reload (getState)', async () => {
    const p = await panelWithProfile();
    try {
      await selectTab(p, /Flame graph/);
      await p.page.waitForFunction(() => document.querySelector('.flame-canvas')!.height > 18);
      await p.page.fill('.flame-search input', 'sendAll');
      await p.page.keyboard.press('Enter');
      await p.page.focus('.flame-canvas');
      await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('Enter');
      const crumbs = await texts(p, '.flame-crumbs .crumb');
      assert.equal(crumbs.length, 2);
      await selectTab(p, /Hotspots/);
      await p.page.locator('.hotspots-view th button', { hasText: 'Object' }).click();
      await selectTab(p, /Flame graph/);

      await p.reload();
      await p.send({ type: 'profile', profile });
      await p.page.waitForSelector('.verdict-summary');
      assert.match((await p.page.locator('vscode-tab-header[active]').textContent()) ?? '', /Flame graph/);
      await p.page.waitForFunction(() => document.querySelectorAll('.flame-crumbs .crumb').length > 0);
      assert.deepEqual(await texts(p, '.flame-crumbs .crumb'), crumbs);
      assert.equal(await p.page.inputValue('.flame-search input'), 'sendAll');
      await selectTab(p, /Hotspots/);
      assert.equal(await p.page.locator('.hotspots-view th[aria-sort="ascending"]').textContent(), 'Object');
    } finally {
      await p.page.close();
    }
  });

  it('is usable by keyboard: Tab to the tabs, arrows switch tabs, flame graph arrows/Enter/Escape', async () => {
    const p = await panelWithProfile();
    try {
      const active = () =>
        p.page.evaluate(
          () =>
            document.activeElement?.tagName.toLowerCase() +
            '|' +
            (document.activeElement?.textContent ?? '').trim().slice(0, 40),
        );
      await p.page.keyboard.press('Tab');
      for (let i = 0; i < 5 && !(await active()).startsWith('vscode-tab-header'); i++)
        await p.page.keyboard.press('Tab');
      assert.match(await active(), /^vscode-tab-header\|CPU breakdown/);
      await p.page.keyboard.press('ArrowRight');
      assert.match(await active(), /^vscode-tab-header\|Findings/);
      await p.page.waitForFunction(() => !document.querySelector('vscode-tab-panel.panel-findings')!.hidden);
      await p.page.keyboard.press('ArrowRight');
      await p.page.keyboard.press('ArrowRight');
      assert.match(await active(), /^vscode-tab-header\|Flame graph/);
      await p.page.waitForFunction(() => !document.querySelector('vscode-tab-panel.panel-flame')!.hidden);
      await p.page.keyboard.press('ArrowLeft');
      assert.match(await active(), /^vscode-tab-header\|Hotspots/);
      // Hotspot rows: Tab into the table, arrows move, Enter opens the source of a row that has one.
      // Rows are sorted by self time (a stable sort of the profile's order).
      const withFile = [...profile.hotspots].sort((a, b) => b.self - a.self).findIndex((x) => x.file !== null);
      for (let i = 0; i < 12 && !(await active()).startsWith('tr|'); i++) await p.page.keyboard.press('Tab');
      assert.match(await active(), /^tr\|/);
      await p.clearPosted();
      for (let i = 0; i < withFile; i++) await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('Enter');
      assert.equal((await p.posted())[0]?.type, 'openSource');

      await p.page.locator('vscode-tab-header', { hasText: /Flame graph/ }).focus();
      await p.page.keyboard.press('Enter');
      await p.page.waitForFunction(() => document.querySelector('.flame-canvas')!.height > 18);
      await p.page.focus('.flame-canvas');
      const live = () => p.page.locator('#pl-flame-live').textContent();
      await p.page.keyboard.press('ArrowDown');
      const first = await live();
      assert.match(first ?? '', /: [\d.]+% of samples, self [\d.]+%/);
      await p.page.keyboard.press('ArrowDown');
      await p.page.keyboard.press('ArrowRight');
      await p.page.keyboard.press('ArrowUp');
      await p.page.keyboard.press('Enter');
      assert.ok((await p.page.locator('.flame-crumbs .crumb').count()) >= 2);
      assert.match((await live()) ?? '', /^Zoomed to /);
      await p.page.keyboard.press('Escape');
      assert.equal(await p.page.locator('.flame-crumbs .crumb').count(), 1);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('shows a comparison of two profiles', async () => {
    const p = await openPanel(browser, { theme: 'dark' });
    try {
      const after: Profile = { ...profile, createdAt: new Date(Date.parse(profile.createdAt) + 60_000).toISOString() };
      // A comparison as compare() would make it: the numbers are the two profiles' own.
      const m = (
        id: string,
        label: string,
        unit: string,
        b: number | null,
        a: number | null,
        lowerIsBetter = true,
      ) => ({
        id,
        label,
        unit,
        before: b,
        after: a,
        delta: a !== null && b !== null ? a - b : null,
        percent: a !== null && b ? ((a - b) / b) * 100 : null,
        better: a === null || b === null || a === b ? null : lowerIsBetter ? a < b : a > b,
      });
      const comparison = {
        summary: 'Same profile compared with itself, one minute later.',
        metrics: [
          m('cpu', 'Process CPU', '%', profile.cpu.process?.cpu ?? null, after.cpu.process?.cpu ?? null),
          m('enter', 'io_uring_enter/s', '/s', profile.ioUring?.enterPerSecond ?? null, 1000, true),
        ],
        gained: [],
        lost: [{ symbol: profile.hotspots[0].symbol, before: profile.hotspots[0].self, after: null }],
        verdictBefore: profile.verdict.summary,
        verdictAfter: after.verdict.summary,
      };
      await p.send({ type: 'compare', before: profile, after, comparison });
      await p.page.waitForSelector('.compare-view .side');
      assert.match((await p.page.locator('vscode-tab-header[active]').textContent()) ?? '', /Compare/);
      assert.equal(await p.page.locator('.compare-view .side').count(), 2);
      assert.equal(await p.page.locator('.compare-view .metrics tbody tr').count(), 2);
      assert.equal(await p.page.locator('.compare-view .delta-better').count(), 1);
      assert.match(
        (await p.page.locator('.compare-view .symbol-list').nth(1).textContent()) ?? '',
        new RegExp(profile.hotspots[0].symbol.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });
});
