/**
 * A real OpenSSH server on 127.0.0.1 for tests (recipe: shared/recipes/ssh-on-loopback.md), with throwaway
 * keys in a private 0700 folder, touching nothing outside it (except creating /run/sshd, sshd's
 * privilege-separation directory, when it is missing).
 *
 * API
 *   startSshd() → Promise<TestSshd>
 *   TestSshd = {
 *     pid, port, host: '127.0.0.1', user,         the sshd listener (foreground, `-D`), random free port
 *     target: 'user@127.0.0.1',                    what `new SshHost(target, sshHostOptions)` takes
 *     identityFile, knownHostsFile, configFile,    client key, known_hosts with the host key, a client config
 *                                                  (`-F`) holding all of the below, so ~/.ssh/config is unused
 *     extraOptions: string[],                      `-o` values an SshHost needs for it (IdentitiesOnly,
 *                                                  GlobalKnownHostsFile=/dev/null, StrictHostKeyChecking=yes,
 *                                                  SetEnv=SHLVL=1)
 *     sshHostOptions: { port, identityFile, knownHostsFile, configFile, extraOptions },
 *     sshArgv(...remote): string[]                 a complete plain `ssh …` argv (no multiplexing) for checks
 *     logFile, stop(): Promise<void>               stop kills the listener AND every session process it
 *                                                  forked (by PID), then removes the folder; idempotent
 *   }
 * Sessions get `PERF_LENS_TEST_MARKER` (see processes.ts) and `TMPDIR` (this process's os.tmpdir() at start)
 * through sshd's `SetEnv`, so leftover remote processes and temp dirs are detectable. `AcceptEnv SHLVL` lets
 * the client's `SetEnv=SHLVL=1` skip root's ~/.bashrc cost (test sshd only).
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { MARKER_ENV, TEST_MARKER, descendantsOf } from './processes';

export interface SshHostTestOptions {
  port: number;
  identityFile: string;
  knownHostsFile: string;
  configFile: string;
  extraOptions: string[];
}

export interface TestSshd {
  pid: number;
  port: number;
  host: '127.0.0.1';
  user: string;
  target: string;
  identityFile: string;
  knownHostsFile: string;
  configFile: string;
  extraOptions: string[];
  sshHostOptions: SshHostTestOptions;
  sshArgv(...remote: string[]): string[];
  logFile: string;
  stop(): Promise<void>;
}

const SSHD = '/usr/sbin/sshd';
const live = new Map<ChildProcess, string>();
process.on('exit', () => {
  for (const [child, dir] of live) {
    for (const pid of descendantsOf(child.pid!)) killQuietly(pid, 'SIGKILL');
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

function killQuietly(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}

/** A free TCP port on 127.0.0.1 (the kernel's choice, released before it returns). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startSshd(): Promise<TestSshd> {
  mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'pltest-sshd-'));
  chmodSync(dir, 0o700);
  try {
    return await startIn(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

async function startIn(dir: string): Promise<TestSshd> {
  const hostKey = join(dir, 'host_ed25519');
  const identityFile = join(dir, 'client_ed25519');
  for (const key of [hostKey, identityFile]) {
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'perf-lens-test', '-f', key]);
  }
  const authorizedKeys = join(dir, 'authorized_keys');
  writeFileSync(authorizedKeys, readFileSync(`${identityFile}.pub`), { mode: 0o600 });
  const user = userInfo().username;
  const logFile = join(dir, 'sshd.log');
  const knownHostsFile = join(dir, 'known_hosts');
  const configFile = join(dir, 'ssh_config');
  const remoteTmp = tmpdir();

  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const sshdConfig = join(dir, 'sshd_config');
    writeFileSync(
      sshdConfig,
      [
        `ListenAddress 127.0.0.1`,
        `Port ${port}`,
        `HostKey ${hostKey}`,
        `PidFile ${join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorizedKeys}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        'MaxSessions 50',
        'MaxStartups 50:30:100',
        'AcceptEnv SHLVL',
        `SetEnv ${MARKER_ENV}=${TEST_MARKER} TMPDIR=${remoteTmp}`,
        'LogLevel VERBOSE',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    execFileSync(SSHD, ['-t', '-f', sshdConfig]);
    const child = spawn(SSHD, ['-D', '-f', sshdConfig, '-E', logFile], { stdio: 'ignore' });
    live.set(child, dir);
    const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
    child.once('error', () => {});
    const deadline = Date.now() + 5000;
    let up = false;
    while (!up && Date.now() < deadline && child.exitCode === null) {
      up = await canConnect(port);
      if (!up) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    if (!up) {
      child.kill('SIGKILL');
      await exited;
      live.delete(child);
      const log = readFileSync(logFile, 'utf8');
      if (attempt < 5 && /Address already in use|Cannot bind/.test(log)) continue; // someone took the port
      throw new Error(`sshd did not start on 127.0.0.1:${port}:\n${log}`);
    }

    const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(knownHostsFile, `[127.0.0.1]:${port} ${hostPub}\n`, { mode: 0o600 });
    const extraOptions = [
      'IdentitiesOnly=yes',
      'GlobalKnownHostsFile=/dev/null',
      'StrictHostKeyChecking=yes',
      'SetEnv=SHLVL=1',
    ];
    writeFileSync(
      configFile,
      [
        'Host *',
        `  Port ${port}`,
        `  IdentityFile ${identityFile}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${knownHostsFile}`,
        '  GlobalKnownHostsFile /dev/null',
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '  SetEnv SHLVL=1',
        '',
      ].join('\n'),
      { mode: 0o600 },
    );

    let stopping: Promise<void> | null = null;
    const stop = () =>
      (stopping ??= (async () => {
        // Sessions are forked children of the listener: kill them too, or they would outlive the test.
        const sessions = descendantsOf(child.pid!);
        for (const pid of sessions) killQuietly(pid, 'SIGTERM');
        child.kill('SIGTERM');
        const timer = setTimeout(() => {
          for (const pid of sessions) killQuietly(pid, 'SIGKILL');
          child.kill('SIGKILL');
        }, 2000);
        await exited;
        clearTimeout(timer);
        live.delete(child);
        rmSync(dir, { recursive: true, force: true });
      })());

    const sshHostOptions = { port, identityFile, knownHostsFile, configFile, extraOptions };
    return {
      pid: child.pid!,
      port,
      host: '127.0.0.1',
      user,
      target: `${user}@127.0.0.1`,
      identityFile,
      knownHostsFile,
      configFile,
      extraOptions,
      sshHostOptions,
      sshArgv: (...remote: string[]) => [
        'ssh',
        '-F',
        configFile,
        '-p',
        String(port),
        '-i',
        identityFile,
        '-o',
        `UserKnownHostsFile=${knownHostsFile}`,
        '-o',
        'BatchMode=yes',
        ...extraOptions.flatMap((o) => ['-o', o]),
        `${user}@127.0.0.1`,
        '--',
        ...remote,
      ],
      logFile,
      stop,
    };
  }
}
