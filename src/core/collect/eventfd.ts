/**
 * eventfd discovery: which descriptors of a process are eventfds (`anon_inode:[eventfd]` links in
 * /proc/PID/fd), so their writes can be counted in the kernel with a tracepoint filter (perf-stat.ts).
 * Reads three listings: `find … -lname 'anon_inode:\[eventfd\]' -printf '%f\n'` (the argv below: just the
 * numbers), `find … -printf '%f %l\n'` (number and target) and `ls -l /proc/PID/fd`.
 */
import { checkPid, checkToolPath } from './argv';
import { LineContext, linesOf, tokens } from './lines';

export function eventfdArgv(o: { pid: number; toolPath?: string }): string[] {
  return [
    checkToolPath(o.toolPath, 'find'),
    `/proc/${checkPid(o.pid)}/fd`,
    '-mindepth',
    '1',
    '-maxdepth',
    '1',
    '-lname',
    'anon_inode:\\[eventfd\\]',
    '-printf',
    '%f\\n',
  ];
}

/** Every descriptor with its link target: `find /proc/PID/fd -mindepth 1 -maxdepth 1 -printf '%f %l\n'`. */
export function fdListArgv(o: { pid: number; toolPath?: string }): string[] {
  return [
    checkToolPath(o.toolPath, 'find'),
    `/proc/${checkPid(o.pid)}/fd`,
    '-mindepth',
    '1',
    '-maxdepth',
    '1',
    '-printf',
    '%f %l\\n',
  ];
}

export interface FdListing {
  /** Descriptor → link target, when the listing shows targets. */
  targets: Map<number, string>;
  /** eventfd descriptors, ascending. */
  eventfds: number[];
  /** io_uring instances, ascending (when targets are known). */
  ioUrings: number[];
  /** Number of socket descriptors (when targets are known). */
  sockets: number | null;
}

const EVENTFD = 'anon_inode:[eventfd]';

/** Parses any of the three listings. Errors from find/ls (process gone, permission) are ParseErrors. */
export function parseFdListing(text: string): FdListing {
  const ctx = new LineContext('fd listing');
  const targets = new Map<number, string>();
  const bare: number[] = [];
  for (const line of linesOf(text)) {
    ctx.next(line);
    const t = line.trim();
    if (t === '' || /^total \d+$/.test(t)) continue;
    if (/^(find|ls): /.test(t)) {
      const why = /No such file/.test(t)
        ? 'a running process (its /proc entry is gone: the process exited)'
        : /Permission denied/.test(t)
          ? 'permission to read /proc/PID/fd (run as the process owner or root)'
          : 'a descriptor listing';
      throw ctx.error(why);
    }
    if (/^\d+$/.test(t)) {
      bare.push(Number(t));
      continue;
    }
    let m = /^(\d+) (?:-> )?(.+)$/.exec(t);
    if (!m) {
      // ls -l: `lrwx------ 1 root root 64 Nov 26 11:19 5 -> anon_inode:[eventfd]`
      const arrow = t.indexOf(' -> ');
      const before = arrow === -1 ? [] : tokens(t.slice(0, arrow));
      const fd = before[before.length - 1];
      if (arrow !== -1 && /^l[rwx-]{9}/.test(t) && fd !== undefined && /^\d+$/.test(fd)) {
        m = ['', fd, t.slice(arrow + 4)] as unknown as RegExpExecArray;
      }
    }
    if (!m) throw ctx.error('a descriptor number, `N TARGET` or an `ls -l` link line');
    targets.set(Number(m[1]), m[2]);
  }
  if (bare.length > 0 && targets.size > 0)
    throw ctx.inputError('one listing format (numbers only, or descriptors with targets)');
  const sort = (a: number[]) => [...new Set(a)].sort((x, y) => x - y);
  if (bare.length > 0 || targets.size === 0) {
    return { targets, eventfds: sort(bare), ioUrings: [], sockets: null };
  }
  const of = (pred: (target: string) => boolean) => sort([...targets].filter(([, v]) => pred(v)).map(([k]) => k));
  return {
    targets,
    eventfds: of((v) => v === EVENTFD),
    ioUrings: of((v) => v === 'anon_inode:[io_uring]'),
    sockets: [...targets.values()].filter((v) => v.startsWith('socket:')).length,
  };
}
