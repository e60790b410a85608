/**
 * NIC drop counters: `ethtool -S IFACE` (driver statistics) and `ip -s -s link` (kernel per-interface
 * statistics, every interface at once).
 */
import { checkToolPath } from './argv';
import { LineContext, linesOf, tokens } from './lines';

export function ethtoolStatsArgv(o: { iface: string; toolPath?: string }): string[] {
  if (!/^[A-Za-z0-9_.:@-]{1,15}$/.test(o.iface) || o.iface.startsWith('-'))
    throw new TypeError(`bad interface ${o.iface}`);
  return [checkToolPath(o.toolPath, 'ethtool'), '-S', o.iface];
}

export function ipLinkStatsArgv(o: { toolPath?: string } = {}): string[] {
  return [checkToolPath(o.toolPath, 'ip'), '-s', '-s', 'link'];
}

export interface EthtoolStats {
  counters: Map<string, number>;
  /** Sum of the driver's drop/miss counters (whole-device ones; per-queue ones only when there are no totals). */
  drops: number;
}

// XDP drops are a program's verdict, not a lost packet.
const DROPISH = /(drop|discard|missed|no_buffer|nobuf|fifo_err|over_err)/i;

export function parseEthtoolStats(text: string): EthtoolStats {
  const ctx = new LineContext('ethtool -S');
  const counters = new Map<string, number>();
  let sawHeader = false;
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    if (t === '') continue;
    if (t === 'NIC statistics:') {
      sawHeader = true;
      continue;
    }
    if (/^no stats available/.test(t))
      throw ctx.error('driver statistics (this interface has none: try `ip -s -s link`)');
    const m = /^([^:]+):\s*(-?\d+)$/.exec(t);
    if (!m || !sawHeader) throw ctx.error('`NIC statistics:` then `name: value` lines');
    counters.set(m[1].trim(), Number(m[2]));
  }
  if (!sawHeader) throw ctx.inputError('ethtool -S output (`NIC statistics:`)');
  const dropNames = [...counters.keys()].filter((k) => DROPISH.test(k) && !/xdp/i.test(k));
  const perQueue = (k: string) => /^(rx|tx)(_queue_|q)?\d+_|^queue_\d+_|_q\d+_/i.test(k);
  const totals = dropNames.filter((k) => !perQueue(k));
  const chosen = totals.length > 0 ? totals : dropNames;
  return { counters, drops: chosen.reduce((s, k) => s + Math.max(0, counters.get(k)!), 0) };
}

export interface IpLinkStats {
  name: string;
  rxPackets: number;
  rxErrors: number;
  rxDropped: number;
  rxMissed: number | null;
  txPackets: number;
  txErrors: number;
  txDropped: number;
}

export function parseIpLinkStats(text: string): IpLinkStats[] {
  const ctx = new LineContext('ip -s -s link');
  const out: IpLinkStats[] = [];
  let cur: IpLinkStats | null = null;
  let pending: { dir: 'RX' | 'TX'; cols: string[] } | null = null;
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    if (t === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^\d+: ([^:@\s]+)(?:@[^:\s]+)?: </.exec(line))) {
      cur = {
        name: m[1],
        rxPackets: 0,
        rxErrors: 0,
        rxDropped: 0,
        rxMissed: null,
        txPackets: 0,
        txErrors: 0,
        txDropped: 0,
      };
      out.push(cur);
      pending = null;
      continue;
    }
    if (!cur) throw ctx.error('an interface line (`1: lo: <…>`) first');
    if ((m = /^(RX|TX):\s+(.*)$/.exec(t))) {
      pending = { dir: m[1] as 'RX' | 'TX', cols: tokens(m[2]) };
      continue;
    }
    if (/^(RX|TX) errors:/.test(t) || t.startsWith('link/') || t.startsWith('alias ') || /^[a-z]/.test(t)) {
      pending = null;
      continue;
    }
    if (pending && /^[\d\s]+$/.test(t)) {
      const v = tokens(t).map((x) => Number(x));
      const get = (name: string) => {
        const i = pending!.cols.indexOf(name);
        return i === -1 || v[i] === undefined ? null : v[i];
      };
      if (pending.dir === 'RX') {
        cur.rxPackets = get('packets') ?? 0;
        cur.rxErrors = get('errors') ?? 0;
        cur.rxDropped = get('dropped') ?? 0;
        cur.rxMissed = get('missed');
      } else {
        cur.txPackets = get('packets') ?? 0;
        cur.txErrors = get('errors') ?? 0;
        cur.txDropped = get('dropped') ?? 0;
      }
      pending = null;
      continue;
    }
    if (/^[\d\s]+$/.test(t)) continue; // values of an `RX errors:` table
    throw ctx.error('ip -s -s link statistics lines');
  }
  if (out.length === 0) throw ctx.inputError('ip -s -s link output (interfaces with RX/TX statistics)');
  return out;
}

export function ipLinkDrops(s: IpLinkStats): number {
  return s.rxDropped + (s.rxMissed ?? 0) + s.txDropped;
}
