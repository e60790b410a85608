/**
 * One constant POSIX-sh script that lists the host's processes in a single round trip (important over ssh).
 * Data reaches it only as positional parameters, never by splicing text into the script:
 *   $1  seconds between the two CPU readings ("0": one reading, no %CPU)
 *   $2  "1" to map listening TCP ports to processes (reads every /proc/PID/fd; costs more)
 *   $3  an executable path to resolve with `readlink -f`, and list /proc/PID/exe links ("" to skip)
 *
 * Output sections, each introduced by a line starting with '@':
 *   @self PID          the script's own shell (it and its children are not candidates)
 *   @clk N             clock ticks per second
 *   @ncpu N            online CPUs (cpuN lines in /proc/stat)
 *   @snap / @cpu LINE  a reading: the first line of /proc/stat, then `grep` of every /proc/PID/stat. grep
 *                      prefixes each line with its file name, so a process name holding a newline cannot
 *                      forge another process's line: its continuation still carries its own file name.
 *   @ps                pid, user, args as procps `ps` prints them (control characters already escaped)
 *   @ports             "PID HEXPORT" for each socket a process holds that is a listening TCP socket
 *   @realpath / @exe   the resolved path, then "PID TARGET" for each /proc/PID/exe link that is that path
 *                      (or the path as given). Matched here rather than by listing every link: an executable
 *                      path may hold line breaks, and a listed one could forge lines of other sections.
 *   @end
 */
export const PROC_LIST_SCRIPT = String.raw`
cd /proc || exit 1
echo "@self $$"
echo "@clk $(getconf CLK_TCK 2>/dev/null || echo 100)"
echo "@ncpu $(grep -c '^cpu[0-9]' stat)"
snap() {
  IFS= read -r c < stat
  echo "@snap"
  echo "@cpu $c"
  grep '' /dev/null [0-9]*/stat 2>/dev/null
}
snap
if [ "$1" != 0 ]; then
  sleep "$1" 2>/dev/null || sleep 1
  snap
fi
echo "@ps"
ps -A -ww -o pid= -o user:32= -o args= 2>/dev/null || ps -o pid,user,args 2>/dev/null
if [ "$2" = 1 ]; then
  echo "@ports"
  { cat net/tcp net/tcp6 2>/dev/null; echo @fds; ls -l [0-9]*/fd 2>/dev/null; } | awk '
    $1 == "@fds" { fds = 1; next }
    !fds { if ($4 == "0A") { n = split($2, a, ":"); listen[$10] = a[n] } next }
    /^[0-9]+\/fd:$/ { pid = $0; sub(/\/fd:$/, "", pid); next }
    /socket:\[/ { s = $NF; gsub(/[^0-9]/, "", s); if (s in listen) print pid, listen[s] }'
fi
if [ -n "$3" ]; then
  nl='
'
  x="$nl"x
  case "$3" in *"$nl"*) set -- "$1" "$2" /nonexistent/perf-lens ;; esac
  r=$(readlink -f -- "$3" 2>/dev/null && echo x)
  case "$r" in *"$nl"*"$nl"*|'') rp= ;; *) rp=$(printf '%s' "$r" | head -n 1) ;; esac
  echo "@realpath"
  echo "$rp"
  echo "@exe"
  for d in [0-9]*; do
    t=$(readlink -- "$d/exe" 2>/dev/null && echo x) || continue
    for w in "$3" "$3 (deleted)" "$rp" "$rp (deleted)"; do
      if [ "$t" = "$w$x" ]; then echo "$d $w"; break; fi
    done
  done
fi
echo "@end"
`;
