/**
 * The recipes by fix id, and the one entry point that turns (fix, workspace) into a code action's edit —
 * the recipe's own edit when it can make a safe one, else the catalog's snippet, commented out with a
 * TODO, inserted where the fix applies.
 */
import type { FixId } from '../../core/fixes/types';
import { fixInfo } from '../fix-info';
import { batchSubmissions } from './batch-submissions';
import { coalesceEventfdWakeups } from './coalesce-eventfd-wakeups';
import { EditBuilder, escapeSnippet } from './edit-builder';
import { sendZc } from './send-zc';
import { sqpoll } from './sqpoll';
import { tcpNodelay } from './tcp-nodelay';
import type { Anchor, Recipe, RecipeContext } from './types';

export const RECIPES: ReadonlyMap<FixId, Recipe> = new Map<FixId, Recipe>(
  [coalesceEventfdWakeups, batchSubmissions, sqpoll, sendZc, tcpNodelay].map((r) => [r.id, r]),
);

export interface FixEdit {
  fixId: string;
  title: string;
  /** True when this is the recipe's own edit; false when it is the snippet to adapt by hand. */
  safe: boolean;
  note: string;
  edits: EditBuilder;
  anchor: Anchor;
}

/** Where a fix applies: the recipe's anchor, else the given fallback (e.g. the hot function). */
export async function locateFix(ctx: RecipeContext, fixId: string, fallback: Anchor | null): Promise<Anchor | null> {
  const recipe = RECIPES.get(fixId as FixId);
  if (recipe) {
    try {
      const a = await recipe.locate(ctx);
      if (a) return a;
    } catch {
      // a recipe must never break the server; fall back to the hot function
    }
  }
  return fallback;
}

export async function buildFix(ctx: RecipeContext, fixId: string, fallback: Anchor | null): Promise<FixEdit | null> {
  const info = fixInfo(fixId);
  if (info?.informational) return null;
  const title = info?.title ?? fixId;
  const recipe = RECIPES.get(fixId as FixId);
  let reason = 'no edit recipe for this fix';
  if (recipe) {
    try {
      const built = await recipe.build(ctx);
      const anchor = await recipe.locate(ctx);
      if (built && anchor && !built.edits.isEmpty)
        return { fixId, title, safe: true, note: built.note, edits: built.edits, anchor };
      reason = 'the code around it does not have the shape the automatic edit needs';
    } catch (e) {
      reason = `the automatic edit failed (${e instanceof Error ? e.message : String(e)})`;
    }
  }
  const anchor = await locateFix(ctx, fixId, fallback);
  if (!anchor) return null;
  const src = await ctx.workspace.source(anchor.file);
  if (!src) return null;
  const edits = new EditBuilder();
  edits.insertSnippet(
    src,
    { line: anchor.line, character: 0 },
    snippetBlock(src.lines[anchor.line] ?? '', fixId, title, info?.snippet ?? '', reason),
  );
  return {
    fixId,
    title,
    safe: false,
    note: `inserted the "${title}" snippet to adapt by hand: ${reason}`,
    edits,
    anchor,
  };
}

/** The catalog snippet as commented-out code (the file still compiles) with a TODO tab stop. */
function snippetBlock(anchorLine: string, fixId: string, title: string, snippet: string, reason: string): string {
  const indent = /^[ \t]*/.exec(anchorLine)?.[0] ?? '';
  const body = (snippet.trim() || `see the Perf Lens panel for ${fixId}`).split(/\r?\n/);
  const lines = [
    `${indent}// TODO(perf-lens): \${1:${escapeSnippet(`${title} (${fixId}) — not applied automatically: ${reason}.`)}}`,
    `${indent}// Adapt this and uncomment it:`,
    ...body.map(
      (l, i) => `${indent}//   ${i === 0 ? '${2:' : ''}${escapeSnippet(l)}${i === body.length - 1 ? '}' : ''}`,
    ),
    '',
  ];
  return lines.join('\n');
}
