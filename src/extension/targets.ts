/**
 * Choosing what to profile: the process list as the Processes view and the "Profile Process…" picker show
 * it, what the user typed into the picker, and which process a port or a terminal stands for.
 * Pure (no `vscode` import): unit-tested.
 */
import type { TargetSpec } from '../core/session/types';

/** One process as the views show it (structurally a subset of core's `ProcessInfo`). */
export interface ProcessEntry {
  pid: number;
  ppid: number;
  /** Short name (comm). */
  name: string;
  /** Full command line, when readable. */
  cmdline: string;
  user: string | null;
  /** %CPU of one core (200 = two cores) over a short interval; null when not measured. */
  cpu: number | null;
  threads: number;
  /** TCP ports it listens on. */
  ports: number[];
}

/** Sorted by CPU (highest first), then by PID, so a busy server is at the top. */
export function sortByCpu(processes: readonly ProcessEntry[]): ProcessEntry[] {
  return [...processes].sort((a, b) => (b.cpu ?? -1) - (a.cpu ?? -1) || a.pid - b.pid);
}

/** Case-insensitive match of a filter text against name, PID, user, ports and command line. */
export function matchesFilter(p: ProcessEntry, filter: string): boolean {
  const f = filter.trim().toLowerCase();
  if (f === '') return true;
  if (/^:\d+$/.test(f)) return p.ports.includes(Number(f.slice(1)));
  if (/^\d+$/.test(f) && (String(p.pid) === f || p.ports.includes(Number(f)))) return true;
  return (
    p.name.toLowerCase().includes(f) ||
    (p.user ?? '').toLowerCase().includes(f) ||
    p.cmdline.toLowerCase().includes(f) ||
    String(p.pid).startsWith(f)
  );
}

/** Kernel threads (kthreadd and its children) are not servers to profile; the views leave them out. */
export function isKernelThread(p: ProcessEntry): boolean {
  return p.pid === 2 || p.ppid === 2;
}

export function filterProcesses(processes: readonly ProcessEntry[], filter: string): ProcessEntry[] {
  return sortByCpu(processes.filter((p) => !isKernelThread(p) && matchesFilter(p, filter)));
}

export const fmtCpu = (cpu: number | null) => (cpu === null ? '–' : `${cpu >= 10 ? cpu.toFixed(0) : cpu.toFixed(1)}%`);

/** Label, description and detail of a row, as in the debugger's attach picker. Strings are plain text. */
export function describeProcess(p: ProcessEntry): { label: string; description: string; detail: string } {
  const ports = p.ports.length > 0 ? ` · :${p.ports.slice(0, 4).join(', :')}${p.ports.length > 4 ? ' …' : ''}` : '';
  return {
    label: p.name,
    description: `${p.pid} · ${fmtCpu(p.cpu)} CPU · ${p.threads} thread${p.threads === 1 ? '' : 's'} · ${p.user ?? '?'}${ports}`,
    detail: p.cmdline.length > 300 ? `${p.cmdline.slice(0, 300)}…` : p.cmdline,
  };
}

/**
 * What the user typed in the picker, when it is a target by itself: `1234` (a PID), `:8080` or `port 8080`
 * (the process listening there), an absolute path (the executable). Names are picked from the list instead.
 */
export function parseTargetInput(text: string): TargetSpec | null {
  const t = text.trim();
  let m = /^(?:pid\s*)?(\d{1,10})$/i.exec(t);
  if (m) {
    const pid = Number(m[1]);
    return pid > 0 && pid <= 4_194_304 ? { kind: 'pid', pid } : null;
  }
  m = /^(?::|port\s*:?\s*)(\d{1,5})$/i.exec(t);
  if (m) {
    const port = Number(m[1]);
    return port >= 1 && port <= 65535 ? { kind: 'port', port } : null;
  }
  if (t.startsWith('/') && !/\p{Cc}/u.test(t) && t.length <= 4096) return { kind: 'exe', path: t };
  return null;
}

export function parsePort(text: string): number | null {
  const m = /^\s*:?(\d{1,5})\s*$/.exec(text);
  if (!m) return null;
  const port = Number(m[1]);
  return port >= 1 && port <= 65535 ? port : null;
}

export type Resolution =
  | { kind: 'one'; process: ProcessEntry }
  | { kind: 'none'; message: string }
  | { kind: 'several'; processes: ProcessEntry[]; message: string };

/** Which listed process a target spec names (for the picker's preview; the session re-resolves on the host). */
export function resolveInList(spec: TargetSpec, processes: readonly ProcessEntry[]): Resolution {
  let matches: ProcessEntry[];
  let what: string;
  let none: string;
  switch (spec.kind) {
    case 'pid':
      matches = processes.filter((p) => p.pid === spec.pid);
      what = `PID ${spec.pid}`;
      none = `No process with PID ${spec.pid}.`;
      break;
    case 'port':
      matches = processes.filter((p) => p.ports.includes(spec.port));
      what = `port ${spec.port}`;
      none = `No process is listening on port ${spec.port}.`;
      break;
    case 'name':
      matches = processes.filter((p) => p.name === spec.name);
      what = `the name "${spec.name}"`;
      none = `No process is named "${spec.name}".`;
      break;
    case 'exe':
      matches = processes.filter((p) => p.cmdline === spec.path || p.cmdline.startsWith(`${spec.path} `));
      what = `the executable ${spec.path}`;
      none = `No process runs ${spec.path}.`;
      break;
  }
  matches = sortByCpu(matches);
  if (matches.length === 1) return { kind: 'one', process: matches[0] };
  if (matches.length === 0) return { kind: 'none', message: none };
  return {
    kind: 'several',
    processes: matches,
    message: `${matches.length} processes match ${what}: ${matches.map((p) => `${p.name} (${p.pid})`).join(', ')}`,
  };
}
