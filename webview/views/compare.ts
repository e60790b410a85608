/**
 * Compare: two profiles side by side, the deltas of `compare()`, and a differential flame graph of the two
 * profiles' stacks.
 */
import type { Comparison, MetricDelta, SymbolDelta } from '../../src/core/analyze/compare-types';
import type { Profile } from '../../src/core/profile';
import { h, icon } from '../dom';
import { FlameGraphView } from '../flame/view';
import { dateTime, isNum, num, pct, rate, signed } from '../format';
import { targetLine } from './banner';

export class CompareView {
  readonly element: HTMLElement;
  /** Made with the first comparison (so that a panel without one has no second flame graph in its page). */
  private flame: FlameGraphView | null = null;

  constructor() {
    this.element = h(
      'section',
      { class: 'compare-view', 'aria-label': 'Compare profiles' },
      h('p', { class: 'pl-empty' }, 'No comparison loaded.'),
    );
  }

  set(before: Profile, after: Profile, c: Comparison): void {
    this.element.replaceChildren(
      h('p', { class: 'compare-summary' }, icon('git-compare'), ' ', c.summary || 'Comparison'),
      h(
        'div',
        { class: 'side-by-side' },
        side('Before', before, c.verdictBefore),
        side('After', after, c.verdictAfter),
      ),
      h('h2', null, 'What changed'),
      metricsTable(c.metrics),
      h(
        'div',
        { class: 'symbol-deltas' },
        symbolList('Rose or appeared', c.gained, 'arrow-up'),
        symbolList('Fell or disappeared', c.lost, 'arrow-down'),
      ),
      this.flameSection(before, after),
    );
  }

  private flameSection(before: Profile, after: Profile): HTMLElement {
    this.flame ??= new FlameGraphView(
      { onZoom: () => undefined, onSearch: () => undefined },
      { diff: true, idPrefix: 'pl-diff' },
    );
    const kernel = [...before.hotspots, ...after.hotspots].filter((x) => x.kernel).map((x) => x.symbol);
    this.flame.setDiff(before.folded, after.folded, kernel, before.foldedTruncated || after.foldedTruncated);
    return h(
      'section',
      { class: 'compare-flame', 'aria-label': 'Differential flame graph' },
      h('h2', null, icon('flame'), ' Flame graph: before → after'),
      h(
        'p',
        { class: 'pl-muted' },
        'Both profiles’ stacks in one graph: each frame is as wide as the mean of its share of samples before ' +
          'and after, red when it takes a larger share after, blue when smaller. Hover or focus a frame for ' +
          'both percentages.',
      ),
      this.flame.element,
    );
  }

  /** Draw the flame graph now that the tab is visible (canvas needs a width). */
  show(): void {
    this.flame?.render();
  }

  /** Theme changed: colours are taken from it at draw time. */
  refresh(): void {
    this.flame?.refresh();
  }
}

function side(label: string, p: Profile, verdict: string): HTMLElement {
  const proc = p.cpu.process;
  return h(
    'article',
    { class: 'side', 'aria-label': label },
    h('h2', null, label, h('span', { class: 'pl-muted' }, ` · ${dateTime(p.createdAt)}`)),
    targetLine(p),
    h('p', { class: 'side-verdict' }, verdict || p.verdict.summary),
    h(
      'dl',
      { class: 'side-facts' },
      h('dt', null, 'CPU'),
      h('dd', null, proc ? `${pct(proc.cpu)} (${pct(proc.usr)} user, ${pct(proc.sys)} system)` : '—'),
      h('dt', null, 'Cores used'),
      h('dd', null, `${num(p.verdict.coresUsed)} of ${num(p.verdict.coresAvailable ?? p.target.cores)}`),
      h('dt', null, 'Requests/s'),
      h('dd', null, p.throughput ? rate(p.throughput.requestsPerSecond, '') : '—'),
      h('dt', null, 'io_uring_enter/s'),
      h('dd', null, rate(p.ioUring?.enterPerSecond)),
      h('dt', null, 'eventfd writes/s'),
      h('dd', null, rate(p.eventfd?.writesPerSecond)),
      h('dt', null, 'Findings'),
      h('dd', null, p.findings.length === 0 ? 'none' : p.findings.map((f) => f.title || f.id).join('; ')),
    ),
  );
}

function metricsTable(metrics: MetricDelta[]): HTMLElement {
  if (metrics.length === 0) return h('p', { class: 'pl-empty' }, 'No metrics to compare.');
  return h(
    'table',
    { class: 'pl-table metrics' },
    h('caption', { class: 'sr-only' }, 'Metric deltas'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...['Metric', 'Before', 'After', 'Change', ''].map((t, i) =>
          h('th', { scope: 'col', class: i > 0 && i < 4 ? 'num' : null }, t),
        ),
      ),
    ),
    h(
      'tbody',
      null,
      ...metrics.map((m) => {
        const verdict = m.better === null ? 'neutral' : m.better ? 'better' : 'worse';
        return h(
          'tr',
          { class: `delta-${verdict}` },
          h('th', { scope: 'row' }, m.label),
          h('td', { class: 'num' }, fmt(m.before, m.unit)),
          h('td', { class: 'num' }, fmt(m.after, m.unit)),
          h(
            'td',
            { class: 'num' },
            signed(m.delta, m.unit && m.unit !== '%' ? ` ${m.unit}` : m.unit),
            isNum(m.percent) ? h('span', { class: 'pl-muted' }, ` (${signed(m.percent, '%')})`) : null,
          ),
          h(
            'td',
            { class: 'delta-tag' },
            verdict === 'neutral' ? '' : [icon(verdict === 'better' ? 'pass' : 'warning'), ` ${verdict}`],
          ),
        );
      }),
    ),
  );
}

function fmt(v: number | null, unit: string): string {
  if (!isNum(v)) return '—';
  return unit === '%' ? pct(v) : `${num(v)}${unit ? ` ${unit}` : ''}`;
}

function symbolList(title: string, rows: SymbolDelta[], iconName: string): HTMLElement {
  return h(
    'div',
    { class: 'symbol-list' },
    h('h3', null, icon(iconName), ` ${title}`),
    rows.length === 0
      ? h('p', { class: 'pl-muted' }, 'none')
      : h(
          'ul',
          null,
          ...rows.map((r) =>
            h(
              'li',
              null,
              h('span', { class: 'symbol' }, r.symbol),
              h('span', { class: 'pl-muted' }, ` ${pct(r.before)} → ${pct(r.after)} self`),
            ),
          ),
        ),
  );
}
