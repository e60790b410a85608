/** Number formatting for the panel: fixed locale so the report reads the same everywhere. */
const nf0 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const nf1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const nf2 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

export const isNum = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** `—` for missing values (null means "not measured", never zero). */
export const DASH = '—';

export function pct(v: number | null | undefined, digits = 1): string {
  if (!isNum(v)) return DASH;
  return `${digits === 1 ? nf1.format(v) : nf0.format(v)}%`;
}

export function num(v: number | null | undefined): string {
  if (!isNum(v)) return DASH;
  return Math.abs(v) >= 100 ? nf0.format(v) : nf2.format(v);
}

/** Rates: 86,446/s → "86.4K/s"; small ones keep their digits. */
export function rate(v: number | null | undefined, unit = '/s'): string {
  if (!isNum(v)) return DASH;
  const a = Math.abs(v);
  if (a >= 1e6) return `${nf1.format(v / 1e6)}M${unit}`;
  if (a >= 1e4) return `${nf1.format(v / 1e3)}K${unit}`;
  return `${a >= 100 ? nf0.format(v) : nf2.format(v)}${unit}`;
}

export function count(v: number | null | undefined): string {
  return isNum(v) ? nf0.format(v) : DASH;
}

export function signed(v: number | null | undefined, unit = ''): string {
  if (!isNum(v)) return DASH;
  return `${v > 0 ? '+' : v < 0 ? '−' : '±'}${num(Math.abs(v))}${unit}`;
}

export function seconds(v: number | null | undefined): string {
  if (!isNum(v)) return DASH;
  return v >= 100 ? `${nf0.format(v)} s` : `${nf2.format(v)} s`;
}

export function dateTime(iso: string | null | undefined): string {
  if (typeof iso !== 'string') return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, ' UTC');
}

/**
 * The tool's name from a source record ("perf stat --log-fd 1 -x , -e …" → "perf stat",
 * "/proc/PID/task/*\/status (…)" → "/proc/PID/task/*\/status"); the full text goes in a tooltip.
 */
export function toolName(source: string): string {
  const words = source.trim().split(/\s+/);
  const out: string[] = [];
  for (const w of words) {
    if (w.startsWith('-') || w.startsWith('(') || out.length === 2) break;
    out.push(w);
  }
  return (out.join(' ') || source).replace(/,$/, '');
}
