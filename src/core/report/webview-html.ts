/**
 * The HTML page around the webview bundle, for both hosts:
 * - VS Code (`mode: 'vscode'`): the script and styles load from webview URIs; the CSP allows only the
 *   webview's own origin (`cspSource`) and the script with this page's nonce.
 * - The HTML report (`mode: 'report'`): script, styles and the codicon font are inlined (`inline`), the CSP
 *   allows exactly those by hash, and the data travels as HTML-escaped JSON text in
 *   <template id="perf-lens-data"> — never inside a script.
 * Pure: no file access; `src/core/report/html.ts` reads the built bundle and calls this.
 */
import { createHash } from 'node:crypto';

export interface WebviewHtmlInput {
  /** A fresh random value per page (base64 or hex); only used when scripts load by URI. */
  nonce: string;
  /** `webview.cspSource` in VS Code; ignored for an inlined report. */
  cspSource: string;
  /** URI of dist/webview/main.js (VS Code). */
  scriptUri: string;
  /** URIs of main.css, codicon.css, uPlot.min.css (VS Code). */
  styleUris: string[];
  mode: 'vscode' | 'report';
  /** Page title (escaped here). */
  title?: string;
  /** Report: everything inlined instead of loaded by URI. */
  inline?: {
    script: string;
    styles: string[];
    /** JSON text of the report's data (escaped here). */
    data: string;
  };
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Make text safe to sit inside <script>…</script> / <style>…</style>: the HTML parser ends those at the
 * first `</script` or `</style` and treats `<!--` specially in scripts. In JS strings, template literals and
 * regular expressions `\x3C` means `<`, and in CSS `\3C ` does; those are the only places they can occur.
 */
export function inlineSafeScript(js: string): string {
  return js.replace(/<(\/script|!--)/gi, '\\x3C$1');
}
export function inlineSafeStyle(css: string): string {
  return css.replace(/<\/(style)/gi, '\\3C /$1');
}

/**
 * The CSP goes into the page verbatim: VS Code reads the meta tag's text itself (character references
 * such as &#39; are not decoded there and break every source), so its parts are checked instead of escaped.
 */
const NONCE = /^[A-Za-z0-9+/=_-]{8,200}$/;
const CSP_SOURCE = /^[A-Za-z0-9 :/*.'+_%-]{0,2000}$/;

export function renderWebviewHtml(input: WebviewHtmlInput): string {
  const title = escapeHtml(input.title ?? 'Perf Lens');
  const mode = input.mode === 'report' ? 'report' : 'vscode';
  let csp: string;
  let head: string;
  let tail: string;
  if (input.inline) {
    const script = inlineSafeScript(input.inline.script);
    const styles = input.inline.styles.map(inlineSafeStyle);
    csp = [
      "default-src 'none'",
      'img-src data:',
      'font-src data:',
      `style-src ${styles.map(sha256).join(' ')}`,
      `script-src ${sha256(script)}`,
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');
    head = styles.map((s) => `<style>${s}</style>`).join('\n');
    tail =
      `<template id="perf-lens-data">${escapeHtml(input.inline.data)}</template>\n` +
      `<script type="module">${script}</script>`;
  } else {
    if (!NONCE.test(input.nonce)) throw new Error('renderWebviewHtml: the nonce must be 8+ base64/hex characters');
    if (!CSP_SOURCE.test(input.cspSource)) throw new Error('renderWebviewHtml: unexpected characters in cspSource');
    const nonce = input.nonce;
    const src = input.cspSource;
    csp = [
      "default-src 'none'",
      `img-src ${src} data:`,
      `font-src ${src}`,
      `style-src ${src}`,
      `script-src 'nonce-${nonce}'`,
      "base-uri 'none'",
      "form-action 'none'",
    ].join('; ');
    head = input.styleUris
      .map((u) => {
        // vscode-elements' <vscode-icon> looks the codicon stylesheet up by this id.
        const id = /codicon\.css(\?|$)/.test(u) ? ' id="vscode-codicon-stylesheet"' : '';
        return `<link rel="stylesheet"${id} href="${escapeHtml(u)}">`;
      })
      .join('\n');
    tail = `<script type="module" nonce="${nonce}" src="${escapeHtml(input.scriptUri)}"></script>`;
  }
  return `<!DOCTYPE html>
<html lang="en" data-pl-mode="${mode}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${title}</title>
${head}
</head>
<body data-mode="${mode}">
<div id="app"></div>
<noscript>This Perf Lens report needs JavaScript to draw its views.</noscript>
${tail}
</body>
</html>
`;
}
