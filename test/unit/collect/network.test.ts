import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../src/core/errors';
import { netstatArgv, nstatArgv, parseNetstatS, parseNstat } from '../../../src/core/collect/nstat';
import { parseSsSummary, parseSsTcpInfo, ssTcpInfoArgv } from '../../../src/core/collect/ss';
import { parseSoftirqs, softirqDelta } from '../../../src/core/collect/softirqs';
import { ethtoolStatsArgv, ipLinkDrops, parseEthtoolStats, parseIpLinkStats } from '../../../src/core/collect/nic';
import { addSoftirqs, countersTotal, networkFromCounters, orderSnapshots } from '../../../src/core/collect/network';
import { fixture } from './fixtures';

test('argv builders', () => {
  assert.deepEqual(nstatArgv(), ['nstat', '-asz']);
  assert.deepEqual(netstatArgv(), ['netstat', '-s']);
  assert.deepEqual(ssTcpInfoArgv({ port: 36689 }), ['ss', '-tin', 'sport = :36689']);
  assert.throws(() => ssTcpInfoArgv({ port: 0 }));
  assert.deepEqual(ethtoolStatsArgv({ iface: 'eth0' }), ['ethtool', '-S', 'eth0']);
  assert.throws(() => ethtoolStatsArgv({ iface: '-oProxyCommand=x' }));
});

test('nstat -asz and --json: the same counter names', () => {
  const a = parseNstat(fixture('nstat/a.txt'));
  assert.equal(a.get('TcpRetransSegs'), 658);
  assert.equal(a.get('TcpInSegs'), 32407183);
  assert.equal(a.get('TcpExtListenOverflows'), 0);
  const j = parseNstat(fixture('nstat/json.txt'));
  assert.equal(j.get('TcpExtTCPTimeouts'), 461);
  assert.ok(j.size > 100);
});

test('nstat deltas under load: segments in, no retransmits, no listen overflows', () => {
  const [before, after] = orderSnapshots(
    parseNstat(fixture('nstat/b.txt')),
    parseNstat(fixture('nstat/a.txt')),
    countersTotal,
  );
  const n = networkFromCounters(after, before, 1, 'nstat -asz');
  assert.equal(n.kind, 'delta');
  assert.equal(n.inSegs, 32584765 - 32407183);
  assert.equal(n.retransSegs, 0);
  assert.equal(n.listenOverflows, 0);
  assert.equal(n.tcpBacklogDrop, 0);
  assert.equal(n.other.TcpExtPruneCalled, 0);
  const snap = networkFromCounters(after, null, null, 'nstat');
  assert.equal(snap.kind, 'snapshot');
  assert.equal(snap.retransSegs, 658);
});

test('netstat -s maps its sentences to nstat names', () => {
  const a = parseNetstatS(fixture('netstat/s-a.txt'));
  const b = parseNetstatS(fixture('netstat/s-b.txt'));
  assert.equal(a.get('TcpRetransSegs'), 658);
  assert.equal(a.get('TcpActiveOpens'), 542714);
  assert.equal(a.get('TcpExtTCPTimeouts'), 461);
  assert.equal(a.get('IpExtInOctets') !== undefined, true);
  const n = networkFromCounters(b, a, 1, 'netstat -s');
  assert.equal(n.inSegs, 32882472 - 32733653);
  assert.equal(n.listenDrops, null, 'netstat printed no SYNs-dropped line: unknown, not zero');
});

test('ss -s and ss -tin', () => {
  const s = parseSsSummary(fixture('ss/s.txt'));
  assert.deepEqual(s.tcp, { total: 420, estab: 8, closed: 408, orphaned: 0, timewait: 408 });
  assert.equal(s.transports.TCP.total, 12);
  const t = parseSsTcpInfo(fixture('ss/tin.txt'));
  assert.equal(t.totals.connections, 4);
  assert.equal(t.totals.maxRecvQ, 41);
  const c = t.connections[0];
  assert.deepEqual(
    [c.state, c.local, c.congestion, c.rttMs, c.rttVarMs, c.cwnd, c.bytesSent],
    ['ESTAB', '127.0.0.1:36689', 'bbr', 0.022, 0.005, 18, 1091697],
  );
  assert.equal(c.retransTotal, null, 'no retrans: field → unknown');
});

test('/proc/softirqs NET_RX delta', () => {
  const a = parseSoftirqs(fixture('softirqs/a.txt'));
  const b = parseSoftirqs(fixture('softirqs/b.txt'));
  assert.equal(a.cpus, 2);
  assert.equal(softirqDelta(a, b, 'NET_RX'), 16969923 + 15966190 - (16837401 + 15966165));
  assert.equal(softirqDelta(a, b, 'NET_TX'), 0);
  const n = networkFromCounters(new Map(), null, null, 'x');
  addSoftirqs(n, a, b, '/proc/softirqs');
  assert.equal(n.softirqNetRx, 132547);
});

test('NIC drops: ethtool -S (totals, not per-queue duplicates, not XDP verdicts) and ip -s -s link', () => {
  const e = parseEthtoolStats(fixture('ethtool/S-nic.txt'));
  assert.equal(e.counters.get('rx_kicks') !== undefined, true);
  assert.equal(e.drops, 0);
  assert.throws(() => parseEthtoolStats(fixture('ethtool/S-lo.txt')), /this interface has none/);
  const links = parseIpLinkStats(fixture('iplink/s-s-a.txt'));
  assert.deepEqual(
    links.map((l) => l.name),
    ['lo', 'ifb0', 'ifb1', 'eth0'],
  );
  assert.equal(links[3].rxPackets, 13037);
  assert.equal(ipLinkDrops(links[0]), 0);
  // The captured output with drops written in: the per-queue copy (rx0_drops) and XDP verdicts do not add up.
  const dropped = fixture('ethtool/S-nic.txt')
    .replace('rx_drops: 0', 'rx_drops: 5')
    .replace('rx0_drops: 0', 'rx0_drops: 5')
    .replace('rx_xdp_drops: 0', 'rx_xdp_drops: 9');
  assert.equal(parseEthtoolStats(dropped).drops, 5);
});

test('network parsers refuse foreign text', () => {
  for (const parse of [
    parseNstat,
    parseNetstatS,
    parseSsSummary,
    parseSsTcpInfo,
    parseSoftirqs,
    parseEthtoolStats,
    parseIpLinkStats,
  ]) {
    assert.throws(() => parse(fixture('pidstat/threads-load.txt')), ParseError, parse.name);
    assert.throws(() => parse(''), ParseError, parse.name);
  }
});
