/**
 * A plain, accessible sortable table: header buttons sort (aria-sort on the header cell); when rows can be
 * activated they form a roving-tabindex list (↑/↓/Home/End move, Enter activates).
 * vscode-elements' table has neither sorting nor row activation, so this is a styled <table>.
 */
import { h, type Child } from '../dom';

export type SortDir = 'asc' | 'desc';
export interface SortState {
  key: string;
  dir: SortDir;
}

export interface Column<T> {
  key: string;
  label: string;
  /** Longer header text for screen readers and the tooltip. */
  title?: string;
  numeric?: boolean;
  value(row: T): number | string | null;
  cell?(row: T): Child | Child[];
}

export interface TableOptions<T> {
  caption: string;
  columns: Column<T>[];
  sort: SortState;
  onSort?(sort: SortState): void;
  rowClass?(row: T): string;
  rowLabel?(row: T): string;
  onActivate?(row: T): void;
  /** Whether a row can be activated (defaults to all when onActivate is set). */
  canActivate?(row: T): boolean;
  empty: string;
  limit?: number;
}

export class SortableTable<T> {
  readonly element: HTMLElement;
  private readonly table: HTMLTableElement;
  private readonly tbody: HTMLTableSectionElement;
  private readonly headCells = new Map<string, HTMLTableCellElement>();
  private readonly emptyEl: HTMLElement;
  private rows: T[] = [];
  private sort: SortState;
  private focusIndex = 0;

  constructor(private readonly opts: TableOptions<T>) {
    this.sort = opts.sort;
    const headRow = h('tr');
    for (const col of opts.columns) {
      const btn = h(
        'button',
        { type: 'button', class: 'sort-btn', title: col.title ?? null },
        col.label,
        h('span', { class: 'sort-ind', 'aria-hidden': 'true' }),
      );
      btn.addEventListener('click', () => {
        const dir: SortDir =
          this.sort.key === col.key ? (this.sort.dir === 'asc' ? 'desc' : 'asc') : col.numeric ? 'desc' : 'asc';
        this.setSort({ key: col.key, dir });
        opts.onSort?.(this.sort);
      });
      const th = h('th', { scope: 'col', class: col.numeric ? 'num' : null }, btn);
      if (col.title) th.setAttribute('aria-label', col.title);
      this.headCells.set(col.key, th);
      headRow.append(th);
    }
    this.tbody = h('tbody');
    this.table = h(
      'table',
      { class: 'pl-table' },
      h('caption', { class: 'sr-only' }, opts.caption),
      h('thead', null, headRow),
      this.tbody,
    );
    this.emptyEl = h('p', { class: 'pl-empty', hidden: true }, opts.empty);
    this.element = h('div', { class: 'pl-table-wrap' }, this.table, this.emptyEl);
    this.tbody.addEventListener('keydown', (e) => this.onKey(e));
    this.updateHeader();
  }

  setRows(rows: T[]): void {
    this.rows = rows;
    this.render();
  }

  setSort(sort: SortState): void {
    if (!this.opts.columns.some((c) => c.key === sort.key)) return;
    this.sort = sort;
    this.updateHeader();
    this.render();
  }

  private updateHeader(): void {
    for (const [key, th] of this.headCells) {
      const active = key === this.sort.key;
      th.setAttribute('aria-sort', active ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
      th.querySelector('.sort-ind')!.className =
        `sort-ind codicon ${active ? (this.sort.dir === 'asc' ? 'codicon-arrow-up' : 'codicon-arrow-down') : ''}`;
    }
  }

  private sorted(): T[] {
    const col = this.opts.columns.find((c) => c.key === this.sort.key) ?? this.opts.columns[0];
    const sign = this.sort.dir === 'asc' ? 1 : -1;
    return [...this.rows].sort((a, b) => {
      const va = col.value(a);
      const vb = col.value(b);
      // Missing values last, whatever the direction.
      if (va === null || vb === null) return va === vb ? 0 : va === null ? 1 : -1;
      if (typeof va === 'number' && typeof vb === 'number') return (va - vb) * sign;
      return String(va).localeCompare(String(vb)) * sign;
    });
  }

  private render(): void {
    const rows = this.sorted().slice(0, this.opts.limit ?? Infinity);
    this.emptyEl.hidden = rows.length > 0;
    this.table.hidden = rows.length === 0;
    const activatable = this.opts.onActivate !== undefined;
    this.tbody.replaceChildren(
      ...rows.map((row, i) => {
        const can = activatable && (this.opts.canActivate?.(row) ?? true);
        const tr = h(
          'tr',
          {
            class: `${this.opts.rowClass?.(row) ?? ''}${can ? ' activatable' : ''}`.trim() || null,
            tabindex: activatable ? (i === Math.min(this.focusIndex, rows.length - 1) ? 0 : -1) : null,
            'aria-label': this.opts.rowLabel?.(row) ?? null,
          },
          ...this.opts.columns.map((c) => {
            const content = c.cell ? c.cell(row) : c.value(row);
            return h(
              'td',
              { class: c.numeric ? 'num' : null },
              ...(Array.isArray(content) ? content : [content ?? '—']),
            );
          }),
        );
        if (can) tr.addEventListener('click', () => this.opts.onActivate!(row));
        return tr;
      }),
    );
    this.rowsShown = rows;
  }

  private rowsShown: T[] = [];

  private onKey(e: KeyboardEvent): void {
    const trs = [...this.tbody.rows];
    const i = trs.indexOf(document.activeElement as HTMLTableRowElement);
    if (i < 0) return;
    let j = i;
    if (e.key === 'ArrowDown') j = Math.min(trs.length - 1, i + 1);
    else if (e.key === 'ArrowUp') j = Math.max(0, i - 1);
    else if (e.key === 'Home') j = 0;
    else if (e.key === 'End') j = trs.length - 1;
    else if (e.key === 'Enter' || e.key === ' ') {
      const row = this.rowsShown[i];
      if (row !== undefined && (this.opts.canActivate?.(row) ?? true)) {
        e.preventDefault();
        this.opts.onActivate?.(row);
      }
      return;
    } else return;
    e.preventDefault();
    trs[i].tabIndex = -1;
    trs[j].tabIndex = 0;
    trs[j].focus();
    this.focusIndex = j;
  }
}
