/** Number formatting for evidence sentences: stable, locale-independent, with units. */

/** a / b, or null when the quotient is not a finite number (b zero, denormal, missing). */
export function ratio(a: number | null, b: number | null): number | null {
  if (a === null || b === null || b === 0) return null;
  const q = a / b;
  return Number.isFinite(q) ? q : null;
}

/** 37777.35 → "37,777"; 0.594 → "0.59"; 12.345 → "12.3". */
export function num(value: number): string {
  if (!Number.isFinite(value)) return '?';
  const abs = Math.abs(value);
  if (abs >= 100) return groupThousands(Math.round(value));
  if (abs >= 10) return trimZeros(value.toFixed(1));
  if (abs >= 1) return trimZeros(value.toFixed(2));
  if (abs === 0) return '0';
  return trimZeros(value.toPrecision(2));
}

/** A percentage: 12.345 → "12.3%". */
export function pct(value: number): string {
  return `${num(value)}%`;
}

/** A rate: 22331 → "22,331/s". */
export function rate(value: number): string {
  return `${num(value)}/s`;
}

/** Cores: 0.512 → "0.51". */
export function cores(value: number): string {
  return value >= 10 ? value.toFixed(1) : trimZeros(value.toFixed(2));
}

/** "0.51 of 2 cores", "0.9 of one core". */
export function coresOf(used: number, available: number | null): string {
  if (available === null) return `${cores(used)} of a core (core count unknown)`;
  return `${cores(used)} of ${available === 1 ? 'one core' : `${available} cores`}`;
}

/** Signed points: -9.2 → "−9.2 points". */
export function points(delta: number): string {
  const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
  const abs = Math.abs(delta);
  return `${sign}${abs >= 100 ? num(abs) : trimZeros(abs.toFixed(1))} points`;
}

function groupThousands(n: number): string {
  const sign = n < 0 ? '-' : '';
  const digits = String(Math.abs(n));
  return sign + digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

function trimZeros(s: string): string {
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
}
