/**
 * Browser entry point of the Perf Lens panel (VS Code webview and the HTML report). It never imports
 * `vscode` or Node built-ins; data arrives by postMessage (VS Code) or from a <template> in the page
 * (report), is validated, and is rendered as text.
 */
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import './styles.css';
import { App } from './app';
import { parseToWebview } from '../src/core/protocol/webview';
import { createHost } from './host';
import { sanitizeComparison, sanitizeFixes, sanitizeProfile } from './validate';

/** The report's data: JSON, HTML-escaped, as the text of <template id="perf-lens-data">. */
function readReportData(app: App): void {
  const el = document.getElementById('perf-lens-data');
  const text = el instanceof HTMLTemplateElement ? el.content.textContent : el?.textContent;
  if (!text) {
    app.handle({ type: 'error', message: 'This report contains no profile data.' });
    return;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    app.handle({
      type: 'error',
      message: `The report's data is not valid JSON (${e instanceof Error ? e.message : String(e)}).`,
    });
    return;
  }
  const d = (typeof data === 'object' && data !== null ? data : {}) as Record<string, unknown>;
  app.setFixInfo(sanitizeFixes(d.fixes));
  if (d.kind === 'compare') {
    const before = sanitizeProfile(d.before);
    const after = sanitizeProfile(d.after);
    const c = sanitizeComparison(d.comparison);
    if (before && after && c) return app.setCompare(before, after, c);
  } else {
    const p = sanitizeProfile(d.profile);
    if (p) return app.setProfile(p);
  }
  app.handle({ type: 'error', message: 'The report data is not a perf-lens/profile@1 document.' });
}

function start(): void {
  const root = document.getElementById('app') ?? document.body.appendChild(document.createElement('div'));
  const wanted = document.body.dataset.mode === 'report' ? 'report' : 'vscode';
  const host = createHost(wanted);
  const w = window as unknown as { perfLens: App };
  if (host.mode === 'vscode') {
    // `ready` goes out before the App is built, so the extension's answer (a round trip through VS Code's
    // IPC) travels while the panel is being constructed. Messages are events: none can be handled before
    // this task (which builds the App) ends.
    host.post({ type: 'ready' });
    let app = (w.perfLens = new App(root, host));
    window.addEventListener('message', (e: MessageEvent) => {
      // The extension starts every replay (new session, another profile, a comparison) with `init`:
      // a panel that already shows something starts afresh, keeping the view state.
      const data: unknown = e.data;
      if (app.hasData && parseToWebview(data)?.type === 'init') {
        app.dispose();
        app = w.perfLens = new App(root, host);
      }
      app.handle(data);
    });
  } else {
    readReportData((w.perfLens = new App(root, host)));
  }
}

start();
