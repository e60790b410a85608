import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpus } from 'node:os';
import { readFileSync } from 'node:fs';
import { LocalHost } from '../../../src/core/host/local-host';
import { SshHost } from '../../../src/core/host/ssh-host';
import { HostError } from '../../../src/core/host/types';
import { probeHost } from '../../../src/core/probe/index';
import { assertNothingLeft, isolateTempDir } from '../../helpers/processes';
import { startSshd, type TestSshd } from '../../helpers/sshd';

const tmp = isolateTempDir();
let sshd: TestSshd;
before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
  tmp.restore();
});
const T = { timeout: 60_000 };
const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
const paranoid = Number(readFileSync('/proc/sys/kernel/perf_event_paranoid', 'utf8'));

for (const kind of ['local', 'ssh'] as const) {
  test(`probe over ${kind}: the real facts of this machine, in one command`, T, async (t) => {
    const host = kind === 'local' ? new LocalHost() : new SshHost(sshd.target, sshd.sshHostOptions);
    const runs: string[][] = [];
    host.onCommand((e) => runs.push(e.argv));
    try {
      const r = await probeHost(host);
      t.diagnostic(`probe over ${kind}: ${r.durationMs} ms`);
      assert.equal(r.facts.complete, true);
      assert.equal(r.facts.kernel, kernel);
      assert.equal(r.facts.cpus, cpus().length);
      assert.equal(r.facts.uid, process.getuid!());
      assert.equal(r.capabilities.perf, true);
      assert.match(r.capabilities.perfVersion ?? '', /^\d+\.\d+/);
      assert.equal(r.capabilities.pidstat, true);
      assert.equal(r.capabilities.strace, true);
      assert.equal(r.capabilities.perfEventParanoid, paranoid);
      assert.equal(r.capabilities.sudo, 'root');
      assert.equal(r.capabilities.distro, 'debian');
      assert.equal(r.capabilities.ioUringTracepoints, true);
      assert.equal(r.capabilities.hardwarePmu, false, 'this VM has no hardware PMU');
      assert.ok(r.notes.some((n) => n.id === 'no-hardware-pmu' && /cpu-clock/.test(n.message)));
      assert.equal(runs.filter((a) => a[0] === 'sh').length, 1, 'one round trip');
    } finally {
      await host.dispose();
    }
    await assertNothingLeft(['ssh', 'sh', 'perf', 'sleep', 'cat']);
  });
}

test('probe: cancelled → HostError CANCELLED, nothing left; unreachable ssh → HostError SSH', T, async () => {
  const host = new LocalHost();
  const ac = new AbortController();
  const p = probeHost(host, ac.signal);
  ac.abort();
  await assert.rejects(p, (e: unknown) => e instanceof HostError && e.code === 'CANCELLED');
  await host.dispose();
  const bad = new SshHost('127.0.0.1:1', { configFile: '/dev/null', connectTimeoutSeconds: 3 });
  await assert.rejects(probeHost(bad), (e: unknown) => e instanceof HostError && e.code === 'SSH' && e.hint !== null);
  await bad.dispose();
  await assertNothingLeft(['ssh', 'sh', 'perf']);
});
