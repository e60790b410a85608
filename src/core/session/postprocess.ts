/**
 * Post-processing on the target, next to perf.data and the binaries: `perf script` folded by FOLD_AWK into
 * unique stacks with counts, from which the session computes both the hotspots and the folded stacks (one
 * pass over perf.data; `perf report` beside it only on request). Only aggregates come back, consumed line
 * by line.
 */
import type { Host } from '../host/types';
import type { Hotspot } from '../profile';
import type { StackCollapser } from '../collect/stackcollapse';
import type { Privilege } from './privilege';
import { FoldDecoder } from './fold-decode';
import { hotspotsFromFold } from './hotspots';
import { foldCollapser } from './integrations';
import { FOLD_AWK, POSTPROCESS_SCRIPT } from './scripts';
import { checkPid } from '../collect/argv';

export interface PostprocessOutcome {
  fold: FoldDecoder;
  report: string;
  reportTruncated: boolean;
  scriptExit: number | null;
  reportExit: number | null;
  reportErr: string;
  scriptErr: string;
  cancelled: boolean;
  timedOut: boolean;
  durationMs: number;
  /** The command failed before producing anything usable. */
  failure: string | null;
  /** The fold output could not be read (the folded stacks are missing). */
  foldError: string | null;
}

const MAX_REPORT_CHARS = 4 * 1024 * 1024;

/** How the hotspots and the folded stacks were made, for the Profile's sources. */
export const FOLD_COMMAND =
  'perf script -i perf.data [--kallsyms=kallsyms] [--pid=PID] -F comm,pid,tid,time,event,ip,sym,dso --no-inline | awk (unique stacks counted on the target) | stackcollapse-perf';
export const HOTSPOTS_COMMAND =
  'self and children per function and object, from the same perf script samples (as perf report --children --sort dso,sym)';

export interface PostprocessOptions {
  /** The work dir on the target that holds perf.data (and the recording's kallsyms copy, if any). */
  dir: string;
  perf: string;
  children: boolean;
  privilege: Privilege;
  signal: AbortSignal;
  timeoutMs: number;
  /** Also run `perf report` beside `perf script` (default: no — the hotspots come from the samples). */
  withReport?: boolean;
  /** Keep only this process's samples (a CPU-wide recording, `perf record -a`). */
  pid?: number;
}

/** Everything the session takes from a recording's post-processing. */
export interface RecordingAggregates {
  /** The run on the target: exit codes, stderr tails, the decoded fold. */
  outcome: PostprocessOutcome;
  /** From the samples (null when the fold returned no stack, or the run was cancelled). */
  hotspots: Hotspot[] | null;
  sampleCount: number | null;
  /** The folded stacks (null in the same cases). */
  collapser: StackCollapser | null;
  /** Where the time went: on the target (perf script → fold, decoded as it streams in), then here. */
  timings: { onTargetMs: number; hotspotsMs: number; foldMs: number };
}

/**
 * The session's post-processing of a recording, all of it: `perf script` folded on the target, then the
 * hotspots and the folded stacks from those samples. The session calls this, and so does the benchmark, so
 * what is measured is what runs.
 */
export async function postprocessRecording(host: Host, options: PostprocessOptions): Promise<RecordingAggregates> {
  const t0 = performance.now();
  const outcome = await postprocess(host, options);
  const t1 = performance.now();
  const result: RecordingAggregates = {
    outcome,
    hotspots: null,
    sampleCount: null,
    collapser: null,
    timings: { onTargetMs: t1 - t0, hotspotsMs: 0, foldMs: 0 },
  };
  // Cancelled: the session returns what it had before this phase; no point in working on part of the samples.
  if (options.signal.aborted || outcome.fold.result().uniqueStacks === 0) return result;
  const { hotspots, samples } = hotspotsFromFold(outcome.fold);
  const t2 = performance.now();
  result.hotspots = hotspots;
  result.sampleCount = samples;
  result.collapser = foldCollapser(outcome.fold.scriptText());
  result.timings.hotspotsMs = t2 - t1;
  result.timings.foldMs = performance.now() - t2;
  return result;
}

/** The run on the target alone (`perf script` → FOLD_AWK, optionally `perf report`), decoded as it streams. */
export async function postprocess(host: Host, options: PostprocessOptions): Promise<PostprocessOutcome> {
  const fold = new FoldDecoder();
  let section = 'fold';
  const report: string[] = [];
  let reportChars = 0;
  let reportTruncated = false;
  const errs: Record<string, string[]> = { 'report-err': [], 'script-err': [] };
  let scriptExit: number | null = null;
  let foldError: string | null = null;
  let reportExit: number | null = null;

  const onLine = (line: string) => {
    if (section === 'fold') {
      if (line.startsWith('@script-exit')) {
        scriptExit = toExit(line.slice(13));
        section = 'between';
        return;
      }
      if (foldError === null) {
        try {
          fold.push(line);
        } catch (e) {
          // Keep reading the report; the folded stacks are lost, and the Profile says why.
          foldError = e instanceof Error ? e.message : String(e);
        }
      }
      return;
    }
    if (line.startsWith('@report-exit')) {
      reportExit = toExit(line.slice(13));
      return;
    }
    if (line === '@report' || line === '@report-err' || line === '@script-err' || line === '@end') {
      section = line.slice(1);
      return;
    }
    if (section === 'report') {
      if (reportChars + line.length > MAX_REPORT_CHARS) reportTruncated = true;
      else {
        report.push(line);
        reportChars += line.length + 1;
      }
    } else if (section in errs) {
      errs[section].push(line);
    }
  };

  const mode = options.withReport ? (options.children ? 'children' : 'self') : 'none';
  const only = options.pid === undefined ? '' : checkPid(options.pid);
  const argv = ['sh', '-c', POSTPROCESS_SCRIPT, 'perf-lens-post', options.dir, FOLD_AWK, mode, only, options.perf];
  const wrapped = options.privilege.wrap(argv);
  const result = await host.run(wrapped.argv, {
    signal: options.signal,
    timeoutMs: options.timeoutMs,
    keepStdout: false,
    stdin: wrapped.stdin,
    onStdoutLine: onLine,
  });
  let failure: string | null = null;
  if (result.exitCode !== 0 && !result.cancelled) {
    failure = `post-processing ended with ${result.exitCode ?? result.signal}${result.timedOut ? ' (timed out)' : ''}: ${result.stderr.trim().slice(-300)}`;
  }
  return {
    fold,
    report: report.join('\n'),
    reportTruncated,
    scriptExit,
    reportExit,
    reportErr: errs['report-err'].join('\n'),
    scriptErr: errs['script-err'].join('\n'),
    cancelled: result.cancelled,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
    failure,
    foldError,
  };
}

function toExit(text: string): number | null {
  const n = Number(text.trim());
  return text.trim() === '' || !Number.isInteger(n) ? null : n;
}
