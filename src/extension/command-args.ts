/**
 * Arguments of the commands the language server's CodeLenses invoke (`perfLens.showFinding`,
 * `perfLens.applyFix`). They arrive from another process, so they are validated like webview messages.
 * Pure (no `vscode` import): unit-tested.
 */

const ID_RE = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

export interface FixRequest {
  findingId: string;
  fixId: string;
  /** Where the lens that asked stands, when it came from a lens. */
  uri?: string;
  line?: number;
}

/** Arguments of `perfLens.applyFix` / `perfLens.showFinding` as lenses pass them: an object or positional strings. */
export function parseFixArgs(args: unknown[]): FixRequest | null {
  const [a, b, c, d] = args;
  const ok = (r: FixRequest): FixRequest | null =>
    ID_RE.test(r.findingId) &&
    ID_RE.test(r.fixId) &&
    (r.line === undefined || (Number.isInteger(r.line) && r.line >= 0))
      ? r
      : null;
  if (typeof a === 'object' && a !== null) {
    const o = a as Record<string, unknown>;
    if (typeof o.findingId === 'string' && typeof o.fixId === 'string')
      return ok({
        findingId: o.findingId,
        fixId: o.fixId,
        uri: typeof o.uri === 'string' ? o.uri : undefined,
        line: typeof o.line === 'number' ? o.line : undefined,
      });
    return null;
  }
  if (typeof a === 'string' && typeof b === 'string')
    return ok({
      findingId: a,
      fixId: b,
      uri: typeof c === 'string' ? c : undefined,
      line: typeof d === 'number' ? d : undefined,
    });
  return null;
}

/** `perfLens.showFinding` takes a finding id, or an object with `findingId` (the lenses pass `{findingId, symbol}`). */
export function parseFindingArg(args: unknown[]): string | null {
  const a = args[0];
  const id =
    typeof a === 'string' ? a : typeof a === 'object' && a !== null ? (a as { findingId?: unknown }).findingId : null;
  return typeof id === 'string' && ID_RE.test(id) ? id : null;
}
