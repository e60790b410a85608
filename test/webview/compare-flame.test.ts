/**
 * The Compare tab's differential flame graph, in headless Chromium: the captured demo session (before)
 * against the demo with its fixes applied (the `demo-fixed` scenario capture, after), compared by the real
 * compare(). Shares shown are checked against a plain computation from the two profiles' folded stacks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { compare } from '../../src/core/analyze/compare';
import type { FoldedStack, Profile } from '../../src/core/profile';
import { loadScenario } from '../unit/analyze/scenario';
import { launchBrowser, loadFixtureProfile, openPanel, type PanelPage, type WebviewBrowser } from './harness';
import type { PageDocument } from './page-types';
// Browser globals inside page callbacks (they run in Chromium; see page-types.ts).
declare const document: PageDocument;

const CANVAS = '.compare-flame .flame-canvas';
const LIVE = '#pl-diff-live';

let browser: WebviewBrowser;
let beforeP: Profile;
let afterP: Profile;

before(async () => {
  beforeP = loadFixtureProfile();
  afterP = await loadScenario('demo-fixed');
  assert.ok(beforeP.folded.length > 0 && afterP.folded.length > 0, 'both captures have stacks');
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

async function panelWithComparison(b: Profile, a: Profile): Promise<PanelPage> {
  const p = await openPanel(browser, { theme: 'dark' });
  await p.send({ type: 'init', mode: 'vscode', theme: 'dark' });
  await p.send({ type: 'compare', before: b, after: a, comparison: compare(b, a) });
  await p.page.waitForSelector('.compare-flame');
  await p.page.waitForFunction((sel) => (document.querySelector(sel)?.height ?? 0) > 18, CANVAS);
  return p;
}

/** Share (percent) of a side's samples in stacks whose first frame is `root`. */
function rootShare(folded: readonly FoldedStack[], root: string): number {
  let all = 0;
  let under = 0;
  for (const f of folded) {
    if (!(f.count > 0) || f.stack === '') continue;
    all += f.count;
    if (f.stack.split(';').find((x) => x !== '') === root) under += f.count;
  }
  return all > 0 ? (under / all) * 100 : 0;
}

/** Canvas pixels that are clearly red (grew) and clearly blue (shrank). */
function redAndBlue(p: PanelPage): Promise<{ red: number; blue: number }> {
  return p.page.evaluate((sel) => {
    const c = document.querySelector(sel)!;
    const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let red = 0;
    let blue = 0;
    for (let i = 0; i < d.length; i += 4) {
      if (d[i + 3] < 200) continue;
      if (d[i] > d[i + 2] + 40 && d[i] > d[i + 1] + 40) red++;
      else if (d[i + 2] > d[i] + 40) blue++;
    }
    return { red, blue };
  }, CANVAS);
}

describe('compare: differential flame graph', () => {
  it('draws both captures as one graph, red where the fixed demo spends a larger share, blue a smaller one', async () => {
    const p = await panelWithComparison(beforeP, afterP);
    try {
      assert.match((await p.page.locator('vscode-tab-header[active]').textContent()) ?? '', /Compare/);
      const legend = (await p.page.locator('.compare-flame .flame-legend').textContent()) ?? '';
      assert.match(legend, /larger share after/);
      assert.match(legend, /smaller share after/);
      const { red, blue } = await redAndBlue(p);
      assert.ok(red > 200 && blue > 200, `red ${red}, blue ${blue} pixels`);
      const info = (await p.page.locator('.compare-flame .flame-match').textContent()) ?? '';
      const sum = (f: FoldedStack[]) => f.reduce((a, x) => a + x.count, 0);
      assert.match(info, new RegExp(`${sum(beforeP.folded).toLocaleString('en-US')} samples before`));

      // Tooltip: both sides' percentages for the frame under the pointer (first row: a thread's root frame).
      await p.page.locator(CANVAS).scrollIntoViewIfNeeded();
      const box = (await p.page.locator(CANVAS).boundingBox())!;
      await p.page.mouse.move(box.x + 4, box.y + 18 + 9);
      await p.page.waitForSelector('.compare-flame .flame-tooltip:not([hidden])');
      const tip = await p.page.locator('.compare-flame .flame-tooltip').innerText();
      assert.match(tip, /before: [\d.]+% of samples/);
      assert.match(tip, /after: [\d.]+% of samples/);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('is usable by keyboard: arrows speak both shares (matching the stacks), Enter zooms, Escape resets', async () => {
    const p = await panelWithComparison(beforeP, afterP);
    try {
      await p.page.focus(CANVAS);
      const live = async () => (await p.page.locator(LIVE).textContent()) ?? '';
      assert.match(await live(), /^all samples: [\d,]+ before, [\d,]+ after$/);
      await p.page.keyboard.press('ArrowDown');
      const spoken = await live();
      const m = /^(.+): ([\d.]+)% of samples before, ([\d.]+)% after \((.+)\), (user|kernel), depth 1$/.exec(spoken);
      assert.ok(m, spoken);
      const [b, a] = [rootShare(beforeP.folded, m[1]), rootShare(afterP.folded, m[1])];
      assert.ok(Math.abs(Number(m[2]) - b) < 0.051, `${m[1]} before: shown ${m[2]}%, stacks ${b}%`);
      assert.ok(Math.abs(Number(m[3]) - a) < 0.051, `${m[1]} after: shown ${m[3]}%, stacks ${a}%`);
      assert.match(m[4], /^(unchanged|[+−][\d.,]+ points)$/);
      // Heaviest by mean share: no other root frame has a larger mean of the two shares.
      const roots = new Set([...beforeP.folded, ...afterP.folded].map((f) => f.stack.split(';')[0]));
      for (const r of roots)
        assert.ok(
          rootShare(beforeP.folded, r) + rootShare(afterP.folded, r) <= b + a + 1e-9,
          `${r} is heavier than ${m[1]}`,
        );
      await p.page.keyboard.press('ArrowDown');
      assert.match(await live(), /depth 2$/);
      await p.page.keyboard.press('Enter');
      assert.match(await live(), /^Zoomed to /);
      assert.equal(await p.page.locator('.compare-flame .flame-crumbs .crumb').count(), 3);
      await p.page.keyboard.press('Escape');
      assert.equal(await p.page.locator('.compare-flame .flame-crumbs .crumb').count(), 1);
      // Search reports the matched share of each side.
      await p.page.fill('.compare-flame .flame-search input', 'io_uring');
      await p.page.press('.compare-flame .flame-search input', 'Enter');
      await p.page.waitForFunction(() =>
        /Matched/.test(document.querySelector('.compare-flame .flame-match')?.textContent ?? ''),
      );
      assert.match(
        (await p.page.locator('.compare-flame .flame-match').textContent()) ?? '',
        /^Matched [\d.]+% of samples before, [\d.]+% after$/,
      );
      // The main flame graph is a separate view: its zoom and search were not touched.
      assert.equal(await p.page.locator('#pl-flame-live').count(), 1);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });

  it('shows a hostile frame name as text, in the crumbs and the spoken description', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    const total = afterP.folded.reduce((s, f) => s + f.count, 0);
    const a: Profile = { ...afterP, folded: [...afterP.folded, { stack: `${hostile};<b>x</b>`, count: 4 * total }] };
    const p = await panelWithComparison(beforeP, a);
    try {
      await p.page.focus(CANVAS);
      await p.page.keyboard.press('ArrowDown');
      assert.match((await p.page.locator(LIVE).textContent()) ?? '', /^<img src=x onerror=alert\(1\)>: 0\.0% of/);
      await p.page.keyboard.press('Enter');
      const crumbs = await p.page.locator('.compare-flame .flame-crumbs .crumb').allTextContents();
      assert.deepEqual(crumbs, ['all', hostile]);
      assert.equal(await p.page.locator('.compare-view img').count(), 0);
      assert.deepEqual(p.dialogs, []);
      assert.deepEqual(p.errors, []);
    } finally {
      await p.page.close();
    }
  });
});
