/**
 * `perf-lens profile`: profile a running process, locally or over ssh, with progress while it runs, then
 * the CPU breakdown, verdict and findings. Ctrl-C stops everything on the target and prints what was
 * gathered (marked partial); a second Ctrl-C stops at once (everything started is still killed).
 */
import { UserError } from '../../core/errors';
import { createHost } from '../../core/host';
import { HostError, type Host } from '../../core/host/types';
import type { Profile } from '../../core/profile';
import { profile } from '../../core/session/profile';
import { STRACE_COST_WARNING } from '../../core/session/options';
import { parseProfileArgs, type ProfileArgs } from './profile-args';
import { createProgress } from './profile-progress';
import { renderProfileText, writeHtml, writeJson } from './profile-output';

export const help = `perf-lens profile — profile a running process (locally or over ssh)

Usage:
  perf-lens profile (--pid N | --name NAME | --port P | --exe PATH) [options]

Which process:
  --pid N              by process ID
  --name NAME          by name (as ps shows it, or argv[0]); refused when several match
  --port P             the process listening on TCP port P
  --exe PATH           the process running the executable PATH

Where:
  --ssh [user@]host    profile on another host through the system ssh (your config and keys)
  --ssh-port N         ssh port
  --ssh-identity FILE  ssh -i FILE
  --ssh-config FILE    ssh -F FILE
  --ssh-option K=V     ssh -o K=V (repeatable; options that run commands are refused)

How:
  --duration S         recording window in seconds (default 10)
  --frequency HZ       perf sampling frequency (default 999)
  --call-graph MODE    fp (default), dwarf (bigger perf.data, works without frame pointers) or none
  --scope SCOPE        where perf samples: auto (default: all CPUs when allowed, keeping the process's
                       samples — far cheaper for the server than attaching to its threads), system or process
  --strace             also run strace -c -f (slows the server down a lot: it says how much first)
  --sudo MODE          never (default) or passwordless (sudo -n) for perf and tracepoints

Output:
  --json FILE          write the Profile (perf-lens/profile@1) as JSON
  --html FILE          write a self-contained HTML report
  -q, --quiet          no progress, only the result

Ctrl-C stops profiling and prints what was gathered so far.`;

export async function run(argv: string[]): Promise<number> {
  const args = parseProfileArgs(argv);
  const host = makeHost(args);
  const controller = new AbortController();
  const progress = createProgress(process.stderr, args.quiet);
  let interrupts = 0;
  const onSignal = (sig: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      progress.line(
        `perf-lens: ${sig === 'SIGINT' ? 'Ctrl-C' : sig}: stopping everything on the target… (again to quit at once)`,
      );
      controller.abort();
      return;
    }
    // Second interrupt: do not wait for the partial result, but still kill what runs on the target.
    void host.dispose().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // `perf-lens profile … | head`: when the reader goes away, stop profiling and clean up instead of dying of
  // EPIPE with tools still running and perf.data left on the target. (Kept for the rest of the process:
  // anything written later must not crash it either.)
  const onOutputError = (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE' || e.code === 'ERR_STREAM_DESTROYED' || e.code === 'ERR_STREAM_WRITE_AFTER_END') {
      controller.abort();
    }
  };
  process.stdout.on('error', onOutputError);
  process.stderr.on('error', onOutputError);
  if (args.options.strace) process.stderr.write(`perf-lens: --strace: ${STRACE_COST_WARNING}\n`);
  try {
    const p = await profile(
      host,
      args.target,
      args.options,
      (e) => {
        if (e.type === 'warning' && e.message === STRACE_COST_WARNING) return; // said before starting
        progress.event(e);
      },
      controller.signal,
    );
    progress.close();
    await writeOutputs(args, p);
    process.stdout.write(renderProfileText(p));
    if (args.json) process.stderr.write(`perf-lens: wrote ${args.json}\n`);
    if (args.html) process.stderr.write(`perf-lens: wrote ${args.html}\n`);
    return controller.signal.aborted ? 130 : 0;
  } catch (e) {
    progress.close();
    if (e instanceof HostError) throw new UserError(e.message, e.hint);
    throw e;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await host.dispose();
  }
}

function makeHost(args: ProfileArgs): Host {
  try {
    if (!args.ssh) return createHost('local');
    return createHost(`ssh:${args.ssh.target}`, {
      port: args.ssh.port,
      identityFile: args.ssh.identityFile,
      configFile: args.ssh.configFile,
      extraOptions: args.ssh.extraOptions,
    });
  } catch (e) {
    if (e instanceof HostError) throw new UserError(e.message, e.hint);
    throw e;
  }
}

async function writeOutputs(args: ProfileArgs, p: Profile): Promise<void> {
  try {
    if (args.json) writeJson(args.json, p);
    if (args.html) await writeHtml(args.html, p);
  } catch (e) {
    if (e instanceof UserError) throw e;
    throw new UserError(`could not write the result: ${e instanceof Error ? e.message : String(e)}`, null);
  }
}
