/**
 * Placement of REAL perf output (the tricky fixture and the demo, see test/fixtures/cpp/*.cmd) onto the
 * workspace sources: names, debug-info lines with a foreign build path, ambiguity, what stays unplaced.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Hotspot } from '../../../src/core/profile';
import { createCppParser } from '../../../src/core/symbols/cpp-parser';
import { DefinitionIndex } from '../../../src/core/symbols/definition-index';
import { mapBuildPath } from '../../../src/core/symbols/path-map';
import { placeHotspot, placeHotspots, type Placement } from '../../../src/core/symbols/placement';
import { indexWorkspace } from '../../../src/core/symbols/workspace-scan';
import { lineOf } from './source-lines';
import { FIXTURES, readChildrenReport, readSrclineReport } from './perf-report-fixture';

const TRICKY = join(FIXTURES, 'tricky', 'src');
const DEMO = join(FIXTURES, '..', '..', '..', 'examples', 'tcp-demo');

function where(p: Placement): string[] {
  return p.targets.map((t) => `${t.file.split('/').pop()}:${t.line}`);
}

describe('placing hot symbols from real perf output', () => {
  const tricky = new DefinitionIndex();
  const demo = new DefinitionIndex();
  let children: Hotspot[];
  let srcline: Hotspot[];
  const bySymbol = (list: Hotspot[], s: string) => {
    const h = list.find((x) => x.symbol === s);
    assert.ok(h, `${s} is not in the capture`);
    return h;
  };

  before(async () => {
    const parser = await createCppParser();
    await indexWorkspace(parser, tricky, [join(FIXTURES, 'tricky')]);
    await indexWorkspace(parser, demo, [join(DEMO, 'src')]);
    children = readChildrenReport(join(FIXTURES, 'tricky', 'perf-report-children.txt'));
    srcline = readSrclineReport(join(FIXTURES, 'tricky', 'perf-report-srcline.txt'));
  });

  test('exact qualified names land on their definitions', () => {
    const cases: Array<[string, string, string]> = [
      ['(anonymous namespace)::mix', 'tricky.cpp', 'PL_NOINLINE std::uint64_t mix('],
      ['collatzLengths', 'tricky.cpp', 'Generator collatzLengths('],
      ['macro_ns::macroDefined', 'tricky.cpp', 'PL_API std::uint64_t macroDefined('],
      ['workloads::runDeepTemplates', 'tricky.cpp', 'std::uint64_t runDeepTemplates('],
      ['Accumulator::Accumulator', 'tricky.cpp', 'Accumulator::Accumulator(int seed)'],
      ['Accumulator::operator()', 'tricky.cpp', 'Accumulator::operator()(int value)'],
      ['Box<int>::touch', 'tricky.hpp', 'PL_NOINLINE std::uint64_t touch(std::uint64_t x) const { return x *'],
      ['Box<Box<int> >::touch', 'tricky.hpp', 'std::uint64_t Box<T>::touch(std::uint64_t x) const {'],
    ];
    for (const [symbol, file, needle] of cases) {
      const p = placeHotspot(tricky, bySymbol(children, symbol));
      assert.equal(p.status, 'placed', `${symbol}: ${p.reason}`);
      assert.equal(p.method, 'exact', symbol);
      const line = lineOf(join(TRICKY, file), needle);
      // A definition's range starts at its `template <…>` line when it has one.
      assert.ok([line, line - 1].includes(p.targets[0].line), `${symbol} → ${where(p)} (want ${file}:${line})`);
    }
  });

  test('an operator of a template in an inline namespace', () => {
    const p = placeHotspot(tricky, bySymbol(children, 'outer::inner::v2::Matrix<double, 12>::operator*'));
    assert.equal(p.status, 'placed');
    assert.equal(p.targets[0].def?.kind, 'operator');
    assert.equal(
      p.targets[0].def?.nameRange.startLine,
      lineOf(join(TRICKY, 'tricky.hpp'), 'Matrix<T, N> Matrix<T, N>::operator*'),
    );
  });

  test('twenty instantiations of a 20-deep template all map to the one primary definition', () => {
    const boxes = children.filter((h) => h.symbol.startsWith('Box<Box<'));
    assert.ok(boxes.length >= 15, `${boxes.length} Box instantiations in the capture`);
    const lines = new Set(
      placeHotspots(tricky, boxes).map((p) => (assert.equal(p.status, 'placed'), p.targets[0].line)),
    );
    assert.deepEqual([...lines], [lineOf(join(TRICKY, 'tricky.hpp'), 'std::uint64_t Box<T>::touch(') - 1]);
  });

  test('a lambda symbol lands on that lambda (GCC numbers them in source order)', () => {
    const p = placeHotspot(
      tricky,
      bySymbol(children, 'workloads::runLambdas(int)::{lambda(unsigned long)#3}::operator()'),
    );
    assert.equal(p.status, 'placed');
    assert.equal(p.targets[0].def?.kind, 'lambda');
    assert.equal(p.targets[0].line, lineOf(join(TRICKY, 'tricky.cpp'), 'auto square'));
  });

  test('overloads without parameters (perf report prints none) are shown as ambiguous with every candidate', () => {
    const p = placeHotspot(tricky, bySymbol(children, 'Accumulator::add'));
    assert.equal(p.status, 'ambiguous');
    assert.equal(p.reason, 'ambiguous: 3 definitions');
    assert.equal(p.targets.length, 3);
  });

  test('overloads with parameters (nm -C, perf script --full) pick the one overload', () => {
    const h: Hotspot = { ...bySymbol(children, 'Accumulator::add'), symbol: 'Accumulator::add(double)' };
    const p = placeHotspot(tricky, h);
    assert.equal(p.status, 'placed');
    assert.deepEqual(p.targets[0].def?.params, ['double']);
    const s = placeHotspot(tricky, {
      ...h,
      symbol:
        'Accumulator::add(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)',
    });
    assert.deepEqual(s.targets[0].def?.params, ['const std::string&']);
    const u = placeHotspot(tricky, { ...h, symbol: 'Accumulator::add(unsigned long)' });
    assert.deepEqual(u.targets[0].def?.params, ['std::uint64_t']);
  });

  test('debug-info lines from another build path resolve overloads, by the longest path suffix', () => {
    const adds = srcline.filter((h) => h.symbol === 'Accumulator::add');
    assert.ok(adds.length >= 1);
    for (const h of adds) {
      assert.match(h.file ?? '', /^\/tmp\/pl-tricky\.[^/]+\/build-host\/tricky\/src\/tricky\.cpp$/);
      const p = placeHotspot(tricky, h);
      assert.equal(p.status, 'placed');
      assert.equal(p.method, 'debug-info');
      const def = p.targets[0].def!;
      assert.ok(
        def.range.startLine <= h.line! - 1 && h.line! - 1 <= def.range.endLine,
        `${h.line} inside ${def.qualifiedName}`,
      );
      assert.equal(def.qualifiedName, 'Accumulator::add');
    }
  });

  test('a pathMap rule wins over suffix guessing', () => {
    const files = [join(TRICKY, 'tricky.cpp'), '/elsewhere/src/tricky.cpp'];
    const m = mapBuildPath(
      '/build/x/src/tricky.cpp',
      [{ from: '/build/x', to: join(TRICKY, '..') }],
      (p) => files.includes(p),
      () => files,
    );
    assert.deepEqual(m, { path: join(TRICKY, 'tricky.cpp'), how: 'path-map', alternatives: [] });
    const guess = mapBuildPath(
      '/build/x/src/tricky.cpp',
      [],
      (p) => files.includes(p),
      () => files,
    );
    assert.equal(guess?.how, 'suffix');
    assert.equal(guess?.alternatives.length, 1, 'two files end in src/tricky.cpp: the other is reported');
  });

  test('inlined code: a header line of another function does not override the symbol’s own definition', () => {
    const demoSrcline = readSrclineReport(join(FIXTURES, 'tcp-demo', 'perf-report-srcline.txt'));
    const inlined = demoSrcline.find(
      (h) => h.symbol === 'IoUringExecutor::scheduleOn' && h.file?.startsWith('/usr/include'),
    );
    assert.ok(inlined, 'the capture has a scheduleOn sample attributed to an inlined libstdc++ line');
    const p = placeHotspot(demo, inlined);
    assert.equal(p.status, 'placed');
    assert.equal(p.method, 'exact');
    assert.equal(p.targets[0].def?.qualifiedName, 'IoUringExecutor::scheduleOn');
  });

  test('the demo’s hot path maps: scheduleOn, wakeThread, its write lambda, the awaitables, handleClient', () => {
    const hotspots = readChildrenReport(join(FIXTURES, 'tcp-demo', 'perf-report-children.txt'));
    const placed = new Map(
      placeHotspots(demo, hotspots)
        .filter((p) => p.status === 'placed')
        .map((p) => [p.hotspot.symbol, p]),
    );
    for (const s of [
      'IoUringExecutor::scheduleOn',
      'IoUringExecutor::wakeThread',
      'handleClient',
      'IoUringExecutor::Context::run',
      '(anonymous namespace)::sendAll',
    ]) {
      assert.ok(placed.has(s), `${s} not placed`);
    }
    const lambda = placeHotspot(demo, {
      ...hotspots[0],
      kernel: false,
      symbol: 'IoUringExecutor::wakeThread(unsigned long)::{lambda(int)#1}::operator()',
    });
    assert.equal(lambda.targets[0].def?.kind, 'lambda');
    const recv = placeHotspot(demo, { ...hotspots[0], kernel: false, symbol: 'io::v1::recv::await_suspend' });
    assert.equal(recv.targets[0].file.split('/').pop(), 'io_ops.cpp');
  });

  test('what cannot be placed says why', () => {
    const reasons = new Map(
      placeHotspots(tricky, children)
        .filter((p) => p.status === 'unplaced')
        .map((p) => [p.hotspot.symbol, p.reason]),
    );
    assert.match(reasons.get('irqentry_exit_to_user_mode') ?? '', /kernel symbol/);
    assert.match(reasons.get('__libc_start_call_main') ?? '', /no definition of __libc_start_call_main/);
    const std = [...reasons.entries()].find(([s]) => s.startsWith('std::_Function_handler'));
    assert.match(std?.[1] ?? '', /standard library/);
  });
});
