/**
 * Network counters for the Profile: kernel counters (nstat / netstat -s) as deltas between two snapshots
 * (or absolute when only one exists), plus softirq NET_RX/NET_TX deltas and NIC drops.
 */
import type { NetworkCounters } from '../profile';
import type { Counters } from './nstat';
import { softirqDelta, type Softirqs } from './softirqs';

/** Counters worth showing besides the named fields (nstat names). */
export const EXTRA_COUNTERS = [
  'TcpExtPruneCalled',
  'TcpExtOfoPruned',
  'TcpExtTCPRcvCollapsed',
  'TcpExtTCPRcvQDrop',
  'TcpExtTCPOFODrop',
  'TcpExtTCPAbortOnMemory',
  'TcpExtTCPSynRetrans',
  'TcpExtTCPLostRetransmit',
  'TcpExtTCPFastRetrans',
  'TcpExtTCPSlowStartRetrans',
  'TcpExtTCPZeroWindowDrop',
  'TcpEstabResets',
  'TcpOutRsts',
  'TcpAttemptFails',
  'TcpInErrs',
  'IpInDiscards',
  'UdpRcvbufErrors',
  'UdpSndbufErrors',
  'UdpInErrors',
] as const;

/**
 * NetworkCounters from kernel counters. With `before`, values are `after - before` (`kind: 'delta'`); a
 * counter missing from the input is null, never 0.
 */
export function networkFromCounters(
  after: Counters,
  before: Counters | null,
  seconds: number | null,
  source: string,
): NetworkCounters {
  const get = (name: string): number | null => {
    const b = after.get(name);
    if (b === undefined) return null;
    if (!before) return b;
    const a = before.get(name);
    return a === undefined ? null : Math.max(0, b - a);
  };
  const other: Record<string, number> = {};
  for (const name of EXTRA_COUNTERS) {
    const v = get(name);
    if (v !== null) other[name] = v;
  }
  return {
    kind: before ? 'delta' : 'snapshot',
    seconds: before ? seconds : null,
    retransSegs: get('TcpRetransSegs'),
    listenOverflows: get('TcpExtListenOverflows'),
    listenDrops: get('TcpExtListenDrops'),
    tcpBacklogDrop: get('TcpExtTCPBacklogDrop'),
    rcvPruned: get('TcpExtRcvPruned'),
    tcpTimeouts: get('TcpExtTCPTimeouts'),
    activeOpens: get('TcpActiveOpens'),
    passiveOpens: get('TcpPassiveOpens'),
    inSegs: get('TcpInSegs'),
    outSegs: get('TcpOutSegs'),
    nicDrops: {},
    softirqNetRx: null,
    softirqNetTx: null,
    other,
    source,
  };
}

/** An empty NetworkCounters to hang softirq or NIC data on when there are no kernel counters. */
export function emptyNetwork(source: string): NetworkCounters {
  return {
    kind: 'snapshot',
    seconds: null,
    retransSegs: null,
    listenOverflows: null,
    listenDrops: null,
    tcpBacklogDrop: null,
    rcvPruned: null,
    tcpTimeouts: null,
    activeOpens: null,
    passiveOpens: null,
    inSegs: null,
    outSegs: null,
    nicDrops: {},
    softirqNetRx: null,
    softirqNetTx: null,
    other: {},
    source,
  };
}

export function addSoftirqs(net: NetworkCounters, before: Softirqs, after: Softirqs, source: string): void {
  net.softirqNetRx = softirqDelta(before, after, 'NET_RX');
  net.softirqNetTx = softirqDelta(before, after, 'NET_TX');
  net.source = net.source ? `${net.source}; ${source}` : source;
}

/** Order two snapshots by a monotonic total: returns [older, newer]. */
export function orderSnapshots<T>(a: T, b: T, total: (x: T) => number): [T, T] {
  return total(a) <= total(b) ? [a, b] : [b, a];
}

export function countersTotal(c: Counters): number {
  let t = 0;
  for (const v of c.values()) t += v;
  return t;
}
