/**
 * `perf-lens` — the engine from a terminal. Each subcommand lives in `commands/<name>.ts` and exports
 * `run(argv: string[]): Promise<number>` (the exit code) and `help: string`.
 * Errors a user can act on are printed as one line; never a stack trace (unless PERF_LENS_DEBUG=1).
 */
import { UserError } from '../core/errors';
import { VERSION } from '../core/version';

interface Command {
  summary: string;
  load: () => Promise<{ run(argv: string[]): Promise<number>; help: string }>;
}

const commands: Record<string, Command> = {
  profile: { summary: 'profile a running process (local or over ssh)', load: () => import('./commands/profile') },
  analyze: {
    summary: 'analyze saved tool outputs (perf report, pidstat, strace -c, …)',
    load: () => import('./commands/analyze'),
  },
  collapse: {
    summary: 'fold `perf script` output into stacks (stackcollapse-perf.pl drop-in)',
    load: () => import('./commands/collapse'),
  },
  compare: { summary: 'compare two saved profiles', load: () => import('./commands/compare') },
  annotate: { summary: 'map a profile’s hot symbols onto C/C++ source', load: () => import('./commands/annotate') },
  probe: { summary: 'show what a host can profile, and what is missing', load: () => import('./commands/probe') },
};

function usage(): string {
  const width = Math.max(...Object.keys(commands).map((c) => c.length));
  return [
    `perf-lens ${VERSION} — why does this server top out, and what to change`,
    '',
    'Usage: perf-lens <command> [options]     (perf-lens <command> --help for details)',
    '',
    ...Object.entries(commands).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(usage() + '\n');
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    process.stdout.write(VERSION + '\n');
    return 0;
  }
  const command = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!command) {
    process.stderr.write(`perf-lens: unknown command '${name}' (try perf-lens --help)\n`);
    return 2;
  }
  const mod = await command.load();
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(mod.help.trimEnd() + '\n');
    return 0;
  }
  return mod.run(rest);
}

/**
 * Messages echo file names, hosts and process names, which may hold terminal escape sequences: show every
 * control character but the line break as `\xNN`, so nothing in a message can drive the terminal.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\x00-\x09\x0b-\x1f\x7f\x9b]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

function report(err: unknown): number {
  if (process.env.PERF_LENS_DEBUG === '1') console.error(err);
  if (err instanceof UserError) {
    process.stderr.write(terminalSafe(`perf-lens: ${err.message}\n${err.hint ? `  ${err.hint}\n` : ''}`));
    return 2;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(terminalSafe(`perf-lens: ${message}`) + '\n');
  return 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      process.exitCode = report(err);
    },
  );
}
