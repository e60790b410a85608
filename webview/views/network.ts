/** Network counters as deltas over the session (or one snapshot), with the ones that signal trouble marked. */
import type { NetworkCounters, Profile } from '../../src/core/profile';
import { h, icon } from '../dom';
import { count, isNum, pct, seconds, toolName } from '../format';

interface Row {
  label: string;
  value: number | null;
  why: string;
  /** A non-zero value is a problem. */
  bad?: boolean;
}

export class NetworkView {
  readonly element: HTMLElement;

  constructor() {
    this.element = h('section', { class: 'network-view', 'aria-label': 'Network counters' });
  }

  setProfile(p: Profile): void {
    const n = p.network;
    if (!n) {
      this.element.replaceChildren(
        h('p', { class: 'pl-empty' }, 'No network counters in this profile (nstat did not run).'),
      );
      return;
    }
    this.element.replaceChildren(...this.render(n));
  }

  private render(n: NetworkCounters): HTMLElement[] {
    const retransPct =
      isNum(n.retransSegs) && isNum(n.outSegs) && n.outSegs > 0 ? (n.retransSegs / n.outSegs) * 100 : null;
    const rows: Row[] = [
      { label: 'TCP segments in', value: n.inSegs, why: 'TcpInSegs' },
      { label: 'TCP segments out', value: n.outSegs, why: 'TcpOutSegs' },
      {
        label: 'Retransmitted segments',
        value: n.retransSegs,
        why: `TcpRetransSegs${retransPct !== null ? ` (${pct(retransPct, 1)} of segments out)` : ''}`,
        bad: true,
      },
      {
        label: 'Listen queue overflows',
        value: n.listenOverflows,
        why: 'TcpExtListenOverflows: accept() too slow',
        bad: true,
      },
      { label: 'Listen drops', value: n.listenDrops, why: 'TcpExtListenDrops', bad: true },
      { label: 'Socket backlog drops', value: n.tcpBacklogDrop, why: 'TcpExtTCPBacklogDrop', bad: true },
      {
        label: 'Receive queue pruned',
        value: n.rcvPruned,
        why: 'TcpExtRcvPruned: receive buffer too small',
        bad: true,
      },
      { label: 'TCP timeouts', value: n.tcpTimeouts, why: 'TcpExtTCPTimeouts', bad: true },
      { label: 'Active opens', value: n.activeOpens, why: 'TcpActiveOpens (connect)' },
      { label: 'Passive opens', value: n.passiveOpens, why: 'TcpPassiveOpens (accept)' },
      { label: 'NET_RX softirqs', value: n.softirqNetRx, why: '/proc/softirqs' },
      { label: 'NET_TX softirqs', value: n.softirqNetTx, why: '/proc/softirqs' },
      ...Object.entries(n.nicDrops).map(([nic, v]) => ({
        label: `NIC drops ${nic}`,
        value: v,
        why: 'ethtool -S / sysfs',
        bad: true,
      })),
      ...Object.entries(n.other).map(([k, v]) => ({ label: k, value: v, why: '' })),
    ];
    const problems = rows.filter((r) => r.bad && isNum(r.value) && r.value > 0);
    return [
      h(
        'p',
        { class: 'net-head' },
        n.kind === 'delta'
          ? `Changes over ${seconds(n.seconds)} of the session`
          : 'Counter values at one moment (no delta available)',
        h(
          'span',
          { class: 'pl-muted', title: n.source },
          ` · measured by ${n.source ? toolName(n.source) : 'unknown'}`,
        ),
      ),
      problems.length > 0
        ? h(
            'p',
            { class: 'net-problems' },
            icon('warning'),
            ` ${problems.map((r) => `${r.label}: ${count(r.value)}`).join('; ')}`,
          )
        : h('p', { class: 'net-ok' }, icon('pass'), ' No drops, overflows or retransmit storms.'),
      h(
        'table',
        { class: 'pl-table' },
        h('caption', { class: 'sr-only' }, 'Network counters'),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', { scope: 'col' }, 'Counter'),
            h('th', { scope: 'col', class: 'num' }, n.kind === 'delta' ? 'Δ' : 'value'),
            h('th', { scope: 'col' }, 'Source'),
          ),
        ),
        h(
          'tbody',
          null,
          ...rows.map((r) =>
            h(
              'tr',
              { class: r.bad && isNum(r.value) && r.value > 0 ? 'bad' : null },
              h('th', { scope: 'row' }, r.label),
              h('td', { class: 'num' }, count(r.value)),
              h('td', { class: 'pl-muted' }, r.why),
            ),
          ),
        ),
      ),
    ];
  }
}
