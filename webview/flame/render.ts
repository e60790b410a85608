/**
 * Draws a FlameTree on a canvas, root row on top (an "icicle" flame graph), zoomed at one node.
 * Only frames at least MIN_PX wide are drawn; runs of narrower siblings are coalesced into one grey box
 * once they add up to a pixel, so the cost depends on what is visible, not on the number of frames.
 * The layout of the last draw is kept per row (sorted by x) for hit testing and keyboard moves.
 */
import type { FlameTree } from './tree';

export const ROW = 18;
export const MIN_PX = 0.5;

export interface Palette {
  user(nameId: number, name: string): string;
  kernel(nameId: number, name: string): string;
  match: string;
  coalesced: string;
  text: string;
  matchText: string;
  /** High contrast: boxes are outlined in their colour on the background. */
  outline: boolean;
  background: string;
  font: string;
}

export interface Coalesced {
  x: number;
  w: number;
  frames: number;
  samples: number;
}

export interface Layout {
  zoom: number;
  width: number;
  rows: number;
  /** Per depth: drawn node ids, left to right. */
  nodes: number[][];
  /** Per depth: coalesced runs. */
  coalesced: Coalesced[][];
  x: Float64Array;
  w: Float64Array;
  drawn: number;
}

export function emptyLayout(size: number): Layout {
  return {
    zoom: 0,
    width: 0,
    rows: 0,
    nodes: [],
    coalesced: [],
    x: new Float64Array(size),
    w: new Float64Array(size),
    drawn: 0,
  };
}

/** Lay out (no drawing): ancestors of `zoom` full width, then its visible subtree. */
export function layout(tree: FlameTree, zoom: number, width: number, maxRows: number, prev?: Layout): Layout {
  const L = prev && prev.x.length === tree.size ? prev : emptyLayout(tree.size);
  for (const row of L.nodes) for (const n of row) L.w[n] = 0;
  L.zoom = zoom;
  L.width = width;
  L.nodes = [];
  L.coalesced = [];
  L.drawn = 0;
  const put = (n: number, x: number, w: number) => {
    const d = tree.depth[n];
    if (d >= maxRows) return false;
    (L.nodes[d] ??= []).push(n);
    L.x[n] = x;
    L.w[n] = w;
    L.drawn++;
    return true;
  };
  const chain: number[] = [];
  for (let n = zoom; n >= 0; n = tree.parent[n]) chain.push(n);
  for (let i = chain.length - 1; i > 0; i--) put(chain[i], 0, width);
  const total = tree.total[zoom];
  if (!(total > 0)) {
    L.rows = L.nodes.length;
    return L;
  }
  const scale = width / total;
  // Explicit stack (deep stacks would overflow recursion).
  const stackN: number[] = [zoom];
  const stackX: number[] = [0];
  while (stackN.length > 0) {
    const n = stackN.pop()!;
    const x = stackX.pop()!;
    const w = tree.total[n] * scale;
    if (!put(n, x, w)) continue;
    // Children left to right; pushed in reverse so they are visited (and stored per row) in x order.
    let cx = x;
    let runX = 0;
    let runW = 0;
    let runFrames = 0;
    let runSamples = 0;
    const kids: number[] = [];
    const kidX: number[] = [];
    const d = tree.depth[n] + 1;
    const flush = () => {
      if (runFrames > 0 && runW >= 1 && d < maxRows)
        (L.coalesced[d] ??= []).push({ x: runX, w: runW, frames: runFrames, samples: runSamples });
      runFrames = 0;
      runW = 0;
      runSamples = 0;
    };
    for (let c = tree.firstChild[n]; c >= 0; c = tree.nextSibling[c]) {
      const cw = tree.total[c] * scale;
      if (cw < MIN_PX) {
        if (runFrames === 0) runX = cx;
        runW += cw;
        runFrames++;
        runSamples += tree.total[c];
      } else {
        flush();
        kids.push(c);
        kidX.push(cx);
      }
      cx += cw;
    }
    flush();
    for (let i = kids.length - 1; i >= 0; i--) {
      stackN.push(kids[i]);
      stackX.push(kidX[i]);
    }
  }
  // Rows are visited depth-first: sort each row by x (they are nearly sorted already).
  for (const row of L.nodes) if (row) row.sort((a, b) => L.x[a] - L.x[b]);
  L.rows = L.nodes.length;
  return L;
}

export function draw(
  ctx: CanvasRenderingContext2D,
  tree: FlameTree,
  L: Layout,
  palette: Palette,
  matches: Uint8Array | null,
): void {
  const { width } = L;
  ctx.clearRect(0, 0, width, L.rows * ROW);
  ctx.font = palette.font;
  ctx.textBaseline = 'middle';
  const charW = Math.max(4, ctx.measureText('abcdefghijklmnopqrstuvwxyz').width / 26);
  for (let d = 0; d < L.nodes.length; d++) {
    const row = L.nodes[d];
    if (!row) continue;
    const y = d * ROW;
    for (const n of row) {
      const x = L.x[n];
      const w = L.w[n];
      const nameId = tree.nameOf[n];
      const name = tree.names[nameId];
      const ancestor = d < tree.depth[L.zoom];
      const matched = matches !== null && matches[nameId] === 1;
      const fill = matched ? palette.match : tree.kernel[n] ? palette.kernel(nameId, name) : palette.user(nameId, name);
      const bw = w > 2 ? w - 0.5 : w;
      ctx.globalAlpha = ancestor ? 0.55 : matches !== null && !matched ? 0.45 : 1;
      if (palette.outline) {
        ctx.fillStyle = palette.background;
        ctx.fillRect(x, y, bw, ROW - 1);
        ctx.strokeStyle = fill;
        ctx.lineWidth = 1;
        if (w >= 3) ctx.strokeRect(x + 0.5, y + 0.5, bw - 1, ROW - 2);
        else {
          ctx.fillStyle = fill;
          ctx.fillRect(x, y, bw, ROW - 1);
        }
      } else {
        ctx.fillStyle = fill;
        ctx.fillRect(x, y, bw, ROW - 1);
      }
      if (w >= 3 * charW + 6) {
        const fit = Math.floor((w - 6) / charW);
        const label = name.length <= fit ? name : name.slice(0, Math.max(1, fit - 1)) + '…';
        ctx.fillStyle = matched ? palette.matchText : palette.outline ? fill : palette.text;
        ctx.fillText(label, x + 3, y + ROW / 2, w - 6);
      }
    }
    ctx.globalAlpha = 1;
    const runs = L.coalesced[d];
    if (runs) {
      ctx.fillStyle = palette.coalesced;
      for (const r of runs) ctx.fillRect(r.x, y, r.w, ROW - 1);
    }
  }
  ctx.globalAlpha = 1;
}

/** The node (or coalesced run) under a point, from the last layout. */
export function hitTest(L: Layout, x: number, y: number): { node: number } | { run: Coalesced } | null {
  const d = Math.floor(y / ROW);
  const row = L.nodes[d];
  if (row) {
    let lo = 0;
    let hi = row.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const n = row[mid];
      if (x < L.x[n]) hi = mid - 1;
      else if (x >= L.x[n] + L.w[n]) lo = mid + 1;
      else return { node: n };
    }
  }
  for (const r of L.coalesced[d] ?? []) if (x >= r.x && x < r.x + r.w) return { run: r };
  return null;
}

/** FNV-1a of a name, for stable per-frame colours. */
export function hashName(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
