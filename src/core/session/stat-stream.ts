/**
 * `perf stat -I 1000 -x,` lines as they stream in: counts per event summed over the intervals seen so far,
 * so a session that is cancelled or whose target exits still has rates over the time it did count.
 * Line shape: `TIME,COUNT,UNIT,EVENT,RUNTIME,PCT,…`; COUNT may be `<not counted>` (the task did not run
 * in that interval: zero) or `<not supported>`.
 */
export interface StatTotals {
  /** Event → total count over the intervals seen. */
  counts: Map<string, number>;
  /** Events perf could not count at all. */
  unsupported: Set<string>;
  /** Seconds covered (the last interval's time stamp). */
  seconds: number;
  intervals: number;
}

export class StatStream {
  private readonly totals: StatTotals = { counts: new Map(), unsupported: new Set(), seconds: 0, intervals: 0 };
  private lastTime = -1;
  /** Lines that did not look like interval CSV (kept few, for an error message). */
  readonly unexpected: string[] = [];

  push(line: string): void {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const f = trimmed.split(',');
    const time = Number(f[0]);
    if (f.length < 4 || !Number.isFinite(time) || f[3] === '') {
      if (this.unexpected.length < 5) this.unexpected.push(line.slice(0, 200));
      return;
    }
    const event = f[3];
    if (time !== this.lastTime) {
      this.lastTime = time;
      this.totals.intervals++;
      this.totals.seconds = time;
    }
    if (f[1] === '<not supported>') {
      this.totals.unsupported.add(event);
      return;
    }
    const count = f[1] === '<not counted>' ? 0 : Number(f[1]);
    if (!Number.isFinite(count)) {
      if (this.unexpected.length < 5) this.unexpected.push(line.slice(0, 200));
      return;
    }
    this.totals.counts.set(event, (this.totals.counts.get(event) ?? 0) + count);
  }

  result(): StatTotals {
    return { ...this.totals, counts: new Map(this.totals.counts), unsupported: new Set(this.totals.unsupported) };
  }

  perSecond(event: string): number | null {
    const c = this.totals.counts.get(event);
    if (c === undefined || this.totals.seconds <= 0) return null;
    return Math.round((c / this.totals.seconds) * 10) / 10;
  }
}
