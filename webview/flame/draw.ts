/** Paints a flame graph layout on a 2D canvas context (browser only). */
import type { Layout } from './layout';
import { ROW } from './layout';
import type { FlameTree } from './tree';

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

export function draw(
  ctx: CanvasRenderingContext2D,
  tree: FlameTree,
  L: Layout,
  palette: Palette,
  matches: Uint8Array | null,
  /** Per-node colour instead of the user/kernel palette (the differential flame graph). */
  fillOf?: (node: number) => string,
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
      const fill = matched
        ? palette.match
        : fillOf
          ? fillOf(n)
          : tree.kernel[n]
            ? palette.kernel(nameId, name)
            : palette.user(nameId, name);
      const bw = w > 2 ? w - 0.5 : w;
      const alpha = ancestor ? 0.55 : matches !== null && !matched ? 0.45 : 1;
      if (ctx.globalAlpha !== alpha) ctx.globalAlpha = alpha;
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
        ctx.fillText(label, x + 3, y + ROW / 2);
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
