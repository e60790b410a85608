import { quoteCommandLine } from './posix-quote';

/**
 * What every SshHost command runs on the remote side: a constant POSIX sh script (never built from data;
 * argv, environment and stdin length reach it as quoted positional parameters) that
 *  - exports the environment (LC_ALL=C, S_TIME_FORMAT=ISO always win),
 *  - reports a missing program clearly instead of a shell's "not found" (exit 127),
 *  - starts the command in its own session/process group (setsid), so the whole tree can be killed,
 *    printing that group id on stderr BEFORE the command writes anything,
 *  - feeds it exactly the caller's stdin payload (through a FIFO in a private mktemp dir, removed at once),
 *  - keeps reading ssh's stdin: EOF means the client went away (cancel, timeout, output cap, dropped
 *    connection, killed master) → TERM the group, KILL it a second later,
 *  - when the command ends, kills anything it left in its group and reports the exit status on stderr, so
 *    the client can tell "the command exited N" from "the connection broke".
 *
 * Positional parameters: $1 stdin byte count, $2 number of NAME=VALUE words, then those words, then argv.
 */
export const REMOTE_WRAPPER = `n=$1; k=$2; shift 2
while [ "$k" -gt 0 ]; do export "$1"; shift; k=$((k - 1)); done
export LC_ALL=C S_TIME_FORMAT=ISO
if ! command -v "$1" >/dev/null 2>&1; then printf 'perf-lens-wrapper: not-found\\n' >&2; exit 127; fi
s=; if command -v setsid >/dev/null 2>&1; then s=setsid; fi
exec 3<&0 </dev/null
start='printf "perf-lens-wrapper: pgid %s\\n" "$$" >&2; exec "$@"'
if [ "$n" -gt 0 ]; then
  d=$(umask 077 && mktemp -d "\${TMPDIR:-/tmp}/perf-lens-XXXXXX") || exit 125
  if ! mkfifo "$d/in"; then rm -rf "$d"; exit 125; fi
  $s sh -c "$start" perf-lens "$@" <"$d/in" &
  p=$!
  dd bs=1 count="$n" <&3 >"$d/in" 2>/dev/null
  rm -rf "$d"
else
  $s sh -c "$start" perf-lens "$@" </dev/null &
  p=$!
fi
$s sh -c 'cat >/dev/null; kill -TERM "-$1" 2>/dev/null || kill -TERM "$1" 2>/dev/null; sleep 1; kill -KILL "-$1" 2>/dev/null' perf-lens-watch "$p" <&3 >/dev/null 2>&1 &
w=$!
exec 3<&-
wait "$p"; rc=$?
kill -KILL "-$p" 2>/dev/null
kill -TERM "-$w" 2>/dev/null || kill -TERM "$w" 2>/dev/null
printf 'perf-lens-wrapper: exit %s\\n' "$rc" >&2
exit "$rc"`;

/**
 * Kills a remote process group: TERM, then KILL if it is still there after ~1 s (zombies count as "there": fine). $1 is the group id
 * (validated as a number by the caller).
 */
export const REMOTE_KILL_GROUP = `kill -TERM "-$1" 2>/dev/null || exit 0
i=0
while kill -0 "-$1" 2>/dev/null; do
  i=$((i + 1))
  if [ "$i" -gt 10 ]; then kill -KILL "-$1" 2>/dev/null; exit 0; fi
  sleep 0.1 2>/dev/null || sleep 1
done`;

/** The one string ssh sends as the remote command: `sh -c WRAPPER perf-lens N K env... argv...`, all quoted. */
export function remoteCommandLine(argv: readonly string[], env: Record<string, string>, stdinBytes: number): string {
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  return quoteCommandLine([
    'sh',
    '-c',
    REMOTE_WRAPPER,
    'perf-lens',
    String(stdinBytes),
    String(assignments.length),
    ...assignments,
    ...argv,
  ]);
}

export function remoteKillCommandLine(pgid: number): string {
  return quoteCommandLine(['sh', '-c', REMOTE_KILL_GROUP, 'perf-lens-kill', String(pgid)]);
}

export type WrapperLine = { kind: 'pgid'; pgid: number } | { kind: 'exit'; code: number } | { kind: 'not-found' };

/** Recognises the wrapper's own stderr lines (they are removed from the stderr the caller sees). */
export function parseWrapperLine(line: string): WrapperLine | null {
  const m = /^perf-lens-wrapper: (?:pgid (\d+)|exit (\d+)|(not-found))$/.exec(line);
  if (!m) return null;
  if (m[1] !== undefined) return { kind: 'pgid', pgid: Number(m[1]) };
  if (m[2] !== undefined) return { kind: 'exit', code: Number(m[2]) };
  return { kind: 'not-found' };
}
