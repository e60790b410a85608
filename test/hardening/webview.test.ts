/**
 * The webview boundary. The pages the extension and the CLI generate carry a CSP that allows no script but
 * the bundle (by nonce or hash) and no inline handler; in Chromium that CSP really blocks a script or handler that got
 * injected anyway (eval cannot be probed from here: DevTools-evaluated code is exempt from CSP; no
 * 'unsafe-eval' is checked statically), and the page itself needs nothing the CSP forbids. Messages from the webview are
 * validated: forged shapes are dropped, and an `openSource`/`applyFix` for a path outside the workspace is
 * refused by the guard module the extension uses (src/extension/webview-guard.ts). Text rendering of hostile
 * strings is covered by test/webview/xss.test.ts; state restore by test/webview/panel.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, sep } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import type { Profile } from '../../src/core/profile';
import { parseFromWebview } from '../../src/core/protocol/webview';
import { renderHtmlReport } from '../../src/core/report/html';
import { renderWebviewHtml } from '../../src/core/report/webview-html';
import { checkEditTarget, checkFixRequest, checkMessage, resolveSourcePath } from '../../src/extension/webview-guard';
import { launchBrowser, loadFixtureProfile, openPanel, openReport, type WebviewBrowser } from '../webview/harness';
import type { PageWindow } from '../webview/page-types';
declare const window: PageWindow & Record<string, unknown>;

const HOSTILE = [
  '<img src=x onerror=alert(1)>',
  '</template><script>alert(2)</script>',
  '</script><svg onload=alert(3)>',
  '"><iframe srcdoc="<script>parent.__pwned=1</script>">',
  "javascript:alert('x')",
  '<!--<script>',
  '\u2028\u2029${alert(4)}`',
];

function hostileProfile(): Profile {
  const p = structuredClone(loadFixtureProfile());
  p.target.command = HOSTILE[0];
  p.target.host = HOSTILE[1];
  p.verdict.summary = HOSTILE.join(' ');
  p.hotspots[0].symbol = HOSTILE[2];
  p.hotspots[0].file = HOSTILE[3];
  p.findings[0].title = HOSTILE[4];
  p.folded = [{ stack: HOSTILE.join(';'), count: 999 }, ...p.folded];
  return p;
}

/** Parses the CSP meta tag and every <script> of a page. */
function pageParts(html: string) {
  const meta = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(meta, 'the page has a CSP meta tag');
  const csp = meta[1]
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&');
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name, ...values] = d.trim().split(/\s+/);
      return [name, values] as const;
    }),
  );
  const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)].map((m) => ({
    attrs: m[1],
    body: m[2],
  }));
  return { csp, directives, scripts };
}

function assertStrictCsp(html: string): void {
  const { csp, directives, scripts } = pageParts(html);
  assert.deepEqual(directives.get('default-src'), ["'none'"], csp);
  assert.doesNotMatch(csp, /unsafe-|'strict-dynamic'|\*/, csp);
  assert.deepEqual(directives.get('base-uri'), ["'none'"]);
  assert.deepEqual(directives.get('form-action'), ["'none'"]);
  for (const d of ['connect-src', 'frame-src', 'child-src', 'object-src', 'worker-src']) {
    assert.equal(directives.has(d), false, `${d} falls back to default-src 'none'`);
  }
  const scriptSrc = directives.get('script-src') ?? [];
  assert.ok(scriptSrc.length > 0 && scripts.length > 0);
  for (const v of scriptSrc)
    assert.match(v, /^'(nonce|sha256)-[A-Za-z0-9+/=]+'$/, `script-src allows only a nonce or hashes: ${v}`);
  for (const s of scripts) {
    const nonce = /\bnonce="([^"]+)"/.exec(s.attrs)?.[1];
    if (nonce !== undefined) {
      assert.ok(scriptSrc.includes(`'nonce-${nonce}'`), `script nonce ${nonce} is the CSP's`);
      assert.ok(Buffer.from(nonce, 'base64').length >= 16, 'nonce of at least 128 bits');
      assert.equal(s.body.trim(), '', 'a nonce script loads its code by URL, no inline code');
    } else {
      const hash = `'sha256-${createHash('sha256').update(s.body, 'utf8').digest('base64')}'`;
      assert.ok(scriptSrc.includes(hash), 'an inline script is allowed only by its exact hash');
    }
  }
  // No inline event handlers or javascript: URLs anywhere in the markup (outside script bodies).
  const markup = html
    .replace(/<script\b[^>]*>[\s\S]*?<\/script>/gi, '')
    .replace(/<style\b[^>]*>[\s\S]*?<\/style>/gi, '');
  assert.doesNotMatch(markup, /<[^>]+\son[a-z]+\s*=/i, 'no inline event handler');
  assert.doesNotMatch(
    markup,
    /\s(?:href|src|action|formaction|xlink:href)\s*=\s*["']?\s*javascript:/i,
    'no javascript: URL',
  );
}

describe('generated pages', () => {
  test('the VS Code panel page: nonce-only scripts, nothing inline, strict CSP; hostile URIs are escaped', () => {
    for (let i = 0; i < 20; i++) {
      const nonce = randomBytes(18).toString('base64');
      const html = renderWebviewHtml({
        nonce,
        cspSource: 'https://x.vscode-cdn.net',
        scriptUri: `https://x.vscode-cdn.net/main.js?"><script>alert(1)</script>`,
        styleUris: [`https://x.vscode-cdn.net/main.css"onload="alert(2)`],
        mode: 'vscode',
        title: HOSTILE[1],
      });
      assertStrictCsp(html);
      assert.doesNotMatch(html, /<script>alert|"onload=/);
    }
  });

  test('the HTML report with a hostile profile: one hashed inline script, data only as escaped text', async () => {
    const html = await renderHtmlReport({ profile: hostileProfile() });
    assertStrictCsp(html);
    const { scripts } = pageParts(html);
    assert.equal(scripts.length, 1, 'one script: the bundle');
    for (const h of HOSTILE.filter((x) => /[<>"]/.test(x))) assert.ok(!html.includes(h), `raw ${h}`);
    const data = /<template id="perf-lens-data">([\s\S]*?)<\/template>/.exec(html);
    assert.ok(data, 'data in its template');
    assert.doesNotMatch(data[1], /[<>]/, 'the data cannot open or close an element');
    assert.ok(!scripts[0].body.includes('onerror=alert'), 'no profile text inside the script');
  });
});

describe('in Chromium', () => {
  let browser: WebviewBrowser;
  let dir: string;
  before(async () => {
    browser = await launchBrowser();
    dir = mkdtempSync(join(tmpdir(), 'pl-webview-'));
  });
  after(async () => {
    await browser?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** In the page: what CSP blocks when something tries to run code that is not the bundle. */
  const PROBE = `async () => {
    const violations = [];
    document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective));
    const s = document.createElement('script');
    s.textContent = 'window.__inline = 1';
    document.body.appendChild(s);
    const d = document.createElement('div');
    d.innerHTML = '<img src="data:," onerror="window.__handler = 1">';
    document.body.appendChild(d);
    let fetched = false;
    try { await fetch('https://example.invalid/x'); fetched = true; } catch {}
    await new Promise((r) => setTimeout(r, 300));
    return { inline: window.__inline === 1, handler: window.__handler === 1, fetched, violations };
  }`;

  async function assertCspHolds(page: import('playwright-core').Page, errors: string[]): Promise<void> {
    const before = errors.filter((e) => /Content Security Policy/i.test(e));
    assert.deepEqual(before, [], 'the page itself needs nothing its CSP forbids');
    const r = (await page.evaluate(`(${PROBE})()`)) as {
      inline: boolean;
      handler: boolean;
      fetched: boolean;
      violations: string[];
    };
    assert.equal(r.inline, false, 'an injected inline script does not run');
    assert.equal(r.handler, false, 'an injected event handler does not run');
    assert.equal(r.fetched, false, 'no network');
    assert.ok(
      r.violations.some((v) => v.startsWith('script-src')),
      JSON.stringify(r.violations),
    );
  }

  test('the panel page: the CSP blocks injected scripts, handlers and network', async () => {
    const panel = await openPanel(browser);
    await panel.send({ type: 'profile', profile: hostileProfile() });
    await panel.page.waitForTimeout(300);
    await assertCspHolds(panel.page, panel.errors);
    assert.deepEqual(panel.dialogs, []);
    await panel.page.close();
  });

  test('the HTML report: the same, opened from disk', async () => {
    const file = join(dir, 'report.html');
    writeFileSync(file, await renderHtmlReport({ profile: hostileProfile() }));
    const report = await openReport(browser, file);
    await assertCspHolds(report.page, report.errors);
    assert.deepEqual(report.dialogs, []);
    assert.equal(await report.page.evaluate(() => window.__pwned ?? null), null);
    await report.page.close();
  });
});

describe('messages from the webview', () => {
  const anyValue = fc.oneof(
    fc.anything({ withObjectString: true, withNullPrototype: true, maxDepth: 3 }),
    fc.string(),
    fc.constant(undefined),
  );
  const forged = fc.record(
    {
      type: fc.oneof(
        fc.constantFrom('ready', 'openSource', 'showInSource', 'applyFix', 'copySnippet', 'cancel', 'log', '__proto__'),
        fc.string(),
      ),
      file: anyValue,
      line: fc.oneof(fc.integer(), fc.double(), anyValue),
      symbol: anyValue,
      findingId: fc.oneof(fc.string({ maxLength: 200 }), anyValue),
      fixId: fc.oneof(fc.string({ maxLength: 200 }), anyValue),
      level: fc.oneof(fc.constantFrom('info', 'warn', 'error'), anyValue),
      message: fc.oneof(fc.string({ maxLength: 5000 }), anyValue),
    },
    { requiredKeys: ['type'] },
  );

  test('forged and malformed messages are dropped; what passes is exactly one well-typed message', () => {
    fc.assert(
      fc.property(fc.oneof(forged, anyValue), (raw) => {
        const m = parseFromWebview(raw);
        const checked = checkMessage(raw);
        assert.equal(checked.ok, m !== null);
        if (!checked.ok) {
          assert.ok(checked.reason.length < 200, 'a short reason for the log');
          return;
        }
        assert.ok(m);
        const str = (v: unknown, max: number) => typeof v === 'string' && v.length <= max;
        switch (m.type) {
          case 'ready':
          case 'cancel':
            assert.deepEqual(Object.keys(m), ['type']);
            break;
          case 'openSource':
            assert.ok(str(m.file, 4096));
            assert.ok(m.line === null || (Number.isInteger(m.line) && m.line > 0));
            assert.ok(m.symbol === null || str(m.symbol, 4096));
            break;
          case 'showInSource':
          case 'applyFix':
            assert.ok(str(m.findingId, 128) && str(m.fixId, 128));
            break;
          case 'copySnippet':
            assert.ok(str(m.fixId, 128));
            break;
          case 'log':
            assert.ok(['info', 'warn', 'error'].includes(m.level) && str(m.message, 4096));
            break;
          default:
            assert.fail(`unknown type passed: ${JSON.stringify(m)}`);
        }
        // Only the known fields, copied: nothing else (e.g. __proto__, a getter) reaches the extension.
        assert.equal(Object.getPrototypeOf(m), Object.prototype);
      }),
      { numRuns: 3000 },
    );
  });

  describe('paths outside the workspace', () => {
    let root: string;
    let ws: string;
    let outside: string;
    before(() => {
      root = mkdtempSync(join(tmpdir(), 'pl-guard-'));
      ws = join(root, 'ws');
      outside = join(root, 'outside');
      mkdirSync(join(ws, 'src'), { recursive: true });
      mkdirSync(outside);
      writeFileSync(join(ws, 'src', 'server.cpp'), 'int main() {}\n');
      writeFileSync(join(outside, 'secret.cpp'), 'x\n');
      writeFileSync(join(root, 'ws-evil.cpp'), 'x\n');
      symlinkSync(outside, join(ws, 'link-out'));
      symlinkSync(join(outside, 'secret.cpp'), join(ws, 'src', 'file-link.cpp'));
    });
    after(() => rmSync(root, { recursive: true, force: true }));

    const exists = (p: string) => {
      try {
        readFileSync(p);
        return true;
      } catch {
        return false;
      }
    };

    test('openSource for a file outside (absolute, .., symlinks, prefixes, odd encodings) is refused', () => {
      const refused = [
        join(outside, 'secret.cpp'),
        '/etc/passwd',
        '../outside/secret.cpp',
        'src/../../outside/secret.cpp',
        `${ws}/../outside/secret.cpp`,
        `${ws}-evil.cpp`,
        '../ws-evil.cpp',
        'link-out/secret.cpp',
        join(ws, 'link-out', 'secret.cpp'),
        'src/file-link.cpp',
        join(ws, 'src', 'file-link.cpp'),
        '',
        'src/server.cpp\u0000.txt',
        'src/server.cpp\n',
        `file://${join(outside, 'secret.cpp')}`,
        '%2e%2e/outside/secret.cpp',
        '~/secret.cpp',
        '/proc/self/root/etc/passwd',
      ];
      for (const file of refused) {
        const r = resolveSourcePath(file, [ws], exists);
        assert.equal(r.ok, false, `${JSON.stringify(file)} → ${JSON.stringify(r)}`);
      }
      const ok = resolveSourcePath('src/server.cpp', [ws], exists);
      assert.deepEqual(ok, { ok: true, value: join(ws, 'src', 'server.cpp') });
      assert.equal(resolveSourcePath('src/server.cpp', [], exists).ok, false, 'no folder open: nothing opens');
    });

    test('property: whatever the path, an accepted one lies inside the workspace after resolving symlinks', () => {
      const segment = fc.constantFrom(
        '..',
        '.',
        'src',
        'link-out',
        'outside',
        'ws',
        'server.cpp',
        'secret.cpp',
        '',
        '...',
      );
      fc.assert(
        fc.property(fc.array(segment, { maxLength: 8 }), fc.boolean(), (parts, absolute) => {
          const file = (absolute ? `${ws}/` : '') + parts.join('/');
          const r = resolveSourcePath(file, [ws], exists);
          if (!r.ok) return;
          const real = readFileSync(r.value, 'utf8'); // what is accepted exists, and is the workspace file
          assert.equal(real, 'int main() {}\n', `${file} resolved to ${r.value}`);
          const rel = relative(ws, r.value);
          assert.ok(!rel.startsWith(`..${sep}`) && !isAbsolute(rel));
        }),
        { numRuns: 2000 },
      );
    });

    test('applyFix must name a finding and fix of the profile on show; edits outside the workspace are refused', () => {
      const p = loadFixtureProfile();
      const f = p.findings.find((x) => x.fixes.length > 0)!;
      assert.equal(checkFixRequest(p, f.id, f.fixes[0]).ok, true);
      for (const [finding, fix] of [
        [f.id, 'rm -rf /'],
        ['no-such-finding', f.fixes[0]],
        ['__proto__', 'constructor'],
        [f.id, '__proto__'],
        ['', ''],
      ]) {
        assert.equal(checkFixRequest(p, finding, fix).ok, false, `${finding}/${fix}`);
      }
      assert.equal(checkFixRequest(null, f.id, f.fixes[0]).ok, false, 'no profile shown');
      for (const target of [
        join(outside, 'secret.cpp'),
        join(ws, 'link-out', 'secret.cpp'),
        '/etc/hosts',
        `${ws}-evil.cpp`,
      ]) {
        assert.equal(checkEditTarget(target, [ws]).ok, false, target);
      }
      assert.equal(checkEditTarget(join(ws, 'src', 'server.cpp'), [ws]).ok, true);
    });
  });
});
