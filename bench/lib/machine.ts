/** What machine the numbers came from: every document section is read against this. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';

export interface MachineInfo {
  cpuModel: string;
  cores: number;
  ramBytes: number;
  os: string;
  kernel: string;
  pmu: string;
  node: string;
  perf: string;
  perl: string;
  chromium: string;
  wrk: string;
  loadAverage: string;
  commit: string;
  dirty: boolean;
}

function firstLine(argv: string[], pattern?: RegExp): string {
  try {
    const out = execFileSync(argv[0], argv.slice(1), {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 10_000,
    });
    const lines = out.split('\n').filter((l) => l.trim() !== '');
    const line = pattern ? lines.find((l) => pattern.test(l)) : lines[0];
    return line?.trim() ?? 'unknown';
  } catch (e) {
    // wrk prints its version with a non-zero exit; take what it printed.
    const err = e as { stdout?: string; stderr?: string; code?: string };
    if (err.code === 'ENOENT') return 'not installed';
    const text = `${err.stdout ?? ''}\n${err.stderr ?? ''}`
      .split('\n')
      .find((l) => (pattern ? pattern.test(l) : l.trim()));
    return text?.trim() ?? 'unknown';
  }
}

export function machineInfo(repoRoot: string): MachineInfo {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  const os = /^PRETTY_NAME="?([^"\n]+)"?$/m.exec(osRelease)?.[1] ?? 'unknown';
  const hasPmu =
    existsSync('/sys/bus/event_source/devices/cpu') || existsSync('/sys/bus/event_source/devices/cpu_core');
  let dirty = false;
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
    dirty =
      execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
        cwd: repoRoot,
        encoding: 'utf8',
      }).trim() !== '';
  } catch {
    // not a git checkout
  }
  return {
    cpuModel: model.trim(),
    cores: cpus().length,
    ramBytes: totalmem(),
    os,
    kernel: release(),
    pmu: hasPmu ? 'yes' : 'none (a VM without one: perf samples with the cpu-clock timer)',
    node: process.version,
    perf: firstLine(['perf', '--version']),
    perl: firstLine(['perl', '-e', 'printf "perl %vd\\n", $^V']),
    chromium: firstLine(['chromium', '--version'], /Chromium/),
    wrk: firstLine(['wrk', '--version'], /wrk/).replace(/ Copyright.*/, ''),
    loadAverage: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    commit,
    dirty,
  };
}
