import type { DistroFamily } from '../profile';

export const PROBED_TOOLS = [
  'perf',
  'pidstat',
  'mpstat',
  'strace',
  'ss',
  'nstat',
  'netstat',
  'ethtool',
  'bpftrace',
] as const;
export type ProbedTool = (typeof PROBED_TOOLS)[number];

export interface ToolFact {
  /** Where the tool is on PATH, or null when it is not installed. */
  path: string | null;
  /** Version number when its version output had one, e.g. "6.1.192". */
  version: string | null;
  /** The first line of its version output, as printed. */
  versionLine: string | null;
  /**
   * Installed AND answered its version query with exit status 0 (Debian's perf wrapper fails on kernel mismatch);
   * for perf, also a `perf version N` line with another status (see printedOwnVersion).
   */
  works: boolean;
}

/** Everything the probe script reported, parsed; null where the host did not say. */
export interface ProbeFacts {
  kernel: string | null;
  arch: string | null;
  hostname: string | null;
  cpus: number | null;
  uid: number | null;
  distroId: string | null;
  distroLike: string[];
  distroVersion: string | null;
  distroName: string | null;
  distro: DistroFamily;
  tools: Record<ProbedTool, ToolFact>;
  sudoInstalled: boolean;
  sudo: 'root' | 'passwordless' | 'password' | 'none';
  perfEventParanoid: number | null;
  kptrRestrict: number | null;
  ptraceScope: number | null;
  ioUringDisabled: number | null;
  perfMaxSampleRate: number | null;
  tracefs: string | null;
  ioUringTracepoints: boolean;
  syscallTracepoints: boolean;
  pmuDevices: string[];
  /** The `perf stat -e cycles` line when it was asked (no PMU device in sysfs), else null. */
  cyclesProbe: string | null;
  hardwarePmu: boolean;
  container: string | null;
  /** The evidence for `container` (e.g. "systemd-detect-virt -c: docker", "/.dockerenv"). */
  containerEvidence: string[];
  virtualization: string | null;
  /** The script ran to its end (a cut-off output means facts may be missing). */
  complete: boolean;
}

// eslint-disable-next-line no-control-regex -- removing control characters is the point
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** `key=value` lines → map. Unknown keys are kept (ignored later), malformed lines skipped, values sanitised. */
export function parseKeyValues(text: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\r$/, '');
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = line.slice(0, eq);
    if (!/^[A-Za-z0-9_.\-/]+$/.test(key)) continue;
    map.set(
      key,
      line
        .slice(eq + 1)
        .replace(CONTROL, '')
        .slice(0, 500),
    );
  }
  return map;
}

function int(v: string | undefined): number | null {
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return null;
  return Number(v.trim());
}

/** os-release values may be quoted ("…" or '…'), with backslash escapes inside double quotes. */
export function unquoteOsRelease(v: string | undefined): string | null {
  if (v === undefined) return null;
  const t = v.trim();
  if (t.length >= 2 && t.startsWith('"') && t.endsWith('"')) return t.slice(1, -1).replace(/\\(["\\$`])/g, '$1');
  if (t.length >= 2 && t.startsWith("'") && t.endsWith("'")) return t.slice(1, -1);
  return t || null;
}

const FAMILIES: Array<[DistroFamily, RegExp]> = [
  ['debian', /^(debian|ubuntu|linuxmint|pop|raspbian|kali|elementary|devuan)$/],
  ['rhel', /^(rhel|fedora|centos|rocky|almalinux|ol|amzn|cloudlinux|scientific)$/],
  ['suse', /^(suse|opensuse.*|sles|sled|sle-micro)$/],
  ['alpine', /^alpine$/],
  ['arch', /^(arch|archarm|manjaro|endeavouros|garuda)$/],
];

export function distroFamily(id: string | null, like: string[]): DistroFamily {
  for (const candidate of [id, ...like]) {
    if (!candidate) continue;
    for (const [family, re] of FAMILIES) if (re.test(candidate.toLowerCase())) return family;
  }
  return 'unknown';
}

function versionNumber(line: string | null): string | null {
  if (!line) return null;
  const m = /(\d+\.\d+(?:\.\d+)*)/.exec(line);
  return m ? m[1] : null;
}

const KNOWN_PMUS = /^(cpu|cpu_core|cpu_atom|armv.*|arm_.*|cpum_cf)$/;

/**
 * perf printed `perf version N…` but did not exit 0: on a machine stalled for seconds, its `timeout 5` can end
 * it after it printed (seen under CI-like load). A broken perf (a distribution's wrapper without the kernel's
 * perf package) prints an error or warning instead, so the version line itself tells them apart.
 */
function printedOwnVersion(tool: ProbedTool, versionLine: string | null): boolean {
  return tool === 'perf' && versionLine !== null && /^perf version \d/.test(versionLine);
}

export function parseProbeOutput(text: string): ProbeFacts {
  const kv = parseKeyValues(text);
  const get = (k: string) => kv.get(k);
  const tools = {} as Record<ProbedTool, ToolFact>;
  for (const tool of PROBED_TOOLS) {
    const path = get(`path.${tool}`) || null;
    const versionLine = get(`version.${tool}`) || null;
    tools[tool] = {
      path,
      versionLine,
      version: versionNumber(versionLine),
      works: path !== null && (get(`status.${tool}`) === '0' || printedOwnVersion(tool, versionLine)),
    };
  }
  const distroId = unquoteOsRelease(get('os.ID'))?.toLowerCase() ?? null;
  const distroLike = (unquoteOsRelease(get('os.ID_LIKE')) ?? '').toLowerCase().split(/\s+/).filter(Boolean);
  const sudoValue = get('sudo');
  const pmuDevices = (get('pmu.devices') ?? '').split(/\s+/).filter(Boolean);
  const cyclesProbe = get('pmu.cycles') ?? null;
  // A PMU device in sysfs is decisive; otherwise perf's own answer: "<not supported>" means none.
  const hardwarePmu =
    pmuDevices.some((d) => KNOWN_PMUS.test(d)) ||
    (cyclesProbe !== null && /cycles/.test(cyclesProbe) && /^\s*\d/.test(cyclesProbe));

  const evidence: string[] = [];
  let container: string | null = null;
  const detected = get('virt.container');
  if (detected && detected !== 'none') {
    container = detected;
    evidence.push(`systemd-detect-virt -c: ${detected}`);
  }
  if (get('container.podman') === '1') {
    container ??= 'podman';
    evidence.push('/run/.containerenv');
  }
  const cgroup = get('container.cgroup');
  if (cgroup) {
    container ??= /kubepods/.test(cgroup) ? 'kubernetes' : /lxc/.test(cgroup) ? 'lxc' : 'docker';
    evidence.push(`/proc/1/cgroup: ${cgroup}`);
  }
  if (get('container.dockerenv') === '1') {
    container ??= 'docker';
    evidence.push('/.dockerenv');
  }
  const vm = get('virt.vm');

  return {
    kernel: get('kernel') || null,
    arch: get('arch') || null,
    hostname: get('hostname') || null,
    cpus: int(get('cpus')),
    uid: int(get('uid')),
    distroId,
    distroLike,
    distroVersion: unquoteOsRelease(get('os.VERSION_ID')),
    distroName: unquoteOsRelease(get('os.PRETTY_NAME')),
    distro: distroFamily(distroId, distroLike),
    tools,
    sudoInstalled: kv.has('path.sudo'),
    sudo: sudoValue === 'root' || sudoValue === 'passwordless' || sudoValue === 'password' ? sudoValue : 'none',
    perfEventParanoid: int(get('sysctl.kernel/perf_event_paranoid')),
    kptrRestrict: int(get('sysctl.kernel/kptr_restrict')),
    ptraceScope: int(get('sysctl.kernel/yama/ptrace_scope')),
    ioUringDisabled: int(get('sysctl.kernel/io_uring_disabled')),
    perfMaxSampleRate: int(get('sysctl.kernel/perf_event_max_sample_rate')),
    tracefs: get('tracefs') || null,
    ioUringTracepoints: get('tp.io_uring') === '1',
    syscallTracepoints: get('tp.syscalls') === '1',
    pmuDevices,
    cyclesProbe,
    hardwarePmu,
    container,
    containerEvidence: evidence,
    virtualization: vm && vm !== 'none' ? vm : null,
    complete: get('done') === '1',
  };
}
