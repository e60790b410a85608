/** wrk's report: requests per second (the throughput a profile is compared by) and the latency summary. */
import { LineContext, linesOf, parseDecimal } from './lines';

export interface WrkResult {
  requestsPerSecond: number;
  requests: number | null;
  seconds: number | null;
  /** Mean latency, ms. */
  latencyMeanMs: number | null;
  /** Latency percentiles (from --latency), ms. */
  percentilesMs: Record<string, number>;
}

const UNIT_MS: Record<string, number> = { us: 1e-3, ms: 1, s: 1000, m: 60_000 };

export function parseWrk(text: string): WrkResult {
  const ctx = new LineContext('wrk');
  let rps: number | null = null;
  let requests: number | null = null;
  let seconds: number | null = null;
  let latency: number | null = null;
  const percentiles: Record<string, number> = {};
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Requests\/sec:\s+([\d.]+)$/.exec(t))) rps = parseDecimal(m[1]);
    else if ((m = /^(\d+) requests in ([\d.]+)(us|ms|s|m),/.exec(t))) {
      requests = Number(m[1]);
      seconds = (Number(m[2]) * UNIT_MS[m[3]]) / 1000;
    } else if ((m = /^Latency\s+([\d.]+)(us|ms|s|m)\s/.exec(t))) latency = Number(m[1]) * UNIT_MS[m[2]];
    else if ((m = /^(\d+(?:\.\d+)?%)\s+([\d.]+)(us|ms|s|m)$/.exec(t))) percentiles[m[1]] = Number(m[2]) * UNIT_MS[m[3]];
  }
  if (rps === null) throw ctx.inputError('a wrk report with a `Requests/sec:` line');
  return { requestsPerSecond: rps, requests, seconds, latencyMeanMs: latency, percentilesMs: percentiles };
}
