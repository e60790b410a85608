/** Locating the pieces of Perf Lens a benchmark drives (built bundles), with a reason when one is missing. */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface CliCommand {
  argv: string[];
  /** null when usable; otherwise why not (for the document). */
  missing: string | null;
}

/** `node dist/cli.js SUBCOMMAND`, checked with `--help`. */
export function perfLensCli(repoRoot: string, subcommand: string): CliCommand {
  const cli = join(repoRoot, 'dist', 'cli.js');
  const argv = [process.execPath, cli, subcommand];
  if (!existsSync(cli))
    return { argv, missing: 'dist/cli.js is not built (npm run build failed or src/cli is missing)' };
  const r = spawnSync(process.execPath, [cli, subcommand, '--help'], { encoding: 'utf8', timeout: 30_000 });
  if (r.status !== 0) {
    const why = `${r.stderr}${r.stdout}`.trim().split('\n')[0] ?? '';
    return { argv, missing: `\`perf-lens ${subcommand}\` is not available yet (${why.slice(0, 160)})` };
  }
  return { argv, missing: null };
}
