/**
 * An edit recipe turns a fix from the catalog into a WorkspaceEdit on the parsed source. `locate` says
 * where the fix applies (cheap; used for lenses, code-action ranges and `perfLens/findFixLocation`),
 * `build` produces the edit. A recipe that cannot make a safe edit returns null from `build`; the caller
 * then inserts the catalog's snippet (commented out, with placeholders) and says so.
 */
import type { FixId } from '../../core/fixes/types';
import type { HotMap } from '../hot-map';
import type { Workspace, SourceFile } from '../workspace';
import type { EditBuilder } from './edit-builder';

export interface Anchor {
  file: string;
  uri: string;
  /** 0-based. */
  line: number;
  character: number;
  endLine: number;
  endCharacter: number;
}

export interface RecipeContext {
  workspace: Workspace;
  hot: HotMap | null;
}

export interface BuiltEdit {
  edits: EditBuilder;
  /** One sentence shown with the action: what changed and anything the user must check. */
  note: string;
}

export interface Recipe {
  id: FixId;
  locate(ctx: RecipeContext): Promise<Anchor | null>;
  build(ctx: RecipeContext): Promise<BuiltEdit | null>;
}

export function anchorOf(
  src: SourceFile,
  node: { startPosition: { row: number; column: number }; endPosition: { row: number; column: number } },
): Anchor {
  return {
    file: src.path,
    uri: src.uri,
    line: node.startPosition.row,
    character: node.startPosition.column,
    endLine: node.endPosition.row,
    endCharacter: node.endPosition.column,
  };
}
