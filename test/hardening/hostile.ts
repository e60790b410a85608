/**
 * Hostile inputs for the hardening tests, and the proof that none of them ran: every payload, if a shell
 * ever interpreted it, would create a marker file. The tests assert that no marker file appears.
 *
 * API
 *   createTrap() → Trap
 *     Trap.dir                      private 0700 folder the long payloads write into
 *     Trap.payloads(tag) → string[] strings built to inject (`;`, `$()`, backticks, newlines, `|`, `&&`,
 *                                   quotes, leading `-`, `-oProxyCommand=…`), each touching its own marker
 *     Trap.comms → string[]         payloads of at most 15 bytes (the kernel's comm limit), each writing a
 *                                   marker under /tmp with a random name (absolute: the scripts `cd /proc`)
 *     Trap.fired() → string[]       markers that exist (must stay empty)
 *     Trap.cleanup()
 *   startHostileProcess(comm, args) → HostileProcess
 *     A real process (node) that names itself `comm` (written to /proc/self/comm), carries `args` in its
 *     argv and burns ~30% of a core so perf has samples. { pid, comm, stop() }. Killed at exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Trap {
  dir: string;
  payloads(tag: string): string[];
  comms: string[];
  fired(): string[];
  cleanup(): void;
}

const alnum = (n: number) =>
  [...randomBytes(n)].map((b) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[b % 62]).join('');

export function createTrap(): Trap {
  // Not under the tests' isolated TMPDIR: a marker must survive whatever cleans that up.
  const dir = mkdtempSync(join('/tmp', 'pl-trap-'));
  const markers = new Set<string>();
  const marker = (name: string) => {
    const m = join(dir, name);
    markers.add(m);
    return m;
  };
  let n = 0;
  const comms = ['$(>/tmp/PL%)', ';>/tmp/PL%;', '`>/tmp/PL%`', '\n>/tmp/PL%\n', '|>/tmp/PL%'].map((shape) => {
    const m = `/tmp/PL${alnum(3)}`;
    markers.add(m);
    return shape.replace('/tmp/PL%', m);
  });
  for (const c of comms) if (Buffer.byteLength(c) > 15) throw new Error(`comm payload too long: ${c}`);
  return {
    dir,
    comms,
    payloads(tag) {
      const t = () => marker(`${tag}-${n++}`);
      return [
        `;touch ${t()}`,
        `$(touch ${t()})`,
        `\`touch ${t()}\``,
        `\ntouch ${t()}\n`,
        `|touch ${t()}`,
        `&&touch ${t()}`,
        `'";touch ${t()};'`,
        `-oProxyCommand=touch ${t()}`,
        `--help;touch ${t()}`,
        `x$IFS;touch${'${IFS}'}${t()}`,
        `$(touch${'${IFS}'}${t()})`,
      ];
    },
    fired: () => [...markers].filter((m) => existsSync(m)),
    cleanup() {
      rmSync(dir, { recursive: true, force: true });
      for (const m of markers) if (m.startsWith('/tmp/PL')) rmSync(m, { force: true });
    },
  };
}

export interface HostileProcess {
  pid: number;
  comm: string;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const c of live) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

const BUSY = `
require('fs').writeFileSync('/proc/self/comm', process.env.PL_COMM);
const spin = () => { const t = Date.now(); while (Date.now() - t < 3) {} setTimeout(spin, 7); };
spin();
`;

export async function startHostileProcess(comm: string, args: string[]): Promise<HostileProcess> {
  const child = spawn(process.execPath, ['-e', BUSY, '--', ...args], {
    stdio: 'ignore',
    env: { ...process.env, PL_COMM: comm },
  });
  live.add(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pid = child.pid!;
  // Wait until the kernel shows the new name.
  const deadline = Date.now() + 5000;
  for (;;) {
    let now = '';
    try {
      now = readFileSync(`/proc/${pid}/comm`, 'utf8').replace(/\n$/, '');
    } catch {
      // not there yet
    }
    if (now === comm.slice(0, 15)) break;
    if (Date.now() > deadline)
      throw new Error(`the hostile process did not rename itself (comm ${JSON.stringify(now)})`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    pid,
    comm,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
      live.delete(child);
    },
  };
}

/** A short id for file names. */
export function randomTag(): string {
  return alnum(8);
}

/** Temp folder for a test's own files (outside the isolated TMPDIR that leftover checks look at). */
export function scratchDir(prefix: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `pl-${prefix}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
