// IoUringExecutor: N worker threads, each owning one io_uring instance, a
// lock-free task queue and an eventfd used to wake it up.
//
// A worker spends its idle time blocked in io_uring_wait_cqe(). Work arrives
// in two ways: I/O completions on its ring, and tasks pushed by other threads
// through scheduleOn(). The latter are made visible to a sleeping worker by
// keeping a read on the worker's eventfd permanently posted to its ring, so a
// write() to the eventfd produces a completion and ends the wait.
#pragma once

#include <liburing.h>

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include "mpsc_queue.hpp"

// State shared by every io_uring operation a coroutine awaits: who to resume
// and with what result. Its address is the SQE's user_data. Requests are kept
// in an intrusive per-worker list so shutdown can cancel whatever is in flight.
struct IoRequest {
    std::coroutine_handle<> waiter;
    int result = 0;
    IoRequest* prev = nullptr;
    IoRequest* next = nullptr;
};

// Thrown when the kernel refuses to create a ring (too old, disabled by
// sysctl/seccomp, locked-memory limit...). Carries the positive errno.
class IoUringUnavailable : public std::runtime_error {
public:
    IoUringUnavailable(int error, const std::string& what) : std::runtime_error(what), error_(error) {}
    [[nodiscard]] int error() const noexcept { return error_; }

private:
    int error_;
};

class IoUringExecutor {
public:
    using Func = std::function<void()>;

    class Context {
    public:
        Context(IoUringExecutor& owner, std::size_t id, unsigned ring_entries);
        ~Context();
        Context(const Context&) = delete;
        Context& operator=(const Context&) = delete;

        [[nodiscard]] std::size_t id() const noexcept { return id_; }
        [[nodiscard]] io_uring* ring() noexcept { return &ring_; }
        [[nodiscard]] bool stopping() const noexcept;

        // Never returns nullptr: flushes the submission queue if it is full.
        io_uring_sqe* acquireSqe();

        // Bookkeeping for operations submitted on this worker's ring; only
        // ever called on the worker's own thread.
        void track(IoRequest& request) noexcept;
        void untrack(IoRequest& request) noexcept;

    private:
        friend class IoUringExecutor;

        void run();
        void armWakeRead();
        void runQueuedTasks();
        void cancelInFlightIo();
        void complete(std::uint64_t user_data, int result);

        IoUringExecutor& owner_;
        const std::size_t id_;
        io_uring ring_{};
        int event_fd_ = -1;
        std::uint64_t wake_value_ = 0;  // target of the posted eventfd read
        MpscQueue<Func> queue_;
        // Tasks accepted by scheduleOn and not yet run; lets shutdown tell an
        // empty queue from one a producer is about to push to.
        std::atomic<std::size_t> accepted_tasks_{0};
        IoRequest* in_flight_ = nullptr;
        bool cancel_sent_ = false;
        std::thread thread_;
    };

    // Creates the rings and eventfds (throws IoUringUnavailable if the kernel
    // refuses); threads are started separately so callers can report
    // configuration errors before anything runs.
    explicit IoUringExecutor(std::size_t threads, unsigned ring_entries = 512);
    ~IoUringExecutor();
    IoUringExecutor(const IoUringExecutor&) = delete;
    IoUringExecutor& operator=(const IoUringExecutor&) = delete;

    void start();
    // Cancels in-flight I/O, runs what is queued, joins all workers.
    // Must not be called from a worker thread.
    void stop();

    // Queues func on worker context_id and wakes it. Returns false (and drops
    // func) when the executor is stopping or context_id is out of range.
    [[gnu::noinline]] bool scheduleOn(std::size_t context_id, Func&& func);

    // Makes worker ctx return from io_uring_wait_cqe by writing its eventfd.
    [[gnu::noinline]] void wakeThread(std::size_t ctx);

    // Awaitable that continues the calling coroutine on worker context_id.
    // Yields false (and stays on the current thread) if it could not move.
    [[nodiscard]] auto resumeOn(std::size_t context_id) noexcept {
        struct Awaiter {
            IoUringExecutor* executor;
            std::size_t target;
            bool moved = true;

            bool await_ready() const noexcept { return false; }
            bool await_suspend(std::coroutine_handle<> self) {
                // Once scheduleOn succeeds the coroutine may already be running
                // (or finished) on the other thread, so `this` must not be
                // touched afterwards: record the optimistic outcome first.
                moved = true;
                if (executor->scheduleOn(target, [self] { self.resume(); })) {
                    return true;
                }
                moved = false;
                return false;
            }
            bool await_resume() const noexcept { return moved; }
        };
        return Awaiter{this, context_id};
    }

    [[nodiscard]] std::size_t contextCount() const noexcept { return contexts_.size(); }
    // The worker after the calling one (round-robin); 0 off-worker.
    [[nodiscard]] std::size_t nextContext() const noexcept;
    [[nodiscard]] bool stopping() const noexcept { return stopping_.load(); }

    // The worker context of the calling thread, or nullptr off-worker.
    [[nodiscard]] static Context* current() noexcept;

private:
    std::vector<std::unique_ptr<Context>> contexts_;
    std::atomic<bool> stopping_{false};
    bool started_ = false;
};
