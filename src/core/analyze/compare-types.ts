/** Result of compare(before, after): what changed between two profiles. */
export interface MetricDelta {
  id: string;
  label: string;
  unit: string;
  before: number | null;
  after: number | null;
  /** after - before, null when either side is missing. */
  delta: number | null;
  /** Relative change in percent of `before`, null when before is 0 or missing. */
  percent: number | null;
  /** Whether the change is an improvement (null when it is neither, e.g. no change). */
  better: boolean | null;
}

export interface SymbolDelta {
  symbol: string;
  before: number | null;
  after: number | null;
}

export interface Comparison {
  summary: string;
  metrics: MetricDelta[];
  /** Hot symbols that appeared (or rose most) / disappeared (or fell most), by self %. */
  gained: SymbolDelta[];
  lost: SymbolDelta[];
  verdictBefore: string;
  verdictAfter: string;
}
