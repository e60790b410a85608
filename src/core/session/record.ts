/**
 * The recording phase: `perf record` (sampling with call graphs into the private temp dir), `perf stat -I`
 * on chosen tracepoints (counted in the kernel, streamed every second so a cut-short session keeps what
 * was counted), and `strace -c -f` only when asked. They run at the same time, for the same window.
 */
import type { Host, RunResult } from '../host/types';
import type { Privilege } from './privilege';
import { PerfStatParser, perfStatArgv as buildPerfStatArgv, type PerfStatEventSpec } from '../collect/perf-stat';

export interface RecordPlan {
  pid: number;
  dir: string;
  seconds: number;
  /** perf binary, or null when perf cannot run (then only live data is gathered). */
  perf: string | null;
  frequency: number;
  callGraph: 'fp' | 'dwarf' | 'none';
  maxMiB: number;
  /** Tracepoints for `perf stat` (empty: no perf stat). */
  statEvents: string[];
  /** `fd == 5 || fd == 7`: counts writes to the eventfds (null: none found). */
  eventfdFilter: string | null;
  strace: string | null;
  privilege: Privilege;
}

export interface RecordOutcome {
  perfRecord: RunResult | null;
  perfRecordError: string | null;
  stat: StatStream | null;
  statResult: RunResult | null;
  straceResult: RunResult | null;
  /** Local time (performance.now) the commands were launched and the last one ended. */
  startedAtMs: number;
  endedAtMs: number;
}

export const PERF_DATA = 'perf.data';

/**
 * `perf record -p PID` in the background of a small shell that ends it with SIGINT when the window is over
 * (perf then writes a complete perf.data and exits 130, reported as 0). Not `-- sleep N`: with a workload,
 * perf reacts to the target exiting by signalling its process group and can die mid-write. Not `timeout`:
 * GNU timeout moves itself into a new process group, out of reach of a cancel. The shell prints perf's PID
 * first, so SIGINT can also end the recording early and gracefully (the target exited).
 *   $1 window in quarter seconds, then the perf argv.
 */
export const RECORD_WRAPPER = String.raw`
ticks=$1; shift
"$@" & p=$!
echo "@pid $p"
n=0
while :; do
  IFS= read -r s 2>/dev/null < "/proc/$p/stat" || break
  case "$s" in *") Z "*) break ;; esac
  if [ "$n" -ge "$ticks" ]; then kill -INT "$p" 2>/dev/null; break; fi
  sleep 0.25 2>/dev/null || sleep 1
  n=$((n + 1))
done
wait "$p"; rc=$?
if [ "$rc" -eq 130 ]; then rc=0; fi
exit "$rc"
`;

export function perfRecordArgv(plan: RecordPlan): string[] {
  const cg = plan.callGraph === 'fp' ? ['-g'] : plan.callGraph === 'dwarf' ? ['--call-graph', 'dwarf'] : [];
  return [
    'sh',
    '-c',
    RECORD_WRAPPER,
    'perf-lens-record',
    String(Math.max(1, Math.ceil(plan.seconds * 4))),
    plan.perf!,
    'record',
    // No copies of every binary into ~/.debug: nothing is left on the target after the session.
    '--no-buildid-cache',
    '-F',
    String(plan.frequency),
    ...cg,
    '-p',
    String(plan.pid),
    '-o',
    `${plan.dir}/${PERF_DATA}`,
    '--max-size',
    `${plan.maxMiB}M`,
  ];
}

export function perfStatEvents(plan: Pick<RecordPlan, 'statEvents' | 'eventfdFilter'>): PerfStatEventSpec[] {
  const events: PerfStatEventSpec[] = plan.statEvents.map((name) => ({ name }));
  if (plan.eventfdFilter) events.push({ name: 'syscalls:sys_enter_write', filter: plan.eventfdFilter });
  return events;
}

/** `perf stat -I 1000 -x, --log-fd 1` on the plan's tracepoints: counts stream to stdout every second. */
export function perfStatArgv(plan: RecordPlan): string[] {
  return buildPerfStatArgv({
    pid: plan.pid,
    events: perfStatEvents(plan),
    durationSeconds: plan.seconds,
    intervalMs: 1000,
    csv: true,
    toStdout: true,
    toolPath: plan.perf ?? undefined,
  });
}

/** Feeds perf stat lines to the collectors' parser; a line it cannot read is kept aside, not fatal. */
export class StatStream {
  readonly parser = new PerfStatParser();
  readonly unexpected: string[] = [];
  lines = 0;

  push(line: string): void {
    this.lines++;
    try {
      this.parser.push(line);
    } catch (e) {
      if (this.unexpected.length < 5) this.unexpected.push(e instanceof Error ? e.message : String(e));
    }
  }
}

export function straceArgv(plan: RecordPlan): string[] {
  // SIGINT makes strace detach and print its summary; `timeout` bounds it to the window.
  return [
    'timeout',
    '-s',
    'INT',
    String(plan.seconds),
    plan.strace!,
    '-c',
    '-f',
    '-q',
    '-o',
    '/dev/stdout',
    '-p',
    String(plan.pid),
  ];
}

/**
 * Runs the recording. `stopCounting` ends it early and gracefully (the target exited): perf record gets
 * SIGINT, so it writes a complete perf.data of what it sampled; perf stat and strace are stopped (their
 * counts streamed already). `cancel` kills everything.
 */
export async function record(
  host: Host,
  plan: RecordPlan,
  signals: { cancel: AbortSignal; stopCounting: AbortSignal },
): Promise<RecordOutcome> {
  const startedAtMs = performance.now();
  const both = AbortSignal.any([signals.cancel, signals.stopCounting]);
  const timeoutMs = (plan.seconds + 60) * 1000;
  const run = (argv: string[], signal: AbortSignal, extra: Partial<Parameters<Host['run']>[1]> = {}) => {
    const w = plan.privilege.wrap(argv);
    return host.run(w.argv, { signal, timeoutMs, stdin: w.stdin, ...extra });
  };
  const stat = plan.perf && (plan.statEvents.length > 0 || plan.eventfdFilter) ? new StatStream() : null;
  let perfRecordError: string | null = null;
  let perfPid: number | null = null;
  let perfEnded = false;

  const stopPerf = async () => {
    if (perfEnded || signals.cancel.aborted) return;
    // Wait briefly for the PID line if perf is only just starting.
    for (let i = 0; i < 50 && perfPid === null && !perfEnded; i++) await delay(100);
    if (perfPid === null || perfEnded) return;
    await run(['kill', '-INT', String(perfPid)], signals.cancel, { timeoutMs: 10_000 }).catch(() => undefined);
  };
  const onStop = () => void stopPerf();
  signals.stopCounting.addEventListener('abort', onStop, { once: true });

  const tasks: [Promise<RunResult | null>, Promise<RunResult | null>, Promise<RunResult | null>] = [
    plan.perf
      ? run(perfRecordArgv(plan), signals.cancel, {
          maxOutputBytes: 1 << 20,
          onStdoutLine: (line) => {
            const m = /^@pid (\d+)$/.exec(line);
            if (m) perfPid = Number(m[1]);
          },
        })
          .catch((e: unknown) => {
            perfRecordError = e instanceof Error ? e.message : String(e);
            return null;
          })
          .finally(() => {
            perfEnded = true;
          })
      : Promise.resolve(null),
    stat
      ? run(perfStatArgv(plan), both, { keepStdout: false, onStdoutLine: (l) => stat.push(l) }).catch(() => null)
      : Promise.resolve(null),
    plan.strace ? run(straceArgv(plan), both, { maxOutputBytes: 1 << 20 }).catch(() => null) : Promise.resolve(null),
  ];
  if (signals.stopCounting.aborted) onStop();
  const [perfRecord, statResult, straceResult] = await Promise.all(tasks);
  signals.stopCounting.removeEventListener('abort', onStop);
  return { perfRecord, perfRecordError, stat, statResult, straceResult, startedAtMs, endedAtMs: performance.now() };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
