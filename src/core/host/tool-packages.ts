import type { DistroFamily } from '../profile';

type Family = Exclude<DistroFamily, 'unknown'>;

/** Which package provides each tool Perf Lens runs, per distro family. */
const PACKAGES: Record<string, Record<Family, string>> = {
  perf: { debian: 'linux-perf', rhel: 'perf', suse: 'perf', alpine: 'perf', arch: 'perf' },
  pidstat: { debian: 'sysstat', rhel: 'sysstat', suse: 'sysstat', alpine: 'sysstat', arch: 'sysstat' },
  mpstat: { debian: 'sysstat', rhel: 'sysstat', suse: 'sysstat', alpine: 'sysstat', arch: 'sysstat' },
  strace: { debian: 'strace', rhel: 'strace', suse: 'strace', alpine: 'strace', arch: 'strace' },
  ss: { debian: 'iproute2', rhel: 'iproute', suse: 'iproute2', alpine: 'iproute2', arch: 'iproute2' },
  nstat: { debian: 'iproute2', rhel: 'iproute', suse: 'iproute2', alpine: 'iproute2', arch: 'iproute2' },
  netstat: {
    debian: 'net-tools',
    rhel: 'net-tools',
    suse: 'net-tools-deprecated',
    alpine: 'net-tools',
    arch: 'net-tools',
  },
  ethtool: { debian: 'ethtool', rhel: 'ethtool', suse: 'ethtool', alpine: 'ethtool', arch: 'ethtool' },
  bpftrace: { debian: 'bpftrace', rhel: 'bpftrace', suse: 'bpftrace', alpine: 'bpftrace', arch: 'bpftrace' },
};

const INSTALL: Record<Family, string> = {
  debian: 'sudo apt-get install -y',
  rhel: 'sudo dnf install -y',
  suse: 'sudo zypper install -y',
  alpine: 'sudo apk add',
  arch: 'sudo pacman -S --noconfirm',
};

/**
 * The exact command that installs `tool` on that distro family, or null when unknown.
 * Ubuntu ships perf per kernel (`linux-tools-$(uname -r)`), unlike Debian's `linux-perf`.
 */
export function installCommand(tool: string, family: DistroFamily, distroId: string | null = null): string | null {
  if (family === 'unknown') return null;
  let pkg = PACKAGES[tool]?.[family];
  if (!pkg) return null;
  if (tool === 'perf' && family === 'debian' && distroId === 'ubuntu')
    pkg = 'linux-tools-common linux-tools-$(uname -r)';
  return `${INSTALL[family]} ${pkg}`;
}

/** A distro-independent hint for a missing tool (the host does not know the distro; the probe does). */
export function missingToolHint(tool: string): string {
  const base = tool.split('/').pop() ?? tool;
  const debian = installCommand(base, 'debian');
  const rhel = installCommand(base, 'rhel');
  const how =
    debian && rhel ? `Install it (Debian/Ubuntu: \`${debian}\`; Fedora/RHEL: \`${rhel}\`), or check PATH. ` : '';
  return `${how}\`perf-lens probe\` lists every missing tool with the command for this host's distro.`;
}
