/** /proc/softirqs: per-CPU counts of each softirq; two snapshots give NET_RX / NET_TX per second. */
import { LineContext, linesOf, tokens } from './lines';

export function softirqsArgv(): string[] {
  return ['cat', '/proc/softirqs'];
}

/** Softirq name (`NET_RX`) → count per CPU. */
export interface Softirqs {
  cpus: number;
  counts: Map<string, number[]>;
}

export function parseSoftirqs(text: string): Softirqs {
  const ctx = new LineContext('/proc/softirqs');
  let cpus = 0;
  const counts = new Map<string, number[]>();
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = tokens(line);
    if (t.length === 0) continue;
    if (cpus === 0) {
      if (!t.every((x) => /^CPU\d+$/.test(x))) throw ctx.error('the `CPU0 CPU1 …` header of /proc/softirqs');
      cpus = t.length;
      continue;
    }
    const m = /^([A-Z_]+):$/.exec(t[0]);
    if (!m || t.length !== cpus + 1) throw ctx.error(`\`NAME: \` followed by ${cpus} per-CPU counts`);
    counts.set(
      m[1],
      t.slice(1).map((v, i) => ctx.count(v, `CPU${i}`)),
    );
  }
  if (cpus === 0 || counts.size === 0) throw ctx.inputError('/proc/softirqs (a CPU header and NAME: rows)');
  return { cpus, counts };
}

/** Total (all CPUs) increase of one softirq between two snapshots. */
export function softirqDelta(a: Softirqs, b: Softirqs, name: string): number | null {
  const x = a.counts.get(name);
  const y = b.counts.get(name);
  if (!x || !y) return null;
  const sum = (v: number[]) => v.reduce((s, n) => s + n, 0);
  return Math.max(0, sum(y) - sum(x));
}

/** Sum of every softirq count (a monotonic total, to tell which of two snapshots is older). */
export function softirqTotal(s: Softirqs): number {
  let t = 0;
  for (const v of s.counts.values()) for (const n of v) t += n;
  return t;
}
