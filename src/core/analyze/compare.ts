/**
 * compare(before, after): what changed between two profiles — the before/after view of a fix, or "my
 * server vs a peer's". Pure. Missing numbers on either side give `null` deltas, never zeros.
 */
import type { Profile } from '../profile';
import type { Comparison, MetricDelta, SymbolDelta } from './compare-types';
import { deriveFacts, type Facts } from './facts';
import { num, points } from './format';
import { displayName } from './patterns';

/** Changes smaller than this (percent of before) count as no change. */
const NOISE_PERCENT = 1;
/** CPU changes smaller than this (percentage points) count as no change. */
const NOISE_POINTS = 0.5;

type Direction = 'lower' | 'higher';

interface MetricSpec {
  id: string;
  label: string;
  unit: string;
  /** Which way is better. */
  better: Direction;
  /** Percentages compare in points, rates in percent. */
  kind: 'points' | 'rate';
  get(f: Facts, p: Profile): number | null;
}

const METRICS: MetricSpec[] = [
  {
    id: 'requestsPerSecond',
    label: 'requests/s',
    unit: '/s',
    better: 'higher',
    kind: 'rate',
    get: (f) => f.requestsPerSecond,
  },
  {
    id: 'cpuPerRequest',
    label: 'CPU per request',
    unit: 'µs',
    better: 'lower',
    kind: 'rate',
    get: (f) => (f.procCpu !== null && f.requestsPerSecond ? (f.procCpu / 100) * (1e6 / f.requestsPerSecond) : null),
  },
  {
    id: 'processCpu',
    label: 'process CPU',
    unit: '% of one core',
    better: 'lower',
    kind: 'points',
    get: (f) => f.procCpu,
  },
  { id: 'usr', label: 'user time', unit: '% of one core', better: 'lower', kind: 'points', get: (f) => f.procUsr },
  { id: 'sys', label: 'system time', unit: '% of one core', better: 'lower', kind: 'points', get: (f) => f.procSys },
  {
    id: 'iowait',
    label: 'host iowait',
    unit: '% of all CPUs',
    better: 'lower',
    kind: 'points',
    get: (f) => f.hostIowait,
  },
  {
    id: 'syscallsPerSecond',
    label: 'syscalls/s',
    unit: '/s',
    better: 'lower',
    kind: 'rate',
    get: (f) => f.syscallsTotal,
  },
  {
    id: 'ioUringEnterPerSecond',
    label: 'io_uring_enter/s',
    unit: '/s',
    better: 'lower',
    kind: 'rate',
    get: (f) => f.ioUringEnter,
  },
  {
    id: 'eventfdWritesPerSecond',
    label: 'eventfd writes/s',
    unit: '/s',
    better: 'lower',
    kind: 'rate',
    get: (f) => f.eventfdWrites,
  },
  {
    id: 'contextSwitchesPerSecond',
    label: 'context switches/s',
    unit: '/s',
    better: 'lower',
    kind: 'rate',
    get: (_f, p) => contextSwitches(p),
  },
];

function contextSwitches(p: Profile): number | null {
  const cs = p.contextSwitches;
  if (cs && cs.totalPerSecond !== undefined && cs.totalPerSecond !== null) return cs.totalPerSecond;
  if (cs && cs.voluntaryPerSecond !== null) return cs.voluntaryPerSecond + (cs.involuntaryPerSecond ?? 0);
  const known = p.threads.filter((t) => t.cswch !== null || t.nvcswch !== null);
  if (known.length === 0) return null;
  return known.reduce((s, t) => s + (t.cswch ?? 0) + (t.nvcswch ?? 0), 0);
}

function delta(spec: MetricSpec, before: number | null, after: number | null): MetricDelta {
  const d = before !== null && after !== null ? after - before : null;
  const raw = d !== null && before !== null && before !== 0 ? (100 * d) / Math.abs(before) : null;
  // A denormal "before" would make the ratio infinite: no meaningful percentage then.
  const percent = raw !== null && Number.isFinite(raw) ? raw : null;
  let better: boolean | null = null;
  if (d !== null) {
    const significant =
      spec.kind === 'points'
        ? Math.abs(d) >= NOISE_POINTS
        : percent === null
          ? d !== 0
          : Math.abs(percent) >= NOISE_PERCENT;
    if (significant) better = spec.better === 'lower' ? d < 0 : d > 0;
  }
  return { id: spec.id, label: spec.label, unit: spec.unit, before, after, delta: d, percent, better };
}

function selfBySymbol(p: Profile): Map<string, number> {
  const m = new Map<string, number>();
  for (const h of p.hotspots) {
    const name = displayName(h.symbol);
    m.set(name, (m.get(name) ?? 0) + h.self);
  }
  return m;
}

function symbolDeltas(before: Profile, after: Profile, limit = 5): { gained: SymbolDelta[]; lost: SymbolDelta[] } {
  const a = selfBySymbol(before);
  const b = selfBySymbol(after);
  const all: Array<SymbolDelta & { change: number }> = [];
  for (const symbol of new Set([...a.keys(), ...b.keys()])) {
    const x = a.get(symbol) ?? null;
    const y = b.get(symbol) ?? null;
    const change = (y ?? 0) - (x ?? 0);
    if (Math.abs(change) < 0.1) continue;
    all.push({ symbol, before: x, after: y, change });
  }
  const strip = ({ symbol, before: x, after: y }: SymbolDelta) => ({ symbol, before: x, after: y });
  const gained = all
    .filter((s) => s.change > 0)
    .sort((p, q) => q.change - p.change)
    .slice(0, limit)
    .map(strip);
  const lost = all
    .filter((s) => s.change < 0)
    .sort((p, q) => p.change - q.change)
    .slice(0, limit)
    .map(strip);
  return { gained, lost };
}

function phrase(m: MetricDelta): string | null {
  if (m.delta === null || m.better === null) return null;
  if (m.unit.startsWith('%')) return `${m.label} ${points(m.delta)}`;
  if (m.percent === null) return `${m.label} ${m.delta > 0 ? 'appeared' : 'vanished'}`;
  return `${m.label} ${m.percent < 0 ? 'fell' : 'rose'} ${num(Math.abs(m.percent))}%`;
}

function summarise(metrics: MetricDelta[], verdictBefore: string, verdictAfter: string): string {
  const byId = new Map(metrics.map((m) => [m.id, m]));
  const parts: string[] = [];
  const rates = metrics
    .filter((m) =>
      ['eventfdWritesPerSecond', 'ioUringEnterPerSecond', 'syscallsPerSecond', 'contextSwitchesPerSecond'].includes(
        m.id,
      ),
    )
    .filter((m) => m.percent !== null && Math.abs(m.percent) >= 10)
    .sort((x, y) => Math.abs(y.percent as number) - Math.abs(x.percent as number))
    .slice(0, 2);
  for (const m of rates) parts.push(phrase(m) as string);
  const sys = byId.get('sys');
  if (sys && sys.delta !== null && Math.abs(sys.delta) >= 1) parts.push(phrase(sys) as string);
  const rps = byId.get('requestsPerSecond');
  if (rps && rps.delta !== null) parts.push(rps.better !== null ? (phrase(rps) as string) : 'requests/s unchanged');
  if (verdictBefore !== verdictAfter) parts.push(`verdict ${verdictBefore} → ${verdictAfter}`);
  if (parts.length === 0) {
    const any = metrics.some((m) => m.delta !== null);
    return any
      ? 'No significant change in the measured numbers.'
      : 'Nothing to compare: the two profiles share no measured numbers.';
  }
  const text = parts.join(', ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export function compare(before: Profile, after: Profile): Comparison {
  const fb = deriveFacts(before);
  const fa = deriveFacts(after);
  const metrics = METRICS.map((spec) => delta(spec, spec.get(fb, before), spec.get(fa, after)));
  const { gained, lost } = symbolDeltas(before, after);
  const verdictBefore = before.verdict?.kind ?? 'unknown';
  const verdictAfter = after.verdict?.kind ?? 'unknown';
  return {
    summary: summarise(metrics, verdictBefore, verdictAfter),
    metrics,
    gained,
    lost,
    verdictBefore,
    verdictAfter,
  };
}
