/**
 * Syscalls & io_uring: the rates that decide the io_uring findings, each on a log meter with the
 * thresholds marked, the tool that measured it, and the full syscall table.
 */
import type { Profile, SyscallStat } from '../../src/core/profile';
import { h, icon } from '../dom';
import { count, isNum, num, pct, rate, seconds, toolName } from '../format';
import { SortableTable, type SortState } from './table';

/** Thresholds shown on the meters; the same numbers as the diagnosis rules (docs/diagnosis.md). */
export const MARKS = {
  ioUringEnter: [
    { at: 10_000, label: '10K/s: batching matters' },
    { at: 100_000, label: '100K/s: syscall-bound' },
  ],
  eventfdWrites: [{ at: 1_000, label: '1K/s: wake-ups worth a look' }],
  futexCalls: [{ at: 10_000, label: '10K/s: lock contention' }],
  futexTimePerSecond: [{ at: 0.1, label: '0.1 s/s: a tenth of a core in futex' }],
  contextSwitches: [{ at: 50_000, label: '50K/s per thread: switch storm' }],
};

type Level = 'ok' | 'warn' | 'high' | 'unknown';

/** A log-scale meter: value, threshold ticks, and the level as text (not colour alone). */
export function meter(
  label: string,
  value: number | null,
  marks: Array<{ at: number; label: string }>,
  format: (v: number | null) => string,
  source: string,
  extra?: string,
): HTMLElement {
  const lo = Math.min(...marks.map((m) => m.at)) / 100;
  const hi = Math.max(...marks.map((m) => m.at)) * 10;
  const pos = (v: number) =>
    Math.max(
      0,
      Math.min(100, ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / (Math.log10(hi) - Math.log10(lo))) * 100),
    );
  const passed = isNum(value) ? marks.filter((m) => value >= m.at) : [];
  const level: Level = !isNum(value)
    ? 'unknown'
    : passed.length === 0
      ? 'ok'
      : passed.length === marks.length && marks.length > 1
        ? 'high'
        : 'warn';
  const levelText = !isNum(value)
    ? 'not measured'
    : passed.length === 0
      ? `below ${marks[0].label.split(':')[0]}`
      : `above ${passed[passed.length - 1].label}`;
  const track = h('div', { class: 'meter-track', 'aria-hidden': 'true' });
  if (isNum(value)) {
    const fill = h('span', { class: `meter-fill level-${level}` });
    fill.style.width = `${pos(value)}%`;
    track.append(fill);
  }
  for (const m of marks) {
    const tick = h('span', { class: 'meter-tick', title: m.label });
    tick.style.left = `${pos(m.at)}%`;
    const tl = h('span', { class: 'meter-tick-label' }, m.label.split(':')[0]);
    tl.style.left = `${pos(m.at)}%`;
    track.append(tick, tl);
  }
  return h(
    'div',
    { class: `meter level-${level}`, role: 'group', 'aria-label': `${label}: ${format(value)}, ${levelText}` },
    h(
      'div',
      { class: 'meter-head' },
      h('span', { class: 'meter-label' }, label),
      h('span', { class: 'meter-value' }, format(value)),
    ),
    track,
    h(
      'div',
      { class: 'meter-foot pl-muted' },
      level === 'high' || level === 'warn' ? icon('warning') : level === 'ok' ? icon('pass') : null,
      ` ${levelText}`,
      extra ? ` · ${extra}` : '',
      source ? h('span', { class: 'meter-source', title: source }, ` · measured by ${toolName(source)}`) : null,
    ),
  );
}

export class SyscallsView {
  readonly element: HTMLElement;
  private readonly meters: HTMLElement;
  private readonly table: SortableTable<SyscallStat>;

  constructor(sort: SortState | undefined, onSort: (s: SortState) => void) {
    this.meters = h('div', { class: 'meters' });
    this.table = new SortableTable<SyscallStat>({
      caption: 'System calls',
      sort: sort ?? { key: 'perSecond', dir: 'desc' },
      onSort,
      empty: 'No syscall counts in this profile.',
      columns: [
        { key: 'name', label: 'Syscall', value: (r) => r.name },
        {
          key: 'perSecond',
          label: 'per second',
          numeric: true,
          value: (r) => r.perSecond,
          cell: (r) => rate(r.perSecond, ''),
        },
        { key: 'calls', label: 'calls', numeric: true, value: (r) => r.calls, cell: (r) => count(r.calls) },
        { key: 'errors', label: 'errors', numeric: true, value: (r) => r.errors, cell: (r) => count(r.errors) },
        { key: 'seconds', label: 'time', numeric: true, value: (r) => r.seconds, cell: (r) => seconds(r.seconds) },
        {
          key: 'usecsPerCall',
          label: 'µs/call',
          numeric: true,
          value: (r) => r.usecsPerCall,
          cell: (r) => num(r.usecsPerCall),
        },
        { key: 'percent', label: '% time', numeric: true, value: (r) => r.percent, cell: (r) => pct(r.percent) },
      ],
    });
    this.element = h(
      'section',
      { class: 'syscalls-view', 'aria-label': 'Syscalls and io_uring' },
      this.meters,
      h('h2', null, 'All counted syscalls'),
      this.table.element,
    );
  }

  setProfile(p: Profile): void {
    const io = p.ioUring;
    const efd = p.eventfd;
    const lock = p.lockContention;
    const cs = p.contextSwitches;
    const rps = p.throughput?.requestsPerSecond ?? null;
    const perReq = (v: number | null | undefined) =>
      isNum(v) && isNum(rps) && rps > 0 ? `${num(v / rps)} per request` : undefined;
    const sqes =
      io && isNum(io.enterPerSecond) && isNum(io.submitPerSecond) && io.enterPerSecond > 0
        ? `${num(io.submitPerSecond / io.enterPerSecond)} SQEs per io_uring_enter`
        : undefined;
    const futexTime =
      lock && isNum(lock.futexSeconds) && isNum(p.durationSeconds) && p.durationSeconds > 0
        ? lock.futexSeconds / p.durationSeconds
        : null;
    this.meters.replaceChildren(
      meter(
        'io_uring_enter/s',
        io?.enterPerSecond ?? null,
        MARKS.ioUringEnter,
        (v) => rate(v),
        io?.source ?? '',
        [sqes, perReq(io?.enterPerSecond)].filter(Boolean).join(', '),
      ),
      meter(
        'eventfd writes/s',
        efd?.writesPerSecond ?? null,
        MARKS.eventfdWrites,
        (v) => rate(v),
        efd?.source ?? '',
        [efd && efd.fds.length > 0 ? `fds ${efd.fds.join(', ')}` : '', perReq(efd?.writesPerSecond)]
          .filter(Boolean)
          .join(', '),
      ),
      meter('futex calls/s', lock?.futexPerSecond ?? null, MARKS.futexCalls, (v) => rate(v), lock?.source ?? ''),
      meter(
        'futex time',
        futexTime,
        MARKS.futexTimePerSecond,
        (v) => (isNum(v) ? `${num(v)} s/s` : '—'),
        lock?.source ?? '',
      ),
      meter(
        'context switches/s (busiest thread)',
        cs?.maxThread?.perSecond ?? null,
        MARKS.contextSwitches,
        (v) => rate(v),
        cs?.source ?? '',
        cs
          ? `process: ${rate(cs.voluntaryPerSecond)} voluntary, ${rate(cs.involuntaryPerSecond)} involuntary${cs.maxThread ? `; busiest ${cs.maxThread.name}` : ''}`
          : undefined,
      ),
      io
        ? h(
            'p',
            { class: 'io-uring-line' },
            `io_uring: ${rate(io.submitPerSecond)} submissions, ${rate(io.completePerSecond)} completions`,
            rps !== null ? `, ${rate(rps)} requests (${p.throughput?.source ?? ''})` : '',
          )
        : h('p', { class: 'pl-muted' }, 'No io_uring activity measured.'),
    );
    this.table.setRows(p.syscalls);
  }
}
