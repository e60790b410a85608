/**
 * The profile the integration tests send to the server for the demo: hotspots read from a REAL perf
 * capture of the demo under wrk (test/fixtures/cpp/tcp-demo, see its capture.sh and .cmd files), and
 * the findings the diagnosis engine states for that capture (ids, fixes and symbols per issue 4; the
 * evidence numbers are the capture's own).
 */
import { join } from 'node:path';
import type { Finding } from '../../../src/core/profile';
import type { ProfileNotificationParams } from '../../../src/core/protocol/lsp';
import { FIXTURES, readChildrenReport } from '../../unit/symbols/perf-report-fixture';

export const DEMO_FIXTURE = join(FIXTURES, 'tcp-demo');

export function demoHotspots() {
  return readChildrenReport(join(DEMO_FIXTURE, 'perf-report-children.txt'));
}

export function demoFindings(): Finding[] {
  const hot = demoHotspots();
  const pct = (symbol: string) => hot.find((h) => h.symbol === symbol)?.children ?? 0;
  return [
    {
      id: 'eventfd-wakeup-storm',
      severity: 'warning',
      title: 'eventfd write per enqueue',
      evidence: [
        `IoUringExecutor::wakeThread is on ${pct('IoUringExecutor::wakeThread').toFixed(1)}% of samples (perf record).`,
      ],
      fixes: ['coalesce-eventfd-wakeups'],
      verify: 'perf stat -e syscalls:sys_enter_write on the eventfds before and after',
      symbols: ['IoUringExecutor::wakeThread', 'IoUringExecutor::scheduleOn'],
    },
    {
      id: 'io-uring-submit-overhead',
      severity: 'warning',
      title: 'io_uring_enter for every operation',
      evidence: [`__io_uring_submit is on ${pct('__io_uring_submit').toFixed(1)}% of samples (perf record).`],
      fixes: ['batch-submissions', 'sqpoll'],
      verify: 'count io_uring_enter per second before and after',
      symbols: ['io::v1::recv::await_suspend', 'io::v1::send::await_suspend', 'io::v1::accept::await_suspend'],
    },
    {
      id: 'kernel-network-stack',
      severity: 'info',
      title: 'kernel TCP/IP dominates',
      evidence: [`tcp_sendmsg is on ${pct('tcp_sendmsg').toFixed(1)}% of samples (perf record).`],
      fixes: ['tcp-nodelay', 'send-zc', 'kernel-bypass'],
      verify: 'compare system time before and after',
      symbols: ['handleClient'],
    },
  ];
}

export function demoProfile(overrides: Partial<ProfileNotificationParams> = {}): ProfileNotificationParams {
  return {
    profileId: 'demo-capture',
    label: 'tcp_demo under wrk',
    hotspots: demoHotspots(),
    findings: demoFindings(),
    verdictKind: 'syscall-bound',
    ...overrides,
  };
}
