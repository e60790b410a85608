/** Pieces shared by the sysstat parsers (pidstat, mpstat): the banner line and the leading time of a row. */

export interface SysstatHostInfo {
  kernel: string | null;
  hostname: string | null;
  cores: number | null;
}

/** Parses the sysstat banner `Linux 6.1.0 (host) \t2026-11-26 \t_x86_64_\t(2 CPU)`. */
export function parseSysstatBanner(line: string): SysstatHostInfo | null {
  const m = /^(\S+)\s+(\S+)\s+\(([^)]*)\)\s+.*\((\d+) CPU\)\s*$/.exec(line);
  if (!m) return null;
  return { kernel: m[2], hostname: m[3], cores: Number(m[4]) };
}

/**
 * Splits the leading time off a row: `11:23:22`, `11:23:27 AM` (or another locale's marker after the time),
 * `Average:` / `Durchschn.:`. Returns null when the row does not start with one. `isValue` says whether the
 * token after the time is the first value (a user name, mpstat's `all`) rather than an AM/PM marker.
 */
export function splitTime(
  t: string[],
  isValue: (token: string) => boolean = () => false,
): { time: string | null; rest: string[] } {
  const first = t[0];
  if (first === undefined) return { time: null, rest: t };
  if (/^\d{1,2}:\d{2}(:\d{2})?$/.test(first)) {
    const second = t[1];
    if (second !== undefined && !isValue(second) && /^[^\d\s-][^\s]*$/.test(second) && !/\d/.test(second)) {
      return { time: `${first} ${second}`, rest: t.slice(2) };
    }
    return { time: first, rest: t.slice(1) };
  }
  if (first.endsWith(':') && !/\d/.test(first) && first.length > 1) return { time: first, rest: t.slice(1) };
  return { time: null, rest: t };
}
