/**
 * Profiles built in code for boundary tests: a busy, healthy, user-bound process by default, with
 * overrides for the numbers a test moves across a threshold. (Scenario tests use captured outputs:
 * see scenario.ts.)
 */
import { PROFILE_SCHEMA, type FoldedStack, type Profile } from '../../../src/core/profile';

export type ProfilePatch = {
  [K in keyof Profile]?: Profile[K] extends object | null ? Partial<NonNullable<Profile[K]>> | null : Profile[K];
};

export function baseProfile(): Profile {
  return {
    schema: PROFILE_SCHEMA,
    createdAt: '2026-01-01T00:00:00.000Z',
    producer: { name: 'perf-lens', version: 'test' },
    origin: 'session',
    partial: false,
    partialReason: null,
    target: {
      host: 'localhost',
      transport: 'local',
      pid: 4242,
      command: 'server',
      cmdline: null,
      exe: null,
      kernel: '6.1.0-test',
      cores: 4,
      threadCount: 1,
      listeningPorts: [],
    },
    durationSeconds: 10,
    capabilities: null,
    dataQuality: [],
    cpu: {
      process: { usr: 40, sys: 10, wait: 0, cpu: 50 },
      system: { usr: 20, nice: 0, sys: 5, iowait: 0, irq: 0, softirq: 0, steal: 0, idle: 75 },
      perCpu: [],
    },
    threads: [{ tid: 4242, name: 'server', usr: 40, sys: 10, wait: 0, cpu: 50, cswch: 10, nvcswch: 1 }],
    timeline: [],
    syscalls: [],
    ioUring: null,
    eventfd: null,
    contextSwitches: null,
    network: null,
    lockContention: null,
    hotspots: [],
    folded: [],
    foldedTruncated: false,
    sampleCount: 5000,
    throughput: null,
    verdict: { kind: 'unknown', summary: '', evidence: [], coresUsed: null, coresAvailable: null },
    findings: [],
    sources: [
      { tool: 'pidstat', command: 'pidstat -u -t -w -h -p 4242 1', version: null },
      { tool: 'mpstat', command: 'mpstat -P ALL 1', version: null },
      { tool: 'perf record', command: 'perf record -F 999 -g -p 4242', version: null },
      { tool: 'perf stat', command: 'perf stat -e raw_syscalls:sys_enter -p 4242', version: null },
    ],
  };
}

/** The base profile with top-level fields replaced, and nested objects merged one level deep. */
export function profileWith(patch: ProfilePatch): Profile {
  const p = baseProfile() as unknown as Record<string, unknown>;
  for (const [key, value] of Object.entries(patch)) {
    const current = p[key];
    if (
      value !== null &&
      typeof value === 'object' &&
      !Array.isArray(value) &&
      current &&
      typeof current === 'object' &&
      !Array.isArray(current)
    ) {
      p[key] = { ...(current as object), ...(value as object) };
    } else {
      p[key] = value;
    }
  }
  return p as unknown as Profile;
}

/** Folded stacks where `stack` holds `share` percent of 100,000 samples and a plain user stack the rest. */
export function stacksWith(stack: string, share: number, rest = 'server;main;handle;compute'): FoldedStack[] {
  const hit = Math.round(share * 1000);
  return [
    { stack, count: hit },
    { stack: rest, count: 100_000 - hit },
  ];
}

export const network = (patch: Partial<NonNullable<Profile['network']>>): NonNullable<Profile['network']> => ({
  kind: 'delta',
  seconds: 10,
  retransSegs: 0,
  listenOverflows: 0,
  listenDrops: 0,
  tcpBacklogDrop: 0,
  rcvPruned: 0,
  tcpTimeouts: 0,
  activeOpens: 0,
  passiveOpens: 0,
  inSegs: 100_000,
  outSegs: 100_000,
  nicDrops: {},
  softirqNetRx: null,
  softirqNetTx: null,
  other: {},
  source: 'nstat -az (before/after)',
  ...patch,
});
