/**
 * The recording phase: `perf record` (sampling with call graphs into the private temp dir), `perf stat -I`
 * on chosen tracepoints (counted in the kernel, streamed every second so a cut-short session keeps what
 * was counted), and `strace -c -f` only when asked.
 *
 * What it costs the profiled server decides how each runs (measured on the demo server under wrk, 2 cores,
 * no PMU: docs/BENCHMARKS.md "Observer overhead"):
 * - Sampling: CPU-wide when allowed, the target's samples kept afterwards (scope.ts says why).
 * - Counting: every enabled syscall tracepoint runs a handler on every system call of the process, ~15–30% of
 *   requests/s for a server making ~400K syscalls/s. Rates are what the analysis needs, so perf stat counts
 *   for COUNT_SECONDS only — while perf record is still starting (it spends 1–4 s reading kernel symbols),
 *   before its sampling is enabled — so the counts cost little and the sampled stacks never include the
 *   tracepoint handlers.
 */
import type { Host, RunResult } from '../host/types';
import type { Privilege } from './privilege';
import { sleepUnless } from '../sleep';
import { PerfStatParser, perfStatArgv as buildPerfStatArgv, type PerfStatEventSpec } from '../collect/perf-stat';

export interface RecordPlan {
  pid: number;
  dir: string;
  seconds: number;
  /** "system": sample every CPU (`-a`) and keep the target's samples afterwards; "process": `-p PID`. */
  scope: 'process' | 'system';
  /**
   * With scope "system": the CPUs to sample (`-C 0-3`) when the target may run on fewer than all online CPUs
   * (pinned, or in a cpuset); null or absent: all of them (`-a`).
   */
  cpus?: string | null;
  /** How long perf stat counts (≤ seconds); see the file comment. */
  countSeconds: number;
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
  /** perf supports `--control` and `-D -1` (5.10+): the window starts when sampling really starts. */
  control?: boolean;
}

export interface RecordOutcome {
  perfRecord: RunResult | null;
  perfRecordError: string | null;
  stat: StatStream | null;
  statResult: RunResult | null;
  straceResult: RunResult | null;
  /** Local time (performance.now) the commands were launched, sampling started, and the last one ended. */
  startedAtMs: number;
  recordingAtMs: number | null;
  endedAtMs: number;
}

export const PERF_DATA = 'perf.data';

/** How long perf may take to start sampling, and to write perf.data after its SIGINT, before it counts as hung. */
const START_TIMEOUT_SECONDS = 30;
const STOP_GRACE_SECONDS = 20;
/** How long after the window perf stat and strace may still run before they count as hung. */
const COUNT_GRACE_SECONDS = 15;
/** perf stat's counting time: rates over 2 s of a steady server are as good as over 10, at a fifth of the cost. */
export const COUNT_SECONDS = 2;

/**
 * `perf record -p PID` in the background of a small shell that ends it with SIGINT when the window is over
 * (perf then writes a complete perf.data and exits 130, reported as 0). Not `-- sleep N`: with a workload,
 * perf reacts to the target exiting by signalling its process group and can die mid-write. Not `timeout`:
 * GNU timeout moves itself into a new process group, out of reach of a cancel.
 *
 * perf needs a while to start (it reads all of /proc/kallsyms first: ~1–4 s on a busy 2-core machine). In
 * "control" mode (perf ≥ 5.10) it starts with its events disabled (`-D -1`), the shell enables them through
 * perf's control FIFO and waits for the ack, and only then prints `@recording` and starts the clock — so the
 * window is N seconds of actual sampling, and the caller can start its other counters at that moment.
 * With a delay ($4, quarter seconds), it enables sampling no earlier than that after perf was launched: perf stat
 * counts in that time (see the file comment).
 * The shell prints perf's PID first, so SIGINT can end the recording early and gracefully (target exited).
 * A perf that does not start sampling within START_TIMEOUT_SECONDS, or has not ended STOP_GRACE_SECONDS after
 * its SIGINT, is stopped (TERM, then KILL) with a line on stderr that says so: a hung perf must not hold the
 * session until the host's timeout. As perf-lens-record ($0) it also copies /proc/kallsyms into the work dir
 * for the post-processing (POSTPROCESS_SCRIPT in scripts.ts): before sampling is enabled in "control" mode,
 * during the window otherwise.
 *   $1 window in quarter seconds   $2 "control" | "plain"   $3 work dir   $4 delay in quarter seconds
 *   then the perf argv.
 */
export const RECORD_WRAPPER = String.raw`
ticks=$1; mode=$2; dir=$3; delay=$4; shift 4
cd "$dir" || exit 3
if [ "$mode" = control ] && ! mkfifo ctl.fifo ack.fifo 2>/dev/null; then mode=plain; fi
if [ "$mode" = control ]; then "$@" -D -1 --control=fifo:ctl.fifo,ack.fifo & p=$!; else "$@" & p=$!; fi
echo "@pid $p"
alive() {
  IFS= read -r s 2>/dev/null < "/proc/$p/stat" || return 1
  case "$s" in *") Z "*) return 1 ;; esac
  return 0
}
stop() {
  echo "perf-lens: $1; stopping perf record" >&2
  kill -TERM "$p" 2>/dev/null
  i=0
  while alive && [ "$i" -lt 8 ]; do sleep 0.25 2>/dev/null || sleep 1; i=$((i + 1)); done
  kill -KILL "$p" 2>/dev/null
}
ks=
copy_kallsyms() {
  # A copy of the kernel's symbol table for perf script afterwards (--kallsyms): reading /proc/kallsyms
  # (the kernel formats ~100k lines, ~45 ms of CPU here) is a large part of perf script's start-up; done
  # during the recording instead of delaying the result, at nice 19. Kept only when complete (a full disk
  # leaves no truncated copy).
  if [ "$0" = perf-lens-record ]; then
    { nice -n 19 cat /proc/kallsyms > kallsyms.part 2>/dev/null && mv kallsyms.part kallsyms || rm -f kallsyms.part; } & ks=$!
  fi
}
if [ "$mode" = control ]; then
  # Copied while perf starts (it reads the same table first, which takes longer): done before sampling is
  # enabled, its CPU stays out of the sampled window. Not waited for: at nice 19 on a saturated machine it
  # may take seconds, and must not delay the sampling.
  copy_kallsyms
  i=0
  while [ "$i" -lt "$delay" ] && alive; do sleep 0.25 2>/dev/null || sleep 1; i=$((i + 1)); done
  exec 3<>ctl.fifo 4<>ack.fifo
  echo enable >&3
  ( IFS= read -r a <&4 && echo "$a" > acked ) & r=$!
  i=0
  while [ ! -s acked ] && alive && [ "$i" -lt ${START_TIMEOUT_SECONDS * 20} ]; do
    sleep 0.05 2>/dev/null || sleep 1
    i=$((i + 1))
  done
  kill "$r" 2>/dev/null
  exec 3>&- 4>&-
  if [ ! -s acked ] && alive; then stop "perf record did not start sampling within ${START_TIMEOUT_SECONDS} s"; fi
fi
alive && echo "@recording"
# Without perf's control FIFO, sampling has started already: copy during the window.
if [ "$mode" != control ]; then copy_kallsyms; fi
n=0
while alive; do
  if [ "$n" -eq "$ticks" ]; then kill -INT "$p" 2>/dev/null; fi
  # perf writes perf.data after its SIGINT; one still running long after that is stuck (or not perf).
  if [ "$n" -ge $((ticks + ${STOP_GRACE_SECONDS * 4})) ]; then
    stop "perf record did not stop within ${STOP_GRACE_SECONDS} s of its SIGINT"
    break
  fi
  sleep 0.25 2>/dev/null || sleep 1
  n=$((n + 1))
done
wait "$p"; rc=$?
if [ -n "$ks" ]; then wait "$ks"; fi
if [ "$rc" -eq 130 ]; then rc=0; fi
exit "$rc"
`;

/** The perf command itself (without the wrapper), for the Profile's sources. */
export function perfRecordCore(plan: RecordPlan): string[] {
  const cg = plan.callGraph === 'fp' ? ['-g'] : plan.callGraph === 'dwarf' ? ['--call-graph', 'dwarf'] : [];
  return [
    plan.perf!,
    'record',
    // No copies of every binary into ~/.debug: nothing is left on the target after the session.
    '--no-buildid-cache',
    // No build-id pass over all samples when perf stops: it is slow for a CPU-wide recording, and a perf killed
    // during it (a cancel) leaves its /tmp/perf-vdso.so-XXXXXX behind. The binaries are read right after, on
    // the same host, by path.
    '--no-buildid',
    '-F',
    String(plan.frequency),
    ...cg,
    ...(plan.scope === 'system' ? (plan.cpus ? ['-C', plan.cpus] : ['-a']) : ['-p', String(plan.pid)]),
    '-o',
    `${plan.dir}/${PERF_DATA}`,
    '--max-size',
    `${plan.maxMiB}M`,
  ];
}

export function perfRecordArgv(plan: RecordPlan): string[] {
  return [
    'sh',
    '-c',
    RECORD_WRAPPER,
    'perf-lens-record',
    String(Math.max(1, Math.ceil(plan.seconds * 4))),
    plan.control ? 'control' : 'plain',
    plan.dir,
    // A quarter second more than perf stat's count, so the two do not overlap.
    String(countsBeforeSampling(plan) ? Math.ceil(plan.countSeconds * 4) + 1 : 0),
    ...perfRecordCore(plan),
  ];
}

export function perfStatEvents(plan: Pick<RecordPlan, 'statEvents' | 'eventfdFilter'>): PerfStatEventSpec[] {
  const events: PerfStatEventSpec[] = plan.statEvents.map((name) => ({ name }));
  if (plan.eventfdFilter) events.push({ name: 'syscalls:sys_enter_write', filter: plan.eventfdFilter });
  return events;
}

/** perf stat counts while perf record starts, before sampling is enabled (needs perf's control FIFO). */
export function countsBeforeSampling(plan: RecordPlan): boolean {
  return plan.perf !== null && plan.control === true && (plan.statEvents.length > 0 || plan.eventfdFilter !== null);
}

/** `perf stat -I 1000 -x, --log-fd 1` on the plan's tracepoints: counts stream to stdout every second. */
export function perfStatArgv(plan: RecordPlan): string[] {
  return buildPerfStatArgv({
    pid: plan.pid,
    events: perfStatEvents(plan),
    durationSeconds: Math.min(plan.seconds, plan.countSeconds),
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

/**
 * `strace -c -f -q -p PID` for the window, under the same timer shell as perf record (SIGINT at the end makes
 * strace detach and print its summary — on stderr). Not `timeout`: it would leave its process group, and a
 * cancel could leave strace attached to the server.
 */
export function straceArgv(plan: RecordPlan): string[] {
  return [
    'sh',
    '-c',
    RECORD_WRAPPER,
    'perf-lens-strace',
    String(Math.max(1, Math.ceil(plan.seconds * 4))),
    'plain',
    plan.dir || '/',
    '0',
    plan.strace!,
    '-c',
    '-f',
    '-q',
    '-p',
    String(plan.pid),
  ];
}

/**
 * Runs the recording: perf record first; perf stat and strace once perf says it is sampling (`@recording`),
 * or at once without perf. `onRecording` tells the caller when the window really starts. `stopCounting`
 * ends everything early and gracefully (the target exited): perf record gets SIGINT and writes a complete
 * perf.data of what it sampled; perf stat and strace are stopped (their counts streamed already).
 * `cancel` kills everything.
 */
export async function record(
  host: Host,
  plan: RecordPlan,
  signals: { cancel: AbortSignal; stopCounting: AbortSignal },
  onRecording: () => void = () => undefined,
): Promise<RecordOutcome> {
  const startedAtMs = performance.now();
  let recordingAtMs: number | null = null;
  const both = AbortSignal.any([signals.cancel, signals.stopCounting]);
  const timeoutMs = (plan.seconds + 90) * 1000;
  const run = (argv: string[], signal: AbortSignal, extra: Partial<Parameters<Host['run']>[1]> = {}) => {
    const w = plan.privilege.wrap(argv);
    return host.run(w.argv, { signal, timeoutMs, stdin: w.stdin, ...extra });
  };
  const stat = plan.perf && (plan.statEvents.length > 0 || plan.eventfdFilter) ? new StatStream() : null;
  let perfRecordError: string | null = null;
  let perfPid: number | null = null;
  let perfEnded = false;
  let started!: () => void;
  const sampling = new Promise<void>((resolve) => (started = resolve));

  const stopPerf = async () => {
    if (perfEnded || signals.cancel.aborted) return;
    // Wait briefly for the PID line if perf is only just starting.
    for (let i = 0; i < 50 && perfPid === null && !perfEnded; i++) await delay(100);
    if (perfPid === null || perfEnded) return;
    await run(['kill', '-INT', String(perfPid)], signals.cancel, { timeoutMs: 10_000 }).catch(() => undefined);
  };
  const onStop = () => void stopPerf();
  signals.stopCounting.addEventListener('abort', onStop, { once: true });
  if (signals.stopCounting.aborted) onStop();

  const perfRecord: Promise<RunResult | null> = plan.perf
    ? run(perfRecordArgv(plan), signals.cancel, {
        maxOutputBytes: 1 << 20,
        onStdoutLine: (line) => {
          const m = /^@pid (\d+)$/.exec(line);
          if (m) perfPid = Number(m[1]);
          else if (line === '@recording') started();
        },
      })
        .catch((e: unknown) => {
          perfRecordError = e instanceof Error ? e.message : String(e);
          return null;
        })
        .finally(() => {
          perfEnded = true;
          started(); // if perf never got to sampling, the counters still run for the window
        })
    : Promise.resolve(null);
  // perf stat has nothing to write after its count: still running well past it, it is hung.
  const countTimeoutMs = (Math.min(plan.seconds, plan.countSeconds) + COUNT_GRACE_SECONDS) * 1000;
  const runStat = (): Promise<RunResult | null> =>
    stat && !signals.cancel.aborted && !signals.stopCounting.aborted
      ? // A perf path the argv check refuses throws here: perf record says so; the window still runs.
        Promise.resolve()
          .then(() =>
            run(perfStatArgv(plan), both, {
              keepStdout: false,
              onStdoutLine: (l) => stat.push(l),
              timeoutMs: countTimeoutMs,
            }),
          )
          .catch(() => null)
      : Promise.resolve(null);
  // Counting while perf record starts (its sampling waits for the count: see RECORD_WRAPPER's delay).
  const early = countsBeforeSampling(plan) ? runStat() : null;
  if (!plan.perf) started();
  await sampling;
  recordingAtMs = performance.now();
  onRecording();

  const counting = signals.cancel.aborted || signals.stopCounting.aborted || (plan.perf !== null && perfEnded);
  // strace has nothing to write after the window: still running well past it, it is hung.
  const straceTimeoutMs = (plan.seconds + COUNT_GRACE_SECONDS) * 1000;
  const [statResult, straceResult] = await Promise.all([
    early ?? (counting ? Promise.resolve(null) : runStat()),
    plan.strace && !counting
      ? run(straceArgv(plan), both, { maxOutputBytes: 1 << 20, timeoutMs: straceTimeoutMs }).catch(() => null)
      : Promise.resolve(null),
  ]);
  const perfResult = await perfRecord;
  // perf could not start, or died early (killed, disk full): the window still runs, so the live breakdown
  // covers it and the profile says what perf did — instead of ending the session at once with nothing.
  const left = plan.seconds * 1000 - (performance.now() - recordingAtMs);
  if (left > 0) await sleepUnless(left, both);
  signals.stopCounting.removeEventListener('abort', onStop);
  return {
    perfRecord: perfResult,
    perfRecordError,
    stat,
    statResult,
    straceResult,
    startedAtMs,
    recordingAtMs,
    endedAtMs: performance.now(),
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
