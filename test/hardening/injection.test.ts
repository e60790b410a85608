/**
 * Command injection, through every entry point that takes a string from a user, a setting, a process list
 * or a file: the CLI's flags (profile, probe, analyze, annotate, compare, collapse), createHost, session
 * options and tool paths, the extension's pure config validation, and the names and arguments of a real
 * process read from /proc — locally and through a real sshd on 127.0.0.1. Each payload would create a
 * marker file if a shell ever interpreted it; none may appear. Refusals must be one clear line.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { createHost, HostError, parseSshTarget } from '../../src/core/host';
import { LocalHost } from '../../src/core/host/local-host';
import { SshHost } from '../../src/core/host/ssh-host';
import type { Host } from '../../src/core/host/types';
import { UserError } from '../../src/core/errors';
import { profile } from '../../src/core/session/profile';
import { listProcesses } from '../../src/core/target/proc-list';
import { resolveTarget } from '../../src/core/target/resolve';
import { renderTextReport } from '../../src/core/report/text';
import { validateConfig, validateSshTarget, validateToolPath } from '../../src/extension/config-schema';
import { assertNothingLeft, isolateTempDir } from '../helpers/processes';
import { startSshd, type TestSshd } from '../helpers/sshd';
import { bundleCli, removeBundle } from '../integration/server/lsp-client';
import * as analyzeCommand from '../../src/cli/commands/analyze';
import * as annotateCommand from '../../src/cli/commands/annotate';
import * as collapseCommand from '../../src/cli/commands/collapse';
import * as compareCommand from '../../src/cli/commands/compare';
import * as probeCommand from '../../src/cli/commands/probe';
import * as profileCommand from '../../src/cli/commands/profile';
import { hostileString } from '../unit/host/hostile-strings';
import { createTrap, scratchDir, startHostileProcess, type HostileProcess } from './hostile';

const SESSION_TREE = ['perf', 'sleep', 'sh', 'grep', 'awk', 'cat', 'ls', 'ps', 'kill', 'ssh', 'readlink', 'head'];
const tmp = isolateTempDir();
const trap = createTrap();
const files = scratchDir('inject');
let cli: string;
let sshd: TestSshd;
let victim: HostileProcess;
/** The victim's command line holds every long payload as its own argument. */
let victimArgs: string[];

before(async () => {
  cli = await bundleCli();
  sshd = await startSshd();
  victimArgs = trap.payloads('argv');
  victim = await startHostileProcess(trap.comms[0], victimArgs);
});
after(async () => {
  await victim?.stop();
  await sshd?.stop();
  removeBundle();
  files.remove();
  trap.cleanup();
  tmp.restore();
});

function assertNothingRan(context: string): void {
  assert.deepEqual(trap.fired(), [], `${context}: a payload was executed by a shell`);
}

function runCli(args: string[], timeoutMs = 60_000) {
  const r = spawnSync(process.execPath, [cli, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    cwd: files.dir,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** As the real CLI prints it: exit 1–2, `perf-lens: …`, no stack trace, no raw control characters. */
function assertCliRefused(args: string[], pattern?: RegExp): void {
  const r = runCli(args);
  const shown = JSON.stringify(args);
  assert.ok(r.code === 2 || r.code === 1, `${shown} → exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, /^perf-lens: \S/, shown);
  assert.doesNotMatch(r.stderr, /\n\s+at .+:\d+:\d+/, `${shown}: stack trace`);
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(r.stderr, /[\x00-\x09\x0b-\x1f\x7f]/, `${shown}: raw control characters`);
  if (pattern) assert.match(r.stderr, pattern, shown);
}

type Command = { run(argv: string[]): Promise<number> };

/**
 * The same subcommand modules the CLI dispatches to, run in this process (a spawned CLI costs ~1 s here;
 * a few cases below spawn it to show the printed form). Their output is not captured: the test runner's own
 * protocol shares stdout.
 */
async function inProcess(mod: Command, args: string[]): Promise<{ code: number | null; error: unknown }> {
  try {
    return { code: await mod.run(args), error: null };
  } catch (error) {
    return { code: null, error };
  }
}

/** A refusal: a UserError (or the host's INVALID) with a one-line message; `oneLine` false for echoed file names. */
async function assertRefused(mod: Command, args: string[], options: { pattern?: RegExp; oneLine?: boolean } = {}) {
  const r = await inProcess(mod, args);
  const shown = JSON.stringify(args);
  assert.ok(
    r.error instanceof UserError || (r.error instanceof HostError && r.error.code === 'INVALID'),
    `${shown}: ${r.code === null ? String(r.error) : `exit ${r.code}`}`,
  );
  const message = (r.error as Error).message;
  if (options.oneLine !== false) assert.doesNotMatch(message, /\n/, `${shown}: ${message}`);
  if (options.pattern) assert.match(message, options.pattern, shown);
}

describe('CLI flags', () => {
  test('profile: PIDs, ports, durations and modes built to inject are refused before anything runs', async () => {
    const p = trap.payloads('cli-num');
    // `--flag=value`: node's parseArgs would read a separate value that starts with '-' as a flag.
    const cases: string[][] = [
      ...[...p, '-1', '0', '1e3', '0x10', ' 1', '99999999999', '1.5'].map((v) => [`--pid=${v}`]),
      ...p.map((v) => [`--port=${v}`]),
      ...p.map((v) => [`--exe=${v}`]),
      ...['duration', 'frequency', 'call-graph', 'sudo'].flatMap((flag) => p.map((v) => ['--pid=1', `--${flag}=${v}`])),
    ];
    for (const c of cases) await assertRefused(profileCommand, c);
    assertCliRefused(['profile', `--pid=${p[0]}`], /--pid must be a whole number/);
    assertNothingRan('profile flags');
  });

  test('profile/probe: ssh targets, options, identity and config files built to inject are refused', async () => {
    const p = trap.payloads('cli-ssh');
    const badOptions = [
      `ProxyCommand=touch ${trap.dir}/po1`,
      `proxycommand=touch ${trap.dir}/po2`,
      `LocalCommand=touch ${trap.dir}/po3`,
      'PermitLocalCommand=yes',
      `KnownHostsCommand=touch ${trap.dir}/po4`,
      `RemoteCommand=touch ${trap.dir}/po5`,
      `Match=exec "touch ${trap.dir}/po6"`,
      'Include=/etc/passwd',
      `ProxyJump=-oProxyCommand=touch ${trap.dir}/po7`,
      `ProxyJump=a;touch ${trap.dir}/po8`,
      ...p,
    ];
    for (const [mod, base] of [
      [profileCommand, ['--pid', '1']],
      [probeCommand, []],
    ] as const) {
      for (const target of p) await assertRefused(mod, [...base, `--ssh=${target}`]);
      for (const o of badOptions) await assertRefused(mod, [...base, '--ssh', '127.0.0.1', `--ssh-option=${o}`]);
      for (const flag of ['--ssh-identity', '--ssh-config', '--ssh-port']) {
        for (const v of [`-oProxyCommand=touch ${trap.dir}/pf`, `/nonexistent/${p[1]}`, `22;touch ${trap.dir}/pp`]) {
          await assertRefused(mod, [...base, '--ssh', '127.0.0.1', `${flag}=${v}`]);
        }
      }
    }
    assertCliRefused(['profile', '--pid=1', `--ssh=-oProxyCommand=touch ${trap.dir}/spawned1`]);
    assertCliRefused(['probe', '--ssh=127.0.0.1', `--ssh-option=ProxyCommand=touch ${trap.dir}/spawned2`]);
    assertNothingRan('ssh flags');
  });

  test('profile --name and --exe take hostile text as data: the real listing runs, nothing matches', async () => {
    for (const name of trap.payloads('cli-name').filter((n) => !n.includes('\n'))) {
      await assertRefused(profileCommand, ['-q', `--name=${name}`, '--duration', '1'], {
        pattern: /no process matches name/,
      });
    }
    await assertRefused(profileCommand, ['-q', '--name', 'a\nb'], { pattern: /not a usable process name/ });
    await assertRefused(profileCommand, ['-q', `--exe=/tmp/${trap.payloads('cli-exe')[1]}`], {
      pattern: /no process matches executable/,
    });
    assertCliRefused(['profile', '-q', `--name=${trap.payloads('cli-name2')[1]}`], /no process matches name/);
    assertNothingRan('--name/--exe');
  });

  test('analyze, compare, collapse and annotate read hostile file names and values as data', async () => {
    const p = trap.payloads('cli-file');
    // A file whose name is a payload, holding real perf report output: it is read, never interpreted.
    const report = join(files.dir, p[1].replace(/\//g, '_'));
    copyFileSync(join(__dirname, '..', 'fixtures', 'perf-report', 'flat.txt'), report);
    const spawned = runCli(['analyze', '--as', 'perf-report', report]);
    assert.equal(spawned.code, 0, spawned.stderr);
    assert.match(spawned.stdout, /hotspot/i, 'the file was read and analysed');
    for (const v of p) {
      await assertRefused(analyzeCommand, [`--as=${v}`, report]);
      await assertRefused(analyzeCommand, [`--pid=${v}`, report]);
      const name = v.replace(/\//g, '_');
      await assertRefused(analyzeCommand, [join(files.dir, `${name}.missing`)], { oneLine: false });
      await assertRefused(compareCommand, [`${name}.a.json`, `${name}.b.json`], { oneLine: false });
      await assertRefused(collapseCommand, [`${name}.perf-script.txt`], { oneLine: false });
    }
    assertCliRefused(['compare', `\u001b[31m${p[3]}.json`, 'b.json'], /cannot read/);
    const profileJson = join(files.dir, 'profile.json');
    writeFileSync(
      profileJson,
      JSON.stringify({ schema: 'perf-lens/profile@1', target: { command: p[2] }, hotspots: [], findings: [] }),
    );
    for (const v of p) {
      const name = join(files.dir, v.replace(/\//g, '_'));
      const r = await inProcess(annotateCommand, [profileJson, name, `--path-map=${v}=${v}`]);
      assert.ok(r.code === 0 || r.error instanceof UserError, `annotate: ${r.code} ${String(r.error)}`);
    }
    assertNothingRan('file arguments');
  });
});

describe('createHost and session options', () => {
  test('createHost refuses hostile host specs and ssh options before ssh runs', async () => {
    const p = trap.payloads('host');
    const specs = [
      ...p.map((v) => `ssh:${v}`),
      ...p.map((v) => `ssh:user@${v}`),
      ...p.map((v) => `ssh:${v}@127.0.0.1`),
      ...p.map((v) => `ssh:127.0.0.1:${v}`),
      ...p.map((v) => `local${v}`),
      `ssh:-oProxyCommand=touch ${trap.dir}/h1`,
      `ssh:-lroot 127.0.0.1`,
      'ssh:[::1;id]:22',
      'ssh:',
      'ssh:a b',
    ];
    for (const spec of specs) {
      assert.throws(
        () => createHost(spec),
        (e: unknown) => e instanceof HostError && e.code === 'INVALID' && !/\n\s+at /.test(e.message),
        JSON.stringify(spec),
      );
    }
    for (const options of [
      { extraOptions: [`ProxyCommand=touch ${trap.dir}/h2`] },
      { extraOptions: [`-oProxyCommand=touch ${trap.dir}/h3`] },
      { extraOptions: [`ProxyJump=-oProxyCommand=x`] },
      { identityFile: `-oProxyCommand=touch ${trap.dir}/h4` },
      { configFile: `-F/dev/null` },
      { knownHostsFile: `/x -oProxyCommand=touch ${trap.dir}/h5` },
      { sshPath: `-oProxyCommand=touch ${trap.dir}/h6` },
    ]) {
      assert.throws(() => createHost('ssh:127.0.0.1', options), HostError, JSON.stringify(options));
    }
    assertNothingRan('createHost');
  });

  test('every ssh target the extension accepts is one the ssh transport accepts, and none is shell syntax', () => {
    fc.assert(
      fc.property(fc.oneof(hostileString, fc.constantFrom(...trap.payloads('prop'))), (s) => {
        if (validateSshTarget(s) !== null) return;
        assert.doesNotMatch(s, /^-|[\s;&|`$()<>'"\\]/);
        assert.doesNotThrow(() => parseSshTarget(s), s);
      }),
      { numRuns: 2000 },
    );
  });

  test('extension settings built to inject fall back to defaults with a problem, never reach a session', () => {
    const p = trap.payloads('config');
    for (const v of p) {
      assert.notEqual(validateSshTarget(v), null, v);
      const { config, problems } = validateConfig(
        {
          sshTarget: { globalValue: v },
          toolPaths: { globalValue: { perf: v.replace(/^\//, '') } },
          duration: { globalValue: v },
          frequency: { globalValue: v },
          callGraph: { globalValue: v },
          sudo: { globalValue: v },
        },
        true,
      );
      assert.equal(config.sshTarget, null);
      assert.deepEqual(config.toolPaths, {});
      assert.equal(config.duration, 10);
      assert.equal(config.sudo, 'ask');
      assert.ok(problems.length >= 5, JSON.stringify(problems));
    }
    assert.notEqual(validateToolPath('perf'), null);
    assert.notEqual(validateToolPath('/usr/bin/perf\n;id'), null);
  });

  test('session options built to inject are refused with a UserError before anything runs', async () => {
    const host = new LocalHost();
    const commands: string[][] = [];
    host.onCommand((e) => commands.push(e.argv));
    const p = trap.payloads('opts');
    try {
      for (const v of p) {
        const attempts: Array<() => Promise<unknown>> = [
          () => profile(host, { kind: 'pid', pid: v as unknown as number }, {}, () => {}),
          () => profile(host, { kind: 'port', port: v as unknown as number }, {}, () => {}),
          () => profile(host, { kind: 'exe', path: v.replace(/^\//, '') }, {}, () => {}),
          () => profile(host, { kind: 'pid', pid: victim.pid }, { durationSeconds: v as unknown as number }, () => {}),
          () => profile(host, { kind: 'pid', pid: victim.pid }, { frequency: v as unknown as number }, () => {}),
          () => profile(host, { kind: 'pid', pid: victim.pid }, { callGraph: v as 'fp' }, () => {}),
          () => profile(host, { kind: 'pid', pid: victim.pid }, { sudo: v as 'never' }, () => {}),
          () =>
            profile(host, { kind: 'pid', pid: victim.pid }, { toolPaths: { perf: v.replace(/^\//, '') } }, () => {}),
          () => profile(host, { kind: 'pid', pid: victim.pid }, { toolPaths: { perf: `/x\n${v}` } }, () => {}),
        ];
        for (const attempt of attempts) await assert.rejects(attempt, UserError);
      }
      assert.deepEqual(commands, [], 'nothing ran on the host');
    } finally {
      await host.dispose();
    }
    assertNothingRan('session options');
  });
});

/** Lists and profiles the victim on `host`: its name and argv come back as data; nothing runs. */
async function profileVictim(host: Host): Promise<void> {
  const list = await listProcesses(host, { sampleMs: 200 });
  const me = list.find((x) => x.pid === victim.pid);
  assert.ok(me, 'the victim is listed');
  assert.equal(me.name, victim.comm);
  for (const a of victimArgs.filter((x) => !/[\n\t]/.test(x))) assert.ok(me.cmdline.includes(a), `argv ${a}`);
  assert.ok(!list.some((x) => x.pid !== victim.pid && x.cmdline.includes(trap.dir) && x.name === victim.comm));

  // By name (the comm itself is the payload), with a tool path built to inject that does not exist.
  const events: string[] = [];
  const p = await profile(
    host,
    { kind: 'name', name: victim.comm },
    { durationSeconds: 1, toolPaths: { perf: `/nonexistent/${trap.payloads('toolpath')[1]}` } },
    (e) => {
      if (e.type === 'warning' || e.type === 'progress') events.push(e.message);
    },
  );
  assert.equal(p.target.pid, victim.pid);
  assert.equal(p.target.command, victim.comm);
  assert.ok(renderTextReport(p).includes(victim.comm), 'the report shows the name as text');
  assert.equal(p.partial, true, 'a tool path that does not exist leaves a partial profile');
  assert.match(p.partialReason ?? '', /perf record could not start|not found/, p.partialReason ?? '');
  assert.ok(p.timeline.length >= 1, 'the live data is kept');
}

describe('names and arguments read from /proc', () => {
  test('locally: a process named and called with payloads is listed and profiled as data', async () => {
    const host = new LocalHost();
    try {
      await profileVictim(host);
    } finally {
      await host.dispose();
    }
    await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    assertNothingRan('local listing and profiling');
  });

  test('over ssh: the same, every command through the real sshd', async () => {
    const host = new SshHost(sshd.target, sshd.sshHostOptions);
    try {
      await profileVictim(host);
    } finally {
      await host.dispose();
    }
    await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    assertNothingRan('ssh listing and profiling');
  });

  test('every comm payload, one process each, round-trips through the listing locally and over ssh', async () => {
    const procs = await Promise.all(trap.comms.slice(1).map((c) => startHostileProcess(c, [c])));
    const local = new LocalHost();
    const ssh = new SshHost(sshd.target, sshd.sshHostOptions);
    try {
      for (const host of [local, ssh]) {
        const list = await listProcesses(host, { sampleMs: 0 });
        for (const p of procs) assert.equal(list.find((x) => x.pid === p.pid)?.name, p.comm, host.description);
        const t = await resolveTarget(host, { kind: 'name', name: procs[0].comm });
        assert.equal(t.pid, procs[0].pid);
      }
    } finally {
      await local.dispose();
      await ssh.dispose();
      await Promise.all(procs.map((p) => p.stop()));
    }
    await assertNothingLeft(SESSION_TREE, { waitMs: 5000 });
    assertNothingRan('comm payloads');
  });
});
