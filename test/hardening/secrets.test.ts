/**
 * A sudo password never reaches a log, an argv, an environment, the Profile, an error message or a file.
 *
 * Locally, with the real sudo: a session runs as the unprivileged user `nobody` (this machine's tests run as
 * root, and root never needs sudo) with sudo mode "password". sudo really reads the password (and refuses
 * it: nobody may not use sudo), so the whole path runs — probe, privilege choice, `sudo -S` with the password
 * on stdin, sudo's refusal turned into a clear error. Meanwhile every process's argv and environment on the
 * machine is scanned for the password, and the scan is shown to have seen the `sudo -S` processes.
 * Afterwards the command log, the events, the error and every file under the temp dirs are searched too.
 * Over ssh: the same password travels as stdin through the real sshd (the remote wrapper's FIFO), with the
 * same scan, and the FIFO's private dir is gone afterwards.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { after, before, test } from 'node:test';
import { SshHost } from '../../src/core/host/ssh-host';
import type { CommandLogEntry } from '../../src/core/host/types';
import { assertNothingLeft, isolateTempDir } from '../helpers/processes';
import { startSshd, type TestSshd } from '../helpers/sshd';

const SECRET = `pl-secret-${randomBytes(12).toString('hex')}`;
const NOBODY = 65534;
const tmp = isolateTempDir();
let sshd: TestSshd;

before(async () => {
  sshd = await startSshd();
});
after(async () => {
  await sshd?.stop();
  tmp.restore();
});

interface Sighting {
  pid: number;
  comm: string;
  where: 'cmdline' | 'environ';
}

/** Polls every process's argv and environment for the secret until stopped; also records `sudo` processes seen. */
function scanProcesses(): { stop(): { hits: Sighting[]; sudoSeen: string[] } } {
  const hits: Sighting[] = [];
  const sudoSeen = new Set<string>();
  const needle = Buffer.from(SECRET);
  const timer = setInterval(() => {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
        const cmdline = readFileSync(`/proc/${entry}/cmdline`);
        if (comm === 'sudo') sudoSeen.add(cmdline.toString('utf8').replace(/\0/g, ' ').trim());
        if (cmdline.includes(needle)) hits.push({ pid: Number(entry), comm, where: 'cmdline' });
        if (readFileSync(`/proc/${entry}/environ`).includes(needle))
          hits.push({ pid: Number(entry), comm, where: 'environ' });
      } catch {
        // gone meanwhile
      }
    }
  }, 15);
  return {
    stop() {
      clearInterval(timer);
      return { hits, sudoSeen: [...sudoSeen] };
    },
  };
}

/** Every regular file below `dir` whose content holds the secret. */
function filesHolding(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      let st;
      try {
        st = statSync(p);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(p);
      else if (st.isFile() && st.size < 64 << 20 && readFileSync(p).includes(SECRET)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

test('locally as an unprivileged user: sudo -S gets the password on stdin only; nothing shows it', async () => {
  // A private folder nobody can write (tsx's cache, the session's temp dirs); this test's own TMPDIR is 0700 root.
  const home = mkdtempSync('/tmp/pl-nobody-');
  chownSync(home, NOBODY, NOBODY);
  // The child is bundled into that folder: nobody may not be able to read the checkout (e.g. under /root).
  const childJs = join(home, 'sudo-session-child.js');
  await esbuild.build({
    entryPoints: [join(__dirname, 'sudo-session-child.ts')],
    outfile: childJs,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'silent',
  });
  chmodSync(childJs, 0o644);
  const scan = scanProcesses();
  try {
    const child = spawn(process.execPath, [childJs], {
      uid: NOBODY,
      gid: NOBODY,
      cwd: home,
      env: { ...process.env, HOME: home, TMPDIR: home },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString('utf8')));
    child.stdin!.end(`${SECRET}\n`);
    const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
    const { hits, sudoSeen } = scan.stop();

    assert.equal(code, 0, `child: ${stderr}`);
    const out = JSON.parse(stdout.trim().split('\n').pop()!) as {
      uid: number;
      commands: CommandLogEntry[];
      events: unknown[];
      result: unknown;
      error: { name: string; message: string; hint: string | null; stack: string } | null;
    };
    assert.equal(out.uid, NOBODY);
    // The real path ran: sudo -S was used (from the log), and the scan saw those processes.
    const sudoRuns = out.commands.filter((c) => c.argv[0] === 'sudo' && c.argv.includes('-S'));
    assert.ok(sudoRuns.length > 0, `sudo -S ran: ${JSON.stringify(out.commands.map((c) => c.argv.slice(0, 5)))}`);
    assert.ok(
      sudoSeen.some((c) => c.startsWith('sudo -S')),
      `the scan saw the sudo processes (so it would have seen a password in their argv): ${JSON.stringify(sudoSeen)}`,
    );
    // nobody may not use sudo: a clear error, not a crash and not a silent unprivileged profile.
    assert.ok(out.error, `the session refused: ${JSON.stringify(out.result).slice(0, 300)}`);
    assert.equal(out.error.name, 'UserError');
    assert.match(out.error.message, /sudo refused/);

    assert.deepEqual(hits, [], 'no process had the password in its argv or environment');
    assert.ok(!stdout.includes(SECRET), 'not in the command log, the events, the Profile or the error');
    assert.ok(!stderr.includes(SECRET), 'not on stderr');
    assert.deepEqual(filesHolding(home), [], 'not in any file under the session’s temp dir');
    assert.deepEqual(filesHolding(tmp.dir), [], 'not in any file under the test’s temp dir');
    if (existsSync('/var/lib/sudo')) assert.deepEqual(filesHolding('/var/lib/sudo'), [], 'not in sudo’s own state');
  } finally {
    scan.stop();
    rmSync(home, { recursive: true, force: true });
  }
  await assertNothingLeft(['sudo', 'sleep', 'sh', 'perf'], { waitMs: 5000 });
});

test('over ssh: the password goes as stdin through the remote wrapper’s FIFO; no argv, env, log or file has it', async () => {
  const host = new SshHost(sshd.target, sshd.sshHostOptions);
  const log: CommandLogEntry[] = [];
  host.onCommand((e) => log.push(e));
  const scan = scanProcesses();
  try {
    const r = await host.run(['sha256sum'], { stdin: `${SECRET}\n`, timeoutMs: 30_000 });
    const { hits } = scan.stop();
    const expected = createHash('sha256').update(`${SECRET}\n`).digest('hex');
    assert.equal(r.stdout.split(' ')[0], expected, 'the command got exactly the password on stdin');
    assert.deepEqual(hits, [], 'no local or remote process had it in its argv or environment');
    assert.ok(!JSON.stringify(log).includes(SECRET), 'not in the command log');
    assert.ok(!JSON.stringify(r).includes(SECRET), 'not in the result');
    assert.deepEqual(filesHolding(tmp.dir), [], 'no file (the FIFO dir is gone, and a FIFO keeps nothing)');
  } finally {
    scan.stop();
    await host.dispose();
  }
  await assertNothingLeft(['sha256sum', 'sh', 'ssh', 'dd', 'cat'], { waitMs: 5000 });
});
