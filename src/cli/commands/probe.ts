/**
 * `perf-lens probe`: what a host can profile, what is missing, and the command that fixes each gap.
 */
import { parseArgs } from 'node:util';
import { UserError } from '../../core/errors';
import { createHost } from '../../core/host/index';
import { HostError, type Host } from '../../core/host/types';
import { probeHost, PROBED_TOOLS, type ProbeResult } from '../../core/probe/index';

export const help = `Usage: perf-lens probe [--ssh [user@]host[:port]] [--json]

Finds out, in one round trip, what the host can profile: kernel, CPUs, distro, each tool and its version
(perf, pidstat, mpstat, strace, ss, nstat/netstat, ethtool, bpftrace), perf_event_paranoid, kptr_restrict,
ptrace_scope, user and sudo, io_uring tracepoints, hardware PMU, container. Every gap is listed with what
it costs and the exact command that fixes it on that distro.

Options:
  --ssh [user@]host[:port]  probe a host through the system ssh (your ssh config and keys; never prompts)
  --ssh-port N              ssh port
  --ssh-identity FILE       ssh private key (ssh -i)
  --ssh-config FILE         ssh config file (ssh -F)
  --ssh-option KEY=VALUE    extra ssh option (repeatable; ProxyCommand and the like are refused)
  --json                    print the result as JSON (capabilities, notes, facts)
`;

const OPTIONS = {
  ssh: { type: 'string' },
  'ssh-port': { type: 'string' },
  'ssh-identity': { type: 'string' },
  'ssh-config': { type: 'string' },
  'ssh-option': { type: 'string', multiple: true },
  json: { type: 'boolean' },
} as const;

const usageHint = 'see perf-lens probe --help';

function parse(argv: string[]) {
  try {
    const { values, positionals } = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
    if (positionals.length > 0) throw new UserError(`unexpected argument ${JSON.stringify(positionals[0])}`, usageHint);
    return values;
  } catch (e) {
    if (e instanceof UserError) throw e;
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0].replace(/\. To specify .*$/, '');
    throw new UserError(message, usageHint);
  }
}

function makeHost(values: ReturnType<typeof parse>): Host {
  const sshOnly = (['ssh-port', 'ssh-identity', 'ssh-config', 'ssh-option'] as const).filter(
    (k) => values[k] !== undefined,
  );
  if (values.ssh === undefined) {
    if (sshOnly.length > 0) throw new UserError(`--${sshOnly[0]} needs --ssh`, usageHint);
    return createHost('local');
  }
  let port: number | undefined;
  if (values['ssh-port'] !== undefined) {
    const text = values['ssh-port'];
    if (!/^\d{1,5}$/.test(text) || Number(text) < 1 || Number(text) > 65535) {
      throw new UserError(`--ssh-port must be a number from 1 to 65535, not ${JSON.stringify(text)}`, usageHint);
    }
    port = Number(text);
  }
  return createHost(`ssh:${values.ssh}`, {
    port,
    identityFile: values['ssh-identity'],
    configFile: values['ssh-config'],
    extraOptions: values['ssh-option'] ?? [],
  });
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

export function renderProbe(r: ProbeResult): string {
  const f = r.facts;
  const out: string[] = [];
  const system = [
    f.distroName ?? f.distroId ?? 'unknown distro',
    f.kernel && `kernel ${f.kernel}`,
    f.arch,
    f.cpus !== null && `${f.cpus} CPUs`,
  ]
    .filter(Boolean)
    .join(', ');
  out.push(`Host:     ${r.host} — ${system}`);
  const who =
    f.uid === 0 ? 'uid 0 (root)' : `uid ${f.uid ?? '?'}, sudo: ${f.sudo === 'none' ? 'not available' : f.sudo}`;
  out.push(`User:     ${who}`);
  if (f.virtualization || f.container) {
    out.push(
      `Runs in:  ${[f.virtualization && `virtual machine (${f.virtualization})`, f.container && `container (${f.container})`].filter(Boolean).join(', ')}`,
    );
  }
  out.push('Tools:');
  for (const tool of PROBED_TOOLS) {
    const t = f.tools[tool];
    const state = !t.path
      ? 'missing'
      : !t.works
        ? `broken: ${t.versionLine ?? 'no output'}`
        : (t.version ?? t.versionLine ?? 'present');
    out.push(`  ${tool.padEnd(9)} ${state.padEnd(12)} ${t.path ?? ''}`.trimEnd());
  }
  const sysctl = (v: number | null) => (v === null ? 'n/a' : String(v));
  out.push(
    `Kernel:   perf_event_paranoid ${sysctl(f.perfEventParanoid)}, kptr_restrict ${sysctl(f.kptrRestrict)}, ptrace_scope ${sysctl(f.ptraceScope)}`,
  );
  out.push(
    `Tracing:  tracefs ${f.tracefs ?? (f.uid === 0 ? 'not mounted' : 'not readable')}, io_uring tracepoints ${yesNo(f.ioUringTracepoints)}, syscall tracepoints ${yesNo(f.syscallTracepoints)}`,
  );
  out.push(`PMU:      ${f.hardwarePmu ? 'hardware PMU available' : 'no hardware PMU (perf samples with cpu-clock)'}`);
  out.push('');
  if (r.notes.length === 0) {
    out.push('Nothing missing: every collector can run.');
  } else {
    out.push('Notes:');
    for (const n of r.notes) {
      out.push(`  [${n.severity}] ${n.message}`);
      if (n.fix && !n.message.includes(n.fix)) out.push(`      fix: ${n.fix}`);
    }
  }
  return out.join('\n');
}

export async function run(argv: string[]): Promise<number> {
  const values = parse(argv);
  let host: Host;
  try {
    host = makeHost(values);
  } catch (e) {
    if (e instanceof HostError) throw new UserError(e.message, e.hint);
    throw e;
  }
  const ac = new AbortController();
  const onSigint = () => ac.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await probeHost(host, ac.signal);
    process.stdout.write((values.json ? JSON.stringify(result, null, 2) : renderProbe(result)) + '\n');
    return 0;
  } catch (e) {
    if (e instanceof HostError && e.code === 'CANCELLED') {
      process.stderr.write('perf-lens: probe cancelled\n');
      return 130;
    }
    if (e instanceof HostError) throw new UserError(e.message, e.hint);
    throw e;
  } finally {
    process.removeListener('SIGINT', onSigint);
    await host.dispose();
  }
}
