/**
 * CPU lists as the kernel prints them (`Cpus_allowed_list: 0-3,8`, /sys/devices/system/cpu/online) and as
 * `perf record -C` takes them.
 */

/** The largest CPU number accepted; a list naming more is treated as unreadable, not expanded. */
const MAX_CPU = 8191;

/** `0-3,8` → [0,1,2,3,8] (sorted, unique); null when the text is not such a list. */
export function parseCpuList(text: string): number[] | null {
  const t = text.trim();
  if (!/^\d+(-\d+)?(,\d+(-\d+)?)*$/.test(t)) return null;
  const out = new Set<number>();
  for (const part of t.split(',')) {
    const [a, b = a] = part.split('-').map(Number);
    if (b < a || b > MAX_CPU) return null;
    for (let c = a; c <= b; c++) out.add(c);
  }
  return [...out].sort((x, y) => x - y);
}

/** [0,1,2,3,8] → `0-3,8`. */
export function formatCpuList(cpus: readonly number[]): string {
  const sorted = [...new Set(cpus)].sort((x, y) => x - y);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j + 1;
  }
  return parts.join(',');
}

/**
 * The union of threads' `Cpus_allowed_list:` lines (as /proc/PID/task/TID/status prints them); null when there
 * is none or one is unreadable (a union that misses a thread could be too small).
 */
export function allowedCpusOf(statusLines: readonly string[]): number[] | null {
  const lists = statusLines.map((l) => parseCpuList(l.replace(/^Cpus_allowed_list:/, '')));
  if (lists.length === 0 || lists.some((l) => l === null)) return null;
  return [...new Set((lists as number[][]).flat())].sort((a, b) => a - b);
}

/**
 * The CPUs a CPU-wide recording should cover: those the target's threads may run on, when that is fewer than
 * the online CPUs (a pinned server, a cpuset); null for all of them (`-a`).
 */
export function sampledCpus(allowed: readonly number[] | null, online: readonly number[] | null): number[] | null {
  if (!allowed || !online || allowed.length === 0) return null;
  const on = new Set(online);
  const inside = allowed.filter((c) => on.has(c));
  return inside.length > 0 && inside.length < on.size ? inside : null;
}
