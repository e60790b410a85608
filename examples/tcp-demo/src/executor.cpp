#include "executor.hpp"

#include <pthread.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <system_error>
#include <utility>

namespace {

// user_data values that are not IoRequest pointers. Real requests are at
// least pointer-aligned, so these small integers can never collide with them.
constexpr std::uint64_t kWakeTag = 1;    // the posted eventfd read
constexpr std::uint64_t kIgnoreTag = 2;  // cancellation requests themselves

thread_local IoUringExecutor::Context* t_current = nullptr;

}  // namespace

// ---------------------------------------------------------------------------
// Context

IoUringExecutor::Context::Context(IoUringExecutor& owner, std::size_t id, unsigned ring_entries)
    : owner_(owner), id_(id) {
    // Plain interrupt-driven ring: no SQPOLL, no registered files or buffers.
    const int rc = io_uring_queue_init(ring_entries, &ring_, 0);
    if (rc < 0) {
        throw IoUringUnavailable(-rc, "io_uring_queue_init failed: " + std::string(std::strerror(-rc)));
    }
    // Blocking eventfd on purpose: io_uring then parks the read on the
    // eventfd's wait queue instead of returning -EAGAIN.
    event_fd_ = ::eventfd(0, EFD_CLOEXEC);
    if (event_fd_ < 0) {
        const int error = errno;
        io_uring_queue_exit(&ring_);
        throw std::system_error(error, std::generic_category(), "eventfd");
    }
}

IoUringExecutor::Context::~Context() {
    if (thread_.joinable()) {
        thread_.join();
    }
    // Tearing the ring down also cancels the still-posted eventfd read, which
    // is why the eventfd is closed only afterwards.
    io_uring_queue_exit(&ring_);
    ::close(event_fd_);
}

bool IoUringExecutor::Context::stopping() const noexcept { return owner_.stopping(); }

io_uring_sqe* IoUringExecutor::Context::acquireSqe() {
    for (;;) {
        if (io_uring_sqe* sqe = io_uring_get_sqe(&ring_)) {
            return sqe;
        }
        io_uring_submit(&ring_);
    }
}

void IoUringExecutor::Context::track(IoRequest& request) noexcept {
    request.prev = nullptr;
    request.next = in_flight_;
    if (in_flight_ != nullptr) {
        in_flight_->prev = &request;
    }
    in_flight_ = &request;
}

void IoUringExecutor::Context::untrack(IoRequest& request) noexcept {
    if (request.prev != nullptr) {
        request.prev->next = request.next;
    } else {
        in_flight_ = request.next;
    }
    if (request.next != nullptr) {
        request.next->prev = request.prev;
    }
    request.prev = request.next = nullptr;
}

void IoUringExecutor::Context::armWakeRead() {
    io_uring_sqe* sqe = acquireSqe();
    io_uring_prep_read(sqe, event_fd_, &wake_value_, sizeof wake_value_, 0);
    io_uring_sqe_set_data64(sqe, kWakeTag);
    io_uring_submit(&ring_);
}

void IoUringExecutor::Context::runQueuedTasks() {
    // Run at most what was queued on entry: a task that re-schedules itself on
    // this worker must not starve the I/O completions waiting on the ring.
    std::size_t budget = std::max<std::size_t>(queue_.size_approx(), 1);
    while (budget-- > 0) {
        std::optional<Func> task = queue_.tryDequeue();
        if (!task) {
            break;
        }
        try {
            (*task)();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "tcp_demo: worker %zu: task failed: %s\n", id_, e.what());
        } catch (...) {
            std::fprintf(stderr, "tcp_demo: worker %zu: task failed: unknown exception\n", id_);
        }
        accepted_tasks_.fetch_sub(1);
    }
}

void IoUringExecutor::Context::cancelInFlightIo() {
    // Cancel by user_data rather than IORING_ASYNC_CANCEL_ANY so shutdown
    // also works on pre-5.19 kernels.
    for (IoRequest* request = in_flight_; request != nullptr; request = request->next) {
        io_uring_sqe* sqe = acquireSqe();
        io_uring_prep_cancel64(sqe, reinterpret_cast<std::uint64_t>(request), 0);
        io_uring_sqe_set_data64(sqe, kIgnoreTag);
    }
    io_uring_submit(&ring_);
}

void IoUringExecutor::Context::complete(std::uint64_t user_data, int result) {
    if (user_data == kIgnoreTag) {
        return;
    }
    if (user_data == kWakeTag) {
        // The read only exists to end io_uring_wait_cqe; the queue is drained
        // at the top of the loop. Keep exactly one read posted at all times.
        if (result < 0 && result != -EINTR && result != -EAGAIN && result != -ECANCELED) {
            std::fprintf(stderr, "tcp_demo: worker %zu: eventfd read failed: %s\n", id_,
                         std::strerror(-result));
            return;
        }
        armWakeRead();
        return;
    }
    auto* request = reinterpret_cast<IoRequest*>(user_data);
    untrack(*request);
    request->result = result;
    request->waiter.resume();
}

void IoUringExecutor::Context::run() {
    t_current = this;
    armWakeRead();

    constexpr unsigned kBatch = 64;
    std::array<io_uring_cqe*, kBatch> cqes{};
    std::array<std::pair<std::uint64_t, int>, kBatch> ready{};

    for (;;) {
        runQueuedTasks();

        if (owner_.stopping_.load()) {
            // Coroutines check stopping() before submitting, so one
            // cancellation pass covers everything this worker will ever wait on.
            if (!cancel_sent_) {
                cancelInFlightIo();
                cancel_sent_ = true;
            }
            if (in_flight_ == nullptr && accepted_tasks_.load() == 0) {
                break;
            }
        }

        // An SQE left behind by a failed io_uring_submit would otherwise never
        // reach the kernel.
        if (io_uring_sq_ready(&ring_) > 0) {
            io_uring_submit(&ring_);
        }

        io_uring_cqe* first = nullptr;
        const int rc = io_uring_wait_cqe(&ring_, &first);
        if (rc == -EINTR) {
            continue;
        }
        if (rc < 0) {
            std::fprintf(stderr, "tcp_demo: worker %zu: io_uring_wait_cqe: %s\n", id_, std::strerror(-rc));
            std::abort();
        }

        // Copy the batch out and release the CQ slots before resuming anything:
        // resumed coroutines submit new operations onto this same ring.
        const unsigned count = io_uring_peek_batch_cqe(&ring_, cqes.data(), kBatch);
        for (unsigned i = 0; i < count; ++i) {
            ready[i] = {io_uring_cqe_get_data64(cqes[i]), cqes[i]->res};
        }
        io_uring_cq_advance(&ring_, count);
        for (unsigned i = 0; i < count; ++i) {
            complete(ready[i].first, ready[i].second);
        }
    }
    t_current = nullptr;
}

// ---------------------------------------------------------------------------
// IoUringExecutor

IoUringExecutor::IoUringExecutor(std::size_t threads, unsigned ring_entries) {
    contexts_.reserve(threads);
    for (std::size_t id = 0; id < threads; ++id) {
        contexts_.push_back(std::make_unique<Context>(*this, id, ring_entries));
    }
}

IoUringExecutor::~IoUringExecutor() { stop(); }

void IoUringExecutor::start() {
    if (started_) {
        return;
    }
    started_ = true;
    for (auto& context : contexts_) {
        Context* ctx = context.get();
        ctx->thread_ = std::thread([ctx] { ctx->run(); });
        // Per-worker names make `perf report --sort comm,tid` and top -H readable.
        const std::string name = "tcp_demo-w" + std::to_string(ctx->id_);
        pthread_setname_np(ctx->thread_.native_handle(), name.c_str());
    }
}

void IoUringExecutor::stop() {
    stopping_.store(true);
    for (std::size_t id = 0; id < contexts_.size(); ++id) {
        wakeThread(id);
    }
    for (auto& context : contexts_) {
        if (context->thread_.joinable()) {
            context->thread_.join();
        }
    }
}

bool IoUringExecutor::scheduleOn(std::size_t context_id, Func&& func) {
    if (context_id >= contexts_.size()) {
        return false;
    }
    Context& ctx = *contexts_[context_id];
    // Count the task before checking the flag (both seq_cst): a worker that
    // sees the count at zero after stopping_ is set knows no producer can
    // still slip a task past it.
    ctx.accepted_tasks_.fetch_add(1);
    if (stopping_.load()) {
        ctx.accepted_tasks_.fetch_sub(1);
        return false;
    }
    ctx.queue_.enqueue(std::move(func));
    // Deliberately naive: wake the target for *every* task, even if it is
    // already awake, has a backlog, or is the calling thread itself. This is
    // one write(2) on an eventfd per task -- the hot spot Perf Lens finds.
    wakeThread(context_id);
    return true;
}

void IoUringExecutor::wakeThread(std::size_t ctx) {
    // glibc's write() runs without a frame pointer, and frame-pointer
    // unwinding (`perf record -g`) then drops the *caller* of such a leaf. The
    // one-line non-inlined lambda is the frame that gets dropped instead, so
    // profiles read scheduleOn -> wakeThread -> write -> eventfd_write.
    const auto post_one = [](int event_fd) __attribute__((noinline)) {
        const std::uint64_t one = 1;
        const ssize_t written =
            ::write(event_fd, &one, sizeof one);
        // Checking the result here also keeps write() out of tail position,
        // which would otherwise remove this frame again.
        return written == static_cast<ssize_t>(sizeof one) ? 0 : errno;
    };
    if (const int error = post_one(contexts_[ctx]->event_fd_); error != 0) {
        std::fprintf(stderr, "tcp_demo: wakeThread(%zu): write: %s\n", ctx, std::strerror(error));
    }
}

std::size_t IoUringExecutor::nextContext() const noexcept {
    const Context* self = current();
    return self == nullptr ? 0 : (self->id_ + 1) % contexts_.size();
}

IoUringExecutor::Context* IoUringExecutor::current() noexcept { return t_current; }
