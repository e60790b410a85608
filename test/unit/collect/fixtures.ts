/** Reads captured tool outputs from test/fixtures (each NAME.txt has a NAME.cmd saying how it was made). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const fixturesDir = join(repoRoot, 'test', 'fixtures');

export function fixture(rel: string): string {
  return readFileSync(join(fixturesDir, rel), 'utf8');
}

/** The `command:` line of a fixture's .cmd file. */
export function fixtureCommand(rel: string): string {
  const cmd = readFileSync(join(fixturesDir, rel.replace(/\.txt$/, '.cmd')), 'utf8');
  const m = /^command: (.*)$/m.exec(cmd);
  if (!m) throw new Error(`no command: line in ${rel}.cmd`);
  return m[1];
}
