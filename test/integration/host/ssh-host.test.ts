import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { SshHost } from '../../../src/core/host/ssh-host';
import { HostError, type CommandLogEntry } from '../../../src/core/host/types';
import { assertNothingLeft, isolateTempDir, leftoverTempDirs, ourProcesses } from '../../helpers/processes';
import { startSshd, type TestSshd } from '../../helpers/sshd';
import { startDemoServer } from '../../helpers/demo-server';
import { hostileString } from '../../unit/host/hostile-strings';

// Local and remote temp dirs (sshd sets TMPDIR for its sessions) both land in this private folder.
const tmp = isolateTempDir();
let sshd: TestSshd;
before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
  tmp.restore();
});

/** Everything a run may start, locally (ssh) or remotely (wrapper sh, watcher cat, tools). */
const TREE = ['ssh', 'sh', 'cat', 'sleep', 'perf', 'yes', 'dd'];
const T = { timeout: 30_000 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Running = exists and is not a zombie waiting for init to reap it. */
const isRunning = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};
const isCode = (code: string) => (e: unknown) => e instanceof HostError && e.code === code;

async function withHost(fn: (h: SshHost) => Promise<void>, options = {}): Promise<void> {
  const h = new SshHost(sshd.target, { ...sshd.sshHostOptions, ...options });
  try {
    await fn(h);
  } finally {
    await h.dispose();
  }
  await assertNothingLeft(TREE);
}

test('runs through one shared connection: streaming, env, stderr, exit code', T, () =>
  withHost(async (h) => {
    const seen: Array<{ line: string; at: number }> = [];
    const t0 = Date.now();
    const r = await h.run(
      ['sh', '-c', 'echo first; sleep 0.6; echo "$LC_ALL $S_TIME_FORMAT $EXTRA"; echo oops >&2; printf tail; exit 4'],
      {
        env: { EXTRA: "x 'y'", LC_ALL: 'de_DE.UTF-8' },
        onStdoutLine: (line) => seen.push({ line, at: Date.now() - t0 }),
      },
    );
    assert.deepEqual(
      seen.map((s) => s.line),
      ['first', "C ISO x 'y'", 'tail'],
    );
    assert.ok(seen[1].at - seen[0].at > 400, 'lines must arrive as printed, not at the end');
    assert.equal(r.exitCode, 4);
    assert.equal(r.stderr, 'oops\n', 'wrapper control lines are not shown');
    const master = h.masterProcessId;
    assert.ok(master);
    await h.run(['true']);
    assert.equal(h.masterProcessId, master, 'the second command reuses the connection');
    const controlDir = join(h.controlPath!, '..');
    assert.equal(statSync(controlDir).mode & 0o777, 0o700);
  }),
);

test('the remote sh receives exactly the original argv (property, through the real sshd)', T, () =>
  withHost(async (h) => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileString, { minLength: 1, maxLength: 5 }), async (args) => {
        const r = await h.run(['printf', '%s\\0', ...args]);
        assert.equal(r.exitCode, 0, r.stderr);
        assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
      }),
      { numRuns: 40 },
    );
  }),
);

test('hostile argv and env values never execute anything remotely', T, () =>
  withHost(async (h) => {
    const marker = join(tmp.dir, 'pwned');
    const args = [
      `$(touch ${marker})`,
      `\`touch ${marker}\``,
      `a; touch ${marker}`,
      `x\ntouch ${marker}`,
      `' ; touch ${marker}; '`,
      `-oProxyCommand=touch ${marker}`,
    ];
    const r = await h.run(['printf', '%s\\0', ...args], {
      env: { V: `$(touch ${marker})` },
      stdin: `$(touch ${marker})\n`,
    });
    assert.deepEqual(r.stdout.split('\0').slice(0, -1), args);
    const r2 = await h.run(['sh', '-c', 'printf %s "$V"'], { env: { V: `$(touch ${marker});\`id\`` } });
    assert.equal(r2.stdout, `$(touch ${marker});\`id\``);
    assert.equal(existsSync(marker), false);
  }),
);

test('hostile targets and options are refused before ssh runs', T, async () => {
  const marker = join(tmp.dir, 'x');
  const log: CommandLogEntry[] = [];
  for (const target of [
    `-oProxyCommand=touch ${marker}`,
    'a;b',
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    'host\nx',
    `root@-oProxyCommand=touch`,
  ]) {
    assert.throws(() => new SshHost(target, sshd.sshHostOptions), isCode('INVALID'), target);
  }
  assert.throws(
    () => new SshHost(sshd.target, { ...sshd.sshHostOptions, extraOptions: [`ProxyCommand=touch ${marker}`] }),
    isCode('INVALID'),
  );
  assert.throws(
    () => new SshHost(sshd.target, { ...sshd.sshHostOptions, identityFile: `-oProxyCommand=touch ${marker}` }),
    isCode('INVALID'),
  );
  const h = new SshHost(sshd.target, sshd.sshHostOptions);
  h.onCommand((e) => log.push(e));
  await assert.rejects(h.run(['-oProxyCommand=x']), isCode('INVALID'));
  await h.dispose();
  assert.equal(log.length, 0, 'nothing ran');
  assert.equal(existsSync(marker), false);
  await assertNothingLeft(TREE);
});

test('stdin payload reaches the command exactly; it never appears in the log', T, () =>
  withHost(async (h) => {
    const log: CommandLogEntry[] = [];
    h.onCommand((e) => log.push(e));
    const payload = "pa'ss\nw\u00f6rd\n$(x)\n";
    const r = await h.run(['cat'], { stdin: payload });
    assert.equal(r.stdout, payload);
    assert.ok(!JSON.stringify(log).includes('pa'), JSON.stringify(log));
  }),
);

test('output cap over ssh: truncated, and the remote producer is gone', T, () =>
  withHost(async (h) => {
    const r = await h.run(['yes', 'abc'], { maxOutputBytes: 200_000 });
    assert.equal(r.truncated, true);
    assert.equal(Buffer.byteLength(r.stdout), 200_000);
  }),
);

test('timeout over ssh kills the whole remote tree', T, () =>
  withHost(async (h) => {
    const r = await h.run(['sh', '-c', 'sleep 300 & (trap "" TERM; sleep 301) & sleep 302'], { timeoutMs: 800 });
    assert.equal(r.timedOut, true);
    assert.ok(r.durationMs < 5000, `stopping took ${r.durationMs} ms`);
  }),
);

test('cancel before start, right after start (before the remote side reported) and mid-run', T, () =>
  withHost(async (h) => {
    const marker = join(tmp.dir, 'ran');
    const ac = new AbortController();
    ac.abort();
    assert.equal((await h.run(['touch', marker], { signal: ac.signal })).cancelled, true);
    assert.equal(existsSync(marker), false);

    const ac1 = new AbortController();
    const p1 = h.run(['sh', '-c', 'sleep 300 & sleep 300'], { signal: ac1.signal });
    await sleep(5); // the ssh client is starting; the remote side has not reported yet
    ac1.abort();
    assert.equal((await p1).cancelled, true);
    await assertNothingLeft(['sleep'], { tempRoot: null });

    const ac2 = new AbortController();
    let started!: () => void;
    const running = new Promise<void>((r) => (started = r));
    const p2 = h.run(['sh', '-c', 'trap "" TERM; sleep 300 & sleep 300 & echo up; wait'], {
      signal: ac2.signal,
      onStdoutLine: () => started(),
    });
    await running;
    assert.equal((await ourProcesses(['sleep'])).length, 2);
    const t0 = performance.now();
    ac2.abort();
    const r2 = await p2;
    assert.equal(r2.cancelled, true);
    assert.ok(performance.now() - t0 < 4000);
  }),
);

test('cancelling a real perf record over ssh leaves no perf on the target', T, async () => {
  const demo = await startDemoServer({ threads: 2 });
  try {
    await withHost(async (h) => {
      const dir = await h.makeTempDir('record');
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      const ac = new AbortController();
      const p = h.run(['perf', 'record', '-F', '99', '-g', '-p', String(demo.pid), '-o', join(dir, 'perf.data')], {
        signal: ac.signal,
      });
      for (let i = 0; i < 50 && (await ourProcesses(['perf'])).length === 0; i++) await sleep(50);
      assert.equal((await ourProcesses(['perf'])).length, 1, 'perf record should be running remotely');
      await sleep(300);
      ac.abort();
      assert.equal((await p).cancelled, true);
      await h.dispose();
      assert.equal(existsSync(dir), false, 'dispose removed the remote temp dir');
    });
  } finally {
    await demo.stop();
  }
});

test(
  'killing the ssh master mid-command: the run fails clearly, nothing is left remotely, next run reconnects',
  T,
  () =>
    withHost(async (h) => {
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const p = h.run(['sh', '-c', 'sleep 300 & sleep 300 & echo up; wait'], { onStdoutLine: () => started() });
      await running;
      const master = h.masterProcessId!;
      process.kill(master, 'SIGKILL');
      await assert.rejects(p, (e: unknown) => {
        assert.ok(e instanceof HostError);
        assert.equal(e.code, 'SSH');
        assert.match(e.message, /connection .* was lost while sh was running/);
        return true;
      });
      await assertNothingLeft(['sleep', 'cat'], { tempRoot: null });
      const r = await h.run(['echo', 'again']);
      assert.equal(r.stdout, 'again\n');
      assert.notEqual(h.masterProcessId, master);
      // Dropped again with a temp dir on the target: dispose reconnects to remove it.
      const dir = await h.makeTempDir('data');
      process.kill(h.masterProcessId!, 'SIGKILL');
      await sleep(100);
      await h.dispose();
      assert.equal(existsSync(dir), false);
    }),
);

test('the process using SshHost is SIGKILLed mid-command: the remote tree still dies with its channel', T, async () => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      fileURLToPath(new URL('./ssh-crash-child.ts', import.meta.url)),
      JSON.stringify({ target: sshd.target, options: sshd.sshHostOptions }),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (d: Buffer) => String(d).includes('RUNNING') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited early (${code})`)));
    });
    assert.equal((await ourProcesses(['sleep'])).length, 2);
  } finally {
    child.kill('SIGKILL');
  }
  await assertNothingLeft(['sleep', 'cat'], { tempRoot: null });
  // The orphaned master goes away by itself ControlPersist seconds after its last channel; end it now.
  const masters = (await ourProcesses(['ssh'])).filter((p) => p.cmdline.includes('ControlMaster=yes'));
  assert.equal(masters.length, 1);
  process.kill(masters[0].pid, 'SIGTERM');
  await assertNothingLeft(TREE, { tempRoot: null });
  for (const dir of leftoverTempDirs(tmp.dir)) rmSync(dir, { recursive: true, force: true }); // its control dir
});

test('missing remote tool → ENOENT; readFile; remote temp dirs removed on dispose', T, () =>
  withHost(async (h) => {
    await assert.rejects(h.run(['perf-lens-no-such-tool']), (e: unknown) => {
      assert.ok(e instanceof HostError);
      assert.equal(e.code, 'ENOENT');
      assert.match(e.message, /perf-lens-no-such-tool was not found on ssh /);
      return true;
    });
    assert.match(await h.readFile('/proc/self/status'), /^Name:\s+cat/);
    await assert.rejects(h.readFile('/proc/cpuinfo', { maxBytes: 10 }), isCode('TOO_LARGE'));
    await assert.rejects(h.readFile('/nonexistent/x'), isCode('ENOENT'));
    const a = await h.makeTempDir();
    assert.match(a, /\/perf-lens-[A-Za-z0-9]{6}$/);
    await h.removeTempDir(a);
    assert.equal(existsSync(a), false);
    await assert.rejects(h.removeTempDir(tmp.dir), isCode('INVALID'));
    const b = await h.makeTempDir('x');
    assert.ok(existsSync(b));
  }),
);

test('cannot connect / authenticate → HostError SSH with ssh’s own line and a hint', T, async () => {
  const wrongKey = join(tmp.dir, 'wrong_key');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', wrongKey]);
  // The test config names the right key, so leave it out: only the wrong key is offered.
  const h = new SshHost(sshd.target, { ...sshd.sshHostOptions, configFile: '/dev/null', identityFile: wrongKey });
  try {
    await assert.rejects(h.run(['true']), (e: unknown) => {
      assert.ok(e instanceof HostError);
      assert.equal(e.code, 'SSH');
      assert.match(e.message, /Permission denied/);
      assert.match(e.hint ?? '', /BatchMode/);
      return true;
    });
  } finally {
    await h.dispose();
  }
  // A port where nothing listens (just released by the kernel).
  const closedPort = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
  const h2 = new SshHost(`127.0.0.1:${closedPort}`, { ...sshd.sshHostOptions, port: undefined });
  try {
    await assert.rejects(
      h2.run(['true']),
      (e: unknown) => e instanceof HostError && e.code === 'SSH' && /Connection refused/.test(e.message),
    );
  } finally {
    await h2.dispose();
  }
  spawnSync('rm', ['-f', wrongKey, `${wrongKey}.pub`]);
  await assertNothingLeft(TREE);
});

test('dispose closes the master and removes the private control dir', T, async () => {
  const h = new SshHost(sshd.target, sshd.sshHostOptions);
  await h.run(['true']);
  const master = h.masterProcessId!;
  const dir = join(h.controlPath!, '..');
  await h.dispose();
  assert.equal(existsSync(dir), false);
  assert.equal(isRunning(master), false);
  await assert.rejects(h.run(['true']), isCode('CANCELLED'));
  await assertNothingLeft(TREE);
});

test('cost of one command: multiplexed vs a new connection each time (reported, not asserted)', T, async (t) => {
  const n = 20;
  const h = new SshHost(sshd.target, sshd.sshHostOptions);
  await h.connect();
  let t0 = performance.now();
  for (let i = 0; i < n; i++) await h.run(['true']);
  const mux = (performance.now() - t0) / n;
  await h.dispose();
  const bare = new SshHost(sshd.target, {
    ...sshd.sshHostOptions,
    extraOptions: sshd.extraOptions.filter((o) => !o.startsWith('SetEnv')),
  });
  await bare.connect();
  t0 = performance.now();
  for (let i = 0; i < n; i++) await bare.run(['true']);
  const muxBashrc = (performance.now() - t0) / n;
  await bare.dispose();
  const argv = sshd.sshArgv('true');
  t0 = performance.now();
  for (let i = 0; i < 5; i++) spawnSync(argv[0], argv.slice(1));
  const plain = (performance.now() - t0) / 5;
  t.diagnostic(
    `SshHost to 127.0.0.1: ${mux.toFixed(1)} ms per command multiplexed; ${muxBashrc.toFixed(1)} ms with root's ~/.bashrc; ` +
      `${plain.toFixed(1)} ms with a new connection per command`,
  );
  await assertNothingLeft(TREE);
});
