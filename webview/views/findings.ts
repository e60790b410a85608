/**
 * Findings: one card per finding (severity, title, evidence, how to verify) and, per fix, the actions:
 * "Show in source" and "Apply fix" ask the extension (VS Code only); "Copy snippet" asks the extension in
 * VS Code and copies the snippet the report carries in a browser.
 */
import type { FixId } from '../../src/core/fixes/types';
import type { Finding, Profile } from '../../src/core/profile';
import type { FromWebview } from '../../src/core/protocol/webview';
import { h, icon } from '../dom';
import type { FixInfo } from '../validate';
import { severityTag } from './banner';

const FIX_TITLES: Record<FixId, string> = {
  'coalesce-eventfd-wakeups': 'Coalesce eventfd wake-ups',
  'batch-submissions': 'Batch io_uring submissions',
  sqpoll: 'Use SQPOLL (kernel-side submission polling)',
  'send-zc': 'Zero-copy send (IORING_OP_SEND_ZC)',
  'tcp-nodelay': 'Set TCP_NODELAY',
  'tune-tcp-buffers': 'Tune TCP buffer sizes',
  'kernel-bypass': 'Consider kernel bypass',
  'reduce-lock-contention': 'Reduce lock contention',
};

const SEVERITY_ORDER = { critical: 0, warning: 1, info: 2 } as const;

export interface FindingsActions {
  mode: 'vscode' | 'report';
  post(message: FromWebview): void;
  showInFlameGraph(symbol: string): void;
}

export class FindingsView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly announce: HTMLElement;
  private fixes = new Map<string, FixInfo>();

  constructor(private readonly actions: FindingsActions) {
    this.list = h('div', { class: 'findings-list' });
    this.announce = h('div', { class: 'sr-only', 'aria-live': 'polite' });
    this.element = h('section', { class: 'findings-view', 'aria-label': 'Findings' }, this.list, this.announce);
  }

  setFixInfo(fixes: Map<string, FixInfo>): void {
    this.fixes = fixes;
  }

  setProfile(p: Profile): void {
    const findings = [...p.findings].sort((a, b) => SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity]);
    if (findings.length === 0) {
      this.list.replaceChildren(
        h('p', { class: 'pl-empty' }, 'No findings: nothing in this profile crossed a threshold.'),
      );
      return;
    }
    this.list.replaceChildren(...findings.map((f, i) => this.card(f, i)));
  }

  /** Bring a finding's card into view and highlight it; false when it is not in the profile. */
  show(findingId: string): boolean {
    const card = [...this.list.querySelectorAll<HTMLElement>('.finding')].find(
      (c) => c.dataset.findingId === findingId,
    );
    if (!card) return false;
    for (const c of this.list.querySelectorAll('.finding.flash')) c.classList.remove('flash');
    card.classList.add('flash');
    card.scrollIntoView({ block: 'start', behavior: 'auto' });
    card.focus({ preventScroll: true });
    return true;
  }

  private fixTitle(id: string): string {
    return this.fixes.get(id)?.title || FIX_TITLES[id as FixId] || id.replace(/-/g, ' ');
  }

  private card(f: Finding, index: number): HTMLElement {
    const titleId = `finding-title-${index}`;
    const card = h(
      'article',
      { class: `finding sev-${f.severity}`, tabindex: -1, 'aria-labelledby': titleId },
      h('header', { class: 'finding-head' }, severityTag(f.severity), h('h3', { id: titleId }, f.title || f.id)),
      f.evidence.length > 0 ? h('ul', { class: 'evidence' }, ...f.evidence.map((e) => h('li', null, e))) : null,
      f.verify ? h('p', { class: 'verify' }, h('strong', null, 'Verify: '), f.verify) : null,
      f.symbols.length > 0
        ? h(
            'p',
            { class: 'symbols' },
            h('span', { class: 'pl-muted' }, 'Functions: '),
            ...f.symbols.map((s) => {
              const b = h(
                'button',
                { type: 'button', class: 'link-button', title: 'Search this function in the flame graph' },
                icon('flame'),
                ` ${s}`,
              );
              b.addEventListener('click', () => this.actions.showInFlameGraph(s));
              return b;
            }),
          )
        : null,
      f.fixes.length > 0 ? h('div', { class: 'fixes' }, ...f.fixes.map((fixId) => this.fix(f, fixId))) : null,
    );
    card.dataset.findingId = f.id;
    return card;
  }

  private fix(f: Finding, fixId: string): HTMLElement {
    const vscode = this.actions.mode === 'vscode';
    const info = this.fixes.get(fixId);
    const button = (label: string, iconName: string, primary: boolean, onClick: () => void) => {
      const b = h('vscode-button', { secondary: !primary, class: 'fix-action' }, icon(iconName), ` ${label}`);
      b.addEventListener('click', onClick);
      return b;
    };
    const buttons: HTMLElement[] = [];
    if (vscode) {
      buttons.push(
        button('Show in source', 'go-to-file', false, () =>
          this.actions.post({ type: 'showInSource', findingId: f.id, fixId }),
        ),
        button('Apply fix', 'wand', true, () => this.actions.post({ type: 'applyFix', findingId: f.id, fixId })),
        button('Copy snippet', 'copy', false, () => {
          this.actions.post({ type: 'copySnippet', fixId });
          this.announce.textContent = `Snippet for ${this.fixTitle(fixId)} copied`;
        }),
      );
    } else if (info?.snippet) {
      const snippet = info.snippet;
      buttons.push(
        button('Copy snippet', 'copy', false, () => {
          navigator.clipboard?.writeText(snippet).then(
            () => (this.announce.textContent = `Snippet for ${this.fixTitle(fixId)} copied`),
            () => (this.announce.textContent = 'Copy failed: select the snippet below and copy it'),
          );
        }),
      );
    }
    return h(
      'div',
      { class: 'fix' },
      h(
        'div',
        { class: 'fix-head' },
        icon('lightbulb'),
        h('span', { class: 'fix-title' }, this.fixTitle(fixId)),
        h('span', { class: 'fix-actions' }, ...buttons),
      ),
      !vscode && info?.snippet
        ? h(
            'details',
            { class: 'snippet' },
            h('summary', null, 'Snippet'),
            h('pre', null, h('code', null, info.snippet)),
          )
        : null,
    );
  }
}
