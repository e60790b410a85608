#include "io_ops.hpp"

#include <sys/socket.h>

#include <cerrno>

namespace io::v1 {
namespace {

// Common prologue: find the calling worker's ring and register the request so
// shutdown can cancel it. Returns nullptr when the operation must not start
// (not on a worker, or shutting down); the request then completes inline.
IoUringExecutor::Context* beginOperation(IoRequest& request, std::coroutine_handle<> waiter) noexcept {
    IoUringExecutor::Context* ctx = IoUringExecutor::current();
    if (ctx == nullptr || ctx->stopping()) {
        request.result = -ECANCELED;
        return nullptr;
    }
    request.waiter = waiter;
    ctx->track(request);
    return ctx;
}

}  // namespace

// The three operations below are deliberately naive: each takes one SQE and
// immediately calls io_uring_submit(), i.e. one io_uring_enter(2) syscall per
// operation, instead of letting SQEs accumulate and submitting once per loop.

bool recv::await_suspend(std::coroutine_handle<> waiter) noexcept {
    IoUringExecutor::Context* ctx = beginOperation(*this, waiter);
    if (ctx == nullptr) {
        return false;
    }
    io_uring_sqe* sqe = ctx->acquireSqe();
    io_uring_prep_recv(sqe, fd_, buffer_, length_, flags_);
    io_uring_sqe_set_data(sqe, static_cast<IoRequest*>(this));
    io_uring_submit(ctx->ring());
    return true;
}

bool send::await_suspend(std::coroutine_handle<> waiter) noexcept {
    IoUringExecutor::Context* ctx = beginOperation(*this, waiter);
    if (ctx == nullptr) {
        return false;
    }
    io_uring_sqe* sqe = ctx->acquireSqe();
    // Plain copying send (not io_uring_prep_send_zc); MSG_NOSIGNAL so a peer
    // that went away yields -EPIPE instead of killing the process.
    io_uring_prep_send(sqe, fd_, buffer_, length_, flags_ | MSG_NOSIGNAL);
    io_uring_sqe_set_data(sqe, static_cast<IoRequest*>(this));
    io_uring_submit(ctx->ring());
    return true;
}

bool accept::await_suspend(std::coroutine_handle<> waiter) noexcept {
    IoUringExecutor::Context* ctx = beginOperation(*this, waiter);
    if (ctx == nullptr) {
        return false;
    }
    io_uring_sqe* sqe = ctx->acquireSqe();
    io_uring_prep_accept(sqe, listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    io_uring_sqe_set_data(sqe, static_cast<IoRequest*>(this));
    io_uring_submit(ctx->ring());
    return true;
}

}  // namespace io::v1
