/**
 * Hotspots and findings as the language server and `perf-lens annotate` receive them. The strings come
 * from the profiled process (symbol names, thread names) and from files a user may have been handed:
 * check the shape, coerce types, cap sizes; reject what is not a profile with a message instead of
 * crashing later.
 */
import type { Finding, Hotspot, Severity } from '../profile';
import type { ProfileNotificationParams } from '../protocol/lsp';

export const MAX_HOTSPOTS = 5000;
export const MAX_FINDINGS = 500;
const MAX_STRING = 65_536;
const MAX_LIST = 200;

function str(v: unknown, max = MAX_STRING): string | null {
  return typeof v === 'string' ? v.slice(0, max) : null;
}

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}

function strings(v: unknown, maxItems = MAX_LIST, maxLen = 4096): string[] {
  if (!Array.isArray(v)) return [];
  return v
    .slice(0, maxItems)
    .filter((x): x is string => typeof x === 'string')
    .map((x) => x.slice(0, maxLen));
}

function hotspot(v: unknown): Hotspot | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const symbol = str(o.symbol);
  const self = num(o.self);
  if (symbol === null || self === null) return null;
  const line = num(o.line);
  return {
    symbol,
    dso: str(o.dso, 4096) ?? '',
    kernel: o.kernel === true,
    self,
    children: num(o.children),
    file: str(o.file, 4096),
    line: line !== null && Number.isInteger(line) && line > 0 ? line : null,
    callers: strings(o.callers),
    threads: strings(o.threads),
  };
}

const SEVERITIES: readonly Severity[] = ['info', 'warning', 'critical'];

function finding(v: unknown): Finding | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const id = str(o.id, 200);
  const title = str(o.title, 1000);
  if (!id || title === null) return null;
  const severity = SEVERITIES.includes(o.severity as Severity) ? (o.severity as Severity) : 'info';
  return {
    id,
    severity,
    title,
    evidence: strings(o.evidence, 50, 2000),
    fixes: strings(o.fixes, 20, 100),
    verify: str(o.verify, 4000) ?? '',
    symbols: strings(o.symbols, MAX_LIST, 16_384),
  };
}

/** A checked copy of the params, or a message saying what is wrong. */
export function validateProfileParams(v: unknown): ProfileNotificationParams | string {
  if (typeof v !== 'object' || v === null) return 'perfLens/profile: params must be an object';
  const o = v as Record<string, unknown>;
  if (!Array.isArray(o.hotspots)) return 'perfLens/profile: hotspots must be an array';
  if (!Array.isArray(o.findings)) return 'perfLens/profile: findings must be an array';
  const hotspots = o.hotspots
    .slice(0, MAX_HOTSPOTS)
    .map(hotspot)
    .filter((h): h is Hotspot => h !== null);
  const findings = o.findings
    .slice(0, MAX_FINDINGS)
    .map(finding)
    .filter((f): f is Finding => f !== null);
  const pathMap = Array.isArray(o.pathMap)
    ? o.pathMap
        .slice(0, 50)
        .map((e) => (typeof e === 'object' && e !== null ? (e as Record<string, unknown>) : {}))
        .filter((e) => typeof e.from === 'string' && typeof e.to === 'string')
        .map((e) => ({ from: String(e.from).slice(0, 4096), to: String(e.to).slice(0, 4096) }))
    : undefined;
  return {
    profileId: str(o.profileId, 500) ?? '',
    label: str(o.label, 500) ?? '',
    hotspots,
    findings,
    verdictKind: str(o.verdictKind, 50) ?? 'unknown',
    ...(pathMap ? { pathMap } : {}),
  };
}

/** The annotate/server view of a saved Profile document (`perf-lens/profile@1`), or a message. */
export function profileToParams(v: unknown, profileId = ''): ProfileNotificationParams | string {
  if (typeof v !== 'object' || v === null) return 'not a Perf Lens profile (expected a JSON object)';
  const o = v as Record<string, unknown>;
  if (o.schema !== 'perf-lens/profile@1') {
    return `not a Perf Lens profile (schema ${JSON.stringify(o.schema ?? null).slice(0, 80)}, expected "perf-lens/profile@1")`;
  }
  const verdict = typeof o.verdict === 'object' && o.verdict !== null ? (o.verdict as Record<string, unknown>) : {};
  const target = typeof o.target === 'object' && o.target !== null ? (o.target as Record<string, unknown>) : {};
  const label = [target.command, target.pid].filter((x) => typeof x === 'string' || typeof x === 'number').join(' ');
  return validateProfileParams({
    profileId,
    label,
    hotspots: o.hotspots,
    findings: o.findings,
    verdictKind: verdict.kind,
  });
}
