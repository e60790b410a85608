/**
 * The self-contained HTML report (`perf-lens … --html FILE`): the webview bundle, its styles and the
 * codicon font inlined into one file that opens offline in any browser and shows the same views as the
 * VS Code panel, without the actions that need VS Code (only "Copy snippet" remains).
 *
 * It reads the built bundle from dist/webview (made by `npm run build`).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Comparison } from '../analyze/compare-types';
import { UserError } from '../errors';
import type { Profile } from '../profile';
import { renderWebviewHtml } from './webview-html';

export type ReportData = { profile: Profile } | { before: Profile; after: Profile; comparison: Comparison };

export interface ReportFix {
  id: string;
  title: string;
  snippet: string | null;
}

export interface ReportOptions {
  /** Fix titles and snippets for "Copy snippet" (the fix catalog); without them fixes show by id. */
  fixes?: ReportFix[];
  /** Folder holding main.js, main.css, codicon.css/.ttf, uPlot.min.css; default: dist/webview. */
  assetsDir?: string;
}

/** dist/webview next to the running bundle (dist/cli.js) or from the repository root (tests, tsx). */
function defaultAssetsDir(): string {
  const candidates = [
    join(__dirname, 'webview'),
    join(__dirname, '..', '..', '..', 'dist', 'webview'),
    resolve('dist/webview'),
  ];
  return candidates.find((d) => existsSync(join(d, 'main.js'))) ?? candidates[candidates.length - 1];
}

function readAsset(dir: string, name: string): string {
  const file = join(dir, name);
  if (!existsSync(file))
    throw new UserError(
      `The HTML report needs the webview bundle, but ${file} does not exist.`,
      'Build it first with `npm run build` (it writes dist/webview/).',
    );
  return readFileSync(file, 'utf8');
}

let cache: { dir: string; mtime: number; script: string; styles: string[] } | null = null;

function loadAssets(dir: string): { script: string; styles: string[] } {
  const mainJs = join(dir, 'main.js');
  const mtime = existsSync(mainJs) ? statSync(mainJs).mtimeMs : 0;
  if (cache && cache.dir === dir && cache.mtime === mtime) return cache;
  const script = readAsset(dir, 'main.js').replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
  const css = (name: string) => readAsset(dir, name).replace(/\/\*# sourceMappingURL=\S+ \*\/\s*$/, '');
  let codicons = css('codicon.css');
  const ttf = join(dir, 'codicon.ttf');
  // The icon font as a data: URI (the report must not fetch anything); without it icons are omitted.
  if (existsSync(ttf)) {
    const font = `url("data:font/ttf;base64,${readFileSync(ttf).toString('base64')}") format("truetype")`;
    codicons = codicons.replace(/src:\s*url\([^)]*codicon\.ttf[^)]*\)\s*format\("truetype"\)/, `src: ${font}`);
  }
  cache = { dir, mtime, script, styles: [codicons, css('uPlot.min.css'), css('main.css')] };
  return cache;
}

function titleOf(data: ReportData): string {
  const p = 'profile' in data ? data.profile : data.after;
  const who = `${p.target.command ?? 'process'}${p.target.pid !== null ? ` (PID ${p.target.pid})` : ''}`;
  return 'profile' in data ? `Perf Lens: ${who}` : `Perf Lens: compare ${who}`;
}

export async function renderHtmlReport(data: ReportData, options: ReportOptions = {}): Promise<string> {
  const { script, styles } = loadAssets(options.assetsDir ?? defaultAssetsDir());
  const payload =
    'profile' in data
      ? { kind: 'profile', profile: data.profile, fixes: options.fixes ?? [] }
      : {
          kind: 'compare',
          before: data.before,
          after: data.after,
          comparison: data.comparison,
          fixes: options.fixes ?? [],
        };
  return renderWebviewHtml({
    nonce: '',
    cspSource: '',
    scriptUri: '',
    styleUris: [],
    mode: 'report',
    title: titleOf(data),
    inline: { script, styles, data: JSON.stringify(payload) },
  });
}

/** Write the report atomically (a temp file renamed into place), creating the folder if needed. */
export async function writeHtmlReport(file: string, data: ReportData, options: ReportOptions = {}): Promise<void> {
  const html = await renderHtmlReport(data, options);
  const target = resolve(file);
  await mkdir(dirname(target), { recursive: true });
  const tmp = `${target}.${process.pid}.tmp`;
  await writeFile(tmp, html, 'utf8');
  await rename(tmp, target);
}
