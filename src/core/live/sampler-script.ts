/**
 * The live CPU sampler: one long-running POSIX-sh loop on the target that prints a reading of /proc every
 * interval and streams it back (one command for the whole session, which matters over ssh). Each reading
 * costs three short-lived processes (two greps and a sleep) — nothing that shows in a server's throughput.
 *
 * Parameters (positional, never spliced into the text):
 *   $1 PID   $2 seconds before the second reading (short, so the first breakdown arrives fast)
 *   $3 seconds between later readings   $4 maximum number of readings (a bound if nobody stops it)
 *
 * Output: `@clk N`, `@ncpu N`, then per reading `@s`, grep-prefixed lines of
 *   stat (cpu lines), PID/stat, PID/task/TID/stat, PID/task/TID/schedstat, PID/task/TID/status (ctxt lines)
 * and `@e`. `@gone` when the process no longer exists, `@max` when the bound is reached.
 * If whoever reads the output goes away, the next `echo` dies of SIGPIPE and the loop ends with it.
 */
export const SAMPLER_SCRIPT = String.raw`
cd /proc || exit 1
pid=$1
echo "@clk $(getconf CLK_TCK 2>/dev/null || echo 100)"
echo "@ncpu $(grep -c '^cpu[0-9]' stat)"
n=0
while [ "$n" -lt "$4" ]; do
  if [ ! -d "$pid/task" ]; then echo "@gone"; exit 0; fi
  echo "@s"
  grep '' /dev/null "$pid/stat" "$pid"/task/*/stat "$pid"/task/*/schedstat 2>/dev/null
  grep -e '^cpu' -e 'ctxt_switches' /dev/null stat "$pid"/task/*/status 2>/dev/null
  echo "@e" || exit 0
  n=$((n + 1))
  if [ "$n" = 1 ]; then sleep "$2" 2>/dev/null || sleep 1; else sleep "$3" 2>/dev/null || sleep 1; fi
done
echo "@max"
`;
