/**
 * Constant POSIX-sh scripts the session runs on the target. Data reaches them only as positional
 * parameters; every section is introduced by a line starting with '@' so one round trip can carry several
 * small files.
 */

/**
 * Before recording. $1 = PID. Prints:
 *   @exe      /proc/PID/exe target
 *   @fds      `ls -l /proc/PID/fd` lines that are eventfds (their numbers are the filter for perf stat)
 *   @tp       tracepoints that exist (perf stat refuses the whole command if one is unknown)
 *   @paranoid perf_event_paranoid
 *   @cpus     each thread's Cpus_allowed_list (its affinity, cpusets included)
 *   @online   the online CPUs
 *   @ports    the process's listening TCP ports (hex), from its own fds and network namespace
 *   then a network snapshot (see NET_SNAPSHOT).
 */
export const PREPARE_SCRIPT =
  String.raw`
pid=$1
if [ ! -d "/proc/$pid/task" ]; then echo "@gone"; exit 0; fi
echo "@exe"
readlink "/proc/$pid/exe" 2>/dev/null || echo
echo "@fds"
ls -l "/proc/$pid/fd" 2>/dev/null | grep 'anon_inode:\[eventfd\]'
echo "@tp"
for root in /sys/kernel/tracing /sys/kernel/debug/tracing; do
  [ -d "$root/events" ] || continue
  for e in raw_syscalls/sys_enter syscalls/sys_enter_io_uring_enter syscalls/sys_enter_futex syscalls/sys_enter_write \
    io_uring/io_uring_submit_req io_uring/io_uring_submit_sqe io_uring/io_uring_complete; do
    [ -d "$root/events/$e" ] && echo "$e"
  done
  break
done
echo "@paranoid $(cat /proc/sys/kernel/perf_event_paranoid 2>/dev/null)"
echo "@cpus"
grep -h '^Cpus_allowed_list:' /proc/"$pid"/task/*/status 2>/dev/null
echo "@online $(cat /sys/devices/system/cpu/online 2>/dev/null)"
echo "@ports"
{ cat "/proc/$pid/net/tcp" "/proc/$pid/net/tcp6" 2>/dev/null; echo @fds; ls -l "/proc/$pid/fd" 2>/dev/null; } | awk '
  $1 == "@fds" { fds = 1; next }
  !fds { if ($4 == "0A") { n = split($2, a, ":"); listen[$10] = a[n] } next }
  /socket:\[/ { s = $NF; gsub(/[^0-9]/, "", s); if (s in listen) print listen[s] }'
` + netSnapshotBody();

/** Network counters as the target's network namespace sees them. $1 = PID. */
export const NET_SNAPSHOT =
  String.raw`
pid=$1
` +
  netSnapshotBody() +
  String.raw`
if command -v ss >/dev/null 2>&1; then echo "@ss"; ss -s 2>/dev/null; fi
echo "@end"
`;

function netSnapshotBody(): string {
  return String.raw`
echo "@net"
for f in snmp netstat; do
  echo "@$f"
  cat "/proc/$pid/net/$f" 2>/dev/null || cat "/proc/net/$f" 2>/dev/null
done
echo "@softirqs"
cat /proc/softirqs 2>/dev/null
echo "@nic"
grep '' /dev/null /sys/class/net/*/statistics/rx_dropped /sys/class/net/*/statistics/tx_dropped 2>/dev/null
echo "@net-end"
`;
}

/**
 * A frame line as perf prints it: a tab, the address right-aligned in 16 columns (`%16lx`), one space. For a
 * line of this shape, what FOLD_AWK's general rule removes (`^[ \t]*[0-9a-fA-F]+ `) is exactly its first 18
 * characters, so the fold can take `substr($0, 19)` instead of running a substitution on every frame line
 * (the most frequent line by far). Spelled out as 16 alternatives: mawk (Debian's awk) has no `{n}` intervals.
 */
const FRAME_LINE = String.raw`^\t(${Array.from({ length: 16 }, (_, k) => ' '.repeat(k) + '[0-9a-fA-F]'.repeat(16 - k)).join('|')}) `;

/**
 * Folds `perf script` output on the target into unique stacks with counts, with a dictionary of frames
 * and headers, so only aggregates travel (a few % of the raw text). Input: `perf script -F
 * comm,pid,tid,time,event,ip,sym,dso`. Output, in this order:
 *   @h ID TEXT       a header: the command name and the event, tab-separated (pid/tid and time removed)
 *   @f ID TEXT       a frame: `symbol (dso)` with the address removed
 *   @s COUNT HID FID FID …   a unique stack (leaf first, as perf prints it) and how many samples had it
 *   @total SAMPLES UNPARSED
 * Frames and headers are printed the first time they are seen, so they always precede their use.
 * Per line it does as little as it can (this runs once per frame of every sample): the usual frame line is
 * recognised by one anchored pattern and cut at a fixed column; other frame lines take the general
 * substitution; each dictionary is looked up once (an unset element compares equal to "").
 * POSIX awk only (runs with mawk, gawk and busybox awk).
 */
export const FOLD_AWK =
  String.raw`
function frame(k) {
  if ((id = fid[k]) == "") { fid[k] = id = ++nf; print "@f " nf " " k }
  stack = stack " " id
}
function flush() {
  if (!inev) return
  inev = 0
  key = hid stack
  if ((c = count[key]) == "") order[++n] = key
  count[key] = c + 1
  total++
}
/` +
  FRAME_LINE +
  String.raw`/ {
  if (inev) frame(substr($0, 19))
  next
}
/^[ \t]/ {
  if (!inev) next
  k = $0
  sub(/^[ \t]*[0-9a-fA-F]+ /, "", k)
  frame(k)
  next
}
/^$/ { flush(); next }
/^#/ { next }
{
  flush()
  h = $0
  if (!sub(/ +[0-9]+\/[0-9]+ +[0-9]+\.[0-9]+: +/, "\t", h)) { bad++; next }
  if ((hid = hidx[h]) == "") { hidx[h] = hid = ++nh; print "@h " nh " " h }
  inev = 1
  stack = ""
}
END {
  flush()
  for (i = 1; i <= n; i++) { k = order[i]; print "@s " count[k] " " k }
  print "@total " total + 0 " " bad + 0
}
`;

/**
 * Post-processing next to perf.data. `perf script` streams into FOLD_AWK; the hotspots and the folded stacks
 * are both computed from what comes back, so perf.data is read once. With mode "children"/"self" a
 * `perf report` runs in the background as well (kept for comparisons; the session does not need it).
 * When the recording left a complete copy of /proc/kallsyms (`kallsyms`, see RECORD_WRAPPER) with real
 * addresses (not the zeros an unprivileged reader sees), perf reads it instead of /proc/kallsyms — the same
 * symbols, without the kernel formatting its whole symbol table again.
 *   $1 work dir (holds perf.data)   $2 FOLD_AWK   $3 "none" | "children" | "self"
 *   $4 "" or a PID: perf script keeps only that process's samples (a CPU-wide recording holds every process's)
 *   "$@" after those: the perf command prefix (e.g. `perf`)
 * Output: the fold sections, `@script-exit N`, then (with a report) `@report-exit N`, `@report` + the
 * report, `@report-err`; then `@script-err` (tail of stderr) and `@end`.
 */
export const POSTPROCESS_SCRIPT = String.raw`
dir=$1; fold=$2; mode=$3; only=$4
shift 4
cd "$dir" || exit 3
if [ -n "$only" ]; then
  # perf script's --pid skips other processes' samples before resolving their call chains. (Not given to
  # perf report, kept for comparisons only: with --pid, its percentages of some kernel symbols do not add up.)
  only="--pid=$only"
fi
ks=
if [ -s kallsyms ]; then
  # The first text symbol's address (per-CPU symbols at the top are 0 even for root).
  a=$(awk '$2 == "T" || $2 == "t" { print $1; exit }' kallsyms 2>/dev/null)
  case "$a" in *[1-9a-fA-F]*) ks=--kallsyms=kallsyms ;; esac
fi
if [ "$mode" = children ]; then order=--children; else order=--no-children; fi
if [ "$mode" != none ]; then
  "$@" report -i perf.data $ks --stdio "$order" -g none --sort dso,sym --percent-limit 0.05 --no-inline >report.txt 2>report.err &
  rp=$!
fi
{ "$@" script -i perf.data $ks $only -F comm,pid,tid,time,event,ip,sym,dso --no-inline 2>script.err; echo "$?" >script.rc; } | awk "$fold"
echo "@script-exit $(cat script.rc 2>/dev/null)"
if [ "$mode" != none ]; then
  wait "$rp"
  echo "@report-exit $?"
  echo "@report"
  cat report.txt
  echo "@report-err"
  tail -c 2000 report.err
fi
echo "@script-err"
tail -c 2000 script.err
echo "@end"
`;
