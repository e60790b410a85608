/** Small statistics and formatting helpers for benchmark results. */

export interface Stat {
  median: number;
  /** Every run, in the order measured. */
  runs: number[];
}

export function median(values: number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

export function stat(runs: number[]): Stat {
  return { median: median(runs), runs: [...runs] };
}

/** Digits that keep three significant figures without exponent notation. */
export function fmt(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  if (abs >= 1000) return Math.round(value).toLocaleString('en-US');
  if (abs >= 100) return value.toFixed(0);
  if (abs >= 10) return value.toFixed(1);
  if (abs >= 1) return value.toFixed(2);
  return value.toPrecision(2);
}

export function fmtWithUnit(value: number, unit: string): string {
  return unit === '' ? fmt(value) : `${fmt(value)} ${unit}`;
}

export const MiB = 1024 * 1024;
