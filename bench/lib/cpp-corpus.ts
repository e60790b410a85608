/**
 * C++ inputs for the language-server benchmark, made from the demo server's REAL sources
 * (examples/tcp-demo/src: coroutines, templates, lambdas, nested and anonymous namespaces), not from a
 * template: each copy is wrapped in its own `namespace bench_copy_K { … }` so every definition is distinct.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Hotspot } from '../../src/core/profile';

interface SourceFile {
  name: string;
  text: string;
}

export function demoSources(repoRoot: string): SourceFile[] {
  const dir = join(repoRoot, 'examples', 'tcp-demo', 'src');
  const files = readdirSync(dir)
    .filter((f) => /\.(cpp|hpp|h|cc)$/.test(f))
    .sort()
    .map((name) => ({ name, text: readFileSync(join(dir, name), 'utf8') }));
  if (files.length === 0) throw new Error(`no C++ sources in ${dir}`);
  return files;
}

function wrap(text: string, k: number): string {
  // Preprocessor lines stay outside the namespace, as they would in a real file.
  const lines = text.split('\n');
  const pre = lines.filter((l) => /^\s*#/.test(l));
  const body = lines.filter((l) => !/^\s*#/.test(l));
  return [...pre, `namespace bench_copy_${k} {`, ...body, `}  // namespace bench_copy_${k}`, ''].join('\n');
}

/** Writes `count` files cycling through the demo's sources; returns the total line count. */
export function writeWorkspace(repoRoot: string, dir: string, count: number): { files: number; lines: number } {
  const sources = demoSources(repoRoot);
  let lines = 0;
  for (let i = 0; i < count; i++) {
    const src = sources[i % sources.length];
    const sub = join(dir, `module_${String(Math.floor(i / 100)).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    const text = wrap(src.text, i);
    lines += text.split('\n').length;
    writeFileSync(join(sub, `${String(i).padStart(4, '0')}_${src.name}`), text);
  }
  return { files: count, lines };
}

/** One file of at least `minLines` lines: copies of all the demo's sources, each copy in its own namespace. */
export function bigFile(repoRoot: string, minLines: number): { text: string; lines: number; copies: number } {
  const sources = demoSources(repoRoot).filter((s) => s.name.endsWith('.cpp'));
  const parts: string[] = [];
  let lines = 0;
  let k = 0;
  while (lines < minLines) {
    for (const s of sources) {
      const t = wrap(s.text, k);
      parts.push(t);
      lines += t.split('\n').length;
    }
    k++;
  }
  return { text: parts.join('\n'), lines, copies: k };
}

/** Functions of the demo that are hot in its real profiles (perf's demangled names), per copy. */
const HOT = [
  { symbol: 'IoUringExecutor::wakeThread(unsigned long)', self: 9.1, children: 21.4 },
  { symbol: 'IoUringExecutor::scheduleOn(unsigned long, std::function<void ()>&&)', self: 2.3, children: 25.8 },
  { symbol: 'IoUringExecutor::Context::runQueuedTasks()', self: 3.2, children: 61.0 },
  { symbol: 'IoUringExecutor::Context::run()', self: 1.1, children: 80.2 },
  {
    symbol:
      'RequestParser::consume(std::basic_string_view<char, std::char_traits<char> >, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >&)',
    self: 1.9,
    children: 4.0,
  },
];

export function hotspotsFor(copies: number[]): Hotspot[] {
  const out: Hotspot[] = [];
  for (const k of copies) {
    for (const h of HOT) {
      out.push({
        symbol: `bench_copy_${k}::${h.symbol}`,
        dso: 'tcp_demo',
        kernel: false,
        self: h.self / copies.length,
        children: h.children / copies.length,
        file: null,
        line: null,
        callers: [],
        threads: ['tcp_demo-w0', 'tcp_demo-w1'],
      });
    }
  }
  return out;
}
