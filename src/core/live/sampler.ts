/**
 * LiveSampler: runs SAMPLER_SCRIPT on the host for the target PID and turns its readings into a CPU
 * breakdown every interval. The first breakdown comes `firstIntervalMs` after the script starts (two
 * readings that close together), later ones every `intervalMs`.
 *
 * Memory is bounded: only the first, the latest and explicitly marked readings are kept.
 */
import type { Host } from '../host/types';
import { HostError } from '../host/types';
import { breakdown, parseReading, type Breakdown, type Reading } from './reading';
import { SAMPLER_SCRIPT } from './sampler-script';
import { cpuCount, readProcLines } from './local-proc';
import { sleepUnless } from '../sleep';

export interface LiveUpdate {
  /** Seconds since `startedAtMs`. */
  t: number;
  breakdown: Breakdown;
}

export type SamplerEndReason = 'stopped' | 'target-exited' | 'limit' | 'failed';

export interface SamplerEnd {
  reason: SamplerEndReason;
  message: string | null;
}

export interface LiveSamplerOptions {
  firstIntervalMs?: number;
  intervalMs?: number;
  /** Upper bound on the sampler's life on the host even if nobody stops it. */
  maxSeconds: number;
  /** Time origin for `LiveUpdate.t` (performance.now() based); defaults to the start of the sampler. */
  startedAtMs?: number;
  signal?: AbortSignal;
  onUpdate: (update: LiveUpdate) => void;
  /** The process exited (or its PID now belongs to another process). */
  onTargetExit?: () => void;
  /** Read /proc in this process instead of running SAMPLER_SCRIPT (default: when the host is local). */
  inProcess?: boolean;
}

const MAX_LINE_BUFFER = 200_000;

export class LiveSampler {
  readonly done: Promise<SamplerEnd>;
  clockTicks = 100;
  cpuCount = 0;
  private readonly controller = new AbortController();
  private firstReading: Reading | null = null;
  private last: Reading | null = null;
  private lines: string[] = [];
  private inReading = false;
  private targetGone = false;
  private startTicks: number | null = null;
  private readonly origin: number;
  private readonly unlink: () => void;
  private updates = 0;

  constructor(
    private readonly host: Host,
    private readonly pid: number,
    private readonly options: LiveSamplerOptions,
  ) {
    this.origin = options.startedAtMs ?? performance.now();
    const outer = options.signal;
    const onAbort = () => this.controller.abort();
    if (outer?.aborted) this.controller.abort();
    outer?.addEventListener('abort', onAbort, { once: true });
    this.unlink = () => outer?.removeEventListener('abort', onAbort);
    this.done = this.run();
  }

  /** The newest complete reading (for window averages). */
  latest(): Reading | null {
    return this.last;
  }

  first(): Reading | null {
    return this.firstReading;
  }

  get updateCount(): number {
    return this.updates;
  }

  get exited(): boolean {
    return this.targetGone;
  }

  /** Breakdown between two readings taken by this sampler. */
  between(a: Reading, b: Reading): Breakdown | null {
    return breakdown(a, b, this.clockTicks, this.cpuCount);
  }

  async stop(): Promise<SamplerEnd> {
    this.controller.abort();
    return this.done;
  }

  private run(): Promise<SamplerEnd> {
    return (this.options.inProcess ?? this.host.kind === 'local') ? this.runInProcess() : this.runScript();
  }

  /** The target is on this machine: read /proc from here, on a timer (local-proc.ts says why). */
  private async runInProcess(): Promise<SamplerEnd> {
    const signal = this.controller.signal;
    try {
      const clk = await this.host.run(['getconf', 'CLK_TCK'], { signal, timeoutMs: 10_000 });
      this.clockTicks = Number(clk.stdout.trim()) || 100;
      this.cpuCount = await cpuCount();
      const maxReadings = this.maxReadings();
      const start = performance.now();
      for (let n = 0; n < maxReadings && !signal.aborted; n++) {
        const lines = await readProcLines(this.pid);
        if (signal.aborted) break;
        if (lines === null) {
          this.markGone();
          break;
        }
        this.onLine('@s');
        for (const l of lines) this.onLine(l);
        this.onLine('@e');
        if (this.targetGone) break;
        // On a fixed schedule (first reading, then +first, then every interval), not "interval after the
        // reading", so the breakdowns stay one interval apart however long a reading takes.
        const due = n === 0 ? this.firstMs() : this.firstMs() + n * this.everyMs();
        await sleepUnless(Math.max(0, start + due - performance.now()), signal);
      }
      if (this.targetGone) return { reason: 'target-exited', message: `process ${this.pid} exited` };
      if (signal.aborted) return { reason: 'stopped', message: null };
      return { reason: 'limit', message: null };
    } catch (e) {
      if (signal.aborted) return { reason: 'stopped', message: null };
      return { reason: 'failed', message: e instanceof Error ? e.message : String(e) };
    } finally {
      this.unlink();
    }
  }

  private firstMs(): number {
    return this.options.firstIntervalMs ?? 300;
  }

  private everyMs(): number {
    return this.options.intervalMs ?? 1000;
  }

  private maxReadings(): number {
    return Math.max(2, Math.ceil((this.options.maxSeconds * 1000) / this.everyMs()) + 2);
  }

  private async runScript(): Promise<SamplerEnd> {
    const first = (this.firstMs() / 1000).toFixed(3);
    const every = (this.everyMs() / 1000).toFixed(3);
    const maxReadings = this.maxReadings();
    const argv = ['sh', '-c', SAMPLER_SCRIPT, 'perf-lens-live', String(this.pid), first, every, String(maxReadings)];
    try {
      const result = await this.host.run(argv, {
        signal: this.controller.signal,
        keepStdout: false,
        timeoutMs: (this.options.maxSeconds + 30) * 1000,
        onStdoutLine: (line) => this.onLine(line),
      });
      if (this.targetGone) return { reason: 'target-exited', message: `process ${this.pid} exited` };
      if (result.cancelled || this.controller.signal.aborted) return { reason: 'stopped', message: null };
      if (result.exitCode === 0) return { reason: 'limit', message: null };
      return {
        reason: 'failed',
        message: `live sampler ended with ${result.exitCode ?? result.signal}: ${result.stderr.trim().slice(-300)}`,
      };
    } catch (e) {
      if (this.controller.signal.aborted) return { reason: 'stopped', message: null };
      return { reason: 'failed', message: e instanceof HostError || e instanceof Error ? e.message : String(e) };
    } finally {
      this.unlink();
    }
  }

  private onLine(line: string): void {
    if (this.inReading) {
      if (line === '@e') {
        this.inReading = false;
        this.finishReading();
      } else if (this.lines.length < MAX_LINE_BUFFER) {
        this.lines.push(line);
      }
      return;
    }
    if (line === '@s') {
      this.inReading = true;
      this.lines = [];
    } else if (line.startsWith('@clk ')) {
      this.clockTicks = Number(line.slice(5)) || 100;
    } else if (line.startsWith('@ncpu ')) {
      this.cpuCount = Number(line.slice(6)) || 0;
    } else if (line === '@gone') {
      this.markGone();
    }
  }

  private finishReading(): void {
    let reading: Reading;
    try {
      reading = parseReading(this.lines, this.pid, performance.now());
    } catch {
      return; // a torn reading (e.g. the process vanished between the greps): the next one will do
    } finally {
      this.lines = [];
    }
    const proc = reading.process;
    if (!proc || proc.state === 'Z' || (this.startTicks !== null && proc.startTicks !== this.startTicks)) {
      this.markGone();
      return;
    }
    this.startTicks ??= proc.startTicks;
    const previous = this.last;
    this.last = reading;
    this.firstReading ??= reading;
    if (!previous) return;
    const b = breakdown(previous, reading, this.clockTicks, this.cpuCount);
    if (!b) return;
    this.updates++;
    this.options.onUpdate({ t: Math.round((reading.atMs - this.origin) / 10) / 100, breakdown: b });
  }

  private markGone(): void {
    if (this.targetGone) return;
    this.targetGone = true;
    this.options.onTargetExit?.();
    this.controller.abort();
  }
}
