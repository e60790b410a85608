/**
 * The result of `perf-lens profile`: the shared text report on stdout, the Profile as JSON, and the
 * self-contained HTML report (the webview bundle with the Profile, with the fix catalog for "Copy snippet").
 */
import { writeFileSync } from 'node:fs';
import type { Profile } from '../../core/profile';
import { renderTextReport } from '../../core/report/text';

export function renderProfileText(p: Profile): string {
  return renderTextReport(p);
}

export function writeJson(file: string, p: Profile): void {
  writeFileSync(file, JSON.stringify(p, null, 2) + '\n');
}

export async function writeHtml(file: string, p: Profile): Promise<void> {
  const [{ writeHtmlReport }, { FIXES }] = await Promise.all([
    import('../../core/report/html'),
    import('../../core/fixes'),
  ]);
  const fixes = FIXES.map((f) => ({ id: f.id, title: f.title, snippet: f.snippet }));
  await writeHtmlReport(file, { profile: p }, { fixes });
}
