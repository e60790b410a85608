/**
 * Kernel network counters from `nstat -asz` (absolute values, all counters, history untouched), its
 * `--json` form, and `netstat -s` (mapped to nstat's names). Two snapshots give deltas (see network.ts).
 */
import { checkToolPath } from './argv';
import { LineContext, linesOf, tokens } from './lines';

/** `nstat -asz`: absolute values (-a), every counter even zero (-z), without updating nstat's history (-s). */
export function nstatArgv(o: { toolPath?: string; json?: boolean } = {}): string[] {
  const argv = [checkToolPath(o.toolPath, 'nstat'), '-asz'];
  if (o.json) argv.push('--json');
  return argv;
}

export function netstatArgv(o: { toolPath?: string } = {}): string[] {
  return [checkToolPath(o.toolPath, 'netstat'), '-s'];
}

/** Counter name (nstat spelling, e.g. `TcpRetransSegs`, `TcpExtListenOverflows`) → value. */
export type Counters = Map<string, number>;

export function parseNstat(text: string): Counters {
  const ctx = new LineContext('nstat');
  const out: Counters = new Map();
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    let doc: unknown;
    try {
      doc = JSON.parse(trimmed);
    } catch {
      throw ctx.inputError('nstat --json output (valid JSON)');
    }
    const kernel = (doc as { kernel?: unknown }).kernel;
    if (typeof kernel !== 'object' || kernel === null) throw ctx.inputError('a "kernel" object in nstat --json output');
    for (const [k, v] of Object.entries(kernel)) {
      if (typeof v === 'number' && Number.isFinite(v)) out.set(k, v);
    }
    if (out.size === 0) throw ctx.inputError('nstat counters');
    return out;
  }
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = tokens(line);
    if (t.length === 0 || t[0].startsWith('#')) continue;
    if (t.length < 2 || !/^[A-Z][A-Za-z0-9_]*$/.test(t[0]))
      throw ctx.error('`CounterName  value  rate` as nstat prints');
    out.set(t[0], ctx.count(t[1], t[0]));
  }
  if (out.size === 0) throw ctx.inputError('nstat counters (`#kernel` then `Name value rate` lines)');
  return out;
}

/** netstat -s sentences → nstat names, for the counters the analysis uses (older spellings included). */
const SENTENCES: Array<[RegExp, string]> = [
  [/^active connections? openings$/, 'TcpActiveOpens'],
  [/^passive connection openings$/, 'TcpPassiveOpens'],
  [/^failed connection attempts$/, 'TcpAttemptFails'],
  [/^connection resets received$/, 'TcpEstabResets'],
  [/^connections established$/, 'TcpCurrEstab'],
  [/^segments received$/, 'TcpInSegs'],
  [/^segments sen[dt] out$/, 'TcpOutSegs'],
  [/^segments retransmit+ed$/, 'TcpRetransSegs'],
  [/^bad segments received\.?$/, 'TcpInErrs'],
  [/^resets sent$/, 'TcpOutRsts'],
  [/^times the listen queue of a socket overflowed$/, 'TcpExtListenOverflows'],
  [/^SYNs to LISTEN sockets (dropped|ignored)$/, 'TcpExtListenDrops'],
  [/^packets pruned from receive queue because of socket buffer overrun$/, 'TcpExtPruneCalled'],
  [/^packets pruned from receive queue$/, 'TcpExtRcvPruned'],
  [/^packets dropped from out-of-order queue because of socket buffer overrun$/, 'TcpExtOfoPruned'],
  [/^packets collapsed in receive queue due to low socket buffer$/, 'TcpExtTCPRcvCollapsed'],
  [/^other TCP timeouts$/, 'TcpExtTCPTimeouts'],
  [/^total packets received$/, 'IpInReceives'],
  [/^incoming packets discarded$/, 'IpInDiscards'],
  [/^packets receive errors$/, 'UdpInErrors'],
  [/^receive buffer errors$/, 'UdpRcvbufErrors'],
  [/^send buffer errors$/, 'UdpSndbufErrors'],
];

const SECTION_PREFIX: Record<string, string> = {
  TcpExt: 'TcpExt',
  IpExt: 'IpExt',
  Ip: 'Ip',
  Tcp: 'Tcp',
  Udp: 'Udp',
  Icmp: 'Icmp',
};

export function parseNetstatS(text: string): Counters {
  const ctx = new LineContext('netstat -s');
  const out: Counters = new Map();
  let section: string | null = null;
  for (const line of linesOf(text)) {
    ctx.next(line);
    if (line.trim() === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^([A-Za-z][A-Za-z0-9]*):\s*$/.exec(line))) {
      section = m[1];
      continue;
    }
    if (section === null) throw ctx.error('a netstat -s section header such as `Tcp:`');
    const t = line.trim();
    if ((m = /^([A-Za-z][A-Za-z0-9]*): (\d+)$/.exec(t))) {
      out.set((SECTION_PREFIX[section] ?? section) + m[1], Number(m[2]));
      continue;
    }
    if ((m = /^(\d+) (.+)$/.exec(t))) {
      const name = SENTENCES.find(([re]) => re.test(m![2]))?.[1];
      if (name && (name.startsWith(section) || section === 'Udp' || section === 'Ip')) out.set(name, Number(m[1]));
      continue;
    }
    // Histograms (`ICMP input histogram:` / `destination unreachable: 1`) and sentences with the number
    // inside (`Quick ack mode was activated 394 times`) carry nothing the analysis uses.
    if (/:\s*\d*$/.test(t) || /\d/.test(t)) continue;
    throw ctx.error('`N description` or `Name: N` under a netstat -s section');
  }
  if (out.size === 0) throw ctx.inputError('netstat -s statistics (`Tcp:` … `N segments retransmitted`)');
  return out;
}
