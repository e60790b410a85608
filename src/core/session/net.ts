/**
 * Network counters as the session reads them on the target, before and after the recording: the target's
 * /proc/PID/net/{snmp,netstat} (its own network namespace), /proc/softirqs and the NIC drop counters in
 * sysfs — plain files, so no tool is needed. Counter names follow `nstat` (`TcpRetransSegs`,
 * `TcpExtListenOverflows`, …), which is what the profile builder's network code expects.
 */
import { ParseError } from '../errors';
import type { Counters } from '../collect/nstat';
import { parseSoftirqs, type Softirqs } from '../collect/softirqs';

export interface NetSnapshot {
  counters: Counters;
  softirqs: Softirqs | null;
  /** Interface → rx_dropped + tx_dropped. */
  nicDrops: Map<string, number>;
}

/** `Tcp: A B C` / `Tcp: 1 2 3` line pairs → TcpA=1, TcpB=2, TcpC=3 (nstat's names). */
export function parseSnmpPairs(lines: string[], source: string): Counters {
  const out: Counters = new Map();
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

/** The `@snmp`, `@netstat`, `@softirqs`, `@nic` sections of the PREPARE / NET_SNAPSHOT scripts. */
export function parseNetSnapshot(sections: Map<string, string[]>): NetSnapshot {
  const counters: Counters = new Map();
  for (const name of ['snmp', 'netstat']) {
    const lines = (sections.get(name) ?? []).filter((l) => l.trim() !== '');
    for (const [k, v] of parseSnmpPairs(lines, `/proc/net/${name}`)) counters.set(k, v);
  }
  if (counters.size === 0) throw new ParseError('/proc/net/snmp', null, null, 'TCP/IP counters');
  const softText = (sections.get('softirqs') ?? []).join('\n');
  const softirqs = softText.trim() === '' ? null : parseSoftirqs(softText);
  const nicDrops = new Map<string, number>();
  for (const line of sections.get('nic') ?? []) {
    const m = /^\/sys\/class\/net\/([^/]+)\/statistics\/[rt]x_dropped:(\d+)$/.exec(line);
    if (m) nicDrops.set(m[1], (nicDrops.get(m[1]) ?? 0) + Number(m[2]));
  }
  return { counters, softirqs, nicDrops };
}

/** Drops per interface during the window (interfaces present in both snapshots). */
export function nicDropDeltas(a: NetSnapshot, b: NetSnapshot): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [iface, after] of b.nicDrops) {
    const before = a.nicDrops.get(iface);
    if (before !== undefined && after >= before) out[iface] = after - before;
  }
  return out;
}
