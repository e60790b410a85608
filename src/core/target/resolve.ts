/**
 * Target resolution: from what the user typed (PID, name, port, executable) to exactly one process, or a
 * UserError that lists the candidates so the user can pick one by PID.
 */
import type { Host } from '../host/types';
import { UserError } from '../errors';
import type { TargetSpec } from '../session/types';
import { runProcessListing, type ListOptions, type ProcessInfo } from './proc-list';

export interface ResolvedTarget {
  pid: number;
  name: string;
  cmdline: string;
  exe: string | null;
  threads: number;
  user: string | null;
  ports: number[];
  /** Start time in clock ticks after boot: a PID with another start time is another process. */
  startTicks: number;
}

const MAX_LISTED = 15;

/** Text for a terminal: control characters shown as escapes, long lines cut. */
export function printable(text: string, max = 100): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  return clean.length > max ? clean.slice(0, max - 1) + '…' : clean;
}

export function describeCandidates(list: ProcessInfo[]): string {
  const lines = list.slice(0, MAX_LISTED).map((p) => {
    const ports = p.ports.length > 0 ? ` [:${p.ports.join(', :')}]` : '';
    return `  ${String(p.pid).padStart(7)}  ${printable(p.name, 20).padEnd(16)}${ports}  ${printable(p.cmdline || `[${p.name}]`)}`;
  });
  if (list.length > MAX_LISTED) lines.push(`  … and ${list.length - MAX_LISTED} more`);
  return lines.join('\n');
}

function argv0Base(cmdline: string): string {
  const first = cmdline.split(' ')[0] ?? '';
  return first.slice(first.lastIndexOf('/') + 1);
}

/** Kernel threads are kthreadd (PID 2) and its children; `ps` shows them as `[name]`. */
function isKernelThread(p: ProcessInfo): boolean {
  return p.ppid === 2 || p.pid === 2;
}

export function matchesName(p: ProcessInfo, name: string): boolean {
  if (p.name === name || argv0Base(p.cmdline) === name) return true;
  // comm is cut to 15 bytes by the kernel: `a-very-long-server-name` shows as `a-very-long-ser`.
  return name.length > 15 && p.name.length === 15 && name.startsWith(p.name);
}

export function validateSpec(spec: TargetSpec): void {
  switch (spec.kind) {
    case 'pid':
      if (!Number.isSafeInteger(spec.pid) || spec.pid < 1 || spec.pid > 4_194_304) {
        throw new UserError(
          `not a process ID: ${printable(String(spec.pid))}`,
          'PIDs are whole numbers from 1 to 4194304',
        );
      }
      return;
    case 'port':
      if (!Number.isInteger(spec.port) || spec.port < 1 || spec.port > 65535) {
        throw new UserError(
          `not a TCP port: ${printable(String(spec.port))}`,
          'ports are whole numbers from 1 to 65535',
        );
      }
      return;
    case 'name':
      // eslint-disable-next-line no-control-regex
      if (spec.name === '' || spec.name.length > 4096 || /[\x00\n]/.test(spec.name)) {
        throw new UserError(`not a usable process name: ${printable(spec.name)}`, null);
      }
      return;
    case 'exe':
      // eslint-disable-next-line no-control-regex
      if (!spec.path.startsWith('/') || spec.path.length > 4096 || /[\x00\n]/.test(spec.path)) {
        throw new UserError(
          `not an absolute executable path: ${printable(spec.path)}`,
          'give the full path, e.g. --exe /usr/sbin/nginx',
        );
      }
      return;
  }
}

export function describeSpec(spec: TargetSpec): string {
  switch (spec.kind) {
    case 'pid':
      return `PID ${spec.pid}`;
    case 'name':
      return `name '${printable(spec.name, 60)}'`;
    case 'port':
      return `listening port ${spec.port}`;
    case 'exe':
      return `executable ${printable(spec.path, 200)}`;
  }
}

/** Picks the one process a TargetSpec names from a listing; throws UserError for none or several. */
export function pickTarget(
  spec: TargetSpec,
  processes: ProcessInfo[],
  context: { hostDescription: string; realpath?: string | null; excludePids?: number[] },
): ProcessInfo {
  const exclude = new Set(context.excludePids ?? []);
  const alive = processes.filter((p) => p.state !== 'Z' && !exclude.has(p.pid));
  let matches: ProcessInfo[];
  switch (spec.kind) {
    case 'pid':
      matches = alive.filter((p) => p.pid === spec.pid);
      break;
    case 'name':
      matches = alive.filter((p) => !isKernelThread(p) && matchesName(p, spec.name));
      break;
    case 'port':
      matches = alive.filter((p) => p.ports.includes(spec.port));
      break;
    case 'exe': {
      const paths = new Set([spec.path, ...(context.realpath ? [context.realpath] : [])]);
      matches = alive.filter(
        (p) => p.exe !== null && (paths.has(p.exe) || paths.has(p.exe.replace(/ \(deleted\)$/, ''))),
      );
      break;
    }
  }
  const what = describeSpec(spec);
  if (matches.length === 1) return matches[0];
  if (matches.length === 0) {
    const hint =
      spec.kind === 'port'
        ? 'is the server running, and listening on TCP (not only UDP)? Processes of other users need root or sudo to be matched to ports'
        : spec.kind === 'exe'
          ? 'the path must be the executable itself (as /proc/PID/exe shows it); other users’ processes need root or sudo'
          : spec.kind === 'name'
            ? 'use the name `ps` shows (comm) or argv[0]; `perf-lens profile --pid N` takes a PID'
            : 'the process may have exited; list processes with `ps -e`';
    throw new UserError(`no process matches ${what} on ${context.hostDescription}`, hint);
  }
  throw new UserError(
    `${matches.length} processes match ${what} on ${context.hostDescription}; choose one with --pid:\n${describeCandidates(matches)}`,
    null,
  );
}

export async function resolveTarget(
  host: Host,
  spec: TargetSpec,
  options: Pick<ListOptions, 'signal' | 'wrap'> = {},
): Promise<ResolvedTarget> {
  validateSpec(spec);
  const listing = await runProcessListing(host, {
    sampleMs: 0,
    // Mapping every socket of every process to its owner is the listing's most expensive part: only a port
    // needs it. The session reads the chosen process's own listening ports when it prepares.
    ports: spec.kind === 'port',
    exePath: spec.kind === 'exe' ? spec.path : undefined,
    signal: options.signal,
    wrap: options.wrap,
  });
  // Never profile ourselves when matching by name or port on the local machine.
  const excludePids = host.kind === 'local' && spec.kind !== 'pid' ? [process.pid] : [];
  const p = pickTarget(spec, listing.processes, {
    hostDescription: host.description,
    realpath: listing.realpath,
    excludePids,
  });
  return {
    pid: p.pid,
    name: p.name,
    cmdline: p.cmdline,
    exe: p.exe,
    threads: p.threads,
    user: p.user,
    ports: p.ports,
    startTicks: p.startTicks,
  };
}

/**
 * The processes running in a terminal: the shell's descendants, parents before children. Empty when the
 * shell runs nothing; a UserError when the shell itself is gone.
 */
export async function resolveTerminalProcesses(
  host: Host,
  shellPid: number,
  options: Pick<ListOptions, 'signal' | 'wrap' | 'sampleMs'> = {},
): Promise<ProcessInfo[]> {
  validateSpec({ kind: 'pid', pid: shellPid });
  const listing = await runProcessListing(host, { sampleMs: options.sampleMs ?? 300, ports: true, ...options });
  return descendants(listing.processes, shellPid, host.description);
}

export function descendants(processes: ProcessInfo[], rootPid: number, hostDescription = 'the host'): ProcessInfo[] {
  if (!processes.some((p) => p.pid === rootPid)) {
    throw new UserError(`the terminal's shell (PID ${rootPid}) is not running on ${hostDescription}`, null);
  }
  const children = new Map<number, ProcessInfo[]>();
  for (const p of processes) {
    const list = children.get(p.ppid) ?? [];
    list.push(p);
    children.set(p.ppid, list);
  }
  const out: ProcessInfo[] = [];
  const queue = [rootPid];
  const seen = new Set<number>([rootPid]);
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const c of (children.get(pid) ?? []).sort((a, b) => a.pid - b.pid)) {
      if (seen.has(c.pid) || c.state === 'Z') continue;
      seen.add(c.pid);
      out.push(c);
      queue.push(c.pid);
    }
  }
  return out;
}
