/**
 * batch-submissions: drop the `io_uring_submit` that follows each operation's `io_uring_prep_*` and let
 * the worker's event loop submit once per iteration, just before it waits. The per-operation submits
 * become a comment; the loop gets an `io_uring_submit(ring)` before its wait unless it already submits
 * there. Declines (snippet instead) when no event loop that waits on the ring is found.
 */
import { perOperationSubmits, waitLoops } from '../detect';
import { callArguments, enclosingStatement } from '../syntax';
import { EditBuilder } from './edit-builder';
import { insertLinesBefore, replaceNode } from './text';
import { anchorOf, type Anchor, type BuiltEdit, type Recipe, type RecipeContext } from './types';

async function submits(ctx: RecipeContext) {
  const out = [];
  for (const path of await ctx.workspace.filesWith('io_uring_submit', 'io_uring_prep_')) {
    const src = await ctx.workspace.source(path);
    if (!src) continue;
    for (const call of perOperationSubmits(src)) out.push({ src, call });
  }
  return out;
}

async function loops(ctx: RecipeContext) {
  const out = [];
  for (const path of await ctx.workspace.filesWith('io_uring_wait_cqe')) {
    const src = await ctx.workspace.source(path);
    if (!src) continue;
    for (const site of waitLoops(src)) out.push({ src, site });
  }
  return out;
}

async function locate(ctx: RecipeContext): Promise<Anchor | null> {
  const all = await submits(ctx);
  return all.length > 0 ? anchorOf(all[0].src, all[0].call) : null;
}

async function build(ctx: RecipeContext): Promise<BuiltEdit | null> {
  const all = await submits(ctx);
  const eventLoops = await loops(ctx);
  if (all.length === 0 || eventLoops.length === 0) return null;
  const edits = new EditBuilder();
  for (const { src, call } of all) {
    const stmt = enclosingStatement(call);
    if (!stmt) return null;
    replaceNode(
      edits,
      src,
      stmt,
      '// Submitted with the rest of this iteration by the worker loop (Perf Lens: batch-submissions).',
    );
  }
  let added = 0;
  for (const { src, site } of eventLoops) {
    if (site.submitBefore) continue;
    const ring = callArguments(site.wait)[0]?.text;
    if (!ring) return null;
    insertLinesBefore(edits, src, site.statement, [
      '// One io_uring_enter(2) per loop iteration for everything prepared since the last one.',
      `io_uring_submit(${ring});`,
    ]);
    added++;
  }
  return {
    edits,
    note: `removes ${all.length} per-operation io_uring_submit call${all.length === 1 ? '' : 's'}; ${
      added > 0 ? `the event loop now submits before waiting` : 'the event loop already submits before it waits'
    }`,
  };
}

export const batchSubmissions: Recipe = { id: 'batch-submissions', locate, build };
