/**
 * The whole probe in one round trip: a constant POSIX sh script (no data is ever spliced into it) that
 * prints `key=value` lines. Every check is guarded so a missing file or tool only omits its key; version
 * commands run under `timeout 5` when available so one hung tool cannot hang the probe.
 *
 * Keys: kernel, arch, hostname, cpus, uid, os.ID / os.ID_LIKE / os.VERSION_ID / os.PRETTY_NAME,
 * sysctl.<path under /proc/sys>, path.<tool>, version.<tool> (first output line), status.<tool> (exit code),
 * sudo (root|passwordless|password|none), tracefs, tp.io_uring, tp.syscalls, pmu.devices, pmu.cycles,
 * container.dockerenv, container.podman, container.cgroup, virt.container, virt.vm, done.
 */
export const PROBE_SCRIPT = `kv() { printf '%s=%s\\n' "$1" "$2"; }
t=; if command -v timeout >/dev/null 2>&1; then t='timeout 5'; fi
ver() {
  name=$1; shift
  command -v "$1" >/dev/null 2>&1 || return 0
  out=$($t "$@" 2>&1 </dev/null); s=$?
  kv "version.$name" "$(printf '%s\\n' "$out" | sed -n '/[^[:space:]]/{p;q;}')"
  kv "status.$name" "$s"
}
kv kernel "$(uname -r)"
kv arch "$(uname -m)"
kv hostname "$(uname -n)"
kv cpus "$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc 2>/dev/null)"
uid=$(id -u); kv uid "$uid"
if [ -r /etc/os-release ]; then
  while IFS= read -r line; do
    case $line in ID=*|ID_LIKE=*|VERSION_ID=*|PRETTY_NAME=*) kv "os.\${line%%=*}" "\${line#*=}";; esac
  done </etc/os-release
fi
for f in kernel/perf_event_paranoid kernel/kptr_restrict kernel/yama/ptrace_scope kernel/io_uring_disabled kernel/perf_event_max_sample_rate; do
  if [ -r "/proc/sys/$f" ]; then kv "sysctl.$f" "$(cat "/proc/sys/$f" 2>/dev/null)"; fi
done
for tool in perf pidstat mpstat strace ss nstat netstat ethtool bpftrace sudo systemd-detect-virt; do
  p=$(command -v "$tool" 2>/dev/null) && kv "path.$tool" "$p"
done
ver perf perf --version
ver pidstat pidstat -V
ver mpstat mpstat -V
ver strace strace -V
ver ss ss -V
ver nstat nstat -V
ver netstat netstat --version
ver ethtool ethtool --version
ver bpftrace bpftrace --version
if [ "$uid" = 0 ]; then kv sudo root
elif command -v sudo >/dev/null 2>&1; then
  if $t sudo -n true </dev/null >/dev/null 2>&1; then kv sudo passwordless; else kv sudo password; fi
else kv sudo none; fi
for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
  if [ -d "$d/events" ]; then
    kv tracefs "$d"
    if [ -d "$d/events/io_uring" ]; then kv tp.io_uring 1; else kv tp.io_uring 0; fi
    if [ -d "$d/events/syscalls" ]; then kv tp.syscalls 1; else kv tp.syscalls 0; fi
    break
  fi
done
if [ -d /sys/bus/event_source/devices ]; then kv pmu.devices "$(ls /sys/bus/event_source/devices 2>/dev/null | tr '\\n' ' ')"; fi
case " $(ls /sys/bus/event_source/devices 2>/dev/null | tr '\\n' ' ') " in
  *" cpu "*|*" cpu_core "*|*" cpu_atom "*|*" armv"*|*" arm_"*|*" cpum_cf "*) ;;
  *) if command -v perf >/dev/null 2>&1; then kv pmu.cycles "$($t perf stat -x, -e cycles true 2>&1 </dev/null | sed -n '/cycles/{p;q;}')"; fi ;;
esac
[ -f /.dockerenv ] && kv container.dockerenv 1
[ -f /run/.containerenv ] && kv container.podman 1
if [ -r /proc/1/cgroup ]; then
  c=$(grep -E -m 1 'docker|kubepods|lxc|containerd|libpod|crio' /proc/1/cgroup 2>/dev/null) && kv container.cgroup "$c"
fi
if command -v systemd-detect-virt >/dev/null 2>&1; then
  kv virt.container "$(systemd-detect-virt -c 2>/dev/null)"
  kv virt.vm "$(systemd-detect-virt -v 2>/dev/null)"
fi
kv done 1`;
