/**
 * strace is the one collector that costs a busy server most of its throughput (95–98% of requests/s measured
 * on nginx under load), so a session that would attach it asks first, every time, saying what it costs.
 */
import * as vscode from 'vscode';

export const WITH_STRACE = 'Profile with strace';
export const WITHOUT_STRACE = 'Profile without strace';

/** true: attach strace; false: profile without it; null: the user dismissed the question (no session). */
export async function confirmStrace(label: string, durationSeconds: number): Promise<boolean | null> {
  const choice = await vscode.window.showWarningMessage(
    `Attach strace to ${label} for ${durationSeconds} s?`,
    {
      modal: true,
      detail:
        'The perfLens.strace setting is on. strace -c -f stops the process at every system call: a busy ' +
        "server's throughput falls by about 95–98% while it runs. Without it, Perf Lens still counts " +
        'system calls in the kernel (perf stat), at a cost of a few percent.',
    },
    WITH_STRACE,
    WITHOUT_STRACE,
  );
  if (choice === WITH_STRACE) return true;
  if (choice === WITHOUT_STRACE) return false;
  return null;
}
