import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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

const root = fileURLToPath(new URL('../../../', import.meta.url));
function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', join(root, 'src/cli/main.ts'), 'probe', ...args],
      { cwd: root, timeout: 60_000 },
      (err, stdout, stderr) =>
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}
const T = { timeout: 90_000 };

test('perf-lens probe --ssh … --json reports this machine through the real sshd', T, async () => {
  const r = await cli([
    '--ssh',
    sshd.target,
    '--ssh-port',
    String(sshd.port),
    '--ssh-identity',
    sshd.identityFile,
    '--ssh-config',
    sshd.configFile,
    ...sshd.extraOptions.flatMap((o) => ['--ssh-option', o]),
    '--json',
  ]);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as {
    host: string;
    capabilities: { perf: boolean; hardwarePmu: boolean; uid: number };
  };
  assert.equal(out.host, `ssh ${sshd.target}:${sshd.port}`);
  assert.equal(out.capabilities.perf, true);
  assert.equal(out.capabilities.hardwarePmu, false);
  assert.equal(out.capabilities.uid, 0);
  await assertNothingLeft(['ssh', 'sh', 'perf']);
});

test('perf-lens probe (text) lists tools and notes with their fixes', T, async () => {
  const r = await cli([]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Host: +local \(/);
  assert.match(r.stdout, /^ {2}perf +\d+\.\d+/m);
  assert.match(r.stdout, /no hardware PMU \(perf samples with cpu-clock\)/);
  assert.match(r.stdout, /\[info\] No hardware PMU/);
});

test('hostile --ssh targets and options are refused with one line, nothing runs', T, async () => {
  const marker = join(tmp.dir, 'pwned');
  for (const args of [
    [`--ssh=-oProxyCommand=touch ${marker}`],
    ['--ssh', `a;touch ${marker}`],
    ['--ssh', `$(touch ${marker})`],
    ['--ssh', 'localhost', '--ssh-option', `ProxyCommand=touch ${marker}`],
    ['--ssh', 'localhost', '--ssh-port', '0'],
    ['--ssh-port', '22'],
    ['--bogus'],
  ]) {
    const r = await cli(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^perf-lens: /);
    assert.ok(!/\n\s+at /.test(r.stderr), 'no stack trace');
  }
  assert.equal(existsSync(marker), false);
  await assertNothingLeft(['ssh', 'sh']);
});
