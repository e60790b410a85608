/** The page around the bundle (pure function shared by the extension panel and the report writer). */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { escapeHtml, inlineSafeScript, renderWebviewHtml } from '../../src/core/report/webview-html';

// The CSP must be in the page verbatim (VS Code reads it without decoding character references).
const cspOf = (html: string) => /http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)![1];

describe('renderWebviewHtml', () => {
  it('VS Code mode: nonce-only scripts, the webview origin for styles and fonts, nothing else', () => {
    const html = renderWebviewHtml({
      nonce: 'abc123+/=',
      cspSource: "'self' https://*.vscode-cdn.net",
      scriptUri: 'https://x.vscode-cdn.net/dist/webview/main.js',
      styleUris: ['https://x.vscode-cdn.net/main.css', 'https://x.vscode-cdn.net/codicon.css'],
      mode: 'vscode',
    });
    const csp = cspOf(html);
    assert.match(csp, /^default-src 'none'; /);
    assert.match(csp, /script-src 'nonce-abc123\+\/='(;|$)/);
    assert.match(csp, /style-src 'self' https:\/\/\*\.vscode-cdn\.net(;|$)/);
    assert.ok(!csp.includes('&'), 'no character references in the CSP');
    assert.doesNotMatch(csp, /unsafe/);
    assert.match(
      html,
      /<script type="module" nonce="abc123\+\/=" src="https:\/\/x\.vscode-cdn\.net\/dist\/webview\/main\.js"><\/script>/,
    );
    assert.match(
      html,
      /<link rel="stylesheet" id="vscode-codicon-stylesheet" href="https:\/\/x\.vscode-cdn\.net\/codicon\.css">/,
    );
    assert.match(html, /<body data-mode="vscode">/);
    assert.doesNotMatch(html, /perf-lens-data/);
  });

  it('refuses a nonce or CSP source that could break out of the CSP, and escapes URIs and the title', () => {
    const base = {
      nonce: 'abcdefgh12',
      cspSource: 'https://x',
      scriptUri: 'https://x/main.js',
      styleUris: [],
      mode: 'vscode' as const,
    };
    assert.throws(() => renderWebviewHtml({ ...base, nonce: '"><script>alert(1)</script>' }), /nonce/);
    assert.throws(() => renderWebviewHtml({ ...base, cspSource: "x; script-src 'unsafe-inline'" }), /cspSource/);
    const html = renderWebviewHtml({ ...base, scriptUri: '"onload="alert(1)', title: '<img src=x onerror=alert(1)>' });
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<title>&lt;img src=x onerror=alert\(1\)&gt;<\/title>/);
    assert.doesNotMatch(html, /src=""onload/);
  });

  it('report mode: hashes match the inlined script and styles; data is escaped text in a <template>', () => {
    const script = 'const s = "</script><!-- x"; console.log(s);';
    const html = renderWebviewHtml({
      nonce: '',
      cspSource: '',
      scriptUri: '',
      styleUris: [],
      mode: 'report',
      inline: {
        script,
        styles: ['body{color:red}', 'p::after{content:"</style>"}'],
        data: JSON.stringify({ s: '</template><script>alert(1)</script>&' }),
      },
    });
    const inlined = /<script type="module">([\s\S]*)<\/script>/.exec(html)![1];
    assert.equal(inlined, inlineSafeScript(script));
    assert.doesNotMatch(inlined, /<\/script|<!--/i);
    const hash = (t: string) => `'sha256-${createHash('sha256').update(t).digest('base64')}'`;
    const csp = cspOf(html);
    assert.ok(csp.includes(`script-src ${hash(inlined)}`), csp);
    const styles = [...html.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    assert.equal(styles.length, 2);
    for (const s of styles) assert.ok(csp.includes(hash(s)));
    assert.match(
      html,
      /<template id="perf-lens-data">\{&quot;s&quot;:&quot;&lt;\/template&gt;&lt;script&gt;alert\(1\)&lt;\/script&gt;&amp;&quot;\}<\/template>/,
    );
    assert.match(html, /<html lang="en" data-pl-mode="report">/);
  });

  it('escapeHtml covers the five HTML metacharacters', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
