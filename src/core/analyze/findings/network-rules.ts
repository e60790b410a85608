/** Findings from the kernel's network counters (nstat/netstat deltas, ethtool/sysfs NIC drops). */
import { num, pct, rate, ratio } from '../format';
import { sourceLabel } from '../facts';
import { THRESHOLDS as T } from '../thresholds';
import type { Rule } from './types';

/** The tool behind the TCP counters (nstat or netstat), out of all the network sources. */
function counterSource(f: Parameters<Rule>[0], source: string): string {
  const labels = sourceLabel(f.profile, source, 'nstat').split(', ');
  return labels.find((l) => /nstat|netstat/.test(l)) ?? labels[0];
}

const over = (n: { kind: 'delta' | 'snapshot'; seconds: number | null }) =>
  n.kind === 'delta'
    ? n.seconds
      ? ` over ${num(n.seconds)} s`
      : ' during the session'
    : ' since boot (one snapshot, not a delta)';

export const tcpRetransmits: Rule = (f) => {
  const n = f.profile.network;
  if (!n || n.retransSegs === null || n.retransSegs < T.RETRANS_MIN_SEGMENTS) return null;
  const source = counterSource(f, n.source);
  const percent = ratio(100 * n.retransSegs, n.outSegs);
  if (percent === null || percent < T.RETRANS_PERCENT_WARN) return null;
  const evidence = [
    `TcpRetransSegs: ${num(n.retransSegs)} segments retransmitted${over(n)}, ${pct(percent)} of ${num(n.outSegs ?? 0)} segments sent (${source}).`,
  ];
  const perSecond = ratio(n.retransSegs, n.seconds);
  if (perSecond !== null) evidence.push(`That is ${rate(perSecond)} retransmissions (${source}).`);
  if (n.tcpTimeouts) evidence.push(`TCPTimeouts: ${num(n.tcpTimeouts)} retransmission timeouts (${source}).`);
  return {
    id: 'tcp-retransmits',
    severity: percent >= T.RETRANS_PERCENT_CRITICAL ? 'critical' : 'warning',
    title: `TCP retransmits: ${pct(percent)} of segments`,
    evidence,
    fixes: ['tune-tcp-buffers'],
    verify:
      'Find where packets are lost: `ss -tin` shows retrans per connection, NIC and socket drop counters show local drops; loss outside this host (network, peer) is not fixed by code changes.',
    symbols: [],
  };
};

export const socketBufferOverflow: Rule = (f) => {
  const n = f.profile.network;
  if (!n) return null;
  const counters: Array<[string, number | null]> = [
    ['ListenOverflows', n.listenOverflows],
    ['ListenDrops', n.listenDrops],
    ['TCPBacklogDrop', n.tcpBacklogDrop],
    ['RcvPruned', n.rcvPruned],
  ];
  for (const key of ['TCPRcvQDrop', 'TcpExtTCPRcvQDrop', 'TCPOFODrop', 'TcpExtTCPOFODrop']) {
    if (Object.hasOwn(n.other, key)) counters.push([key, n.other[key]]);
  }
  const hit = counters.filter(([, v]) => v !== null && v >= T.SOCKET_OVERFLOW_MIN) as Array<[string, number]>;
  if (hit.length === 0) return null;
  const source = counterSource(f, n.source);
  const listen = hit.some(([k]) => k.startsWith('Listen'));
  return {
    id: 'socket-buffer-overflow',
    severity: 'warning',
    title: listen ? 'Listen queue overflows: connections dropped before accept' : 'Socket receive queues overflow',
    evidence: hit.map(([k, v]) => `${k}: ${num(v)}${over(n)} (${source}).`),
    fixes: ['tune-tcp-buffers'],
    verify: listen
      ? 'Watch `ss -lnt` on the listening port: Recv-Q near Send-Q (the backlog) means accept() falls behind. Raise the backlog and net.core.somaxconn, or accept faster, and check the counters stop growing.'
      : 'Check `ss -tmi` for rb/rcvbuf near its limit on busy sockets; read faster or raise the buffers, then check the counters stop growing.',
    symbols: [],
  };
};

export const nicDrops: Rule = (f) => {
  const n = f.profile.network;
  if (!n) return null;
  const drops = Object.entries(n.nicDrops).filter(([, v]) => v >= T.NIC_DROPS_MIN);
  if (drops.length === 0) return null;
  // One source string may name several tools (nstat for the TCP counters, ethtool or ip for the NICs).
  const source = /ethtool/.test(n.source)
    ? 'ethtool -S'
    : /\bip\b.*\blink\b|statistics/.test(n.source)
      ? 'ip -s -s link'
      : 'ethtool -S';
  return {
    id: 'nic-drops',
    severity: 'warning',
    title: `NIC drops on ${drops.map(([k]) => k).join(', ')}`,
    evidence: drops.map(([iface, v]) => `${iface}: ${num(v)} packets dropped${over(n)} (${source}).`),
    fixes: ['tune-tcp-buffers'],
    verify:
      'Compare `ethtool -S IFACE` drop counters (rx_missed/rx_no_buffer/fifo) before and after a run; larger rings (`ethtool -G`), spreading interrupts over cores (RSS, irqbalance) or net.core.netdev_max_backlog address drops at the NIC.',
    symbols: [],
  };
};
