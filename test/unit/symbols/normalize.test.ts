import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { normalizeSymbol, paramKey } from '../../../src/core/symbols/normalize';
import { FIXTURES, readChildrenReport, readSrclineReport } from './perf-report-fixture';

/** [name as perf/nm print it, expected path, extra expectations] */
const CASES: Array<[string, string[], Partial<ReturnType<typeof normalizeSymbol>>?]> = [
  [
    'IoUringExecutor::scheduleOn(unsigned long, std::function<void ()>&&)',
    ['IoUringExecutor', 'scheduleOn'],
    { params: ['unsigned long', 'std::function<void ()>&&'], language: 'cpp' },
  ],
  ['IoUringExecutor::scheduleOn', ['IoUringExecutor', 'scheduleOn'], { params: null }],
  ['io::v1::recv::await_suspend(std::__n4861::coroutine_handle<void>)', ['io', 'v1', 'recv', 'await_suspend']],
  [
    '(anonymous namespace)::sendAll(int, std::basic_string_view<char, std::char_traits<char> >) [clone .actor]',
    ['sendAll'],
    { anonymousNamespace: true, coroutinePart: 'actor', clones: ['.actor'] },
  ],
  [
    'handleClient(IoUringExecutor*, int) [clone .actor] [clone .cold]',
    ['handleClient'],
    { clones: ['.actor', '.cold'], coroutinePart: 'actor' },
  ],
  // GCC 12's coroutine actor takes the frame, a type local to the ramp function.
  [
    'collatzLengths(collatzLengths(unsigned long, unsigned long)::_Z14collatzLengthsmm.Frame*) [clone .actor]',
    ['collatzLengths'],
    { coroutinePart: 'actor' },
  ],
  ['Task foo() [clone .resume]', ['foo'], { coroutinePart: 'resume' }],
  ['bar(int) [clone .destroy]', ['bar'], { coroutinePart: 'destroy' }],
  ['baz() [clone .cleanup]', ['baz'], { coroutinePart: 'cleanup' }],
  ['bar(int) [clone .constprop.0] [clone .isra.0]', ['bar'], { clones: ['.constprop.0', '.isra.0'] }],
  ['foo.part.0', ['foo'], { clones: ['.part.0'], language: 'c' }],
  ['main.cold', ['main'], { clones: ['.cold'] }],
  ['Foo::bar(int) [clone .lto_priv.0]', ['Foo', 'bar']],
  [
    'acceptLoop(IoUringExecutor*, int)::{lambda()#1}::operator()() const',
    ['acceptLoop'],
    { lambda: { indices: [1], signatures: [''] }, params: ['IoUringExecutor*', 'int'] },
  ],
  [
    'workloads::runLambdas(int)::{lambda(unsigned long)#3}::operator()',
    ['workloads', 'runLambdas'],
    { lambda: { indices: [3], signatures: ['unsignedlong'] } },
  ],
  ['foo() const::{lambda(int)#2}::operator()(int) const', ['foo'], { lambda: { indices: [2], signatures: ['int'] } }],
  [
    'outer()::{lambda()#1}::operator()() const::{lambda(int)#2}::operator()(int) const',
    ['outer'],
    { lambda: { indices: [1, 2], signatures: ['', 'int'] } },
  ],
  ['void ns::f<int>(int)', ['ns', 'f'], { templateArgs: [null, '<int>'] }],
  [
    'std::vector<int, std::allocator<int> > ns::g<std::vector<int, std::allocator<int> > >(int) [clone .isra.0]',
    ['ns', 'g'],
  ],
  ['unsigned long long ns::h(unsigned int)', ['ns', 'h']],
  ['decltype ({parm#1}.begin()) app::first<std::vector<int> >(std::vector<int>&)', ['app', 'first']],
  ['Foo::operator()(int) const', ['Foo', 'operator()']],
  ['Foo::operator()', ['Foo', 'operator()'], { params: null }],
  ['Foo::operator<<(std::ostream&)', ['Foo', 'operator<<']],
  [
    'a::b::c<int>::operator<(a::b::c<int> const&) const',
    ['a', 'b', 'c', 'operator<'],
    { templateArgs: [null, null, '<int>', null] },
  ],
  ['a::operator<=>(a const&) const', ['a', 'operator<=>']],
  ['Foo::operator->() const', ['Foo', 'operator->']],
  ['Foo::operator>>=(int)', ['Foo', 'operator>>=']],
  [
    'std::basic_ostream<char, std::char_traits<char> >& operator<< <char, std::char_traits<char> >(std::basic_ostream<char, std::char_traits<char> >&, char const*)',
    ['operator<<'],
  ],
  ['operator new(unsigned long)', ['operator new']],
  ['operator delete[](void*)', ['operator delete[]']],
  ['Accumulator::operator new(unsigned long)', ['Accumulator', 'operator new']],
  ['Foo::operator bool() const', ['Foo', 'operator bool']],
  [
    'Foo::operator std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >() const',
    ['Foo', 'operator std::__cxx11::basic_string'],
  ],
  ['Foo::~Foo()', ['Foo', '~Foo']],
  ['Foo<int>::Foo(int)', ['Foo', 'Foo'], { templateArgs: ['<int>', null] }],
  ['Box<Box<Box<int> > >::touch', ['Box', 'touch'], { templateArgs: ['<Box<Box<int>>>', null] }],
  [
    'outer::inner::v2::Matrix<double, 12>::operator*',
    ['outer', 'inner', 'v2', 'Matrix', 'operator*'],
    { templateArgs: [null, null, null, '<double,12>', null] },
  ],
  ['ns::(anonymous namespace)::Impl::run() [clone .resume]', ['ns', 'Impl', 'run'], { anonymousNamespace: true }],
  [
    'Lazy<void>::promise_type::final_suspend()::Awaiter::await_suspend(std::__n4861::coroutine_handle<Lazy<void>::promise_type>)',
    ['Lazy', 'promise_type', 'final_suspend', 'Awaiter', 'await_suspend'],
  ],
  ['non-virtual thunk to Foo::bar()', ['Foo', 'bar'], { thunk: true }],
  ['std::string foo[abi:cxx11](int)', ['foo']],
  ['write@plt', ['write']],
  ['memcpy@@GLIBC_2.14', ['memcpy']],
];

describe('normalizeSymbol', () => {
  for (const [raw, path, extra] of CASES) {
    test(raw, () => {
      const n = normalizeSymbol(raw);
      assert.deepEqual(n.path, path);
      assert.equal(n.name, path[path.length - 1]);
      assert.equal(n.qualifiedName, path.join('::'));
      assert.equal(n.raw, raw);
      for (const [k, v] of Object.entries(extra ?? {})) assert.deepEqual(n[k as keyof typeof n], v, k);
      assert.equal(n.unmappable, null);
    });
  }

  const UNMAPPABLE: Array<[string, RegExp, string]> = [
    [
      'std::_Function_handler<void (), acceptLoop(IoUringExecutor*, int)::{lambda()#1}>::_M_invoke(std::_Any_data const&)',
      /standard library/,
      'cpp',
    ],
    ['vtable for Foo', /not a function/, 'cpp'],
    ['typeinfo name for Foo', /not a function/, 'cpp'],
    ['_Z3fooi', /could not demangle/, 'cpp'],
    ['[unknown]', /could not resolve/, 'unknown'],
    ['0x00007f1234abcd', /only an address/, 'unknown'],
    ['', /empty/, 'unknown'],
    ['(anonymous namespace)', /no function name/, 'cpp'],
    ['main.main', /Go symbol/, 'go'],
    ['net/http.(*conn).serve.func1', /Go symbol/, 'go'],
    ['runtime.mallocgc', /Go symbol/, 'go'],
    ['type:.eq.[2]interface {}', /Go symbol/, 'go'],
    ['core::ptr::drop_in_place<alloc::vec::Vec<u8>>::h0123456789abcdef', /Rust/, 'rust'],
    ['tokio::runtime::task::raw::poll::{{closure}}', /Rust/, 'rust'],
    ['<alloc::vec::Vec<T> as core::ops::drop::Drop>::drop', /Rust/, 'rust'],
    ['_ZN4core3ptr13drop_in_place17h0123456789abcdefE', /Rust/, 'rust'],
    ['_RNvCs1234_7mycrate4main', /Rust/, 'rust'],
    ['x'.repeat(20_000), /longer than/, 'unknown'],
  ];
  for (const [raw, reason, language] of UNMAPPABLE) {
    test(`left alone: ${raw.slice(0, 80) || '(empty)'}`, () => {
      const n = normalizeSymbol(raw);
      assert.match(n.unmappable ?? '', reason);
      assert.equal(n.language, language);
    });
  }

  test('Rust names keep a readable path without the hash', () => {
    assert.deepEqual(normalizeSymbol('core::ptr::drop_in_place<alloc::vec::Vec<u8>>::h0123456789abcdef').path, [
      'core',
      'ptr',
      'drop_in_place<alloc::vec::Vec<u8>>',
    ]);
  });

  test('every symbol of the real captures normalises, user symbols to a non-empty path', () => {
    const files = [
      readChildrenReport(join(FIXTURES, 'tricky', 'perf-report-children.txt')),
      readSrclineReport(join(FIXTURES, 'tricky', 'perf-report-srcline.txt')),
      readChildrenReport(join(FIXTURES, 'tcp-demo', 'perf-report-children.txt')),
      readSrclineReport(join(FIXTURES, 'tcp-demo', 'perf-report-srcline.txt')),
    ];
    let user = 0;
    for (const hotspots of files) {
      assert.ok(hotspots.length > 5);
      for (const h of hotspots) {
        const n = normalizeSymbol(h.symbol);
        if (!h.kernel && !h.symbol.startsWith('0x') && !n.unmappable) {
          user++;
          assert.ok(n.path.length > 0, h.symbol);
          assert.ok(
            !n.path.some((p) => p.includes('<') && !p.startsWith('operator')),
            `${h.symbol} → ${n.path.join('::')}`,
          );
        }
      }
    }
    assert.ok(user > 20, `only ${user} user symbols in the captures`);
  });

  test('paramKey ignores spelling that does not change the type', () => {
    assert.equal(paramKey('const std::string&'), paramKey('std::__cxx11::basic_string<char> const&'));
    assert.equal(paramKey('unsigned long'), 'unsignedlong');
    assert.equal(paramKey('std::uint64_t'), paramKey('unsigned long'));
    assert.equal(paramKey('std::size_t'), 'unsignedlong');
    assert.equal(paramKey('std::string_view'), paramKey('std::basic_string_view<char, std::char_traits<char> >'));
    assert.equal(paramKey('struct Foo *'), 'Foo*');
  });
});
