/**
 * Loads web-tree-sitter and the tree-sitter-cpp grammar (both wasm) once per process.
 *
 * Where the wasm files are: next to the bundle (esbuild copies them into dist/), or in node_modules when
 * running from source (tests, tsx). An explicit folder can be given (e.g. the extension's dist folder).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type * as TreeSitter from 'web-tree-sitter';

// The CommonJS build on purpose: bundled into a CJS file, the ESM build's `import.meta.url` is empty and
// it fails at start-up (createRequire(undefined)).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Language, Parser, Query: QueryClass } = require('web-tree-sitter') as typeof TreeSitter;
type Parser = TreeSitter.Parser;
type Language = TreeSitter.Language;

export type { Node as SyntaxNode, Tree as SyntaxTree, Query } from 'web-tree-sitter';
export { QueryClass };

const RUNTIME_WASM = 'tree-sitter.wasm';
const CPP_WASM = 'tree-sitter-cpp.wasm';

function candidates(file: string, wasmDir?: string): string[] {
  const out: string[] = [];
  if (wasmDir) out.push(join(wasmDir, file));
  if (typeof __dirname === 'string') out.push(join(__dirname, file));
  try {
    // From source: the packages themselves. (Not available inside the packaged extension.)
    const spec = file === RUNTIME_WASM ? 'web-tree-sitter/tree-sitter.wasm' : 'tree-sitter-cpp/package.json';
    const resolved = require.resolve(spec);
    out.push(file === RUNTIME_WASM ? resolved : join(dirname(resolved), CPP_WASM));
  } catch {
    // not resolvable: rely on the other candidates
  }
  return out;
}

export function locateWasm(file: string, wasmDir?: string): string {
  const all = candidates(file, wasmDir);
  const found = all.find((p) => existsSync(p));
  if (!found) throw new Error(`cannot find ${file} (looked in: ${all.join(', ')})`);
  return found;
}

let loaded: Promise<Language> | null = null;

/** A new parser for C/C++ (cheap; the runtime and grammar are loaded once and shared). */
export async function createCppParser(wasmDir?: string): Promise<Parser> {
  loaded ??= (async () => {
    const runtime = locateWasm(RUNTIME_WASM, wasmDir);
    await Parser.init({ locateFile: () => runtime });
    return Language.load(locateWasm(CPP_WASM, wasmDir));
  })();
  try {
    const language = await loaded;
    const parser = new Parser();
    parser.setLanguage(language);
    return parser;
  } catch (e) {
    loaded = null; // let a later call retry (e.g. after the files were restored)
    throw e;
  }
}
