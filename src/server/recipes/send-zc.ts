/**
 * send-zc: a zero-copy send completes twice (the result, then a notification once the kernel no longer
 * needs the buffer). Switching `io_uring_prep_send` to `io_uring_prep_send_zc` is only safe where the
 * completion dispatch understands IORING_CQE_F_MORE / IORING_CQE_F_NOTIF and the buffer outlives the
 * notification — which a call site cannot show. So this recipe only locates the send; the edit is the
 * catalog's snippet with a TODO (see snippet-fallback.ts).
 */
import { sendPreps } from '../detect';
import { anchorOf, type Anchor, type BuiltEdit, type Recipe, type RecipeContext } from './types';

async function locate(ctx: RecipeContext): Promise<Anchor | null> {
  for (const path of await ctx.workspace.filesWith('io_uring_prep_send')) {
    const src = await ctx.workspace.source(path);
    if (!src) continue;
    const sends = sendPreps(src);
    if (sends.length > 0) return anchorOf(src, sends[0]);
  }
  return null;
}

async function build(_ctx: RecipeContext): Promise<BuiltEdit | null> {
  return null;
}

export const sendZc: Recipe = { id: 'send-zc', locate, build };
