/**
 * 7. Extension: `.vsix` size and bundle sizes from `npm run package` (run in a private copy of the working
 * tree, so the shared dist/ is not rebuilt under other runs), and the load cost of dist/extension.js.
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Benchmark } from '../lib/context';
import { measure, run } from '../lib/exec';
import { stat } from '../lib/stats';

const COPY = [
  'package.json',
  'package-lock.json',
  'README.md',
  'LICENSE',
  'CHANGELOG.md',
  '.vscodeignore',
  'esbuild.mjs',
  'tsconfig.json',
  'tsconfig.browser.json',
  'media',
  'docs',
  'src',
  'webview',
];

/**
 * Loads a bundle in a fresh Node process with a stub `vscode` module (a Proxy: every property is a
 * callable, constructible stub), and prints the require() time and, when `activate` is exported, the time
 * its call takes with a stub ExtensionContext. Only Perf Lens's own code runs: VS Code's API calls are free.
 */
const LOADER = `
const Module = require('module');
const fs = require('fs');
const path = process.argv[2];
const names = process.argv[4] ? JSON.parse(fs.readFileSync(process.argv[4], 'utf8')) : [];
const skip = (k) => k === 'then' || k === Symbol.toPrimitive || k === Symbol.iterator || k === 'toJSON';
const prim = (k) => (k === Symbol.toPrimitive ? () => '' : undefined);
// A stub value: callable, constructible (also as a base class), every unknown property is another stub.
const stub = () =>
  new Proxy(function () {}, {
    get: (t, k) => (k in t ? t[k] : skip(k) ? prim(k) : stub()),
    // A function's name and length are read-only but configurable: stored values replace them.
    set: (t, k, v) => Reflect.set(t, k, v) || Reflect.defineProperty(t, k, { value: v, writable: true, configurable: true }),
    apply: () => stub(),
    construct: (_t, _args, newTarget) => {
      const self = Reflect.construct(Object, [], newTarget);
      return new Proxy(self, { get: (o, k, r) => (k in o ? Reflect.get(o, k, r) : skip(k) ? prim(k) : stub()) });
    },
  });
const api = Object.fromEntries(names.map((n) => [n, stub()]));
api.version = '1.100.0';
const vscode = new Proxy(api, { get: (o, k) => (k in o ? o[k] : skip(k) ? prim(k) : stub()) });
const load = Module._load;
Module._load = function (request, ...rest) { return request === 'vscode' ? vscode : load.call(this, request, ...rest); };
const t0 = performance.now();
const ext = require(path);
const t1 = performance.now();
let activate = null, error = null;
if (process.argv[3] === 'activate' && typeof ext.activate === 'function') {
  const context = stub();
  Object.defineProperty(context, 'subscriptions', { value: [] });
  try {
    const r = ext.activate(context);
    Promise.resolve(r).then(() => { activate = performance.now() - t1; out(); }, (e) => { error = String(e); out(); });
  } catch (e) { error = String((e && e.message) || e); out(); }
} else out();
function out() {
  console.log(JSON.stringify({ require: t1 - t0, activate, error }));
  // activate() may have started commands (the process list): stop them and their groups before leaving.
  for (const task of fs.readdirSync('/proc/self/task')) {
    let kids = [];
    try { kids = fs.readFileSync('/proc/self/task/' + task + '/children', 'utf8').split(' ').filter(Boolean); } catch {}
    for (const pid of kids.map(Number)) {
      for (const target of [-pid, pid]) { try { process.kill(target, 'SIGKILL'); } catch {} }
    }
  }
  process.exit(0);
}
`;

function kib(bytes: number): number {
  return bytes / 1024;
}

export const extensionBenchmark: Benchmark = {
  id: 'extension',
  title: 'Extension',
  targets: [],
  async run(ctx, section) {
    const copy = join(ctx.tmp, 'pkg');
    mkdirSync(copy);
    for (const entry of COPY) {
      const from = join(ctx.repoRoot, entry);
      if (existsSync(from)) cpSync(from, join(copy, entry), { recursive: true });
    }
    symlinkSync(join(ctx.repoRoot, 'node_modules'), join(copy, 'node_modules'), 'dir');
    ctx.log('npm run package (in a private copy of the working tree)');
    const pkg = await run(['npm', 'run', '-s', 'package'], { cwd: copy, timeoutMs: 300_000, scratch: ctx.tmp });
    const vsix = join(copy, 'dist', 'perf-lens.vsix');
    if (!existsSync(vsix)) throw new Error(`npm run package made no dist/perf-lens.vsix: ${pkg.stderr.slice(-300)}`);
    section.method.push(
      '`npm run package` (production esbuild + `vsce package --no-dependencies`) in a private copy of the working ' +
        'tree (node_modules linked), so the shared `dist/` is not rebuilt under other runs. Sizes are of that ' +
        'production build; gzip is Node zlib at its default level 6 (what an HTTP server would send). The .vsix is a ' +
        'zip already.',
      `\`npm run package\` itself took ${(pkg.wallMs / 1000).toFixed(1)} s.`,
    );
    section.rows.push({ name: '.vsix size', unit: 'KiB', value: stat([kib(statSync(vsix).size)]) });
    const bundles = listJs(join(copy, 'dist'));
    for (const file of bundles) {
      const bytes = readFileSync(file);
      section.rows.push({
        name: `${relative(copy, file)} (raw / gzip)`,
        unit: 'KiB',
        value: stat([kib(bytes.length)]),
        baseline: { name: 'gzip', value: stat([kib(gzipSync(bytes).length)]) },
      });
    }
    for (const wasm of readdirSync(join(copy, 'dist')).filter((f) => f.endsWith('.wasm'))) {
      section.rows.push({
        name: `dist/${wasm} (copied asset)`,
        unit: 'KiB',
        value: stat([kib(statSync(join(copy, 'dist', wasm)).size)]),
      });
    }

    // Load cost of the production extension bundle in a fresh process.
    const loader = join(ctx.tmp, 'load.cjs');
    writeFileSync(loader, LOADER);
    // The top-level names of the \`vscode\` module, from its type declarations, so the bundle's ESM interop sees them.
    const names = join(ctx.tmp, 'vscode-names.json');
    const dts = readFileSync(require.resolve('@types/vscode/index.d.ts', { paths: [ctx.repoRoot] }), 'utf8');
    writeFileSync(
      names,
      JSON.stringify(
        [...dts.matchAll(/^\texport (?:class|enum|namespace|function|const|let|var) (\w+)/gm)].map((m) => m[1]),
      ),
    );
    const runs = ctx.quick ? 3 : 10;
    const req: number[] = [];
    const act: number[] = [];
    const baseline: number[] = [];
    let activateError: string | null = null;
    const lc = require.resolve('vscode-languageclient/node', { paths: [ctx.repoRoot] });
    for (let i = 0; i < runs; i++) {
      const m = await measure([process.execPath, loader, join(copy, 'dist', 'extension.js'), 'activate', names], {
        timeoutMs: 60_000,
        scratch: ctx.tmp,
      });
      if (m.exitCode !== 0) {
        throw new Error(
          `loading dist/extension.js with a stub vscode failed: ${m.stderr.trim().split('\n').slice(-3).join(' / ')}`,
        );
      }
      const r = JSON.parse(m.stdout.trim().split('\n').pop() ?? '{}') as {
        require: number;
        activate: number | null;
        error: string | null;
      };
      req.push(r.require);
      if (r.activate !== null) act.push(r.activate);
      activateError ??= r.error;
      const b = await measure([process.execPath, loader, lc, 'require'], { timeoutMs: 60_000, scratch: ctx.tmp });
      baseline.push((JSON.parse(b.stdout.trim().split('\n').pop() ?? '{}') as { require: number }).require);
    }
    const reqStat = stat(req);
    const baseStat = stat(baseline);
    section.rows.push({
      name: 'require(dist/extension.js), stub vscode',
      unit: 'ms',
      value: reqStat,
      baseline: { name: 'require(vscode-languageclient/node)', value: baseStat },
      ratio: { value: reqStat.median / baseStat.median, text: '× the client library alone' },
    });
    section.rows.push({
      name: 'activate() call, stub vscode',
      unit: 'ms',
      value: act.length ? stat(act) : null,
      missing: activateError ? `activate() threw with the stub: ${activateError.slice(0, 120)}` : undefined,
    });
    section.method.push(
      `Activation without VS Code: a fresh \`node\` process loads the production \`dist/extension.js\` with a stub ` +
        '`vscode` module (every top-level name of @types/vscode is a Proxy that is callable, constructible and ' +
        'extendable, and returns another stub for any property) and times `require()` (code loading) and ' +
        `the \`activate(context)\` call until its promise settles (Perf Lens's own set-up; VS Code API calls cost ` +
        'nothing here; commands that activate() starts, such as the process list, are killed afterwards). ' +
        `${runs} runs. ` +
        'The baseline is `require()` of `vscode-languageclient/node` alone in the same kind of process.',
    );
    const logged = e2eActivationLog(ctx.repoRoot);
    if (logged) section.notes.push(logged);
  },
};

function listJs(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listJs(p));
    else if (e.name.endsWith('.js')) out.push(p);
  }
  return out.sort();
}

/** "activated in N ms" from the newest e2e run's extension log (a real VS Code), if the e2e tests ran. */
function e2eActivationLog(repoRoot: string): string | null {
  const root = join(repoRoot, '.run', 'e2e', 'run');
  if (!existsSync(root)) return null;
  const found: Array<{ file: string; ms: number; mtime: number }> = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 8) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p, depth + 1);
      else if (e.name === 'Perf Lens.log') {
        const m = /activated in (\d+) ms/.exec(readFileSync(p, 'utf8'));
        if (m) found.push({ file: p, ms: Number(m[1]), mtime: statSync(p).mtimeMs });
      }
    }
  };
  walk(root, 0);
  if (!found.length) return null;
  const ms = found.map((f) => f.ms);
  const newest = new Date(Math.max(...found.map((f) => f.mtime))).toISOString().replace(/\.\d+Z$/, 'Z');
  return (
    `In a real VS Code (code-server 1.100.3, the last \`npm run test:e2e\` run, ${newest}; not this benchmark run), ` +
    `the extension's own log says \`activate()\` took ${ms.join(', ')} ms (${found.length} window(s)). That ` +
    'excludes loading the bundle.'
  );
}
