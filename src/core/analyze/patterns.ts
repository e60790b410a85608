/**
 * Symbol patterns the rules look for in stacks and hotspots. Kernel names are those of Linux 5.x–6.x
 * (they move between versions, hence prefixes rather than exact names).
 */

/** Kernel TCP/IP and socket-layer functions (not io_uring's own wrappers, not generic copies). */
export const NET_STACK =
  /^(?:__)?(?:tcp|tcp4|tcp6|ip|ip6|ipv4|ipv6|inet|inet6|udp|skb|kfree_skb|consume_skb|napi|netif|net_rx_action|dev_queue_xmit|dev_hard_start_xmit|loopback_xmit|sock_sendmsg|sock_recvmsg|sock_def_readable|sock_def_write_space|lock_sock|release_sock|sk_stream|sk_reset_timer|sk_wait|sys_sendto|sys_recvfrom|sys_sendmsg|sys_recvmsg|sys_accept4)(?:_|$)/;

/** Where the CPU spins or sleeps for a lock: kernel slow paths, futex, glibc's lock-wait helpers. */
export const LOCK_SLOW_PATH =
  /^(?:native_queued_spin_lock_slowpath|__pv_queued_spin_lock_slowpath|queued_spin_lock_slowpath|__mutex_lock(?:_slowpath|\.constprop.*)?|mutex_spin_on_owner|osq_lock|rwsem_down_\w+|rwsem_optimistic_spin|(?:__)?futex_wait\w*|futex_hash|futex_wake|do_futex|__x64_sys_futex|__lll_lock_wait(?:_private)?|__lll_lock_wake(?:_private)?|__pthread_mutex_lock_full|pthread_mutex_lock@?\S*)$/;

/** The part of LOCK_SLOW_PATH that is a spinlock slow path (kernel). */
export const SPINLOCK_SLOW_PATH =
  /^(?:native_queued_spin_lock_slowpath|__pv_queued_spin_lock_slowpath|queued_spin_lock_slowpath)$/;

/**
 * Functions that cpu-clock sampling over-weights (interrupts are re-enabled there, so the timer tick
 * lands on them): never read as lock contention or hot code on hosts without a hardware PMU.
 */
export const CPU_CLOCK_ARTIFACT = /^(?:finish_task_switch(?:\.\S+)?|_raw_spin_unlock_irqrestore|_raw_spin_unlock_irq)$/;

/** The kernel's block layer and direct/buffered file I/O paths: the process itself reads or writes a disk. */
export const BLOCK_IO =
  /^(?:submit_bio\w*|__submit_bio\w*|blk_mq_\w+|blk_finish_plug|bio_\w+|iomap_dio_\w+|__blkdev_direct_IO\w*|blkdev_\w+|ext4_(?:file_write_iter|file_read_iter|sync_file|dio_\w+)|xfs_file_\w+|btrfs_(?:direct_\w+|sync_file)|filemap_write_and_wait_range|file_write_and_wait_range|io_schedule(?:_timeout)?|folio_wait_bit\w*|wait_on_page_bit\w*)$/;

/** The kernel side of a write(2) to an eventfd. */
export const EVENTFD_WRITE_KERNEL = /^eventfd_write$/;
/** libc's write wrappers. */
export const WRITE_CALL = /^(?:__GI___libc_write|__libc_write|__write|write|__write_nocancel)$/;
/** User functions that wake another thread (wakeThread, wake_worker, notify, signal…). */
export const WAKE_FUNCTION = /(?:wake|notify|signal|kick|poke)/i;
/** Callers that hand work to another thread (scheduleOn, post, dispatch, enqueue, resumeOn…). */
export const SCHEDULE_FUNCTION = /(?:schedule|post|dispatch|enqueue|spawn|resumeOn|push|submit_?task|execute)/i;

/** io_uring submission: liburing's submit helpers and the kernel's io_uring_enter path. */
export const IO_URING_SUBMIT =
  /^(?:__io_uring_submit(?:_and_wait)?|io_uring_submit(?:_and_wait(?:_timeout)?|_and_get_events)?|__do_sys_io_uring_enter|__x64_sys_io_uring_enter|io_submit_sqes)$/;

/** A symbol perf could not name: raw addresses, [unknown], or stackcollapse's [module] placeholder. */
export const UNRESOLVED = /^(?:\[[^\]]*\]|0x[0-9a-f]+|[0-9a-f]{6,})$/i;

/** The name of a function without arguments, templates' tail or perf's clone suffixes: for matching only. */
export function baseName(symbol: string): string {
  let s = symbol.replace(/_\[[kjwi]\]$/, '').replace(/^__GI_/, '');
  const paren = s.indexOf('(');
  if (paren > 0) s = s.slice(0, paren);
  s = s.replace(/\s*\[clone [^\]]*\]/g, '').replace(/\.(?:isra|constprop|part|cold|lto_priv)\.\d+/g, '');
  s = s.replace(/\.cold$/, '');
  const colons = s.lastIndexOf('::');
  return colons >= 0 ? s.slice(colons + 2) : s;
}

/** The symbol without perf's clone suffixes and argument list, keeping the class qualifier. */
export function displayName(symbol: string): string {
  let s = symbol.replace(/_\[[kjwi]\]$/, '');
  s = s.replace(/\s*\[clone [^\]]*\]/g, '').replace(/\.(?:isra|constprop|part|cold|lto_priv)\.\d+/g, '');
  const paren = s.indexOf('(');
  return paren > 0 ? s.slice(0, paren) : s;
}
