/**
 * A profiling session: "profile this process" end to end.
 *
 *   resolve the target ─┬─ live sampler (a breakdown every second from the first ~0.3 s on)
 *   probe the host ─────┘
 *   prepare (eventfds, tracepoints, network counters) → record (perf record ∥ perf stat -I ∥ strace?)
 *   → network counters again → post-process on the target (perf report ∥ perf script | fold) → analyse
 *
 * Cancel (signal) stops everything on the target at any moment and returns what was gathered, marked
 * partial; so does the target exiting. Nothing is left running or on disk: every command is awaited and the
 * temp dir removed in `finally`.
 */
import { constants as osConstants } from 'node:os';
import type { Host, RunResult } from '../host/types';
import type { Profile } from '../profile';
import { UserError } from '../errors';
import { LiveSampler, type LiveUpdate } from '../live/sampler';
import type { Reading } from '../live/reading';
import { resolveTarget, validateSpec, describeSpec, printable } from '../target/resolve';
import type { ResolvedTarget } from '../target/resolve';
import { assemble } from './assemble';
import { addNote, emptyGathered, type Gathered } from './gathered';
import { analyzeProfile, probeTarget, type ProbeOutcome } from './integrations';
import { parseNetSnapshot, type NetSnapshot } from './net';
import { parseSsSummary } from '../collect/ss';
import { eventfdWriteFilter } from '../collect/perf-stat';
import { parseStraceSummary } from '../collect/strace';
import { resolveOptions, STRACE_COST_WARNING } from './options';
import { FOLD_COMMAND, HOTSPOTS_COMMAND, postprocessRecording } from './postprocess';
import { choosePrivilege, sudoRefused, type Privilege } from './privilege';
import {
  COUNT_SECONDS,
  countsBeforeSampling,
  record,
  perfRecordCore,
  perfStatArgv,
  straceArgv,
  type RecordPlan,
} from './record';
import { NET_SNAPSHOT, PREPARE_SCRIPT } from './scripts';
import { splitSections } from './sections';
import { sleepUnless } from '../sleep';
import { formatCpuList, sampledCpus } from './cpu-list';
import { chooseRecordScope, type RecordScope } from './scope';
import { chooseStatEvents, parsePrepareOutput, perfSupportsControl } from './prepare';
import type { SessionEvent, SessionOptions, SessionPhase, TargetSpec } from './types';

export { listProcesses, resolveTerminalProcesses, type ProcessInfo } from '../target';

/** Overall progress at the start of each phase (the record phase takes most of the bar). */
const PHASE_START: Record<SessionPhase, number> = {
  resolve: 0,
  probe: 0.03,
  live: 0.05,
  record: 0.08,
  postprocess: 0.86,
  analyze: 0.97,
  done: 1,
};
const MAX_TIMELINE = 3600;

export async function profile(
  host: Host,
  target: TargetSpec,
  options: Partial<SessionOptions>,
  onEvent: (e: SessionEvent) => void,
  signal?: AbortSignal,
): Promise<Profile> {
  const opts = resolveOptions(options);
  validateSpec(target);
  return new Session(host, target, opts, onEvent, signal).run();
}

class Session {
  private readonly g: Gathered;
  private readonly ctl = new AbortController();
  /** Ends perf stat / strace early when the target exits (perf record ends by itself then). */
  private readonly stopCounting = new AbortController();
  private sampler: LiveSampler | null = null;
  private samplerPid: number | null = null;
  private phase: SessionPhase = 'resolve';
  private targetExitedAt: number | null = null;
  private readonly t0 = performance.now();
  private tempDir: string | null = null;
  private windowStart: Reading | null = null;
  private progressTimer: NodeJS.Timeout | null = null;
  /** A live-only session ended by its stop signal: that is its normal end, not a cut-short one. */
  private liveStopped = false;

  constructor(
    private readonly host: Host,
    private readonly spec: TargetSpec,
    private readonly opts: SessionOptions,
    private readonly onEvent: (e: SessionEvent) => void,
    private readonly outer: AbortSignal | undefined,
  ) {
    this.g = emptyGathered(host.description, host.kind);
  }

  private get cancelled(): boolean {
    return this.outer?.aborted === true;
  }

  private emit(e: SessionEvent): void {
    try {
      this.onEvent(e);
    } catch {
      // A listener's bug must not break the session (or leave tools running on the target).
    }
  }

  private progress(phase: SessionPhase, within: number, message: string): void {
    this.phase = phase;
    const next = phase === 'done' ? 1 : (Object.values(PHASE_START).find((v) => v > PHASE_START[phase]) ?? 1);
    const fraction = PHASE_START[phase] + (next - PHASE_START[phase]) * Math.min(1, Math.max(0, within));
    this.emit({ type: 'progress', phase, fraction: Math.round(fraction * 1000) / 1000, message });
  }

  private partial(reason: string): void {
    this.g.partialReasons.push(reason);
  }

  async run(): Promise<Profile> {
    const onAbort = () => this.ctl.abort();
    if (this.outer?.aborted) this.ctl.abort();
    this.outer?.addEventListener('abort', onAbort, { once: true });
    try {
      await this.steps();
      if (this.cancelled && !this.liveStopped && !this.g.partialReasons.some((r) => r.startsWith('cancelled')))
        this.partial(`cancelled during ${this.phase}`);
      return this.finish();
    } catch (e) {
      if (this.cancelled) {
        this.partial(`cancelled during ${this.phase}`);
        return this.finish();
      }
      throw e;
    } finally {
      this.outer?.removeEventListener('abort', onAbort);
      if (this.progressTimer) clearInterval(this.progressTimer);
      this.ctl.abort();
      this.stopCounting.abort();
      await this.sampler?.done;
      if (this.tempDir) await this.host.removeTempDir(this.tempDir).catch(() => undefined);
    }
  }

  private async steps(): Promise<void> {
    const signal = this.ctl.signal;
    this.progress('resolve', 0, `Looking for ${describeSpec(this.spec)} on ${this.host.description}`);
    // A PID needs no lookup: start the live breakdown at once, while the target is checked and the host probed.
    if (this.spec.kind === 'pid') this.startSampler(this.spec.pid);
    const probing = probeTarget(this.host, signal);
    probing.catch(() => undefined); // awaited later; a cancel may reject it before then
    const target = await this.resolve(probing);
    if (!target || this.cancelled) return;
    this.g.target = target;
    this.emit({
      type: 'target',
      pid: target.pid,
      command: target.name,
      threads: target.threads,
      host: this.host.description,
    });
    if (this.samplerPid !== target.pid) this.startSampler(target.pid);

    this.progress('probe', 0, 'Checking which tools and permissions the host has');
    const probe = await probing;
    if (this.cancelled) return;
    this.applyProbe(probe);
    const privilege = this.choosePrivilege(probe);

    if (this.opts.liveOnly) {
      // Live monitoring only: no recording, nothing on the target but the sampler; stopping is its normal end.
      addNote(this.g, {
        id: 'live-only',
        severity: 'info',
        message: 'live CPU monitoring only: no perf recording, hotspots or in-kernel counts',
        fix: null,
      });
      this.emit({ type: 'notes', notes: [...this.g.notes] });
      this.progress('live', 0, 'Live CPU breakdown (stop to end)');
      await this.sampler?.done;
      this.liveStopped = this.cancelled;
      return;
    }
    const plan = await this.prepare(target, probe, privilege);
    this.emit({ type: 'notes', notes: [...this.g.notes] });
    if (this.cancelled || this.targetGone()) return;
    // From here on something was gathered: a failure costs that phase's data, not the whole Profile.
    try {
      await this.recordPhase(plan);
    } catch (e) {
      if (this.cancelled) return;
      this.partial(`recording failed: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (this.cancelled) return;
    try {
      await this.postprocessPhase(plan, privilege);
    } catch (e) {
      if (this.cancelled) return;
      this.partial(`post-processing failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  // ── resolve ────────────────────────────────────────────────────────────────────────────────────────────

  private async resolve(probing: Promise<ProbeOutcome>): Promise<ResolvedTarget | null> {
    const signal = this.ctl.signal;
    try {
      return await resolveTarget(this.host, this.spec, { signal });
    } catch (e) {
      if (this.cancelled) return null;
      // Other users' ports and executables are only visible with privileges: retry once through sudo.
      if (e instanceof UserError && e.message.startsWith('no process matches') && this.opts.sudo !== 'never') {
        const probe = await probing;
        if (probe.capabilities.uid !== 0 && probe.capabilities.uid !== null) {
          const privilege = this.choosePrivilege(probe);
          return await resolveTarget(this.host, this.spec, { signal, wrap: privilege.wrap });
        }
      }
      throw e;
    }
  }

  // ── live ───────────────────────────────────────────────────────────────────────────────────────────────

  private startSampler(pid: number): void {
    if (this.sampler) void this.sampler.stop();
    this.samplerPid = pid;
    this.sampler = new LiveSampler(this.host, pid, {
      maxSeconds: this.opts.liveOnly ? 24 * 3600 : this.opts.durationSeconds + 600,
      startedAtMs: this.t0,
      signal: this.ctl.signal,
      onUpdate: (u) => this.onLive(u),
      onTargetExit: () => this.onTargetExit(),
    });
    const sampler = this.sampler;
    // The sampler failing (its ssh connection dropped, the host killed it) loses the live breakdown for the
    // rest of the window: say so, and mark the profile partial, instead of averaging over what came before.
    void sampler.done.then((end) => {
      if (end.reason !== 'failed' || sampler !== this.sampler || this.cancelled || this.finished) return;
      const why = printable(end.message ?? 'it ended unexpectedly', 300);
      this.partial(`live CPU sampling stopped during ${this.phase}: ${why}`);
      this.emit({ type: 'warning', message: `live CPU sampling stopped: ${why}` });
    });
  }

  private onLive(u: LiveUpdate): void {
    if (this.ctl.signal.aborted) return; // a reading already in the pipe when the session was stopped
    const b = u.breakdown;
    const sample = { t: u.t, process: b.process, system: b.system };
    this.g.timeline.push(sample);
    if (this.g.timeline.length > MAX_TIMELINE) this.g.timeline.splice(0, this.g.timeline.length - MAX_TIMELINE);
    this.emit({ type: 'live', sample, threads: b.threads, perCpu: b.perCpu });
  }

  private onTargetExit(): void {
    if (this.targetExitedAt !== null || !this.g.target) return;
    this.targetExitedAt = performance.now();
    this.stopCounting.abort();
    this.emit({ type: 'warning', message: `process ${this.g.target.pid} (${printable(this.g.target.name)}) exited` });
  }

  private targetGone(): boolean {
    if (this.targetExitedAt === null) return false;
    if (!this.g.partialReasons.some((r) => r.startsWith('target process exited'))) {
      this.partial(`target process exited during ${this.phase}`);
    }
    return true;
  }

  // ── probe and plan ─────────────────────────────────────────────────────────────────────────────────────

  private applyProbe(probe: ProbeOutcome): void {
    this.g.capabilities = probe.capabilities;
    this.g.kernel = probe.kernel;
    this.g.cores = probe.cores;
    for (const n of probe.notes) addNote(this.g, n);
  }

  private choosePrivilege(probe: ProbeOutcome): Privilege {
    const p = choosePrivilege(probe.capabilities.uid, probe.capabilities.sudo, this.opts);
    return p;
  }

  private async prepare(target: ResolvedTarget, probe: ProbeOutcome, privilege: Privilege): Promise<RecordPlan> {
    const caps = probe.capabilities;
    const signal = this.ctl.signal;
    const privileged = privilege.mode !== 'none';
    const perf = this.opts.toolPaths?.perf ?? (caps.perf ? 'perf' : null);
    const plan: RecordPlan = {
      pid: target.pid,
      dir: '',
      seconds: this.opts.durationSeconds,
      scope: 'process',
      countSeconds: Math.min(this.opts.durationSeconds, COUNT_SECONDS),
      perf: null,
      frequency: this.opts.frequency,
      callGraph: this.opts.callGraph,
      maxMiB: this.opts.perfDataMaxMiB,
      statEvents: [],
      eventfdFilter: null,
      strace: null,
      privilege,
    };

    const w = privilege.wrap(['sh', '-c', PREPARE_SCRIPT, 'perf-lens-prepare', String(target.pid)]);
    const r = await this.host.run(w.argv, { signal, stdin: w.stdin, timeoutMs: 20_000, maxOutputBytes: 4 << 20 });
    if (this.cancelled) return plan;
    const refused = sudoRefused(r.stderr);
    if (refused) throw new UserError(refused, 'check the sudo password or the sudoers rule, or use sudo mode "never"');
    const info = parsePrepareOutput(r.stdout);
    if (info.gone) {
      this.onTargetExit();
      this.targetGone();
      return plan;
    }
    if (info.exe) this.g.target = { ...this.g.target!, exe: info.exe };
    if (info.ports.length > 0 && this.g.target!.ports.length === 0)
      this.g.target = { ...this.g.target!, ports: info.ports };
    if (info.exe?.endsWith(' (deleted)')) {
      addNote(this.g, {
        id: 'binary-replaced',
        severity: 'warning',
        message:
          'the executable was replaced or deleted since the process started: perf cannot read its symbols, so its own functions show as [unknown]',
        fix: 'restart the process from the current binary, then profile again',
      });
    }
    const fds = info.eventfds;
    const tracepoints = info.tracepoints;
    this.g.netBefore = info.net;
    if (info.netError) this.netNote('before', info.netError);
    this.g.sources.push({
      tool: 'proc',
      command: `/proc/${target.pid}/fd, /proc/${target.pid}/net/{snmp,netstat}, /proc/softirqs`,
      version: null,
    });

    // perf: can it sample this process at all, and count tracepoints?
    const paranoid = info.paranoid ?? caps.perfEventParanoid ?? 2;
    // The probe already explains host-wide gaps; say only what is specific to this session's choices.
    const probeSaid = (...ids: string[]) => probe.notes.some((n) => ids.includes(n.id));
    if (!perf) {
      if (!probeSaid('perf-missing', 'perf-broken')) {
        addNote(this.g, {
          id: 'no-perf',
          severity: 'critical',
          message:
            'perf is not installed on the target: no hotspots, call stacks or in-kernel counts, only the CPU breakdown',
          fix: probe.installHint.perf,
        });
      }
    } else {
      plan.perf = perf;
      plan.control = perfSupportsControl(caps.perfVersion);
      // A CPU-wide recording covers only the CPUs the target may run on: a pinned server's neighbours (the
      // load generator here, other tenants in production) are not interrupted 999 times a second for nothing.
      const cpus = sampledCpus(info.allowedCpus, info.onlineCpus);
      plan.scope = this.chooseScope(privileged, paranoid, probe.cores, cpus?.length ?? null);
      if (plan.scope === 'system' && cpus) {
        plan.cpus = formatCpuList(cpus);
        addNote(this.g, {
          id: 'sampled-cpus',
          severity: 'info',
          message:
            `perf samples CPUs ${plan.cpus} only (-C), the ones PID ${target.pid}'s threads may run on (their affinity), ` +
            `not all ${info.onlineCpus!.length}: if the affinity widens during the window, samples elsewhere are missing`,
          fix: null,
        });
      }
      if (!privileged && paranoid > 1 && !probeSaid('perf-paranoid')) {
        addNote(this.g, {
          id: 'kernel-frames-missing',
          severity: 'warning',
          message: `kernel frames will be missing: perf_event_paranoid is ${paranoid} and perf runs without privileges`,
          fix: 'sudo sysctl kernel.perf_event_paranoid=1   (or allow sudo for perf)',
        });
      }
      if (privileged || paranoid <= -1) {
        const { events, missing } = chooseStatEvents(tracepoints);
        plan.statEvents = events;
        if (missing.length > 0) {
          addNote(this.g, {
            id: 'tracepoints-missing',
            severity: 'info',
            message: `these tracepoints do not exist on this kernel, so their counts are missing: ${missing.join(', ')}`,
            fix: null,
          });
        }
        if (fds.length > 0 && tracepoints.has('syscalls/sys_enter_write')) {
          plan.eventfdFilter = eventfdWriteFilter(fds);
          this.g.eventfdFds = fds;
        }
      } else if (!probeSaid('tracepoints-need-root')) {
        addNote(this.g, {
          id: 'no-tracepoints',
          severity: 'warning',
          message: 'syscall, io_uring and eventfd counts need root (tracepoints): they are missing',
          fix: 'run with sudo (mode "passwordless" or "password") or as root',
        });
      }
    }
    if (this.opts.strace) {
      if (caps.strace || this.opts.toolPaths?.strace) {
        plan.strace = this.opts.toolPaths?.strace ?? 'strace';
        this.emit({ type: 'warning', message: STRACE_COST_WARNING });
        addNote(this.g, { id: 'strace-overhead', severity: 'warning', message: STRACE_COST_WARNING, fix: null });
      } else {
        addNote(this.g, {
          id: 'no-strace',
          severity: 'info',
          message: 'strace was asked for but is not installed on the target',
          fix: probe.installHint.strace,
        });
      }
    }
    if (plan.perf) plan.dir = await this.host.makeTempDir('perf-lens-rec');
    this.tempDir = plan.dir || null;
    return plan;
  }

  private perfRecordTail: string | null = null;

  private chooseScope(
    privileged: boolean,
    paranoid: number,
    cores: number | null,
    sampled: number | null,
  ): RecordScope {
    const busy = this.busyCpus(cores);
    const { scope, note } = chooseRecordScope({
      asked: this.opts.recordScope ?? 'auto',
      privileged,
      paranoid,
      // Only the sampled CPUs' samples count against the limit.
      busyCpus: sampled === null ? busy : Math.min(busy, sampled),
      frequency: this.opts.frequency,
    });
    if (note) addNote(this.g, note);
    return scope;
  }

  /** Busy CPUs of the host by the live breakdown so far (all of them when there is none yet). */
  private busyCpus(cores: number | null): number {
    const first = this.sampler?.first();
    const last = this.sampler?.latest();
    const b = first && last && first !== last ? this.sampler!.between(first, last) : null;
    const n = this.sampler?.cpuCount || cores || 1;
    const idle = b?.system.idle;
    return idle === null || idle === undefined ? n : Math.max(1, (n * (100 - idle)) / 100);
  }

  private netNote(when: string, error: string): void {
    addNote(this.g, {
      id: 'network-counters-unreadable',
      severity: 'info',
      message: `network counters (${when}) could not be read: ${error}`,
      fix: null,
    });
  }

  private readNet(s: ReturnType<typeof splitSections>, when: string): NetSnapshot | null {
    try {
      return parseNetSnapshot(s.lines);
    } catch (e) {
      this.netNote(when, e instanceof Error ? e.message : String(e));
      return null;
    }
  }

  // ── record ─────────────────────────────────────────────────────────────────────────────────────────────

  private async recordPhase(plan: RecordPlan): Promise<void> {
    const seconds = plan.seconds;
    const what = [
      plan.perf
        ? `perf record -F ${plan.frequency}${plan.callGraph === 'none' ? '' : ` -g (${plan.callGraph})`}`
        : null,
      plan.statEvents.length > 0 || plan.eventfdFilter
        ? `perf stat on ${plan.statEvents.length + (plan.eventfdFilter ? 1 : 0)} tracepoints${countsBeforeSampling(plan) ? ' (done)' : ` (first ${plan.countSeconds} s)`}`
        : null,
      plan.strace ? 'strace -c -f' : null,
      'live /proc sampler',
    ].filter(Boolean);
    const label = what.join(', ');
    this.progress(
      'record',
      0,
      countsBeforeSampling(plan)
        ? `Counting system calls for ${plan.countSeconds} s while perf starts on PID ${plan.pid}…`
        : plan.perf
          ? `Starting perf on PID ${plan.pid}…`
          : `Recording ${seconds} s: ${label}`,
    );
    this.windowStart = this.sampler?.latest() ?? null;
    const startClock = () => {
      // The window starts when perf really samples (it takes a moment to attach): the averages and the
      // progress count from here.
      this.windowStart = this.sampler?.latest() ?? this.windowStart;
      const started = performance.now();
      this.progress('record', 0, `Recording 0/${seconds} s: ${label}`);
      this.progressTimer = setInterval(() => {
        const elapsed = (performance.now() - started) / 1000;
        this.progress(
          'record',
          elapsed / (seconds + 1),
          // Rounded, not floored: Node's timers run on a millisecond clock and may fire a fraction of a
          // millisecond early by performance.now(), and a floor would then print 0 twice and skip a count.
          `Recording ${Math.min(seconds, Math.round(elapsed))}/${seconds} s: ${label}`,
        );
      }, 1000);
    };

    let outcome;
    if (plan.perf || plan.strace) {
      outcome = await record(
        this.host,
        plan,
        { cancel: this.ctl.signal, stopCounting: this.stopCounting.signal },
        startClock,
      );
    } else {
      // Nothing to record with: the live sampler is the whole recording.
      startClock();
      await sleepUnless(seconds * 1000, AbortSignal.any([this.ctl.signal, this.stopCounting.signal]));
    }
    if (this.progressTimer) clearInterval(this.progressTimer);
    this.progressTimer = null;

    // The window's averages, from the live sampler's cumulative counters.
    const end = this.sampler?.latest() ?? null;
    const start = this.windowStart ?? this.sampler?.first() ?? null;
    if (this.sampler && start && end && start !== end) this.g.window = this.sampler.between(start, end);
    else if (this.sampler?.first() && end) this.g.window = this.sampler.between(this.sampler.first()!, end);

    if (outcome) {
      this.recordOutcome(plan, outcome);
      if (outcome.stat && outcome.stat.lines > 0) {
        try {
          const result = outcome.stat.parser.end();
          this.g.stat = result;
          // Counting costs a syscall-heavy server ~15–30% while it runs, so it counts for a short time (record.ts).
          this.g.statCommand = `${perfStatArgv(plan).join(' ')} (${plan.countSeconds} s, ${
            countsBeforeSampling(plan) ? 'while perf record started' : 'at the start of the window'
          })`;
        } catch (e) {
          if (!this.cancelled)
            this.partial(`perf stat output could not be read: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
    this.g.recordedSeconds ??= this.g.window?.seconds ?? null;
    if (this.cancelled) return;
    this.targetGone();

    // Network counters after the window.
    const w = ['sh', '-c', NET_SNAPSHOT, 'perf-lens-net', String(plan.pid)];
    const r = await this.host.run(w, { signal: this.ctl.signal, timeoutMs: 20_000, maxOutputBytes: 4 << 20 });
    if (this.cancelled) return;
    const s = splitSections(r.stdout);
    this.g.netAfter = this.readNet(s, 'after');
    const ss = s.lines.get('ss');
    if (ss && ss.join('').trim() !== '') {
      try {
        this.g.ss = parseSsSummary(ss.join('\n'));
      } catch {
        // ss -s is a nicety (connection counts); the counters above carry the network evidence.
      }
    }
  }

  private recordOutcome(plan: RecordPlan, o: Awaited<ReturnType<typeof record>>): void {
    const src = (tool: string, argv: string[]) => this.g.sources.push({ tool, command: argv.join(' '), version: null });
    if (plan.perf)
      src('perf record', [
        ...perfRecordCore(plan),
        `(${plan.seconds} s from when sampling started, ended by SIGINT${
          plan.scope === 'system'
            ? `; ${plan.cpus ? `CPUs ${plan.cpus}` : 'all CPUs'} sampled, PID ${plan.pid}'s samples kept by perf script --pid`
            : ''
        })`,
      ]);
    this.g.sources.push({
      tool: 'live sampler',
      command: `/proc/${plan.pid}/{stat,task/*/stat,task/*/schedstat,task/*/status}, /proc/stat every 1 s`,
      version: null,
    });

    const pr = o.perfRecord;
    this.perfRecordTail = pr ? pr.stderr.trim().split('\n').slice(-2).join(' / ') : null;
    if (plan.perf && !this.cancelled) {
      if (!pr) this.partial(`perf record could not start: ${o.perfRecordError ?? 'unknown error'}`);
      else if (pr.exitCode !== 0 && !this.targetExitedAt) this.toolFailed('perf record', pr);
      if (pr && /size limit reached/i.test(pr.stderr)) {
        addNote(this.g, {
          id: 'perf-data-capped',
          severity: 'warning',
          message: `perf.data reached its ${plan.maxMiB} MiB cap before the end of the window; hotspots cover the start only`,
          fix: 'raise the perf.data size cap, lower the frequency, or shorten the recording',
        });
        // The setting promises it: a capped recording is partial (its hotspots miss the rest of the window).
        this.partial(`perf.data reached its ${plan.maxMiB} MiB cap: hotspots cover the start of the window only`);
      }
    }
    if (o.stat && o.statResult && !this.cancelled && !this.targetExitedAt) {
      const r = o.statResult;
      if (r.exitCode !== 0 && o.stat.lines === 0) this.toolFailed('perf stat', r);
    }
    if (o.straceResult && !this.cancelled) {
      // The summary is on strace's stderr (the timer shell's @ lines are on stdout).
      const text = o.straceResult.stderr.trim();
      if (!text) this.toolFailed('strace', o.straceResult);
      else {
        try {
          this.g.strace = parseStraceSummary(text);
          this.g.straceCommand = `${straceArgv(plan).slice(7).join(' ')} (${plan.seconds} s, ended by SIGINT)`;
        } catch (e) {
          this.partial(`strace output could not be read: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
    }
  }

  private toolFailed(tool: string, r: RunResult): void {
    // A shell reports a child killed by signal N as exit 128+N: name the signal (e.g. perf was SIGKILLed).
    const signal = r.exitCode !== null && r.exitCode > 128 && r.exitCode < 160 ? signalName(r.exitCode - 128) : null;
    const why = r.timedOut
      ? 'timed out'
      : r.signal
        ? `killed by ${r.signal}`
        : signal
          ? `exit ${r.exitCode}: killed by ${signal}`
          : `exit ${r.exitCode}`;
    const detail = r.stderr.trim().split('\n').slice(-3).join(' / ').slice(0, 400);
    this.partial(`${tool} failed (${why}): ${detail}`);
  }

  // ── post-process ───────────────────────────────────────────────────────────────────────────────────────

  private async postprocessPhase(plan: RecordPlan, privilege: Privilege): Promise<void> {
    // Live data stops with the recording: the post-processing's own CPU use would only blur the picture.
    await this.sampler?.stop();
    if (!plan.perf || !plan.dir) return;
    this.progress('postprocess', 0, 'Reading perf.data on the target (perf script → hotspots and folded stacks)');
    const {
      outcome: out,
      hotspots,
      sampleCount,
      collapser,
    } = await postprocessRecording(this.host, {
      dir: plan.dir,
      perf: plan.perf,
      children: plan.callGraph !== 'none',
      pid: plan.scope === 'system' ? plan.pid : undefined,
      privilege,
      signal: this.ctl.signal,
      timeoutMs: Math.max(120_000, this.opts.durationSeconds * 20_000),
    });
    if (this.cancelled) return;
    const said = this.perfRecordTail ? ` (perf record said: ${printable(this.perfRecordTail, 200)})` : '';
    if (/zero-sized data/.test(out.scriptErr)) {
      // perf ended before it wrote a sample (e.g. the target exited while perf was attaching).
      this.partial(`perf recorded no samples (perf.data is empty)${said}`);
      return;
    }
    if (out.failure) this.partial(out.failure);
    if (out.foldError) this.partial(`the sampled stacks could not be read: ${out.foldError}`);
    const fr = out.fold.result();
    if (out.scriptExit !== 0 || !fr.complete) {
      this.partial(
        `perf script failed: ${printable(out.scriptErr.trim().split('\n').slice(-2).join(' / '), 300)}${said}`,
      );
    }
    if (fr.unparsed > 0) {
      addNote(this.g, {
        id: 'perf-script-unrecognized',
        severity: 'warning',
        message: `${fr.unparsed} sample header(s) of the perf script output were not recognised and were left out`,
        fix: null,
      });
    }
    if (fr.uniqueStacks > 0) {
      // Computed by postprocessRecording whenever there are stacks and the session was not cancelled.
      this.g.hotspots = hotspots;
      this.g.hotspotsCommand = HOTSPOTS_COMMAND;
      this.g.sampleCount = sampleCount;
      this.g.collapser = collapser;
      this.g.foldCommand = FOLD_COMMAND;
    } else if (fr.complete) {
      this.partial(`perf recorded no samples${said}`);
    }
    this.progress('postprocess', 1, `Post-processing took ${(out.durationMs / 1000).toFixed(1)} s`);
  }

  // ── finish ─────────────────────────────────────────────────────────────────────────────────────────────

  private finished = false;

  private finish(): Profile {
    this.finished = true;
    if (
      !this.g.window &&
      this.sampler?.first() &&
      this.sampler.latest() &&
      this.sampler.first() !== this.sampler.latest()
    ) {
      this.g.window = this.sampler.between(this.sampler.first()!, this.sampler.latest()!);
      this.g.recordedSeconds ??= this.g.window?.seconds ?? null;
    }
    if (this.targetExitedAt !== null) this.targetGone();
    this.progress('analyze', 0, 'Analysing');
    const p = assemble(this.g);
    const { verdict, findings } = analyzeProfile(p);
    p.verdict = verdict;
    p.findings = findings;
    this.progress('done', 1, p.partial ? `Done (partial: ${p.partialReason})` : 'Done');
    this.emit({ type: 'done', profile: p });
    return p;
  }
}

function signalName(n: number): string {
  const name = Object.entries(osConstants.signals).find(([, v]) => v === n)?.[0];
  return name ?? `signal ${n}`;
}
