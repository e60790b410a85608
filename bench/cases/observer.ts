/**
 * 4. Observer overhead: the demo server's requests/s under wrk with nothing attached and with each observer,
 * interleaved (A B C D E, A B C D E, …), medians, ratios to the nothing-attached runs of the same run.
 */
import { readdirSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startDemoServer, startLoad } from '../../test/helpers/demo-server';
import { LocalHost } from '../../src/core/host/local-host';
import { LiveSampler } from '../../src/core/live/sampler';
import type { Benchmark } from '../lib/context';
import { background, sleep, type Background } from '../lib/exec';
import { fmt, stat } from '../lib/stats';

const LIVE_TARGET = 0.99;
const RECORD_TARGET = 0.95;

interface Attached {
  stop(): Promise<string>;
}

interface Observer {
  id: string;
  name: string;
  target?: { text: string; min: number };
  attach(pid: number, seconds: number, tmp: string): Promise<Attached>;
}

/** The eventfd descriptors of a process (what the session's eventfd-write counter filters on). */
function eventfds(pid: number): number[] {
  const fds: number[] = [];
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`) === 'anon_inode:[eventfd]') fds.push(Number(fd));
    } catch {
      // closed meanwhile
    }
  }
  return fds.sort((a, b) => a - b);
}

async function stopTool(proc: Background, what: string, check: (out: string) => string): Promise<string> {
  const end = await proc.stop('SIGINT', 10_000);
  const out = proc.output();
  if (end.code !== 0 && end.signal !== 'SIGINT' && end.code !== 130) {
    throw new Error(`${what} ended with ${end.code ?? end.signal}: ${out.slice(-300)}`);
  }
  return check(out);
}

const OBSERVERS: Observer[] = [
  { id: 'none', name: 'nothing attached', attach: () => Promise.resolve({ stop: () => Promise.resolve('') }) },
  {
    id: 'live',
    name: 'Perf Lens live monitor (1 s /proc sampler)',
    target: { text: `≥ ${LIVE_TARGET * 100}% of requests/s with nothing attached`, min: LIVE_TARGET },
    async attach(pid, seconds) {
      const host = new LocalHost();
      let updates = 0;
      const sampler = new LiveSampler(host, pid, {
        maxSeconds: seconds + 30,
        intervalMs: 1000,
        onUpdate: () => updates++,
      });
      return {
        async stop() {
          const end = await sampler.stop();
          await host.dispose();
          if (end.reason === 'failed') throw new Error(`live sampler failed: ${end.message}`);
          return `${updates} breakdowns`;
        },
      };
    },
  },
  {
    id: 'record',
    name: '`perf record -F 999 -g`',
    target: { text: `≥ ${RECORD_TARGET * 100}% of requests/s with nothing attached`, min: RECORD_TARGET },
    async attach(pid, _seconds, tmp) {
      const data = join(tmp, 'observer.perf.data');
      const p = background(['perf', 'record', '-F', '999', '-g', '-p', String(pid), '-o', data]);
      await sleep(300);
      return {
        stop: async () => {
          const r = await stopTool(p, 'perf record', (out) => /\((\d+) samples\)/.exec(out)?.[1] ?? '?');
          rmSync(data, { force: true });
          return `${r} samples`;
        },
      };
    },
  },
  {
    id: 'stat',
    name: 'in-kernel `perf stat` tracepoint counters',
    async attach(pid) {
      const fds = eventfds(pid);
      const filter = fds.map((fd) => `fd == ${fd}`).join(' || ');
      const argv = [
        'perf',
        'stat',
        '-x',
        ',',
        '-e',
        'raw_syscalls:sys_enter',
        '-e',
        'syscalls:sys_enter_io_uring_enter',
        '-e',
        'syscalls:sys_enter_futex',
        '-e',
        'io_uring:io_uring_submit_req',
        '-e',
        'io_uring:io_uring_complete',
        ...(filter ? ['-e', 'syscalls:sys_enter_write', '--filter', filter] : []),
        '-p',
        String(pid),
      ];
      const p = background(argv);
      await sleep(300);
      return {
        stop: () =>
          stopTool(p, 'perf stat', (out) => {
            const m = /^(\d+),,raw_syscalls:sys_enter/m.exec(out);
            return `${m ? Number(m[1]).toLocaleString('en-US') : '?'} syscalls counted`;
          }),
      };
    },
  },
  {
    id: 'strace',
    name: '`strace -c -f` (opt-in)',
    async attach(pid, _seconds, tmp) {
      const out = join(tmp, 'strace.txt');
      const p = background(['strace', '-c', '-f', '-o', out, '-p', String(pid)]);
      await sleep(300);
      return {
        stop: async () => {
          const r = await stopTool(p, 'strace', () => 'detached');
          rmSync(out, { force: true });
          return r;
        },
      };
    },
  },
];

export const observerBenchmark: Benchmark = {
  id: 'observer',
  title: 'Observer overhead',
  targets: OBSERVERS.filter((o) => o.target).map((o) => o.target!.text),
  async run(ctx, section) {
    const rounds = ctx.quick ? 1 : 3;
    const seconds = ctx.quick ? 2 : 5;
    const connections = 50;
    const server = await startDemoServer({ threads: 2 });
    const rps: Record<string, number[]> = Object.fromEntries(OBSERVERS.map((o) => [o.id, []]));
    const evidence: Record<string, string[]> = Object.fromEntries(OBSERVERS.map((o) => [o.id, []]));
    try {
      const warm = startLoad(server.port, { seconds: 2, connections });
      await warm.done;
      for (let round = 1; round <= rounds; round++) {
        for (const o of OBSERVERS) {
          const attached = await o.attach(server.pid, seconds, ctx.tmp);
          let result: number;
          try {
            const load = startLoad(server.port, { seconds, connections });
            result = (await load.done).requestsPerSecond;
          } finally {
            const what = await attached.stop();
            if (what) evidence[o.id].push(what);
          }
          rps[o.id].push(result);
          ctx.log(`round ${round}: ${o.id} ${fmt(result)} req/s`);
          await sleep(500); // let the server settle after a detach
        }
      }
    } finally {
      await server.stop();
    }
    const base = stat(rps.none);
    section.method.push(
      `The demo server (\`tcp_demo --threads 2\`, loopback) under \`wrk -t2 -c${connections} -d${seconds}s\`; ` +
        `${rounds} round(s) of ${OBSERVERS.length} configurations in a fixed interleaved order ` +
        `(${OBSERVERS.map((o) => o.id).join(' → ')}), so drift over the run hits all of them alike. ` +
        'Each observer attaches to the running server ~0.3 s before wrk starts and is stopped after wrk ends; ' +
        'the ratio is the median requests/s with the observer over the median with nothing attached.',
      'Server, wrk and observer share the same 2 cores, so any CPU an observer takes is CPU the server or ' +
        'the load generator does not get: this is a pessimistic setting for overhead.',
    );
    for (const o of OBSERVERS) {
      const s = stat(rps[o.id]);
      const ratio = s.median / base.median;
      section.rows.push({
        name: o.name,
        unit: 'req/s',
        value: s,
        baseline: o.id === 'none' ? undefined : { name: 'nothing attached', value: base },
        ratio: o.id === 'none' ? undefined : { value: ratio * 100, text: '% of nothing attached' },
        target: o.target
          ? {
              text: o.target.text,
              met: ratio >= o.target.min,
              gap:
                ratio < o.target.min
                  ? `${fmt(ratio * 100)}% instead of ≥ ${o.target.min * 100}% (${fmt((o.target.min - ratio) * 100)} points short)`
                  : undefined,
            }
          : undefined,
      });
      if (evidence[o.id].length) section.notes.push(`${o.name}: it observed ${evidence[o.id].join('; ')} (per round).`);
    }
  },
};
