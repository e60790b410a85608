/**
 * Run by secrets.test.ts as an unprivileged user (nobody): profiles its own `sleep` with sudo mode
 * "password" through a LocalHost, the password read from stdin (so it is in no argv or environment of
 * this process), and prints what a user or a log could see as one JSON line: every command-log entry,
 * every session event, the Profile or the error.
 */
import { spawn } from 'node:child_process';
import { LocalHost } from '../../src/core/host/local-host';
import { profile } from '../../src/core/session/profile';
import type { CommandLogEntry } from '../../src/core/host/types';

async function main(): Promise<void> {
  let password = '';
  for await (const chunk of process.stdin) password += String(chunk);
  password = password.replace(/\n$/, '');
  const target = spawn('sleep', ['60'], { stdio: 'ignore' });
  const host = new LocalHost();
  const commands: CommandLogEntry[] = [];
  host.onCommand((e) => commands.push(e));
  const events: unknown[] = [];
  let result: unknown = null;
  let error: { name: string; message: string; hint: unknown; stack: string } | null = null;
  try {
    result = await profile(
      host,
      { kind: 'pid', pid: target.pid! },
      { durationSeconds: 1, sudo: 'password', sudoPassword: password },
      (e) => events.push(e),
    );
  } catch (e) {
    const err = e as Error & { hint?: unknown };
    error = { name: err.name, message: err.message, hint: err.hint ?? null, stack: err.stack ?? '' };
  } finally {
    await host.dispose();
    target.kill('SIGKILL');
  }
  process.stdout.write(JSON.stringify({ uid: process.getuid?.(), commands, events, result, error }) + '\n');
}

void main();
