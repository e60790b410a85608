import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParseError } from '../../../src/core/errors';
import { hotspotsFromReport, parsePerfReport, perfReportArgv } from '../../../src/core/collect/perf-report';
import { fixture } from './fixtures';

const report = (name: string) => parsePerfReport(fixture(`perf-report/${name}.txt`));

test('perf report argv', () => {
  assert.deepEqual(perfReportArgv({ input: '/tmp/x/perf.data' }), [
    'perf',
    'report',
    '-i',
    '/tmp/x/perf.data',
    '--stdio',
    '--no-children',
  ]);
  assert.deepEqual(perfReportArgv({ input: 'p.data', children: true, callGraph: 'none', sort: 'dso,sym' }).slice(5), [
    '--children',
    '-g',
    'none',
    '--sort',
    'dso,sym',
  ]);
  assert.throws(() => perfReportArgv({ input: '--help' }));
  assert.throws(() => perfReportArgv({ input: 'a', sort: 'sym;rm' }));
});

test('--children with call graphs: header, children and self per entry', () => {
  const r = report('children');
  assert.equal(r.event, 'cpu-clock:ppp');
  assert.equal(r.samples, 550);
  assert.equal(r.lostSamples, 0);
  assert.deepEqual(r.columns, ['Children', 'Self', 'Command', 'Shared Object', 'Symbol']);
  const first = r.entries[0];
  assert.deepEqual(
    [first.children, first.self, first.command, first.dso, first.symbol, first.kernel],
    [45.64, 0, 'tcp_demo-w0', '[kernel.kallsyms]', 'entry_SYSCALL_64_after_hwframe', true],
  );
  assert.ok(first.paths.length > 0);
  assert.equal(first.paths[0].frames[0], 'entry_SYSCALL_64_after_hwframe');
  assert.equal(r.callGraphOrder, 'caller');
});

test('--no-children (callee order): callers of the hot leaf come from its call graph', () => {
  const r = report('no-children');
  assert.equal(r.callGraphOrder, 'callee');
  const fts = r.entries[0];
  assert.deepEqual([fts.self, fts.command, fts.symbol], [4.55, 'tcp_demo-w1', 'finish_task_switch.isra.0']);
  assert.deepEqual(fts.callers.slice(0, 4), ['__schedule', 'schedule', 'io_cqring_wait', '__do_sys_io_uring_enter']);
  const h = hotspotsFromReport(r);
  assert.equal(h[0].symbol, 'finish_task_switch.isra.0');
  assert.equal(h[0].self, 8.91); // 4.55% on w1 + 4.36% on w0
  assert.deepEqual(h[0].threads.sort(), ['tcp_demo-w0', 'tcp_demo-w1']);
  assert.equal(h[0].children, null);
});

test('caller-ordered graph and -g folded give the same callers for _raw_spin_unlock_irqrestore', () => {
  const caller = report('no-children-caller');
  assert.equal(caller.callGraphOrder, 'caller');
  const folded = report('folded');
  assert.equal(folded.callGraphOrder, 'callee');
  const a = caller.entries.find((e) => e.symbol === '_raw_spin_unlock_irqrestore' && e.callers.length > 0)!;
  const b = folded.entries.find((e) => e.symbol === '_raw_spin_unlock_irqrestore' && e.callers.length > 0)!;
  assert.deepEqual(a.callers.slice(0, 3), ['sock_def_readable', 'tcp_rcv_established', 'tcp_v4_do_rcv']);
  assert.deepEqual(b.callers.slice(0, 3), a.callers.slice(0, 3));
});

test('-g none with children: user functions of the demo with self and children', () => {
  const h = hotspotsFromReport(report('g-none'));
  const handle = h.find((x) => x.symbol === 'handleClient')!;
  assert.deepEqual([handle.dso, handle.kernel, handle.self, handle.children], ['tcp_demo', false, 2.19, 25.82]);
  const wake = h.find((x) => x.symbol === 'IoUringExecutor::wakeThread')!;
  assert.equal(wake.children, 8);
  assert.equal(wake.self, 0);
});

test('--sort variants: dso,sym / comm,dso,sym / sym with -n', () => {
  const dsoSym = report('sort-dso-sym');
  assert.deepEqual(dsoSym.columns, ['Overhead', 'Shared Object', 'Symbol']);
  assert.deepEqual(
    [dsoSym.entries[0].dso, dsoSym.entries[0].symbol, dsoSym.entries[0].self, dsoSym.entries[0].command],
    ['[kernel.kallsyms]', 'finish_task_switch.isra.0', 8.91, null],
  );
  const comm = report('sort-comm-dso-sym');
  assert.equal(comm.entries.find((e) => e.symbol === 'IoUringExecutor::scheduleOn')?.self, 0.36);
  const sym = report('sort-sym-samples');
  assert.deepEqual([sym.entries[0].samples, sym.entries[0].self, sym.entries[0].dso], [49, 8.91, null]);
  assert.equal(sym.entries[1].samples, 30);
});

test('reports from a recording without -g, and under de_DE (perf keeps decimal points)', () => {
  const flat = report('flat');
  assert.equal(flat.samples, 251);
  assert.equal(flat.callGraphOrder, null);
  assert.equal(flat.entries[0].symbol, 'finish_task_switch.isra.0');
  const de = report('de_DE');
  assert.equal(de.entries[0].self, 4.55);
});

test('perf report: other text and truncated output are ParseErrors', () => {
  assert.throws(() => parsePerfReport(fixture('pidstat/threads-load.txt')), ParseError);
  assert.throws(() => parsePerfReport(''), /perf report --stdio output/);
  const text = fixture('perf-report/sort-dso-sym.txt');
  const header = text.slice(0, text.indexOf('#\n     '));
  assert.throws(() => parsePerfReport(header + '#\n'), /truncated output/);
  const broken = text.replace('8.91%  [kernel.kallsyms]    [k] finish', '8.9x%  [kernel.kallsyms]    [k] finish');
  assert.throws(
    () => parsePerfReport(broken),
    (e: unknown) => e instanceof ParseError && e.lineNumber === 12,
  );
});

test('hostile symbols are kept as text', () => {
  const text = fixture('perf-report/sort-dso-sym.txt').replace(
    'finish_task_switch.isra.0',
    '<script>alert(1)</script>',
  );
  const h = hotspotsFromReport(parsePerfReport(text));
  assert.equal(h[0].symbol, '<script>alert(1)</script>');
});
