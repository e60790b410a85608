/**
 * The panel: verdict banner on top, then tabs. Receives data by postMessage (VS Code) or from the page
 * (HTML report), validates everything, and keeps the view state (tab, flame graph zoom and search, table
 * sorts) with the host so a reload shows the same thing.
 */
import type { Comparison } from '../src/core/analyze/compare-types';
import type { Hotspot, Profile } from '../src/core/profile';
import { parseToWebview, type FromWebview } from '../src/core/protocol/webview';
import { h, icon } from './dom';
import { FlameGraphView } from './flame/view';
import type { Host, TabId, ViewState } from './host';
import { onThemeChange } from './theme';
import {
  sanitizeComparison,
  sanitizePerCpu,
  sanitizeProfile,
  sanitizeSample,
  sanitizeThreads,
  type FixInfo,
} from './validate';
import { Banner } from './views/banner';
import { CompareView } from './views/compare';
import { CpuView } from './views/cpu';
import { FindingsView } from './views/findings';
import { HotspotsView } from './views/hotspots';
import { NetworkView } from './views/network';
import { SyscallsView } from './views/syscalls';
import type { SortState } from './views/table';

interface Tab {
  id: TabId;
  label: string;
  iconName: string;
  element: HTMLElement;
  header?: HTMLElement;
  panel?: HTMLElement;
}

export class App {
  private readonly state: ViewState;
  private readonly banner: Banner;
  private readonly tabsEl: HTMLElement;
  private readonly cpu: CpuView;
  private readonly syscalls: SyscallsView;
  private readonly network: NetworkView;
  private readonly hotspots: HotspotsView;
  private readonly flame: FlameGraphView;
  private readonly findings: FindingsView;
  private readonly compare: CompareView;
  private readonly findingsBadge: HTMLElement;
  private tabs: Tab[] = [];
  private profile: Profile | null = null;
  private pendingFinding: string | null = null;
  private firstPaintMarked = false;
  /**
   * Views whose new profile is not rendered yet: only the shown tab renders before the first paint, the
   * others right after it (or at once when their tab is selected first).
   */
  private readonly pendingViews = new Map<TabId, () => void>();
  private pendingTimer = 0;
  private readonly stopThemeWatch: () => void;
  /** Whether any data (live sample, profile, comparison) has been shown. */
  hasData = false;

  constructor(
    root: HTMLElement,
    private readonly host: Host,
  ) {
    this.state = host.getState();
    const vscode = host.mode === 'vscode';
    document.documentElement.dataset.plMode = host.mode;
    const sortFor = (id: string) => this.state.sort[id];
    const saveSort = (id: string) => (s: SortState) => this.save({ sort: { ...this.state.sort, [id]: s } });

    this.banner = new Banner(vscode ? () => this.post({ type: 'cancel' }) : null);
    this.cpu = new CpuView(sortFor('threads'), saveSort('threads'));
    this.syscalls = new SyscallsView(sortFor('syscalls'), saveSort('syscalls'));
    this.network = new NetworkView();
    this.hotspots = new HotspotsView(
      sortFor('hotspots'),
      saveSort('hotspots'),
      vscode ? (r) => this.openSource(r) : null,
    );
    this.flame = new FlameGraphView({
      onZoom: (path) => this.save({ flameZoom: path }),
      onSearch: (q) => this.save({ flameSearch: q }),
    });
    this.flame.restore(this.state.flameZoom, this.state.flameSearch);
    this.findings = new FindingsView({
      mode: host.mode,
      post: (m) => this.post(m),
      showInFlameGraph: (s) => {
        this.flame.setSearch(s);
        this.selectTab('flame');
      },
    });
    this.compare = new CompareView();
    this.findingsBadge = h('vscode-badge', { variant: 'counter', slot: 'content-after', hidden: true });

    this.tabs = [
      { id: 'cpu', label: 'CPU breakdown', iconName: 'pulse', element: this.cpu.element },
      { id: 'findings', label: 'Findings', iconName: 'lightbulb', element: this.findings.element },
      { id: 'hotspots', label: 'Hotspots', iconName: 'list-ordered', element: this.hotspots.element },
      { id: 'flame', label: 'Flame graph', iconName: 'flame', element: this.flame.element },
      { id: 'syscalls', label: 'Syscalls & io_uring', iconName: 'symbol-event', element: this.syscalls.element },
      { id: 'network', label: 'Network', iconName: 'globe', element: this.network.element },
    ];
    this.tabsEl = h('vscode-tabs', { class: 'pl-tabs', 'aria-label': 'Views' });
    for (const t of this.tabs) this.addTab(t);
    this.tabsEl.addEventListener('vsc-tabs-select', (e) => {
      const i = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
      if (this.tabs[i]) this.onTab(this.tabs[i].id);
    });
    // Automatic activation: arrows move the focus and select (vscode-tabs alone needs Enter).
    this.tabsEl.addEventListener('keydown', (e) => {
      // Enter/Space too: vscode-tabs selects the header it last moved to, not the one focused by other means.
      if (!['ArrowLeft', 'ArrowRight', 'Home', 'End', 'Enter', ' '].includes(e.key)) return;
      const headers = this.tabs.map((t) => t.header!);
      if (!headers.includes(document.activeElement as HTMLElement)) return;
      if (e.key === 'Home' || e.key === 'End') {
        e.preventDefault();
        const target = e.key === 'Home' ? headers[0] : headers[headers.length - 1];
        headers.forEach((hd) => (hd.tabIndex = hd === target ? 0 : -1));
        target.focus();
      }
      const i = headers.indexOf(document.activeElement as HTMLElement);
      if (i >= 0) this.selectTab(this.tabs[i].id, false);
    });

    const main = h('main', { class: 'pl-main' }, this.banner.element, this.tabsEl);
    root.replaceChildren(main);
    this.selectTab(this.state.tab === 'compare' ? 'cpu' : this.state.tab, false);
    // Until the first data arrives only the banner ("Waiting for data…") shows.
    this.tabsEl.hidden = true;
    this.stopThemeWatch = onThemeChange(() => {
      this.flame.refresh();
      this.cpu.refresh();
      this.compare.refresh();
    });
  }

  /** Stop watching the theme (the panel is being rebuilt for new content). */
  dispose(): void {
    this.stopThemeWatch();
  }

  private showData(): void {
    if (this.hasData) return;
    this.hasData = true;
    this.tabsEl.hidden = false;
    this.onTab(this.state.tab);
  }

  private addTab(t: Tab): void {
    t.header = h('vscode-tab-header', { slot: 'header', class: `tab-${t.id}` }, icon(t.iconName), ` ${t.label}`);
    if (t.id === 'findings') t.header.append(this.findingsBadge);
    t.panel = h('vscode-tab-panel', { class: `panel-${t.id}` }, t.element);
    this.tabsEl.append(t.header, t.panel);
  }

  private save(patch: Partial<ViewState>): void {
    Object.assign(this.state, patch);
    this.host.setState({ ...this.state });
  }

  private post(message: FromWebview): void {
    this.host.post(message);
  }

  private log(level: 'info' | 'warn' | 'error', message: string): void {
    (level === 'error' ? console.error : level === 'warn' ? console.warn : console.info)(
      `perf-lens webview: ${message}`,
    );
    if (this.host.mode === 'vscode') this.post({ type: 'log', level, message: message.slice(0, 2000) });
  }

  selectTab(id: TabId, focus = false): void {
    const i = this.tabs.findIndex((t) => t.id === id);
    if (i < 0) return;
    const tabs = this.tabsEl as HTMLElement & { selectedIndex: number };
    tabs.selectedIndex = i;
    this.tabs.forEach((t, j) => {
      t.panel!.hidden = j !== i;
      t.header!.toggleAttribute('active', j === i);
    });
    if (focus) this.tabs[i].header!.focus();
    this.onTab(id);
  }

  private onTab(id: TabId): void {
    this.renderPending(id);
    if (this.state.tab !== id) this.save({ tab: id });
    // Views that draw on canvas need to be visible to measure themselves.
    requestAnimationFrame(() => {
      if (id === 'cpu') this.cpu.show();
      else this.cpu.hide();
      if (id === 'flame') this.flame.render();
      if (id === 'compare') this.compare.show();
    });
  }

  /** Entry point for every message (already parsed from the event). */
  handle(raw: unknown): void {
    const msg = parseToWebview(raw);
    if (!msg) {
      const type =
        typeof raw === 'object' && raw !== null && typeof (raw as { type?: unknown }).type === 'string'
          ? (raw as { type: string }).type
          : typeof raw;
      this.log('warn', `dropped a malformed or unknown message (type ${JSON.stringify(type.slice(0, 40))})`);
      return;
    }
    switch (msg.type) {
      case 'init':
        if (msg.theme) document.documentElement.dataset.theme = msg.theme;
        return;
      case 'profile': {
        const p = sanitizeProfile(msg.profile);
        if (!p) return this.log('warn', 'dropped a profile that does not match perf-lens/profile@1');
        this.setProfile(p);
        return;
      }
      case 'live': {
        const sample = sanitizeSample(msg.sample);
        if (!sample) return this.log('warn', 'dropped a live sample without a time');
        const threads = sanitizeThreads(msg.threads);
        this.showData();
        // Live samples come one a second: no first paint to protect, the charts may draw at once.
        this.cpu.allowCharts();
        this.cpu.addLive(sample, threads, sanitizePerCpu(msg.perCpu));
        if (!this.profile) this.banner.setLive(sample.process?.cpu ?? null, threads.length, msg.perCpu.length || null);
        return;
      }
      case 'status':
        this.banner.setStatus(msg.phase, msg.fraction, msg.message);
        return;
      case 'compare': {
        const before = sanitizeProfile(msg.before);
        const after = sanitizeProfile(msg.after);
        const c = sanitizeComparison(msg.comparison);
        if (!before || !after || !c) return this.log('warn', 'dropped a comparison with an invalid profile');
        this.setCompare(before, after, c);
        return;
      }
      case 'showFinding':
        this.showFinding(msg.findingId);
        return;
      case 'error':
        this.banner.setError(msg.message);
        return;
    }
  }

  setFixInfo(fixes: Map<string, FixInfo>): void {
    this.findings.setFixInfo(fixes);
  }

  setProfile(p: Profile): void {
    this.profile = p;
    this.showData();
    this.banner.setProfile(p);
    this.pendingViews.set('cpu', () => this.cpu.setProfile(p));
    this.pendingViews.set('syscalls', () => this.syscalls.setProfile(p));
    this.pendingViews.set('network', () => this.network.setProfile(p));
    this.pendingViews.set('hotspots', () => this.hotspots.setProfile(p));
    this.pendingViews.set('findings', () => this.findings.setProfile(p));
    this.renderPending(this.state.tab);
    // The flame graph builds its tree lazily, when it is first drawn.
    this.flame.setData(
      p.folded,
      p.hotspots.filter((x) => x.kernel).map((x) => x.symbol),
      p.foldedTruncated,
    );
    this.findingsBadge.textContent = String(p.findings.length);
    this.findingsBadge.hidden = p.findings.length === 0;
    this.onTab(this.state.tab);
    if (this.pendingFinding) this.showFinding(this.pendingFinding);
    this.markFirstPaint();
    // Queued after the first-paint callback: the hidden views render once the shown one is on screen.
    cancelAnimationFrame(this.pendingTimer);
    this.pendingTimer = requestAnimationFrame(() => setTimeout(() => this.renderPending(), 0));
  }

  /** Render the views still waiting for the profile: one tab's, or all. */
  private renderPending(id?: TabId): void {
    for (const [tab, render] of [...this.pendingViews]) {
      if (id !== undefined && tab !== id) continue;
      this.pendingViews.delete(tab);
      render();
    }
  }

  setCompare(before: Profile, after: Profile, c: Comparison): void {
    this.setProfile(after);
    if (!this.tabs.some((t) => t.id === 'compare')) {
      const t: Tab = { id: 'compare', label: 'Compare', iconName: 'git-compare', element: this.compare.element };
      this.tabs.push(t);
      this.addTab(t);
    }
    this.compare.set(before, after, c);
    this.selectTab('compare');
  }

  private showFinding(id: string): void {
    if (!this.profile) {
      this.pendingFinding = id;
      return;
    }
    this.pendingFinding = null;
    this.selectTab('findings');
    requestAnimationFrame(() => {
      if (!this.findings.show(id))
        this.log('warn', `showFinding: no finding ${JSON.stringify(id.slice(0, 80))} in this profile`);
    });
  }

  private openSource(r: Hotspot): void {
    if (!r.file) return;
    this.post({
      type: 'openSource',
      file: r.file,
      line: r.line !== null && r.line > 0 ? r.line : null,
      symbol: r.symbol || null,
    });
  }

  private markFirstPaint(): void {
    if (this.firstPaintMarked) return;
    this.firstPaintMarked = true;
    performance.mark('perf-lens:profile-rendered');
    // The frame after the DOM update is the first one showing the profile.
    requestAnimationFrame(() =>
      setTimeout(() => {
        performance.mark('perf-lens:first-paint');
        // The CPU tab's charts are made only now, for the next frame (see CpuView.updateCharts).
        this.cpu.allowCharts();
      }, 0),
    );
  }

  /** For tests and the benchmark: the flame graph's last build/draw timings. */
  get flameStats(): FlameGraphView['stats'] {
    return this.flame.stats;
  }

  renderFlameNow(): boolean {
    return this.flame.render();
  }
}
