/**
 * tcp-nodelay: disable Nagle's algorithm on each accepted connection, right after accept returns its
 * descriptor (after the error check that follows it, when there is one), adding <netinet/tcp.h>,
 * <netinet/in.h> and <sys/socket.h> when missing.
 */
import type { SyntaxNode } from '../../core/symbols/cpp-parser';
import { acceptSites, setsNodelay, type AcceptSite } from '../detect';
import { enclosingDefinition } from '../syntax';
import type { SourceFile } from '../workspace';
import { EditBuilder } from './edit-builder';
import { ensureInclude } from './includes';
import { freshName, insertLinesAfter, lineIndent, unit } from './text';
import { anchorOf, type Anchor, type BuiltEdit, type Recipe, type RecipeContext } from './types';

async function sites(ctx: RecipeContext): Promise<Array<{ src: SourceFile; site: AcceptSite }>> {
  const out: Array<{ src: SourceFile; site: AcceptSite }> = [];
  for (const path of await ctx.workspace.filesWith('accept')) {
    const src = await ctx.workspace.source(path);
    if (!src) continue;
    for (const site of acceptSites(src)) out.push({ src, site });
  }
  return out;
}

/** The `if (fd < 0) …` check directly after the accept, which the new code should follow. */
function errorCheckAfter(stmt: SyntaxNode, fd: string): SyntaxNode | null {
  const next = stmt.nextNamedSibling;
  if (!next || next.type !== 'if_statement') return null;
  const cond = next.childForFieldName('condition')?.text ?? '';
  return new RegExp(`\\b${fd}\\b`).test(cond) ? next : null;
}

async function locate(ctx: RecipeContext): Promise<Anchor | null> {
  const all = await sites(ctx);
  return all.length > 0 ? anchorOf(all[0].src, all[0].site.statement) : null;
}

async function build(ctx: RecipeContext): Promise<BuiltEdit | null> {
  const all = (await sites(ctx)).filter(({ src }) => !setsNodelay(src));
  if (all.length === 0) return null;
  const edits = new EditBuilder();
  const files = new Set<string>();
  for (const { src, site } of all) {
    const fn = enclosingDefinition(site.statement);
    const name = freshName(fn?.text ?? '', 'tcp_nodelay');
    const check = errorCheckAfter(site.statement, site.fd);
    const setsockopt = `::setsockopt(${site.fd}, IPPROTO_TCP, TCP_NODELAY, &${name}, sizeof ${name});`;
    const comment = '// Perf Lens (tcp-nodelay): send small responses at once instead of waiting for an ACK (Nagle).';
    if (check) {
      insertLinesAfter(
        edits,
        src,
        check,
        [comment, `const int ${name} = 1;`, setsockopt],
        lineIndent(src, site.statement),
      );
    } else {
      const u = unit(src);
      insertLinesAfter(edits, src, site.statement, [
        comment,
        `if (${site.fd} >= 0) {`,
        `${u}const int ${name} = 1;`,
        `${u}${setsockopt}`,
        '}',
      ]);
    }
    if (!files.has(src.path)) {
      files.add(src.path);
      ensureInclude(edits, src, 'netinet/in.h');
      ensureInclude(edits, src, 'netinet/tcp.h');
      ensureInclude(edits, src, 'sys/socket.h');
    }
  }
  return {
    edits,
    note: `sets TCP_NODELAY on every accepted connection (${all.length} accept site${all.length === 1 ? '' : 's'})`,
  };
}

export const tcpNodelay: Recipe = { id: 'tcp-nodelay', locate, build };
