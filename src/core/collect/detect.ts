/** Which tool printed a saved output: decided from its first lines (and, for ambiguous ones, the file name). */

export const TOOL_KINDS = [
  'pidstat',
  'mpstat',
  'proc-snapshot',
  'proc-stat',
  'top',
  'perf-report',
  'perf-script',
  'perf-stat',
  'perf-stat-eventfd',
  'fds',
  'strace',
  'perf-trace',
  'nstat',
  'netstat',
  'ss-summary',
  'ss-tcp',
  'softirqs',
  'ethtool',
  'ip-link',
  'perf-lock',
  'wrk',
] as const;

export type ToolKind = (typeof TOOL_KINDS)[number];

export function isToolKind(s: string): s is ToolKind {
  return (TOOL_KINDS as readonly string[]).includes(s);
}

/**
 * Detects the tool from the head of a file (a few KB are enough). Returns null when no rule matches; the
 * caller then asks for `--as TOOL`.
 */
export function detectTool(head: string, fileName = ''): ToolKind | null {
  const text = head.slice(0, 65536);
  const lines = text.split('\n').slice(0, 400);
  const has = (re: RegExp) => lines.some((l) => re.test(l));
  const base = fileName.split('/').pop() ?? '';
  if (has(/^@process$/) || lines[0] === '@gone') return 'proc-snapshot';
  if (
    has(/^# (Samples|Overhead|Children)\b/) ||
    has(/^# Total Lost Samples:/) ||
    has(/^# To display the perf\.data header/)
  ) {
    return 'perf-report';
  }
  if (has(/^Requests\/sec:\s+[\d.]+/) && has(/^Running \S+ test @/)) return 'wrk';
  if (
    has(/^\s*Performance counter stats for/) ||
    has(/^#\s+time\s+counts\s+unit\s+events/) ||
    has(/^\s*(\d+\.\d+,)?(\d+|<not (counted|supported)>),[^,]*,[A-Za-z_][\w.:-]*,\d*,/) ||
    has(/^event syntax error:|^Problems finding threads of monitor/)
  ) {
    return /eventfd/i.test(base) ? 'perf-stat-eventfd' : 'perf-stat';
  }
  if (has(/^Summary of events:/) || has(/^ Summary of events:/)) return 'perf-trace';
  if (has(/^\s*%\s*time\s+seconds\s+usecs\/call\s+calls/) || has(/^syscall\s+calls\s+errors/)) return 'strace';
  if (has(/^top - \d/)) return 'top';
  if (has(/^\s*contended\s+total wait\s+max wait/) || has(/^\s+Name\s+acquired\s+contended/)) return 'perf-lock';
  if (has(/\bCPU\s+%usr\s+%nice\s+%sys\b/)) return 'mpstat';
  if (has(/\b(%usr|cswch\/s)\b.*\bCommand\s*$/)) return 'pidstat';
  if (lines[0]?.trim() === '#kernel' || /^\s*\{\s*"kernel"\s*:/.test(text)) return 'nstat';
  if (has(/^Tcp:\s*$/) && has(/^ {4}\d+ /)) return 'netstat';
  if (has(/^Total: \d+/) && has(/^TCP:\s+\d+/)) return 'ss-summary';
  if (has(/^State\s+Recv-Q\s+Send-Q\b/)) return 'ss-tcp';
  if (/^\s*CPU0(\s+CPU\d+)*\s*$/.test(lines[0] ?? '') && has(/^\s*NET_RX:/)) return 'softirqs';
  if (has(/^NIC statistics:/) || /^no stats available/.test(lines[0] ?? '')) return 'ethtool';
  if (has(/^\d+: [^:\s]+: </) && has(/^\s+RX:\s+bytes/)) return 'ip-link';
  if (has(/^cpu\s+\d+ \d+ \d+ \d+/) && has(/^ctxt \d+/)) return 'proc-stat';
  if (has(/^l[rwx-]{9}.* \d+ -> /) || has(/^\d+ (socket|pipe|anon_inode):\[/)) return 'fds';
  const nonEmpty = lines.filter((l) => l.trim() !== '');
  if (/fd/i.test(fileName) && nonEmpty.length > 0 && nonEmpty.every((l) => /^\d+$/.test(l.trim()))) return 'fds';
  if (/^find: '\/proc\/\d+\/fd'/.test(lines[0] ?? '')) return 'fds';
  // perf script: `comm PID[/TID] [CPU] TIME: [PERIOD] EVENT:` headers followed by tab-indented frames.
  if (
    has(/^\S.*?\s\d+(\/\d+)?\s+(\[\d+\]\s+)?\d+\.\d+:/) &&
    (has(/^\s+[0-9a-f]+ \S/) || has(/^\S.*:\s+[0-9a-f]+ \S+ \(/))
  ) {
    return 'perf-script';
  }
  if (has(/^\s+\S.*? \d+(\/\d+)? +(\[\d+\] +)?\d+\.\d+: +\d* ?\S+: +[0-9a-f]+ /)) return 'perf-script';
  return null;
}
