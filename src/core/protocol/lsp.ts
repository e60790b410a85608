/**
 * Extension ↔ language server custom methods. Standard LSP (CodeLens, diagnostics, hover, code actions)
 * carries the rest.
 */
import type { Finding, Hotspot } from '../profile';

export interface ProfileNotificationParams {
  /** Stable id of the profile (its createdAt + pid), so lenses can name it. */
  profileId: string;
  label: string;
  hotspots: Hotspot[];
  findings: Finding[];
  /** verdict.kind, so rules like "SQPOLL when syscall-bound" can apply. */
  verdictKind: string;
  /** Build path prefix → workspace folder, for perf's source lines. */
  pathMap?: Array<{ from: string; to: string }>;
}

/** Extension → server: a new profile arrived (replaces the previous one). */
export const ProfileNotification = 'perfLens/profile' as const;
/** Extension → server: forget the current profile (lenses and diagnostics clear). */
export const ClearProfileNotification = 'perfLens/clearProfile' as const;

export interface FindFixParams {
  findingId: string;
  fixId: string;
}
export interface FixLocation {
  uri: string;
  line: number;
  character: number;
}
/** Extension → server: where in the workspace does this fix apply (null when nowhere). */
export const FindFixLocationRequest = 'perfLens/findFixLocation' as const;

/** Client-side commands the server's CodeLenses invoke. */
export const ShowFindingCommand = 'perfLens.showFinding' as const;
export const ApplyFixCommand = 'perfLens.applyFix' as const;
