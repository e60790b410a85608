/**
 * The fix catalog: each fix as data. Snippets are written for the shape of code Perf Lens targets — an
 * io_uring executor with per-worker rings and task queues (`IoUringExecutor`, `scheduleOn`,
 * `wakeThread`, `io::v1::send`… in examples/tcp-demo). `recipe` names the language server's edit recipe.
 * Facts (kernel versions, privileges) are cited in docs/diagnosis.md#fix-catalog.
 */
import type { FixDefinition } from './types';

export const FIXES: readonly FixDefinition[] = [
  {
    id: 'coalesce-eventfd-wakeups',
    title: 'Coalesce wake-ups: write the eventfd only when the queue was empty, once per loop iteration',
    mechanism:
      'Every scheduleOn() writes the target worker’s eventfd, one write(2) per task, even when the worker is ' +
      'already awake with a backlog. A worker that is running will drain its queue before it sleeps again, ' +
      'so only the push that finds the queue empty (or the worker asleep) needs to wake it; the others can skip ' +
      'the syscall, the eventfd wait-queue lock and the wake-up completion on the ring. A worker that drains ' +
      'each task faster than the producer queues the next still parks between them, so an event-loop thread ' +
      'also owes its wake-ups until its own loop iteration ends and pays each once: the target gets the whole ' +
      'batch for one write.',
    appliesWhen:
      'Any kernel. The queue must tell the producer whether it was empty before the push (an atomic pending ' +
      'counter or a "sleeping" flag the worker sets before it waits), and the worker must re-check the queue ' +
      'after clearing the flag, or a task pushed in between waits for the next wake-up.',
    expectedEffect:
      'Eventfd writes per second fall from about one per task to about one per producer loop iteration that ' +
      'finds the target idle (on the demo under wrk load: 0.03 writes per request from 1.95, −98%; waking only ' +
      'when the queue was empty, without deferring, left −85–88%); system time and context switches fall with ' +
      'them; requests/s stay the same or rise. A wake-up waits for the rest of the producer’s loop iteration, ' +
      'so a task that blocks its event-loop thread also delays the workers it queued work for.',
    measure:
      'Re-profile under the same load and run `perf-lens compare before.json after.json`: eventfd writes/s ' +
      '(perf stat on syscalls:sys_enter_write filtered to the eventfd fds) should fall by 90% or more, and ' +
      'IoUringExecutor::wakeThread should leave the hotspot list.',
    snippet: `// executor.hpp — in IoUringExecutor::Context: how many tasks are queued and not yet taken.
std::atomic<std::size_t> pending_{0};

// executor.cpp — wake only when this push made the queue non-empty.
bool IoUringExecutor::scheduleOn(std::size_t context_id, Func&& func) {
    if (context_id >= contexts_.size()) {
        return false;
    }
    Context& ctx = *contexts_[context_id];
    ctx.accepted_tasks_.fetch_add(1);
    if (stopping_.load()) {
        ctx.accepted_tasks_.fetch_sub(1);
        return false;
    }
    ctx.queue_.enqueue(std::move(func));
    // fetch_add returns the previous count: 0 means the worker may be asleep (or about to sleep) with
    // nothing to do, so it needs the eventfd write; otherwise it is awake and will drain the queue.
    if (ctx.pending_.fetch_add(1, std::memory_order_acq_rel) == 0) {
        wakeThread(context_id);
    }
    return true;
}

// In Context::runQueuedTasks(), after running a task:
//     pending_.fetch_sub(1, std::memory_order_acq_rel);
// In Context::run(), block only when nothing is pending, so a task pushed while the worker was
// draining (its producer saw pending_ > 0 and skipped the write) is never stranded:
//     if (pending_.load(std::memory_order_acquire) > 0) continue;  // before io_uring_wait_cqe()
//
// Further (the quick fix does this too): on a worker thread, do not call wakeThread() at once; note
// the target in a thread_local list and, in Context::run(), wake each noted target once right before
// the pending_ check above, so one write covers every task this loop iteration queued for it.`,
    recipe: 'coalesce-eventfd-wakeups',
    informational: false,
    minKernel: null,
  },
  {
    id: 'batch-submissions',
    title: 'Batch submissions: one io_uring_submit per event-loop iteration',
    mechanism:
      'io::v1::recv/send/accept each call io_uring_submit(), so every operation costs one io_uring_enter(2). ' +
      'SQEs can instead accumulate in the submission ring while the loop resumes coroutines, and one ' +
      'submit at the top of the loop (or io_uring_submit_and_wait) hands them all to the kernel in a single call.',
    appliesWhen:
      'Any io_uring kernel (5.1+). The loop must submit before it blocks, or queued SQEs wait for the next ' +
      'completion; acquireSqe() must still submit when the ring is full.',
    expectedEffect:
      'io_uring_enter calls per second fall to about one per loop iteration; SQEs per enter rise above 1; system ' +
      'time spent entering the kernel falls. Latency is unchanged because the loop submits before waiting.',
    measure:
      'Compare io_uring_enter/s (perf stat -e syscalls:sys_enter_io_uring_enter) with io_uring submissions/s ' +
      '(io_uring:io_uring_submit_req): their ratio is the batch size. It should grow from ~1 to several.',
    snippet: `// io_ops.cpp — queue the SQE and return; do not enter the kernel per operation.
bool send::await_suspend(std::coroutine_handle<> waiter) noexcept {
    IoUringExecutor::Context* ctx = beginOperation(*this, waiter);
    if (ctx == nullptr) {
        return false;
    }
    io_uring_sqe* sqe = ctx->acquireSqe();
    io_uring_prep_send(sqe, fd_, buffer_, length_, flags_ | MSG_NOSIGNAL);
    io_uring_sqe_set_data(sqe, static_cast<IoRequest*>(this));
    // No io_uring_submit() here: Context::run() submits everything queued once per iteration.
    return true;
}

// executor.cpp — Context::run(): submit the whole batch and wait in one syscall.
io_uring_cqe* first = nullptr;
const int rc = io_uring_submit_and_wait(&ring_, 1);  // replaces io_uring_submit + io_uring_wait_cqe
if (rc >= 0) {
    io_uring_peek_cqe(&ring_, &first);
}`,
    recipe: 'batch-submissions',
    informational: false,
    minKernel: [5, 1],
  },
  {
    id: 'sqpoll',
    title: 'SQPOLL: let a kernel thread poll the submission queue',
    mechanism:
      'With IORING_SETUP_SQPOLL the kernel starts a thread that polls the submission ring, so the application ' +
      'publishes SQEs with plain memory writes and calls io_uring_enter only to wake that thread after it went ' +
      'idle (sq_thread_idle milliseconds without work).',
    appliesWhen:
      'Before Linux 5.11 it needs root (CAP_SYS_ADMIN; late 5.10 kernels also accept CAP_SYS_NICE) and registered files; from 5.11 ' +
      'unprivileged processes may use it. The poll thread burns up to a full core while busy, so it only pays ' +
      'when a core is spare and the process is syscall-bound on submissions.',
    expectedEffect:
      'io_uring_enter calls fall to near zero under steady load; submission latency falls; one extra kernel ' +
      'thread (iou-sqp-PID) shows up using CPU time of its own.',
    measure:
      'io_uring_enter/s should drop by an order of magnitude while io_uring submissions/s hold; check the ' +
      'iou-sqp thread’s CPU in pidstat -t and that requests/s rose rather than just moving CPU elsewhere.',
    snippet: `// executor.cpp — Context::Context(): create the ring with a submission-polling kernel thread.
io_uring_params params{};
params.flags = IORING_SETUP_SQPOLL;
params.sq_thread_idle = 2000;  // ms of no submissions before the poll thread sleeps
const int rc = io_uring_queue_init_params(ring_entries, &ring_, &params);
if (rc < 0) {
    // EPERM before 5.11 without privileges: fall back to a normal ring.
    throw IoUringUnavailable(-rc, "io_uring_queue_init_params(SQPOLL) failed: " + std::string(std::strerror(-rc)));
}
// liburing's io_uring_submit() already skips io_uring_enter while the poll thread is awake
// (it checks IORING_SQ_NEED_WAKEUP), so the submit call sites stay as they are.`,
    recipe: 'sqpoll',
    informational: false,
    minKernel: [5, 1],
  },
  {
    id: 'send-zc',
    title: 'Zero-copy send (IORING_OP_SEND_ZC)',
    mechanism:
      'A normal send copies the payload into kernel socket buffers. io_uring_prep_send_zc pins the user pages ' +
      'and lets the network stack transmit from them; the kernel posts a second completion (IORING_CQE_F_NOTIF) ' +
      'when it no longer needs the buffer.',
    appliesWhen:
      'Linux 6.0 or newer. It pays for large payloads (tens of KB and up); for small responses the page pinning ' +
      'and the extra notification cost more than the copy. The buffer must stay alive and unchanged until the ' +
      'notification completion arrives.',
    expectedEffect:
      'Less time in copy_from_user/_copy_from_iter under tcp_sendmsg for large responses; on loopback or with ' +
      'small messages there is little or no gain.',
    measure:
      'Compare the share of samples in _copy_from_iter/copy_user_* under tcp_sendmsg, and system time per ' +
      'request, before and after; check bytes/s with the same load.',
    snippet: `// io_ops.cpp — a zero-copy variant of io::v1::send. The completion with IORING_CQE_F_MORE set carries
// the result; a second one with IORING_CQE_F_NOTIF says the buffer may be reused.
bool send_zc::await_suspend(std::coroutine_handle<> waiter) noexcept {
    IoUringExecutor::Context* ctx = beginOperation(*this, waiter);
    if (ctx == nullptr) {
        return false;
    }
    io_uring_sqe* sqe = ctx->acquireSqe();
    io_uring_prep_send_zc(sqe, fd_, buffer_, length_, flags_ | MSG_NOSIGNAL, 0);
    io_uring_sqe_set_data(sqe, static_cast<IoRequest*>(this));
    io_uring_submit(ctx->ring());
    return true;
}
// Context::complete() must then resume the waiter on the first CQE and release the buffer only on the
// CQE whose flags contain IORING_CQE_F_NOTIF.`,
    recipe: 'send-zc',
    informational: false,
    minKernel: [6, 0],
  },
  {
    id: 'tcp-nodelay',
    title: 'TCP_NODELAY on accepted sockets',
    mechanism:
      'Nagle’s algorithm holds back a small segment while earlier data is unacknowledged; combined with the ' +
      'peer’s delayed ACK this can stall a response that is written in more than one piece for tens of ' +
      'milliseconds. TCP_NODELAY sends each write immediately.',
    appliesWhen:
      'Any kernel, no privileges. It matters for request/response protocols that write a response in several ' +
      'sends (header then body, or a partial send followed by the rest); it adds packets when writes are tiny ' +
      'and frequent, so batch the response into one send when possible.',
    expectedEffect:
      'Tail latency loses its ~40 ms steps (delayed-ACK timeouts); throughput rises when those stalls left ' +
      'the server idle; CPU per request is unchanged or slightly higher.',
    measure: 'wrk --latency before and after: the 90th/99th percentiles; `ss -tin` shows the socket options in use.',
    snippet: `// server.cpp — acceptLoop(), right after the accept completes (needs <netinet/tcp.h>).
const int client_fd = co_await io::v1::accept(listen_fd);
if (client_fd >= 0) {
    const int one = 1;
    if (::setsockopt(client_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) < 0) {
        std::fprintf(stderr, "tcp_demo: TCP_NODELAY: %s\\n", std::strerror(errno));
    }
}`,
    recipe: 'tcp-nodelay',
    informational: false,
    minKernel: null,
  },
  {
    id: 'tune-tcp-buffers',
    title: 'Tune TCP buffers and queues',
    mechanism:
      'A listen queue that overflows drops SYNs or completed handshakes (ListenOverflows/ListenDrops); a ' +
      'receive queue the application drains too slowly is pruned or dropped (RcvPruned, TCPBacklogDrop). ' +
      'Larger accept backlogs (listen() and net.core.somaxconn) and socket buffers (SO_RCVBUF/SO_SNDBUF, ' +
      'net.ipv4.tcp_rmem/tcp_wmem) absorb bursts while the application catches up.',
    appliesWhen:
      'Raising net.core.somaxconn, net.core.rmem_max/wmem_max or tcp_rmem/tcp_wmem needs root; SO_RCVBUF/SO_SNDBUF ' +
      'are capped by rmem_max/wmem_max. Setting SO_RCVBUF disables receive-buffer auto-tuning for that socket. ' +
      'Bigger buffers hide a slow consumer; they do not make it faster.',
    expectedEffect:
      'ListenOverflows/ListenDrops, TCPBacklogDrop and RcvPruned stop growing under the same load; connection ' +
      'set-up latency (SYN retries: 1 s, 3 s…) disappears.',
    measure:
      'nstat deltas over a run (`nstat -az` before and after, or Perf Lens’s network counters) and `ss -lnt` Recv-Q vs Send-Q on the listener.',
    snippet: `// server.cpp — openListener(): ask for a deep accept queue (capped by net.core.somaxconn).
if (::listen(fd, 4096) < 0) { /* ... */ }

// Per connection, only when measurements show receive-queue drops (disables auto-tuning):
const int bytes = 1 << 20;
::setsockopt(client_fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes);

// Host-wide (root): sysctl -w net.core.somaxconn=4096 net.ipv4.tcp_max_syn_backlog=8192`,
    recipe: 'tune-tcp-buffers',
    informational: false,
    minKernel: null,
  },
  {
    id: 'kernel-bypass',
    title: 'Kernel bypass (DPDK, AF_XDP) — information only',
    mechanism:
      'When the kernel TCP/IP stack itself is the cost (not how the application calls it), a user-space network ' +
      'stack on DPDK or AF_XDP sockets moves packet processing out of the kernel: no syscalls, no socket ' +
      'locks, no softirq work per packet, at the price of owning NIC queues and polling cores.',
    appliesWhen:
      'Only with a dedicated NIC (or queues) and an application rewritten around a user-space stack; AF_XDP ' +
      'needs Linux 4.18+ and driver support, DPDK needs hugepages and a bound NIC. Not applicable to loopback ' +
      'traffic. Exhaust batching, wake-up coalescing and zero-copy first.',
    expectedEffect:
      'System and softirq time for networking largely disappear; the polling cores show as 100% busy in user ' +
      'space whatever the load.',
    measure: 'Requests/s per core and latency percentiles at the same load, not CPU%: polling cores always look busy.',
    snippet: `// Information only: there is no local edit. With AF_XDP the receive path becomes, in outline:
//   xsk_socket__create(&xsk, ifname, queue_id, umem, &rx, &tx, &cfg);   // libxdp
//   for (;;) { n = xsk_ring_cons__peek(&rx, batch, &idx); /* parse, respond */ xsk_ring_cons__release(&rx, n); }
// and TCP itself must come from a user-space stack (e.g. F-Stack or Seastar on DPDK).`,
    recipe: null,
    informational: true,
    minKernel: null,
  },
  {
    id: 'reduce-lock-contention',
    title: 'Reduce lock contention: shard, shorten or remove shared critical sections',
    mechanism:
      'Threads queueing on one lock spin in the kernel’s spinlock slow path or sleep and wake through futex(2), ' +
      'so CPU goes to waiting and context switches instead of work. Sharding the state per worker, moving work ' +
      'out of the critical section, or keeping an object (a connection, a socket) on one thread removes the queue.',
    appliesWhen:
      'Any kernel. For kernel socket locks (lock_sock in tcp_recvmsg/tcp_sendmsg), the contention comes from two ' +
      'threads touching the same socket: keep each connection on the worker that accepted it instead of ' +
      'handing it to another worker per request.',
    expectedEffect:
      'Fewer futex calls and context switches per second, a smaller share of samples in *_slowpath/futex_*, ' +
      'and more requests/s per core.',
    measure:
      'perf stat -e syscalls:sys_enter_futex -p PID (calls/s), the share of samples in lock slow paths, and ' +
      'cswch/s per thread (pidstat -w -t), before and after.',
    snippet: `// server.cpp — handleClient(): keep the connection on the worker it runs on; no per-request hop.
// Before: if (!co_await executor->resumeOn(executor->nextContext())) { break; }
// After: reply from the current worker, so recv and send on this socket never race for its lock.
if (!co_await sendAll(client_fd, responses) || next == http::Next::CloseAfterSend) {
    break;
}

// For user-space locks: one shard per worker instead of one mutex for all.
struct alignas(64) Shard { std::mutex lock; Stats stats; };
std::array<Shard, kMaxWorkers> shards;
Shard& mine = shards[IoUringExecutor::current()->id()];`,
    recipe: 'reduce-lock-contention',
    informational: false,
    minKernel: null,
  },
];
