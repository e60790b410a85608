/**
 * Lays a FlameTree out for a canvas, root row on top (an "icicle" flame graph), zoomed at one node.
 * Only frames at least MIN_PX wide are placed; runs of narrower siblings are coalesced into one grey box
 * once they add up to a pixel, so the cost depends on what is visible, not on the number of frames.
 * The layout of the last draw is kept per row (sorted by x) for hit testing and keyboard moves.
 * Pure (no DOM): drawing is in draw.ts.
 */
import type { FlameTree } from './tree';

export const ROW = 18;
export const MIN_PX = 0.5;

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
    // Children left to right, pushed in reverse so that they are popped (and stored per row) in x order:
    // depth-first pre-order keeps every row sorted by x.
    let cx = x;
    let runX = 0;
    let runW = 0;
    let runFrames = 0;
    let runSamples = 0;
    const d = tree.depth[n] + 1;
    const base = stackN.length;
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
        stackN.push(c);
        stackX.push(cx);
      }
      cx += cw;
    }
    flush();
    for (let i = base, j = stackN.length - 1; i < j; i++, j--) {
      const tn = stackN[i];
      stackN[i] = stackN[j];
      stackN[j] = tn;
      const tx = stackX[i];
      stackX[i] = stackX[j];
      stackX[j] = tx;
    }
  }
  L.rows = L.nodes.length;
  return L;
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
