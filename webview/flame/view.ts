/**
 * The flame graph panel: toolbar (search, reset), the canvas, a tooltip, and keyboard navigation
 * (arrows move between frames, Enter zooms, Escape resets). The tree is built once per profile and only
 * when the panel is first shown; a draw lays out and paints what is visible.
 *
 * In `diff` mode (the Compare tab) it draws two sets of stacks as one differential flame graph: the union of
 * both sides' frames, each box as wide as the mean of its two shares and coloured by the change in share
 * (red: a larger share after, blue: smaller), with both percentages in the tooltip and the spoken text.
 */
import type { FoldedStack } from '../../src/core/profile';
import { h, icon } from '../dom';
import { pct, count, signed } from '../format';
import { cssVar, isHighContrast, themeKind } from '../theme';
import { draw, type Palette } from './draw';
import { emptyLayout, hashName, hitTest, layout, ROW, type Layout } from './layout';
import {
  buildDiffTree,
  buildFlameTree,
  matchNames,
  matchedTotal,
  nodeAtPath,
  pathOf,
  type DiffTree,
  type FlameTree,
} from './tree';

export interface FlameGraphCallbacks {
  onZoom(path: string[]): void;
  onSearch(query: string): void;
}

export interface FlameGraphOptions {
  /** A differential flame graph of two sets of stacks (see setDiff). */
  diff?: boolean;
  /** Prefix of element ids (two graphs can be in one page). */
  idPrefix?: string;
}

/** Change in share (points of 1) from which a frame is drawn fully red or blue, at least. */
const DIFF_MIN_SCALE = 0.01;
/** Colour steps per direction (colours are cached per step). */
const DIFF_STEPS = 16;

/** Colour of a change `t` in -1…1 (negative: a smaller share after): white-ish to red or blue. */
export function diffColor(t: number, dark: boolean): string {
  const step = Math.round(Math.min(1, Math.abs(t)) * DIFF_STEPS) / DIFF_STEPS;
  if (step === 0) return dark ? 'hsl(0, 0%, 82%)' : 'hsl(0, 0%, 90%)';
  const light = (dark ? 82 : 90) - step * 32;
  return t > 0 ? `hsl(0, ${55 + step * 30}%, ${light}%)` : `hsl(214, ${55 + step * 30}%, ${light}%)`;
}

/** Deepest row drawn (deeper frames are summarised by the tooltip of their ancestors). */
const MAX_ROWS = 400;

export class FlameGraphView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly overlay: HTMLCanvasElement;
  private readonly scroller: HTMLElement;
  private readonly tooltip: HTMLElement;
  private readonly live: HTMLElement;
  private readonly matchInfo: HTMLElement;
  private readonly crumbs: HTMLElement;
  private readonly searchInput: HTMLInputElement;
  private readonly empty: HTMLElement;
  private folded: readonly FoldedStack[] = [];
  private foldedBefore: readonly FoldedStack[] = [];
  private diff: DiffTree | null = null;
  /** Largest change in share of any frame (the colour scale of the diff). */
  private diffScale = DIFF_MIN_SCALE;
  private readonly diffMode: boolean;
  private kernelSymbols = new Set<string>();
  private tree: FlameTree | null = null;
  private L: Layout = emptyLayout(0);
  private zoom = 0;
  private focused = -1;
  private matches: Uint8Array | null = null;
  private pendingZoomPath: string[] = [];
  private query = '';
  private palette: Palette | null = null;
  private colorCache: string[] = [];
  private drawQueued = 0;
  private truncated = false;
  private hasData = false;
  /** Timings of the last build and draw, for tests and the benchmark. */
  stats = { buildMs: 0, drawMs: 0, frames: 0, drawn: 0 };

  constructor(
    private readonly cb: FlameGraphCallbacks,
    opts: FlameGraphOptions = {},
  ) {
    this.diffMode = opts.diff === true;
    const liveId = `${opts.idPrefix ?? 'pl-flame'}-live`;
    this.searchInput = h('input', {
      type: 'search',
      class: 'pl-input',
      placeholder: 'Search frames (text or /regex/)',
      'aria-label': 'Search frames',
      spellcheck: 'false',
    });
    this.matchInfo = h('span', { class: 'pl-muted flame-match', 'aria-live': 'polite' });
    const reset = h(
      'vscode-button',
      { secondary: true, class: 'flame-reset', 'aria-label': 'Reset zoom' },
      icon('discard'),
      ' Reset',
    );
    reset.addEventListener('click', () => {
      this.setZoom(0);
      this.canvas.focus();
    });
    this.crumbs = h('nav', { class: 'flame-crumbs', 'aria-label': 'Zoom path' });
    this.canvas = h('canvas', {
      class: 'flame-canvas',
      tabindex: 0,
      role: 'application',
      'aria-roledescription': 'flame graph',
      'aria-label': this.diffMode
        ? 'Differential flame graph, before and after: width is the mean share of both profiles, red frames ' +
          'take a larger share after, blue a smaller one. Arrow keys move between frames (down: heaviest ' +
          'callee), Enter zooms, Escape resets the zoom.'
        : 'Flame graph. Arrow keys move between frames (down: heaviest callee), Enter zooms, Escape resets the zoom.',
      'aria-describedby': liveId,
    });
    this.overlay = h('canvas', { class: 'flame-overlay', 'aria-hidden': 'true' });
    this.tooltip = h('div', { class: 'flame-tooltip', role: 'tooltip', hidden: true });
    this.live = h('div', { class: 'sr-only', id: liveId, 'aria-live': 'polite' });
    this.scroller = h('div', { class: 'flame-scroll' }, this.canvas, this.overlay);
    this.empty = h(
      'p',
      { class: 'pl-empty', hidden: true },
      'No stacks in this profile (perf did not record call graphs).',
    );
    this.element = h(
      'section',
      { class: 'flame', 'aria-label': 'Flame graph' },
      h(
        'div',
        { class: 'pl-toolbar' },
        h('label', { class: 'flame-search' }, icon('search'), this.searchInput),
        reset,
        this.matchInfo,
        this.diffMode
          ? h(
              'span',
              { class: 'flame-legend' },
              h('span', { class: 'swatch swatch-grew' }),
              'larger share after',
              h('span', { class: 'swatch swatch-shrank' }),
              'smaller share after',
              h('span', { class: 'swatch swatch-same' }),
              'unchanged',
              h('span', { class: 'swatch swatch-match' }),
              'search match',
              h('span', { class: 'swatch swatch-coalesced' }),
              'frames < 0.5 px',
            )
          : h(
              'span',
              { class: 'flame-legend' },
              h('span', { class: 'swatch swatch-user' }),
              'user',
              h('span', { class: 'swatch swatch-kernel' }),
              'kernel',
              h('span', { class: 'swatch swatch-match' }),
              'search match',
              h('span', { class: 'swatch swatch-coalesced' }),
              'frames < 0.5 px',
            ),
      ),
      this.crumbs,
      this.empty,
      this.scroller,
      this.tooltip,
      this.live,
    );

    let searchTimer = 0;
    this.searchInput.addEventListener('input', () => {
      clearTimeout(searchTimer);
      searchTimer = window.setTimeout(() => this.setSearch(this.searchInput.value), 120);
    });
    this.searchInput.addEventListener('keydown', (e) => {
      if (e.key === 'Enter') {
        clearTimeout(searchTimer);
        this.setSearch(this.searchInput.value);
      }
    });
    this.canvas.addEventListener('mousemove', (e) => this.onHover(e));
    this.canvas.addEventListener('mouseleave', () => this.hideTooltip());
    this.canvas.addEventListener('click', (e) => this.onClick(e));
    this.canvas.addEventListener('keydown', (e) => this.onKey(e));
    this.canvas.addEventListener('focus', () => {
      if (this.focused < 0 || this.L.w[this.focused] === 0) this.focus(this.zoom, false);
      else this.drawOverlay();
    });
    this.canvas.addEventListener('blur', () => this.drawOverlay());
    new ResizeObserver(() => this.requestDraw()).observe(this.scroller);
  }

  /** New stacks. The tree is (re)built lazily, at the next draw while visible. */
  setData(folded: readonly FoldedStack[], kernelSymbols: Iterable<string>, truncated: boolean): void {
    if (folded === this.folded && this.hasData) return;
    this.hasData = true;
    this.folded = folded;
    this.kernelSymbols = new Set(kernelSymbols);
    this.truncated = truncated;
    this.tree = null;
    this.requestDraw();
  }

  /** Two sets of stacks for the differential flame graph (built lazily, like setData). */
  setDiff(
    before: readonly FoldedStack[],
    after: readonly FoldedStack[],
    kernelSymbols: Iterable<string>,
    truncated: boolean,
  ): void {
    this.foldedBefore = before;
    this.hasData = false;
    this.setData(after, kernelSymbols, truncated);
  }

  restore(zoomPath: string[], query: string): void {
    this.pendingZoomPath = zoomPath;
    this.query = query;
    this.searchInput.value = query;
  }

  setSearch(query: string): void {
    if (query === this.query && (this.matches !== null) === (query.trim() !== '')) return;
    this.query = query;
    if (this.searchInput.value !== query) this.searchInput.value = query;
    this.cb.onSearch(query);
    if (this.tree) this.matches = matchNames(this.tree, query);
    this.requestDraw();
  }

  /** Redraw now if visible (after a tab switch or a theme change). */
  refresh(): void {
    this.palette = null;
    // Cached colours depend on the theme (lightness) too.
    this.colorCache = [];
    this.requestDraw();
  }

  private requestDraw(): void {
    if (this.drawQueued) return;
    this.drawQueued = requestAnimationFrame(() => {
      this.drawQueued = 0;
      this.render();
    });
  }

  /** Build if needed and draw synchronously; returns false when not visible. */
  render(): boolean {
    // The section, not the scroller: the scroller is hidden while there is nothing to draw.
    const width = this.scroller.hidden ? this.element.clientWidth : this.scroller.clientWidth;
    if (width === 0 || !this.hasData) return false;
    if (!this.tree) {
      const t0 = performance.now();
      if (this.diffMode) {
        this.diff = buildDiffTree(this.foldedBefore, this.folded, this.kernelSymbols);
        this.tree = this.diff.tree;
        let max = DIFF_MIN_SCALE;
        for (let n = 1; n < this.tree.size; n++)
          max = Math.max(max, Math.abs(this.diff.after[n] - this.diff.before[n]));
        this.diffScale = max;
      } else this.tree = buildFlameTree(this.folded, this.kernelSymbols);
      this.stats.buildMs = performance.now() - t0;
      this.stats.frames = this.tree.size - 1;
      this.matches = matchNames(this.tree, this.query);
      // Colours are cached per name id (per node in a diff): new tree, new cache, new palette around it.
      this.colorCache = [];
      this.palette = null;
      this.L = emptyLayout(this.tree.size);
      this.zoom = nodeAtPath(this.tree, this.pendingZoomPath);
      this.focused = -1;
      performance.measure?.('perf-lens:flame-build', { start: t0 });
    }
    const tree = this.tree;
    this.empty.hidden = tree.total[0] > 0;
    this.scroller.hidden = !(tree.total[0] > 0);
    if (!(tree.total[0] > 0)) return true;
    const t1 = performance.now();
    this.palette ??= this.makePalette();
    this.L = layout(tree, this.zoom, width, MAX_ROWS, this.L);
    const dpr = window.devicePixelRatio || 1;
    const height = Math.max(1, this.L.rows) * ROW;
    for (const c of [this.canvas, this.overlay]) {
      c.style.width = `${width}px`;
      c.style.height = `${height}px`;
      c.width = Math.round(width * dpr);
      c.height = Math.round(height * dpr);
    }
    const ctx = this.canvas.getContext('2d');
    if (!ctx) return true;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    draw(ctx, tree, this.L, this.palette, this.matches, this.diff ? (n) => this.diffFill(n) : undefined);
    this.stats.drawMs = performance.now() - t1;
    this.stats.drawn = this.L.drawn;
    performance.measure?.('perf-lens:flame-draw', { start: t1 });
    this.updateChrome();
    this.drawOverlay();
    return true;
  }

  private diffFill(n: number): string {
    const d = this.diff!;
    if (n === 0) return diffColor(0, themeKind() !== 'light');
    return (this.colorCache[n] ??= diffColor((d.after[n] - d.before[n]) / this.diffScale, themeKind() !== 'light'));
  }

  private makePalette(): Palette {
    const kind = themeKind();
    const hc = isHighContrast();
    const dark = kind !== 'light';
    const cache = this.colorCache;
    const userL = dark ? 58 : 66;
    const kernL = dark ? 60 : 70;
    return {
      user: (id, name) =>
        (cache[id] ??= hc
          ? cssVar('--vscode-charts-orange', '#f38518')
          : `hsl(${hashName(name) % 50}, ${72 + ((hashName(name) >> 8) % 20)}%, ${userL}%)`),
      kernel: (id, name) =>
        (cache[id] ??= hc
          ? cssVar('--vscode-charts-blue', '#6fc3df')
          : `hsl(${190 + (hashName(name) % 30)}, ${50 + ((hashName(name) >> 8) % 20)}%, ${kernL}%)`),
      match: hc ? '#ff00ff' : 'hsl(300, 75%, 62%)',
      coalesced: dark ? 'rgba(160,160,160,0.35)' : 'rgba(120,120,120,0.3)',
      text: '#1b1b1b',
      matchText: '#000000',
      outline: hc,
      background: cssVar('--vscode-editor-background', dark ? '#1f1f1f' : '#ffffff'),
      font: `12px ${cssVar('--vscode-font-family', 'system-ui, sans-serif')}`,
    };
  }

  private updateChrome(): void {
    const tree = this.tree!;
    const all = tree.total[0];
    const d = this.diff;
    if (d && this.matches) {
      const b = matchedTotal(tree, this.matches, 0, d.before);
      const a = matchedTotal(tree, this.matches, 0, d.after);
      this.matchInfo.textContent = `Matched ${pct(b * 100)} of samples before, ${pct(a * 100)} after`;
    } else if (d) {
      this.matchInfo.textContent = `${count(d.beforeSamples)} samples before, ${count(d.afterSamples)} after, ${count(tree.size - 1)} frames${this.truncated ? ' (stacks truncated)' : ''}`;
    } else if (this.matches) {
      const m = matchedTotal(tree, this.matches);
      this.matchInfo.textContent = `Matched ${pct((m / all) * 100)} of samples`;
    } else {
      this.matchInfo.textContent = `${count(all)} samples, ${count(tree.size - 1)} frames${this.truncated ? ' (stacks truncated)' : ''}`;
    }
    const path = [0, ...this.ancestors(this.zoom)];
    this.crumbs.replaceChildren();
    path.forEach((n, i) => {
      if (i > 0) this.crumbs.append(h('span', { class: 'sep', 'aria-hidden': 'true' }, '›'));
      const label = n === 0 ? 'all' : tree.names[tree.nameOf[n]];
      const b = h('button', { type: 'button', class: 'crumb', 'aria-current': n === this.zoom ? 'true' : null }, label);
      b.addEventListener('click', () => this.setZoom(n));
      this.crumbs.append(b);
    });
  }

  private ancestors(n: number): number[] {
    const out: number[] = [];
    for (let x = n; x > 0; x = this.tree!.parent[x]) out.push(x);
    return out.reverse();
  }

  private setZoom(node: number): void {
    if (!this.tree) return;
    this.zoom = node;
    this.cb.onZoom(pathOf(this.tree, node));
    this.focus(node, false);
    this.render();
  }

  private focus(node: number, announce = true): void {
    if (!this.tree) return;
    this.focused = node;
    this.drawOverlay();
    if (announce || document.activeElement === this.canvas) this.live.textContent = this.describe(node);
  }

  describe(node: number): string {
    const t = this.tree!;
    const all = t.total[0];
    const d = this.diff;
    if (d) {
      if (node === 0) return `all samples: ${count(d.beforeSamples)} before, ${count(d.afterSamples)} after`;
      return `${t.names[t.nameOf[node]]}: ${pct(d.before[node] * 100)} of samples before, ${pct(
        d.after[node] * 100,
      )} after (${changeText(d.after[node] - d.before[node])}), ${t.kernel[node] ? 'kernel' : 'user'}, depth ${t.depth[node]}`;
    }
    if (node === 0) return `all samples: ${count(all)}`;
    return `${t.names[t.nameOf[node]]}: ${pct((t.total[node] / all) * 100)} of samples, self ${pct(
      (t.self[node] / all) * 100,
    )}, ${t.kernel[node] ? 'kernel' : 'user'}, depth ${t.depth[node]}`;
  }

  private drawOverlay(): void {
    const ctx = this.overlay.getContext('2d');
    if (!ctx) return;
    const dpr = window.devicePixelRatio || 1;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, this.overlay.width, this.overlay.height);
    const n = this.focused;
    if (n < 0 || document.activeElement !== this.canvas || !this.tree) return;
    const w = this.L.w[n];
    if (!(w > 0)) return;
    const y = this.tree.depth[n] * ROW;
    ctx.strokeStyle = cssVar('--vscode-focusBorder', '#0078d4');
    ctx.lineWidth = 2;
    ctx.strokeRect(this.L.x[n] + 1, y + 1, Math.max(2, w - 2), ROW - 3);
    const top = y - this.scroller.scrollTop;
    if (top < 0 || top + ROW > this.scroller.clientHeight) this.scroller.scrollTop = Math.max(0, y - 40);
  }

  private onKey(e: KeyboardEvent): void {
    if (!this.tree) this.render();
    const t = this.tree;
    if (!t) return;
    let n = this.focused < 0 ? this.zoom : this.focused;
    switch (e.key) {
      case 'ArrowUp':
        if (n > 0) n = t.parent[n];
        break;
      case 'ArrowDown': {
        let best = -1;
        for (let c = t.firstChild[n]; c >= 0; c = t.nextSibling[c])
          if (best < 0 || t.total[c] > t.total[best]) best = c;
        if (best >= 0) n = best;
        break;
      }
      case 'ArrowLeft':
      case 'ArrowRight': {
        const row = this.L.nodes[t.depth[n]] ?? [];
        const i = row.indexOf(n);
        const j = e.key === 'ArrowLeft' ? i - 1 : i + 1;
        if (i >= 0 && j >= 0 && j < row.length) n = row[j];
        break;
      }
      case 'Home':
        n = this.zoom;
        break;
      case 'Enter':
      case ' ':
        e.preventDefault();
        this.setZoom(n);
        this.live.textContent = `Zoomed to ${this.describe(n)}`;
        return;
      case 'Escape':
        e.preventDefault();
        if (this.zoom !== 0) this.setZoom(0);
        else if (this.query) this.setSearch('');
        this.live.textContent = 'Zoom reset to all samples';
        return;
      default:
        return;
    }
    e.preventDefault();
    // A frame too narrow to be drawn becomes visible by zooming to it.
    if (!(this.L.w[n] > 0)) this.setZoom(n);
    this.focus(n);
  }

  private onClick(e: MouseEvent): void {
    const hit = this.hit(e);
    if (hit && 'node' in hit) this.setZoom(hit.node);
  }

  private hit(e: MouseEvent) {
    const r = this.canvas.getBoundingClientRect();
    return hitTest(this.L, e.clientX - r.left, e.clientY - r.top);
  }

  private onHover(e: MouseEvent): void {
    const hit = this.hit(e);
    const t = this.tree;
    if (!hit || !t) return this.hideTooltip();
    const all = t.total[0];
    const zoomTotal = t.total[this.zoom];
    const lines: string[] = [];
    let title: string;
    const d = this.diff;
    if ('node' in hit && d) {
      const n = hit.node;
      title = n === 0 ? 'all samples' : t.names[t.nameOf[n]];
      lines.push(
        `before: ${pct(d.before[n] * 100, 1)} of samples (self ${pct(d.beforeSelf[n] * 100)})`,
        `after: ${pct(d.after[n] * 100, 1)} of samples (self ${pct(d.afterSelf[n] * 100)})`,
        n === 0 ? '' : `change: ${changeText(d.after[n] - d.before[n])}`,
        n === 0 ? '' : t.kernel[n] ? 'kernel' : 'user',
      );
      this.canvas.style.cursor = 'pointer';
    } else if ('node' in hit) {
      const n = hit.node;
      title = n === 0 ? 'all samples' : t.names[t.nameOf[n]];
      lines.push(
        `${pct((t.total[n] / all) * 100, 1)} of all samples (${count(t.total[n])})`,
        this.zoom !== 0 ? `${pct((t.total[n] / zoomTotal) * 100)} of the zoomed frame` : '',
        `self ${pct((t.self[n] / all) * 100)} (${count(t.self[n])})`,
        n === 0 ? '' : t.kernel[n] ? 'kernel' : 'user',
      );
      this.canvas.style.cursor = 'pointer';
    } else {
      title = `${count(hit.run.frames)} frames narrower than half a pixel`;
      lines.push(
        d
          ? `${pct((hit.run.samples / all) * 100)} of the mean share; zoom in to see them`
          : `${pct((hit.run.samples / all) * 100)} of all samples; zoom in to see them`,
      );
      this.canvas.style.cursor = 'default';
    }
    this.tooltip.replaceChildren(h('strong', null, title), ...lines.filter(Boolean).map((l) => h('div', null, l)));
    this.tooltip.hidden = false;
    const host = this.element.getBoundingClientRect();
    const tw = this.tooltip.offsetWidth;
    let left = e.clientX - host.left + 14;
    if (left + tw > host.width) left = Math.max(0, e.clientX - host.left - tw - 14);
    this.tooltip.style.left = `${left}px`;
    this.tooltip.style.top = `${e.clientY - host.top + 16}px`;
  }

  private hideTooltip(): void {
    this.tooltip.hidden = true;
  }
}

/** A change in share (fraction of 1) in percentage points. */
function changeText(delta: number): string {
  const points = delta * 100;
  return Math.abs(points) < 0.05 ? 'unchanged' : `${signed(points, ' points')}`;
}
