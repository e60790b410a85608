/**
 * Every number the diagnosis rules compare against, in one place. `docs/diagnosis.md` explains each one
 * and where it comes from; `test/unit/analyze/thresholds.test.ts` checks each rule just below, at and just
 * above its threshold. A rule "fires at" its threshold: comparisons are `>=` unless a name says `MAX`.
 *
 * Units: CPU percentages are pidstat-style (percent of ONE core, 200 = two cores) for the process and its
 * threads, and percent of ALL CPUs for the host (`cpu.system`). Rates are per second. Shares of perf
 * samples are percent of all samples.
 */
export const THRESHOLDS = {
  // ---- verdict ---------------------------------------------------------------------------------
  /** Process CPU (percent of one core) below which the process is called idle. */
  IDLE_MAX_PROCESS_CPU: 5,
  /** Host busy time (100 - idle, percent of all CPUs) below which a host-only profile is idle. */
  IDLE_MAX_HOST_BUSY: 5,
  /** Host iowait (percent of all CPUs) at which the verdict is io-bound. */
  IO_BOUND_IOWAIT: 15,
  /** System time as a share of the process's usr+sys at which it is kernel-bound (30 usr + 30 sys = 50). */
  KERNEL_BOUND_SYS_SHARE: 40,
  /** io_uring_enter calls per second at which the verdict is syscall-bound. */
  SYSCALL_BOUND_IO_URING_ENTER: 100_000,
  /** All syscalls per second at which the verdict is syscall-bound. */
  SYSCALL_BOUND_TOTAL: 200_000,

  // ---- io-uring-submit-overhead ----------------------------------------------------------------
  /** Under this many io_uring_enter/s a busy process is "batching well" (info). */
  IO_URING_ENTER_OK_MAX: 10_000,
  /** At or above this many io_uring_enter/s: warning, whatever the batching. */
  IO_URING_ENTER_WARN: 100_000,
  /** Between OK_MAX and WARN: warning when fewer SQEs than this are submitted per io_uring_enter. */
  IO_URING_MIN_SQES_PER_ENTER: 2,
  /** Between OK_MAX and WARN: warning when there is at least this many io_uring_enter per request. */
  IO_URING_ENTERS_PER_REQUEST_WARN: 1,
  /** io_uring_submit (or io_uring_enter in the kernel) on this share of stacks counts as hot. */
  IO_URING_SUBMIT_HOT_SHARE: 5,

  // ---- eventfd-wakeup-storm --------------------------------------------------------------------
  /** Eventfd writes per second below which no storm is reported, whatever the ratios. */
  EVENTFD_MIN_WRITES: 1_000,
  /** Eventfd writes per request at which wake-ups are "of the same order as requests" (warning). */
  EVENTFD_PER_REQUEST_WARN: 0.1,
  /** Eventfd writes per request at which there is one wake-up per task or so (critical). */
  EVENTFD_PER_REQUEST_CRITICAL: 0.5,
  /** Without throughput: eventfd writes per io_uring_enter at which wake-ups are of the same order. */
  EVENTFD_PER_ENTER_WARN: 0.1,
  /** Share of samples in eventfd writes (wakeThread → write → eventfd_write) at which the stack rule fires. */
  EVENTFD_STACK_SHARE: 2,

  // ---- kernel-network-stack --------------------------------------------------------------------
  /** Share of samples with kernel TCP/IP frames on the stack. */
  NET_STACK_SHARE: 15,
  /** …and system time as a share of the process's usr+sys. */
  NET_STACK_MIN_SYS_SHARE: 30,

  // ---- lock-contention ---------------------------------------------------------------------------
  /** Share of samples in lock slow paths (futex wait, spinlock/mutex slow paths, __lll_lock_wait). */
  LOCK_STACK_SHARE: 5,
  /** futex calls per second. */
  FUTEX_RATE: 10_000,
  /** Seconds spent in futex per second of recording (0.1 = a tenth of a core). */
  FUTEX_TIME_PER_SECOND: 0.1,
  /** Seconds of kernel lock waiting (perf lock contention) per second of recording. */
  KERNEL_LOCK_WAIT_PER_SECOND: 0.1,

  // ---- context-switch-storm ----------------------------------------------------------------------
  /** Context switches (voluntary + involuntary) per second in one thread. */
  CONTEXT_SWITCHES_PER_THREAD: 50_000,

  // ---- network counters --------------------------------------------------------------------------
  /** Retransmitted segments as a percent of segments sent. */
  RETRANS_PERCENT_WARN: 1,
  /** …critical from here. */
  RETRANS_PERCENT_CRITICAL: 5,
  /** Fewer retransmitted segments than this are noise, whatever the percentage. */
  RETRANS_MIN_SEGMENTS: 10,
  /** Listen overflows/drops, backlog drops, pruned receive queues: any is worth a warning. */
  SOCKET_OVERFLOW_MIN: 1,
  /** NIC drops (sum over interfaces) during the session. */
  NIC_DROPS_MIN: 1,

  // ---- io-wait -----------------------------------------------------------------------------------
  /** Host iowait (percent of all CPUs) for the io-wait finding (below the io-bound verdict's). */
  IO_WAIT_FINDING: 5,
  /**
   * io_uring_enter calls per second from which the process's own io_uring waits can explain the host's
   * iowait (a task sleeping in io_uring_enter with requests in flight is counted as iowait).
   */
  IO_URING_IOWAIT_MIN_ENTER: 100,
  /** Percent of samples with block-layer frames from which the process does disk I/O itself. */
  BLOCK_IO_MIN_STACK_SHARE: 1,

  // ---- user-code-hot -----------------------------------------------------------------------------
  /** Self share of the hottest named user-space function. */
  USER_HOT_TOP_SELF: 10,
  /** Self share of all named user-space functions together. */
  USER_HOT_TOTAL_SELF: 30,

  // ---- not-saturated -----------------------------------------------------------------------------
  /** The process uses less than this share of the cores it can use (min(cores, busy threads)). */
  NOT_SATURATED_MAX_UTILISATION: 80,
  /** No thread busier than this (percent of one core): a thread at 100% is a serial bottleneck. */
  NOT_SATURATED_MAX_THREAD_CPU: 90,
  /** The host keeps at least this much idle (percent of all CPUs), when known. */
  NOT_SATURATED_MIN_HOST_IDLE: 20,
  /** A thread counts as one the process can spread work over from this CPU (percent of one core). */
  BUSY_THREAD_CPU: 5,

  // ---- host-cpu-contention -------------------------------------------------------------------------
  /** Average run-queue wait (pidstat %wait) of the busy threads. */
  RUN_QUEUE_WAIT: 20,
  /** …while the host has less idle than this (percent of all CPUs). */
  RUN_QUEUE_MAX_HOST_IDLE: 10,

  // ---- data quality --------------------------------------------------------------------------------
  /** Fewer perf samples than this: too few to trust shares. */
  MIN_SAMPLES: 500,
  /** A recording shorter than this (seconds). */
  MIN_DURATION_SECONDS: 2,
  /** System time (share of usr+sys) above which an absence of kernel frames means they are missing. */
  MISSING_KERNEL_MIN_SYS_SHARE: 10,
  /** Kernel samples with unresolved (hex/[unknown]) symbols, percent of kernel samples. */
  UNRESOLVED_KERNEL_SHARE: 20,
  /** User samples with unresolved symbols, percent of user samples. */
  UNRESOLVED_USER_SHARE: 20,
  /** …and percent of all samples (a few unnamed samples in a kernel-bound process do not matter). */
  UNRESOLVED_USER_MIN_TOTAL: 5,
} as const;

export type ThresholdName = keyof typeof THRESHOLDS;
