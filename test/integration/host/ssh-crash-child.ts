/**
 * Child process for ssh-host.test.ts: starts a long remote command through an SshHost, prints RUNNING once
 * it runs, and waits to be SIGKILLed (a crashing extension host: no dispose, no exit handlers).
 */
import { SshHost } from '../../../src/core/host/ssh-host';

async function main(): Promise<void> {
  const { target, options } = JSON.parse(process.argv[2]) as { target: string; options: Record<string, unknown> };
  const host = new SshHost(target, options);
  await host.run(['sh', '-c', 'echo up; sleep 300 & sleep 300'], { onStdoutLine: () => console.log('RUNNING') });
}
void main();
