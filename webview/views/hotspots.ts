/** Hotspots: self/children table, kernel vs user, dso; a row with a known source location opens it. */
import type { Hotspot, Profile } from '../../src/core/profile';
import { h, icon } from '../dom';
import { pct } from '../format';
import { SortableTable, type SortState } from './table';

type Kind = 'all' | 'user' | 'kernel';

export class HotspotsView {
  readonly element: HTMLElement;
  private readonly table: SortableTable<Hotspot>;
  private readonly filterInput: HTMLInputElement;
  private readonly countEl: HTMLElement;
  private hotspots: Hotspot[] = [];
  private maxSelf = 100;
  private kind: Kind = 'all';
  private readonly kindButtons = new Map<Kind, HTMLButtonElement>();

  constructor(
    sort: SortState | undefined,
    onSort: (s: SortState) => void,
    private readonly openSource: ((h: Hotspot) => void) | null,
  ) {
    this.table = new SortableTable<Hotspot>({
      caption: 'Hot functions',
      sort: sort ?? { key: 'self', dir: 'desc' },
      onSort,
      empty: 'No hotspots (perf did not run or recorded no samples).',
      rowClass: (r) => (r.kernel ? 'kernel' : 'user'),
      rowLabel: (r) =>
        `${r.symbol}, self ${pct(r.self)}, children ${pct(r.children)}, ${r.kernel ? 'kernel' : 'user'}, ${r.dso}${r.file ? `, ${r.file}${r.line ? `:${r.line}` : ''}` : ''}${r.callers.length ? `, called from ${r.callers.slice(0, 3).join(', ')}` : ''}`,
      onActivate: openSource ? (r) => openSource(r) : undefined,
      canActivate: (r) => r.file !== null,
      columns: [
        {
          key: 'symbol',
          label: 'Function',
          value: (r) => r.symbol,
          cell: (r) => [
            h('span', { class: 'symbol' }, r.symbol),
            r.callers.length > 0
              ? h('div', { class: 'callers pl-muted' }, `← ${r.callers.slice(0, 3).join(', ')}`)
              : null,
          ],
        },
        { key: 'self', label: 'Self', numeric: true, value: (r) => r.self, cell: (r) => pctBar(r.self, this.maxSelf) },
        { key: 'children', label: 'Total', numeric: true, value: (r) => r.children, cell: (r) => pct(r.children) },
        {
          key: 'kernel',
          label: 'Where',
          value: (r) => (r.kernel ? 'kernel' : 'user'),
          cell: (r) =>
            h('span', { class: `where where-${r.kernel ? 'kernel' : 'user'}` }, r.kernel ? 'kernel' : 'user'),
        },
        { key: 'dso', label: 'Object', value: (r) => r.dso },
        {
          key: 'file',
          label: 'Source',
          value: (r) => (r.file ? `${r.file}:${r.line ?? 0}` : null),
          cell: (r) =>
            r.file
              ? h(
                  'span',
                  { class: openSource ? 'source-link' : 'source' },
                  openSource ? icon('go-to-file') : null,
                  ` ${r.file}${r.line ? `:${r.line}` : ''}`,
                )
              : h('span', { class: 'pl-muted' }, '—'),
        },
      ],
    });
    this.filterInput = h('input', {
      type: 'search',
      class: 'pl-input',
      placeholder: 'Filter functions',
      'aria-label': 'Filter functions',
    });
    this.filterInput.addEventListener('input', () => this.apply());
    this.countEl = h('span', { class: 'pl-muted', 'aria-live': 'polite' });
    const group = h('div', { class: 'seg-buttons', role: 'group', 'aria-label': 'Show' });
    for (const k of ['all', 'user', 'kernel'] as const) {
      const b = h(
        'button',
        { type: 'button', class: 'seg-button', 'aria-pressed': k === 'all' ? 'true' : 'false' },
        k === 'all' ? 'All' : k === 'user' ? 'User' : 'Kernel',
      );
      b.addEventListener('click', () => {
        this.kind = k;
        for (const [kk, bb] of this.kindButtons) bb.setAttribute('aria-pressed', kk === k ? 'true' : 'false');
        this.apply();
      });
      this.kindButtons.set(k, b);
      group.append(b);
    }
    this.element = h(
      'section',
      { class: 'hotspots-view', 'aria-label': 'Hotspots' },
      h(
        'div',
        { class: 'pl-toolbar' },
        h('label', { class: 'filter' }, icon('filter'), this.filterInput),
        group,
        this.countEl,
      ),
      openSource
        ? h(
            'p',
            { class: 'pl-muted hint' },
            'Click a function with a source location (or select it and press Enter) to open it in the editor.',
          )
        : null,
      this.table.element,
    );
  }

  setProfile(p: Profile): void {
    this.hotspots = p.hotspots;
    this.maxSelf = Math.max(1, ...p.hotspots.map((x) => x.self));
    this.apply();
  }

  private apply(): void {
    const q = this.filterInput.value.trim().toLowerCase();
    const rows = this.hotspots.filter(
      (r) =>
        (this.kind === 'all' || (this.kind === 'kernel') === r.kernel) &&
        (q === '' || r.symbol.toLowerCase().includes(q) || r.dso.toLowerCase().includes(q)),
    );
    this.countEl.textContent = `${rows.length} of ${this.hotspots.length} functions`;
    this.table.setRows(rows);
  }
}

/** The percentage with a bar scaled to the hottest function (so the top one fills it). */
function pctBar(v: number, max: number): HTMLElement {
  const bar = h('span', { class: 'pct-bar', 'aria-hidden': 'true' });
  bar.style.width = `${Math.min(100, Math.max(0, (v / max) * 100))}%`;
  return h('span', { class: 'pct-cell' }, h('span', { class: 'pct-track' }, bar), pct(v, 1));
}
