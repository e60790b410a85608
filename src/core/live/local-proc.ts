/**
 * The live sampler's reading, taken in-process when the target runs on this machine (a local session, or
 * the extension host on the server under Remote-SSH): the same files SAMPLER_SCRIPT greps, in the same
 * `path:line` shape, without starting a process. On a busy 2-core server, the script's grep and sleep
 * processes every second (fork, exec, dynamic linking) cost the profiled server ~1% of its requests/s;
 * reading a few files from Node costs it next to nothing.
 */
import { readdir, readFile } from 'node:fs/promises';

const PROC = '/proc';

/** `path:line` for each line of the file (path relative to /proc, as grep prints it from there). */
async function grepAll(path: string, keep?: (line: string) => boolean): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(`${PROC}/${path}`, 'utf8');
  } catch {
    return []; // a thread that exited between the listing and the read
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.filter((l) => !keep || keep(l)).map((l) => `${path}:${l}`);
}

/** The CPU lines of /proc/stat: how many CPUs (`cpuN`) the host has. */
export async function cpuCount(): Promise<number> {
  const lines = await grepAll('stat', (l) => /^cpu\d/.test(l));
  return lines.length;
}

/**
 * One reading: the lines SAMPLER_SCRIPT prints between `@s` and `@e`, or null when the process is gone.
 * The task listing is sorted like the shell's glob, so the lines come in the script's order.
 */
export async function readProcLines(pid: number): Promise<string[] | null> {
  let tids: string[];
  try {
    tids = (await readdir(`${PROC}/${pid}/task`)).filter((t) => /^\d+$/.test(t)).sort();
  } catch {
    return null;
  }
  const task = (file: string) => tids.map((t) => `${pid}/task/${t}/${file}`);
  const all = await Promise.all([
    grepAll(`${pid}/stat`),
    ...task('stat').map((p) => grepAll(p)),
    ...task('schedstat').map((p) => grepAll(p)),
    grepAll('stat', (l) => l.startsWith('cpu')),
    ...task('status').map((p) => grepAll(p, (l) => l.includes('ctxt_switches'))),
  ]);
  return all.flat();
}
