import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { createCppParser } from '../../../src/core/symbols/cpp-parser';
import type { FunctionDefinition } from '../../../src/core/symbols/cpp-definitions';
import { DefinitionIndex } from '../../../src/core/symbols/definition-index';
import { buildMacroTable, collectMacros, neutralizeMacros } from '../../../src/core/symbols/macros';
import { definitionsOf, indexWorkspace, listCppFiles } from '../../../src/core/symbols/workspace-scan';
import { FIXTURES } from './perf-report-fixture';
import { lineOf } from './source-lines';

const TRICKY = join(FIXTURES, 'tricky', 'src');

describe('C++ definitions from the syntax tree', () => {
  let parser: Parser;
  let index: DefinitionIndex;
  const find = (file: string, qualified: string): FunctionDefinition[] =>
    index.definitions(join(TRICKY, file)).filter((d) => d.qualifiedName === qualified && d.kind !== 'lambda');

  before(async () => {
    parser = await createCppParser();
    index = new DefinitionIndex();
    const stats = await indexWorkspace(parser, index, [join(FIXTURES, 'tricky')]);
    assert.equal(stats.files, 3);
  });

  test('nested and inline namespaces, in-class and out-of-line operators of a template', () => {
    const hpp = join(TRICKY, 'tricky.hpp');
    const star = find('tricky.hpp', 'outer::inner::v2::Matrix::operator*');
    assert.equal(star.length, 1);
    assert.equal(star[0].kind, 'operator');
    assert.ok(star[0].isTemplate);
    // The lens goes above `template <…>`, the line before the out-of-line definition.
    assert.equal(star[0].range.startLine, lineOf(hpp, 'Matrix<T, N> Matrix<T, N>::operator*') - 1);
    assert.equal(star[0].nameRange.startLine, lineOf(hpp, 'Matrix<T, N> Matrix<T, N>::operator*'));
    assert.equal(find('tricky.hpp', 'outer::inner::v2::Matrix::operator+=').length, 1);
    assert.equal(find('tricky.hpp', 'outer::inner::v2::Matrix::trace')[0].kind, 'method');
  });

  test('overloads are three definitions with their parameter types', () => {
    const adds = find('tricky.cpp', 'Accumulator::add');
    assert.deepEqual(
      adds.map((d) => d.params),
      [['std::uint64_t'], ['double'], ['const std::string&']],
    );
  });

  test('constructors, destructors, operator new/delete and call operators', () => {
    assert.equal(find('tricky.cpp', 'Accumulator::Accumulator')[0].kind, 'constructor');
    assert.equal(find('tricky.cpp', 'Accumulator::~Accumulator')[0].kind, 'destructor');
    assert.equal(find('tricky.cpp', 'Accumulator::operator new').length, 1);
    assert.equal(find('tricky.cpp', 'Accumulator::operator delete').length, 1);
    assert.equal(find('tricky.cpp', 'Accumulator::operator()').length, 1);
    assert.equal(find('tricky.cpp', 'Accumulator::operator<').length, 1);
  });

  test('anonymous namespace: dropped from the path, flagged', () => {
    const mix = find('tricky.cpp', 'mix');
    assert.equal(mix.length, 1);
    assert.ok(mix[0].anonymousNamespace);
    assert.equal(mix[0].kind, 'function');
  });

  test('coroutines are recognised by co_yield/co_await/co_return in their body', () => {
    assert.ok(find('tricky.cpp', 'collatzLengths')[0].isCoroutine);
    assert.ok(!find('tricky.cpp', 'workloads::runCoroutine')[0].isCoroutine);
  });

  test('macros around definitions: attribute macros and a namespace opened by a macro', () => {
    const macroDefined = find('tricky.cpp', 'macro_ns::macroDefined');
    assert.equal(macroDefined.length, 1, 'PL_BEGIN_NAMESPACE(macro_ns) opens the namespace');
    // Everything after PL_END_NAMESPACE is still found, in its own namespace.
    for (const f of [
      'runMatrices',
      'runAccumulator',
      'runDeepTemplates',
      'runCoroutine',
      'runLambdas',
      'runMacroDefined',
    ]) {
      assert.equal(find('tricky.cpp', `workloads::${f}`).length, 1, f);
    }
  });

  test('explicit specialisation and primary template of Box::touch are told apart', () => {
    const touches = find('tricky.hpp', 'Box::touch');
    assert.equal(touches.length, 2);
    assert.deepEqual(touches.map((t) => t.specialization.owner).sort(), ['<int>', null].sort());
  });

  test('lambdas: numbered in source order (GCC) and per signature (Itanium/Clang)', () => {
    const file = join(TRICKY, 'tricky.cpp');
    const defs = index.definitions(file);
    const run = defs.findIndex((d) => d.qualifiedName === 'workloads::runLambdas' && d.kind === 'function');
    const lambdas = defs.filter((d) => d.kind === 'lambda' && d.parent === run);
    assert.deepEqual(
      lambdas.map((l) => [l.range.startLine, l.lambdaIndex, l.lambdaSignatureIndex, l.lambdaSignature]),
      [
        [lineOf(file, 'auto scramble'), 1, 1, 'unsignedlong'],
        [lineOf(file, 'auto combine'), 2, 1, 'unsignedlong,unsignedlong'],
        [lineOf(file, 'auto square'), 3, 2, 'unsignedlong'],
        [lineOf(file, 'viaFunction ='), 4, 3, 'unsignedlong'],
        [lineOf(file, 'std::sort('), 5, 2, 'unsignedlong,unsignedlong'],
      ],
    );
  });

  test('a local class is scoped under its function; its methods are definitions', () => {
    const defs = definitionsOf(
      parser,
      'int outer(int x) {\n  struct Local { int get() const { return 1; } };\n  auto l = [](int y) { return [y] { return y; }(); };\n  return Local{}.get() + l(x);\n}\n',
    );
    assert.deepEqual(
      defs.map((d) => [d.qualifiedName, d.kind, d.lambdaIndex]),
      [
        ['outer', 'function', null],
        ['outer::Local::get', 'method', null],
        ['outer', 'lambda', 1],
        ['outer', 'lambda', 1],
      ],
    );
    // The inner lambda is numbered within the outer lambda.
    assert.equal(defs[3].parent, 2);
  });

  test('defaulted and deleted functions are not definitions; conversion operators are', () => {
    const defs = definitionsOf(
      parser,
      'struct S {\n  S() = default;\n  S(const S&) = delete;\n  operator bool() const { return true; }\n  explicit operator int() const;\n};\nS::operator int() const { return 1; }\n',
    );
    assert.deepEqual(
      defs.map((d) => d.qualifiedName),
      ['S::operator bool', 'S::operator int'],
    );
  });

  test('the file walk skips build folders and node_modules, and caps file count and size', async () => {
    const all = await listCppFiles([join(FIXTURES, '..', '..')], { maxFiles: 3 });
    assert.equal(all.files.length, 3);
    assert.ok(all.truncated);
    assert.ok(!all.files.some((f) => /\/(build|node_modules)\//.test(f)));
    const small = await listCppFiles([join(FIXTURES, 'tricky')], { maxFileBytes: 2000 });
    assert.ok(small.tooLarge.some((f) => f.endsWith('tricky.cpp')));
    assert.ok(small.files.some((f) => f.endsWith('main.cpp')));
  });

  test('macro neutraliser keeps length and lines', () => {
    const src = readFileSync(join(TRICKY, 'tricky.cpp'), 'utf8');
    const table = buildMacroTable([
      ...collectMacros(readFileSync(join(TRICKY, 'tricky.hpp'), 'utf8')),
      ...collectMacros(src),
    ]);
    assert.equal(table.kinds.get('PL_API'), 'attribute');
    assert.equal(table.kinds.get('PL_NOINLINE'), 'attribute');
    assert.equal(table.kinds.get('PL_BEGIN_NAMESPACE'), 'structural');
    const out = neutralizeMacros(src, table);
    assert.equal(out.length, src.length);
    assert.deepEqual(
      out.split('\n').map((l) => l.length),
      src.split('\n').map((l) => l.length),
    );
    assert.match(out, /^namespace macro_ns \{\s*$/m);
    assert.doesNotMatch(out, /PL_API/);
  });
});
