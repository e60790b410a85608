/**
 * The boundary with the webview: every message is validated (`parseFromWebview`), and any message that
 * would open or edit a file only does so inside the workspace. A webview renders strings from a profile
 * that may come from another machine or a pasted file, so its messages are treated as untrusted input.
 * Pure (no `vscode` import): unit-tested.
 */
import { realpathSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { Profile } from '../core/profile';
import { parseFromWebview, type FromWebview } from '../core/protocol/webview';

export type Checked<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Validate a raw message. Unknown or malformed shapes are refused with a reason for the log. */
export function checkMessage(raw: unknown): Checked<FromWebview> {
  const msg = parseFromWebview(raw);
  if (msg) return { ok: true, value: msg };
  const type = typeof raw === 'object' && raw !== null && 'type' in raw ? String((raw as { type: unknown }).type) : '?';
  return {
    ok: false,
    reason: `dropped a malformed or unknown webview message (type ${JSON.stringify(type.slice(0, 40))})`,
  };
}

function realpathOrSelf(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Whether `child` is `parent` or inside it (after resolving symlinks when the paths exist). */
export function isInside(parent: string, child: string): boolean {
  const rel = relative(realpathOrSelf(parent), realpathOrSelf(child));
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/**
 * The workspace file an `openSource` message names, or why not. Absolute paths must lie inside a workspace
 * folder; relative ones are resolved against each folder (perf's source lines are often relative to the
 * build directory). `exists` is injected so tests need no files.
 */
export function resolveSourcePath(
  file: string,
  workspaceFolders: readonly string[],
  exists: (path: string) => boolean,
): Checked<string> {
  if (file.length === 0 || /\p{Cc}/u.test(file))
    return { ok: false, reason: 'the path is empty or has control characters' };
  if (workspaceFolders.length === 0) return { ok: false, reason: 'no folder is open, so no source file can be opened' };
  if (isAbsolute(file)) {
    const inside = workspaceFolders.some((folder) => isInside(folder, file));
    if (!inside) return { ok: false, reason: `${file} is outside the workspace` };
    // Check the path that is returned (`..` resolved lexically, as the inside-check saw it), not the raw one:
    // the kernel resolves `link/..` through the link, so the raw path can name a file outside that exists.
    const full = resolve(file);
    return exists(full) ? { ok: true, value: full } : { ok: false, reason: `${file} does not exist` };
  }
  for (const folder of workspaceFolders) {
    const candidate = resolve(folder, file);
    if (isInside(folder, candidate) && exists(candidate)) return { ok: true, value: candidate };
  }
  return { ok: false, reason: `${file} is not inside the workspace` };
}

/** An `applyFix`/`showInSource` message must name a finding and fix of the profile on show. */
export function checkFixRequest(
  profile: Profile | null,
  findingId: string,
  fixId: string,
): Checked<{ findingId: string; fixId: string }> {
  if (!profile) return { ok: false, reason: 'no profile is shown' };
  const finding = profile.findings.find((f) => f.id === findingId);
  if (!finding) return { ok: false, reason: `the profile has no finding "${findingId}"` };
  if (!finding.fixes.includes(fixId)) return { ok: false, reason: `finding "${findingId}" has no fix "${fixId}"` };
  return { ok: true, value: { findingId, fixId } };
}

/** A file URI (file:///…) the language server proposes to edit must be a workspace file too. */
export function checkEditTarget(fsPath: string, workspaceFolders: readonly string[]): Checked<string> {
  if (workspaceFolders.some((folder) => isInside(folder, fsPath))) return { ok: true, value: fsPath };
  return { ok: false, reason: `${fsPath} is outside the workspace` };
}
