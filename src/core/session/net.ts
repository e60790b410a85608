/**
 * Network counters from /proc/PID/net/{snmp,netstat}, /proc/softirqs and NIC drop counters, taken before
 * and after the recording; their difference is the Profile's `network` block. Counter names follow
 * `nstat` (`TcpRetransSegs`, `TcpExtListenOverflows`, …).
 */
import type { NetworkCounters } from '../profile';
import { ParseError } from '../errors';

export interface NetSnapshot {
  counters: Map<string, number>;
  softirqNetRx: number | null;
  softirqNetTx: number | null;
  /** Interface → rx_dropped + tx_dropped. */
  nicDrops: Map<string, number>;
}

/** `Tcp: A B C` / `Tcp: 1 2 3` line pairs → TcpA=1, TcpB=2, TcpC=3 (nstat's names). */
export function parseSnmpPairs(lines: string[], source: string): Map<string, number> {
  const out = new Map<string, number>();
  for (let i = 0; i + 1 < lines.length; i += 2) {
    const names = lines[i].trim().split(/\s+/);
    const values = lines[i + 1].trim().split(/\s+/);
    const prefix = names[0];
    if (!prefix.endsWith(':') || values[0] !== prefix || names.length !== values.length) {
      throw new ParseError(source, i + 1, lines[i], 'pairs of "Proto: names" and "Proto: values" lines');
    }
    const proto = prefix.slice(0, -1);
    for (let j = 1; j < names.length; j++) {
      const v = Number(values[j]);
      if (Number.isFinite(v)) out.set(proto + names[j], v);
    }
  }
  return out;
}

/** Sections between `@net` and `@net-end` of the PREPARE / NET_SNAPSHOT scripts. */
export function parseNetSnapshot(sections: Map<string, string[]>): NetSnapshot {
  const counters = new Map<string, number>();
  for (const name of ['snmp', 'netstat']) {
    const lines = (sections.get(name) ?? []).filter((l) => l.trim() !== '');
    for (const [k, v] of parseSnmpPairs(lines, `/proc/net/${name}`)) counters.set(k, v);
  }
  let rx: number | null = null;
  let tx: number | null = null;
  for (const line of sections.get('softirqs') ?? []) {
    const m = /^\s*(NET_RX|NET_TX):\s+([\d\s]+)$/.exec(line);
    if (!m) continue;
    const sum = m[2]
      .trim()
      .split(/\s+/)
      .reduce((a, b) => a + Number(b), 0);
    if (m[1] === 'NET_RX') rx = sum;
    else tx = sum;
  }
  const nicDrops = new Map<string, number>();
  for (const line of sections.get('nic') ?? []) {
    const m = /^\/sys\/class\/net\/([^/]+)\/statistics\/[rt]x_dropped:(\d+)$/.exec(line);
    if (m) nicDrops.set(m[1], (nicDrops.get(m[1]) ?? 0) + Number(m[2]));
  }
  return { counters, softirqNetRx: rx, softirqNetTx: tx, nicDrops };
}

const NAMED: Array<[keyof NetworkCounters, string]> = [
  ['retransSegs', 'TcpRetransSegs'],
  ['listenOverflows', 'TcpExtListenOverflows'],
  ['listenDrops', 'TcpExtListenDrops'],
  ['tcpBacklogDrop', 'TcpExtTCPBacklogDrop'],
  ['rcvPruned', 'TcpExtRcvPruned'],
  ['tcpTimeouts', 'TcpExtTCPTimeouts'],
  ['activeOpens', 'TcpActiveOpens'],
  ['passiveOpens', 'TcpPassiveOpens'],
  ['inSegs', 'TcpInSegs'],
  ['outSegs', 'TcpOutSegs'],
];

/** Counters that only go up; a smaller "after" means a wrap or a reset, reported as null. */
const delta = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || b < a ? null : b - a;

export function diffNet(a: NetSnapshot, b: NetSnapshot, seconds: number | null, source: string): NetworkCounters {
  const out: NetworkCounters = {
    kind: 'delta',
    seconds,
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
    softirqNetRx: delta(a.softirqNetRx, b.softirqNetRx),
    softirqNetTx: delta(a.softirqNetTx, b.softirqNetTx),
    other: {},
    source,
  };
  const named = new Set<string>();
  for (const [field, name] of NAMED) {
    named.add(name);
    (out as unknown as Record<string, number | null>)[field] = delta(a.counters.get(name), b.counters.get(name));
  }
  for (const [name, after] of b.counters) {
    if (named.has(name)) continue;
    const d = delta(a.counters.get(name), after);
    // Only counters that moved: the Profile stays small and the interesting ones stand out.
    if (
      d !== null &&
      d > 0 &&
      !/^(Ip|Tcp|Udp)(Forwarding|DefaultTTL|RtoAlgorithm|RtoMin|RtoMax|MaxConn|CurrEstab)$/.test(name)
    ) {
      out.other[name] = d;
    }
  }
  for (const [iface, after] of b.nicDrops) {
    const d = delta(a.nicDrops.get(iface), after);
    if (d !== null) out.nicDrops[iface] = d;
  }
  return out;
}
