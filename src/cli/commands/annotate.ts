/**
 * `perf-lens annotate PROFILE.json [PATH...]`: where the profile's hot symbols live in a source tree,
 * with the same mapping code as the language server — one line per placed symbol, then the symbols it
 * could not place and why. For checking the mapping without VS Code, and for other editors or CI bots.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import { UserError } from '../../core/errors';
import type { Finding, Hotspot } from '../../core/profile';
import { createCppParser } from '../../core/symbols/cpp-parser';
import { DefinitionIndex } from '../../core/symbols/definition-index';
import { FindingsBySymbol } from '../../core/symbols/findings';
import { placeHotspots, type Placement } from '../../core/symbols/placement';
import { profileToParams } from '../../core/symbols/profile-input';
import { indexWorkspace } from '../../core/symbols/workspace-scan';

export const help = `Usage: perf-lens annotate PROFILE.json [PATH...] [options]

Maps the profile's hot symbols onto the C/C++ definitions under PATH (default: the current folder) and
prints one line per placed symbol:

  path:line:col  self%  total%  symbol  → finding-id (fix-ids)

then the symbols it could not place, and why. Uses perf's source lines (debug info) when the profile has
them, mapping the build machine's paths onto PATH by --path-map or by the longest matching path suffix.

Options:
  --path-map FROM=TO   build path prefix FROM is TO here (repeatable)
  --min-percent N      skip symbols below N% self and N% total unless a finding names them (default 0.5)
  --kernel             also list each kernel symbol as unplaced (default: one summary line)
  --max-files N        index at most N files (default 10000)
  --exclude NAME       skip folders named NAME (repeatable; build, node_modules, .git … always)
  --json               machine-readable output
  --no-color           no ANSI colours (also when NO_COLOR is set or stdout is not a terminal)

Exit status: 0 (even when nothing could be placed), 2 on usage errors or an unreadable profile.`;

interface AnnotateArgs {
  profile: string;
  paths: string[];
  pathMap: Array<{ from: string; to: string }>;
  minPercent: number;
  kernel: boolean;
  maxFiles: number;
  exclude: string[];
  json: boolean;
  color: boolean;
}

function value(argv: string[], i: number, flag: string): string {
  const v = argv[i + 1];
  if (v === undefined) throw new UserError(`${flag} needs a value`, 'perf-lens annotate --help');
  return v;
}

function addPathMap(args: AnnotateArgs, spec: string): void {
  const eq = spec.indexOf('=');
  if (eq <= 0 || eq === spec.length - 1) throw new UserError(`--path-map expects FROM=TO, got ${JSON.stringify(spec)}`);
  args.pathMap.push({ from: spec.slice(0, eq), to: resolve(spec.slice(eq + 1)) });
}

export function parseAnnotateArgs(argv: string[]): AnnotateArgs {
  const positional: string[] = [];
  const args: AnnotateArgs = {
    profile: '',
    paths: [],
    pathMap: [],
    minPercent: 0.5,
    kernel: false,
    maxFiles: 10_000,
    exclude: [],
    json: false,
    color: process.stdout.isTTY === true && !process.env.NO_COLOR,
  };
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (onlyPositional || !a.startsWith('--')) {
      positional.push(a);
      continue;
    }
    if (a.startsWith('--path-map=')) {
      addPathMap(args, a.slice('--path-map='.length));
      continue;
    }
    const [flag, inline] = a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const take = () => {
      if (inline !== undefined) return inline;
      const v = value(argv, i, flag);
      i++;
      return v;
    };
    switch (flag) {
      case '--':
        onlyPositional = true;
        break;
      case '--path-map':
        addPathMap(args, take());
        break;
      case '--min-percent': {
        const n = Number(take());
        if (!Number.isFinite(n) || n < 0 || n > 100)
          throw new UserError('--min-percent expects a number from 0 to 100');
        args.minPercent = n;
        break;
      }
      case '--max-files': {
        const n = Number(take());
        if (!Number.isInteger(n) || n < 1) throw new UserError('--max-files expects a positive integer');
        args.maxFiles = n;
        break;
      }
      case '--exclude':
        args.exclude.push(take());
        break;
      case '--kernel':
        args.kernel = true;
        break;
      case '--json':
        args.json = true;
        break;
      case '--no-color':
        args.color = false;
        break;
      default:
        throw new UserError(`unknown option ${flag}`, 'perf-lens annotate --help');
    }
  }
  const [profile, ...paths] = positional;
  if (!profile) throw new UserError('annotate needs a profile file', 'perf-lens annotate PROFILE.json [PATH...]');
  args.profile = profile;
  args.paths = (paths.length > 0 ? paths : ['.']).map((p) => resolve(p));
  return args;
}

function display(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** Control characters from a profile must not reach the terminal. */
function clean(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '?');
}

function pct(n: number | null): string {
  return n === null ? '     -' : `${n.toFixed(1).padStart(5)}%`;
}

export interface AnnotateRow {
  path: string;
  line: number;
  column: number;
  self: number;
  total: number | null;
  symbol: string;
  method: string;
  ambiguous: number;
  findings: Array<{ id: string; fixes: string[] }>;
}

export interface AnnotateResult {
  placed: AnnotateRow[];
  unplaced: Array<{ symbol: string; dso: string; self: number; total: number | null; reason: string }>;
  kernelUnplaced: number;
  files: number;
  definitions: number;
}

export async function annotate(args: AnnotateArgs): Promise<AnnotateResult> {
  let raw: string;
  try {
    raw = await readFile(args.profile, 'utf8');
  } catch (e) {
    throw new UserError(`cannot read ${args.profile}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new UserError(`${args.profile} is not JSON`, 'save a profile with `perf-lens profile … --output FILE.json`');
  }
  const params = profileToParams(json);
  if (typeof params === 'string') throw new UserError(`${args.profile}: ${params}`);

  const parser = await createCppParser();
  const index = new DefinitionIndex();
  const stats = await indexWorkspace(parser, index, args.paths, { maxFiles: args.maxFiles, excludeDirs: args.exclude });
  const placements = placeHotspots(index, params.hotspots, { pathMap: args.pathMap });
  const findings = new FindingsBySymbol(params.findings);
  const result: AnnotateResult = {
    placed: [],
    unplaced: [],
    kernelUnplaced: 0,
    files: stats.files,
    definitions: stats.definitions,
  };
  for (const p of placements) addPlacement(result, p, findings.for(p.symbol), args);
  // Hottest first, by total (self when there are no call graphs), as perf report orders with --children.
  const heat = (r: { self: number; total: number | null }) => r.total ?? r.self;
  result.placed.sort((a, b) => heat(b) - heat(a) || b.self - a.self || a.path.localeCompare(b.path) || a.line - b.line);
  result.unplaced.sort((a, b) => heat(b) - heat(a) || b.self - a.self);
  return result;
}

function addPlacement(result: AnnotateResult, p: Placement, findings: Finding[], args: AnnotateArgs): void {
  const h: Hotspot = p.hotspot;
  if (p.status === 'unplaced') {
    if (h.kernel && !args.kernel) result.kernelUnplaced++;
    else if (h.self >= args.minPercent || (h.children ?? 0) >= args.minPercent) {
      result.unplaced.push({
        symbol: h.symbol,
        dso: h.dso,
        self: h.self,
        total: h.children,
        reason: p.reason ?? 'not found',
      });
    }
    return;
  }
  if (findings.length === 0 && h.self < args.minPercent && (h.children ?? 0) < args.minPercent) return;
  for (const t of p.targets) {
    result.placed.push({
      path: t.file,
      line: t.line + 1,
      column: t.character + 1,
      self: h.self,
      total: h.children,
      symbol: h.symbol,
      method: p.method ?? '',
      ambiguous: p.status === 'ambiguous' ? p.targets.length : 0,
      findings: findings.map((f) => ({ id: f.id, fixes: f.fixes })),
    });
  }
}

export function formatAnnotate(result: AnnotateResult, color: boolean): string {
  const c = (code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);
  const out: string[] = [];
  const locs = result.placed.map((r) => `${display(r.path)}:${r.line}:${r.column}`);
  const width = Math.min(60, Math.max(0, ...locs.map((l) => l.length)));
  result.placed.forEach((r, i) => {
    const finding = r.findings[0];
    const tail = finding
      ? `  → ${clean(finding.id)}${finding.fixes.length ? ` (${finding.fixes.map(clean).join(', ')})` : ''}`
      : '';
    const amb = r.ambiguous > 1 ? c('33', `  [ambiguous: ${r.ambiguous} definitions]`) : '';
    out.push(
      `${c('36', locs[i].padEnd(width))}  ${pct(r.self)}  ${pct(r.total)}  ${clean(r.symbol)}${c('32', tail)}${amb}`,
    );
  });
  if (result.placed.length === 0)
    out.push(`No hot symbol found in the ${result.files} C/C++ files indexed (${result.definitions} definitions).`);
  if (result.unplaced.length > 0 || result.kernelUnplaced > 0) {
    out.push('', c('1', 'Not placed:'));
    for (const u of result.unplaced) {
      const dso = u.dso ? ` [${clean(u.dso)}]` : '';
      out.push(`  ${pct(u.self)}  ${pct(u.total)}  ${clean(u.symbol)}${dso}  — ${clean(u.reason)}`);
    }
    if (result.kernelUnplaced > 0)
      out.push(`  ${result.kernelUnplaced} kernel symbols (not in the workspace; --kernel lists them)`);
  }
  return out.join('\n') + '\n';
}

export async function run(argv: string[]): Promise<number> {
  const args = parseAnnotateArgs(argv);
  const result = await annotate(args);
  process.stdout.write(args.json ? JSON.stringify(result, null, 2) + '\n' : formatAnnotate(result, args.color));
  return 0;
}
