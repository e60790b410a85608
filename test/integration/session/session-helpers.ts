/**
 * Shared by the session integration tests: run a profile while recording every event, and the checks the
 * demo server's Profile must pass wherever it was profiled from.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020';
import type { Host } from '../../../src/core/host/types';
import type { Profile } from '../../../src/core/profile';
import { profile } from '../../../src/core/session/profile';
import type { SessionEvent, SessionOptions, TargetSpec } from '../../../src/core/session/types';

/** Everything a session may start on the target (and ssh locally), for the leftover checks. */
export const SESSION_TREE = [
  'perf',
  'sleep',
  'sh',
  'grep',
  'awk',
  'strace',
  'timeout',
  'ssh',
  'cat',
  'ls',
  'ps',
  'kill',
];

export interface Recorded {
  profile: Profile;
  events: SessionEvent[];
  /** ms from the call to the first `live` event (null: none came). */
  firstLiveMs: number | null;
}

export async function runProfile(
  host: Host,
  target: TargetSpec,
  options: Partial<SessionOptions>,
  hooks: { onEvent?: (e: SessionEvent, controller: AbortController) => void; controller?: AbortController } = {},
): Promise<Recorded> {
  const controller = hooks.controller ?? new AbortController();
  const events: SessionEvent[] = [];
  const t0 = performance.now();
  let firstLiveMs: number | null = null;
  const p = await profile(
    host,
    target,
    options,
    (e) => {
      events.push(e);
      if (e.type === 'live' && firstLiveMs === null) firstLiveMs = Math.round(performance.now() - t0);
      hooks.onEvent?.(e, controller);
    },
    controller.signal,
  );
  return { profile: p, events, firstLiveMs };
}

let validator: ReturnType<Ajv2020['compile']> | null = null;

/** The Profile against docs/profile.schema.json (the contract outside checks rely on). */
export function assertSchemaValid(p: Profile): void {
  if (!validator) {
    const ajv = new Ajv2020({ allErrors: true, strict: true });
    ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/);
    validator = ajv.compile(
      JSON.parse(readFileSync(new URL('../../../docs/profile.schema.json', import.meta.url), 'utf8')),
    );
  }
  assert.ok(validator(p), `schema: ${JSON.stringify(validator.errors?.slice(0, 5))}`);
}

/** What a complete profile of the loaded demo server must show. */
export function assertDemoProfile(r: Recorded, demoPid: number): void {
  const p = r.profile;
  assert.equal(p.schema, 'perf-lens/profile@1');
  assertSchemaValid(p);
  assert.equal(p.origin, 'session');
  assert.equal(p.partial, false, `not partial: ${p.partialReason}`);
  assert.equal(p.target.pid, demoPid);
  assert.equal(p.target.command, 'tcp_demo');

  // The demo's worker threads, busy, with context switches.
  const workers = p.threads.filter((t) => /^tcp_demo-w\d+$/.test(t.name));
  assert.ok(workers.length >= 2, `worker threads: ${p.threads.map((t) => t.name).join(', ')}`);
  assert.ok(
    workers.some((w) => (w.cpu ?? 0) > 1),
    `a worker is busy: ${JSON.stringify(workers)}`,
  );
  assert.ok(workers.every((w) => w.cswch !== null && w.nvcswch !== null));
  assert.ok((p.cpu.process?.cpu ?? 0) > 1, `process cpu ${JSON.stringify(p.cpu.process)}`);
  assert.ok(p.cpu.system && p.cpu.perCpu.length === p.target.cores);

  // Hot path: scheduleOn → wakeThread, the eventfd write per task.
  const names = p.hotspots.map((h) => h.symbol);
  for (const fn of ['IoUringExecutor::scheduleOn', 'IoUringExecutor::wakeThread']) {
    const h = p.hotspots.find((x) => x.symbol === fn || x.symbol.startsWith(fn + '('));
    assert.ok(h, `${fn} among hotspots: ${names.slice(0, 40).join(' | ')}`);
    assert.ok((h.children ?? h.self) > 0);
    assert.equal(h.kernel, false);
  }
  assert.ok(
    p.folded.some((f) => f.stack.includes('IoUringExecutor::wakeThread')),
    'wakeThread in the folded stacks',
  );
  assert.ok(p.sampleCount !== null && p.sampleCount > 50, `samples ${p.sampleCount}`);

  // In-kernel counts.
  assert.ok(p.eventfd && p.eventfd.fds.length > 0, `eventfds ${JSON.stringify(p.eventfd)}`);
  assert.ok((p.eventfd.writesPerSecond ?? 0) > 0, `eventfd writes/s ${p.eventfd.writesPerSecond}`);
  assert.ok((p.ioUring?.enterPerSecond ?? 0) > 0, `io_uring_enter/s ${JSON.stringify(p.ioUring)}`);
  assert.ok(p.network && (p.network.inSegs ?? 0) > 0, 'TCP segments moved during the window');

  // A verdict with its evidence, and the finding the demo exists to show.
  assert.notEqual(p.verdict.kind, 'unknown', `verdict: ${p.verdict.summary}`);
  assert.ok(p.verdict.summary.length > 0 && p.verdict.evidence.length > 0, 'the verdict carries its evidence');
  const storm = p.findings.find((f) => f.id === 'eventfd-wakeup-storm');
  assert.ok(storm, `findings: ${p.findings.map((f) => f.id).join(', ')}`);
  assert.ok(storm.fixes.includes('coalesce-eventfd-wakeups') && storm.evidence.length > 0);
  // perf report has no callers with -g none; the folded stacks supply them.
  const wake = p.hotspots.find((h) => h.symbol === 'IoUringExecutor::wakeThread');
  assert.ok(
    wake && wake.callers.some((c) => c.startsWith('IoUringExecutor::scheduleOn')),
    `callers ${JSON.stringify(wake?.callers)}`,
  );

  // Live data from the first seconds on.
  assert.ok(r.firstLiveMs !== null, 'live events arrived');
  assert.ok(p.timeline.length >= 2, `timeline ${p.timeline.length}`);
  const phases = r.events.filter((e) => e.type === 'progress').map((e) => (e as { phase: string }).phase);
  for (const ph of ['resolve', 'probe', 'record', 'postprocess', 'done']) assert.ok(phases.includes(ph), `phase ${ph}`);
  assert.equal(r.events.at(-1)?.type, 'done');
}

export function progressPhase(e: SessionEvent): string | null {
  return e.type === 'progress' ? e.phase : null;
}
