/**
 * sqpoll: ask for a kernel submission-queue polling thread when the ring is created, so submissions
 * stop costing an io_uring_enter(2) each. `io_uring_queue_init(n, ring, flags)` gets
 * `IORING_SETUP_SQPOLL` added to its flags; for `io_uring_queue_init_params` / `io_uring_setup` the
 * params' flags are set (and an idle time) just before the call.
 */
import { ringSetups, type RingSetup } from '../detect';
import { enclosingStatement } from '../syntax';
import type { SourceFile } from '../workspace';
import { EditBuilder } from './edit-builder';
import { insertLinesBefore, replaceNode, textOf } from './text';
import { anchorOf, type Anchor, type BuiltEdit, type Recipe, type RecipeContext } from './types';

async function setups(ctx: RecipeContext): Promise<Array<{ src: SourceFile; setup: RingSetup }>> {
  const out: Array<{ src: SourceFile; setup: RingSetup }> = [];
  const files = new Set([
    ...(await ctx.workspace.filesWith('io_uring_queue_init')),
    ...(await ctx.workspace.filesWith('io_uring_setup')),
  ]);
  for (const path of [...files].sort()) {
    const src = await ctx.workspace.source(path);
    if (!src) continue;
    for (const setup of ringSetups(src)) if (!setup.hasSqpoll) out.push({ src, setup });
  }
  return out;
}

async function locate(ctx: RecipeContext): Promise<Anchor | null> {
  const all = await setups(ctx);
  return all.length > 0 ? anchorOf(all[0].src, all[0].setup.call) : null;
}

/** `&params` → `params.`, `p` (a pointer) → `p->`. */
function memberAccess(arg: string): string | null {
  const t = arg.trim();
  if (/^&\s*[A-Za-z_][\w.]*$/.test(t)) return t.replace(/^&\s*/, '') + '.';
  if (/^[A-Za-z_]\w*$/.test(t)) return t + '->';
  return null;
}

async function build(ctx: RecipeContext): Promise<BuiltEdit | null> {
  const all = await setups(ctx);
  if (all.length === 0) return null;
  const edits = new EditBuilder();
  for (const { src, setup } of all) {
    if (setup.kind === 'queue_init') {
      if (!setup.argument) return null;
      const flags = textOf(src, setup.argument).trim();
      const next = flags === '0' ? 'IORING_SETUP_SQPOLL' : `${flags} | IORING_SETUP_SQPOLL`;
      replaceNode(edits, src, setup.argument, next);
      continue;
    }
    const access = setup.argument ? memberAccess(textOf(src, setup.argument)) : null;
    const stmt = enclosingStatement(setup.call);
    if (!access || !stmt) return null;
    insertLinesBefore(edits, src, stmt, [
      '// Perf Lens (sqpoll): a kernel thread polls the submission queue; idle 2 s before it sleeps.',
      `${access}flags |= IORING_SETUP_SQPOLL;`,
      `${access}sq_thread_idle = 2000;`,
    ]);
  }
  return {
    edits,
    note: 'adds IORING_SETUP_SQPOLL to the ring set-up: one kernel polling thread per ring (it burns a core while busy; needs Linux 5.11+ without CAP_SYS_NICE)',
  };
}

export const sqpoll: Recipe = { id: 'sqpoll', locate, build };
