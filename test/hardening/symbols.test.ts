/**
 * Symbol names of every shape compilers and runtimes produce — templates nested 20 deep, operators, lambdas,
 * clones, coroutine parts, Rust (legacy `…::h<hash>`, mangled `_ZN…E`, v0 `_R…`), Go (`main.(*T).M`), names
 * that are markup — and adversarial ones (unbalanced brackets, 100k characters), through the normaliser
 * (src/core/symbols) and through the language server's mapping over stdio: each is mapped or left alone,
 * nothing crashes, nothing takes exponential time, and the server keeps answering.
 */
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import fc from 'fast-check';
import { CodeLensRequest, HoverRequest, type CodeLens } from 'vscode-languageserver-protocol/node';
import type { Hotspot } from '../../src/core/profile';
import type { ProfileNotificationParams } from '../../src/core/protocol/lsp';
import { normalizeSymbol, stripTemplateArgs, splitTopLevel, paramKey } from '../../src/core/symbols/normalize';
import { demoProfile } from '../integration/server/demo-profile';
import { fileUri, removeBundle, startClient, type TestClient } from '../integration/server/lsp-client';

const nest = (depth: number, leaf = 'int') => {
  let t = leaf;
  for (let i = 0; i < depth; i++) t = `std::vector<std::pair<${t}, std::map<long, ${t}>>>`.slice(0, 8000);
  return t;
};
const chain = (depth: number) => {
  let t = 'T';
  for (let i = 0; i < depth; i++) t = `W${i}<${t}>`;
  return t;
};

/** Shapes perf prints (demangled), from GCC/Clang C++, Rust and Go, plus hostile ones. */
const SHAPES: string[] = [
  `ns::Outer<${chain(20)}>::method(${chain(20)} const&) const`,
  `void std::__detail::__variant::__gen_vtable_impl<${chain(20)}>::__visit_invoke(${nest(3)}&&)`,
  `${nest(4)}::operator()(int)`,
  'IoUringExecutor::scheduleOn(std::function<void ()>)',
  'std::vector<int, std::allocator<int> >::operator[](unsigned long)',
  'operator new(unsigned long)',
  'operator delete[](void*, unsigned long)',
  'Foo::operator<<(std::ostream&)',
  'Foo::operator<<=(int)',
  'Foo::operator<=>(Foo const&) const',
  'Foo::operator()() const',
  'Foo::operator bool() const',
  'Foo::operator std::vector<int, std::allocator<int> >() const',
  'Foo::operator->*(int)',
  'operator"" _km(unsigned long long)',
  'main::{lambda(int)#1}::operator()(int) const',
  'handleClient(int)::{lambda()#2}::operator()() const [clone .isra.0]',
  '(anonymous namespace)::sendAll(int, char const*, unsigned long) [clone .constprop.0]',
  'io::v1::recv::await_suspend(std::__n4861::coroutine_handle<void>) [clone .cold]',
  'handleClient(int) [clone .actor]',
  'handleClient(int) [clone .resume]',
  'handleClient(int) [clone .destroy]',
  'foo.part.0',
  'foo.cold',
  'bar.isra.0.constprop.1',
  'Foo::~Foo()',
  'Foo::Foo(Foo&&)',
  'virtual thunk to Foo::~Foo()',
  'non-virtual thunk to Bar::run()',
  'typeinfo for Foo',
  'vtable for std::basic_ostream<char, std::char_traits<char> >',
  'guard variable for foo()::x',
  '__gnu_cxx::__ops::_Iter_less_iter::operator()<int*, int*>(int*, int*) const',
  'decltype (({parm#1}.begin)()) std::begin<std::vector<int> >(std::vector<int>&)',
  // Rust: legacy demangled with hash, trait impls, closures, mangled legacy and v0.
  'core::ptr::drop_in_place<alloc::vec::Vec<u8>>::h0123456789abcdef',
  '<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop::h5f2e6bd1a0c3e4f7',
  '<&T as core::fmt::Debug>::fmt',
  'tokio::runtime::task::harness::Harness<T,S>::poll::{{closure}}',
  'std::rt::lang_start::{{closure}}::h2f7d9c1e3b4a5d6c',
  '_ZN4core3ptr13drop_in_place17h0123456789abcdefE',
  '_ZN3std2rt10lang_start28_$u7b$$u7b$closure$u7d$$u7d$17h5f2e6bd1a0c3e4f7E',
  '_RNvCs1234_7mycrate3foo',
  '_RNvMs_Cs4Cv8Wi1oAIB_7mycrateINtB4_3FooKj0_E3bar',
  // Go.
  'main.(*Server).handle',
  'main.(*Server).handle.func1',
  'net/http.(*conn).serve',
  'runtime.gopark',
  'main.main.func2.1',
  'type..eq.[2]interface {}',
  'go.shape.int',
  // Kernel, JIT and unknowns.
  '[unknown]',
  '__x64_sys_io_uring_enter',
  'entry_SYSCALL_64_after_hwframe',
  'LazyCompile:*handle /srv/app.js:10',
  '0x00007f3a1c2b3d4e',
  // Markup and control characters.
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>::run()',
  'Foo<</script><script>alert(2)</script>>::bar()',
  'a\u0000b\u001b[31mc\nd\te',
  '\u202eevil\u202c::run()',
  // Adversarial: unbalanced, huge, repetitive.
  '<'.repeat(20_000),
  '>'.repeat(20_000),
  '('.repeat(20_000) + 'x',
  'a::'.repeat(30_000),
  `${'f<'.repeat(5000)}int${'>'.repeat(4999)}`,
  `x(${'int, '.repeat(10_000)})`,
  `${'operator'.repeat(5000)}()`,
  '{lambda('.repeat(3000),
  ' [clone .cold]'.repeat(5000),
  'x'.repeat(200_000),
];

describe('normalisation', () => {
  // A hang guard, not a speed test (speed is in `npm run bench`): each shape takes a few ms here, and the
  // failures this guards against (regex backtracking, quadratic scans) take seconds to minutes. The bound is
  // loose because CI machines are shared: a 264 ms outlier was seen under load with a 250 ms bound.
  test('every shape normalises (or is left alone) without throwing, each well within 2 s', () => {
    for (const s of SHAPES) {
      const t0 = performance.now();
      const n = normalizeSymbol(s);
      stripTemplateArgs(s.slice(0, 20_000));
      splitTopLevel(s.slice(0, 20_000));
      paramKey(s.slice(0, 2_000));
      const ms = performance.now() - t0;
      assert.ok(ms < 2000, `${ms.toFixed(0)} ms for ${JSON.stringify(s.slice(0, 60))}… (${s.length} chars)`);
      assert.ok(n !== null && typeof n === 'object', JSON.stringify(s.slice(0, 80)));
      assert.ok(JSON.stringify(n).length < 4 * s.length + 100_000, 'output bounded by the input');
    }
  });

  test('nesting depth does not blow up: templates 5 → 80 deep take roughly linear time', () => {
    const time = (depth: number) => {
      const s = `ns::Outer<${chain(depth)}>::method(${chain(depth)} const&) const`;
      let best = Infinity;
      for (let i = 0; i < 5; i++) {
        const t0 = performance.now();
        for (let k = 0; k < 20; k++) normalizeSymbol(s);
        best = Math.min(best, performance.now() - t0);
      }
      return best;
    };
    time(10); // warm up
    const small = Math.max(time(5), 0.5);
    const big = time(80);
    // 16x the depth: linear is ~16x, quadratic ~256x; exponential would not finish. Allow noise on a busy machine.
    assert.ok(big < small * 120, `depth 80 took ${big.toFixed(1)} ms vs ${small.toFixed(1)} ms at depth 5`);
  });

  test('property: arbitrary bracket soups and shapes never throw and stay fast', () => {
    const piece = fc.constantFrom(
      '<',
      '>',
      '(',
      ')',
      '[',
      ']',
      '{',
      '}',
      '::',
      ',',
      ' ',
      'operator',
      'const',
      '&',
      '*',
      '{lambda(',
      ')#1}',
      '[clone .cold]',
      '.isra.0',
      '(anonymous namespace)',
      'std::',
      'int',
      'T',
      '_ZN',
      'E',
      'h0123456789abcdef',
      '$u7b$',
      '.func1',
      '(*T)',
      '"',
      "'",
      '\n',
      '<script>',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 400 }), (parts) => {
        const s = parts.join('');
        const t0 = performance.now();
        normalizeSymbol(s);
        const ms = performance.now() - t0;
        assert.ok(ms < 2000, `${ms.toFixed(0)} ms for ${JSON.stringify(s.slice(0, 200))}`);
      }),
      { numRuns: 1500 },
    );
  });
});

describe('the language server', () => {
  let dir: string;
  let client: TestClient;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pl-symbols-'));
    cpSync(join(__dirname, '..', '..', 'examples', 'tcp-demo', 'src'), join(dir, 'src'), { recursive: true });
    client = await startClient([dir]);
  });
  after(async () => {
    await client?.stop();
    removeBundle();
    rmSync(dir, { recursive: true, force: true });
  });

  const hotspot = (symbol: string, i: number): Hotspot => ({
    symbol,
    dso: i % 3 === 0 ? '<script>x</script>' : 'app',
    kernel: i % 7 === 0,
    self: (i % 10) + 0.5,
    children: i % 5 === 0 ? null : (i % 10) + 5,
    file: i % 4 === 0 ? SHAPES[(i * 7) % SHAPES.length].slice(0, 300) : null,
    line: i % 4 === 0 ? (i % 3 === 0 ? -1 : 2 ** 40) : null,
    callers: [SHAPES[(i + 1) % SHAPES.length].slice(0, 1000)],
    threads: ['<b>t</b>'],
  });

  async function lensesOf(path: string): Promise<CodeLens[]> {
    return (await client.connection.sendRequest(CodeLensRequest.type, {
      textDocument: { uri: fileUri(path) },
    })) as CodeLens[];
  }

  test('a profile holding every shape (with the demo’s real hotspots) maps what it can; the server keeps working', async () => {
    const demo = demoProfile();
    const source = join(dir, 'src', 'executor.cpp');
    const text = readFileSync(source, 'utf8');
    await client.open(source, text);
    await client.connection.sendNotification('perfLens/profile', demo);
    const baseline = await waitForLenses(source, (l) => l.length > 0);
    assert.ok(baseline.length > 0, 'the demo profile gives lenses in executor.cpp');

    const params: ProfileNotificationParams = {
      ...demo,
      profileId: '<script>alert(1)</script>',
      label: SHAPES.slice(-12).join(' ').slice(0, 5000),
      hotspots: [...SHAPES.map(hotspot), ...demo.hotspots],
    };
    const t0 = performance.now();
    await client.connection.sendNotification('perfLens/profile', params);
    const lenses = await waitForLenses(source, (l) => l.length >= baseline.length);
    const ms = performance.now() - t0;
    assert.ok(ms < 20_000, `mapping took ${ms.toFixed(0)} ms`);
    // The demo's own hot functions still get their lenses among all the noise.
    assert.ok(lenses.length >= baseline.length, `${lenses.length} lenses vs ${baseline.length}`);
    for (const l of lenses) assert.doesNotMatch(l.command?.title ?? '', /<script>/);
    const hover = await client.connection.sendRequest(HoverRequest.type, {
      textDocument: { uri: fileUri(source) },
      position: lenses[0].range.start,
    });
    assert.ok(hover === null || typeof hover === 'object');
    assert.equal(client.child.exitCode, null, `the server is alive; stderr:\n${client.stderr().slice(-2000)}`);
    assert.doesNotMatch(client.stderr(), /Uncaught|TypeError|RangeError|Maximum call stack/);
  });

  async function waitForLenses(path: string, ok: (l: CodeLens[]) => boolean): Promise<CodeLens[]> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const l = await lensesOf(path);
      if (ok(l) || Date.now() > deadline) return l;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
