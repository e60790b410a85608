/** `ss -s` (socket summary) and `ss -tin` (per-connection TCP internals: rtt, cwnd, retransmits, queues). */
import { checkToolPath } from './argv';
import { LineContext, linesOf, parseDecimal, tokens } from './lines';

export function ssSummaryArgv(o: { toolPath?: string } = {}): string[] {
  return [checkToolPath(o.toolPath, 'ss'), '-s'];
}

/** `ss -tin [sport = :PORT]`: TCP sockets, internal info, numeric. */
export function ssTcpInfoArgv(o: { toolPath?: string; port?: number } = {}): string[] {
  const argv = [checkToolPath(o.toolPath, 'ss'), '-tin'];
  if (o.port !== undefined) {
    if (!Number.isInteger(o.port) || o.port < 1 || o.port > 65535) throw new TypeError(`bad port ${o.port}`);
    argv.push(`sport = :${o.port}`);
  }
  return argv;
}

export interface SsSummary {
  total: number | null;
  tcp: { total: number; estab: number | null; closed: number | null; orphaned: number | null; timewait: number | null };
  /** Transport table rows (RAW, UDP, TCP, INET, FRAG) → totals. */
  transports: Record<string, { total: number; ip: number; ipv6: number }>;
}

export function parseSsSummary(text: string): SsSummary {
  const ctx = new LineContext('ss -s');
  let total: number | null = null;
  let tcp: SsSummary['tcp'] | null = null;
  const transports: SsSummary['transports'] = {};
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    if (t === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^Total: (\d+)/.exec(t))) total = Number(m[1]);
    else if ((m = /^TCP:\s+(\d+)(?: \((.*)\))?$/.exec(t))) {
      const fields = Object.fromEntries(
        (m[2] ?? '')
          .split(',')
          .map((kv) => kv.trim().split(/\s+/))
          .filter((kv) => kv.length === 2)
          .map(([k, v]) => [k, Number(v)]),
      );
      tcp = {
        total: Number(m[1]),
        estab: fields.estab ?? null,
        closed: fields.closed ?? null,
        orphaned: fields.orphaned ?? null,
        timewait: fields.timewait ?? null,
      };
    } else if (/^Transport\s+Total\s+IP\s+IPv6$/.test(t)) continue;
    else if ((m = /^([A-Z]+)\s+(\d+|-)\s+(\d+|-)\s+(\d+|-)$/.exec(t))) {
      const n = (v: string) => (v === '-' ? 0 : Number(v));
      transports[m[1]] = { total: n(m[2]), ip: n(m[3]), ipv6: n(m[4]) };
    } else throw ctx.error('an ss -s line (`Total:`, `TCP:`, or a transport row)');
  }
  if (tcp === null) throw ctx.inputError('the `TCP:` line of ss -s');
  return { total, tcp, transports };
}

export interface TcpConnection {
  state: string;
  recvQ: number;
  sendQ: number;
  local: string;
  peer: string;
  congestion: string | null;
  /** Smoothed RTT and its variation, ms. */
  rttMs: number | null;
  rttVarMs: number | null;
  minRttMs: number | null;
  cwnd: number | null;
  /** Retransmits: currently outstanding / total over the connection's life. */
  retransCurrent: number | null;
  retransTotal: number | null;
  lost: number | null;
  unacked: number | null;
  bytesSent: number | null;
  bytesRetrans: number | null;
  bytesReceived: number | null;
  segsOut: number | null;
  segsIn: number | null;
  rcvSpace: number | null;
  sndWnd: number | null;
}

export interface SsTcpInfo {
  connections: TcpConnection[];
  totals: {
    connections: number;
    retransTotal: number;
    lost: number;
    maxRecvQ: number;
    maxSendQ: number;
    /** Mean of the connections' smoothed RTTs, ms. */
    meanRttMs: number | null;
  };
}

const STATES = new Set([
  'ESTAB',
  'SYN-SENT',
  'SYN-RECV',
  'FIN-WAIT-1',
  'FIN-WAIT-2',
  'TIME-WAIT',
  'CLOSE',
  'CLOSE-WAIT',
  'LAST-ACK',
  'LISTEN',
  'CLOSING',
  'UNCONN',
]);

export function parseSsTcpInfo(text: string, maxConnections = 100_000): SsTcpInfo {
  const ctx = new LineContext('ss -tin');
  const connections: TcpConnection[] = [];
  let sawHeader = false;
  let current: TcpConnection | null = null;
  const totals = {
    connections: 0,
    retransTotal: 0,
    lost: 0,
    maxRecvQ: 0,
    maxSendQ: 0,
    meanRttMs: null as number | null,
  };
  let rttSum = 0;
  let rttN = 0;
  const count = (c: TcpConnection) => {
    totals.connections++;
    totals.retransTotal += c.retransTotal ?? 0;
    totals.lost += c.lost ?? 0;
    totals.maxRecvQ = Math.max(totals.maxRecvQ, c.recvQ);
    totals.maxSendQ = Math.max(totals.maxSendQ, c.sendQ);
    if (c.rttMs !== null) {
      rttSum += c.rttMs;
      rttN++;
    }
    if (connections.length < maxConnections) connections.push(c);
  };
  for (const line of linesOf(text)) {
    ctx.next(line);
    if (line.trim() === '') continue;
    const t = tokens(line);
    if (t[0] === 'State' && t.includes('Recv-Q')) {
      sawHeader = true;
      continue;
    }
    if (/^\s/.test(line)) {
      if (!current) throw ctx.error('a connection line before its info line');
      applyInfo(current, t);
      continue;
    }
    if (!STATES.has(t[0]) || t.length < 5)
      throw ctx.error('`STATE Recv-Q Send-Q Local:Port Peer:Port` as ss -tin prints');
    if (current) count(current);
    current = {
      state: t[0],
      recvQ: ctx.count(t[1], 'Recv-Q'),
      sendQ: ctx.count(t[2], 'Send-Q'),
      local: t[3],
      peer: t[4],
      congestion: null,
      rttMs: null,
      rttVarMs: null,
      minRttMs: null,
      cwnd: null,
      retransCurrent: null,
      retransTotal: null,
      lost: null,
      unacked: null,
      bytesSent: null,
      bytesRetrans: null,
      bytesReceived: null,
      segsOut: null,
      segsIn: null,
      rcvSpace: null,
      sndWnd: null,
    };
  }
  if (current) count(current);
  if (!sawHeader) throw ctx.inputError('ss -tin output (a `State Recv-Q Send-Q …` header)');
  totals.meanRttMs = rttN > 0 ? Math.round((rttSum / rttN) * 1000) / 1000 : null;
  return { connections, totals };
}

const CONGESTION = new Set([
  'cubic',
  'bbr',
  'bbr2',
  'reno',
  'dctcp',
  'vegas',
  'westwood',
  'htcp',
  'bic',
  'illinois',
  'hybla',
  'scalable',
  'yeah',
  'lp',
  'veno',
  'cdg',
  'nv',
  'highspeed',
]);

function applyInfo(c: TcpConnection, t: string[]): void {
  for (const tok of t) {
    if (CONGESTION.has(tok)) {
      c.congestion = tok;
      continue;
    }
    const colon = tok.indexOf(':');
    if (colon === -1) continue;
    const key = tok.slice(0, colon);
    const value = tok.slice(colon + 1);
    const num = (v: string) => parseDecimal(v);
    switch (key) {
      case 'rtt': {
        const [a, b] = value.split('/');
        c.rttMs = num(a);
        c.rttVarMs = b === undefined ? null : num(b);
        break;
      }
      case 'minrtt':
        c.minRttMs = num(value);
        break;
      case 'cwnd':
        c.cwnd = num(value);
        break;
      case 'retrans': {
        const [a, b] = value.split('/');
        c.retransCurrent = num(a);
        c.retransTotal = b === undefined ? null : num(b);
        break;
      }
      case 'lost':
        c.lost = num(value);
        break;
      case 'unacked':
        c.unacked = num(value);
        break;
      case 'bytes_sent':
        c.bytesSent = num(value);
        break;
      case 'bytes_retrans':
        c.bytesRetrans = num(value);
        break;
      case 'bytes_received':
        c.bytesReceived = num(value);
        break;
      case 'segs_out':
        c.segsOut = num(value);
        break;
      case 'segs_in':
        c.segsIn = num(value);
        break;
      case 'rcv_space':
        c.rcvSpace = num(value);
        break;
      case 'snd_wnd':
        c.sndWnd = num(value);
        break;
      default:
        break;
    }
  }
}
