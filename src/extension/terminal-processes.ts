/**
 * "Profile Process Running in This Terminal": the terminal gives us its shell's PID; the candidates are
 * the shell's descendants (a server started from that shell, possibly through `make run`, `npm start` or
 * `sudo`). Pure (no `vscode` import): unit-tested.
 */
import { sortByCpu, type ProcessEntry } from './targets';

/** Every descendant of `rootPid` in the list (breadth first), not including the root itself. */
export function descendants(processes: readonly ProcessEntry[], rootPid: number): ProcessEntry[] {
  const children = new Map<number, ProcessEntry[]>();
  for (const p of processes) {
    if (p.pid === p.ppid) continue;
    const list = children.get(p.ppid);
    if (list) list.push(p);
    else children.set(p.ppid, [p]);
  }
  const out: ProcessEntry[] = [];
  const seen = new Set<number>([rootPid]);
  const queue = [rootPid];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    for (const child of children.get(pid) ?? []) {
      if (seen.has(child.pid)) continue; // a PID cycle would be a broken list; never loop on it
      seen.add(child.pid);
      out.push(child);
      queue.push(child.pid);
    }
  }
  return out;
}

/** Wrappers that only start the real work; the user wants what they run, not them. */
const LAUNCHERS = new Set([
  'sudo',
  'su',
  'make',
  'npm',
  'npx',
  'node-gyp',
  'env',
  'timeout',
  'nohup',
  'time',
  'watch',
  'sh',
  'bash',
  'zsh',
  'fish',
  'dash',
]);

export type TerminalTargets =
  | { kind: 'none'; message: string }
  | { kind: 'one'; process: ProcessEntry }
  | { kind: 'several'; processes: ProcessEntry[] };

/**
 * The processes worth offering among a terminal shell's descendants: without launchers and shells when
 * something else runs under them, busiest first.
 */
export function terminalCandidates(all: readonly ProcessEntry[]): TerminalTargets {
  if (all.length === 0)
    return {
      kind: 'none',
      message: 'Nothing is running in this terminal besides its shell. Start the server there first.',
    };
  const real = all.filter((p) => !LAUNCHERS.has(p.name));
  const candidates = sortByCpu(real.length > 0 ? real : all);
  return candidates.length === 1 ? { kind: 'one', process: candidates[0] } : { kind: 'several', processes: candidates };
}

/** `terminalCandidates` over a whole process table (for callers that already have one). */
export function terminalTargets(processes: readonly ProcessEntry[], shellPid: number): TerminalTargets {
  if (!processes.some((p) => p.pid === shellPid))
    return { kind: 'none', message: `The terminal's shell (PID ${shellPid}) is no longer running.` };
  return terminalCandidates(descendants(processes, shellPid));
}
