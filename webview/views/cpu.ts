/**
 * CPU breakdown: live time series (uPlot) of the process (usr/sys/run-queue wait, percent of one core) and
 * of the host (usr/sys/iowait/irq/softirq/steal/idle, percent of all CPUs), per-CPU stacked bars, and the
 * per-thread table (sortable, hot threads highlighted).
 */
import uPlot from 'uplot';
import type { CpuFields, Profile, ThreadStat, TimelineSample } from '../../src/core/profile';
import { h, icon, replaceChildren } from '../dom';
import { isNum, num, pct } from '../format';
import { cssVar, parseColor } from '../theme';

/** `rgba()` of a theme colour with an alpha, for the area under a line; the colour itself if unparsable. */
function withAlpha(color: string, alpha: number): string {
  const rgb = parseColor(color);
  return rgb ? `rgba(${rgb[0]}, ${rgb[1]}, ${rgb[2]}, ${alpha})` : color;
}
import { SortableTable, type SortState } from './table';

/** A thread is "hot" from this CPU (percent of one core) and at least half the busiest thread's. */
export const HOT_THREAD_MIN_CPU = 5;

export function hotThreads(threads: ThreadStat[]): Set<number> {
  const max = Math.max(0, ...threads.map((t) => t.cpu ?? 0));
  return new Set(
    threads.filter((t) => (t.cpu ?? 0) >= HOT_THREAD_MIN_CPU && (t.cpu ?? 0) >= max / 2).map((t) => t.tid),
  );
}

type FieldKey = 'usr' | 'nice' | 'sys' | 'iowait' | 'irq' | 'softirq' | 'steal' | 'idle';
const FIELDS: Array<{ key: FieldKey; label: string; color: [string, string] }> = [
  { key: 'usr', label: 'user', color: ['--vscode-charts-blue', '#3794ff'] },
  { key: 'nice', label: 'nice', color: ['--vscode-charts-green', '#89d185'] },
  { key: 'sys', label: 'system', color: ['--vscode-charts-orange', '#d18616'] },
  { key: 'iowait', label: 'iowait', color: ['--vscode-charts-yellow', '#cca700'] },
  { key: 'irq', label: 'irq', color: ['--vscode-charts-red', '#f14c4c'] },
  { key: 'softirq', label: 'softirq', color: ['--vscode-charts-purple', '#b180d7'] },
  { key: 'steal', label: 'steal', color: ['--vscode-charts-foreground', '#cccccc'] },
  { key: 'idle', label: 'idle', color: ['--vscode-charts-lines', '#80808080'] },
];
const color = (k: FieldKey) => {
  const f = FIELDS.find((x) => x.key === k)!;
  return cssVar(f.color[0], f.color[1]);
};

export class CpuView {
  readonly element: HTMLElement;
  private readonly summary: HTMLElement;
  private readonly procChartEl: HTMLElement;
  private readonly hostChartEl: HTMLElement;
  private readonly bars: HTMLElement;
  private readonly table: SortableTable<ThreadStat>;
  private procPlot: uPlot | null = null;
  private hostPlot: uPlot | null = null;
  private timeline: TimelineSample[] = [];
  private threads: ThreadStat[] = [];
  private hot = new Set<number>();
  private visible = false;
  private chartsAllowed = false;

  constructor(sort: SortState | undefined, onSort: (s: SortState) => void) {
    this.summary = h('p', { class: 'cpu-summary' });
    this.procChartEl = h('div', { class: 'chart', role: 'img', 'aria-label': 'Process CPU over time' });
    this.hostChartEl = h('div', { class: 'chart', role: 'img', 'aria-label': 'Host CPU over time' });
    this.bars = h('div', { class: 'percpu' });
    const t = (s: string, title: string) => ({ label: s, title });
    this.table = new SortableTable<ThreadStat>({
      caption: 'Threads of the process',
      sort: sort ?? { key: 'cpu', dir: 'desc' },
      onSort,
      empty: 'No per-thread data (pidstat -t did not run).',
      rowClass: (r) => (this.hot.has(r.tid) ? 'hot' : ''),
      columns: [
        {
          key: 'name',
          label: 'Thread',
          value: (r) => r.name,
          cell: (r) => [
            this.hot.has(r.tid)
              ? h(
                  'span',
                  { class: 'hot-tag', title: 'hot thread' },
                  icon('flame'),
                  h('span', { class: 'sr-only' }, 'hot: '),
                )
              : null,
            r.name,
          ],
        },
        { key: 'tid', label: 'TID', numeric: true, value: (r) => r.tid },
        {
          key: 'usr',
          ...t('usr %', 'User time, percent of one core'),
          numeric: true,
          value: (r) => r.usr,
          cell: (r) => pct(r.usr),
        },
        {
          key: 'sys',
          ...t('sys %', 'System time, percent of one core'),
          numeric: true,
          value: (r) => r.sys,
          cell: (r) => pct(r.sys),
        },
        {
          key: 'wait',
          ...t('run-queue wait %', 'Time runnable but waiting for a CPU (pidstat %wait), percent of one core'),
          numeric: true,
          value: (r) => r.wait,
          cell: (r) => pct(r.wait),
        },
        {
          key: 'cpu',
          ...t('CPU %', 'CPU, percent of one core'),
          numeric: true,
          value: (r) => r.cpu,
          cell: (r) => pct(r.cpu),
        },
        {
          key: 'cswch',
          ...t('cswch/s', 'Voluntary context switches per second'),
          numeric: true,
          value: (r) => r.cswch,
          cell: (r) => num(r.cswch),
        },
        {
          key: 'nvcswch',
          ...t('nvcswch/s', 'Involuntary context switches per second'),
          numeric: true,
          value: (r) => r.nvcswch,
          cell: (r) => num(r.nvcswch),
        },
      ],
    });
    this.element = h(
      'section',
      { class: 'cpu-view', 'aria-label': 'CPU breakdown' },
      this.summary,
      h(
        'div',
        { class: 'charts' },
        h(
          'figure',
          null,
          h('figcaption', null, 'Process CPU ', h('span', { class: 'pl-muted' }, '(% of one core)')),
          this.procChartEl,
        ),
        h(
          'figure',
          null,
          h('figcaption', null, 'Host CPU ', h('span', { class: 'pl-muted' }, '(% of all CPUs)')),
          this.hostChartEl,
        ),
      ),
      h('h2', null, 'Per CPU'),
      this.bars,
      h('h2', null, 'Threads'),
      this.table.element,
    );
    new ResizeObserver(() => this.resize()).observe(this.element);
  }

  setProfile(p: Profile): void {
    this.timeline = [...p.timeline];
    this.setThreads(p.threads);
    this.setPerCpu(p.cpu.perCpu, p.cpu.system);
    this.setSummary(p.cpu.process, p.threads.length);
    this.updateCharts();
  }

  addLive(sample: TimelineSample, threads: ThreadStat[], perCpu: Array<CpuFields & { cpu: number }>): void {
    this.timeline.push(sample);
    if (this.timeline.length > 3600) this.timeline.splice(0, this.timeline.length - 3600);
    this.setThreads(threads);
    this.setPerCpu(perCpu, sample.system);
    this.setSummary(sample.process, threads.length);
    this.updateCharts();
  }

  private setSummary(proc: Profile['cpu']['process'], threads: number): void {
    if (!proc) {
      this.summary.textContent = 'No process CPU data.';
      return;
    }
    replaceChildren(
      this.summary,
      'Process: ',
      h('strong', null, pct(proc.cpu)),
      ` CPU = ${pct(proc.usr)} user + ${pct(proc.sys)} system (percent of one core), run-queue wait ${pct(proc.wait)}, ${threads} thread${threads === 1 ? '' : 's'}.`,
    );
  }

  private setThreads(threads: ThreadStat[]): void {
    this.threads = threads;
    this.hot = hotThreads(threads);
    this.table.setRows(threads);
  }

  private setPerCpu(perCpu: Array<CpuFields & { cpu: number }>, system: CpuFields | null): void {
    const rows: Array<[string, CpuFields]> = [];
    if (system) rows.push(['all', system]);
    for (const c of [...perCpu].sort((a, b) => a.cpu - b.cpu)) rows.push([`CPU ${c.cpu}`, c]);
    if (rows.length === 0) {
      replaceChildren(this.bars, h('p', { class: 'pl-empty' }, 'No per-CPU data (mpstat did not run).'));
      return;
    }
    const legend = h(
      'div',
      { class: 'legend', 'aria-hidden': 'true' },
      ...FIELDS.map((f) => h('span', { class: 'legend-item' }, h('span', { class: `swatch seg-${f.key}` }), f.label)),
    );
    replaceChildren(
      this.bars,
      legend,
      ...rows.map(([label, f]) => {
        const known = FIELDS.filter((x) => isNum(f[x.key]));
        const text = known.map((x) => `${x.label} ${pct(f[x.key])}`).join(', ');
        const bar = h('div', {
          class: 'bar',
          role: 'img',
          'aria-label': `${label}: ${text || 'no data'}`,
          title: text,
        });
        for (const x of known) {
          const v = Math.max(0, f[x.key] as number);
          if (v <= 0) continue;
          const seg = h('span', { class: `seg seg-${x.key}` });
          seg.style.width = `${Math.min(100, v)}%`;
          bar.append(seg);
        }
        const busy = isNum(f.idle) ? 100 - f.idle : null;
        return h(
          'div',
          { class: 'bar-row' },
          h('span', { class: 'bar-label' }, label),
          bar,
          h('span', { class: 'bar-value' }, busy === null ? '—' : `${pct(busy)} busy`),
        );
      }),
    );
  }

  /** The charts may be made from now on (the rest of the view has been painted). */
  allowCharts(): void {
    if (this.chartsAllowed) return;
    this.chartsAllowed = true;
    this.updateCharts();
  }

  show(): void {
    this.visible = true;
    this.updateCharts();
  }

  hide(): void {
    this.visible = false;
  }

  /** Theme changed: charts take their colours at creation, so make them again. */
  refresh(): void {
    this.procPlot?.destroy();
    this.hostPlot?.destroy();
    this.procPlot = this.hostPlot = null;
    this.procChartEl.replaceChildren();
    this.hostChartEl.replaceChildren();
    this.updateCharts();
  }

  private width(el: HTMLElement): number {
    return Math.max(200, Math.floor(el.clientWidth));
  }

  private resize(): void {
    if (!this.visible) return;
    this.procPlot?.setSize({ width: this.width(this.procChartEl), height: 180 });
    this.hostPlot?.setSize({ width: this.width(this.hostChartEl), height: 180 });
  }

  private updateCharts(): void {
    if (!this.visible || this.procChartEl.clientWidth === 0) return;
    const has = this.timeline.length > 0;
    this.procChartEl.classList.toggle('no-data', !has);
    this.hostChartEl.classList.toggle('no-data', !has);
    // Making the two uPlot charts (canvas, axes, legend tables, a forced layout) costs a frame's worth of
    // main-thread time: the panel allows them once the verdict, summary, per-CPU bars and thread table are on
    // screen (`allowCharts`), and they appear one frame later in boxes that already have their height.
    if (!this.procPlot && !this.chartsAllowed) return;
    const create = !this.procPlot;
    const t = this.timeline.map((s) => s.t);
    const pv = (k: 'usr' | 'sys' | 'wait') => this.timeline.map((s) => s.process?.[k] ?? null);
    const sv = (k: FieldKey) => this.timeline.map((s) => s.system?.[k] ?? null);
    const procData: uPlot.AlignedData = [t, pv('usr'), pv('sys'), pv('wait')];
    const hostKeys: FieldKey[] = ['usr', 'sys', 'iowait', 'irq', 'softirq', 'steal', 'idle'];
    const hostData: uPlot.AlignedData = [t, ...hostKeys.map(sv)];
    if (!this.procPlot) {
      this.procPlot = this.makePlot(
        this.procChartEl,
        [
          { label: 'user', stroke: color('usr') },
          { label: 'system', stroke: color('sys') },
          { label: 'run-queue wait', stroke: color('irq'), dash: [4, 3] },
        ],
        procData,
      );
      this.hostPlot = this.makePlot(
        this.hostChartEl,
        hostKeys.map((k) => ({
          label: FIELDS.find((f) => f.key === k)!.label,
          stroke: color(k),
          dash: k === 'idle' ? [2, 3] : undefined,
        })),
        hostData,
        100,
      );
    } else {
      this.procPlot.setData(procData);
      this.hostPlot?.setData(hostData);
    }
    if (create) performance.mark('perf-lens:charts-created');
    // Without a cursor on the chart the legend shows the latest sample rather than dashes.
    const last = t.length - 1;
    if (last >= 0) for (const plot of [this.procPlot, this.hostPlot]) plot?.setLegend({ idx: last });
  }

  private makePlot(
    el: HTMLElement,
    series: Array<{ label: string; stroke: string; dash?: number[]; fill?: boolean }>,
    data: uPlot.AlignedData,
    max?: number,
  ): uPlot {
    const fg = cssVar('--vscode-descriptionForeground', cssVar('--vscode-foreground', '#888'));
    const grid = cssVar('--vscode-widget-border', cssVar('--vscode-panel-border', 'rgba(128,128,128,0.25)'));
    const font = `11px ${cssVar('--vscode-font-family', 'system-ui, sans-serif')}`;
    const axis = (extra: Partial<uPlot.Axis> = {}): uPlot.Axis => ({
      stroke: fg,
      font,
      grid: { stroke: grid, width: 1 },
      ticks: { stroke: grid, width: 1 },
      ...extra,
    });
    return new uPlot(
      {
        width: this.width(el),
        height: 180,
        cursor: { drag: { x: false, y: false } },
        legend: { live: true },
        scales: {
          x: { time: false },
          y: { range: (_u, _min, dataMax) => [0, Math.max(max ?? 0, Math.ceil((dataMax || 1) * 1.1))] },
        },
        axes: [
          axis({ values: (_u, vals) => vals.map((v) => `${v}s`) }),
          axis({ size: 46, values: (_u, vals) => vals.map((v) => `${v}%`) }),
        ],
        series: [
          { label: 't', value: (_u, v) => (v === null ? '—' : `${v}s`) },
          ...series.map((s) => ({
            label: s.label,
            stroke: s.stroke,
            fill: s.fill ? withAlpha(s.stroke, 0.12) : undefined,
            width: 1.5,
            dash: s.dash,
            spanGaps: false,
            points: { show: (u: uPlot) => u.data[0].length < 40 },
            value: (_u: uPlot, v: number | null) => pct(v),
          })),
        ],
      },
      data,
      el,
    );
  }

  /** Rows on show (for tests of sorting). */
  get threadCount(): number {
    return this.threads.length;
  }
}
