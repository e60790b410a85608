/**
 * Extension ↔ webview messages. Unions by direction; every message is validated on receipt
 * (`parseToWebview` / `parseFromWebview`), unknown shapes are logged and dropped.
 */
import type { CpuFields, Profile, ThreadStat, TimelineSample } from '../profile';
import type { Comparison } from '../analyze/compare-types';

export type ToWebview =
  | { type: 'init'; mode: 'vscode' | 'report'; theme?: 'light' | 'dark' | 'high-contrast' }
  | { type: 'profile'; profile: Profile }
  | {
      type: 'live';
      sample: TimelineSample;
      threads: ThreadStat[];
      perCpu: Array<CpuFields & { cpu: number }>;
    }
  | { type: 'status'; phase: string; fraction: number; message: string }
  | { type: 'compare'; before: Profile; after: Profile; comparison: Comparison }
  | { type: 'showFinding'; findingId: string }
  | { type: 'error'; message: string };

export type FromWebview =
  | { type: 'ready' }
  | { type: 'openSource'; file: string; line: number | null; symbol: string | null }
  | { type: 'showInSource'; findingId: string; fixId: string }
  | { type: 'applyFix'; findingId: string; fixId: string }
  | { type: 'copySnippet'; fixId: string }
  | { type: 'cancel' }
  | { type: 'log'; level: 'info' | 'warn' | 'error'; message: string };

const isStr = (v: unknown, max = 4096): v is string => typeof v === 'string' && v.length <= max;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Validate a message from the webview. Returns null for anything malformed. */
export function parseFromWebview(raw: unknown): FromWebview | null {
  if (!isObj(raw) || typeof raw.type !== 'string') return null;
  switch (raw.type) {
    case 'ready':
    case 'cancel':
      return { type: raw.type };
    case 'openSource':
      if (!isStr(raw.file) || !(raw.line === null || (Number.isInteger(raw.line) && (raw.line as number) > 0)))
        return null;
      if (!(raw.symbol === null || isStr(raw.symbol))) return null;
      return {
        type: 'openSource',
        file: raw.file,
        line: raw.line as number | null,
        symbol: raw.symbol as string | null,
      };
    case 'showInSource':
    case 'applyFix':
      if (!isStr(raw.findingId, 128) || !isStr(raw.fixId, 128)) return null;
      return { type: raw.type, findingId: raw.findingId, fixId: raw.fixId };
    case 'copySnippet':
      if (!isStr(raw.fixId, 128)) return null;
      return { type: 'copySnippet', fixId: raw.fixId };
    case 'log':
      if (!['info', 'warn', 'error'].includes(raw.level as string) || !isStr(raw.message)) return null;
      return { type: 'log', level: raw.level as 'info' | 'warn' | 'error', message: raw.message };
    default:
      return null;
  }
}

/** Validate a message from the extension (the webview's side of the boundary). */
export function parseToWebview(raw: unknown): ToWebview | null {
  if (!isObj(raw) || typeof raw.type !== 'string') return null;
  switch (raw.type) {
    case 'init':
      return raw.mode === 'vscode' || raw.mode === 'report' ? (raw as ToWebview) : null;
    case 'profile':
      return isObj(raw.profile) && raw.profile.schema === 'perf-lens/profile@1' ? (raw as ToWebview) : null;
    case 'live':
      return isObj(raw.sample) && Array.isArray(raw.threads) && Array.isArray(raw.perCpu) ? (raw as ToWebview) : null;
    case 'status':
      return isStr(raw.phase) && typeof raw.fraction === 'number' && isStr(raw.message) ? (raw as ToWebview) : null;
    case 'compare':
      return isObj(raw.before) && isObj(raw.after) && isObj(raw.comparison) ? (raw as ToWebview) : null;
    case 'showFinding':
      return isStr(raw.findingId, 128) ? (raw as ToWebview) : null;
    case 'error':
      return isStr(raw.message) ? (raw as ToWebview) : null;
    default:
      return null;
  }
}
